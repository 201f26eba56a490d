"""Array facts: what memlint knows of a value at the place it is evaluated, and of the names holding it.

Public API (used by rules through ``ctx.arrays``; additions only, never breaking changes):

``ArrayFacts.value(expr) -> Value``
    What is known of the value of ``expr`` where it is evaluated: names through their reaching definitions
    at that point, calls and operators computed. ``Value`` is a frozen dataclass:

    - ``kind``: "ndarray" (a base-class ``numpy.ndarray``, never a subclass), "np_scalar", "py_number"
      (int, float, bool, complex), "other_array" (masked array, ``np.matrix``, memmap, pandas objects...)
      "pil_image" (a Pillow image: ``dtype`` and ``ndim`` are those of ``np.array(image)``), "tuple" (a tuple whose ``items`` are known Values: ``np.meshgrid``, ``calls.toml``'s ``returns``),
      "list" (a list built here: ``element`` is what every item put into it is, see ``lists``)
      "array_like" (an object of known ``dtype`` that may be another library's: ``x.astype(t)`` of a parameter,
      ``x`` inside ``if x.dtype == np.int16:`` where ``x`` was of unknown kind; pandas, xarray, JAX... pass
      these too; arithmetic on it follows NumPy's promotion, as theirs does, and gives an array_like again),
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
      ``pytype``: "int", "float", "complex" or "bool" for a Python number, "real" for an int or float of type
      not known (``x: float`` admits ints and np.float64); ``origin``: the qualified name of
      the call that made the value (``numpy.random.default_rng``, ``pandas.read_csv``...); ``items``: a
      tuple's Values; ``element``: a list's items' Value, or a DataFrame's columns' values (``pandas_api``).
    - ``nbytes`` (property): shape x itemsize, or None.

``ArrayFacts.is_fresh(name, or_scalar=False)``
    The catalog's FRESH at this use: every reaching definition (loop back-edges included) binds a new,
    writeable, base-class ndarray this function owns (not a parameter, global, attribute, view, memmap...).
    ``or_scalar``: or a NumPy scalar (a value of kind "unknown" with a dtype: immutable, held by nobody).
``ArrayFacts.no_alias(name)``
    The catalog's NOALIAS at this use, for any local name (arrays and pandas objects alike): each reaching
    definition creates its object (not ``b = a``, ``a = b = x``, a ``for`` target...), and between it and this
    use the name occurs only as an operand of arithmetic/comparison, in an item assignment, or in calls and
    methods known to return new objects. Any other use (assignment to another name, attribute or container,
    passing to any other call, views, capture by a nested function or comprehension, ``global``/
    ``nonlocal``, ``locals()``/``vars()``/``eval``/``exec`` in the scope) makes it False.
``ArrayFacts.copying_consumer(node)``
    The ``np.concatenate([...])``/``np.c_[...]`` (``numpy_api.SEQUENCE_COPIES``, ``INDEX_COPIES``) that copies
    ``node``, an item of its literal list or tuple, into a new array at once and keeps no reference to it.
``ArrayFacts.is_dead_after(name, importers=True)``
    The binding read at this use is not read again on any path after it (nor captured by a nested scope).
    A module-level name is only where the module's code binds (or deletes) it again on every path after this
    use (importers see what the module leaves), or with ``importers=False``.
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
from typing import TYPE_CHECKING, Any, Callable, Optional

from memlint.facts import calls, numpy_api, paths, pillow, python_numbers
from memlint.facts.dataflow import Def, Opacity, ScopeFlow, equalities, find_opacity, target_path, unpacked_expr
from memlint.facts.lists import ListValues, is_new_empty_list
from memlint.facts.numpy_calls import NumpyValues, array_like_of, as_numpy, in_place_verdict, matmul_value
from memlint.facts.ownership import Ownership, _handed_name, _hands_over
from memlint.facts.pandas_api import PANDAS_INPLACE_DEPRECATED, PANDAS_INPLACE_KEPT, PandasValues, is_pandas
from memlint.facts.python_numbers import NUMBER_FUNCTIONS
from memlint.facts.tree import COMPREHENSIONS
from memlint.facts.values import (
    BOTTOM,
    UNKNOWN,
    Value,
    join,
    ndarray_value,
    number_value,
    py_result_type,
)

if TYPE_CHECKING:
    import numpy

    from memlint.context import FileContext
    from memlint.facts.array_candidates import ArrayNames
    from memlint.facts.functions import FunctionFacts
    from memlint.facts.kinds import Ownership as OwnershipKind
    from memlint.facts.kinds import PyType
    from memlint.facts.numpy_api import Computed, Spec
    from memlint.facts.tree import Scope

__all__ = [
    "PANDAS_INPLACE_DEPRECATED",
    "PANDAS_INPLACE_KEPT",
    "UNKNOWN",
    "ArrayFacts",
    "Value",
    "in_place_verdict",
    "is_pandas",
    "join",
]

_EVAL_BUDGET = 20000  # definition values computed for one question before giving up (pathological loops)


_NUMBER_BUILTINS: dict[str, PyType] = {
    "float": "float",
    "int": "int",
    "bool": "bool",
    "complex": "complex",
    "len": "int",
}
_NUMBER_OF_NUMBERS = frozenset({"abs", "round", "max", "min"})  # builtins giving a number of numbers


class ArrayFacts(Ownership, NumpyValues, PandasValues, ListValues):
    """The facts of one file: an evaluator of expressions over each scope's reaching definitions (here), with
    NumPy's semantics (``numpy_calls``), pandas' (``pandas_api``) and ownership questions (``ownership``)."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx
        self._flows: dict[int, Optional[ScopeFlow]] = {}
        self._opacity: Optional[Opacity] = None
        self._final: dict[int, Value] = {}
        self._assumed: dict[int, Value] = {}
        self._used_assumptions: set[int] = set()
        self._budget = _EVAL_BUDGET
        self._candidates: Optional[ArrayNames] = None
        self._functions: Optional[FunctionFacts] = None
        self._conditional_tests: Optional[dict[str, list]] = None  # name -> (IfExp, holds, dtype expression)

    def release(self) -> None:
        """Drop every fact (``FileContext.release``): its parts refer back to it, and the cycles would wait,
        with every node they hold, for a cyclic collection that must scan them all."""
        self.__dict__.clear()

    # --- public API --------------------------------------------------------------------------------------

    @property
    def functions(self) -> FunctionFacts:
        """The summaries of the project's functions this file calls (``functions.FunctionFacts``)."""
        if self._functions is None:
            from memlint.facts.functions import FunctionFacts

            self._functions = FunctionFacts(self)
        return self._functions

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
            # An expression deeper than the rules can recurse through: the engine cuts it out and checks the
            # file again (see engine.MAX_NESTING); answering UNKNOWN here would cost a walk down the whole
            # expression for every question asked of its parts, quadratic in its depth.
            self._forget_assumptions()
            raise
        return UNKNOWN if v.kind == "bottom" else v

    def _forget_assumptions(self) -> None:
        """After an interrupted computation: no loop assumption may outlive it (it would read as "no value")."""
        self._assumed.clear()
        self._used_assumptions = set()

    def value_before(self, stmt: ast.stmt, name: str) -> Value:
        """What is known of the value ``name`` holds just before ``stmt`` runs (e.g. the target of a ``del``):
        the join of the definitions of ``name`` reaching the statement."""
        flow = self.flow_of(stmt)
        unit = flow.unit_of_node.get(id(stmt)) if flow is not None and not flow.opaque else None
        if flow is None or unit is None:
            return UNKNOWN
        bits = flow.reach_in[unit.index]
        defs = [d for d in flow.defs_of.get(name, ()) if bits >> d.index & 1]
        v = BOTTOM
        try:
            for d in defs:
                v = join(v, self._def_value(d))
        except RecursionError:
            self._forget_assumptions()
            return UNKNOWN
        return UNKNOWN if v.kind == "bottom" else v

    def is_parameter(self, name: ast.Name) -> bool:
        defs = self.reaching(name)
        return defs is not None and any(d.kind == "param" for d in defs)

    def reaching(self, name: ast.Name) -> Optional[list[Def]]:
        flow = self.flow_of(name)
        return None if flow is None else flow.reaching(name)

    # --- scopes ------------------------------------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> Optional[Scope]:
        return self.ctx.scope_of(node)

    def flow_of(self, node: ast.AST) -> Optional[ScopeFlow]:
        scope = self.scope_of(node)
        if scope is None:
            return None
        key = id(scope)
        if key not in self._flows:
            if self._opacity is None:
                self._opacity = find_opacity(self.ctx.nodes, self.ctx.parent)
            try:
                self._flows[key] = ScopeFlow(scope, self._opacity)
            except RecursionError:
                self._flows[key] = None
        return self._flows[key]

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.ctx.parent(node)

    def _module_flow(self) -> Optional[ScopeFlow]:
        return self.flow_of(self.ctx.tree.body[0]) if self.ctx.tree.body else None

    # --- values of definitions ---------------------------------------------------------------------------

    def _def_value(self, d: Def) -> Value:
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
        self._assumed[key] = BOTTOM
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

    def _compute_def(self, d: Def) -> Value:
        if d.kind == "param":  # the caller owns it: an annotation gives its kind and dtype, never freshness
            return self._annotation(getattr(d.node, "annotation", None)).with_changes(ownership="parameter")
        if d.kind in ("assign", "walrus") and d.value is not None:
            if d.kind == "assign" and d.targets == 1 and is_new_empty_list(d.value, self.ctx.imports.is_builtin):
                return self._list_value(d)  # what is appended to it (facts/lists.py)
            v = self._value(d.value)
            if v.kind == "unknown" and isinstance(d.node, ast.AnnAssign):
                stated = self._annotation(d.node.annotation)
                v = stated.with_changes(ownership=v.ownership, origin=v.origin) if stated.kind != "unknown" else v
            if v.ownership == "fresh" and (
                d.kind == "walrus" or d.targets > 1 or (_hands_over(d.value) and _handed_name(d.value) != d.name)
            ):
                v = v.with_changes(ownership="alias")
            return v
        if d.kind == "aug" and isinstance(d.node, ast.AugAssign):
            before = self._value(d.node.target)
            if before.kind == "ndarray" and before.ndim is None:  # the operand broadcast into it: as many dims
                other = self._value(d.value)
                least = other.ndim if other.ndim is not None else other.min_ndim
                if other.kind == "ndarray" and least is not None and least > (before.min_ndim or 0):
                    return before.with_changes(min_ndim=least)
            if before.kind in ("ndarray", "other_array"):
                return before  # in place: the same object, dtype and shape
            if before.kind == "bottom":
                return BOTTOM
            return self._binop(type(d.node.op).__name__, before, self._value(d.value))
        if d.kind == "unpack":
            return self._unpacked(d)
        if d.kind == "for" and self._counts(d.node, ("range",)):
            return number_value(pytype="int")  # range yields Python ints, whatever its bounds are
        if d.kind == "for" and isinstance(d.node, ast.For):
            return self._yielded(d.node, [])
        return UNKNOWN

    def _yielded(self, loop: ast.For, path: list) -> Value:
        """What a ``for`` loop binds at ``path`` in its target, where the data model says what iterating its
        iterable gives (``calls.toml``'s ``yields``: ``for train, test in KFold(5).split(X)``)."""
        iterable = self._value(loop.iter)
        if iterable.kind == "bottom":
            return BOTTOM
        value = iterable.element if iterable.kind != "list" else None  # a list's items are held by the list
        for index, length in path:
            if value is None or value.kind != "tuple" or value.items is None or len(value.items) != length:
                return UNKNOWN
            value = value.items[index]
        return value if value is not None else UNKNOWN

    def _counts(self, loop: ast.AST, builtins: tuple) -> bool:
        """A ``for`` loop over ``range(...)`` or ``enumerate(x[, start])`` (these builtins among ``builtins``),
        with plain positional arguments: its counter is a Python int."""
        it = loop.iter if isinstance(loop, ast.For) else None
        return (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id in builtins
            and self.ctx.imports.is_builtin(it.func, it.func.id)
            and not it.keywords
            and 1 <= len(it.args) <= (3 if it.func.id == "range" else 2)
            and not any(isinstance(a, ast.Starred) for a in it.args)
        )

    def _annotation(self, node: Optional[ast.expr]) -> Value:
        """What an annotation states: ``np.ndarray``, ``npt.NDArray[np.uint8]`` and
        ``np.ndarray[Any, np.dtype[np.uint8]]`` an ndarray (of that dtype); ``int`` a Python int, ``float`` a number. Only kind and
        dtype: whoever holds the value is not the annotation's to say."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name) and node.id in ("int", "float") and self.ctx.imports.is_builtin(node, node.id):
            # `float` admits ints (and np.float64, a float subclass): a "real" number
            return number_value(pytype="int" if node.id == "int" else "real")
        base, argument = (node.value, node.slice) if isinstance(node, ast.Subscript) else (node, None)
        q = self.ctx.qualname(base)
        if q == "PIL.Image.Image" and argument is None:  # an image of a mode not stated: img.convert("L") states it
            return Value("pil_image", origin="PIL.Image.Image")
        if q not in ("numpy.ndarray", "numpy.typing.NDArray"):
            return UNKNOWN
        if q == "numpy.ndarray":  # ndarray[shape, dtype[scalar]]
            spelled = argument.elts[1] if isinstance(argument, ast.Tuple) and len(argument.elts) == 2 else None
            argument = (
                spelled.slice
                if isinstance(spelled, ast.Subscript) and self.ctx.qualname(spelled.value) == "numpy.dtype"
                else None
            )
        dtype = numpy_api.concrete_scalar_dtype(self.ctx.qualname(argument)) if argument is not None else None
        return Value("ndarray", dtype)

    def _unpacked(self, d: Def) -> Value:
        """The item a tuple assignment (``(x, y), _ = load()``, ``a, b = f(), g()``) binds to ``d.name``: of a
        literal tuple, its expression's value (an alias where it names another object); of a value known
        to be a tuple (``calls.toml``'s ``returns``), its item. Starred targets give nothing."""
        loop = d.node
        if isinstance(loop, ast.For) and self._counts(loop, ("enumerate",)):
            first = loop.target.elts[0] if isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2 else None
            if isinstance(first, ast.Name) and first.id == d.name:
                return number_value(pytype="int")  # enumerate's count: a Python int
            return UNKNOWN
        if isinstance(loop, ast.For):
            path = target_path(loop.target, d.name)
            return self._yielded(loop, path) if path else UNKNOWN
        element = unpacked_expr(d)
        if element is not None:
            if isinstance(element, ast.expr):
                if is_new_empty_list(element, self.ctx.imports.is_builtin):
                    return self._list_value(d)  # `images, labels = [], []`
                v = self._value(element)
                return v.with_changes(ownership="alias") if v.ownership == "fresh" and _hands_over(element) else v
            value, path = self._value(element.value), element.path
            for index, length in path:
                if value.kind == "bottom":
                    return BOTTOM
                if value.kind != "tuple" or value.items is None or len(value.items) != length:
                    return UNKNOWN
                value = value.items[index]
            return value
        return UNKNOWN

    # --- values of expressions ---------------------------------------------------------------------------

    def _value(self, e: Optional[ast.AST]) -> Value:
        if isinstance(e, ast.Constant):
            return number_value(e.value) if isinstance(e.value, (int, float, complex)) else UNKNOWN
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
            return self._read_by_comprehension(e)
        defs = flow.reaching(e)
        if defs is None:
            return UNKNOWN
        if not defs:
            if e.id in flow.defs_of or isinstance(flow.scope, ast.Module):
                return UNKNOWN
            return self._global(e.id)
        guards = [(g, g.value, g.asserted) for g in flow.guards_at(e) if g.attr == "dtype"]
        inline = [(None, value, False) for value in self._tested_around(e)]
        v = BOTTOM
        for d in defs:
            tested = [(value, asserted) for g, value, asserted in guards if g.covers(d)] + [t[1:] for t in inline]
            v = join(v, self._guarded(self._def_value(d), tested))
        return v

    def _guarded(self, v: Value, tested: list) -> Value:
        """What ``if x.dtype == np.int16:`` teaches of the object ``v`` of ``x`` (``tested``: the dtype
        expressions it equals, each with whether an ``assert`` says so): its dtype (NumPy compares
        ``np.dtype(other)``), and no more: a pandas Series passes the test too, so a value of unknown kind
        becomes an array_like."""
        if v.dtype is not None or v.kind not in _HAS_DTYPE:
            return v
        for value, asserted in tested:
            if asserted and v.kind != "unknown":
                continue  # `python -O` skips asserts: only an array_like, never rewritten, may learn from one
            dtype = self._dtype_arg(value)
            if dtype is not None:
                return v.with_changes(dtype=dtype, kind="array_like" if v.kind == "unknown" else v.kind)
        return v

    def _tested_around(self, e: ast.Name) -> list[ast.expr]:
        """The dtypes a conditional expression around ``e`` tests its name for: ``x / 255.0 if x.dtype ==
        np.uint8 else x`` (its body where the test is true, its else where it is false), in the same scope
        (a lambda runs later) and with no walrus in it that may rebind the name."""
        if self._conditional_tests is None:
            self._conditional_tests = {}
            for node in self.ctx.nodes(ast.IfExp):
                for holds in (True, False):
                    for name, attr, value in equalities(node.test, holds):
                        if attr == "dtype":
                            self._conditional_tests.setdefault(name, []).append((node, holds, value))
        found = []
        for node, holds, value in self._conditional_tests.get(e.id, ()):
            part = node.body if holds else node.orelse
            if (
                _within(e, part)
                and self.scope_of(e) is self.scope_of(node)
                and not any(isinstance(n, ast.NamedExpr) and _binds_name(n.target, e.id) for n in ast.walk(node))
            ):
                found.append(value)
        return found

    def _read_by_comprehension(self, e: ast.Name) -> Value:
        """A name a comprehension reads from the code around it (``[sys.getsizeof(df[c].values) for c in
        cols]``): the comprehension runs at once, so the name holds what it held before the statement, unless
        the comprehension binds it (a target) or a walrus in the statement may rebind it."""
        node: Optional[ast.AST] = e
        while node is not None and not isinstance(node, ast.stmt):
            if isinstance(node, COMPREHENSIONS) and any(
                isinstance(n, ast.Name) and n.id == e.id for g in node.generators for n in ast.walk(g.target)
            ):
                return UNKNOWN  # the comprehension's own variable
            if isinstance(node, (ast.Lambda, ast.GeneratorExp)):
                return UNKNOWN  # run later, if ever: the name may be rebound by then
            node = self.parent(node)
        if node is None or self.scope_of(node) is None:
            return UNKNOWN  # a statement of a class body
        if any(
            isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name) and n.target.id == e.id
            for n in ast.walk(node)
        ):
            return UNKNOWN
        return self.value_before(node, e.id)

    def _global(self, name: str) -> Value:
        """A module-level name read inside a function: its one module-level definition, if it has one."""
        module = self._module_flow()
        if module is None or module.opaque or name in module.declared:
            return Value(ownership="global")
        defs = module.defs_of.get(name, [])
        if len(defs) != 1 or defs[0].kind != "assign":
            return Value(ownership="global")
        v = self._def_value(defs[0])
        if v.kind == "py_number":
            return v
        return v.with_changes(ownership="global", constant=None)

    def _spec(self, v: Value) -> Optional[Spec]:
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

    def _shape_of(self, v: Value) -> Optional[tuple[int, ...]]:
        if v.kind in ("py_number", "np_scalar"):
            return ()
        return v.shape

    def _result(self, computed: Optional[Computed], operands: list[Value], ownership: OwnershipKind = "fresh") -> Value:
        """A Value from numpy_api's (kind, dtype) answer, with the broadcast shape of the operands; in Fortran
        order where an operand may be (NumPy's ufuncs keep their operands' layout: order="K")."""
        result = self._result_value(computed, operands, ownership)
        if result.kind in ("ndarray", "unknown") and any(v.fortran for v in operands):
            return result.with_changes(fortran=True)
        return result

    def _result_value(self, computed: Optional[Computed], operands: list[Value], ownership: OwnershipKind) -> Value:
        shapes = [s for s in (self._shape_of(v) for v in operands) if s is not None]
        shape = numpy_api.broadcast(*shapes) if len(shapes) == len(operands) else None
        ndims = [0 if v.kind in ("py_number", "np_scalar") else v.ndim for v in operands]
        known = [n for n in ndims if n is not None]
        ndim = max(known) if len(known) == len(ndims) or any(n > 0 for n in known) else None
        kind, dtype = computed if computed else ("unknown", None)
        least = max((v.min_ndim or 0 for v in operands if v.kind == "ndarray"), default=0)
        if kind == "ndarray":
            if ndim == 0:
                kind = "np_scalar"
            elif ndim is None and least >= 1:
                return Value("ndarray", dtype, None, ownership, None, min_ndim=least)  # broadcast: as many or more
            elif ndim is None:
                kind = "unknown"  # an ndarray, or a NumPy scalar if every array operand is 0-d
        if kind == "py_number":
            return number_value(pytype=None).with_changes(pytype=None)
        if kind == "np_scalar":
            return Value("np_scalar", dtype, (), ownership, 0)
        return Value(kind, dtype, shape if kind == "ndarray" else None, ownership, ndim)

    def _binop(self, op: str, left: Value, right: Value) -> Value:
        if left.kind == "bottom" or right.kind == "bottom":
            return BOTTOM
        if left.kind == "py_number" and right.kind == "py_number":
            return self._py_binop(op, left, right)
        kinds = {left.kind, right.kind}
        if "other_array" in kinds and kinds <= {"other_array", "ndarray", "np_scalar", "py_number"}:
            return Value("other_array", ownership="fresh")
        if "array_like" in kinds:
            return self._array_like_binop(op, left, right)
        if not kinds <= {"ndarray", "np_scalar", "py_number", "unknown"} or kinds == {"unknown"}:
            return UNKNOWN
        if "unknown" in kinds and (left.dtype is None if left.kind == "unknown" else right.dtype is None):
            return UNKNOWN
        name = numpy_api.BINARY_OPERATORS.get(op)
        specs = (self._spec(left), self._spec(right))
        if name is None:
            return UNKNOWN
        computed: Optional[Computed]
        if None in specs:
            computed = ("ndarray", None) if "ndarray" in kinds else ("unknown", None)
            if kinds <= {"np_scalar", "py_number"}:
                computed = ("np_scalar", None)
        else:
            computed = numpy_api.result_of("operator", name, specs)
            if computed is None:
                return UNKNOWN  # NumPy raises for these operands
        if name == "matmul":
            return matmul_value(left, right, self._result(computed, [left, right]))
        return self._result(computed, [left, right])

    def _array_like_binop(self, op: str, left: Value, right: Value) -> Value:
        """An operator on an array_like: the dtype NumPy's promotion gives (what pandas, xarray... follow too),
        of a new object that is an array_like again (the other library's type takes the operation over)."""
        if {left.kind, right.kind} - {"array_like", "ndarray", "np_scalar", "py_number", "unknown"}:
            return UNKNOWN
        name = numpy_api.BINARY_OPERATORS.get(op)
        specs = tuple(self._spec(as_numpy(v)) for v in (left, right))
        got = numpy_api.result_of("operator", name, specs) if name is not None and None not in specs else None
        return Value("array_like", got[1], ownership="fresh") if got is not None and got[1] is not None else UNKNOWN

    def _py_binop(self, op: str, left: Value, right: Value) -> Value:
        import operator

        name = numpy_api.BINARY_OPERATORS.get(op)
        if name is None or name == "matmul":
            return UNKNOWN
        if left.constant is not None and right.constant is not None:
            a, b = left.constant, right.constant
            if name == "pow" and not (isinstance(b, int) and 0 <= b <= 64 and abs(a) <= 2**16):
                return number_value(pytype=py_result_type(name, left.pytype, right.pytype))
            try:
                result = getattr(operator, name)(a, b)
            except (ArithmeticError, TypeError, ValueError):
                return UNKNOWN
            if type(result) is int and abs(result) > 2**256:
                return number_value(pytype="int")
            return number_value(result)
        return number_value(pytype=py_result_type(name, left.pytype, right.pytype))

    def _unary(self, e: ast.UnaryOp) -> Value:
        operand = self._value(e.operand)
        if operand.kind == "bottom":
            return BOTTOM
        if isinstance(e.op, ast.Not):
            return number_value(pytype="bool") if operand.kind != "ndarray" else UNKNOWN
        name = numpy_api.UNARY_OPERATORS[type(e.op).__name__]
        if operand.kind == "py_number":
            if operand.constant is not None:
                import operator

                try:
                    return number_value(getattr(operator, name)(operand.constant))
                except TypeError:
                    return UNKNOWN
            return number_value(pytype=operand.pytype if operand.pytype != "bool" else "int")
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
            return number_value(pytype="bool")
        left, right = self._value(e.left), self._value(e.comparators[0])
        if left.kind == "bottom" or right.kind == "bottom":
            return BOTTOM
        kinds = {left.kind, right.kind}
        if kinds == {"py_number"}:
            return number_value(pytype="bool")
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
            if constant is None:
                constant = python_numbers.math_constant(q)
            return number_value(constant) if constant is not None else UNKNOWN
        if isinstance(e.value, ast.Call) and self.ctx.qualname(e.value.func) in ("numpy.iinfo", "numpy.finfo"):
            return self._type_info(e.value, e.attr)
        base = self._value(e.value)
        if base.kind == "bottom":
            return BOTTOM
        if base.kind == "ndarray":
            if e.attr == "T":
                shape = tuple(reversed(base.shape)) if base.shape is not None else None
                return base.with_changes(shape=shape, ownership="view", constant=None)
            if e.attr in ("real", "imag") and base.dtype is not None:
                dtype = numpy_api.result_of("function", "real", (self._spec(base),))
                return base.with_changes(dtype=dtype[1] if dtype else None, ownership="view")
            if e.attr in ("size", "nbytes", "ndim", "itemsize"):
                known = {
                    "size": math.prod(base.shape) if base.shape is not None else None,
                    "nbytes": base.nbytes,
                    "ndim": base.ndim,
                    "itemsize": base.dtype.itemsize if base.dtype is not None else None,
                }[e.attr]
                return number_value(known) if known is not None else number_value(pytype="int")
            return UNKNOWN
        if is_pandas(base):
            return self._pandas_attribute(base, e.attr)
        if isinstance(e.value, ast.Name) and base.kind == "unknown":
            return Value(ownership="attribute")
        return Value(ownership="attribute") if base.kind != "py_number" else UNKNOWN

    def _subscript(self, e: ast.Subscript) -> Value:
        base = self._value(e.value)
        if base.kind == "bottom":
            return BOTTOM
        if isinstance(e.value, ast.Attribute) and e.value.attr == "shape":
            owner = self._value(e.value.value)
            if owner.kind == "ndarray" and owner.shape is not None:
                index = self._literal_index(e.slice)
                if isinstance(index, int) and -len(owner.shape) <= index < len(owner.shape):
                    return number_value(owner.shape[index])
            return number_value(pytype="int") if owner.kind == "ndarray" else UNKNOWN
        if base.kind == "tuple":
            index = self._value(e.slice).constant
            if base.items is None or type(index) is not int or not -len(base.items) <= index < len(base.items):
                return UNKNOWN
            return base.items[index]
        if base.kind == "list" and base.element is not None and not isinstance(e.slice, ast.Slice):
            return base.element.with_changes(ownership="alias")  # an item, held by the list
        if is_pandas(base) and isinstance(e.ctx, ast.Load):
            return self._pandas_subscript(base, e.slice)
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
                return ndarray_value(base.dtype, None, ndim=1 if base.ndim == index_value.ndim else None)
            return ndarray_value(base.dtype, None)
        parts = e.slice.elts if isinstance(e.slice, ast.Tuple) else [e.slice]
        if any(self._index_list(p) for p in parts):
            return ndarray_value(base.dtype, None)  # a list in the index: advanced indexing, a copy
        if not all(self._is_basic(p) for p in parts):
            return UNKNOWN
        index = self._literal_index(e.slice)
        if base.shape is not None and index is not _NOT_LITERAL:
            shape = numpy_api.index_shape(base.shape, index)
            if shape is None:
                return UNKNOWN
            if len(shape) == 0 and not any(p is Ellipsis for p in (index if isinstance(index, tuple) else (index,))):
                return Value("np_scalar", base.dtype, (), "fresh", 0)
            return ndarray_value(base.dtype, shape, ownership="view")
        if base.ndim is not None:
            dropped = sum(
                1
                for p in parts
                if not isinstance(p, ast.Slice) and not _is_none_or_ellipsis(p) and not self._new_axis(p)
            )
            added = sum(1 for p in parts if self._new_axis(p))
            if any(isinstance(p, ast.Constant) and p.value is Ellipsis for p in parts):
                return ndarray_value(base.dtype, None, ownership="view", ndim=None)
            ndim = base.ndim - dropped + added
            if ndim == 0 and dropped == base.ndim:
                return Value("np_scalar", base.dtype, (), "fresh", 0)
            return ndarray_value(base.dtype, None, ownership="view", ndim=ndim if ndim >= 0 else None)
        return ndarray_value(base.dtype, None, ownership="view")

    def _index_list(self, part: ast.AST) -> bool:
        """A Python list used as (part of) an index: NumPy reads it as an index array, and advanced indexing
        copies (``x[[1, 5]]``, ``x[idx, 0]`` with ``idx = [...]``). NumPy before 1.23 read a list holding a
        slice, ``None`` or ``...`` as a tuple of basic indexes (a view), so a list display holding one is not
        counted."""
        if isinstance(part, ast.List):
            return not any(
                isinstance(e, ast.Starred)
                or _is_none_or_ellipsis(e)
                or self._new_axis(e)
                or isinstance(e, ast.Call)
                and isinstance(e.func, ast.Name)
                and e.func.id == "slice"
                for e in part.elts
            )
        if isinstance(part, ast.ListComp):
            return not (_is_none_or_ellipsis(part.elt) or isinstance(part.elt, ast.Call))
        return isinstance(part, ast.Name) and self._binds_lists(part)

    def _binds_lists(self, name: ast.Name) -> bool:
        """Every reaching definition of ``name`` binds a list display or comprehension."""
        defs = self.reaching(name)
        return (
            defs is not None
            and len(defs) > 0
            and all(
                d.kind == "assign"
                and d.targets == 1
                and isinstance(d.value, (ast.List, ast.ListComp))
                and self._index_list(d.value)
                for d in defs
            )
        )

    def _is_basic(self, part: ast.AST) -> bool:
        """Basic indexing: an int, a slice, ``None`` or ``...`` (the result is a view)."""
        if isinstance(part, ast.Slice):
            return True  # whatever its bounds: NumPy takes them through __index__ or raises, never copies
        if _is_none_or_ellipsis(part) or self._new_axis(part):
            return True
        v = self._value(part)
        return v.kind == "py_number" and v.pytype in ("int", None) and v.pytype != "bool"

    def _new_axis(self, part: ast.AST) -> bool:
        """``None`` or ``np.newaxis`` in an index: a new axis of length 1."""
        return isinstance(part, ast.Constant) and part.value is None or self.ctx.qualname(part) == "numpy.newaxis"

    def _literal_index(self, node: ast.AST) -> Any:  # an index as NumPy takes it, or _NOT_LITERAL
        if isinstance(node, ast.Tuple):
            parts = [self._literal_index(p) for p in node.elts]
            return _NOT_LITERAL if any(p is _NOT_LITERAL for p in parts) else tuple(parts)
        if isinstance(node, ast.Slice):
            bounds: list[Optional[int]] = []
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
        if self._new_axis(node):
            return None
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
            return self._pandas_call(q, call)
        if q in ("PIL.Image.open", "PIL.Image.new", "PIL.Image.fromarray"):  # np.array(image): its mode's dtype
            mode = self._arg(call, 0, "mode") if q == "PIL.Image.new" else None
            dtype, ndim = pillow.mode_array(mode.value if isinstance(mode, ast.Constant) else None)
            return Value("pil_image", dtype, None, "fresh", ndim, origin="PIL.Image.Image")
        if (
            isinstance(call.func, ast.Name)
            and call.func.id in _NUMBER_BUILTINS
            and self.ctx.imports.is_builtin(call.func, call.func.id)
        ):
            return number_value(pytype=_NUMBER_BUILTINS[call.func.id])
        if isinstance(call.func, ast.Name) and call.func.id in _NUMBER_OF_NUMBERS and not call.keywords:
            if self.ctx.imports.is_builtin(call.func, call.func.id):
                return self._number_of_numbers(call.func.id, call.args)
        if q in NUMBER_FUNCTIONS and not call.keywords:  # math.sin(x), random.gauss(0, 1) of numbers
            arguments = [self._value(a) for a in call.args]
            if any(a.kind == "bottom" for a in arguments):
                return BOTTOM
            if all(a.kind == "py_number" for a in arguments):
                return number_value(pytype=NUMBER_FUNCTIONS[q])
        if q in pillow.SAME_MODE_FUNCTIONS or (q is None and _enhanced_image(call, self.ctx.qualname) is not None):
            image = self._value(call.args[0] if q is not None else _enhanced_image(call, self.ctx.qualname))
            if image.kind == "bottom":
                return BOTTOM
            return (
                image.with_changes(ownership="fresh") if image.kind == "pil_image" else Value(ownership="unknown_call")
            )
        if isinstance(call.func, ast.Attribute) and q is None:
            receiver = self._value(call.func.value)
            if receiver.kind == "bottom":
                return BOTTOM
            if receiver.kind in ("ndarray", "np_scalar"):
                return self._method(receiver, call.func.attr, call)
            if receiver.kind == "unknown" and receiver.dtype is not None and call.func.attr in numpy_api.REDUCTIONS:
                return self._reduce(receiver, call.func.attr, call, axis_position=0, function=False)  # array or scalar
            if receiver.kind in ("unknown", "array_like") and call.func.attr == "astype":
                return self._astype(receiver, call)
            if receiver.kind == "array_like" and call.func.attr in numpy_api.REDUCTIONS:  # x.astype(t).max()
                return array_like_of(self._reduce(as_numpy(receiver), call.func.attr, call, 0, function=False))
            if receiver.origin == "numpy.random.default_rng" and receiver.ownership != "parameter":
                return self._generator_method(call.func.attr, call)
            if is_pandas(receiver):
                return self._pandas_method(receiver, call.func.attr, call)
            if receiver.kind == "pil_image":
                return self._image_method(receiver, call.func.attr, call)
            method = calls.method_name(receiver.origin, call.func.attr) if receiver.origin else None
            if method is not None and method in calls.library() and calls.library()[method].returns_receiver:
                return receiver  # PCA(n_components=1).fit(X): the estimator itself
            if method is not None and (method in calls.library() or method in getattr(self.ctx.config, "calls", {})):
                return self._known_call(method, call)  # nibabel.load(path).get_fdata()
        if q is None:
            q = self._aliased_qualname(call.func)
        known = self._known_call(q, call) if q is not None else Value(ownership="unknown_call")
        if known.ownership == "unknown_call" and known.kind == "unknown":
            summary = self.functions.call_summary(call)  # a function of the project (facts/functions.py)
            if summary is not None and summary.returns is not None:
                return summary.returns
        return known

    def _number_of_numbers(self, name: str, args: list) -> Value:
        """``abs``, ``round``, ``max`` and ``min`` of Python numbers: a Python number (computed when the
        arguments are known numbers); ``abs`` of an array is ``np.absolute``'s."""
        values = [self._value(a) for a in args]
        if any(v.kind == "bottom" for v in values):
            return BOTTOM
        if name == "abs" and len(values) == 1 and values[0].kind != "py_number":  # ndarray.__abs__: np.absolute
            operand = values[0]
            if operand.kind not in ("ndarray", "np_scalar") and not (operand.kind == "unknown" and operand.dtype):
                return UNKNOWN
            spec = self._spec(operand)
            computed = numpy_api.result_of("operator", "abs", (spec,)) if spec else ("ndarray", None)
            return self._result(computed, [operand]) if computed else UNKNOWN
        dtypes = {v.dtype for v in values}
        if name in ("max", "min") and len(values) >= 2 and all(v.kind == "np_scalar" for v in values):
            # one of the NumPy scalars compared (`max(abs(w.max()), abs(w.min()))`): of their dtype, if one
            dtype = dtypes.pop() if len(dtypes) == 1 else None
            return Value("np_scalar", dtype, (), "fresh", 0) if dtype is not None else UNKNOWN
        if not values or any(v.kind != "py_number" or v.pytype in (None, "complex") for v in values):
            return UNKNOWN
        if name == "round" and len(values) == 2 and values[1].pytype not in ("int", "bool"):
            return UNKNOWN
        if name in ("abs", "round") and len(values) > (1 if name == "abs" else 2):
            return UNKNOWN
        if name in ("max", "min") and len(values) < 2:
            return UNKNOWN  # of one iterable
        constants = [v.constant for v in values]
        if None not in constants:
            import builtins

            try:
                return number_value(getattr(builtins, name)(*constants))
            except (ArithmeticError, TypeError, ValueError):
                return UNKNOWN
        pytypes = {v.pytype for v in values}
        first = values[0].pytype
        pytype: Optional[PyType]
        if name == "abs":  # the operand's type (a bool's is int)
            pytype = "int" if first == "bool" else first
        elif name == "round":  # an int without ndigits (np.float64 in NumPy 1 gave np.float64), else the type
            pytype = "real" if first == "real" else "int" if len(values) == 1 or first == "bool" else first
        else:  # one of the arguments
            pytype = pytypes.pop() if len(pytypes) == 1 else "real"
        return number_value(pytype=pytype)

    def _image_method(self, receiver: Value, name: str, call: ast.Call) -> Value:
        """``image.convert("L")`` makes an image of that mode; ``resize``, ``crop``... keep the mode."""
        if name == "convert":
            mode = self._arg(call, 0, "mode")
            dtype, ndim = pillow.mode_array(mode.value if isinstance(mode, ast.Constant) else None)
            return receiver.with_changes(dtype=dtype, ndim=ndim)
        if name in pillow.SAME_MODE_METHODS and name != "thumbnail":
            return receiver
        return Value(ownership="unknown_call")

    def _aliased_qualname(self, func: ast.expr) -> Optional[str]:
        """``mnist = tf.keras.datasets.mnist`` at module level, then ``mnist.load_data()``: the qualified name
        through the one module-level binding of the root name, to an imported name or its attribute."""
        attrs, node = [], func
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        module = self._module_flow()
        if not attrs or not isinstance(node, ast.Name) or module is None or module.opaque:
            return None
        flow = self.flow_of(func)
        if flow is None or (flow is not module and node.id in flow.defs_of):
            return None
        defs = module.defs_of.get(node.id, ())
        if len(defs) != 1 or defs[0].kind != "assign" or defs[0].targets != 1 or defs[0].value is None:
            return None
        base = self.ctx.qualname(defs[0].value)
        return ".".join([base, *reversed(attrs)]) if base else None

    def _known_call(self, q: str, call: ast.Call) -> Value:
        """A call the data model knows (``calls.toml``, then ``[tool.memlint.calls]``), else unknown."""
        user = getattr(self.ctx.config, "calls", {})
        entry = user.get(q) or calls.library().get(q)
        if entry is None:
            return Value(ownership="unknown_call", origin=q)
        if any(self._passed(call, position, name) for name, position in entry.unless):
            return Value(ownership="unknown_call", origin=q)
        while entry.argument is not None and entry.cases is not None:
            name, position = entry.argument
            node = self._arg(call, position, name)
            case = entry.cases.get(calls.spelling(node, self.ctx.qualname)) or self._path_case(entry.cases, node)
            if any(self._passed(call, position, name) for name, position in case.unless):
                case = calls.Returns()  # a case does not apply when one of its `unless` arguments is passed
            entry = entry.merged(case)
        resolved = self._resolved(entry, call, user)
        if resolved is None:
            return BOTTOM
        return calls.value_of(resolved[0], resolved[1] or q)

    def _path_case(self, cases: dict, node: Optional[ast.expr]) -> calls.Returns:
        """The case ``*.suffix`` of the suffix a path visibly ends with, in any case (``"photo.JPG"``)."""
        for key, case in cases.items():
            if key.startswith("*.") and node is not None and paths.ends_with(self.ctx, node, key[1:], True):
                return case
        return calls.Returns()

    def _resolved(self, entry: calls.Returns, call: ast.Call, user: dict) -> Optional[tuple]:
        """(the entry with what its arguments decide filled in: a dtype argument, the source's dtype and number
        of dimensions, OpenCV's size; each item of a tuple too, and the origin to give the value when its
        source's file decides its dtype, or None), or None while a loop is iterated."""
        origin = None
        if entry.items is not None:
            items = [self._resolved(item, call, user) for item in entry.items]
            if None in items:
                return None
            return dataclasses.replace(entry, items=tuple(i[0] for i in items if i is not None)), None
        if entry.dtype_argument is not None:
            name, position = entry.dtype_argument
            node = self._arg(call, position, name)
            if node is not None:
                entry = dataclasses.replace(entry, dtype=self._dtype_arg(node))
        if entry.ndim_of_argument is not None and entry.ndim is None:
            name, position, added = entry.ndim_of_argument
            node = self._arg(call, position, name)
            source = self._value(node) if node is not None else UNKNOWN
            if source.kind == "bottom":
                return None
            if source.kind == "ndarray" and source.ndim is not None:
                entry = dataclasses.replace(entry, ndim=source.ndim + added)
        if entry.dtype_of_argument is not None:
            name, position = entry.dtype_of_argument
            node = self._arg(call, position, name)
            source = self._value(node) if node is not None else UNKNOWN
            if source.kind == "bottom":
                return None
            if entry.dtype is None and (source.kind == "ndarray" or source.kind == "unknown" and source.dtype):
                dtype = source.dtype  # an ndarray (or a subclass, or a NumPy scalar) of this dtype
                if entry.dtype_map is not None:
                    dtype = entry.dtype_map.get(dtype) if dtype is not None else None
                for name, position in entry.float64_arguments:  # filtfilt(b, a, x): b and a float64 arrays
                    node = self._arg(call, position, name)
                    other = self._value(node) if node is not None else UNKNOWN
                    if other.kind == "bottom":
                        return None
                    if not (
                        other.kind == "ndarray" and other.dtype is not None and other.dtype == numpy_api.default_float()
                    ):
                        dtype = None
                entry = dataclasses.replace(entry, dtype=dtype)
                if dtype is None and calls.dtype_decided_by_data(source, user):
                    origin = source.origin  # the file decides this dtype too: cv2.cvtColor(cv2.imread(p, -1), ...)
            entry = self._opencv_size(entry, call, source)
        return entry, origin

    def _opencv_size(self, entry: calls.Returns, call: ast.Call, source: Value) -> calls.Returns:
        """OpenCV's ``dsize=(width, height)`` of two positive ints: a ``(height, width)`` image, with the
        channel axis of the source image when it has more than one channel (OpenCV drops a single one)."""
        if entry.image_size_argument is None:
            return entry
        name, position = entry.image_size_argument
        node = self._arg(call, position, name)
        if not isinstance(node, (ast.Tuple, ast.List)) or len(node.elts) != 2:
            return entry
        width, height = (self._value(e).constant for e in node.elts)
        if not (type(width) is int and type(height) is int and width > 0 and height > 0):
            return entry  # (0, 0): the size comes from fx and fy
        if source.ndim == 2:
            return dataclasses.replace(entry, shape=(height, width), ndim=2)
        channels = source.shape[2] if source.ndim == 3 and source.shape is not None else source.channels
        if source.ndim == 3 and channels is not None:
            shape = (height, width) if channels == 1 else (height, width, channels)
            return dataclasses.replace(entry, shape=shape, ndim=len(shape))
        return entry

    def _passed(self, call: ast.Call, position: Optional[int], name: str) -> bool:
        """Whether the call passes this argument with a value other than ``False`` or ``None``."""
        node = self._arg(call, position, name)
        return node is not None and not (isinstance(node, ast.Constant) and node.value in (False, None))

    def _keywords(self, call: ast.Call) -> dict[Optional[str], ast.expr]:
        return {k.arg: k.value for k in call.keywords}

    def _arg(self, call: ast.Call, position: Optional[int], name: str) -> Optional[ast.expr]:
        for k in call.keywords:
            if k.arg == name:
                return k.value
        if position is not None and position < len(call.args):
            return call.args[position]
        return None

    def _dtype_arg(self, node: Optional[ast.AST]) -> Optional[numpy.dtype[Any]]:
        return numpy_api.dtype_of(node, self.ctx.qualname) if node is not None else None

    def _shape_arg(self, node: Optional[ast.AST]) -> tuple[Optional[tuple[int, ...]], Optional[int]]:
        """(shape, ndim) a shape argument spells: ints, tuples of ints, names of them, ``x.shape``."""
        if node is None:
            return None, None
        if isinstance(node, (ast.Tuple, ast.List)):
            dims = [self._value(el).constant for el in node.elts]
            ndim = len(node.elts) if not any(isinstance(el, ast.Starred) for el in node.elts) else None
            sizes = [d for d in dims if type(d) is int and d >= 0]
            if ndim is not None and len(sizes) == len(dims):
                return tuple(sizes), ndim
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


