"""MEM012 hidden-copy: ``np.array(x)`` of an ndarray, ``x.astype(t)`` to x's own dtype, ``x.flatten()``.

Each copies the whole array; ``np.asarray(x)``, ``x.astype(t, copy=False)`` and ``x.ravel()`` return ``x`` or
a view of it instead. The result may then share memory with ``x``, so (catalog 3.7) memlint reports only where
that cannot be observed, and then offers the fix as safe:

- (a) ``x`` is a fresh local array nobody else holds, not used after the call (or a temporary), or
- (b) ``x`` is a fresh local array nobody else holds, and neither ``x`` nor the result is written (or handed
  to other code) while both are alive.

Anywhere else the copy may be what the author wants (a defensive copy), and memlint says nothing.
"""

from __future__ import annotations

import ast
import enum
import functools
from typing import TYPE_CHECKING, Any, Literal, Optional, Union, cast

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import calls, numpy_api
from memlint.facts.in_place import COMMUTATIVE
from memlint.findings import SAFE, UNSAFE, Applicability

if TYPE_CHECKING:
    import libcst
    import numpy

    from memlint.facts.dataflow import ScopeFlow
    from memlint.facts.values import Value

_ARRAY_KEYWORDS = {"dtype", "order"}  # np.array's keywords that np.asarray takes too
_ORDERS_WITHOUT_COPY = ("K", "A")  # other orders copy an array of the other layout either way
_RAVEL_ORDERS_OF_C_ARRAYS = ("C", "A", "K")  # the orders in which ravel returns a view of a C-ordered array
_COPYING_NAMES = frozenset({"array", "astype", "flatten"})  # np.array, x.astype, x.flatten


class _Dtype(enum.Enum):
    OWN = "own"  # a dtype argument that keeps x's dtype (absent, or None)


_OWN_DTYPE = _Dtype.OWN
Wanted = Union["numpy.dtype[Any]", Literal[_Dtype.OWN]]  # what a dtype argument asks for
Transform = Literal["asarray", "astype", "ravel"]  # what removes the copy: np.asarray, copy=False, .ravel()


class HiddenCopy(Rule):
    code = "MEM012"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        asarray_name = _bound_name(ctx, "numpy.asarray")
        for node in ctx.nodes(ast.Call):
            if not isinstance(node, ast.Call):
                continue
            found = _match(ctx, node)
            if found is None:
                continue
            source, transform, maybe = found
            x = _short(ctx, source)
            spelled, replacement = {
                "asarray": (f"np.array({x or '...'})", f"np.asarray({x or '...'})"),
                "astype": (f"{x}.astype(...) to the dtype it already has", f"{x}.astype(..., copy=False)"),
                "ravel": (f"{x}.flatten()", f"{x}.ravel()"),
            }[transform]
            if transform == "asarray" and asarray_name is None and not isinstance(node.func, ast.Attribute):
                continue  # `from numpy import array` without asarray: no name to write
            nbytes = ctx.arrays.value(source).nbytes
            if nbytes is not None and not ctx.is_large(nbytes):
                continue
            if _elided(ctx, node):
                continue
            applicability = _alias_cannot_be_seen(ctx, node, source, transform)  # last: the costliest facts
            if applicability is None:
                continue
            size = f"all {numpy_api.format_bytes(nbytes)} of the array" if nbytes is not None else "the whole array"
            message = (
                f"{spelled} copies {size}, and nothing here needs the copy; {replacement} returns the array "
                f"itself or a view of it (measured: +1.00x the array vs +0.00x)"
            )
            if maybe is not None:
                spelled = ctx.source.segment(node) if len(ctx.source.segment(node)) <= 60 else spelled
                replacement = (
                    f"np.asarray(..., dtype={maybe})" if transform == "asarray" else f".astype({maybe}, copy=False)"
                )
                message = (
                    f"{spelled} copies the whole array even when it already is {maybe}, which the data decides "
                    f"(its dtype is not known here); {replacement} copies only to convert"
                )
            fix = ctx.rewrite(
                node,
                functools.partial(_rewrite, transform=transform, asarray_name=asarray_name),
                applicability,
                f"Replace with {replacement}" + (_unsafe_because(ctx, source) if applicability == UNSAFE else ""),
            )
            ctx.report(node, message, estimated_bytes=nbytes, fix=fix)


