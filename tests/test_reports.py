"""The report formats other tools consume: json, github, sarif (validated against the official schema), gitlab."""

from __future__ import annotations

import json

import jsonschema
import pytest
from helpers import SARIF_SCHEMA, memlint_cli, validate_sarif

from memlint import __version__, catalog

SCHEMA = SARIF_SCHEMA

CODE = """\
import numpy as np

grid = np.full((1000, 1000), 0.0)
unknown = np.full(shape, 0.0)
small = np.full((3,), 0.0)
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "grid.py").write_text(CODE)
    (tmp_path / "src" / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "src" / "my data,v1.py").write_text("import numpy as np\nz = np.full((1000, 1000), 0.0)\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    r = memlint_cli(*args)
    assert r.exit_code == 1, r.stderr
    return r


def test_json_fields_exactly_as_documented(project):
    findings = json.loads(run("--output-format", "json", "src").stdout)
    assert isinstance(findings, list)
    keys = [
        "code",
        "name",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "estimated_bytes",
        "fingerprint",
        "fix",
        "cell",
    ]
    assert all(list(f) == keys for f in findings)
    assert all(f["cell"] is None for f in findings)  # a notebook's findings name their cell
    by_line = {(f["path"], f["line"]): f for f in findings}
    grid = by_line[("src/grid.py", 3)]
    assert grid["code"] == "MEM017" and grid["name"] == "full-zeros"
    assert (grid["column"], grid["end_line"], grid["end_column"]) == (8, 3, 34)  # 1-based, end exclusive
    assert grid["estimated_bytes"] == 8_000_000
    assert grid["fix"] == {
        "applicability": "safe",
        "message": "Replace with np.zeros",
        "edits": [{"line": 3, "column": 8, "end_line": 3, "end_column": 34, "content": "np.zeros((1000, 1000))"}],
    }
    assert len(grid["fingerprint"]) == 20
    assert by_line[("src/grid.py", 4)]["estimated_bytes"] is None  # size unknown: null, still reported
    syntax = by_line[("src/broken.py", 1)]
    assert syntax["code"] == "MEM000" and syntax["name"] == "syntax-error" and syntax["fix"] is None
    # Columns count characters (like the text format), and a fix's edit replaces exactly the flagged text.
    line = CODE.splitlines()[2]
    assert line[grid["column"] - 1 : grid["end_column"] - 1] == "np.full((1000, 1000), 0.0)"


def test_json_columns_are_characters_not_bytes(project):
    (project / "src" / "grid.py").write_text("import numpy as np\nnamé = 'é'; g = np.full((1000, 1000), 0.0)\n")
    (f,) = [f for f in json.loads(run("--output-format", "json", "src/grid.py").stdout)]
    line = "namé = 'é'; g = np.full((1000, 1000), 0.0)"
    assert line[f["column"] - 1 : f["end_column"] - 1] == "np.full((1000, 1000), 0.0)"


def test_empty_json_is_an_empty_array(project):
    r = memlint_cli("--output-format", "json", "--select", "MEM017", "src/my data,v1.py", "--ignore", "MEM017")
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])


def test_github_workflow_commands_and_nothing_else_on_stdout(project):
    r = run("--output-format", "github", "src")
    lines = r.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith(("::warning file=", "::error file=")) for line in lines)
    assert (
        "::warning file=src/grid.py,line=3,col=8,endLine=3,endColumn=34,title=MEM017 (full-zeros)::"
        "np.full with a zero fill writes its 7.6 MiB into memory at once; np.zeros gives the same float64 "
        "array and the OS maps its pages only when they are written"
    ) in lines
    # Property values escape ',' and ':' (the file name has a comma), per the workflow-command rules.
    assert any(line.startswith("::warning file=src/my data%2Cv1.py,line=2,col=5,") for line in lines)
    # A file that does not parse is an error annotation (GitHub counts errors apart from warnings), first.
    assert lines[0].startswith("::error file=src/broken.py,") and "title=MEM000 (syntax-error)::SyntaxError" in lines[0]


def test_github_format_keeps_stdout_clean_with_errors_and_fixes(project):
    (project / "src" / "bin.py").write_bytes(b"\x00\x01binary")
    r = memlint_cli("--output-format", "github", "--fix", "src")
    assert r.exit_code == 2  # the binary file is an error
    assert all(line.startswith(("::warning ", "::error ")) for line in r.stdout.splitlines())
    assert "src/bin.py" in r.stderr


def sarif(*args) -> dict:
    return json.loads(run("--output-format", "sarif", *args).stdout)


validate = validate_sarif


def test_sarif_is_valid_against_the_official_2_1_0_schema(project):
    log = sarif("src")
    validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_schema_rejects_what_it_should():
    """The vendored schema is the real one: it refuses a log that breaks it (so the test above can fail)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "memlint", "bogus": 1}}}]})
    with pytest.raises(jsonschema.ValidationError):
        validate(
            {
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {"driver": {"name": "memlint"}},
                        "results": [
                            {
                                "message": {"text": "x"},
                                "locations": [{"physicalLocation": {"region": {"startLine": 0}}}],
                            }
                        ],
                    }
                ],
            }
        )


