"""GitHub Actions: workflow commands that become annotations, and the job's Markdown step summary.

GitHub shows at most 10 warnings and 10 errors per step (50 per job) on a pull request, so the annotations
come in the order a reviewer should read them: syntax errors (``::error``) first, then the findings with the
most bytes at stake, findings of unknown size last (in file order). The step summary has every count.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from memlint import catalog
from memlint.facts.numpy_api import format_bytes
from memlint.findings import PARSE_ERROR, SAFE, UNSAFE

TOP_FINDINGS = 10  # as many as GitHub shows as annotations


def _name(code: str) -> str:
    doc = catalog.load().get(code)
    return doc.name if doc else code


def by_stake(findings: list) -> list:
    """Syntax errors first, then the most bytes at stake; unknown sizes last; file order breaks ties."""
    return sorted(findings, key=lambda f: (f.code != PARSE_ERROR, -(f.estimated_bytes or -1), f.sort_key()))


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(findings: list, **_) -> str:
    lines = []
    for f in by_stake(findings):
        # A notebook's finding: the .ipynb lines holding its source, no columns; the cell position leads the message.
        line, column, end_line, end_column = f.file_region()
        props = f"file={_escape_property(f.path)},line={line}," + (f"col={column}," if column else "")
        props += f"endLine={end_line}," + (f"endColumn={end_column}," if end_column else "")
        props += f"title={_escape_property(f'{f.code} ({_name(f.code)})')}"
        level = "error" if f.code == PARSE_ERROR else "warning"
        lines.append(f"::{level} {props}::{_escape_data(f.cell_prefix() + f.message)}")
    return "".join(line + "\n" for line in lines)


def _link(path: str, line: int, env) -> str:
    """The file at the checked commit on GitHub, or "" outside a workflow (or for a file outside the
    workspace, or an unknown commit)."""
    repo, sha = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    if not repo or not sha:
        return ""
    workspace = env.get("GITHUB_WORKSPACE") or os.getcwd()
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(workspace))
    if rel.startswith(".."):
        return ""
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    return f"{server}/{repo}/blob/{sha}/{quote(Path(rel).as_posix())}#L{line}"


def _cell(s: str) -> str:
    """Text safe inside a Markdown table cell."""
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _stake(total, sized: int, count: int) -> str:
    if total is None:
        return "unknown"
    return ("at least " if sized < count else "") + format_bytes(total)


def step_summary(findings: list, errors: list = (), fixed: int = 0, unsafe_fixes: bool = False, env=None) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``: totals, counts per rule, the top findings with links."""
    env = os.environ if env is None else env
    fixable = (SAFE, UNSAFE) if unsafe_fixes else (SAFE,)
    out = ["## memlint", ""]
    sized = [f.estimated_bytes for f in findings if f.estimated_bytes is not None]
    total = sum(sized) if sized else None
    memory = sum(1 for f in findings if f.code != PARSE_ERROR)  # a syntax error has no bytes to count
    if findings:
        files = len({f.path for f in findings})
        s = "" if len(findings) == 1 else "s"
        out.append(
            f"**{len(findings)} finding{s}** in {files} file{'' if files == 1 else 's'}, "
            f"**{_stake(total, len(sized), memory)} at stake**"
            + (" (the sum over the findings whose size memlint could work out)." if total is not None else ".")
        )
    else:
        out.append("No findings." if not errors else "No findings, but not every file was checked (see below).")
    if fixed:
        out += ["", f"Fixed {fixed} finding{'' if fixed == 1 else 's'}."]
    if findings:
        by_code = defaultdict(list)
        for f in findings:
            by_code[f.code].append(f)
        out += ["", "| rule | findings | fixable | bytes at stake |", "| --- | --- | ---: | ---: |"]
        for code, group in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            known = [f.estimated_bytes for f in group if f.estimated_bytes is not None]
            n_fix = sum(1 for f in group if f.fix and f.fix.applicability in fixable)
            stake = _stake(sum(known) if known else None, len(known), len(group))
            out.append(f"| {code} {_name(code)} | {len(group)} | {n_fix} | {stake} |")
        top = by_stake(findings)[:TOP_FINDINGS]
        title = "Top findings" if len(findings) > len(top) else "Findings"
        out += ["", f"### {title}", "", "| bytes at stake | where | finding |", "| ---: | --- | --- |"]
        for f in top:
            where = f"{f.path}:cell {f.cell}:{f.line}" if f.cell is not None else f"{f.path}:{f.line}"
            link = _link(f.path, f.file_region()[0], env)
            where = f"[{_cell(where)}]({link})" if link else f"`{_cell(where)}`"
            size = format_bytes(f.estimated_bytes) if f.estimated_bytes is not None else ""
            out.append(f"| {size} | {where} | {f.code} {_cell(f.message)} |")
        if len(findings) > len(top):
            out += ["", f"and {len(findings) - len(top)} more: run `memlint check` locally for all of them."]
    if errors:
        out += ["", "### Errors", ""] + [f"- {_cell(e)}" for e in errors]
    return "\n".join(out) + "\n"


def append_step_summary(path: str, markdown: str) -> None:
    """Append to the summary file GitHub gives the step (other steps may have written to it already)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(markdown + "\n")
