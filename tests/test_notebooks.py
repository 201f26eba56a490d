"""Jupyter notebooks: checked as the module their code cells make, findings and fixes given per cell, the
file written back with nothing changed but the fixed source lines."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import memlint_cli

from memlint.notebook import Notebook, mask, view

BIG = "(1000, 1000)"


def cell(source: str, kind: str = "code", **extra) -> dict:
    c = {"cell_type": kind, "id": f"c{abs(hash(source)) % 10**8:08d}", "metadata": {}}
    if kind == "code":
        c.update(execution_count=None, outputs=[])
    c["source"] = textwrap.dedent(source).strip("\n").splitlines(keepends=True)
    c.update(extra)
    return c


def notebook_json(cells: list, indent=1, ensure_ascii=False, sort_keys=True, trailing_newline=True, **meta) -> str:
    """A notebook laid out as Jupyter writes one (nbformat: indent 1, sorted keys, UTF-8, final newline)."""
    doc = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, **meta},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(doc, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    return text + ("\n" if trailing_newline else "")


def write(folder, name: str, cells: list, **layout):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook_json(cells, **layout), encoding="utf-8")
    return path


def check(*args):
    r = memlint_cli("--no-cache", *args)
    assert r.exit_code in (0, 1), r.stderr
    return r


def findings(*args) -> list[dict]:
    return json.loads(check("--output-format", "json", *args).stdout)


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- reading: cells, masks, errors -------------------------------------------------------------------------


def test_findings_name_their_cell_counting_markdown(here):
    write(
        here,
        "analysis.ipynb",
        [
            cell("# Data", "markdown"),
            cell("import numpy as np"),
            cell("Some *notes*", "markdown"),
            cell(f"x = 1\ny = 2\nz = 3\ngrid = np.full({BIG}, 0.0)"),
        ],
    )
    r = check("analysis.ipynb")
    assert r.exit_code == 1
    assert "analysis.ipynb:cell 4:4:8: MEM017 [*] np.full" in r.stdout
    (f,) = findings("analysis.ipynb")
    assert (f["cell"], f["line"], f["column"], f["end_line"], f["end_column"]) == (4, 4, 8, 4, 34)
    assert f["fix"]["edits"] == [
        {"line": 4, "column": 8, "end_line": 4, "end_column": 34, "content": f"np.zeros({BIG})"}
    ]


MAGICS = [
    "%matplotlib inline",
    "%timeit np.ones(3)",
    "!pip install numpy",
    "files = !ls {folder}",
    "t = %time np.ones(3)",
    "np.ones?",
    "??np.zeros",
    "pip install pandas",
    "cd ..",
    "load_ext autoreload",
    "%load_ext autoreload \\\n    --more",
]


@pytest.mark.parametrize("magic", MAGICS)
def test_ipython_lines_are_masked_and_lines_stay_right(here, magic):
    indented = textwrap.indent(magic, "    ")
    source = f"import numpy as np\n{magic}\nif True:\n{indented}\ngrid = np.full({BIG}, 0.0)"
    write(here, "m.ipynb", [cell(source)])
    (f,) = findings("m.ipynb")
    assert f["code"] == "MEM017" and f["cell"] == 1 and f["line"] == source.count("\n") + 1 and f["column"] == 8


def test_python_cell_magics_are_checked_other_languages_skipped(here):
    write(
        here,
        "m.ipynb",
        [
            cell("import numpy as np"),
            cell(f"%%time\ngrid = np.full({BIG}, 0.0)"),
            cell("%%bash\nfor f in *; do echo $f; done"),
            cell("%%writefile helper.py\nthis is not python("),
            cell(f"%%timeit -n1 a = 1\nb = np.full({BIG}, 0.0)"),
        ],
    )
    assert [(f["cell"], f["line"], f["code"]) for f in findings("m.ipynb")] == [(2, 2, "MEM017"), (5, 2, "MEM017")]


def test_top_level_await_parses(here):
    write(here, "m.ipynb", [cell(f"import numpy as np\nawait asyncio.sleep(0)\ngrid = np.full({BIG}, 0.0)")])
    assert [f["code"] for f in findings("m.ipynb")] == ["MEM017"]


def test_a_syntax_error_is_reported_for_its_cell_and_other_cells_are_checked(here):
    write(
        here,
        "m.ipynb",
        [cell("import numpy as np"), cell("x = 1\ny = (\n"), cell(f"grid = np.full({BIG}, 0.0)")],
    )
    r = check("m.ipynb")
    assert "m.ipynb:cell 2:2:5: MEM000 SyntaxError: '(' was never closed" in r.stdout
    assert "m.ipynb:cell 3:1:8: MEM017" in r.stdout


def test_masked_names_count_as_uses(here):
    """A name a magic mentions is used there: here `%timeit` reads b while the asarray result would share
    its buffer, so memlint must not treat b as unused after np.array(b)."""
    c = mask("a = 1\n%timeit f(b, c)\nx = !echo {path}\n")
    assert c is not None
    code, names, lines = c
    assert code.splitlines() == ["a = 1", "__ipython__(f, b, c)", "x = __ipython__(path)"]
    assert {"f", "b", "c", "path"} <= names and lines == {2, 3}


def test_non_python_kernels_are_not_checked(here):
    path = write(here, "r.ipynb", [cell("x <- c(1, 2)")])
    text = path.read_text().replace('"language": "python"', '"language": "R"').replace('"python3"', '"ir"')
    path.write_text(text)
    r = check("r.ipynb")
    assert r.exit_code == 0 and "MEM000" not in r.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"cells": [', "bad.ipynb:1:12: not a notebook: invalid JSON"),
        ('{"nbformat": 3, "worksheets": []}', "bad.ipynb: nbformat 3 is not supported, only 4"),
        ("[1, 2]", "bad.ipynb: not a Jupyter notebook (no `cells`)"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "cells[0].source is not text"),
    ],
)
def test_bad_notebooks_are_one_line_errors(here, content, message):
    (here / "bad.ipynb").write_text(content)
    r = memlint_cli("--no-cache", "bad.ipynb")
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


# --- where: folders, exclude, cache, baseline, reports -------------------------------------------------------


def test_folders_find_notebooks_and_exclude_applies(here):
    nb = [cell(f"import numpy as np\ngrid = np.full({BIG}, 0.0)")]
    write(here, "work/analysis.ipynb", nb)
    write(here, "work/.ipynb_checkpoints/analysis-checkpoint.ipynb", nb)
    write(here, "work/scratch/old.ipynb", nb)
    (here / "pyproject.toml").write_text('[tool.memlint]\nextend-exclude = ["scratch"]\n')
    assert [f["path"] for f in findings(".")] == ["work/analysis.ipynb"]


def test_cache_and_baseline_keep_cells(here):
    write(here, "a.ipynb", [cell("import numpy as np"), cell(f"grid = np.full({BIG}, 0.0)")])
    first = memlint_cli("a.ipynb").stdout  # stores the cache
    again = memlint_cli("a.ipynb").stdout  # read from it
    assert first == again and "a.ipynb:cell 2:1:8: MEM017" in again
    assert memlint_cli("--write-baseline", "base.json", "a.ipynb").exit_code == 0
    # A cell inserted above moves the finding to cell 3: the baseline still accepts it.
    write(here, "a.ipynb", [cell("import numpy as np"), cell("n = 1"), cell(f"grid = np.full({BIG}, 0.0)")])
    assert memlint_cli("a.ipynb").stdout.startswith("a.ipynb:cell 3:1:8: MEM017")
    assert memlint_cli("--baseline", "base.json", "a.ipynb").exit_code == 0


def test_every_output_format_points_at_the_cell(here):
    write(here, "a.ipynb", [cell("import numpy as np"), cell(f"n = 1\ngrid = np.full({BIG}, 0.0)")])
    lines = (here / "a.ipynb").read_text().splitlines()
    file_line = next(i for i, s in enumerate(lines, 1) if "np.full" in s)
    github = check("--output-format", "github", "a.ipynb").stdout
    assert github.startswith(f"::warning file=a.ipynb,line={file_line},endLine={file_line},title=MEM017")
    assert "::cell 2:2:8: np.full" in github
    sarif = json.loads(check("--output-format", "sarif", "a.ipynb").stdout)
    (result,) = sarif["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": file_line, "endLine": file_line}
    assert result["properties"]["cell"] == 2 and result["properties"]["cellLine"] == 2
    assert result["message"]["text"].startswith("cell 2:2:8: ") and "fixes" not in result
    gitlab = json.loads(check("--output-format", "gitlab", "a.ipynb").stdout)
    assert gitlab[0]["location"]["positions"]["begin"] == {"line": file_line}
    assert gitlab[0]["description"].startswith("MEM017 cell 2:2:8: ")


def test_noqa_in_a_cell_silences_that_line_only(here):
    write(
        here,
        "a.ipynb",
        [
            cell("import numpy as np"),
            cell(f"a = np.full({BIG}, 0.0)  # noqa: MEM017"),
            cell(f"b = np.full({BIG}, 0.0)"),
        ],
    )
    assert [(f["cell"], f["line"]) for f in findings("a.ipynb")] == [(3, 1)]
    r = memlint_cli("--no-cache", "--fix", "a.ipynb")
    sources = ["".join(c["source"]) for c in json.loads((here / "a.ipynb").read_text())["cells"]]
    assert r.exit_code == 0 and "np.full" in sources[1] and "np.zeros" in sources[2]


def test_full_format_shows_the_cell_source(here):
    write(here, "a.ipynb", [cell("import numpy as np"), cell(f"n = 1\ngrid = np.full({BIG}, 0.0)")])
    out = check("--output-format", "full", "a.ipynb").stdout
    assert out.startswith("a.ipynb:cell 2:2:8: MEM017")
    assert f"2 | grid = np.full({BIG}, 0.0)" in out and f"2 + grid = np.zeros({BIG})" in out


def test_project_index_sees_notebooks(here):
    """A class defined in the package and built in bulk in a notebook is MEM003 evidence."""
    (here / "geometry.py").write_text(
        "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n"
    )
    write(
        here,
        "explore.ipynb",
        [cell("from geometry import Point"), cell("n = 3\npts = [Point(i, i) for i in range(10**6)]")],
    )
    (f,) = findings("--select", "MEM003", ".")
    assert f["path"] == "geometry.py" and f["cell"] is None
    assert "a comprehension at explore.ipynb:cell 2:2 (1,000,000 instances)" in f["message"]


def test_messages_name_other_lines_by_cell(here):
    loop = "pts = []\nfor i in range(10**6):\n    x = float(i)\n    pts.append((x, 2.0 * x))"
    write(here, "a.ipynb", [cell("import numpy as np"), cell(loop)])
    (f,) = findings("a.ipynb")
    assert f["code"] == "MEM004" and "(appended at cell 2, line 4)" in f["message"]


# --- notebook fix safety ----------------------------------------------------------------------------------------


def fix_of(cells, code: str, *args):
    (f,) = [f for f in findings("--unsafe-fixes", "m.ipynb", *args) if f["code"] == code]
    return f["fix"]


def test_a_fix_whose_evidence_is_in_one_cell_stays_safe(here):
    write(here, "m.ipynb", [cell("import numpy as np"), cell(f"a = np.zeros({BIG})\na = a * 2\nprint(a.sum())")])
    assert fix_of(None, "MEM001")["applicability"] == "safe"


def test_a_fix_whose_name_another_cell_uses_is_unsafe(here):
    write(
        here,
        "m.ipynb",
        [cell("import numpy as np"), cell(f"a = np.zeros({BIG})"), cell("a = a * 2"), cell("b = a")],
    )
    fix = fix_of(None, "MEM001")
    assert fix["applicability"] == "unsafe" and "`a` is also used in cell 2" in fix["message"]


def test_a_name_a_function_reads_makes_the_fix_unsafe(here):
    write(
        here,
        "m.ipynb",
        [cell("import numpy as np"), cell(f"a = np.zeros({BIG})\na = a * 2"), cell("def total():\n    return a.sum()")],
    )
    fix = fix_of(None, "MEM001")
    assert fix is None or fix["applicability"] == "unsafe"


def test_a_name_a_magic_in_another_cell_reads_makes_the_fix_unsafe(here):
    write(
        here, "m.ipynb", [cell("import numpy as np"), cell(f"a = np.zeros({BIG})\na = a * 2"), cell("%timeit a.sum()")]
    )
    assert fix_of(None, "MEM001")["applicability"] == "unsafe"


def test_fixes_inside_functions_and_of_one_call_stay_safe(here):
    write(
        here,
        "m.ipynb",
        [
            cell("import numpy as np"),
            cell(f"def scaled():\n    a = np.zeros({BIG})\n    a = a * 2\n    return a"),
            cell(f"grid = np.full({BIG}, 0.0)"),
            cell("grid[0, 0] = scaled()[0, 0]"),
        ],
    )
    found = {f["code"]: f["fix"]["applicability"] for f in findings("m.ipynb")}
    assert found == {"MEM001": "safe", "MEM017": "safe"}


# --- writing back ---------------------------------------------------------------------------------------------

LAYOUTS = [
    {},
    {"indent": 2},
    {"indent": 4, "sort_keys": False},
    {"indent": None},
    {"ensure_ascii": True},
    {"trailing_newline": False},
]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_writing_back_changes_nothing_but_the_new_source(layout):
    out = {"name": "stdout", "output_type": "stream", "text": ["é 1\n"]}
    cells = [
        cell("# Notes é ünïcode", "markdown"),
        cell("import numpy as np\nx = 1  # é\ny = 2", execution_count=3, outputs=[out]),
        cell("z = 'unchanged'"),
    ]
    text = notebook_json(cells, **layout)
    nb = Notebook.parse(text.encode(), "t.ipynb")
    assert nb.dumps({}) == text.encode()
    new = nb.dumps({2: "import numpy as np\nx = 10  # é\ny = 2"}).decode()
    expected = json.loads(text)
    expected["cells"][1]["source"][1] = "x = 10  # é\n"
    assert json.loads(new) == expected
    # Only the changed string differs.
    old_token = json.dumps("x = 1  # é\n", ensure_ascii=layout.get("ensure_ascii", False))
    new_token = json.dumps("x = 10  # é\n", ensure_ascii=layout.get("ensure_ascii", False))
    assert new == text.replace(old_token, new_token)


def test_a_source_written_as_one_string_stays_one_string():
    text = json.dumps({"cells": [{"cell_type": "code", "source": "a = 1\nb = 2", "metadata": {}}], "nbformat": 4})
    nb = Notebook.parse(text.encode(), "t.ipynb")
    assert nb.dumps({1: "a = 1\nb = 3"}).decode() == text.replace("b = 2", "b = 3")


def test_view_keeps_cell_lines():
    text = notebook_json([cell("a = 1\n%time f()"), cell("x", "markdown"), cell("b = (\n"), cell("c = 3")])
    v = view(Notebook.parse(text.encode(), "t.ipynb"))
    assert v.text == "a = 1\n__ipython__(f)\n\nc = 3\n"
    assert [(c.number, c.start, c.lines, c.error is not None) for c in v.cells] == [
        (1, 1, 2, False),
        (3, 3, 1, True),
        (4, 4, 1, False),
    ]


# --- fixing ----------------------------------------------------------------------------------------------------


def test_fix_rewrites_only_the_fixed_source_lines(here):
    """Outputs, execution counts, ids, metadata, the indent and key order stay byte for byte."""
    out = {"name": "stdout", "output_type": "stream", "text": ["7.0\n"]}
    cells = [
        cell("# Grid", "markdown", metadata={"tags": ["intro"]}),
        cell("import numpy as np", execution_count=1),
        cell(f"grid = np.full({BIG}, 0.0)\ngrid[0, 0] = 7\nprint(grid.sum())", execution_count=2, outputs=[out]),
    ]
    path = write(here, "a.ipynb", cells, indent=2, sort_keys=False, widgets={"state": {}})
    before = path.read_text(encoding="utf-8")
    r = memlint_cli("--no-cache", "--fix", "a.ipynb")
    assert r.exit_code == 0 and "Fixed 1 finding." in r.stdout
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(f'"grid = np.full({BIG}, 0.0)\\n"', f'"grid = np.zeros({BIG})\\n"')
    assert after != before


def test_diff_shows_cell_relative_hunks(here):
    write(here, "a.ipynb", [cell("import numpy as np"), cell("x = 1"), cell(f"n = 2\ngrid = np.full({BIG}, 0.0)")])
    r = memlint_cli("--no-cache", "--diff", "a.ipynb")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[:5] == [
        "--- a/a.ipynb:cell 3",
        "+++ b/a.ipynb:cell 3",
        "@@ -1,2 +1,2 @@",
        " n = 2",
        f"-grid = np.full({BIG}, 0.0)",
    ]
    assert "Would fix 1 finding." in r.stderr


def test_fixes_in_several_cells_and_rounds(here):
    write(
        here,
        "a.ipynb",
        [
            cell("import numpy as np"),
            cell(f"a = np.full({BIG}, 0.0)\nb = np.full({BIG}, 0.0)"),
            cell(f"def f():\n    x = np.ones({BIG})\n    x = x * 2\n    x = x + 1\n    return x"),
        ],
    )
    r = memlint_cli("--no-cache", "--fix", "a.ipynb")
    assert r.exit_code == 0, r.stdout
    sources = ["".join(c["source"]) for c in json.loads((here / "a.ipynb").read_text())["cells"]]
    assert sources[1] == f"a = np.zeros({BIG})\nb = np.zeros({BIG})"
    assert sources[2] == f"def f():\n    x = np.ones({BIG})\n    x *= 2\n    x += 1\n    return x"


def test_a_fix_never_crosses_a_cell_or_touches_a_masked_line():
    from memlint.findings import SAFE, Edit, Finding, Fix
    from memlint.notebook import to_cells

    cells = [[2, 1, 3, [], [10, 11, 12]], [4, 4, 2, [2], [20, 21]]]  # cell 2: module lines 1-3; cell 4: 4-5

    def finding(*edits):
        return Finding("MEM999", "m", "a.ipynb", edits[0].line, 1, edits[0].line, 2, fix=Fix(SAFE, "f", edits))

    inside = finding(Edit(2, 1, 3, 5, "x"))
    to_end = finding(Edit(3, 1, 4, 1, "x\n"))  # up to the end of cell 2's last line: still inside
    across = finding(Edit(3, 1, 4, 3, "x"))
    masked = finding(Edit(5, 1, 5, 3, "x"))
    two_cells = finding(Edit(1, 1, 1, 2, "x"), Edit(4, 1, 4, 2, "y"))
    to_cells([inside, to_end, across, masked, two_cells], cells)
    assert (inside.cell, inside.line, inside.fix.edits[0]) == (2, 2, Edit(2, 1, 3, 5, "x"))
    assert to_end.fix is not None and to_end.fix.edits[0] == Edit(3, 1, 4, 1, "x\n")
    assert across.fix is None and masked.fix is None and two_cells.fix is None
    assert (masked.cell, masked.line, masked.file_lines) == (4, 2, (21, 21))


TOP_LEVEL_FIXES = {
    "MEM001": (f"a = np.ones({BIG})", "a = a * 2"),
    "MEM002": (f"a = np.ones({BIG})", "a = np.sqrt(a)"),
    "MEM012": (f"a = np.ones({BIG})", "g = np.array(a)"),
}


@pytest.mark.parametrize("code", sorted(TOP_LEVEL_FIXES))
def test_top_level_fixes_are_safe_in_one_cell_and_unsafe_across_cells(here, code):
    make, flagged = TOP_LEVEL_FIXES[code]
    write(here, "m.ipynb", [cell("import numpy as np"), cell(f"{make}\n{flagged}")])
    assert fix_of(None, code)["applicability"] == "safe"
    write(here, "m.ipynb", [cell("import numpy as np"), cell(make), cell(flagged)])
    fix = fix_of(None, code)
    assert fix["applicability"] == "unsafe" and "`a` is also used in cell 2" in fix["message"]


# --- writing: the same guarantees as a .py file (fix.replace_if_unchanged) ---------------------------------


def test_a_notebook_edited_after_it_was_checked_is_not_written(here, monkeypatch):
    from memlint import engine

    path = write(here, "m.ipynb", [cell("import numpy as np"), cell("grid = np.full((1000, 1000), 0.0)")])
    edited = notebook_json([cell("import numpy as np"), cell("grid = np.full((1000, 1000), 0.5)")])
    real_run = engine.run

    def run_then_edit(*args, **kwargs):
        result = real_run(*args, **kwargs)
        path.write_text(edited, encoding="utf-8")  # Jupyter saves after memlint read the notebook
        return result

    monkeypatch.setattr(engine, "run", run_then_edit)
    r = memlint_cli("--no-cache", "--fix", "m.ipynb")
    assert path.read_text(encoding="utf-8") == edited
    assert "m.ipynb: changed since memlint read it; not fixed" in r.stderr


def test_a_read_only_notebook_is_left_alone_even_as_root(here):
    path = write(here, "m.ipynb", [cell("import numpy as np"), cell("grid = np.full((1000, 1000), 0.0)")])
    before = path.read_bytes()
    path.chmod(0o444)
    r = memlint_cli("--no-cache", "--fix", "m.ipynb")
    assert r.exit_code == 2 and "m.ipynb: cannot write the fixed file: Permission denied" in r.stderr
    assert path.read_bytes() == before
