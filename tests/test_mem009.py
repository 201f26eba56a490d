"""MEM009 load-without-mmap: np.load of a .npy that is only read; a suggestion, never a fix."""

import textwrap

import pytest
from helpers import lint, outcome, run_program


def mem009(code):
    return lint(code, select=("MEM009",))


def test_partly_read_npy_is_reported_with_the_measured_numbers():
    (f,) = mem009("""
        import numpy as np
        def head_total(path):
            data = np.load("features.npy")
            rows = data[1000:2000]
            return float(rows.sum()), data.shape, len(data)
        """)
    assert f.code == "MEM009" and f.fix is None
    assert 'mmap_mode="r"' in f.message and "389.4 MiB" in f.message and "17.9 MiB" in f.message


def test_path_spellings_that_visibly_end_in_npy():
    code = """
        import os
        import numpy as np
        from pathlib import Path
        def f(root, name):
            a = np.load(os.path.join(root, "a.npy"))
            b = np.load(Path(root) / "b.npy")
            c = np.load(f"{root}/{name}.npy")
            d = np.load(root + ".npy")
            e = np.load(Path(root).with_suffix(".npy"))
            g = np.load(Path(root).with_name("g.npy"))
            return a[0] + b.mean() + c.max() + d[1:3].sum() + e[0] + g[0]
        """
    assert len(mem009(code)) == 6
    assert len(mem009(code.replace('with_suffix(".npy")', 'with_suffix(".npz")').replace("g.npy", "g.npz"))) == 4


def test_never_reported():
    cases = [
        'x = np.load("a.npz")\nreturn float(x["arr_0"][0])',  # npz ignores mmap_mode
        "x = np.load(path)\nreturn float(x[0])",  # extension unknown
        'x = np.load("a.npy", mmap_mode="r")\nreturn float(x[0])',
        'x = np.load("a.npy", allow_pickle=True)\nreturn float(x[0])',  # object arrays cannot be mapped
        'x = np.load("a.npy")\nx[0] = 1\nreturn float(x[0])',  # written: read-only would raise
        'x = np.load("a.npy")\nx += 1\nreturn float(x[0])',
        'x = np.load("a.npy")\nx.sort()\nreturn float(x[0])',
        'x = np.load("a.npy")\nnp.add(x, 1, x)\nreturn float(x[0])',
        'x = np.load("a.npy")\nnp.add(x, 1, out=x)\nreturn float(x[0])',
        'x = np.load("a.npy")\nv = x[:10]\nv[0] = 2\nreturn float(x[0])',  # written through a view
        'x = np.load("a.npy")\nreturn x',  # escapes: the caller may write
        'x = np.load("a.npy")\nreturn x[1:]',  # a view escapes
        'x = np.load("a.npy")\nprocess(x)\nreturn float(x[0])',  # unknown code may write
        'x = np.load("a.npy")\nself.x = x\nreturn float(x[0])',
        'return np.load("a.npy")',
        'x = np.load("a.npy")\nnp.save("a.npy", x + 1)\nreturn float(x[0])',  # the mapped file would change
    ]
    header = "import numpy as np\ndef f(self, path, process):\n"
    assert len(mem009(header + '    x = np.load("a.npy")\n    return float(x[0])\n')) == 1  # the control
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body
    assert (
        mem009("""
        import mylib as np
        def f():
            x = np.load("a.npy")
            return float(x[0])
        """)
        == []
    )


def test_rebinding_the_name_to_a_new_array_keeps_the_finding():
    (f,) = mem009("""
        import numpy as np
        def f():
            x = np.load("a.npy")
            x = x * 2
            x[0] = 1
            return x.sum()
        """)
    assert f.line == 4


@pytest.mark.slow
def test_the_suggestion_keeps_the_read_and_loads_less(tmp_path):
    """What the message advises: the same values read, and the mapped load allocates far less."""
    path = tmp_path / "big.npy"
    program = f"""
        import numpy as np
        np.save({str(path)!r}, np.arange(2_000_000, dtype=np.float64))
        import tracemalloc
        tracemalloc.reset_peak()
        data = np.load({str(path)!r}MODE)
        print(float(data[1000:2000].sum()), data.shape)
        """
    plain, plain_peak = run_program(program.replace("MODE", ""))
    mapped, mapped_peak = run_program(program.replace("MODE", ', mmap_mode="r"'))
    assert plain == mapped
    assert plain_peak - mapped_peak > 0.9 * 2_000_000 * 8  # the mapped load never allocates the array