_NOT_LITERAL = object()


def _within(node: ast.AST, outer: ast.AST) -> bool:
    """Whether ``node`` lies in the source span of ``outer``."""
    start = (getattr(outer, "lineno", 0), getattr(outer, "col_offset", 0))
    end = (getattr(outer, "end_lineno", 0) or 0, getattr(outer, "end_col_offset", 0) or 0)
    return (
        start <= (getattr(node, "lineno", -1), getattr(node, "col_offset", -1))
        and (
            getattr(node, "end_lineno", 0) or 0,
            getattr(node, "end_col_offset", 0) or 0,
        )
        <= end
    )


def _binds_name(target: ast.AST, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


# The kinds whose value may have a NumPy ``dtype`` attribute (a dtype test on them teaches their dtype).
_HAS_DTYPE = frozenset({"ndarray", "np_scalar", "other_array", "unknown"})


def _enhanced_image(call: ast.Call, qualname: Callable[[ast.AST], Optional[str]]) -> Optional[ast.expr]:
    """``image`` in ``ImageEnhance.Brightness(image).enhance(factor)``, else None."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "enhance" and isinstance(func.value, ast.Call)):
        return None
    maker = func.value
    return maker.args[0] if maker.args and qualname(maker.func) in pillow.ENHANCERS else None


def _is_none_or_ellipsis(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis)
