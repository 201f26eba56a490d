"""MEM014 python-list-to-array: ``np.array(range(n))`` and ``np.array([0] * n)`` build Python lists first.

``np.array(list(range(n)))`` and ``np.array(range(n))`` create n Python ints (40 B each with the list slot)
before copying them into the 8 B/element array; ``np.array([0] * n)`` (or ``[False] * n``, or
``[0 for _ in range(n)]``) builds a list of n pointers first. ``np.arange(n)`` and
``np.zeros(n[, dtype=int|bool])`` write the array directly.

Same dtype and values, checked with NumPy 2.4.6 and 1.26.4 (Linux): ``np.array`` of Python ints, ``np.arange`` of Python ints and
``dtype=int`` all give NumPy's default integer (int64 on NumPy 2; ``np.int_``, which is C long and so int32
on Windows, on NumPy 1). The one difference is the empty result: ``np.array(range(0))`` and
``np.array([0] * 0)`` are float64 where ``np.arange(0)`` and ``np.zeros(0, dtype=int)`` are int64, and
``np.zeros(-1)`` raises where ``[0.0] * -1`` is empty. So the fix is safe when the length is a literal
known to be positive, and unsafe otherwise.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.python_numbers import int_value
from memlint.facts.syntax import is_name
from memlint.findings import SAFE, UNSAFE

if TYPE_CHECKING:
    import libcst

# Held per element by a list of distinct Python ints (28 B int + 8 B slot, rounded by the allocator; m07),
# and by a list of n references to one shared object.
_LIST_OF_INTS_BYTES = 40
_LIST_OF_REFS_BYTES = 8


class PythonListToArray(Rule):
    code = "MEM014"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Call):
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                continue  # dtype=, copy=, ndmin=... would change what the replacement must spell
            if ctx.qualname(node.func) not in ("numpy.array", "numpy.asarray"):
                continue
            arg = node.args[0]
            range_call = _range_call(ctx, arg)
            if range_call is not None:
                self._report_range(ctx, node, range_call)
                continue
            repeated = _repeated_literal(ctx, arg)
            if repeated is not None:
                self._report_filled(ctx, node, *repeated)

    def _report_range(self, ctx: FileContext, node: ast.Call, range_call: ast.Call) -> None:
        length = numpy_api.literal_range_length(range_call.args)
        if length is not None and not ctx.is_large(length * _LIST_OF_INTS_BYTES):
            return
        shown = {
            ast.ListComp: "np.array([i for i in range(...)])",
            ast.Call: "np.array(list(range(...)))",
        }.get(type(node.args[0]))
        shown = "np.array(range(...))" if range_call is node.args[0] else shown
        fix = None
        arange = _numpy_function(ctx, node, "arange")
        if arange is not None:
            safe = length is not None and length > 0  # an empty result would be float64, not int64
            fix = ctx.rewrite(
                node,
                lambda n: _to_arange(n, arange),
                SAFE if safe else UNSAFE,
                "Replace with np.arange(...)",
            )
        held = length * _LIST_OF_INTS_BYTES if length is not None else None
        size = f" ({numpy_api.format_bytes(held)} here)" if held is not None else ""
        ctx.report(
            node,
            f"{shown} creates one Python int object per element before copying them into the array: "
            f"about 40 B per element{size} against 8 B in the array (1M ints peak at 45.8 MiB for a "
            f"7.6 MiB result); np.arange(...) writes the same int array directly",
            estimated_bytes=held,
            fix=fix,
        )

    def _report_filled(
        self, ctx: FileContext, node: ast.Call, literal: ast.Constant, count: ast.AST, filler: str
    ) -> None:
        n = int_value(count)  # `[0] * -3` is empty: nothing is built, nothing to report
        dtype = {int: "int", bool: "bool"}.get(type(literal.value))  # float: np.zeros' own default
        if n is not None and not ctx.is_large(n * _LIST_OF_REFS_BYTES):
            return
        replacement = f"np.{filler}(n, dtype={dtype})" if dtype else f"np.{filler}(n)"
        fix = None
        spelling = _numpy_function(ctx, node, filler)
        dtype_usable = dtype is None or ctx.imports.is_builtin(ast.Name(id=dtype), dtype)  # not rebound
        if spelling is not None and dtype_usable:
            # [0] * 0 is an empty float64 array, np.zeros(0, dtype=int) an int64 one; np.zeros(-1) raises.
            safe = n is not None and (n > 0 if dtype else n >= 0)
            fix = ctx.rewrite(
                node, lambda c: _to_filled(c, spelling, dtype), SAFE if safe else UNSAFE, f"Replace with {replacement}"
            )
        held = n * _LIST_OF_REFS_BYTES if n is not None else None
        shown = (
            f"[{literal.value!r} for _ in range(n)]"
            if isinstance(node.args[0], ast.ListComp)
            else f"[{literal.value!r}] * n"
        )
        ctx.report(
            node,
            f"np.array({shown}) first builds a list of n references (8 B per element) and then "
            f"copies it into the array: the peak is twice the array; {replacement} allocates the same "
            f"array once{', and the OS maps its zero pages lazily' if filler == 'zeros' else ''}",
            estimated_bytes=held,
            fix=fix,
        )


def _range_call(ctx: FileContext, arg: ast.AST) -> Optional[ast.Call]:
    """The ``range(...)`` call in ``range(...)``, ``list(range(...))`` or ``[i for i in range(...)]``, with
    plain positional arguments."""
    if isinstance(arg, ast.ListComp):
        loop = _over_range(ctx, arg)
        if loop is None or not (isinstance(loop.target, ast.Name) and is_name(arg.elt, loop.target.id)):
            return None
        arg = loop.iter
    elif (
        isinstance(arg, ast.Call)
        and ctx.imports.is_builtin(arg.func, "list")
        and len(arg.args) == 1
        and not arg.keywords
    ):
        arg = arg.args[0]
    if not (isinstance(arg, ast.Call) and ctx.imports.is_builtin(arg.func, "range")):
        return None
    if arg.keywords or not 1 <= len(arg.args) <= 3 or any(isinstance(a, ast.Starred) for a in arg.args):
        return None
    return arg


def _repeated_literal(ctx: FileContext, arg: ast.AST) -> Optional[tuple[ast.Constant, ast.expr, str]]:
    """(the literal, the count, "zeros" or "ones") of ``[0] * n``, ``n * [0]``, ``[0.0] * n``, ``[False] * n``
    or ``[0 for _ in range(n)]``, and the same with ``1``, ``1.0`` or ``True`` (``_filler``), else None."""
    if isinstance(arg, ast.ListComp):
        loop = _over_range(ctx, arg)
        elt = arg.elt
        if loop is None or not (isinstance(loop.iter, ast.Call) and len(loop.iter.args) == 1):
            return None
        filler = _filler(elt) if isinstance(elt, ast.Constant) else None
        # as many elements as range(n): n, or none when n < 1
        return (elt, loop.iter.args[0], filler) if isinstance(elt, ast.Constant) and filler else None
    if not (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult)):
        return None
    for lst, count in ((arg.left, arg.right), (arg.right, arg.left)):
        if isinstance(lst, ast.List) and len(lst.elts) == 1 and not isinstance(count, ast.List):
            elt = lst.elts[0]
            filler = _filler(elt) if isinstance(elt, ast.Constant) else None
            if isinstance(elt, ast.Constant) and filler:
                return elt, count, filler
    return None


def _over_range(ctx: FileContext, comprehension: ast.ListComp) -> Optional[ast.comprehension]:
    """The one ``for`` of a comprehension over ``range(...)`` (plain positional arguments, no ``if``)."""
    loop, *more = comprehension.generators
    it = loop.iter
    if more or loop.ifs or loop.is_async or _range_call(ctx, it) is not it:
        return None
    return loop


def _filler(node: ast.Constant) -> Optional[str]:
    """ "zeros" for exactly the int 0, the float +0.0 or False: what np.zeros holds (not -0.0, whose sign bit
    differs); "ones" for 1, 1.0 or True: what np.ones holds; else None."""
    if type(node.value) not in (int, float, bool):
        return None
    value = node.value
    return "zeros" if value == 0 else "ones" if value == 1 else None


def _numpy_function(ctx: FileContext, call: ast.Call, name: str) -> Optional[str]:
    """How to spell ``numpy.<name>`` at this call: the attribute form's module, or an imported name."""
    if isinstance(call.func, ast.Attribute):
        return name
    for local, qualified in ctx.imports.bound.items():
        if qualified == f"numpy.{name}":
            return local
    return None


