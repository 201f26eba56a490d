"""MEM008 dtype-widening: ``x / 2`` or ``x * 0.5`` on an 8/16-bit integer array gives float64.

The result is 4x a 16-bit array and 8x an 8-bit one. Every 8- and 16-bit integer is exact in float32, so
``np.divide(x, 2, dtype=np.float32)`` keeps the inputs exact at half the bytes. Advice only: the arithmetic is
then rounded to float32, and later code may rely on float64.
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api

if TYPE_CHECKING:
    import numpy

    from memlint.facts.values import Value

_SMALL_INT_BYTES = 2  # 8- and 16-bit integers are exact in float32 (24-bit significand)


class DtypeWidening(Rule):
    code = "MEM008"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        float32 = numpy_api.dtype_of(ast.Constant("float32"), ctx.qualname)
        assert float32 is not None  # NumPy knows float32
        groups: dict = {}  # the outermost arithmetic expression -> its widening terms
        for node in ctx.nodes(ast.BinOp, ast.Call):
            operands = _operands(ctx, node)
            if operands is None:
                continue
            ufunc, first, second = operands
            if not (ctx.arrays.may_hold_array(first) or ctx.arrays.may_hold_array(second)):
                continue  # no operand can be the small-integer array: no need to build the facts
            result = ctx.arrays.value(node)
            # "unknown": an array operand whose number of dimensions is not known (a parameter annotated
            # npt.NDArray[np.uint8]) gives an ndarray, or a NumPy scalar if it is 0-d
            if result.kind not in ("ndarray", "unknown", "array_like") or result.dtype != numpy_api.default_float():
                continue
            left, right = ctx.arrays.value(first), ctx.arrays.value(second)
            ints = [v for v in (left, right) if _small_int_array(v)]
            if not ints or not all(_small_int_array(v) or _harmless_operand(v, float32) for v in (left, right)):
                continue  # a float64 operand makes float64 by itself: not this rule's business
            if result.nbytes is not None and not ctx.is_large(result.nbytes):
                continue
            groups.setdefault(_outermost(ctx, node), []).append((node, ufunc, first, second, ints[0], result))
        for terms in groups.values():
            terms.sort(key=lambda t: (t[0].lineno, t[0].col_offset))
            node, ufunc, first, second, source, result = terms[0]
            message = self._message(ctx, node, ufunc, first, second, source, result, float32)
            nbytes = result.nbytes
            if len(terms) > 1:
                # One finding per expression: its terms' float64 arrays are not all alive at once (NumPy
                # reuses a temporary for a sum), so following every advice lowers the peak by one term.
                sizes = [t[5].nbytes for t in terms]
                nbytes = max(sizes) if None not in sizes else None
                others = ", ".join(ctx.source.segment(t[0]) for t in terms[1:])
                message += (
                    f"; the same holds for {others} in this expression: with dtype=np.float32 on every term "
                    f"it stays float32, and its peak falls by one float64 term"
                    + (f" ({numpy_api.format_bytes(nbytes)})" if nbytes is not None else "")
                )
            ctx.report(node, message, estimated_bytes=nbytes)

    @staticmethod
    def _message(
        ctx: FileContext,
        node: ast.expr,
        ufunc: numpy.ufunc,
        first: ast.expr,
        second: ast.expr,
        source: Value,
        result: Value,
        float32: numpy.dtype[Any],
    ) -> str:
        source_dtype, result_dtype = source.dtype, result.dtype
        # check() reports only a small-integer source and a float64 result
        assert source_dtype is not None and result_dtype is not None
        a, b = ctx.source.segment(first), ctx.source.segment(second)
        call = f"np.{ufunc.__name__}({a}, {b}, dtype=np.float32)"
        if len(call) > 80 or "\n" in call:
            call = f"np.{ufunc.__name__}(..., dtype=np.float32)"
        growth = result_dtype.itemsize // source_dtype.itemsize
        if result.nbytes is not None and source.nbytes is not None:
            sizes = (
                f"turns the {numpy_api.format_bytes(source.nbytes)} {source_dtype} array into a "
                f"{numpy_api.format_bytes(result.nbytes)} float64 array ({growth}x)"
            )
            smaller = f"a {numpy_api.format_bytes(result.nbytes // 2)} float32 array"
        else:
            sizes = (
                f"gives float64: {result_dtype.itemsize} bytes per element instead of "
                f"{source_dtype.itemsize} ({growth}x the {source_dtype} array)"
            )
            smaller = f"{float32.itemsize} bytes per element"
        return (
            f"{ctx.source.segment(node) if len(ctx.source.segment(node)) <= 40 else 'this arithmetic'} "
            f"{sizes}; {call} gives {smaller}, and every {source_dtype.itemsize * 8}-bit integer is exact "
            f"in float32 (the result is rounded to float32)"
        )


def _outermost(ctx: FileContext, node: ast.AST) -> ast.AST:
    """The largest arithmetic expression ``node`` is a term of (``a / 255.0 + b / 2.0`` for ``a / 255.0``)."""
    parent = ctx.arrays.parent(node)
    while isinstance(parent, (ast.BinOp, ast.UnaryOp)):
        node, parent = parent, ctx.arrays.parent(parent)
    return node


class _Operands(NamedTuple):
    ufunc: numpy.ufunc
    first: ast.expr
    second: ast.expr


def _operands(ctx: FileContext, node: Union[ast.BinOp, ast.Call]) -> Optional[_Operands]:
    """The ufunc and operands of ``a <op> b`` or of ``np.<binary ufunc>(a, b)`` without ``dtype``/``out``, else
    None."""
    if isinstance(node, ast.BinOp):
        ufunc = _operator_ufunc(type(node.op).__name__)
        return _Operands(ufunc, node.left, node.right) if ufunc is not None else None
    if len(node.args) != 2 or node.keywords:
        return None  # before resolving the name: most calls are not two plain operands
    ufunc = numpy_api.ufunc_of(ctx.qualname(node.func))
    if ufunc is None or ufunc.nin != 2:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    return _Operands(ufunc, node.args[0], node.args[1])


@functools.cache
def _operator_ufunc(op: str) -> Optional[numpy.ufunc]:
    """The ufunc an ``ast`` operator (``"Add"``) computes (asked once per operator: every BinOp of a file asks)."""
    name = numpy_api.OPERATOR_UFUNCS.get(op)
    return numpy_api.ufunc_of(f"numpy.{name}") if name else None


def _small_int_array(v: Value) -> bool:
    """An array of 8- or 16-bit integers: an ndarray, a value of unknown kind with that dtype (an ndarray or NumPy
    scalar: its number of dimensions is unknown), or an array_like (``if x.dtype == np.int16:`` on a value of
    unknown kind: a pandas Series widens alike): the dtype decides."""
    return (
        v.kind in ("ndarray", "unknown", "array_like")
        and v.dtype is not None
        and v.dtype.kind in "iu"
        and v.dtype.itemsize <= _SMALL_INT_BYTES
    )


def _harmless_operand(v: Value, float32: numpy.dtype[Any]) -> bool:
    """A Python int/float (finite in float32), or a NumPy scalar/array of at most 16-bit integers or bools."""
    if v.kind == "py_number":
        if v.pytype not in ("int", "float", "bool"):
            return False
        return v.constant is None or numpy_api.fits(v.constant, float32)
    return (
        v.kind in ("ndarray", "np_scalar")
        and v.dtype is not None
        and v.dtype.kind in "iub"
        and v.dtype.itemsize <= _SMALL_INT_BYTES
    )
