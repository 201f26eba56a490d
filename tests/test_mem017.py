import subprocess
import sys
from pathlib import Path

import pytest
from helpers import assert_fix_keeps_behaviour, codes, fix, lint


def test_large_full_zero_is_reported_with_bytes_and_safe_fix():
    (f,) = lint("import numpy as np\na = np.full((1000, 1000), 0.0)\n")
    assert f.code == "MEM017" and f.estimated_bytes == 8_000_000
    assert f.fix.applicability == "safe"
    assert (
        fix("import numpy as np\na = np.full((1000, 1000), 0.0)\n")
        == "import numpy as np\na = np.zeros((1000, 1000))\n"
    )


def test_fix_keeps_dtype_order_and_comments():
    code = "import numpy as np\na = np.full(  # grid\n    (1000, 1000), 0, np.float32, order='F')\n"
    assert fix(code) == "import numpy as np\na = np.zeros(  # grid\n    (1000, 1000), np.float32, order='F')\n"


def test_never_reported():
    assert codes("import numpy as np\na = np.full((1000, 1000), -0.0)\n") == []
    assert codes("import numpy as np\na = np.full((1000, 1000), 0)\n") == []  # int64, not float
    assert codes("import numpy as np\na = np.full((1000, 1000), 0, dtype='U5')\n") == []
    assert codes("import numpy as np\na = np.full((10, 10), 0.0)\n") == []  # known small
    assert codes("import mylib as np\na = np.full((1000, 1000), 0.0)\n") == []  # not numpy
    assert codes("from numpy import full\nfull = print\nfull((1000, 1000), 0.0)\n") == []


def test_sizes_spelled_with_named_constants_are_known():
    # A 10x10 grid through a module constant is 800 bytes: nothing to save (seen in real user code).
    small = "import numpy as np\nN = 10\ngrid = np.full((N, N), 0.0)\ndef f():\n    return np.full((N, N), 0.0)\n"
    assert codes(small) == []
    # also read through `global` (only read there), beside a function that rebinds another global
    declared = "import numpy as np\nN = 10\ndef f():\n    global N, p\n    p = np.full((N, N), 0.0)\n"
    assert codes(declared) == []
    rebound = "import numpy as np\nN = 10\ndef g():\n    global N\n    N = 10_000\ndef f():\n    return np.full((N, N), 0.0)\n"
    assert codes(rebound) == ["MEM017"]  # N may be anything when f runs
    (f,) = lint("import numpy as np\nN = 2_000\ngrid = np.full((N, N), 0.0)\n")
    assert f.estimated_bytes == 32_000_000 and f.fix.applicability == "safe"


def test_from_import_spelling_uses_imported_zeros():
    code = "from numpy import full, zeros\na = full((1000, 1000), 0.0)\n"
    assert fix(code) == "from numpy import full, zeros\na = zeros((1000, 1000))\n"


@pytest.mark.slow
def test_fixed_program_prints_the_same():
    assert_fix_keeps_behaviour(
        """
        import numpy as np
        a = np.full((512, 512), 0.0)
        a[3, 4] = 2.5
        print(a.dtype, a.shape, a.strides, a.sum(), a.flags.owndata)
        """,
        saves_memory=False,  # tracemalloc counts lazy pages too: resident memory is measured in test_rss
    )


RSS_PROGRAM = """
import numpy as np

def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))

before = rss()
grid = np.full((4096, 4096), 0.0)
grown = rss() - before
grid[0, :10] = 1.0
print(grid.dtype, grid.shape, grid.sum())
print("GROWN", grown)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="resident memory is read from Linux /proc")
def test_fix_lowers_resident_memory_in_a_child_process():
    """tracemalloc counts np.zeros' lazy pages as allocated; only the resident set shows the saving."""
    fixed = fix(RSS_PROGRAM)
    assert "np.zeros((4096, 4096))" in fixed

    def run(code):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()
        return lines[:-1], int(lines[-1].split()[1])

    before_output, before_grown = run(RSS_PROGRAM)
    after_output, after_grown = run(fixed)
    assert before_output == after_output
    array_bytes = 4096 * 4096 * 8  # 128 MiB
    assert before_grown > 0.9 * array_bytes
    assert after_grown < 0.1 * array_bytes


def test_black_style_call_keeps_the_comment_on_the_shape_line():
    code = "import numpy as np\ndef f():\n    a = np.full(\n        (1000, 1000),  # shape\n        0.0,\n    )\n"
    assert fix(code) == "import numpy as np\ndef f():\n    a = np.zeros(\n        (1000, 1000),  # shape\n    )\n"
    code = "import numpy as np\na = np.full(\n    (1000, 1000),\n    0.0,\n)\n"
    assert fix(code) == "import numpy as np\na = np.zeros(\n    (1000, 1000),\n)\n"