def test_sarif_content(project):
    (run_,) = sarif("src")["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "memlint" and driver["version"] == __version__
    docs = catalog.load()
    assert [r["id"] for r in driver["rules"]] == ["MEM000", "MEM017"]  # exactly the rules with results
    for rule in driver["rules"]:
        assert rule["name"] == docs[rule["id"]].name
        assert rule["shortDescription"]["text"] == docs[rule["id"]].summary
        assert rule["help"]["text"] == docs[rule["id"]].explain()
    results = run_["results"]
    assert len(results) == 4
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"]["memlint/v1"]
    grid = next(r for r in results if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3)
    loc = grid["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/grid.py"
    assert loc["region"] == {"startLine": 3, "startColumn": 8, "endLine": 3, "endColumn": 34}
    (fix,) = grid["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["replacements"] == [
        {"deletedRegion": loc["region"], "insertedContent": {"text": "np.zeros((1000, 1000))"}}
    ]
    assert grid["properties"]["estimatedBytes"] == 8_000_000
    unfixable = [r for r in results if r["ruleId"] == "MEM000"]
    assert unfixable and all("fixes" not in r for r in unfixable)
    # A path with a space and a comma is a valid URI reference.
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/my%20data%2Cv1.py" for r in results
    )


def test_sarif_with_no_findings_is_valid(project):
    r = memlint_cli("--output-format", "sarif", "--ignore", "MEM017", "src/grid.py")
    assert r.exit_code == 0
    log = json.loads(r.stdout)
    validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_absolute_paths_are_file_uris(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "far.py"
    elsewhere.write_text(CODE)
    log = sarif(str(elsewhere))
    validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {elsewhere.as_uri()}


def test_gitlab_code_quality(project):
    (project / "src" / "twice.py").write_text(
        "import numpy as np\na = np.full((1000, 1000), 0.0)\nb = np.full((1000, 1000), 0.0)\n"
    )
    report = json.loads(run("--output-format", "gitlab", "src").stdout)
    assert len(report) == 6
    for issue in report:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["positions"]["begin"]["line"] >= 1
    assert len({i["fingerprint"] for i in report}) == 6  # GitLab needs them unique, even for identical code
    assert {i["severity"] for i in report if i["check_name"] == "MEM000"} == {"major"}


def test_text_colour_only_when_asked_for_a_terminal(project):
    from memlint.findings import Finding
    from memlint.report import render

    f = Finding("MEM017", "msg", "src/grid.py", 3, 8, 3, 34)
    assert "\x1b[" in render("text", [f], color=True)
    assert render("text", [f], color=False).splitlines()[0] == "src/grid.py:3:8: MEM017 msg"


def test_text_report_one_finding_one_line_even_for_a_multi_line_statement(tmp_path, monkeypatch):
    """A message that quotes a statement spread over lines is folded: grep, editors and CI read one line each."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(
        "import numpy as np\n\n\ndef f():\n    a = np.ones((1000, 1000))\n    a = a * (\n        2.0)\n    return a\n"
    )
    for args in ((), ("--quiet",)):
        r = memlint_cli("--no-cache", *args, "m.py")
        assert r.exit_code == 1
        (line,) = [line for line in r.stdout.splitlines() if "MEM001" in line]
        assert line.startswith("m.py:6:5: MEM001 `a = a * ( 2.0)` allocates"), line
        assert r.stdout.count("m.py:") == 1
    (finding,) = json.loads(memlint_cli("--no-cache", "--output-format", "json", "m.py").stdout)
    assert "(\n        2.0)" in finding["message"]  # machine formats keep the message as it is
