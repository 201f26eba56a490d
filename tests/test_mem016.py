import pytest
from helpers import codes, lint, run_program


def test_collect_right_after_deleting_numeric_arrays():
    f, g = lint("""
        import gc
        import numpy as np
        def f(n):
            a = np.ones(n)
            b = a[::2].copy()
            total = a.sum() + b.sum()
            del a, b
            gc.collect()
            x = np.zeros((10, 10), dtype=np.float32)
            del x
            gc.collect(2)
            return total
        """)
    assert (f.code, f.line, g.code, g.line) == ("MEM016", 9, "MEM016", 12) and f.fix is None
    assert "`a`, `b`" in f.message and "76.3 MiB" in f.message
    assert codes("""
        import gc
        import numpy as np
        x = np.zeros((10, 10), dtype=np.float32)
        y = np.arange(5)
        del x
        del y
        gc.collect()
        """) == ["MEM016"]


def test_never_reported():
    assert (
        codes("""
        import gc
        import numpy as np
        def f(arr, model):
            objs = np.array([None, 1])
            del objs                      # object arrays can be in cycles
            gc.collect()
            del arr                       # a parameter: anything
            gc.collect()
            a = np.ones(10)
            del model
            del a                         # the collection may be for the model
            gc.collect()
            b = np.ones(10)
            del b
            print("done")                 # not right after the del
            gc.collect()
            c = np.ones(10)
            del c
            n = gc.collect()              # the count is used
            return n
        """)
        == []
    )
    assert codes("import mygc as gc\nimport numpy as np\na = np.ones(3)\ndel a\ngc.collect()\n") == []


@pytest.mark.slow
def test_del_frees_a_numeric_array_at_once():
    """The premise, measured as m12 does: with the collector disabled, `del` returns the buffer."""
    output, _ = run_program("""
        import gc, tracemalloc
        import numpy as np
        gc.disable()
        a = np.ones(1_000_000)
        held = tracemalloc.get_traced_memory()[0]
        del a
        print(held > 7_000_000, tracemalloc.get_traced_memory()[0] < held - 7_000_000)
        """)
    assert output.split() == ["True", "True"]


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM016"]
    assert "MEM016" in codes(doc.example) and "MEM016" not in codes(doc.use_instead)


def test_in_every_kind_of_block():
    assert (
        codes("""
        import gc
        import numpy as np
        def f(n):
            try:
                a = np.ones(n)
                del a
                gc.collect()
            except MemoryError:
                b = np.ones(10)
                del b
                gc.collect()
            else:
                c = np.ones(10)
                del c
                gc.collect()
        """)
        == ["MEM016"] * 3
    )
