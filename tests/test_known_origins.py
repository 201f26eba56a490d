"""More of where arrays come from (facts/calls.toml): OpenCV's sizes and colour conversions, soundfile, JPEG
files read by imageio, scikit-learn's transforms, and arrays stacked from a list of known length. Each entry
is checked against the installed library, and each has a trap where the wrong assumption would break a fix
or a finding."""

import textwrap

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, lint
from test_calls import described, value_of

from memlint.facts import calls

# --- OpenCV: dsize is (width, height); the channels are the source's ----------------------------------------

_SOURCES = [(40, 30), (40, 30, 1), (40, 30, 2), (40, 30, 3), (40, 30, 4)]


@pytest.mark.parametrize("shape", _SOURCES)
def test_opencv_sizes_match_opencv(shape):
    cv2 = pytest.importorskip("cv2")
    src = np.zeros(shape, np.float32)
    head = f"import cv2\nimport numpy as np\nsrc = np.zeros({shape}, np.float32)\n"
    for call, ran in [
        ("cv2.resize(src, (20, 10))", cv2.resize(src, (20, 10))),
        ("cv2.resize(src, dsize=[20, 10], interpolation=cv2.INTER_AREA)", cv2.resize(src, dsize=[20, 10])),
        ("cv2.warpAffine(src, m, (20, 10))", cv2.warpAffine(src, np.eye(2, 3), (20, 10))),
        ("cv2.warpPerspective(src, m, dsize=(20, 10))", cv2.warpPerspective(src, np.eye(3), dsize=(20, 10))),
    ]:
        got = value_of(head + f"a = {call}", "a")
        assert (got.kind, got.dtype, got.shape) == ("ndarray", ran.dtype, ran.shape), call
        assert ran.shape[:2] == (10, 20)  # rows are the height, the second number


def test_trap_opencv_sizes_not_spelled_as_two_ints_are_unknown():
    cv2 = pytest.importorskip("cv2")
    head = "import cv2\nimport numpy as np\nsrc = np.zeros((40, 30, 3), np.uint8)\n"
    for call in [
        "cv2.resize(src, size)",  # not literal
        "cv2.resize(src, (0, 0), fx=0.5, fy=0.5)",  # the size comes from fx and fy
        "cv2.resize(img, (20, 10))",  # channels of an image of unknown shape: (10, 20) or (10, 20, c)
        "cv2.resize(src, (20, 10), dst)",  # the result is dst
    ]:
        assert value_of(head + f"a = {call}", "a").shape is None, call
    assert cv2.resize(np.zeros((40, 30, 3), np.uint8), (0, 0), fx=0.5, fy=0.5).shape == (20, 15, 3)


def test_cvtcolor_codes_match_opencv():
    cv2 = pytest.importorskip("cv2")
    entry = calls.library()["cv2.cvtColor"]
    codes = entry.cases[""].cases
    assert {"cv2.COLOR_BGR2GRAY", "cv2.COLOR_GRAY2BGR", "cv2.COLOR_BGR2RGB"} <= set(codes)
    for spelled, case in codes.items():
        code = getattr(cv2, spelled.split(".")[1])
        results = []
        for shape in _SOURCES:
            for dtype in (np.uint8, np.float32):
                try:
                    results.append(cv2.cvtColor(np.zeros(shape, dtype), code))
                except cv2.error:
                    continue
        assert results, spelled
        assert all(type(r) is np.ndarray and r.ndim == case.ndim for r in results), spelled
    head = "import cv2\nimport numpy as np\n"
    assert value_of(head + "a = cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2GRAY)", "a").ndim == 2
    assert value_of(head + "a = cv2.cvtColor(x, cv2.COLOR_BGR2GRAY)", "a").ndim == 2  # whatever x is
    assert value_of(head + "a = cv2.cvtColor(x, cv2.COLOR_BGR2GRAY, dstCn=3)", "a").ndim is None
    assert value_of(head + "a = cv2.cvtColor(x, code)", "a").ndim is None


