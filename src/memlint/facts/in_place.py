"""Computing an expression in the buffer of the array it replaces, one step at a time.

``x = (x - a) / b`` is ``x -= a`` then ``x /= b``; ``x = np.log(x + c)`` is ``x += c`` then
``np.log(x, out=x)``. Each step is an operator or an elementwise ufunc one of whose operands (the spine) is
``x`` itself or the step before. ``in_place_steps`` finds the steps, ``steps_verdict`` says whether running
them in ``x``'s buffer computes what the expression did (catalog section 3.1 for each step, and the other
operands evaluated to the same values), and ``spelled`` writes them as statements.

Steps after the first evaluate their other operands with ``x`` already written: an operand that reads ``x``
(``(x - x.min()) / (x.max() - x.min())``) would see the new values, so nothing may be fixed there; and an
exception raised by such an operand would leave ``x`` half updated, which only code still able to read
``x`` afterwards (an enclosing ``try``/``with``, the module's globals) could notice.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Literal, NamedTuple, Optional, Union

from memlint.facts import numpy_api
from memlint.facts.kinds import ChainVerdict, Verdict
from memlint.facts.numpy_calls import in_place_verdict
from memlint.facts.ownership import reads_data_of
from memlint.facts.syntax import is_name
from memlint.findings import SAFE, UNSAFE, Fix

if TYPE_CHECKING:
    import numpy

    from memlint.context import FileContext
    from memlint.facts.arrays import ArrayFacts
    from memlint.facts.values import Value
    from memlint.source import SourceText

# Python's binary operators (``ast`` class names) that NumPy computes in place, as an augmented assignment spells
# each, and those whose operands may be swapped (so a temporary on either side may take the result).
COMMUTATIVE = frozenset({"Add", "Mult", "BitAnd", "BitOr", "BitXor"})
SYMBOLS = {
    "Add": "+",
    "Sub": "-",
    "Mult": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
    "Pow": "**",
    "LShift": "<<",
    "RShift": ">>",
    "BitOr": "|",
    "BitXor": "^",
    "BitAnd": "&",
}

# np.clip(a, lo, hi) is an elementwise ufunc in all but name (it calls numpy._core.umath.clip) and takes out=.
_CLIP = SimpleNamespace(__name__="clip", nin=3, nout=1)
Elementwise = Union["numpy.ufunc", SimpleNamespace]  # a ufunc, or _CLIP: each has __name__, nin and nout


def elementwise_ufunc(ctx: FileContext, call: ast.Call) -> Optional[Elementwise]:
    """The ufunc a call applies elementwise with one output, all operands positional and no keyword (``out=``,
    ``dtype=``, ``where=``... change what ``out=a`` would mean), else None."""
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    qualname = ctx.qualname(call.func)
    ufunc: Optional[Elementwise]
    if qualname == "numpy.clip":
        ufunc = _CLIP
    else:
        ufunc = numpy_api.ufunc_of(qualname)
        if ufunc is None or not numpy_api.is_elementwise_ufunc(qualname) or ufunc.nout != 1:
            return None
    return ufunc if len(call.args) == ufunc.nin else None


@dataclass(frozen=True)
class Step:
    """One operator or ufunc of the chain; ``operands[position]`` is the spine (``x`` or the step before)."""

    node: Union[ast.BinOp, ast.Call]
    kind: Literal["operator", "ufunc"]  # "operator": ``name`` is the ast operator's ("Sub"); "ufunc": the ufunc's
    name: str
    operands: tuple[ast.expr, ...]
    position: int

    @property
    def others(self) -> list[ast.expr]:
        return [o for i, o in enumerate(self.operands) if i != self.position]

    def verdict(self, values: list[Value], within: tuple[int, ...] = ()) -> tuple[Verdict, str]:
        """``in_place_verdict`` of this step for the operands' values (the spine's is the array's)."""
        if self.kind == "operator":
            return in_place_verdict("operator", numpy_api.BINARY_OPERATORS[self.name], values, self.position, within)
        return in_place_verdict("ufunc", self.name, values, self.position, within)


