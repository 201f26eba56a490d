"""[tool.memlint] as a user writes it: discovery, every key, per-file-ignores, excludes, rule options, errors."""

from __future__ import annotations

import ast
import json

import pytest
from helpers import memlint_cli, register_rule

from memlint.checks import Rule
from memlint.config import _KEYS, DEFAULT_EXCLUDE

BIG = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n"  # 8 MB: MEM017 with a safe fix
SMALL = "import numpy as np\ngrid = np.full((100, 100), 0.0)\n"  # 80 kB: under the default 256 KiB


def found(*args) -> list:
    r = memlint_cli("--output-format", "json", *args)
    assert r.exit_code in (0, 1), r.stderr
    return sorted((f["path"], f["code"]) for f in json.loads(r.stdout))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "core.py").write_text(BIG)
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --- discovery ------------------------------------------------------------------------------------------


def test_nearest_pyproject_with_a_memlint_table_wins(repo):
    write(repo / "pyproject.toml", '[tool.memlint]\nignore = ["MEM017"]\n')
    assert found("pkg") == []
    write(repo / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')  # no [tool.memlint]: skipped
    assert found("pkg") == []
    write(repo / "pkg" / "pyproject.toml", '[tool.memlint]\nselect = ["MEM0"]\n')  # nearer: wins
    assert found("pkg") == [("pkg/core.py", "MEM017")]


def test_memlint_toml_is_found_and_uses_top_level_keys(repo):
    write(repo / "memlint.toml", 'ignore = ["MEM017"]\n')
    assert found("pkg") == []
    assert found("pkg/core.py") == []  # from a file too: the search starts at its folder


def test_discovery_starts_at_the_checked_path_not_the_working_folder(repo, monkeypatch):
    write(repo / "pkg" / "memlint.toml", 'ignore = ["MEM017"]\n')
    write(repo / "other" / "x.py", BIG)
    assert found("pkg") == []
    assert found("other") == [("other/x.py", "MEM017")]
    monkeypatch.chdir(repo / "other")
    assert found("../pkg") == []


# --- every key ------------------------------------------------------------------------------------------


def test_select_extend_select_and_ignore_keys(repo):
    write(repo / "pyproject.toml", '[tool.memlint]\nselect = ["MEM00"]\n')
    assert found("pkg") == []
    write(repo / "pyproject.toml", '[tool.memlint]\nselect = ["MEM00"]\nextend-select = ["MEM017"]\n')
    assert found("pkg") == [("pkg/core.py", "MEM017")]
    write(repo / "pyproject.toml", '[tool.memlint]\nignore = ["MEM01"]\n')
    assert found("pkg") == []
    # The command line is layered over the file, as in ruff: it wins.
    assert found("pkg", "--select", "MEM017") == [("pkg/core.py", "MEM017")]
    assert found("pkg", "--extend-select", "MEM017") == [("pkg/core.py", "MEM017")]


def test_per_file_ignores_globs_relative_to_the_config_folder(repo):
    write(repo / "pkg" / "tests" / "test_core.py", BIG)
    write(repo / "pkg" / "gen" / "table.py", BIG)
    write(
        repo / "pyproject.toml", '[tool.memlint.per-file-ignores]\n"pkg/tests/*" = ["MEM0"]\n"table.py" = ["MEM017"]\n'
    )
    assert found(".") == [("pkg/core.py", "MEM017")]
    # Named by absolute path, the globs are still relative to the configuration's folder.
    assert found(str(repo / "pkg")) == [("pkg/core.py", "MEM017")]


def test_exclude_replaces_and_extend_exclude_adds_to_the_defaults(repo):
    write(repo / "pkg" / "migrations" / "m1.py", BIG)
    write(repo / "build" / "lib" / "core.py", BIG)
    assert found(".") == [("pkg/core.py", "MEM017"), ("pkg/migrations/m1.py", "MEM017")]
    write(repo / "pyproject.toml", '[tool.memlint]\nextend-exclude = ["migrations"]\n')
    assert found(".") == [("pkg/core.py", "MEM017")]
    write(repo / "pyproject.toml", '[tool.memlint]\nextend-exclude = ["pkg/migrations/*.py"]\n')
    assert found(".") == [("pkg/core.py", "MEM017")]
    for glob in ("./pkg/migrations", "**/migrations/*", "pkg/migrations/", "*/migrations"):
        write(repo / "pyproject.toml", f'[tool.memlint]\nextend-exclude = ["{glob}"]\n')
        assert found(".") == [("pkg/core.py", "MEM017")], glob
    write(repo / "pyproject.toml", '[tool.memlint]\nexclude = ["migrations"]\n')  # replaces: build/ is back
    assert found(".") == [("build/lib/core.py", "MEM017"), ("pkg/core.py", "MEM017")]


def test_default_excludes(repo):
    for folder in (
        ".git",
        ".venv",
        "venv",
        "env",
        "build",
        "dist",
        "__pycache__",
        ".tox",
        "node_modules",
        "site-packages",
        "memlint.egg-info",
    ):
        write(repo / folder / "x.py", BIG)
        assert any(__import__("fnmatch").fnmatch(folder, p) for p in DEFAULT_EXCLUDE)
    assert found(".") == [("pkg/core.py", "MEM017")]


def test_named_paths_are_checked_even_if_excluded(repo):
    """A folder or file the user names is checked, whatever it is called (ruff does the same)."""
    write(repo / "build" / "x.py", BIG)
    write(repo / "pyproject.toml", '[tool.memlint]\nextend-exclude = ["pkg"]\n')
    assert found("build") == [("build/x.py", "MEM017")]
    assert found("pkg/core.py") == [("pkg/core.py", "MEM017")]
    assert found(".") == []


def test_a_project_inside_a_folder_named_like_an_exclude_is_still_checked(tmp_path, monkeypatch):
    """Excludes match below the named folder, never the folders above it (a checkout in ~/build/...)."""
    project = tmp_path / "build" / "env" / "project"
    write(project / "core.py", BIG)
    monkeypatch.chdir(tmp_path)
    assert found("build/env/project") == [("build/env/project/core.py", "MEM017")]
    monkeypatch.chdir(project)
    assert found(".") == [("core.py", "MEM017")]
    assert found(str(project)) == [("core.py", "MEM017")]


def test_min_array_bytes(repo):
    write(repo / "pkg" / "small.py", SMALL)
    assert found("pkg") == [("pkg/core.py", "MEM017")]
    write(repo / "pyproject.toml", "[tool.memlint]\nmin-array-bytes = 65536\n")
    assert found("pkg") == [("pkg/core.py", "MEM017"), ("pkg/small.py", "MEM017")]
    write(repo / "pyproject.toml", "[tool.memlint]\nmin-array-bytes = 100_000_000\n")
    assert found("pkg") == []


def test_output_format_and_unsafe_fixes_keys(repo):
    write(repo / "pyproject.toml", '[tool.memlint]\noutput-format = "github"\n')
    r = memlint_cli("pkg")
    assert r.stdout.startswith("::warning file=pkg/core.py,line=2,")
    assert memlint_cli("--output-format", "text", "pkg").stdout.startswith("pkg/core.py:2:8: MEM017")
    write(repo / "pyproject.toml", "[tool.memlint]\nunsafe-fixes = true\n")
    assert "fixable with `--fix --unsafe-fixes`" in memlint_cli("pkg").stdout


class FullCount(Rule):
    """Test-only rule with a per-rule option: report files that call np.full more than `max-calls` times."""

    code = "MEM991"
    options = {"max-calls": 1, "message": "too many np.full calls"}

    def check(self, ctx):
        calls = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.Call) and ctx.qualname(n.func) == "numpy.full"]
        if len(calls) > ctx.option("max-calls"):
            ctx.report(calls[0], ctx.option("message"))


