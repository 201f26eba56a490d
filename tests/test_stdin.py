"""`memlint --stdin-filename PATH -`: the source comes on standard input, as editors and formatters pipe it."""

from __future__ import annotations

import json

from helpers import memlint_cli

FULL = "import numpy as np\n\ngrid = np.full((4096, 4096), 0.0)\n"
FIXED = "import numpy as np\n\ngrid = np.zeros((4096, 4096))\n"


def test_findings_are_named_after_the_stdin_filename(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = memlint_cli("--stdin-filename", "src/grid.py", "-", input=FULL)
    assert r.exit_code == 1
    assert r.stdout.startswith("src/grid.py:3:8: MEM017 [*] ")
    r = memlint_cli("check", "--stdin-filename", "src/grid.py", "--output-format", "json", "-", input=FULL)
    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)] == [("src/grid.py", "MEM017")]
    assert memlint_cli("--stdin-filename", "src/grid.py", "-", input=FIXED).exit_code == 0


def test_fix_writes_the_fixed_source_to_stdout_and_findings_to_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    left = "import numpy as np\n\n\ndef f(x):\n    x = np.append(x, 1.0)\n    return x\n"
    source = FULL + left
    r = memlint_cli("--stdin-filename", "grid.py", "--fix", "-", input=source)
    assert r.stdout == FIXED + left
    assert r.exit_code == 0  # np.append outside a loop is no finding: nothing is left
    assert not (tmp_path / "grid.py").exists()  # nothing is written to disk
    # Nothing to fix: the source comes back unchanged, findings that are left go to stderr, exit 1.
    loop = "import numpy as np\n\n\ndef f(x, n):\n    for i in range(n):\n        x = np.append(x, i)\n    return x\n"
    r = memlint_cli("--stdin-filename", "loop.py", "--fix", "-", input=loop)
    assert r.stdout == loop and r.exit_code == 1
    assert "loop.py:6:13: MEM006" in r.stderr


def test_diff_and_configuration_of_the_named_file(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[tool.memlint]\nignore = ["MEM017"]\n')
    monkeypatch.chdir(tmp_path)
    r = memlint_cli("--stdin-filename", "grid.py", "--diff", "-", input=FULL)
    assert r.exit_code == 1 and "+grid = np.zeros((4096, 4096))" in r.stdout
    # The configuration is the one that governs the named file's folder.
    assert memlint_cli("--stdin-filename", "pkg/grid.py", "-", input=FULL).exit_code == 0


def test_notebook_on_stdin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": FULL.splitlines(True)}
    nb = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    r = memlint_cli("--stdin-filename", "a.ipynb", "-", input=nb)
    assert r.exit_code == 1 and "a.ipynb:cell 1:3:8: MEM017" in r.stdout
    r = memlint_cli("--stdin-filename", "a.ipynb", "--fix", "-", input=nb)
    assert json.loads(r.stdout)["cells"][0]["source"] == FIXED.splitlines(True)
    assert r.stdout == nb.replace("np.full((4096, 4096), 0.0)", "np.zeros((4096, 4096))")


def test_bad_input_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = memlint_cli("--stdin-filename", "x.py", "-", input=b"\xff\xfe not utf-8\n")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "x.py" in r.stderr
    r = memlint_cli("--stdin-filename", "x.py", "other.py", input=FULL)
    assert r.exit_code == 2 and "-" in r.stderr
