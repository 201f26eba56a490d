"""Per-folder configuration, as ruff's: a nearer pyproject.toml/memlint.toml governs its folder's files,
`extend` inherits, project-wide facts come from the run's configuration, and --config turns discovery off."""

from __future__ import annotations

import json

import pytest
from helpers import memlint_cli

CODE = """\
import numpy as np

def f():
    a = np.full((1000, 1000), 0.0)
    a = a * 2  # noqa: MEM001
    return a
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A project whose root ignores MEM017; legacy/ extends it and raises min-array-bytes, strict/ has its
    own configuration that selects everything."""
    (tmp_path / "pyproject.toml").write_text('[tool.memlint]\nignore = ["MEM017"]\n')
    for folder in ("pkg", "pkg/legacy", "pkg/strict"):
        (tmp_path / folder).mkdir(exist_ok=True)
    (tmp_path / "pkg" / "legacy" / "memlint.toml").write_text(
        'extend = "../../pyproject.toml"\nextend-select = ["MEM100"]\nmin-array-bytes = 100000000\n'
    )
    (tmp_path / "pkg" / "strict" / "pyproject.toml").write_text('[tool.memlint]\nselect = ["MEM"]\n')
    for name in ("pkg/top.py", "pkg/legacy/l.py", "pkg/strict/s.py"):
        (tmp_path / name).write_text(CODE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def found(*args) -> list:
    r = memlint_cli("--no-cache", "--output-format", "json", *args)
    assert r.exit_code in (0, 1), r.stderr
    return sorted((f["path"], f["code"]) for f in json.loads(r.stdout))


def test_the_nearest_configuration_governs_each_file(tree):
    assert found(".") == [
        # legacy/: MEM017 ignored (inherited), MEM001 not large enough there (its min-array-bytes): the
        # suppression comment silences nothing, which MEM100 (selected there only) reports.
        ("pkg/legacy/l.py", "MEM100"),
        ("pkg/strict/s.py", "MEM017"),  # strict/'s own selection
    ]  # pkg/top.py: the root's (MEM017 ignored)


def test_the_same_from_any_folder_and_any_path(tree, monkeypatch):
    monkeypatch.chdir(tree / "pkg")
    assert found(".") == [("legacy/l.py", "MEM100"), ("strict/s.py", "MEM017")]
    assert found("strict/s.py", "top.py") == [("strict/s.py", "MEM017")]


def test_command_line_options_apply_over_every_configuration(tree):
    assert found("--ignore", "MEM100,MEM017", ".") == []
    # --select replaces every file's selection; legacy/'s min-array-bytes still keeps 7.6 MiB below its bar,
    # and MEM100 judges only the codes of rules that ran (MEM001 did not).
    assert found("--extend-select", "MEM100", "--select", "MEM017", ".") == [
        ("pkg/strict/s.py", "MEM017"),
        ("pkg/top.py", "MEM017"),
    ]


def test_config_file_turns_discovery_off(tree):
    assert found("--config", "pyproject.toml", ".") == []  # the root's settings everywhere


def test_fix_follows_each_files_configuration(tree):
    r = memlint_cli("--no-cache", "--fix", ".")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "a = a * 2\n" in (tree / "pkg" / "legacy" / "l.py").read_text()  # MEM100's fix removed the noqa
    assert "np.zeros((1000, 1000))" in (tree / "pkg" / "strict" / "s.py").read_text()
    assert (tree / "pkg" / "top.py").read_text() == CODE  # MEM017 is ignored there


def test_cache_keeps_each_configuration_apart(tree):
    first = memlint_cli("--output-format", "json", ".").stdout
    assert memlint_cli("--output-format", "json", ".").stdout == first  # warm: the same findings
    (tree / "pkg" / "strict" / "pyproject.toml").write_text('[tool.memlint]\nignore = ["MEM0"]\n')
    assert [f["path"] for f in json.loads(memlint_cli("--output-format", "json", ".").stdout)] == ["pkg/legacy/l.py"]


def test_project_wide_rules_see_every_folder(tree):
    """MEM003's class index is the whole run's: a class in one folder built in bulk in another."""
    (tree / "pkg" / "legacy" / "shapes.py").write_text(
        "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n"
    )
    (tree / "pkg" / "strict" / "use.py").write_text(
        "from pkg.legacy.shapes import Point\n\npoints = [Point(i, i) for i in range(1_000_000)]\n"
    )
    (tree / "pkg" / "__init__.py").write_text("")
    (tree / "pkg" / "legacy" / "__init__.py").write_text("")
    (tree / "pkg" / "strict" / "__init__.py").write_text("")
    assert ("pkg/legacy/shapes.py", "MEM003") in found(".")
    (tree / "pkg" / "legacy" / "memlint.toml").write_text('extend = "../../pyproject.toml"\nignore = ["MEM003"]\n')
    assert ("pkg/legacy/shapes.py", "MEM003") not in found(".")  # reported where the class is: its folder decides


@pytest.mark.parametrize(
    "content, message",
    [
        ('extend = "../missing.toml"\n', "`extend` names '../missing.toml', which is not a file"),
        ("extend = 3\n", "`extend` must be the path of a configuration file"),
        ('extend = "memlint.toml"\n', "`extend` makes a cycle"),
    ],
)
def test_bad_extend_is_one_line_naming_the_file(tree, content, message):
    (tree / "pkg" / "legacy" / "memlint.toml").write_text(content)
    r = memlint_cli("--no-cache", "pkg/legacy")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert "memlint.toml" in line and message in line, line
