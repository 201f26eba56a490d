"""The command line as a user runs it: every option, end to end through `memlint` (click's CliRunner)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, memlint_cli, register_rule

from memlint import catalog
from memlint.checks import Rule
from memlint.findings import UNSAFE

SIM = """\
import numpy as np


def simulate(steps):
    grid = np.full((2000, 2000), 0.0)  # every page written at once
    for step in range(steps):
        grid[step % 2000, :] += 1.0
    return grid.sum()
"""
FIXED_SIM = SIM.replace("np.full((2000, 2000), 0.0)", "np.zeros((2000, 2000))")
CLEAN = "import numpy as np\n\n\ndef small():\n    return np.full((10, 10), 0.0)\n"


class FullOnes(Rule):
    """Test-only rule with an UNSAFE fix: np.full(shape, 1.0) -> np.ones(shape)."""

    code = "MEM990"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Call)
                and ctx.qualname(node.func) == "numpy.full"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == 1.0
            ):
                fix = ctx.rewrite(node, _to_ones, UNSAFE, "Replace with np.ones")
                ctx.report(node, "np.full(shape, 1.0) is np.ones(shape)", fix=fix)


def _to_ones(call):
    import libcst as cst

    return call.with_changes(
        func=call.func.with_changes(attr=cst.Name("ones")),
        args=[call.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)],
    )


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A small project: src/sim.py has one MEM017 finding (32 MB), src/clean.py has none."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "sim.py").write_text(SIM)
    (tmp_path / "src" / "clean.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_report_lines_summary_and_exit_1(project):
    r = memlint_cli("src")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("src/sim.py:5:12: MEM017 [*] np.full with a zero fill writes its 30.5 MiB")
    assert lines[1:] == ["", "Found 1 finding.", "[*] 1 fixable with `--fix`."]
    assert "\x1b[" not in r.stdout  # no colour when stdout is not a terminal
    assert r.stderr == ""


def test_default_path_is_the_current_folder(project):
    assert memlint_cli().stdout == memlint_cli(".").stdout
    assert "src/sim.py:5:12: MEM017" in memlint_cli().stdout


def test_clean_project_exits_0(project):
    r = memlint_cli("src/clean.py")
    assert (r.exit_code, r.stdout) == (0, "All checks passed!\n")


def test_fix_writes_the_fix_and_exits_0_when_all_fixed(project):
    r = memlint_cli("--fix", "src")
    assert r.exit_code == 0, r.output
    assert (project / "src" / "sim.py").read_text() == FIXED_SIM
    assert "Fixed 1 finding." in r.stdout
    assert memlint_cli("src").exit_code == 0


def test_diff_prints_the_patch_and_writes_nothing(project):
    sim = project / "src" / "sim.py"
    before = sim.read_bytes(), sim.stat().st_mtime_ns
    r = memlint_cli("--diff", "src")
    assert r.exit_code == 1
    assert (sim.read_bytes(), sim.stat().st_mtime_ns) == before
    assert sorted(os.listdir(project / "src")) == ["clean.py", "sim.py"]  # no temporary files
    assert r.stdout.startswith("--- a/src/sim.py\n+++ b/src/sim.py\n@@ ")
    assert "-    grid = np.full((2000, 2000), 0.0)  # every page written at once\n" in r.stdout
    assert "+    grid = np.zeros((2000, 2000))  # every page written at once\n" in r.stdout
    assert "Would fix 1 finding." in r.stderr
    # The diff is a real patch: applying it gives what --fix writes.
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply", "-"], input=r.stdout, text=True, cwd=project, check=True)
    assert sim.read_text() == FIXED_SIM


def test_diff_with_fix_still_writes_nothing(project):
    before = (project / "src" / "sim.py").read_bytes()
    assert memlint_cli("--fix", "--diff", "src").exit_code == 1
    assert (project / "src" / "sim.py").read_bytes() == before


def test_diff_with_nothing_to_fix_exits_0(project):
    r = memlint_cli("--diff", "src/clean.py")
    assert (r.exit_code, r.stdout) == (0, "")


def test_unsafe_fixes_shown_as_available_then_applied_only_with_both_flags(project, monkeypatch):
    register_rule(monkeypatch, FullOnes())
    ones = project / "src" / "ones.py"
    ones.write_text("import numpy as np\nw = np.full((3, 3), 1.0)\n")
    plain = memlint_cli("src/ones.py")
    assert "MEM990 np.full" in plain.stdout  # no [*]: --fix alone would not apply it
    assert "1 fix available with `--fix --unsafe-fixes`." in plain.stdout
    both = memlint_cli("src")  # with sim.py's safe fix: "more"
    assert "[*] 1 fixable with `--fix`.\n1 more fix available with `--fix --unsafe-fixes`." in both.stdout
    assert memlint_cli("--fix", "src/ones.py").exit_code == 1
    assert "np.full" in ones.read_text()
    shown = memlint_cli("--unsafe-fixes", "src/ones.py")
    assert "MEM990 [*] np.full" in shown.stdout and "[*] 1 fixable with `--fix --unsafe-fixes`." in shown.stdout
    assert "np.full" in ones.read_text()  # shown, not applied
    assert memlint_cli("--diff", "--unsafe-fixes", "src/ones.py").stdout.count("+w = np.ones((3, 3))") == 1
    r = memlint_cli("--fix", "--unsafe-fixes", "src/ones.py")
    assert r.exit_code == 0
    assert ones.read_text() == "import numpy as np\nw = np.ones((3, 3))\n"


def test_select_extend_select_ignore_with_codes_and_prefixes(project, monkeypatch):
    register_rule(monkeypatch, FullOnes())
    (project / "src" / "ones.py").write_text("import numpy as np\nw = np.full((3, 3), 1.0)\n")

    def found(*args):
        return sorted({f["code"] for f in json.loads(memlint_cli("--output-format", "json", *args, "src").stdout)})

    assert found() == ["MEM017", "MEM990"]
    assert found("--select", "MEM017") == ["MEM017"]
    assert found("--select", "MEM01") == ["MEM017"]
    assert found("--select", "MEM9") == ["MEM990"]
    assert found("--select", "MEM017", "--extend-select", "MEM99") == ["MEM017", "MEM990"]
    assert found("--ignore", "MEM0") == ["MEM990"]
    assert found("--ignore", "MEM017,MEM990") == []
    assert found("--select", "mem017, MEM990") == ["MEM017", "MEM990"]  # case and spaces forgiven
    assert found("--select", "MEM0", "--ignore", "MEM017") == []


def test_unknown_rule_code_is_a_usage_error(project):
    r = memlint_cli("--select", "MEM9999", "src")
    assert r.exit_code == 2
    assert "MEM9999" in r.stderr


def test_exit_zero_quiet_and_statistics(project):
    assert memlint_cli("--exit-zero", "src").exit_code == 0
    q = memlint_cli("--quiet", "src")
    assert q.exit_code == 1
    assert q.stdout.splitlines() == [memlint_cli("src").stdout.splitlines()[0]]
    s = memlint_cli("--statistics", "src")
    assert s.exit_code == 1
    assert s.stdout.split() == ["1", "MEM017", "[*]", "full-zeros", "30.5", "MiB", "at", "stake"]
    rows = json.loads(memlint_cli("--statistics", "--output-format", "json", "src").stdout)
    assert rows == [
        {"code": "MEM017", "name": "full-zeros", "count": 1, "fixable": 1, "estimated_bytes": 32_000_000, "sized": 1}
    ]


def test_statistics_adds_bytes_per_rule(project):
    (project / "src" / "more.py").write_text(
        "import numpy as np\na = np.full((1000, 1000), 0.0)\nb = np.full(n, 0.0)\n"
    )
    (row,) = json.loads(memlint_cli("--statistics", "--output-format", "json", "src").stdout)
    assert row["count"] == 3 and row["sized"] == 2 and row["estimated_bytes"] == 32_000_000 + 8_000_000
    assert "at least 38.1 MiB at stake" in memlint_cli("--statistics", "src").stdout  # one size unknown


def test_config_option_uses_that_file(project):
    (project / "strict.toml").write_text('ignore = ["MEM017"]\n')
    assert memlint_cli("--config", "strict.toml", "src").exit_code == 0
    (project / "other.toml").write_text('[tool.memlint]\nignore = ["MEM017"]\n')  # pyproject layout also read
    assert memlint_cli("--config", "other.toml", "src").exit_code == 0
    r = memlint_cli("--config", "missing.toml", "src")
    assert r.exit_code == 2 and "missing.toml" in r.stderr


def test_no_cache_and_jobs_give_the_same_report(project):
    expected = memlint_cli("src").stdout
    assert memlint_cli("--no-cache", "src").stdout == expected
    assert memlint_cli("--jobs", "2", "src").stdout == expected
    assert memlint_cli("-j", "1", "--no-cache", "src").stdout == expected
    r = memlint_cli("--jobs", "0", "src")
    assert r.exit_code == 2 and "--jobs" in r.stderr


def test_explain_and_list_rules():
    r = memlint_cli("--explain", "mem017")
    assert r.exit_code == 0
    assert r.stdout == catalog.load()["MEM017"].explain()
    assert "## Why is this bad?" in r.stdout and "which it maps lazily" in r.stdout
    bad = memlint_cli("--explain", "MEM999")
    assert bad.exit_code == 2 and "MEM999" in bad.stderr
    listed = memlint_cli("--list-rules")
    assert listed.exit_code == 0
    for code, doc in catalog.load().items():
        assert any(line.startswith(code) and doc.name in line for line in listed.stdout.splitlines())


def test_version_and_help():
    from memlint import __version__

    assert memlint_cli("--version").stdout.strip().endswith(__version__)
    help_text = memlint_cli("--help").stdout
    for option in (
        "--fix",
        "--unsafe-fixes",
        "--diff",
        "--select",
        "--extend-select",
        "--ignore",
        "--output-format",
        "--statistics",
        "--exit-zero",
        "--quiet",
        "--config",
        "--no-cache",
        "--jobs",
        "--explain",
        "--list-rules",
        "--write-baseline",
        "--baseline",
    ):
        assert option in help_text


@pytest.mark.slow
def test_console_script_and_python_dash_m(project):
    """Both entry points work in a real process, with the documented exit codes."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for command in ([sys.executable, "-m", "memlint"], [str(Path(sys.executable).with_name("memlint"))]):
        if not Path(command[0]).exists():
            continue
        r = subprocess.run(command + ["src"], capture_output=True, text=True, env=env)
        assert r.returncode == 1, r.stderr
        assert r.stdout.startswith("src/sim.py:5:12: MEM017 [*]")
        assert subprocess.run(command + ["src/clean.py"], capture_output=True, env=env).returncode == 0


