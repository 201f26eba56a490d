"""Ownership and aliasing: whether an array is fresh (this function's own), whether another name, container or
call may hold it, whether a use only reads it and whether it is read again. Mixed into ``ArrayFacts``, whose
evaluator (``value``, ``flow_of``, ``parent``...) these questions use."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional, cast

from memlint.facts import calls, numpy_api
from memlint.facts.dataflow import Def, ScopeFlow, unpacked_expr
from memlint.facts.tree import COMPREHENSIONS
from memlint.facts.values import Value

if TYPE_CHECKING:  # the type checker reads ArrayFacts' API, which these methods call back on
    from memlint.facts.evaluator import Evaluator
    from memlint.facts.imports import ImportMap
else:
    Evaluator = object

_ELIDED_BYTES = 256 * 1024  # NPY_MIN_ELIDE_BYTES: NumPy reuses temporaries from this size up
_MAX_HOLDER_DEPTH = 3  # names a list of views is followed through (`rows = [...]`, `kept = rows`...)
_SCOPES = (ast.Lambda, *COMPREHENSIONS)  # have names of their own


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


def reads_data_of(node: ast.AST, name: str, imports: ImportMap) -> bool:
    """Whether ``node`` reads the name ``name`` other than for its size or dtype (``a.shape``, ``len(a)``)."""
    if isinstance(node, ast.Name):
        return node.id == name
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in _SIZE_ATTRIBUTES:
        return False
    if isinstance(node, ast.Call) and imports.is_builtin(node.func, "len"):
        return False
    return any(reads_data_of(child, name, imports) for child in ast.iter_child_nodes(node))


def _viewed(node: ast.expr) -> ast.expr:
    """The expression whose array a chain of basic views reads: ``x`` of ``x[:, None].T.reshape(n)``."""
    while True:
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute) and node.attr in numpy_api.VIEW_ATTRIBUTES:
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in numpy_api.VIEW_METHODS
        ):
            node = node.func.value
        else:
            return node


# Attributes of an array that tell its size or dtype, and so read none of its data; with its layout (and a
# frame's dtypes and emptiness), the attributes that are plain data, keeping no reference to the buffer.
_SIZE_ATTRIBUTES = frozenset({"shape", "dtype", "size", "ndim", "nbytes", "itemsize"})
_METADATA_ATTRS = _SIZE_ATTRIBUTES | {"strides", "dtypes", "empty"}


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


# NumPy functions (besides ufuncs and reductions) that return new arrays or scalars. Not np.histogram: it
# returns an array given as its bins as the bin edges, itself.
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
        "nan_to_num",  # a copy unless copy is false
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
        "bincount",
        "searchsorted",
        "percentile",
        "quantile",
        "nanpercentile",
        "nanquantile",
        "average",
        "cov",
        "corrcoef",
        "append",
        "concatenate",
        "stack",
        "vstack",
        "hstack",
        "save",
    }
)


class Ownership(Evaluator):
    """The catalog's FRESH and NOALIAS, and the reads and deaths of names (see ``arrays`` for the API)."""

    def is_fresh(self, name: ast.Name, or_scalar: bool = False) -> bool:
        """FRESH (see ``arrays``). ``or_scalar``: also a new value known only to be an ndarray or a NumPy scalar
        of a known dtype (arithmetic on an array whose number of dimensions is unknown: a 0-d operand gives a
        scalar, never a 0-d array), or an array_like of a known dtype (``x.astype(t)`` of a parameter: maybe
        pandas'), for in-place operators, which on a scalar, a JAX or a Dask array rebind the name as the
        out-of-place form does, and on pandas and xarray objects compute the same values."""
        flow = self.flow_of(name)
        if flow is None or flow.opaque or name.id in flow.declared:
            return False
        defs = flow.reaching(name)
        if not defs or any(d.kind == "param" for d in defs):
            return False
        v = self.value(name)
        if or_scalar and v.kind in ("unknown", "array_like") and v.dtype is not None:
            return v.ownership == "fresh"
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
            if d.kind == "unpack" and self._unpacks_new(d):
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
        if isinstance(operand, ast.Name) or not reads_data_of(operand, name, self.ctx.imports):
            return False
        v = self.value(operand)
        if v.ownership == "fresh" or v.kind == "py_number":
            return False
        base = _viewed(operand)  # `a.sum(axis=1)[:, None]` views the new sum, not `a`
        return isinstance(base, ast.Name) or base is operand or self.value(base).ownership != "fresh"

    def is_elided_temporary(self, operand: ast.expr, other: Value, assume_large: bool = False) -> bool:
        """Whether NumPy writes ``operand + other`` (or ``*``, ``&``, ``|``, ``^``, or any operator with the
        temporary on the left) into ``operand`` itself: temporary elision (numpy/_core/src/multiarray/temp_elide.c,
        CPython on Linux and macOS) takes an operand that is no variable but a new array of at least 256 KiB,
        when the other operand has its exact dtype and shape, or is a scalar that casts safely to its dtype
        (a Python float into float64, not into float32). ``a = a + a * 2`` then allocates no array for its
        result: it peaks at +1.00 A, as ``a += a * 2`` does (measured). ``assume_large``: an array of unknown
        size counts as large enough (the size at which memory matters)."""
        if isinstance(operand, ast.Name):
            return False
        scalar = other.kind in ("py_number", "np_scalar")
        if not scalar and (other.kind != "ndarray" or other.shape is None or other.dtype is None):
            return False
        v = self.value(operand)
        if not (v.kind == "ndarray" and v.ownership == "fresh" and v.dtype is not None):
            return False
        if v.nbytes is None and not assume_large or v.nbytes is not None and v.nbytes < _ELIDED_BYTES:
            return False
        if scalar:
            source = other.pytype if other.kind == "py_number" else other.dtype
            return source is not None and numpy_api.casts_safely(source, v.dtype)
        return v.dtype == other.dtype and v.shape == other.shape

    def is_dead_after(self, name: ast.Name, importers: bool = True) -> bool:
        """See ``arrays``. A module's names stay readable by the modules importing it; ``importers=False``
        asks only whether this module reads the name again."""
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
        if flow.is_live_after(unit, name.id):
            return False
        # a module's names stay readable by importers, unless its code binds this one again on every path
        return not (isinstance(flow.scope, ast.Module) and importers) or flow.rebound_before_exit(unit, name.id)

    def uses_of(self, d: Def) -> list[ast.Name]:
        """The occurrences of ``d.name`` that the definition ``d`` (a ``dataflow.Def``) reaches, in source
        order: loads, and the targets of augmented assignments (which read and write the object)."""
        flow = self.flow_of(d.node)
        if flow is None:
            return []
        return [use for use in flow.loads_of(d.name) if d in (flow.reaching(use) or ())]

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

    def uses_of_bound(self, value: ast.expr) -> Optional[list]:
        """The uses of the one local name ``value`` is bound to: the value of ``name = value``, or an item of a
        literal tuple or list unpacked into names (``a, b = x[i], x[j]``); None where they cannot all be known."""
        stmt = self.parent(value)
        while isinstance(stmt, (ast.Tuple, ast.List)) and isinstance(stmt.ctx, ast.Load):
            stmt = self.parent(stmt)
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            return None
        if stmt.value is value:
            return self.uses_of_binding(stmt)
        flow = self.flow_of(stmt)
        if flow is None or flow.opaque:
            return None
        for target in ast.walk(stmt.targets[0]):
            if not isinstance(target, ast.Name) or target.id in flow.captured or target.id in flow.declared:
                continue
            for d in flow.defs_of.get(target.id, ()):
                if d.node is stmt and d.kind == "unpack" and unpacked_expr(d) is value:
                    return self.uses_of(d)
        return None

    def reads_only(self, node: ast.AST) -> bool:
        """Whether this occurrence of an object (a name, or any expression) only reads it: what ``no_alias``
        accepts (no reference kept or handed out) minus the writes it allows: item and augmented assignment,
        a ufunc's positional ``out``, and methods that write into the array; plus the arguments of the calls
        ``calls.toml`` says read them (plotting), which may keep a reference but never write through it."""
        p = self.parent(node)
        if isinstance(p, ast.AugAssign) and p.target is node:
            return False
        if isinstance(p, ast.Subscript) and p.value is node:
            if (
                isinstance(p.ctx, ast.Load)
                and self.value(node).kind == "ndarray"
                and self.value(p).ownership == "fresh"
            ):
                return True  # x[[1, 5]], x[mask], x[0] of a vector: a copy or a scalar, whatever is done with it
            return isinstance(p.ctx, ast.Load) and self.reads_only(p)  # a view, read the same way
        if isinstance(p, ast.Attribute) and p.value is node and p.attr in _IN_PLACE_METHODS:
            return False
        view = self.view_around(node)
        if view is not None:
            return self.reads_only(view)  # `a.ravel()`, `a.T`: a view, read the same way
        if isinstance(p, ast.Call) and any(a is node for a in p.args):
            q = self.ctx.qualname(p.func)
            ufunc = numpy_api.ufunc_of(q)
            if ufunc is not None and [a is node for a in p.args].index(True) >= ufunc.nin:
                return False
        if self._read_by_library_call(node):
            return True  # plt.plot(data[:, 0]), plt.scatter(x, y, c=data): may keep a reference, never writes
        iteration = self._iteration_of(node)
        if iteration is not None:  # `for row in data`, `[row[0] for row in data]`: each row is a view of data
            return self._target_only_read(*iteration)
        if isinstance(p, (ast.ListComp, ast.SetComp)) and p.elt is node:
            return self._items_only_read(p, 0)  # the new list holds it (a view, maybe)
        if self._indexes(node):
            return True
        return self._transient(node)

    def _read_by_library_call(self, node: ast.AST) -> bool:
        """``node`` is an argument (positional or keyword) of a call ``calls.toml`` says only reads them."""
        p = self.parent(node)
        if isinstance(p, ast.keyword) and p.arg is not None:
            p = self.parent(p)
        elif not (isinstance(p, ast.Call) and any(a is node for a in p.args)):
            return False
        if not isinstance(p, ast.Call):
            return False
        name = self.ctx.qualname(p.func)
        if name is None and isinstance(p.func, ast.Attribute):  # kf.split(X), kf = KFold(5)
            origin = self.value(p.func.value).origin
            name = calls.method_name(origin, p.func.attr) if origin else None
        return calls.reads_arguments(name)

    def _iteration_of(self, node: ast.AST) -> Optional[tuple]:
        """Where ``node`` is iterated, by a ``for`` loop or a comprehension, over itself or ``enumerate(node)``:
        (the loop or comprehension, the name its items are bound to); else None."""
        iterable, p = node, self.parent(node)
        if (
            isinstance(p, ast.Call)
            and isinstance(p.func, ast.Name)
            and p.func.id == "enumerate"
            and self.ctx.imports.is_builtin(p.func, "enumerate")
            and 1 <= len(p.args) <= 2
            and p.args[0] is node
            and not p.keywords
        ):
            iterable, p = p, self.parent(p)
        if not (isinstance(p, (ast.For, ast.AsyncFor, ast.comprehension)) and p.iter is iterable):
            return None
        target = p.target
        if iterable is not node:  # `for i, row in enumerate(data)`
            if not (isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2):
                return None
            target = target.elts[1]
        return (p, target) if isinstance(target, ast.Name) else None

    def _target_only_read(self, loop: ast.AST, target: ast.Name) -> bool:
        """Every use of the items a loop or comprehension binds to ``target`` only reads them."""
        if isinstance(loop, ast.comprehension):
            uses = self._comprehension_uses(loop, target.id)
            return uses is not None and all(self.reads_only(use) for use in uses)
        flow = self.flow_of(loop)
        if flow is None or flow.opaque or target.id in flow.captured:
            return False
        defs = [d for d in flow.defs_of.get(target.id, ()) if d.node is loop]
        return len(defs) == 1 and all(self.reads_only(use) for use in self.uses_of(defs[0]))

    def _comprehension_uses(self, generator: ast.comprehension, name: str) -> Optional[list]:
        """The loads of the name a comprehension's ``for`` binds, in what runs after it binds (its conditions,
        later ``for`` clauses, the element); None where one may be another binding of it (another target, a
        walrus) or read by a nested scope."""
        comprehension = self.parent(generator)
        if not isinstance(comprehension, COMPREHENSIONS):
            return None
        generators = comprehension.generators
        later = generators[generators.index(generator) :]
        parts = [*generator.ifs, *[part for g in later[1:] for part in (g.target, g.iter, *g.ifs)]]
        parts += (
            [comprehension.key, comprehension.value] if isinstance(comprehension, ast.DictComp) else [comprehension.elt]
        )
        uses: list[ast.Name] = []
        stack: list[ast.AST] = list(parts)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name) and node.id == name:
                if not isinstance(node.ctx, ast.Load):
                    return None
                uses.append(node)
            elif (
                isinstance(node, ast.NamedExpr)
                or isinstance(node, _SCOPES)
                and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
            ):
                return None
            else:
                stack += ast.iter_child_nodes(node)
        return uses

    def _items_only_read(self, container: ast.AST, depth: int) -> bool:
        """A new list or set whose items may be views of an array is only iterated with every item only read,
        passed to calls that read their arguments (``len``, ``print``, ``np.array``, plotting), or bound to a
        local name each of whose uses does so."""
        if depth > _MAX_HOLDER_DEPTH:
            return False
        iteration = self._iteration_of(container)
        if iteration is not None:
            return self._target_only_read(*iteration)
        if self._read_by_library_call(container):
            return True
        p = self.parent(container)
        if isinstance(p, ast.Subscript) and p.value is container and isinstance(p.ctx, ast.Load):
            if isinstance(p.slice, ast.Slice):  # a new list of the same items
                return self._items_only_read(p, depth + 1)
            item = self.reads_only(p)
            return item if self.value(p.slice).kind == "py_number" else item and self._items_only_read(p, depth + 1)
        if isinstance(p, ast.Call) and any(a is container for a in p.args):
            return self._reading_call(p)  # a list's items are copied by np.array, formatted by print
        if isinstance(p, ast.Assign) and p.value is container:
            uses = self.uses_of_binding(p)
            return uses is not None and all(self._items_only_read(use, depth + 1) for use in uses)
        return isinstance(p, ast.Expr)

    def _indexes(self, node: ast.AST) -> bool:
        """``node`` is the index (or a part of a tuple index) of a list, dict or set, or of an ndarray: these
        read an index and keep none of it. An ndarray's result shares only the indexed array's memory; a list
        takes only integers; a dict keeps its keys, but an array (or a view) is unhashable: what it keeps is a
        scalar, a copy."""
        p = self.parent(node)
        if isinstance(p, ast.Tuple) and any(e is node for e in p.elts):
            node, p = p, self.parent(p)
        if not (isinstance(p, ast.Subscript) and p.slice is node):
            return False
        return self.python_container(p.value) or self.value(p.value).kind == "ndarray"

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
            if d.kind == "unpack":  # `a, b = [], []`
                element = unpacked_expr(d)
                value = element if isinstance(element, ast.expr) else None
            if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
                continue
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in ("list", "dict", "set")
                and self.ctx.imports.is_builtin(value.func, value.func.id)
            ):
                continue
            return False
        return True

    def _unpacks_new(self, d: Def) -> bool:
        """A tuple assignment binds ``d.name`` to a new object: a new object's expression in a literal tuple,
        or an item the data model says is fresh (``(x, y), _ = mnist.load_data()``)."""
        element = unpacked_expr(d)
        if isinstance(element, ast.expr):
            return _creates_new(element)
        return element is not None and isinstance(element.value, ast.Call) and self._def_value(d).ownership == "fresh"

    def _buffer_defs(self, flow: ScopeFlow, name: ast.Name) -> Optional[set[Def]]:
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
            if d.kind == "aug" and isinstance(d.node, ast.AugAssign) and isinstance(d.node.target, ast.Name):
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
        if isinstance(p, ast.Tuple) and isinstance(self.parent(p), ast.Expr):
            return True  # `a[0], b[0]` as a statement (a notebook's display): the tuple is dropped at once
        if isinstance(p, (ast.If, ast.While, ast.Assert)) and p.test is use:
            return True
        if isinstance(p, ast.FormattedValue) and p.value is use:
            return True  # f"{a}" formats it into a new string
        if isinstance(p, ast.IfExp) and p.test is use:
            return True
        if isinstance(p, ast.Attribute) and p.value is use:
            if not isinstance(p.ctx, ast.Load):
                return False  # `a.shape = ...`, `a.dtype = ...` change the array itself
            if p.attr in _METADATA_ATTRS:
                return True
            view = self.view_around(use)
            if view is not None:
                return self._transient(view)  # `a.ravel()` copied into a join, `a.T + 1`: the view dies at once
            call = self.parent(p)
            if self.is_pandas_inplace_statement(call):
                return True
            return (
                isinstance(call, ast.Call)
                and call.func is p
                and (p.attr in _NEW_RESULT_METHODS or p.attr == "astype" and len(call.args) < 5)
                and not any(k.arg in ("out", "copy", "inplace") or k.arg is None for k in call.keywords)
            )  # astype copies unless told copy=False (its fifth positional argument)
        if isinstance(p, ast.Subscript) and p.value is use:
            if isinstance(p.ctx, (ast.Store, ast.Del)):
                return True
            return self._transient(p)
        if isinstance(p, (ast.Tuple, ast.List, ast.Subscript)):  # `np.c_[a, b]`, `np.concatenate([a, b])`
            return self.copying_consumer(use) is not None
        if isinstance(p, ast.Call) and any(a is use for a in p.args):
            return self._reading_call(p) or self._read_by_project_function(p, use)
        if isinstance(p, ast.keyword) and p.arg is not None:
            call = self.parent(p)
            return isinstance(call, ast.Call) and self._read_by_project_function(call, use)
        return False

    def view_around(self, node: ast.AST) -> Optional[ast.AST]:
        """``node.T`` or ``node.ravel()`` (``numpy_api.VIEW_METHODS``) around an ndarray ``node``: the array or a
        view of it, with no other effect."""
        p = self.parent(node)
        if not (isinstance(p, ast.Attribute) and p.value is node and isinstance(p.ctx, ast.Load)):
            return None
        if p.attr not in numpy_api.VIEW_METHODS and p.attr != "T" or self.value(node).kind != "ndarray":
            return None
        if p.attr == "T":
            return p
        call = self.parent(p)
        if not (isinstance(call, ast.Call) and call.func is p):
            return None
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        return call

    def copying_consumer(self, use: ast.AST) -> Optional[ast.expr]:
        """The call (or ``np.c_[...]`` subscript) that copies ``use`` into a new array at once, keeping no
        reference to it, when ``use`` is an item of a literal list or tuple given to ``np.concatenate``,
        ``np.column_stack``... (``numpy_api.SEQUENCE_COPIES``), or of the index of ``np.c_``/``np.r_``
        (``np.c_[xx.ravel(), yy.ravel()]``, ``np.r_[a]``); else None."""
        sequence, p = use, self.parent(use)
        if isinstance(p, (ast.Tuple, ast.List)):
            if not isinstance(p.ctx, ast.Load) or any(isinstance(e, ast.Starred) for e in p.elts):
                return None
            sequence, p = p, self.parent(p)
        if isinstance(p, ast.Subscript):
            copies = (
                p.slice is sequence
                and isinstance(p.ctx, ast.Load)
                and self._numpy_name(p.value) in numpy_api.INDEX_COPIES
            )
            return p if copies else None
        if not (isinstance(p, ast.Call) and sequence is not use and p.args and p.args[0] is sequence):
            return None
        name = self._numpy_name(p.func)
        if name not in numpy_api.SEQUENCE_COPIES:
            return None
        if any(k.arg in ("out", "copy", "like") or k.arg is None for k in p.keywords) or any(
            isinstance(a, ast.Starred) for a in p.args
        ):
            return None
        if name in ("array", "asarray"):
            # np.array([a, b], dtype=object) holds a and b themselves when their shapes differ: only a dtype
            # known to hold no objects (or none: NumPy then refuses ragged items) copies every item
            dtype = p.args[1] if len(p.args) > 1 else next((k.value for k in p.keywords if k.arg == "dtype"), None)
            if dtype is not None and not (isinstance(dtype, ast.Constant) and dtype.value is None):
                known = self._dtype_arg(dtype)
                if known is None or known.hasobject:
                    return None
        out = numpy_api.out_position(cast(str, self.ctx.qualname(p.func)))
        return p if out is None or len(p.args) <= out else None

    def _numpy_name(self, node: ast.AST) -> Optional[str]:
        """``concatenate`` for ``np.concatenate``: the name in NumPy's namespace a node resolves to."""
        q = self.ctx.qualname(node)
        return q[6:] if q is not None and q.startswith("numpy.") else None

    def _read_by_project_function(self, call: ast.Call, arg: ast.AST) -> bool:
        """A function of the project that neither keeps, returns nor writes through this parameter
        (``functions``): passing an array to it only reads the array. One that may return it (or a view)
        and only reads it otherwise: a read where its result is only read."""
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return False
        summary = self.functions.call_summary(call)
        if summary is None:
            return False
        parameter = summary.parameter_of(call, arg)
        if parameter is None:
            return False
        return parameter in summary.reads_only or (parameter in summary.returned and self.reads_only(call))

    def _hands_back_an_argument(self, call: ast.Call) -> bool:
        """The call's value, or an item of it, may be one of its arguments (``np.diff(a, 0)`` is ``a``: asked
        of NumPy, ``numpy_api.hands_back_an_argument``)."""
        value = self.value(call)
        return any(v.ownership == "view" for v in (value.items or (value,)))

    def _reading_call(self, call: ast.Call) -> bool:
        # overwrite_input (np.median, np.percentile, np.quantile and their nan forms) lets NumPy partition the
        # argument in place; it comes after `out`, so positionally the out check below refuses it
        if any(k.arg in ("out", "copy", "overwrite_input") or k.arg is None for k in call.keywords):
            return False
        if any(isinstance(a, ast.Starred) for a in call.args):
            return False
        q = self.ctx.qualname(call.func)
        if q is None:
            if not (isinstance(call.func, ast.Name) and self.ctx.imports.is_builtin(call.func, call.func.id)):
                return False
            q = "builtins." + call.func.id  # `len`, `print`: calls.toml says which builtins only read
        if q.startswith("numpy."):
            name = q[6:]
            ufunc = numpy_api.ufunc_of(q)
            if ufunc is not None:
                return len(call.args) <= ufunc.nin  # a further positional argument is `out`
            if name in numpy_api.REDUCTIONS or name in _NEW_RESULT_FUNCTIONS or name == "array":
                # a further positional argument is `out`, or `copy` (np.nan_to_num(x, False) writes into x)
                out = numpy_api.out_position(q)
                copy = numpy_api.parameter_position(q, "copy")
                given = [at for at in (out, copy) if at is not None and len(call.args) > at]
                return not given and not self._hands_back_an_argument(call)
        return calls.reads_without_keeping(q)
