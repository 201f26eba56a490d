"""Classes across the project: per-file class facts, and the index built from them.

The per-file pass (``file_facts``) reads one tree and returns plain JSON-able data: the module-level classes
of the file (bases, attributes, what makes slots unsafe), the places that build instances in bulk, the
attribute stores on objects from outside their class, and lists of numeric records. It runs on every file, so
it starts from the file's shared walk (``ctx.nodes``): it walks only the statements where such a fact can
start, and computes a scope's names only when a fact there asks for them. ``ClassIndex`` joins
those facts over every checked file, resolving names through imports and re-exports, without reading any
file again. The object sizes used for estimates (CPython 3.11) live here too.
"""

from __future__ import annotations

import ast
import bisect
import functools
import sys
from typing import TYPE_CHECKING, NamedTuple, Optional

from memlint.facts.class_schema import ClassInfo, FileClassFacts, Position, SlotsInsertion
from memlint.facts.tree import children

if TYPE_CHECKING:
    from collections.abc import Mapping

    from memlint.context import FileContext


DATA = "data"  # a loop over data of unknown size: rows, lines, range(n)
OPENED = "<opened>"  # key, among a scope's constants, of its names bound to files and readers
DATA_METHODS = {"itertuples", "iterrows", "readlines"}
DATA_FUNCTIONS = {"csv.reader", "csv.DictReader", "itertools.product"}
FILTERED_BULK = 1000  # a filtered literal range this long or longer still counts as data
BULK_WRAPPERS = {"list", "tuple", "set", "frozenset", "sorted"}  # calls that keep every item of an iterable
WEAK_CONTAINERS = {"weakref.WeakSet", "weakref.WeakValueDictionary", "weakref.WeakKeyDictionary"}
# Pickle protocols 0 and 1 refuse a class with __slots__ and no __getstate__ (TypeError, CPython 3.11):
# the calls that take a protocol, and its position among their arguments
PICKLERS = {"pickle", "_pickle", "cloudpickle", "dill"}
PROTOCOL_ARG = {"dumps": 1, "dump": 2, "Pickler": 1}
OLD_PICKLE = "<pickled with protocol 0 or 1>"  # the pseudo-attribute an outside fact records for it
ADDERS = {"append", "add", "appendleft", "insert"}  # methods that keep their argument in a container
# the calls a fact or a method's scan starts from (names, and methods of any object)
_SITE_CALL_NAMES = BULK_WRAPPERS | {"setattr", "vars", "super"}
_SITE_CALL_METHODS = ADDERS | {"__setattr__"}
SAFE_BASES = {"object", "builtins.object", "abc.ABC", "typing.Generic"}  # no instance __dict__ of their own
SAFE_CLASS_DECORATORS = {"functools.total_ordering", "typing.final", "typing_extensions.final"}
SAFE_METHOD_DECORATORS = {
    "property",
    "staticmethod",
    "classmethod",
    "abc.abstractmethod",
    "typing.overload",
    "typing.final",
    "typing_extensions.override",
    "typing.override",
    "functools.wraps",
}
NUMBER_TYPES = {"int", "float"}
NUMBER_FUNCS = {"float", "int", "len", "abs", "round", "ord"}
NUMBER_MODULES = {"math", "random"}  # every function there returning numbers for number arguments
RANDOM_NON_NUMBERS = {
    "random.choice",
    "random.choices",
    "random.sample",
    "random.shuffle",
    "random.Random",
    "random.getstate",
    "random.seed",
    "random.randbytes",
    "random.setstate",
}


# --- the per-file pass ----------------------------------------------------------------------------------


def file_facts(ctx: FileContext) -> FileClassFacts:
    """Everything the class index needs from one file, as plain data (rules read ``ctx.class_facts``, which
    scans once per file however many rules ask: MEM003 and MEM004 both do)."""
    return _FileScan(ctx).facts


