"""MEM001: `a = a op x` -> `a op= x`, only where catalog section 3.1 is proven.

Each trap of the catalog is shown twice: the naive rewrite (what ruff's PLR6104 does) changes what the
program prints, and memlint offers no fix for it.
"""

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, lint, run_program


def findings(code):
    return [f for f in lint(code, select=("MEM001",))]


# --- safe fixes: same output, lower peak ---------------------------------------------------------------


@pytest.mark.slow
def test_float_array_times_literal_is_fixed_and_saves_one_array():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.ones((512, 512))
        a = a * 2
        print(a.dtype, a.shape, a.sum())
        """)
    assert "a *= 2" in fixed


def test_message_names_the_temporary_and_its_size():
    (f,) = findings("import numpy as np\na = np.ones((512, 512))\na = a * 2\n")
    assert f.estimated_bytes == 512 * 512 * 8
    assert "2.0 MiB float64" in f.message and "a *= 2" in f.message
    assert f.fix.applicability == "safe"


@pytest.mark.slow
def test_int32_plus_fitting_literal_in_a_function():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def f():
            c = np.ones(1 << 20, dtype=np.int32)
            c = c + 7
            return c
        r = f()
        print(r.dtype, r[:3], r.sum())
        """)
    assert "c += 7" in fixed


@pytest.mark.slow
def test_commutative_order_and_same_dtype_array_operand():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.arange(262144, dtype=np.float64)
        b = np.full(262144, 0.5)
        a = b + a
        a = 3 * a
        print(a.dtype, a[:4], a.sum())
        """)
    assert "a += b" in fixed and "a *= 3" in fixed


@pytest.mark.slow
def test_float32_with_float32_scalar():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.ones(1 << 20, dtype="f4")
        a = a - np.float32(0.25)
        print(a.dtype, a[:2])
        """)
    assert "a -= np.float32(0.25)" in fixed


@pytest.mark.slow
def test_loop_without_alias_is_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.ones((512, 512))
        for i in range(3):
            a = a * 1.5
        print(a[0, 0], a.sum())
        """)
    assert "a *= 1.5" in fixed


@pytest.mark.slow
def test_item_writes_before_do_not_block_the_fix():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.zeros((512, 512))
        a[0, :] = 1.0
        print(a.shape, a.sum())
        a = a + 1.0
        print(a.sum())
        """)
    assert "a += 1.0" in fixed


@pytest.mark.slow
def test_scalar_operand_needs_no_known_size():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def scaled(values):
            a = np.ones(len(values))
            a = a * 2
            return a
        print(scaled(range(1 << 18)).sum())
        """)
    assert "a *= 2" in fixed


# --- traps: no fix, and the naive rewrite would change the output -----------------------------------------


# Programs whose `a = a * 2` must stay as written: the old array is still read after it (through another
# name, a view, a default, a container, a closure, an earlier iteration), or it is read-only.
OLD_ARRAY_STILL_READ_OR_READ_ONLY = {
    "alias-to-another-name": """
        import numpy as np
        a = np.ones((512, 512))
        b = a
        a = a * 2
        print(b.sum(), a.sum())
        """,
    "view-taken-before": """
        import numpy as np
        a = np.ones((512, 512))
        row = a[0]
        a = a * 2
        print(row.sum())
        """,
    "default-argument-capture": """
        import numpy as np
        a = np.ones(300000)
        def total(x=a):
            return x.sum()
        a = a * 2
        print(total())
        """,
    "container": """
        import numpy as np
        history = []
        a = np.ones(300000)
        history.append(a)
        a = a * 2
        print(history[0].sum())
        """,
    "alias-through-a-loop-back-edge": """
        import numpy as np
        a = np.ones(300000)
        previous = None
        for i in range(2):
            if previous is not None:
                print(previous.sum())
            previous = a
            a = a * 2
        """,
    "closure-capture": """
        import numpy as np
        a = np.ones(300000)
        total = lambda: a.sum()
        before = a
        a = a * 2
        print(total(), before.sum())
        """,
    "read-only-flag-set-before": """
        import numpy as np
        a = np.ones(300000)
        a.flags.writeable = False
        a = a * 2
        print(a.sum())
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "code", OLD_ARRAY_STILL_READ_OR_READ_ONLY.values(), ids=OLD_ARRAY_STILL_READ_OR_READ_ONLY.keys()
)
def test_trap_not_fixed(code):
    assert_trap_not_fixed("MEM001", code, "a = a * 2", "a *= 2")


