"""The one model of which names a scope binds (facts/bindings.py), by Python 3's rules; Python's own symbol
tables (``symtable``) are the reference for which names are a scope's own."""

import ast
import symtable
import sys
import textwrap

import pytest

from memlint.facts.bindings import ScopeBindings
from memlint.facts.tree import COMPREHENSIONS


def function_bindings(code: str) -> ScopeBindings:
    tree = ast.parse(textwrap.dedent(code))
    (f,) = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    return ScopeBindings(f)


def counts(b: ScopeBindings) -> dict:
    return {name: len(found) for name, found in b.of.items()}


@pytest.mark.parametrize(
    "why, code, expected",
    [
        ("parameters", "def f(a, /, b, *c, d, **e): pass", dict.fromkeys("abcde", 1)),
        ("assignment targets, each once", "def f():\n    x = y = 1\n    a, (b, *c) = g()", dict.fromkeys("xyabc", 1)),
        ("augmented and annotated with a value", "def f():\n    x = 0\n    x += 1\n    y: int = 2", {"x": 2, "y": 1}),
        ("attributes and subscripts bind nothing", "def f(o):\n    o.x = 1\n    o[0] = 2\n    o.y += 1", {"o": 1}),
        (
            "for and with targets",
            "def f():\n    for i, j in g(): pass\n    with g() as (h, k): pass",
            dict.fromkeys("ijhk", 1),
        ),
        (
            "imports",
            "def f():\n    import os.path, numpy as np\n    from m import a, b as c",
            dict.fromkeys(["os", "np", "a", "c"], 1),
        ),
        (
            "def and class",
            "def f():\n    def g(): pass\n    class K: pass\n    async def h(): pass",
            dict.fromkeys("gKh", 1),
        ),
        ("except as", "def f():\n    try: pass\n    except E as e: pass\n    except (A, B): pass", {"e": 1}),
        ("del counts", "def f():\n    x = 1\n    del x", {"x": 2}),
        (
            "a comprehension's targets are its own",
            "def f(n):\n    return [i * j for i in range(n) for j in g(i)]",
            {"n": 1},
        ),
        (
            "a walrus binds here, even in a comprehension",
            "def f(xs):\n    ys = [y for x in xs if (y := x)]",
            dict.fromkeys(["xs", "ys", "y"], 1),
        ),
        (
            "a walrus in a nested comprehension",
            "def f(xs):\n    return [[(z := a) for a in x] for x in xs]",
            {"xs": 1, "z": 1},
        ),
        (
            "the bodies of nested scopes are theirs",
            "def f():\n    def g(a):\n        b = 1\n    lambda c: (d := c)\n    class K:\n        e = 1",
            {"g": 1, "K": 1},
        ),
        (
            "a walrus in a default or decorator binds here",
            "def f():\n    @deco(w := 1)\n    def g(x=(n := 3)): pass",
            {"w": 1, "n": 1, "g": 1},
        ),
        (
            "global and nonlocal names are not this scope's",
            "def f():\n    global G\n    nonlocal N\n    G = N = 1\n    x = 1",
            {"x": 1},
        ),
    ],
)
def test_which_names_a_function_binds_and_how_often(why, code, expected):
    assert counts(function_bindings(code)) == expected, why


def test_a_bare_annotation_binds_nothing_but_makes_the_name_local():
    b = function_bindings("def f():\n    x: int\n    y: int\n    y = 1\n    o.z: int")
    assert counts(b) == {"y": 1} and b.annotated == {"x", "y"}
    assert b.is_local("x") and b.is_local("y") and not b.is_local("o")


def test_declared_names_are_rebound_not_local():
    b = function_bindings("def f():\n    global G, H\n    G = 1\n    print(H)")
    assert b.declared == {"G", "H"} and b.rebound == {"G"} and not b.is_local("G")


def test_global_at_module_level_changes_nothing():
    b = ScopeBindings(ast.parse("global G\nG = 1\n[i for i in x]\n"))
    assert counts(b) == {"G": 1} and not b.declared


