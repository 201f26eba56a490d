"""What a file's names mean for the class facts: which class a callee or a base names (imported, or a class of
this module), which local names hold an instance of one class, and the names of one scope that the facts read
(numbers, empty lists, integer constants), each computed on first use: most scopes hold nothing that asks. Which
names a scope binds, and how, is ``bindings.ScopeBindings``' answer (one walk of the scope); a comprehension is
layered on its enclosing scope, its targets its own.

Answers only: the facts are recorded by the modules that ask (``class_facts`` and the modules it drives).
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Optional, Protocol, Union

from memlint.facts.bindings import ScopeBindings
from memlint.facts.loop_counts import ScopeConstants, scope_constants
from memlint.facts.python_numbers import module_int_constants, numeric_names
from memlint.facts.record_lists import empty_lists
from memlint.facts.syntax import first_line

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.class_schema import Position


class ClassNames:
    """The file-wide answers: qualified names with the module's own classes, positions, the module's integer
    constants, and which names anywhere may be typed as one class."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.imports = ctx.imports
        self.module = ctx.module_name
        top_classes = [node for node in ctx.tree.body if isinstance(node, ast.ClassDef)]
        self.local_classes: dict[str, ast.ClassDef] = {}
        if top_classes:  # only then is the module scope's binding count needed
            top_bindings = self.top_bindings
            self.local_classes = {node.name: node for node in top_classes if top_bindings.get(node.name) == 1}

    @functools.cached_property
    def module_bindings(self) -> ScopeBindings:
        return ScopeBindings(self.ctx.tree)

    @functools.cached_property
    def top_bindings(self) -> dict[str, int]:
        return count_top_bindings(self.module_bindings, self.ctx.nodes(ast.Global))

    @functools.cached_property
    def constants(self) -> dict[str, int]:
        return module_int_constants(self.ctx.tree, self.top_bindings)

    @functools.cached_property
    def module_functions(self) -> dict[str, ast.AST]:
        """The module-level functions, by name, of names bound only by their ``def``."""
        top_bindings = self.top_bindings
        return {
            node.name: node
            for node in self.ctx.tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and top_bindings.get(node.name) == 1
        }

    @functools.cached_property
    def typing_sources(self) -> dict[str, list[ast.expr]]:
        """Name -> the callees and annotations anywhere in the file that may type it as one class (``x = C(...)``,
        a parameter ``x: C``): these are the only sources ``typed_names`` reads."""
        sources: dict[str, list[ast.expr]] = {}
        for node in self.ctx.nodes(ast.Assign):
            if type(node.value) is ast.Call and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
                sources.setdefault(node.targets[0].id, []).append(node.value.func)
        for arg in self.ctx.nodes(ast.arg):
            if arg.annotation is not None:
                sources.setdefault(arg.arg, []).append(arg.annotation)
        return sources

    def may_be_typed(self, name: str, scope: ast.AST) -> bool:
        """False when nothing in the scope's lines can type this name: then no walk of the scope is needed."""
        first, last = (1, float("inf")) if scope is self.ctx.tree else (first_line(scope), _end_line(scope))
        return any(
            first <= node.lineno <= last and self.qualname(node) is not None
            for node in self.typing_sources.get(name, ())
        )

    def qualname(self, node: ast.AST) -> Optional[str]:
        """The qualified name a callee or base refers to: imported, or a class of this module."""
        if isinstance(node, ast.Subscript):  # Generic[T]
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.local_classes:
            return f"{self.module}.{node.id}" if self.module else node.id
        q = self.ctx.qualname(node)
        if q is None and self.imports.is_builtin(node, "object"):
            return "object"
        return q

    def position(self, node: ast.AST) -> Position:
        line, col, end_line, end_col = self.ctx.source.span(node)
        return {"line": line, "col": col + 1, "end_line": end_line, "end_col": end_col + 1}

    def typed_names(self, scope: ast.AST, bindings: ScopeBindings) -> dict[str, str]:
        """Local names known to hold an instance of one class: every binding is ``name = C(...)`` or a
        parameter annotated ``C`` (``del`` binds no other object)."""
        candidates: dict[str, set[str]] = {}
        other: set[str] = set()
        args = getattr(scope, "args", None)
        packed = (args.vararg, args.kwarg) if args is not None else ()  # `*p: C` is a tuple of C
        for b in bindings.all:
            node = b.node
            q: Optional[str] = None
            if isinstance(node, ast.arg):
                if node.annotation is not None and not any(node is a for a in packed):
                    q = self.qualname(node.annotation)
            elif isinstance(node, ast.Assign):
                if len(node.targets) == 1 and type(b.target) is ast.Name and isinstance(node.value, ast.Call):
                    q = self.qualname(node.value.func)
            elif isinstance(node, ast.Delete):
                continue
            if q is not None:
                candidates.setdefault(b.name, set()).add(q)
            else:
                other.add(b.name)
        return {n: next(iter(qs)) for n, qs in candidates.items() if len(qs) == 1 and n not in other}


