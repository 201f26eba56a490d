"""Scalars memlint recognises as the other operand of in-place arithmetic (issue 10): a reduction without an
axis is one NumPy scalar, whatever the array's dimensions (its dtype asked of NumPy, for an array and for a
scalar alike); along an axis it is an array of at least one dimension fewer; a number annotated ``float`` is
an int or a float (or an np.float64), and what NumPy makes of it is what all of these agree on. New knowledge
only makes more values known: every trap below is a fix that would change the program's output."""

import ast
import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, config, lint

from memlint.context import FileContext
from memlint.source import SourceText


def value_of(code: str, expr: str):
    """The value of the expression ``expr`` evaluated at the end of the function the code ends in."""
    code = textwrap.dedent(code).rstrip() + f"\n    print({expr})\n"
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    return ctx.arrays.value(max(printed, key=lambda n: n.lineno).args[0])


# `x` is an ndarray whose number of dimensions is unknown (`n` may be a tuple), so `y` may be a NumPy scalar
EITHER = """
import numpy as np
def f(n):
    x = np.zeros(n, dtype=np.float32)
    y = x - 1.0
"""


@pytest.mark.parametrize(
    "expr, dtype",
    [
        ("np.max(np.abs(y))", "float32"),
        ("y.max()", "float32"),
        ("np.sum(y)", "float32"),
        ("y.mean()", "float32"),
        ("np.argmax(y)", "int64"),
        ("y.sum(dtype=np.float64)", "float64"),
        ("np.int8(3).mean()", "float64"),  # not the scalar's own dtype
        ("np.int8(3).sum()", "int64"),
    ],
)
def test_whole_reduction_is_a_numpy_scalar_of_numpys_dtype(expr, dtype):
    v = value_of(EITHER, expr)
    assert (v.kind, str(v.dtype), v.ndim) == ("np_scalar", dtype, 0)


def test_ufunc_of_an_array_or_scalar_keeps_its_dtype():
    v = value_of(EITHER, "np.abs(y)")
    assert (v.kind, str(v.dtype), v.ownership) == ("unknown", "float32", "fresh")


@pytest.mark.parametrize(
    "expr, kind, least",
    [
        ("x.sum(axis=1)", "ndarray", 1),  # x has an axis 1: two dimensions or more
        ("np.sum(x, axis=-3)", "ndarray", 2),
        ("x.sum(axis=0)", "unknown", None),  # of a 1-d x a NumPy scalar
        ("x.sum(axis=-1)", "unknown", None),
    ],
)
def test_reduction_along_an_axis_of_unknown_dimensions(expr, kind, least):
    v = value_of(EITHER, expr)
    assert (v.kind, str(v.dtype), v.ownership, v.min_ndim) == (kind, "float32", "fresh", least)


def test_float_annotation_gives_what_every_number_it_admits_agrees_on():
    code = """
        import numpy as np
        def f(n: int, fs: float):
            t = np.arange(n)
        """
    assert str(value_of(code, "t / fs").dtype) == "float64"  # int64 / (bool, int, float, np.float64)
    assert str(value_of(code, "t * 2.0 * fs").dtype) == "float64"
    assert value_of(code, "np.ones(n, dtype=np.float32) * fs").dtype is None  # float32, or float64 for np.float64
    assert value_of(code, "t + fs").dtype is None  # int64, or float64 for a float
    v = value_of(code, "fs * 2")
    assert (v.kind, v.pytype) == ("py_number", "real")


# --- findings and fixes ------------------------------------------------------------------------------------


def test_array_divided_by_its_maximum_is_reported_without_fix_when_its_dimensions_are_unknown():
    (f,) = lint(
        """
        import numpy as np
        def normalise(n):
            signal = np.zeros(n)
            signal = signal - np.mean(signal)
            signal = signal / np.max(np.abs(signal))
            return signal
        """,
        select=("MEM001",),
    )[1:]
    assert f.line == 6 and f.fix is None
    assert "signal /= np.max(np.abs(signal))" in f.message and "number of dimensions" in f.message