class _FileNames:
    """What the file's names mean, for the class facts: qualified names, positions, constants, which names hold
    numbers or instances of a class, how many items a loop yields, and which lines can hold a fact at all.
    Answers only: it records nothing (``_FileScan`` and its ``_ScopeWalker``s do)."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self.module = ctx.module_name
        top_classes = [node for node in ctx.tree.body if isinstance(node, ast.ClassDef)]
        self.local_classes: dict = {}
        if top_classes:  # only then is the module scope's binding count needed
            top_bindings = self.top_bindings
            self.local_classes = {node.name: node for node in top_classes if top_bindings.get(node.name) == 1}

    @functools.cached_property
    def module_nodes(self) -> list:
        return _walk_scope(self.ctx.tree.body)

    @functools.cached_property
    def top_bindings(self) -> dict:
        return _count_top_bindings(self.module_nodes, self.ctx.nodes(ast.Global))

    @functools.cached_property
    def constants(self) -> dict:
        return _module_int_constants(self.ctx.tree, self.top_bindings)

    @functools.cached_property
    def attribute_sites(self) -> list:
        """Attributes stored (on any object) or named ``__dict__``, in walk order: where attributes are added."""
        return [
            node for node in self.ctx.nodes(ast.Attribute) if type(node.ctx) is ast.Store or node.attr == "__dict__"
        ]

    @functools.cached_property
    def call_sites(self) -> list:
        """Calls that may keep items in bulk or reach into an object (setattr, vars, super...), in walk order.
        In a file that may call into weakref, every call (which one is weakref's is a question of names)."""
        calls = self.ctx.nodes(ast.Call)
        if self.may_call_weakref:
            return calls
        return [
            node
            for node in calls
            if type(node.func) is ast.Name
            and node.func.id in _SITE_CALL_NAMES
            or type(node.func) is ast.Attribute
            and node.func.attr in _SITE_CALL_METHODS
        ]

    @functools.cached_property
    def may_call_weakref(self) -> bool:
        return "weakref" in self.ctx.imports.modules or self.module.split(".")[0] == "weakref"

    @functools.cached_property
    def pickle_calls(self) -> list:
        """Calls that pickle with a protocol that may be 0 or 1: a literal below 2 or one chosen at run time."""
        if not self.ctx.imports.imports_any(PICKLERS):
            return []
        found = []
        for node in self.ctx.nodes(ast.Call):
            name = node.func.attr if type(node.func) is ast.Attribute else getattr(node.func, "id", None)
            position = PROTOCOL_ARG.get(name)
            if position is None or (self.ctx.qualname(node.func) or "").split(".")[0] not in PICKLERS:
                continue
            protocol = (
                node.args[position]
                if len(node.args) > position
                else next((k.value for k in node.keywords if k.arg == "protocol"), None)
            )
            if protocol is not None and not _new_protocol(protocol):
                found.append(node)
        return found

    @functools.cached_property
    def fact_lines(self) -> list:
        """Sorted lines of every node a bulk, record or outside fact can start from (a superset).

        The scope walk skips each statement whose lines hold none of them: in most files that is nearly all.
        """
        ctx = self.ctx
        lines = set()
        for node in ctx.nodes(ast.ListComp, ast.SetComp, ast.DictComp):
            if type(node.value if type(node) is ast.DictComp else node.elt) in (ast.Call, ast.Tuple, ast.Dict):
                lines.add(node.lineno)
        weakref = self.may_call_weakref  # then any call may be weakref's (under any name)
        for node in self.call_sites:
            func = node.func
            if (
                not weakref
                and type(func) is ast.Name
                and (
                    func.id == "super"
                    or func.id in BULK_WRAPPERS
                    and not (len(node.args) == 1 and type(node.args[0]) in (ast.GeneratorExp, ast.Call))
                )
            ):
                continue  # super() makes no fact; list(x) only keeps a generator's or map()'s items
            lines.add(node.lineno)
        for node in self.attribute_sites:
            lines.add(node.lineno)
        for node in self.pickle_calls:
            lines.add(node.lineno)
        for node in ctx.nodes(ast.Assign):  # `rows[i] = C(...)` in a loop
            if type(node.value) is ast.Call and any(type(t) is ast.Subscript for t in node.targets):
                lines.add(node.lineno)
        if sys.version_info < (3, 12):
            # before 3.12 the parts of an f-string get positions computed apart: trust only the f-string's
            for node in ctx.nodes(ast.JoinedStr):
                if any(type(v) is ast.FormattedValue for v in node.values):
                    lines.update(range(node.lineno, node.end_lineno + 1))
        return sorted(lines)

    @functools.cached_property
    def typing_sources(self) -> dict:
        """Name -> the callees and annotations anywhere in the file that may type it as one class (``x = C(...)``,
        a parameter ``x: C``): these are the only sources ``typed_names`` reads."""
        sources: dict = {}
        for node in self.ctx.nodes(ast.Assign):
            if type(node.value) is ast.Call and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
                sources.setdefault(node.targets[0].id, []).append(node.value.func)
        for arg in self.ctx.nodes(ast.arg):
            if arg.annotation is not None:
                sources.setdefault(arg.arg, []).append(arg.annotation)
        return sources

    def may_be_typed(self, name: str, scope) -> bool:
        """False when nothing in the scope's lines can type this name: then no walk of the scope is needed."""
        first, last = (1, float("inf")) if scope is self.ctx.tree else (_first_line(scope), scope.end_lineno)
        return any(
            first <= node.lineno <= last and self.qualname(node) is not None
            for node in self.typing_sources.get(name, ())
        )

    def may_hold_facts(self, stmt) -> bool:
        """Does this statement span a line of ``fact_lines`` (decorators included)?"""
        lines = self.fact_lines
        i = bisect.bisect_left(lines, _first_line(stmt))
        return i < len(lines) and lines[i] <= stmt.end_lineno

    def qualname(self, node) -> Optional[str]:
        """The qualified name a callee or base refers to: imported, or a class of this module."""
        if isinstance(node, ast.Subscript):  # Generic[T]
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.local_classes:
            return f"{self.module}.{node.id}" if self.module else node.id
        q = self.ctx.qualname(node)
        if q is None and isinstance(node, ast.Name) and node.id == "object":
            return "object"
        return q

    def position(self, node) -> Position:
        line, col, end_line, end_col = self.ctx.source.span(node)
        return {"line": line, "col": col + 1, "end_line": end_line, "end_col": end_col + 1}

    def scope_constants(self, scope, nodes) -> dict:
        """The module's integer constants, with this function's names bound once to an integer."""
        constants = dict(self.constants)
        args = getattr(scope, "args", None)
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} if args else set()
        counts: dict = {}
        for node in nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                counts[node.id] = counts.get(node.id, 0) + 1
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if counts.get(name) == 1 and name not in params:
                    value = _int_value(node.value, constants)
                    if value is not None:
                        constants[name] = value
                    else:
                        constants.pop(name, None)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for n in node.names:
                    constants.pop(n, None)
        # names bound once to a file or a reader over one: `with open(p) as f`, `rows = csv.reader(f)`
        data = set()
        for node in nodes:
            if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                name, value = node.optional_vars.id, node.context_expr
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name, value = node.targets[0].id, node.value
            else:
                continue
            if counts.get(name) == 1 and name not in params and self.count_of(value, {OPENED: data}) == DATA:
                data.add(name)
        constants[OPENED] = data
        for name in params:
            constants.pop(name, None)
        for name, n in counts.items():
            if n > 1:
                constants.pop(name, None)
        return constants

    def typed_names(self, scope, nodes) -> dict:
        """Local names known to hold an instance of one class: every binding is ``name = C(...)`` or a
        parameter annotated ``C``."""
        candidates: dict = {}
        other: set = set()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = scope.args
            for a in args.posonlyargs + args.args + args.kwonlyargs:
                q = self.qualname(a.annotation) if a.annotation is not None else None
                if q is not None:
                    candidates.setdefault(a.arg, set()).add(q)
                else:
                    other.add(a.arg)
        for node in nodes:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call)
            ):
                q = self.qualname(node.value.func)
                if q is not None:
                    candidates.setdefault(node.targets[0].id, set()).add(q)
                    continue
                other.add(node.targets[0].id)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    other.update(_names_in_target(t))
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr)):
                target = node.optional_vars if isinstance(node, ast.withitem) else node.target
                if target is not None:
                    other.update(_names_in_target(target))
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                other.update(node.names)
        return {n: next(iter(qs)) for n, qs in candidates.items() if len(qs) == 1 and n not in other}

    def numeric_names(self, scope, nodes) -> set:
        """Local names that only ever hold numbers: loop variables over ``range`` and names assigned only
        numeric expressions."""
        names: set = set()
        bindings: dict = {}
        for node in nodes:
            if isinstance(node, (ast.For, ast.comprehension)):
                it = node.iter
                ok = isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                for n in _names_in_target(node.target):
                    bindings.setdefault(n, []).append("range" if ok and isinstance(node.target, ast.Name) else None)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    for n in _names_in_target(t):
                        bindings.setdefault(n, []).append(node.value if isinstance(t, ast.Name) else None)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                for n in _names_in_target(node.target):
                    bindings.setdefault(n, []).append(
                        getattr(node, "value", None) if isinstance(node, ast.AnnAssign) else None
                    )
            elif isinstance(node, (ast.withitem,)) and node.optional_vars is not None:
                for n in _names_in_target(node.optional_vars):
                    bindings.setdefault(n, []).append(None)
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for a in scope.args.posonlyargs + scope.args.args + scope.args.kwonlyargs:
                ann = getattr(a, "annotation", None)
                bindings.setdefault(a.arg, []).append(
                    "number" if ann is not None and _annotation_name(ann) in NUMBER_TYPES else None
                )
        changed = True
        while changed:
            changed = False
            for n, values in bindings.items():
                if n in names:
                    continue
                if all(v in ("range", "number") or isinstance(v, ast.AST) and self.is_number(v, names) for v in values):
                    names.add(n)
                    changed = True
        return names

    def is_number(self, node, numeric: set) -> bool:
        """Is this expression certainly a Python int or float?"""
        if isinstance(node, ast.Constant):
            return type(node.value) in (int, float)
        if isinstance(node, ast.Name):
            return node.id in numeric
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.is_number(node.operand, numeric)
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
            return self.is_number(node.left, numeric) and self.is_number(node.right, numeric)
        if isinstance(node, ast.Call) and not node.keywords:
            if (
                isinstance(node.func, ast.Name)
                and node.func.id in NUMBER_FUNCS
                and self.ctx.imports.is_builtin(node.func, node.func.id)
            ):
                return len(node.args) <= 1 and (
                    node.func.id not in ("abs", "round") or all(self.is_number(a, numeric) for a in node.args)
                )
            q = self.ctx.qualname(node.func)
            if (
                q is not None
                and q.split(".")[0] in NUMBER_MODULES
                and q.count(".") == 1
                and q not in RANDOM_NON_NUMBERS
            ):
                return all(self.is_number(a, numeric) for a in node.args)
        return False

    def count_of(self, iterable, constants: dict):
        """How many items a loop over this iterable yields: a number for a literal range or display,
        DATA when it walks data of unknown size (``range(n)``, rows, lines), None when unknown."""
        if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
            return None if any(isinstance(e, ast.Starred) for e in iterable.elts) else len(iterable.elts)
        if isinstance(iterable, ast.Name) and iterable.id in constants.get(OPENED, ()):
            return DATA  # a file or reader opened in this scope
        if not isinstance(iterable, ast.Call):
            return None
        func = iterable.func
        if (
            isinstance(func, ast.Name)
            and self.ctx.imports.is_builtin(func, "range")
            and not iterable.keywords
            and 1 <= len(iterable.args) <= 3
        ):
            values = [_int_value(a, constants) for a in iterable.args]
            if any(v is None for v in values):
                return DATA
            try:
                return len(range(*values))
            except (ValueError, OverflowError):
                return None
        if isinstance(func, ast.Name) and func.id in ("enumerate", "zip", "reversed") and iterable.args:
            counts = [self.count_of(a, constants) for a in iterable.args[: 1 if func.id != "zip" else None]]
            if all(isinstance(c, int) for c in counts):
                return min(counts)
            return DATA if DATA in counts else None
        if (
            isinstance(func, ast.Attribute)
            and func.attr in DATA_METHODS
            or (self.ctx.qualname(func) or "") in DATA_FUNCTIONS
            or isinstance(func, ast.Name)
            and func.id == "open"
        ):
            return DATA
        return None