def in_place_steps(ctx: FileContext, expr: ast.expr, target: str) -> Optional[list[Step]]:
    """The steps of ``expr`` from the innermost out, when ``expr`` is a chain of operators and elementwise
    ufuncs over the name ``target`` (an operator's spine on its right only where the operator commutes; an
    operand that is ``target`` itself first: ``a = np.sqrt(a) + a`` is ``a += np.sqrt(a)``); else None."""
    kind: Literal["operator", "ufunc"]
    if isinstance(expr, ast.BinOp):
        op = type(expr.op).__name__
        if op not in SYMBOLS:
            return None  # `@` never works in place
        kind, name = "operator", op
        operands: tuple[ast.expr, ...] = (expr.left, expr.right)
        positions: tuple[int, ...] = (0, 1) if op in COMMUTATIVE else (0,)
    elif isinstance(expr, ast.Call):
        ufunc = elementwise_ufunc(ctx, expr)
        if ufunc is None:
            return None
        kind, name, operands = "ufunc", ufunc.__name__, tuple(expr.args)
        positions = tuple(range(len(operands)))
    else:
        return None
    for position in positions:
        if is_name(operands[position], target):
            return [Step(expr, kind, name, operands, position)]
    for position in positions:
        if isinstance(operands[position], (ast.BinOp, ast.Call)):
            inner = in_place_steps(ctx, operands[position], target)
            if inner is not None:
                return inner + [Step(expr, kind, name, operands, position)]
    return None


def spine_name(steps: list[Step]) -> ast.Name:
    """The occurrence of the array's name the first step reads."""
    spine = steps[0].operands[steps[0].position]
    assert isinstance(spine, ast.Name)  # in_place_steps ends a chain at the name
    return spine


class ChainFinding(NamedTuple):
    message: str
    nbytes: Optional[int]  # saved
    fix: Optional[Fix]


class Judged(NamedTuple):
    verdict: ChainVerdict
    reason: str
    nbytes: Optional[int]  # saved


def chain_finding(ctx: FileContext, statement: ast.stmt, steps: list[Step]) -> Optional[ChainFinding]:
    """What MEM001 and MEM002 report of a chain of two steps or more (MEM001 where it ends in an operator,
    MEM002 in a ufunc), or None when there is nothing to report."""
    found = chain_verdict(ctx.arrays, statement, steps)
    if found is None:
        return None
    verdict, reason, nbytes = found
    use = spine_name(steps)
    a = ctx.arrays.value(use)
    statements = spelled(ctx.source, steps, use.id)
    two = nbytes is not None and a.nbytes is not None and nbytes > a.nbytes
    size = f" {numpy_api.format_bytes(a.nbytes)}" if a.nbytes is not None else ""
    message = (
        f"`{ctx.source.segment(statement)}` allocates {'two more' if two else 'a second'}{size} {a.dtype} "
        f"{'arrays' if two else 'array'} for its intermediate results; `{'`, then `'.join(statements)}` "
        f"compute them in `{use.id}`'s own buffer"
    )
    text = replacement(ctx.source, statement, statements) if verdict != "unknown" else None
    if text is None:
        if not reason:
            line, _, end_line, _ = ctx.source.span(statement)
            reason = "the statement spans several lines" if end_line != line else "the steps cannot be spelled here"
        return ChainFinding(message + f" (not fixed: {reason})", nbytes, None)
    note = f" ({reason})" if verdict != "safe" else ""
    applicability = SAFE if verdict == "safe" else UNSAFE  # "unknown" was not fixed, "impossible" not reported
    fix = Fix(applicability, f"Replace with `{'; '.join(statements)}`{note}", (ctx.edit(statement, text),))
    return ChainFinding(message, nbytes, fix)


def chain_verdict(facts: ArrayFacts, statement: ast.stmt, steps: list[Step]) -> Optional[Judged]:
    """For a chain of two steps or more: the verdict, its reason and the bytes saved of running it in the buffer of the
    array it replaces, or None when there is nothing to report: the array is not FRESH or not numeric, is
    small or 0-d, an operand may view it (NumPy would copy that operand to a temporary as large, saving
    nothing), NumPy already writes the whole chain into a temporary operand of the first step (temporary
    elision), or a step cannot keep the array's dtype and shape."""
    use = spine_name(steps)
    if any(isinstance(n, ast.NamedExpr) for n in ast.walk(statement)):
        return None  # a binding inside the expression: its order among the steps is not worth proving
    if not facts.is_fresh(use, or_scalar=all(s.kind == "operator" for s in steps)):
        return None
    if any(facts.may_overlap(o, use.id) for s in steps for o in s.others):
        return None
    a = facts.value(use)
    if a.dtype is None or a.dtype.kind not in "biufc":
        return None
    if a.ndim == 0 or (a.nbytes is not None and not facts.ctx.is_large(a.nbytes)):
        return None
    first = steps[0]
    if first.kind == "operator" and first.name in COMMUTATIVE and facts.is_elided_temporary(first.others[0], a):
        return None
    verdict, reason = steps_verdict(facts, steps, use, statement)
    if verdict == "impossible":
        return None
    if verdict != "unknown" and not facts.no_alias(use):
        verdict, reason = "unknown", f"`{use.id}` may be reachable through another name, container or view"
    nbytes = a.nbytes * saved_arrays(steps) if a.nbytes is not None else None
    return Judged(verdict, reason, nbytes)