def test_each_binding_says_where_and_through_which_target():
    tree = ast.parse("def f(p):\n    a, b = t\n    for i in r: pass\n    import m\n")
    b = ScopeBindings(tree.body[0])
    f = tree.body[0]
    assert isinstance(b.of["p"][0].node, ast.arg) and b.of["p"][0].target is None
    assert b.of["a"][0].node is f.body[0] and b.of["a"][0].target is f.body[0].targets[0]
    assert b.of["i"][0].node is f.body[1] and b.of["i"][0].target is f.body[1].target
    assert b.of["m"][0].node is f.body[2] and b.of["m"][0].target is None


def test_a_comprehension_binds_its_targets_only():
    tree = ast.parse("[(i, (w := j)) for i in range(3) for j, k in g(i)]")
    comprehension = tree.body[0].value
    assert counts(ScopeBindings(comprehension)) == {"i": 1, "j": 1, "k": 1}
    assert counts(ScopeBindings(tree)) == {"w": 1}


def test_a_star_import_is_flagged():
    assert ScopeBindings(ast.parse("from m import *\n")).star_import


SAMPLE = """
import os, numpy as np
from m import *
N: int
N = 10
G = 0

def f(a, /, b=(d := 1), *c, e, **k):
    global G
    x: float
    y = z = a
    y += 1
    (p, [q, *r]) = b
    for i in range(N):
        with open(x) as (h, t):
            pass
    try:
        pass
    except ValueError as err:
        del y
    import sys as system
    from pkg import thing
    def inner(u=(v := 2)):
        nonlocal x
        x = u
        return [w for w in u if (found := w)]
    class Kind:
        attr = 1
        def method(self):
            return attr
    squares = {s: s * s for s in range(b)}
    total = sum(n for n in c)
    fn = lambda l, m=3: l + m
    G = 1

class Top(Base):
    size = 3
    items = [size for _ in range(3)]
    def __init__(self):
        self.size = 4

pairs = [(i, j) for i in range(3) for j in range(i)]
"""
MATCH_SAMPLE = """
def f(value):
    match value:
        case {"k": first, **rest}:
            pass
        case [head, *tail] if head:
            pass
        case Point(x=px) | Point(y=px):
            pass
        case other:
            pass
"""


def _own_names(table: symtable.SymbolTable) -> set:
    """A scope's own names as Python sees them: assigned, imported or parameters, not declared elsewhere."""
    module = table.get_type() in ("module", getattr(symtable, "SymbolTableType", object))
    names = set()
    for s in table.get_symbols():
        if not module and (s.is_declared_global() or s.is_nonlocal()):
            continue
        if (s.is_assigned() or s.is_imported() or s.is_parameter()) and s.get_name() != ".0":
            names.add(s.get_name())
    return names


def _tables(table: symtable.SymbolTable):
    yield table
    for child in table.get_children():
        yield from _tables(child)


def _scope_name(node: ast.AST) -> str:
    if isinstance(node, ast.Module):
        return "top"
    if isinstance(node, ast.Lambda):
        return "lambda"
    if isinstance(node, COMPREHENSIONS):
        return {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp"}.get(type(node), "genexpr")
    return node.name


@pytest.mark.parametrize("code", [SAMPLE, *([MATCH_SAMPLE] if sys.version_info >= (3, 10) else [])])
def test_every_scope_binds_what_python_makes_its_own(code):
    tree = ast.parse(code)
    tables = {(t.get_name(), t.get_lineno()): t for t in _tables(symtable.symtable(code, "sample", "exec"))}
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    scopes += [n for n in ast.walk(tree) if isinstance(n, COMPREHENSIONS)]
    assert len(scopes) >= 2
    for node in scopes:
        b = ScopeBindings(node)
        table = tables[(_scope_name(node), getattr(node, "lineno", 0))]
        assert set(b.of) | b.annotated == _own_names(table), _scope_name(node)
