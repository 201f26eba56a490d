"""The terminal format: ``path:line:col: CODE [*] message``, then a summary; colour only on a TTY."""

from __future__ import annotations

from collections import defaultdict

import click

from memlint import catalog
from memlint.facts.numpy_api import format_bytes
from memlint.findings import SAFE, UNSAFE


def render(findings: list, *, fixed: int = 0, show_unsafe_hint: bool = True, statistics: bool = False,
           quiet: bool = False, color: bool = False, **_) -> str:
    def style(s, **kw):
        return click.style(s, **kw) if color else s

    if statistics:
        return _statistics(findings)
    lines = []
    for f in findings:
        marker = " [*]" if f.fix and f.fix.applicability == SAFE else ""
        where = style(f"{f.path}:{f.line}:{f.column}:", bold=True)
        lines.append(f"{where} {style(f.code, fg='red', bold=True)}{marker} {f.message}")
    if quiet:
        return "\n".join(lines) + ("\n" if lines else "")
    safe = sum(1 for f in findings if f.fix and f.fix.applicability == SAFE)
    unsafe = sum(1 for f in findings if f.fix and f.fix.applicability == UNSAFE)
    if lines:
        lines.append("")
    if fixed:
        lines.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.")
    if findings:
        lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}.")
        if safe:
            lines.append(f"[*] {safe} fixable with the `--fix` option.")
        if unsafe and show_unsafe_hint:
            lines.append(f"{unsafe} more fix{'es' if unsafe != 1 else ''} available with `--fix --unsafe-fixes`.")
    elif not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


def _statistics(findings: list) -> str:
    """One row per rule: count, code, name, fixable marker and the estimated bytes at stake where known."""
    docs = catalog.load()
    by_code = defaultdict(list)
    for f in findings:
        by_code[f.code].append(f)
    rows = []
    for code, group in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        name = docs[code].name if code in docs else ""
        fixable = "[*]" if any(f.fix and f.fix.applicability == SAFE for f in group) else "   "
        known = [f.estimated_bytes for f in group if f.estimated_bytes is not None]
        at_stake = f"  {format_bytes(sum(known))} at stake" if known else ""
        rows.append(f"{len(group):5d}\t{code}\t{fixable} {name}{at_stake}")
    return "\n".join(rows) + ("\n" if rows else "")
