"""What a rule sees of one file: its tree, its facts, its configuration, and ``report``."""

from __future__ import annotations

import ast
import functools
import re
from typing import Callable, Optional

from memlint.facts.imports import ImportMap
from memlint.facts.tree import MARKER_TYPES, TreeIndex
from memlint.findings import Edit, Finding, Fix


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


class FileContext:
    def __init__(
        self, path: str, source: SourceText, tree: ast.Module, config, module_name: str = "", is_package: bool = False
    ):
        self.path = path
        self.source = source
        self.tree = tree
        self.config = config
        self.module_name = module_name
        self.is_package = is_package
        self.findings: list[Finding] = []
        self.rule_code = ""  # set by the engine while a rule runs

    @functools.cached_property
    def imports(self) -> ImportMap:
        return ImportMap(self.tree, self.module_name, self.is_package, self.nodes(*ImportMap.NODE_TYPES))

    @functools.cached_property
    def _index(self) -> TreeIndex:
        return TreeIndex(self.tree)

    def nodes(self, *types: type) -> list:
        """Every node of these exact ``ast`` types in the file, each type's in ``ast.walk`` order.

        One walk of the tree, shared by every rule and fact: prefer ``ctx.nodes(ast.Call)`` to
        ``ast.walk(ctx.tree)``, which costs a parse each time (pandas: 3.6 million nodes). The shared
        context and operator markers (``ast.Load``, ``ast.Add``...) are not indexed: read them from their node.
        """
        if any(issubclass(t, MARKER_TYPES) for t in types):
            raise TypeError("ctx.nodes does not index ast.Load, ast.Add... (read node.ctx, node.op)")
        return self._index.nodes(*types)

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        """The node whose child ``node`` is (None for the module)."""
        return self._index.parent(node)

    def scope_of(self, node: ast.AST) -> Optional[ast.AST]:
        """The function, lambda or module whose code evaluates ``node``; None inside a class body or a
        comprehension, whose names are their own."""
        return self._index.scope_of(node)

    @functools.cached_property
    def arrays(self):
        """Per-function array facts (dtype, shape, ownership, aliases), computed on first use."""
        from memlint.facts.arrays import ArrayFacts

        return ArrayFacts(self)

    def qualname(self, node: ast.AST) -> Optional[str]:
        return self.imports.qualname(node)

    def release(self) -> None:
        """Drop the tree and every fact, once the rules are done with the file. The facts refer back to the
        context, so left alone the whole tree waits for a cyclic collection, which must scan all of it."""
        findings = self.findings
        self.__dict__.clear()
        self.findings = findings

    def option(self, name: str):
        return self.config.option(self.rule_code, name)

    def is_large(self, nbytes: Optional[int]) -> bool:
        return nbytes is not None and nbytes >= self.config.min_array_bytes

    def report(
        self,
        node: ast.AST,
        message: str,
        estimated_bytes: Optional[int] = None,
        fix: Optional[Fix] = None,
        code: Optional[str] = None,
    ) -> None:
        line, col, end_line, end_col = self.source.span(node)
        self.findings.append(
            Finding(
                code=code or self.rule_code,
                message=message,
                path=self.path,
                line=line,
                column=col + 1,
                end_line=end_line,
                end_column=end_col + 1,
                estimated_bytes=estimated_bytes,
                fix=fix,
                snippet=self.source.segment(node)[:400],
            )
        )

    # --- building fixes -----------------------------------------------------------------------------

    def edit(self, node: ast.AST, content: str) -> Edit:
        """Replace a node's exact source text."""
        line, col, end_line, end_col = self.source.span(node)
        return Edit(line, col + 1, end_line, end_col + 1, content)

    def insert(self, line: int, col: int, content: str) -> Edit:
        """Insert text at a 1-based line and 0-based character column."""
        return Edit(line, col + 1, line, col + 1, content)

    def rewrite(self, node: ast.AST, transform: Callable, applicability: str, message: str) -> Optional[Fix]:
        """A fix that rewrites one node with libcst: ``transform`` maps the node's libcst form to a new one.

        Everything outside the node is untouched, and inside it libcst keeps comments and formatting.
        Returns None where libcst cannot take the node on its own (the finding is then reported unfixed).
        """
        from memlint.fix import cst_rewrite

        content = cst_rewrite(self.source.segment(node), isinstance(node, ast.stmt), transform)
        if content is None:
            return None
        return Fix(applicability, message, (self.edit(node, content),))
