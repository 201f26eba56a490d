"""Functions of the project as facts (facts/functions.py): what a call of a project function returns, and
which parameters it only reads.

Every summary that lets a fix through is tested by running the program before and after the fix; every
wrong summary that would break a fix (a helper that keeps, returns or writes its argument, a cached or shared
result) is a trap: memlint offers no fix there, and the naive in-place rewrite changes what the program prints.
"""

import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, fix, lint, run_program


def findings(code, select=("MEM001",)):
    return lint(code, select=select)


def assert_trap_not_fixed(code, naive_old, naive_new, select=("MEM001",)):
    """memlint fixes nothing here, and the naive rewrite would change the program's output."""
    code = textwrap.dedent(code)
    assert fix(code, unsafe=True, select=select) == code
    naive = code.replace(naive_old, naive_new)
    assert naive != code
    assert run_program(code)[0] != run_program(naive)[0], "the trap is not real"


# --- what a function returns ------------------------------------------------------------------------------

HELPER = """
    import numpy as np

    def make():
        out = np.zeros((512, 512), dtype=np.float32)
        out[0, 0] = 3
        return out
"""


@pytest.mark.slow
def test_a_fresh_array_returned_by_a_helper_is_fixed_at_the_call_site():
    fixed = assert_fix_keeps_behaviour(
        HELPER
        + """
    a = make()
    a = a * 2
    print(a.dtype, a.shape, a.sum())
    """
    )
    assert "a *= 2" in fixed


def test_the_helpers_dtype_and_shape_reach_the_message():
    (f,) = findings(HELPER + "\n    def g():\n        a = make()\n        a = a + 1\n        return a\n")
    assert "1.0 MiB float32" in f.message and f.fix.applicability == "safe"


@pytest.mark.slow
def test_helper_of_a_helper():
    code = (
        HELPER
        + """
    def twice():
        out = make()
        out *= 2
        return out

    b = twice()
    b = b - 1
    print(b.sum(), b.dtype)
    """
    )
    assert "b -= 1" in assert_fix_keeps_behaviour(code)


@pytest.mark.slow
def test_a_helper_that_keeps_its_result_is_no_fresh_array():
    assert_trap_not_fixed(
        """
        import numpy as np
        KEPT = []

        def make():
            out = np.zeros((512, 512))
            KEPT.append(out)
            return out

        a = make()
        a = a + 1
        print(KEPT[0].sum())
        """,
        "a = a + 1",
        "a += 1",
    )


@pytest.mark.slow
def test_a_cached_helper_hands_the_same_array_to_every_caller():
    assert_trap_not_fixed(
        """
        import functools
        import numpy as np

        @functools.lru_cache(maxsize=None)
        def table():
            return np.ones((512, 512))

        t = table()
        t = t * 2
        print(table().sum())
        """,
        "t = t * 2",
        "t *= 2",
    )


@pytest.mark.slow
def test_a_helper_returning_a_global_array():
    assert_trap_not_fixed(
        """
        import numpy as np
        G = np.ones((512, 512))

        def get():
            return G

        g = get()
        g = g + 1
        print(G.sum())
        """,
        "g = g + 1",
        "g += 1",
    )


@pytest.mark.slow
def test_a_helper_returning_a_view_of_its_argument():
    assert_trap_not_fixed(
        """
        import numpy as np

        def first_rows(x):
            return x[:256]

        base = np.ones((512, 512))
        top = first_rows(base)
        top = top + 1
        print(base.sum())
        """,
        "top = top + 1",
        "top += 1",
    )


@pytest.mark.slow
def test_a_rebound_helper_name_has_no_summary():
    code = """
    import numpy as np
    KEPT = []

    def make():
        return np.zeros((512, 512))

    def keeping():
        out = np.zeros((512, 512))
        KEPT.append(out)
        return out

    make = keeping
    a = make()
    a = a + 1
    print(KEPT[0].sum())
    """
    assert_trap_not_fixed(code, "a = a + 1", "a += 1")


def test_only_a_plain_module_level_def_is_summarized():
    # a method, a nested function and a helper that may end without return: nothing is known of the call
    code = """
    import numpy as np

    class Maker:
        def make(self):
            return np.zeros((512, 512))

    def maybe(flag):
        if flag:
            return np.zeros((512, 512))

    def g():
        def inner():
            return np.zeros((512, 512))
        a = Maker().make()
        a = a + 1
        b = inner()
        b = b + 1
        c = maybe(True)
        c = c + 1
        return a, b, c
    """
    assert findings(code) == []


def test_recursion_has_no_summary_and_does_not_loop():
    code = """
    import numpy as np

    def build(n):
        if n == 0:
            return np.zeros((512, 512))
        return build(n - 1) + 1

    def ping(n):
        return pong(n)

    def pong(n):
        return ping(n)

    a = build(3)
    a = a + 1
    """
    assert lint(code) is not None  # no crash, no endless loop


# --- parameters a function only reads -------------------------------------------------------------------

READERS = """
    import numpy as np

    def describe(x, scale=1.0):
        m = np.asarray(x)
        top = m[0]
        print(x.shape, float(top.sum()) * scale, len(x))
        return float(m.mean())
"""


@pytest.mark.slow
def test_passing_a_fresh_array_to_a_reading_helper_keeps_the_fix():
    fixed = assert_fix_keeps_behaviour(
        READERS
        + """
    a = np.ones((512, 512))
    describe(a)
    describe(scale=2.0, x=a)
    a = a * 3
    print(a.sum())
    """
    )
    assert "a *= 3" in fixed


