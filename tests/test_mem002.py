"""MEM002: `a = np.f(a, ...)` -> `np.f(a, ..., out=a)`, and `b = np.f(a)` with `a` dead -> `out=a`."""

import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, fix, lint, outcome, run_program


def findings(code):
    return lint(code, select=("MEM002",))


@pytest.mark.slow
def test_sqrt_into_itself_is_fixed_and_saves_one_array():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.linspace(0, 1, 1 << 18)
        a = np.sqrt(a)
        print(a.dtype, a[:3], a.sum())
        """)
    assert "np.sqrt(a, out=a)" in fixed


def test_message_and_size():
    (f,) = findings("import numpy as np\na = np.ones((512, 512))\na = np.exp(a)\n")
    assert f.estimated_bytes == 512 * 512 * 8 and "2.0 MiB float64" in f.message and "out=a" in f.message
    assert f.fix.applicability == "safe"


@pytest.mark.slow
def test_binary_ufunc_with_literal_and_with_array():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        from numpy import maximum
        def f():
            a = np.arange(1 << 18, dtype=np.int64)
            b = np.ones(1 << 18, dtype=np.int32)
            a = np.add(a, b)
            a = maximum(a, 7)
            return a
        r = f()
        print(r.dtype, r[:10], r.sum())
        """)
    assert "np.add(a, b, out=a)" in fixed and "maximum(a, 7, out=a)" in fixed


@pytest.mark.slow
def test_dead_input_takes_the_result():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def f():
            x = np.linspace(0, 2, 1 << 18)
            y = np.exp(x)
            return y
        print(f()[:3], f().sum())
        """)
    assert "np.exp(x, out=x)" in fixed


# A module's names are read by its importers once its code has run: a module-level input is dead only where the
# module binds the name again on every path after the call (then no importer can see what it held).
_MODULE_THEN_IMPORTER = """
    import os, sys, tempfile
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "signals.py"), "w") as f:
        f.write({module!r})
    sys.path.insert(0, folder)
    import signals
    print(signals.x.sum().round(3), signals.y.sum().round(3))
    """


def _importer(module: str) -> str:
    return textwrap.dedent(_MODULE_THEN_IMPORTER).format(module=textwrap.dedent(module))


@pytest.mark.slow
def test_module_level_input_bound_again_on_every_path_takes_the_result():
    module = """
        import sys
        import time
        import numpy as np
        x = np.linspace(0, 2, 1 << 18)
        start = time.time()
        y = np.sqrt(x)
        print(time.time() - start >= 0)
        if len(sys.argv) > 5:
            x = np.zeros(3)
        else:
            x = np.linspace(0, 1, 1 << 18)
        """
    fixed = fix(module)
    assert "y = np.sqrt(x, out=x)" in fixed
    before, peak_before = run_program(_importer(module))
    after, peak_after = run_program(_importer(fixed))
    assert before == after and peak_after < peak_before


@pytest.mark.parametrize(
    "rebinding",
    [
        "if len(sys.argv) > 5:\n    x = np.zeros(3)",  # not on the other path
        "try:\n    x = np.zeros(int(sys.argv[1]))\nexcept IndexError:\n    pass",  # the handler's path keeps x
        "for i in range(len(sys.argv) - 1):\n    x = np.zeros(3)",  # the loop may not run
    ],
    ids=["if", "try", "loop"],
)
@pytest.mark.slow
def test_trap_a_module_level_input_an_importer_may_read(rebinding):
    module = "import sys\nimport numpy as np\nx = np.linspace(0, 2, 1 << 18)\ny = np.sqrt(x)\n" + rebinding + "\n"
    assert fix(module, unsafe=True) == module
    naive = module.replace("np.sqrt(x)", "np.sqrt(x, out=x)")
    assert outcome(_importer(module)) != outcome(_importer(naive))  # the importer would read a square-rooted x


@pytest.mark.slow
def test_input_read_later_is_not_used_as_out():
    code = """
        import numpy as np
        x = np.linspace(0, 2, 1 << 18)
        y = np.exp(x)
        print(x.sum(), y.sum())
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM002", code, "np.exp(x)", "np.exp(x, out=x)")