def test_imdecode_decodes_as_imread():
    cv2 = pytest.importorskip("cv2")
    png8 = cv2.imencode(".png", np.zeros((5, 4, 3), np.uint8))[1]
    png16 = cv2.imencode(".png", np.zeros((5, 4), np.uint16))[1]
    head = "import cv2\nimport numpy as np\n"
    for flags, spelled in [(cv2.IMREAD_COLOR, "cv2.IMREAD_COLOR"), (cv2.IMREAD_GRAYSCALE, "cv2.IMREAD_GRAYSCALE")]:
        expected = value_of(head + f"a = cv2.imdecode(buf, {spelled})", "a")
        for buf in (png8, png16):
            img = cv2.imdecode(buf, flags)
            assert type(img) is np.ndarray and img.flags.writeable and img.flags.owndata
            assert (img.dtype, img.ndim) == (expected.dtype, expected.ndim)
    unchanged = value_of(head + "a = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)", "a")
    assert unchanged.dtype is None and cv2.imdecode(png16, cv2.IMREAD_UNCHANGED).dtype == np.uint16


# --- a small image stays small: known-small arrays are not reported -------------------------------------------

_ONE_GREY_IMAGE = """
    import cv2
    import numpy as np

    def one_image(data, height, width):
        im = cv2.imdecode(data, cv2.IMREAD_COLOR)
        im = cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)
        im = cv2.resize(im, dsize=(width, height))
        {stack}
        X = X.astype("float32")
        X = X / 255.0
        return X
"""


@pytest.mark.parametrize("stack", ["X = np.array([im])", "X = []\n        X.append(im)\n        X = np.array(X)"])
def test_one_small_resized_image_is_known_small(stack):
    code = _ONE_GREY_IMAGE.format(stack=stack)
    small = code.replace("(width, height)", "(200, 300)")  # 1 x 300 x 200 float32: 240,000 B < 256 KiB
    large = code.replace("(width, height)", "(2000, 3000)")  # 24 MB
    assert [f.code for f in lint(small)] == []
    (finding,) = lint(large)
    assert finding.code == "MEM001" and "22.9 MiB" in finding.message  # 1 x 3000 x 2000 x 4 B


def test_list_length_is_known_only_when_every_read_follows_every_append():
    head = "import numpy as np\nim = np.zeros((3, 4), np.uint8)\n"

    def shape(code):
        return value_of(head + textwrap.dedent(code), "a").shape

    assert shape("xs = []\nxs.append(im)\nxs.append(im + 1)\na = np.array(xs)") == (2, 3, 4)
    assert shape("xs = []\nfor i in range(2):\n    xs.append(im)\na = np.array(xs)") is None  # in a loop
    assert shape("xs = []\nif c:\n    xs.append(im)\na = np.array(xs)") is None  # in a branch
    assert shape("xs = []\nxs.append(im)\nprint(len(xs))\nxs.append(im)\na = np.array(xs)") is None  # read before
    assert shape("xs = []\nxs.append(im)\nxs.append(np.zeros((5, 4), np.uint8))\na = np.array(xs)") is None
    # a list bound, filled and read in each iteration of a loop holds that iteration's items
    assert shape("for p in ps:\n    xs = []\n    xs.append(im)\n    a = np.array(xs)") == (1, 3, 4)


@pytest.mark.parametrize(
    "items, expected",
    [
        ("[a, a]", ((2, 3, 4), "uint8")),
        ("(a, b)", ((2, 3, 4), None)),  # uint8 and float32 promote: not stated
        ("[a, c]", (None, "uint8")),  # unequal shapes: NumPy raises, so no shape
        ("[a]", ((1, 3, 4), "uint8")),
        # an array of unknown dtype beside a float64 one: not float64 (np.dtype(None) == np.float64 is True)
        ("[f, u]", ((2, 3, 4), None)),
        ("[u, f]", ((2, 3, 4), None)),
    ],
)
def test_arrays_stacked_from_a_list_display(items, expected):
    code = "import numpy as np\na = np.zeros((3, 4), np.uint8)\nb = np.zeros((3, 4), np.float32)\n"
    code += "f = np.zeros((3, 4))\nu = np.zeros((3, 4), dtype=object if len(b) > 9 else complex)\n"
    code += f"c = np.zeros((3, 5), np.uint8)\ns = np.array({items})\n"
    got = value_of(code, "s")
    assert (got.shape, str(got.dtype) if got.dtype is not None else None) == expected
    namespace: dict = {}
    try:
        exec(code, namespace)
    except ValueError:
        assert expected[0] is None
        return
    if expected[0] is not None:
        assert namespace["s"].shape == expected[0]


# --- soundfile -------------------------------------------------------------------------------------------------