@pytest.mark.slow
def test_division_by_the_maximum_of_an_array_of_unknown_dimensions_is_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def scaled(shape):
            peaks = np.zeros(shape) + 3.0
            x = np.linspace(-1.0, 1.0, 1 << 18)
            x = x / np.max(np.abs(peaks))
            return x
        r = scaled((4, 5))
        print(r.dtype, r.shape, r[:3], float(r.sum()))
        """)
    assert "x /= np.max(np.abs(peaks))" in fixed


@pytest.mark.slow
def test_ufunc_after_dividing_by_a_float_parameter_is_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def ramp(length: int, fs: float = 16000.0):
            t = np.arange(length, dtype=np.int32) / fs  # float64 whichever number fs is
            t = np.minimum(t, 3.0)
            return t
        for fs in (16000.0, 8000, True, np.float64(44100.0)):
            r = ramp(1 << 18, fs)
            print(r.dtype, float(r.sum()))
            del r
        """)
    assert "np.minimum(t, 3.0, out=t)" in fixed


# --- traps: the fix each wrong assumption would make changes the output -----------------------------------


@pytest.mark.slow
def test_integer_array_divided_by_its_maximum_is_not_fixed():
    """int64 / an int64 NumPy scalar is float64: `/=` would raise (or truncate under `casting="unsafe"`)."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            a = np.arange(1 << 18)
            a = a / np.max(np.abs(a))
            return a
        print(f().dtype, f()[-3:])
        """,
        "a = a / np.max(np.abs(a))",
        "a /= np.max(np.abs(a))",
    )


@pytest.mark.slow
def test_float32_array_divided_by_a_float64_maximum_is_not_fixed():
    """The maximum of a float64 array is a float64 NumPy scalar: under NEP 50 it makes a float32 result
    float64 (a Python float would not)."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f(shape):
            peaks = np.zeros(shape) + 3.0
            x = np.ones(1 << 18, dtype=np.float32)
            x = x / peaks.max()
            return x
        print(f((2, 2)).dtype)
        """,
        "x = x / peaks.max()",
        "x /= peaks.max()",
    )


@pytest.mark.slow
def test_mean_of_an_int8_scalar_is_float64_and_not_fixed():
    """`np.int8(3).mean()` is float64, not int8: a float32 array divided by it becomes float64."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            s = np.int8(3)
            x = np.ones(1 << 18, dtype=np.float32)
            x = x / s.mean()
            return x
        print(f().dtype)
        """,
        "x = x / s.mean()",
        "x /= s.mean()",
    )


@pytest.mark.slow
def test_reduction_along_an_axis_that_broadcasts_the_result_larger_is_not_fixed():
    """`cube.sum(axis=2)` has at least two dimensions: added to a 1-d array, the result is larger than it."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f(shape):
            cube = np.ones(shape)
            x = np.ones(1 << 16)
            x = x + cube.sum(axis=2)
            return x
        print(f((2, 3, 1 << 16)).shape)
        """,
        "x = x + cube.sum(axis=2)",
        "x += cube.sum(axis=2)",
    )


@pytest.mark.slow
def test_float32_array_times_a_float_parameter_is_not_fixed():
    """`fs: float` admits np.float64, which makes a float32 product float64."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f(fs: float):
            y = np.ones(1 << 18, dtype=np.float32)
            y = y * fs
            return y
        print(f(np.float64(0.5)).dtype)
        """,
        "y = y * fs",
        "y *= fs",
    )


@pytest.mark.slow
def test_maximum_of_what_may_be_a_masked_array_is_not_a_numpy_scalar():
    """An ndarray or a masked array of the same dtype is of neither kind: the masked one's maximum is
    `np.ma.masked`, which turns the quotient into a masked array."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f(n, masked):
            m = np.ma.masked_all(n)
            z = np.zeros_like(m, dtype=np.float32) if masked else np.zeros(n, dtype=np.float32)
            x = np.ones(1 << 18, dtype=np.float32)
            x = x / z.max()
            return x
        print(type(f(10, True)).__name__)
        """,
        "x = x / z.max()",
        "x /= z.max()",
    )


