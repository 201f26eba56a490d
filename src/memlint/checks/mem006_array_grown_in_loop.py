"""MEM006 array-grown-in-loop: ``x = np.append(x, v)`` in a loop copies all of ``x`` on every iteration.

NumPy arrays have a fixed size: ``np.append``, ``np.concatenate``, ``np.vstack``, ``np.hstack`` and
``np.column_stack`` always allocate a new array and copy both inputs into it. Done once per iteration on
the array the loop carries, the bytes copied grow with the square of the iteration count.

Reported only where the array is visibly carried from one iteration to the next: the assignment's target is
the same plain name as one of the joined arrays, and inside the innermost loop around it that name is bound
by nothing else (so it is not reset on each iteration), except by a start that cannot throw joined data away:
a binding (to anything but ``None``) under ``if acc is None``, ``if len(acc) == 0`` (or ``acc.size``,
``acc.shape[0]``), or ``if i == 0`` where ``i`` counts that loop (``range``/``enumerate``: each value comes
once) or only increases (``i += 1``); in a statement or a conditional expression.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.syntax import is_name
from memlint.facts.tree import Loop

# The joined arrays of each growing function: positions and keywords that take whole arrays (append), or
# that take a sequence of arrays (the others).
_APPEND = "numpy.append"
_SEQUENCE_ARG = {
    "numpy.concatenate": "arrays",
    "numpy.vstack": "tup",
    "numpy.hstack": "tup",
    "numpy.column_stack": "tup",
}
# A loop that visibly runs only a handful of times (a literal tuple of pieces, range(3)) copies a handful of
# times: not worth a finding.
_FEW_ITERATIONS = 8


class ArrayGrownInLoop(Rule):
    code = "MEM006"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for stmt in ctx.nodes(ast.Assign):
            if not (
                len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, (ast.Call, ast.IfExp))
            ):
                continue
            name = stmt.targets[0].id
            loops = ctx.loops_around(stmt)
            loop = loops[0] if loops else None
            call = _join_of(stmt.value, name, loop, ctx) if loop is not None else None
            if loop is None or call is None or _few_iterations(ctx, loop):
                continue
            function = ctx.qualname(call.func)
            if function is None or not _carried(loop, name, ctx):
                continue
            written = ctx.source.segment(call.func)  # as the code calls it (np.concat is np.concatenate)
            short = written if len(written) <= 30 and "\n" not in written else "np." + function.split(".")[-1]
            spelled = f"{short}({name}, ...)" if function == _APPEND else f"{short}([{name}, ...])"
            if function in ("numpy.vstack", "numpy.column_stack"):
                instead = (
                    f"preallocate with np.empty((n, k)) and fill `{name}[i]`, or append the pieces to a "
                    f"list and call {short} once after the loop"
                )
            else:
                instead = (
                    f"preallocate with np.empty(n) and fill `{name}[i]`, use np.fromiter(..., count=n), "
                    f"or append the pieces to a list and call np.concatenate once after the loop"
                )
            ctx.report(
                call,
                f"`{name} = {spelled}` in a loop copies all of `{name}` on every iteration: the bytes copied "
                f"grow with the square of the iteration count (40 000 one-float appends allocate 6.0 GiB in all, "
                f"measured by `python bench/catalog.py MEM006`) and the peak is twice the final array; {instead}",
            )


def _joins(function: Optional[str], call: ast.Call, name: str) -> bool:
    """Is ``call`` a NumPy join one of whose whole-array inputs is the plain name ``name``?"""
    if function == _APPEND:
        inputs = list(call.args[:2]) + [k.value for k in call.keywords if k.arg in ("arr", "values")]
        return any(is_name(a, name) for a in inputs)
    if function in _SEQUENCE_ARG:
        sequences = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == _SEQUENCE_ARG[function]]
        return any(isinstance(s, (ast.List, ast.Tuple)) and any(is_name(e, name) for e in s.elts) for s in sequences)
    return False


def _carried(loop: Loop, name: str, ctx: FileContext) -> bool:
    """Is ``name`` bound in the loop only by joins of itself (so each iteration starts from the last one)?"""
    if isinstance(loop, (ast.For, ast.AsyncFor)) and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(loop.target)
    ):
        return False
    for stmt in loop.body:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return False
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
                if not (_is_self_join(node, loop, name, ctx) or _starts_accumulator(node, loop, name, ctx)):
                    return False
    return True


def _starts_accumulator(target: ast.Name, loop: Loop, name: str, ctx: FileContext) -> bool:
    """Is ``target`` the plain target of an assignment (of anything but None) that only starts the array: in
    the branch of an ``if`` whose test holds on one stretch of iterations, before anything is joined
    (``_starts_only``)?"""
    stmt = ctx.parent(target)
    if not (isinstance(stmt, ast.Assign) and stmt.targets == [target] and not _is_none(stmt.value)):
        return False
    child: ast.AST = stmt
    node = ctx.parent(stmt)
    while node is not None and node is not loop:
        if isinstance(node, ast.If):
            for branch, test in ((node.body, node.test), (node.orelse, _negated(node.test))):
                if any(s is child for s in branch) and _starts_only(test, _started(branch), name, loop, ctx):
                    return True
        child, node = node, ctx.parent(node)
    return False


def _started(branch: list[ast.stmt]) -> set[str]:
    """The names the statements of a branch bind (each to something else than None)."""
    return {
        t.id
        for s in branch
        if isinstance(s, ast.Assign) and not _is_none(s.value)
        for t in s.targets
        if isinstance(t, ast.Name)
    }


def _starts_only(test: Optional[ast.AST], started: set[str], name: str, loop: Loop, ctx: FileContext) -> bool:
    """Does ``test``, guarding a start that binds the names ``started``, hold only while the accumulator
    ``name`` holds nothing joined yet, so that the start never throws joined data away?

    - ``v is None`` where the start binds ``v`` and the loop never binds it to None again;
    - ``len(name) == 0``, ``name.size == 0``, ``name.shape[0] == 0``, ``not len(name)``, ``not name.size``:
      the array is empty (the loop binds ``name`` only by starts and joins: ``_carried``);
    - ``i == 0`` where ``i`` is the loop's ``range``/``enumerate`` counter (each value comes once), or a
      name the loop only increases (``i += 1``): it is 0 on one stretch of iterations at most."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _emptied(test.operand, ctx) == name and name in started
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant)):
        return False
    left, op, value = test.left, type(test.ops[0]), test.comparators[0].value
    if op is ast.Is and value is None and isinstance(left, ast.Name):
        return left.id in started and _never_none_again(left.id, loop, ctx)
    if op is not ast.Eq or type(value) is not int or value != 0:
        return False
    if _emptied(left, ctx) is not None:
        return _emptied(left, ctx) == name and name in started
    return isinstance(left, ast.Name) and (left.id == _counter(loop, ctx) or _counts_up(left.id, loop))


