"""The README's install, CI and pre-commit instructions, each run as written against this checkout.

Nothing here reaches GitHub: the checkout is copied into a scratch git repository (uncommitted work included)
that stands in for it. A wheel is built from it and installed in a fresh virtualenv; the README workflow's
`run:` steps and the action's steps run under bash with fake GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files;
pre-commit installs the hooks from the scratch repository. Dependencies come from the package index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from helpers import GIT_ENV, REPO, readme_section, validate_sarif

pytestmark = pytest.mark.slow

OFFLINE = ("Failed to establish a new connection", "Temporary failure in name resolution", "Network is unreachable")


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    if r.returncode != 0 and any(s in r.stdout + r.stderr for s in OFFLINE):
        pytest.skip(f"no package index: {r.stderr[-500:]}")
    return r


@pytest.fixture(scope="module")
def wheel(clone, tmp_path_factory) -> Path:
    folder, _ = clone
    dist = tmp_path_factory.mktemp("dist")
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(folder)])
    assert r.returncode == 0, r.stderr
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A virtualenv with nothing of this machine's site-packages: its bin folder."""
    root = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(root)
    return root / "bin"


@pytest.fixture
def project(tmp_path) -> Path:
    """A user's repository: the bundled example (findings with bytes at stake and a safe fix)."""
    (tmp_path / "project").mkdir()
    shutil.copy(REPO / "examples" / "example.py", tmp_path / "project" / "example.py")
    return tmp_path / "project"


def _env(bin_dir: Path, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("GITHUB_")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env.update(extra)
    return env


def _uninstall(bin_dir: Path) -> None:
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "uninstall", "-y", "-q", "numpy-memlint"], capture_output=True
    )


def test_the_wheel_installs_in_a_fresh_venv_and_runs(wheel, fresh_venv, project):
    assert wheel.name.startswith("numpy_memlint-")  # the distribution name; the command stays memlint
    r = _run([str(fresh_venv / "python"), "-m", "pip", "install", "-q", str(wheel)])
    assert r.returncode == 0, r.stderr
    memlint = str(fresh_venv / "memlint")
    r = _run([memlint, "check", "--no-cache", "example.py"], cwd=project, env=_env(fresh_venv))
    assert r.returncode == 1, r.stderr
    assert re.search(r"^example\.py:\d+:\d+: MEM017 \[\*\] .* MiB", r.stdout, re.M), r.stdout
    # The rule catalog ships inside the wheel: --explain and SARIF rule descriptors read it.
    r = _run([memlint, "--explain", "MEM017"], env=_env(fresh_venv))
    assert r.returncode == 0 and r.stdout.startswith("# full-zeros (MEM017)")
    r = _run([str(fresh_venv / "python"), "-m", "pip", "show", "numpy-memlint"], env=_env(fresh_venv))
    assert "Name: numpy-memlint" in r.stdout


def _run_steps(steps: list, cwd: Path, env: dict) -> list:
    """Run `run:` steps as GitHub does (bash, `-eo pipefail`), skipping the rest after a failure unless a
    step says `if: always()`: [(step, exit code)] for the steps run."""
    done, failed = [], False
    for step in steps:
        if "run" not in step or failed and step.get("if") != "always()":
            continue
        script = cwd.parent / "step.sh"
        script.write_text(step["run"])
        r = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env={**env, **step.get("env", {})},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if r.returncode != 0 and any(s in r.stdout + r.stderr for s in OFFLINE):
            pytest.skip("no package index")
        done.append((step, r.returncode, r.stdout, r.stderr))
        failed = failed or r.returncode != 0
    return done


def _github_env(bin_dir: Path, project: Path, **extra) -> dict:
    summary, output = project.parent / "summary.md", project.parent / "output.txt"
    summary.write_text("")
    output.write_text("")
    return _env(
        bin_dir,
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(output),
        GITHUB_REPOSITORY="octo/project",
        GITHUB_SHA="0123456789abcdef",
        GITHUB_WORKSPACE=str(project),
        **extra,
    )


def test_the_readme_workflow_runs_as_written(wheel, fresh_venv, project):
    """`pip install numpy-memlint` (the index replaced by the built wheel), then the workflow's memlint steps."""
    _uninstall(fresh_venv)
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", readme_section("GitHub Actions"), re.S).group(1))
    steps = workflow["jobs"]["memlint"]["steps"]
    env = _github_env(fresh_venv, project, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheel.parent))
    done = _run_steps(steps, project, env)
    codes = {step["run"]: code for step, code, _, _ in done}
    assert codes == {
        "pip install numpy-memlint": 0,
        "memlint check --output-format github .": 1,  # findings fail the job...
        "memlint check --output-format sarif --exit-zero . > memlint.sarif": 0,  # ...and the SARIF still runs
    }, done
    annotations = next(out for step, _, out, _ in done if "github" in step["run"]).splitlines()
    assert annotations and all(line.startswith("::warning file=example.py,") for line in annotations)
    assert "76.3 MiB" in annotations[0]  # the largest saving first
    summary = (project.parent / "summary.md").read_text()
    assert re.search(r"\*\*\d+ findings\*\* in 1 file, \*\*(at least )?[\d.]+ MiB at stake\*\*", summary), summary
    assert "](https://github.com/octo/project/blob/0123456789abcdef/example.py#L" in summary
    log = json.loads((project / "memlint.sarif").read_text())
    validate_sarif(log)
    assert log["runs"][0]["results"]


