"""Where arrays come from (facts/calls.toml): each entry checked against the installed library where it is
installed, the facts it gives, the findings they enable, and a trap for every entry a wrong assumption would
turn into a wrong fix."""

import ast
import contextlib
import inspect
import io
import sys
import textwrap

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, config, fix, lint, run_program, write_video

from memlint.context import FileContext, SourceText
from memlint.facts import calls


def value_of(code: str, expr: str, **settings):
    """The facts' Value of ``expr`` read after ``code``."""
    code = textwrap.dedent(code) + f"\nprint({expr})\n"
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config(**settings))
    found = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.expr) and ast.unparse(n) == expr and not isinstance(getattr(n, "ctx", None), ast.Store)
    ]
    node = max(found, key=lambda n: (n.lineno, n.col_offset))
    return ctx.arrays.value(node)


def described(v) -> tuple:
    return (v.kind, str(v.dtype) if v.dtype is not None else None, v.ndim, v.ownership)


def outcome(code: str) -> str:
    try:
        return run_program(code)[0]
    except AssertionError as e:  # the program raised
        return "raised: " + str(e).strip().splitlines()[-1]


def assert_trap_not_fixed(code: str, naive_old: str, naive_new: str) -> None:
    """memlint leaves the code alone, and the naive rewrite would change what it does."""
    code = textwrap.dedent(code)
    assert fix(code, unsafe=True) == code
    naive = code.replace(naive_old, naive_new)
    assert naive != code
    assert outcome(code) != outcome(naive), "the trap is not real: the naive rewrite behaves the same"


# --- the data -----------------------------------------------------------------------------------------------


def test_every_library_entry_parses_and_says_how_it_was_checked():
    tables = dict(calls._library_tables().values())
    assert len(tables) >= 15
    for name, table in tables.items():
        assert table.get("checked"), name
    entries = calls.library()
    assert "tensorflow.keras.datasets.mnist.load_data" in entries  # `also` names
    assert entries["numpy.hamming"] is entries["numpy.hanning"]


@pytest.mark.parametrize(
    "table, error",
    [
        ({"kind": "array"}, "`x.kind` must be one of ndarray, dataframe, series, tensor, other"),
        ({"dtype": "uint13"}, "`x.dtype` is not a dtype numpy accepts"),
        ({"ndim": -1}, "`x.ndim` must be a non-negative integer"),
        ({"ndim": True}, "`x.ndim` must be a non-negative integer"),
        ({"owner": "mine"}, "`x.owner` must be one of fresh, shares-input, read-only, file-backed"),
        ({"returns": []}, "`x.returns` is not a key of a call"),
        ("ndarray", "`x` must be a table"),
    ],
)
def test_a_bad_entry_names_its_key(table, error):
    with pytest.raises(calls.CallsError, match=error.replace(".", r"\.").replace("`", "`")):
        calls.parse_entry(table, "x")


# --- checked against the installed libraries ------------------------------------------------------------


@pytest.mark.slow
def test_cv2_imread_entries_match_opencv(tmp_path):
    cv2 = pytest.importorskip("cv2")
    png8, png16 = str(tmp_path / "a.png"), str(tmp_path / "b.png")
    cv2.imwrite(png8, np.zeros((4, 5, 3), np.uint8))
    cv2.imwrite(png16, np.zeros((4, 5), np.uint16))  # a 16-bit one-channel file: the flags still decide
    entry = calls.library()["cv2.imread"]
    for spelling, flags in [("", None), ("1", 1), ("cv2.IMREAD_COLOR", cv2.IMREAD_COLOR), ("0", 0)]:
        case = entry.merged(entry.cases[spelling])
        for path in (png8, png16):
            img = cv2.imread(path) if flags is None else cv2.imread(path, flags)
            assert type(img) is np.ndarray and img.flags.writeable and img.base is None
            assert (img.dtype, img.ndim) == (case.dtype, case.ndim)
    assert cv2.imread(png16, cv2.IMREAD_UNCHANGED).dtype == np.uint16  # why UNCHANGED has no case
    src = np.zeros((4, 5, 3), np.uint8)
    converted = cv2.cvtColor(src, cv2.COLOR_BGR2RGB)
    assert type(converted) is np.ndarray and not np.shares_memory(converted, src) and converted.flags.writeable


@pytest.mark.slow
def test_cv2_videocapture_read_matches_opencv(tmp_path):
    cv2 = pytest.importorskip("cv2")
    write_video(tmp_path / "v.avi", size=(32, 24))
    entry = calls.library()["cv2.VideoCapture().read"]
    assert calls.library()["cv2.VideoCapture().retrieve"] == entry
    frame_entry = entry.items[1]
    assert (frame_entry.kind, frame_entry.owner, frame_entry.numeric) == ("ndarray", "fresh", True)
    assert frame_entry.dtype is None and frame_entry.ndim is None
    cap = cv2.VideoCapture(str(tmp_path / "v.avi"))
    frames = []
    while True:
        ret, frame = cap.read()
        if not ret:
            assert frame is None  # after the last frame: arithmetic on it raises before memory matters
            break
        assert type(frame) is np.ndarray and frame.flags.writeable and frame.flags.owndata and frame.base is None
        assert not frame.dtype.hasobject and not any(np.shares_memory(frame, f) for f, _ in frames)
        frames.append((frame, frame.copy()))
    assert len(frames) == 3 and all((f == kept).all() for f, kept in frames)  # later reads write none of them
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    assert cap.grab()
    ret, frame = cap.retrieve()
    assert ret and type(frame) is np.ndarray and frame.flags.owndata and frame.base is None
    # image=buf: OpenCV decodes into buf and returns it (why `unless`)
    buf = np.zeros_like(frames[0][0])
    ret, frame = cap.read(buf)
    assert frame is buf
    ret, frame = cap.read(image=buf)
    assert frame is buf
    cap.release()
    # why no dtype nor ndim: the image-sequence backend keeps each file's depth and channels
    for i in range(2):
        cv2.imwrite(str(tmp_path / f"f{i:02d}.png"), np.full((4, 5), 40000, np.uint16))
    cap = cv2.VideoCapture(str(tmp_path / "f%02d.png"), cv2.CAP_IMAGES)
    ret, frame = cap.read()
    assert ret and (frame.dtype, frame.ndim) == (np.uint16, 2)


_IMREAD_FLAGS = [
    "",
    ", 1",
    ", 0",
    ", cv2.IMREAD_COLOR",
    ", cv2.IMREAD_COLOR_BGR",
    ", cv2.IMREAD_COLOR_RGB",
    ", cv2.IMREAD_GRAYSCALE",
    ", cv2.IMREAD_UNCHANGED",
    ", cv2.IMREAD_ANYDEPTH",
    ", cv2.IMREAD_ANYCOLOR",
]


@pytest.mark.slow
@pytest.mark.parametrize("flags", _IMREAD_FLAGS)
def test_cv2_imread_and_resize_shapes_match_opencv(tmp_path, flags):
    # what memlint states of cv2.resize(cv2.imread(p, flags), (7, 5)) (and of imdecode), against what OpenCV
    # gives for PNGs of 1, 3 and 4 channels at 8 and 16 bits: a shape only where every file gives it
    cv2 = pytest.importorskip("cv2")
    files = []
    for channels in (1, 3, 4):
        for dtype in (np.uint8, np.uint16):
            path = str(tmp_path / f"{channels}-{np.dtype(dtype).itemsize}.png")
            cv2.imwrite(path, np.zeros((4, 6) if channels == 1 else (4, 6, channels), dtype))
            files.append(path)
    for reader in ("cv2.imread(p{})", "cv2.imdecode(buf{})") if flags else ("cv2.imread(p{})",):
        read = reader.format(flags)  # imdecode has no default flags
        stated = value_of(f"import cv2\nimg = cv2.resize({read}, (7, 5))", "img")
        image = value_of(f"import cv2\nimg = {read}", "img")
        for path in files:
            buf = np.fromfile(path, np.uint8)
            img = eval(read, {"cv2": cv2, "p": path, "buf": buf})
            resized = cv2.resize(img, (7, 5))
            if stated.shape is not None:
                assert resized.shape == stated.shape and resized.dtype == stated.dtype, (read, path)
            if image.channels is not None:
                assert img.shape[2] == image.channels, (read, path)
    # the flags that convert to colour or grey give a size; those that keep the file's channels do not
    knows = "UNCHANGED" not in flags and "ANY" not in flags
    assert (stated.shape is not None) == knows
    assert (image.channels is not None) == (knows and stated.ndim == 3)


@pytest.mark.parametrize(
    "code",
    [
        "img = cv2.imread(p).T",  # (3, w, h): the channels are no longer the last axis
        "img = cv2.imread(p).transpose(1, 0, 2).view(np.uint16)",  # the last axis halves with the itemsize
        "img = np.concatenate([cv2.imread(p), alpha], axis=2)",  # a fourth channel
        "img = cv2.imread(p) if gray else cv2.imread(p, cv2.IMREAD_UNCHANGED)",  # one or the other file's
        "img = cv2.imread(p)[..., :2]",
        "img = cv2.imread(p).reshape(h, w, -1)",
    ],
)
def test_an_image_whose_last_axis_may_change_has_no_known_channels(code):
    # the trap: a kept channel count would give cv2.resize a shape (and MEM012 a size) the program does not have
    v = value_of(f"import cv2\nimport numpy as np\n{code}\nout = cv2.resize(img, (4000, 3000))", "out")
    assert v.shape is None
    assert value_of(f"import cv2\nimport numpy as np\n{code}", "img").channels is None


def test_a_copy_of_a_colour_image_keeps_its_three_channels():
    for code in ("img = cv2.imread(p).copy()", "img = cv2.imread(p)\nif c:\n    img = cv2.imread(q, 1)"):
        v = value_of(f"import cv2\n{code}\nout = cv2.resize(img, (40, 30))", "out")
        assert (v.shape, str(v.dtype)) == ((30, 40, 3), "uint8")


def test_channels_is_stated_beside_ndim_3():
    assert calls.parse_entry({"ndim": 3, "channels": 4}, "x", True).channels == 4
    for table in (
        {"ndim": 2, "channels": 3},
        {"channels": 3},
        {"ndim": 3, "channels": 0},
        {"ndim": 3, "channels": "3"},
    ):
        with pytest.raises(calls.CallsError, match="x.channels"):
            calls.parse_entry(table, "x", True)