def _unsafe_because(ctx: FileContext, source: ast.expr) -> str:
    if not isinstance(source, ast.Name):  # a temporary that is unsafe only as a method's result (or a choice of two)
        method = f"`{ctx.source.segment(source.func)}`" if isinstance(source, ast.Call) else "a method called here"
        return f" (unsafe: a subclass may override {method} with a method returning an array held elsewhere)"
    if ctx.arrays.is_parameter(source):
        return (
            f" (unsafe: `{ctx.source.segment(source)}` is the caller's array, which code called meanwhile could "
            f"write through another reference)"
        )
    return f" (unsafe: `{ctx.source.segment(source)}` stays a global of this module, which a module importing it could write)"


def _bound_name(ctx: FileContext, qualified: str) -> Optional[str]:
    for name, q in ctx.imports.bound.items():
        if q == qualified:
            return name
    return None


def _match(ctx: FileContext, call: ast.Call) -> Optional[tuple[ast.expr, Transform, Optional[numpy.dtype[Any]]]]:
    """(x, the transform that removes the copy, the dtype asked for where x's own is unknown and the data
    decides whether converting copies) for the three copies, else None."""
    func = call.func
    if not (isinstance(func, ast.Name) or isinstance(func, ast.Attribute) and func.attr in _COPYING_NAMES):
        return None  # cheap first: the call can be none of the three
    if isinstance(func, ast.Name) and ctx.qualname(func) != "numpy.array":
        return None  # a bare name is only ever an imported np.array (astype and flatten are methods)
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    keywords = {k.arg: k.value for k in call.keywords}
    if ctx.qualname(call.func) == "numpy.array":
        if len(call.args) not in (1, 2) or set(keywords) - _ARRAY_KEYWORDS:
            return None
        source = call.args[0]
        dtype_node = call.args[1] if len(call.args) == 2 else keywords.get("dtype")
        if "dtype" in keywords and len(call.args) == 2:
            return None
        wanted = _wanted_dtype(ctx, dtype_node)
        if wanted is None or not _order_keeps(keywords.get("order")):
            return None  # known before asking what x is
        x = _plain_array(ctx, source, or_scalar=True)
        if x is None or not (_same_dtype(wanted, x) or _data_decides(ctx, x, wanted)):
            return None
        return source, "asarray", wanted if x.dtype is None and wanted is not _OWN_DTYPE else None
    if not isinstance(call.func, ast.Attribute) or ctx.qualname(call.func) is not None:
        return None
    source, method = call.func.value, call.func.attr
    if method == "astype":
        if len(call.args) + len(keywords) != 1 or (keywords and "dtype" not in keywords):
            return None
        wanted = _wanted_dtype(ctx, call.args[0] if call.args else keywords["dtype"])
        if wanted is None or wanted is _OWN_DTYPE:
            return None  # known before asking what x is (astype(None) is astype(float64))
        x = _plain_array(ctx, source, or_scalar=True)
        if x is None or not (x.dtype is not None and _same_dtype(wanted, x) or _data_decides(ctx, x, wanted)):
            return None
        return source, "astype", wanted if x.dtype is None else None
    if method == "flatten":
        if len(call.args) + len(keywords) > 1 or (keywords and "order" not in keywords):
            return None
        x = _plain_array(ctx, source)
        if x is None or x.fortran and (x.ndim is None or x.ndim >= 2):
            return None  # ravel("C") of a Fortran-ordered array copies it as flatten does: nothing to save
        order = call.args[0] if call.args else keywords.get("order")
        if not (
            order is None
            or isinstance(order, ast.Constant)
            and isinstance(order.value, str)
            and order.value.upper() in _RAVEL_ORDERS_OF_C_ARRAYS
        ) and not (x.ndim is not None and x.ndim <= 1):
            return None  # ravel("F") of a C-ordered 2-d array copies too: nothing to save
        return source, "ravel", None
    return None


