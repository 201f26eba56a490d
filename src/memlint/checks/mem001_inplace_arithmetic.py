"""MEM001 in-place arithmetic: ``a = a * 2`` allocates a second array; ``a *= 2`` writes into ``a``.

Reported only for a FRESH local ndarray (never a parameter, attribute or global: rebinding those to a new
array is how non-mutating code is written). The fix is offered only when catalog section 3.1 is proven:
no alias, dtype and shape kept exactly, a plain operand, an order that commutes.

Not reported where in place saves nothing: an operand that views ``a`` (``a + a.T``, ``a * a[0]``: NumPy
copies it to an output-sized temporary first), or a new temporary NumPy already writes the result into
(``a + a * 2``: temporary elision).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.arrays import in_place_verdict
from memlint.facts.in_place import COMMUTATIVE, SYMBOLS, chain_finding, in_place_steps, spine_name
from memlint.findings import SAFE

if TYPE_CHECKING:
    import libcst

    from memlint.facts.in_place import Step


class InplaceArithmetic(Rule):
    code = "MEM001"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Assign):
            if not (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.BinOp)
            ):
                continue
            name = node.targets[0].id
            steps = in_place_steps(ctx, node.value, name)
            if steps is None:
                continue
            use = spine_name(steps)
            if not ctx.arrays.may_hold_array(use):
                continue  # never an ndarray, so never fresh: no need to build the facts
            if len(steps) > 1:
                self._check_chain(ctx, node, steps, use)
            elif steps[0].kind == "operator":
                op, position = steps[0].name, steps[0].position
                self._check_one(ctx, node, op, use, steps[0].others[0], position)

    def _check_one(
        self, ctx: FileContext, node: ast.Assign, op: str, use: ast.Name, operand: ast.expr, position: int
    ) -> None:
        facts = ctx.arrays
        if not facts.is_fresh(use, or_scalar=True) or facts.may_overlap(operand, use.id):
            return  # an operand viewing `a` (`a + a.T`) is copied whole before an in-place write: no saving
        a = facts.value(use)
        if a.dtype is None or a.dtype.kind not in "biufc":
            return  # unknown: in place may not even compute; strings, objects, datetimes: not arithmetic
        if a.ndim == 0 or (a.nbytes is not None and not ctx.is_large(a.nbytes)):
            return
        if op in COMMUTATIVE and facts.is_elided_temporary(operand, a):
            return  # `a = a + a * 2`: NumPy already writes the result into the temporary `a * 2`
        if isinstance(operand, (ast.Constant, ast.JoinedStr)) and type(
            operand.value if isinstance(operand, ast.Constant) else ""
        ) not in (int, float, complex, bool):
            return  # `"x" + s` concatenates strings: not arithmetic, and not commutative
        b = facts.value(operand)
        operands = [a, b] if position == 0 else [b, a]
        within = (1 - position,) if facts.broadcasts_within(operand, use) else ()  # `x - x.mean(axis=0)`
        verdict, reason = in_place_verdict("operator", numpy_api.BINARY_OPERATORS[op], operands, position, within)
        if verdict == "impossible":
            return  # the in-place form would compute something else: nothing to suggest
        if verdict == "safe" and not facts.no_alias(use):
            verdict, reason = "unknown", f"`{use.id}` may be reachable through another name, container or view"
        result = facts.value(node.value)
        nbytes = result.nbytes if result.nbytes is not None else a.nbytes
        size = f"a second {numpy_api.format_bytes(nbytes)} " if nbytes is not None else "a second "
        dtype = f"{a.dtype} " if a.dtype is not None else ""
        augmented = f"{use.id} {SYMBOLS[op]}= {ctx.source.segment(operand)}"
        message = (
            f"`{ctx.source.segment(node)}` allocates {size}{dtype}array for the result; "
            f"`{augmented}` writes into `{use.id}`'s own buffer"
        )
        fix = None
        if verdict == "safe":
            fix = ctx.rewrite(node, lambda n: _augmented(n, position), SAFE, f"Replace with `{augmented}`")
        else:
            message += f" (not fixed: {reason})"
        ctx.report(node, message, estimated_bytes=nbytes, fix=fix)

    def _check_chain(self, ctx: FileContext, node: ast.Assign, steps: list[Step], use: ast.Name) -> None:
        """``x = (x - a) / b`` -> ``x -= a`` then ``x /= b``: every step in ``x``'s buffer."""
        found = chain_finding(ctx, node, steps)
        if found is not None:
            message, nbytes, fix = found
            ctx.report(node, message, estimated_bytes=nbytes, fix=fix)


def _augmented(assign: libcst.Assign, position: int) -> libcst.AugAssign:
    import libcst as cst

    binary = cst.ensure_type(assign.value, cst.BinaryOperation)  # the fix is made only of `x = a <op> b`
    operator = getattr(cst, type(binary.operator).__name__ + "Assign")()
    value = binary.right if position == 0 else binary.left
    return cst.AugAssign(target=assign.targets[0].target, operator=operator, value=value)
