"""MEM009 load-without-mmap: np.load of a .npy that is only read; a suggestion, never a fix."""

import textwrap

import pytest
from helpers import lint, run_program


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
            return a[0] + b.mean() + c.max() + d[1:3].sum()
        """
    assert len(mem009(code)) == 4


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
