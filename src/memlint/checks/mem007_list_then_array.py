"""MEM007 list-then-array: Python numbers appended to a list in a loop, then ``np.array(lst)``.

Each Python float is a 24 B object plus an 8 B list slot (ints: 28 B plus the slot), so the list holds
about 5x the final array, and ``np.array`` needs both at once. ``np.fromiter(gen, dtype, count=n)`` or a
preallocated array filled in the loop peak at the array itself.

Reported only when the list's whole life is visible in one scope (the data flow of ``facts/dataflow.py``):
the only binding reaching ``np.array(lst)`` binds a new empty list, and every use that binding reaches is an
``lst.append(<number>)`` statement inside a loop before the conversion, or the conversion itself; each
appended value is a Python number by the array facts (a literal, a ``range``/``enumerate`` counter,
arithmetic on those, ``float()``/``int()``/``len()``, ``math``'s and ``random``'s number functions of them
(``python_numbers.NUMBER_FUNCTIONS``), a local bound only to such values).
"""

from __future__ import annotations

import ast
from typing import Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.dataflow import Def, unpacked_expr
from memlint.facts.lists import is_new_empty_list

# A list slot (8 B) plus a float object (24 B) or a distinct int (28 B, allocated as 32 B): m07.
_LIST_BYTES_PER_NUMBER = 40
_LIST_SLOT_BYTES = 8


class ListThenArray(Rule):
    code = "MEM007"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for call in ctx.nodes(ast.Call):
            if len(call.args) == 1 and isinstance(call.args[0], ast.Name) and _is_conversion(ctx, call):
                _check_conversion(ctx, call, call.args[0])


def _check_conversion(ctx: FileContext, conversion: ast.Call, name: ast.Name) -> None:
    appends = _appends(ctx, name, conversion)
    if not appends:
        return
    kinds = set()
    for append in appends:
        value = ctx.arrays.value(append.args[0])
        if value.kind != "py_number":
            return
        kinds.add(value.pytype or "number")
    # CPython caches the ints -5..256, and True and False are two objects: a list of them costs its 8 B slots
    small = kinds == {"bool"} or all(_small_int(ctx, append.args[0]) for append in appends)
    per_number = _LIST_SLOT_BYTES if small else _LIST_BYTES_PER_NUMBER
    most = _most_appended(ctx, appends)
    if most is not None and not ctx.is_large(most * per_number):
        return
    count = _known_count(ctx, appends)
    dtype_arg = next((kw.value for kw in conversion.keywords if kw.arg == "dtype"), None)
    if dtype_arg is not None:
        dtype = ctx.source.segment(dtype_arg)
    else:
        dtype = {frozenset({"float"}): "float", frozenset({"int"}): "int", frozenset({"bool"}): "bool"}.get(
            frozenset(kinds), "..."
        )
    lst = name.id
    if kinds == {"bool"}:
        cost = (
            f"`{lst}` collects Python bools one by one (8 B each, the list slot: True and False are shared "
            f"objects) and np.array(`{lst}`) then copies them: the list alone takes 8x the bytes of a bool array"
        )
    elif small:
        cost = (
            f"`{lst}` collects small Python ints one by one (CPython caches -5..256: 8 B each, the list "
            f"slot) and np.array(`{lst}`) then copies them: the peak is twice the final array"
        )
    else:
        cost = (
            f"`{lst}` collects Python numbers one by one (32-40 B each: the number object and its list "
            f"slot) and np.array(`{lst}`) then copies them: the peak is 5-6x the final 8 B/element array "
            f"(1M floats: 38.6 MiB against 7.6 MiB)"
        )
    ctx.report(
        conversion,
        f"{cost}; np.fromiter(<generator>, dtype={dtype}, count=n) or a preallocated np.empty(n) filled in "
        f"the loop peaks at the array itself",
        estimated_bytes=count * per_number if count is not None else None,
    )


def _appends(ctx: FileContext, name: ast.Name, conversion: ast.Call) -> Optional[list[ast.Call]]:
    """The ``lst.append(x)`` calls of the list ``name`` holds at the conversion, when they are all its uses
    but the conversion: one binding to a new empty list reaches the conversion, nothing else can see or
    change that list, and every append is a statement in a loop before the conversion (not in a loop around
    it: the list would be rebuilt and converted again)."""
    defs = ctx.arrays.reaching(name)
    flow = ctx.arrays.flow_of(name)
    if not defs or len(defs) != 1 or flow is None or flow.opaque:
        return None
    if name.id in flow.captured or name.id in flow.declared:
        return None
    (d,) = defs
    if not is_new_empty_list(_bound_expr(d), ctx.imports.is_builtin):
        return None
    around_conversion = ctx.loops_around(conversion)
    appends = []
    for use in ctx.arrays.uses_of(d):
        if use is name:
            continue
        append = _append_statement(ctx, use)
        if append is None or (append.lineno, append.col_offset) > (conversion.lineno, conversion.col_offset):
            return None
        loops = ctx.loops_around(append)
        if not loops or loops[0] in around_conversion:
            return None
        appends.append(append)
    return appends