def test_a_bounded_slice_of_the_load_gets_the_copy_form_however_it_is_used():
    found = mem009("""
        import numpy as np
        def f(k, start, stop):
            dataset = {}
            dataset["axe"] = np.load("axe.npy")[:k]          # stored: may be written later
            head = np.load("a.npy")[start:stop, :3]
            head -= head.mean()                              # written
            return dataset, head, np.load("b.npy")[-k:]
        """)
    assert sorted(f.line for f in found) == [5, 6, 8]
    assert all('np.array(np.load(..., mmap_mode="r")[' in f.message and "381.6 MiB" in f.message for f in found)
    assert "only the rows [:k]" in next(f for f in found if f.line == 5).message
    assert (
        mem009("""
        import numpy as np
        def f(k, i):
            a = np.load("a.npy")[1:]          # nearly every page is mapped besides the copy
            b = np.load("a.npy")[::2]         # a step touches every page
            c = np.load("a.npy")[i]           # an integer index: np.array of a scalar is a 0-d array
            d = np.load("a.npy")[:k, 0]       # an integer besides the slice
            e = np.load("a.npz")[:k]          # npz ignores mmap_mode
            g = np.load("a.npy", allow_pickle=True)[:k]
            a[0] = b[0] = d[0] = e[0] = g[0] = 1
            return a, b, c, d, e, g
        """)
        == []
    )


def test_paths_from_a_list_or_dict_of_npy_paths():
    found = mem009("""
        import numpy as np
        def f(k):
            paths = {}
            paths["axe"] = "./data/axe.npy"
            paths["bat"] = "./data/bat.npy"
            for label in paths:
                x = np.load(paths[label])
                print(x[:k].sum())
            for p in ["a.npy", "b.npy"]:
                y = np.load(p)
                print(y.max())
            names = ("c.npy", "d.npy")
            for p in names:
                z = np.load(p)
                print(z.min())
        """)
    assert sorted(f.line for f in found) == [8, 11, 15]
    assert (
        mem009("""
        import numpy as np
        def f(extra, k):
            paths = {"axe": "axe.npy"}
            paths.update(extra)                  # any path now
            other = {"a": "a.npy"}
            other["b"] = extra                   # not visibly .npy
            files = ["a.npy"]
            files.append(extra)
            archives = {"a.npy": "a.npz"}        # iterating a dict gives its keys; the values are archives
            for key in archives:
                print(np.load(archives[key])["x"].sum())
            for p in files:
                print(np.load(p).sum())
            return np.load(paths["axe"]).sum() + np.load(other["b"]).sum()
        """)
        == []
    )


@pytest.mark.slow
def test_the_copy_form_gives_the_same_rows_writable_and_holds_only_them(tmp_path):
    """What the message advises for a slice: the same values, dtype and type (an ordinary writable ndarray),
    and the whole file is no longer kept alive by the slice."""
    path = tmp_path / "big.npy"
    program = f"""
        import numpy as np, tracemalloc
        np.save({str(path)!r}, np.arange(4_000_000, dtype=np.float32).reshape(1_000_000, 4))
        before = tracemalloc.get_traced_memory()[0]
        head = LOAD
        head -= head.mean()
        held = tracemalloc.get_traced_memory()[0] - before
        print(type(head).__name__, head.dtype, head.shape, head.flags.writeable, float(head.sum()), head[0].tolist())
        print(held)
        """
    plain = program.replace("LOAD", f"np.load({str(path)!r})[:1000]")
    copied = program.replace("LOAD", f'np.array(np.load({str(path)!r}, mmap_mode="r")[:1000])')
    (plain_out, plain_held), (copied_out, copied_held) = (
        run_program(p)[0].rsplit("\n", 2)[:2] for p in (plain, copied)
    )
    assert plain_out == copied_out and plain_out.startswith("ndarray float32 (1000, 4) True")
    assert int(plain_held) >= 16_000_000 and int(copied_held) < 100_000