def _with_func(call: libcst.Call, spelling: str) -> libcst.Call:
    import libcst as cst

    if isinstance(call.func, cst.Attribute):
        return call.with_changes(func=call.func.with_changes(attr=cst.Name(spelling)))
    return call.with_changes(func=cst.Name(spelling))


def _to_arange(call: libcst.Call, spelling: str) -> libcst.Call:
    """``np.array(list(range(a, b)))`` (or ``[i for i in range(a, b)]``) -> ``np.arange(a, b)``."""
    import libcst as cst

    inner = call.args[0].value
    if isinstance(inner, cst.ListComp):
        inner = inner.for_in.iter
    elif isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == "list":
        inner = inner.args[0].value
    ranged = cst.ensure_type(inner, cst.Call)  # range(...), as _range_call saw
    return _with_func(call, spelling).with_changes(args=ranged.args)


def _to_filled(call: libcst.Call, spelling: str, dtype: Optional[str]) -> libcst.Call:
    """``np.array([0] * n)`` -> ``np.zeros(n, dtype=int)``; ``[0.0] * n`` -> ``np.zeros(n)``;
    ``[False for _ in range(n)]`` -> ``np.zeros(n, dtype=bool)``; ``[1] * n`` -> ``np.ones(n, dtype=int)``."""
    import libcst as cst

    listed = call.args[0].value
    if isinstance(listed, cst.ListComp):
        count = cst.ensure_type(listed.for_in.iter, cst.Call).args[0].value  # range(n), as _repeated_literal saw
    else:
        product = cst.ensure_type(listed, cst.BinaryOperation)  # [0] * n or n * [0], as _repeated_literal saw
        count = product.right if isinstance(product.left, cst.List) else product.left
    args = [cst.Arg(count)]
    if dtype:
        args = [
            cst.Arg(count, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(
                cst.Name(dtype),
                keyword=cst.Name("dtype"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            ),
        ]
    return _with_func(call, spelling).with_changes(args=args)
