"""np.concatenate/np.stack of known arrays, np.append and np.load's "never an object array": what they return,
and the findings and fixes that knowledge allows (issue 10)."""

import ast
import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, codes, config, lint

from memlint.context import FileContext
from memlint.source import SourceText


def value_of(code: str, name: str):
    """What memlint knows of `name` at the end of `code`."""
    code = textwrap.dedent(code) + f"\nprint({name})\n"
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    load = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    v = ctx.arrays.value(max(load, key=lambda n: (n.lineno, n.col_offset)))
    return v.kind, str(v.dtype) if v.dtype is not None else None, v.ndim, v.ownership


@pytest.mark.parametrize(
    "expr, expected",
    [
        # the dtype NumPy gives the joined arrays (np.result_type: float32 and int16 make float32)
        ("np.concatenate([np.zeros((n, 3), np.float32), np.ones((n, 3), np.int16)])", ("ndarray", "float32", 2)),
        ("np.concatenate((np.zeros(n, np.float32), np.zeros(n, np.int32)))", ("ndarray", "float64", None)),
        ("np.concatenate([np.full(n, i, dtype=np.int32) for i in range(k)])", ("ndarray", "int32", None)),
        ("np.stack(np.zeros((n, 2), np.uint8) for _ in range(k))", ("ndarray", "uint8", 3)),
        ("np.vstack([np.zeros(4, np.int8), np.zeros(4, np.uint8)])", ("ndarray", "int16", 2)),
        ("np.concatenate([np.zeros((2, 2), np.int8)], axis=None)", ("ndarray", "int8", 1)),
        # np.append: new arrays, flat without axis; the dtype when both are known
        ("np.append(np.zeros(3, np.float32), np.ones(2, np.int8))", ("ndarray", "float32", 1)),
        ("np.append(np.zeros((2, 2)), np.ones((1, 2)), axis=0)", ("ndarray", "float64", 2)),
        ("np.append(np.zeros(2, np.float32), 1.5)", ("ndarray", None, 1)),
    ],
)
def test_joined_values(expr, expected):
    kind, dtype, ndim, ownership = value_of(f"import numpy as np\nx = {expr}", "x")
    assert (kind, dtype, ndim, ownership) == (*expected, "fresh")


@pytest.mark.parametrize(
    "expr",
    [
        "np.concatenate([a, np.zeros(3)])",  # a parameter: any kind of array (a masked one stays masked)
        "np.concatenate([x.astype(np.float32) for x in a])",  # astype of anything: a DataFrame's, a dask array's
        "np.concatenate([*a])",
        "np.concatenate([np.zeros(3)], out=a)",
        "np.append(np.zeros(3), a)",  # np.append(ndarray, masked) is a MaskedArray (measured)
        "np.append(a, 1.0)",
    ],
)
def test_joins_of_unknown_arrays_stay_unknown(expr):
    kind, _, _, _ = value_of(f"import numpy as np\ndef f(a):\n    x = {expr}\n    return x", "x")
    assert kind != "ndarray"


def test_append_of_a_masked_array_is_not_an_ndarray():
    """The trap behind np.append's rule: the values decide the kind of the result."""
    import numpy as np

    assert type(np.append(np.zeros(2), np.ma.masked_array([1, 2]))) is np.ma.MaskedArray
    assert np.concatenate([np.zeros(2, np.float32), np.zeros(2, np.int16)]).dtype == np.float32


@pytest.mark.parametrize(
    "load, kind, no_objects",
    [
        ("np.load('x.npy')", "ndarray", True),
        ("np.load(p)", "ndarray", True),
        ("np.load(p, allow_pickle=False)", "ndarray", True),
        ("np.load(p, allow_pickle=True)", "unknown", None),
        ("np.load(p).astype(t)", "ndarray", None),  # a dtype of unknown spelling may be object
        ("np.load(p).astype(object)", "ndarray", None),
    ],
)
def test_np_load_never_holds_objects(load, kind, no_objects):
    code = textwrap.dedent(f"import numpy as np\ndef f(p, t):\n    x = {load}\n    print(x)\n")
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    v = ctx.arrays.value(tree.body[1].body[0].value)
    assert (v.kind, v.no_objects) == (kind, no_objects)
    assert v.holds_no_objects is (no_objects is True)


def test_reading_an_object_array_needs_allow_pickle(tmp_path):
    """What np.load's fact rests on: NumPy refuses object arrays (plain or in a structured dtype) without it."""
    import numpy as np

    for data in (np.array([1, None], dtype=object), np.zeros(2, dtype=[("a", "O")])):
        np.save(tmp_path / "o.npy", data)
        with pytest.raises(ValueError, match="allow_pickle"):
            np.load(tmp_path / "o.npy")
        assert np.load(tmp_path / "o.npy", allow_pickle=True).dtype.hasobject


