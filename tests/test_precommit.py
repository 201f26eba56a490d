"""The pre-commit hooks, run by real `pre-commit run` from a scratch git repo whose configuration names both
hooks of a local clone of this checkout, at its commit.

pre-commit builds memlint from the clone into its own virtualenv (pip, from the package index): about 25 s, once
per session (the pre_commit_home fixture; `pre-commit try-repo` would build it again for every call).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from helpers import REPO

BAD = "import numpy as np\n\ngrid = np.full((1000, 1000), 0.0)\n"
CLEAN = "import numpy as np\n\ngrid = np.zeros((1000, 1000))\n"
# What pip prints when it cannot reach the package index: the only reason to skip.
OFFLINE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "No matching distribution found",
    "Network is unreachable",
)


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"memlint", "memlint-fix"}
    assert hooks["memlint"]["entry"] == "memlint check" and hooks["memlint-fix"]["entry"] == "memlint check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, clone, pre_commit_home):
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency: pip install -e '.[test]'")
    root = tmp_path_factory.mktemp("precommit")
    repo = root / "project"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "bad.py").write_text(BAD)
    (repo / "clean.py").write_text(CLEAN)
    hooks = [{"id": "memlint"}, {"id": "memlint-fix"}]
    config = {"repos": [{"repo": str(clone[0]), "rev": clone[1], "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "add", "bad.py", "clean.py", ".pre-commit-config.yaml"], cwd=repo, check=True, env=env)

    def run_hooks(*files):
        """Run both hooks of this repository on ``files``: (exit code, output)."""
        r = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        out = r.stdout + r.stderr
        if r.returncode != 0 and "Installing environment" in out and any(s in out for s in OFFLINE):
            pytest.skip(f"pre-commit could not install memlint's dependencies (no package index?):\n{out}")
        return r.returncode, out

    return repo, run_hooks


@pytest.mark.slow
def test_clean_file_passes_both_hooks(scratch):
    repo, run_hooks = scratch
    code, out = run_hooks("clean.py")
    assert code == 0, out
    assert out.count("Passed") == 2, out
    assert (repo / "clean.py").read_text() == CLEAN


@pytest.mark.slow
def test_bad_file_fails_the_hook_and_memlint_fix_fixes_it(scratch):
    repo, run_hooks = scratch
    code, out = run_hooks("bad.py")
    assert code == 1, out
    assert "bad.py:3:8: MEM017 [*] np.full with a zero fill" in out  # the memlint hook's report
    assert out.count("Failed") == 2, out  # memlint reports; memlint-fix fixes, which fails the commit
    assert "files were modified by this hook" in out
    assert (repo / "bad.py").read_text() == CLEAN