def _short(ctx: FileContext, node: ast.AST) -> str:
    text = ctx.source.segment(node)
    if len(text) > 30 or "\n" in text:
        return ""  # the message then reads ".flatten()", "np.array(...)"
    return text if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) else f"({text})"


def _plain_array(ctx: FileContext, node: ast.expr, or_scalar: bool = False) -> Optional[Value]:
    """The Value of ``node`` if it is a base-class ndarray (never np.matrix, masked arrays, pandas...); with
    ``or_scalar``, also a value of known dtype that is an ndarray or a NumPy scalar (``x / 255.0`` on an array
    of unknown number of dimensions): a scalar's ``astype(t, copy=False)`` is an equal scalar."""
    if not ctx.arrays.may_hold_array(node):
        return None  # known without building the facts
    v = ctx.arrays.value(node)
    if v.dtype is not None and v.dtype.kind == "O":
        return None  # object arrays: the copy holds new references to the same objects (numpy's tests count them)
    return v if v.kind == "ndarray" or (or_scalar and v.kind == "unknown" and v.dtype is not None) else None


def _wanted_dtype(ctx: FileContext, dtype_node: Optional[ast.expr]) -> Optional[Wanted]:
    """What a dtype argument asks for: _OWN_DTYPE (absent or None: x's own), a sized dtype, or None (unknown)."""
    if dtype_node is None or isinstance(dtype_node, ast.Constant) and dtype_node.value is None:
        return _OWN_DTYPE
    spelled = numpy_api.dtype_of(dtype_node, ctx.qualname)
    return spelled if spelled is not None and numpy_api.is_sized(spelled) else None


def _same_dtype(wanted: Wanted, x: Value) -> bool:
    # x.dtype first: np.dtype(None) is float64, so float64 compares equal to an unknown dtype
    return wanted is _OWN_DTYPE or (x.dtype is not None and wanted == x.dtype)


def _data_decides(ctx: FileContext, x: Value, wanted: Wanted) -> bool:
    """A new array made by a known loader or reader whose dtype is the data's (``np.load(path)``,
    ``skimage.io.imread(path)``): converting it to ``wanted`` copies it even when it already is ``wanted``.
    Not a call that keeps its input's dtype (``cv2.resize(img, ...)``), unless its input's is the data's."""
    return wanted is not _OWN_DTYPE and calls.dtype_decided_by_data(x, getattr(ctx.config, "calls", {}))


def _order_keeps(order: Optional[ast.expr]) -> bool:
    return order is None or isinstance(order, ast.Constant) and order.value in _ORDERS_WITHOUT_COPY


def _alias_cannot_be_seen(
    ctx: FileContext, call: ast.Call, source: ast.expr, transform: Transform
) -> Optional[Applicability]:
    """Catalog 3.7: the result may share x's memory; prove no one can tell. SAFE when proven; UNSAFE when x
    is a module-level name this module never reads again (a module importing it still may); else None."""
    arrays = ctx.arrays
    if _is_copy_we_may_remove(ctx, source):
        return None  # x is itself a hidden copy: once that one is fixed, x may be a view (next fix round)
    if _consumed_at_once(ctx, call) or _copied_at_once(ctx, call, source):
        return SAFE
    if (
        isinstance(source, ast.Subscript)
        and isinstance(source.value, ast.Name)
        and not isinstance(source.slice, ast.Slice)
    ):
        # an item of a list of new arrays no one writes or hands out (lists.py): only the result may write it
        if ctx.arrays.items_only_read(source.value) and _result_only_read(ctx, call):
            return SAFE
    if not isinstance(source, ast.Name):
        # a temporary (np.array(a * 2)): nothing else holds it, and it dies with the call
        if not _is_temporary(source):
            return None
        ownership = arrays.value(source).ownership
        return SAFE if ownership == "fresh" else UNSAFE if ownership == "fresh_unless_overridden" else None
    if not (arrays.is_fresh(source, or_scalar=transform == "astype") and arrays.no_alias(source)):
        if transform == "astype" and _parameter_only_read(ctx, call, source):
            return UNSAFE
        return None
    if arrays.is_dead_after(source):
        return SAFE
    if _result_only_read(ctx, call) and _later_uses_only_read(ctx, source, _dies_in_its_statement(ctx, call)):
        return SAFE
    return UNSAFE if arrays.is_dead_after(source, importers=False) else None