@pytest.mark.slow
def test_parameter_is_never_reported():
    code = """
        import numpy as np
        def double(x):
            x = x * 2
            return x
        a = np.ones((512, 512))
        print(double(a).sum(), a.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "x = x * 2", "x *= 2")


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, statement, naive",
    [
        ("a = np.arange(300000)", "a = a / 2", "a /= 2"),  # int / int is float
        ("a = np.arange(300000)", "a = a * 1.5", "a *= 1.5"),  # int * float
        ("a = np.ones(300000, dtype=bool)", "a = a + 1", "a += 1"),  # bool + int
        (
            "a = np.ones(300000, dtype=np.int32) * 2**30; b = np.full(300000, 2**30, dtype=np.int64)",
            "a = a + b",
            "a += b",
        ),  # int32 + int64: wraps in place
        (
            "a = np.full(300000, 1.0, dtype=np.float32); b = np.full(300000, 1e-9)",
            "a = a + b",
            "a += b",
        ),  # float32 + float64 loses precision in place
        ("a = np.ones(300000)", "a = a * 1j", "a *= 1j"),  # float + complex
    ],
)
def test_dtype_promotion_is_not_fixed(setup, statement, naive):
    code = f"import numpy as np\n{setup}\n{statement}\nprint(a.dtype, a[:2], a.sum())\n"
    assert all(f.fix is None for f in findings(code))
    assert_trap_not_fixed("MEM001", code, statement, naive)


def test_dtype_change_is_not_even_reported():
    assert findings("import numpy as np\na = np.arange(300000)\na = a / 2\n") == []


@pytest.mark.slow
def test_broadcasting_to_a_larger_shape():
    code = """
        import numpy as np
        a = np.ones((512, 1))
        b = np.ones((1, 512))
        a = a + b
        print(a.shape)
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "a = a + b", "a += b")


@pytest.mark.slow
def test_masked_operand():
    code = """
        import numpy as np
        a = np.ones(300000)
        m = np.ma.masked_array(np.ones(300000), mask=np.arange(300000) % 2 == 0)
        a = a + m
        print(type(a).__name__, a.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "a = a + m", "a += m")


def test_string_operand_order():
    code = """
        import numpy as np
        s = np.array(["a", "b"] * 100000)
        s = "x" + s
        print(s[:2])
        """
    assert findings(code) == []
    assert findings('import numpy as np\ns = np.array(["a", "b"])\ns = s + "x"\n') == []


@pytest.mark.slow
def test_zero_d_array():
    code = """
        import numpy as np
        z = np.array(3.0)
        z = z * 2
        print(type(z).__name__, z)
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "z = z * 2", "z *= 2")


@pytest.mark.slow
def test_read_only_broadcast_view():
    code = """
        import numpy as np
        r = np.broadcast_to(np.ones(512), (512, 512))
        r = r * 2
        print(r.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "r = r * 2", "r *= 2")


@pytest.mark.slow
def test_memmap_is_never_rewritten(tmp_path):
    path = tmp_path / "m.dat"
    code = f"""
        import numpy as np
        m = np.memmap({str(path)!r}, dtype="f8", mode="w+", shape=(300000,))
        m[:] = 1.0
        m = m * 2
        m2 = np.memmap({str(path)!r}, dtype="f8", mode="r", shape=(300000,))
        print(m2.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "m = m * 2", "m *= 2")


