"""The documentation agrees with the code: README commands, rule table, catalog, options and keys."""

from __future__ import annotations

import json
import re

import click
import pytest
from helpers import REPO, memlint_cli, readme_section

from memlint import catalog
from memlint.checks import all_rules, rule_options
from memlint.cli import check
from memlint.config import _KEYS, DEFAULT_EXCLUDE
from memlint.findings import PARSE_ERROR

README = (REPO / "README.md").read_text(encoding="utf-8")


section = readme_section


def console_commands(text: str) -> list:
    return [block.strip() for block in re.findall(r"```console\n(.*?)```", text, re.S)]


def test_readme_test_command_is_what_ci_runs():
    install, test = console_commands(section("Quick start"))
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test == "pip install -e '.[test]' && python -m pytest"
    assert ci.rstrip().splitlines()[-1] == test  # the last line of .ci/run is exactly the README's command
    assert install == "pip install . && memlint examples/"
    assert (REPO / "examples").is_dir() and list((REPO / "examples").glob("*.py"))


def test_quick_start_example_shows_a_finding(monkeypatch):
    """`memlint examples/` as the README runs it: a finding with its bytes and a safe fix, exit 1."""
    monkeypatch.chdir(REPO)
    r = memlint_cli("--no-cache", "examples/")
    assert r.exit_code == 1, r.stderr
    assert re.search(r"^examples/example\.py:\d+:\d+: MEM\d{3} \[\*\] .* MiB", r.stdout, re.M), r.stdout


def test_readme_rule_table_is_the_catalog():
    table = README.split("<!-- rules-table:start -->\n", 1)[1].split("\n<!-- rules-table:end -->", 1)[0]
    assert table == catalog.markdown_table(), "run `python -m memlint.catalog` to regenerate it"


def test_every_rule_module_has_a_catalog_entry_and_back():
    docs = catalog.load()
    rules = all_rules()
    assert set(rules) == set(docs) - {PARSE_ERROR}  # MEM000 is the engine's own: files that do not parse
    for code, rule in rules.items():
        assert docs[code].code == code
        module = type(rule).__module__.rsplit(".", 1)[1]
        assert module.startswith(code.lower() + "_"), module  # one module per rule: memNNN_<name>.py
        assert docs[code].why.strip() and docs[code].example.strip(), code


def test_catalog_fix_kind_matches_what_the_rule_can_offer():
    for code, doc in catalog.load().items():
        assert doc.fix in ("safe", "unsafe", "none")
        if doc.fix != "none":
            assert doc.fix_safety.strip(), f"{code} offers a fix: its catalog entry must say when it is safe"


@pytest.mark.parametrize("code", sorted(catalog.load()))
def test_explain_works_for_each_rule(code):
    r = memlint_cli("--explain", code)
    assert r.exit_code == 0
    doc = catalog.load()[code]
    assert r.stdout.startswith(f"# {doc.name} ({code})\n")
    assert "## What it does" in r.stdout and "## Why is this bad?" in r.stdout
    assert memlint_cli("--explain", code.lower()).stdout == r.stdout