def steps_verdict(facts: ArrayFacts, steps: list[Step], use: ast.Name, statement: ast.stmt) -> tuple[ChainVerdict, str]:
    """Whether running ``steps`` in the buffer of the array ``use`` holds computes what the expression did:
    each step keeps the array's dtype and shape exactly (``in_place_verdict``, NumPy's promotion rules
    included: a float64 NumPy scalar makes a float32 result float64, a Python float does not), and the
    operands of later steps evaluate as they did. "unsafe" when only an exception could tell the two apart."""
    a = facts.value(use)
    worst: tuple[ChainVerdict, str] = ("safe", "")
    for step in steps:
        values = [a if i == step.position else facts.value(o) for i, o in enumerate(step.operands)]
        within = tuple(i for i, o in enumerate(step.operands) if i != step.position and facts.broadcasts_within(o, use))
        verdict, reason = step.verdict(values, within)
        if verdict == "impossible":
            return verdict, reason
        if verdict == "unknown" and worst[0] == "safe":
            worst = verdict, reason
    name = use.id
    for step in steps[1:]:
        for operand in step.others:
            if reads_data_of(operand, name, facts.ctx.imports):
                text = ast.unparse(operand)
                return "unknown", f"`{text}` reads `{name}`, which the steps before it would already have written"
        moved = step.operands[: step.position]  # evaluated before the steps within, in the expression
        if any(not _inert(o, steps) for o in moved):
            return "unknown", "an operand evaluated before the steps within it would be evaluated after them"
    if worst[0] == "safe" and _observable_midway(facts, statement):
        risky = [o for step in steps[1:] for o in step.others if not isinstance(o, (ast.Constant, ast.Name))]
        if risky:
            worst = (
                "unsafe",
                (
                    f"should `{ast.unparse(risky[0])}` raise, `{name}` would be left half updated where the "
                    "expression left it unchanged"
                ),
            )
    return worst


def _inert(operand: ast.expr, steps: list[Step]) -> bool:
    """An operand whose value cannot depend on when it is evaluated within the expression: a literal, or a
    name where no step calls anything (nothing could rebind it)."""
    if isinstance(operand, ast.Constant):
        return True
    calls = any(isinstance(n, ast.Call) for s in steps for o in s.others for n in ast.walk(o))
    return isinstance(operand, ast.Name) and not calls


def _observable_midway(facts: ArrayFacts, statement: ast.stmt) -> bool:
    """Whether code could read the assigned name after an exception escapes the statement: at module level
    (a notebook, ``python -i``), or inside a ``try``/``with`` of its function."""
    node = facts.parent(statement)
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if isinstance(node, (ast.Try, ast.With, ast.AsyncWith)) or type(node).__name__ == "TryStar":
            return True
        if isinstance(node, ast.Module):
            return True
        node = facts.parent(node)
    return node is None


def saved_arrays(steps: list[Step]) -> int:
    """How many arrays of the result's size the expression holds at once beyond the array it replaces: its
    first result, and a second while a later ufunc writes a new array from an earlier step's (NumPy reuses
    an operator's temporary operand for the result instead: temporary elision)."""
    return 2 if any(s.kind == "ufunc" for s in steps[1:]) else 1


def spelled(source: SourceText, steps: list[Step], target: str) -> list[str]:
    """The statements that run the steps in ``target``'s buffer: ``x -= a``, ``np.log(x, out=x)``."""
    statements = []
    for step in steps:
        if isinstance(step.node, ast.BinOp):  # an operator
            statements.append(f"{target} {SYMBOLS[step.name]}= {source.segment(step.others[0])}")
        else:
            args = [target if i == step.position else source.segment(o) for i, o in enumerate(step.operands)]
            statements.append(f"{source.segment(step.node.func)}({', '.join(args)}, out={target})")
    return statements


def replacement(source: SourceText, statement: ast.stmt, statements: list[str]) -> Optional[str]:
    """The text replacing ``statement`` by ``statements``: one per line at its indentation where it stands on
    its own line, else joined by ``;``. None for a statement over several lines (its operands' line breaks
    belong to brackets the steps do not keep) or text that does not parse."""
    line, col, end_line, _ = source.span(statement)
    if end_line != line:
        return None
    text = source.lines[line - 1]
    before = text[:col]
    ending = text[len(text.rstrip("\r\n")) :] or "\n"
    separator = ending + before if not before.strip() else "; "
    new = separator.join(statements)
    try:
        ast.parse(separator.join(statements) if separator == "; " else "\n".join(statements))
    except SyntaxError:
        return None
    return new