@pytest.mark.slow
def test_why_the_slice_is_copied_rather_than_mapped(tmp_path):
    """mmap_mode="r" alone would make a written slice raise, .copy() keeps the memmap type, and np.array of an
    integer index is a 0-d array where the load gives a scalar."""
    path = tmp_path / "a.npy"
    out, _ = run_program(f"""
        import numpy as np
        np.save({str(path)!r}, np.arange(10.0))
        head = np.load({str(path)!r}, mmap_mode="r")[:3]
        try:
            head -= 1
        except ValueError as e:
            print("ValueError", e)
        print(type(np.load({str(path)!r}, mmap_mode="r")[:3].copy()).__name__)
        print(type(np.load({str(path)!r})[5]).__name__, type(np.array(np.load({str(path)!r}, mmap_mode="r")[5])).__name__)
        """)
    assert out.splitlines() == ["ValueError output array is read-only", "memmap", "float64 ndarray"]


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM009"]
    assert mem009(doc.example) and all(f.code == "MEM009" for f in mem009(doc.example))
    assert mem009(doc.use_instead) == []


@pytest.mark.slow
def test_why_written_arrays_are_never_reported(tmp_path):
    """The mapped array is read-only: the suggestion on a written array would turn it into a crash."""
    path = tmp_path / "a.npy"
    program = f"""
        import numpy as np
        np.save({str(path)!r}, np.arange(10.0))
        data = np.load({str(path)!r}, mmap_mode="r")
        try:
            data[0] = 1.0
        except ValueError as e:
            print("ValueError", e)
        """
    out, _ = run_program(program)
    assert out.startswith("ValueError assignment destination is read-only")
    assert (
        mem009(
            'import numpy as np\ndef f():\n    data = np.load("a.npy")\n    data[0] = 1.0\n'
            "    return float(data.sum())\n"
        )
        == []
    )


def test_an_index_list_copies_so_what_is_done_with_the_copy_is_no_use_of_the_load():
    # x[[...]], x[rows] with rows a list, x[rows, 0], x[order] with order an ndarray: advanced indexing makes
    # a new array, which may be written, returned or handed to any code without touching the loaded one
    found = mem009("""
        import numpy as np
        def f(model, keep):
            a = np.load("a.npy")
            picked = a[[3, 1, 2]]
            picked += 1
            b = np.load("b.npy")
            rows = [i for i in range(10) if keep(i)]
            model.fit(b[rows])
            c = np.load("c.npy")
            order = np.arange(c.shape[0] - 1, -1, -1)
            d = np.load("d.npy")
            return picked, c[order], d[rows, 0]
        """)
    assert [f.line for f in found] == [4, 7, 10, 12]


def test_a_view_handed_on_is_not_an_index_list():
    # the traps: basic indexing (a slice, an int, a tuple of them, a list holding a slice, which NumPy
    # before 1.23 read as a tuple) gives a view, written or handed on: the mapped array would be written
    cases = [
        'x = np.load("a.npy")\nv = x[1:3]\nv += 1\nreturn v.sum()',
        'x = np.load("a.npy")\nreturn x[0]',
        'x = np.load("a.npy")\nrows = (0, 1)\nmodel.fit(x[rows])',
        'x = np.load("a.npy")\nmodel.fit(x[[slice(0, 2)]])',
        'x = np.load("a.npy")\nmodel.fit(x[[None]])',
        'x = np.load("a.npy")\nrows = [0, 1]\nrows = slice(0, 2)\nmodel.fit(x[rows])',
    ]
    header = "import numpy as np\ndef f(model):\n"
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body


@pytest.mark.slow
def test_why_an_index_list_may_be_written_and_a_slice_may_not(tmp_path):
    """With mmap_mode="r" the advanced-index copy is an ordinary writable array; the slice is a read-only view."""
    path = tmp_path / "a.npy"
    program = f"""
        import numpy as np
        np.save({str(path)!r}, np.arange(10.0))
        data = np.load({str(path)!r}, mmap_mode="r")
        picked = data[[3, 1]]
        picked += 1
        print(picked.tolist(), type(picked).__name__, float(data[3]))
        part = data[1:3]
        try:
            part += 1
        except ValueError as e:
            print("ValueError", e)
        """
    out, _ = run_program(program)
    assert out.splitlines() == ["[4.0, 2.0] ndarray 3.0", "ValueError output array is read-only"]


def test_an_unnamed_load_read_once_where_it_is():
    found = mem009("""
        import numpy as np
        def f():
            scaled = np.load("train.npy") / 255.0
            n = np.load("test.npy").shape[0]
            print(np.load("val.npy").mean())
            return scaled, n
        """)
    assert [f.line for f in found] == [4, 5, 6] and all("the array is only read" in f.message for f in found)
    for body in ('return np.load("a.npy")', 'model.fit(np.load("a.npy"))', 'return np.load("a.npy").T'):
        assert mem009(f"import numpy as np\ndef f(model):\n    {body}\n") == [], body


