"""MEM012 hidden-copy: np.array(ndarray), astype to the same dtype, flatten; safe fixes under catalog 3.7."""

import textwrap

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, fix, lint, write_video


def mem012(code):
    return lint(code, select=("MEM012",))


# --- fixes that keep behaviour and lower the peak -------------------------------------------------------


@pytest.mark.slow
def test_np_array_of_a_fresh_array_that_dies_becomes_asarray():
    code = """
        import numpy as np

        def main():
            a = np.arange(500_000, dtype=np.float64)
            b = np.array(a)
            b[0] = 5.0
            print(b[:3], b.sum(), b.dtype, b.shape)

        main()
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "b = np.asarray(a)" in fixed


@pytest.mark.slow
def test_astype_to_the_same_dtype_read_only_gets_copy_false():
    code = """
        import numpy as np

        def main():
            a = np.ones((512, 512), dtype=np.float32)
            a[0, 0] = 3.0
            total = a.astype(np.float32).sum()
            print(total, a[0, 0], a.dtype)

        main()
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "a.astype(np.float32, copy=False).sum()" in fixed


@pytest.mark.slow
def test_flatten_of_a_dying_fresh_array_becomes_ravel():
    code = """
        import numpy as np

        def main():
            grid = np.zeros((700, 700))
            grid[3, 4] = 1.0
            flat = grid.flatten()
            flat[0] = 2.0
            print(flat.argmax(), flat.sum(), flat.shape)

        main()
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "flat = grid.ravel()" in fixed


@pytest.mark.slow
def test_copy_whose_result_is_only_read_while_x_lives():
    code = """
        import numpy as np

        def main():
            a = np.linspace(0.0, 1.0, 400_000)
            b = np.array(a, dtype=np.float64)
            print(b.mean(), b[10], a[10], (b * 2).max())

        main()
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "np.asarray(a, dtype=np.float64)" in fixed


def test_finding_names_the_bytes_and_the_replacement():
    (f,) = mem012("""
        import numpy as np
        def g():
            a = np.zeros((1000, 1000))
            return a.flatten()
        """)
    assert f.code == "MEM012" and f.estimated_bytes == 8_000_000
    assert "7.6 MiB" in f.message and ".ravel()" in f.message
    assert f.fix is not None and f.fix.applicability == "safe"


def test_message_spells_a_temporary_in_parentheses():
    (f,) = mem012("""
        import numpy as np
        def g():
            return (np.arange(100_000) + 1).astype(np.int64)
        """)
    assert f.message.startswith("(np.arange(100_000) + 1).astype(...)")
    assert "(np.arange(100_000) + 1).astype(np.int64, copy=False)" in fix(
        "import numpy as np\ndef g():\n    return (np.arange(100_000) + 1).astype(np.int64)\n", select=("MEM012",)
    )


def test_fix_keeps_comments_and_other_arguments():
    code = """
        import numpy as np
        def g():
            a = np.zeros((1000, 1000), dtype=np.float32)
            return np.array(  # keep me
                a, order="K")
        """
    assert 'np.asarray(  # keep me\n        a, order="K")' in fix(code, select=("MEM012",))


# --- traps: the copy is needed, or the alias could be seen -------------------------------------------------


def assert_no_fix(code):
    findings = mem012(code)
    assert all(f.fix is None for f in findings), findings
    assert fix(code, select=("MEM012",)) == __import__("textwrap").dedent(code)


def test_x_written_after_the_copy_keeps_its_copy():
    # np.asarray would let b see the write: b[0] would print 1.0 instead of 0.0
    assert_no_fix("""
        import numpy as np
        def main():
            a = np.zeros(500_000)
            b = np.array(a)
            a[0] = 1.0
            print(b[0])
        """)


def test_result_written_while_x_is_used_later():
    assert_no_fix("""
        import numpy as np
        def main():
            a = np.zeros((700, 700))
            flat = a.flatten()
            flat[0] = 9.0
            print(a[0, 0], flat[0])
        """)


def test_parameter_with_written_result_is_a_defensive_copy():
    assert_no_fix("""
        import numpy as np
        def normalised(x: np.ndarray):
            y = np.array(x)
            y /= y.max()
            return y
        def main():
            x = np.ones(500_000)
            y = np.array(x)
            y[0] = 7.0
            return normalised(x), x
        """)


def test_result_escapes_while_x_lives():
    assert_no_fix("""
        import numpy as np
        def main(store):
            a = np.ones(500_000)
            store.append(a.astype(np.float64))
            return a
        """)


def test_augmented_write_to_x_while_result_lives():
    assert_no_fix("""
        import numpy as np
        def main():
            a = np.ones(500_000)
            b = a.astype(np.float64)
            a += 1
            return b
        """)


def test_never_reported():
    assert (
        mem012("""
        import numpy as np
        def main(lst):
            m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
            a = np.array(m)                       # np.matrix: not a plain ndarray
            b = np.array(lst)                     # a list: the copy is the conversion
            c = np.zeros(100_000, dtype=np.float32)
            d = c.astype(np.float64)              # a real conversion
            e = np.array(c, dtype=np.float64)     # a real conversion
            f = np.array(c, ndmin=2)              # np.asarray has no ndmin
            g = np.array(c, copy=True)            # an explicit copy
            h = np.array(c, order="F")            # copies a C-ordered array either way
            k = c.astype(np.float32, copy=True)   # an explicit copy
            return a, b, d, e, f, g, h, k
        """)
        == []
    )
    assert (
        mem012("""
        import numpy as np
        def main():
            arr = np.array(["2020-10-10"] * 100_000, dtype=object)
            arr = arr.astype("S")              # "S" is sized from the data: S10
            ok = arr.astype("S").astype("M8")  # memlint cannot know S10 == "S" (numpy's own tests)
            d = np.zeros(100_000, dtype="M8[D]")
            return ok, d.astype("M8")          # a unitless datetime: NumPy picks the unit
        """)
        == []
    )
    assert (
        mem012("""
        import numpy as np
        def refcounts(a, b):
            arr = np.array([a, b] * 50_000, dtype=object)
            arr2 = arr.flatten()                   # numpy's test_regression counts the references it adds
            return arr2
        """)
        == []
    )
    assert (
        mem012("""
        import mylib as np
        def main():
            a = np.zeros(100)
            return np.array(a)
        """)
        == []
    )