@pytest.mark.slow
def test_python_dash_m_never_imports_from_the_checked_folder(tmp_path):
    """`python -m memlint` puts the working folder first on sys.path; a project's own click.py, numpy.py or
    libcst.py must still never be imported (and so never run), even when fixing in worker processes."""
    for name in ("click", "numpy", "libcst", "tomli", "tomllib"):
        (tmp_path / f"{name}.py").write_text(f"open('RAN-{name}', 'w').close()\nraise SystemExit('{name}.py ran')\n")
    (tmp_path / "sim.py").write_text(SIM)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    r = subprocess.run(
        [sys.executable, "-m", "memlint", "--no-cache", "--fix", "."],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert sorted(p.name for p in tmp_path.glob("RAN-*")) == []
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert (tmp_path / "sim.py").read_text() == FIXED_SIM


@pytest.mark.slow
def test_a_closed_stdout_ends_the_run_quietly(project):
    """`memlint --list-rules | head -3`: the reader going away is a normal end, never an internal error."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for args in (["--list-rules"], ["--no-cache", "src"], ["--explain", "MEM017"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before memlint writes a byte: every write fails with EPIPE
        with os.fdopen(write, "wb") as stdout:
            r = subprocess.run(
                [sys.executable, "-m", "memlint", *args], stdout=stdout, stderr=subprocess.PIPE, text=True, env=env
            )
        assert r.stderr == "", (args, r.stderr)
        assert r.returncode in (0, 1), (args, r.returncode)