def _is_temporary(node: ast.expr) -> bool:
    """Evaluating ``node`` gives an object no name or container holds: not a name, an item or an attribute, nor
    a walrus (its name holds the object), nor ``a if c else b`` or ``a or b`` when an operand it may pass on is one
    of those (their value is that operand's object: an array made here is fresh, yet held by its name)."""
    if isinstance(node, ast.IfExp):
        return _is_temporary(node.body) and _is_temporary(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(_is_temporary(value) for value in node.values)
    return not isinstance(node, (ast.Name, ast.Subscript, ast.Attribute, ast.NamedExpr))


def _parameter_only_read(ctx: FileContext, call: ast.Call, x: ast.Name) -> bool:
    """``img = image.astype(np.float32)`` of a parameter annotated float32, where this function only reads
    ``image`` and ``img``: right unless code called meanwhile writes the caller's array through another
    reference (a global, or a second argument that is the same array), hence unsafe."""
    arrays = ctx.arrays
    defs = arrays.reaching(x)
    if not defs or any(d.kind != "param" for d in defs):
        return False
    flow = arrays.flow_of(x)
    if flow is None or flow.opaque or x.id in flow.captured or x.id in flow.declared:
        return False
    if _writes_arrays_of_others(flow):
        return False  # `out[:] = 0` of another parameter: the caller may have passed the same array twice
    return _result_only_read(ctx, call) and _later_uses_only_read(ctx, x)


def _writes_arrays_of_others(flow: ScopeFlow) -> bool:
    """The function writes into a parameter's or an attribute's array (item or augmented assignment)."""
    for node in ast.walk(flow.scope):
        target: Optional[ast.expr] = (
            node.target if isinstance(node, ast.AugAssign) else node if isinstance(node, ast.Subscript) else None
        )
        if target is None or isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Store):
            continue
        while isinstance(target, ast.Subscript):
            target = target.value
        if isinstance(target, ast.Attribute) or isinstance(target, ast.Name) and target.id in flow.params:
            return True
    return False


def _is_copy_we_may_remove(ctx: FileContext, x: ast.AST) -> bool:
    """``np.array(a.flatten())``, ``t = a.flatten(); np.array(t)``: two fixes, each safe alone, would
    together make the result a view of ``a``. The inner copy is fixed first; the outer is judged again."""
    if isinstance(x, ast.Call):
        return _match(ctx, x) is not None
    if isinstance(x, ast.Name):
        return any(
            isinstance(d.value, ast.Call) and _match(ctx, d.value) is not None for d in ctx.arrays.reaching(x) or ()
        )
    return False


def _result_only_read(ctx: FileContext, call: ast.Call) -> bool:
    """The call's result is read in place, or bound to one local name whose every use reads it."""
    arrays = ctx.arrays
    stmt = arrays.parent(call)
    if not (isinstance(stmt, ast.Assign) and stmt.value is call):
        return arrays.reads_only(call)
    uses = arrays.uses_of_binding(stmt)
    return uses is not None and all(_only_read(ctx, use) for use in uses)


_CONSUMING_METHODS = numpy_api.REDUCTIONS | {"astype", "copy", "tolist", "tobytes"}  # each makes a new object