def test_per_rule_options(repo, monkeypatch):
    register_rule(monkeypatch, FullCount())
    write(repo / "pkg" / "two.py", BIG + "other = np.full((1000, 1000), 0.0)\n")
    assert ("pkg/two.py", "MEM991") in found("pkg")
    write(repo / "pyproject.toml", "[tool.memlint.rules.MEM991]\nmax-calls = 2\n")
    assert ("pkg/two.py", "MEM991") not in found("pkg")
    write(repo / "pyproject.toml", '[tool.memlint.rules.MEM991]\nmessage = "np.full again"\n')
    r = json.loads(memlint_cli("--output-format", "json", "--select", "MEM991", "pkg").stdout)
    assert [f["message"] for f in r] == ["np.full again"]
    write(repo / "pyproject.toml", '[tool.memlint.rules.MEM991]\nmax-calls = "two"\n')
    r = memlint_cli("pkg")
    assert r.exit_code == 2
    assert "`tool.memlint.rules.MEM991.max-calls` must be of type int" in r.stderr
    write(repo / "pyproject.toml", "[tool.memlint.rules.MEM991]\nmax-call = 2\n")
    assert "`tool.memlint.rules.MEM991.max-call` is not an option of MEM991" in memlint_cli("pkg").stderr


# --- errors: exit 2, naming the key and the file --------------------------------------------------------


