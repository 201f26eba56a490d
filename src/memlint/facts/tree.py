"""One walk of a file's tree: its nodes by type, the parent of each node, and the scope that evaluates it.

Every rule and fact asks these three questions; answering them from one walk, instead of one ``ast.walk`` per
question, is most of what memlint saves over a naive analyzer (pandas: 3.6 million nodes; ``ast.walk`` alone
costs a parse, this walk 0.3x one). Scopes are found from the parents when asked: few nodes are asked.

The context and operator markers (``ast.Load``, ``ast.Add``, ``ast.Eq``...) are not indexed: ``ast.parse``
shares one instance of each across the tree, so they have no parent or scope, and a rule reads them from
their node (``name.ctx``, ``binop.op``).
"""

from __future__ import annotations

import ast
import operator
from typing import Optional, Union

_AST = ast.AST
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# What evaluates code with names of its own, as the control flow models it (``dataflow.ScopeFlow``).
Scope = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
# What has names of its own inside a module: a function's or lambda's code, a class body.
OWN_SCOPE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
Loop = Union[ast.For, ast.AsyncFor, ast.While]
LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)
MARKER_TYPES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)

# Fields that never hold an indexed node (Python 3.9 to 3.13): the markers, and fields holding a string, a
# number or None. They are skipped without being read. A field missing here only costs time: every value is
# type-checked.
_MARKER_FIELDS = ("ctx", "op", "ops")
_SCALAR_FIELDS = {
    "Name": ("id",),
    "Attribute": ("attr",),
    "Constant": ("value", "kind"),
    "keyword": ("arg",),
    "arg": ("arg", "type_comment"),
    "alias": ("name", "asname"),
    "FunctionDef": ("name", "type_comment"),
    "AsyncFunctionDef": ("name", "type_comment"),
    "ClassDef": ("name",),
    "ImportFrom": ("module", "level"),
    "Global": ("names",),
    "Nonlocal": ("names",),
    "comprehension": ("is_async",),
    "FormattedValue": ("conversion",),
    "Assign": ("type_comment",),
    "For": ("type_comment",),
    "AsyncFor": ("type_comment",),
    "With": ("type_comment",),
    "AsyncWith": ("type_comment",),
    "ExceptHandler": ("name",),
}
_child_fields_cache: dict = {}


def child_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    """The fields of an ``ast`` class that may hold indexed nodes, in ``_fields`` order."""
    fields = _child_fields_cache.get(cls)
    if fields is None:
        skipped = _MARKER_FIELDS + _SCALAR_FIELDS.get(cls.__name__, ())
        fields = _child_fields_cache[cls] = tuple(f for f in cls._fields if f not in skipped)
    return fields


def children(node: ast.AST) -> list:
    """``list(ast.iter_child_nodes(node))`` without the markers, faster."""
    found = []
    for field in child_fields(node.__class__):
        value = getattr(node, field, None)
        if value.__class__ is list:
            found += [item for item in value if isinstance(item, _AST)]
        elif isinstance(value, _AST):
            found.append(value)
    return found


def _reader(cls: type) -> tuple:
    """How the walk reads the child fields of one ``ast`` class: (count, one C call getting them all, the
    fields)."""
    fields = child_fields(cls)
    return len(fields), operator.attrgetter(*fields) if fields else None, fields


_readers: dict = {}


# The scope of a node that is in no scope's code: a function's return annotation, type parameters.
# Everything below it is in none either (a lambda there included), unlike under a class body or comprehension.
_UNINDEXED = object()
_UNKNOWN = object()  # not looked up yet


