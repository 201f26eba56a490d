"""MEM014 python-list-to-array: ``np.array(range(n))`` and ``np.array([0] * n)`` build Python lists first.

``np.array(list(range(n)))`` and ``np.array(range(n))`` create n Python ints (40 B each with the list slot)
before copying them into the 8 B/element array; ``np.array([0] * n)`` builds a list of n pointers first.
``np.arange(n)`` and ``np.zeros(n[, dtype=int])`` write the array directly.

Same dtype and values, checked with NumPy 2.4.6 and 1.26.4 (Linux): ``np.array`` of Python ints, ``np.arange`` of Python ints and
``dtype=int`` all give NumPy's default integer (int64 on NumPy 2; ``np.int_``, which is C long and so int32
on Windows, on NumPy 1). The one difference is the empty result: ``np.array(range(0))`` and
``np.array([0] * 0)`` are float64 where ``np.arange(0)`` and ``np.zeros(0, dtype=int)`` are int64, and
``np.zeros(-1)`` raises where ``[0.0] * -1`` is empty. So the fix is safe when the length is a literal
known to be positive, and unsafe otherwise.
"""

from __future__ import annotations

import ast
from typing import Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.findings import SAFE, UNSAFE

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
            repeated = _repeated_zero(arg)
            if repeated is not None:
                self._report_zeros(ctx, node, *repeated)

    def _report_range(self, ctx, node: ast.Call, range_call: ast.Call) -> None:
        length = numpy_api.literal_range_length(range_call.args)
        if length is not None and not ctx.is_large(length * _LIST_OF_INTS_BYTES):
            return
        shown = "np.array(list(range(...)))" if range_call is not node.args[0] else "np.array(range(...))"
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

    def _report_zeros(self, ctx, node: ast.Call, zero: ast.Constant, count: ast.AST) -> None:
        n = numpy_api.int_value(count)
        is_int = type(zero.value) is int
        if n is not None and not ctx.is_large(n * _LIST_OF_REFS_BYTES):
            return
        replacement = "np.zeros(n, dtype=int)" if is_int else "np.zeros(n)"
        fix = None
        zeros = _numpy_function(ctx, node, "zeros")
        int_usable = ctx.imports.is_builtin(ast.Name(id="int"), "int")  # the file does not rebind `int`
        if zeros is not None and (int_usable or not is_int):
            # [0] * 0 is an empty float64 array, np.zeros(0, dtype=int) an int64 one; np.zeros(-1) raises.
            safe = n is not None and (n > 0 if is_int else n >= 0)
            fix = ctx.rewrite(
                node, lambda c: _to_zeros(c, zeros, is_int), SAFE if safe else UNSAFE, f"Replace with {replacement}"
            )
        held = n * _LIST_OF_REFS_BYTES if n is not None else None
        ctx.report(
            node,
            f"np.array([{zero.value!r}] * n) first builds a list of n references (8 B per element) and then "
            f"copies it into the array: the peak is twice the array; {replacement} allocates the same "
            f"array once, and the OS maps its zero pages lazily",
            estimated_bytes=held,
            fix=fix,
        )


def _range_call(ctx, arg: ast.AST) -> Optional[ast.Call]:
    """The ``range(...)`` call in ``range(...)`` or ``list(range(...))``, with plain positional arguments."""
    if (
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


def _repeated_zero(arg: ast.AST):
    """(the literal, the count) of ``[0] * n``, ``n * [0]``, ``[0.0] * n``, else None."""
    if not (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult)):
        return None
    for lst, count in ((arg.left, arg.right), (arg.right, arg.left)):
        if isinstance(lst, ast.List) and len(lst.elts) == 1 and not isinstance(count, ast.List):
            zero = lst.elts[0]
            # Exactly the int 0 or the float +0.0 (not False, not -0.0: np.zeros has +0.0).
            if isinstance(zero, ast.Constant) and type(zero.value) in (int, float) and zero.value == 0:
                return zero, count
    return None


def _numpy_function(ctx, call: ast.Call, name: str) -> Optional[str]:
    """How to spell ``numpy.<name>`` at this call: the attribute form's module, or an imported name."""
    if isinstance(call.func, ast.Attribute):
        return name
    for local, qualified in ctx.imports.bound.items():
        if qualified == f"numpy.{name}":
            return local
    return None


def _with_func(call, spelling: str):
    import libcst as cst

    if isinstance(call.func, cst.Attribute):
        return call.with_changes(func=call.func.with_changes(attr=cst.Name(spelling)))
    return call.with_changes(func=cst.Name(spelling))


def _to_arange(call, spelling: str):
    """``np.array(list(range(a, b)))`` -> ``np.arange(a, b)``."""
    inner = call.args[0].value
    if inner.func.value == "list":
        inner = inner.args[0].value
    return _with_func(call, spelling).with_changes(args=inner.args)


def _to_zeros(call, spelling: str, is_int: bool):
    """``np.array([0] * n)`` -> ``np.zeros(n, dtype=int)``; ``[0.0] * n`` -> ``np.zeros(n)``."""
    import libcst as cst

    product = call.args[0].value
    count = product.right if isinstance(product.left, cst.List) else product.left
    args = [cst.Arg(count)]
    if is_int:
        args = [
            cst.Arg(count, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(
                cst.Name("int"),
                keyword=cst.Name("dtype"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            ),
        ]
    return _with_func(call, spelling).with_changes(args=args)