@pytest.mark.slow
def test_copy_of_a_temporary_and_the_from_import_spelling():
    code = """
        from numpy import array, asarray, linspace

        def main():
            a = linspace(0.0, 1.0, 300_000)
            b = array(a * 2)
            b[0] = -1.0
            print(b[:2], a[:2], asarray(a).shape)

        main()
        """
    fixed = assert_fix_keeps_behaviour(code)
    assert "b = asarray(a * 2)" in fixed


def test_x_held_elsewhere_or_written_on_the_next_iteration():
    assert_no_fix("""
        import numpy as np
        def main(self):
            a = np.zeros(500_000)
            self.keep = a                 # the alias would see writes to b
            b = np.array(a)
            b[0] = 1.0
            return b
        """)
    assert_no_fix("""
        import numpy as np
        def main():
            a = np.zeros(500_000)
            out = []
            b = a.flatten()
            for i in range(3):
                out.append(b.sum())
                a[i] = 1.0                # a view b would see this on the next iteration
            return out
        """)


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM012"]
    assert mem012(doc.example) and all(f.code == "MEM012" for f in mem012(doc.example))
    assert mem012(doc.use_instead) == []


@pytest.mark.slow
def test_the_traps_are_real():
    """What the traps protect: had memlint rewritten them, the programs would print something else."""
    from helpers import run_program

    x_written_later = """
        import numpy as np
        def main():
            a = np.zeros(1000)
            b = np.array(a)
            a[0] = 1.0
            print(b[0])
        main()
        """
    caller_array = """
        import numpy as np
        def normalised(x):
            y = x.astype(np.float64)
            y /= 2
            return y
        data = np.ones(1000)
        normalised(data)
        print(data[0])
        """
    result_written_x_used = """
        import numpy as np
        def main():
            a = np.zeros((10, 10))
            flat = a.flatten()
            flat[0] = 9.0
            print(a[0, 0])
        main()
        """
    for program, copy, alias in [
        (x_written_later, "np.array(a)", "np.asarray(a)"),
        (caller_array, "x.astype(np.float64)", "x.astype(np.float64, copy=False)"),
        (result_written_x_used, "a.flatten()", "a.ravel()"),
    ]:
        assert mem012(program) == []
        assert run_program(program)[0] != run_program(program.replace(copy, alias))[0]


@pytest.mark.slow
def test_two_copies_in_a_row_lose_one_not_both():
    """Each rewrite alone keeps behaviour; both together would make b a view of a, and b[0] = 9 would
    reach a. memlint removes the inner copy and keeps the outer one."""
    for program in (
        """
        import numpy as np
        def main():
            a = np.zeros((500, 500))
            b = np.array(a.flatten())
            b[0] = 9.0
            print(a[0, 0], b[0])
        main()
        """,
        """
        import numpy as np
        def main():
            a = np.zeros((500, 500))
            t = a.flatten()
            b = np.array(t)
            b[0] = 9.0
            print(a[0, 0], b[0])
        main()
        """,
    ):
        fixed = assert_fix_keeps_behaviour(program)
        assert "a.ravel()" in fixed and "np.array(" in fixed


@pytest.mark.slow
def test_no_alias_for_other_rules_to_write_through():
    """`b = b * 2` is a read, but MEM001 rewrites it to `b *= 2`: with b = np.asarray(a) that would write a."""
    from helpers import run_program

    code = """
        import numpy as np
        def main():
            a = np.ones(500_000)
            b = np.array(a)
            b = b * 2
            c = a.astype(np.float64)
            c = np.multiply(c, 3)
            print(a[0], b[0], c[0])
        main()
        """
    assert mem012(code) == []
    fixed = fix(code, select=("MEM",))  # every rule's fixes together
    assert run_program(fixed)[0] == run_program(code)[0]


@pytest.mark.slow
def test_flatten_in_fortran_order_of_a_2d_array_is_not_reported():
    # spelled as in scipy/io/matlab/_mio5.py (`.flatten('F')`), which memlint would report on any fresh 2-d
    # array: ravel("F") of a C-ordered 2-d array copies it as flatten("F") does, so the fix saves nothing
    code = """
        import numpy as np
        def column_major():
            x = np.random.default_rng(0).random((512, 512))
            return x.flatten("F")
        def column_major_head():
            y = np.random.default_rng(1).random((512, 512))
            return y.flatten(order="f")[:3]  # numpy/_core/tests/test_umath.py spells it lowercase
        print(column_major()[:3], column_major_head())
        """
    assert mem012(code) == []
    from helpers import run_program

    out_flatten, peak_flatten = run_program(code)
    out_ravel, peak_ravel = run_program(code.replace(".flatten(", ".ravel("))
    assert out_ravel == out_flatten and peak_ravel > 0.95 * peak_flatten
    # one dimension: every order is a view of the array, and the fix stays
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def flat():
            x = np.random.default_rng(0).random(1 << 18)
            return x.flatten("F")
        print(flat()[:3])
        """)
    assert 'x.ravel("F")' in fixed


# --- known dtypes from annotations and arithmetic, module-level names, temporaries of one statement ---------


@pytest.mark.slow
def test_astype_of_a_float32_result_of_arithmetic_on_an_annotated_array():
    # img is annotated uint8 but its number of dimensions is not known: img.astype(...) / 255.0 is a float32
    # array, or a float32 scalar for a 0-d one; astype(copy=False) of either is the same value
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        import numpy.typing as npt

        def to_unit(img: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
            return (img.astype(np.float32) / 255.0).astype(np.float32)

        def centred(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
            y = x - float(x.min())
            return y.astype(np.float32)

        big = to_unit(np.full((1000, 1000), 51, np.uint8))
        one = to_unit(np.array(51, np.uint8))
        print(big.dtype, big.sum(), type(one).__name__, one)
        c = centred(big)
        print(c.dtype, c.sum(), type(centred(one)).__name__, centred(one))
    """)
    assert ".astype(np.float32, copy=False)\n" in fixed and "return y.astype(np.float32, copy=False)" in fixed