def test_cv2_resize_and_cvtcolor_keep_the_dtype_of_their_source():
    cv2 = pytest.importorskip("cv2")
    for name in ("cv2.resize", "cv2.cvtColor"):
        assert calls.library()[name].dtype_of_argument == ("src", 0)
    for dtype in (np.uint8, np.uint16, np.float32):
        src = np.zeros((6, 8, 3), dtype)
        assert cv2.resize(src, (4, 3)).dtype == dtype
        assert cv2.cvtColor(src, cv2.COLOR_BGR2RGB).dtype == dtype
        assert cv2.cvtColor(src, cv2.COLOR_BGR2GRAY).dtype == dtype
    assert cv2.resize(np.zeros((6, 8, 1), np.uint8), (4, 3)).ndim == 2  # why ndim is not stated
    code = "import cv2\nimport numpy as np\nsrc = np.zeros((6, 8), np.uint16)\n"
    assert described(value_of(code + "a = cv2.resize(src, (4, 3))", "a")) == ("ndarray", "uint16", 2, "fresh")
    assert value_of(code + "a = cv2.cvtColor(src, cv2.COLOR_GRAY2BGR)", "a").dtype == np.uint16
    assert value_of("import cv2\na = cv2.resize(src, (4, 3))", "a").dtype is None


def test_cv2_warps_make_new_arrays_of_their_source_dtype_and_return_dst():
    cv2 = pytest.importorskip("cv2")
    for name in ("cv2.warpPerspective", "cv2.warpAffine"):
        assert calls.library()[name].dtype_of_argument == ("src", 0)
    for dtype in (np.uint8, np.uint16, np.float32):
        src = np.zeros((6, 8, 3), dtype)
        for warped in (cv2.warpPerspective(src, np.eye(3), (4, 3)), cv2.warpAffine(src, np.eye(2, 3), (4, 3))):
            assert type(warped) is np.ndarray and warped.dtype == dtype and warped.flags.owndata
            assert warped.flags.writeable and not np.shares_memory(warped, src)
    dst = np.zeros((3, 4), np.uint8)
    assert cv2.warpPerspective(np.zeros((6, 8), np.uint8), np.eye(3), (4, 3), dst) is dst  # why dst= is a case
    code = "import cv2 as cv\nimport numpy as np\nsrc = np.zeros((6, 8), np.uint16)\n"
    got = value_of(code + "a = cv.warpPerspective(src, m, (4, 3))", "a")
    assert described(got) == ("ndarray", "uint16", 2, "fresh") and got.shape == (3, 4)
    assert value_of(code + "a = cv.warpAffine(src, m, (4, 3), d)", "a").ownership == "unknown_call"


@pytest.mark.slow
def test_trap_warp_into_dst_returns_dst():
    pytest.importorskip("cv2")
    # with dst= the warp returns dst itself: writing the result in place would change dst too
    code = """
        import cv2
        import numpy as np
        src = np.ones((512, 512), np.float32)
        dst = np.zeros((512, 512), np.float32)
        a = cv2.warpAffine(src, np.eye(2, 3), (512, 512), dst)
        a = a * 2
        print(dst.sum(), a.sum())
        """
    assert_trap_not_fixed(code, "a = a * 2", "a *= 2")


@pytest.mark.slow
@pytest.mark.parametrize("module, function", [("imageio.v3", "imread"), ("skimage.io", "imread")])
def test_image_readers_give_new_writeable_ndarrays(tmp_path, module, function):
    reader = getattr(pytest.importorskip(module), function)
    cv2 = pytest.importorskip("cv2")
    path = str(tmp_path / "a.png")
    cv2.imwrite(path, np.zeros((4, 5, 3), np.uint8))
    img = reader(path)
    assert type(img) is np.ndarray and img.flags.writeable and img.flags.owndata
    got = value_of(f"import {module}\na = {module}.{function}('a.png')", "a")
    assert described(got) == ("ndarray", None, None, "fresh")  # a PNG's dtype and ndim follow the file


def test_tifffile_imread(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "a.tif", np.zeros((3, 4), np.uint16))
    img = tifffile.imread(tmp_path / "a.tif")
    assert type(img) is np.ndarray and img.flags.writeable and img.dtype == np.uint16
    # numeric whatever the file: TIFF samples are numbers, and no object or bytes array can be written
    for dtype in ("bool", "int8", "int32", "float16", "float64", "complex64"):
        tifffile.imwrite(tmp_path / "b.tif", np.ones((2, 3), dtype))
        assert not tifffile.imread(tmp_path / "b.tif").dtype.hasobject
    for bad in (np.array([["a"]], dtype=object), np.array([b"ab"])):
        with pytest.raises(KeyError):
            tifffile.imwrite(tmp_path / "c.tif", bad)
    assert calls.library()["tifffile.imread"].numeric
    v = value_of("import tifffile\nimg = tifffile.imread(p)", "img")
    assert (v.kind, v.holds_no_objects, v.ownership) == ("ndarray", True, "fresh")
    v = value_of("import tifffile\nimg = tifffile.imread(p, out='memmap')", "img")
    assert v.kind != "ndarray" and not v.holds_no_objects  # a memmap: not stated


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["load_iris", "load_digits", "load_wine", "load_breast_cancer", "load_diabetes", "make_blobs"]
)
def test_sklearn_entries_match_scikit_learn(name):
    datasets = pytest.importorskip("sklearn.datasets")
    entry = calls.library()[f"sklearn.datasets.{name}"]
    if entry.cases:
        X, y = getattr(datasets, name)(return_X_y=True)
        entry = entry.merged(entry.cases["True"])
    else:
        X, y = getattr(datasets, name)()
    for array, item in zip((X, y), entry.items):
        assert type(array) is np.ndarray and array.flags.writeable
        assert (array.dtype, array.ndim) == (item.dtype, item.ndim)


_SPLITTER_ARGUMENTS = {
    "RepeatedKFold": {"n_splits": 2, "n_repeats": 2},
    "RepeatedStratifiedKFold": {"n_splits": 2, "n_repeats": 2},
    "StratifiedShuffleSplit": {"n_splits": 2, "test_size": 0.5},
    "LeavePOut": {"p": 2},
    "LeavePGroupsOut": {"n_groups": 2},
    "PredefinedSplit": {"test_fold": np.arange(20) % 3},
}


@pytest.mark.slow
def test_sklearn_splitters_yield_what_their_entries_say_and_only_read_their_arguments():
    """Every splitter named: each split is two 1-d default-int ndarrays (owning their data where the entry says
    "fresh"); split works on read-only X, y and groups (a mapped .npy) and leaves writeable ones unchanged."""
    model_selection = pytest.importorskip("sklearn.model_selection")
    names = [n for n, (_, table) in calls._library_tables().items() if n.startswith("sklearn.model_selection.")]
    assert len(names) == 15
    for name in names:
        entry = calls.library()[name]
        assert entry.reads and entry.yields is not None and len(entry.yields.items) == 2, name
        cls = name.split(".")[2].removesuffix("()")
        splitter = getattr(model_selection, cls)(**_SPLITTER_ARGUMENTS.get(cls, {}))
        for writeable in (True, False):
            X, y, groups = np.arange(40.0).reshape(20, 2), np.arange(20) % 2, np.arange(20) // 4
            for a in (X, y, groups):
                a.flags.writeable = writeable
            saved = [a.copy() for a in (X, y, groups)]
            for split in splitter.split(X, y, groups):
                assert type(split) is tuple and len(split) == 2, name
                for index, item in zip(split, entry.yields.items):
                    assert type(index) is np.ndarray and (index.dtype, index.ndim) == (item.dtype, item.ndim), name
                    assert index.flags.owndata or item.owner != "fresh", name
            assert all(np.array_equal(a, b) for a, b in zip((X, y, groups), saved)), name


def test_numpy_entries_match_numpy(tmp_path):
    path = tmp_path / "a.bin"
    np.arange(6, dtype=np.uint16).tofile(path)
    for name, data in [
        ("numpy.fromfile", np.fromfile(path)),
        ("numpy.fromfile", np.fromfile(path, dtype=np.uint16)),
        ("numpy.hanning", np.hanning(5)),
        ("numpy.kaiser", np.kaiser(5, 2.0)),
    ]:
        entry = calls.library()[name]
        assert type(data) is np.ndarray and data.flags.writeable and data.flags.owndata
        assert data.ndim == entry.ndim
    assert np.fromfile(path).dtype == calls.library()["numpy.fromfile"].dtype  # the default, float64