def test_parts_unpacked_into_names_are_followed_to_their_uses():
    (f,) = mem009("""
        import numpy as np
        def f(k):
            x = np.load("a.npy")
            head, tail = x[:k], x[k:]
            (first, _), last = (x[0], x[1]), x[-1]
            return float(head.sum() + tail.mean() + first.max() + last.min())
        """)
    assert f.line == 4
    for escape in ("tail += 1", "tail.sort()", "keep(head)", "return first"):
        code = f"""
            import numpy as np
            def f(k, keep):
                x = np.load("a.npy")
                head, tail = x[:k], x[k:]
                first, last = x[0], x[-1]
                {escape}
                return float(head.sum() + tail.mean() + first.max() + last.min())
            """
        assert mem009(code) == [], escape


def test_a_writer_that_may_change_the_mapped_file_after_the_load_keeps_it_unreported():
    header = "import numpy as np\ndef f(x, out, cb):\n"
    load = 'data = np.load("a.npy")\nprint(data.sum())\n'
    never = [
        load + 'np.save("a.npy", x)',  # the same file, after the load
        'for i in range(3):\n    np.save("a.npy", x)\n    data = np.load("a.npy")\n    print(data.sum())',  # a loop
        load + "np.save(out, x)",  # a path not visible: may be this one
        load + 'np.save("a", x)',  # np.save appends .npy: a.npy
        load + 'np.savetxt("data/a.npy", x)',  # one ending ends the other: may be one file
        load + 'x.tofile("a.npy")',
        load + 'np.memmap("a.npy", dtype=np.uint8)',  # mode "r+" by default
        'def store():\n    np.save("a.npy", x)\n' + load + "store()",  # a function called after
        'def store():\n    np.save("a.npy", x)\ncb(store)\n' + load,  # handed on: may run any time
    ]
    for body in never:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body
    reported = [
        load + 'np.savetxt("sums.txt", x)',  # another file
        load + 'np.save("b.npy", x)',
        load + 'np.savez("a.npy", x)',  # np.savez writes a.npy.npz
        load + 'np.memmap("a.npy", dtype=np.uint8, mode="r")',  # only reads
        'np.save("a.npy", x)\n' + load,  # before the load
        'def store():\n    np.save("a.npy", x)\nstore()\n' + load,  # a function called only before
    ]
    for body in reported:
        assert len(mem009(header + textwrap.indent(body, "    ") + "\n")) == 1, body


@pytest.mark.slow
def test_why_a_file_saved_while_mapped_matters(tmp_path):
    """np.save over a mapped file changes what the mapped array shows; the loaded copy keeps its values."""
    path = tmp_path / "a.npy"
    program = f"""
        import numpy as np
        np.save({str(path)!r}, np.arange(10.0))
        data = np.load({str(path)!r}MODE)
        np.save({str(path)!r}, np.zeros(10))
        print(float(data[3]))
        """
    assert run_program(program.replace("MODE", ""))[0].strip() == "3.0"
    assert run_program(program.replace("MODE", ', mmap_mode="r"'))[0].strip() == "0.0"


def test_a_tuple_shown_as_a_statement_only_reads():
    # a notebook cell ending in `x[0], x[-1]` displays the tuple and drops it; bound or returned it escapes
    code = 'import numpy as np\nx = np.load("a.npy")\nx[0], x[-1]\n'
    assert [f.line for f in mem009(code)] == [2]
    assert mem009(code.replace("x[0], x[-1]", "pair = x[0], x[-1]\npair[0][0] = 1")) == []


def test_an_index_list_taken_straight_from_the_load_is_a_copy_however_it_is_used():
    (f,) = mem009("""
        import numpy as np
        def f():
            picked = np.load("a.npy")[[3, 1, 2]]
            picked += 1
            return picked
        """)
    assert f.line == 4 and "the array is only read" in f.message
    # the trap: a view bound and written would write the mapped array
    code = 'import numpy as np\ndef f():\n    part = np.load("a.npy")[[slice(0, 2)]]\n    part += 1\n    return part\n'
    assert mem009(code) == []


