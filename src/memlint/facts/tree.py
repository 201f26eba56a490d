"""One walk of a file's tree: its nodes by type, the parent of each node, and the scope that evaluates it.

Every rule and fact asks these three questions; answering them from one walk, instead of one ``ast.walk`` per
question, is most of what memlint saves over a naive analyzer (pandas: 3.6 million nodes, a walk with
``ast.iter_child_nodes`` costs 1.3x a parse; this one about half of that).
"""

from __future__ import annotations

import ast
from typing import Optional

_AST = ast.AST
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

# Fields that always hold a string, number or None, never a node (Python 3.9 to 3.13): skipped without being
# read. A field missing here only costs time: every value is type-checked.
_SCALAR_FIELDS = {
    "Name": ("id",), "Attribute": ("attr",), "Constant": ("value", "kind"), "keyword": ("arg",),
    "arg": ("arg", "type_comment"), "alias": ("name", "asname"), "FunctionDef": ("name", "type_comment"),
    "AsyncFunctionDef": ("name", "type_comment"), "ClassDef": ("name",), "ImportFrom": ("module", "level"),
    "Global": ("names",), "Nonlocal": ("names",), "comprehension": ("is_async",),
    "FormattedValue": ("conversion",), "Assign": ("type_comment",), "For": ("type_comment",),
    "AsyncFor": ("type_comment",), "With": ("type_comment",), "AsyncWith": ("type_comment",),
    "ExceptHandler": ("name",),
}
_child_fields_cache: dict = {}


def child_fields(cls: type) -> tuple:
    """The fields of an ``ast`` class that may hold nodes, in ``_fields`` order (as ``ast.iter_child_nodes``)."""
    fields = _child_fields_cache.get(cls)
    if fields is None:
        scalar = _SCALAR_FIELDS.get(cls.__name__, ())
        fields = _child_fields_cache[cls] = tuple(f for f in cls._fields if f not in scalar)
    return fields


def children(node: ast.AST) -> list:
    """``list(ast.iter_child_nodes(node))``, faster."""
    found = []
    for field in child_fields(node.__class__):
        value = getattr(node, field, None)
        if value.__class__ is list:
            found += [item for item in value if isinstance(item, _AST)]
        elif isinstance(value, _AST):
            found.append(value)
    return found


# The scope of a node that is in no scope's code: a function's return annotation, type parameters.
# Everything below it is in none either (a lambda there included), unlike under a class body or comprehension.
_UNINDEXED = object()


def _child_scope(node: ast.AST, field: str, scope, scopes: dict, parents: dict):
    """The scope of the children in ``node.field``, where ``node`` is evaluated in ``scope``.

    A function's body and parameters are its own scope, its decorators and defaults its parent's. A class body
    and a comprehension are namespaces of their own, which the control flow does not model (scope None).
    """
    if scope is _UNINDEXED:
        return scope
    if isinstance(node, _FUNCTIONS):
        if field in ("body", "args"):
            return node
        return scope if field == "decorator_list" else _UNINDEXED
    if isinstance(node, ast.Lambda):
        return node
    if isinstance(node, ast.arguments):
        return scopes[parents[node]] if field in ("defaults", "kw_defaults") else scope
    if isinstance(node, ast.ClassDef):
        if field == "body":
            return None
        return scope if field in ("decorator_list", "bases", "keywords") else _UNINDEXED
    return None  # a comprehension


_SCOPE_CHANGES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.arguments, ast.ClassDef,
                            *_COMPREHENSIONS})


class TreeIndex:
    """Nodes by type (each in ``ast.walk`` order), parents and scopes of one tree, from one breadth-first walk."""

    __slots__ = ("by_type", "parents", "scopes")

    def __init__(self, tree: ast.AST):
        parents: dict = {}
        scopes: dict = {tree: tree}
        order = [tree]  # grows while it is read: breadth-first, the order of ast.walk
        append = order.append
        for node in order:
            cls = node.__class__
            fields = _child_fields_cache.get(cls) or child_fields(cls)
            scope = scopes[node]
            changes_scope = cls in _SCOPE_CHANGES
            for field in fields:
                value = getattr(node, field, None)
                if value is None:
                    continue
                if changes_scope:
                    child_scope = _child_scope(node, field, scope, scopes, parents)
                else:
                    child_scope = scope
                if value.__class__ is list:
                    for child in value:
                        if isinstance(child, _AST):
                            append(child)
                            parents[child] = node
                            scopes[child] = child_scope
                elif isinstance(value, _AST):
                    append(value)
                    parents[value] = node
                    scopes[value] = child_scope
        by_type: dict = {}
        for node in order:
            nodes = by_type.get(node.__class__)
            if nodes is None:
                by_type[node.__class__] = [node]
            else:
                nodes.append(node)
        self.by_type = by_type
        self.parents = parents
        self.scopes = scopes

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(node)

    def scope_of(self, node: ast.AST) -> Optional[ast.AST]:
        """The function, lambda or module whose code evaluates ``node``; None inside a class body or a
        comprehension (their names are their own) and where no code evaluates it (annotations of returns)."""
        scope = self.scopes.get(node)
        return None if scope is _UNINDEXED else scope