@pytest.mark.slow
def test_integer_input_of_a_float_ufunc_is_not_reported():
    code = """
        import numpy as np
        z = np.arange(1 << 18)
        z = np.sqrt(z)
        print(z.dtype, z[:3])
        """
    assert findings(code) == []
    assert_trap_not_fixed("MEM002", code, "np.sqrt(z)", "np.sqrt(z, out=z)")


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, call, naive",
    [
        (
            "a = np.full(300000, 2**30, dtype=np.int32); b = np.full(300000, 2**30)",
            "np.add(a, b)",
            "np.add(a, b, out=a)",
        ),  # int32 + int64
        (
            "a = np.ones(300000, dtype=np.float32); b = np.full(300000, 1e-9)",
            "np.add(a, b)",
            "np.add(a, b, out=a)",
        ),  # float32 + float64
        ("a = np.ones((512, 1)); b = np.ones((1, 512))", "np.add(a, b)", "np.add(a, b, out=a)"),  # broadcasting
        ("a = np.array(4.0); b = 1.0", "np.add(a, b)", "np.add(a, b, out=a)"),  # 0-d
    ],
)
def test_traps_not_fixed(setup, call, naive):
    code = f"import numpy as np\n{setup}\na = {call}\nprint(type(a).__name__, a.dtype, a.shape, a.sum())\n"
    assert all(f.fix is None for f in findings(code))
    assert_trap_not_fixed("MEM002", code, call, naive)


def test_where_without_out_is_not_touched():
    code = """
        import numpy as np
        a = np.ones(300000)
        a = np.sqrt(a, where=np.arange(300000) % 2 == 0)
        print(a.shape)
        """
    assert findings(code) == []


def test_masked_operand_and_not_elementwise():
    assert (
        findings("""
        import numpy as np
        a = np.ones(300000)
        m = np.ma.masked_array(a.copy(), mask=a > 0)
        a = np.add(a, m)
        """)
        == []
    )
    assert (
        findings("""
        import numpy as np
        a = np.ones((512, 512))
        a = np.matmul(a, a)
        """)
        == []
    )


def test_parameter_attribute_memmap_read_only_are_not_reported(tmp_path):
    assert findings("import numpy as np\ndef f(x):\n    x = np.sqrt(x)\n    return x\n") == []
    assert findings("import numpy as np\nclass C:\n    def f(self):\n        self.a = np.sqrt(self.a)\n") == []
    assert (
        findings(
            f"import numpy as np\nm = np.memmap({str(tmp_path / 'm')!r}, mode='w+', shape=(300000,))\nm = np.sqrt(m)\n"
        )
        == []
    )
    assert findings("import numpy as np\nr = np.broadcast_to(np.ones(512), (512, 512))\nr = np.sqrt(r)\n") == []


# Programs that still read the old array after `a = np.exp(a)`: writing the result into it would change them.
OLD_ARRAY_STILL_READ = {
    "alias": """
        import numpy as np
        a = np.ones(300000)
        b = a
        a = np.exp(a)
        print(b.sum())
        """,
    "container": """
        import numpy as np
        keep = [None]
        a = np.ones(300000)
        keep[0] = a
        a = np.exp(a)
        print(keep[0].sum())
        """,
    "view": """
        import numpy as np
        a = np.ones(300000)
        head = a[:3]
        a = np.exp(a)
        print(head)
        """,
    "default": """
        import numpy as np
        a = np.ones(300000)
        def first(x=a):
            return x[0]
        a = np.exp(a)
        print(first())
        """,
    "unknown-call": """
        import numpy as np
        seen = []
        a = np.ones(300000)
        seen.extend([a])
        a = np.exp(a)
        print(seen[0][0])
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize("code", OLD_ARRAY_STILL_READ.values(), ids=OLD_ARRAY_STILL_READ.keys())
def test_alias_container_view_default_capture_and_unknown_call(code):
    assert_trap_not_fixed("MEM002", code, "np.exp(a)", "np.exp(a, out=a)")


@pytest.mark.slow
def test_loop_alias_through_back_edge_and_safe_loop():
    assert_trap_not_fixed(
        "MEM002",
        """
        import numpy as np
        a = np.ones(300000)
        old = None
        for i in range(2):
            if old is not None:
                print(old[0])
            old = a
            a = np.exp(a)
        """,
        "np.exp(a)",
        "np.exp(a, out=a)",
    )
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        a = np.full(1 << 18, 0.5)
        for i in range(3):
            a = np.sqrt(a)
        print(a[:2], a.sum())
        """)
    assert "np.sqrt(a, out=a)" in fixed


