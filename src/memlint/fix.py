"""Writing fixes: libcst rewrites of single nodes, edits applied to text, diffs, atomic writes.

libcst is imported here only, and only when a fix is built: a run that has nothing to fix never pays for it.
"""

from __future__ import annotations

import ast
import difflib
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Optional

from memlint.findings import Edit


def cst_rewrite(segment: str, is_statement: bool, transform: Callable) -> Optional[str]:
    """Parse one node's source with libcst, transform it, and render it back; None if libcst cannot."""
    import libcst as cst

    try:
        if not is_statement:
            node = cst.parse_expression(segment)
            return cst.Module([]).code_for_node(transform(node))
        if "\n" in segment.rstrip("\n"):
            return None  # a multi-line statement depends on indentation outside the segment
        line = cst.parse_statement(segment)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            line = line.with_changes(body=[transform(line.body[0])])
        else:
            line = transform(line)
        return cst.Module([]).code_for_node(line).rstrip("\r\n")
    except (cst.ParserSyntaxError, ValueError, TypeError, AttributeError):
        return None


def apply_edits(text: str, edits: Iterable[tuple[int, Edit]], newline: str) -> tuple[str, set[int]]:
    """Apply the edits that do not overlap an earlier one; returns the text and the ids applied.

    ``edits`` pairs each edit with the id of its fix: a fix is applied whole or not at all.
    """
    from memlint.context import SourceText

    source = SourceText(text)
    by_fix: dict[int, list[tuple[int, int, str]]] = {}
    for fix_id, e in edits:
        start = source.offset(e.line, e.column - 1)
        end = source.offset(e.end_line, e.end_column - 1)
        by_fix.setdefault(fix_id, []).append((start, end, e.content.replace("\n", newline)))
    taken: list[tuple[int, int]] = []
    applied: set[int] = set()
    chosen = []
    for fix_id, spans in sorted(by_fix.items(), key=lambda kv: min(s for s, _, _ in kv[1])):
        if any(s < te and ts < e or s == e == ts == te for s, e, _ in spans for ts, te in taken):
            continue  # overlaps: left for the next round, on the rewritten text
        taken += [(s, e) for s, e, _ in spans]
        chosen += spans
        applied.add(fix_id)
    for start, end, content in sorted(chosen, key=lambda t: (t[0], t[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


def newline_of(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's contents in one rename, keeping its permission bits."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".memlint", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
