"""Which attributes of a class hold numbers (MEM004's records): how ``__init__`` sets each one, and which values
the other methods store into them.

An instance is a record of numbers when ``__init__`` sets every attribute to a number (or to a parameter the
caller passes a number) and no other method ever stores anything else. The stores of the other methods are
judged assuming every attribute holds a number (``self.x += self.dx``): when all of them keep that true, it
stays true by induction; when one does not, the class is no record anyway. A store whose value memlint cannot
tell is recorded with the method: in a property's setter it matters only if something sets the property.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.facts.bindings import ScopeBindings
from memlint.facts.python_numbers import is_number, is_number_literal, numeric_names
from memlint.facts.syntax import first_param, is_name, statements, walk, walk_scope
from memlint.facts.tree import OWN_SCOPE

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TypeGuard  # Python 3.10: for the type checker only

    from memlint.facts.class_schema import FieldSource
    from memlint.facts.imports import ImportMap


def field_sources(
    init: ast.FunctionDef, imports: ImportMap, outer_numbers: Mapping[str, object]
) -> dict[str, FieldSource]:
    """How ``__init__`` sets each attribute: from a parameter (by position), a number, or something else.
    ``outer_numbers``: the class's and module's names bound once to a number (``Boid.SPEED``, ``WIDTH``)."""
    params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]
    kwonly = [a.arg for a in init.args.kwonlyargs]
    self_name = first_param(init)
    numeric = _method_numbers(init, ScopeBindings(init), imports, outer_numbers)
    top_level = {id(s) for s in init.body}
    sources: dict[str, FieldSource] = {}
    set_at: dict[str, Optional[int]] = {}  # the line of an attribute's store at the top of __init__
    copies: list[tuple[str, str, int]] = []  # `self.b = self.a`: b, a, line
    for node in statements(init):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and is_name(t.value, self_name):
                    v = node.value
                    src: FieldSource
                    if isinstance(v, ast.Name) and v.id in params + kwonly:
                        src = ["param", params.index(v.id) if v.id in params else -1, v.id]
                    elif isinstance(v, ast.Attribute) and is_name(v.value, self_name) and id(node) in top_level:
                        src = ["other"]  # what v.attr holds, once every store is seen
                        copies.append((t.attr, v.attr, node.lineno))
                    elif v is not None and is_number(v, numeric, imports):
                        src = ["number"]
                    else:
                        src = ["other"]
                    first = t.attr not in sources
                    sources[t.attr] = src if first else ["other"]
                    set_at[t.attr] = node.lineno if first and id(node) in top_level else None
    for attr, copied, line in sorted(copies, key=lambda c: c[2]):
        # the copied attribute is set once, unconditionally, before: its value is what it was set to
        before = set_at.get(copied)
        if sources[attr] == ["other"] and set_at.get(attr) == line and before is not None and before < line:
            sources[attr] = sources[copied]
    return sources


def unknown_stores(
    node: ast.ClassDef, attrs: list[str], imports: ImportMap, outer_numbers: Mapping[str, object]
) -> dict[str, list[Optional[str]]]:
    """The attributes that a method other than ``__init__`` may set to something other than a number, each with
    where: the property whose setter does it, or None (any other method). Every attribute is assumed to hold a
    number where the methods read it (see the module's docstring)."""
    found: dict[str, list[Optional[str]]] = {}
    for method in node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or method.name == "__init__":
            continue
        decorators = [d.id for d in method.decorator_list if isinstance(d, ast.Name)]
        self_name = first_param(method)
        if self_name is None or "staticmethod" in decorators or "classmethod" in decorators:
            continue
        setter = next(
            (
                d.value.id
                for d in method.decorator_list
                if isinstance(d, ast.Attribute) and d.attr == "setter" and isinstance(d.value, ast.Name)
            ),
            None,
        )
        numeric: Optional[set[str]] = None
        nodes = walk_scope(method.body)
        nested = [n for n in nodes if isinstance(n, OWN_SCOPE)]  # their names are not the method's
        own = {id(n) for n in nodes}
        for n in nodes + [m for scope in nested for m in walk(scope)[1:]]:
            stored: list[tuple[str, Optional[ast.expr]]] = []  # (attribute, its value when it can be read)
            if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    if _is_self_attr(t, self_name):
                        stored.append((t.attr, n.value if id(n) in own else None))
                    elif isinstance(t, (ast.Tuple, ast.List)):  # self.x, self.y = pos: items unknown
                        stored += [(e.attr, None) for e in ast.walk(t) if _is_self_attr(e, self_name)]
            elif _is_self_attr(n, self_name) and n.attr == "__dict__":
                stored += [(a, None) for a in attrs]
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("setattr", "vars"):
                if n.args and is_name(n.args[0], self_name):
                    name = n.args[1] if len(n.args) > 1 and n.func.id == "setattr" else None
                    if isinstance(name, ast.Constant) and isinstance(name.value, str):
                        stored.append((name.value, None))
                    else:
                        stored += [(a, None) for a in attrs]
            for attr, value in stored:
                if value is not None:
                    if numeric is None:
                        numeric = _method_numbers(method, ScopeBindings(method, nodes), imports, outer_numbers)
                        numeric |= {f"{self_name}.{a}" for a in attrs}
                        # the class's numbers read through the instance: self.SPEED
                        numeric |= {f"{self_name}.{c.split('.', 1)[1]}" for c in outer_numbers if "." in c}
                    if is_number(value, numeric, imports):
                        continue
                found.setdefault(attr, []).append(setter)
    # a setter the class itself calls (`self.position = ...`) is called with what memlint cannot follow
    called = {
        t.attr
        for method in node.body
        if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
        for t in walk(method)
        if isinstance(t, ast.Attribute) and isinstance(t.ctx, ast.Store) and is_name(t.value, first_param(method))
    }
    return {attr: [None if p in called else p for p in where] for attr, where in found.items()}


def class_numbers(node: ast.ClassDef, body: ScopeBindings) -> dict[str, object]:
    """The class body's names bound once to a number literal (``body``: its bindings), as ``Class.NAME``: read
    through the class (or an instance, as ``self.NAME`` by the methods)."""
    found: dict[str, object] = {}
    for name, bindings in body.of.items():
        b = bindings[0]
        if len(bindings) == 1 and isinstance(b.node, ast.Assign) and isinstance(b.target, ast.Name):
            if is_number_literal(b.node.value):
                found[f"{node.name}.{name}"] = None
    return found


def _method_numbers(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    bindings: ScopeBindings,
    imports: ImportMap,
    outer_numbers: Mapping[str, object],
) -> set[str]:
    """The names that hold numbers in a method: its own (``numeric_names``), and the class's and module's ones
    it does not make its own."""
    own = numeric_names(method, bindings, imports)
    mine = bindings.of.keys() | bindings.annotated | bindings.declared
    return own | {n for n in outer_numbers if n.split(".")[0] not in mine}


def _is_self_attr(node: object, self_name: Optional[str]) -> TypeGuard[ast.Attribute]:
    return isinstance(node, ast.Attribute) and is_name(node.value, self_name)