def test_a_module_level_name_this_module_never_reads_again_gets_an_unsafe_fix():
    code = """
        import numpy as np
        rows = []
        for i in range(3):
            img = np.full((512, 512), i, np.uint8)
            rows.append(img.flatten())
        X = np.array(rows)
    """
    (found,) = mem012(code)
    assert found.line == 6 and found.fix.applicability == "unsafe"
    assert "a module importing it could write" in found.fix.message
    assert fix(code) == textwrap.dedent(code)  # not without --unsafe-fixes
    in_function = mem012("def main():\n" + textwrap.indent(textwrap.dedent(code), "    "))
    assert [f.fix.applicability for f in in_function] == ["safe"]


@pytest.mark.slow
def test_the_unsafe_module_level_fix_keeps_behaviour():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        rows = []
        for i in range(4):
            img = np.full((700, 700), i, np.uint8)
            rows.append(img.flatten())
        X = np.array(rows)
        print(X.shape, X.sum())
        """,
        unsafe=True,
    )
    assert "rows.append(img.ravel())" in fixed


@pytest.mark.slow
def test_a_temporary_read_within_its_statement_while_x_is_only_read():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np
        def spread():
            X = np.random.default_rng(0).random((1000, 1000))
            s = np.sqrt(np.array(X)).sum() / (np.max(X) - np.min(X))
            return s, X.sum()
        print(spread())
    """)
    assert "np.sqrt(np.asarray(X)).sum()" in fixed


@pytest.mark.slow
def test_trap_a_call_in_the_same_statement_writes_x():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        def bump(a):
            a += 1
            return 0
        def main():
            X = np.zeros((1000, 1000))
            X = np.array(X) + bump(X)
            return X.sum()
        print(main())
        """,
        "np.array(X) + bump",
        "np.asarray(X) + bump",
    )


@pytest.mark.slow
def test_trap_a_loop_over_the_result_outlives_its_statement():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        def main():
            X = np.zeros((500, 500))
            total = 0.0
            for row in np.array(X):
                X[:] = 1.0
                total += row.sum()
            return total
        print(main())
        """,
        "np.array(X):",
        "np.asarray(X):",
    )


def test_float32_images_from_arrays_gathered_then_cast_to_float32():
    found = mem012("""
        import numpy as np
        from PIL import Image
        frames = []
        for i in range(50):
            img = Image.fromarray(np.zeros((512, 512), np.uint16)).convert("F").resize((256, 256))
            frames.append(np.array(img))
        np.array(frames).astype("float32").tofile("out.bin")
    """)
    assert [(f.line, f.fix.applicability) for f in found] == [(8, "safe")]
    assert "astype(...) to the dtype it already has" in found[0].message


@pytest.mark.slow
def test_a_copy_numpy_writes_its_result_into_saves_nothing_and_is_not_reported():
    from helpers import run_program

    code = """
        import numpy as np
        def main():
            a = np.ones((1000, 1000))
            b = np.array(a) - 1.5
            return b.sum()
        print(main())
    """
    assert mem012(code) == []
    (out, peak), (out_naive, peak_naive) = run_program(code), run_program(code.replace("np.array(a)", "np.asarray(a)"))
    assert out == out_naive and peak_naive > 0.95 * peak  # temporary elision: the copy became the result
    # a float32 copy minus a Python float is not elided (the float is float64 to NumPy's check): the fix saves
    fixed = assert_fix_keeps_behaviour(code.replace("np.ones((1000, 1000))", "np.ones((1000, 1000), np.float32)"))
    assert "np.asarray(a) - 1.5" in fixed


def test_an_array_of_a_literal_holding_none_is_an_object_array_and_not_reported():
    from test_calls import value_of

    assert str(value_of("import numpy as np\na = np.array([[1, None], [2, 3]])", "a").dtype) == "object"
    assert str(value_of("import numpy as np\na = np.array([None], dtype=float)", "a").dtype) == "float64"
    # the copy of an object array holds new references to the same objects
    assert not mem012("""
        import numpy as np
        def main():
            outer = np.array([None, None])
            outer[0] = np.arange(3)
            return np.array(outer).shape
    """)


# --- loaders: a dtype the data decides, an array others hold but nobody can write meanwhile -----------------


@pytest.mark.slow
def test_converting_a_loaded_array_copies_it_even_when_it_has_that_dtype(tmp_path):
    import numpy as np

    np.save(tmp_path / "f32.npy", np.arange(2_000_000, dtype=np.float32))
    np.save(tmp_path / "f64.npy", np.arange(1000, dtype=np.float64))
    code = f"""
        import numpy as np
        for name in ["f32", "f64"]:
            v = np.array(np.load({str(tmp_path)!r} + "/" + name + ".npy"), dtype=np.float32)
            w = np.load({str(tmp_path)!r} + "/" + name + ".npy").astype(np.float32)
            print(v.dtype, v.sum(), w.dtype, w[-3:], v.flags.writeable, w.flags.writeable)
    """
    (first, second) = mem012(code)
    assert "copies the whole array even when it already is float32, which the data decides" in first.message
    fixed = assert_fix_keeps_behaviour(code)
    assert "np.asarray(np.load(" in fixed and ".astype(np.float32, copy=False)" in fixed


@pytest.mark.slow
def test_trap_a_loaded_array_kept_and_written_after_the_conversion(tmp_path):
    import numpy as np

    np.save(tmp_path / "f32.npy", np.zeros(1000, dtype=np.float32))
    assert_trap_not_fixed(
        "MEM012",
        f"""
        import numpy as np
        def main():
            raw = np.load({str(tmp_path)!r} + "/f32.npy")
            scaled = raw.astype(np.float32)
            raw[0] = 7.0
            return scaled[0]
        print(main())
        """,
        "raw.astype(np.float32)",
        "raw.astype(np.float32, copy=False)",
    )


