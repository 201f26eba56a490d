"""The terminal formats, then a summary; colour only on a terminal (or as NO_COLOR/FORCE_COLOR say).

``concise``: one line per finding, ``path:line:col: CODE [*] message`` (``path:cell N:line:col:`` in a
notebook, as ruff writes it). ``full``: that line, then the source
lines with a caret under the span, the fix's help and, for a finding with a fix, the fix as a small diff
(ruff's ``full``). ``[*]`` marks a finding that ``--fix`` would fix: safe fixes always, unsafe ones when
unsafe fixes are on.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from typing import Callable, Optional

import click

from memlint import catalog
from memlint.facts.numpy_api import format_bytes
from memlint.findings import SAFE, UNSAFE
from memlint.notebook import cell_source

_ONE_LINE = re.compile(r"[ \t]*[\r\n]+[ \t]*")


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
    errors: list = (),
    fixes: Optional[dict] = None,
    fix_only: bool = False,
    **_,
) -> str:
    """The concise format. ``fixes``: display path -> Counter of fixes applied per code (``--show-fixes``);
    ``fix_only``: ``--fix-only``, where what is left is not reported."""
    return _render(
        findings, fixed, unsafe_fixes, statistics, quiet, color, errors, lambda f, style: [], fixes, fix_only
    )


def render_full(findings: list, *, source: Optional[Callable] = None, **options) -> str:
    """The full format: each finding's line, then its source with a caret under the span and its fix."""

    def details(f, style):
        text = source(f.path) if source is not None else None
        if text is not None and f.cell is not None:  # a notebook's positions are in the cell's source
            text = cell_source(text, f.path, f.cell)
        return _details(f, text, style) if text is not None else []

    o = {"fixed": 0, "unsafe_fixes": False, "statistics": False, "quiet": False, "color": False, "errors": ()}
    o.update((k, v) for k, v in options.items() if k in o)
    return _render(
        findings,
        o["fixed"],
        o["unsafe_fixes"],
        o["statistics"],
        o["quiet"],
        o["color"],
        o["errors"],
        details,
        options.get("fixes"),
        options.get("fix_only", False),
    )


def _render(findings, fixed, unsafe_fixes, statistics, quiet, color, errors, details, fixes, fix_only) -> str:
    def style(s, **kw):
        return click.style(s, **kw) if color else s

    if statistics:
        return render_statistics(findings, unsafe_fixes, fixes)
    fixable = (SAFE, UNSAFE) if unsafe_fixes else (SAFE,)
    lines = []
    for f in findings:
        marker = " [*]" if f.fix and f.fix.applicability in fixable else ""
        cell = f"cell {f.cell}:" if f.cell is not None else ""
        where = style(f"{f.path}:{cell}{f.line}:{f.column}:", bold=True)
        message = _ONE_LINE.sub(" ", f.message)  # a message quoting a multi-line statement: one finding, one line
        lines.append(f"{where} {style(f.code, fg='red', bold=True)}{marker} {message}")
        lines += details(f, style)
    if quiet:
        return "".join(line + "\n" for line in lines)
    will_fix = sum(1 for f in findings if f.fix and f.fix.applicability in fixable)
    hidden = sum(1 for f in findings if f.fix and f.fix.applicability == UNSAFE and not unsafe_fixes)
    if lines and lines[-1]:
        lines.append("")
    if fixes:
        lines += _fixes_by_file(fixes) + [""]
    if fixed and not fixes:
        lines.append(f"Fixed {_plural(fixed, 'finding')}.")
    if fix_only:
        if not fixed:
            lines.append("Nothing to fix.")
    elif findings:
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
        lines.append(f"No findings, but {_plural(len(errors), 'error')} (see above): not every file was checked.")
    elif not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


_MAX_SPAN_LINES = 6  # a longer span shows its first lines and "..."


