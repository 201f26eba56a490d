"""MEM016 needless-gc-collect: ``gc.collect()`` right after ``del`` of arrays: ``del`` already freed them.

CPython frees an object as soon as its reference count drops to zero, so ``del a`` releases an array's
buffer at once; the cyclic garbage collector only matters for objects in reference cycles. A NumPy array
of a numeric (not object) dtype holds no references to other objects and cannot be part of a cycle. So a
``gc.collect()`` whose only evident purpose is to free the arrays just deleted frees nothing more, and costs
a full collection. The same holds for a list whose items are all such arrays (or Python numbers): nothing it
reaches can refer back to it. Informational: reported only when every name the ``del`` removes is known to
hold such an array or such a list (``facts/lists.py``). ``x = None`` lets go of ``x`` as ``del x`` does.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts.values import Value


class NeedlessGcCollect(Rule):
    code = "MEM016"
    requires_imports = frozenset({"gc"})

    def check(self, ctx: FileContext) -> None:
        for call in ctx.nodes(ast.Call):
            stmt = ctx.arrays.parent(call)
            if not (isinstance(stmt, ast.Expr) and stmt.value is call and _is_gc_collect(ctx, stmt)):
                continue
            for body in _blocks(ctx.arrays.parent(stmt)):
                index = next((i for i, s in enumerate(body) if s is stmt), None)
                if index is not None:
                    self._check(ctx, _releases_before(body, index), stmt)

    @staticmethod
    def _check(ctx: FileContext, releases: list, collect: ast.Expr) -> None:
        targets = [(d, t) for d in releases for t in d.targets]
        if not targets or not all(isinstance(t, ast.Name) for _, t in targets):
            return
        arrays, lists = [], []
        for d, t in targets:
            value = ctx.arrays.value_before(d, t.id)
            if value.kind == "ndarray" and _numeric(value):
                arrays.append(f"`{t.id}`")
            elif value.kind == "list" and _holds_numbers(value.element):
                lists.append(f"`{t.id}`")
            else:
                return  # an object array, or anything else, may sit in a reference cycle
        deleted = [f"the numeric arrays {', '.join(arrays)}"] if arrays else []
        if lists:
            deleted.append(f"the list{'s' * (len(lists) > 1)} {', '.join(lists)} of numeric arrays or numbers")
        ctx.report(
            collect,
            f"gc.collect() right after {_released(releases)} of {' and '.join(deleted)} frees nothing more: reference "
            f"counting frees an array as soon as its last reference goes (`del` of a 76.3 MiB array returns it "
            f"at once), and a numeric array holds no references (a list of them none back to itself), so it is "
            f"in no cycle for the collector to break; the call only costs a full collection (if memory stays "
            f"high, another name or view still holds the array)",
        )


def _numeric(value: Value) -> bool:
    return value.holds_no_objects


def _holds_numbers(item: Optional[Value]) -> bool:
    """Every item of a list is a Python number, or an array or NumPy scalar of a numeric dtype: objects that
    refer to no other object."""
    if item is None:
        return False
    return item.kind == "py_number" or (item.kind in ("ndarray", "np_scalar", "unknown") and _numeric(item))


def _releases_before(body: list, index: int) -> list:
    """The releases (``del x``, ``x = None``) of the run of releases and ``import gc`` statements right before
    ``body[index]``."""
    start = index
    while start > 0 and (_releases(body[start - 1]) or _imports_gc(body[start - 1])):
        start -= 1
    return [s for s in body[start:index] if _releases(s)]


def _releases(stmt: ast.stmt) -> bool:
    """``del ...``, or ``x = None`` (``x = y = None``): the names let go of what they held."""
    if isinstance(stmt, ast.Delete):
        return True
    return (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Constant)
        and stmt.value.value is None
        and all(isinstance(t, ast.Name) for t in stmt.targets)
    )


def _released(releases: list) -> str:
    return "`del`" if all(isinstance(s, ast.Delete) for s in releases) else "`del` (or `= None`)"


def _imports_gc(stmt: ast.stmt) -> bool:
    """``import gc`` or ``from gc import collect``: nothing that runs between the ``del`` and the collection."""
    if isinstance(stmt, ast.Import):
        return all(alias.name == "gc" for alias in stmt.names)
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "gc" and not stmt.level


def _blocks(node: Optional[ast.AST]) -> Iterator[list[ast.stmt]]:
    """The statement lists of a node (an except handler's body included: the handler is the parent)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def _is_gc_collect(ctx: FileContext, stmt: ast.Expr) -> bool:
    return isinstance(stmt.value, ast.Call) and ctx.qualname(stmt.value.func) == "gc.collect"