def test_a_call_keeping_its_inputs_dtype_is_not_a_loader_whose_data_decides():
    # cv2.resize keeps its input's dtype: the code that made the input decides it (uint8 from cv2.imread, or
    # whatever a caller passes), not a file: converting it is wanted, never "already float32" by chance.
    assert (
        mem012("""
        import cv2
        import numpy as np
        def prepare(image, path, width, height):
            img = image if image is not None else cv2.imread(path, 1)
            img = cv2.resize(img, (width, height))
            return img.astype(np.float32) / 255.0
        """)
        == []
    )
    # a reader's own array still is one whose data decides, and so is what keeps that array's dtype
    found = mem012("""
        import cv2
        import skimage.io
        import numpy as np
        def prepare(path):
            img = skimage.io.imread(path)
            return img.astype(np.float32) / 255.0
        def unchanged(path):
            img = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_UNCHANGED), cv2.COLOR_BGR2RGB)
            return img.astype(np.uint8)
        """)
    assert sorted(f.message.split(" copies")[0] for f in found if "which the data decides" in f.message) == [
        "img.astype(np.float32)",
        "img.astype(np.uint8)",
    ]


def test_np_array_to_float64_of_an_array_whose_dtype_the_code_decides_is_not_reported():
    # as for float32 (and every other dtype): the dtype is the caller's `kind`, not a file's, so converting is
    # wanted; np.dtype(None) == np.float64 once made the float64 request look like the array's own dtype
    code = """
        import numpy as np
        def f(kind):
            x = np.zeros((1000, 1000), dtype=kind)
            y = np.array(x, dtype=np.float64)
            return y.sum()
        """
    assert mem012(code) == []
    assert mem012(code.replace("np.float64", "np.float32")) == []


def _nibabel_standin(tmp_path) -> str:
    """A stand-in for nibabel built as nibabel 5 builds get_fdata (nibabel is not installed here): an image
    of an uncompressed file maps it (np.memmap), get_fdata is np.asanyarray(dataobj, dtype=float64), a memmap
    when the file holds float64, cached by the image and handed to every later call."""
    import numpy as np

    package = tmp_path / "nibabel"
    package.mkdir()
    np.arange(64 * 64 * 48, dtype=np.float64).tofile(tmp_path / "vol.raw")
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        import numpy as np
        class Image:
            def __init__(self, path):
                self._dataobj = np.memmap(path, dtype=np.float64, mode="c", shape=(64, 64, 48))
                self._fdata_cache = None
            def get_fdata(self, caching="fill", dtype=np.float64):
                if self._fdata_cache is not None:
                    return self._fdata_cache
                data = np.asanyarray(self._dataobj, dtype=dtype)
                if caching == "fill":
                    self._fdata_cache = data
                return data
        def load(path):
            return Image(path)
    """)
    )
    return f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"


def test_nibabel_get_fdata_is_float64_of_no_stated_kind_nor_owner():
    from test_calls import described, value_of

    code = "import numpy as np\nimport nibabel as nib\nimg = nib.load(p)\n"
    assert described(value_of(code + "a = img.get_fdata()", "a")) == ("unknown", "float64", None, "unknown_call")
    assert value_of(code + "a = img.get_fdata('fill', np.float32)", "a").dtype == "float32"
    assert value_of(code + "a = nib.load(p).get_fdata(dtype=np.float32)", "a").dtype == "float32"


@pytest.mark.slow
def test_a_copy_read_at_once_by_astype_needs_no_owner(tmp_path):
    prelude = _nibabel_standin(tmp_path)
    code = prelude + textwrap.dedent(f"""
        import numpy as np
        import nibabel as nib
        image = nib.load({str(tmp_path / "vol.raw")!r})
        volume = image.get_fdata()
        volume = np.transpose(np.array(volume).astype(np.float32), (2, 0, 1))
        again = image.get_fdata()
        print(volume.shape, volume.dtype, volume.sum(), again.sum(), type(again).__name__)
    """)
    fixed = assert_fix_keeps_behaviour(code)
    assert "np.asarray(volume).astype(np.float32)" in fixed


@pytest.mark.slow
def test_trap_an_argument_of_the_reading_method_writes_x():
    # np.array(x) copies x before pick() runs; np.asarray(x).astype(pick(x)) would read x after pick wrote it
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        def pick(a):
            a[:] = 2.0
            return np.float32
        def main(x: np.ndarray):
            return np.array(x).astype(pick(x)).sum()
        print(main(np.ones(1000)))
        """,
        "np.array(x).astype",
        "np.asarray(x).astype",
    )


# --- parameters: the caller's array, only read here -------------------------------------------------------


@pytest.mark.slow
def test_astype_of_an_annotated_parameter_only_read_is_an_unsafe_fix():
    code = """
        import numpy as np
        import numpy.typing as npt

        def row_sums(image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
            img = image.astype(np.float32)
            out = np.empty(img.shape[0], dtype=np.float32)
            for r in range(img.shape[0]):
                out[r] = img[r, :].sum()
            return out

        print(row_sums(np.ones((1500, 1000), np.float32)).sum())
    """
    (found,) = mem012(code)
    assert found.fix.applicability == "unsafe" and "is the caller's array" in found.fix.message
    fixed = assert_fix_keeps_behaviour(code, unsafe=True)
    assert "image.astype(np.float32, copy=False)" in fixed


@pytest.mark.slow
def test_trap_another_parameter_written_may_be_the_same_array():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        import numpy.typing as npt

        def total_then_clear(image: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> float:
            img = image.astype(np.float32)
            out[:] = 0.0
            return float(img.sum())

        a = np.ones(1000, np.float32)
        print(total_then_clear(a, a))
        """,
        "image.astype(np.float32)",
        "image.astype(np.float32, copy=False)",
    )


@pytest.mark.slow
def test_a_flattened_array_divided_at_once_needs_no_owner():
    fixed = assert_fix_keeps_behaviour("""
        import numpy as np

        def features(image: np.ndarray):
            return image.flatten() / 255.0

        image = np.full((1000, 1000), 51, np.float32)
        f = features(image)
        print(f.dtype, f.shape, f.sum(), image.flags.writeable)
    """)
    assert "image.ravel() / 255.0" in fixed


@pytest.mark.slow
def test_trap_an_operand_of_unknown_type_may_keep_the_result():
    # NumPy defers to Keeper.__radd__, which keeps the flattened array: a view of a after the naive rewrite
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        class Keeper:
            __array_ufunc__ = None
            def __radd__(self, other):
                self.kept = other
                return self

        def main(a: np.ndarray, k):
            k = a.flatten() + k
            a[0, 0] = 5.0
            return k.kept[0]

        print(main(np.ones((10, 10)), Keeper()))
        """,
        "a.flatten() + k",
        "a.ravel() + k",
    )