def test_gc_collect_after_deleting_loaded_arrays():
    (f,) = lint(
        """
        import gc
        import numpy as np
        X = np.load("data/X.npy")
        y = np.load("data/y.npy")
        print(X.shape, y.shape)
        del X, y
        gc.collect()
        """,
        select=("MEM016",),
    )
    assert (f.code, f.line) == ("MEM016", 8) and "`X`, `y`" in f.message


def test_gc_collect_after_deleting_joined_arrays():
    (f,) = lint(
        """
        import gc
        import numpy as np
        def prepare(n, k):
            X = np.concatenate([np.zeros((n, 3), np.float32), np.ones((n, 3), np.float32)], axis=0)
            y = np.concatenate([np.full(n, i, dtype=np.int32) for i in range(k)])
            print(X.shape, y.shape)
            del X, y
            gc.collect()
        """,
        select=("MEM016",),
    )
    assert (f.code, f.line) == ("MEM016", 9)


@pytest.mark.parametrize(
    "load",
    [
        "np.load(p, allow_pickle=True)",  # may be an object array in a reference cycle
        "np.load(p).astype(t)",
        "np.load('x.npz')",  # an NpzFile
        "np.concatenate([np.zeros(3), np.array([None])])",  # object
        "np.concatenate([np.zeros(3), a])",
    ],
)
def test_gc_collect_after_arrays_that_may_hold_objects_is_not_reported(load):
    assert (
        codes(
            f"""
        import gc
        import numpy as np
        def f(p, t, a):
            x = {load}
            print(x)
            del x
            gc.collect()
        """,
            select=("MEM016",),
        )
        == []
    )


@pytest.mark.slow
def test_in_place_fix_on_a_joined_array_keeps_behaviour():
    assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.arange(250_000, dtype=np.float32)
        x = np.concatenate([a, a[::-1]])
        x = x * 0.5
        print(x.dtype, float(x.sum()), float(a.sum()))
        """)


@pytest.mark.slow
def test_hidden_copy_fix_on_an_appended_array_keeps_behaviour():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        base = np.arange(500_000, dtype=np.float64)
        flat = np.append(base, np.ones(10)).flatten()
        print(flat.shape, float(flat.sum()))
        """)
    assert ".ravel()" in fixed


@pytest.mark.slow
def test_integer_join_is_not_divided_in_place():
    """Trap: int8 joined with int8 stays int8, and `x /= 2` on it raises: the joined dtype must be NumPy's."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        a = np.arange(100, dtype=np.int8)
        x = np.concatenate([a, a])
        x = x / 2
        print(x.dtype, x.sum())
        """,
        "x = x / 2",
        "x /= 2",
    )


# --- np.concat: NumPy 2's other name for np.concatenate (numpy_api.SAME_FUNCTIONS) --------------------------


def test_numpy_s_other_names_are_the_same_functions():
    import numpy as np

    from memlint.facts import numpy_api

    for other, first in numpy_api.SAME_FUNCTIONS.items():
        if not hasattr(np, other.split(".")[-1]):  # NumPy 1 has no np.concat: nothing to compare
            continue
        assert getattr(np, other.split(".")[-1]) is getattr(np, first.split(".")[-1]), other


@pytest.mark.parametrize(
    "expr",
    [
        "np.concatenate([np.zeros((n, 3), np.float32), np.ones((n, 3), np.int16)])",
        "np.concatenate((np.zeros(n, np.float32), np.zeros(n, np.int32)))",
        "np.concatenate([np.zeros((2, 2), np.int8)], axis=None)",
    ],
)
def test_np_concat_is_known_as_np_concatenate_is(expr):
    spelled = [expr.replace("np.concatenate", "np.concat"), expr.replace("np.concatenate", "concat")]
    known = value_of(f"import numpy as np\nx = {expr}", "x")
    for other in spelled:
        assert value_of(f"import numpy as np\nfrom numpy import concat\nx = {other}", "x") == known


def test_a_concat_of_another_library_or_the_project_is_not_numpy_s():
    for code in (
        "import numpy as np\nimport pandas as pd\nx = pd.concat([np.zeros(3), np.zeros(3)])",
        "import numpy as np\ndef concat(items):\n    return items\nx = concat([np.zeros(3), np.zeros(3)])",
    ):
        assert value_of(code, "x")[0] != "ndarray"
