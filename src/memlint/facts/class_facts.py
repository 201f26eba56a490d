"""One file's class facts (MEM003, MEM004), as plain JSON-able data (``class_schema.FileClassFacts``): its
module-level classes, the places that build instances in bulk, the uses of instances from outside their class,
and the lists of numeric records.

It runs on every file, so it starts from the file's shared walk: ``class_fact_sites`` says which lines can hold
a fact, and the scope walk here skips every other statement. Each job records into its own list: classes
(``class_definitions``), bulk sites (here), outside uses (``instance_uses``), record lists (``record_lists``);
names are ``class_names``' answers. ``class_index.ClassIndex`` joins the facts of every file.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Optional, Union

from memlint.facts.class_definitions import ClassDefinitions
from memlint.facts.class_fact_sites import ClassFactSites
from memlint.facts.class_names import ClassBodyOrComprehension, ClassNames, FunctionNames, ScopeNames
from memlint.facts.instance_uses import InstanceUses
from memlint.facts.loop_counts import (
    ADDERS,
    BULK_WRAPPERS,
    DATA,
    FILTERED_BULK,
    Count,
    ScopeConstants,
    combined_count,
    count_of,
)
from memlint.facts.record_lists import Loop, RecordLists
from memlint.facts.syntax import first_param, is_name, walk_scope
from memlint.facts.tree import children

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.class_schema import BulkSite, FileClassFacts


def file_facts(ctx: FileContext) -> FileClassFacts:
    """Everything the class index needs from one file, as plain data (rules read ``ctx.class_facts``, which
    scans once per file however many rules ask: MEM003 and MEM004 both do)."""
    names = ClassNames(ctx)
    sites = ClassFactSites(ctx)
    classes = ClassDefinitions(names, sites)
    scan = _FileScan(names, sites)
    if sites.lines:  # else no statement holds a fact
        scan.scope(ctx.tree, ctx.tree.body, None)
    seen, outside = set(), []
    for item in scan.uses.found:
        key = (item["cls"], item["attr"])
        if key not in seen:
            seen.add(key)
            outside.append(item)
    return {
        "module": names.module,
        "aliases": class_aliases(ctx),
        "classes": {name: classes.info(node) for name, node in names.local_classes.items()},
        "bulk": scan.bulk_sites,
        "outside": outside,
        "records": scan.records.found,
    }


class _FileScan:
    """Walks every scope of the file that may hold a fact, each with a ``_ScopeWalker``."""

    def __init__(self, names: ClassNames, sites: ClassFactSites):
        self.names = names
        self.sites = sites
        self.bulk_sites: list[BulkSite] = []
        self.uses = InstanceUses(names, sites.old_pickles, sites.may_call_weakref)
        self.records = RecordLists(names)

    def scope(self, node: ast.AST, body: list[ast.stmt], self_name: Optional[str]) -> None:
        """One function (or the module): walk its statements, then its nested functions and classes."""
        walker = _ScopeWalker(self, FunctionNames(self.names, node, body), self_name)
        for stmt in body:
            walker.visit(stmt)
        self._nested(walker.nested)

    def _nested(self, nested: list[ast.AST]) -> None:
        for node in nested:
            if isinstance(node, ast.ClassDef):
                self._class_body(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.scope(node, node.body, None)

    def _class_body(self, node: ast.ClassDef) -> None:
        """Methods are scopes whose first parameter is the instance; other statements are walked as is."""
        names = self.names
        module_constants = ScopeConstants(lambda: (names.constants, set()))  # what a class body's loops read
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                static = any(
                    isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in stmt.decorator_list
                )
                if self.sites.may_hold_facts(stmt):
                    self.scope(stmt, stmt.body, None if static else first_param(stmt))
            else:
                walker = _ScopeWalker(self, ClassBodyOrComprehension(module_constants), None)
                walker.visit(stmt)
                self._nested([inner for inner in walker.nested if isinstance(inner, ast.ClassDef)])


class _ScopeWalker(ast.NodeVisitor):
    """Walks one scope's statements, keeping the enclosing loops, and hands each node that can start a fact to
    the job that records it. Nested functions and classes are collected (``nested``), not entered."""

    def __init__(self, scan: _FileScan, scope: ScopeNames, self_name: Optional[str]):
        self.scan = scan
        self.names = scan.names
        self.imports = scan.names.imports
        self.scope = scope
        self.self_name = self_name
        self.loop_nodes: list[Union[ast.For, ast.AsyncFor, ast.While]] = []  # the enclosing loops
        self.nested: list[ast.AST] = []
        self.assigned_in_loop: dict[ast.AST, dict[str, list[ast.expr]]] = {}  # loop -> {name: values in its body}
        self.kept: set[ast.AST] = set()  # calls and comprehensions whose list is kept (assigned or returned)
        self.kept_generators: dict[ast.AST, bool] = {}  # generator -> whether it makes a kept list

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt) and not self.scan.sites.may_hold_facts(node):
            return None  # no fact can start in it
        # ast.NodeVisitor's dispatch, with the method looked up once per node type
        method = _VISITS.get(type(node))
        if method is None:
            method = getattr(_ScopeWalker, "visit_" + type(node).__name__, _ScopeWalker.generic_visit)
            _VISITS[type(node)] = method
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in children(node):
            self.visit(child)

    # scopes are scanned separately
    def visit_FunctionDef(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        for d in node.decorator_list:
            self.visit(d)
        self.nested.append(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list + node.bases:
            self.visit(d)
        self.nested.append(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    def _loop(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        self.visit(node.test if isinstance(node, ast.While) else node.iter)
        self.loop_nodes.append(node)
        for stmt in node.body:
            self.visit(stmt)
        self.loop_nodes.pop()
        for stmt in node.orelse:
            self.visit(stmt)

    visit_For = visit_AsyncFor = visit_While = _loop

    def count(self, iterable: ast.AST) -> Count:
        return count_of(iterable, self.scope.constants, self.imports)

    def loop_count(self, extra: Sequence[Count] = ()) -> Count:
        """The product of the enclosing loops' counts (and ``extra``); DATA if one walks data of unknown size;
        else None. Computed only when a fact needs it (a loop's count may need the scope's constants)."""
        counts = [None if isinstance(loop, ast.While) else self.count(loop.iter) for loop in self.loop_nodes]
        return combined_count(counts + list(extra))

    # comprehensions
    def _comprehension(
        self,
        node: Union[ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp],
        elements: list[ast.expr],
        keeps: bool,
    ) -> None:
        for gen in node.generators:
            self.visit(gen.iter)
        if keeps:

            def generator_counts() -> list[Count]:
                counts: list[Count] = []
                for gen in node.generators:
                    count = self.count(gen.iter)
                    if gen.ifs and isinstance(count, int):  # filtered: an upper bound
                        count = DATA if count >= FILTERED_BULK else None
                    counts.append(count)
                return counts

            for elt in elements:
                if isinstance(elt, ast.Call):
                    self.bulk(elt, elt.func, "a comprehension", generator_counts)
            kept_list = node in self.kept if isinstance(node, ast.ListComp) else self.kept_generators.get(node, False)
            if kept_list:  # a list that is kept, not passed straight on
                loops: list[Loop] = [*self.loop_nodes, *node.generators]
                self.scan.records.record(
                    node,
                    elements[0],
                    "a list comprehension",
                    lambda: self.loop_count(generator_counts()),
                    self.scope,
                    loops,
                )
        inner = _ScopeWalker(self.scan, ClassBodyOrComprehension(self.scope.constants, self.scope), self.self_name)
        for elt in elements:
            inner.visit(elt)
        for gen in node.generators:
            for cond in gen.ifs:
                inner.visit(cond)
        self.nested += inner.nested

    def visit_ListComp(self, node: Union[ast.ListComp, ast.SetComp]) -> None:
        self._comprehension(node, [node.elt], True)

    visit_SetComp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.value], True)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, [node.elt], node in self.kept_generators)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in BULK_WRAPPERS
            and self.imports.is_builtin(func, func.id)
            and len(node.args) == 1
        ):
            arg = node.args[0]
            if isinstance(arg, ast.GeneratorExp):
                self.kept_generators[arg] = func.id == "list" and node in self.kept
            elif (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Name)
                and len(arg.args) >= 2
                and self.imports.is_builtin(arg.func, "map")
            ):
                mapped = arg

                def map_count() -> list[Count]:
                    counts = [self.count(a) for a in mapped.args[1:]]
                    ints = [c for c in counts if isinstance(c, int)]
                    return [min(ints) if len(ints) == len(counts) else DATA if DATA in counts else None]

                self.bulk(arg, arg.args[0], "map()", map_count)
        if isinstance(func, ast.Attribute) and func.attr in ADDERS and self.loop_nodes and node.args:
            value: Optional[ast.expr] = node.args[-1]
            if isinstance(value, ast.Name):
                value = self._assigned_in_loop(value.id)
            if isinstance(value, ast.Call):
                self.bulk(value, value.func, "a loop that appends")
            if (
                func.attr == "append"
                and isinstance(func.value, ast.Name)
                and value is not None
                and self.scan.records.may_be_record(value)
                and func.value.id in self.scope.lists
            ):
                self.scan.records.record(
                    self.scope.lists[func.value.id],
                    value,
                    f"a loop (appended at {self.names.ctx.where(node.lineno)})",
                    self.loop_count,
                    self.scope,
                    list(self.loop_nodes),
                )
        self.scan.uses.call(node, self.scope, self.self_name)
        self.generic_visit(node)

    def _keeps(self, value: Optional[ast.AST]) -> None:
        """Mark a list built by this expression as kept (assigned or returned) for MEM004."""
        if isinstance(value, (ast.ListComp, ast.Call)):
            self.kept.add(value)

    def visit_Return(self, node: ast.Return) -> None:
        self._keeps(node.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._keeps(node.value)
        if self.loop_nodes and isinstance(node.value, ast.Call):
            if any(isinstance(t, ast.Subscript) for t in node.targets):
                self.bulk(node.value, node.value.func, "a loop that stores")
        for t in node.targets:
            self.scan.uses.store(t, self.scope, self.self_name)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.scan.uses.store(node.target, self.scope, self.self_name)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._keeps(node.value)
        if node.value is not None:
            self.scan.uses.store(node.target, self.scope, self.self_name)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "__dict__" and not is_name(node.value, self.self_name):
            self.scan.uses.attribute(node.value, "__dict__", node, self.scope, self.self_name)
        self.generic_visit(node)

    def _assigned_in_loop(self, name: str) -> Optional[ast.expr]:
        """The value of ``name = <call>`` in the innermost enclosing loop's body, if that is its only binding."""
        loop = self.loop_nodes[-1]
        assigned = self.assigned_in_loop.get(loop)
        if assigned is None:  # the loop body is walked once, however many appends it holds
            assigned = self.assigned_in_loop[loop] = {}
            for n in walk_scope(loop.body):
                if isinstance(n, ast.Assign):
                    for t_name in {t.id for t in n.targets if isinstance(t, ast.Name)}:
                        assigned.setdefault(t_name, []).append(n.value)
        values = assigned.get(name, ())
        return values[0] if len(values) == 1 else None

    def bulk(
        self, call: ast.AST, callee: ast.AST, how: str, extra_counts: Callable[[], Sequence[Count]] = tuple
    ) -> None:
        """Instances of ``callee`` built once per item of the enclosing loops (and of ``extra_counts()``)."""
        q = self.names.qualname(callee)
        if q is None:
            return  # not a known name
        count = self.loop_count(extra_counts())
        if count is None:
            return  # no sign of many items
        self.scan.bulk_sites.append(
            {"cls": q, "how": how, "count": None if count == DATA else count, "line": getattr(call, "lineno", 0)}
        )


_VISITS: dict[type, Callable[[_ScopeWalker, ast.AST], None]] = {}  # node type -> the method that visits it


def class_aliases(ctx: FileContext) -> dict[str, list[str]]:
    """The file's import bindings that may name a class, for the index to follow re-exports, grouped by the
    module they come from: ``{"pkg.geometry": ["Point", "Line as Segment"]}``.

    Only ``from X import Y`` can bind a class; ``import X`` / ``import X as Y`` binds a module, so those are
    not stored. The other bindings all stay: any of them may be a re-export another file's names go through.
    Grouped, the module's name is stored once, not once per name (the bindings are most of a project's facts).
    """
    modules = {(a.asname or a.name).split(".")[0] for node in ctx.nodes(ast.Import) for a in node.names}
    grouped: dict[str, list[str]] = {}
    for local, qualname in ctx.imports.bound.items():
        if local not in modules:  # what is left was bound by a from-import: `source.name`
            source, _, name = qualname.rpartition(".")
            grouped.setdefault(source, []).append(name if name == local else f"{name} as {local}")
    return grouped
