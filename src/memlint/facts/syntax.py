"""Small questions about the syntax of one node, shared by the facts: which names a target binds, the
statements of a block, a scope's nodes without its nested scopes, a method's first parameter.

No names are resolved here (that is ``imports.py``): these answers read only the node itself. Where a name
is evidence *against* a fix (``vars(self)``, ``setattr``, ``type(self)``, ``super()``), the class facts read it
by its spelling on purpose: a shadowed ``vars`` still counts, which costs a finding at worst, never a fix.
Where a name *enables* a fact (``range``, ``list``, ``float``), they ask ``ImportMap.is_builtin``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional, Union

from memlint.facts.tree import OWN_SCOPE, children

if TYPE_CHECKING:
    from typing import TypeGuard  # Python 3.10: for the type checker only

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")  # in the order of every node's _fields


def walk(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))`` without the ``ast.Load``/``ast.Add``... markers: the same (breadth-first) order."""
    nodes = [node]
    for n in nodes:  # grows while it is read
        nodes += children(n)
    return nodes


def walk_scope(body: list[ast.stmt]) -> list[ast.AST]:
    """Every node of these statements, not entering nested functions, classes or lambdas (depth first)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, OWN_SCOPE):
            continue  # its own scope (its decorators and defaults are rare enough to skip)
        stack += children(node)[::-1]
    return found


def statements(stmt: ast.AST) -> list[ast.AST]:
    """The statements (and except/case clauses) in a statement, in ``ast.walk`` order: no expression holds one,
    so this is the walk with expressions left out."""
    found = [stmt]
    for node in found:  # grows while it is read
        for field in _BLOCK_FIELDS:
            found += getattr(node, field, ())
    return found


def first_line(stmt: ast.AST) -> int:
    """The first line of a statement, its decorators included."""
    decorators = getattr(stmt, "decorator_list", None)
    line: int = decorators[0].lineno if decorators else getattr(stmt, "lineno", 1)
    return line


def names_in_target(target: ast.AST) -> Iterator[str]:
    """The names an assignment target binds: ``a``, ``(a, [b, *c])``; none for attributes and subscripts."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            yield from names_in_target(e)
    elif isinstance(target, ast.Starred):
        yield from names_in_target(target.value)


def bound_names(stmt: Union[ast.ClassDef, ast.Import, ast.ImportFrom]) -> list[str]:
    """The names a class statement or an import binds."""
    if isinstance(stmt, ast.ClassDef):
        return [stmt.name]
    return [(a.asname or a.name).split(".")[0] for a in stmt.names]


def first_param(func: Union[FunctionNode, ast.Lambda]) -> Optional[str]:
    """The first positional parameter: a method's instance (or class)."""
    args = func.args.posonlyargs + func.args.args
    return args[0].arg if args else None


def is_name(node: Optional[ast.AST], name: Optional[str]) -> TypeGuard[ast.Name]:
    return name is not None and isinstance(node, ast.Name) and node.id == name


def class_of(node: ast.AST) -> Optional[str]:
    """``x`` for ``type(x)`` or ``x.__class__`` (the class of the object ``x`` names), else None."""
    if isinstance(node, ast.Attribute) and node.attr == "__class__" and isinstance(node.value, ast.Name):
        return node.value.id
    if (
        isinstance(node, ast.Call)
        and is_name(node.func, "type")
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def is_class_of(node: ast.AST, self_name: Optional[str]) -> bool:
    return self_name is not None and class_of(node) == self_name


def is_object_setattr(func: ast.AST) -> bool:
    """``object.__setattr__`` (how frozen classes and some ``__init__`` set their attributes)."""
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__setattr__"
        and isinstance(func.value, ast.Name)
        and func.value.id == "object"
    )


def is_docstring(stmt: ast.AST) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def literal_strings(node: Optional[ast.AST]) -> Optional[list[str]]:
    """The strings of a literal ``"a"``, ``("a", "b")``, ``["a"]``, ``{"a"}`` or a dict's keys; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    items: list[Optional[ast.expr]]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    else:
        return None
    strings = [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return strings if len(strings) == len(items) else None


def annotation_name(node: ast.AST) -> Optional[str]:
    """The name an annotation spells: ``int``, ``"Point"``; None for anything dotted or subscripted."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    return None


def single_name_assign(node: ast.AST) -> Optional[str]:
    """The name of ``name = value`` (one target, a bare name), else None."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def bounded_rows(index: ast.expr) -> bool:
    """``[:k]``, ``[a:b]``, ``[-k:]``, ``[:k, 2:]``: a slice of consecutive rows with a visible bound, a part of
    the array whatever its length (``[1:]`` is nearly all of it). MEM009 maps only those rows' pages; MEM005
    copies only them."""
    rows = index.elts[0] if isinstance(index, ast.Tuple) and index.elts else index
    if not isinstance(rows, ast.Slice) or rows.step is not None:
        return False
    if isinstance(index, ast.Tuple) and not all(isinstance(e, ast.Slice) for e in index.elts):
        return False  # an integer or array index besides: keep to plain slices
    negative = isinstance(rows.lower, ast.UnaryOp) and isinstance(rows.lower.op, ast.USub)
    return rows.upper is not None or negative
