"""The terminal format: ``path:line:col: CODE [*] message``, then a summary; colour only on a TTY.

``[*]`` marks a finding that ``--fix`` would fix: safe fixes always, unsafe ones when unsafe fixes are on.
"""

from __future__ import annotations

from collections import defaultdict

import click

from memlint import catalog
from memlint.facts.numpy_api import format_bytes
from memlint.findings import SAFE, UNSAFE


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def render(
    findings: list,
    *,
    fixed: int = 0,
    unsafe_fixes: bool = False,
    statistics: bool = False,
    quiet: bool = False,
    color: bool = False,
    errors: int = 0,
    **_,
) -> str:
    def style(s, **kw):
        return click.style(s, **kw) if color else s

    if statistics:
        return render_statistics(findings, unsafe_fixes)
    fixable = (SAFE, UNSAFE) if unsafe_fixes else (SAFE,)
    lines = []
    for f in findings:
        marker = " [*]" if f.fix and f.fix.applicability in fixable else ""
        where = style(f"{f.path}:{f.line}:{f.column}:", bold=True)
        lines.append(f"{where} {style(f.code, fg='red', bold=True)}{marker} {f.message}")
    if quiet:
        return "".join(line + "\n" for line in lines)
    will_fix = sum(1 for f in findings if f.fix and f.fix.applicability in fixable)
    hidden = sum(1 for f in findings if f.fix and f.fix.applicability == UNSAFE and not unsafe_fixes)
    if lines:
        lines.append("")
    if fixed:
        lines.append(f"Fixed {_plural(fixed, 'finding')}.")
    if findings:
        lines.append(f"Found {_plural(len(findings), 'finding')}.")
        if will_fix:
            option = "`--fix --unsafe-fixes`" if unsafe_fixes else "`--fix`"
            lines.append(f"[*] {will_fix} fixable with {option}.")
        if hidden:
            more = "more fix" if will_fix else "fix"
            lines.append(
                f"{_plural(hidden, more, more.replace('fix', 'fixes'))} available with `--fix --unsafe-fixes`."
            )
    elif errors:
        lines.append(f"No findings, but {_plural(errors, 'error')} (see above): not every file was checked.")
    elif not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


def statistics_rows(findings: list, unsafe_fixes: bool = False) -> list[dict]:
    """One row per rule, most frequent first: count, name, whether --fix fixes it, bytes at stake."""
    docs = catalog.load()
    fixable = (SAFE, UNSAFE) if unsafe_fixes else (SAFE,)
    by_code = defaultdict(list)
    for f in findings:
        by_code[f.code].append(f)
    rows = []
    for code, group in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        known = [f.estimated_bytes for f in group if f.estimated_bytes is not None]
        rows.append(
            {
                "code": code,
                "name": docs[code].name if code in docs else "",
                "count": len(group),
                "fixable": sum(1 for f in group if f.fix and f.fix.applicability in fixable),
                # The sum over findings whose size is known; null when none is.
                "estimated_bytes": sum(known) if known else None,
                "sized": len(known),  # how many findings the byte total covers
            }
        )
    return rows


def render_statistics(findings: list, unsafe_fixes: bool = False) -> str:
    rows = statistics_rows(findings, unsafe_fixes)
    if not rows:
        return ""
    width = max(len(r["name"]) for r in rows)
    out = []
    for r in rows:
        marker = "[*]" if r["fixable"] else "   "
        stake = ""
        if r["estimated_bytes"] is not None:
            least = "at least " if r["sized"] < r["count"] else ""  # some sizes unknown: a lower bound
            stake = f"{least}{format_bytes(r['estimated_bytes'])} at stake"
        out.append(f"{r['count']:5d}  {r['code']}  {marker} {r['name']:<{width}}  {stake}".rstrip())
    return "\n".join(out) + "\n"
