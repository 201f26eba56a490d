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