# --- numbers from Python's math module and builtins, NumPy's type information and norms ---------------------

NUMBERS = """
import math
import numpy as np
def f(n: int, fs: float, x):
    a = np.zeros(n, dtype=np.float32)
"""


@pytest.mark.parametrize(
    "expr, pytype, constant",
    [
        ("math.pi", "float", 3.141592653589793),
        ("math.sqrt(2)", "float", None),  # not folded: a math number is no literal (test_arrays_facts)
        ("math.exp(fs)", "float", None),
        ("math.log(n, 2)", "float", None),
        ("np.iinfo(np.int16).max", "int", 32767),
        ("np.iinfo(np.uint8).min", "int", 0),
        ("np.iinfo(x.dtype).max", "int", None),  # any integer dtype's bounds are Python ints
        ("round(2.5)", "int", 2),
        ("round(fs)", "real", None),  # NumPy 1 gave round(np.float64(2.5)) an np.float64
        ("round(n * 0.5, 2)", "float", None),
        ("max(1, 2.5)", "float", 2.5),
        ("min(n, fs)", "real", None),
        ("abs(-n)", "int", None),
    ],
)
def test_python_numbers(expr, pytype, constant):
    v = value_of(NUMBERS, expr)
    assert (v.kind, v.pytype, v.constant) == ("py_number", pytype, constant)


@pytest.mark.parametrize(
    "expr",
    ["math.floor(x)", "math.prod(x)", "max(x)", "abs(x)", "round(x)", "np.iinfo(x.dtype).dtype", "np.finfo(x).eps"],
)
def test_calls_of_unknown_objects_give_no_number(expr):
    """``math.floor`` returns what ``x.__floor__`` does, ``max`` of one iterable any item of it."""
    assert value_of(NUMBERS, expr).kind != "py_number"


@pytest.mark.parametrize(
    "expr, kind, dtype",
    [
        ("np.finfo(np.float32).eps", "np_scalar", "float32"),
        ("np.finfo(np.complex64).tiny", "np_scalar", "float32"),
        ("np.finfo(a.dtype).eps", "np_scalar", "float32"),
        ("np.linalg.norm(a)", "np_scalar", "float32"),
        ("np.linalg.norm(a, 1)", "np_scalar", "float32"),
        ("np.linalg.norm(np.arange(n))", "np_scalar", "float64"),  # integers are made float first
        ("abs(a)", "ndarray", "float32"),
    ],
)
def test_numpy_numbers(expr, kind, dtype):
    v = value_of(NUMBERS, expr)
    assert (v.kind, str(v.dtype)) == (kind, dtype)


def test_norm_along_an_axis_is_an_array_of_one_dimension_fewer():
    v = value_of(NUMBERS + "    b = np.ones((n, 3), dtype=np.float32)\n", "np.linalg.norm(b, axis=1)")
    assert (v.kind, str(v.dtype), v.ndim) == ("ndarray", "float32", 1)
    v = value_of(NUMBERS + "    b = np.ones((n, 3), dtype=np.float32)\n", "np.linalg.norm(b, axis=1, keepdims=True)")
    assert (v.kind, v.ndim) == ("ndarray", 2)


@pytest.mark.slow
def test_scaling_by_math_and_type_information_is_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import math
        import numpy as np
        def to_float(n):
            x = np.arange(n, dtype=np.float32)
            x = x / np.iinfo(np.int16).max
            x = x * math.pi
            x = x + np.finfo(np.float32).eps
            x = x * round(2.5)
            return x
        r = to_float(1 << 18)
        print(r.dtype, r[:3], float(r.sum()))
        """)
    assert "x /= np.iinfo(np.int16).max" in fixed and "x *= math.pi" in fixed
    assert "x += np.finfo(np.float32).eps" in fixed and "x *= round(2.5)" in fixed


@pytest.mark.slow
def test_rows_divided_by_their_norms_are_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def unit_rows():
            y = np.arange(4096 * 64, dtype=np.float32).reshape(4096, 64) + 1
            y = y / np.linalg.norm(y, axis=1, keepdims=True)
            return y
        def unit_sums():
            y = np.arange(4096 * 64, dtype=np.float32).reshape(4096, 64) + 1
            y = y / y.sum(axis=1)[:, None]
            return y
        print(unit_rows()[:2, :3], float(unit_rows().sum()))
        print(unit_sums()[:2, :3], float(unit_sums().sum()))
        """)
    assert "y /= np.linalg.norm(y, axis=1, keepdims=True)" in fixed and "y /= y.sum(axis=1)[:, None]" in fixed