def test_a_function_whose_parameter_has_the_loads_name_does_not_hide_it():
    code = """
        import numpy as np
        def summary(data, rows=10):
            data = data[:rows]
            return data.mean()
        data = np.load("features.npy")
        print(summary(data[5:20]), data.shape)
        """
    (f,) = mem009(code)
    assert f.line == 6 and f.fix is None
    reading = """
        import numpy as np
        def summary(rows=10):
            return data[:rows].mean()  # the module's data: it may be written or kept by whoever calls this
        data = np.load("features.npy")
        print(summary(), data.shape)
        """
    assert mem009(reading) == []


def _assert_not_reported_and_mapped_raises(program: str, prints: str) -> None:
    """The trap: MEM009 leaves ``program``'s ``np.load(pathMODE)`` alone; as written the program prints
    ``prints``, and with the file mapped (``mmap_mode="r"``) it fails writing into the read-only map."""
    plain = textwrap.dedent(program).replace("MODE", "")
    assert mem009(plain) == []
    assert outcome(plain) == prints
    assert "read-only" in outcome(plain.replace("np.load(path)", 'np.load(path, mmap_mode="r")'))


def _both_ways(program: str, tmp_path) -> tuple:
    """The lines MEM009 reports in ``program`` (its ``np.load(...MODE)`` as written), and what the program
    prints as written and with the suggestion applied (``mmap_mode="r"``), or the error it ends with; ``DIR``
    is a fresh folder. The peaks: as written, with the suggestion."""
    program = textwrap.dedent(program).replace("DIR", str(tmp_path))
    found = [f.line for f in mem009(program.replace("MODE", ""))]
    plain, mapped = (program.replace("MODE", mode) for mode in ("", ', mmap_mode="r"'))
    peaks = [run_program(p)[1] if not outcome(p).startswith("raised") else None for p in (plain, mapped)]
    return found, outcome(plain), outcome(mapped), peaks


@pytest.mark.slow
def test_a_file_saved_under_a_formatted_name_with_another_ending_is_not_the_mapped_one(tmp_path):
    """``"level_{}_noisy.npy".format(n)`` and ``"level_%d_noisy.npy" % n`` end with "_noisy.npy" whatever n is:
    never the loaded "clean.npy", so the load is reported, and mapping it prints the same and allocates less."""
    program = """
        import os
        import numpy as np
        np.save(os.path.join("DIR", "clean.npy"), np.arange(1_000_000, dtype=np.float64))
        import tracemalloc
        tracemalloc.reset_peak()

        def add_noise(root):
            clean = np.load(os.path.join(root, "clean.npy")MODE)
            for level in [1, 2, 3]:
                noisy = clean[:1000] * level + 0.5
                np.save(os.path.join(root, "level_{}_noisy.npy".format(level)), noisy)
                np.save(os.path.join(root, "level_%d_copy.npy" % level), noisy)
            for level in [1, 2, 3]:
                print(float(np.load(os.path.join(root, "level_{:d}_copy.npy".format(level)))[7]))

        add_noise("DIR")
        """
    found, plain, mapped, (plain_peak, mapped_peak) = _both_ways(program, tmp_path)
    assert found == [9, 15]  # a formatted .npy path is one too
    assert plain == mapped == "7.5\n14.5\n21.5\n"
    assert plain_peak - mapped_peak > 0.9 * 8_000_000


@pytest.mark.slow
def test_a_formatted_name_that_may_be_the_loaded_file_keeps_it_unreported(tmp_path):
    """The trap: "bright{}.npy".format(kind) ends with ".npy" only, and is "brightfield.npy" for "field": the
    mapped array would show what is saved over its file."""
    program = """
        import numpy as np
        np.save("DIR/brightfield.npy", np.arange(10.0))

        def rewrite(root, kinds):
            image = np.load(root + "/brightfield.npy"MODE)
            for kind in kinds:
                np.save(root + "/bright{}.npy".format(kind), np.zeros(10))
                print(float(image[3]))

        rewrite("DIR", ["field"])
        """
    found, plain, mapped, _ = _both_ways(program, tmp_path)
    assert found == [] and plain == "3.0\n" and mapped == "0.0\n"
    for spelling in ('"/bright%s.npy" % kind', '"/{}.npy".format(kind)', '"/bright{}".format(kind)'):
        code = textwrap.dedent(program).replace('"/bright{}.npy".format(kind)', spelling).replace("MODE", "")
        assert mem009(code) == [], spelling