def _emptied(expr: ast.AST, ctx: FileContext) -> Optional[str]:
    """The name whose size ``expr`` reads: ``len(v)``, ``v.size``, ``v.shape[0]``."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and ctx.imports.is_builtin(expr.func, "len")
        and len(expr.args) == 1
        and not expr.keywords
        and isinstance(expr.args[0], ast.Name)
    ):
        return expr.args[0].id
    if isinstance(expr, ast.Attribute) and expr.attr == "size" and isinstance(expr.value, ast.Name):
        return expr.value.id
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.slice, ast.Constant)
        and expr.slice.value == 0
        and type(expr.slice.value) is int
        and isinstance(expr.value, ast.Attribute)
        and expr.value.attr == "shape"
        and isinstance(expr.value.value, ast.Name)
    ):
        return expr.value.value.id
    return None


def _never_none_again(name: str, loop: Loop, ctx: FileContext) -> bool:
    """The loop binds ``name`` only by plain assignments of something else than None (no ``del``, no
    unpacking, no ``global``)."""
    for node in _walk_body(loop):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return False
        if is_name(node, name) and not isinstance(node.ctx, ast.Load):
            binding = ctx.parent(node)
            if not (isinstance(binding, ast.Assign) and node in binding.targets and not _is_none(binding.value)):
                return False
    return True


def _counts_up(name: str, loop: Loop) -> bool:
    """The loop binds ``name`` only by ``name += <positive int literal>`` (at least once): it never comes back
    to a value it left."""
    increments = 0
    for node in _walk_body(loop):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return False
        if isinstance(node, ast.AugAssign) and is_name(node.target, name):
            step = node.value
            if not (
                isinstance(node.op, ast.Add)
                and isinstance(step, ast.Constant)
                and type(step.value) is int
                and step.value > 0
            ):
                return False
            increments += 1
        elif is_name(node, name) and not isinstance(node.ctx, ast.Load) and not _is_aug_target(node, loop):
            return False
    return increments > 0


def _is_aug_target(node: ast.Name, loop: Loop) -> bool:
    return any(isinstance(n, ast.AugAssign) and n.target is node for n in _walk_body(loop))


def _walk_body(loop: Loop) -> Iterator[ast.AST]:
    for stmt in loop.body:
        yield from ast.walk(stmt)


def _negated(test: ast.AST) -> Optional[ast.AST]:
    """``test`` negated, for the tests ``_starts_only`` reads (``v is not None``, ``i != 0``, ``not t``)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    negation = {ast.IsNot: ast.Is, ast.Is: ast.IsNot, ast.NotEq: ast.Eq, ast.Eq: ast.NotEq}
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in negation:
        return ast.Compare(test.left, [negation[type(test.ops[0])]()], test.comparators)
    return None


