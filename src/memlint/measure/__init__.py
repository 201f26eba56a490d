"""``memlint measure``: run the user's program, measure what each finding's statement costs, rank findings by it.

The one place memlint runs code: the checker never does. The program runs in a child interpreter
(``_child.py``) under tracemalloc and a line tracer, with the ``sys.path`` it would have on its own; this
process samples the child's resident set with psutil, checks the project with the engine and joins both
(``join.py``; ``command.py`` puts them together). ``--compare-fixes`` runs it again on a temporary copy of the project with each fix applied
(``compare.py``).
"""