@pytest.mark.slow
def test_an_array_used_as_an_index_or_joined_into_a_path_is_only_read(tmp_path):
    """A dict keeps its keys, but only hashable ones (scalars: copies); an ndarray and a list read an index and
    keep none of it; os.path.join makes a new str. Mapped, the program prints the same and allocates less."""
    program = """
        import os
        import numpy as np
        np.save("DIR/names.npy", np.array([f"img_{i % 7}.png" for i in range(100_000)]))
        np.save("DIR/labels.npy", np.arange(100_000) % 5)
        import tracemalloc
        tracemalloc.reset_peak()
        names = np.load("DIR/names.npy"MODE)
        labels = np.load("DIR/labels.npy"MODE)
        seen = {}
        counts = np.zeros(5, dtype=np.int64)
        firsts = [0, 0, 0, 0, 0]
        for i in range(10):
            seen[names[i]] = os.path.join("DIR", names[i])
            counts[labels[i]] += 1
            firsts[labels[i]] = i
            grid = np.eye(5)[labels[i], labels[i + 1]]
        print(sorted(seen.items())[:2], counts.tolist(), firsts)
        """
    found, plain, mapped, (plain_peak, mapped_peak) = _both_ways(program, tmp_path)
    assert found == [8, 9]
    assert plain == mapped and plain.startswith("[(np.str_('img_0.png'), ")
    assert plain_peak - mapped_peak > 0.9 * 100_000 * (4 * 9 + 8)  # '<U9' and int64 never allocated


def test_an_index_of_an_unknown_object_may_be_kept():
    # an object of unknown type may keep (and write through) what indexes it: a user class's __setitem__, a
    # parameter; and an index is only the subscript's slice, never what is indexed
    cases = [
        'x = np.load("a.npy")\ncache[x] = 1\nreturn 0',
        'x = np.load("a.npy")\nreturn cache[x[0]]',
        'x = np.load("a.npy")\nseen = {}\nseen[0] = x[0]\nreturn seen',  # a value, not a key: kept
        'x = np.load("a.npy")\nrows = [0]\nrows[0] = x[0]\nreturn rows',
    ]
    header = "import numpy as np\ndef f(cache):\n"
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body


@pytest.mark.slow
def test_why_an_unknown_indexed_object_is_no_read():
    """The trap: an object whose __setitem__ writes into its key; mapped, the write raises."""
    program = """
        import numpy as np, tempfile, os
        path = os.path.join(tempfile.mkdtemp(), "a.npy")
        np.save(path, np.arange(4.0))

        class Marks:
            def __setitem__(self, rows, value):
                rows[...] = value

        marks = Marks()
        x = np.load(pathMODE)
        marks[x] = 0
        print(x.sum())
        """
    _assert_not_reported_and_mapped_raises(program, prints="0.0\n")


@pytest.mark.slow
def test_rows_read_in_comprehensions_and_enumerate_are_only_read(tmp_path):
    """A comprehension's rows (views) read where they are, or kept in a new list that is itself only iterated,
    printed or plotted: mapped, the program prints the same and allocates less."""
    program = """
        import numpy as np
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        np.save("DIR/names.npy", np.array([f"sample_{i:06d}_{'ab'[i % 2]}" for i in range(50_000)]))
        np.save("DIR/points.npy", np.arange(300_000, dtype=np.float64).reshape(100_000, 3))
        import tracemalloc
        tracemalloc.reset_peak()
        names = np.load("DIR/names.npy"MODE)
        kinds = [name[14] for name in names]
        plt.scatter(range(50), range(50), c=[k == "a" for k in kinds[:50]])
        for i, kind in enumerate(kinds[:3]):
            print(i, kind)
        points = np.load("DIR/points.npy"MODE)
        norms = [float(p @ p) for p in points if p[0] < 9]
        firsts = [p[:1] for p in points[:4]]
        print(norms, [float(f[0]) for f in firsts], len(firsts))
        for i, point in enumerate(points[:2]):
            print(i, point.sum())
        """
    found, plain, mapped, (plain_peak, mapped_peak) = _both_ways(program, tmp_path)
    assert found == [10, 15]
    assert plain == mapped == "0 a\n1 b\n2 a\n[5.0, 50.0, 149.0] [0.0, 3.0, 6.0, 9.0] 4\n0 3.0\n1 12.0\n"
    assert plain_peak - mapped_peak > 0.9 * (50_000 * 15 * 4 + 300_000 * 8)  # neither file is allocated


