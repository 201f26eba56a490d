"""Two ways code tells memlint an array's dtype without saying where the array comes from (issue 10):

- a dtype test: inside ``if x.dtype == np.int16:`` the tested object is int16 until the name is bound again
  (``dataflow.Guard``); a value of unknown kind stays of unknown kind (a pandas Series passes the test too):
  an "array_like" of that dtype;
- ``x.astype(t)``: a new object of dtype ``t`` whatever ``x`` was; of an ``x`` of unknown kind an array_like
  too (pandas, xarray and JAX have ``astype``), reported by MEM001 but never fixed, since FRESH needs an
  ndarray. ``copy=False`` is never new.

New knowledge never relaxes a proof: the traps below are rewrites a wrong assumption would make."""

import ast
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, config, fix, lint

from memlint.context import FileContext
from memlint.source import SourceText


def value_of(code: str, name: str, line: int = 0):
    """The Value of the last load of ``name`` in ``code`` (or the last one on ``line``)."""
    code = textwrap.dedent(code)
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    loads = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and (not line or n.lineno == line)
    ]
    return ctx.arrays.value(max(loads, key=lambda n: (n.lineno, n.col_offset)))


def described(v) -> tuple:
    return (v.kind, str(v.dtype) if v.dtype is not None else None, v.ownership)


# --- dtype tests ---------------------------------------------------------------------------------------------

TESTED = """
import numpy as np
def f(x, y):
    if {test}:
        print(x)
"""


@pytest.mark.parametrize(
    "test",
    [
        "x.dtype == np.int16",
        "x.dtype == 'int16'",
        "x.dtype == 'i2'",
        "x.dtype == np.dtype('int16')",
        "x.dtype == np.dtype(np.int16)",
        "np.int16 == x.dtype",
        "x.dtype is np.dtype('int16')",
        "x.ndim == 2 and x.dtype == np.int16",
        "x.dtype == np.int16 and len(x) > 3",
    ],
)
def test_a_dtype_test_teaches_the_dtype_in_its_branch(test):
    assert described(value_of(TESTED.format(test=test), "x")) == ("array_like", "int16", "parameter")


@pytest.mark.parametrize(
    "test",
    [
        "x.dtype != np.int16",
        "not x.dtype == np.int16",
        "x.dtype == np.int16 or y",
        "x.dtype in (np.int16, np.int32)",
        "x.dtype.name == 'int16'",  # also big-endian int16: not the native dtype
        "x.dtype == y.dtype",
        "x.dtype == 'no such dtype'",
        "y.dtype == np.int16",
        "x.shape == np.int16",
    ],
)
def test_tests_that_prove_no_dtype_teach_nothing(test):
    assert described(value_of(TESTED.format(test=test), "x")) == ("unknown", None, "parameter")


def test_elif_branches_each_know_their_own_dtype_and_the_else_branch_nothing():
    code = """
    import numpy as np
    def f(x):
        if x.dtype == np.int16:
            print(x)
        elif x.dtype == np.uint8:
            print(x)
        else:
            print(x)
        print(x)
    """
    found = [described(value_of(code, "x", line))[1] for line in (5, 7, 9, 10)]
    assert found == ["int16", "uint8", None, None]


def test_a_name_bound_again_is_no_longer_the_tested_object():
    code = """
    import numpy as np
    def f(x, g):
        if x.dtype == np.int16:
            print(x)
            x = g()
            print(x)
        for _ in range(3):
            if x.dtype == np.uint8:
                print(x)
                x = g()
        if x.dtype == np.uint8 and (x := g()) is not None:
            print(x)
    """
    assert described(value_of(code, "x", 5))[1] == "int16"
    assert described(value_of(code, "x", 7))[1] is None
    assert described(value_of(code, "x", 10))[1] is None  # the loop brings x = g() back to the use
    assert described(value_of(code, "x", 13))[1] is None  # rebound by the test itself


def test_a_known_kind_and_ownership_are_kept():
    code = """
    import numpy as np
    def f(dt):
        x = np.ones(1000, dtype=dt)
        if x.dtype == np.float32:
            print(x)
    """
    v = value_of(code, "x")
    assert (v.kind, str(v.dtype), v.ndim, v.ownership) == ("ndarray", "float32", 1, "fresh")


def test_widening_under_a_dtype_test_is_reported():
    code = """
    import numpy as np
    def to_float(samples):
        if samples.dtype == np.int16:
            samples = samples / 32768.0
        elif samples.dtype == np.uint8:
            samples = (samples - 128) / 128.0
        return samples
    """
    found = lint(code)
    assert [(f.code, f.line) for f in found] == [("MEM008", 5), ("MEM008", 7)]
    assert "4x the int16 array" in found[0].message and "8x the uint8 array" in found[1].message