def _bound_expr(d: Def) -> Optional[ast.expr]:
    """The expression a definition binds its name to: ``x = value``, ``x: T = value``, or its item of a
    literal tuple (``a, b = [], []``)."""
    if d.kind == "assign" and d.targets == 1:
        return d.value
    if d.kind == "unpack":
        element = unpacked_expr(d)
        return element if isinstance(element, ast.expr) else None
    return None


def _append_statement(ctx: FileContext, use: ast.Name) -> Optional[ast.Call]:
    """The call of the statement ``use.append(x)``, else None."""
    attribute = ctx.parent(use)
    call = ctx.parent(attribute) if isinstance(attribute, ast.Attribute) else None
    if (
        isinstance(call, ast.Call)
        and isinstance(attribute, ast.Attribute)
        and call.func is attribute
        and attribute.attr == "append"
        and len(call.args) == 1
        and not isinstance(call.args[0], ast.Starred)
        and not call.keywords
        and isinstance(ctx.parent(call), ast.Expr)
    ):
        return call
    return None


def _small_int(ctx: FileContext, value: ast.AST) -> bool:
    """An int literal CPython caches (-5..256), or a bool."""
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        operand = value.operand
        return isinstance(operand, ast.Constant) and type(operand.value) is int and operand.value <= 5
    return isinstance(value, ast.Constant) and isinstance(value.value, int) and -5 <= value.value <= 256


def _known_count(ctx: FileContext, appends: list[ast.Call]) -> Optional[int]:
    """How many numbers are appended, when that is visible: one unconditional append in the body of a
    ``for ... in range(<literal>)`` loop that is in no other loop."""
    if len(appends) != 1:
        return None
    statement = ctx.parent(appends[0])
    loops = ctx.loops_around(statement) if statement is not None else []
    loop = loops[0] if loops else None
    if not (
        len(loops) == 1
        and isinstance(loop, ast.For)
        and any(s is statement for s in loop.body)
        and isinstance(loop.iter, ast.Call)
        and ctx.imports.is_builtin(loop.iter.func, "range")
        and not loop.iter.keywords
        and 1 <= len(loop.iter.args) <= 3
    ):
        return None
    return numpy_api.literal_range_length(loop.iter.args)


def _most_appended(ctx: FileContext, appends: list[ast.Call]) -> Optional[int]:
    """An upper bound on the numbers appended, when every loop around every append has a visible count."""
    total = 0
    for append in appends:
        product = 1
        for loop in ctx.loops_around(append):
            count = _iterations(ctx, loop)
            if count is None:
                return None
            product *= count
        total += product
    return total


def _iterations(ctx: FileContext, loop: ast.AST) -> Optional[int]:
    """How many times a loop runs, when visible: ``range(<literals>)``, a literal list or tuple, or a local
    whose one reaching binding is one and which nothing could change before the loop ends."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return None
    it = loop.iter
    if isinstance(it, ast.Name):
        defs = ctx.arrays.reaching(it)
        flow = ctx.arrays.flow_of(it)
        if defs and len(defs) == 1 and flow is not None and not flow.opaque and it.id not in flow.captured:
            value = _bound_expr(defs[0])
            unchanged = all(
                use is it
                or (use.lineno, use.col_offset) > (loop.end_lineno, loop.end_col_offset)
                or not isinstance(ctx.parent(use), (ast.Attribute, ast.Call, ast.Subscript))
                for use in ctx.arrays.uses_of(defs[0])
            )
            if value is not None and unchanged:
                it = value
    if isinstance(it, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in it.elts):
        return len(it.elts)
    if isinstance(it, ast.Call) and ctx.imports.is_builtin(it.func, "range") and not it.keywords:
        if 1 <= len(it.args) <= 3:
            return numpy_api.literal_range_length(it.args)
    return None


def _is_conversion(ctx: FileContext, call: ast.Call) -> bool:
    """``np.array(lst)`` / ``np.asarray(lst)``, with at most a numeric ``dtype=``."""
    if ctx.qualname(call.func) not in ("numpy.array", "numpy.asarray"):
        return False
    for kw in call.keywords:
        dtype = numpy_api.dtype_of(kw.value, ctx.qualname) if kw.arg == "dtype" else None
        if dtype is None or dtype.kind not in "biufc":
            return False
    return True
