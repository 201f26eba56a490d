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


def test_never_reported():
    # reset on every iteration: nothing is carried
    assert (
        codes("""
        import numpy as np
        def f(chunks):
            for c in chunks:
                buf = np.empty(0)
                buf = np.concatenate((buf, c))
                print(buf)
        """)
        == []
    )
    # a visibly small number of iterations
    assert (
        codes("""
        import numpy as np
        x = np.zeros(1)
        for k in range(3):
            x = np.hstack((x, x))
        for part in (np.ones(2), np.zeros(2)):
            x = np.concatenate([x, part])
        """)
        == []
    )
    # the result goes to another name: no growth
    assert (
        codes("""
        import numpy as np
        def f(x, items):
            for v in items:
                y = np.append(x, v)
                print(y)
        """)
        == []
    )
    # the name is the loop target, or is bound some other way in the loop
    assert (
        codes("""
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
        """)
        == []
    )
    # inside a function defined in the loop, or after the loop (its else runs once)
    assert (
        codes("""
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
        """)
        == []
    )
    # not numpy, or a Python list
    assert (
        codes("""
        import mylib as np
        def f(items):
            x = []
            for v in items:
                x = np.append(x, v)
                x = x + [v]
        """)
        == []
    )


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM006"]
    assert "MEM006" in codes(doc.example) and "MEM006" not in codes(doc.use_instead)