@pytest.mark.parametrize(
    "toml, key, why",
    [
        ('[tool.memlint]\nselec = ["MEM017"]\n', "tool.memlint.selec", "is not a memlint setting"),
        ('[tool.memlint]\nselect = "MEM017"\n', "tool.memlint.select", "must be a list"),
        ('[tool.memlint]\nignore = ["XYZ1"]\n', "tool.memlint.ignore", "unknown rule code `XYZ1`"),
        ("[tool.memlint]\nextend-select = [17]\n", "tool.memlint.extend-select", "must be a list"),
        ('[tool.memlint]\nexclude = "build"\n', "tool.memlint.exclude", "must be a list of globs"),
        ("[tool.memlint]\nextend-exclude = [1]\n", "tool.memlint.extend-exclude", "must be a list of globs"),
        ('[tool.memlint]\nper-file-ignores = ["tests/*"]\n', "tool.memlint.per-file-ignores", "must be a table"),
        (
            '[tool.memlint.per-file-ignores]\n"tests/*" = "MEM017"\n',
            'tool.memlint.per-file-ignores."tests/*"',
            "must be a list",
        ),
        ('[tool.memlint]\nunsafe-fixes = "yes"\n', "tool.memlint.unsafe-fixes", "must be true or false"),
        ('[tool.memlint]\noutput-format = "xml"\n', "tool.memlint.output-format", "must be one of concise, full, text"),
        ("[tool.memlint]\nmin-array-bytes = -1\n", "tool.memlint.min-array-bytes", "must be a non-negative"),
        ("[tool.memlint]\nmin-array-bytes = true\n", "tool.memlint.min-array-bytes", "must be a non-negative"),
        ("[tool.memlint]\nmin-array-bytes = 1.5\n", "tool.memlint.min-array-bytes", "must be a non-negative"),
        ("[tool.memlint]\nrules = 3\n", "tool.memlint.rules", "must be a table"),
        ("[tool.memlint.rules.MEM999]\nx = 1\n", "tool.memlint.rules.MEM999", "is not a rule code"),
        ("[tool.memlint.rules]\nMEM017 = 1\n", "tool.memlint.rules.MEM017", "must be a table of options"),
        ("[tool.memlint.rules.MEM017]\nlimit = 1\n", "tool.memlint.rules.MEM017.limit", "is not an option"),
        (
            '[tool.memlint.rules.MEM003]\ntarget-version = "py310"\n',
            "tool.memlint.rules.MEM003.target-version",
            'must be a Python version such as "3.10"',
        ),
        (
            "[tool.memlint.rules.MEM003]\ntarget-version = 3.1\n",
            "tool.memlint.rules.MEM003.target-version",
            'must be a string in quotes (target-version = "3.10"), not the number 3.1',
        ),
        (  # unquoted, TOML reads 3.10 as the number 3.1: the message must not say "3.1" alone
            "[tool.memlint.rules.MEM003]\ntarget-version = 3.10\n",
            "tool.memlint.rules.MEM003.target-version",
            'must be a string in quotes (target-version = "3.10")',
        ),
        ("[tool]\nmemlint = 5\n", "tool.memlint", "must be a table ([tool.memlint]), not 5"),
    ],
)
def test_config_errors_name_the_key_and_the_file_and_exit_2(repo, toml, key, why):
    write(repo / "pyproject.toml", toml)
    r = memlint_cli("pkg")
    assert r.exit_code == 2
    assert r.stdout == ""
    (line,) = r.stderr.splitlines()  # one line, no traceback
    assert str(repo / "pyproject.toml") in line and f"`{key}`" in line and why in line, line


