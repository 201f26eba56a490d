"""Writing fixes: libcst rewrites of single nodes, edits applied to text, diffs, atomic writes.

libcst is imported here only, and only when a fix is built: a run that has nothing to fix never pays for it.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import re
import stat
import tempfile
import tokenize
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Callable, Optional

from memlint.findings import Edit

_NEWLINE = re.compile(r"\r\n|\r|\n")


def cst_rewrite(segment: str, is_statement: bool, transform: Callable) -> Optional[str]:
    """Parse one node's source with libcst, transform it, and render it back; None if libcst cannot."""
    import libcst as cst

    try:
        if not is_statement:
            node = cst.parse_expression(segment)
            new = cst.Module([]).code_for_node(transform(node))
        else:
            if "\n" in segment.rstrip("\n"):
                return None  # a multi-line statement depends on indentation outside the segment
            line = cst.parse_statement(segment)
            if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                line = line.with_changes(body=[transform(line.body[0])])
            else:
                line = transform(line)
            new = cst.Module([]).code_for_node(line).rstrip("\r\n")
    except (cst.ParserSyntaxError, ValueError, TypeError, AttributeError):
        return None
    # A fix never drops a comment: if the transform lost one, offer no fix rather than a lossy one.
    lost = Counter(_comments(segment)) - Counter(_comments(new))  # (Counter <= needs Python 3.10)
    return None if lost else new


def _comments(code: str) -> list[str]:
    try:
        return [
            t.string.strip() for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        return []


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
        by_fix.setdefault(fix_id, []).append((start, end, _NEWLINE.sub(newline, e.content)))
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
    """The file's line ending, from its first line: LF, CRLF or (old Mac) CR."""
    m = _NEWLINE.search(text)
    return m.group() if m else "\n"


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git diff``-style patch that ``patch -p1`` and ``git apply`` accept."""
    from memlint.context import split_lines

    lines = []
    for line in difflib.unified_diff(split_lines(before), split_lines(after), f"a/{path}", f"b/{path}"):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's contents in one rename, keeping its permission bits.

    A symbolic link is followed: the file it points to is rewritten and the link stays a link.
    """
    path = Path(os.path.realpath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not os.access(path, os.W_OK):  # a rename would replace a read-only file: respect it instead
        raise PermissionError(13, "Permission denied (the file is read-only)", str(path))
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
