"""What people act on: GitHub annotations in the order of bytes at stake, the step summary, SARIF for code
scanning (unique fingerprints, descriptions that fit, notifications), the full format, and colours."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from helpers import REPO, memlint_cli, validate_sarif

from memlint import catalog
from memlint.report.machine import MAX_FULL_DESCRIPTION

# In file order: small, large, unknown, medium (781.2 KiB, 76.3 MiB, unknown, 7.6 MiB).
SIZES = """\
import numpy as np

small = np.full((1000, 100), 0.0)
large = np.full((10000, 1000), 0.0)
unknown = np.full(shape, 0.0)
medium = np.full((1000, 1000), 0.0)
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "sizes.py").write_text(SIZES)
    (tmp_path / "src" / "broken.py").write_text("def f(:\n    pass\n")
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKSPACE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_github_annotations_come_in_the_order_of_bytes_at_stake(project):
    r = memlint_cli("--no-cache", "--output-format", "github", "src")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    # GitHub shows only the first 10 warnings of a step: the biggest savings come first, unknown sizes last.
    assert [line.split(",", 2)[1] for line in lines] == ["line=1", "line=4", "line=6", "line=3", "line=5"]
    assert lines[0].startswith("::error file=src/broken.py,")
    assert "76.3 MiB" in lines[1] and "7.6 MiB" in lines[2] and "781.2 KiB" in lines[3]


def test_step_summary_written_when_github_gives_the_file(project, monkeypatch):
    summary = project / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/proj")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project))
    r = memlint_cli("--no-cache", "--output-format", "github", "src")
    assert r.exit_code == 1 and r.stdout.startswith("::error ")
    md = summary.read_text()
    assert md.startswith("# earlier step\n## memlint\n")  # appended: other steps' summaries stay
    assert "**5 findings** in 2 files, **at least 84.7 MiB at stake**" in md
    assert "| MEM017 full-zeros | 4 | 4 | at least 84.7 MiB |" in md
    assert "| MEM000 syntax-error | 1 | 0 | unknown |" in md
    rows = [line for line in md.splitlines() if "](https://github.com/octo/proj/blob/0123abc/" in line]
    assert rows[1] == (
        "| 76.3 MiB | [src/sizes.py:4](https://github.com/octo/proj/blob/0123abc/src/sizes.py#L4) | MEM017 np.full "
        "with a zero fill writes its 76.3 MiB into memory at once; np.zeros gives the same float64 array and the OS "
        "maps its pages only when they are written |"
    )
    assert [row.split("#L")[1].split(")")[0] for row in rows] == ["1", "4", "6", "3", "5"]


def test_step_summary_counts_what_is_left_and_names_errors(project, monkeypatch):
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (project / "src" / "bin.py").write_bytes(b"\x00binary")
    r = memlint_cli("--no-cache", "--output-format", "github", "--select", "MEM017", "src/bin.py", "src/sizes.py")
    assert r.exit_code == 2
    md = summary.read_text()
    assert "`src/sizes.py:4`" in md  # no repository known: no link, the place still named
    assert "### Errors\n\n- src/bin.py: not a Python source file" in md


def test_no_step_summary_for_other_formats_or_without_the_variable(project, monkeypatch):
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    memlint_cli("--no-cache", "--output-format", "sarif", "src")
    assert not summary.exists()  # the SARIF step of the same job would report everything twice
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    memlint_cli("--no-cache", "--output-format", "github", "src")
    assert not summary.exists()


def test_step_summary_of_a_clean_run(project, monkeypatch):
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    r = memlint_cli("--no-cache", "--output-format", "github", "--ignore", "MEM017", "src/sizes.py")
    assert (r.exit_code, r.stdout) == (0, "")
    assert summary.read_text() == "## memlint\n\nNo findings.\n\n"


# --- SARIF -----------------------------------------------------------------------------------------------


def sarif_log(*args) -> dict:
    r = memlint_cli("--no-cache", "--output-format", "sarif", *args)
    log = json.loads(r.stdout)
    validate_sarif(log)
    return log


