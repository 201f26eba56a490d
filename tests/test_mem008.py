"""MEM008 dtype-widening: float arithmetic on 8/16-bit integer arrays gives float64; advice only."""

import numpy as np
import pytest
from helpers import lint, run_program


def mem008(code):
    return lint(code, select=("MEM008",))


def test_division_of_uint16_names_the_bytes_and_the_float32_call():
    (f,) = mem008("""
        import numpy as np
        def scale():
            img = np.zeros((1000, 1000), dtype=np.uint16)
            return img / 4
        """)
    assert f.code == "MEM008" and f.fix is None
    assert f.estimated_bytes == 8_000_000  # the float64 result
    assert "7.6 MiB float64" in f.message and "1.9 MiB uint16" in f.message
    assert "np.divide(img, 4, dtype=np.float32)" in f.message and "3.8 MiB" in f.message


def test_float_arithmetic_on_8_and_16_bit_ints():
    code = """
        import numpy as np
        def f(n):
            a = np.ones(1_000_000, dtype=np.uint8)
            b = np.ones(1_000_000, dtype=np.int16)
            c = np.ones(1_000_000, dtype="i1")
            return a * 0.5, 1.5 + b, c - 0.25, b / b, a ** 0.5
        """
    found = mem008(code)
    assert len(found) == 5
    assert "np.multiply(a, 0.5, dtype=np.float32)" in found[0].message
    assert "np.add(1.5, b, dtype=np.float32)" in found[1].message
    assert "8x" in found[0].message and "4x" in found[1].message


def test_binary_ufunc_calls_without_dtype():
    found = mem008("""
        import numpy as np
        def f():
            a = np.ones(1_000_000, dtype=np.uint16)
            return np.divide(a, 3), np.multiply(a, 0.5), np.divide(a, 3, dtype=np.float32), np.add(a, a)
        """)
    assert [f.snippet for f in found] == ["np.divide(a, 3)", "np.multiply(a, 0.5)"]
    assert "np.divide(a, 3, dtype=np.float32)" in found[0].message


def test_unknown_length_is_still_reported_per_element():
    (f,) = mem008("""
        import numpy as np
        def load(buffer):
            raw = np.frombuffer(buffer, dtype=np.uint16)
            return raw / 2
        """)
    assert f.estimated_bytes is None and "8 bytes per element instead of 2" in f.message


def test_never_reported():
    assert (
        mem008("""
        import numpy as np
        def f(x):
            i32 = np.ones(1_000_000, dtype=np.int32)   # not exact in float32
            f32 = np.ones(1_000_000, dtype=np.float32)
            u16 = np.ones(1_000_000, dtype=np.uint16)
            f64 = np.ones(1_000_000)
            small = np.ones(10, dtype=np.uint16)        # known small
            return (i32 / 2, f32 / 2, u16 // 2, u16 * 2, u16 + u16, u16 / f64, small / 2,
                    u16 * 1e300,                          # inf in float32
                    u16[0] / 2,                           # a NumPy scalar
                    x / 2)                                # unknown
        """)
        == []
    )
    assert (
        mem008("""
        import mylib as np
        def f():
            a = np.ones(1_000_000, dtype=np.uint16)
            return a / 2
        """)
        == []
    )


@pytest.mark.slow
def test_advice_is_exact_for_16_bit_division_by_two_and_halves_the_result():
    """The advised call gives the same values as the flagged one for 16-bit input, at half the bytes."""
    out, _ = run_program("""
        import numpy as np
        x = (np.random.default_rng(0).random(200_000) * 60000).astype(np.uint16)
        a = x / 2
        b = np.divide(x, 2, dtype=np.float32)
        print(a.dtype, b.dtype, a.nbytes // b.nbytes, bool((a == b).all()))
        """)
    assert out.split() == ["float64", "float32", "2", "True"]
    assert np.float32(np.iinfo(np.uint16).max) == np.iinfo(np.uint16).max


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM008"]
    assert mem008(doc.example) and all(f.code == "MEM008" for f in mem008(doc.example))
    assert mem008(doc.use_instead) == []


def test_one_finding_per_expression_with_the_real_saving():
    """Three widening terms of one sum: one finding, and the bytes are one float64 term (the peak's fall when
    every term passes dtype=np.float32), not the three terms summed."""
    found = lint(
        """
        import numpy as np
        img = np.zeros((1000, 1000), np.uint8)
        z = img / 255.0 + img / 2.0 + img * 0.5
        a, b = img / 255.0, img / 2.0
        """,
        select=("MEM008",),
    )
    assert [(f.line, f.estimated_bytes) for f in found] == [(4, 8_000_000), (5, 8_000_000), (5, 8_000_000)]
    assert "the same holds for img / 2.0, img * 0.5 in this expression" in found[0].message
