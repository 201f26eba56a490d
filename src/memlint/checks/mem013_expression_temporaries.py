"""MEM013 expression-temporaries: large temporaries NumPy cannot reuse. Advice only.

Three shapes of it, each measured (catalog section 2, m10):

- a named intermediate used once: ``t = a * 2; r = t + 1`` peaks at 2.00x the array; NumPy reuses an unnamed
  temporary in place (``r = a * 2 + 1``: 1.00x), or ``t += 1`` does it explicitly;
- a clamp through ``np.where``: ``np.where(a > 0, a, 0)`` builds a mask and a new array (1.13x), where
  ``np.maximum(a, 0)`` needs 1.00x (and ``out=a`` nothing);
- a broadcast outer difference of points, ``X[:, None, :] - X[None, :, :]``: an (n, n, d) temporary, 4.0x the
  (n, n) distances where the Gram form needs 2.0x.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.in_place import COMMUTATIVE, SYMBOLS

if TYPE_CHECKING:
    from memlint.facts.values import Number

# Which of np.maximum/np.minimum a clamp ``np.where(a <op> k, a, k)`` computes.
_CLAMPS = {ast.Gt: "maximum", ast.GtE: "maximum", ast.Lt: "minimum", ast.LtE: "minimum"}
_MIRRORED = {ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.LtE: ast.GtE}
_OTHER = {"maximum": "minimum", "minimum": "maximum"}


class ExpressionTemporaries(Rule):
    code = "MEM013"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for stmt in ctx.nodes(ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.value, ast.BinOp):
                self._named_intermediate(ctx, stmt, stmt.value)
        for binop in ctx.nodes(ast.BinOp):
            self._outer_difference(ctx, binop)
        for call in ctx.nodes(ast.Call):
            if len(call.args) == 3 and ctx.qualname(call.func) == "numpy.where":  # the clamp's three arguments
                self._where_clamp(ctx, call)

    # --- t = a * 2; r = t + 1 ----------------------------------------------------------------------------

    def _named_intermediate(self, ctx: FileContext, stmt: ast.Assign, node: ast.BinOp) -> None:
        """``stmt`` is ``r = node``, one target, ``node`` a binary operation."""
        arrays = ctx.arrays
        if type(node.op).__name__ not in SYMBOLS:  # the operators whose temporaries NumPy can reuse
            return
        if isinstance(node.left, ast.Name):
            t, other = node.left, node.right
        elif isinstance(node.right, ast.Name) and type(node.op).__name__ in COMMUTATIVE:
            t, other = node.right, node.left
        else:
            return
        if isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == t.id:
            return  # `t = t + 1` is MEM001's
        if not ctx.arrays.may_hold_array(t):
            return  # never an ndarray: no need to build the facts
        held, result = arrays.value(t), arrays.value(node)
        if held.kind != "ndarray" or result.kind != "ndarray" or held.dtype is None or result.dtype != held.dtype:
            return  # NumPy reuses a temporary only for a same-shape, same-dtype result
        number = arrays.value(other)
        if number.kind not in ("py_number", "np_scalar") and (held.shape is None or result.shape != held.shape):
            return  # an array operand may broadcast the result larger (a number keeps the intermediate's shape)
        if held.nbytes is not None and not ctx.is_large(held.nbytes):
            return  # known small (an unknown size counts, as for the in-place rules: the data decides it)
        defs = arrays.reaching(t)
        if not defs or len(defs) != 1 or not isinstance(defs[0].value, (ast.BinOp, ast.UnaryOp)):
            return  # the intermediate is the result of an expression, bound once
        if not (arrays.is_fresh(t) and arrays.no_alias(t) and arrays.is_dead_after(t)):
            return
        if [u for u in arrays.uses_of(defs[0]) if u is not t]:
            return
        size = numpy_api.format_bytes(held.nbytes) if held.nbytes is not None else None
        kept = (
            f"its {size} alive while this allocates another {size}" if size else "it alive while this allocates another"
        )
        unnamed = ""
        if arrays.is_elided_temporary(defs[0].value, number, assume_large=True):
            # not for a float32 intermediate and a Python number, which NumPy does not reuse (2.00x either way)
            unnamed = f" or write the whole expression without naming {t.id}, and NumPy reuses the temporary"
        ctx.report(
            node,
            f"naming the intermediate {t.id} keeps {kept} (measured: 2.00x the array instead of 1.00x); update it "
            f"in place ({t.id} {SYMBOLS[type(node.op).__name__]}= {_short(ctx, other)}){unnamed}",
            estimated_bytes=held.nbytes,
        )

    # --- np.where(a > 0, a, 0) ---------------------------------------------------------------------------

    def _where_clamp(self, ctx: FileContext, call: ast.Call) -> None:
        if len(call.args) != 3 or call.keywords:
            return
        cond, picked, fallback = call.args
        if not (isinstance(cond, ast.Compare) and len(cond.ops) == 1 and type(cond.ops[0]) in _CLAMPS):
            return
        left, right, op = cond.left, cond.comparators[0], type(cond.ops[0])
        if isinstance(right, ast.Name) and not isinstance(left, ast.Name):
            left, right, op = right, left, _MIRRORED[op]  # `0 < a` is `a > 0`
        if not isinstance(left, ast.Name):
            return
        bound = ctx.arrays.value(right)
        if bound.kind != "py_number" or bound.constant is None:
            return
        clamp = _CLAMPS[op]
        if _same_name(picked, left) and _same_constant(ctx, fallback, bound.constant):
            pass
        elif _same_name(fallback, left) and _same_constant(ctx, picked, bound.constant):
            clamp = _OTHER[clamp]  # np.where(a > k, k, a) keeps the smaller
        else:
            return
        a = ctx.arrays.value(left)
        nbytes = a.nbytes
        if a.kind != "ndarray" or a.dtype is None or a.dtype.kind not in "iuf" or nbytes is None:
            return
        mask = nbytes // a.dtype.itemsize
        if bound.pytype not in ("int", "float") or not ctx.is_large(mask):
            return  # the mask is what a clamp saves
        operands = (
            ("array", numpy_api.dtype_of(ast.Constant("bool"), ctx.qualname), a.ndim),
            ("array", a.dtype, a.ndim),
            ("py", bound.pytype),
        )
        if numpy_api.result_of("function", "where", operands) != ("ndarray", a.dtype):
            return  # a bound that changes the dtype (int array, float bound): np.maximum would differ too
        k = ctx.source.segment(right)
        nan = "; unlike np.where it keeps NaN as NaN" if a.dtype.kind == "f" else ""
        in_place = (
            f", and np.{clamp}({left.id}, {k}, out={left.id}) needs nothing more"
            if ctx.arrays.is_fresh(left) and ctx.arrays.no_alias(left) and ctx.arrays.is_dead_after(left)
            else ""
        )
        ctx.report(
            call,
            f"np.where builds a {numpy_api.format_bytes(mask)} boolean mask besides its "
            f"{numpy_api.format_bytes(nbytes)} result ({1 + mask / nbytes:.2f}x the array; measured 1.13x for "
            f"float64); np.{clamp}({left.id}, {k}) computes the same clamp with no mask (1.00x){in_place}{nan}",
            estimated_bytes=mask,
        )

    # --- X[:, None, :] - X[None, :, :] -------------------------------------------------------------------

    def _outer_difference(self, ctx: FileContext, node: ast.BinOp) -> None:
        if not isinstance(node.op, ast.Sub):
            return
        sides = (node.left, node.right)
        axes = [_adds_axis(ctx, e) for e in sides]
        if not any(axes) or not all(a or isinstance(e, ast.Name) for a, e in zip(axes, sides)):
            return  # X[:, None] - X[None] or X[:, None] - X
        x, y = (ctx.arrays.value(e.value if isinstance(e, ast.Subscript) else e) for e in sides)
        if not all(v.ndim == 2 or v.ndim is None and v.kind in ("ndarray", "unknown") for v in (x, y)):
            return  # 1-d points: the (n, n) difference is the result itself, not a temporary
        if None in (x.ndim, y.ndim) and max(axes) < 2:
            return  # X[:, None] of an array of unknown dimensions may be 1-d points
        result = ctx.arrays.value(node)
        if result.shape is not None and (len(result.shape) != 3 or result.shape[2] < 2):
            return
        if result.shape is not None and not ctx.is_large(result.nbytes):
            return
        if not _summed_squares_over_last_axis(ctx, _reduced(ctx, node)):
            return  # displacement vectors kept whole are the result, not a temporary
        if result.shape is None or result.nbytes is None or result.dtype is None:
            # parameters, loaded data: the temporary grows with n * n, d times the result
            size = "an (n, n, d) temporary, d times the (n, n) distance matrix"
        else:
            n, m, d = result.shape
            size = (
                f"a {result.shape} temporary of {numpy_api.format_bytes(result.nbytes)}, {d}x the ({n}, {m}) "
                f"distance matrix ({numpy_api.format_bytes(n * m * result.dtype.itemsize)})"
            )
        ctx.report(
            node,
            f"this broadcast difference allocates {size} it is reduced to; the Gram form |x|^2 + |y|^2 - 2 x.y (sq = (X * X).sum(1); d2 = sq[:, None] + "
            f"sq[None, :]; d2 -= 2 * (X @ X.T)) needs only (n, n) arrays (measured: 2.0x the result instead of "
            f"4.0x; not bit-identical, clip at 0 before a square root), or scipy.spatial.distance.cdist",
            estimated_bytes=result.nbytes,
        )


def _reduced(ctx: FileContext, diff: ast.BinOp) -> ast.expr:
    """What is reduced: the difference itself, or the one use of the name it is bound to
    (``diff = X[:, None] - X[None]; np.sum(diff ** 2, -1)``, with ``diff`` read nowhere else)."""
    stmt = ctx.arrays.parent(diff)
    if not (isinstance(stmt, ast.Assign) and stmt.value is diff and len(stmt.targets) == 1):
        return diff
    uses = ctx.arrays.uses_of_binding(stmt) if isinstance(stmt.targets[0], ast.Name) else None
    return uses[0] if uses is not None and len(uses) == 1 else diff


def _summed_squares_over_last_axis(ctx: FileContext, diff: ast.AST) -> bool:
    """``((diff) ** 2).sum(-1)``, ``np.sum(diff ** 2, axis=-1)``, ``np.linalg.norm(diff, axis=-1)``: the
    (n, m, d) difference only feeds (n, m) distances, which the Gram form computes without it."""
    parent = ctx.arrays.parent(diff)
    if isinstance(parent, ast.Call) and ctx.qualname(parent.func) == "numpy.linalg.norm":
        return parent.args[:1] == [diff] and _last_axis(ctx, parent, 1)
    if not (
        isinstance(parent, ast.BinOp)
        and parent.left is diff
        and isinstance(parent.op, ast.Pow)
        and ctx.arrays.value(parent.right).constant == 2
    ):
        return False
    above = ctx.arrays.parent(parent)
    if isinstance(above, ast.Call) and ctx.qualname(above.func) == "numpy.sum":
        return bool(above.args) and above.args[0] is parent and _last_axis(ctx, above, 1)
    call = ctx.arrays.parent(above) if above is not None else None
    return (
        isinstance(above, ast.Attribute)
        and above.value is parent
        and above.attr == "sum"
        and isinstance(call, ast.Call)
        and call.func is above
        and _last_axis(ctx, call, 0)
    )


def _last_axis(ctx: FileContext, call: ast.Call, position: int) -> bool:
    """The call's ``axis`` argument (at ``position`` or by keyword) is the last of three: -1 or 2."""
    axis = next((k.value for k in call.keywords if k.arg == "axis"), None)
    if axis is None and len(call.args) > position:
        axis = call.args[position]
    return axis is not None and ctx.arrays.value(axis).constant in (-1, 2)


def _adds_axis(ctx: FileContext, node: ast.AST) -> int:
    """``X[:, None]``, ``X[np.newaxis, :, :]``: a subscript of a name that inserts an axis with None: the number
    of the name's own axes it spells (at least that many exist, or it raises), else 0."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load)):
        return 0
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    new = [p for p in parts if isinstance(p, ast.Constant) and p.value is None or ctx.qualname(p) == "numpy.newaxis"]
    whole = [p for p in parts if isinstance(p, ast.Slice) and p.lower is None and p.upper is None and p.step is None]
    return len(whole) if new and len(new) + len(whole) == len(parts) else 0


def _same_name(node: ast.AST, name: ast.Name) -> bool:
    return isinstance(node, ast.Name) and node.id == name.id


def _same_constant(ctx: FileContext, node: ast.AST, constant: Optional[Number]) -> bool:
    if not isinstance(node, ast.expr):
        return False
    v = ctx.arrays.value(node)
    return v.kind == "py_number" and v.constant is not None and v.constant == constant


def _short(ctx: FileContext, node: ast.AST) -> str:
    text = ctx.source.segment(node)
    return text if len(text) <= 30 and "\n" not in text else "..."