def test_sarif_line_hashes_are_unique_even_for_identical_findings(project):
    (project / "src" / "twice.py").write_text(
        "import numpy as np\na = np.full((1000, 1000), 0.0)\n\na = np.full((1000, 1000), 0.0)\n"
    )
    (run,) = sarif_log("src")["runs"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(hashes) == len(set(hashes)) == 7
    twice = [
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("twice.py")
    ]
    first, second = (r["partialFingerprints"]["primaryLocationLineHash"] for r in twice)
    assert first.endswith(":1") and second.endswith(":2") and first[:-2] == second[:-2]
    # Stable: edits elsewhere in the file (here a new first line) keep each result's hash.
    (project / "src" / "twice.py").write_text("# moved\n" + (project / "src" / "twice.py").read_text())
    (run2,) = sarif_log("src")["runs"]
    assert sorted(r["partialFingerprints"]["primaryLocationLineHash"] for r in run2["results"]) == sorted(hashes)


def test_sarif_rule_descriptors_fit_code_scanning(project, monkeypatch):
    # Every rule of the catalog, in one log: MEM003's "why" alone is longer than GitHub's 1,024 characters.
    from memlint.findings import Finding
    from memlint.report import render

    findings = [Finding(code, "m", "src/sizes.py", 1, 1, 1, 2, snippet=code) for code in catalog.load()]
    log = json.loads(render("sarif", findings))
    validate_sarif(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(catalog.load())
    assert len(" ".join(catalog.load()["MEM003"].why.split())) > MAX_FULL_DESCRIPTION
    for rule in rules:
        text = rule["fullDescription"]["text"]
        assert 0 < len(text) <= MAX_FULL_DESCRIPTION, rule["id"]
        assert text.endswith((".", "...", ")", "`")), (rule["id"], text[-40:])  # cut at a sentence, not mid-word
        props = rule["properties"]
        assert props["tags"] and props["precision"] in ("very-high", "high", "medium", "low")
        assert props["problem.severity"] in ("error", "warning", "recommendation")
    by_id = {r["id"]: r for r in rules}
    assert by_id["MEM000"]["properties"]["problem.severity"] == "error"
    assert by_id["MEM017"]["properties"]["tags"] == ["memory", "performance"]
    assert by_id["MEM017"]["defaultConfiguration"] == {"level": "warning"}


def test_sarif_names_unreadable_files_and_syntax_errors_in_notifications(project):
    (project / "src" / "bin.py").write_bytes(b"\x00binary")
    r = memlint_cli("--no-cache", "--output-format", "sarif", "src")
    assert r.exit_code == 2
    log = json.loads(r.stdout)
    validate_sarif(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in notes}
    assert set(by_uri) == {"src/bin.py", "src/broken.py"}
    assert by_uri["src/bin.py"]["message"]["text"].startswith("src/bin.py: not a Python source file")
    assert by_uri["src/broken.py"]["descriptor"] == {"id": "MEM000"}
    assert all(n["level"] == "error" for n in notes)
    # A syntax error is still a result too (code scanning shows it as an alert).
    assert [r["ruleId"] for r in log["runs"][0]["results"]].count("MEM000") == 1


def test_sarif_of_a_clean_run_succeeds_without_notifications(project):
    (run,) = sarif_log("--ignore", "MEM017", "src/sizes.py")["runs"]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


# --- the terminal: full and concise --------------------------------------------------------------------


def test_full_format_shows_source_caret_and_fix_diff(project):
    (project / "src" / "tabs.py").write_text("import numpy as np\nif True:\n\tgrid = np.full((1000, 1000), 0.0)\n")
    r = memlint_cli("--no-cache", "--output-format", "full", "src/tabs.py")
    assert r.exit_code == 1
    assert r.stdout == (
        "src/tabs.py:3:9: MEM017 [*] np.full with a zero fill writes its 7.6 MiB into memory at once; np.zeros gives"
        " the same float64 array and the OS maps its pages only when they are written\n"
        "  |\n"
        "3 | \tgrid = np.full((1000, 1000), 0.0)\n"
        "  | \t       ^^^^^^^^^^^^^^^^^^^^^^^^^^ MEM017\n"  # the tab is copied: the caret lines up in any editor
        "  |\n"
        "  = help: Replace with np.zeros\n"
        "\n"
        "Safe fix\n"
        "3 - \tgrid = np.full((1000, 1000), 0.0)\n"
        "3 + \tgrid = np.zeros((1000, 1000))\n"
        "\n"
        "Found 1 finding.\n"
        "[*] 1 fixable with `--fix`.\n"
    )


def test_full_format_multi_line_span_and_syntax_error(project):
    (project / "src" / "multi.py").write_text("import numpy as np\n\ngrid = np.full(\n    (1000, 1000),\n    0.0,\n)\n")
    out = memlint_cli("--no-cache", "--output-format", "full", "src/multi.py", "src/broken.py").stdout
    # Every line of the span, the caret from the column to the end of the first line.
    assert "3 | grid = np.full(\n  |        ^^^^^^^^ MEM017\n4 |     (1000, 1000),\n5 |     0.0,\n6 | )\n  |\n" in out
    # The diff shows the changed lines only, numbered.
    assert "Safe fix\n3 - grid = np.full(\n3 + grid = np.zeros(\n5 -     0.0,\n\n" in out
    # A syntax error: the line and a caret at the column, no help, no fix.
    assert "1 | def f(:\n  |       ^ MEM000\n  |\n\n" in out


def test_full_format_the_fix_as_shown_is_the_fix_applied(project):
    (project / "src" / "one.py").write_text("import numpy as np\n\ngrid = np.full((1000, 1000), 0.0)\n")
    out = memlint_cli("--no-cache", "--output-format", "full", "src/one.py").stdout
    added = [line.split(" + ", 1)[1] for line in out.splitlines() if line.startswith("3 + ")]
    memlint_cli("--no-cache", "--fix", "src/one.py")
    assert (project / "src" / "one.py").read_text().splitlines()[2:] == added


def test_full_format_labels_an_unsafe_fix():
    from memlint.findings import UNSAFE, Edit, Finding, Fix
    from memlint.report import render

    fix = Fix(UNSAFE, "Add __slots__", (Edit(2, 1, 2, 1, "    __slots__ = ()\n"),))
    f = Finding("MEM003", "m", "t.py", 1, 1, 1, 8, fix=fix)
    out = render("full", [f], source=lambda path: "class P:\n    pass\n")
    assert "\nUnsafe fix (applied with `--fix --unsafe-fixes`)\n2 +     __slots__ = ()\n" in out
    assert "[*]" not in out  # not fixable without --unsafe-fixes
    assert "  = help: Add __slots__\n" in out


def test_concise_is_the_default_and_text_its_alias(project):
    default = memlint_cli("--no-cache", "src").stdout
    assert default == memlint_cli("--no-cache", "--output-format", "concise", "src").stdout
    assert default == memlint_cli("--no-cache", "--output-format", "text", "src").stdout
    assert default.splitlines()[0] == "src/broken.py:1:7: MEM000 SyntaxError: invalid syntax"


def test_output_format_from_the_configuration(project):
    (project / "pyproject.toml").write_text('[tool.memlint]\noutput-format = "full"\n')
    out = memlint_cli("--no-cache", "src/sizes.py").stdout
    assert "3 | small = np.full((1000, 100), 0.0)\n  |         ^^^^^^^^^^^^^^^^^^^^^^^^^ MEM017\n" in out
    assert memlint_cli("--no-cache", "--output-format", "concise", "src/sizes.py").stdout.count("\n  |") == 0


# --- colours --------------------------------------------------------------------------------------------


def _memlint(project, env_changes: dict, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(env_changes)
    env["PYTHONPATH"] = str(REPO / "src")
    return subprocess.run(
        [sys.executable, "-m", "memlint", "--no-cache", *args], cwd=project, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "env, coloured",
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"FORCE_COLOR": ""}, False),
    ],
)
def test_colour_on_a_pipe_only_when_forced_and_no_color_wins(project, env, coloured):
    r = _memlint(project, env, "src/sizes.py")
    assert r.returncode == 1
    assert ("\x1b[" in r.stdout) is coloured
    assert "\x1b[" not in _memlint(project, env, "--output-format", "json", "src/sizes.py").stdout  # never in data