@pytest.mark.slow
def test_attribute_holder_is_never_reported():
    code = """
        import numpy as np
        class Grid:
            def __init__(self):
                self.data = np.ones(300000)
            def scaled(self):
                data = self.data
                data = data * 2
                return data
        g = Grid()
        print(g.scaled().sum(), g.data.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "data = data * 2", "data *= 2")


@pytest.mark.slow
def test_unknown_call_may_keep_a_reference():
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        kept = {}
        def remember(x):
            kept["x"] = x
        a = np.ones(300000)
        remember(a)
        a = a * 2
        print(kept["x"].sum())
        """,
        "a = a * 2",
        "a *= 2",
    )
    assert findings("import numpy as np\nfrom lib import make\na = make()\na = a * 2\n") == []


def test_small_arrays_are_not_reported():
    assert findings("import numpy as np\na = np.ones(10)\na = a * 2\n") == []


def test_not_numpy_is_not_reported():
    assert findings("import mylib as np\na = np.ones((512, 512))\na = a * 2\n") == []
    assert findings("a = [1] * 100000\na = a * 2\n") == []


# --- found on real code (numpy, pandas): never report ---------------------------------------------------


def test_operand_with_more_dimensions_broadcasts_even_when_its_length_is_unknown():
    # numpy/fft/tests/test_pocketfft.py: (L, 1) * (L,) is (L, L)
    code = """
        import numpy as np
        def fft1(x):
            L = len(x)
            phase = -2j * np.pi * (np.arange(L) / L)
            phase = np.arange(L).reshape(-1, 1) * phase
            return phase
        """
    assert findings(code) == []


def test_array_of_unknown_dtype_is_not_reported():
    # pandas/tests/extension/test_numpy.py: `arr + arr * 1j` only works in place for complex arr
    code = """
        import numpy as np
        def data(dtype):
            arr = np.arange(1, 11, dtype=dtype._dtype)
            arr = arr + (arr * 1j)
            return arr
        """
    assert findings(code) == []


def test_operand_of_unknown_type_is_not_reported():
    # pandas/core/arrays/boolean.py: `mask | mask_values` where mask_values comes from a call memlint cannot
    # see; if it were a Series, `ndarray | Series` would be a Series and `mask |= ...` something else
    code = """
        import numpy as np
        import pandas as pd
        def coerce(values, mask):
            mask = np.array(mask, dtype=bool)
            mask_values = pd.isna(values)
            mask = mask | mask_values
            return mask
        m = coerce(pd.Series([1.0, None] * 150000), np.zeros(300000, dtype=bool))
        print(type(m).__name__, m.sum())
        """
    assert findings(code) == []