# --- facts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, expr, expected",
    [
        ("import cv2\nimg = cv2.imread(p)", "img", ("ndarray", "uint8", 3, "fresh")),
        ("import cv2\nimg = cv2.imread(p, 0)", "img", ("ndarray", "uint8", 2, "fresh")),
        ("import cv2\nimg = cv2.imread(p, cv2.IMREAD_GRAYSCALE)", "img", ("ndarray", "uint8", 2, "fresh")),
        ("import cv2\nimg = cv2.imread(p, cv2.IMREAD_UNCHANGED)", "img", ("ndarray", None, None, "fresh")),
        ("import cv2\nimg = cv2.imread(p, flags)", "img", ("ndarray", None, None, "fresh")),
        ("import cv2\nimg = cv2.cvtColor(a, c, out)", "img", ("unknown", None, None, "unknown_call")),
        ("from cv2 import imread\nimg = imread(p)", "img", ("ndarray", "uint8", 3, "fresh")),
        ("import cv2\ncap = cv2.VideoCapture(p)\nok, frame = cap.read()", "frame", ("ndarray", None, None, "fresh")),
        ("import cv2\nok, frame = cv2.VideoCapture(p).retrieve()", "frame", ("ndarray", None, None, "fresh")),
        (
            "import cv2\ncap = cv2.VideoCapture(p)\nok, frame = cap.read(buf)",
            "frame",
            ("unknown", None, None, "unknown"),
        ),
        ("import cv2\ncap = cv2.VideoCapture(p)\nok, f = cap.read(image=b)", "f", ("unknown", None, None, "unknown")),
        (
            "from keras.datasets import mnist\n(x, y), (xt, yt) = mnist.load_data()",
            "x",
            ("ndarray", "uint8", 3, "fresh"),
        ),
        (
            "import tensorflow as tf\n(x, y), _ = tf.keras.datasets.mnist.load_data()",
            "y",
            ("ndarray", "uint8", 1, "fresh"),
        ),
        (
            "from keras.datasets import fashion_mnist\n(x, y), _ = fashion_mnist.load_data()",
            "x",
            ("ndarray", "uint8", 3, "read_only"),
        ),
        (
            "from keras.datasets import mnist\ntrain, test = mnist.load_data()\nx = train[0]",
            "x",
            ("ndarray", "uint8", 3, "fresh"),
        ),
        ("from keras.datasets import mnist\n(x, y, z), _ = mnist.load_data()", "x", ("unknown", None, None, "unknown")),
        (
            "from sklearn.datasets import load_iris\nX, y = load_iris(return_X_y=True)",
            "X",
            ("ndarray", "float64", 2, "fresh"),
        ),
        (
            "from sklearn.datasets import load_iris\nX, y = load_iris(return_X_y=True, as_frame=True)",
            "X",
            ("unknown", None, None, "unknown"),
        ),
        (
            "from sklearn.datasets import make_blobs\nX, y = make_blobs(return_centers=True)",
            "X",
            ("unknown", None, None, "unknown"),
        ),
        ("import numpy as np\na = np.fromfile(f, dtype=np.uint16)", "a", ("ndarray", "uint16", 1, "fresh")),
        ("import numpy as np\na = np.fromfile(f)", "a", ("ndarray", "float64", 1, "fresh")),
        ("import numpy as np\na = np.fromfile(f, dtype=t)", "a", ("ndarray", None, 1, "fresh")),
        ("import numpy as np\na = np.genfromtxt(f)", "a", ("ndarray", "float64", None, "fresh")),
        ("import numpy as np\na = np.genfromtxt(f, usemask=True)", "a", ("unknown", None, None, "unknown_call")),
        ("import numpy as np\na = np.genfromtxt(f, names=True)", "a", ("unknown", None, None, "unknown_call")),
        ("import numpy as np\na = np.hanning(256)", "a", ("ndarray", "float64", 1, "fresh")),
        ("import numpy as np\na = np.load(p)", "a", ("ndarray", None, None, "fresh")),
        ("import numpy as np\na = np.load('x.npy')", "a", ("ndarray", None, None, "fresh")),
        ("import numpy as np\na = np.load('x.npz')", "a", ("unknown", None, None, "unknown_call")),
        ("import numpy as np\na = np.load(f'{d}/x.npz')", "a", ("unknown", None, None, "unknown_call")),
        ("import numpy as np\na = np.load(p, allow_pickle=True)", "a", ("unknown", None, None, "unknown_call")),
        ("import numpy as np\na = np.load(p, mmap_mode='r')", "a", ("other_array", None, None, "file_backed")),
        (
            "import numpy as np\na = np.zeros(8, np.uint8)\nb = np.clip(a, 0, 255)",
            "b",
            ("ndarray", "uint8", 1, "fresh"),
        ),
        (
            "import numpy as np\na = np.zeros(8, np.uint8)\nb = np.clip(a, 0.0, 1.0)",
            "b",
            ("ndarray", "float64", 1, "fresh"),
        ),
        (
            "import numpy as np\na = np.zeros(8)\nb = np.clip(a, 0, None, out=a)",
            "b",
            ("ndarray", "float64", 1, "alias"),
        ),
        (
            "import numpy as np\nx = np.zeros(8, np.float32)\nb = np.interp(x, xp, [0, 1])",
            "b",
            ("ndarray", "float64", 1, "fresh"),
        ),
        ("import numpy as np\nb = np.interp(0.5, xp, [0, 1])", "b", ("np_scalar", "float64", 0, "fresh")),
        (
            "import numpy as np\nX, Y = np.meshgrid(np.arange(3.0), np.arange(4))",
            "Y",
            ("ndarray", "int64", 2, "fresh"),
        ),
        (
            "import numpy as np\nX, Y = np.meshgrid(np.arange(3.0), np.arange(4), copy=False)",
            "X",
            ("ndarray", "float64", 2, "view"),
        ),
        (
            "import numpy as np\na = np.zeros((3, 4), np.float32)\nm = a.mean(axis=1, keepdims=True)",
            "m",
            ("ndarray", "float32", 2, "fresh"),
        ),
        ("import numpy as np\na, b = np.zeros(3), 2", "a", ("ndarray", "float64", 1, "fresh")),
        ("import numpy as np\nx = np.zeros(3)\na, b = x, 2", "a", ("ndarray", "float64", 1, "alias")),
        ("import numpy as np\nn, m = 10, 20\na = np.zeros((n, m))", "a", ("ndarray", "float64", 2, "fresh")),
    ],
)
def test_values_of_known_calls(code, expr, expected):
    assert described(value_of(code, expr)) == expected


def test_keepdims_shape_and_unpacked_constants_give_sizes():
    assert value_of("import numpy as np\na = np.zeros((3, 4))\nm = a.sum(axis=0, keepdims=True)", "m").shape == (1, 4)
    assert value_of("import numpy as np\nn, m = 10, 20\na = np.zeros((n, m))", "a").shape == (10, 20)


@pytest.mark.parametrize(
    "arguments",
    ["", ", indexing='ij'", ", sparse=True", ", sparse=True, indexing='ij'", ", copy=False"],
)
def test_meshgrid_arrays_have_the_grids_shape(arguments):
    # each input's size makes one axis (a 2-d input counts as its size): checked against NumPy itself
    inputs = "np.zeros(3), np.zeros((2, 2)), np.linspace(0, 1, 5)"
    code = f"import numpy as np\nX, Y, Z = np.meshgrid({inputs}{arguments})"
    grids = eval(f"np.meshgrid({inputs}{arguments})")
    for name, grid in zip("XYZ", grids):
        assert value_of(code, name).shape == grid.shape


def test_meshgrid_of_an_input_of_unknown_size_has_no_shape():
    code = "import numpy as np\nX, Y = np.meshgrid(np.zeros(3), np.zeros(n))"
    assert value_of(code, "X").shape is None and value_of(code, "X").ndim == 2


# --- findings the knowledge enables -------------------------------------------------------------------------


def test_an_opencv_image_divided_by_255_widens_it():
    found = lint(
        """
        import cv2
        img = cv2.imread("a.png") / 255.0
        gray = cv2.imread("a.png", cv2.IMREAD_GRAYSCALE)
        g = gray / 255.0
        raw = cv2.imread("a.png", cv2.IMREAD_UNCHANGED) / 255.0
    """,
        select=("MEM008",),
    )
    assert [f.line for f in found] == [3, 5]
    assert "8x the uint8 array" in found[0].message


def test_keras_dataset_scaled_after_astype_is_fixed_in_place():
    found = lint("""
        from tensorflow.keras.datasets import cifar10
        (x, y), _ = cifar10.load_data()
        x = x.astype("float32")
        x = x / 255.0
    """)
    assert [(f.code, f.line, f.fix.applicability if f.fix else None) for f in found] == [("MEM001", 5, "safe")]