def _on_terminal(project, env_changes: dict, *args, stdout_too: bool = True) -> tuple[str, str]:
    """Run memlint with stderr (and stdout, unless told) on a real terminal (a pty): (stdout, terminal)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS")}
    env.update(env_changes, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "memlint", "--no-cache", *args],
        cwd=project,
        env=env,
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode() if proc.stdout else ""
    proc.wait()
    os.close(master)
    return out, b"".join(chunks).decode()


@pytest.mark.slow
def test_no_color_on_a_terminal(project):
    """On a real terminal colour is on, and NO_COLOR turns it off."""
    assert "\x1b[" in _on_terminal(project, {}, "src/sizes.py")[1]
    assert "\x1b[" not in _on_terminal(project, {"NO_COLOR": "1"}, "src/sizes.py")[1]


@pytest.fixture
def many_files(project):
    (project / "many").mkdir()
    for i in range(60):
        (project / "many" / f"m{i}.py").write_text(f"x = {i}\n")
    return project


@pytest.mark.slow
def test_progress_on_a_terminal_for_long_runs(many_files):
    stdout, terminal = _on_terminal(many_files, {}, "many", stdout_too=False)
    assert stdout == "All checks passed!\n"  # the report is untouched
    assert "\rmemlint: 60/60 files checked\r\x1b[K" in terminal  # the last count, then the line is cleared
    counts = [int(n) for n in re.findall(r"memlint: (\d+)/60 files checked", terminal)]
    assert counts == sorted(counts) and counts[-1] == 60


@pytest.mark.slow
def test_no_progress_on_a_pipe_in_ci_or_for_few_files(many_files):
    assert "files checked" not in _on_terminal(many_files, {"CI": "true"}, "many")[1]
    assert "files checked" not in _on_terminal(many_files, {}, "many/m1.py", "many/m2.py")[1]
    assert "files checked" not in _on_terminal(many_files, {}, "-q", "many")[1]
    r = _memlint(many_files, {}, "many")
    assert r.returncode == 0 and r.stderr == ""