@pytest.mark.slow
def test_non_commutative_operand_order_is_not_the_pattern():
    code = """
        import numpy as np
        a = np.full(300000, 3.0)
        a = 1.0 - a
        a = 2.0 / a
        print(a[:2])
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "a = 1.0 - a", "a -= 1.0")


@pytest.mark.slow
def test_operand_that_views_the_target_is_not_reported():
    # statsmodels/genmod/cov_struct.py and tsa/tsatools.py: `cmat = cmat + cmat.T`. NumPy copies an operand
    # that overlaps the output into a temporary of the output's size before writing in place, so
    # `cmat += cmat.T` (and even `b *= b[0]`) peaks as high as the out-of-place form: nothing to save.
    code = """
        import numpy as np
        def symmetric(n):
            cmat = np.zeros((n, n))
            cmat[0, 1] = 1.0
            cmat = cmat + cmat.T
            return cmat
        def scaled_by_first_row():
            b = np.full((512, 512), 2.0)
            b = b * b[0]
            return b
        print(symmetric(512).sum(), scaled_by_first_row().sum())
        """
    assert findings(code) == []
    out_of_place, peak_out_of_place = run_program(code)
    in_place, peak_in_place = run_program(
        code.replace("cmat = cmat + cmat.T", "cmat += cmat.T").replace("b = b * b[0]", "b *= b[0]")
    )
    assert in_place == out_of_place
    assert peak_in_place > 0.95 * peak_out_of_place


@pytest.mark.slow
def test_a_len_that_is_not_the_builtin_may_view_the_target():
    # `len(a)` reads only a's size when `len` is the builtin; this file binds `len` to np.flip, a view of `a`,
    # which NumPy copies to a temporary before writing in place: nothing to save.
    code = """
        import numpy as np
        from numpy import flip as len
        a = np.ones((512, 512))
        a[0] = 3.0
        a = a + len(a)
        print(a.sum(), a[0, 0], a[-1, 0])
        """
    assert findings(code) == []
    out_of_place, peak_out_of_place = run_program(code)
    in_place, peak_in_place = run_program(code.replace("a = a + len(a)", "a += len(a)"))
    assert in_place == out_of_place
    assert peak_in_place > 0.95 * peak_out_of_place


@pytest.mark.slow
def test_operand_computed_from_the_target_is_still_fixed():
    # a reduction of `e` is a new array: no overlap, and in place saves the result array
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def centred():
            e = np.random.default_rng(0).random((512, 512))
            e = e - e.mean(axis=0)
            return e
        def head_scaled():
            f = np.ones((512, 512))
            g = np.random.default_rng(1).random((1024, 512))
            f = f * g[: f.shape[0]]  # reads only f's shape: g's rows do not overlap f
            return f
        print(centred().sum(), head_scaled().sum())
        """)
    assert "e -= e.mean(axis=0)" in fixed and "f *= g[: f.shape[0]]" in fixed


@pytest.mark.slow
def test_temporary_operand_that_numpy_already_reuses_is_not_reported():
    # NumPy's temporary elision (temp_elide.c, CPython on Linux/macOS): in `a = a + a * 2` the temporary
    # `a * 2` (>= 256 KiB, a's dtype and shape) receives the result, so the statement already peaks at one
    # array, as `a += a * 2` does
    code = """
        import numpy as np
        def doubled_plus():
            a = np.linspace(0, 1, 1 << 18)
            a = a + a * 2
            return a
        def times_root():
            b = np.linspace(0, 1, 1 << 18)
            b = b * np.sqrt(b)
            return b
        def fresh_on_the_left():
            c = np.linspace(0, 1, 1 << 18)
            c = np.ones(1 << 18) + c
            return c
        print(doubled_plus().sum(), times_root().sum(), fresh_on_the_left().sum())
        """
    assert findings(code) == []
    out_of_place, peak_out_of_place = run_program(code)
    in_place, peak_in_place = run_program(
        code.replace("a = a + a * 2", "a += a * 2")
        .replace("b = b * np.sqrt(b)", "b *= np.sqrt(b)")
        .replace("c = np.ones(1 << 18) + c", "c += np.ones(1 << 18)")
    )
    assert in_place == out_of_place
    assert peak_in_place > 0.95 * peak_out_of_place


@pytest.mark.slow
def test_temporary_operand_numpy_cannot_reuse_is_still_fixed():
    # not commutative (the temporary is on the right of `-`), or broadcast (the temporary is smaller than `a`):
    # no elision, and in place saves the result array
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def minus_doubled():
            a = np.linspace(0, 1, 1 << 18)
            a = a - a * 2
            return a
        def plus_row():
            b = np.ones((512, 1024))
            b = b + np.linspace(0, 1, 1024)
            return b
        print(minus_doubled().sum(), plus_row().sum())
        """)
    assert "a -= a * 2" in fixed and "b += np.linspace(0, 1, 1024)" in fixed


# --- chains: `x = (x - a) / b` -> `x -= a` then `x /= b` -------------------------------------------------


@pytest.mark.slow
def test_chain_of_operators_is_fixed_step_by_step():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def rescaled():
            lo, hi = 0.25, 0.75
            img = np.random.default_rng(0).random((512, 512)).astype(np.float32)
            img = (img - lo) / (hi - lo)
            return img
        def affine():
            v = np.arange(1 << 18, dtype=np.float64)
            v = 2 * (v * 0.5 - 3)  # a literal on the left moves after the steps within: it cannot change
            return v
        r = rescaled()
        print(r.dtype, r[:2, :3], r.sum(), affine().sum())
        """)
    assert "    img -= lo\n    img /= hi - lo\n" in fixed
    assert "v *= 0.5\n    v -= 3\n    v *= 2  # a literal" in fixed