def _consumed_at_once(ctx: FileContext, call: ast.Call) -> bool:
    """``np.array(x).astype(np.float32)``, ``np.array(x).sum()``, ``x.flatten() / 255.0``: a method that makes
    a new object, or an operator with a number or array, reads the result at once, with nothing evaluated in
    between (its arguments are names and literals), so nothing can
    write x through another reference (``img.get_fdata()``'s cache) while the result shares its memory, and
    the result is gone afterwards: whoever holds x, and whatever x is (a memmap included), no one can tell.
    A result thrown away (``x.astype(float)`` as a statement) no one can tell either, but in a ``try`` or
    ``with`` block, where the copy may be there to raise (``with pytest.raises(MemoryError): np.array(x)``)."""
    p = ctx.arrays.parent(call)
    if isinstance(p, ast.Expr):
        return not _in_try_or_with(ctx, p)
    if isinstance(p, ast.BinOp) and not isinstance(p.op, ast.MatMult):  # `x.flatten() / 255.0`
        other = p.right if p.left is call else p.left
        v = ctx.arrays.value(other)  # a number or array: no reflected method of other code takes the result
        return _evaluates_no_code(other) and v.kind in ("py_number", "np_scalar", "ndarray")
    if not (isinstance(p, ast.Attribute) and p.value is call):
        return False
    method = ctx.arrays.parent(p)
    if not (isinstance(method, ast.Call) and method.func is p):
        return False
    if p.attr not in _CONSUMING_METHODS or any(k.arg in ("copy", "out") or k.arg is None for k in method.keywords):
        return False
    return all(_evaluates_no_code(a) for a in [*method.args, *(k.value for k in method.keywords)])


def _copied_at_once(ctx: FileContext, call: ast.Call, source: ast.expr) -> bool:
    """``np.c_[x.flatten(), y.flatten()]``, ``np.concatenate((x.flatten(), y), axis=0)`` of a new array ``x``
    made here (a view, such as ``np.meshgrid(..., copy=False)``'s, may be one ``ravel`` copies too): NumPy copies
    the result into a new array and keeps no reference to it (``copying_consumer``), and what Python evaluates
    between the call and that copy (the items after it, the copying call's other arguments) runs no code of the
    program. As in ``_consumed_at_once``, nothing can write x while the result shares its memory, and the result
    is gone before anything else runs: what the statement does with x afterwards
    (``return f(np.c_[x.ravel()]), x``) cannot see it, nor can the code the new array is handed to."""
    consumer = ctx.arrays.copying_consumer(call)
    if consumer is None or ctx.arrays.value(source).ownership != "fresh":
        return False
    sequence = ctx.arrays.parent(call)
    later: list[ast.expr] = []
    if isinstance(sequence, (ast.Tuple, ast.List)):
        later += sequence.elts[[id(e) for e in sequence.elts].index(id(call)) + 1 :]
    if isinstance(consumer, ast.Call):
        later += consumer.args[1:] + [k.value for k in consumer.keywords]
    return all(_runs_no_program_code(ctx, node) for node in later)


# NumPy's methods that make a copy or a view of a base-class ndarray and run nothing else
_ARRAY_ONLY_METHODS = numpy_api.VIEW_METHODS | {"flatten", "copy"}


def _runs_no_program_code(ctx: FileContext, node: ast.expr) -> bool:
    """Evaluating ``node`` calls nothing of the program's: a literal, a (dotted) name, or a copy or view of a
    base-class ndarray held by a name (``y.flatten()``, ``y.ravel()``, ``y.T``) with such arguments."""
    if _evaluates_no_code(node):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return False
        arguments = [*node.args, *(k.value for k in node.keywords)]
        array, method = node.func.value, node.func.attr
    elif isinstance(node, ast.Attribute):
        arguments, array, method = [], node.value, node.attr
    else:
        return False
    return (
        method in _ARRAY_ONLY_METHODS
        and isinstance(array, ast.Name)
        and ctx.arrays.value(array).kind == "ndarray"
        and all(_evaluates_no_code(a) for a in arguments)
    )


def _in_try_or_with(ctx: FileContext, stmt: ast.stmt) -> bool:
    node = ctx.arrays.parent(stmt)
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if isinstance(node, (ast.Try, ast.With, ast.AsyncWith)) or type(node).__name__ == "TryStar":
            return True
        node = ctx.arrays.parent(node)
    return False


