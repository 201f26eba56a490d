"""Array facts: what memlint knows of a value at the place it is evaluated, and of the names holding it.

Public API (used by rules through ``ctx.arrays``; additions only, never breaking changes):

``ArrayFacts.value(expr) -> Value``
    What is known of the value of ``expr`` where it is evaluated: names through their reaching definitions
    at that point, calls and operators computed. ``Value`` is a frozen dataclass:

    - ``kind``: "ndarray" (a base-class ``numpy.ndarray``, never a subclass), "np_scalar", "py_number"
      (int, float, bool, complex), "other_array" (masked array, ``np.matrix``, memmap, pandas objects...)
      or "unknown". An "unknown" kind may still carry a ``dtype``: "an ndarray or NumPy scalar of this
      dtype" (e.g. arithmetic on an array whose number of dimensions is unknown: a 0-d array gives a scalar).
    - ``dtype``: a ``numpy.dtype`` or None.
    - ``shape``: a tuple of ints, or None; ``ndim``: an int or None (known more often than the shape).
    - ``ownership``: "fresh" (a new object this expression created and nothing else holds), "parameter",
      "global", "attribute", "view" (of another array: slices, ``.T``, ``.reshape``, ``np.asarray``...),
      "file_backed" (``np.memmap``, ``np.load(mmap_mode=...)``), "read_only" (``np.broadcast_to``),
      "unknown_call" (returned by code memlint does not know), "alias" (a second name for an object held
      elsewhere: ``b = a``, ``a = b = x``, a walrus), or "unknown".
    - ``constant``: the Python number of a literal (or of an expression folded from literals), else None;
      ``pytype``: "int", "float", "complex" or "bool" for a Python number; ``origin``: the qualified name of
      the call that made the value (``numpy.random.default_rng``, ``pandas.read_csv``...).
    - ``nbytes`` (property): shape x itemsize, or None.

``ArrayFacts.is_fresh(name)``
    The catalog's FRESH at this use: every reaching definition (loop back-edges included) binds a new,
    writeable, base-class ndarray this function owns (not a parameter, global, attribute, view, memmap...).
``ArrayFacts.no_alias(name)``
    The catalog's NOALIAS at this use, for any local name (arrays and pandas objects alike): each reaching
    definition creates its object (not ``b = a``, ``a = b = x``, a ``for`` target...), and between it and this
    use the name occurs only as an operand of arithmetic/comparison, in an item assignment, or in calls and
    methods known to return new objects. Any other use (assignment to another name, attribute or container,
    passing to any other call, views, capture by a nested function or comprehension, ``global``/
    ``nonlocal``, ``locals()``/``vars()``/``eval``/``exec`` in the scope) makes it False.
``ArrayFacts.is_dead_after(name)``
    The binding read at this use is not read again on any path after it (nor captured by a nested scope).
``ArrayFacts.value_before(stmt, name)``
    What is known of the value ``name`` holds just before the statement ``stmt`` runs (a ``del`` target...).
``ArrayFacts.is_pandas_inplace_statement(call)``, ``is_pandas(value)``
    ``frame.m(..., inplace=True)`` as a statement on a known pandas object (it keeps no reference); a Value
    made by a known pandas call or method. ``PANDAS_INPLACE_DEPRECATED``/``PANDAS_INPLACE_KEPT`` list the
    methods taking ``inplace`` (pandas 3.1 deprecates it for the first, where it never saved memory).
``ArrayFacts.is_parameter(name)``
    A parameter's binding reaches this use.
``ArrayFacts.reaching(name)``
    The ``dataflow.Def`` objects that reach a load, or None.
``ArrayFacts.python_container(node)``
    A local name every reaching definition binds to a new list, dict or set (storing into it keeps a
    reference; storing into an array copies).
``in_place_verdict(kind, name, operands, target)`` (module function)
    Whether ``operands[target]`` can receive the result of an operator or ufunc (catalog section 3.1):
    ("safe" | "unknown" | "impossible", reason); "impossible" means there is nothing to suggest.

Facts are computed lazily, per scope (function, lambda, module-level code), on the first question about that
scope. NumPy names are resolved only through the file's imports; NumPy behaviour is asked of NumPy itself
(``numpy_api``).
"""

from __future__ import annotations

import ast
import dataclasses
import math
from dataclasses import dataclass
from typing import Optional

from memlint.facts import numpy_api
from memlint.facts.dataflow import ScopeFlow, find_opaque_holders

NUMERIC_PYTYPES = {int: "int", float: "float", complex: "complex", bool: "bool"}


@dataclass(frozen=True)
class Value:
    kind: str = "unknown"
    dtype: object = None
    shape: Optional[tuple] = None
    ownership: str = "unknown"
    ndim: Optional[int] = None
    constant: object = None
    pytype: Optional[str] = None
    origin: Optional[str] = None

    @property
    def nbytes(self) -> Optional[int]:
        return numpy_api.nbytes(self.shape, self.dtype)

    def but(self, **changes) -> Value:
        return dataclasses.replace(self, **changes)


UNKNOWN = Value()
_BOTTOM = Value(kind="bottom", ownership="bottom")  # "no information yet" while iterating over loops
_ELIDED_BYTES = 256 * 1024  # NPY_MIN_ELIDE_BYTES: NumPy reuses temporaries from this size up
_EVAL_BUDGET = 20000  # definition values computed for one question before giving up (pathological loops)


def _array(dtype=None, shape=None, ownership="fresh", ndim=None, **kw) -> Value:
    if shape is not None:
        ndim = len(shape)
    return Value("ndarray", dtype, shape, ownership, ndim, **kw)


def _py(value=None, pytype=None) -> Value:
    if value is not None:
        pytype = NUMERIC_PYTYPES.get(type(value))
    return Value("py_number", None, None, "fresh", None, value, pytype)


def join(a: Value, b: Value) -> Value:
    """What is known of a value that is one of ``a`` or ``b``."""
    if a is _BOTTOM or a == _BOTTOM:
        return b
    if b is _BOTTOM or b == _BOTTOM:
        return a
    if a == b:
        return a
    same = {
        f.name: getattr(a, f.name) if getattr(a, f.name) == getattr(b, f.name) else None
        for f in dataclasses.fields(Value)
    }
    kind = same["kind"] or "unknown"
    ownership = same["ownership"] or "unknown"
    ndim = same["ndim"]
    shape = same["shape"] if same["shape"] is not None else None
    return Value(kind, same["dtype"], shape, ownership, ndim, same["constant"], same["pytype"], same["origin"])


def is_pandas(v: Value) -> bool:
    """A pandas object made by a known pandas call (``pd.DataFrame``, ``pd.read_csv``, their methods)."""
    return v.kind == "other_array" and (v.origin or "").startswith("pandas.")


def _creates_new(expr: Optional[ast.AST]) -> bool:
    """Whether evaluating ``expr`` makes a new object rather than handing over one held elsewhere."""
    if isinstance(expr, ast.IfExp):
        return _creates_new(expr.body) and _creates_new(expr.orelse)
    return isinstance(
        expr,
        (
            ast.Call,
            ast.BinOp,
            ast.UnaryOp,
            ast.Compare,
            ast.Constant,
            ast.List,
            ast.Tuple,
            ast.Dict,
            ast.Set,
            ast.ListComp,
            ast.SetComp,
            ast.DictComp,
            ast.GeneratorExp,
            ast.JoinedStr,
        ),
    )


def _hands_over(expr: Optional[ast.AST]) -> bool:
    """Whether ``expr`` evaluates to an object that something else (a name, an operand) already holds."""
    if isinstance(expr, ast.IfExp):
        return _hands_over(expr.body) or _hands_over(expr.orelse)
    if isinstance(expr, ast.Call) and any(k.arg == "out" for k in expr.keywords):
        return True  # a ufunc returns its `out=` array
    return isinstance(expr, (ast.Name, ast.NamedExpr, ast.BoolOp, ast.Await, ast.Yield, ast.YieldFrom, ast.Starred))


def _handed_name(expr: Optional[ast.AST]) -> Optional[str]:
    """The name whose object ``expr`` hands back (``a``, ``np.sqrt(x, out=a)``), else None."""
    if isinstance(expr, ast.Call):
        expr = next((k.value for k in expr.keywords if k.arg == "out"), None)
    return expr.id if isinstance(expr, ast.Name) else None