def test_catalog_ships_inside_the_wheel():
    """The wheel must carry rules/ (--explain and SARIF read it at run time)."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"rules" = "memlint/rules"' in pyproject


def test_usage_documents_every_command_line_option():
    usage = section("Usage")
    for param in check.params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                assert f"`{opt}" in usage, opt


def test_configuration_documents_every_key_default_and_rule_option():
    config = section("Configuration")
    for key in _KEYS:
        assert f"`{key}`" in config, key
    for name in DEFAULT_EXCLUDE:
        assert f"`{name}`" in config, name
    for code, options in rule_options().items():
        for option in options:
            assert f"{code}: `{option}`" in config, (code, option)
    # The example configuration in the README is itself valid.
    example = re.search(r"```toml\n(.*?)```", config, re.S).group(1)
    import sys

    tomllib = __import__("tomllib" if sys.version_info >= (3, 11) else "tomli")
    from memlint.config import _parse

    _parse(tomllib.loads(example)["tool"]["memlint"], REPO / "pyproject.toml", "tool.memlint.", rule_options())


def test_github_actions_and_precommit_snippets():
    actions = section("GitHub Actions")
    assert "memlint check --output-format github" in actions
    assert "--output-format sarif" in actions and "upload-sarif" in actions
    import yaml

    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", actions, re.S).group(1))
    runs = [step.get("run", "") for step in workflow["jobs"]["memlint"]["steps"]]
    assert "pip install numpy-memlint" in runs
    assert any(run.startswith("memlint check --output-format github") for run in runs)
    hooks = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section("pre-commit"), re.S).group(1))
    assert hooks["repos"][0]["hooks"][0]["id"] == "memlint"


def test_every_install_instruction_names_numpy_memlint():
    """`memlint` on the package index is another project: no instruction may install it."""
    commands = [
        line for block in re.findall(r"```(?:console|yaml)\n(.*?)```", README, re.S) for line in block.splitlines()
    ]
    installs = [c for c in commands if "pip install" in c and "-e" not in c.split() and "pip install ." not in c]
    assert len(installs) >= 2, installs
    for command in installs:
        assert "numpy-memlint" in command, command
    assert not re.search(r"pip install\s+[\"']?memlint\b", README)
    assert "rev: v0.1.0" not in README  # no tag exists


def test_exit_codes_section_matches_the_cli():
    codes = section("Exit codes")
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in codes


@pytest.mark.slow
def test_the_bundled_example_shows_the_brief_patterns_and_its_fixes_keep_its_output(tmp_path, monkeypatch):
    code = (REPO / "examples" / "example.py").read_text()
    (tmp_path / "example.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    r = memlint_cli("--no-cache", "--output-format", "json", "example.py")
    found = {f["code"] for f in json.loads(r.stdout)}
    assert {"MEM001", "MEM002", "MEM003", "MEM004", "MEM005", "MEM006", "MEM017"} <= found
    memlint_cli("--no-cache", "--fix", "--unsafe-fixes", "example.py")
    fixed = (tmp_path / "example.py").read_text()
    assert "__slots__" in fixed and "signal *= 2.0" in fixed
    before, after = _measure_example(tmp_path, code), _measure_example(tmp_path, fixed)
    assert [b["result"] for b in before] == [a["result"] for a in after]
    (particles, normalise, head, _, _), (particles2, normalise2, head2, _, _) = before, after
    mib = 1024 * 1024
    assert particles2["peak"] < particles["peak"]  # __slots__: no __dict__ per Particle
    assert normalise2["peak"] < normalise["peak"] - 25 * mib  # in place: one 30.5 MiB array, not two
    assert head["kept"] > 70 * mib and head2["kept"] < mib  # the copy lets the 76.3 MiB base go


# Each function of the example on its own (the program's peak is head_of_large's array whatever is fixed):
# its result, its tracemalloc peak, and what it leaves allocated while its result is held.
_EXAMPLE_CALLS = ["make_particles(100_000)", "normalise()", "head_of_large()", "simulate(10)", "collect(1000)"]
_MEASURE = """
import importlib.util, json, sys, tracemalloc
spec = importlib.util.spec_from_file_location("example", sys.argv[1])
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)
out = []
for call in json.loads(sys.argv[2]):
    tracemalloc.start()
    result = eval(call, vars(example))
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    summary = repr(result) if not isinstance(result, list) else f"{len(result)} items"
    out.append({"result": summary if not hasattr(result, "tolist") else repr(result.tolist()), "peak": peak,
                "kept": kept})
    del result
print(json.dumps(out))
"""


def _measure_example(folder, code: str) -> list:
    import subprocess
    import sys

    path = folder / "measured_example.py"
    path.write_text(code)
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), json.dumps(_EXAMPLE_CALLS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_architecture_names_every_module_and_only_modules_that_exist():
    """ARCHITECTURE.md stays true: each module of memlint and of facts/, and each subpackage, is named in it."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    package = REPO / "src" / "memlint"
    named = set(re.findall(r"`([\w/]+\.(?:py|toml))`", text))
    for folder in (package, package / "facts"):
        for path in folder.glob("*.py"):
            assert path.name in named, f"ARCHITECTURE.md does not name {path.relative_to(package)}"
    for sub in package.iterdir():
        if (sub / "__init__.py").exists():
            assert f"`{sub.name}/`" in text, f"ARCHITECTURE.md does not name {sub.name}/"
    modules = {p.name for p in package.rglob("*.py")} | {p.name for p in package.rglob("*.toml")}
    gone = {n for n in named if "/" not in n and not n.startswith("mem") and n not in modules}
    assert not gone, f"ARCHITECTURE.md names modules that do not exist: {sorted(gone)}"


def test_every_test_the_readme_names_exists():
    """The README backs its promises (fixing, baselines, read-only files, the cache) with named tests."""
    named = set(re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", README))
    in_fixing = set(re.findall(r"`(test_\w+)`", section("Fix safety")))
    named |= {("tests/test_fixing.py", name) for name in in_fixing}
    assert len(named) > 15
    for path, name in sorted(named):
        assert re.search(rf"^def {name}\(", (REPO / path).read_text(encoding="utf-8"), re.M), f"{path}::{name}"