def test_soundfile_read_values():
    head = "import numpy as np\nimport soundfile as sf\n"
    assert described(value_of(head + "a, sr = sf.read(p)", "a")) == ("ndarray", "float64", None, "fresh")
    assert described(value_of(head + "a, sr = sf.read(p, dtype=np.int16)", "a")) == ("ndarray", "int16", None, "fresh")
    assert described(value_of(head + "a, sr = sf.read(p, -1, 0, None, 'float32')", "a"))[1] == "float32"
    assert value_of(head + "a, sr = sf.read(p, always_2d=True)", "a").ndim == 2
    assert value_of(head + "a, sr = sf.read(p, out=buf)", "a").ownership == "unknown"  # out itself


def test_soundfile_entry_matches_soundfile(tmp_path):
    sf = pytest.importorskip("soundfile")
    mono, stereo = str(tmp_path / "m.wav"), str(tmp_path / "s.wav")
    sf.write(mono, np.zeros(100, np.int16), 8000, subtype="PCM_16")
    sf.write(stereo, np.zeros((100, 2), np.float32), 8000, subtype="FLOAT")
    for path, ndim in ((mono, 1), (stereo, 2)):
        for kw, dtype in [({}, np.float64), ({"dtype": np.int16}, np.int16), ({"dtype": "float32"}, np.float32)]:
            data, rate = sf.read(path, **kw)
            assert type(data) is np.ndarray and data.dtype == dtype and data.ndim == ndim and type(rate) is int
            assert data.flags.writeable and data.flags.owndata
        assert sf.read(path, always_2d=True)[0].ndim == 2
    out = np.zeros(100, np.float32)
    assert sf.read(mono, out=out)[0] is out  # why out= gives nothing


def test_int16_audio_scaled_to_float_widens_it():
    code = """
        import soundfile as sf

        def waveform(path):
            data, sr = sf.read(path, dtype="int16")
            return data / 32768.0
    """
    (finding,) = lint(code)
    assert finding.code == "MEM008" and "4x the int16 array" in finding.message
    assert lint(code.replace('dtype="int16"', 'dtype="float32"')) == []


# --- imageio: a .jpg is 8-bit; a .png may not be ------------------------------------------------------------