# Array attributes that are plain data (no reference to the buffer).
_METADATA_ATTRS = frozenset({"shape", "dtype", "ndim", "size", "nbytes", "itemsize", "strides", "dtypes", "empty"})
# Methods whose result never shares the receiver's memory (with no ``out=``).
_NEW_RESULT_METHODS = numpy_api.REDUCTIONS | frozenset(
    {
        "copy",
        "tolist",
        "item",
        "tobytes",
        "cumsum",
        "cumprod",
        "round",
        "flatten",
        "nonzero",
        "dot",
        "fill",
        "argsort",
        "isna",
        "isnull",
        "notna",
        "notnull",
        "to_numpy_copy",
        "sort",
    }
)
# ndarray methods that write into the array they are called on.
_IN_PLACE_METHODS = frozenset(
    {"fill", "sort", "resize", "put", "itemset", "partition", "setfield", "setflags", "byteswap"}
)
# pandas DataFrame/Series methods that take ``inplace=True`` (then they update the object, return None and keep
# no reference to it); without it each returns a new object. pandas 3.1 deprecates ``inplace`` for the first
# group (PDEP-8), where it never saved memory, and keeps it for the second, where it does (research m11, m14).
PANDAS_INPLACE_DEPRECATED = frozenset(
    {
        "drop",
        "rename",
        "sort_values",
        "sort_index",
        "reset_index",
        "set_index",
        "dropna",
        "drop_duplicates",
        "query",
        "eval",
    }
)
PANDAS_INPLACE_KEPT = frozenset({"replace", "fillna", "ffill", "bfill", "interpolate", "where", "mask", "clip"})
# Their results, and ``copy``'s, are new pandas objects of the receiver's kind (``eval`` may return a Series
# or a scalar, and ``Series.reset_index`` a DataFrame: see ``_pandas_method``).
_PANDAS_NEW_OBJECT_METHODS = (PANDAS_INPLACE_DEPRECATED | PANDAS_INPLACE_KEPT | {"copy"}) - {"eval"}