def _evaluates_no_code(node: ast.AST) -> bool:
    """A literal, a name or a dotted name (``np.float32``): evaluating it calls nothing of the program's."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, (ast.Name, ast.Constant))


def _elided(ctx: FileContext, call: ast.Call) -> bool:
    """``np.array(x) - 1.0``: NumPy writes the difference into the copy itself (temporary elision), so the
    copy is the result's memory and removing it lowers no peak (measured: 8.0 MB either way for 1000x1000
    float64). Not for a float32 copy minus a Python float, which NumPy does not elide (12 MB vs 8 MB)."""
    p = ctx.arrays.parent(call)
    if not isinstance(p, ast.BinOp) or isinstance(p.op, ast.MatMult):
        return False
    if p.left is call:
        other = p.right
    elif p.right is call and type(p.op).__name__ in COMMUTATIVE:
        other = p.left
    else:
        return False
    return ctx.arrays.is_elided_temporary(call, ctx.arrays.value(other), assume_large=True)


def _dies_in_its_statement(ctx: FileContext, call: ast.Call) -> bool:
    """The result is a temporary of a simple statement (``(np.array(x) - m) / s``): it is gone when the
    statement ends, so only the statement's own uses of x can see the alias (not a ``for`` header's
    iterator, which lives through the loop)."""
    node = ctx.arrays.parent(call)
    while node is not None and not isinstance(node, ast.stmt):
        node = ctx.arrays.parent(node)
    if isinstance(node, ast.Assign) and node.value is call:
        return False  # bound to a name
    return isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return, ast.If, ast.Assert))


def _later_uses_only_read(ctx: FileContext, x: ast.Name, statement_only: bool = False) -> bool:
    """Every other use of the object x holds here, in the same statement or after it (``statement_only``: in
    the same statement), only reads it."""
    arrays = ctx.arrays
    flow = arrays.flow_of(x)
    here = flow.unit_of_use.get(id(x)) if flow is not None else None
    if flow is None or here is None:
        return False
    for d in arrays.reaching(x) or ():
        for use in arrays.uses_of(d):
            if use is x:
                continue
            unit = flow.unit_of_use.get(id(use))  # uses_of gives this flow's uses: never None
            if unit is not None and unit is not here and (statement_only or not flow.can_reach(here, unit)):
                continue
            if not _only_read(ctx, use):
                return False
    return True


def _only_read(ctx: FileContext, use: ast.Name) -> bool:
    """The use reads the object, and stays a read after other fixes: in ``b = b * 2`` MEM001 writes ``b *= 2``
    (and MEM002 ``b = np.f(b)`` ``out=b``), which would write through the alias this rule creates."""
    if not ctx.arrays.reads_only(use):
        return False
    node: Optional[ast.AST] = use
    while node is not None and not isinstance(node, ast.stmt):
        node = ctx.arrays.parent(node)
    if not (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == use.id for t in node.targets)):
        return True
    value = node.value  # `b = <value>` rebinding b: only a direct operand can become an in-place target
    return not (
        use is value
        or isinstance(value, ast.BinOp)
        and use in (value.left, value.right)
        or isinstance(value, ast.Call)
        and any(a is use for a in value.args)
        and _may_write_into_its_argument(ctx, value)
    )


def _may_write_into_its_argument(ctx: FileContext, call: ast.Call) -> bool:
    """A call MEM002 may give ``out=`` (a ufunc, ``np.clip``): ``np.append(b, x)`` never writes into ``b``."""
    q = ctx.qualname(call.func)
    return q is None or q == "numpy.clip" or numpy_api.ufunc_of(q) is not None or not q.startswith("numpy.")


def _rewrite(call: libcst.Call, transform: Transform, asarray_name: Optional[str]) -> libcst.Call:
    import libcst as cst

    if transform == "asarray":
        if isinstance(call.func, cst.Attribute):
            return call.with_changes(func=call.func.with_changes(attr=cst.Name("asarray")))
        return call.with_changes(func=cst.Name(cast(str, asarray_name)))  # check() offers no fix without one
    if transform == "ravel":
        return call.with_changes(func=call.func.with_changes(attr=cst.Name("ravel")))
    args = list(call.args)
    comma = args[-1].comma  # a trailing comma stays trailing
    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(
        cst.Arg(
            value=cst.Name("False"),
            keyword=cst.Name("copy"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
            comma=comma,
        )
    )
    return call.with_changes(args=args)
