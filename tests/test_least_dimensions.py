"""What a reduction along a literal axis with keepdims=True proves of an array whose dimensions are unknown: it has
that axis, so the result (and what it broadcasts with) is an array of at least axis + 1 dimensions, never a
0-d array or a NumPy scalar (issue 10)."""

import ast
import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, config, lint

from memlint.context import FileContext
from memlint.source import SourceText


def value_of(code: str, name: str):
    code = textwrap.dedent(code).rstrip() + f"\n    print({name})\n"  # in the function the code ends in
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    load = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    return ctx.arrays.value(max(load, key=lambda n: (n.lineno, n.col_offset)))


NORMALIZE = """
import numpy as np
def f(a):
    x = np.asarray(a, dtype=np.float32)
    s = x.sum(axis={axis}, keepdims=True)
    y = x / s * 1e4
    z = s[0]
"""


@pytest.mark.parametrize("axis, least", [("1", 2), ("-2", 2), ("(0, 2)", 3)])
def test_keepdims_reduction_along_an_axis_proves_dimensions(axis, least):
    code = NORMALIZE.format(axis=axis)
    s = value_of(code, "s")
    assert (s.kind, str(s.dtype), s.ndim, s.min_ndim) == ("ndarray", "float32", None, least)
    y = value_of(code, "y")
    assert (y.kind, str(y.dtype), y.ownership, y.min_ndim) == ("ndarray", "float32", "fresh", least)
    assert value_of(code, "z").min_ndim is None  # an item has fewer dimensions


@pytest.mark.parametrize("axis", ["None", "k", "0", "-1"])
def test_whole_or_unknown_axis_proves_nothing(axis):
    """NumPy takes axis 0 and -1 of a 0-d array too: `np.sum(np.array(3.0), axis=0, keepdims=True)` is a NumPy
    scalar."""
    code = NORMALIZE.replace("def f(a):", "def f(a, k):").format(axis=axis)
    assert value_of(code, "s").min_ndim is None
    assert value_of(code, "y").kind != "ndarray"  # a 0-d x makes y a NumPy scalar


def test_in_place_ufunc_after_normalizing_rows_is_fixed():
    (f,) = lint(
        """
        import numpy as np
        def normalize(counts):
            X = np.asarray(counts, dtype=np.float32)
            total = X.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            X = X / total * 1e4
            X = np.log1p(X)
            return X
        """,
        select=("MEM002",),
    )
    assert f.line == 8 and f.fix is not None


@pytest.mark.slow
def test_in_place_ufunc_after_normalizing_rows_keeps_behaviour():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def normalize(counts):
            X = np.asarray(counts, dtype=np.float32)
            total = X.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            X = X / total  # the peak then is the log1p's result
            X = np.log1p(X)
            return X
        counts = np.arange(600_000, dtype=np.float32).reshape(1000, 600) % 7
        out = normalize(counts)
        print(out.dtype, out.shape, float(out.sum()), float(counts.sum()))
        """)
    assert "np.log1p(X, out=X)" in fixed


@pytest.mark.slow
def test_whole_array_keepdims_of_a_0d_input_is_not_fixed():
    """Trap: `x.sum(keepdims=True)` keeps x's dimensions, none for a 0-d input: y is then a NumPy scalar and
    `np.log1p(y, out=y)` raises."""
    assert_trap_not_fixed(
        "MEM002",
        """
        import numpy as np
        def normalize(a):
            x = np.asarray(a, dtype=np.float64)
            s = x.sum(keepdims=True)
            y = x / s * 2.0
            y = np.log1p(y)
            return y
        print(normalize(3.0))
        """,
        "np.log1p(y)",
        "np.log1p(y, out=y)",
    )


@pytest.mark.slow
def test_keepdims_along_axis_0_of_a_0d_input_is_not_fixed():
    """Trap: `x.sum(axis=0, keepdims=True)` of a 0-d x is a NumPy scalar (NumPy reads axis 0 of a 0-d array
    as its only one): y is then a NumPy scalar and `np.log1p(y, out=y)` raises."""
    assert_trap_not_fixed(
        "MEM002",
        """
        import numpy as np
        def normalize(a):
            x = np.asarray(a, dtype=np.float32)
            s = x.sum(axis=0, keepdims=True)
            y = x / s * 1e4
            y = np.log1p(y)
            return y
        print(normalize(3.0))
        """,
        "np.log1p(y)",
        "np.log1p(y, out=y)",
    )