class _FileScan:
    """Builds one file's facts: each class's record, then the bulk, outside and record facts of every scope
    (each walked by a ``_ScopeWalker``). Asks ``_FileNames`` what names mean; nothing asks back."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.names = _FileNames(ctx)
        self.module = ctx.module_name
        tree = ctx.tree
        self.local_classes = self.names.local_classes
        self.facts: FileClassFacts = {
            "module": self.module,
            "aliases": _class_aliases(ctx),
            "classes": {},
            "bulk": [],
            "outside": [],
            "records": [],
        }
        for name, node in self.local_classes.items():
            self.facts["classes"][name] = self._class_info(node)
        if self.names.fact_lines:  # else no statement holds a fact
            self._scan_scope(tree, tree.body, None)
        seen, outside = set(), []
        for item in self.facts["outside"]:
            key = (item["cls"], item["attr"])
            if key not in seen:
                seen.add(key)
                outside.append(item)
        self.facts["outside"] = outside

    # -- classes ----------------------------------------------------------------------------------------

    def _class_info(self, node: ast.ClassDef) -> ClassInfo:
        source = self.ctx.source
        line = node.lineno
        header_end = node.col_offset + len("class ") + len(node.name.encode("utf-8"))
        pos = {
            "line": line,
            "col": source.char_col(line, node.col_offset) + 1,
            "end_line": line,
            "end_col": source.char_col(line, header_end) + 1,
        }
        info = {
            **pos,
            "snippet": f"class {node.name}",
            "bases": [self.names.qualname(b) for b in node.bases],
            "metaclass_ok": all(
                k.arg == "metaclass" and self.names.qualname(k.value) == "abc.ABCMeta" for k in node.keywords
            ),
            "kind": "plain",
            "never": None,  # why slots are ruled out by the class itself
            "slots": None,  # declared slot names when the class is slotted (None: not slotted)
            "slotted": False,
            "attrs": [],
            "property_names": [],
            "weakref": False,
            "dataclass": None,
            "fields": {},  # attribute -> how it gets its value (for numeric records)
            "numeric_annotations": [],
            "fix_at": None,
        }
        never = []
        body_names = {}  # class-body name -> "property" | "def" | "value"
        annotations = {}
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kinds = [self._method_decorator(d) for d in stmt.decorator_list]
                if "cached_property" in kinds:
                    never.append("uses functools.cached_property, which needs an instance __dict__")
                elif "unknown" in kinds:
                    never.append(f"method `{stmt.name}` has a decorator memlint does not know")
                body_names[stmt.name] = "property" if "property" in kinds else "def"
            elif isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    for n in _names_in_target(t):
                        if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                            annotations[n] = stmt.annotation
                        else:
                            body_names[n] = "value"
                            if isinstance(stmt, ast.AnnAssign):
                                annotations[n] = stmt.annotation
                if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets):
                    info["slotted"] = True
                    info["slots"] = _literal_strings(stmt.value)
            elif isinstance(stmt, (ast.ClassDef, ast.Import, ast.ImportFrom)):
                for n in _bound_names(stmt):
                    body_names[n] = "value"
        info["property_names"] = sorted(n for n, k in body_names.items() if k == "property")
        # its own pickling methods serve protocols 0 and 1 whatever the slots
        info["pickles_itself"] = any(
            body_names.get(n) == "def" for n in ("__getstate__", "__reduce__", "__reduce_ex__")
        )

        # decorators: dataclass, attrs, a few harmless ones; anything else may change the class
        for dec in node.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            q = self.names.qualname(func)
            kw = {k.arg: k.value for k in dec.keywords} if isinstance(dec, ast.Call) else {}
            if q == "dataclasses.dataclass":
                if isinstance(dec, ast.Call) and (dec.args or None in kw):
                    never.append("its @dataclass arguments cannot be read")
                    continue
                slots = kw.get("slots")
                if slots is not None:
                    if isinstance(slots, ast.Constant) and slots.value is True:
                        info["slotted"] = True
                        info["slots"] = sorted(annotations)
                    else:
                        never.append("its @dataclass sets slots explicitly")
                info["kind"] = "dataclass"
                frozen = kw.get("frozen")
                info["dataclass"] = {
                    "frozen": not (frozen is None or isinstance(frozen, ast.Constant) and frozen.value is False),
                    "only_decorator": len(node.decorator_list) == 1,
                    "end": [dec.end_lineno, source.char_col(dec.end_lineno, dec.end_col_offset) + 1],
                    "call": isinstance(dec, ast.Call),
                    "has_weakref_slot": "weakref_slot" in kw,
                }
                if isinstance(dec, ast.Call) and dec.keywords:
                    last = dec.keywords[-1].value
                    info["dataclass"]["after_last"] = [
                        last.end_lineno,
                        source.char_col(last.end_lineno, last.end_col_offset) + 1,
                    ]
            elif q is not None and (q.startswith("attr.") or q.startswith("attrs.")):
                slots = kw.get("slots")
                # attrs.define/frozen/mutable slot by default; attr.s/attr.attrs only with slots=True
                default = q.rsplit(".", 1)[1] in ("define", "frozen", "mutable")
                if slots is None and default or isinstance(slots, ast.Constant) and slots.value is True:
                    info["slotted"] = True
                info["kind"] = "attrs"
                never.append("it is an attrs class (attrs sets its own slots)")
            elif q not in SAFE_CLASS_DECORATORS:
                never.append("it has a class decorator memlint does not know")
        if info["slotted"]:
            never.insert(0, "it already has __slots__")

        # methods: self.<name> stores, and what rules slots out
        self_attrs: dict = {}
        # `cls.<name> = ...` in a classmethod, `type(self).<name> = ...` or `self.__class__.<name> = ...`
        # elsewhere: set on the class after it is made
        class_stores: set = set()
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            self_name = _first_param(stmt)
            kinds = {d.id for d in stmt.decorator_list if isinstance(d, ast.Name)}
            if self_name is None or "staticmethod" in kinds:
                continue
            is_class = _is_name if "classmethod" in kinds else _is_class_of
            class_stores.update(
                a.attr
                for a in self._method_sites[stmt].attributes
                if type(a.ctx) is ast.Store and is_class(a.value, self_name)
            )
            if "classmethod" not in kinds:
                self._scan_method(stmt, self_name, self_attrs, info, never)
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        if init is not None:
            info["fields"] = _field_sources(init)
            params = init.args.posonlyargs + init.args.args + init.args.kwonlyargs
            info["numeric_params"] = [
                a.arg for a in params if a.annotation is not None and _annotation_name(a.annotation) in NUMBER_TYPES
            ]
        info["annotations"] = [n for n in annotations if not _is_classvar(annotations[n])]
        info["numeric_annotations"] = [
            n for n in info["annotations"] if _annotation_name(annotations[n]) in NUMBER_TYPES
        ]
        if info["kind"] == "dataclass":
            # dataclass moves field defaults out of the class; every instance attribute must be a field
            extra = [a for a in self_attrs if a not in info["annotations"] and body_names.get(a) != "property"]
            if extra:
                never.append(f"attribute `{extra[0]}` is not a dataclass field")
            info["attrs"] = info["annotations"]
        else:
            conflicts = [a for a in self_attrs if body_names.get(a) in ("value", "def")]
            if conflicts:
                never.append(
                    f"attribute `{conflicts[0]}` is also a class attribute (a slot of that name would raise ValueError)"
                )
            info["attrs"] = [a for a in self_attrs if body_names.get(a) != "property"]
        replaced = [a for a in info["attrs"] if a in class_stores]
        if replaced:
            never.append(
                f"a method sets `{replaced[0]}` on the class, which would replace that slot "
                f"(instances could no longer set it)"
            )
        info["never"] = never[0] if never else None
        info["fix_at"] = self._slots_insertion(node)
        return info

    def _method_decorator(self, dec) -> str:
        func = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(func, ast.Attribute) and func.attr in ("setter", "getter", "deleter"):
            return "property"
        q = self.names.qualname(func)
        if q in ("functools.cached_property",) or isinstance(func, ast.Name) and func.id == "cached_property":
            return "cached_property"
        if isinstance(func, ast.Name) and func.id in ("property", "staticmethod", "classmethod"):
            return "property" if func.id == "property" else "plain"
        if q in SAFE_METHOD_DECORATORS:
            return "plain"
        return "unknown"

    @functools.cached_property
    def _method_sites(self) -> dict:
        """For each method of the module's classes, the nodes its scan reads, from the file's shared walk, each
        kind in walk order: (attributes stored or ``__dict__``, calls that may touch the instance, ``__class__``
        names). One pass over the file's candidates instead of a walk of every method."""
        ctx = self.ctx
        methods = [
            m
            for cls in self.local_classes.values()
            for m in cls.body
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        sites: dict = {m: _MethodSites([], [], []) for m in methods}
        if not methods:
            return sites
        starts = [_first_line(m) for m in methods]  # in order, and methods never share a line

        def add(kind: str, node) -> None:
            i = bisect.bisect_right(starts, node.lineno) - 1
            if i >= 0 and node.lineno <= methods[i].end_lineno:
                getattr(sites[methods[i]], kind).append(node)

        for node in self.names.attribute_sites:
            if type(node.value) is ast.Name or _class_of(node.value) is not None:
                add("attributes", node)  # self.x, and type(self).x / self.__class__.x (stores on the class)
        weakref = self.names.may_call_weakref
        for node in self.names.call_sites:
            func = node.func
            if (
                weakref
                or type(func) is ast.Name
                and func.id in ("vars", "setattr", "super")
                or _is_object_setattr(func)
            ):
                add("calls", node)
        text = ctx.source.text
        if "__class__" in text or not text.isascii():  # a non-ASCII spelling may normalise to it
            for node in ctx.nodes(ast.Name):
                if node.id == "__class__":
                    add("class_names", node)
        return sites

    def _scan_method(self, method, self_name: str, self_attrs: dict, info: dict, never: list) -> None:
        attributes, calls, names = self._method_sites[method]  # a _MethodSites
        if any(_is_name(a.value, self_name) for a in attributes) and any(
            c.args and _is_name(c.args[0], self_name) for c in calls
        ):
            # both the instance's attribute nodes and its vars()/setattr() calls add attributes and reasons:
            # keep the walk's order between them
            nodes = _walk(method)
        else:
            nodes = attributes + calls + names
        for node in nodes:
            if isinstance(node, ast.Attribute) and _is_name(node.value, self_name):
                if node.attr == "__dict__":
                    never.append("it uses self.__dict__")
                elif node.attr == "__class__" and isinstance(node.ctx, ast.Store):
                    never.append("it assigns self.__class__ (the new class must have the same layout)")
                elif isinstance(node.ctx, ast.Store):
                    self_attrs.setdefault(node.attr, None)
            elif isinstance(node, ast.Call):
                func = node.func
                q = self.names.qualname(func)
                args = node.args
                if isinstance(func, ast.Name) and func.id == "vars" and args and _is_name(args[0], self_name):
                    never.append("it uses vars(self)")
                elif (
                    (isinstance(func, ast.Name) and func.id == "setattr" or _is_object_setattr(func))
                    and len(args) >= 2
                    and _is_name(args[0], self_name)
                ):
                    if isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
                        self_attrs.setdefault(args[1].value, None)
                    else:
                        never.append("it sets attributes with setattr(self, <computed name>)")
                elif (q or "").startswith("weakref.") and any(_is_name(a, self_name) for a in args):
                    info["weakref"] = True
                elif isinstance(func, ast.Name) and func.id == "super" and not args:
                    info["zero_arg_super"] = True
            elif isinstance(node, ast.Name) and node.id == "__class__":
                info["zero_arg_super"] = True

    def _slots_insertion(self, node: ast.ClassDef) -> Optional[SlotsInsertion]:
        """Where ``__slots__`` goes: on a new line after the docstring, or before the first statement."""
        body = node.body
        if body[0].lineno == node.lineno:
            return None  # `class P: ...` on one line
        first = body[0]
        start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
        source = self.ctx.source
        text = source.lines[first.lineno - 1]
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        first_char = text[source.char_col(first.lineno, first.col_offset) :][:1]  # read on its line: no offsets
        if not indent or not text[len(indent) :].startswith(first_char or "\0"):
            return None
        if _is_docstring(first):
            if len(body) < 2 or body[1].lineno <= first.end_lineno:
                return None
            return {"line": first.end_lineno + 1, "indent": indent, "blank_after": False}
        return {"line": start, "indent": indent, "blank_after": True}

    # -- scopes: bulk instantiation, outside attribute stores, numeric records --------------------------

    def _scan_scope(self, scope, body, self_name) -> None:
        """One function (or the module): walk its statements, then its nested functions and classes."""
        walker = _ScopeWalker(self.names, self.facts, _Scope(self.names, scope, body), self_name)
        for stmt in body:
            walker.visit(stmt)
        for node in walker.nested:
            if isinstance(node, ast.ClassDef):
                self._scan_class_body(node)
            else:
                self._scan_scope(node, node.body, None)

    def _scan_class_body(self, node: ast.ClassDef) -> None:
        """Methods are scopes whose first parameter is the instance; other statements are walked as is."""
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                static = any(
                    isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in stmt.decorator_list
                )
                if self.names.may_hold_facts(stmt):
                    self._scan_scope(stmt, stmt.body, None if static else _first_param(stmt))
            else:
                walker = _ScopeWalker(
                    self.names,
                    self.facts,
                    _ClassBodyOrComprehension(),
                    None,
                    _ConstantsOnFirstLookup(lambda: self.names.constants),
                )
                walker.visit(stmt)
                for inner in walker.nested:
                    if isinstance(inner, ast.ClassDef):
                        self._scan_class_body(inner)


class _MethodSites(NamedTuple):
    """The nodes a method's scan reads, each kind in walk order."""

    attributes: list  # attributes stored, or named __dict__
    calls: list  # calls that may touch the instance (setattr, vars, super; any call where weakref is imported)
    class_names: list  # bare __class__ names


class _Scope:
    """The names of one function (or of the module) that the facts read, each computed on first use from one
    walk of the scope: most scopes hold nothing that asks."""

    def __init__(self, names: _FileNames, node, body):
        self.names, self.node, self.body = names, node, body

    @functools.cached_property
    def bindings(self) -> list:
        names = self.names
        nodes = names.module_nodes if self.node is names.ctx.tree else _walk_scope(self.body)
        # the facts below read only the nodes that bind names; most nodes (loads, calls, constants) do not
        return [n for n in nodes if type(n) in _BINDING_TYPES or type(n) is ast.Name and type(n.ctx) is not ast.Load]

    @functools.cached_property
    def typed(self) -> dict:
        return self.names.typed_names(self.node, self.bindings)

    def may_type(self, name: str) -> bool:
        return self.names.may_be_typed(name, self.node)

    @functools.cached_property
    def numeric(self) -> set:
        return self.names.numeric_names(self.node, self.bindings)

    @functools.cached_property
    def lists(self) -> dict:
        return _empty_lists(self.bindings)

    @functools.cached_property
    def constants(self) -> dict:
        return self.names.scope_constants(self.node, self.bindings)


class _ClassBodyOrComprehension:
    """A class body's statements (``numeric`` empty) or a comprehension's parts (the enclosing scope's
    ``numeric``): no typed locals or lists of their own."""

    def __init__(self, numeric_from=None):
        self.typed: dict = {}
        self.lists: dict = {}
        self.numeric_from = numeric_from

    def may_type(self, name: str) -> bool:
        return False

    @property
    def numeric(self) -> set:
        return set() if self.numeric_from is None else self.numeric_from.numeric


class _ConstantsOnFirstLookup:
    """Constants computed on the first lookup: most loops never look a name up."""

    def __init__(self, compute):
        self.compute = compute
        self.value = None

    def get(self, name, default=None):
        if self.value is None:
            self.value = self.compute()
        return self.value.get(name, default)


class _ScopeWalker(ast.NodeVisitor):
    """Walks one scope's statements, keeping the enclosing loops, and records the file's facts."""

    def __init__(self, names: _FileNames, facts: FileClassFacts, scope, self_name, constants=None):
        self.names = names
        self.scope = scope  # typed, numeric, lists (names assigned [] / list() -> their assignment node)
        self.constants = constants or _ConstantsOnFirstLookup(lambda: scope.constants)
        self.self_name = self_name
        self.loop_nodes: list = []  # the enclosing loops
        self.nested: list = []
        self.facts = facts
        self.assigned_in_loop: dict = {}  # loop node -> {name: values of `name = ...` in its body}

    def visit(self, node):
        if isinstance(node, ast.stmt) and not self.names.may_hold_facts(node):
            return None  # no fact can start in it
        # ast.NodeVisitor's dispatch, with the method looked up once per node type
        method = _VISITS.get(type(node))
        if method is None:
            method = getattr(_ScopeWalker, "visit_" + type(node).__name__, _ScopeWalker.generic_visit)
            _VISITS[type(node)] = method
        return method(self, node)

    def generic_visit(self, node):
        for child in children(node):
            self.visit(child)

    # scopes are scanned separately
    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        self.nested.append(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        for d in node.decorator_list + node.bases:
            self.visit(d)
        self.nested.append(node)

    def visit_Lambda(self, node):
        pass

    def _loop(self, node):
        self.visit(node.iter) if isinstance(node, (ast.For, ast.AsyncFor)) else self.visit(node.test)
        self.loop_nodes.append(node)
        for stmt in node.body:
            self.visit(stmt)
        self.loop_nodes.pop()
        for stmt in node.orelse:
            self.visit(stmt)

    visit_For = visit_AsyncFor = visit_While = _loop

    def loop_count(self, extra=()):
        """The product of the enclosing loops' counts; DATA if one walks data of unknown size; else None.
        Computed only when a fact needs it (a loop's count may need the scope's constants)."""
        counts = [
            self.names.count_of(loop.iter, self.constants) if isinstance(loop, (ast.For, ast.AsyncFor)) else None
            for loop in self.loop_nodes
        ] + list(extra)
        if all(isinstance(c, int) for c in counts):
            total = 1
            for c in counts:
                total *= c
            return total
        return DATA if DATA in counts else None

    # comprehensions
    def _comprehension(self, node, elements, keeps: bool):
        for gen in node.generators:
            self.visit(gen.iter)
        if keeps:

            def generator_counts():
                counts = []
                for gen in node.generators:
                    count = self.names.count_of(gen.iter, self.constants)
                    if gen.ifs and isinstance(count, int):  # filtered: an upper bound
                        count = DATA if count >= FILTERED_BULK else None
                    counts.append(count)
                return counts

            for elt in elements:
                if isinstance(elt, ast.Call):
                    self.bulk(elt, elt.func, "a comprehension", generator_counts)
            if getattr(node, "_kept_list", False):  # a list that is kept, not passed straight on
                self.record(node, elements[0], "a list comprehension", generator_counts, node.generators)
        inner = _ScopeWalker(
            self.names, self.facts, _ClassBodyOrComprehension(self.scope), self.self_name, self.constants
        )
        for elt in elements:
            inner.visit(elt)
        for gen in node.generators:
            for cond in gen.ifs:
                inner.visit(cond)
        self.nested += inner.nested

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt], True)

    visit_SetComp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.value], True)

    def visit_GeneratorExp(self, node):
        self._comprehension(node, [node.elt], getattr(node, "_kept", False))

    def visit_Call(self, node):
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in BULK_WRAPPERS
            and self.names.ctx.imports.is_builtin(func, func.id)
            and len(node.args) == 1
        ):
            arg = node.args[0]
            if isinstance(arg, ast.GeneratorExp):
                arg._kept = True
                arg._kept_list = func.id == "list" and getattr(node, "_kept_list", False)
            elif (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Name)
                and len(arg.args) >= 2
                and self.names.ctx.imports.is_builtin(arg.func, "map")
            ):

                def map_count():
                    counts = [self.names.count_of(a, self.constants) for a in arg.args[1:]]
                    return [
                        min(counts) if all(isinstance(c, int) for c in counts) else DATA if DATA in counts else None
                    ]

                self.bulk(arg, arg.args[0], "map()", map_count)
        if isinstance(func, ast.Attribute) and func.attr in ADDERS and self.loop_nodes and node.args:
            value = node.args[-1]
            if isinstance(value, ast.Name):
                value = self._assigned_in_loop(value.id)
            if isinstance(value, ast.Call):
                self.bulk(value, value.func, "a loop that appends")
            if (
                func.attr == "append"
                and isinstance(func.value, ast.Name)
                and value is not None
                and self._may_be_record(value)
                and func.value.id in self.scope.lists
            ):
                self.record(
                    self.scope.lists[func.value.id], value, f"a loop (appended at {self.names.ctx.where(node.lineno)})"
                )
        self._outside_call(node)
        self.generic_visit(node)

    @staticmethod
    def _keeps(value) -> None:
        """Mark a list built by this expression as kept (assigned or returned) for MEM004."""
        if isinstance(value, (ast.ListComp, ast.Call)):
            value._kept_list = True

    def visit_Return(self, node):
        self._keeps(node.value)
        self.generic_visit(node)

    def visit_Assign(self, node):
        self._keeps(node.value)
        if self.loop_nodes and isinstance(node.value, ast.Call):
            if any(isinstance(t, ast.Subscript) for t in node.targets):
                self.bulk(node.value, node.value.func, "a loop that stores")
        for t in node.targets:
            self._outside_store(t)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._outside_store(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._keeps(node.value)
        if node.value is not None:
            self._outside_store(node.target)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr == "__dict__" and not _is_name(node.value, self.self_name):
            self._outside(node.value, "__dict__", node)
        self.generic_visit(node)

    def _assigned_in_loop(self, name: str):
        """The value of ``name = <call>`` in the innermost enclosing loop's body, if that is its only binding."""
        loop = self.loop_nodes[-1]
        assigned = self.assigned_in_loop.get(loop)
        if assigned is None:  # the loop body is walked once, however many appends it holds
            assigned = self.assigned_in_loop[loop] = {}
            for n in _walk_scope(loop.body):
                if isinstance(n, ast.Assign):
                    for t_name in {t.id for t in n.targets if isinstance(t, ast.Name)}:
                        assigned.setdefault(t_name, []).append(n.value)
        values = assigned.get(name, ())
        return values[0] if len(values) == 1 else None

    # -- facts ------------------------------------------------------------------------------------------

    def bulk(self, call, callee, how: str, extra_counts=tuple) -> None:
        """Instances of ``callee`` built once per item of the enclosing loops (and of ``extra_counts()``)."""
        q = self.names.qualname(callee)
        if q is None:
            return  # not a known name
        count = self.loop_count(extra_counts())
        if count is None:
            return  # no sign of many items
        count = None if count == DATA else count
        self.facts["bulk"].append({"cls": q, "how": how, "count": count, "line": call.lineno})

    def _may_be_record(self, element) -> bool:
        """Can this element make a record below? Asked first: what follows may need the scope's names."""
        if isinstance(element, (ast.Tuple, ast.Dict)):
            items = element.elts if isinstance(element, ast.Tuple) else element.values
            return len(items) >= 2 and not all(isinstance(e, ast.Constant) for e in items)
        return isinstance(element, ast.Call) and self.names.qualname(element.func) is not None

    def record(self, site, element, how: str, extra_counts=tuple, generators=()) -> None:
        """A list whose items are this element expression, built in bulk (MEM004)."""
        names = self.names
        if not self._may_be_record(element):
            return
        count = self.loop_count(extra_counts())
        if count is None:
            return
        if count == DATA and isinstance(element, ast.Tuple) and self._index_combinations(element, generators):
            return  # `(i, j)` for i, j in range(n): index combinations sized by a dimension, used whole
        count = None if count == DATA else count
        if any(r["line"] == site.lineno and r["col"] == names.position(site)["col"] for r in self.facts["records"]):
            return  # one finding per list
        entry = {
            "how": how,
            "count": count,
            **names.position(site),
            "snippet": f"{names.ctx.source.segment(site)[:200]} <- {names.ctx.source.segment(element)[:200]}",
        }
        numeric = self.scope.numeric
        if isinstance(element, ast.Tuple):
            if all(names.is_number(e, numeric) for e in element.elts):
                self.facts["records"].append({**entry, "kind": "tuple", "fields": len(element.elts)})
        elif isinstance(element, ast.Dict):
            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in element.keys) and all(
                names.is_number(v, numeric) for v in element.values
            ):
                self.facts["records"].append({**entry, "kind": "dict", "fields": len(element.keys)})
        else:
            q = names.qualname(element.func)
            if any(isinstance(a, ast.Starred) for a in element.args) or any(k.arg is None for k in element.keywords):
                return
            self.facts["records"].append(
                {
                    **entry,
                    "kind": "class",
                    "cls": q,
                    "numeric_args": [names.is_number(a, numeric) for a in element.args],
                    "numeric_kwargs": [k.arg for k in element.keywords if names.is_number(k.value, numeric)],
                    "kwargs": [k.arg for k in element.keywords],
                }
            )

    def _index_combinations(self, element: ast.Tuple, generators) -> bool:
        """Is every item of this tuple a constant or the bare counter of an enclosing ``range`` loop, kept
        whatever the data holds (no condition reads an item or calls)? ``(i, j)`` where ``A[i, j]`` is
        non-zero is data: its count is the data's."""
        counters = set()
        for loop in self.loop_nodes + list(generators):
            it = getattr(loop, "iter", None)  # a while loop has none
            if (
                isinstance(it, ast.Call)
                and isinstance(it.func, ast.Name)
                and self.names.ctx.imports.is_builtin(it.func, "range")
                and isinstance(loop.target, ast.Name)
            ):
                counters.add(loop.target.id)
        if not all(isinstance(e, ast.Constant) or isinstance(e, ast.Name) and e.id in counters for e in element.elts):
            return False
        conditions = [test for gen in generators for test in gen.ifs]
        if self.loop_nodes:  # the `if` statements around the element, inside the loops
            conditions += [
                n.test
                for n in _walk_scope(self.loop_nodes[0].body)
                if isinstance(n, (ast.If, ast.While)) and n.lineno <= element.lineno <= n.end_lineno
            ]
        return not any(isinstance(n, (ast.Subscript, ast.Call)) for test in conditions for n in ast.walk(test))

    def _receiver_class(self, node) -> Optional[str]:
        """The class of an object known to be an instance: a typed local, or a call ``C(...)`` itself."""
        if isinstance(node, ast.Name):
            return self.scope.typed.get(node.id) if self.scope.may_type(node.id) else None
        if isinstance(node, ast.Call):
            return self.names.qualname(node.func)
        return None

    def _outside(self, receiver, attr: str, node) -> None:
        if _is_name(receiver, self.self_name):
            return
        cls = self._receiver_class(receiver)
        if cls is None:
            q = self.names.qualname(receiver)
            if q is not None:  # a module, function or class object: only a class matters, in the index
                cls, attr = q, "class attribute " + attr
        self.facts["outside"].append({"cls": cls, "attr": attr, "line": node.lineno})

    def _outside_store(self, target) -> None:
        if isinstance(target, ast.Attribute):
            self._outside(target.value, target.attr, target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for e in target.elts:
                self._outside_store(e)
        elif isinstance(target, ast.Starred):
            self._outside_store(target.value)

    def _outside_call(self, node) -> None:
        func, args = node.func, node.args
        if node in self.names.pickle_calls:
            # the object dumped; what `Pickler(f, 0)` dumps later is not followed
            obj = args[0] if args and getattr(func, "attr", getattr(func, "id", None)) != "Pickler" else None
            if not isinstance(obj, ast.Constant):
                cls = None if obj is None else self._receiver_class(obj)
                self.facts["outside"].append({"cls": cls, "attr": OLD_PICKLE, "line": node.lineno})
        if not args:
            if self.names.may_call_weakref and self.names.ctx.qualname(func) in WEAK_CONTAINERS:
                self._weakly_referenced(None, node)
            return
        if isinstance(func, ast.Name) and func.id in ("setattr", "vars") or _is_object_setattr(func):
            if func.__class__ is ast.Name and func.id == "vars":
                self._outside(args[0], "__dict__", node)
            elif len(args) >= 2:
                name = args[1].value if isinstance(args[1], ast.Constant) and isinstance(args[1].value, str) else "*"
                self._outside(args[0], name, node)
            return
        q = self.names.ctx.qualname(func) or ""
        if q in WEAK_CONTAINERS:
            self._weakly_referenced(None, node)  # what is put in it later is not followed
        elif q.startswith("weakref.") and not _is_name(args[0], self.self_name):  # self: in the class's facts
            self._weakly_referenced(self._receiver_class(args[0]), node)

    def _weakly_referenced(self, cls: Optional[str], node) -> None:
        """Instances of ``cls`` (None: of any class, as far as memlint can tell) are weakly referenced here."""
        self.facts["outside"].append({"cls": cls, "attr": "__weakref__", "line": node.lineno})


_VISITS: dict = {}  # node type -> the _ScopeWalker method that visits it


# --- small syntax helpers ---------------------------------------------------------------------------------


def _class_aliases(ctx) -> dict:
    """The file's import bindings that may name a class, for the index to follow re-exports, grouped by the
    module they come from: ``{"pkg.geometry": ["Point", "Line as Segment"]}``.

    Only ``from X import Y`` can bind a class; ``import X`` / ``import X as Y`` binds a module, so those are
    not stored. The other bindings all stay: any of them may be a re-export another file's names go through.
    Grouped, the module's name is stored once, not once per name (the bindings are most of a project's facts).
    """
    modules = {(a.asname or a.name).split(".")[0] for node in ctx.nodes(ast.Import) for a in node.names}
    grouped: dict = {}
    for local, qualname in ctx.imports.bound.items():
        if local not in modules:  # what is left was bound by a from-import: `source.name`
            source, _, name = qualname.rpartition(".")
            grouped.setdefault(source, []).append(name if name == local else f"{name} as {local}")
    return grouped


def _expand_aliases(grouped: dict) -> dict:
    """``_class_aliases`` as {local name: qualified name}."""
    aliases = {}
    for source, names in grouped.items():
        for item in names:
            name, _, local = item.partition(" as ")
            aliases[local or name] = f"{source}.{name}"
    return aliases


def _walk(node) -> list:
    """``list(ast.walk(node))`` without the ``ast.Load``/``ast.Add``... markers: the same (breadth-first) order."""
    nodes = [node]
    for n in nodes:  # grows while it is read
        nodes += children(n)
    return nodes


_BINDING_TYPES = {
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.For,
    ast.AsyncFor,
    ast.withitem,
    ast.NamedExpr,
    ast.Global,
    ast.Nonlocal,
    ast.comprehension,
}
_OWN_SCOPE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _walk_scope(body) -> list:
    """Every node of these statements, not entering nested functions, classes or lambdas (depth first)."""
    found = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, _OWN_SCOPE):
            continue  # its own scope (its decorators and defaults are rare enough to skip)
        stack += children(node)[::-1]
    return found


_BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")  # in the order of every node's _fields


def _statements(stmt) -> list:
    """The statements (and except/case clauses) in a statement, in ``ast.walk`` order: no expression holds one,
    so this is the walk with expressions left out."""
    found = [stmt]
    for node in found:  # grows while it is read
        for field in _BLOCK_FIELDS:
            found += getattr(node, field, ())
    return found


def _first_line(stmt) -> int:
    """The first line of a statement, its decorators included."""
    return stmt.decorator_list[0].lineno if getattr(stmt, "decorator_list", None) else stmt.lineno


def _names_in_target(target):
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            yield from _names_in_target(e)
    elif isinstance(target, ast.Starred):
        yield from _names_in_target(target.value)


def _bound_names(stmt):
    if isinstance(stmt, ast.ClassDef):
        return [stmt.name]
    return [(a.asname or a.name).split(".")[0] for a in stmt.names]


def _count_top_bindings(module_nodes, global_statements) -> dict:
    """How often each module-level name is bound at module level (a class defined twice is ambiguous)."""
    counts: dict = {}
    for node in module_nodes:
        names = []
        if isinstance(node, (ast.ClassDef,)):
            names = [node.name]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [node.name]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names = [node.id]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [(a.asname or a.name).split(".")[0] for a in node.names]
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    # functions may rebind a module-level name with `global`
    for node in global_statements:
        for n in node.names:
            counts[n] = counts.get(n, 0) + 2
    return counts