def _keras_standin(tmp_path) -> str:
    """A stand-in for keras.datasets built as keras 3.15.1 builds its arrays (mnist: np.load of an .npz
    archive; fashion_mnist: np.frombuffer of the file's bytes): Keras itself needs a backend and the network."""
    package = tmp_path / "keras" / "datasets"
    package.mkdir(parents=True)
    (tmp_path / "keras" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    archive = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (600, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 600, dtype=np.uint8)
    np.savez(archive, x_train=images, y_train=labels, x_test=images[:100], y_test=labels[:100])
    (package / "mnist.py").write_text(
        textwrap.dedent(f"""
        import numpy as np
        def load_data():
            with np.load({str(archive)!r}, allow_pickle=False) as f:
                x_train, y_train = f["x_train"], f["y_train"]
                x_test, y_test = f["x_test"], f["y_test"]
                return (x_train, y_train), (x_test, y_test)
    """)
    )
    (package / "fashion_mnist.py").write_text(
        textwrap.dedent(f"""
        import numpy as np
        def load_data():
            with np.load({str(archive)!r}) as f:
                raw = [f[k].tobytes() for k in ("x_train", "y_train", "x_test", "y_test")]
            x_train = np.frombuffer(raw[0], np.uint8).reshape(600, 28, 28)
            y_train = np.frombuffer(raw[1], np.uint8)
            x_test = np.frombuffer(raw[2], np.uint8).reshape(100, 28, 28)
            y_test = np.frombuffer(raw[3], np.uint8)
            return (x_train, y_train), (x_test, y_test)
    """)
    )
    return f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"


@pytest.mark.slow
def test_mnist_arrays_are_fresh_the_fix_keeps_behaviour(tmp_path):
    prelude = _keras_standin(tmp_path)
    fixed = assert_fix_keeps_behaviour(
        prelude
        + textwrap.dedent("""
        from keras.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
        x_train = x_train - 1
        print(x_train.sum(), x_train.dtype, y_train[:5])
    """),
        saves_memory=False,  # 470 KiB: below NumPy's elision size the saving is the temporary's only
    )
    assert "x_train -= 1" in fixed


@pytest.mark.slow
def test_trap_fashion_mnist_arrays_are_read_only(tmp_path):
    prelude = _keras_standin(tmp_path)
    assert_trap_not_fixed(
        prelude
        + textwrap.dedent("""
        from keras.datasets import fashion_mnist
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        x_train = x_train - 1
        print(x_train.sum(), x_train.dtype)
    """),
        "x_train = x_train - 1",
        "x_train -= 1",
    )


@pytest.mark.slow
def test_trap_meshgrid_without_copy_gives_broadcast_views():
    assert_trap_not_fixed(
        """
        import numpy as np
        x = np.arange(300.0)
        X, Y = np.meshgrid(x, np.arange(200.0), copy=False)
        X = X * 2.0
        print(x.sum(), X.sum())
        """,
        "X = X * 2.0",
        "X *= 2.0",
    )


@pytest.mark.slow
def test_meshgrid_copies_are_fixed():
    assert_fix_keeps_behaviour(
        """
        import numpy as np
        X, Y = np.meshgrid(np.arange(300.0), np.arange(200.0))
        X = X * 2.0
        print(X.sum(), Y.sum())
        """
    )


@pytest.mark.slow
def test_trap_an_item_of_a_literal_tuple_that_names_another_array():
    assert_trap_not_fixed(
        """
        import numpy as np
        x = np.zeros(100_000)
        a, b = x, np.ones(3)
        a = a + 1
        print(x.sum(), a.sum())
        """,
        "a = a + 1",
        "a += 1",
    )


@pytest.mark.slow
def test_items_of_a_literal_tuple_of_new_arrays_are_fixed():
    assert_fix_keeps_behaviour(
        """
        import numpy as np
        a, b = np.zeros(100_000), np.ones(3)
        a = a + 1
        print(a.sum(), b.sum())
        """
    )


@pytest.mark.slow
def test_trap_clip_into_out_returns_out():
    assert_trap_not_fixed(
        """
        import numpy as np
        a = np.linspace(-1, 2, 100_000)
        b = np.clip(a, 0.0, 1.0, out=a)
        b = b * 2
        print(a.sum(), b.sum())
        """,
        "b = b * 2",
        "b *= 2",
    )


@pytest.mark.slow
def test_trap_keepdims_result_is_smaller_than_the_array():
    assert_trap_not_fixed(
        """
        import numpy as np
        x = np.arange(12.0).reshape(3, 4)
        m = x.mean(axis=1, keepdims=True)
        m = m - x
        print(m.shape, m.sum())
        """,
        "m = m - x",
        "m -= x",
    )


@pytest.mark.slow
def test_keepdims_centering_is_fixed():
    assert_fix_keeps_behaviour(
        """
        import numpy as np
        x = np.random.default_rng(0).random((400, 1000))
        x = x - x.mean(axis=1, keepdims=True)
        print(x.sum())
        """
    )


# --- the project's own loaders: [tool.memlint.calls] ----------------------------------------------------

_SCAN_SCRIPT = """
from mylab.io import read_scan
import mylab.io as lab

def normalise(path):
    scan = read_scan(path)
    return scan / 65535.0

def other(path):
    v = lab.read_volume(path)
    v = v * 2.0
    return v
"""


def _project(tmp_path, calls_toml: str):
    (tmp_path / "pyproject.toml").write_text("[tool.memlint]\n[tool.memlint.calls]\n" + calls_toml)
    (tmp_path / "scan.py").write_text(_SCAN_SCRIPT)


def test_declared_loaders_are_known_through_the_imports(tmp_path, monkeypatch):
    from helpers import memlint_cli

    _project(
        tmp_path,
        '"mylab.io.read_scan" = { kind = "ndarray", dtype = "uint16", ndim = 3, owner = "fresh" }\n'
        '"mylab.io.read_volume" = { kind = "ndarray", dtype = "float64", owner = "fresh" }\n',
    )
    monkeypatch.chdir(tmp_path)
    result = memlint_cli("check", "--no-cache", "--output-format", "json", "scan.py")
    found = sorted((f["code"], f["line"]) for f in __import__("json").loads(result.stdout))
    assert found == [("MEM001", 11), ("MEM008", 7)], result.stdout
    assert memlint_cli("check", "--no-cache", "scan.py", "--config", str(tmp_path / "none.toml")).exit_code == 2


def test_without_a_declaration_the_same_code_is_clean(tmp_path, monkeypatch):
    from helpers import memlint_cli

    _project(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    assert memlint_cli("check", "--no-cache", "scan.py").exit_code == 0


def test_a_declared_owner_other_than_fresh_keeps_the_fix_away(tmp_path, monkeypatch):
    from helpers import memlint_cli

    _project(tmp_path, '"mylab.io.read_volume" = { kind = "ndarray", dtype = "float64", owner = "read-only" }\n')
    monkeypatch.chdir(tmp_path)
    assert memlint_cli("check", "--no-cache", "scan.py").exit_code == 0


@pytest.mark.parametrize(
    "entry, key, why",
    [
        ('"mylab.io.read_scan" = { kind = "array" }', 'calls."mylab.io.read_scan".kind', "must be one of ndarray"),
        ('"mylab.io.read_scan" = { dtype = "uint13" }', 'calls."mylab.io.read_scan".dtype', "is not a dtype"),
        ('"mylab.io.read_scan" = { ndim = "3" }', 'calls."mylab.io.read_scan".ndim', "non-negative integer"),
        ('"mylab.io.read_scan" = { owner = "me" }', 'calls."mylab.io.read_scan".owner', "must be one of fresh"),
        ('"mylab.io.read_scan" = { shape = [3] }', 'calls."mylab.io.read_scan".shape', "is not a key of a call"),
        ('"mylab.io.read_scan" = { returns = [] }', 'calls."mylab.io.read_scan".returns', "is not a key of a call"),
        ('"read_scan" = { kind = "ndarray" }', 'calls."read_scan"', "module.function"),
        ('"mylab.io.read_scan" = "ndarray"', 'calls."mylab.io.read_scan"', "must be a table"),
    ],
)
def test_a_bad_declaration_is_one_line_naming_file_and_key(tmp_path, monkeypatch, entry, key, why):
    from helpers import memlint_cli

    _project(tmp_path, entry + "\n")
    monkeypatch.chdir(tmp_path)
    result = memlint_cli("check", "--no-cache", "scan.py")
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "pyproject.toml" in message and f"`tool.memlint.{key}`" in message and why in message, message


def test_calls_must_be_a_table(tmp_path, monkeypatch):
    from helpers import memlint_cli

    (tmp_path / "pyproject.toml").write_text('[tool.memlint]\ncalls = ["mylab.io.read_scan"]\n')
    (tmp_path / "scan.py").write_text(_SCAN_SCRIPT)
    monkeypatch.chdir(tmp_path)
    result = memlint_cli("check", "--no-cache", "scan.py")
    assert result.exit_code == 2 and "`tool.memlint.calls` must be a table" in result.stderr


def test_a_module_bound_to_a_known_module_by_assignment():
    v = value_of(
        """
        import tensorflow as tf
        mnist = tf.keras.datasets.mnist
        (x, y), _ = mnist.load_data()
        """,
        "x",
    )
    assert described(v) == ("ndarray", "uint8", 3, "fresh")
    rebound = value_of(
        """
        import tensorflow as tf
        mnist = tf.keras.datasets.mnist
        mnist = other
        (x, y), _ = mnist.load_data()
        """,
        "x",
    )
    assert rebound.dtype is None


# --- annotations ---------------------------------------------------------------------------------------


def _parameter(annotation: str, extra: str = ""):
    code = f"""
        import numpy as np
        import numpy.typing as npt
        from typing import Any
        {extra}
        def f(a: {annotation}):
            return a
    """
    code = textwrap.dedent(code)
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    use = tree.body[-1].body[-1].value
    return described(ctx.arrays.value(use)), ctx.arrays.may_hold_array(use)


@pytest.mark.parametrize(
    "annotation, expected",
    [
        ("np.ndarray", ("ndarray", None, None, "parameter")),
        ("npt.NDArray[np.uint8]", ("ndarray", "uint8", None, "parameter")),
        ("npt.NDArray[np.float32]", ("ndarray", "float32", None, "parameter")),
        ("np.ndarray[Any, np.dtype[np.uint16]]", ("ndarray", "uint16", None, "parameter")),
        ("npt.NDArray[np.floating]", ("ndarray", None, None, "parameter")),  # abstract: any float
        ("npt.NDArray[Any]", ("ndarray", None, None, "parameter")),
        ("int", ("py_number", None, None, "parameter")),
        ("float", ("py_number", None, None, "parameter")),
        ("list[float]", ("unknown", None, None, "parameter")),
        ("mylib.ndarray", ("unknown", None, None, "parameter")),
    ],
)
def test_parameter_annotations_give_kind_and_dtype_never_freshness(annotation, expected):
    described_value, may_hold = _parameter(annotation)
    assert described_value == expected
    assert may_hold or expected[0] != "ndarray"


def test_an_int_annotation_gives_the_number_of_dimensions():
    v = value_of("import numpy as np\ndef f(n: int):\n    z = np.zeros(n, np.uint8)\n    return z", "z")
    assert v.kind == "unknown"  # read at module level: not this function's z
    code = "import numpy as np\ndef f(n: int):\n    z = np.zeros(n, np.uint8)\n    return z\n"
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    assert described(ctx.arrays.value(tree.body[1].body[1].value)) == ("ndarray", "uint8", 1, "fresh")


def test_an_annotated_variable_of_an_unknown_call():
    v = value_of("import numpy as np\nimport numpy.typing as npt\nx: npt.NDArray[np.uint8] = load(p)", "x")
    assert described(v) == ("ndarray", "uint8", None, "unknown_call")


def test_an_annotated_uint8_parameter_divided_widens_it():
    found = lint("""
        import numpy as np
        import numpy.typing as npt

        def scale(img: npt.NDArray[np.uint8]):
            return img / 255.0

        def any_float(img: npt.NDArray[np.floating]):
            return img / 255.0
    """)
    assert [(f.code, f.line) for f in found] == [("MEM008", 6)]


@pytest.mark.slow
def test_trap_an_annotated_parameter_is_the_callers_array():
    assert_trap_not_fixed(
        """
        import numpy as np
        import numpy.typing as npt

        def double(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            a = a * 2.0
            return a

        x = np.ones(100_000)
        double(x)
        print(x.sum())
        """,
        "a = a * 2.0",
        "a *= 2.0",
    )


@pytest.mark.slow
def test_astype_of_an_annotated_parameter_is_fresh():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np

        def scale(x: np.ndarray):
            y = x.flatten().astype(np.float32)
            y = y * 2.0
            return y

        x = np.arange(2_000_000, dtype=np.int16)  # the peak is at y * 2.0: x, y and the new array
        print(scale(x).sum(), x.sum())
    """)
    assert "y *= 2.0" in fixed


# --- calls that only read their arguments ---------------------------------------------------------------


@pytest.mark.slow
def test_matplotlib_reads_the_arrays_it_draws_and_never_writes_them():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for name, (_, table) in calls._library_tables().items():
        if not table.get("reads") or not name.startswith("matplotlib."):
            continue
        data = np.linspace(0.5, 2.0, 48).reshape(6, 8)
        before = data.copy()
        figure = plt.figure()
        function = getattr(plt, name.rsplit(".", 1)[1])
        short = name.rsplit(".", 1)[1]
        if short in ("scatter", "bar", "barh", "fill_between", "errorbar", "step", "stem"):
            function(data[:, 0], data[:, 1])
        else:
            function(data)
        figure.canvas.draw()
        plt.close(figure)
        assert np.array_equal(data, before) and data.flags.writeable, name


@pytest.mark.slow
def test_matplotlib_reads_the_arrays_given_by_keyword_too():
    """Keyword data (colours, sizes, weights, error bars) is read as positional data is: a read-only array
    (as a mapped .npy is) draws, and a writeable one comes back unchanged."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(0.5, 2.0, 6)
    for writeable in (True, False):
        data = np.linspace(1.0, 3.0, 6)
        data.flags.writeable = writeable
        before = data.copy()
        figure = plt.figure()
        plt.scatter(x, x, c=data, s=data)
        plt.hist(x, weights=data, bins=data[:3])
        plt.errorbar(x, x, yerr=data, xerr=data)
        plt.bar(x, x, width=data / 10, bottom=data)
        plt.plot(x, x, markersize=data[0])
        plt.fill_between(x, x, x + 1, where=data > 2)
        figure.canvas.draw()
        plt.close(figure)
        assert np.array_equal(data, before) and data.flags.writeable == writeable


def test_calls_said_to_keep_no_argument_leave_it_unchanged_and_unreferenced():
    """Every entry with keeps-arguments = false, run on a 0-d and a 1-d array: the array is unchanged, its
    reference count unchanged while the result lives, and the result shares no memory with it (raising, as
    hash or os.path.join of an array do, keeps nothing either)."""
    names = [n for n, (_, table) in calls._library_tables().items() if table.get("keeps-arguments") is False]
    assert len(names) >= 20
    for name in names:
        module, _, attribute = name.rpartition(".")
        function = getattr(pytest.importorskip(module), attribute)
        for a in (np.array(1.5), np.array([1.0, np.nan, 3.0])):
            arguments = (a, np.ndarray) if name == "builtins.isinstance" else (a,)
            before, references = a.copy(), sys.getrefcount(a)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    result = function(*arguments)
            except (TypeError, ValueError):
                result = None
            assert sys.getrefcount(a) == references, name
            assert not (isinstance(result, np.ndarray) and np.shares_memory(result, a)), name
            assert np.array_equal(a, before, equal_nan=True), name


@pytest.mark.parametrize("table", [{"keeps-arguments": False}, {"reads": True, "keeps-arguments": True}])
def test_keeps_arguments_is_only_ever_false_beside_reads(table):
    with pytest.raises(calls.CallsError, match="`x.keeps-arguments` can only be false"):
        calls.parse_entry(table, "x", library=True)


def test_an_entry_about_arguments_only_makes_no_module_a_source_of_arrays():
    """len, os.path.join, sys.getsizeof, plt.plot only use their arguments: a name bound to os or sys (or to
    plt.plot) may not hold an array for them, and a file importing only os runs no NumPy rule. matplotlib
    stays a source, through plt.imread."""
    known = calls.known_modules({})
    assert {"builtins", "os", "os.path", "posixpath", "sys", "pandas", "matplotlib.pyplot.plot"}.isdisjoint(known)
    assert {"matplotlib", "matplotlib.pyplot", "matplotlib.pyplot.imread"} <= known
    assert {"builtins", "os", "sys", "pandas"}.isdisjoint(calls.top_level_modules({}))
    assert calls.reads_without_keeping("builtins.len") and calls.reads_without_keeping("os.path.join")
    assert calls.reads_arguments("matplotlib.pyplot.plot") and not calls.reads_without_keeping("matplotlib.pyplot.plot")


@pytest.mark.slow
def test_trap_a_print_of_the_file_keeps_what_it_prints():
    """Only the builtin print reads at once: the file's own print keeps the array, so `a = a * 2` must not
    become `a *= 2` (the kept array would change)."""
    assert_trap_not_fixed(
        """
        import builtins
        import numpy as np
        kept = []
        def print(x):
            kept.append(x)
        def scale():
            a = np.ones(100_000)
            print(a)
            a = a * 2
            return a
        builtins.print(scale().sum(), kept[0].sum())
        """,
        "a = a * 2",
        "a *= 2",
    )


@pytest.mark.slow
def test_the_builtin_print_keeps_nothing_so_the_fix_is_made():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        def scale():
            a = np.ones(100_000)
            print(a[:3])
            a = a * 2
            return a
        print(scale().sum())
        """
    )
    assert "a *= 2" in fixed


def test_reads_through_plots_and_loops_keep_a_load_only_read():
    found = lint(
        """
        import numpy as np
        import matplotlib.pyplot as plt

        def show():
            data = np.load("scan.npy")
            plt.plot(data[:, 0])
            plt.imshow(data)
            for row in data:
                print(row.sum())

        def zero_first_column():
            data = np.load("scan.npy")
            for row in data:
                row[0] = 0
            np.save("scan0.npz", data)

        def kept():
            data = np.load("scan.npy")
            for row in data:
                rows.append(row)
    """,
        select=("MEM009",),
    )
    assert [f.line for f in found] == [6]


def test_np_load_used_without_a_name():
    found = lint(
        """
        import numpy as np

        def head():
            first = np.load("big.npy")[:1000]
            print(first.mean())

        def count():
            return np.load("big.npy").shape[0]

        def described():
            X = np.load("X_features.npy")
            print(f"Features shape: {X.shape}, first row: {X[0]}")

        def written():
            first = np.load("big.npy")[:1000]
            first[0] = 1
            return first.sum()

        def kept():
            return np.load("big.npy")[:1000]
    """,
        select=("MEM009",),
    )
    assert sorted(f.line for f in found) == [5, 9, 12, 16, 21]
    # a written or returned slice is not mapped (read-only) but copied out of the mapping
    assert all('np.array(np.load(..., mmap_mode="r")[:1000])' in f.message for f in found if f.line in (16, 21))


# --- Pillow ---------------------------------------------------------------------------------------------


def test_pillow_modes_match_pillow():
    Image = pytest.importorskip("PIL.Image")
    from memlint.facts import pillow

    for mode in pillow.MODES:
        image = Image.new(mode, (3, 2))
        array, wrapped = np.array(image), np.asarray(image)
        assert (array.dtype, array.ndim) == pillow.mode_array(mode), mode
        assert array.flags.writeable and not wrapped.flags.writeable, mode
        for method, args in [("resize", ((4, 4),)), ("crop", ((0, 0, 2, 2),)), ("rotate", (90,)), ("copy", ())]:
            assert getattr(image, method)(*args).mode == mode, (mode, method)


@pytest.mark.slow
def test_image_chops_and_enhancers_keep_the_first_images_mode_or_raise():
    Image = pytest.importorskip("PIL.Image")
    import importlib

    from memlint.facts import pillow

    for mode in pillow.MODES:
        a, b = Image.new(mode, (3, 2)), Image.new(mode, (3, 2))
        for name in sorted(pillow.SAME_MODE_FUNCTIONS | pillow.ENHANCERS):
            module, _, function = name.rpartition(".")
            f = getattr(importlib.import_module(module), function)
            try:
                if name in pillow.ENHANCERS:
                    result = f(a).enhance(1.5)
                else:
                    result = f(a) if function == "invert" else f(a, b)
            except (ValueError, OSError):
                continue  # this mode is refused: nothing to compute with
            assert result.mode == mode, (name, mode)


def test_an_enhanced_difference_returned_by_a_function_widens_when_scaled():
    found = lint(
        """
        import numpy as np
        from PIL import Image, ImageChops, ImageEnhance

        def ela(path):
            original = Image.open(path).convert("RGB")
            diff = ImageChops.difference(original, Image.open("again.jpg"))
            return ImageEnhance.Brightness(diff).enhance(3.0)

        def features(path):
            return np.array(ela(path).resize((128, 128))).flatten() / 255.0
    """,
        select=("MEM008",),
    )
    assert [f.line for f in found] == [11] and "8x the uint8 array" in found[0].message


@pytest.mark.parametrize(
    "code, expected",
    [
        ("img = Image.open(p).convert('L')\na = np.array(img)", ("ndarray", "uint8", 2, "fresh")),
        ("img = Image.open(p).convert('RGB').resize((64, 64))\na = np.array(img)", ("ndarray", "uint8", 3, "fresh")),
        ("img = Image.open(p).convert('F')\na = np.asarray(img)", ("ndarray", "float32", 2, "read_only")),
        ("img = Image.open(p)\na = np.array(img)", ("ndarray", None, None, "fresh")),
        ("img = Image.open(p).convert(mode)\na = np.array(img)", ("ndarray", None, None, "fresh")),
        ("img = Image.new('I;16', (4, 4))\na = np.array(img)", ("ndarray", "uint16", 2, "fresh")),
        # an annotated image: its mode is not stated, what convert makes is
        ("img: Image.Image = load(p)\na = np.array(img.convert('L'))", ("ndarray", "uint8", 2, "fresh")),
        ("img: Image.Image = load(p)\na = np.array(img)", ("ndarray", None, None, "fresh")),
        (
            "import PIL.Image\nimg: PIL.Image.Image = load(p)\na = np.asarray(img.convert('RGB'), dtype=np.float32) / 255",
            ("ndarray", "float32", 3, "fresh"),
        ),
    ],
)
def test_pillow_images_as_arrays(code, expected):
    assert described(value_of("import numpy as np\nfrom PIL import Image\n" + code, "a")) == expected


def test_a_grey_image_divided_by_255_widens_it():
    found = lint(
        """
        import numpy as np
        from PIL import Image

        def features(path):
            img = Image.open(path).convert("L")
            return np.array(img).flatten() / 255
    """,
        select=("MEM008",),
    )
    assert [f.line for f in found] == [7] and "8x the uint8 array" in found[0].message


@pytest.mark.slow
def test_an_annotated_image_converted_then_capped_is_fixed():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        from PIL import Image

        def brighten(img: Image.Image, gain: int):
            grey = np.asarray(img.convert("L"), dtype=np.float32) * gain
            grey = np.minimum(grey, 255.0)
            return grey

        out = brighten(Image.linear_gradient("L").resize((1024, 1024)), 2)
        print(out.dtype, out.shape, out.sum())
        """)
    assert "np.minimum(grey, 255.0, out=grey)" in fixed


@pytest.mark.slow
def test_trap_an_annotated_image_has_no_known_mode():
    # the caller's image may be of any mode: np.array of an "L" image is uint8, which `*= 0.5` cannot hold
    assert_trap_not_fixed(
        """
        import numpy as np
        from PIL import Image

        def halve(img: Image.Image):
            a = np.array(img)
            a = a * 0.5
            return a

        print(halve(Image.new("L", (512, 512), 9)).sum())
        """,
        "a = a * 0.5",
        "a *= 0.5",
    )


@pytest.mark.slow
def test_trap_np_asarray_of_an_image_is_read_only():
    assert_trap_not_fixed(
        """
        import numpy as np
        from PIL import Image
        a = np.asarray(Image.new("L", (1000, 1000), 7))
        a = a - 1
        print(a.sum())
        """,
        "a = a - 1",
        "a -= 1",
    )


@pytest.mark.slow
def test_np_array_of_an_image_is_fresh():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        from PIL import Image
        b = np.array(Image.new("RGB", (2000, 2000), (7, 8, 9)))
        c = b.copy()  # the peak is at b - 1 (b, c and the new array), above the conversion's and the imports'
        b = b - 1
        print(b.sum(), c.sum(), b.dtype, b.shape)
    """)
    assert "b -= 1" in fixed


def test_lists_bound_by_a_tuple_assignment_are_containers():
    code = """
        import numpy as np
        def heads(n):
            firsts, rest = [], []
            for i in range(n):
                big = np.zeros(1_000_000)
                firsts.append(big[:10])
            return firsts
    """
    single = code.replace("firsts, rest = [], []", "firsts = []")
    assert [f.code for f in lint(single, select=("MEM005",))] == ["MEM005"]  # the known shape
    assert [(f.code, f.line) for f in lint(code, select=("MEM005",))] == [("MEM005", 7)]


# --- audio -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, expr, expected",
    [
        ("import librosa\ny, sr = librosa.load(p)", "y", ("ndarray", "float32", 1, "fresh")),
        ("import librosa\ny, sr = librosa.core.load(p, mono=True)", "y", ("ndarray", "float32", 1, "fresh")),
        ("import librosa\ny, sr = librosa.load(p, mono=False)", "y", ("ndarray", "float32", None, "fresh")),
        ("import librosa\ny, sr = librosa.load(p, dtype=d)", "y", ("unknown", None, None, "unknown")),
        ("import librosa\ny, sr = librosa.load(p)\nD = librosa.stft(y)", "D", ("ndarray", "complex64", 2, "fresh")),
        (
            "import librosa\nimport numpy as np\ny = np.zeros((2, 64))\nD = librosa.stft(y)",
            "D",
            ("ndarray", "complex128", 3, "fresh"),
        ),
        ("import librosa\nD = librosa.stft(y)", "D", ("ndarray", None, None, "fresh")),
        ("import librosa\nimport numpy as np\nD = librosa.stft(np.zeros(64, int))", "D", ("ndarray", None, 2, "fresh")),
        ("import librosa\nD = librosa.stft(y, out=buf)", "D", ("unknown", None, None, "unknown_call")),
    ],
)
def test_librosa_entries(code, expr, expected):
    assert described(value_of(code, expr)) == expected


@pytest.mark.parametrize(
    "table, error",
    [
        ({"dtype-map": {"float32": "complex13"}}, "`x.dtype-map` names a dtype numpy does not accept"),
        ({"dtype-map": "complex64"}, "`x.dtype-map` must be a table"),
        ({"ndim-of-argument": "y@0", "ndim-added": "1"}, "`x.ndim-added` must be an integer"),
        ({"float64-arguments": "b@0"}, "`x.float64-arguments` must be a list"),
        ({"min-ndim": 0}, "`x.min-ndim` must be a positive integer"),
        ({"min-ndim": "2"}, "`x.min-ndim` must be a positive integer"),
        ({"float64-arguments": ["b@x"]}, "`x.float64-arguments` must be a string such as"),
    ],
)
def test_a_bad_library_entry_names_its_key(table, error):
    with pytest.raises(calls.CallsError, match=error.replace(".", r"\.")):
        calls.parse_entry(table, "x", library=True)


@pytest.mark.slow  # imports a large library (librosa, scikit-learn: 0.5-3 s) to check memlint's data
def test_librosa_entries_match_librosa(tmp_path):
    librosa = pytest.importorskip("librosa")
    sf = pytest.importorskip("soundfile")
    t = np.linspace(0, 1, 8000)
    stereo, mono = str(tmp_path / "s.wav"), str(tmp_path / "m.wav")
    sf.write(stereo, np.stack([np.sin(440 * t), np.cos(300 * t)], axis=1), 8000)
    sf.write(mono, np.sin(440 * t), 8000)
    for path in (stereo, mono):
        y, sr = librosa.load(path)
        assert type(y) is np.ndarray and y.dtype == np.float32 and y.ndim == 1 and y.flags.writeable
        assert librosa.load(path, dtype=np.float64)[0].dtype == np.float64  # why dtype= gives nothing
    assert librosa.load(stereo, mono=False)[0].ndim == 2  # why mono=False gives no ndim
    stft = calls.library()["librosa.stft"]
    for signal in (np.ones(4096, np.float32), np.ones(4096), np.ones((2, 4096), np.float32)):
        D = librosa.stft(signal)
        assert type(D) is np.ndarray and D.flags.writeable and D.flags.owndata and not np.shares_memory(D, signal)
        assert D.dtype == stft.dtype_map[signal.dtype] and D.ndim == signal.ndim + stft.ndim_of_argument[2]
    out = np.zeros((1025, 9), np.complex64)
    assert librosa.stft(np.ones(4096, np.float32), out=out) is out  # why out= gives nothing


@pytest.mark.slow
def test_log_power_spectrum_of_a_librosa_signal_is_fixed():
    pytest.importorskip("librosa")
    # the program's peak is inside librosa.stft (its frames); the chain's saving is measured in test_mem002
    fixed = assert_fix_keeps_behaviour(
        saves_memory=False,
        code="""
        import numpy as np
        import librosa
        import soundfile as sf
        import tempfile, os
        path = os.path.join(tempfile.mkdtemp(), "a.wav")
        sf.write(path, np.sin(np.linspace(0, 4000, 22050 * 4)), 22050)
        def log_spectrum(p):
            y, sr = librosa.load(p)
            spec = np.abs(librosa.stft(y))
            spec = np.log(spec + 1e-9)
            return spec
        s = log_spectrum(path)
        print(s.dtype, s.shape, np.round(s.sum(), 2))
        """,
    )
    assert "spec += 1e-9\n    np.log(spec, out=spec)" in fixed


@pytest.mark.slow
def test_trap_stft_into_out_returns_out():
    pytest.importorskip("librosa")
    # with out= the STFT is written into out and returned: scaling it in place would scale out too
    code = """
        import numpy as np
        import librosa
        buf = np.zeros((1025, 33), np.complex64)
        D = librosa.stft(np.ones(1 << 14, np.float32), out=buf)
        D = D * 2
        print(np.abs(buf).sum())
        """
    assert_trap_not_fixed(code, "D = D * 2", "D *= 2")


# --- scikit-image colour conversions, SciPy filters, whisperx, sounddevice --------------------------------

_IMAGE_DTYPES = (bool, np.uint8, np.uint16, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64)


def _colour_names() -> list:
    return [n for n in calls.library() if n.startswith("skimage.color.")]


def test_skimage_colour_conversions_match_scikit_image():
    color = pytest.importorskip("skimage.color")
    rng = np.random.default_rng(0)
    assert len(_colour_names()) >= 28
    for name in _colour_names():
        entry, function = calls.library()[name], getattr(color, name.rsplit(".", 1)[1])
        channels = 4 if name.endswith("rgba2rgb") else 3
        for dtype in _IMAGE_DTYPES:
            if name.endswith("ycbcr2rgb") and dtype is bool:
                continue  # raises (it subtracts 16 from the bool luma in place)
            for shape in ((7, channels), (5, 6, channels), (2, 5, 6, channels)):
                image = (rng.random(shape) * (0.9 if np.dtype(dtype).kind in "fb" else 100)).astype(dtype)
                result = function(image)
                assert type(result) is np.ndarray and result.flags.writeable, (name, dtype)
                assert result.flags.owndata and not np.shares_memory(result, image), (name, dtype)
                expected = entry.dtype if entry.dtype is not None else entry.dtype_map[np.dtype(dtype)]
                assert result.dtype == expected, (name, dtype, result.dtype)
                assert result.ndim == image.ndim + entry.ndim_of_argument[2], (name, shape)
        assert entry.dtype_of_argument in (None, ("", 0), ("rgb", 0)) and entry.ndim_of_argument[:2] in (
            ("", 0),
            ("rgb", 0),
        )
    assert color.rgb2ycbcr(np.zeros((2, 2, 3), np.float32)).dtype == np.float32  # why the dtype is the image's


@pytest.mark.parametrize(
    "code, expected",
    [
        (
            "import cv2\nfrom skimage import color\nimg = color.rgb2ycbcr(cv2.imread(p))",
            ("ndarray", "float64", 3, "fresh"),
        ),
        (
            "import numpy as np\nimport skimage.color\nimg = skimage.color.lab2rgb(np.zeros((4, 5, 3), np.float32))",
            ("ndarray", "float32", 3, "fresh"),
        ),
        (
            "import cv2\nfrom skimage.color import rgb2gray\nimg = rgb2gray(cv2.imread(p))",
            ("ndarray", "float64", 2, "fresh"),
        ),
        (
            "import numpy as np\nfrom skimage.color import rgb2hed\nimg = rgb2hed(np.zeros((4, 5, 3), np.float32))",
            ("ndarray", "float64", 3, "fresh"),
        ),
        ("from skimage import color\nimg = color.rgb2hsv(rgb)", ("ndarray", None, None, "fresh")),
        ("import whisperx\nimg = whisperx.load_audio(p)", ("ndarray", "float32", 1, "fresh")),
        ("import sounddevice as sd\nimg = sd.rec(1000, channels=2)", ("ndarray", None, 2, "unknown_call")),
        ("import sounddevice as sd\nimg = sd.rec(1000, 44100, 2, 'int16')", ("ndarray", "int16", 2, "unknown_call")),
        ("import sounddevice as sd\nimg = sd.rec(out=buf)", ("unknown", None, None, "unknown_call")),
        (
            "import numpy as np\nfrom scipy.signal import filtfilt\nimg = filtfilt(b, a, np.zeros((2, 64)))",
            ("ndarray", None, 2, "fresh"),
        ),
        ("import scipy.signal\nimg = scipy.signal.lfilter(b, a, x, -1, zi)", ("unknown", None, None, "unknown_call")),
    ],
)
def test_values_of_colour_conversions_filters_and_audio(code, expected):
    assert described(value_of(code, "img")) == expected


def test_scipy_filters_match_scipy():
    signal = pytest.importorskip("scipy.signal")
    b, a = signal.butter(4, 0.2)
    sos = signal.butter(4, 0.2, output="sos")
    run = {
        "scipy.signal.filtfilt": lambda x: signal.filtfilt(b, a, x),
        "scipy.signal.lfilter": lambda x: signal.lfilter(b, a, x),
        "scipy.signal.sosfilt": lambda x: signal.sosfilt(sos, x),
        "scipy.signal.sosfiltfilt": lambda x: signal.sosfiltfilt(sos, x),
    }
    for name, function in run.items():
        entry = calls.library()[name]
        for dtype in (np.int16, np.int64, np.float32, np.float64, np.complex64):
            for x in ((np.arange(200) % 7).astype(dtype), (np.arange(600) % 5).astype(dtype).reshape(3, 200)):
                y = function(x)
                assert type(y) is np.ndarray and y.flags.writeable and not np.shares_memory(x, y), name
                assert y.shape == x.shape and entry.ndim_of_argument[2] == 0
        assert type(function(np.ma.array(np.ones(100)))) is np.ndarray and type(function([0.0] * 100)) is np.ndarray
        if entry.numeric:
            with pytest.raises(TypeError):
                function(np.ones(100, object))
    # the dtype with float64 coefficients, for every signal dtype the map names
    for name in run:
        entry = calls.library()[name]
        assert [s[0] for s in entry.float64_arguments] in (["b", "a"], ["sos"])
        for dtype, expected in entry.dtype_map.items():
            assert run[name](np.ones(100, dtype)).dtype == expected, (name, dtype)
    # why only float64 coefficients give a dtype, and why filtfilt is not numeric
    assert signal.filtfilt(b.astype(np.float32), a.astype(np.float32), np.ones(100, np.float32)).dtype == np.float32
    assert signal.sosfiltfilt(sos.astype(np.float32), np.ones(100, np.float32)).dtype == np.float32
    assert signal.filtfilt(b * 1j, a, np.ones(100)).dtype == np.complex128
    assert signal.filtfilt(b, [1.0], np.ones(100, object)).dtype == object
    assert isinstance(signal.lfilter(b, a, np.ones(100), -1, np.zeros(4)), tuple)  # why zi= gives nothing


def _ndimage_filter(function, x, **kw):
    """One of scipy.ndimage's filters run on x with the arguments it needs besides the image."""
    name = function.__name__
    if name in ("convolve", "correlate"):
        return function(x, np.ones((3,) * np.ndim(x)), **kw)
    if name in ("gaussian_filter", "gaussian_laplace"):
        return function(x, 1.0, **kw)
    if name in ("median_filter", "maximum_filter", "minimum_filter"):
        return function(x, 3, **kw)
    return function(x, **kw)


def test_scipy_ndimage_filters_match_scipy():
    ndimage = pytest.importorskip("scipy.ndimage")
    names = [n for n in calls.library() if n.startswith("scipy.ndimage.")]
    assert len(names) == 11
    for name in names:
        function, entry = getattr(ndimage, name.rsplit(".", 1)[1]), calls.library()[name]
        (keyword, position), *_ = entry.unless
        assert keyword == "output" == list(inspect.signature(function).parameters)[position], name
        for dtype in (np.uint8, np.int16, np.float32, np.float64, bool):
            for shape in ((20,), (20, 30), (4, 20, 30)):
                x = (np.arange(np.prod(shape)).reshape(shape) % 50).astype(dtype)
                y = _ndimage_filter(function, x)
                assert type(y) is np.ndarray and y.dtype == x.dtype and y.ndim == x.ndim, (name, dtype)
                assert y.flags.writeable and y.flags.owndata and not np.shares_memory(x, y), name
        with pytest.raises(RuntimeError):
            _ndimage_filter(function, np.ones((5, 5), object))  # numeric
        assert _ndimage_filter(function, np.ones((5, 5), np.uint8), output=np.float32).dtype == np.float32
    code = "import numpy as np\nfrom scipy.ndimage import convolve\nu = np.ones((64, 64))\nlap = convolve(u, k, mode='wrap')"
    assert described(value_of(code, "lap")) == ("ndarray", "float64", 2, "fresh")
    assert value_of(code.replace("mode='wrap'", "output=np.float32"), "lap").dtype is None  # why output= gives nothing


@pytest.mark.slow
def test_magnitude_of_an_ndimage_gradient_is_fixed():
    pytest.importorskip("scipy.ndimage")
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        from scipy import ndimage

        def edges(n):
            img = np.sin(np.linspace(0, 50, n * n)).reshape(n, n)
            gx = ndimage.sobel(img, axis=0)
            gx = np.abs(gx)
            return gx

        print(edges(1024).sum())
        """)
    assert "np.abs(gx, out=gx)" in fixed


@pytest.mark.slow
def test_trap_an_ndimage_filter_keeps_an_integer_image_integer():
    pytest.importorskip("scipy.ndimage")
    # a blurred uint8 image is uint8: `g += 0.5` raises where `g + 0.5` is float64 (were it float64, as a
    # filter of floats is, the rewrite would be right)
    assert_trap_not_fixed(
        """
        import numpy as np
        from scipy.ndimage import gaussian_filter
        img = np.full((512, 512), 100, np.uint8)
        g = gaussian_filter(img, 2)
        g = g + 0.5
        print(g.dtype, g.sum())
        """,
        "g = g + 0.5",
        "g += 0.5",
    )


def test_scipy_stft_matches_scipy():
    signal = pytest.importorskip("scipy.signal")
    items = calls.library()["scipy.signal.stft"].items
    rng = np.random.default_rng(0)
    signals = [
        (rng.standard_normal(shape) * 9).astype(dtype)
        for dtype in (
            bool,
            np.uint8,
            np.int16,
            np.int64,
            np.float16,
            np.float32,
            np.float64,
            np.complex64,
            np.complex128,
        )
        for shape in ((300,), (4, 300), (2, 3, 300))
    ]
    masked = np.ma.masked_array(signals[0], signals[0] > 1)
    inputs = [(x, {}) for x in signals] + [(x.T, {"axis": 0}) for x in signals[3:6]]
    inputs += [(masked, {}), (signals[4].tolist(), {}), (signals[4], {"boundary": None, "padded": False})]
    inputs += [(np.zeros(0, np.float32), {}), (np.zeros((3, 0)), {})]
    for x, keywords in inputs:
        got = signal.stft(x, nperseg=64, **keywords)
        assert isinstance(got, tuple) and len(got) == len(items) == 3
        for array, item in zip(got, items):
            assert (item.kind, item.owner, item.min_ndim, item.dtype, item.ndim) == ("ndarray", "fresh", 1, None, None)
            assert type(array) is np.ndarray and array.ndim >= item.min_ndim and array.flags.writeable
            assert not np.shares_memory(array, np.asarray(x))
        assert not any(np.shares_memory(a, b) for a in got for b in signal.stft(x, nperseg=64, **keywords))
    # why neither Zxx's dimensions nor its dtype is stated: an empty signal gives np.empty(x.shape) three times
    _, _, spectrum = signal.stft(np.zeros(0, np.float32))
    assert (spectrum.dtype, spectrum.ndim) == (np.float64, 1)
    assert signal.stft(np.ones(300, object), nperseg=64)[2].dtype == object


@pytest.mark.parametrize(
    "code, expr, expected",
    [
        ("_, _, z = stft(x, fs=8000, nperseg=64)", "z", ("ndarray", None, None, "fresh", 1)),
        ("f, t, z = stft(x)", "t", ("ndarray", None, None, "fresh", 1)),
        ("_, _, z = stft(x)\nm = np.abs(z).astype(np.float32)", "m", ("ndarray", "float32", None, "fresh", 1)),
        ("z = stft(x, nperseg=64)[2]", "z", ("ndarray", None, None, "fresh", 1)),
    ],
)
def test_values_of_a_scipy_stft(code, expr, expected):
    v = value_of("import numpy as np\nfrom scipy.signal import stft\nx = load()\n" + code, expr)
    assert (*described(v), v.min_ndim) == expected


@pytest.mark.slow
def test_normalised_stft_magnitudes_are_fixed():
    pytest.importorskip("scipy.signal")
    code = """
        import numpy as np
        from scipy.signal import stft

        def spectrograms(windows: np.ndarray) -> np.ndarray:
            _, _, z = stft(windows, fs=12000, nperseg=128, noverlap=96, axis=1)
            mag = np.abs(z).astype(np.float32)
            mag = np.log1p(mag)
            mean = mag.mean(axis=(1, 2), keepdims=True)
            std = mag.std(axis=(1, 2), keepdims=True)
            mag = (mag - mean) / (std + 1e-8)
            mag = (mag + 4.0) * 0.25
            return mag[:, None, :, :]

        windows = np.sin(np.arange(64 * 4096) * 0.01).reshape(64, 4096) + np.linspace(0, 1, 64)[:, None]
        out = spectrograms(windows)
        print(out.shape, out.dtype, out.sum().round(2), out[3, 0, 5, :4].round(5))
        """
    found = {(f.code, f.line) for f in lint(code)}
    assert {("MEM002", 8), ("MEM001", 11), ("MEM001", 12)} <= found
    fixed = assert_fix_keeps_behaviour(code, saves_memory=False)
    assert "mag = np.log1p(mag, out=mag)" in fixed and "    mag += 4.0\n    mag *= 0.25\n" in fixed
    assert "mag = (mag - mean) / (std + 1e-8)" in fixed  # the shape of std + 1e-8 is not proven: no fix


@pytest.mark.slow
def test_trap_an_empty_signal_gives_a_float64_stft():
    pytest.importorskip("scipy.signal")
    # a chunk may be empty: stft then returns np.empty(x.shape), float64, and z *= np.complex128(1j) raises
    # where z * np.complex128(1j) worked (an entry calling Zxx complex128 for a float64 signal, as it is for
    # every non-empty one, would make this a safe fix)
    assert_trap_not_fixed(
        """
        import numpy as np
        from scipy.signal import stft
        chunk = np.zeros((1 << 16) * 0)
        _, _, z = stft(chunk)
        z = z * np.complex128(1j)
        print(z.dtype, z.shape)
        """,
        "z = z * np.complex128(1j)",
        "z *= np.complex128(1j)",
    )


def test_scipy_filter_designs_give_float64_coefficients():
    signal = pytest.importorskip("scipy.signal")
    designs = {
        "scipy.signal.butter": [(4, 0.2), (4, [0.1, 0.4], "band"), (3, 10.0, "low", True), (4, np.float32(0.2))],
        "scipy.signal.bessel": [(4, 0.2), (4, 100, "high", False, "ba", "phase", 1000.0)],
        "scipy.signal.cheby1": [(4, 1, 0.2), (4, 1, [0.1, 0.3], "bandstop")],
        "scipy.signal.cheby2": [(4, 20, 0.2)],
        "scipy.signal.ellip": [(4, 1, 20, 0.2), (4, 1, 20, 0.2, "high")],
        "scipy.signal.iirnotch": [(50, 30, 1000.0)],
        "scipy.signal.iirpeak": [(50.0, 30.0, 1000.0)],
    }
    for name, argument_lists in designs.items():
        function, entry = getattr(signal, name.rsplit(".", 1)[1]), calls.library()[name]
        if entry.argument is not None:
            assert list(inspect.signature(function).parameters)[entry.argument[1]] == "output" == entry.argument[0]
            items = entry.cases[""].items
        else:
            items = entry.items
        for arguments in argument_lists:
            got = function(*arguments)
            assert isinstance(got, tuple) and len(got) == len(items) == 2
            for array, item in zip(got, items):
                assert type(array) is np.ndarray and array.dtype == item.dtype and array.ndim == item.ndim
                assert array.flags.writeable and array.flags.owndata
    assert len(signal.butter(4, 0.2, output="sos").shape) == 2  # why only the default output is stated


@pytest.mark.parametrize(
    "code, expected",
    [
        ("b, a = butter(4, 0.2)\ny = filtfilt(b, a, np.zeros(64, np.float32))", ("ndarray", "float64", 1, "fresh")),
        (
            "b, a = butter(4, 0.2)\ny = lfilter(b, a, np.zeros((2, 64), np.complex64))",
            ("ndarray", "complex128", 2, "fresh"),
        ),
        ("b, a = iirnotch(50, 30, 1000)\ny = filtfilt(b, a, np.arange(64))", ("ndarray", "float64", 1, "fresh")),
        ("b, a = butter(4, 0.2)\ny = filtfilt(b.astype(np.float32), a, np.zeros(64))", ("ndarray", None, 1, "fresh")),
        ("y = filtfilt(b, a, np.zeros(64))", ("ndarray", None, 1, "fresh")),
        # arrays of a dtype not known (np.dtype(None) == np.float64: a comparison that must not be made)
        ("b: np.ndarray = f()\na: np.ndarray = g()\ny = filtfilt(b, a, np.zeros(64))", ("ndarray", None, 1, "fresh")),
        ("sos = butter(4, 0.2, output='sos')\ny = sosfiltfilt(sos, np.zeros(64))", ("ndarray", None, 1, "fresh")),
        ("b, a = butter(4, 0.2, 'low', False, 'zpk')\ny = b", ("unknown", None, None, "unknown")),
    ],
)
def test_values_of_designed_filters(code, expected):
    imports = "import numpy as np\nfrom scipy.signal import butter, iirnotch, filtfilt, lfilter, sosfiltfilt\n"
    assert described(value_of(imports + code, "y")) == expected


@pytest.mark.slow
def test_envelope_of_a_butterworth_filtered_signal_is_fixed():
    pytest.importorskip("scipy.signal")
    # the program's peak is inside filtfilt (its padded copies); out='s saving is measured in test_mem002
    fixed = assert_fix_keeps_behaviour(
        saves_memory=False,
        code="""
        import numpy as np
        from scipy.signal import butter, filtfilt

        def envelope(n):
            x = np.sin(np.linspace(0, 900, n)) * np.linspace(0, 1, n)
            b, a = butter(4, 0.05)
            y = filtfilt(b, a, x)
            y = np.abs(y)
            return y

        print(envelope(1 << 19).sum().round(6))
        """,
    )
    assert "np.abs(y, out=y)" in fixed


@pytest.mark.slow
def test_trap_float32_coefficients_keep_a_float32_signal_float32():
    pytest.importorskip("scipy.signal")
    # with float32 b and a a float32 signal stays float32: adding float64 offsets in place would keep float32
    # (an entry giving float64 whatever the coefficients would make this a fix)
    assert_trap_not_fixed(
        """
        import numpy as np
        from scipy.signal import butter, filtfilt
        b, a = butter(4, 0.05)
        x = np.ones(1 << 17, np.float32) / 3
        y = filtfilt(b.astype(np.float32), a.astype(np.float32), x)
        y = y + np.full(1 << 17, 1e-9)
        print(y.dtype, repr(float(y[0])))
        """,
        "y = y + np.full(1 << 17, 1e-9)",
        "y += np.full(1 << 17, 1e-9)",
    )


def test_a_whisperx_waveform_deleted_then_collected_is_reported():
    code = """
        import gc
        import whisperx

        def transcribe(path, model):
            audio = whisperx.load_audio(path)
            result = model.transcribe(audio)
            del audio
            gc.collect()
            return result
        """
    assert [f.code for f in lint(textwrap.dedent(code))] == ["MEM016"]


def test_only_numeric_filter_results_make_gc_collect_needless():
    code = """
        import gc
        from scipy import signal

        def envelope(x, sos, b, a):
            y = signal.sosfiltfilt(sos, x)
            z = signal.filtfilt(b, a, x)
            peak = y.max()
            del y
            gc.collect()
            low = z.min()
            del z
            gc.collect()
            return peak, low
        """
    found = lint(textwrap.dedent(code))
    assert [(f.code, f.line) for f in found] == [("MEM016", 10)]  # filtfilt of an object signal is an object array


def test_trap_sounddevice_keeps_and_fills_its_recording():
    # sd.rec returns at once and goes on writing into the array it returned: scaling it in place would race the
    # recording (and sounddevice keeps the array), so the result is no fresh array (PortAudio is not here to run it)
    code = """
        import sounddevice as sd
        import numpy as np

        def record():
            audio = sd.rec(441000, 44100, 1, "float32")
            audio = audio * 2.0
            return audio
        """
    code = textwrap.dedent(code)
    assert fix(code, unsafe=True) == code


@pytest.mark.slow
def test_clipping_a_ycbcr_image_is_fixed():
    pytest.importorskip("skimage")
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        from skimage import color

        def ycbcr(n):
            rgb = (np.arange(n * n * 3) % 256).astype(np.uint8).reshape(n, n, 3)
            img = color.rgb2ycbcr(rgb)
            img = np.clip(img, 16, 235)
            return img

        out = ycbcr(1024)
        print(out.dtype, out.shape, round(float(out.sum()), 3))
        """
    )
    assert "np.clip(img, 16, 235, out=img)" in fixed