def _assigns_columns(call: ast.Call) -> bool:
    """``frame.eval("c = a + b")``: an expression made only of assignments returns a new DataFrame
    (without one, ``eval`` returns the computed Series or scalar)."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return False
    try:
        body = ast.parse(call.args[0].value.strip()).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(stmt, ast.Assign) for stmt in body)


# Builtins that read an object without keeping a reference to it.
_READING_BUILTINS = frozenset(
    {
        "len",
        "print",
        "repr",
        "str",
        "float",
        "int",
        "bool",
        "complex",
        "isinstance",
        "format",
        "id",
        "type",
        "hash",
        "abs",
    }
)
_NUMBER_BUILTINS = {"float": "float", "int": "int", "bool": "bool", "complex": "complex", "len": "int"}
# NumPy functions (besides ufuncs and reductions) that return new arrays or scalars.
_NEW_RESULT_FUNCTIONS = frozenset(
    {
        "copy",
        "allclose",
        "array_equal",
        "array_equiv",
        "isclose",
        "sort",
        "argsort",
        "unique",
        "where",
        "dot",
        "cumsum",
        "cumprod",
        "diff",
        "round",
        "around",
        "clip",
        "nonzero",
        "flatnonzero",
        "inner",
        "outer",
        "vdot",
        "tensordot",
        "trace",
        "shape",
        "ndim",
        "size",
        "isscalar",
        "iscomplexobj",
        "isrealobj",
        "linalg.norm",
        "linalg.inv",
        "linalg.det",
        "linalg.solve",
        "histogram",
        "bincount",
        "searchsorted",
        "percentile",
        "quantile",
        "nanpercentile",
        "nanquantile",
        "average",
        "cov",
        "corrcoef",
    }
)


class ArrayFacts:
    def __init__(self, ctx):
        self.ctx = ctx
        self._flows: dict[int, Optional[ScopeFlow]] = {}
        self._opaque_holders: Optional[set] = None
        self._final: dict[int, Value] = {}
        self._assumed: dict[int, Value] = {}
        self._used_assumptions: set[int] = set()
        self._budget = _EVAL_BUDGET
        self._candidates = None

    # --- public API --------------------------------------------------------------------------------------

    def may_hold_array(self, expr: ast.expr) -> bool:
        """False when ``value(expr)`` cannot be an ndarray (nor have a dtype) wherever ``expr`` is evaluated:
        a syntactic test, far cheaper than ``value``, for rules to ask first (``array_candidates``)."""
        if self._candidates is None:
            from memlint.facts.array_candidates import ArrayNames

            self._candidates = ArrayNames(self.ctx)
        return self._candidates.may_hold(self.ctx, expr)

    def value(self, expr: ast.expr) -> Value:
        if not self._assumed:
            self._budget = _EVAL_BUDGET  # a budget per question, not per file
        try:
            v = self._value(expr)
        except RecursionError:
            self._forget_assumptions()
            return UNKNOWN
        return UNKNOWN if v.kind == "bottom" else v

    def _forget_assumptions(self) -> None:
        """After an interrupted computation: no loop assumption may outlive it (it would read as "no value")."""
        self._assumed.clear()
        self._used_assumptions = set()

    def is_fresh(self, name: ast.Name) -> bool:
        flow = self.flow_of(name)
        if flow is None or flow.opaque or name.id in flow.declared:
            return False
        defs = flow.reaching(name)
        if not defs or any(d.kind == "param" for d in defs):
            return False
        v = self.value(name)
        return v.kind == "ndarray" and v.ownership == "fresh"

    def no_alias(self, name: ast.Name) -> bool:
        flow = self.flow_of(name)
        if flow is None or flow.opaque or name.id in flow.captured or name.id in flow.declared:
            return False
        defs = self._buffer_defs(flow, name)
        if defs is None:
            return False
        for d in defs:
            if d.kind == "param" or d.kind == "aug":
                continue
            if d.kind not in ("assign",) or d.targets > 1 or not _creates_new(d.value):
                return False
        here = flow.unit_of_use[id(name)]
        for unit in flow.units:
            for use in unit.uses:
                if use is name or use.id != name.id:
                    continue
                reaching = flow.reaching(use) or []
                if not any(d in defs for d in reaching):
                    continue
                if unit is not here and not flow.can_reach(unit, here):
                    continue
                if not self._transient(use):
                    return False
        return True

    def may_overlap(self, operand: ast.expr, name: str) -> bool:
        """Whether ``operand`` reads ``name`` and may be a view of its array (``a.T``, ``a[0]``, ``f(a)``)
        rather than the array itself or a new array. A ufunc writing into ``a`` first copies such an operand to
        a temporary of the output's size (NumPy's overlap rule): ``a += a.T`` and even ``a += a[0]`` peak at
        +1.00 A, as ``a = a + a.T`` does, so writing in place saves nothing."""
        if isinstance(operand, ast.Name) or not _reads_data_of(operand, name):
            return False
        v = self.value(operand)
        return not (v.ownership == "fresh" or v.kind == "py_number")

    def is_elided_temporary(self, operand: ast.expr, other: Value) -> bool:
        """Whether NumPy writes ``operand + other`` (or ``*``, ``&``, ``|``, ``^``, or any operator with the
        temporary on the left) into ``operand`` itself: temporary elision (numpy/_core/src/multiarray/temp_elide.c,
        CPython on Linux and macOS) takes an operand that is no variable but a new array of at least 256 KiB,
        when the other operand has its exact dtype and shape. ``a = a + a * 2`` then allocates no array for its
        result: it peaks at +1.00 A, as ``a += a * 2`` does (measured)."""
        if isinstance(operand, ast.Name) or other.kind != "ndarray" or other.shape is None or other.dtype is None:
            return False
        v = self.value(operand)
        return (
            v.kind == "ndarray"
            and v.ownership == "fresh"
            and v.dtype == other.dtype
            and v.shape == other.shape
            and v.nbytes is not None
            and v.nbytes >= _ELIDED_BYTES
        )

    def is_dead_after(self, name: ast.Name) -> bool:
        flow = self.flow_of(name)
        if flow is None or flow.opaque or name.id in flow.captured or name.id in flow.declared:
            return False
        unit = flow.unit_of_use.get(id(name))
        if unit is None:
            return False
        if any(use is not name and use.id == name.id for use in unit.uses):
            return False
        if name.id in unit.kill:
            return True
        if isinstance(flow.scope, ast.Module):
            return False  # a module's names stay readable by importers
        return not flow.is_live_after(unit, name.id)

    def value_before(self, stmt: ast.stmt, name: str) -> Value:
        """What is known of the value ``name`` holds just before ``stmt`` runs (e.g. the target of a ``del``):
        the join of the definitions of ``name`` reaching the statement."""
        flow = self.flow_of(stmt)
        unit = flow.unit_of_node.get(id(stmt)) if flow is not None and not flow.opaque else None
        if unit is None:
            return UNKNOWN
        bits = flow.reach_in[unit.index]
        defs = [d for d in flow.defs_of.get(name, ()) if bits >> d.index & 1]
        v = _BOTTOM
        try:
            for d in defs:
                v = join(v, self._def_value(d))
        except RecursionError:
            self._forget_assumptions()
            return UNKNOWN
        return UNKNOWN if v.kind == "bottom" else v

    def is_parameter(self, name: ast.Name) -> bool:
        defs = self.reaching(name)
        return bool(defs) and any(d.kind == "param" for d in defs)

    def reaching(self, name: ast.Name):
        flow = self.flow_of(name)
        return None if flow is None else flow.reaching(name)

    def uses_of(self, d) -> list:
        """The occurrences of ``d.name`` that the definition ``d`` (a ``dataflow.Def``) reaches, in source
        order: loads, and the targets of augmented assignments (which read and write the object)."""
        flow = self.flow_of(d.node)
        if flow is None:
            return []
        return [use for unit in flow.units for use in unit.uses if use.id == d.name and d in (flow.reaching(use) or ())]

    def uses_of_binding(self, stmt: ast.AST) -> Optional[list]:
        """The uses of the one local name a plain ``name = value`` statement binds; None where they cannot
        all be known (other targets, a scope trusted for nothing, a name captured or declared global)."""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return None
        flow = self.flow_of(stmt)
        name = stmt.targets[0].id
        if flow is None or flow.opaque or name in flow.captured or name in flow.declared:
            return None
        definitions = [d for d in flow.defs_of.get(name, ()) if d.node is stmt]
        return self.uses_of(definitions[0]) if len(definitions) == 1 else None

    def reads_only(self, node: ast.AST) -> bool:
        """Whether this occurrence of an object (a name, or any expression) only reads it: what ``no_alias``
        accepts (no reference kept or handed out) minus the writes it allows: item and augmented assignment,
        a ufunc's positional ``out``, and methods that write into the array."""
        p = self.parent(node)
        if isinstance(p, ast.AugAssign) and p.target is node:
            return False
        if isinstance(p, ast.Subscript) and p.value is node:
            return isinstance(p.ctx, ast.Load) and self.reads_only(p)  # a view, read the same way
        if isinstance(p, ast.Attribute) and p.value is node and p.attr in _IN_PLACE_METHODS:
            return False
        if isinstance(p, ast.Call) and any(a is node for a in p.args):
            ufunc = numpy_api.ufunc_of(self.ctx.qualname(p.func))
            if ufunc is not None and [a is node for a in p.args].index(True) >= ufunc.nin:
                return False
        return self._transient(node)

    # --- scopes ------------------------------------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> Optional[ast.AST]:
        return self.ctx.scope_of(node)

    def flow_of(self, node: ast.AST) -> Optional[ScopeFlow]:
        scope = self.scope_of(node)
        if scope is None:
            return None
        key = id(scope)
        if key not in self._flows:
            if self._opaque_holders is None:
                self._opaque_holders = find_opaque_holders(self.ctx.nodes, self.ctx.parent)
            try:
                self._flows[key] = ScopeFlow(scope, self._opaque_holders)
            except RecursionError:
                self._flows[key] = None
        return self._flows[key]

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.ctx.parent(node)

    def _buffer_defs(self, flow: ScopeFlow, name: ast.Name):
        """The definitions that bound the object ``name`` holds here: through ``a += x``, which keeps it."""
        defs = flow.reaching(name)
        if not defs:
            return None
        found, stack = set(), list(defs)
        while stack:
            d = stack.pop()
            if d in found:
                continue
            found.add(d)
            if d.kind == "aug":
                more = flow.reaching(d.node.target)
                if not more:
                    return None
                stack.extend(more)
        return found

    def _transient(self, use: ast.AST) -> bool:
        """Whether this occurrence reads the object without keeping (or handing out) a reference to it."""
        p = self.parent(use)
        if isinstance(p, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            return True
        if isinstance(p, ast.AugAssign):
            if p.target is use:
                return True  # `a += x` writes into a's own buffer
            # `lst += a` would keep a's rows (views) in a list; numbers and arrays keep nothing
            return self.value(p.target).kind in ("ndarray", "np_scalar", "py_number")
        if isinstance(p, ast.Expr):
            return True
        if isinstance(p, (ast.If, ast.While, ast.Assert)) and p.test is use:
            return True
        if isinstance(p, ast.IfExp) and p.test is use:
            return True
        if isinstance(p, ast.Attribute) and p.value is use:
            if not isinstance(p.ctx, ast.Load):
                return False  # `a.shape = ...`, `a.dtype = ...` change the array itself
            if p.attr in _METADATA_ATTRS:
                return True
            call = self.parent(p)
            if self.is_pandas_inplace_statement(call):
                return True
            return (
                isinstance(call, ast.Call)
                and call.func is p
                and p.attr in _NEW_RESULT_METHODS
                and not any(k.arg in ("out", "copy", "inplace") or k.arg is None for k in call.keywords)
            )
        if isinstance(p, ast.Subscript) and p.value is use:
            if isinstance(p.ctx, (ast.Store, ast.Del)):
                return True
            return self._transient(p)
        if isinstance(p, ast.Call) and use in p.args:
            return self._reading_call(p)
        return False

    def _reading_call(self, call: ast.Call) -> bool:
        if any(k.arg in ("out", "copy") or k.arg is None for k in call.keywords):
            return False
        if any(isinstance(a, ast.Starred) for a in call.args):
            return False
        q = self.ctx.qualname(call.func)
        if q is None:
            return isinstance(call.func, ast.Name) and call.func.id in _READING_BUILTINS and self._is_builtin(call.func)
        if q.startswith("numpy."):
            name = q[6:]
            ufunc = numpy_api.ufunc_of(q)
            if ufunc is not None:
                return len(call.args) <= ufunc.nin  # a further positional argument is `out`
            if name in numpy_api.REDUCTIONS or name in _NEW_RESULT_FUNCTIONS or name == "array":
                out = numpy_api.out_position(q)
                return out is None or len(call.args) <= out
        return q in ("pandas.isna", "pandas.notna", "pandas.isnull", "pandas.notnull")

    def _module_flow(self) -> Optional[ScopeFlow]:
        return self.flow_of(self.ctx.tree.body[0]) if self.ctx.tree.body else None

    # --- values of definitions ---------------------------------------------------------------------------

    def _def_value(self, d) -> Value:
        """The value a definition binds; around loops, iterated from "no information" to a fixed point."""
        key = id(d)  # Def objects live as long as their (cached) scope flow
        if key in self._final:
            return self._final[key]
        if key in self._assumed:
            self._used_assumptions.add(key)
            return self._assumed[key]
        self._budget -= 1
        if self._budget < 0:
            return UNKNOWN
        self._assumed[key] = _BOTTOM
        value, used = UNKNOWN, set()
        for _ in range(6):
            saved = self._used_assumptions
            self._used_assumptions = set()
            value = self._compute_def(d)
            used = self._used_assumptions
            self._used_assumptions = saved | (used - {key})
            if key not in used or value == self._assumed[key]:
                break
            self._assumed[key] = value
        else:
            value = UNKNOWN
        del self._assumed[key]
        if not (used - {key}):
            self._final[key] = value
        return value

    def _compute_def(self, d) -> Value:
        if d.kind == "param":
            return Value(ownership="parameter")
        if d.kind in ("assign", "walrus") and d.value is not None:
            v = self._value(d.value)
            if v.ownership == "fresh" and (
                d.kind == "walrus" or d.targets > 1 or (_hands_over(d.value) and _handed_name(d.value) != d.name)
            ):
                v = v.but(ownership="alias")
            return v
        if d.kind == "aug":
            before = self._value(d.node.target)
            if before.kind in ("ndarray", "other_array"):
                return before  # in place: the same object, dtype and shape
            if before.kind == "bottom":
                return _BOTTOM
            return self._binop(type(d.node.op).__name__, before, self._value(d.value))
        return UNKNOWN

    # --- values of expressions ---------------------------------------------------------------------------

    def _value(self, e: ast.AST) -> Value:
        if isinstance(e, ast.Constant):
            return _py(e.value) if type(e.value) in NUMERIC_PYTYPES else UNKNOWN
        if isinstance(e, ast.Name):
            return self._name(e)
        if isinstance(e, ast.BinOp):
            return self._binop(type(e.op).__name__, self._value(e.left), self._value(e.right))
        if isinstance(e, ast.UnaryOp):
            return self._unary(e)
        if isinstance(e, ast.Compare):
            return self._compare(e)
        if isinstance(e, ast.Call):
            return self._call(e)
        if isinstance(e, ast.Attribute):
            return self._attribute(e)
        if isinstance(e, ast.Subscript):
            return self._subscript(e)
        if isinstance(e, ast.IfExp):
            return join(self._value(e.body), self._value(e.orelse))
        if isinstance(e, ast.NamedExpr):
            return self._value(e.value)
        return UNKNOWN

    def _name(self, e: ast.Name) -> Value:
        flow = self.flow_of(e)
        if flow is None:
            return UNKNOWN
        defs = flow.reaching(e)
        if defs is None:
            return UNKNOWN
        if not defs:
            if e.id in flow.defs_of or isinstance(flow.scope, ast.Module):
                return UNKNOWN
            return self._global(e.id)
        v = _BOTTOM
        for d in defs:
            v = join(v, self._def_value(d))
        return v

    def _global(self, name: str) -> Value:
        """A module-level name read inside a function: its one module-level definition, if it has one."""
        module = self._module_flow()
        if module is None or module.opaque:
            return Value(ownership="global")
        defs = module.defs_of.get(name, [])
        if len(defs) != 1 or defs[0].kind != "assign":
            return Value(ownership="global")
        v = self._def_value(defs[0])
        if v.kind == "py_number":
            return v
        return v.but(ownership="global", constant=None)

    def _spec(self, v: Value):
        """The operand spec numpy_api computes with, or None when the dtype is not known."""
        if v.kind == "py_number" and v.pytype:
            return ("py", v.pytype)
        if v.dtype is None:
            return None
        if v.kind == "np_scalar" or (v.kind == "ndarray" and v.ndim == 0):
            return ("scalar", v.dtype) if v.kind == "np_scalar" else ("array", v.dtype, 0)
        if v.kind in ("ndarray", "unknown"):
            return ("array", v.dtype, v.ndim)
        return None

    def _shape_of(self, v: Value):
        if v.kind in ("py_number", "np_scalar"):
            return ()
        return v.shape

    def _result(self, computed, operands: list[Value], ownership="fresh") -> Value:
        """A Value from numpy_api's (kind, dtype) answer, with the broadcast shape of the operands."""
        shapes = [self._shape_of(v) for v in operands]
        shape = numpy_api.broadcast(*shapes) if all(s is not None for s in shapes) else None
        ndims = [0 if v.kind in ("py_number", "np_scalar") else v.ndim for v in operands]
        ndim = max(ndims) if all(n is not None for n in ndims) else None
        if any(n is not None and n > 0 for n in ndims):
            ndim = max(n for n in ndims if n is not None) if ndim is None else ndim
        kind, dtype = computed if computed else ("unknown", None)
        if kind == "ndarray":
            if ndim == 0:
                kind = "np_scalar"
            elif ndim is None:
                kind = "unknown"  # an ndarray, or a NumPy scalar if every array operand is 0-d
        if kind == "py_number":
            return _py(pytype=None).but(pytype=None)
        if kind == "np_scalar":
            return Value("np_scalar", dtype, (), ownership, 0)
        return Value(kind, dtype, shape if kind == "ndarray" else None, ownership, ndim)

    def _binop(self, op: str, left: Value, right: Value) -> Value:
        if left.kind == "bottom" or right.kind == "bottom":
            return _BOTTOM
        if left.kind == "py_number" and right.kind == "py_number":
            return self._py_binop(op, left, right)
        kinds = {left.kind, right.kind}
        if "other_array" in kinds and kinds <= {"other_array", "ndarray", "np_scalar", "py_number"}:
            return Value("other_array", ownership="fresh")
        if not kinds <= {"ndarray", "np_scalar", "py_number", "unknown"} or kinds == {"unknown"}:
            return UNKNOWN
        if "unknown" in kinds and (left.dtype is None if left.kind == "unknown" else right.dtype is None):
            return UNKNOWN
        name = numpy_api.BINARY_OPERATORS.get(op)
        specs = (self._spec(left), self._spec(right))
        if name is None:
            return UNKNOWN
        if None in specs:
            computed = ("ndarray", None) if "ndarray" in kinds else ("unknown", None)
            if kinds <= {"np_scalar", "py_number"}:
                computed = ("np_scalar", None)
        else:
            computed = numpy_api.result_of("operator", name, specs)
            if computed is None:
                return UNKNOWN  # NumPy raises for these operands
        return self._result(computed, [left, right])

    def _py_binop(self, op: str, left: Value, right: Value) -> Value:
        import operator

        name = numpy_api.BINARY_OPERATORS.get(op)
        if name is None or name == "matmul":
            return UNKNOWN
        if left.constant is not None and right.constant is not None:
            a, b = left.constant, right.constant
            if name == "pow" and not (isinstance(b, int) and 0 <= b <= 64 and abs(a) <= 2**16):
                return _py(pytype=_py_result_type(name, left.pytype, right.pytype))
            try:
                result = getattr(operator, name)(a, b)
            except (ArithmeticError, TypeError, ValueError):
                return UNKNOWN
            if type(result) is int and abs(result) > 2**256:
                return _py(pytype="int")
            return _py(result)
        return _py(pytype=_py_result_type(name, left.pytype, right.pytype))

    def _unary(self, e: ast.UnaryOp) -> Value:
        operand = self._value(e.operand)
        if operand.kind == "bottom":
            return _BOTTOM
        if isinstance(e.op, ast.Not):
            return _py(pytype="bool") if operand.kind != "ndarray" else UNKNOWN
        name = numpy_api.UNARY_OPERATORS[type(e.op).__name__]
        if operand.kind == "py_number":
            if operand.constant is not None:
                import operator

                try:
                    return _py(getattr(operator, name)(operand.constant))
                except TypeError:
                    return UNKNOWN
            return _py(pytype=operand.pytype if operand.pytype != "bool" else "int")
        if operand.kind not in ("ndarray", "np_scalar"):
            return Value("other_array", ownership="fresh") if operand.kind == "other_array" else UNKNOWN
        spec = self._spec(operand)
        computed = numpy_api.result_of("operator", name, (spec,)) if spec else (operand.kind, None)
        if computed is None:
            return UNKNOWN
        return self._result(computed, [operand])

    def _compare(self, e: ast.Compare) -> Value:
        if len(e.ops) != 1:
            return UNKNOWN
        op = type(e.ops[0]).__name__
        if op in ("Is", "IsNot", "In", "NotIn"):
            return _py(pytype="bool")
        left, right = self._value(e.left), self._value(e.comparators[0])
        if left.kind == "bottom" or right.kind == "bottom":
            return _BOTTOM
        kinds = {left.kind, right.kind}
        if kinds == {"py_number"}:
            return _py(pytype="bool")
        if not kinds <= {"ndarray", "np_scalar", "py_number"}:
            return (
                Value("other_array", ownership="fresh")
                if "other_array" in kinds and kinds <= {"other_array", "ndarray", "np_scalar", "py_number"}
                else UNKNOWN
            )
        specs = (self._spec(left), self._spec(right))
        if None in specs:
            return self._result(("ndarray", numpy_api._np().dtype(bool)), [left, right])
        computed = numpy_api.result_of("operator", numpy_api.COMPARE_OPERATORS[op], specs)
        return self._result(computed, [left, right]) if computed else UNKNOWN

    def _attribute(self, e: ast.Attribute) -> Value:
        q = self.ctx.qualname(e)
        if q is not None:
            constant = numpy_api.numpy_constant(q)
            return _py(constant) if constant is not None else UNKNOWN
        base = self._value(e.value)
        if base.kind == "bottom":
            return _BOTTOM
        if base.kind == "ndarray":
            if e.attr == "T":
                shape = tuple(reversed(base.shape)) if base.shape is not None else None
                return base.but(shape=shape, ownership="view", constant=None)
            if e.attr in ("real", "imag") and base.dtype is not None:
                dtype = numpy_api.result_of("function", "real", (self._spec(base),))
                return base.but(dtype=dtype[1] if dtype else None, ownership="view")
            if e.attr in ("size", "nbytes", "ndim", "itemsize"):
                known = {
                    "size": math.prod(base.shape) if base.shape is not None else None,
                    "nbytes": base.nbytes,
                    "ndim": base.ndim,
                    "itemsize": base.dtype.itemsize if base.dtype is not None else None,
                }[e.attr]
                return _py(known) if known is not None else _py(pytype="int")
            return UNKNOWN
        if isinstance(e.value, ast.Name) and base.kind == "unknown":
            return Value(ownership="attribute")
        return Value(ownership="attribute") if base.kind != "py_number" else UNKNOWN

    def _subscript(self, e: ast.Subscript) -> Value:
        base = self._value(e.value)
        if base.kind == "bottom":
            return _BOTTOM
        if isinstance(e.value, ast.Attribute) and e.value.attr == "shape":
            owner = self._value(e.value.value)
            if owner.kind == "ndarray" and owner.shape is not None:
                index = self._literal_index(e.slice)
                if isinstance(index, int) and -len(owner.shape) <= index < len(owner.shape):
                    return _py(owner.shape[index])
            return _py(pytype="int") if owner.kind == "ndarray" else UNKNOWN
        if base.kind != "ndarray":
            return UNKNOWN
        index_value = self._value(e.slice) if not isinstance(e.slice, (ast.Slice, ast.Tuple)) else None
        if (
            index_value is not None
            and index_value.kind in ("ndarray", "unknown")
            and index_value.dtype is not None
            and (index_value.dtype.kind == "b" or (index_value.kind == "ndarray" and index_value.ndim))
        ):
            # advanced indexing copies: a boolean mask gives 1-d, integers give the index's shape
            # (a 0-d integer array indexes like an int: a view, hence the ndim test)
            if index_value.dtype.kind == "b":
                return _array(base.dtype, None, ndim=1 if base.ndim == index_value.ndim else None)
            return _array(base.dtype, None)
        parts = e.slice.elts if isinstance(e.slice, ast.Tuple) else [e.slice]
        if not all(self._is_basic(p) for p in parts):
            return UNKNOWN
        index = self._literal_index(e.slice)
        if base.shape is not None and index is not _NOT_LITERAL:
            shape = numpy_api.index_shape(base.shape, index)
            if shape is None:
                return UNKNOWN
            if len(shape) == 0 and not any(p is Ellipsis for p in (index if isinstance(index, tuple) else (index,))):
                return Value("np_scalar", base.dtype, (), "fresh", 0)
            return _array(base.dtype, shape, ownership="view")
        if base.ndim is not None:
            dropped = sum(1 for p in parts if not isinstance(p, ast.Slice) and not _is_none_or_ellipsis(p))
            added = sum(1 for p in parts if isinstance(p, ast.Constant) and p.value is None)
            if any(isinstance(p, ast.Constant) and p.value is Ellipsis for p in parts):
                return _array(base.dtype, None, ownership="view", ndim=None)
            ndim = base.ndim - dropped + added
            if ndim == 0 and dropped == base.ndim:
                return Value("np_scalar", base.dtype, (), "fresh", 0)
            return _array(base.dtype, None, ownership="view", ndim=ndim if ndim >= 0 else None)
        return _array(base.dtype, None, ownership="view")

    def _is_basic(self, part: ast.AST) -> bool:
        """Basic indexing: an int, a slice, ``None`` or ``...`` (the result is a view)."""
        if isinstance(part, ast.Slice):
            return all(b is None or self._value(b).kind == "py_number" for b in (part.lower, part.upper, part.step))
        if _is_none_or_ellipsis(part):
            return True
        v = self._value(part)
        return v.kind == "py_number" and v.pytype in ("int", None) and v.pytype != "bool"

    def _literal_index(self, node: ast.AST):
        if isinstance(node, ast.Tuple):
            parts = [self._literal_index(p) for p in node.elts]
            return _NOT_LITERAL if any(p is _NOT_LITERAL for p in parts) else tuple(parts)
        if isinstance(node, ast.Slice):
            bounds = []
            for b in (node.lower, node.upper, node.step):
                if b is None:
                    bounds.append(None)
                    continue
                c = self._value(b).constant
                if type(c) is not int:
                    return _NOT_LITERAL
                bounds.append(c)
            return slice(*bounds)
        if isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis):
            return node.value
        c = self._value(node).constant
        return c if type(c) is int else _NOT_LITERAL

    # --- calls -------------------------------------------------------------------------------------------

    def _call(self, call: ast.Call) -> Value:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return Value(ownership="unknown_call")
        q = self.ctx.qualname(call.func)
        if q is not None and (q == "numpy" or q.startswith("numpy.")):
            return self._numpy_call(q[6:], call)
        if q is not None and q.startswith("pandas."):
            name = q[7:]
            if name in ("DataFrame", "Series") or name.startswith("read_"):
                return Value("other_array", ownership="fresh", origin=q)
            return Value(ownership="unknown_call", origin=q)
        if isinstance(call.func, ast.Name) and call.func.id in _NUMBER_BUILTINS and self._is_builtin(call.func):
            return _py(pytype=_NUMBER_BUILTINS[call.func.id])
        if isinstance(call.func, ast.Attribute) and q is None:
            receiver = self._value(call.func.value)
            if receiver.kind == "bottom":
                return _BOTTOM
            if receiver.kind in ("ndarray", "np_scalar"):
                return self._method(receiver, call.func.attr, call)
            if receiver.origin == "numpy.random.default_rng" and receiver.ownership != "parameter":
                return self._generator_method(call.func.attr, call)
            if is_pandas(receiver):
                return self._pandas_method(receiver, call)
        return Value(ownership="unknown_call", origin=q)

    def is_pandas_inplace_statement(self, call) -> bool:
        """``frame.m(..., inplace=True)`` as a statement, on a known pandas object, for a method that takes
        ``inplace``: it updates the object, returns None and hands out no reference to it."""
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(self.parent(call), ast.Expr)
            and call.func.attr in PANDAS_INPLACE_DEPRECATED | PANDAS_INPLACE_KEPT
            and any(
                k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in call.keywords
            )
            and is_pandas(self.value(call.func.value))
        )

    def _pandas_method(self, receiver: Value, call: ast.Call) -> Value:
        """A new pandas object from the methods that always make one (without ``inplace``); its ``origin``
        stays the call that made the receiver, naming the kind of object (``pandas.Series``...)."""
        name = call.func.attr
        if any(k.arg == "inplace" for k in call.keywords):
            return Value(ownership="unknown_call")
        if name not in _PANDAS_NEW_OBJECT_METHODS and not (name == "eval" and _assigns_columns(call)):
            return Value(ownership="unknown_call")
        origin = receiver.origin
        drops = any(
            k.arg == "drop" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
        )
        if name == "reset_index" and origin == "pandas.Series" and not drops:
            origin = "pandas.DataFrame"
        return Value("other_array", ownership="fresh", origin=origin)

    def python_container(self, node: ast.AST) -> bool:
        """Whether ``node`` is a local name that every reaching definition binds to a new list, dict or set
        (a literal, a comprehension, or ``list()``/``dict()``/``set()``): storing into it keeps a reference,
        where storing into an array would copy."""
        if not isinstance(node, ast.Name):
            return False
        defs = self.reaching(node)
        if not defs:
            return False
        for d in defs:
            value = d.value if d.kind == "assign" and d.targets == 1 else None
            if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
                continue
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in ("list", "dict", "set")
                and self._is_builtin(value.func)
            ):
                continue
            return False
        return True

    def _is_builtin(self, name: ast.Name) -> bool:
        """The name is not bound anywhere in its scope, the module, or an import."""
        if name.id in self.ctx.imports.bound:
            return False
        flow, module = self.flow_of(name), self._module_flow()
        return not (flow and name.id in flow.defs_of) and not (module and name.id in module.defs_of)

    def _keywords(self, call: ast.Call) -> dict:
        return {k.arg: k.value for k in call.keywords}

    def _arg(self, call: ast.Call, position: Optional[int], name: str):
        for k in call.keywords:
            if k.arg == name:
                return k.value
        if position is not None and position < len(call.args):
            return call.args[position]
        return None

    def _dtype_arg(self, node):
        return numpy_api.dtype_of(node, self.ctx.qualname) if node is not None else None

    def _shape_arg(self, node) -> tuple[Optional[tuple], Optional[int]]:
        """(shape, ndim) a shape argument spells: ints, tuples of ints, names of them, ``x.shape``."""
        if node is None:
            return None, None
        if isinstance(node, (ast.Tuple, ast.List)):
            dims = [self._value(el).constant for el in node.elts]
            ndim = len(node.elts) if not any(isinstance(el, ast.Starred) for el in node.elts) else None
            if ndim is not None and all(type(d) is int and d >= 0 for d in dims):
                return tuple(dims), ndim
            return None, ndim
        if isinstance(node, ast.Attribute) and node.attr == "shape":
            owner = self._value(node.value)
            if owner.kind == "ndarray":
                return owner.shape, owner.ndim
            return None, None
        v = self._value(node)
        if v.kind == "py_number" and v.pytype == "int":
            return ((v.constant,), 1) if type(v.constant) is int and v.constant >= 0 else (None, 1)
        return None, None

    def _numpy_call(self, name: str, call: ast.Call) -> Value:
        kw = self._keywords(call)
        if "like" in kw:
            return Value(ownership="unknown_call")
        if name in ("zeros", "ones", "empty", "full"):
            shape, ndim = self._shape_arg(self._arg(call, 0, "shape"))
            dtype_node = self._arg(call, 2 if name == "full" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node)
            if dtype_node is None:
                if name == "full":
                    fill = (
                        self._value(self._arg(call, 1, "fill_value")) if self._arg(call, 1, "fill_value") else UNKNOWN
                    )
                    spec = self._spec(fill)
                    got = numpy_api.result_of("function", "full", (("py", "int"), spec)) if spec else None
                    dtype = got[1] if got else None
                    if fill.kind == "ndarray":
                        shape = None  # a fill array broadcasts: keep the shape only for scalars
                else:
                    dtype = numpy_api.default_float()
            return _array(dtype, shape, ndim=ndim)
        if name in ("zeros_like", "ones_like", "empty_like", "full_like"):
            proto = self._value(self._arg(call, 0, "a") or self._arg(call, 0, "prototype")) if call.args else UNKNOWN
            dtype_node = self._arg(call, 2 if name == "full_like" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node) if dtype_node is not None else proto.dtype
            shape, ndim = self._shape_arg(kw.get("shape")) if "shape" in kw else (self._shape_of(proto), proto.ndim)
            if proto.kind in ("py_number", "np_scalar"):
                shape, ndim = (), 0
            if proto.kind in ("ndarray", "py_number", "np_scalar") or kw.get("subok") is not None:
                if proto.kind == "unknown" or proto.kind == "other_array":
                    return Value(ownership="fresh")
                return _array(dtype, shape, ndim=ndim)
            return Value("other_array" if proto.kind == "other_array" else "unknown", dtype, None, "fresh")
        if name == "arange":
            return self._arange(call)
        if name == "linspace":
            num_node = self._arg(call, 2, "num")
            num = self._value(num_node).constant if num_node is not None else 50
            if self._arg(call, 4, "retstep") is not None:
                return UNKNOWN
            start, stop = self._value(self._arg(call, 0, "start")), self._value(self._arg(call, 1, "stop"))
            if start.kind != "py_number" or stop.kind != "py_number":
                return Value(ownership="fresh") if {start.kind, stop.kind} <= {"ndarray", "py_number"} else UNKNOWN
            dtype = self._dtype_arg(self._arg(call, 5, "dtype"))
            if dtype is None:
                dtype = numpy_api._np().dtype(complex if "complex" in (start.pytype, stop.pytype) else float)
            return _array(dtype, (num,) if type(num) is int and num >= 0 else None, ndim=1)
        if name in ("eye", "identity"):
            n = self._value(self._arg(call, 0, "N" if name == "eye" else "n")).constant
            m_node = self._arg(call, 1, "M") if name == "eye" else None
            m = self._value(m_node).constant if m_node is not None else n
            dtype_node = self._arg(call, 3 if name == "eye" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node) if dtype_node is not None else numpy_api.default_float()
            shape = (n, m) if type(n) is int and type(m) is int and n >= 0 and m >= 0 else None
            return _array(dtype, shape, ndim=2)
        if name in ("array", "copy", "asarray", "ascontiguousarray", "asfortranarray", "asanyarray"):
            return self._array_call(name, call, kw)
        if name == "broadcast_to":
            source = self._value(self._arg(call, 0, "array"))
            shape, ndim = self._shape_arg(self._arg(call, 1, "shape"))
            kind = (
                "ndarray" if source.kind in ("ndarray", "py_number", "np_scalar") and "subok" not in kw else "unknown"
            )
            return Value(kind, source.dtype, shape, "read_only", ndim)
        if name == "frombuffer":
            return _array(
                self._dtype_arg(self._arg(call, 1, "dtype")) or numpy_api.default_float(),
                None,
                ownership="view",
                ndim=1,
            )
        if name in ("memmap", "lib.format.open_memmap"):
            return Value("other_array", self._dtype_arg(self._arg(call, 1, "dtype")), None, "file_backed")
        if name == "load":
            mode = self._arg(call, 1, "mmap_mode")
            if mode is not None and not (isinstance(mode, ast.Constant) and mode.value is None):
                return Value("other_array", ownership="file_backed", origin="numpy.load")
            return Value(ownership="unknown_call", origin="numpy.load")
        if name.startswith("ma.") or name in ("matrix", "asmatrix", "bmat"):
            return Value("other_array", ownership="fresh", origin="numpy." + name)
        if name.startswith("random."):
            return self._random_call(name[7:], call)
        scalar_dtype = numpy_api.scalar_type_dtype("numpy." + name)
        if scalar_dtype is not None:
            if len(call.args) == 1 and not kw and self._value(call.args[0]).kind in ("py_number", "np_scalar"):
                return Value("np_scalar", scalar_dtype, (), "fresh", 0)
            return Value(ownership="unknown_call")
        if name in numpy_api.REDUCTIONS:
            return self._reduce(
                self._value(self._arg(call, 0, "a")) if call.args else UNKNOWN,
                name,
                call,
                axis_position=1,
                function=True,
            )
        ufunc = numpy_api.ufunc_of("numpy." + name)
        if ufunc is not None:
            return self._ufunc(name, ufunc, call, kw)
        return Value(ownership="unknown_call", origin="numpy." + name)

    def _arange(self, call: ast.Call) -> Value:
        """Always a 1-d ndarray; its dtype and length when the arguments are known numbers."""
        dtype_node = self._arg(call, 3, "dtype")
        args = [self._value(a) for a in call.args[:3]]
        if (
            any(k in self._keywords(call) for k in ("start", "stop", "step"))
            or not args
            or any(a.kind != "py_number" for a in args)
        ):
            return _array(self._dtype_arg(dtype_node), None, ndim=1)
        dtype_node = self._arg(call, 3, "dtype")
        dtype = self._dtype_arg(dtype_node)
        if dtype is None and dtype_node is None:
            got = numpy_api.result_of("function", "arange", tuple(("py", a.pytype) for a in args))
            dtype = got[1] if got else None
        values = [a.constant for a in args]
        length = None
        if all(type(v) in (int, float) for v in values):
            start, stop, step = (
                (0, values[0], 1) if len(values) == 1 else (*values[:2], values[2] if len(values) == 3 else 1)
            )
            if step:
                length = max(0, math.ceil((stop - start) / step))
        return _array(dtype, (length,) if length is not None else None, ndim=1)

    def _array_call(self, name: str, call: ast.Call, kw: dict) -> Value:
        source_node = self._arg(call, 0, "a") if name != "array" else self._arg(call, 0, "object")
        source = self._value(source_node) if source_node is not None else UNKNOWN
        dtype_node = self._arg(call, 1, "dtype")
        dtype = self._dtype_arg(dtype_node) if dtype_node is not None else None
        literal = None
        if source_node is not None and isinstance(source_node, (ast.List, ast.Tuple)) and _small(source_node):
            numbers = self._number_structure(source_node)
            literal = numpy_api.array_literal(numbers) if numbers is not None else None
        if literal is not None:
            shape, src_dtype = literal[1], literal[0]
        elif source.kind in ("ndarray", "np_scalar", "py_number"):
            shape, src_dtype = self._shape_of(source), source.dtype
            if source.kind == "py_number" and source.pytype:
                got = numpy_api.result_of("function", "asarray", (("py", source.pytype),))
                src_dtype = got[1] if got else None
        else:
            shape, src_dtype = None, None
        if dtype_node is None:
            dtype = src_dtype
        ndim = len(shape) if shape is not None else (source.ndim if source.kind == "ndarray" else None)
        if name in ("array", "copy"):
            if kw.get("subok") is not None or "ndmin" in kw:
                return Value(ownership="fresh")
            copy = kw.get("copy")
            if name == "array" and copy is not None and not (isinstance(copy, ast.Constant) and copy.value is True):
                return _array(dtype, shape, ownership="unknown", ndim=ndim)
            if name == "array" and literal is None and source.kind not in ("ndarray", "np_scalar", "py_number"):
                return _array(dtype, None, ndim=None)
            return _array(dtype, shape, ndim=ndim)
        # asarray and friends hand back their argument when it is already a fitting array
        if name == "asanyarray" and source.kind != "ndarray":
            return Value(ownership="unknown_call")
        if literal is not None:
            return _array(dtype, shape, ndim=ndim)
        ownership = "view" if source.kind in ("ndarray", "other_array", "unknown") else "fresh"
        return _array(dtype, shape, ownership=ownership, ndim=ndim)

    def _number_structure(self, node: ast.AST):
        """Nested lists of Python numbers standing for a literal (``[[1, -np.inf], [x, 2]]``), else None.

        Each element is its constant when known, else a sample of its Python type: the dtype NumPy gives a
        list of Python numbers depends only on their types (and on the size of large ints, which are constants).
        """
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self._number_structure(e) for e in node.elts]
            return None if any(i is None for i in items) else items
        v = self._value(node)
        if v.kind != "py_number" or v.pytype is None or (v.pytype == "int" and v.constant is None):
            return None  # an int of unknown size may need uint64 or object
        return v.constant if v.constant is not None else numpy_api._PY_SAMPLES[v.pytype]

    def _random_call(self, name: str, call: ast.Call) -> Value:
        if name == "default_rng":
            return Value(ownership="fresh", origin="numpy.random.default_rng")
        float64 = numpy_api.default_float()
        if name in ("rand", "randn"):
            if not call.args:
                return _py(pytype="float")
            dims = [self._value(a).constant for a in call.args]
            shape = tuple(dims) if all(type(d) is int and d >= 0 for d in dims) else None
            return _array(float64, shape, ndim=len(call.args))
        size_position = {
            "random": 0,
            "random_sample": 0,
            "ranf": 0,
            "sample": 0,
            "standard_normal": 0,
            "normal": 2,
            "uniform": 2,
            "exponential": 1,
            "randint": 2,
        }.get(name)
        if size_position is None:
            return Value(ownership="unknown_call")
        return self._sized(call, size_position, float64 if name != "randint" else None, "randint" == name)

    def _generator_method(self, name: str, call: ast.Call) -> Value:
        size_position = {
            "random": 0,
            "standard_normal": 0,
            "normal": 2,
            "uniform": 2,
            "exponential": 1,
            "integers": 2,
        }.get(name)
        if size_position is None:
            return Value(ownership="unknown_call")
        return self._sized(
            call, size_position, numpy_api.default_float() if name != "integers" else None, name == "integers"
        )

    def _sized(self, call, size_position: int, dtype, integers: bool) -> Value:
        size = self._arg(call, size_position, "size")
        dtype_node = self._arg(call, 3, "dtype") if integers else self._arg(call, None, "dtype")
        if dtype_node is not None:
            dtype = self._dtype_arg(dtype_node)
        elif integers:
            dtype = numpy_api._np().dtype("int64")
        if size is None or (isinstance(size, ast.Constant) and size.value is None):
            return Value(ownership="fresh")  # a Python or NumPy scalar
        shape, ndim = self._shape_arg(size)
        if ndim is None:
            return Value(ownership="fresh")
        return _array(dtype, shape, ndim=ndim)

    def _ufunc(self, name: str, ufunc, call: ast.Call, kw: dict) -> Value:
        if "out" in kw or len(call.args) > ufunc.nin or ufunc.nout != 1:
            out = kw.get("out") or (call.args[ufunc.nin] if len(call.args) > ufunc.nin else None)
            return self._value(out) if out is not None and ufunc.nout == 1 else UNKNOWN  # the out= array itself
        operands = [self._value(a) for a in call.args]
        if len(operands) != ufunc.nin:
            return UNKNOWN
        if any(v.kind == "bottom" for v in operands):
            return _BOTTOM
        kinds = {v.kind for v in operands}
        if "other_array" in kinds:
            return Value("other_array", ownership="fresh")
        if not kinds <= {"ndarray", "np_scalar", "py_number"}:
            return UNKNOWN
        specs = tuple(self._spec(v) for v in operands)
        keywords = ()
        if "dtype" in kw:
            dtype = self._dtype_arg(kw["dtype"])
            if dtype is None:
                return self._result(("ndarray", None), operands) if "ndarray" in kinds else UNKNOWN
            keywords = (("dtype", dtype),)
        if set(kw) - {"dtype", "where", "casting", "order", "subok", "signature"}:
            return UNKNOWN
        if "casting" in kw or "signature" in kw:
            return self._result(("ndarray", None), operands) if "ndarray" in kinds else UNKNOWN
        if None in specs:
            return self._result(("ndarray" if "ndarray" in kinds else "np_scalar", None), operands)
        computed = numpy_api.result_of("ufunc", name, specs, keywords)
        return self._result(computed, operands) if computed else UNKNOWN

    def _method(self, receiver: Value, name: str, call: ast.Call) -> Value:
        kw = self._keywords(call)
        if receiver.kind == "np_scalar":
            if name in numpy_api.REDUCTIONS | {"copy", "astype", "item"}:
                return Value(
                    "np_scalar" if name != "item" else "py_number",
                    receiver.dtype if name != "astype" else self._dtype_arg(self._arg(call, 0, "dtype")),
                    (),
                    "fresh",
                    0,
                )
            return Value(ownership="unknown_call")
        if name == "copy":
            return receiver.but(ownership="fresh")
        if name == "astype":
            dtype = self._dtype_arg(self._arg(call, 0, "dtype"))
            copy = self._arg(call, 3, "copy")
            if copy is not None and not (isinstance(copy, ast.Constant) and copy.value is True):
                return receiver.but(dtype=dtype, ownership="unknown")
            return receiver.but(dtype=dtype, ownership="fresh")
        if name == "flatten":
            size = math.prod(receiver.shape) if receiver.shape is not None else None
            return _array(receiver.dtype, (size,) if size is not None else None, ndim=1)
        if name in ("ravel", "reshape", "view", "transpose", "swapaxes", "squeeze"):
            shape, ndim = None, None
            if name == "ravel":
                ndim = 1
                if receiver.shape is not None:
                    shape = (math.prod(receiver.shape),)
            elif name == "transpose" and not call.args and receiver.shape is not None:
                shape = tuple(reversed(receiver.shape))
            elif name == "reshape" and call.args and not kw:
                if len(call.args) == 1:
                    shape, ndim = self._shape_arg(call.args[0])
                else:
                    shape, ndim = self._shape_arg(ast.Tuple(elts=list(call.args), ctx=ast.Load()))
                if shape is not None and receiver.shape is not None and math.prod(shape) != math.prod(receiver.shape):
                    shape = None
                if shape is None and ndim is not None and receiver.shape is not None:
                    pass
            elif name in ("transpose", "swapaxes"):
                ndim = receiver.ndim
            dtype = receiver.dtype if name != "view" or not call.args else self._dtype_arg(call.args[0])
            if name == "view" and kw:
                return Value(ownership="view")
            return Value("ndarray", dtype, shape, "view", len(shape) if shape is not None else ndim)
        if name in numpy_api.REDUCTIONS:
            return self._reduce(receiver, name, call, axis_position=0, function=False)
        if name in ("cumsum", "cumprod") and "out" not in kw:
            spec = self._spec(receiver)
            got = numpy_api.result_of("method", name, (spec,)) if spec else None
            axis = self._arg(call, 0, "axis")
            if axis is None:
                size = math.prod(receiver.shape) if receiver.shape is not None else None
                return _array(got[1] if got else None, (size,) if size is not None else None, ndim=1)
            return _array(got[1] if got else None, receiver.shape, ndim=receiver.ndim)
        if name == "round" and "out" not in kw and not call.args:
            return receiver.but(ownership="fresh")
        if name == "item":
            return _py(pytype=_pytype_of_dtype(receiver.dtype))
        return Value(ownership="unknown_call")

    def _reduce(self, receiver: Value, name: str, call: ast.Call, axis_position: int, function: bool) -> Value:
        kw = self._keywords(call)
        if receiver.kind not in ("ndarray", "np_scalar", "py_number") or "out" in kw or set(kw) - {"axis", "dtype"}:
            return UNKNOWN if receiver.kind != "bottom" else _BOTTOM
        if len(call.args) > axis_position + 1:
            return UNKNOWN
        axis = self._arg(call, axis_position, "axis")
        dtype_node = kw.get("dtype")
        spec = self._spec(receiver)
        keywords = ()
        if dtype_node is not None:
            dtype = self._dtype_arg(dtype_node)
            if dtype is None:
                return UNKNOWN
            keywords = (("dtype", dtype),)
        got = None
        if spec is not None:
            got = numpy_api.result_of("function" if function else "method", name, (spec,), keywords)
            if got is None:
                return UNKNOWN
        dtype = got[1] if got else None
        if axis is None or (isinstance(axis, ast.Constant) and axis.value is None):
            return Value("np_scalar", dtype, (), "fresh", 0)
        a = self._value(axis).constant
        if type(a) is int and receiver.ndim is not None and receiver.ndim >= 2 and -receiver.ndim <= a < receiver.ndim:
            shape = None
            if receiver.shape is not None:
                shape = tuple(d for i, d in enumerate(receiver.shape) if i != a % receiver.ndim)
            return _array(dtype, shape, ndim=receiver.ndim - 1)
        if type(a) is int and receiver.ndim == 1:
            return Value("np_scalar", dtype, (), "fresh", 0)
        return UNKNOWN


