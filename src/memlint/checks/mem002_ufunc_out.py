"""MEM002 ufunc without ``out=``: ``a = np.sqrt(a)`` allocates a second array; ``out=a`` reuses ``a``.

Two shapes of the pattern, both on a FRESH local ndarray (catalog sections 3.1 and 3.2):

- ``a = np.f(a, ...)``: the result replaces ``a``, so ``a``'s buffer can receive it;
- ``b = np.f(a, ...)`` or ``return np.f(a, ...)`` where ``a`` is never read again: its buffer can hold the
  result.

Only elementwise ufuncs with one output (and ``np.clip``, one in all but name), whose result has exactly ``a``'s dtype and shape, and calls with
no keyword arguments (``out=``, ``dtype=``, ``casting=``, ``where=``... change what ``out=a`` would mean).
Not reported when another argument views ``a`` (``np.add(a, a.T)``): NumPy would copy it first, saving nothing.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Union

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.arrays import in_place_verdict
from memlint.facts.in_place import Elementwise, chain_finding, elementwise_ufunc, in_place_steps
from memlint.findings import SAFE

if TYPE_CHECKING:
    import libcst


class UfuncOut(Rule):
    code = "MEM002"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Assign, ast.Return):
            if isinstance(node, ast.Assign):
                if not (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                    continue
                target = node.targets[0].id
            else:
                target = None  # `return np.exp(x)`: only a dead input can take the result
            call = node.value
            if not isinstance(call, ast.Call):
                continue
            ufunc = elementwise_ufunc(ctx, call)
            if ufunc is None:
                continue
            names = [(i, a) for i, a in enumerate(call.args) if isinstance(a, ast.Name)]
            same = [(i, a) for i, a in names if a.id == target]
            if same:
                self._check_one(ctx, node, call, ufunc, same[0][1], same[0][0], replaces=True)
                continue
            steps = in_place_steps(ctx, call, target) if target is not None else None
            if steps is not None:
                if ctx.arrays.may_hold_array(steps[0].operands[steps[0].position]):
                    found = chain_finding(ctx, node, steps)  # `x = np.log(x + c)`: x += c; np.log(x, out=x)
                    if found is not None:
                        message, nbytes, fix = found
                        ctx.report(node, message, estimated_bytes=nbytes, fix=fix)
                continue
            for i, a in names:
                if (
                    ctx.arrays.may_hold_array(a)
                    and ctx.arrays.is_fresh(a)
                    and ctx.arrays.is_dead_after(a)
                    and sum(1 for x in call.args if isinstance(x, ast.Name) and x.id == a.id) == 1
                ):
                    self._check_one(ctx, node, call, ufunc, a, i, replaces=False)
                    break

    def _check_one(
        self,
        ctx: FileContext,
        node: Union[ast.Assign, ast.Return],
        call: ast.Call,
        ufunc: Elementwise,
        use: ast.Name,
        position: int,
        replaces: bool,
    ) -> None:
        facts = ctx.arrays
        if not (ctx.arrays.may_hold_array(use) and facts.is_fresh(use)):  # the cheap test spares building the facts
            return
        if any(facts.may_overlap(arg, use.id) for i, arg in enumerate(call.args) if i != position):
            return  # an argument viewing `a` (`np.add(a, a.T)`) is copied whole before out=a is written: no saving
        a = facts.value(use)
        if a.dtype is None or a.ndim == 0 or (a.nbytes is not None and not ctx.is_large(a.nbytes)):
            return
        operands = [facts.value(arg) for arg in call.args]
        args = call.args
        within = tuple(i for i, arg in enumerate(args) if i != position and facts.broadcasts_within(arg, use))
        verdict, reason = in_place_verdict("ufunc", ufunc.__name__, operands, position, within)
        if verdict == "impossible":
            return
        if verdict == "safe" and not facts.no_alias(use):
            verdict, reason = "unknown", f"`{use.id}` may be reachable through another name, container or view"
        nbytes = facts.value(call).nbytes or a.nbytes
        size = f"a new {numpy_api.format_bytes(nbytes)} " if nbytes is not None else "a new "
        dtype = f"{a.dtype} " if a.dtype is not None else ""
        call_text = ctx.source.segment(call)
        if replaces:
            why = f"while `{use.id}` still holds the input"
        else:
            why = f"while `{use.id}`, never read again, still holds its input"
        message = (
            f"`{call_text}` allocates {size}{dtype}array {why}; "
            f"pass `out={use.id}` to write the result into that buffer"
        )
        fix = None
        if verdict == "safe":
            fix = ctx.rewrite(call, lambda n: _with_out(n, use.id), SAFE, f"Add `out={use.id}`")
        else:
            message += f" (not fixed: {reason})"
        ctx.report(node, message, estimated_bytes=nbytes, fix=fix)


def _with_out(call: libcst.Call, name: str) -> libcst.Call:
    import libcst as cst

    args = list(call.args)
    last = args[-1]
    if last.comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(
        cst.Arg(
            value=cst.Name(name),
            keyword=cst.Name("out"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
        )
    )
    return call.with_changes(args=args)
