import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

_INTERPRETER_FOLDER = Path(sys.executable).parent  # python, and the memlint and pre-commit commands beside it


@pytest.fixture(autouse=True)
def _fresh_interpreters_are_marked_slow(request, monkeypatch):
    """A test that starts a Python program in a new process (about a second each) or runs one (helpers.run_program)
    must be marked slow.

    `pytest -m "not slow"` is the inner loop and stays fast only if this holds; tools such as git may run anywhere.
    """
    if request.node.get_closest_marker("slow"):
        return
    import helpers

    def refuse_programs():
        raise AssertionError(f"{request.node.nodeid} runs a program: mark it @pytest.mark.slow")

    monkeypatch.setattr(helpers, "_program_server", refuse_programs)
    start = subprocess.Popen.__init__

    def refuse_python(self, args, *rest, **kwargs):
        program = Path(args if isinstance(args, (str, Path)) else args[0])
        if program.parent == _INTERPRETER_FOLDER or program.name.startswith("python"):
            raise AssertionError(f"{request.node.nodeid} starts {program.name}: mark it @pytest.mark.slow")
        start(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse_python)


@pytest.fixture
def counted(monkeypatch):
    """The files the engine really checks in this process (rather than takes from the cache), as they go."""
    from memlint import engine

    calls = []
    real = engine.lint_text

    def lint_text(display, *args, **kw):
        calls.append(display)
        return real(display, *args, **kw)

    monkeypatch.setattr(engine, "lint_text", lint_text)
    return calls


@pytest.fixture(scope="session")
def clone(tmp_path_factory):
    """This checkout as a git repository (see helpers.git_snapshot): (folder, commit SHA)."""
    import shutil

    from helpers import git_snapshot

    if shutil.which("git") is None:
        pytest.skip("needs git")
    dest = tmp_path_factory.mktemp("clone") / "memlint"
    return dest, git_snapshot(dest)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory):
    """One PRE_COMMIT_HOME for the session: the environment pre-commit builds for the clone at its commit (about
    25 s) is built once, whichever test asks first."""
    return tmp_path_factory.mktemp("pre-commit-home")