def _details(f, text: str, style) -> list:
    """The lines under a finding in the full format: source, caret, help, the fix as a diff."""
    from memlint.source import split_lines

    source = [line.rstrip("\r\n") for line in split_lines(text)]
    if not source:
        return []
    first = min(f.line, len(source))
    last = min(max(f.end_line, first), len(source), first + _MAX_SPAN_LINES - 1)
    width = len(str(last))
    gutter = " " * width + " |"
    out = [style(gutter, fg="blue")]
    for n in range(first, last + 1):
        line = source[n - 1]
        out.append(f"{style(f'{n:>{width}} |', fg='blue')} {line}".rstrip())
        if n == first:
            start = min(f.column - 1, len(line))
            end = f.end_column - 1 if f.end_line == f.line else len(line)
            # The caret line copies the line's tabs so the caret sits under the span in any tab width.
            pad = "".join(c if c == "\t" else " " for c in line[:start])
            carets = "^" * max(min(end, len(line)) - start, 1)
            out.append(f"{style(gutter, fg='blue')} {pad}{style(carets + ' ' + f.code, fg='red', bold=True)}")
    if last < max(f.end_line, first):
        out.append(f"{style(gutter, fg='blue')} ...")
    out.append(style(gutter, fg="blue"))
    if f.fix is not None:
        out.append(f"{' ' * width} = help: {f.fix.message}")
        out += _fix_diff(f, text, style)
    out.append("")
    return out


def _fix_diff(f, text: str, style) -> list:
    """The fix as the changed lines only: ``-`` old lines with their numbers, ``+`` new ones."""
    from memlint.fix import apply_edits, newline_of
    from memlint.source import split_lines

    new, applied = apply_edits(text, ((0, e) for e in f.fix.edits), newline_of(text))
    if not applied:
        return []
    before = [line.rstrip("\r\n") for line in split_lines(text)]
    after = [line.rstrip("\r\n") for line in split_lines(new)]
    kind = "Safe fix" if f.fix.applicability == SAFE else "Unsafe fix (applied with `--fix --unsafe-fixes`)"
    out = ["", kind]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        width = len(str(max(i2, j2)))
        out += [style(f"{i:>{width}} - {before[i - 1]}".rstrip(), fg="red") for i in range(i1 + 1, i2 + 1)]
        out += [style(f"{j:>{width}} + {after[j - 1]}".rstrip(), fg="green") for j in range(j1 + 1, j2 + 1)]
    return out


def _fixes_by_file(fixes: dict) -> list:
    """``--show-fixes``: what --fix changed, per file, as ruff lists it."""
    docs = catalog.load()
    total = sum(sum(c.values()) for c in fixes.values())
    out = [f"Fixed {_plural(total, 'finding')}:"]
    for path in sorted(fixes):
        out.append(f"- {path}:")
        for code, n in sorted(fixes[path].items(), key=lambda kv: (-kv[1], kv[0])):
            name = docs[code].name if code in docs else code
            out.append(f"    {n} × {code} ({name})")
    return out


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


def render_statistics(findings: list, unsafe_fixes: bool = False, fixes: Optional[dict] = None) -> str:
    """One row per rule of what is left; after ``--fix``, then the count of what was fixed, per rule."""
    rows = statistics_rows(findings, unsafe_fixes)
    fixed: Counter = sum((Counter(c) for c in (fixes or {}).values()), Counter())
    tail = []
    if fixed:
        per_rule = ", ".join(f"{n} {code}" for code, n in sorted(fixed.items(), key=lambda kv: (-kv[1], kv[0])))
        tail = [f"Fixed {_plural(sum(fixed.values()), 'finding')} ({per_rule})."]
    if not rows:
        return "".join(line + "\n" for line in tail)
    width = max(len(r["name"]) for r in rows)
    out = []
    for r in rows:
        marker = "[*]" if r["fixable"] else "   "
        stake = ""
        if r["estimated_bytes"] is not None:
            least = "at least " if r["sized"] < r["count"] else ""  # some sizes unknown: a lower bound
            stake = f"{least}{format_bytes(r['estimated_bytes'])} at stake"
        out.append(f"{r['count']:5d}  {r['code']}  {marker} {r['name']:<{width}}  {stake}".rstrip())
    return "\n".join(out + tail) + "\n"
