"""Lists built by appending arrays (facts/lists.py): ``np.array(items)`` has the items' dtype when memlint sees
everything put into the list, and nothing when the list may receive anything else."""

import textwrap

import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, lint
from test_calls import described, value_of


@pytest.mark.parametrize(
    "code, expected",
    [
        (  # images read in a loop, then one array of them
            """
            images = []
            for p in paths:
                images.append(cv2.imread(p))
            a = np.asarray(images)
            """,
            ("ndarray", "uint8", 4, "fresh"),
        ),
        (  # two lists bound at once, resized grey images
            """
            xs, ys = [], []
            for p in paths:
                xs.append(cv2.resize(cv2.imread(p, cv2.IMREAD_GRAYSCALE), (32, 32)))
                ys.append(p)
            a = np.array(xs)
            """,
            ("ndarray", "uint8", 3, "fresh"),  # grey images resized to (32, 32), as many as the loop reads
        ),
        (  # a module-level list filled by a function that reads the global name
            """
            X = []
            def load():
                for p in paths:
                    X.append(np.expand_dims(cv2.imread(p, 0), axis=-1))
            load()
            a = np.array(X)
            """,
            ("ndarray", "uint8", 4, "fresh"),
        ),
        (  # flattened rows, put in by item assignment and read in between
            """
            rows = list()
            rows[0] = np.zeros((4, 4), np.uint16).flatten()
            print(len(rows), rows[0])
            a = np.stack(rows)
            """,
            ("ndarray", "uint16", 2, "fresh"),
        ),
        (
            "xs = []\nxs.append(np.zeros((3, 4), np.float32))\na = np.concatenate(xs)",
            ("ndarray", "float32", 2, "fresh"),
        ),
        (
            "xs = []\nxs.append(np.zeros(3, np.int8))\na = np.vstack(xs)",
            ("ndarray", "int8", 2, "fresh"),
        ),
        (
            "xs = []\nxs.append(np.zeros(3, np.int8))\na = np.array(xs, dtype=np.float32)",
            ("ndarray", "float32", 2, "fresh"),
        ),
        (  # a sliding window of frames: items taken out go nowhere
            """
            window, count = [], 0
            for p in paths:
                window.append(cv2.imread(p).astype(np.float32) / 255.0)
                if len(window) > 16:
                    window.pop(0)
                if count % 100 == 0:
                    window.clear()
                if count % 7 == 0:
                    del window[-1]
                count += 1
            a = np.array(window)
            """,
            ("ndarray", "float32", 4, "fresh"),
        ),
    ],
    ids=["imread", "tuple-bound", "global", "item-assignment", "concatenate", "vstack", "dtype", "pop-clear-del"],
)
def test_arrays_of_lists_built_here(code, expected):
    assert described(value_of("import cv2\nimport numpy as np\n" + textwrap.dedent(code), "a")) == expected


@pytest.mark.parametrize(
    "code",
    [
        # an item of another dtype
        "xs = []\nxs.append(cv2.imread(p))\nxs.append(np.zeros((4, 4, 3)))\na = np.array(xs)",
        # handed to code memlint does not see, which may put anything in
        "xs = []\nxs.append(cv2.imread(p))\naugment(xs)\na = np.array(xs)",
        "xs = []\nxs.append(cv2.imread(p))\nxs.extend(more)\na = np.array(xs)",
        "xs = []\nxs.append(cv2.imread(p))\nys = xs\nys.append(1.5)\na = np.array(xs)",
        "xs = []\nxs.append(cv2.imread(p))\nxs += more\na = np.array(xs)",
        "xs = []\nxs.append(cv2.imread(p))\nxs[1:] = more\na = np.array(xs)",
        # a function that declares the name global may bind it to anything
        "xs = []\ndef f():\n    global xs\n    xs.append(1.5)\nxs.append(cv2.imread(p))\na = np.array(xs)",
        # nothing is ever put in: np.array([]) is float64
        "xs = []\na = np.array(xs)",
        # the items' dtype is not known
        "xs = []\nxs.append(cv2.imread(p, cv2.IMREAD_UNCHANGED))\na = np.array(xs)",
    ],
    ids=["other-dtype", "passed", "extend", "second-name", "iadd", "slice", "global", "empty", "unknown-items"],
)
def test_lists_that_may_hold_anything_give_no_dtype(code):
    assert value_of("import cv2\nimport numpy as np\n" + code, "a").dtype is None


def test_a_local_list_of_a_function_is_another_variable():
    code = """
        import cv2
        import numpy as np
        xs = []
        def other():
            xs = []
            xs.append(np.zeros(3))
            return xs
        xs.append(cv2.imread(p))
        a = np.array(xs)
    """
    assert described(value_of(code, "a")) == ("ndarray", "uint8", 4, "fresh")


def test_a_list_a_nested_function_captures_is_not_followed():
    code = """
        import cv2
        import numpy as np
        def load(paths):
            xs = []
            def add(x):
                xs.append(x)
            for p in paths:
                xs.append(cv2.imread(p))
            add(np.zeros(3))
            return np.array(xs)
    """
    assert value_of(code, "np.array(xs)").dtype is None


