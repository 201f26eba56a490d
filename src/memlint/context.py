"""What a rule sees of one file: its tree, its facts, its configuration, and ``report``."""

from __future__ import annotations

import ast
import functools
import re
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, overload

from memlint.facts.imports import ImportMap
from memlint.facts.tree import MARKER_TYPES, Loop, Scope, TreeIndex
from memlint.findings import Applicability, Edit, Finding, Fix
from memlint.source import SourceText, cst_rewrite
from memlint.suppress import fingerprint

if TYPE_CHECKING:  # for the type checker only: no import at run time, no cycle
    import libcst

    from memlint.config import Config
    from memlint.facts.arrays import ArrayFacts
    from memlint.facts.class_schema import FileClassFacts
    from memlint.facts.functions import FunctionIndex

Node = TypeVar("Node", bound=ast.AST)
Other = TypeVar("Other", bound=ast.AST)


class FileContext:
    """One file as the rules see it. A rule reads the tree, asks the facts (``imports``, ``arrays``, ``nodes``,
    ``parent``, ``scope_of``, ``qualname``) and calls ``report`` with a ``Fix`` built by ``edit``/``rewrite``."""

    def __init__(
        self,
        path: str,
        source: SourceText,
        tree: ast.Module,
        config: Config,
        module_name: str = "",
        is_package: bool = False,
    ):
        self.path = path
        self.source = source
        self.tree = tree
        self.config = config
        self.module_name = module_name
        self.is_package = is_package
        self.findings: list[Finding] = []
        self.rule_code = ""  # set by the engine while a rule runs
        self.cells: Optional[list] = None  # a notebook's cell map: messages name its lines by cell
        self.project_functions: Optional[FunctionIndex] = None  # the other files' functions (set by the engine)

    @functools.cached_property
    def imports(self) -> ImportMap:
        return ImportMap(self.tree, self.module_name, self.is_package, self.nodes(*ImportMap.NODE_TYPES))

    @functools.cached_property
    def _index(self) -> TreeIndex:
        return TreeIndex(self.tree)

    @overload
    def nodes(self, kind: type[Node], /) -> list[Node]: ...
    @overload
    def nodes(self, kind: type[Node], other: type[Other], /) -> list[Node | Other]: ...
    @overload
    def nodes(self, *types: type[ast.AST]) -> list[Any]: ...
    def nodes(self, *types: type[ast.AST]) -> list[Any]:
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

    def loops_around(self, node: ast.AST) -> list[Loop]:
        """The ``for`` and ``while`` loops whose body holds ``node``, innermost first, within its function (or
        lambda, class body, module)."""
        return self._index.loops_around(node)

    def scope_of(self, node: ast.AST) -> Optional[Scope]:
        """The function, lambda or module whose code evaluates ``node``; None inside a class body or a
        comprehension, whose names are their own."""
        return self._index.scope_of(node)

    @functools.cached_property
    def arrays(self) -> ArrayFacts:
        """Per-function array facts (dtype, shape, ownership, aliases), computed on first use."""
        from memlint.facts.arrays import ArrayFacts

        return ArrayFacts(self)

    @functools.cached_property
    def class_facts(self) -> FileClassFacts:
        """What this file tells the class index (MEM003, MEM004), scanned once on first use."""
        from memlint.facts.class_facts import file_facts

        return file_facts(self)

    def qualname(self, node: ast.AST) -> Optional[str]:
        return self.imports.qualname(node)

    def release(self) -> None:
        """Drop the tree and every fact, once the rules are done with the file. The facts refer back to the
        context, so left alone the whole tree waits for a cyclic collection, which must scan all of it."""
        findings = self.findings
        arrays = self.__dict__.get("arrays")
        if arrays is not None:
            arrays.release()
        self.__dict__.clear()
        self.findings = findings

    def where(self, line: int) -> str:
        """A line of this file as a message names it: ``line 30``, or ``cell 4, line 10`` in a notebook."""
        from memlint.notebook import cell_line

        at = cell_line(self.cells, line) if self.cells else None
        return f"cell {at[0]}, line {at[1]}" if at else f"line {line}"

    def option(self, name: str) -> Any:
        """The running rule's option ``name`` (``[tool.memlint.rules.CODE]``, else the rule's default)."""
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
        if fix is not None and self._inside_self_documenting(fix):
            fix = None  # the finding stands; the rewrite would change what the f-string prints
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
                fingerprint=self._fingerprint(code or self.rule_code, node),
            )
        )

    def _fingerprint(self, code: str, node: ast.AST) -> str:
        """The baseline fingerprint of the node's whole code (not the snippet, cut at 400 characters where a
        reformatting moves the cut); its first line keeps its indentation (as blanks) so that a compound
        statement tokenizes as it does in the file."""
        line, col = self.source.span(node)[:2]
        indent = re.sub(r"\S", " ", self.source.lines[line - 1][:col]) if line <= len(self.source.lines) else ""
        return fingerprint(code, self.path, indent + self.source.segment(node))

    # --- building fixes -----------------------------------------------------------------------------

    @functools.cached_property
    def _self_documenting(self) -> list[tuple[int, int]]:
        """Text offsets of the f-strings that print their own source, ``f"{expr=}"``: any rewrite inside one
        changes the program's output. In the tree ``{expr=}`` is the literal ``"expr="`` then the value; a
        literal ``"a="`` before ``{x}`` looks the same and is refused too (a rare fix lost, never a wrong one)."""
        spans = []
        for node in self.nodes(ast.JoinedStr):
            pairs = zip(node.values, node.values[1:])
            if any(
                type(a) is ast.Constant and isinstance(a.value, str) and a.value.rstrip().endswith("=")
                for a, b in pairs
                if type(b) is ast.FormattedValue
            ):
                line, col, end_line, end_col = self.source.span(node)
                spans.append((self.source.offset(line, col), self.source.offset(end_line, end_col)))
        return spans

    def _inside_self_documenting(self, fix: Fix) -> bool:
        if not self._self_documenting:
            return False
        for e in fix.edits:
            start, end = self.source.offset(e.line, e.column - 1), self.source.offset(e.end_line, e.end_column - 1)
            if any(start < span_end and span_start < end for span_start, span_end in self._self_documenting):
                return True
        return False

    def edit(self, node: ast.AST, content: str) -> Edit:
        """Replace a node's exact source text."""
        line, col, end_line, end_col = self.source.span(node)
        return Edit(line, col + 1, end_line, end_col + 1, content)

    def insert(self, line: int, col: int, content: str) -> Edit:
        """Insert text at a 1-based line and 0-based character column."""
        return Edit(line, col + 1, line, col + 1, content)

    def rewrite(
        self,
        node: ast.AST,
        transform: Callable[[Any], libcst.CSTNode],
        applicability: Applicability,
        message: str,
    ) -> Optional[Fix]:
        """A fix that rewrites one node with libcst: ``transform`` maps the node's libcst form to a new one.

        Everything outside the node is untouched, and inside it libcst keeps comments and formatting.
        Returns None where libcst cannot take the node on its own (the finding is then reported unfixed).
        """
        content = cst_rewrite(self.source.segment(node), isinstance(node, ast.stmt), transform)
        if content is None:
            return None
        return Fix(applicability, message, (self.edit(node, content),))
