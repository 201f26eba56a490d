"""MEM005 a small view keeps a large base alive: ``return data[:10]`` retains all of ``data``.

A basic-indexing view shares its base's buffer, so the whole base lives as long as the view does. Reported
where a view of a FRESH local array escapes the function (return, yield, an attribute, a container) and the
view is not known to cover nearly all of the base. The fix ``.copy()`` is offered under catalog section 3.3:
the view's extent is known and at most half the base, the base never escapes otherwise nor has other views
(NOALIAS), and it is never read or written after the escape (so no write could have reached the view).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.loop_counts import ADDERS
from memlint.facts.syntax import bounded_rows
from memlint.findings import SAFE

if TYPE_CHECKING:
    import libcst

    from memlint.facts.arrays import ArrayFacts
    from memlint.facts.values import Value

_CONTAINER_METHODS = ADDERS | {"put", "put_nowait"}  # a list's, a set's, a deque's, and a queue's


class ViewKeepsBase(Rule):
    code = "MEM005"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Return, ast.Expr, ast.Yield, ast.Assign):  # what _escapes looks at
            for escaping, how in self._escapes(ctx, node):
                self._check_one(ctx, node, escaping, how)

    def _escapes(self, ctx: FileContext, node: ast.AST) -> list[tuple[ast.expr, str]]:
        """(expression, how it escapes) for each value a statement hands out of the function's reach.

        Storing into an item copies when the container is an array (``out[i] = a[:3]``), so only known
        Python containers (a local list, dict or set) count; ``x.append(v)`` on a local name likewise. Whether a
        name is such a container is asked only when the stored value may be a view (it builds the facts).
        """
        if isinstance(node, ast.Return) and node.value is not None:
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            return [(v, "returns") for v in values]
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr in _CONTAINER_METHODS
                and call.args
                and _may_be_view(ctx, _view_under(call.args[-1]))
                and (isinstance(call.func.value, ast.Attribute) or ctx.arrays.python_container(call.func.value))
            ):
                return [(call.args[-1], "stores in a container")]
        if isinstance(node, ast.Yield) and node.value is not None:
            return [(node.value, "yields")]
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Attribute):
                return [(node.value, "stores in an attribute")]
            if (
                isinstance(target, ast.Subscript)
                and _may_be_view(ctx, _view_under(node.value))
                and (ctx.arrays.python_container(target.value))
            ):
                return [(node.value, "stores in a container")]
        return []

    def _check_one(self, ctx: FileContext, statement: ast.AST, escaping: ast.expr, how: str) -> None:
        view = _view_under(escaping)
        if not isinstance(view, ast.Subscript) or not _may_be_view(ctx, view):
            return
        if view is not escaping and not _still_a_view(ctx, escaping, view):
            return
        facts = ctx.arrays
        base = view.value
        if isinstance(base, ast.Name):
            if not facts.is_fresh(base):
                return
        elif not _fresh_temporary(facts, base):
            return
        v = facts.value(view)
        if v.kind != "ndarray" or v.ownership != "view":
            return  # advanced indexing copies; an integer index gives a scalar
        whole = facts.value(base)
        if whole.nbytes is not None and not ctx.is_large(whole.nbytes):
            return
        view_bytes = v.nbytes if v.nbytes is not None else _bounded_slice_bytes(facts, view, whole)
        if view_bytes is None and not bounded_rows(view.slice):
            return  # `data[1:]` of an array of unknown size: most likely nearly all of it
        if view_bytes is None and _up_to_its_length(ctx, base, view.slice):
            return  # `xf[:n]` of `xf = np.linspace(0, 1, n)`: all of it
        if whole.nbytes is not None and view_bytes is not None and view_bytes * 10 >= whole.nbytes * 9:
            return  # the view is (nearly) all of the base: a copy would free almost nothing
        reason = None
        if view_bytes is None:
            reason = "the view's extent is not known"  # `data[:n]`, `img[y:y + h]`: a part, of unknown size
        elif whole.nbytes is None and ctx.is_large(view_bytes):
            reason = "the size of the base is not known"
        elif whole.nbytes is not None and view_bytes * 2 > whole.nbytes:
            reason = "the view is more than half of the base: a copy would raise the peak and free little"
        elif not isinstance(base, ast.Name):
            pass  # a temporary: nothing else holds it or writes it
        elif not facts.no_alias(base):
            reason = f"`{base.id}` has other views or references"
        elif not facts.is_dead_after(base):
            reason = f"`{base.id}` is used after the view is taken (a later write would no longer reach it)"
        text = ctx.source.segment(escaping)
        base_size = f"all {numpy_api.format_bytes(whole.nbytes)} of " if whole.nbytes is not None else "all of "
        if v.nbytes is not None:
            view_size = f"the {numpy_api.format_bytes(v.nbytes)} slice"
        elif view_bytes is not None:
            view_size = f"the slice (at most {numpy_api.format_bytes(view_bytes)})"
        else:
            view_size = "the slice"
        holder = f"`{base.id}`" if isinstance(base, ast.Name) else f"the array `{ctx.source.segment(base)}` returns"
        message = (
            f"{how} `{text}`, a view that keeps {base_size}{holder} alive as long as it lives; "
            f"`{text}.copy()` keeps only {view_size}"
        )
        fix = None
        if reason is None:
            fix = ctx.rewrite(escaping, _copy, SAFE, "Copy the view so that the base can be freed")
        else:
            message += f" (not fixed: {reason})"
        retained = whole.nbytes - view_bytes if whole.nbytes is not None and view_bytes is not None else None
        ctx.report(escaping, message, estimated_bytes=retained, fix=fix)


def _view_under(escaping: ast.expr) -> ast.expr:
    """The subscript under ``v.T`` or ``v.reshape(...)``: the escaping value is a view of the same buffer."""
    if isinstance(escaping, ast.Attribute) and escaping.attr == "T":
        return escaping.value
    if isinstance(escaping, ast.Call) and isinstance(escaping.func, ast.Attribute) and escaping.func.attr == "reshape":
        return escaping.func.value
    return escaping


def _still_a_view(ctx: FileContext, escaping: ast.expr, view: ast.expr) -> bool:
    """``.T`` is always a view; ``.reshape(...)`` only when it needs no copy: of a slice of leading rows
    (``[:k]``, ``[a:b]``) of a C-ordered base, which is contiguous, in C order (no ``order=``)."""
    if isinstance(escaping, ast.Attribute):
        return True
    assert isinstance(escaping, ast.Call) and isinstance(view, ast.Subscript)
    if escaping.keywords or not isinstance(view.slice, ast.Slice) or view.slice.step is not None:
        return False
    return _c_ordered(ctx, view.value)


_C_ORDER_CONSTRUCTORS = frozenset(
    {"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full", "numpy.arange", "numpy.linspace", "numpy.eye"}
)


def _up_to_its_length(ctx: FileContext, base: ast.expr, index: ast.expr) -> bool:
    """``base[:E]`` (or ``[0:E]``) where every array ``base`` can hold was made with first-axis length spelled
    ``E``: the view is the whole base, whatever ``E`` is (only ever a reason not to report)."""
    rows = index.elts[0] if isinstance(index, ast.Tuple) and index.elts else index
    if not isinstance(rows, ast.Slice) or rows.upper is None or rows.step is not None:
        return False
    if rows.lower is not None and not (isinstance(rows.lower, ast.Constant) and rows.lower.value == 0):
        return False
    made: list[Optional[ast.expr]] = [base]
    if isinstance(base, ast.Name):
        defs = ctx.arrays.reaching(base)
        if not defs or any(d.kind != "assign" for d in defs):
            return False
        made = [d.value for d in defs]
    spelled = ast.dump(rows.upper)
    for value in made:
        length = numpy_api.length_argument(value, ctx.qualname(value.func)) if isinstance(value, ast.Call) else None
        if length is None or ast.dump(length) != spelled:
            return False
    return True


def _c_ordered(ctx: FileContext, base: ast.expr) -> bool:
    """Every array ``base`` can hold was made in C order: NumPy's constructors without ``order=``, or
    ``np.array`` of Python lists (an ndarray argument keeps its own order)."""
    if isinstance(base, ast.Name):
        defs = ctx.arrays.reaching(base)
        if not defs or any(d.kind != "assign" for d in defs):
            return False
        return all(_makes_c_ordered(ctx, d.value) for d in defs)
    return _makes_c_ordered(ctx, base)


def _makes_c_ordered(ctx: FileContext, call: Optional[ast.expr]) -> bool:
    if not isinstance(call, ast.Call) or any(k.arg in ("order", None) for k in call.keywords):
        return False
    q = ctx.qualname(call.func)
    if q in _C_ORDER_CONSTRUCTORS:
        return True
    if q != "numpy.array" or not call.args:
        return False
    source = call.args[0]
    return isinstance(source, (ast.List, ast.ListComp)) or ctx.arrays.value(source).kind == "list"


def _may_be_view(ctx: FileContext, view: ast.AST) -> bool:
    """Cheap first: only a subscript of a name or call that may hold an ndarray can be a view of a fresh array."""
    return (
        isinstance(view, ast.Subscript)
        and isinstance(view.value, (ast.Name, ast.Call))
        and ctx.arrays.may_hold_array(view.value)
    )


def _fresh_temporary(facts: ArrayFacts, call: ast.expr) -> bool:
    """A call that makes a new base-class ndarray (``np.load(p)[:k]``, ``np.zeros(n)[:3]``): nothing else holds
    it, so once the view is taken, the view alone keeps it alive and nothing can write it."""
    v = facts.value(call)
    return isinstance(call, ast.Call) and v.kind == "ndarray" and v.ownership == "fresh"


def _bounded_slice_bytes(facts: ArrayFacts, view: ast.Subscript, whole: Value) -> Optional[int]:
    """At most how many bytes ``x[i:j]`` / ``x[-k:]`` spans on a 1-d array of unknown length, else None."""
    if whole.ndim != 1 or whole.dtype is None or not isinstance(view.slice, ast.Slice):
        return None
    bounds: list[Optional[int]] = []
    for b in (view.slice.lower, view.slice.upper, view.slice.step):
        c = facts.value(b).constant if b is not None else None
        if b is None:
            bounds.append(None)
        elif type(c) is int:  # not a bool
            bounds.append(c)
        else:
            return None
    lower, upper, step = bounds
    step = 1 if step is None else step
    if step <= 0:
        return None
    if upper is None:
        count = -lower if lower is not None and lower < 0 else None
    elif (lower or 0) >= 0 and upper >= 0 or lower is not None and lower < 0 and upper < 0:
        count = max(0, upper - (lower or 0))
    else:
        count = None
    if count is None:
        return None
    return -(-count // step) * whole.dtype.itemsize


def _copy(node: libcst.BaseExpression) -> libcst.Call:
    import libcst as cst

    return cst.Call(func=cst.Attribute(value=node, attr=cst.Name("copy")))