def _action_steps(action: dict, inputs: dict) -> list:
    """The action's steps with `${{ inputs.X }}` replaced as the runner would (defaults, then `with:`)."""
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update(inputs)

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], text)

    steps = []
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs reach scripts through env only (no script injection)"
        steps.append({**step, "env": {k: expand(str(v)) for k, v in step.get("env", {}).items()}})
    return steps


def test_the_action_installs_from_its_checkout_and_reports(clone, fresh_venv, project):
    folder, _ = clone
    _uninstall(fresh_venv)
    action = yaml.safe_load((folder / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert all(step["shell"] == "bash" for step in action["runs"]["steps"])
    env = _github_env(fresh_venv, project, GITHUB_ACTION_PATH=str(folder))
    done = _run_steps(_action_steps(action, {"args": "--no-cache ."}), project, env)
    assert [code for _, code, _, _ in done] == [0, 1], done  # installed; findings fail the step
    _, _, out, _ = done[1]
    assert out.splitlines()[0].startswith("::warning file=example.py,") and "76.3 MiB" in out.splitlines()[0]
    outputs = dict(line.split("=", 1) for line in (project.parent / "output.txt").read_text().splitlines())
    assert outputs == {"findings": str(len(out.splitlines())), "exit-code": "1"}
    summary = (project.parent / "summary.md").read_text()
    assert "MiB at stake**" in summary and "| MEM017 full-zeros |" in summary
    # Installed from the action's checkout: the command on PATH is the venv's.
    r = _run([str(fresh_venv / "python"), "-m", "pip", "show", "numpy-memlint"])
    assert r.returncode == 0

    # fail-on-findings: "false" reports without failing; the outputs still say what was found.
    env = _github_env(fresh_venv, project, GITHUB_ACTION_PATH=str(folder))
    steps = _action_steps(action, {"args": "--no-cache .", "fail-on-findings": "false"})
    assert [code for _, code, _, _ in _run_steps(steps[1:], project, env)] == [0]
    assert "exit-code=1" in (project.parent / "output.txt").read_text()
    # An error (a path that does not exist) fails the step whatever fail-on-findings says.
    env = _github_env(fresh_venv, project, GITHUB_ACTION_PATH=str(folder))
    steps = _action_steps(action, {"args": "missing.py", "fail-on-findings": "false"})
    assert [code for _, code, _, _ in _run_steps(steps[1:], project, env)] == [2]


def test_pip_install_from_a_git_url_as_the_readme_writes_it(clone, fresh_venv, project):
    folder, sha = clone
    _uninstall(fresh_venv)
    (command,) = [c for c in re.findall(r"```console\n(.*?)```", readme_section("Install"), re.S) if "git+" in c]
    # file://localhost/...: pip before 24 wants a host in a git+ URL (git accepts either form).
    url = "file://localhost" + folder.as_posix()
    command = command.strip().replace("https://github.com/OWNER/memlint", url).replace("COMMIT", sha)
    r = _run(["bash", "-c", command], env=_env(fresh_venv))
    assert r.returncode == 0, r.stderr
    r = _run([str(fresh_venv / "memlint"), "check", "--no-cache", "example.py"], cwd=project, env=_env(fresh_venv))
    assert r.returncode == 1 and "MEM017" in r.stdout


def test_the_readme_pre_commit_snippet_and_autoupdate(clone, project, pre_commit_home):
    """The snippet as written (rev: main), then `pre-commit autoupdate`, which pins the commit SHA."""
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency: pip install -e '.[test]'")
    folder, sha = clone
    snippet = re.search(r"```yaml\n(.*?)```", readme_section("pre-commit"), re.S).group(1)
    config = snippet.replace("https://github.com/OWNER/memlint", str(folder))
    (project / ".pre-commit-config.yaml").write_text(config)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}
    env.pop("PYTHONPATH", None)
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(cmd, cwd=project, env=env, check=True)

    def pre_commit(*args):
        return _run([sys.executable, "-m", "pre_commit", *args], cwd=project, env=env)

    r = pre_commit("run", "--all-files")
    assert r.returncode == 1, r.stdout + r.stderr  # the memlint hook fails on the example's findings
    assert re.search(r"^example\.py:\d+:\d+: MEM017 \[\*\]", r.stdout, re.M), r.stdout
    (command,) = re.findall(r"```console\n(.*?)```", readme_section("pre-commit"), re.S)
    r = _run(
        ["bash", "-c", command.strip().replace("pre-commit ", f"{sys.executable} -m pre_commit ")], cwd=project, env=env
    )
    assert r.returncode == 0, r.stdout + r.stderr
    pinned = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert pinned["repos"][0]["rev"] == sha  # no tags yet: the newest commit
    r = pre_commit("run", "--all-files")
    assert r.returncode == 1 and "MEM017" in r.stdout
    assert "mutable reference" not in r.stdout + r.stderr
