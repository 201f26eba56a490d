"""What a module-level class statement says, as a ``ClassInfo``: its bases and decorators, the attributes its
methods set, its numeric fields, whether it can take ``__slots__`` (``never``: the first reason it cannot, from
the class itself), and where ``__slots__`` would go.

Evidence from outside the class (attributes set by other code, weak references, old pickles) is
``instance_uses``'; MEM003 weighs both.
"""

from __future__ import annotations

import ast
import bisect
import functools
from typing import TYPE_CHECKING, NamedTuple, Optional, Union

from memlint.facts.bindings import ScopeBindings
from memlint.facts.python_numbers import NUMBER_TYPES, number_params
from memlint.facts.record_fields import class_numbers, field_sources, unknown_stores
from memlint.facts.syntax import (
    FunctionNode,
    annotation_name,
    bound_names,
    class_of,
    first_line,
    first_param,
    is_class_of,
    is_docstring,
    is_name,
    is_object_setattr,
    literal_strings,
    names_in_target,
    walk,
)

if TYPE_CHECKING:
    from memlint.facts.class_fact_sites import ClassFactSites
    from memlint.facts.class_names import ClassNames
    from memlint.facts.class_schema import ClassInfo, DataclassInfo, SlotsInsertion

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


class _MethodSites(NamedTuple):
    """The nodes a method's scan reads, each kind in walk order."""

    attributes: list[ast.Attribute]  # attributes stored, or named __dict__
    calls: list[
        ast.Call
    ]  # calls that may touch the instance (setattr, vars, super; any call where weakref is imported)
    class_names: list[ast.Name]  # bare __class__ names


