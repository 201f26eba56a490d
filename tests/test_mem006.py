import pytest
from helpers import codes, lint


def test_loop_carried_append_is_reported_with_advice_only():
    (f,) = lint("""
        import numpy as np
        def grow(n):
            out = np.empty(0)
            for i in range(n):
                out = np.append(out, i * 0.5)
            return out
        """)
    assert f.code == "MEM006" and f.fix is None and f.line == 6
    assert "6.0 GiB" in f.message and "np.fromiter" in f.message and "np.concatenate once" in f.message


def test_every_growing_function_and_spelling():
    code = """
        import numpy as np
        from numpy import append as app
        def f(items, n):
            a = b = c = d = e = g = np.empty(0)
            for v in items:
                a = np.concatenate((a, v))
                b = np.concatenate([v, b], axis=0)
                c = np.hstack((c, v))
                d = np.column_stack([d, v])
                e = app(arr=e, values=v)
                g = np.append(v, g)
            while len(items) < n:
                h = np.vstack([h, items.pop()])
        """
    found = lint(code)
    assert [f.code for f in found] == ["MEM006"] * 7
    vstack = found[-1]
    assert "np.vstack([h, ...])" in vstack.message and "np.vstack once" in vstack.message


def test_innermost_loop_carries_the_array():
    assert codes("""
        import numpy as np
        def f(rows):
            for row in rows:
                acc = np.empty(0)
                for v in row:
                    acc = np.append(acc, v)
                print(acc)
        """) == ["MEM006"]


def test_accumulator_started_on_the_first_iteration():
    # bound under `if acc is None` (the test may name another accumulator the same branch starts), under
    # `if i == 0` of the loop's own counter, or in the else of the negated tests
    found = lint("""
        import numpy as np
        def f(pieces, batches, rows):
            acc = labels = None
            for p in pieces:
                if acc is None:
                    acc = p
                    labels = np.zeros(len(p))
                else:
                    acc = np.append(acc, p, axis=0)
                    labels = np.append(labels, np.ones(len(p)))
            for j in range(len(batches)):
                if j == 0:
                    stacked = batches[j]
                else:
                    stacked = np.vstack((stacked, batches[j]))
            for i, row in enumerate(rows):
                if i != 0:
                    grid = np.concatenate([grid, row])
                else:
                    grid = row
            total = None
            while rows:
                if total is not None:
                    total = np.hstack((total, rows.pop()))
                else:
                    total = rows.pop()
            return acc, labels, stacked, grid, total
        """)
    assert [(f.code, f.line) for f in found] == [
        ("MEM006", 10),
        ("MEM006", 11),
        ("MEM006", 16),
        ("MEM006", 19),
        ("MEM006", 25),
    ]


def test_a_start_that_may_run_again_is_not_a_first_iteration():
    # traps: each of these binds the array anew on (possibly) every iteration, so nothing grows for long
    assert (
        codes("""
        import numpy as np
        def f(xs, flag):
            acc = None
            for x in xs:
                if acc is None:
                    acc = x
                else:
                    acc = np.append(acc, x)
                if len(acc) > 10:
                    acc = None          # reset: `acc is None` holds again
            for x in xs:
                i = 0                   # not the loop's counter
                if i == 0:
                    acc = x
                else:
                    acc = np.append(acc, x)
            for x in xs:
                if flag is None:        # a test that the branch does not settle
                    acc = x
                else:
                    acc = np.append(acc, x)
            for i in range(-5, 5):
                if i > 0:               # i <= 0 on six iterations
                    acc = np.append(acc, x)
                else:
                    acc = x
            for k in range(100):
                for j in range(10):
                    if k == 0:          # the counter of an outer loop: all of the first ten
                        acc = x
                    else:
                        acc = np.append(acc, x)
            for x in xs:
                if acc is None:
                    acc = None
                else:
                    acc = np.append(acc, x)
            return acc
        """)
        == []
    )


# Arrays rebuilt in a loop that do not grow for long (the programs MEM006 leaves alone).
NEVER_REPORTED = {
    # reset on every iteration: nothing is carried
    "reset-every-iteration": """
        import numpy as np
        def f(chunks):
            for c in chunks:
                buf = np.empty(0)
                buf = np.concatenate((buf, c))
                print(buf)
        """,
    # a visibly small number of iterations
    "few-iterations": """
        import numpy as np
        x = np.zeros(1)
        for k in range(3):
            x = np.hstack((x, x))
        for k in range(-4, 4, 2):  # negative bounds are counted too: 4 iterations
            x = np.append(x, k)
        for part in (np.ones(2), np.zeros(2)):
            x = np.concatenate([x, part])
        """,
    # the result goes to another name: no growth
    "another-name": """
        import numpy as np
        def f(x, items):
            for v in items:
                y = np.append(x, v)
                print(y)
        """,
    # the name is the loop target, or is bound some other way in the loop
    "loop-target-or-rebound": """
        import numpy as np
        def f(items, extra):
            for x in items:
                x = np.append(x, extra)
                print(x)
            y = np.zeros(0)
            for v in items:
                y = np.append(y, v)
                if len(y) > 100:
                    y = y[-10:]
        """,
    # inside a function defined in the loop, or after the loop (its else runs once)
    "nested-function-or-else": """
        import numpy as np
        def f(items):
            x = np.zeros(0)
            for v in items:
                def g(x):
                    x = np.append(x, v)
                    return x
            else:
                x = np.append(x, 1)
            return x
        """,
    # not numpy, or a Python list
    "not-numpy-or-list": """
        import mylib as np
        def f(items):
            x = []
            for v in items:
                x = np.append(x, v)
                x = x + [v]
        """,
}


