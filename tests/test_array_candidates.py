"""The cheap pre-test rules ask before the array facts: it may only rule out what the facts never find.

``ctx.arrays.may_hold_array(expr)`` is False only where ``ctx.arrays.value(expr)`` is neither an ndarray nor a
NumPy scalar and has no dtype. If it ever said False for an array, MEM001/002/005/008/012/013 would silently lose a
finding, so the property is checked on every expression of real code: NumPy's own sources and every snippet
the rule tests lint.
"""

import ast
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import config

from memlint.context import FileContext
from memlint.facts.imports import module_name_of
from memlint.source import SourceText

TESTS = Path(__file__).parent


def context(code, path="t.py", module=""):
    return FileContext(path, SourceText(code), ast.parse(code), config(), module)


def sees_array(ctx, node) -> bool:
    v = ctx.arrays.value(node)
    return v.kind in ("ndarray", "np_scalar") or v.dtype is not None


def missed(ctx):
    """Expressions the facts find to be arrays but the pre-test rules out (must be none)."""
    return [
        ast.unparse(node)
        for node in ast.walk(ctx.tree)
        if isinstance(node, ast.expr) and sees_array(ctx, node) and not ctx.arrays.may_hold_array(node)
    ]


def read(ctx, expr):
    """The last place the program evaluates ``expr``."""
    found = [
        n
        for n in ast.walk(ctx.tree)
        if isinstance(n, ast.expr) and ast.unparse(n) == expr and not isinstance(getattr(n, "ctx", None), ast.Store)
    ]
    return max(found, key=lambda n: (n.lineno, n.col_offset))


def snippets():
    """Every string in the rule and facts tests that is a program using NumPy."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "np." in node.value:
                code = textwrap.dedent(node.value)
                try:
                    ast.parse(code)
                except SyntaxError:
                    continue
                found.append(code)
    return found


def test_never_rules_out_an_array_in_the_test_snippets():
    programs = snippets()
    assert len(programs) > 200  # the property is checked on many programs, not on none
    for code in programs:
        assert missed(context(code)) == [], code


@pytest.mark.parametrize(
    "name",
    [
        "lib/_function_base_impl.py",
        "lib/_shape_base_impl.py",
        "linalg/_linalg.py",
        "_core/numeric.py",
        "lib/_index_tricks_impl.py",
    ],
)
def test_never_rules_out_an_array_in_numpy_itself(name):
    path = Path(np.__file__).parent / name
    if not path.exists():
        pytest.skip(f"{name} is not in this NumPy version")
    # NumPy's own files call it through relative imports: `from . import numeric as _nx`, `from numpy import ...`
    ctx = context(path.read_text(encoding="utf-8"), str(path), module_name_of(path))
    assert missed(ctx) == []


@pytest.mark.parametrize(
    "code, expr",
    [
        ("import numpy as np\ndef f(n):\n    a = np.zeros(n)\n    b = a.T * 2\n    return b\n", "b"),
        ("import numpy as np\nG = np.ones(4)\ndef f():\n    return G + 1\n", "G + 1"),
        ("import numpy as np\ndef f(x):\n    t = 0\n    t += np.arange(3)\n    return t\n", "t"),
        ("import numpy as np\ndef f(x):\n    if (a := np.ones(3)) is not None:\n        return a[1:]\n", "a[1:]"),
        ("import numpy as np\nrng = np.random.default_rng(0)\nx = rng.random(10)\ny = x\nprint(y)\n", "y"),
        ("from numpy import zeros\ndef f(c):\n    a = zeros(3) if c else zeros(4)\n    return a.copy()\n", "a.copy()"),
    ],
)
def test_follows_arrays_through_names_operators_and_methods(code, expr):
    ctx = context(code)
    node = read(ctx, expr)
    assert sees_array(ctx, node)
    assert ctx.arrays.may_hold_array(node)


@pytest.mark.parametrize(
    "code, expr",
    [
        ("import numpy as np\ndef f(x):\n    return x * 2\n", "x * 2"),  # a parameter
        ("import numpy as np\nimport pandas as pd\ndef f(p):\n    df = pd.read_csv(p)\n    return df + 1\n", "df + 1"),
        ("import numpy as np\ndef f(a):\n    a = np.asarray(a)\n    n = a.shape[0] - 1\n    return n\n", "n"),
        ("import numpy as np\ndef f(rows):\n    for r in rows:\n        y = r + 1\n", "r + 1"),
        ("import numpy as np\ndef f(xs):\n    k = len(np.unique(xs))\n    return k / 2\n", "k / 2"),
    ],
)
def test_rules_out_what_never_comes_from_numpy(code, expr):
    ctx = context(code)
    node = read(ctx, expr)
    assert not ctx.arrays.may_hold_array(node)