@pytest.mark.slow
def test_float32_array_plus_float64_machine_epsilon_is_not_fixed():
    """`np.finfo(np.float64).eps` is a float64 NumPy scalar, not a Python float: it makes the sum float64."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            x = np.ones(1 << 18, dtype=np.float32)
            x = x + np.finfo(np.float64).eps
            return x
        print(f().dtype)
        """,
        "x = x + np.finfo(np.float64).eps",
        "x += np.finfo(np.float64).eps",
    )


@pytest.mark.slow
def test_integer_array_times_a_float_product_is_not_fixed():
    """`math.prod` of floats is a float (it is not one of math's float functions only because of ints'
    products): an int array times it is float64, and `*=` raises."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import math
        import numpy as np
        def f(factors):
            a = np.arange(1 << 18)
            a = a * math.prod(factors)
            return a
        print(f([1.5, 2.0]).dtype)
        """,
        "a = a * math.prod(factors)",
        "a *= math.prod(factors)",
    )


@pytest.mark.slow
def test_integer_array_times_the_larger_of_an_int_and_a_float_is_not_fixed():
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            a = np.arange(1 << 18)
            a = a * max(2, 2.5)
            return a
        print(f().dtype)
        """,
        "a = a * max(2, 2.5)",
        "a *= max(2, 2.5)",
    )


@pytest.mark.slow
def test_integer_array_divided_by_its_norm_is_not_fixed():
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            a = np.arange(1 << 18)
            a = a / np.linalg.norm(a)
            return a
        print(f().dtype)
        """,
        "a = a / np.linalg.norm(a)",
        "a /= np.linalg.norm(a)",
    )


# --- reductions over several axes --------------------------------------------------------------------------

AXES = """
import cv2
import numpy as np
def f(path, n):
    img = cv2.imread(path).astype(np.float32)
    x = np.zeros(n, dtype=np.float32)
    g = np.zeros((4, 5, 6))
"""


@pytest.mark.parametrize(
    "expr, kind, ndim, least, shape",
    [
        ("img.mean(axis=(0, 1))", "ndarray", 1, None, None),  # a colour image's mean colour
        ("img.std(axis=(0, 1), keepdims=True)", "ndarray", 3, None, None),
        ("np.sum(img, axis=(0, 1, 2))", "np_scalar", 0, None, ()),
        ("x.mean(axis=(1, 2))", "ndarray", None, 1, None),  # x has three dimensions or more
        ("x.mean(axis=(1, -4), keepdims=True)", "ndarray", None, 4, None),
        ("x.mean(axis=(0, 1))", "unknown", None, None, None),  # of a 2-d x a NumPy scalar
        ("g.max(axis=(0, 2))", "ndarray", 1, None, (5,)),
        ("g.max(axis=(0, -1), keepdims=True)", "ndarray", 3, None, (1, 5, 1)),
    ],
)
def test_reduction_over_several_axes(expr, kind, ndim, least, shape):
    v = value_of(AXES, expr)
    assert (v.kind, v.ndim, v.min_ndim, v.shape, v.ownership) == (kind, ndim, least, shape, "fresh")


@pytest.mark.parametrize("expr", ["g.sum(axis=(0, 0))", "g.sum(axis=(0, 3))", "g.sum(axis=(0, n))"])
def test_repeated_out_of_range_or_unknown_axes_give_nothing(expr):
    assert value_of(AXES, expr).kind == "unknown" and value_of(AXES, expr).dtype is None