@pytest.mark.slow
def test_trap_a_float32_image_converts_to_float32():
    pytest.importorskip("skimage")
    # rgb2ycbcr keeps a float32 image float32: adding a float64 array in place would keep float32, where
    # `img + offsets` is float64 (an entry saying "always float64" would make this a fix)
    code = """
        import numpy as np
        from skimage import color
        rgb = np.full((512, 512, 3), 0.3, np.float32)
        offsets = np.full((512, 512, 3), 1e-9)
        img = color.rgb2ycbcr(rgb)
        img = img + offsets
        print(img.dtype, repr(float(img[0, 0, 0])))
        """
    assert_trap_not_fixed(code, "img = img + offsets", "img += offsets")


@pytest.mark.slow
def test_matplotlib_imread_gives_a_numeric_base_class_ndarray(tmp_path):
    """A float32 PNG, or Pillow's pixels as uint8/uint16 for other formats (some read-only): numeric always,
    so the entry states the kind and `numeric`, never an owner or a dtype."""
    plt = pytest.importorskip("matplotlib.pyplot")
    Image = pytest.importorskip("PIL.Image")
    rgb = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    found = set()
    for mode in ("RGB", "L", "1", "P", "LA", "I", "F", "CMYK", "I;16"):
        image = Image.fromarray(rgb[..., 0].astype(np.uint16)) if mode == "I;16" else Image.fromarray(rgb)
        image = image if mode == "I;16" else image.convert(mode)
        for ext in ("png", "jpg", "bmp", "gif", "tif"):
            path = tmp_path / f"a.{ext}"
            try:
                image.save(path)
            except (OSError, ValueError):
                continue  # a mode the format cannot hold
            img = plt.imread(path)
            assert type(img) is np.ndarray and not img.dtype.hasobject
            found.add((str(img.dtype), img.flags.writeable))
    assert {"float32", "uint8", "uint16"} == {dtype for dtype, _ in found}
    assert {True, False} == {writeable for _, writeable in found}  # so no owner is stated
    entry = calls.library()["matplotlib.pyplot.imread"]
    assert (entry.kind, entry.numeric, entry.owner, entry.dtype) == ("ndarray", True, None, None)
    v = value_of("import matplotlib.pyplot as plt\nimg = plt.imread(p)", "img")
    assert (v.kind, v.dtype, v.holds_no_objects, v.ownership) == ("ndarray", None, True, "unknown_call")


@pytest.mark.slow
def test_trap_matplotlib_imread_of_a_jpeg_is_read_only(tmp_path):
    """Had the entry said "fresh", np.array(plt.imread(p)) of a JPEG, then written, could become np.asarray:
    the write would raise."""
    pytest.importorskip("matplotlib")
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "a.jpg"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    code = f"""
        import matplotlib.pyplot as plt
        import numpy as np
        img = np.array(plt.imread({str(path)!r}))
        img[0, 0] = 255
        print(img[0, 0, 0])
        """
    assert_trap_not_fixed(code, "np.array(plt", "np.asarray(plt")
    assert outcome(code.replace("np.array(plt", "np.asarray(plt")).startswith("raised: ValueError")