def test_keras_img_to_array_is_a_3d_ndarray_of_no_stated_owner():
    from test_calls import described, value_of

    code = "from keras.preprocessing.image import img_to_array\n"
    assert described(value_of(code + "a = img_to_array(img)", "a")) == ("ndarray", None, 3, "unknown_call")
    assert value_of(code + "a = img_to_array(img, dtype='float16')", "a").dtype == "float16"
    found = mem012(
        "import numpy as np\nfrom keras.utils import img_to_array\n"
        "def features(img):\n    return img_to_array(img).flatten() / 255.0\n"
    )
    assert [(f.line, f.fix.applicability) for f in found] == [(4, "safe")]


# --- an item of a list of new arrays ------------------------------------------------------------------------


@pytest.mark.slow
def test_np_array_of_an_item_of_a_list_of_loaded_arrays_only_read(tmp_path):
    import numpy as np

    for i in range(3):
        np.save(tmp_path / f"part{i}.npy", np.full(400_000, i, dtype=np.float64))
    fixed = assert_fix_keeps_behaviour(
        f"""
        import numpy as np
        def combine(folder):
            parts = []
            for i in range(3):
                parts.append(np.load(folder + f"/part{{i}}.npy"))
            full = np.array(parts[0])
            np.save(folder + "/full.npy", full)
            for i in range(1, len(parts)):
                full = np.append(full, parts[i][:10])
            print(full.sum(), len(parts))
        combine({str(tmp_path)!r})
        print(np.load({str(tmp_path)!r} + "/full.npy").sum())
    """,
        saves_memory=False,  # the program's peak is np.load reading a part, above the copy's
    )
    assert "full = np.asarray(parts[0])" in fixed


@pytest.mark.slow
def test_trap_an_item_written_after_the_copy():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        def main():
            parts = []
            for i in range(3):
                parts.append(np.full(1000, i, dtype=np.float64))
            first = np.array(parts[0])
            parts[0][0] = 7.0
            return first[0]
        print(main())
        """,
        "np.array(parts[0])",
        "np.asarray(parts[0])",
    )


@pytest.mark.slow
def test_trap_an_item_held_by_another_name():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np
        def main():
            shared = np.zeros(1000)
            parts = []
            parts.append(shared)
            first = np.array(parts[0])
            shared[0] = 7.0
            return first[0]
        print(main())
        """,
        "np.array(parts[0])",
        "np.asarray(parts[0])",
    )


# --- items NumPy copies into a new array at once (np.c_, np.concatenate, np.column_stack...) ---------------


@pytest.mark.slow
def test_flattened_grids_joined_by_np_c_become_ravel_while_the_grids_live_on():
    # np.c_ copies its items into the new array and keeps none: the flattened copies were never needed, even
    # though the grids are read (and handed to other code) afterwards
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def shade(points):
            return points.sum(axis=1)

        def surface():
            gx, gy = np.meshgrid(np.linspace(-1, 1, 600), np.linspace(0, 2, 400))
            z = shade(np.c_[gx.flatten(), gy.flatten()])
            gx[0, 0] = 7.0
            return gx, gy, z.reshape(gx.shape)

        gx, gy, z = surface()
        print(gx[0, :3], gy[-1, -2:], z.sum(), z[0, 0])
        """,
        saves_at_least=1_500_000,  # the copies (3.7 MiB) go; the peak moves to shade's sum (+1.8 MiB)
    )
    assert "np.c_[gx.ravel(), gy.ravel()]" in fixed


@pytest.mark.slow
def test_flattened_items_of_other_joins_become_ravel():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def grid(seed):
            return np.random.default_rng(seed).random((500, 400))

        def pairs():
            a, b = grid(1), grid(2)
            joined = np.column_stack([a.flatten(), b.flatten()])
            b += 1.0
            return joined.sum(), b.sum(), a[0, 0]

        def chain():
            a, b = grid(3), grid(4)
            total = np.concatenate((a.flatten(), b.flatten()), axis=0).sum()
            return total, b[0, 0], a.mean()

        def rows():
            a, b = grid(5), grid(6)
            return np.array([a.flatten(), b.flatten()]).shape, np.r_[grid(7).flatten()][-2:], a.std()

        print(pairs(), chain(), rows())
        """,
        saves_at_least=1_500_000,
    )
    for joined in (
        "np.column_stack([a.ravel(), b.ravel()])",
        "np.concatenate((a.ravel(), b.ravel()), axis=0)",
        "np.array([a.ravel(), b.ravel()])",
        "np.r_[grid(7).ravel()]",
    ):
        assert joined in fixed


def test_the_grids_size_is_named():
    (first, second) = mem012("""
        import numpy as np
        def grid(model):
            xx, yy = np.meshgrid(np.linspace(0, 1, 500), np.linspace(0, 1, 500))
            z = model.predict(np.c_[xx.flatten(), yy.flatten()])
            return z.reshape(xx.shape), xx
    """)
    assert "all 1.9 MiB of the array" in first.message and first.fix.applicability == "safe"
    assert second.message.startswith("yy.flatten()")


def test_joins_that_may_not_copy_or_keep_their_items_are_not_trusted():
    found = mem012("""
        import numpy as np
        def f(g):
            a = np.zeros((700, 700))
            x = np.concatenate([a.flatten()], 0, None)
            y = np.array([a.flatten()], copy=False)
            z = np.stack([*[a.flatten()]])
            w = g([a.flatten(), a.flatten()])
            a[0, 0] = 1.0
            return x, y, z, w, a
    """)
    assert found == []


