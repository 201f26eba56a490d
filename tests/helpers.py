"""Shared test tools: lint a snippet, fix it, and run code before and after a fix.

A fix is tested the way a user relies on it: the program prints the same thing before and after, and (where
memory is the point) the fixed program's tracemalloc peak is lower. Programs run in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from memlint.checks import rule_options
from memlint.config import Config, _with_rule_defaults
from memlint.engine import lint_text, run
from memlint.filters import FindingFilter
from memlint.fix import fix_text


def config(**settings) -> Config:
    """A configuration as [tool.memlint] would give, with rule option defaults filled in."""
    rules = settings.pop("rules", {})
    c = Config(**settings)
    c.rules = rules
    return _with_rule_defaults(c, rule_options())


def lint(code: str, select=("MEM",), **settings) -> list:
    c = config(select=list(select), **settings)
    return _shown("t.py", textwrap.dedent(code), c)


def codes(code: str, **kw) -> list:
    return [f.code for f in lint(code, **kw)]


def fix(code: str, unsafe: bool = False, select=("MEM",), **settings) -> str:
    """The text `memlint --fix` (with `--unsafe-fixes` if unsafe) would write."""
    c = config(select=list(select), **settings)
    code = textwrap.dedent(code)
    first = _shown("t.py", code, c)
    new, _, errors = fix_text("t.py", code, c, unsafe, first)
    assert not errors, errors
    return new


def _shown(display: str, code: str, c: Config) -> list:
    """The findings a user sees: after selection and suppression comments."""
    result = lint_text(display, code, c, _rules(c))
    return FindingFilter(c).apply(result.findings, {display: result.suppressions})


def _rules(c):
    from memlint.checks import enabled_rules

    return enabled_rules(c)


_RUNNER = r"""
import io, json, sys, tracemalloc, contextlib
src = sys.stdin.read()
out = io.StringIO()
tracemalloc.start()
with contextlib.redirect_stdout(out):
    exec(compile(src, "program.py", "exec"), {"__name__": "__main__"})
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"output": out.getvalue(), "peak": peak}))
"""


def run_program(code: str) -> tuple[str, int]:
    """Run code in a fresh interpreter: (what it printed, tracemalloc peak in bytes)."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER], input=textwrap.dedent(code), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["output"], data["peak"]


def assert_fix_keeps_behaviour(
    code: str, unsafe: bool = False, saves_memory: bool = True, saves_at_least: int = 1
) -> str:
    """Fix `code`; assert the fix changed it, the output is identical, and (if asked) the peak is lower, by
    `saves_at_least` bytes: give the size of what the fix saves where a few bytes' difference could be noise."""
    fixed = fix(code, unsafe=unsafe)
    assert fixed != textwrap.dedent(code), "expected a fix"
    before, peak_before = run_program(code)
    after, peak_after = run_program(fixed)
    assert before == after, f"output changed by the fix:\n{before}\n---\n{after}\n---\n{fixed}"
    if saves_memory:
        assert peak_after <= peak_before - saves_at_least, (peak_before, peak_after, fixed)
    return fixed


def outcome(code: str) -> str:
    """What a program prints, or the last line of its error if it raises."""
    try:
        return run_program(code)[0]
    except AssertionError as e:  # run_program asserts the program ran to its end
        return "raised: " + str(e).strip().splitlines()[-1]


def assert_trap_not_fixed(rule: str, code: str, naive_old: str, naive_new: str) -> None:
    """`rule` leaves the code alone, even with unsafe fixes, and the naive rewrite (`naive_old` replaced by
    `naive_new`) would change what the program prints: the trap is real and memlint does not fall into it."""
    code = textwrap.dedent(code)
    assert fix(code, unsafe=True, select=(rule,)) == code
    naive = code.replace(naive_old, naive_new)
    assert naive != code
    assert outcome(code) != outcome(naive), "the trap is not real: the naive rewrite behaves the same"


REPO = Path(__file__).resolve().parents[1]

# --- projects of several files ----------------------------------------------------------------------------

GEOMETRY = """
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
"""
BULK_USE = """
from geometry import Point
pts = [Point(i, 0.5 * i) for i in range(1_000_000)]
"""  # with GEOMETRY: MEM003 on Point
BIG_FULL = """
import numpy as np
a = np.full((1000, 1000), 0.0)
"""  # MEM017 with a safe fix


def write_project(root: Path, files: dict) -> Path:
    """Write {relative path: code} under root (code dedented, folders made)."""
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    return root


def project_findings(root: Path, select=("MEM003", "MEM004"), **settings) -> list:
    """What `memlint` reports on a folder, through the engine (project-wide rules included), without cache."""
    return run([root], config(select=list(select), **settings), use_cache=False).findings


def as_data(result) -> tuple:
    """An engine result as plain data (findings, errors), to compare two runs."""
    return [f.to_dict() for f in result.findings], result.errors


def cache_entries(root: Path) -> list:
    """The cache's entry files under a project root."""
    return sorted((root / ".memlint_cache").glob("*/*.json"))


def memlint_process(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m memlint ARGS .` in a new interpreter, run inside `folder` as a user would (tests: slow)."""
    return subprocess.run(
        [sys.executable, "-m", "memlint", *args, "."], capture_output=True, text=True, cwd=folder, timeout=300
    )


def memlint_cli(*args: str, input: str = None):
    """Run the `memlint` command in-process (click's CliRunner): a result with exit_code, stdout, stderr.

    Call it after monkeypatch.chdir(...) to run it where a user would. --jobs 1 keeps test-only rules
    (registered in this process) visible to the run.
    """
    from click.testing import CliRunner

    from memlint.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr in by default
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def register_rule(monkeypatch, rule) -> None:
    """Add a test-only rule to the registry for one test (undone by monkeypatch afterwards)."""
    from memlint.checks import all_rules

    monkeypatch.setitem(all_rules(), rule.code, rule)


# --- documents and formats --------------------------------------------------------------------------------

SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"


def validate_sarif(log: dict) -> None:
    """Raise unless ``log`` is valid against the official SARIF 2.1.0 schema (vendored in tests/data)."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)


def readme_section(title: str) -> str:
    """The text of the README's ``## title`` section, up to the next ``## ``."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git_snapshot(dest: Path) -> str:
    """This checkout as a git repository of one commit on branch main, at ``dest`` (the files git would
    track, uncommitted edits included): what a clone of it would hold. Returns the commit SHA."""
    import os
    import shutil

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    env = {**os.environ, **GIT_ENV}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "snapshot"]):
        subprocess.run(cmd, cwd=dest, env=env, check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout.strip()
