"""ruff's options for fix hooks and adopting a linter: --fix-only, --exit-non-zero-on-fix, --show-fixes,
--fix --statistics, and --add-noqa."""

from __future__ import annotations

import json

import pytest
from helpers import memlint_cli

BIG = "import numpy as np\n\na = np.full((1000, 1000), 0.0)\nb = np.full((2000, 1000), 0.0)\n"
FIXED = "import numpy as np\n\na = np.zeros((1000, 1000))\nb = np.zeros((2000, 1000))\n"
# MEM006 (no fix) stays after --fix.
LEFT = "import numpy as np\n\ndef grow(n):\n    x = np.empty(0)\n    for i in range(n):\n        x = np.append(x, i)\n    return x\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "big.py").write_text(BIG)
    (tmp_path / "left.py").write_text(LEFT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_only_fixes_reports_nothing_left_and_exits_0(project):
    r = memlint_cli("--no-cache", "--fix-only", "big.py", "left.py")
    assert (project / "big.py").read_text() == FIXED
    assert r.exit_code == 0  # MEM006 is left, but --fix-only does not report it
    assert r.stdout == "Fixed 2 findings.\n"
    r = memlint_cli("--no-cache", "--fix-only", "big.py", "left.py")
    assert (r.exit_code, r.stdout) == (0, "Nothing to fix.\n")


def test_exit_non_zero_on_fix(project):
    r = memlint_cli("--no-cache", "--fix-only", "--exit-non-zero-on-fix", "big.py")
    assert r.exit_code == 1 and (project / "big.py").read_text() == FIXED  # fixed, so the hook fails
    assert memlint_cli("--no-cache", "--fix-only", "--exit-non-zero-on-fix", "big.py").exit_code == 0  # nothing to do
    (project / "big.py").write_text(BIG)
    assert memlint_cli("--no-cache", "--fix", "--exit-non-zero-on-fix", "big.py").exit_code == 1  # none left, but fixed
    (project / "big.py").write_text(BIG)
    assert memlint_cli("--no-cache", "--fix", "big.py").exit_code == 0  # without it: none left is success
    (project / "big.py").write_text(BIG)
    assert memlint_cli("--no-cache", "--fix", "--exit-non-zero-on-fix", "--exit-zero", "big.py").exit_code == 0


def test_show_fixes_lists_what_fix_changed_per_file(project):
    (project / "two.py").write_text("import numpy as np\n\nz = np.full((1000, 1000), 0.0)\n")
    r = memlint_cli("--no-cache", "--fix", "--show-fixes", "big.py", "left.py", "two.py")
    assert r.exit_code == 1  # MEM006 is left
    assert r.stdout.endswith(
        "\nFixed 3 findings:\n- big.py:\n    2 × MEM017 (full-zeros)\n- two.py:\n    1 × MEM017 (full-zeros)\n\n"
        "Found 1 finding.\n"
    )
    assert r.stdout.startswith("left.py:6:13: MEM006 ")


def test_show_fixes_and_statistics_count_a_notebooks_fixes(project):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": BIG}
    (project / "nb.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    r = memlint_cli("--no-cache", "--fix", "--show-fixes", "nb.ipynb")
    assert json.loads((project / "nb.ipynb").read_text())["cells"][0]["source"] == FIXED
    assert r.stdout == "Fixed 2 findings:\n- nb.ipynb:\n    2 × MEM017 (full-zeros)\n\n"
    (project / "nb.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    r = memlint_cli("--no-cache", "--fix", "--statistics", "nb.ipynb")
    assert (r.exit_code, r.stdout) == (0, "Fixed 2 findings (2 MEM017).\n")


def test_fix_statistics_counts_what_is_left_and_what_was_fixed(project):
    r = memlint_cli("--no-cache", "--fix", "--statistics", "big.py", "left.py")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["1", "MEM006", "array-grown-in-loop"]
    assert lines[1:] == ["Fixed 2 findings (2 MEM017)."]
    (project / "big.py").write_text(BIG)
    r = memlint_cli("--no-cache", "--fix", "--statistics", "big.py")
    assert (r.exit_code, r.stdout) == (0, "Fixed 2 findings (2 MEM017).\n")  # nothing left: what was fixed


NOQA_BEFORE = """\
import numpy as np

a = np.full((1000, 1000), 0.0)  # noqa: E501
b = np.full((1000, 1000), 0.0)  # filled below
c = np.full(
    (1000, 1000), 0.0)
d = np.full((1000, 1000), 0.0); e = np.full((1000, 1000), 0.0)
s = f\"\"\"{np.full((1000, 1000), 0.0)}
\"\"\"
"""
NOQA_AFTER = """\
import numpy as np

a = np.full((1000, 1000), 0.0)  # noqa: E501, MEM017
b = np.full((1000, 1000), 0.0)  # filled below  # noqa: MEM017
c = np.full(  # noqa: MEM017
    (1000, 1000), 0.0)
d = np.full((1000, 1000), 0.0); e = np.full((1000, 1000), 0.0)  # noqa: MEM017
s = f\"\"\"{np.full((1000, 1000), 0.0)}
\"\"\"
"""


def test_add_noqa_silences_every_finding_keeping_comments(project):
    (project / "n.py").write_text(NOQA_BEFORE)
    r = memlint_cli("--no-cache", "--add-noqa", "n.py")
    assert r.exit_code == 0
    assert (project / "n.py").read_text() == NOQA_AFTER
    assert "Added 4 noqa directives." in r.stderr
    # The line that ends inside a string cannot take a comment: named, and still reported.
    assert "n.py:8: no place for a noqa comment" in r.stderr
    r = memlint_cli("--no-cache", "n.py")
    assert [line.split(":")[1] for line in r.stdout.splitlines() if line.startswith("n.py:")] == ["8"]
    # Run again: nothing more to add, nothing changed.
    memlint_cli("--no-cache", "--add-noqa", "n.py")
    assert (project / "n.py").read_text() == NOQA_AFTER


def test_add_noqa_merges_codes_and_keeps_line_endings(project):
    (project / "crlf.py").write_bytes(
        b"import numpy as np\r\n\r\ndef g(n):\r\n    x = np.empty(0)\r\n    for i in range(n):\r\n"
        b"        x = np.append(x, np.full((1000, 1000), 0.0))  # noqa: MEM001\r\n    return x\r\n"
    )
    r = memlint_cli("--no-cache", "--add-noqa", "crlf.py")
    assert r.exit_code == 0, r.stderr
    data = (project / "crlf.py").read_bytes()
    assert b"        x = np.append(x, np.full((1000, 1000), 0.0))  # noqa: MEM001, MEM006, MEM017\r\n" in data
    assert data.count(b"\r\n") == 7 and b"\n" not in data.replace(b"\r\n", b"")
    assert memlint_cli("--no-cache", "crlf.py").exit_code == 0


def test_add_noqa_leaves_syntax_errors_and_clean_files(project):
    (project / "broken.py").write_text("def f(:\n")
    (project / "clean.py").write_text("x = 1\n")
    r = memlint_cli("--no-cache", "--add-noqa", "broken.py", "clean.py")
    assert r.exit_code == 0 and "Added 0 noqa directives." in r.stderr
    assert (project / "broken.py").read_text() == "def f(:\n" and (project / "clean.py").read_text() == "x = 1\n"


# --- MEM100 unused-noqa -----------------------------------------------------------------------------------

UNUSED = """\
import numpy as np

a = np.zeros((1000, 1000))  # noqa: MEM017, E501
b = np.full((1000, 1000), 0.0)  # noqa: MEM017,MEM001
c = 1  # noqa: MEM017  filled later
d = 2    # noqa: MEM017
e = 3  # noqa: MEM003
f = 4  # noqa
g = 5  # noqa: MEM100, MEM017
"""
UNUSED_FIXED = """\
import numpy as np

a = np.zeros((1000, 1000))  # noqa: E501
b = np.full((1000, 1000), 0.0)  # noqa: MEM017
c = 1  # filled later
d = 2
e = 3  # noqa: MEM003
f = 4  # noqa
g = 5  # noqa: MEM100, MEM017
"""


def test_mem100_is_off_unless_selected(project):
    (project / "u.py").write_text(UNUSED)
    assert memlint_cli("--no-cache", "u.py").exit_code == 0  # select = ["MEM"] (the default) leaves it off
    for select in (["--extend-select", "MEM100"], ["--extend-select", "MEM1"], ["--select", "MEM001,MEM017,MEM100"]):
        r = memlint_cli("--no-cache", *select, "u.py")
        assert [line.split(": ")[1].split()[0] for line in r.stdout.splitlines()[:4]] == ["MEM100"] * 4, select
    (project / "pyproject.toml").write_text('[tool.memlint]\nextend-select = ["MEM100"]\n')
    assert memlint_cli("--no-cache", "u.py").exit_code == 1


def test_mem100_reports_only_memlint_codes_that_silence_nothing(project):
    (project / "u.py").write_text(UNUSED)
    r = memlint_cli("--no-cache", "--extend-select", "MEM100", "u.py")
    assert r.stdout.splitlines()[:4] == [
        "u.py:3:29: MEM100 [*] unused codes in noqa directive: MEM017",
        "u.py:4:33: MEM100 [*] unused codes in noqa directive: MEM001",
        "u.py:5:8: MEM100 [*] unused noqa directive: MEM017 (nothing to silence)",
        "u.py:6:10: MEM100 [*] unused noqa directive: MEM017 (nothing to silence)",
    ]  # not E501 (another tool's), MEM003 (project-wide), a bare noqa, or a comment that lists MEM100 itself
    # A rule not enabled on the file cannot tell: its code is not judged.
    r = memlint_cli("--no-cache", "--extend-select", "MEM100", "--ignore", "MEM017", "u.py")
    assert "MEM017" not in r.stdout and "MEM001" in r.stdout


def test_mem100_fix_removes_the_unused_codes_and_keeps_the_program(project):
    (project / "u.py").write_text(UNUSED)
    r = memlint_cli("--no-cache", "--extend-select", "MEM100", "--fix", "u.py")
    assert (project / "u.py").read_text() == UNUSED_FIXED
    assert r.exit_code == 0 and r.stdout == "Fixed 4 findings.\n"
    import ast

    assert ast.dump(ast.parse(UNUSED)) == ast.dump(ast.parse(UNUSED_FIXED))  # only comments changed
    # What is still suppressed stays suppressed.
    assert memlint_cli("--no-cache", "u.py").exit_code == 0


def test_add_noqa_then_mem100_round_trip(project):
    """--add-noqa on legacy code, fix the code later, and MEM100 cleans up the comments it left."""
    (project / "big.py").write_text(BIG)
    memlint_cli("--no-cache", "--add-noqa", "big.py")
    assert memlint_cli("--no-cache", "big.py").exit_code == 0
    (project / "big.py").write_text((project / "big.py").read_text().replace("np.full((2000, 1000), 0.0)", "None"))
    memlint_cli("--no-cache", "--extend-select", "MEM100", "--fix", "big.py")
    assert (project / "big.py").read_text() == (
        "import numpy as np\n\na = np.full((1000, 1000), 0.0)  # noqa: MEM017\nb = None\n"
    )