def test_sparse_and_views_of_meshgrid_are_not_reported():
    # sparse=True: each array spans only its axis (small); copy=False: broadcast views, which ravel copies too
    found = mem012("""
        import numpy as np
        def f(model):
            xs, ys = np.meshgrid(np.linspace(0, 1, 700), np.linspace(0, 1, 700), sparse=True)
            xv, yv = np.meshgrid(np.linspace(0, 1, 700), np.linspace(0, 1, 700), copy=False)
            return model(np.c_[xs.flatten(), ys.flatten()]), model(np.c_[xv.flatten(), yv.flatten()]), xs, xv
    """)
    assert found == []


# Joins of a meshgrid's flattened grid where the flattened copy, or the grid, is written: ravel's view
# would carry the write across, so `gx.flatten()` must stay.
FLATTENED_AND_WRITTEN = {
    "the-flattened-array-written-before-the-join": """
        import numpy as np
        def f():
            gx, gy = np.meshgrid(np.arange(500.0), np.arange(300.0))
            flat = gx.flatten()
            flat[0] = 9.0
            pts = np.c_[flat, flat]
            return gx[0, 0], pts[0]
        print(f())
        """,
    "a-list-of-the-flattened-arrays-kept-and-written": """
        import numpy as np
        def f():
            gx, gy = np.meshgrid(np.arange(500.0), np.arange(300.0))
            parts = [gx.flatten()]
            parts[0][0] = 9.0
            return gx[0, 0], np.concatenate(parts)[0]
        print(f())
        """,
    "another-item-of-the-join-writes-the-grid": """
        import numpy as np
        def bump(g):
            g += 1.0
            return g.ravel()
        def f():
            gx, gy = np.meshgrid(np.arange(500.0), np.arange(300.0))
            pts = np.c_[gx.flatten(), bump(gx)]
            return pts[0]
        print(f())
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize("code", FLATTENED_AND_WRITTEN.values(), ids=FLATTENED_AND_WRITTEN.keys())
def test_trap_a_flattened_grid_written_around_the_join(code):
    assert_trap_not_fixed("MEM012", code, "gx.flatten()", "gx.ravel()")


# --- methods of the class, called through self ----------------------------------------------------------------

HELPER_METHODS = """
    import numpy as np

    class Histogram:
        def __init__(self, counts):
            self.counts = counts

        @staticmethod
        def to_array(values):
            arr = np.array(values, dtype=float)
            arr[0] = 0.5
            return arr

        def scaled(self, factor):
            out = np.full(len(self.counts), 2.0)
            out[0] = factor
            return out

        def graph(self):
            xs = self.to_array(self.counts).flatten("C")
            ys = self.scaled(2.0).flatten()
            xs[0] = -1.0
            return xs, ys

    h = Histogram(np.arange(2_000_000))
    xs, ys = h.graph()
    print(xs[:3], ys[-3:], h.counts[:3])
"""


@pytest.mark.slow
def test_flatten_of_what_a_method_returns_fresh_is_an_unsafe_fix():
    # a subclass (in a module memlint does not see) may override the method: hence unsafe, never safe
    assert fix(HELPER_METHODS) == textwrap.dedent(HELPER_METHODS)
    found = mem012(HELPER_METHODS)
    assert [f.fix.applicability for f in found] == ["unsafe", "unsafe"]
    assert "a subclass may override `self.to_array`" in found[0].fix.message
    fixed = assert_fix_keeps_behaviour(HELPER_METHODS, unsafe=True, saves_at_least=15_000_000)
    assert 'self.to_array(self.counts).ravel("C")' in fixed and "self.scaled(2.0).ravel()" in fixed


def test_methods_that_may_return_something_else_are_not_known():
    found = mem012("""
        import numpy as np

        class Grid:
            def __init__(self, n):
                self.cells = np.zeros((n, n))

            def view(self):
                return self.cells

            @classmethod
            def make(cls, n):
                return np.zeros((n, n))

            def shadowed(self, n):
                return np.zeros((n, n))

            def flat(self, n):
                self.shadowed = lambda n: self.cells
                return self.view().flatten(), self.make(n).flatten(), self.shadowed(n).flatten()
    """)
    assert found == []


@pytest.mark.slow
def test_trap_a_subclass_overrides_the_method_with_its_own_buffer():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        class Source:
            def frame(self):
                return np.zeros((300, 300))

            def flat(self):
                f = self.frame().flatten()
                f[0] = 5.0
                return f

        class Cached(Source):
            def __init__(self):
                self.buffer = np.ones((300, 300))

            def frame(self):
                return self.buffer

        c = Cached()
        print(c.flat()[0], c.buffer[0, 0])
        """,
        "self.frame().flatten()",
        "self.frame().ravel()",
    )


