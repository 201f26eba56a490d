"""--write-baseline / --baseline: accepted findings stay accepted through unrelated edits."""

from __future__ import annotations

import json

import pytest
from helpers import memlint_cli

LEGACY = """\
import numpy as np


def load():
    grid = np.full((1000, 1000), 0.0)
    return grid
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "legacy.py").write_text(LEGACY)
    r = memlint_cli("--write-baseline", "memlint-baseline.json", "app")
    assert r.exit_code == 0, r.stderr
    assert "Wrote 1 finding to the baseline memlint-baseline.json." in r.stderr
    return tmp_path


def check(*args):
    return memlint_cli("--baseline", "memlint-baseline.json", "--output-format", "json", *args, "app")


def test_baseline_file_holds_fingerprints_not_line_numbers(project):
    data = json.loads((project / "memlint-baseline.json").read_text())
    (fingerprint,) = data["fingerprints"]
    finding = json.loads(memlint_cli("--output-format", "json", "app").stdout)[0]
    assert fingerprint == finding["fingerprint"]
    assert data["fingerprints"][fingerprint] == 1
    assert "5" not in json.dumps(data).replace(fingerprint, "")  # no line number in it


def test_baselined_findings_are_not_reported(project):
    r = check()
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])
    assert memlint_cli("--baseline", "memlint-baseline.json", "app").stdout == "All checks passed!\n"


def test_moved_lines_stay_accepted(project):
    legacy = project / "app" / "legacy.py"
    moved = LEGACY.replace("import numpy as np\n", "import os\nimport numpy as np\n\nCACHE = {}\n")
    moved = moved.replace("def load():", "def helper():\n    return os.getcwd()\n\n\ndef load():")
    legacy.write_text(moved)
    assert json.loads(memlint_cli("--output-format", "json", "app").stdout)[0]["line"] == 12  # it moved
    assert check().exit_code == 0
    # Re-indented into a class and reformatted: the normalised text is the same finding.
    legacy.write_text(
        "import numpy as np\n\n\nclass Loader:\n    def load(self):\n"
        "        grid = np.full((1000,  1000),   0.0)\n        return grid\n"
    )
    assert check().exit_code == 0


def test_new_findings_are_reported(project):
    legacy = project / "app" / "legacy.py"
    legacy.write_text(LEGACY + "\n\ndef more():\n    return np.full((2000, 2000), 0.0)\n")
    r = check()
    assert r.exit_code == 1
    assert [f["line"] for f in json.loads(r.stdout)] == [10]
    # The same code added again in the same file is a new finding too: findings are matched by count.
    legacy.write_text(LEGACY + "\n\ndef again():\n    grid = np.full((1000, 1000), 0.0)\n    return grid\n")
    assert [f["line"] for f in json.loads(check().stdout)] == [10]


def test_the_same_code_in_another_file_is_new(project):
    (project / "app" / "copy.py").write_text(LEGACY)
    assert [f["path"] for f in json.loads(check().stdout)] == ["app/copy.py"]


def test_fixed_findings_simply_disappear(project):
    (project / "app" / "legacy.py").write_text(LEGACY.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))"))
    assert check().exit_code == 0


def test_write_baseline_records_everything_current_even_with_a_baseline(project):
    (project / "app" / "copy.py").write_text(LEGACY)
    r = memlint_cli("--baseline", "memlint-baseline.json", "--write-baseline", "memlint-baseline.json", "app")
    assert r.exit_code == 0
    assert sum(json.loads((project / "memlint-baseline.json").read_text())["fingerprints"].values()) == 2
    assert check().exit_code == 0


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"fingerprints": 3}', '{"other": {}}'])
def test_a_file_that_is_not_a_baseline_is_an_error(project, content):
    (project / "memlint-baseline.json").write_text(content)
    r = check()
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert "memlint-baseline.json: not a memlint baseline" in line


def test_missing_baseline_and_unwritable_baseline_are_errors(project):
    r = memlint_cli("--baseline", "nope.json", "app")
    assert r.exit_code == 2 and "nope.json" in r.stderr
    r = memlint_cli("--write-baseline", "no/such/folder/b.json", "app")
    assert r.exit_code == 2 and "no/such/folder/b.json: cannot write the baseline" in r.stderr


# --- never overwrite what is not a baseline (issue 13, item 1) ---------------------------------------------


@pytest.mark.parametrize("target", ["app/legacy.py", "notes.txt", "analysis.ipynb", "new_module.py"])
def test_write_baseline_never_overwrites_anything_but_a_baseline(project, target):
    """`memlint --write-baseline app/legacy.py` (the baseline's name forgotten) once replaced the source with
    JSON. A source (.py, .ipynb, existing or not) or any existing file without the baseline's marker stays."""
    (project / "notes.txt").write_text("my notes\n")
    (project / "analysis.ipynb").write_text('{"cells": []}\n')
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and ".memlint_cache" not in p.parts}
    r = memlint_cli("--write-baseline", target)
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"memlint: error: {target}: not overwritten: ")
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and ".memlint_cache" not in p.parts}
    assert after == before


