"""Source text: lines as Python counts them, ``ast`` positions as characters, and libcst rewrites of one node.

The bottom of the fix path: the rule context builds fixes with it (``FileContext.rewrite``) and the fix
module applies them with it, so neither needs the other.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from collections import Counter
from typing import Callable, Optional


def split_lines(text: str) -> list[str]:
    """Lines as Python counts them (ends kept): only \\n, \\r\\n and \\r end a line. str.splitlines also splits
    at form feeds and other Unicode breaks, which would shift every position after one."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


class SourceText:
    """A decoded file and the conversion from ``ast`` positions (UTF-8 byte columns) to characters."""

    def __init__(self, text: str):
        self.text = text

    # Computed on first use: most files have nothing to report, and splitting costs a third of a parse.
    @functools.cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @functools.cached_property
    def line_starts(self) -> list[int]:
        starts, pos = [], 0
        for line in self.lines:
            starts.append(pos)
            pos += len(line)
        starts.append(pos)
        return starts

    def char_col(self, line: int, byte_col: int) -> int:
        """0-based character column of a 0-based UTF-8 byte column on a 1-based line."""
        if line > len(self.lines):
            return byte_col
        s = self.lines[line - 1]
        return byte_col if s.isascii() else len(s.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> tuple[int, int, int, int]:
        """(line, col, end_line, end_col) of a node: 1-based lines, 0-based character columns."""
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        end_col = node.col_offset if end_col is None else end_col
        return (node.lineno, self.char_col(node.lineno, node.col_offset), end_line, self.char_col(end_line, end_col))

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def segment(self, node: ast.AST) -> str:
        line, col, end_line, end_col = self.span(node)
        return self.text[self.offset(line, col) : self.offset(end_line, end_col)]


def cst_rewrite(segment: str, is_statement: bool, transform: Callable) -> Optional[str]:
    """Parse one node's source with libcst, transform it, and render it back; None if libcst cannot.

    libcst is imported here only, and only when a fix is built: a run that has nothing to fix never pays for it.
    """
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
    except (cst.ParserSyntaxError, ValueError, TypeError, AttributeError, RecursionError):
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