def _child_scope(
    node: ast.AST, child: ast.AST, scope: object, scopes: dict[ast.AST, object], parents: dict[ast.AST, ast.AST]
) -> object:
    """The scope of ``child``, a child of ``node``, where ``node`` is evaluated in ``scope``.

    A function's body and parameters are its own scope, its decorators and defaults its parent's. A class body
    and a comprehension are namespaces of their own, which the control flow does not model (scope None).
    """
    if scope is _UNINDEXED:
        return scope
    if isinstance(node, _FUNCTIONS):
        if child in node.decorator_list:
            return scope
        return _UNINDEXED if child is node.returns or child in getattr(node, "type_params", ()) else node
    if isinstance(node, ast.Lambda):
        return node
    if isinstance(node, ast.arguments):
        return scopes[parents[node]] if child in node.defaults or child in node.kw_defaults else scope
    if isinstance(node, ast.ClassDef):
        if child in node.decorator_list or child in node.bases or child in node.keywords:
            return scope
        return _UNINDEXED if child in getattr(node, "type_params", ()) else None
    return None  # a comprehension


# Nodes whose children may be evaluated in another scope than their own.
_SCOPE_CHANGES = frozenset({*_FUNCTIONS, ast.Lambda, ast.arguments, ast.ClassDef, *COMPREHENSIONS})


class TreeIndex:
    """Nodes by type (each in ``ast.walk`` order) and parents of one tree, from one breadth-first walk; the
    scope of a node is found from its parents when asked."""

    __slots__ = ("by_type", "parents", "scopes")

    def __init__(self, tree: Scope):
        parents: dict = {}
        order: list[ast.AST] = [tree]  # grows while it is read: breadth-first, the order of ast.walk
        append = order.append
        readers = _readers
        for node in order:
            cls = node.__class__
            reader = readers.get(cls)
            if reader is None:
                reader = readers[cls] = _reader(cls)
            count, get, fields = reader
            if not count:
                continue
            try:
                values = get(node)
            except AttributeError:  # a tree built by hand may omit optional fields
                values = tuple(getattr(node, f, None) for f in fields)
            else:
                if count == 1:
                    values = (values,)
            for value in values:
                if value is None:
                    continue
                if value.__class__ is list:
                    for child in value:
                        if isinstance(child, _AST):
                            append(child)
                            parents[child] = node
                elif isinstance(value, _AST):
                    append(value)
                    parents[value] = node
        by_type: dict = {}
        for node in order:
            nodes = by_type.get(node.__class__)
            if nodes is None:
                by_type[node.__class__] = [node]
            else:
                nodes.append(node)
        self.by_type = by_type
        self.parents = parents
        self.scopes: dict = {tree: tree}  # filled as scopes are asked for

    def nodes(self, *types: type) -> list:
        """Every node of these exact types, each type's in ``ast.walk`` order."""
        by_type = self.by_type
        if len(types) == 1:
            return list(by_type.get(types[0], ()))
        return [node for t in types for node in by_type.get(t, ())]

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(node)

    def scope_of(self, node: ast.AST) -> Optional[Scope]:
        """The function, lambda or module whose code evaluates ``node``; None inside a class body or a
        comprehension (their names are their own) and where no code evaluates it (annotations of returns)."""
        scopes = self.scopes
        scope = scopes.get(node, _UNKNOWN)
        if scope is _UNKNOWN:
            scope = self._find_scope(node)
        return None if scope is _UNINDEXED else scope

    def loops_around(self, node: ast.AST) -> list[Loop]:
        """The loops whose body (not their ``else``) holds ``node``, innermost first, up to the function, lambda
        or class around it."""
        loops: list[Loop] = []
        parents = self.parents
        child, parent = node, parents.get(node)
        while parent is not None and not isinstance(parent, OWN_SCOPE):
            if isinstance(parent, LOOP_TYPES) and any(s is child for s in parent.body):
                loops.append(parent)
            child, parent = parent, parents.get(parent)
        return loops

    def _find_scope(self, node: ast.AST) -> object:
        """Up the parents to a node whose scope is known, then down again, remembering each scope."""
        parents, scopes = self.parents, self.scopes
        path = []
        while node not in scopes:
            path.append(node)
            parent = parents.get(node)
            if parent is None:
                return None  # not a node of this tree
            node = parent
        scope = scopes[node]
        for child in reversed(path):
            if node.__class__ in _SCOPE_CHANGES:
                scope = _child_scope(node, child, scope, scopes, parents)
            scopes[child] = scope
            node = child
        return scope