def test_rows_written_or_handed_on_from_a_comprehension_or_enumerate_are_no_reads():
    # the traps: the rows (or a list holding them) written, handed to unknown code, or kept by a list
    # concatenation (`rows + rows` is a list of the same views, where `x + x` of arrays is a new array)
    cases = [
        "rows = [r for r in x]\nfor r in rows:\n    r[0] = 1",
        "rows = [r[1:] for r in x]\nkeep(rows)",
        "rows = [r for r in x]\nboth = rows + rows\nboth[0][0] = 1",
        "[r.fill(0) for r in x]",
        "[np.copyto(r, 0) for r in x]",
        "for i, r in enumerate(x):\n    r[:] = 0",
        "for i, r in enumerate(x):\n    keep(r)",
        "rows = [r for r in x]\nrows[0] += 1",
        "rows = [r for r in x if (r := r[:1]) is not None]\nrows[0][0] = 1",
        "rows = {i: r for i, r in enumerate(x)}\nrows[0][0] = 1",
        "rows = (r for r in x)\nfor r in rows:\n    r[0] = 1",
        "return [r for r in x]",
        "rows = [r for r in x]\nreturn rows",
        "keep = [lambda: r for r in x]",
    ]
    header = 'import numpy as np\ndef f(keep):\n    x = np.load("a.npy")\n'
    assert len(mem009(header + "    rows = [r for r in x]\n    print(rows, len(rows))\n")) == 1  # the control
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body


@pytest.mark.slow
def test_why_a_row_written_through_a_list_keeps_the_load_unreported():
    """The trap: a list of rows is a list of views; mapped, writing one raises."""
    program = """
        import numpy as np, tempfile, os
        path = os.path.join(tempfile.mkdtemp(), "a.npy")
        np.save(path, np.arange(6.0).reshape(3, 2))
        x = np.load(pathMODE)
        rows = [r for r in x]
        for r in rows:
            r[0] = -1
        print(x.sum())
        """
    _assert_not_reported_and_mapped_raises(program, prints="6.0\n")


@pytest.mark.slow
def test_rows_taken_by_a_splitters_index_arrays_are_copies(tmp_path):
    """scikit-learn's splitters give integer index arrays: X[train] is a copy, whatever is done with it (here
    written); split itself only reads X. Mapped, the program prints the same and allocates less."""
    program = """
        import numpy as np
        from sklearn.model_selection import KFold, ShuffleSplit
        np.save("DIR/X.npy", np.arange(600_000, dtype=np.float64).reshape(200_000, 3))
        import tracemalloc
        tracemalloc.reset_peak()

        def folds(fit):
            X = np.load("DIR/X.npy"MODE)
            print(X.dtype, X.shape[0])
            kf = KFold(4)
            for train, test in kf.split(X):
                Xtrain, Xtest = X[train[:5]], X[test[:5]]
                Xtrain -= Xtrain.mean()
                fit(Xtrain, Xtest)
            del X

        def shuffled(fit):
            Y = np.load("DIR/X.npy"MODE)
            for fold in ShuffleSplit(2, random_state=0).split(Y):
                fit(Y[fold[1][:3]], Y[fold[0][:2]])

        def fit(a, b):
            a *= 2
            print(float(a.sum()), float(b.sum()))

        folds(fit)
        shuffled(fit)
        """
    found, plain, mapped, (plain_peak, mapped_peak) = _both_ways(program, tmp_path)
    assert found == [9, 19]
    assert plain == mapped and plain.startswith("float64 200000\n")
    assert plain_peak - mapped_peak > 0.9 * 600_000 * 8


def test_the_old_cross_validation_module_iterated_gives_index_arrays_too():
    # sklearn.cross_validation (removed in 0.20) is iterated itself: `for train, test in KFold(n, n_folds=3)`
    code = """
        import numpy as np
        from sklearn.cross_validation import KFold
        def f(model):
            X = np.load("train.npy")
            for train_index, test_index in KFold(X.shape[0], n_folds=3):
                model.fit(X[train_index], X[test_index])
        """
    assert [f.line for f in mem009(code)] == [5]


def test_an_index_of_unknown_origin_may_be_a_slice_so_its_rows_are_no_copy():
    # the traps: an iterable of unknown items (a parameter, a list of slices), a splitter's whole split as
    # one index (a tuple: NumPy indexes two axes with it), a splitter that is not one of the known ones
    cases = [
        "for train, test in folds:\n    model.fit(X[train])",
        "for train, test in [(slice(0, 5), slice(5, 9))]:\n    model.fit(X[train])",
        "for split in KFold(3).split(X):\n    model.fit(X[split])",
        "for train, test in GroupKFold.split(X):\n    model.fit(X[train])",  # the class, not an instance
        "for train, test in cv.split(X):\n    model.fit(X[train])",
    ]
    header = (
        "import numpy as np\nfrom sklearn.model_selection import KFold, GroupKFold\n"
        'def f(model, folds, cv):\n    X = np.load("a.npy")\n'
    )
    assert len(mem009(header + "    for train, test in KFold(3).split(X):\n        model.fit(X[train])\n")) == 1
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body