def _counter(loop: Loop, ctx: FileContext) -> Optional[str]:
    """The name counting a ``for`` loop's iterations (``for i in range(...)``, ``for i, x in enumerate(...)``)
    when its body binds it nowhere: each of its values then comes once."""
    if not (isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call)):
        return None
    target = loop.target
    if ctx.imports.is_builtin(loop.iter.func, "enumerate") and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target = target.elts[0]
    elif not ctx.imports.is_builtin(loop.iter.func, "range"):
        return None
    if not isinstance(target, ast.Name):
        return None
    for node in _walk_body(loop):
        if is_name(node, target.id) and not isinstance(node.ctx, ast.Load):
            return None
        if isinstance(node, (ast.Global, ast.Nonlocal)) and target.id in node.names:
            return None
    return target.id


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_self_join(target: ast.Name, loop: Loop, name: str, ctx: FileContext) -> bool:
    stmt = ctx.parent(target)
    return (
        isinstance(stmt, ast.Assign) and stmt.targets == [target] and _join_of(stmt.value, name, loop, ctx) is not None
    )


def _join_of(value: ast.AST, name: str, loop: Loop, ctx: FileContext) -> Optional[ast.Call]:
    """The join of ``name`` with more that ``value`` computes in ``loop``: a NumPy join of it, or such a join
    in a conditional expression whose other branch is a join too or only starts the array
    (``x if acc is None else np.append(acc, x)``, ``x if i == 0 else ...``: ``_starts_only``)."""
    if isinstance(value, ast.Call):
        return value if _joins(ctx.qualname(value.func), value, name) else None
    if not isinstance(value, ast.IfExp):
        return None
    joins = [
        branch
        for branch in (value.body, value.orelse)
        if isinstance(branch, ast.Call) and _joins(ctx.qualname(branch.func), branch, name)
    ]
    if len(joins) == 2:
        return joins[0]
    for join, start, test in ((value.orelse, value.body, value.test), (value.body, value.orelse, _negated(value.test))):
        if join in joins and not _is_none(start) and _starts_only(test, {name}, name, loop, ctx):
            return join
    return None


def _few_iterations(ctx: FileContext, loop: Loop) -> bool:
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    it = loop.iter
    if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
        return len(it.elts) <= _FEW_ITERATIONS and not any(isinstance(e, ast.Starred) for e in it.elts)
    if (
        isinstance(it, ast.Call)
        and ctx.imports.is_builtin(it.func, "range")
        and not it.keywords
        and 1 <= len(it.args) <= 3
    ):
        length = numpy_api.literal_range_length(it.args)
        return length is not None and length <= _FEW_ITERATIONS
    return False