@pytest.mark.slow
def test_chained_item_writes_do_not_block_the_fix():
    # numpy/_core/tests/test_ufunc.py::test_long_arrays: `t[0][0] = 1` writes through a transient view
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def f():
            t = np.zeros((512, 256), dtype=np.single)
            t[0][0] = 1
            t[28][114] = 1
            tc = np.cos(t)
            return tc[0][0], tc[28][114], tc.sum()
        print(f())
        """)
    assert "tc = np.cos(t, out=t)" in fixed


def test_input_of_unknown_dtype_is_not_reported():
    # numpy/_core/tests/test_umath.py: np.power(a, 2.) on an int array returns float64
    assert (
        findings("""
        import numpy as np
        def f(dt):
            a = np.arange(10, dtype=dt)
            b = np.power(a, 2.)
            return b
        """)
        == []
    )


@pytest.mark.slow
def test_unknown_call_and_string_arrays():
    assert_trap_not_fixed(
        "MEM002",
        """
        import numpy as np
        kept = {}
        def remember(x):
            kept["x"] = x
        a = np.ones(300000)
        remember(a)
        a = np.exp(a)
        print(kept["x"][0])
        """,
        "np.exp(a)",
        "np.exp(a, out=a)",
    )
    assert findings('import numpy as np\ns = np.array(["a", "b"] * 100000, dtype="U1")\ns = np.add("x", s)\n') == []


@pytest.mark.slow
def test_returned_ufunc_of_a_dead_local():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def softplus_input(n):
            z = np.linspace(-3, 3, n)
            return np.exp(z)
        r = softplus_input(1 << 18)
        print(r[:3], r.sum())
        """)
    assert "return np.exp(z, out=z)" in fixed
    code = """
        import numpy as np
        def f(n):
            z = np.linspace(-3, 3, n)
            try:
                return np.exp(z)
            finally:
                print(z[0])
        f(1 << 18)
        """
    assert findings(code) == []  # the finally block still reads z
    assert_trap_not_fixed("MEM002", code, "np.exp(z)", "np.exp(z, out=z)")


@pytest.mark.slow
def test_chebyshev_points_from_numpy_polynomial():
    # numpy/polynomial/chebyshev.py chebpts2: a true positive found in NumPy's own sources
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def chebpts2(npts):
            _npts = int(npts)
            if _npts < 2:
                raise ValueError("npts must be >= 2")
            x = np.linspace(-np.pi, 0, _npts)
            return np.cos(x)
        p = chebpts2(1 << 18)
        print(p[:3], p.sum())
        """)
    assert "return np.cos(x, out=x)" in fixed


@pytest.mark.slow
def test_argument_that_views_the_target_is_not_reported():
    # as statsmodels' `cmat = cmat + cmat.T` (MEM001): NumPy copies an argument overlapping `out=` into a
    # temporary of the output's size, so `np.add(d, d.T, out=d)` peaks as high as `np.add(d, d.T)`
    code = """
        import numpy as np
        def symmetric():
            d = np.random.default_rng(0).random((512, 512))
            d = np.add(d, d.T)
            return d
        def mirrored():
            e = np.linspace(0, 1, 1 << 18)
            e = np.multiply(e, e[::-1])
            return e
        print(symmetric().sum(), mirrored().sum())
        """
    assert findings(code) == []
    out_of_place, peak_out_of_place = run_program(code)
    in_place, peak_in_place = run_program(
        code.replace("np.add(d, d.T)", "np.add(d, d.T, out=d)").replace(
            "np.multiply(e, e[::-1])", "np.multiply(e, e[::-1], out=e)"
        )
    )
    assert in_place == out_of_place
    assert peak_in_place > 0.95 * peak_out_of_place


@pytest.mark.slow
def test_clip_into_its_own_input_keeps_behaviour():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        rng = np.random.default_rng(0)
        img = rng.random((1000, 1000), dtype=np.float32) * 2.0 - 0.5
        before = img.copy()  # the peak is at the clip (img, before and the new array), above the lines before
        img = np.clip(img, 0, 1)
        print(img.dtype, img.sum(), img.min(), img.max(), before.sum())
    """)
    assert "np.clip(img, 0, 1, out=img)" in fixed


