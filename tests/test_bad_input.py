"""Bad input never gives a traceback: each problem is one line naming the file, and the run goes on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO, memlint_cli

GOOD = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n"  # one MEM017 finding


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def errors_of(r) -> list:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = r.stderr.splitlines()
    assert all(line.startswith("memlint: ") for line in lines), lines  # one line per problem
    return lines


def reported(r) -> list:
    return [(f["path"], f["code"]) for f in json.loads(r.stdout)]


def test_syntax_error_is_a_finding_and_other_files_are_still_checked(here):
    (here / "broken.py").write_text("import numpy as np\n\ndef f(:\n    pass\n")
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 1
    assert errors_of(r) == []
    assert reported(r) == [("broken.py", "MEM000"), ("good.py", "MEM017")]
    (syntax,) = [f for f in json.loads(r.stdout) if f["code"] == "MEM000"]
    assert (syntax["line"], syntax["column"]) == (3, 7)
    assert syntax["message"].startswith("SyntaxError: ")
    text = memlint_cli(".").stdout
    assert "broken.py:3:7: MEM000 SyntaxError: " in text


@pytest.mark.parametrize(
    "source",
    [
        "x = (\n",  # unclosed at the end of the file
        "def f():\nreturn 1\n",  # indentation
        "if True:\n\tx = 1\n        y = 2\n",  # tabs and spaces
        "print 'python 2'\n",
        "x = 'unterminated\n",
        "f(**)\n",
    ],
)
def test_every_kind_of_syntax_error_is_one_finding(here, source):
    (here / "broken.py").write_text(source)
    r = memlint_cli("--output-format", "json", "broken.py")
    assert r.exit_code == 1 and errors_of(r) == []
    (finding,) = json.loads(r.stdout)
    assert finding["code"] == "MEM000" and finding["line"] >= 1 and finding["column"] >= 1


def test_binary_py_file(here):
    (here / "blob.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00binary")
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: blob.py: not a Python source file (it contains NUL bytes)"]
    assert reported(r) == [("good.py", "MEM017")]  # the rest is still checked and reported


def test_undecodable_file_names_the_line(here):
    (here / "latin.py").write_bytes(b"x = 1\ny = 'caf\xe9'\n")  # latin-1 bytes without a coding cookie
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 2
    (line,) = errors_of(r)
    assert line.startswith("memlint: error: latin.py:2: cannot decode as utf-8")
    assert reported(r) == [("good.py", "MEM017")]


def test_unknown_coding_cookie(here):
    (here / "odd.py").write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    r = memlint_cli("odd.py")
    assert r.exit_code == 2
    (line,) = errors_of(r)
    assert line.startswith("memlint: error: odd.py: cannot decode") and "klingon" in line


def test_empty_file_is_clean(here):
    (here / "empty.py").write_text("")
    (here / "blank.py").write_text("\n\n   \n")
    r = memlint_cli("empty.py", "blank.py")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "All checks passed!\n", "")


def test_unreadable_file(here, monkeypatch):
    (here / "secret.py").write_text(GOOD)
    real = type(here).read_bytes

    def read_bytes(self):
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(type(here), "read_bytes", read_bytes)
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: secret.py: cannot read: Permission denied"]
    assert reported(r) == [("good.py", "MEM017")]


def _without_read_override() -> list:
    """A command prefix under which a chmod 0 file is really unreadable: none for a user; for root (Docker,
    CI) setpriv drops the capabilities that let root read everything."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root reads every file, and setpriv is not here to drop that power")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.slow
def test_an_unreadable_file_named_on_the_command_line_is_one_line_and_the_rest_is_checked(here):
    """Like a missing file: one line, exit 2, the other files checked (was: click's 3-line usage error)."""
    (here / "secret.py").write_text(GOOD)
    (here / "secret.py").chmod(0)
    r = subprocess.run(
        [*_without_read_override(), sys.executable, "-m", "memlint", "--no-cache", "--output-format", "json"]
        + ["secret.py", "good.py"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["memlint: error: secret.py: cannot read: Permission denied"]
    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)] == [("good.py", "MEM017")]