def test_an_existing_baseline_is_overwritten(project):
    (project / "app" / "copy.py").write_text(LEGACY)
    assert memlint_cli("--write-baseline", "memlint-baseline.json", "app").exit_code == 0
    assert sum(json.loads((project / "memlint-baseline.json").read_text())["fingerprints"].values()) == 2


# --- accepted findings are neither shown as diffs nor fixed (item 7) ---------------------------------------


def test_diff_and_fix_leave_accepted_findings_alone(project):
    r = memlint_cli("--baseline", "memlint-baseline.json", "--diff", "app")
    assert (r.exit_code, r.stdout) == (0, "")
    r = memlint_cli("--baseline", "memlint-baseline.json", "--fix", "app")
    assert r.exit_code == 0
    assert (project / "app" / "legacy.py").read_text() == LEGACY


def test_fix_with_a_baseline_fixes_only_new_findings(project):
    legacy = project / "app" / "legacy.py"
    legacy.write_text(LEGACY + "\n\ndef more():\n    return np.full((2000, 2000), 0.0)\n")
    r = memlint_cli("--baseline", "memlint-baseline.json", "--fix", "app")
    assert (r.exit_code, r.stdout) == (0, "Fixed 1 finding.\n")
    assert legacy.read_text() == LEGACY + "\n\ndef more():\n    return np.zeros((2000, 2000))\n"


# --- fingerprints on tokens (item 8) -----------------------------------------------------------------------


def test_black_style_reformatting_keeps_a_finding_accepted(project):
    (project / "app" / "legacy.py").write_text(
        LEGACY.replace("np.full((1000, 1000), 0.0)", "np.full(\n        ( 1000, 1000 ),\n        0.0,  # cold\n    )")
    )
    assert json.loads(memlint_cli("--output-format", "json", "app").stdout)[0]["code"] == "MEM017"
    assert check().exit_code == 0


def test_the_fingerprint_ignores_what_a_formatter_changes():
    from memlint.suppress import normalise

    assert normalise("f('a', [b, c],)") == normalise('f(\n    "a",\n    [ b, c ],  # why\n)') == "f ( 'a' , [ b , c ] )"
    assert normalise("f(a, b)") != normalise("f(a, c)")
    assert normalise("f(\n    a,\n)") == normalise("f(a)") == "f ( a )"  # black's magic trailing comma
    assert normalise("[\n    1,\n    2,\n]") == normalise("[1, 2]") and normalise("{1,}") == normalise("{1}")
    assert normalise("(1,)") == "( 1 , )" != normalise("(1)")  # a tuple's comma is the tuple
    assert normalise("x[1,]") == "x [ 1 , ]" != normalise("x[1]")
    assert normalise("(1, 2,)") == normalise("(1, 2)")
    assert len(normalise(" + ".join(["a"] * 1000))) < 410  # long code: about 400 characters of tokens


def test_a_version_1_baseline_is_refused_in_one_line_saying_how_to_regenerate(project):
    (project / "memlint-baseline.json").write_text('{"memlint-baseline": 1, "fingerprints": {"abc": 1}}\n')
    r = check()
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert "memlint-baseline.json: a version 1 memlint baseline" in line
    assert "memlint --write-baseline memlint-baseline.json" in line


# --- a baseline never hides a syntax error (item 9) --------------------------------------------------------


def test_a_baseline_never_hides_a_syntax_error(project):
    (project / "app" / "broken.py").write_text("def f(:\n")
    r = memlint_cli("--write-baseline", "memlint-baseline.json", "app")
    assert r.exit_code == 0
    assert sum(json.loads((project / "memlint-baseline.json").read_text())["fingerprints"].values()) == 1
    r = check()
    assert r.exit_code == 1
    assert [f["code"] for f in json.loads(r.stdout)] == ["MEM000"]
    # Even a baseline that lists it (written by hand, or by an older memlint) does not hide it.
    syntax_error = json.loads(memlint_cli("--output-format", "json", "app").stdout)[0]
    assert syntax_error["code"] == "MEM000"
    data = json.loads((project / "memlint-baseline.json").read_text())
    data["fingerprints"][syntax_error["fingerprint"]] = 1
    (project / "memlint-baseline.json").write_text(json.dumps(data))
    assert [f["code"] for f in json.loads(check().stdout)] == ["MEM000"]