def test_invalid_toml_names_the_file_and_position(repo):
    write(repo / "pyproject.toml", '[tool.memlint\nselect = ["MEM017"]\n')
    r = memlint_cli("pkg")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert str(repo / "pyproject.toml") in line and "invalid TOML" in line and "line 1" in line
    write(repo / "memlint.toml", "select = [\n")
    r = memlint_cli("pkg")
    assert r.exit_code == 2 and "memlint.toml: invalid TOML" in r.stderr


def test_a_configuration_that_is_not_utf8_names_the_file_and_line(repo):
    (repo / "pyproject.toml").write_bytes(b'[tool.memlint]\n# caf\xe9 au lait\nselect = ["MEM"]\n')
    r = memlint_cli("pkg")
    assert (r.exit_code, r.stdout) == (2, "")
    (line,) = r.stderr.splitlines()
    assert line == f"memlint: error: {repo / 'pyproject.toml'}:2: invalid TOML: not UTF-8 (invalid continuation byte)"


def test_a_tool_key_that_is_not_a_table(repo):
    write(repo / "pyproject.toml", "tool = 5\n")  # not ours: the file is passed over as having no [tool.memlint]
    assert found("pkg") == [("pkg/core.py", "MEM017")]
    r = memlint_cli("--config", "pyproject.toml", "pkg")  # named: its `tool` must hold [tool.memlint]
    assert r.exit_code == 2 and r.stderr.splitlines() == [
        "memlint: error: pyproject.toml: `tool` must be a table ([tool.memlint]), not 5"
    ]


def test_errors_in_an_explicit_config_file(repo):
    write(repo / "ci.toml", 'select = ["MEM017"]\nverbose = true\n')
    r = memlint_cli("--config", "ci.toml", "pkg")
    assert r.exit_code == 2 and "ci.toml: `verbose` is not a memlint setting" in r.stderr


def test_every_documented_key_is_known():
    """The README's configuration reference and the parser agree on the keys."""
    from helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for key in _KEYS:
        assert f"`{key}`" in section, key


def test_mem000_is_a_known_code_but_syntax_errors_are_always_reported(repo):
    write(repo / "pyproject.toml", '[tool.memlint]\nignore = ["MEM000"]\n')
    write(repo / "pkg" / "broken.py", "def f(:\n")
    assert found("pkg") == [("pkg/broken.py", "MEM000"), ("pkg/core.py", "MEM017")]
    assert ("pkg/broken.py", "MEM000") in found("pkg", "--ignore", "MEM000")


def test_an_empty_selection_is_a_warning(repo):
    """Nothing selected is almost always a mistake: say so rather than report a clean run silently."""
    warning = "memlint: warning: no rule is selected (see --select, --ignore and select/ignore in the configuration)"
    r = memlint_cli("--select", "", "pkg")
    assert (r.exit_code, r.stderr.splitlines()) == (0, [warning])
    write(repo / "pyproject.toml", '[tool.memlint]\nignore = ["MEM"]\n')
    r = memlint_cli("pkg")
    assert (r.exit_code, r.stderr.splitlines()) == (0, [warning])
    assert memlint_cli("--quiet", "pkg").stderr == ""
    assert memlint_cli("--select", "MEM000", "pkg").stderr == ""  # syntax errors only: a choice, not a mistake