@pytest.mark.slow
def test_trap_an_instance_attribute_hides_the_method():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        class Source:
            def __init__(self, shared):
                self.shared = shared
                self.frame = lambda: self.shared

            def frame(self):
                return np.zeros((300, 300))

            def flat(self):
                f = self.frame().flatten()
                f[0] = 5.0
                return f

        s = Source(np.ones((300, 300)))
        print(s.flat()[0], s.shared[0, 0])
        """,
        "self.frame().flatten()",
        "self.frame().ravel()",
    )


# --- Fortran order: ravel copies too ------------------------------------------------------------------------

FORTRAN_SPELLINGS = {
    # spelling of a fresh 2-d array: whether its ravel() is a view (so flatten() wastes a copy)
    'np.zeros((600, 500), order="F")': False,
    "np.ones((600, 500), order='F') * 2.0": False,
    'np.zeros_like(np.empty((600, 500), order="F"))': False,
    'np.array(np.zeros((600, 500), order="F"))': False,
    'np.zeros((600, 500), order="F").copy()': True,  # ndarray.copy() is C-ordered
    'np.zeros((600, 500), order="C")': True,
    'np.ones((300_000, 2), order="F")[:, 0] + 1.0': True,  # 1-d: the same in either order
}


@pytest.mark.parametrize("spelling, ravel_is_a_view", FORTRAN_SPELLINGS.items())
def test_flatten_of_a_fortran_ordered_array_is_not_reported(spelling, ravel_is_a_view):
    import numpy as np

    found = mem012(f"""
        import numpy as np
        def f():
            a = {spelling}
            flat = a.flatten()
            return flat
    """)
    assert any(f.snippet == "a.flatten()" for f in found) is ravel_is_a_view
    a = eval(spelling)  # NumPy itself: a reported flatten is one whose ravel shares the array's memory
    assert np.shares_memory(a.ravel(), a) is ravel_is_a_view


def test_a_spectrogram_is_fortran_ordered():
    # librosa.stft returns np.zeros(shape, order="F") filled (calls.toml): its magnitude keeps that order
    assert (
        mem012("""
        import numpy as np
        import librosa
        def f(path):
            sig, _ = librosa.load(path)
            spec = np.abs(librosa.stft(sig))
            return spec.flatten() * 2.0, spec
    """)
        == []
    )


@pytest.mark.slow
def test_two_flattened_copies_of_one_array_both_become_ravel():
    # once the first is a.ravel(), that view dies within its statement (copied into the join): the second
    # copy of the same array is still needless (fixes compose)
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def joins():
            a = np.random.default_rng(1).random((600, 500))
            pairs = np.column_stack([a.flatten(), a.flatten() * 2.0])
            chain = np.concatenate((a.flatten(), a[0]))
            a += 1.0
            return pairs.sum(), chain[-3:], a.sum()

        print(joins())
        """,
        saves_at_least=2_000_000,
    )
    # a.flatten() * 2.0: NumPy writes the product into the copy (elision), which saves nothing: kept
    assert "np.column_stack([a.ravel(), a.flatten() * 2.0])" in fixed
    assert "np.concatenate((a.ravel(), a[0]))" in fixed


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(np, "concat"), reason="np.concat is NumPy 2's name for np.concatenate")
def test_flattened_items_of_np_concat_become_ravel():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np
        from numpy import concat

        def grid(seed):
            return np.random.default_rng(seed).random((500, 400))

        def chain():
            a, b = grid(3), grid(4)
            total = np.concat((a.flatten(), b.flatten()), axis=0).sum()
            b += 1.0
            return total, b[0, 0], concat([a.flatten()])[-3:], a.mean()

        print(chain())
        """,
        saves_at_least=1_500_000,
    )
    assert "np.concat((a.ravel(), b.ravel()), axis=0)" in fixed and "concat([a.ravel()])" in fixed


@pytest.mark.slow
def test_a_concat_of_the_project_that_keeps_its_items_is_not_numpy_s():
    """Only NumPy's concat copies its items and keeps none: a function of the same name that keeps them would
    see a write to the array through a ravel view (the trap a match on the name would fall into)."""
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        kept = []

        def concat(items):
            kept.extend(items)
            return len(items)

        def run():
            a = np.arange(300_000.0)
            n = concat((a.flatten(), a[:3].copy()))
            a += 1.0
            return n, kept[0][:3]

        print(run())
        """,
        "a.flatten()",
        "a.ravel()",
    )


@pytest.mark.slow
def test_trap_a_conditional_or_walrus_passes_on_an_array_its_name_holds():
    # `a if flag else b` and `(f := ...)` are no temporaries: their value is an array a name still holds, so
    # np.asarray of them is that array, and writing the result writes it (a fresh array is not an unheld one)
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def main(flag):
            a = np.zeros((600, 600))
            b = np.ones((600, 600))
            out = np.array(a if flag else b)
            out[0, 0] = 5.0
            print(a[0, 0], b[0, 0])

        main(True)
        """,
        "np.array(a if flag else b)",
        "np.asarray(a if flag else b)",
    )
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def main():
            out = np.array((f := np.zeros((600, 600))))
            out[0, 0] = 5.0
            print(f[0, 0])

        main()
        """,
        "np.array((f := ",
        "np.asarray((f := ",
    )


@pytest.mark.slow
def test_a_conditional_between_two_new_arrays_is_a_temporary():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def main(flag):
            out = np.array(np.zeros((600, 600)) if flag else np.ones((600, 600)))
            out[0, 0] = 5.0
            print(out.sum())

        main(True)
        main(False)
        """
    )
    assert "out = np.asarray(np.zeros((600, 600)) if flag else np.ones((600, 600)))" in fixed


@pytest.mark.slow
def test_a_choice_between_two_methods_results_is_unsafe_for_the_subclass_not_as_a_global():
    # the reason named is the one that holds: a subclass's override, not a module global (there is none)
    code = """
        import numpy as np

        class Frames:
            def first(self):
                return np.zeros((600, 600))

            def last(self):
                return np.ones((600, 600))

            def pick(self, flag):
                out = np.array(self.first() if flag else self.last())
                out[0, 0] = 5.0
                return out

        print(Frames().pick(True).sum(), Frames().pick(False).sum())
        """
    (found,) = mem012(code)
    assert found.fix.applicability == "unsafe"
    assert "a subclass may override a method called here" in found.fix.message
    assert "global" not in found.fix.message
    fixed = assert_fix_keeps_behaviour(code, unsafe=True)
    assert "out = np.asarray(self.first() if flag else self.last())" in fixed


# --- an item NumPy copies at once: the rest of the statement cannot see the alias -------------------------


@pytest.mark.slow
def test_an_item_copied_at_once_is_fixed_whatever_the_statement_does_with_the_array_after():
    """np.c_ copies gx.ravel() into its new array before anything of the program runs again, and keeps no
    reference: returning gx in the same statement, or a callee writing into the new array, sees no alias."""
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def shade(points):
            points *= 2.0  # writes its argument: the array np.c_ made
            return points.sum(axis=1)

        def surface():
            gx, gy = np.meshgrid(np.linspace(-1, 1, 600), np.linspace(0, 2, 400))
            return shade(np.c_[gx.flatten(), gy.flatten()]), gx, gy

        def joined():
            a = np.random.default_rng(1).random((500, 400))
            b = np.random.default_rng(2).random((500, 400))
            return np.concatenate((a.flatten(), b.flatten()), axis=0), a.fill(0.5), a, b

        z, gx, gy = surface()
        j, _, a, b = joined()
        print(z.sum(), gx.sum(), gy[0, :3], j[:2], j[-2:], a.sum(), b[0, 0])
        """,
        saves_at_least=1_500_000,
    )
    assert "np.c_[gx.ravel(), gy.ravel()]" in fixed
    assert "np.concatenate((a.ravel(), b.ravel()), axis=0)" in fixed