def test_chain_message_and_fix():
    code = "import numpy as np\nx = np.ones((512, 512))\nif True: x = (x * 2 - 1) / 3\n"
    (f,) = findings(code)
    assert f.estimated_bytes == 512 * 512 * 8 and "a second 2.0 MiB float64 array" in f.message
    assert "`x *= 2`, then `x -= 1`, then `x /= 3`" in f.message
    assert f.fix.applicability == "safe"
    assert f.fix.edits[0].content == "x *= 2; x -= 1; x /= 3"  # not alone on its line: one line still


@pytest.mark.slow
def test_trap_chain_whose_later_operand_reads_the_array():
    # `x.mean()` of the divisor is evaluated after `x -= x.mean()` in place: it would read zero-mean data
    code = """
        import numpy as np
        def f():
            x = np.random.default_rng(0).random((512, 512)) + 1
            x = (x - x.mean()) / x.mean()
            return x
        print(np.round(f().std(), 6))
        """
    (f,) = findings(code)
    assert f.fix is None and "`x.mean()` reads `x`" in f.message
    assert_trap_not_fixed("MEM001", code, "x = (x - x.mean()) / x.mean()", "x -= x.mean(); x /= x.mean()")


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, statement, naive",
    [
        # NEP 50: a float64 NumPy scalar makes the float32 result float64; in place it would stay float32
        ("x = np.ones(1 << 16, dtype=np.float32) / 3", "x = (x - np.float64(0.1)) * 2", "x -= np.float64(0.1); x *= 2"),
        # true division of an integer array is float64: in place raises
        ("x = np.arange(1 << 16)", "x = (x - 1) / 2", "x -= 1; x /= 2"),
        # an alias sees the in-place writes
        ("x = np.ones(1 << 16); y = x", "x = (x - 1) * 2", "x -= 1; x *= 2"),
        # a broadcasting operand of a later step makes the result larger than x
        ("x = np.ones(1 << 16)", "x = (x + 1) * np.ones((2, 1 << 16))", "x += 1; x *= np.ones((2, 1 << 16))"),
    ],
)
def test_chain_traps_not_fixed(setup, statement, naive):
    code = f"import numpy as np\n{setup}\n{statement}\nprint(x.dtype, x.shape, x.sum())\ntry:\n    print(y.sum())\nexcept NameError:\n    pass\n"
    assert_trap_not_fixed("MEM001", code, statement, naive)


@pytest.mark.slow
def test_trap_chain_operand_evaluated_before_the_steps_within():
    # `g()` runs before `h()` in the expression; the steps would run it after
    code = """
        import numpy as np
        def g():
            print("g")
            return 2.0
        def h():
            print("h")
            return 1.0
        def f():
            x = np.ones(1 << 16)
            x = g() * (x - h())
            return x
        print(f().sum())
        """
    (f,) = findings(code)
    assert f.fix is None
    assert_trap_not_fixed("MEM001", code, "x = g() * (x - h())", "x -= h(); x *= g()")


def test_chain_where_an_exception_midway_could_be_seen_is_unsafe():
    code = """
        import numpy as np
        def f():
            x = np.ones(1 << 16)
            try:
                x = (x - 1) / np.float64(4.0)
            except ZeroDivisionError:
                pass
            return x
        """
    (f,) = findings(code)
    assert f.fix.applicability == "unsafe" and "half updated" in f.fix.message
    inside_function = code.replace("            try:\n", "").replace("                x = (x", "            x = (x")
    inside_function = inside_function[: inside_function.index("            except")] + "            return x\n"
    (f,) = findings(inside_function)
    assert f.fix.applicability == "safe"  # the exception leaves the function: nothing reads x again