@pytest.mark.slow
def test_why_an_index_of_unknown_origin_keeps_the_load_unreported():
    """The trap: folds given as slices make X[train] a view; mapped, writing it raises."""
    program = """
        import numpy as np, tempfile, os
        path = os.path.join(tempfile.mkdtemp(), "a.npy")
        np.save(path, np.arange(10.0))

        def train(folds):
            X = np.load(pathMODE)
            for tr, te in folds:
                part = X[tr]
                part -= 1
            print(X.sum())

        train([(slice(0, 5), slice(5, 10))])
        """
    _assert_not_reported_and_mapped_raises(program, prints="40.0\n")


@pytest.mark.slow
def test_nan_to_num_and_views_bound_to_names_only_read(tmp_path):
    """np.nan_to_num copies its argument (copy defaults to True); a view bound to a name (``x =
    x.squeeze(-1)``, ``flat = x.reshape(n, -1).T``) is followed to its uses. Mapped, the program prints the
    same and allocates less."""
    program = """
        import numpy as np
        from pathlib import Path
        root = Path("DIR")
        np.save(root / "y.npy", np.where(np.arange(200_000) % 7 == 0, np.nan, 1.0))
        np.save(root / "gt.npy", (np.arange(200_000) % 3).reshape(400, 500, 1))
        np.save(root / "cube.npy", np.arange(600_000.0).reshape(3, 400, 500))
        import tracemalloc
        tracemalloc.reset_peak()
        y = np.load(root / "y.npy"MODE)
        mask = ~np.isnan(y)
        filled = np.nan_to_num(y, nan=0.0)
        gt = np.load(root / "gt.npy"MODE)
        if gt.ndim == 3 and gt.shape[-1] == 1:
            gt = gt.squeeze(-1)
        h, w = gt.shape
        cube = np.load(root / "cube.npy"MODE)
        flat = cube.reshape(cube.shape[0], -1).T
        labelled = gt.ravel() > 0
        kept = [flat[labelled]]
        print(int(mask.sum()), float(filled.sum()), h, w, float(kept[0].sum()))
        """
    found, plain, mapped, (plain_peak, mapped_peak) = _both_ways(program, tmp_path)
    assert found == [10, 13, 17]
    assert plain == mapped and plain.startswith("171428 171428.0 400 500 ")
    assert plain_peak - mapped_peak > 0.9 * 8 * (200_000 + 200_000 + 600_000)  # none of the three read whole


def test_a_copy_given_by_position_or_a_bound_view_written_is_no_read():
    cases = [
        'x = np.load("a.npy")\nnp.nan_to_num(x, False)\nreturn float(x[0])',  # copy=False: written in place
        'x = np.load("a.npy")\nnp.nan_to_num(x, copy=False)\nreturn float(x[0])',
        'x = np.load("a.npy")\nx = x.reshape(2, -1)\nx[0] = 1\nreturn float(x[0, 0])',  # written through a view
        'x = np.load("a.npy")\nflat = x.reshape(-1).T\nflat += 1\nreturn float(x[0])',
        'x = np.load("a.npy")\nflat = x.ravel()\nreturn flat',  # a view escapes
    ]
    header = "import numpy as np\ndef f():\n"
    assert len(mem009(header + '    x = np.load("a.npy")\n    return float(np.nan_to_num(x).sum())\n')) == 1
    for body in cases:
        assert mem009(header + textwrap.indent(body, "    ") + "\n") == [], body


@pytest.mark.slow
def test_why_a_positional_copy_false_is_no_read():
    """The trap: np.nan_to_num(x, False) writes into x; mapped, the write raises."""
    program = """
        import numpy as np, tempfile, os
        path = os.path.join(tempfile.mkdtemp(), "a.npy")
        np.save(path, np.array([1.0, np.nan]))
        x = np.load(pathMODE)
        np.nan_to_num(x, False)
        print(x.sum())
        """
    _assert_not_reported_and_mapped_raises(program, prints="1.0\n")