class ClassDefinitions:
    """Reads the module-level classes of one file (``info``)."""

    def __init__(self, names: ClassNames, sites: ClassFactSites):
        self.names = names
        self.sites = sites
        self.ctx = names.ctx

    def info(self, node: ast.ClassDef) -> ClassInfo:
        source = self.ctx.source
        line = node.lineno
        header_end = node.col_offset + len("class ") + len(node.name.encode("utf-8"))
        info: ClassInfo = {
            "line": line,
            "col": source.char_col(line, node.col_offset) + 1,
            "end_line": line,
            "end_col": source.char_col(line, header_end) + 1,
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
            "annotations": [],
            "numeric_annotations": [],
            "fix_at": None,
            "pickles_itself": False,
        }
        never: list[str] = []
        body_names: dict[str, str] = {}  # class-body name -> "property" | "def" | "value"
        annotations: dict[str, ast.expr] = {}
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
                    for n in names_in_target(t):
                        if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                            annotations[n] = stmt.annotation
                        else:
                            body_names[n] = "value"
                            if isinstance(stmt, ast.AnnAssign):
                                annotations[n] = stmt.annotation
                if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets):
                    info["slotted"] = True
                    info["slots"] = literal_strings(stmt.value)
            elif isinstance(stmt, (ast.ClassDef, ast.Import, ast.ImportFrom)):
                for n in bound_names(stmt):
                    body_names[n] = "value"
        body = ScopeBindings(node)
        for n in body.of:  # bound in a nested block or otherwise (`if DEBUG: x = 0`, `for x in ...`): a class attribute
            body_names.setdefault(n, "value")
        info["property_names"] = sorted(n for n, k in body_names.items() if k == "property")
        # its own pickling methods serve protocols 0 and 1 whatever the slots
        info["pickles_itself"] = any(
            body_names.get(n) == "def" for n in ("__getstate__", "__reduce__", "__reduce_ex__")
        )
        self._decorators(node, info, annotations, never)
        if info["slotted"]:
            never.insert(0, "it already has __slots__")

        # methods: self.<name> stores, and what rules slots out
        self_attrs: dict[str, None] = {}  # in the order first set
        # `cls.<name> = ...` in a classmethod, `type(self).<name> = ...` or `self.__class__.<name> = ...`
        # elsewhere: set on the class after it is made
        class_stores: set[str] = set()
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            self_name = first_param(stmt)
            decorators = {d.id for d in stmt.decorator_list if isinstance(d, ast.Name)}
            if self_name is None or "staticmethod" in decorators:
                continue
            is_class = is_name if "classmethod" in decorators else is_class_of
            class_stores.update(
                a.attr
                for a in self._method_sites[stmt].attributes
                if type(a.ctx) is ast.Store and is_class(a.value, self_name)
            )
            if "classmethod" not in decorators:
                self._scan_method(stmt, self_name, self_attrs, info, never)
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        outer_numbers = {**self.names.constants, **class_numbers(node, body)}  # numbers the methods may read
        if init is not None:
            info["fields"] = field_sources(init, self.names.imports, outer_numbers)
            params = init.args.posonlyargs + init.args.args + init.args.kwonlyargs
            info["numeric_params"] = [
                a.arg for a in params if a.annotation is not None and annotation_name(a.annotation) in NUMBER_TYPES
            ]
            numbers = number_params(init.args)
            info["numeric_defaults"] = [a.arg for a in params if a.arg in numbers and a.annotation is None]
        info["annotations"] = [n for n in annotations if not _is_classvar(annotations[n])]
        info["numeric_annotations"] = [
            n for n in info["annotations"] if annotation_name(annotations[n]) in NUMBER_TYPES
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
        fields = info["fields"]
        if (
            info["kind"] == "plain"
            and len(info["attrs"]) >= 2
            and all(fields.get(a, ["other"])[0] != "other" for a in info["attrs"])
        ):
            # may be a record of numbers (MEM004): what do the other methods store?
            info["unknown_stores"] = unknown_stores(node, info["attrs"], self.names.imports, outer_numbers)
        replaced = [a for a in info["attrs"] if a in class_stores]
        if replaced:
            never.append(
                f"a method sets `{replaced[0]}` on the class, which would replace that slot "
                f"(instances could no longer set it)"
            )
        info["never"] = never[0] if never else None
        info["fix_at"] = self._slots_insertion(node)
        return info

    def _decorators(
        self, node: ast.ClassDef, info: ClassInfo, annotations: dict[str, ast.expr], never: list[str]
    ) -> None:
        """Class decorators: dataclass, attrs, a few harmless ones; anything else may change the class."""
        source = self.ctx.source
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
                end_line = dec.end_lineno or dec.lineno
                dataclass: DataclassInfo = {
                    "frozen": not (frozen is None or isinstance(frozen, ast.Constant) and frozen.value is False),
                    "only_decorator": len(node.decorator_list) == 1,
                    "end": [end_line, source.char_col(end_line, dec.end_col_offset or 0) + 1],
                    "call": isinstance(dec, ast.Call),
                    "has_weakref_slot": "weakref_slot" in kw,
                }
                info["dataclass"] = dataclass
                if isinstance(dec, ast.Call) and dec.keywords:
                    last = dec.keywords[-1].value
                    last_line = last.end_lineno or last.lineno
                    dataclass["after_last"] = [
                        last_line,
                        source.char_col(last_line, last.end_col_offset or 0) + 1,
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

    def _method_decorator(self, dec: ast.expr) -> str:
        func = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(func, ast.Attribute) and func.attr in ("setter", "getter", "deleter"):
            return "property"
        q = self.names.qualname(func)
        if q in ("functools.cached_property",) or isinstance(func, ast.Name) and func.id == "cached_property":
            return "cached_property"
        if self.names.imports.is_builtin(func, "property"):
            return "property"
        if self.names.imports.is_builtin(func, "staticmethod") or self.names.imports.is_builtin(func, "classmethod"):
            return "plain"
        if q in SAFE_METHOD_DECORATORS:
            return "plain"
        return "unknown"

    @functools.cached_property
    def _method_sites(self) -> dict[ast.AST, _MethodSites]:
        """For each method of the module's classes, the nodes its scan reads, from the file's shared walk, each
        kind in walk order. One pass over the file's candidates instead of a walk of every method."""
        ctx = self.ctx
        methods: list[FunctionNode] = [
            m
            for cls in self.names.local_classes.values()
            for m in cls.body
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        sites: dict[ast.AST, _MethodSites] = {m: _MethodSites([], [], []) for m in methods}
        if not methods:
            return sites
        starts = [first_line(m) for m in methods]  # in order, and methods never share a line

        def method_at(line: int) -> Optional[_MethodSites]:
            i = bisect.bisect_right(starts, line) - 1
            if i >= 0 and line <= (methods[i].end_lineno or 0):
                return sites[methods[i]]
            return None

        for attribute in self.sites.attributes:
            if type(attribute.value) is ast.Name or class_of(attribute.value) is not None:
                # self.x, and type(self).x / self.__class__.x (stores on the class)
                found = method_at(attribute.lineno)
                if found is not None:
                    found.attributes.append(attribute)
        weakref = self.sites.may_call_weakref
        for call in self.sites.calls:
            func = call.func
            if (
                weakref
                or isinstance(func, ast.Name)
                and func.id in ("vars", "setattr", "super")
                or is_object_setattr(func)
            ):
                found = method_at(call.lineno)
                if found is not None:
                    found.calls.append(call)
        text = ctx.source.text
        if "__class__" in text or not text.isascii():  # a non-ASCII spelling may normalise to it
            for name in ctx.nodes(ast.Name):
                if name.id == "__class__":
                    found = method_at(name.lineno)
                    if found is not None:
                        found.class_names.append(name)
        return sites

    def _scan_method(
        self, method: FunctionNode, self_name: str, self_attrs: dict[str, None], info: ClassInfo, never: list[str]
    ) -> None:
        attributes, calls, names = self._method_sites[method]
        nodes: list[ast.AST]
        if any(is_name(a.value, self_name) for a in attributes) and any(
            c.args and is_name(c.args[0], self_name) for c in calls
        ):
            # both the instance's attribute nodes and its vars()/setattr() calls add attributes and reasons:
            # keep the walk's order between them
            nodes = walk(method)
        else:
            nodes = [*attributes, *calls, *names]
        for node in nodes:
            if isinstance(node, ast.Attribute) and is_name(node.value, self_name):
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
                if isinstance(func, ast.Name) and func.id == "vars" and args and is_name(args[0], self_name):
                    never.append("it uses vars(self)")
                elif (
                    (isinstance(func, ast.Name) and func.id == "setattr" or is_object_setattr(func))
                    and len(args) >= 2
                    and is_name(args[0], self_name)
                ):
                    second = args[1]
                    if isinstance(second, ast.Constant) and isinstance(second.value, str):
                        self_attrs.setdefault(second.value, None)
                    else:
                        never.append("it sets attributes with setattr(self, <computed name>)")
                elif (q or "").startswith("weakref.") and any(is_name(a, self_name) for a in args):
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
        start = first_line(first)
        source = self.ctx.source
        text = source.lines[first.lineno - 1]
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        first_char = text[source.char_col(first.lineno, first.col_offset) :][:1]  # read on its line: no offsets
        if not indent or not text[len(indent) :].startswith(first_char or "\0"):
            return None
        if is_docstring(first):
            end = first.end_lineno or first.lineno
            if len(body) < 2 or body[1].lineno <= end:
                return None
            return {"line": end + 1, "indent": indent, "blank_after": False}
        return {"line": start, "indent": indent, "blank_after": True}


def _is_classvar(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    name: Union[str, None] = node.attr if isinstance(node, ast.Attribute) else annotation_name(node)
    return name in ("ClassVar", "InitVar") or isinstance(name, str) and name.startswith(("ClassVar", "InitVar"))