def test_chain_not_reported_where_in_place_saves_nothing():
    code = """
        import numpy as np
        def f():
            x = np.linspace(0, 1, 1 << 18)
            x = (x + x * 2) * 3   # NumPy writes the whole chain into the temporary `x * 2`
            y = np.linspace(0, 1, 1 << 18)
            y = (y + y.T) * 2     # y.T views y: in place copies it to a temporary first
            z = np.ones(1 << 18)
            z = 1 - (z * 2)       # the chain on the right of `-`: not the pattern
            return x, y, z
        """
    assert findings(code) == []


def test_chain_over_several_lines_is_reported_without_fix():
    (f,) = findings(
        "import numpy as np\ndef f():\n    x = np.ones(1 << 18)\n    x = (x -\n         1) * 2\n    return x\n"
    )
    assert f.fix is None and "not fixed: the statement spans several lines" in f.message


def test_result_of_an_array_of_unknown_dimensions_is_reported_without_fix():
    # `x - 1.0` on an annotated parameter is a new float32 array, or a NumPy scalar if x is 0-d (never a 0-d
    # array): reported, and not fixed since the dimensions are not known
    code = """
        import numpy as np
        import numpy.typing as npt
        def shifted(x: npt.NDArray[np.float32], scale: float):
            y = x - 1.0
            y = y / 3.0
            y = y * scale
            return y
        """
    first, second = findings(code)
    assert "float32" in first.message and first.fix is None
    assert "not fixed: the number of dimensions of the array is not known" in first.message
    # `scale: float` may be an np.float64, which makes a float32 product float64
    assert second.fix is None and "the result's dtype depends on which number the operand is" in second.message


# --- `global` statements -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_function_reading_a_global_it_declares_is_still_understood():
    # `global SCALE` where SCALE is only read changes nothing: scripts often declare what they read.
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        SCALE = 0.5
        def step():
            global SCALE
            a = np.ones(1 << 20)
            a = a * SCALE
            return a
        print(step().sum())
        """)
    assert "a *= SCALE" in fixed


@pytest.mark.slow
def test_trap_global_array_another_function_keeps():
    # `a` is a module global here: keep() holds the same object, so writing into it would change kept[0].
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        kept = []
        def keep():
            kept.append(a)
        def make():
            global a
            a = np.ones(4)
            keep()
            a = a * 2
        make()
        print(kept[0], a)
        """,
        "a = a * 2",
        "a *= 2",
    )


@pytest.mark.slow
def test_measured_by_getsizeof_before_is_still_fixed():
    # sys.getsizeof reads its argument and keeps no reference
    fixed = assert_fix_keeps_behaviour("""
        import sys
        import numpy as np
        a = np.ones((512, 512))
        print(sys.getsizeof(a))
        a = a * 2
        print(sys.getsizeof(a), a.sum())
        """)
    assert "a *= 2" in fixed


def test_chain_with_a_binding_inside_is_not_reported():
    code = "import numpy as np\ndef f(y):\n    x = np.ones(1 << 18)\n    x = (x - (s := 2.0)) * s\n    return x\n"
    assert findings(code) == []


@pytest.mark.slow
def test_chain_over_percentiles_of_the_array_is_fixed():
    # np.percentile of a float32 array with a Python q is a float32 scalar: the chain keeps float32
    code = """
        import numpy as np
        def normalize():
            img = np.random.default_rng(0).random((512, 512), dtype=np.float32)
            # percentiles of a sample: np.percentile copies what it reads, and a copy of the whole image
            # would tie the chain's peak (the test compared noise: 1.5 KB either way)
            lo = np.percentile(img[::8], 1)
            hi = np.nanpercentile(img[::8], 99.5)
            img = (img - lo) / (hi - lo)
            img = np.clip(img, 0, 1)
            return img
        r = normalize()
        print(r.dtype, r.sum())
        """
    fixed = assert_fix_keeps_behaviour(code, saves_at_least=500_000)  # the chain's 1 MiB temporary
    assert "img -= lo\n    img /= hi - lo\n    img = np.clip(img, 0, 1, out=img)" in fixed


