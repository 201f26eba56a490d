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
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Union

from memlint.facts.class_definitions import ClassDefinitions
from memlint.facts.class_fact_sites import ClassFactSites
from memlint.facts.class_names import ClassBodyNames, ClassNames, ComprehensionNames, FunctionNames, ScopeNames
from memlint.facts.imports import absolute_module
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
from memlint.facts.syntax import first_param, is_name, single_name_assign, walk_scope
from memlint.facts.tree import Loop as StatementLoop
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
        scan.bulk_through_calls()
        scan.bulk_over_containers()
    seen, outside = set(), []
    for item in scan.uses.found:
        number_if = item.get("number_if", "no value")  # only assignments say what they store
        key = (item["cls"], item["attr"], tuple(number_if) if isinstance(number_if, list) else number_if)
        if key not in seen:
            seen.add(key)
            outside.append(item)
    return {
        "module": names.module,
        "aliases": class_aliases(ctx),
        "imports": imported_modules(ctx),
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
        # What the scope walk cannot settle alone, settled once every scope is walked:
        self.adders: list[_Adder] = []  # functions that add one new instance to a kept container per call
        self.filled: set[_Container] = set()  # `self.<attr>` containers that get items in bulk
        self.over_containers: list[tuple[set[_Container], BulkSite, Optional[_Container]]] = []  # see bulk()

    def scope(
        self, node: ast.AST, body: list[ast.stmt], self_name: Optional[str], class_name: Optional[str] = None
    ) -> None:
        """One function (or the module): walk its statements, then its nested functions and classes.
        ``class_name``: the module-level class whose method this is (``self_name`` its instance)."""
        walker = _ScopeWalker(self, FunctionNames(self.names, node), self_name, class_name)
        walker.function = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        for stmt in body:
            walker.visit(stmt)
        self._nested(walker.nested)

    def bulk_through_calls(self) -> None:
        """A function that adds one new instance to a container that outlives the call (``self.items.append(
        Item(i))``), called in a loop over many items, builds instances in bulk: each call site in such a loop is
        a bulk site. Calls are those of the same module's functions, and of a method on its own instance."""
        if not self.adders:
            return
        ctx = self.names.ctx
        methods = {adder.key.partition(".")[2] for adder in self.adders if "." in adder.key}
        functions = {adder.key for adder in self.adders if "." not in adder.key}
        for call in ctx.nodes(ast.Call):
            func = call.func
            if not (
                isinstance(func, ast.Attribute) and func.attr in methods and isinstance(func.value, ast.Name)
            ) and not (isinstance(func, ast.Name) and func.id in functions):
                continue
            key, loops, scope = self._caller(call)
            adders = [adder for adder in self.adders if adder.key == key]
            if key is None or scope is None or not adders or not loops:
                continue
            constants = FunctionNames(self.names, scope).constants
            imports = self.names.imports
            count = combined_count(
                [None if isinstance(loop, ast.While) else count_of(loop.iter, constants, imports) for loop in loops]
            )
            if count is None:
                continue  # no sign of many items
            name = key.rpartition(".")[2]
            for adder in adders:
                how = f"a loop calling {name}(), which adds one per call,"
                self.bulk_sites.append(
                    {"cls": adder.cls, "how": how, "count": None if count == DATA else count, "line": call.lineno}
                )
                if adder.container is not None and _many(count):
                    self.filled.add(adder.container)

    def _caller(self, call: ast.Call) -> tuple[Optional[str], list[StatementLoop], Optional[ast.AST]]:
        """The adder key a call names (``Class.method`` through the method's own instance, or a module-level
        function's name), the loops around it in its function, and that function (or the module)."""
        ctx = self.names.ctx
        scope = ctx.scope_of(call)
        if scope is None or isinstance(scope, ast.Lambda):
            return None, [], None  # a comprehension or a class body: its loops are not statements
        loops = ctx.loops_around(call)
        func = call.func
        key: Optional[str] = None
        if isinstance(func, ast.Name):
            if isinstance(self.names.module_functions.get(func.id), (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = func.id
        elif isinstance(func, ast.Attribute) and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = ctx.parent(scope)
            if (
                isinstance(owner, ast.ClassDef)
                and self.names.local_classes.get(owner.name) is owner
                and is_name(func.value, first_param(scope))
            ):
                key = f"{owner.name}.{func.attr}"
        return key, loops, scope

    def bulk_over_containers(self) -> None:
        """Instances built once per item of a loop over a ``self.<attr>`` container that gets items in bulk are
        built in bulk too (as many as the container holds). Settled to a fixed point: such a loop may fill
        another container."""
        pending = self.over_containers
        changed = True
        while changed and pending:
            changed = False
            for entry in list(pending):
                containers, site, fills = entry
                if containers & self.filled:
                    self.bulk_sites.append(site)
                    pending.remove(entry)
                    if fills is not None and fills not in self.filled:
                        self.filled.add(fills)
                    changed = True

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
                    names.imports.is_builtin(d, "staticmethod") or names.imports.is_builtin(d, "classmethod")
                    for d in stmt.decorator_list
                )
                if self.sites.may_hold_facts(stmt):
                    own = self.names.local_classes.get(node.name) is node
                    self.scope(stmt, stmt.body, None if static else first_param(stmt), node.name if own else None)
            else:
                walker = _ScopeWalker(self, ClassBodyNames(module_constants), None)
                walker.visit(stmt)
                self._nested([inner for inner in walker.nested if isinstance(inner, ast.ClassDef)])


class _ScopeWalker(ast.NodeVisitor):
    """Walks one scope's statements, keeping the enclosing loops, and hands each node that can start a fact to
    the job that records it. Nested functions and classes are collected (``nested``), not entered."""

    def __init__(self, scan: _FileScan, scope: ScopeNames, self_name: Optional[str], class_name: Optional[str] = None):
        self.scan = scan
        self.names = scan.names
        self.imports = scan.names.imports
        self.scope = scope
        self.self_name = self_name
        self.class_name = class_name  # the module-level class of the method walked (None: not a method)
        self.function: Optional[ast.AST] = None  # the function walked (None: the module, a class body...)
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
        own = ComprehensionNames(self.names, self.scope, node)  # its targets are its own names
        for gen in node.generators:
            self.visit(gen.iter)
        if keeps:

            def generator_counts() -> list[Count]:
                counts: list[Count] = []
                for k, gen in enumerate(node.generators):  # the first iterable is evaluated outside
                    count = count_of(gen.iter, (own if k else self.scope).constants, self.imports)
                    if gen.ifs and isinstance(count, int):  # filtered: an upper bound
                        count = DATA if count >= FILTERED_BULK else None
                    counts.append(count)
                return counts

            for elt in elements:
                if isinstance(elt, ast.Call):
                    self.bulk(elt, elt.func, "a comprehension", generator_counts)
            kept_list = node in self.kept if isinstance(node, ast.ListComp) else self.kept_generators.get(node, False)
            if kept_list and self._gets_only_records(node, elements[0]):  # a list that is kept, not passed on
                loops: list[Loop] = [*self.loop_nodes, *node.generators]
                self.scan.records.record(
                    node,
                    elements[0],
                    "a list comprehension",
                    lambda: self.loop_count(generator_counts()),
                    own,
                    loops,
                )
        inner = _ScopeWalker(self.scan, own, self.self_name)
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
        if isinstance(func, ast.Attribute) and func.attr in ADDERS and not self.loop_nodes and node.args:
            self._adds_per_call(func, node.args[-1])
        if isinstance(func, ast.Attribute) and func.attr in ADDERS and self.loop_nodes and node.args:
            value: Optional[ast.expr] = node.args[-1]
            if isinstance(value, ast.Name):
                value = self._assigned_in_loop(value.id)
            if isinstance(value, ast.Call):
                self.bulk(value, value.func, "a loop that appends", fills=self._own_container(func.value))
            else:
                container = self._own_container(func.value)
                if container is not None and _many(self.loop_count()):
                    self.scan.filled.add(container)
            if (
                func.attr == "append"
                and isinstance(func.value, ast.Name)
                and value is not None
                and self.scan.records.may_be_record(value)
                and func.value.id in self.scope.lists
                and self.scan.records.gets_only_records(func.value.id, value, self.scope.nodes, node)
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

    def _gets_only_records(self, comprehension: ast.AST, element: ast.AST) -> bool:
        """A list comprehension bound to a name (``rows = [...]``) may get other items later."""
        parent = self.names.ctx.parent(comprehension)
        if isinstance(parent, ast.Call):  # list(<generator>)
            parent = self.names.ctx.parent(parent)
        name = single_name_assign(parent) if parent is not None else None
        return name is None or self.scan.records.gets_only_records(name, element, self.scope.nodes)

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
            self.scan.uses.store(t, self.scope, self.self_name, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        # `p.x += v` stores `p.x + v`: a number when p.x and v are
        target = node.target
        value = ast.BinOp(left=target, op=node.op, right=node.value) if isinstance(target, ast.Attribute) else None
        self.scan.uses.store(target, self.scope, self.self_name, value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._keeps(node.value)
        if node.value is not None:
            self.scan.uses.store(node.target, self.scope, self.self_name, node.value)
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
        self,
        call: ast.AST,
        callee: ast.AST,
        how: str,
        extra_counts: Callable[[], Sequence[Count]] = tuple,
        fills: Optional[_Container] = None,
    ) -> None:
        """Instances of ``callee`` built once per item of the enclosing loops (and of ``extra_counts()``), kept
        in ``fills`` when that is one of the instance's own containers."""
        q = self.names.qualname(callee)
        if q is None:
            return  # not a known name
        count = self.loop_count(extra_counts())
        site: BulkSite = {
            "cls": q,
            "how": how,
            "count": None if count == DATA else count,
            "line": getattr(call, "lineno", 0),
        }
        if count is not None:
            self.scan.bulk_sites.append(site)
            if fills is not None and _many(count):
                self.scan.filled.add(fills)
            return
        containers = self._iterated_containers()
        if containers:  # settled once every container is known
            over = " or ".join(sorted(f"self.{attr}" for _, attr in containers))
            site["how"] = how.replace("a loop", f"a loop over {over}", 1) if how.startswith("a loop") else how
            if not how.startswith("a loop"):
                site["how"] += f" in a loop over {over}"
            self.scan.over_containers.append((containers, site, fills))

    def _own_container(self, node: ast.AST) -> Optional[_Container]:
        """``self.<attr>`` in a method of a module-level class, as (class, attribute)."""
        if self.class_name is not None and isinstance(node, ast.Attribute) and is_name(node.value, self.self_name):
            return (self.class_name, node.attr)
        return None

    def _iterated_containers(self) -> set[_Container]:
        """The instance's own containers the enclosing loops walk: ``for p in self.items``, ``enumerate(...)``."""
        found = set()
        for loop in self.loop_nodes:
            if isinstance(loop, ast.While):
                continue
            it = loop.iter
            if isinstance(it, ast.Call) and len(it.args) == 1 and not it.keywords:
                if isinstance(it.func, ast.Name) and it.func.id in ("enumerate", "reversed"):
                    if self.imports.is_builtin(it.func, it.func.id):
                        it = it.args[0]
            container = self._own_container(it)
            if container is not None:
                found.add(container)
        return found

    def _adds_per_call(self, func: ast.Attribute, value: ast.expr) -> None:
        """``<container>.append(C(...))`` outside any loop of a function, where the container outlives the call
        (an attribute, or a parameter): each call of the function adds one instance."""
        function = self.function
        if function is None or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        if self.class_name is not None:
            key = f"{self.class_name}.{function.name}"
        elif self.names.module_functions.get(function.name) is function:
            key = function.name
        else:
            return  # a nested function, or one defined twice
        receiver = func.value
        params = {a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs}
        if not (isinstance(receiver, ast.Attribute) or isinstance(receiver, ast.Name) and receiver.id in params):
            return  # a local container: it goes when the call returns (unless returned, not followed)
        if isinstance(value, ast.Name):
            cls = self.scope.typed.get(value.id) if self.scope.may_type(value.id) else None
        elif isinstance(value, ast.Call):
            cls = self.names.qualname(value.func)
        else:
            return
        if cls is not None:
            self.scan.adders.append(_Adder(key, cls, self._own_container(receiver)))


_VISITS: dict[type, Callable[[_ScopeWalker, ast.AST], None]] = {}  # node type -> the method that visits it


def _many(count: Count) -> bool:
    """Does a container that gets this many items (once per item of a loop) hold many? Data of unknown size, or
    as many as a filtered range that still counts as data."""
    return count == DATA or isinstance(count, int) and count >= FILTERED_BULK


_Container = tuple[str, str]  # (class name, attribute): `self.<attribute>` in the methods of that class


class _Adder(NamedTuple):
    """A function that adds one new instance of ``cls`` per call to a container that outlives the call."""

    key: str  # "Class.method" or "function", of a module-level class or function
    cls: str
    container: Optional[_Container]  # the container when it is one of the instance's own


def imported_modules(ctx: FileContext) -> list[str]:
    """Every module an import statement of the file names (``import a.b``: ``a.b``; ``from a import b``: ``a``
    and ``a.b``, which may be a module), sorted: how the class index tells which files run together."""
    package = ctx.module_name if ctx.is_package else ctx.module_name.rpartition(".")[0]
    found: set[str] = set()
    for node in ctx.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = absolute_module(node.module, node.level, package)
        if base is not None:
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return sorted(found)


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
