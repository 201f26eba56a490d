"""MEM015 getsizeof-array: ``sys.getsizeof(x)`` of an array that does not own its buffer counts only its header.

NumPy's ``__sizeof__`` adds the data buffer only when the array owns it. For a view (a slice, ``.T``,
``np.asarray`` of another array), a ``np.broadcast_to`` result or a memmap, ``sys.getsizeof`` reports the
~112-byte header, however much memory the array keeps alive. Reported only where the array facts show the
value is such an array (``DataFrame.values`` and ``.to_numpy()`` included: pandas hands out a transposed view); for
an array that owns its data ``sys.getsizeof`` does include the buffer.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional, Union

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api, pandas_api

if TYPE_CHECKING:
    from typing import TypeGuard  # Python 3.10: for the type checker only

    from memlint.facts.values import Value

# Ownership states (facts.arrays) of arrays whose buffer belongs to something else.
_NOT_OWNING = {
    "view": "a view of another array",
    "read_only": "a broadcast view",
    "file_backed": "a memory-mapped file",
}


def _never_owns(ctx: FileContext, expr: ast.expr, value: Value) -> bool:
    """The array never owns its buffer: a memmap, a broadcast view, or a basic-indexing or ``.T`` view (the
    facts call these views; ``np.asarray`` and ``.reshape`` are views only sometimes, so a name counts only
    when every definition reaching it is spelled as a subscript or ``.T``)."""
    if value.ownership in ("file_backed", "read_only") or value.origin in pandas_api.FRAME_ARRAYS:
        return True
    if value.kind != "ndarray" or value.ownership != "view":
        return False
    if isinstance(expr, ast.Name):
        defs = ctx.arrays.reaching(expr) or []
        return bool(defs) and all(
            d.kind == "assign" and d.value is not None and _spelled_as_view(d.value) for d in defs
        )
    return _spelled_as_view(expr)


def _base_bytes(ctx: FileContext, expr: ast.expr) -> Optional[int]:
    """The size of the array a subscript or ``.T`` view keeps alive, when known for every definition."""
    views = [d.value for d in ctx.arrays.reaching(expr) or []] if isinstance(expr, ast.Name) else [expr]
    sizes = [ctx.arrays.value(v.value).nbytes if v is not None and _spelled_as_view(v) else None for v in views]
    known = [size for size in sizes if size is not None]
    return max(known) if sizes and len(known) == len(sizes) else None


def _spelled_as_view(expr: ast.expr) -> TypeGuard[Union[ast.Subscript, ast.Attribute]]:
    return isinstance(expr, ast.Subscript) or (isinstance(expr, ast.Attribute) and expr.attr == "T")


class GetsizeofArray(Rule):
    code = "MEM015"
    requires_imports = frozenset({"sys"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Call):
            if not (ctx.qualname(node.func) == "sys.getsizeof" and len(node.args) == 1 and not node.keywords):
                continue
            value = ctx.arrays.value(node.args[0])
            if not _never_owns(ctx, node.args[0], value):
                continue
            kept = _base_bytes(ctx, node.args[0])
            if kept is not None and not ctx.is_large(kept):
                continue  # the view keeps a known small array alive: the miscount is negligible
            shown = ctx.source.segment(node.args[0])
            held = f" ({numpy_api.format_bytes(value.nbytes)} here)" if value.nbytes is not None else ""
            alive = f", yet keeps a {numpy_api.format_bytes(kept)} array alive" if kept is not None else ""
            owner = "the mapped file" if value.ownership == "file_backed" else "the array that owns the memory"
            what = pandas_api.FRAME_ARRAYS.get(value.origin or "") or _NOT_OWNING[value.ownership]
            ctx.report(
                node,
                f"sys.getsizeof({shown}) counts only the array's header (112-144 bytes): `{shown}` is "
                f"{what} and does not own its buffer{alive} (a view keeping 76.3 MiB alive "
                f"reports 112 bytes); use `{shown}.nbytes` for its data{held}, and `.base` for {owner}",
                estimated_bytes=kept if kept is not None else value.nbytes,
            )