def _module_int_constants(tree, counts: dict) -> dict:
    """Module-level names bound once, to an integer expression: ``N = 1_000_000``."""
    constants: dict = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if counts.get(name) == 1:
                value = _int_value(node.value, constants)
                if value is not None:
                    constants[name] = value
    return constants


def _int_value(node, constants: dict) -> Optional[int]:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _int_value(node.operand, constants)
        return None if v is None else -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Pow)):
        left, right = _int_value(node.left, constants), _int_value(node.right, constants)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):
            return left**right if 0 <= right <= 64 and abs(left) < 2**32 else None
        if isinstance(node.op, ast.FloorDiv):
            return left // right if right else None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    return None


def _literal_strings(node) -> Optional[list]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
        return [k.value for k in node.keys]
    return None


def _new_protocol(node) -> bool:
    """Is this pickle protocol certainly 2 or more? A literal >= 2 (or -1: the highest, None: the default), or
    the pickle module's HIGHEST_PROTOCOL / DEFAULT_PROTOCOL."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return node.operand.value == 1
    if isinstance(node, ast.Constant):
        return node.value is None or type(node.value) is int and node.value >= 2  # None: the default
    return isinstance(node, ast.Attribute) and node.attr in ("HIGHEST_PROTOCOL", "DEFAULT_PROTOCOL")


def _first_param(func) -> Optional[str]:
    args = func.args.posonlyargs + func.args.args
    return args[0].arg if args else None


def _class_of(node) -> Optional[str]:
    """``x`` for ``type(x)`` or ``x.__class__`` (the class of the object ``x`` names), else None."""
    if isinstance(node, ast.Attribute) and node.attr == "__class__" and isinstance(node.value, ast.Name):
        return node.value.id
    if (
        isinstance(node, ast.Call)
        and _is_name(node.func, "type")
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _is_class_of(node, self_name: str) -> bool:
    return self_name is not None and _class_of(node) == self_name


def _is_name(node, name) -> bool:
    return name is not None and isinstance(node, ast.Name) and node.id == name


def _is_object_setattr(func) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__setattr__"
        and isinstance(func.value, ast.Name)
        and func.value.id == "object"
    )


def _is_docstring(stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _annotation_name(node) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_classvar(node) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    name = node.attr if isinstance(node, ast.Attribute) else _annotation_name(node)
    return name in ("ClassVar", "InitVar") or isinstance(name, str) and name.startswith(("ClassVar", "InitVar"))


def _empty_lists(nodes) -> dict:
    """Names bound to an empty list (``[]`` or ``list()``) in this scope."""
    found = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v = node.value
            if (
                isinstance(v, ast.List)
                and not v.elts
                or isinstance(v, ast.Call)
                and isinstance(v.func, ast.Name)
                and v.func.id == "list"
                and not v.args
                and not v.keywords
            ):
                found[node.targets[0].id] = node
    return found


def _field_sources(init) -> dict:
    """How ``__init__`` sets each attribute: from a parameter (by position), a number, or something else."""
    params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]
    kwonly = [a.arg for a in init.args.kwonlyargs]
    self_name = _first_param(init)
    sources: dict = {}
    for node in _statements(init):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and _is_name(t.value, self_name):
                    v = node.value
                    if isinstance(v, ast.Name) and v.id in params + kwonly:
                        src = ["param", params.index(v.id) if v.id in params else -1, v.id]
                    elif v is not None and _simple_number(v):
                        src = ["number"]
                    else:
                        src = ["other"]
                    sources[t.attr] = src if t.attr not in sources else ["other"]
    return sources


def _simple_number(node) -> bool:
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int"):
        return True
    return False


# --- the project-wide index -------------------------------------------------------------------------------


class ClassIndex:
    """Every module-level class of the checked files, by qualified name, with its evidence from all files."""

    def __init__(self, facts_by_path: Mapping[str, FileClassFacts]):
        self.classes: dict = {}  # qualname -> (path, info)
        self.imported: dict = {}  # module -> its from-import bindings, as ``_class_aliases`` groups them
        self.aliases: dict = {}  # module -> {name: qualname}, expanded on the first lookup in that module
        seen_modules: dict = {}
        duplicate: set = set()
        for path, facts in facts_by_path.items():
            module = facts.get("module", "")
            if module in seen_modules:
                duplicate.add(module)
            seen_modules[module] = path
            self.imported[module] = facts.get("aliases", {})
            for name, info in facts.get("classes", {}).items():
                q = f"{module}.{name}" if module else name
                self.classes[q] = (path, info)
        for q in [q for q, (path, _) in self.classes.items() if facts_by_path[path].get("module", "") in duplicate]:
            del self.classes[q]  # two files claim the same module name: cannot tell which one a name means
        self.bulk: dict = {}  # class qualname -> [(path, site)]
        self.outside: dict = {}  # class qualname -> [(path, item)]
        self.outside_unknown: dict = {}  # attribute name -> (path, item), receiver unknown
        self.subclasses: dict = {}  # class qualname -> [(path, name, number of bases, qualname)]
        for path, facts in facts_by_path.items():
            for site in facts.get("bulk", []):
                q = self.resolve(site["cls"])
                if q is not None:
                    self.bulk.setdefault(q, []).append((path, site))
            for item in facts.get("outside", []):
                if item["cls"] is None:
                    self.outside_unknown.setdefault(item["attr"], (path, item))
                    continue
                q = self.resolve(item["cls"])
                if q is not None:
                    self.outside.setdefault(q, []).append((path, item))
                elif not item["attr"].startswith("class attribute "):
                    # `obj = make(); obj.extra = 1`: what `make` returns is unknown
                    self.outside_unknown.setdefault(item["attr"], (path, item))
            for name, info in facts.get("classes", {}).items():
                for base in info["bases"]:
                    q = self.resolve(base) if base else None
                    if q is not None:
                        sub = f"{facts.get('module', '')}.{name}" if facts.get("module") else name
                        self.subclasses.setdefault(q, []).append((path, name, len(info["bases"]), sub))

    def resolve(self, qualname: Optional[str], depth: int = 0) -> Optional[str]:
        """The class a qualified name refers to, following re-exports (``from .geometry import Point``)."""
        if qualname is None or depth > 10:
            return None
        if qualname in self.classes:
            return qualname
        module, _, name = qualname.rpartition(".")
        if module not in self.aliases:
            self.aliases[module] = _expand_aliases(self.imported.get(module, {}))
        target = self.aliases[module].get(name)
        if target is not None and target != qualname:
            return self.resolve(target, depth + 1)
        return None

    def slots_of_bases(self, info: ClassInfo, depth: int = 0) -> Optional[list[str]]:
        """The slot names the bases provide, or None if some base keeps a ``__dict__`` or is unknown."""
        if depth > 20:
            return None
        names: list = []
        for base in info["bases"]:
            if base in SAFE_BASES:
                continue
            q = self.resolve(base)
            if q is None:
                return None
            _, base_info = self.classes[q]
            if not base_info["slotted"] or base_info["slots"] is None:
                return None
            above = self.slots_of_bases(base_info, depth + 1)
            if above is None:
                return None
            names += above + base_info["slots"]
        return names