# Helpers that keep, hand back or let escape their argument (or a row or view of it): the caller's
# `a = a + 1` must stay as written, or what the helper kept would change.
HELPERS_KEEPING_THE_ARGUMENT = {
    "keeping-a-row-of-its-argument": """
    import numpy as np
    KEPT = []

    def keep_row(x):
        KEPT.append(x[0])
        return 0

    a = np.ones((512, 512))
    keep_row(a)
    a = a + 1
    print(KEPT[0].sum())
    """,
    "returning-its-argument": """
        import numpy as np

        def same(x):
            return x

        a = np.ones((512, 512))
        b = same(a)
        a = a + 1
        print(b.sum())
        """,
    "capturing-its-argument": """
        import numpy as np
        LATER = []

        def defer(x):
            LATER.append(lambda: x.sum())
            return 0

        a = np.ones((512, 512))
        defer(a)
        a = a + 1
        print(LATER[0]())
        """,
    "whose-alias-of-the-argument-escapes": """
        import numpy as np
        KEPT = {}

        def register(x):
            m = np.asarray(x).T
            KEPT["m"] = m
            return m.shape[0]

        a = np.ones((512, 512))
        register(a)
        a = a + 1
        print(KEPT["m"].sum())
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize("code", HELPERS_KEEPING_THE_ARGUMENT.values(), ids=HELPERS_KEEPING_THE_ARGUMENT.keys())
def test_a_helper_keeping_or_returning_its_argument_is_a_trap(code):
    assert_trap_not_fixed(code, "a = a + 1", "a += 1")


@pytest.mark.slow
def test_a_helper_returning_its_argument_called_for_its_output():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def show(img):
            print(img.shape, float(img[0, :4].sum()))
            return img

        a = np.ones((512, 512))
        show(a)
        a = a * 3
        print(a.sum())
        """
    )
    assert "a *= 3" in fixed


@pytest.mark.slow
def test_a_reading_helper_keeps_the_flatten_fix():
    fixed = assert_fix_keeps_behaviour(
        READERS
        + """
    a = np.ones((512, 512))
    a[0, :3] = (1, 2, 3)
    flat = a.flatten()
    describe(a)
    print(flat[:3], flat.sum())
    """,
        saves_memory=False,
    )
    assert "a.ravel()" in fixed


@pytest.mark.slow
def test_a_helper_writing_into_its_argument():
    # ravel would make `flat` a view of `a`: the helper's write would then show through it
    assert_trap_not_fixed(
        """
        import numpy as np

        def zero_first(x):
            row = x[0]
            row[:] = 0
            return 0

        a = np.ones((512, 512))
        flat = a.flatten()
        zero_first(a)
        print(flat[:3])
        """,
        "a.flatten()",
        "a.ravel()",
        select=("MEM012",),
    )


# --- functions of other files: the project index, and the cache that knows who depends on whom -------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from helpers import config  # noqa: E402

from memlint import engine  # noqa: E402
from memlint.fix import fix_text  # noqa: E402

LAB_IO = """
import numpy as np

def load_scan(n):
    out = np.zeros((512, 512), dtype=np.float32)
    out[0, :3] = (n, 2, 3)
    return out

def describe(x):
    print(x.shape, float(x[0, :3].sum()))
    return np.zeros((2, 2))
"""
LAB_IO_KEEPING = LAB_IO.replace("print(x.shape, float(x[0, :3].sum()))", "KEPT.append(x)").replace(
    "import numpy as np\n", "import numpy as np\nKEPT = []\n"
)
MAIN = """
import numpy as np
from lab.io import describe, load_scan

def run():
    scan = load_scan(1)
    scan = scan * 2
    other = np.ones((512, 512))
    describe(other)
    other = other + 1
    return float(scan.sum()), float(other.sum())

print(run())
"""


def write_project(root, io_code=LAB_IO):
    (root / "lab").mkdir(exist_ok=True)
    (root / "lab" / "__init__.py").write_text("")
    (root / "lab" / "io.py").write_text(textwrap.dedent(io_code))
    (root / "main.py").write_text(textwrap.dedent(MAIN))


def check_project(root, use_cache=False):
    result = engine.run([root], config(root=root, select=["MEM001"]), jobs=1, use_cache=use_cache)
    return {(f.line, f.fix is not None) for f in result.findings if f.path.endswith("main.py")}


def run_main(root) -> str:
    done = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_function_of_another_file_gives_its_result_and_its_reads(tmp_path):
    write_project(tmp_path)
    assert check_project(tmp_path) == {(7, True), (10, True)}
    before = run_main(tmp_path)
    result = engine.run([tmp_path], config(root=tmp_path, select=["MEM001"]), jobs=1, use_cache=False)
    main = tmp_path / "main.py"
    text = main.read_text()
    first = [f for f in result.findings if f.path.endswith("main.py")]
    settings = config(root=tmp_path, select=["MEM001"])
    fixed, applied, errors = fix_text(str(main), text, settings, False, first, main, functions=result.functions)
    assert applied == 2 and not errors and "scan *= 2" in fixed and "other += 1" in fixed
    main.write_text(fixed)
    assert run_main(tmp_path) == before


def test_a_changed_function_rechecks_its_callers_through_the_cache(tmp_path, counted):
    write_project(tmp_path)
    assert check_project(tmp_path, use_cache=True) == {(7, True), (10, True)}
    counted.clear()  # the files checked from here on
    assert check_project(tmp_path, use_cache=True) == {(7, True), (10, True)}
    assert counted == []  # nothing changed: every result from the cache
    (tmp_path / "lab" / "io.py").write_text(textwrap.dedent(LAB_IO_KEEPING))
    # main.py did not change, but describe() now keeps its argument: main.py is checked again
    assert check_project(tmp_path, use_cache=True) == {(7, True), (10, False)}
    assert any(p.endswith("main.py") for p in counted)
    assert check_project(tmp_path, use_cache=False) == {(7, True), (10, False)}  # as a fresh run says
