# memlint: ignore-file[MEM014]  (the tests run the pattern on purpose, to show what its fix changes)

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, codes, fix, lint

N = 500_000  # 3.8 MiB as int64: tracemalloc sees the list of Python ints clearly


def test_range_forms_are_reported_with_a_safe_fix_for_a_literal_length():
    (f,) = lint(f"import numpy as np\na = np.array(list(range({N})))\n")
    assert f.code == "MEM014" and f.fix.applicability == "safe"
    assert f.estimated_bytes == N * 40
    assert "np.arange" in f.message
    assert fix(f"import numpy as np\na = np.array(list(range({N})))\n") == f"import numpy as np\na = np.arange({N})\n"
    assert (
        fix("import numpy as np\na = np.array(range(2, 10**6, 3))\n")
        == "import numpy as np\na = np.arange(2, 10**6, 3)\n"
    )


def test_variable_length_gets_an_unsafe_fix_only():
    code = "import numpy as np\ndef f(n):\n    return np.array(range(n))\n"
    (f,) = lint(code)
    assert f.fix.applicability == "unsafe"
    assert fix(code) == code
    assert fix(code, unsafe=True) == "import numpy as np\ndef f(n):\n    return np.arange(n)\n"


def test_why_a_variable_length_is_unsafe():
    """The empty result and NumPy-integer bounds are where the two spellings differ."""
    assert np.array(range(0)).dtype == np.float64 and np.arange(0).dtype == np.int64
    assert np.array([0] * 0).dtype == np.float64 and np.zeros(0, dtype=int).dtype == np.int64
    assert np.array(range(np.uint64(5))).dtype == np.int64 and np.arange(np.uint64(5)).dtype == np.float64


def test_repeated_zero_lists():
    assert (
        fix("import numpy as np\na = np.array([0] * 1_000_000)\n")
        == "import numpy as np\na = np.zeros(1_000_000, dtype=int)\n"
    )
    assert (
        fix("import numpy as np\na = np.asarray(1_000_000 * [0.0])\n")
        == "import numpy as np\na = np.zeros(1_000_000)\n"
    )
    (f,) = lint("import numpy as np\ndef f(n):\n    return np.array([0.0] * n)\n")
    assert f.fix.applicability == "unsafe"  # np.zeros(-1) raises where [0.0] * -1 is empty


def test_bool_and_comprehension_spellings():
    assert (
        fix("import numpy as np\nmask = np.array([False] * 2_000_000)\n")
        == "import numpy as np\nmask = np.zeros(2_000_000, dtype=bool)\n"
    )
    assert (
        fix("import numpy as np\nz = np.array([0 for _ in range(1_000_000)])\n")
        == "import numpy as np\nz = np.zeros(1_000_000, dtype=int)\n"
    )
    assert (
        fix("import numpy as np\nz = np.array([0.0 for k in range(1_000_000)])\n")
        == "import numpy as np\nz = np.zeros(1_000_000)\n"
    )
    assert (
        fix("import numpy as np\nids = np.array([i for i in range(3, 10**6)])\n")
        == "import numpy as np\nids = np.arange(3, 10**6)\n"
    )
    code = "import numpy as np\ndef f(n):\n    return np.array([False for _ in range(n)]), np.array([i for i in range(n)])\n"
    found = lint(code)
    assert [f.fix.applicability for f in found] == ["unsafe", "unsafe"]
    assert "[False for _ in range(n)]" in found[0].message and "np.zeros(n, dtype=bool)" in found[0].message
    assert fix(code) == code


def test_why_a_variable_length_is_unsafe_for_bools_too():
    """An empty list of bools gives float64, np.zeros(0, dtype=bool) bool: only a positive literal is safe."""
    assert np.array([False] * 0).dtype == np.float64 and np.zeros(0, dtype=bool).dtype == np.bool_
    assert np.array([False for _ in range(0)]).dtype == np.float64
    code = "import numpy as np\nm = np.array([False] * 0)\nn = np.array([False for _ in range(-3)])\n"
    assert fix(code, unsafe=True) == code  # known empty: nothing worth reporting, nothing changed
    # a file that rebinds `bool` (or `range`) gets no rewrite spelled with it
    (f,) = lint("import numpy as np\nbool = int\nm = np.array([False] * 10**6)\n")
    assert f.fix is None
    assert codes("import numpy as np\nrange = lambda n: [1] * n\nm = np.array([0 for _ in range(10**6)])\n") == []


def test_repeated_ones():
    assert (
        fix("import numpy as np\nw = np.array([1.0] * 1_000_000)\n") == "import numpy as np\nw = np.ones(1_000_000)\n"
    )
    assert (
        fix("import numpy as np\nk = np.array([1 for _ in range(10**6)])\n")
        == "import numpy as np\nk = np.ones(10**6, dtype=int)\n"
    )
    (f,) = lint("import numpy as np\ndef f(n):\n    return np.array([True] * n)\n")
    assert f.fix.applicability == "unsafe" and "np.ones(n, dtype=bool)" in f.message
    assert "zero pages" not in f.message  # np.ones writes every page
    assert np.array([1] * 0).dtype == np.float64 and np.ones(0, dtype=int).dtype == np.int64  # why: unsafe
    # the spelling must be importable: from numpy import array without ones gives no fix
    (f,) = lint("from numpy import array\nw = array([1.0] * 10**6)\n")
    assert f.fix is None


