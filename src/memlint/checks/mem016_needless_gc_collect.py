"""MEM016 needless-gc-collect: ``gc.collect()`` right after ``del`` of arrays: ``del`` already freed them.

CPython frees an object as soon as its reference count drops to zero, so ``del a`` releases an array's
buffer at once; the cyclic garbage collector only matters for objects in reference cycles. A NumPy array
of a numeric (not object) dtype holds no references to other objects and cannot be part of a cycle. So a
``gc.collect()`` whose only evident purpose is to free the arrays just deleted frees nothing more, and costs
a full collection. Informational: reported only when every name the ``del`` removes is known to hold such an
array.
"""

from __future__ import annotations

import ast

from memlint.checks import Rule
from memlint.context import FileContext


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
                    self._check(ctx, _deletes_before(body, index), stmt)

    @staticmethod
    def _check(ctx, deletes: list, collect: ast.Expr) -> None:
        targets = [(d, t) for d in deletes for t in d.targets]
        if not targets or not all(isinstance(t, ast.Name) for _, t in targets):
            return
        values = [ctx.arrays.value_before(d, t.id) for d, t in targets]
        if not all(v.kind == "ndarray" and v.dtype is not None and not v.dtype.hasobject for v in values):
            return  # an object array, or anything else, may sit in a reference cycle
        listed = ", ".join(f"`{t.id}`" for _, t in targets)
        ctx.report(
            collect,
            f"gc.collect() right after `del` of the numeric arrays {listed} frees nothing more: reference "
            f"counting frees an array as soon as its last reference goes (`del` of a 76.3 MiB array returns it "
            f"at once), and a numeric array holds no references, so it is in no cycle for the collector to "
            f"break; the call only costs a full collection (if memory stays high, another name or view still "
            f"holds the array)",
        )


def _deletes_before(body: list, index: int) -> list:
    """The run of ``del`` statements right before ``body[index]``."""
    start = index
    while start > 0 and isinstance(body[start - 1], ast.Delete):
        start -= 1
    return body[start:index]


def _blocks(node):
    """The statement lists of a node (an except handler's body included: the handler is the parent)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def _is_gc_collect(ctx: FileContext, stmt: ast.Expr) -> bool:
    return isinstance(stmt.value, ast.Call) and ctx.qualname(stmt.value.func) == "gc.collect"
