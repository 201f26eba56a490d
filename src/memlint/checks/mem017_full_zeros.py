"""MEM017 full-zeros: ``np.full(shape, 0.0)`` touches every page at once; ``np.zeros`` maps them lazily."""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Any, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.findings import SAFE

if TYPE_CHECKING:
    import libcst
    import numpy


def _arguments(call: ast.Call) -> Optional[dict[str, ast.expr]]:
    """np.full's arguments by name, or None if they cannot be read statically (``*args``, ``**kw``)."""
    names = ("shape", "fill_value", "dtype", "order")
    if len(call.args) > len(names) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    args = dict(zip(names, call.args))
    for kw in call.keywords:
        if kw.arg is None or kw.arg in args:
            return None
        args[kw.arg] = kw.value
    return args if "shape" in args and "fill_value" in args else None


def _is_literal(node: ast.AST, values: tuple[object, ...]) -> bool:
    return (
        isinstance(node, ast.Constant)
        and type(node.value) in (int, float, bool)
        and any(node.value == v and type(node.value) is type(v) for v in values)
    )


class FullZeros(Rule):
    code = "MEM017"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        zeros_name = self._zeros_name(ctx)
        for node in ctx.nodes(ast.Call):
            if not (isinstance(node, ast.Call) and ctx.qualname(node.func) == "numpy.full"):
                continue
            args = _arguments(node)
            if args is None or set(args) - {"shape", "fill_value", "dtype", "order"}:
                continue
            fill, dtype_node = args["fill_value"], args.get("dtype")
            dtype: Optional[numpy.dtype[Any]]
            if dtype_node is None:
                if not _is_literal(fill, (0.0,)):
                    continue  # np.full(s, 0) is int64, and -0.0 is not +0.0
                dtype = numpy_api.default_float()
            else:
                dtype = numpy_api.dtype_of(dtype_node, ctx.qualname)
                # np.zeros equals np.full(.., 0) only for numeric and bool dtypes ('U' gives '' vs '0').
                if dtype is None or dtype.kind not in "biufc" or not _is_literal(fill, (0, 0.0, False)):
                    continue
            # The array facts see through names bound to constants (`N = 10; np.full((N, N), 0.0)`).
            nbytes = ctx.arrays.value(node).nbytes
            if nbytes is not None and not ctx.is_large(nbytes):
                continue
            size = f"its {numpy_api.format_bytes(nbytes)} " if nbytes is not None else "the whole buffer "
            fix = None
            if zeros_name is not None or isinstance(node.func, ast.Attribute):
                bare = None if isinstance(node.func, ast.Attribute) else zeros_name
                fix = ctx.rewrite(node, functools.partial(_to_zeros, bare=bare), SAFE, "Replace with np.zeros")
            ctx.report(
                node,
                f"np.full with a zero fill writes {size}into memory at once; np.zeros gives the same "
                f"{dtype} array and the OS maps its pages only when they are written",
                estimated_bytes=nbytes,
                fix=fix,
            )

    @staticmethod
    def _zeros_name(ctx: FileContext) -> Optional[str]:
        """A plain name bound to numpy.zeros in this file, for ``from numpy import full`` spellings."""
        for name, qualified in ctx.imports.bound.items():
            if qualified == "numpy.zeros":
                return name
        return None


def _to_zeros(call: libcst.Call, bare: Optional[str]) -> libcst.Call:
    """``np.full(...)`` -> ``np.zeros(...)``, or ``full(...)`` -> ``<bare>(...)``, ``bare`` naming numpy.zeros."""
    import libcst as cst

    func: cst.BaseExpression
    if bare is None:  # np.full: the attribute
        func = cst.ensure_type(call.func, cst.Attribute).with_changes(attr=cst.Name("zeros"))
    else:
        func = cst.Name(bare)
    args = list(call.args)
    fill = next((i for i, a in enumerate(args) if a.keyword and a.keyword.value == "fill_value"), 1)
    removed = args.pop(fill)
    if fill == len(args) and args:
        args[-1] = _last_argument(args[-1], removed)
    return call.with_changes(func=func, args=args)


def _last_argument(arg: libcst.Arg, removed: libcst.Arg) -> libcst.Arg:
    """``arg`` as the last argument in place of ``removed``: it takes the removed one's comma (none, or a
    trailing one), unless its own comma carries a comment; then that comma stays, with its comment, and
    only the line break before the closing parenthesis comes from the removed argument."""
    import libcst as cst

    comma = arg.comma
    if not (isinstance(comma, cst.Comma) and "#" in cst.Module([]).code_for_node(comma)):
        return arg.with_changes(comma=removed.comma)
    closing = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else removed.whitespace_after_arg
    if isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace) and isinstance(
        closing, cst.ParenthesizedWhitespace
    ):
        comma = comma.with_changes(
            whitespace_after=comma.whitespace_after.with_changes(indent=closing.indent, last_line=closing.last_line)
        )
    return arg.with_changes(comma=comma)