def test_no_widening_is_reported_where_the_test_proves_nothing():
    code = """
    import numpy as np
    def to_float(samples, other):
        if samples.dtype != np.int16:
            a = samples / 32768.0
        if samples.dtype == np.int16:
            samples = other
            b = samples / 32768.0
        return a, b
    """
    assert lint(code, select=("MEM008",)) == []


AFTER = """
import numpy as np
def f(x, y, g):
    {code}
    print(x)
"""


@pytest.mark.parametrize("test", ["x.dtype != np.int16", "not x.dtype == np.int16", "x.dtype != np.int16 or y"])
def test_the_else_branch_knows_what_a_false_test_proves(test):
    code = AFTER.format(code=f"if {test}:\n        pass\n    else:\n        print(x)")
    assert described(value_of(code, "x", line=7))[:2] == ("array_like", "int16")
    assert described(value_of(code, "x", line=8))[:2] == ("unknown", None)  # after: the if branch may have run


@pytest.mark.parametrize(
    "code",
    [
        "if x.dtype != np.int16:\n        raise ValueError(x.dtype)",
        "if x.dtype is not np.dtype('int16'):\n        return None",
        "if x.dtype != np.int16:\n        x = x.astype(np.int16)",
        "if x.dtype == np.int16:\n        pass\n    else:\n        raise TypeError",
        "assert x.dtype == np.int16, x.dtype",
    ],
)
def test_the_rest_of_the_block_knows_what_the_test_left(code):
    assert described(value_of(AFTER.format(code=code), "x"))[:2] == ("array_like", "int16")


@pytest.mark.parametrize(
    "code",
    [
        "if x.dtype != np.int16:\n        print(x)",
        "if x.dtype != np.int16:\n        raise ValueError\n    else:\n        x = g()",
        "if x.dtype != np.int16:\n        y = x.astype(np.int16)",
        "if x.dtype != np.int16:\n        if y:\n            x = x.astype(np.int16)",
        "if x.dtype != np.int16 and y:\n        raise ValueError",
        "assert x.dtype != np.int16",
    ],
)
def test_what_may_still_hold_the_untested_object_knows_nothing(code):
    assert described(value_of(AFTER.format(code=code), "x"))[:2] == ("unknown", None)