@pytest.mark.parametrize("code", NEVER_REPORTED.values(), ids=NEVER_REPORTED.keys())
def test_never_reported(code):
    assert codes(code) == []


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM006"]
    assert "MEM006" in codes(doc.example) and "MEM006" not in codes(doc.use_instead)


def test_the_message_quotes_only_what_the_catalog_measured():
    """The cost the message quotes is the one `python bench/catalog.py MEM006` measured on the catalog's example
    (40 000 appends), not a figure from elsewhere: every size and duration in it is in the "Measured" section."""
    import re

    from memlint import catalog

    doc = catalog.load()["MEM006"]
    measured = " ".join(doc.measured.split())  # the section is wrapped at 110 columns
    (f,) = lint(doc.example + "samples(40_000)\n")
    quoted = re.findall(r"\d[\d.]* ?(?:[KMGT]iB|ms|s)\b", f.message)
    assert quoted, f.message
    assert "ran 40000 times" in measured
    for figure in quoted:
        assert figure in measured, (figure, measured)


def test_accumulator_started_in_a_conditional_expression():
    found = lint("""
        import numpy as np
        def f(pieces, flag):
            acc = None
            for p in pieces:
                acc = p if acc is None else np.concatenate((acc, p))
            for i, p in enumerate(pieces):
                out = np.vstack([out, p]) if i != 0 else p
            for p in pieces:
                other = p if flag is None else np.append(other, p)   # the test does not settle it
            for p in pieces:
                none = None if none is None else np.append(none, p)  # stays None: nothing grows
            for i in range(-3, len(pieces)):
                neg = p if i < 1 else np.append(neg, p)               # not the first iteration only
            return acc, out
        """)
    assert [(f.code, f.line) for f in found] == [("MEM006", 6), ("MEM006", 8)]


def test_starts_while_empty_counted_up_or_joined_either_way():
    found = lint("""
        import numpy as np
        def f(blocks, chunks, parts):
            buf = np.empty((0, 3))
            for b in blocks:
                buf = b if buf.shape[0] == 0 else np.concatenate((buf, b))
            out = np.zeros(0)
            for c in chunks:
                if len(out) == 0:
                    out = c
                else:
                    out = np.append(out, c)
            count = 0
            for p in parts:
                theta = p if count == 0 else np.concatenate((theta, p))
                count += 1
            whole = np.zeros(0)
            for k, c in enumerate(chunks):
                whole = np.concatenate((whole, c)) if k == 0 else np.concatenate((whole, c[1:]))
            sized = np.zeros(0)
            for c in chunks:
                if not sized.size:
                    sized = c
                else:
                    sized = np.hstack([sized, c])
            return buf, out, theta, whole, sized
        """)
    assert sorted((f.code, f.line) for f in found) == [("MEM006", line) for line in (6, 12, 15, 19, 25)]


def test_a_test_that_may_hold_again_after_a_join_is_not_a_start():
    # traps: each start below may run after data was joined, throwing it away (or on every iteration)
    assert (
        codes("""
        import numpy as np
        def f(blocks, other, step):
            buf = np.zeros(0)
            for b in blocks:
                buf = b if len(other) == 0 else np.concatenate((buf, b))   # another array's size
            n = 0
            for b in blocks:
                acc = b if n == 0 else np.append(acc, b)
                n += 1
                if len(acc) > 100:
                    n = 0                                                   # counted down again
            m = 0
            for b in blocks:
                acc = b if m == 0 else np.append(acc, b)
                m += step                                                   # maybe by 0, or back
            for b in blocks:
                acc = b if acc.size == 0 else np.append(acc, b)
                acc = acc[:0] if len(acc) > 10 else acc                    # emptied in the loop
            return buf, acc
        """)
        == []
    )


def test_np_concat_grows_as_np_concatenate_does():
    """NumPy 2's np.concat is np.concatenate; pandas' concat of frames and a project's own concat are not it."""
    found = lint("""
        import numpy as np
        import pandas as pd
        from numpy import concat
        def f(items, frames):
            a = b = np.empty(0)
            df = pd.DataFrame()
            for v in items:
                a = np.concat((a, v))
                b = concat([b, v], axis=0)
            for frame in frames:
                df = pd.concat([df, frame])
            return a, b, df
        """)
    assert [(f.code, f.line) for f in found] == [("MEM006", 9), ("MEM006", 10)]
    assert "`a = np.concat([a, ...])`" in found[0].message and "`b = concat([b, ...])`" in found[1].message
    assert (
        codes("""
        import numpy as np
        def concat(parts):
            return parts[-1]
        def f(items):
            a = np.empty(0)
            for v in items:
                a = concat([a, v])
            return a
        """)
        == []
    )