def test_images_gathered_in_a_list_then_scaled_widen_them():
    found = lint(
        """
        import cv2
        import numpy as np

        images = []
        for path in ["a.png", "b.png"]:
            images.append(cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB))
        X = np.array(images)
        X = X / 255.0

        def grey(paths):
            frames, names = [], []
            for p in paths:
                frames.append(cv2.resize(cv2.imread(p, 0), (64, 64)).flatten())
                names.append(p)
            return np.stack(frames) * 0.5
    """,
        select=("MEM008",),
    )
    assert [f.line for f in found] == [9, 16]
    assert all("8x the uint8 array" in f.message for f in found)


def test_an_image_of_another_dtype_in_the_list_is_not_reported():
    assert not lint(
        """
        import cv2
        import numpy as np
        images = []
        for path in ["a.png", "b.png"]:
            images.append(cv2.imread(path))
        images.append(np.ones((4, 4, 3)))
        X = np.array(images) / 255.0
    """,
        select=("MEM008",),
    )


@pytest.mark.slow
def test_an_array_of_float32_frames_is_scaled_in_place():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        frames = []
        for i in range(20):
            frames.append(np.full((200, 250), i, dtype=np.float32))
        X = np.array(frames)
        X = X * 0.5
        print(X.dtype, X.shape, X.sum())
    """)
    assert "X *= 0.5" in fixed


@pytest.mark.parametrize("removal", ["rows.pop()", "rows.pop(0)", "del rows[0]", "rows.clear()"])
def test_a_list_items_leave_has_no_known_length(removal):
    code = f"import numpy as np\nrows = []\nrows.append(np.zeros(4))\nrows.append(np.ones(4))\n{removal}\na = np.array(rows)"
    got = value_of(code, "a")
    assert described(got) == ("ndarray", "float64", 2, "fresh") and got.shape is None
    assert value_of(code.replace(removal, "print(rows)"), "a").shape == (2, 4)  # without it: two rows


@pytest.mark.parametrize("read", ["print(rows)", "print(repr(rows))", "assert isinstance(rows, list)", "s = str(rows)"])
def test_a_builtin_that_reads_at_once_keeps_the_length_known(read):
    """calls.toml's builtins that keep none of their arguments (len, print, repr, str, isinstance...) hand out
    no item of the list: it still holds the two rows appended."""
    code = (
        f"import numpy as np\nrows = []\nrows.append(np.zeros(4))\nrows.append(np.ones(4))\n{read}\na = np.array(rows)"
    )
    assert value_of(code, "a").shape == (2, 4)


def test_a_function_of_the_file_named_as_a_builtin_may_fill_the_list():
    code = """
        import numpy as np
        def repr(items):
            items.append(np.zeros(4, np.int64))
        rows = []
        rows.append(np.zeros(4))
        repr(rows)
        a = np.array(rows)
        """
    assert value_of(textwrap.dedent(code), "a").shape is None


@pytest.mark.slow
def test_a_list_checked_by_isinstance_is_still_scaled_in_place():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        frames = []
        for i in range(20):
            frames.append(np.full((200, 250), i, dtype=np.float32))
        assert isinstance(frames, list), type(frames)
        X = np.array(frames)
        X = X * 0.5
        print(X.dtype, X.shape, X.sum(), repr(frames[3][0, :2]))
    """)
    assert "X *= 0.5" in fixed


@pytest.mark.slow
def test_trap_a_popped_row_leaves_a_smaller_array():
    # two rows appended, one popped: X is (1, 4), and X + grid broadcasts to (2, 4), which X += grid cannot hold
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np
        rows = []
        rows.append(np.zeros(4))
        rows.append(np.ones(4))
        rows.pop()
        X = np.array(rows)
        X = X + np.ones((2, 4))
        print(X.shape, X.sum())
        """,
        "X = X + np.ones((2, 4))",
        "X += np.ones((2, 4))",
    )


@pytest.mark.slow
def test_a_sliding_window_of_frames_is_scaled_in_place():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        frames = []
        for i in range(40):
            frames.append(np.full((200, 250), i, dtype=np.float32))
            if len(frames) > 16:
                frames.pop(0)
        X = np.array(frames)
        X = X * 0.5
        print(X.dtype, X.shape, X.sum())
    """)
    assert "X *= 0.5" in fixed


@pytest.mark.slow
def test_trap_a_list_extended_by_other_code_may_hold_integers():
    # what memlint sees appended is float32; what extend puts in is int64, and `X *= 0.5` raises on it
    assert_trap_not_fixed(
        "MEM001",
        """
        import sys
        import numpy as np
        frames = []
        if len(sys.argv) > 5:
            frames.append(np.zeros((200, 250), np.float32))
        frames.extend(np.full((200, 250), i) for i in range(20))
        X = np.array(frames)
        X = X * 0.5
        print(X.dtype, X.sum())
        """,
        "X = X * 0.5",
        "X *= 0.5",
    )