def test_clip_that_changes_the_dtype_is_not_reported():
    assert not lint(
        """
        import numpy as np
        b = np.zeros(1_000_000, np.int64)
        b = np.clip(b, 0.5, 2.5)
        """,
        select=("MEM002",),
    )


@pytest.mark.slow
def test_trap_clip_of_an_aliased_array():
    assert_trap_not_fixed(
        "MEM002",
        """
        import numpy as np
        img = np.linspace(-1, 2, 1_000_000)
        kept = img
        img = np.clip(img, 0, 1)
        print(kept.min(), img.min())
        """,
        "np.clip(img, 0, 1)",
        "np.clip(img, 0, 1, out=img)",
    )


# --- chains: `x = np.f(x + c)` -> `x += c` then `np.f(x, out=x)` -------------------------------------------


@pytest.mark.slow
def test_ufunc_of_arithmetic_on_the_array_is_fixed_step_by_step():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def log_power():
            spec = np.abs(np.random.default_rng(0).standard_normal((512, 512)))
            spec = np.log(spec + 1e-9)
            return spec
        def unit_range():
            img = np.random.default_rng(1).random((512, 512)).astype(np.float32)
            img = np.clip((img - 0.25) * 2, 0, 1)
            return img
        a, b = log_power(), unit_range()
        print(a.dtype, a.sum(), b.dtype, b.sum())
        """)
    assert "    spec += 1e-9\n    np.log(spec, out=spec)\n" in fixed
    assert "    img -= 0.25\n    img *= 2\n    np.clip(img, 0, 1, out=img)\n" in fixed


def test_ufunc_chain_message_counts_both_arrays():
    (f,) = findings("import numpy as np\ndef f():\n    s = np.ones((512, 512))\n    s = np.log(s + 1)\n    return s\n")
    # `s + 1` lives while np.log writes a new array: two arrays beyond s at once
    assert f.estimated_bytes == 2 * 512 * 512 * 8 and "two more 2.0 MiB float64 arrays" in f.message


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, statement, naive",
    [
        # np.sqrt of an int64 array is float64: out= an int64 array raises
        ("x = np.arange(1 << 16)", "x = np.sqrt(x - 1)", "x -= 1; np.sqrt(x, out=x)"),
        # the bound reads x after `x *= 2` in place
        ("x = np.linspace(0, 1, 1 << 16)", "x = np.maximum(x * 2, x.mean())", "x *= 2; np.maximum(x, x.mean(), out=x)"),
        # a float64 NumPy scalar makes the float32 sum float64 (NEP 50), np.exp of it too
        (
            "x = np.ones(1 << 16, dtype=np.float32) / 3",
            "x = np.exp(x + np.float64(1e-3))",
            "x += np.float64(1e-3); np.exp(x, out=x)",
        ),
    ],
)
def test_ufunc_chain_traps_not_fixed(setup, statement, naive):
    code = f"import numpy as np\n{setup}\n{statement}\nprint(x.dtype, x.sum())\n"
    assert_trap_not_fixed("MEM002", code, statement, naive)