class ScopeNames(Protocol):
    """What the facts read of the names of the scope they are in."""

    @property
    def typed(self) -> dict[str, str]:
        """Local name -> the class its instance belongs to."""

    @property
    def lists(self) -> dict[str, ast.AST]:
        """Local name -> where it is bound to an empty list (``rows = []``, ``list()``...)."""

    @property
    def nodes(self) -> list[ast.AST]:
        """Every node of the scope (not of the functions in it); none for a class body."""

    @property
    def numeric(self) -> set[str]:
        """Local names that only hold numbers."""

    @property
    def constants(self) -> ScopeConstants: ...

    def may_type(self, name: str) -> bool: ...


class FunctionNames:
    """The names of one function (or of the module), each computed on first use from one walk of the scope."""

    def __init__(self, names: ClassNames, node: ast.AST):
        self.names, self.node = names, node

    @property
    def constants(self) -> ScopeConstants:
        # A new wrapper over one computation: one kept here would close a reference cycle, and the file's
        # tree would wait for a cyclic collection.
        return ScopeConstants(lambda: self._constants)

    @functools.cached_property
    def _constants(self) -> tuple[dict[str, int], set[str]]:
        return scope_constants(self.node, self.bindings, self.names.constants, self.names.imports)

    @functools.cached_property
    def bindings(self) -> ScopeBindings:
        names = self.names
        return names.module_bindings if self.node is names.ctx.tree else ScopeBindings(self.node)  # type: ignore[arg-type]

    @functools.cached_property
    def typed(self) -> dict[str, str]:
        return self.names.typed_names(self.node, self.bindings)

    def may_type(self, name: str) -> bool:
        return self.names.may_be_typed(name, self.node)

    @functools.cached_property
    def numeric(self) -> set[str]:
        return numeric_names(self.node, self.bindings, self.names.imports)

    @functools.cached_property
    def lists(self) -> dict[str, ast.AST]:
        return empty_lists(self.bindings, self.names.imports)

    @property
    def nodes(self) -> list[ast.AST]:
        return self.bindings.nodes


class ClassBodyNames:
    """A class body's statements: no typed locals, lists or numbers of their own (methods are scopes of their
    own); its loops read the module's constants."""

    def __init__(self, constants: ScopeConstants):
        self.typed: dict[str, str] = {}
        self.lists: dict[str, ast.AST] = {}
        self.numeric: set[str] = set()
        self.nodes: list[ast.AST] = []
        self.constants = constants

    def may_type(self, name: str) -> bool:
        return False


class ComprehensionNames:
    """A comprehension's parts: the enclosing scope's names, less the comprehension's targets (its own names),
    with its own numbers (``for i in range(n)``). No typed locals or lists; ``nodes`` are the enclosing scope's."""

    def __init__(self, names: ClassNames, enclosing: ScopeNames, node: ast.expr):
        self.names, self.enclosing, self.node = names, enclosing, node
        self.typed: dict[str, str] = {}
        self.lists: dict[str, ast.AST] = {}

    def may_type(self, name: str) -> bool:
        return False

    @functools.cached_property
    def bindings(self) -> ScopeBindings:
        return ScopeBindings(self.node)

    @functools.cached_property
    def numeric(self) -> set[str]:
        own = self.bindings.of
        numbers = numeric_names(self.node, self.bindings, self.names.imports)
        return {n for n in self.enclosing.numeric if n not in own} | numbers

    @property
    def constants(self) -> ScopeConstants:
        enclosing = self.enclosing.constants

        def without_targets() -> tuple[dict[str, int], set[str]]:
            own = self.bindings.of
            return {n: v for n, v in enclosing.ints.items() if n not in own}, enclosing.opened - own.keys()

        return ScopeConstants(without_targets)

    @property
    def nodes(self) -> list[ast.AST]:
        return self.enclosing.nodes


def count_top_bindings(module: ScopeBindings, global_statements: list[ast.Global]) -> dict[str, int]:
    """How often each module-level name is bound at module level (a class defined twice is ambiguous)."""
    counts = {name: len(found) for name, found in module.of.items()}
    # functions may rebind a module-level name with `global`
    for node in global_statements:
        for n in node.names:
            counts[n] = counts.get(n, 0) + 2
    return counts


def _end_line(node: ast.AST) -> Union[int, float]:
    end: Optional[int] = getattr(node, "end_lineno", None)
    return float("inf") if end is None else end