_NOT_LITERAL = object()


def _reads_data_of(node: ast.AST, name: str) -> bool:
    """Whether ``node`` reads the name ``name`` other than for its size or dtype (``a.shape``, ``len(a)``)."""
    if isinstance(node, ast.Name):
        return node.id == name
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in _METADATA_ATTRIBUTES:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return False
    return any(_reads_data_of(child, name) for child in ast.iter_child_nodes(node))


_METADATA_ATTRIBUTES = frozenset({"shape", "dtype", "size", "ndim", "nbytes", "itemsize"})


def _is_none_or_ellipsis(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis)


def _small(node: ast.AST) -> bool:
    count = 0
    for _ in ast.walk(node):
        count += 1
        if count > 2000:
            return False
    return True


def _py_result_type(op: str, left: Optional[str], right: Optional[str]) -> Optional[str]:
    if left is None or right is None:
        return None
    import operator

    try:
        result = getattr(operator, op)(numpy_api._PY_SAMPLES[left], numpy_api._PY_SAMPLES[right])
    except (ArithmeticError, TypeError, ValueError):
        return None
    return NUMERIC_PYTYPES.get(type(result))


def _pytype_of_dtype(dtype) -> Optional[str]:
    if dtype is None:
        return None
    return {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}.get(dtype.kind)