@pytest.mark.slow
def test_trap_percentile_with_a_float64_q_is_float64():
    # a float64 NumPy q makes the percentile float64: img - lo is float64, in place it would stay float32
    code = """
        import numpy as np
        img = np.random.default_rng(0).random((512, 512)).astype(np.float32)
        lo = np.percentile(img, np.float64(1))
        img = img - lo
        print(img.dtype, img.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM001", code, "img = img - lo", "img -= lo")


@pytest.mark.slow
def test_a_function_whose_parameter_has_the_arrays_name_does_not_hold_the_array():
    code = """
        import numpy as np
        def total(a):
            a = a[::2]
            return float(a.sum())
        a = np.ones((512, 512))
        a = a * 2
        print(total(a), a.shape)
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "a *= 2" in fixed


@pytest.mark.slow
def test_a_function_reading_the_module_array_may_have_kept_it():
    code = """
        import numpy as np
        kept = []
        def keep(scale):
            kept.append(a)
            return scale
        a = np.ones((512, 512))
        keep(2)
        a = a * 2
        print(kept[0].sum(), a.sum())
        """
    assert_trap_not_fixed("MEM001", code, "a = a * 2", "a *= 2")


@pytest.mark.slow
def test_an_array_numpy_copied_into_a_join_is_not_aliased_by_it():
    # np.column_stack and np.c_ copy their items and keep none: `a` is still the only reference to its array
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def main():
            a = np.random.default_rng(0).random(400_000)
            pairs = np.column_stack([a, a * 0.5])
            grid = np.c_[a, a]
            a = a * 2.0
            print(pairs[:2], grid[-1], a.sum())
        main()
    """)
    assert "a *= 2.0" in fixed


@pytest.mark.slow
def test_a_view_read_at_once_is_no_alias_but_a_kept_view_is():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def main():
            a = np.random.default_rng(0).random((600, 600))
            b = a.T + 1.0
            c = a.ravel().sum()
            a = a * 2.0
            print(b[0, :2], c, a.sum())
        main()
    """)
    assert "a *= 2.0" in fixed
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        def main():
            views = []
            a = np.random.default_rng(0).random((600, 600))
            views.append(a.T)
            a = a * 2.0
            print(views[0][0, :2], a.sum())
        main()
        """,
        "a = a * 2.0",
        "a *= 2.0",
    )


def test_a_comprehension_variable_named_as_a_declared_global_leaves_the_global_alone():
    # `[str(SCALE) for SCALE in ...]` binds the comprehension's own SCALE: step() still only reads the global
    code = """
        import numpy as np
        SCALE = 0.5
        def step():
            global SCALE
            labels = [str(SCALE) for SCALE in range(3)]
            a = np.ones(1 << 20)
            a = a * SCALE
            return a, labels
        """
    (f,) = findings(code)
    assert f.fix is not None and f.fix.edits[0].content == "a *= SCALE"


@pytest.mark.slow
def test_trap_an_array_of_float64_or_of_a_dtype_not_known_is_of_no_known_dtype():
    # np.dtype(None) == np.float64 made "float64 on one branch, unknown on the other" float64, and the int32
    # array of the other branch cannot hold x * 0.5
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np

        def f(c, kind):
            if c:
                x = np.zeros(1 << 18)
            else:
                x = np.zeros(1 << 18, dtype=kind)
            x = x * 0.5
            return x

        print(f(False, np.int32).dtype)
        """,
        "x = x * 0.5",
        "x *= 0.5",
    )