@pytest.mark.parametrize("function", ["imageio.v2.imread", "imageio.v3.imread", "imageio.imread"])
def test_imageio_jpeg_is_uint8(function, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    imageio = pytest.importorskip("imageio")
    import importlib
    import warnings

    module, name = function.rsplit(".", 1)
    read = getattr(importlib.import_module(module), name)
    for mode, suffix in [("RGB", "a.JPG"), ("L", "b.jpeg"), ("CMYK", "c.jpg")]:
        Image.new(mode, (5, 4)).save(tmp_path / suffix)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # imageio.imread: "use imageio.v2"
            assert read(str(tmp_path / suffix)).dtype == np.uint8
    head = f"import os\nimport {module}\n"
    for path in ["'Photos/Tower.JPG'", 'f"{folder}/{name}.jpeg"', "'a.jpg'", "os.path.join(d, 'b.JPEG')"]:
        assert value_of(head + f"a = {function}({path})", "a").dtype == np.uint8, path
    for path in ["'a.png'", "path", 'f"a.{ext}"', "'jpg'", "'a.jpg.png'", "os.path.join('a.jpg', name)"]:
        assert value_of(head + f"a = {function}({path})", "a").dtype is None, path
    for binding in ["p = 'a.jpg'", "for p in ['a.jpg', 'b.JPG']:\n    pass"]:  # names of such paths only
        assert value_of(head + f"{binding}\na = {function}(p)", "a").dtype == np.uint8, binding
    for binding in ["p = 'a.jpg' if c else 'b.png'", "for p in ['a.jpg', 'b.png']:\n    pass"]:
        assert value_of(head + f"{binding}\na = {function}(p)", "a").dtype is None, binding
    keyword = "mode" if function == "imageio.v3.imread" else "pilmode"
    assert value_of(head + f"a = {function}('a.jpg', {keyword}='F')", "a").dtype is None
    Image.new("RGB", (5, 4)).save(tmp_path / "f.jpg")
    assert imageio.v3.imread(tmp_path / "f.jpg", mode="F").dtype == np.float32  # why mode= gives nothing
    assert imageio.v3.imread(tmp_path / "f.jpg", writeable_output=False).flags.writeable is False
    assert value_of("import imageio.v3 as iio\na = iio.imread(p, writeable_output=False)", "a").ownership != "fresh"


def test_trap_a_png_may_be_16_bit(tmp_path):
    pytest.importorskip("imageio")
    cv2 = pytest.importorskip("cv2")
    import imageio.v2
    import imageio.v3 as iio

    cv2.imwrite(str(tmp_path / "deep.png"), np.full((4, 5), 40000, np.uint16))
    assert iio.imread(tmp_path / "deep.png").dtype == imageio.v2.imread(tmp_path / "deep.png").dtype == np.uint16
    code = """
        import imageio.v3 as iio
        img = iio.imread("deep.png")
        x = img / 255
    """
    # stated as uint8, the message would say every value is exact in float32 and 8x: neither holds for uint16
    assert lint(code) == []
    (finding,) = lint(code.replace("deep.png", "photo.jpg"))
    assert finding.code == "MEM008" and "8x the uint8 array" in finding.message


# --- scikit-learn: transform makes a new 2-d array, fit returns the estimator -------------------------------

_PROJECTION = """
    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    X = np.empty((4_000_000, 2))
    X[:, 0] = np.arange(4_000_000, dtype=np.float32) % 7
    X[:, 1] = np.arange(4_000_000, dtype=np.float32) % 5
    labels = (X[:1000, 0] > 0).astype(int)
    pca = PCA(n_components=1).fit(X[:1000])
    pc = pca.transform(X).flatten()
    print(round(float(pc.sum()), 3), pc[:3], pc.shape)
    ld = LinearDiscriminantAnalysis(n_components=1).fit(X[:1000], labels).transform(X[:1000]).flatten()
    print(round(float(abs(ld).mean()), 6), ld.shape)
"""


@pytest.mark.slow  # imports a large library (librosa, scikit-learn: 0.5-3 s) to check memlint's data
def test_sklearn_transforms_match_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    X = np.random.default_rng(0).normal(size=(60, 4))
    y = np.arange(60) % 3
    for inputs in (X, X.astype(np.float32), X.tolist()):
        pca = PCA(n_components=2)
        assert pca.fit(inputs) is pca
        for solver in ("svd", "eigen"):
            lda = LinearDiscriminantAnalysis(n_components=1, solver=solver)
            assert lda.fit(inputs, y) is lda
            for got in (pca.transform(inputs), pca.fit_transform(inputs), lda.transform(inputs)):
                assert type(got) is np.ndarray and got.ndim == 2 and got.flags.writeable
                assert not np.shares_memory(got, X)
    assert described(value_of(textwrap.dedent(_PROJECTION), "pc")) == ("ndarray", None, 1, "fresh")


@pytest.mark.slow
def test_flatten_of_a_transform_is_fixed():
    pytest.importorskip("sklearn")
    fixed = assert_fix_keeps_behaviour(
        _PROJECTION, saves_at_least=16_000_000
    )  # pc: a 32 MB copy (sklearn imports hold 90 MB)
    assert fixed.count(".ravel()") == 2


@pytest.mark.slow
def test_trap_a_scaler_without_copy_transforms_in_place():
    pytest.importorskip("sklearn")
    # StandardScaler(copy=False).transform returns X itself: .ravel() of it would write X through the result
    code = """
        import numpy as np
        from sklearn.preprocessing import StandardScaler
        X = np.arange(12.0).reshape(6, 2)
        flat = StandardScaler(copy=False).fit(X).transform(X).flatten()
        flat[0] = 99.0
        print(X[0, 0])
    """
    assert_trap_not_fixed("MEM012", code, ".flatten()", ".ravel()")


# --- MEM012: a copy thrown away --------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_astype_thrown_away_is_fixed_even_for_an_array_handed_out():
    code = """
        import numpy as np
        seen = []
        X = np.ones((1000, 1000)) / 3
        seen.append(X)
        X.astype(float)
        print(X.sum(), len(seen))
    """
    fixed = assert_fix_keeps_behaviour(code, saves_at_least=4_000_000)
    assert "X.astype(float, copy=False)" in fixed


@pytest.mark.slow
def test_trap_a_copy_thrown_away_in_a_try_block_may_be_there_to_raise():
    code = """
        import numpy as np
        arr = np.broadcast_to(np.array(0, dtype="uint8"), 2**62)
        try:
            np.array(arr)
            print("copied")
        except MemoryError:
            print("too large to copy")
    """
    assert_trap_not_fixed("MEM012", code, "np.array(arr)", "np.asarray(arr)")
