"""Shared test tools: lint a snippet, fix it, and run code before and after a fix.

A fix is tested the way a user relies on it: the program prints the same thing before and after, and (where
memory is the point) the fixed program's tracemalloc peak is lower. Each program runs in a process of its own
(run_program).
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import signal
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


# Programs run in a child forked from one server process per test session: each child starts from the same state
# (Python with the libraries it imports already loaded), runs one program with tracemalloc and exits, so no
# program sees another's. Importing a library (a second or more under tracemalloc) is done once, in the server,
# and is never part of a peak: a peak is what the program's own code allocates.
LIBRARIES = (
    "numpy", "pandas", "scipy", "sklearn", "skimage", "matplotlib", "librosa", "cv2", "PIL", "imageio", "tifffile",
    "soundfile",
)  # fmt: skip

_SERVER = r"""
import json, os, sys, tempfile


def load(libraries):
    import importlib, types, warnings

    here = sys.path.pop(0)  # "": the program's folder holds its own modules, not the libraries
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for module, root, names in libraries:
                try:
                    importlib.import_module(module)
                    value = sys.modules[root]
                    for name in names:  # lazily loaded packages (librosa, skimage) import on first use
                        if not isinstance(value, types.ModuleType):
                            break
                        value = getattr(value, name)
                except Exception:
                    pass  # the program raises it again
    finally:
        sys.path.insert(0, here)


def run(request):
    # What `python -c` of this program would do, from the server's state; in the child, which exits after.
    import contextlib, io, signal, traceback, tracemalloc

    signal.alarm(request["timeout"])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.stdin = open(os.devnull)
    out = io.StringIO()
    try:
        tracemalloc.start()
        with contextlib.redirect_stdout(out):
            exec(compile(request["code"], "program.py", "exec"), {"__name__": "__main__"})
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    print(json.dumps({"output": out.getvalue(), "peak": peak}))
    return 0


for line in sys.stdin:
    request = json.loads(line)
    load(request["libraries"])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            status = run(request)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        out.seek(0)
        err.seek(0)
        reply = {"returncode": status, "stdout": out.read().decode(), "stderr": err.read().decode()}
    print(json.dumps(reply), flush=True)
"""
_server: subprocess.Popen | None = None


def _program_server() -> subprocess.Popen:
    """The session's program server, started on first use (tests: slow)."""
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(
            [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        atexit.register(_stop, _server)
    return _server


def _stop(server: subprocess.Popen) -> None:
    server.stdin.close()  # the server's loop ends
    server.wait(timeout=60)


def _libraries(code: str) -> list:
    """What of LIBRARIES code imports and uses, for the server to load: [module imported, module named, the
    attributes the program reads from it] (`import a.b as m; m.f.g` gives ["a.b", "a.b", ["f", "g"]])."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    bound = {}  # a name the program binds to a library -> [module imported, module named, attributes]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                bound[a.asname or a.name.split(".")[0]] = [a.name, a.name if a.asname else a.name.split(".")[0], []]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                bound[a.asname or a.name] = [node.module, node.module, [a.name]]
    used = list(bound.values())
    for node in ast.walk(tree):
        names, value = [], node
        while isinstance(value, ast.Attribute):
            names.insert(0, value.attr)
            value = value.value
        if names and isinstance(value, ast.Name) and value.id in bound:
            module, root, first = bound[value.id]
            used.append([module, root, first + names])
    return [u for u in used if u[0].split(".")[0] in LIBRARIES]


def run_program(code: str, libraries: list | None = None, timeout: int = 120) -> tuple[str, int]:
    """Run code as `python -c` would, after loading `libraries` (default: those it imports) in the server:
    (what it printed, tracemalloc peak in bytes)."""
    code = textwrap.dedent(code)
    server = _program_server()
    if libraries is None:
        libraries = _libraries(code)
    request = {"code": code, "libraries": libraries, "cwd": os.getcwd(), "env": dict(os.environ)}
    server.stdin.write(json.dumps({**request, "timeout": timeout}) + "\n")
    server.stdin.flush()
    reply = json.loads(server.stdout.readline())
    if reply["returncode"] == -signal.SIGALRM:
        raise subprocess.TimeoutExpired("program.py", timeout)
    assert reply["returncode"] == 0, reply["stderr"]
    data = json.loads(reply["stdout"].strip().splitlines()[-1])
    return data["output"], data["peak"]


def assert_fix_keeps_behaviour(
    code: str, unsafe: bool = False, saves_memory: bool = True, saves_at_least: int = 1
) -> str:
    """Fix `code`; assert the fix changed it, the output is identical, and (if asked) the peak is lower, by
    `saves_at_least` bytes: give the size of what the fix saves where a few bytes' difference could be noise."""
    fixed = fix(code, unsafe=unsafe)
    assert fixed != textwrap.dedent(code), "expected a fix"
    libraries = _libraries(textwrap.dedent(code)) + _libraries(fixed)  # both start from the same state
    before, peak_before = run_program(code, libraries)
    after, peak_after = run_program(fixed, libraries)
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


def write_video(path, frames=3, size=(320, 240)):
    """A small MJPG .avi (a codec the headless wheels write) of frames of growing brightness; its path as a str."""
    import numpy as np
    import pytest

    cv2 = pytest.importorskip("cv2")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    if not writer.isOpened():
        pytest.skip("this OpenCV writes no MJPG video")
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 40 * i, np.uint8))
    writer.release()
    return str(path)
