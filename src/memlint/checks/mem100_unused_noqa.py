"""MEM100 unused-noqa: a ``# noqa: MEMxxx`` that silences nothing any more (ruff's RUF100).

Off unless selected (``--extend-select MEM100``). It is judged in the filter stage, where every finding of
a file and its suppression comments meet (``unused_noqa``), not on the syntax tree: ``check`` has nothing to
do. A code is judged only when memlint ran every rule it names on that file: codes of other tools (``E501``)
and of rules not enabled there are left alone, and so are the project-wide rules' codes (MEM003, MEM004),
which a fix round does not re-run. The safe fix removes the unused codes, or the whole directive when none
is left (another comment on the line stays).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule, all_rules
from memlint.findings import SAFE, Edit, Finding, Fix

if TYPE_CHECKING:
    from memlint.config import Config
    from memlint.suppress import Suppressions

CODE = "MEM100"


class UnusedNoqa(Rule):
    code = CODE


def unused_noqa(
    findings: Iterable[Finding], suppressions: Mapping[str, Optional[Suppressions]], config: Config
) -> list[Finding]:
    """MEM100 findings for every file's noqa comments whose memlint codes silence no finding."""
    from memlint.suppress import _NOQA, fingerprint

    found: dict[str, dict[int, set[str]]] = {}  # path -> line -> codes found there
    for f in findings:
        found.setdefault(f.path, {}).setdefault(f.line, set()).add(f.code)
    out: list[Finding] = []
    for path, s in suppressions.items():
        # A notebook's comments are read in its cells joined as one module: not judged (its edits would land
        # on the wrong lines).
        if s is None or not s.noqa or path.endswith(".ipynb"):
            continue
        governing = config.for_path(path)
        if not governing.enabled(CODE, path):
            continue
        for line, (code_end, column, comment) in sorted(s.noqa.items()):
            m = _NOQA.search(comment)
            if m is None:  # never: a comment is kept in s.noqa because it matched
                continue
            codes = [c for c in re.split(r"[\s,]+", m.group("codes")) if c]
            here = found.get(path, {}).get(line, ())
            unused = [c for c in codes if _judged(c.upper(), path, governing) and not _silences(c.upper(), here)]
            if not unused or any(CODE.startswith(c.upper()) for c in codes):  # listing MEM100 itself keeps it
                continue
            kept = [c for c in codes if c not in unused]
            start = column
            if kept:
                new = comment[: m.start("codes")] + ", ".join(kept) + comment[m.end("codes") :]
                what, how = f"unused codes in noqa directive: {', '.join(unused)}", "Remove the unused codes"
            else:
                rest = (comment[: m.start()] + comment[m.end() :]).strip()
                new = "" if rest in ("", "#") else rest if rest.startswith("#") else f"# {rest}"
                what, how = f"unused noqa directive: {', '.join(unused)} (nothing to silence)", "Remove it"
                if not new:
                    start = code_end  # the blanks before the comment go with it
            edit = Edit(line, start + 1, line, column + 1 + len(comment), new)
            out.append(
                Finding(
                    CODE,
                    what,
                    path,
                    line,
                    column + 1,
                    line,
                    column + 1 + len(comment),
                    fix=Fix(SAFE, how, (edit,)),
                    snippet=comment,
                    fingerprint=fingerprint(CODE, path, comment),
                )
            )
    return out


def _silences(code: str, found: Collection[str]) -> bool:
    return any(f.startswith(code) for f in found)


def _judged(code: str, path: str, config: Config) -> bool:
    """Whether memlint can tell if ``code`` (a code or prefix) is used: a memlint code whose rules all ran
    on this file, per file (not project-wide)."""
    if not code.startswith("MEM") or CODE.startswith(code):
        return False
    covered = [rule for c, rule in all_rules().items() if c.startswith(code)]
    return bool(covered) and all(config.enabled(r.code, path) and not r.is_project_rule for r in covered)