def test_from_import_spelling_needs_the_target_imported():
    assert (
        fix("from numpy import array, arange\na = array(range(10**6))\n")
        == "from numpy import array, arange\na = arange(10**6)\n"
    )
    (f,) = lint("from numpy import array\na = array(range(10**6))\n")
    assert f.fix is None  # arange is not imported: reported, not fixed


def test_never_reported():
    assert codes("import numpy as np\na = np.array(range(5))\n") == []  # known small
    assert codes("import numpy as np\na = np.array([0] * 100)\n") == []
    assert codes("import numpy as np\ndef f(n):\n    return np.array(range(n), dtype=np.float32)\n") == []
    assert codes("import numpy as np\ndef f(n):\n    return np.array([2] * n)\n") == []
    assert codes("import numpy as np\ndef f(n):\n    return np.array([-1.0] * n)\n") == []
    # comprehensions that are not one plain pass over range(n)
    for listed in (
        "[0 for i in range(n) if i]",
        "[0 for i in range(n) for j in range(2)]",
        "[0 for i in range(1, n)]",  # as many zeros as n - 1
        "[j for i in range(n)]",
        "[i for i in range(n) if i % 2]",
        "[2 for i in range(n)]",
        "[0 for i in xrange(n)]",
    ):
        assert codes(f"import numpy as np\ndef f(n, j):\n    return np.array({listed})\n") == [], listed
    assert codes("import numpy as np\ndef f(n):\n    return np.array([-0.0] * n)\n") == []
    assert codes("import numpy as np\ndef f(n):\n    return np.array([0, 0] * n)\n") == []
    assert codes("import numpy as np\nrange = lambda n: [1.5] * n\na = np.array(range(10**6))\n") == []
    assert codes("import numpy as np\nfrom mylib import list\na = np.array(list(range(10**6)))\n") == []
    assert codes("import mylib as np\na = np.array(range(10**6))\n") == []


def test_fix_without_usable_int_name_is_not_offered():
    code = "import numpy as np\nint = float\na = np.array([0] * 10**6)\n"
    (f,) = lint(code)
    assert f.fix is None


@pytest.mark.slow
def test_fixed_programs_print_the_same_and_peak_lower():
    assert_fix_keeps_behaviour(f"""
        import numpy as np
        a = np.array(list(range({N})))
        b = np.array(range(3, {N}, 2))
        print(a.dtype, a.shape, a.strides, a.flags.owndata, a.flags.writeable, int(a.sum()), a[-3:])
        print(b.dtype, b.shape, int(b.sum()), b[:3], b[-1])
        """)
    assert_fix_keeps_behaviour(f"""
        import numpy as np
        z = np.array([0] * {N})
        f = np.array([0.0] * {N})
        z[7] = 3
        print(z.dtype, z.shape, z.flags.owndata, int(z.sum()), f.dtype, f.shape, float(f.sum()))
        print(np.signbit(f).any())
        """)


@pytest.mark.slow
def test_fixed_bool_and_comprehension_programs_print_the_same_and_peak_lower():
    assert_fix_keeps_behaviour(f"""
        import numpy as np
        mask = np.array([False] * {N})
        counts = np.array([0 for _ in range({N})])
        ids = np.array([i for i in range(1, {N})])
        mask[3] = True
        counts[5] += 2
        print(mask.dtype, mask.shape, mask.flags.owndata, int(mask.sum()), counts.dtype, int(counts.sum()))
        print(ids.dtype, ids.shape, int(ids.sum()), ids[:3])
        """)


@pytest.mark.slow
def test_fixed_ones_programs_print_the_same_and_peak_lower():
    assert_fix_keeps_behaviour(f"""
        import numpy as np
        w = np.array([1.0] * {N})
        k = np.array([1] * {N})
        keep = np.array([True for _ in range({N})])
        w[2] = 0.5
        print(w.dtype, w.shape, float(w.sum()), k.dtype, int(k.sum()), keep.dtype, int(keep.sum()))
        print(w.flags.owndata, k.flags.writeable, keep.strides)
        """)


@pytest.mark.slow
def test_unsafe_fix_keeps_behaviour_for_positive_lengths():
    assert_fix_keeps_behaviour(
        f"""
        import numpy as np
        def ramp(n):
            return np.array(range(n))
        def blank(n):
            return np.array([0] * n)
        r, b = ramp({N}), blank({N})
        print(r.dtype, r.shape, int(r.sum()), b.dtype, b.shape, int(b.sum()))
        """,
        unsafe=True,
    )


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM014"]
    assert "MEM014" in codes(doc.example) and "MEM014" not in codes(doc.use_instead)


def test_literal_ranges_that_are_empty_or_odd_do_not_confuse_it():
    assert codes("import numpy as np\na = np.array(range(0))\nb = np.array(range(5, 0))\n") == []
    assert codes("import numpy as np\na = np.array(range(1, 10**6, 0))\n") == ["MEM014"]  # length unknown
    (f,) = lint("import numpy as np\na = np.array(range(2**70))\n")  # longer than sys.maxsize
    assert f.fix.applicability == "unsafe"