def test_unreadable_folder(here, monkeypatch):
    (here / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: locked: cannot read directory: Permission denied"]
    assert reported(r) == [("good.py", "MEM017")]


def test_missing_path_is_named_and_exits_2_after_checking_the_rest(here):
    r = memlint_cli("good.py", "no_such_dir", "gone.py")
    assert r.exit_code == 2
    assert errors_of(r) == [
        "memlint: error: no_such_dir: no such file or directory",
        "memlint: error: gone.py: no such file or directory",
    ]
    assert "good.py:2:8: MEM017" in r.stdout
    r = memlint_cli("gone.py")
    assert r.exit_code == 2
    assert "All checks passed" not in r.stdout  # a run that could not check is never reported clean


def test_symbolic_link_loops(here):
    (here / "pkg").mkdir()
    (here / "pkg" / "self.py").symlink_to("self.py")  # a file link to itself
    (here / "pkg" / "a.py").symlink_to("b.py")
    (here / "pkg" / "b.py").symlink_to("a.py")
    (here / "pkg" / "up").symlink_to("..")  # a folder link back up: never followed
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 2
    assert sorted(errors_of(r)) == [
        f"memlint: error: pkg/{n}.py: cannot read: symbolic link loop" for n in ("a", "b", "self")
    ]
    assert reported(r) == [("good.py", "MEM017")]
    r = memlint_cli("pkg/self.py")
    assert (r.exit_code, errors_of(r)) == (2, ["memlint: error: pkg/self.py: symbolic link loop"])


def test_a_broken_link_in_a_folder_is_passed_over_and_a_named_one_is_an_error(here):
    (here / "dangling.py").symlink_to("nowhere.py")
    r = memlint_cli(".")  # met while walking: nothing to check there, quietly (as ruff does)
    assert (r.exit_code, errors_of(r)) == (1, [])
    assert "good.py:2:8: MEM017" in r.stdout
    r = memlint_cli("dangling.py", "good.py")  # named: the user expects it checked
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: dangling.py: no such file or directory"]
    assert "good.py:2:8: MEM017" in r.stdout


def test_folder_without_python_files(here):
    (here / "docs").mkdir()
    (here / "docs" / "index.md").write_text("# docs\n")
    r = memlint_cli("docs")
    assert r.exit_code == 0
    assert errors_of(r) == ["memlint: warning: no Python files found under docs"]
    assert memlint_cli("--quiet", "docs").stderr == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_a_named_pipe_is_not_read(here):
    os.mkfifo(here / "pipe.py")
    r = memlint_cli("pipe.py")
    assert (r.exit_code, errors_of(r)) == (2, ["memlint: error: pipe.py: not a file or directory"])
    r = memlint_cli("--output-format", "json", ".")  # found in a folder: passed over quietly, never opened
    assert r.exit_code == 1 and errors_of(r) == []
    assert reported(r) == [("good.py", "MEM017")]


def test_a_crash_in_one_rule_is_reported_with_file_and_rule_and_the_run_goes_on(here, monkeypatch):
    from memlint.checks import all_rules

    (here / "other.py").write_text(GOOD)
    rule = all_rules()["MEM017"]
    real_check = rule.check

    def check(ctx):
        if ctx.path == "good.py":
            raise KeyError("boom")
        return real_check(ctx)

    monkeypatch.setattr(rule, "check", check)
    r = memlint_cli("--output-format", "json", "--jobs", "1", "--no-cache", ".")
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: good.py: internal error in MEM017: KeyError: 'boom'"]
    assert reported(r) == [("other.py", "MEM017")]


def test_an_internal_error_outside_the_rules_is_one_line(here, monkeypatch):
    from memlint import engine

    def broken_run(*a, **k):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(engine, "run", broken_run)
    r = memlint_cli(".")
    assert r.exit_code == 2
    assert errors_of(r) == ["memlint: error: internal error: RuntimeError: unexpected (please report it)"]


def test_a_2000_term_expression_skips_that_statement_with_one_warning(here):
    """Python runs it (generated code does such things): memlint checks the rest of the file, warns once per
    statement it cannot check, and the exit code is the findings' (was: exit 2, MEM003 and MEM004 skipped)."""
    terms = " + ".join(["a * 2"] * 2000)
    source = (
        "import numpy as np\n\n\ndef f():\n    a = np.full((1000, 1000), 0.0)\n"
        f"    x = {terms}\n    y = np.full((1000, 1000), 0.0)\n    return x, y\n\n\n"
        f"class A:\n    def __init__(self):\n        self.x = {terms.replace('a', '1')}\n"
    )
    compile(source, "generated.py", "exec")  # Python takes it
    (here / "generated.py").write_text(source)
    warnings = [
        f"memlint: warning: generated.py:{line}: an expression nested more than 100 levels deep: "
        "this statement is not checked"
        for line in (6, 13)
    ]
    for cached in ("--no-cache", "--jobs=1", "--jobs=1"):  # fresh, then stored, then read from the cache
        r = memlint_cli(cached, "--output-format", "json", "generated.py")
        assert (r.exit_code, errors_of(r)) == (1, warnings)
        assert [(f["line"], f["code"]) for f in json.loads(r.stdout)] == [(5, "MEM017"), (7, "MEM017")]
    assert memlint_cli("--quiet", "generated.py").stderr == ""
    memlint_cli("--no-cache", "--fix", "generated.py")
    assert (here / "generated.py").read_text() == source.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))")


def test_very_deep_expressions(here):
    (here / "deep.py").write_text("x = " + " + ".join(["a"] * 30000) + "\n")
    (here / "nested.py").write_text("x = " + "(" * 300 + "1" + ")" * 300 + "\n")
    r = memlint_cli("--output-format", "json", "--no-cache", ".")
    errors_of(r)  # whatever happens, no traceback
    assert ("good.py", "MEM017") in reported(r)


@pytest.mark.slow
def test_python_dash_m_on_bad_input_has_no_traceback(here):
    import subprocess

    (here / "blob.py").write_bytes(b"\x00\x00")
    (here / "broken.py").write_text("def f(:\n")
    r = subprocess.run([sys.executable, "-m", "memlint", ".", "missing"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [
        "memlint: error: missing: no such file or directory",
        "memlint: error: blob.py: not a Python source file (it contains NUL bytes)",
    ]