@pytest.mark.slow
def test_mean_colour_subtracted_in_place():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def centred():
            img = np.arange(512 * 512 * 3, dtype=np.float32).reshape(512, 512, 3) % 251
            img = img - img.mean(axis=(0, 1))
            return img
        r = centred()
        print(r.dtype, r.shape, r[0, :2], float(np.abs(r).sum()))
        """)
    assert "img -= img.mean(axis=(0, 1))" in fixed


@pytest.mark.slow
def test_reduction_over_too_few_axes_of_a_larger_array_is_not_fixed():
    """`cube.mean(axis=(0,))` of a (2, n, 2) cube is (n, 2): subtracted from an (n, 1) array it broadcasts the
    result to (n, 2), which `-=` cannot write into x."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f():
            cube = np.ones((2, 1 << 17, 2))
            x = np.ones((1 << 17, 1))
            x = x - cube.mean(axis=(0,))
            return x
        print(f().shape)
        """,
        "x = x - cube.mean(axis=(0,))",
        "x -= cube.mean(axis=(0,))",
    )


# --- a reduction of the array itself broadcasts within it, whatever its shape -------------------------------


@pytest.mark.slow
def test_rows_divided_by_their_own_sums_are_fixed_whatever_the_shape():
    """`x.sum(axis=1, keepdims=True)` has x's dimensions, each x's or 1: `/=` writes into x whatever its shape,
    and the reduction along axis 1 proves x has two dimensions or more (never 0-d)."""
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def normalise(rows):
            x = np.array(rows, dtype=np.float64)
            x = x / x.sum(axis=1, keepdims=True)
            x = np.sqrt(x)
            return x
        r = normalise(np.arange(1, 1 + 512 * 256).reshape(512, 256) % 97 + 1)
        print(r.shape, r[0, :3], float(r.sum()))
        """)
    assert "x /= x.sum(axis=1, keepdims=True)" in fixed and "np.sqrt(x, out=x)" in fixed


def test_centring_an_array_of_unknown_dimensions_is_reported_without_fix():
    """`x.mean(axis=0)` of a 0-d x is a scalar, and `x - it` a NumPy scalar where `-=` keeps a 0-d array."""
    (f,) = lint(
        """
        import numpy as np
        def centre(rows):
            x = np.array(rows, dtype=np.float32)
            x = x - x.mean(axis=0)
            return x
        """,
        select=("MEM001",),
    )
    assert f.fix is None and "number of dimensions" in f.message


@pytest.mark.slow
def test_shifting_a_0d_array_by_its_sum_is_not_fixed():
    """`x.sum(axis=0)` of a 0-d x is a scalar (NumPy takes axis 0 of a 0-d array), `x - it` a NumPy scalar."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def centre(rows):
            x = np.array(rows, dtype=np.float32)
            x = x - x.sum(axis=0)
            return x
        print(type(centre(3.0)).__name__)
        """,
        "x = x - x.sum(axis=0)",
        "x -= x.sum(axis=0)",
    )


@pytest.mark.slow
def test_division_by_sums_along_a_later_axis_is_not_fixed():
    """`x.sum(axis=1)` of an (n, 1) x is (n,): `x / it` broadcasts to (n, n), which `/=` cannot write into x."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def normalise(rows):
            x = np.array(rows, dtype=np.float64)
            x = x / x.sum(axis=1)
            return x
        print(normalise(np.ones((1024, 1))).shape)
        """,
        "x = x / x.sum(axis=1)",
        "x /= x.sum(axis=1)",
    )


@pytest.mark.slow
def test_division_by_sums_of_another_array_is_not_fixed():
    """Kept dimensions of another array may be larger than x's: (n, 1) / (n, m) is (n, m)."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def normalise(rows, weights):
            x = np.array(rows, dtype=np.float64)
            x = x / np.array(weights, dtype=np.float64).sum(axis=0, keepdims=True)
            return x
        print(normalise(np.ones((1024, 1)), np.ones((3, 1024, 4))).shape)
        """,
        "x = x / np.array(weights, dtype=np.float64).sum(axis=0, keepdims=True)",
        "x /= np.array(weights, dtype=np.float64).sum(axis=0, keepdims=True)",
    )