@pytest.mark.slow
def test_an_item_after_the_copy_that_writes_the_array_blocks_the_fix():
    """bump(xx) runs after xx.flatten() was taken and before np.c_ copies it: with ravel, np.c_ would copy the
    bumped values."""
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def bump(a):
            a += 1.0
            return a.ravel()

        def run():
            xx = np.random.default_rng(0).random((600, 500))
            joined = np.c_[xx.flatten(), bump(xx)]
            return joined[:2]

        print(run())
        """,
        "xx.flatten()",
        "xx.ravel()",
    )


@pytest.mark.slow
def test_an_argument_of_the_copying_call_that_writes_the_array_blocks_the_fix():
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def shift(a):
            a -= 1.0
            return 0

        def run():
            xx = np.random.default_rng(0).random((600, 500))
            tail = np.zeros(3)
            joined = np.concatenate((xx.flatten(), tail), axis=shift(xx))
            return joined[:2]

        print(run())
        """,
        "xx.flatten()",
        "xx.ravel()",
    )


@pytest.mark.slow
def test_a_later_use_in_the_statement_matters_where_the_callee_may_write_the_copy():
    """The copy itself handed to code that writes it: with ravel, the write would reach xx, which the statement
    then returns."""
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def zero(v):
            v *= 0.0
            return v.sum()

        def run():
            xx = np.random.default_rng(0).random((600, 500))
            return zero(xx.flatten()), xx

        s, xx = run()
        print(s, xx.sum())
        """,
        "xx.flatten()",
        "xx.ravel()",
    )


@pytest.mark.slow
def test_an_object_array_of_ragged_items_holds_them_so_its_items_stay_copies():
    """np.array([a, b], dtype=object) of arrays of different shapes is a 1-d object array holding a and b
    themselves: with ravel it would hold a view of xx, and see the later write."""
    assert_trap_not_fixed(
        "MEM012",
        """
        import numpy as np

        def run():
            xx = np.random.default_rng(0).random((600, 500))
            other = np.zeros(3)
            held = np.array([xx.flatten(), other], dtype=object)
            xx.fill(99.0)
            return held[0][0]

        print(run())
        """,
        "xx.flatten()",
        "xx.ravel()",
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "call", ["np.median(y, overwrite_input=True)", "np.nanpercentile(y, 50, overwrite_input=True)"]
)
def test_trap_overwrite_input_partitions_the_result_in_place(call):
    """np.median(y, overwrite_input=True) sorts y partly in place: a read of y no more. Had y become a view of
    x (ravel), the median would have reordered x."""
    assert_trap_not_fixed(
        "MEM012",
        f"""
        import numpy as np

        def run():
            x = np.linspace(1.0, 0.0, 100_000)
            y = x.flatten()
            m = {call}
            print(m, x[:3])

        run()
        """,
        "x.flatten()",
        "x.ravel()",
    )


@pytest.mark.slow
def test_a_video_frame_is_a_new_array_its_copy_to_its_own_dtype_is_not_needed(tmp_path):
    # cap.read() gives a new ndarray nothing else holds (its dtype the source's): np.asarray converts only
    path = write_video(tmp_path / "v.avi")
    fixed = assert_fix_keeps_behaviour(
        f"""
        import cv2
        import numpy as np
        def first_frame(path):
            cap = cv2.VideoCapture(path)
            ret, frame = cap.read()
            frame = np.array(frame, dtype=np.uint8)
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            cap.release()
            return frame.shape, round(float(gray.mean()), 2)
        print(first_frame({path!r}))
        """,
        saves_at_least=320 * 240,  # of a 320 * 240 * 3 frame: the read's own peak (decoding) is not the fix's
    )
    assert "frame = np.asarray(frame, dtype=np.uint8)" in fixed


@pytest.mark.slow
def test_trap_a_frame_read_into_a_buffer_is_the_buffer(tmp_path):
    # cap.read(buf) decodes into buf and returns buf itself: the copy keeps buf apart from what frame becomes
    path = write_video(tmp_path / "v.avi", size=(32, 24))
    assert_trap_not_fixed(
        "MEM012",
        f"""
        import cv2
        import numpy as np
        cap = cv2.VideoCapture({path!r})
        buf = np.zeros((24, 32, 3), np.uint8)
        for _ in range(2):
            ret, frame = cap.read(buf)
            frame = np.array(frame, dtype=np.uint8)
            frame[:] = 255
            print(int(buf.max()))
        """,
        "np.array(frame, dtype=np.uint8)",
        "np.asarray(frame, dtype=np.uint8)",
    )


def test_np_array_of_a_small_resized_colour_image_is_not_reported():
    # cv2.imread's default reads every file as 3-channel uint8: a 128x128 resize is 48 KiB, below
    # min-array-bytes, as with IMREAD_GRAYSCALE; a large dsize is still named with its size
    code = """
        import cv2
        import numpy as np
        def load(p, flags):
            image = cv2.imread(p{})
            return np.array(cv2.resize(image, {}))
        """
    for flags in ("", ", cv2.IMREAD_COLOR", ", cv2.IMREAD_GRAYSCALE"):
        assert mem012(code.format(flags, "(128, 128)")) == []
    (found,) = mem012(code.format("", "(4000, 3000)"))
    assert "copies all 34.3 MiB of the array" in found.message  # 3000 x 4000 x 3 bytes
    (found,) = mem012(code.format(", cv2.IMREAD_UNCHANGED", "(128, 128)"))  # the file's channels and depth
    assert "copies the whole array" in found.message
