"""Every rule's catalog entry tells the truth about the code: its example is reported, its `use_instead` is
not, and the best fix the catalog states ("safe", "unsafe", "none") is the one the rule emits on the example."""

from __future__ import annotations

import pytest
from helpers import config, write_project

from memlint import catalog
from memlint.engine import run
from memlint.findings import PARSE_ERROR, SAFE, UNSAFE

RULES = [code for code in catalog.load() if code != PARSE_ERROR]


def findings(tmp_path, code: str, source: str) -> list:
    """The rule's findings on ``source`` as a one-file project (project-wide rules see it whole), every rule
    enabled (MEM100 judges a `# noqa: MEM017` only where MEM017 ran)."""
    write_project(tmp_path, {"example.py": source})
    return [f for f in run([tmp_path], config(select=["MEM", code]), use_cache=False).findings if f.code == code]


def best_fix(found: list) -> str:
    kinds = {f.fix.applicability for f in found if f.fix is not None}
    return SAFE if SAFE in kinds else UNSAFE if UNSAFE in kinds else "none"


def test_every_rule_is_covered():
    assert len(RULES) >= 17 and all(code.startswith("MEM") for code in RULES)


@pytest.mark.parametrize("code", RULES)
def test_the_catalog_example_is_reported_with_the_stated_fix(tmp_path, code):
    doc = catalog.load()[code]
    found = findings(tmp_path / "example", code, doc.example)
    assert found, f"{code}: its catalog example is not reported"
    assert best_fix(found) == doc.fix, f"{code}: the catalog says fix = {doc.fix!r}"
    assert findings(tmp_path / "use_instead", code, doc.use_instead) == [], f"{code}: use_instead is reported"


@pytest.mark.parametrize("code", RULES)
def test_the_catalog_cites_only_what_a_user_has(code):
    doc = catalog.load()[code]
    for reference in doc.references:
        assert reference.startswith(("https://", "bench/")), reference
        if reference.startswith("bench/"):
            assert (catalog.rules_dir().parent / reference.split()[0]).is_file(), reference


@pytest.mark.parametrize("code", [c for c in RULES if c != "MEM100"])  # MEM100 (an unused noqa) costs nothing
def test_every_cost_is_measured_by_the_projects_own_command(code):
    """Each rule's "Measured" section is the text `python bench/catalog.py CODE` writes (the README's command):
    its example and use_instead run by memlint measure, the figures named."""
    measured = " ".join(catalog.load()[code].measured.split())
    assert measured.startswith(f"Measured by `python bench/catalog.py {code}` (memlint measure;"), code
    assert "the example peaks at" in measured and "`use_instead` at" in measured, code