@pytest.mark.parametrize(
    "expression, known",
    [
        ("print(x) if x.dtype == np.int16 else None", "int16"),
        ("None if x.dtype != np.int16 else print(x)", "int16"),
        ("None if x.dtype == np.int16 else print(x)", None),
        ("print(x) if x.dtype != np.int16 else None", None),
        ("print(x) if x.dtype == np.int16 or y else None", None),
        ("(lambda: print(x)) if x.dtype == np.int16 else None", None),  # runs later: x may be another object
        ("print(x) if x.dtype == np.int16 and (x := g()) is not None else None", None),
    ],
)
def test_a_conditional_expression_knows_what_its_test_proves(expression, known):
    code = textwrap.dedent(AFTER.format(code=f"y = {expression}"))
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    printed = next(
        n.args[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print" and n.lineno == 4
    )
    assert ctx.arrays.value(printed).dtype == (np.dtype(known) if known else None)


def test_widening_in_a_conditional_expression_is_reported():
    code = """
    import numpy as np
    def to_unit(img):
        return img / 255.0 if img.dtype == np.uint8 else img
    """
    assert [(f.code, f.line) for f in lint(code)] == [("MEM008", 4)]


def test_an_assert_teaches_nothing_of_an_ndarray_since_python_O_skips_it():
    code = """
    import numpy as np
    def f(dt):
        x = np.ones(1000, dtype=dt)
        assert x.dtype == np.float32
        print(x)
    """
    assert described(value_of(code, "x")) == ("ndarray", None, "fresh")


def test_widening_after_a_conversion_to_a_small_integer_type_is_reported():
    code = """
    import numpy as np
    def normalize(img):
        if img.dtype != np.uint8:
            img = img.astype(np.uint8)
        return img / 255.0
    """
    found = lint(code)
    assert [(f.code, f.line) for f in found] == [("MEM008", 6)]
    assert "8x the uint8 array" in found[0].message


SCALE = """
import numpy as np
def scale(dt):
    x = np.ones(1_000_000, dtype=dt)
    if x.dtype == np.float32:
        x = x * 2
    return float(x.sum()), x.dtype
print(scale(np.float32))
"""


@pytest.mark.slow
def test_a_dtype_test_proves_what_an_in_place_fix_needs():
    fixed = assert_fix_keeps_behaviour(SCALE, saves_at_least=3_000_000)
    assert "x *= 2" in fixed


@pytest.mark.slow
def test_trap_a_name_bound_again_in_the_branch_is_not_fixed():
    code = """
    import numpy as np
    def scale(dt, other):
        x = np.ones(1_000_000, dtype=dt)
        if x.dtype == np.float32:
            x = np.arange(1_000_000, dtype=other)
            x = x * 0.5
        return float(x.sum())
    print(scale(np.float32, np.int64))
    """
    assert_trap_not_fixed("MEM001", code, "x = x * 0.5", "x *= 0.5")


CONVERTED = """
import numpy as np
def scale(dt):
    x = np.ones(1_000_000, dtype=dt)
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    x = x * 2
    return float(x.sum()), x.dtype
print({calls})
"""


@pytest.mark.slow
def test_a_conversion_in_an_if_proves_the_dtype_after_it():
    fixed = assert_fix_keeps_behaviour(CONVERTED.format(calls="scale(np.int64), scale(np.float32)"), saves_memory=False)
    assert "    x *= 2" in fixed
    assert_fix_keeps_behaviour(CONVERTED.format(calls="scale(np.float32)"), saves_at_least=3_000_000)


@pytest.mark.slow
def test_trap_an_assert_proves_nothing_under_python_O():
    code = textwrap.dedent(
        """
        import numpy as np
        def scale(dt):
            x = np.ones(1_000_000, dtype=dt)
            assert x.dtype == np.float32
            x = x * 0.5
            return float(x.sum())
        try:
            print(scale(np.int64))
        except Exception as e:
            print(type(e).__name__)
        """
    )
    assert fix(code, unsafe=True, select=("MEM001",)) == code
    naive = code.replace("x = x * 0.5", "x *= 0.5")
    optimized = [subprocess.run([sys.executable, "-O", "-c", c], capture_output=True, text=True) for c in (code, naive)]
    assert [p.stdout for p in optimized] == ["500000.0\n", "UFuncTypeError\n"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "branch",
    [
        "if x.dtype != np.float32:\n        x = x * 0.5",
        "if x.dtype == np.float32:\n        pass\n    else:\n        x = x * 0.5",
        "if x.dtype == np.float32 or x.size:\n        x = x * 0.5",
        "if x.dtype != np.float32:\n        print('not float32')\n    x = x * 0.5",
        "if x.dtype != np.float32:\n        if x.size < 10:\n            x = x.astype(np.float32)\n    x = x * 0.5",
    ],
)
def test_trap_branches_where_the_dtype_is_not_proven_are_not_fixed(branch):
    code = (
        "import numpy as np\n"
        "def scale(dt):\n"
        "    x = np.ones(1_000_000, dtype=dt)\n"
        f"    {branch}\n"
        "    return float(x.sum())\n"
        "print(scale(np.int64))\n"
    )
    assert_trap_not_fixed("MEM001", code, "x = x * 0.5", "x *= 0.5")


# --- astype --------------------------------------------------------------------------------------------------

ASTYPE = """
import numpy as np
def f(x, dt):
    y = {call}
    print(y)
"""


@pytest.mark.parametrize(
    "call, expected",
    [
        ("x.astype('float32')", ("array_like", "float32", "fresh")),
        ("x.astype(dtype=np.uint8)", ("array_like", "uint8", "fresh")),
        ("x.astype(np.float32, copy=True)", ("array_like", "float32", "fresh")),
        ("x.astype(np.float32, copy=False)", ("array_like", "float32", "unknown")),
        ("x.astype(np.float32, False)", ("array_like", "float32", "unknown")),  # pandas' copy
        ("x.astype(dt)", ("unknown", None, "unknown")),
        ("x.astype('float32').astype(np.int8)", ("array_like", "int8", "fresh")),
        ("x.astype('float32') / 2", ("array_like", "float32", "fresh")),
        ("x.astype(np.uint8) / 2", ("array_like", "float64", "fresh")),
        ("x.astype('float32') * np.ones(3)", ("array_like", "float64", "fresh")),
        ("x.astype(np.float32).max()", ("array_like", "float32", "fresh")),
        ("np.mean(x.astype(np.uint8))", ("array_like", "float64", "fresh")),
        ("np.percentile(x.astype(np.float32), 99)", ("array_like", "float32", "fresh")),
        ("np.sqrt(x.astype(np.float32))", ("array_like", "float32", "fresh")),
        ("np.clip(x.astype(np.float32), 0, 1)", ("array_like", "float32", "fresh")),
        ("x.astype(np.float32) - x.astype(np.float32).mean()", ("array_like", "float32", "fresh")),
        ("x.astype(np.float32) - x.astype(np.float64)", ("array_like", "float64", "fresh")),
        ("np.array(x).astype('float32')", ("ndarray", "float32", "fresh")),
        ("np.array(x.astype('float32'))", ("ndarray", "float32", "fresh")),
        ("np.asarray(x.astype('float32'))", ("ndarray", "float32", "view")),  # a Series' data, read-only
        ("(np.array(x, np.uint8) / 2).astype('float32')", ("unknown", "float32", "fresh")),  # array or scalar
        ("np.ones(3).astype(np.float32, 'K', 'unsafe', True, False)", ("ndarray", "float32", "unknown")),
        ("np.ones(3).astype(np.float32, 'K', 'unsafe', False)", ("ndarray", "float32", "fresh")),  # subok
    ],
)
def test_astype_makes_a_new_object_of_its_dtype(call, expected):
    assert described(value_of(ASTYPE.format(call=call), "y")) == expected


def test_an_array_like_joined_with_an_ndarray_of_its_dtype_stays_an_array_like():
    code = """
    import numpy as np
    def f(x, c):
        y = x.astype(np.float32) if c else np.zeros(3, np.float32)
        z = x.astype(np.float32) if c else np.zeros(3)
        print(y, z)
    """
    assert described(value_of(code, "y")) == ("array_like", "float32", "fresh")
    assert described(value_of(code, "z"))[:2] == ("unknown", None)


NORMALIZE = """
import numpy as np
def normalize(x):
    x = x.astype({args})
    x = x / 255.0
    return x
"""


def test_arithmetic_on_astype_of_a_parameter_is_reported_never_fixed():
    code = NORMALIZE.format(args="'float32'")
    found = lint(code)
    assert [(f.code, f.line) for f in found] == [("MEM001", 5)]
    assert "x /= 255.0" in found[0].message and "not known to be an ndarray" in found[0].message
    assert fix(code, unsafe=True) == textwrap.dedent(code)


@pytest.mark.parametrize(
    "line", ["x = x - np.mean(x)", "x = (x - x.min()) / (x.max() - x.min())", "x = (x - np.percentile(x, 1)) / 2.0"]
)
def test_arithmetic_with_numpy_functions_of_an_array_like_is_reported_never_fixed(line):
    code = NORMALIZE.format(args="'float32'").replace("x = x / 255.0", line)
    found = lint(code)
    assert [(f.code, f.line) for f in found] == [("MEM001", 5)]
    assert "not fixed" in found[0].message
    assert fix(code, unsafe=True) == textwrap.dedent(code)


@pytest.mark.parametrize("args", ["'float32', copy=False", "'float32', False", "dt"])
def test_astype_that_may_return_its_receiver_is_not_reported(args):
    assert lint(NORMALIZE.format(args=args).replace("(x)", "(x, dt=None)")) == []


def test_astype_of_an_unknown_small_integer_type_widens():
    code = """
    import numpy as np
    def f(x):
        img = x.astype(np.uint8)
        return img / 255.0
    """
    assert [f.code for f in lint(code)] == ["MEM008"]


@pytest.mark.slow
def test_trap_a_pandas_object_is_no_ndarray_for_a_hidden_copy_fix():
    # np.asarray of a pandas Series (pandas 3, copy on write) is a read-only view of its data: writing raises
    code = """
    import numpy as np
    import pandas as pd
    def f(s):
        y = s.astype(np.float32)
        z = np.array(y, dtype=np.float32)
        z[0] = 5
        return z
    print(f(pd.Series([1, 2, 3], dtype=np.uint8)))
    """
    assert_trap_not_fixed("MEM012", code, "np.array(y, dtype", "np.asarray(y, dtype")


@pytest.mark.slow
def test_trap_a_pandas_object_takes_no_out_argument_to_clip():
    code = """
    import numpy as np
    import pandas as pd
    def f(s):
        x = s.astype(np.float32)
        x = np.clip(x, 0, 2)
        return list(x)
    print(f(pd.Series([1, 4, 9], dtype=np.uint8)))
    """
    assert_trap_not_fixed("MEM002", code, "np.clip(x, 0, 2)", "np.clip(x, 0, 2, out=x)")


@pytest.mark.slow
def test_trap_astype_copy_false_in_numpys_fifth_position_is_no_copy():
    code = """
    import numpy as np
    def f():
        a = np.ones(1_000_000, dtype=np.float32)
        b = a.astype(np.float32, "K", "unsafe", True, False)
        b = b * 2
        return float(a.sum())
    print(f())
    """
    assert_trap_not_fixed("MEM001", code, "b = b * 2", "b *= 2")