# --- may an operation write its result into one of its operands? ------------------------------------------
#
# Catalog section 3.1: ``a = a op x`` -> ``a op= x`` (and ``np.f(a, x)`` -> ``np.f(a, x, out=a)``) keeps
# behaviour only if the result has exactly a's dtype and shape, and every operand is a plain ndarray, a NumPy
# scalar or a Python number literal that NumPy 1.x value-based casting would not promote either.

_LITERAL_OPS = {
    # dtype kind of the target -> operators (and the ufuncs they call) that may take a Python literal
    "f": {
        "add",
        "sub",
        "mul",
        "truediv",
        "floordiv",
        "mod",
        "pow",
        "subtract",
        "multiply",
        "true_divide",
        "divide",
        "floor_divide",
        "remainder",
        "power",
    },
    "i": {
        "add",
        "sub",
        "mul",
        "floordiv",
        "mod",
        "and_",
        "or_",
        "xor",
        "lshift",
        "rshift",
        "subtract",
        "multiply",
        "floor_divide",
        "remainder",
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "left_shift",
        "right_shift",
    },
    "b": {"and_", "or_", "xor", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or", "logical_xor"},
}
_LITERAL_OPS["c"] = _LITERAL_OPS["f"] - {"floordiv", "mod", "floor_divide", "remainder"}
_LITERAL_OPS["u"] = _LITERAL_OPS["i"]
_LITERAL_TYPES = {"f": ("int", "float"), "c": ("int", "float"), "i": ("int",), "u": ("int",), "b": ("bool",)}
# Elementwise ufuncs beyond the operators that keep a number type and accept an in-range literal.
_LITERAL_UFUNCS = frozenset(
    {
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "copysign",
        "hypot",
        "arctan2",
        "logaddexp",
        "logaddexp2",
        "fmod",
        "heaviside",
        "nextafter",
    }
)


def in_place_verdict(kind: str, name: str, operands: list, target: int) -> tuple[str, str]:
    """Whether ``operands[target]`` can receive the result of an operation: ("safe" | "unknown" |
    "impossible", reason). ``kind`` is "operator" (an ``operator`` function name) or "ufunc"."""
    a = operands[target]
    if a.ndim == 0:
        return "impossible", "on a 0-d array the result is a NumPy scalar"
    if a.dtype is None:
        return "unknown", "the dtype of the array is not known"
    if a.dtype.kind not in "biufc":
        return "impossible", f"{a.dtype} arrays are not numeric"
    specs = []
    for i, o in enumerate(operands):
        if o.kind == "other_array":
            return "impossible", "the operand is not a plain ndarray (masked array, matrix, pandas...)"
        if i != target and o.kind == "ndarray" and o.ndim is not None and a.ndim is not None and o.ndim > a.ndim:
            return "impossible", "broadcasting makes the result larger than the array"
        if i != target and o.kind == "ndarray" and o.shape is not None and a.shape is not None:
            if numpy_api.broadcast(a.shape, o.shape) != tuple(a.shape):
                return "impossible", "broadcasting makes the result larger than the array"
        if o.kind == "py_number" and o.pytype:
            specs.append(("py", o.pytype))
        elif o.kind == "np_scalar" and o.dtype is not None:
            specs.append(("scalar", o.dtype))
        elif o.kind == "ndarray" and o.dtype is not None:
            specs.append(("array", o.dtype, o.ndim))
        else:
            specs.append(None)
    if None not in specs:
        got = numpy_api.result_of(kind, name, tuple(specs))
        if got is None:
            return "impossible", "NumPy refuses these operands"
        if got[1] != a.dtype:
            return "impossible", f"the result is {got[1]}, not {a.dtype}"
    for i, o in enumerate(operands):
        if i == target:
            continue
        if o.kind == "py_number":
            if o.constant is None or o.pytype not in _LITERAL_TYPES[a.dtype.kind]:
                return "unknown", "the operand is not a number literal of the array's kind"
            allowed = name in _LITERAL_OPS[a.dtype.kind] or (kind == "ufunc" and name in _LITERAL_UFUNCS)
            if not allowed or not numpy_api.fits(o.constant, a.dtype):
                return "unknown", f"{o.constant!r} may not keep {a.dtype} under every NumPy version"
            continue
        if o.kind not in ("ndarray", "np_scalar"):
            # pandas, xarray, pd.NA... take over NumPy operations (__array_ufunc__, __array_priority__):
            # the result need not even be an ndarray, so there is nothing to suggest
            return "impossible", "the operand's type is not known"
        if o.dtype is None:
            return "unknown", "the operand's dtype is not known"
        if o.kind == "ndarray" and o.shape is None:
            return "unknown", "the operand's shape is not known"
    if None in specs:
        return "unknown", "the result's dtype is not known"
    if a.ndim is None:
        return "unknown", "the number of dimensions of the array is not known"
    if a.shape is None and any(o.kind == "ndarray" and o.ndim != 0 for i, o in enumerate(operands) if i != target):
        return "unknown", "the shape of the array is not known"
    return "safe", ""