@pytest.mark.slow
def test_rows_divided_by_their_sums_plus_epsilon_are_fixed_whatever_the_shape():
    """Elementwise arithmetic of a reduction of x and scalars keeps its shape: still x's axes or 1."""
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def normalise(rows):
            x = np.array(rows, dtype=np.float32)
            x = x / (x.sum(axis=1, keepdims=True) + 1e-8)
            return x
        data = np.ones((2048, 512), dtype=np.int8)
        data[:, ::3] = 5
        r = normalise(data)
        print(r[0, :3], float(r.sum()))
        """)
    assert "x /= (x.sum(axis=1, keepdims=True) + 1e-8)" in fixed


@pytest.mark.slow
def test_rows_divided_by_their_deviations_are_fixed_whatever_the_shape():
    # the peak is x.var's own temporaries, whichever form the division takes: behaviour only
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        def standardise(rows):
            x = np.array(rows, dtype=np.float32)
            x = x / np.sqrt(np.maximum(x.var(axis=1, keepdims=True), 1e-12))
            return x
        data = np.ones((2048, 512), dtype=np.int8)
        data[:, ::3] = 5
        r = standardise(data)
        print(r[0, :3], float(r.sum()))
        """,
        saves_memory=False,
    )
    assert "x /= np.sqrt(np.maximum(x.var(axis=1, keepdims=True), 1e-12))" in fixed


@pytest.mark.slow
def test_sum_of_kept_and_dropped_reductions_is_not_fixed():
    """(n, 1) kept plus (n,) dropped is (n, n): larger than an (n, 1) x."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def normalise(rows):
            x = np.array(rows, dtype=np.float64)
            x = x / (x.sum(axis=1, keepdims=True) + x.sum(axis=1))
            return x
        print(normalise(np.ones((1024, 1))).shape)
        """,
        "x = x / (x.sum(axis=1, keepdims=True) + x.sum(axis=1))",
        "x /= x.sum(axis=1, keepdims=True) + x.sum(axis=1)",
    )


@pytest.mark.parametrize(
    "expr, dtype",
    [
        ("max(abs(a.max()), abs(a.min()))", "float32"),
        ("min(a.max(), a.min())", "float32"),
        ("max(a.max(), np.float64(1.0))", None),  # either dtype
        ("max(a.max(), 1.0)", None),  # a NumPy scalar or a Python float
    ],
)
def test_larger_of_numpy_scalars(expr, dtype):
    v = value_of(NUMBERS, expr)
    assert (v.kind, str(v.dtype) if v.dtype else None) == (("np_scalar", dtype) if dtype else ("unknown", None))


@pytest.mark.slow
def test_signal_divided_by_its_peak_magnitude_is_fixed():
    # the signal is made in one allocation, so that the division's second array sets the peak (np.sin of a
    # temporary would hold two arrays at once in both versions, and the peaks would differ only by noise)
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        def peak_normalised(n):
            w = np.full((n,), -2.5, dtype=np.float32)
            w = w / max(abs(w.max()), abs(w.min()))
            return w
        r = peak_normalised(1 << 18)
        print(r.dtype, r[:3], float(r.sum()))
        """,
        saves_at_least=(1 << 18) * 4 // 2,
    )
    assert "w /= max(abs(w.max()), abs(w.min()))" in fixed


@pytest.mark.slow
def test_float32_signal_divided_by_a_float64_peak_is_not_fixed():
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def f(n):
            ref = np.linspace(-2.0, 1.0, 16)
            w = np.ones(n, dtype=np.float32)
            w = w / max(abs(ref.max()), abs(ref.min()))
            return w
        print(f(1 << 18).dtype)
        """,
        "w = w / max(abs(ref.max()), abs(ref.min()))",
        "w /= max(abs(ref.max()), abs(ref.min()))",
    )
