"""Functions of the project as facts: what a call of a function defined in the checked code returns, and
which of its parameters it only reads.

A summary is computed from the function's own facts (``ArrayFacts`` over its body, where every parameter is
unknown), so it holds for every call, whatever the caller passes:

- ``returns``: the ``Value`` of the call, known when the function is a plain module-level ``def`` (no
  decorator: ``functools.lru_cache`` would hand the same array to every caller; not ``async``, not a
  generator) whose every path ends in ``return <expression>``: the join of the returned values. It is
  "fresh" only when each returned expression makes a new array, or is a local name that is FRESH and that
  nothing else holds at the ``return`` (NOALIAS): then the caller owns the array alone. Otherwise the dtype
  and number of dimensions still count (``unknown_call`` ownership).
- ``reads_only``: the parameters the function provably neither keeps (a store in a container, attribute or
  global, a capture by a nested function, a call of code not known to only read), nor returns (itself or a
  view of it), nor writes through (item or augmented assignment, ``out=``, in-place methods); names bound
  to the parameter or to a view of it (``x = np.asarray(x)``, ``row = x[0]``) are followed. Passing a fresh
  array to such a parameter is not an escape for the caller.
- ``returned``: the parameters only read, or returned (themselves or a view: ``def show(img): ...; return
  img``): the call's result then holds the argument, and passing it is a read exactly where the result is
  only read (``show(img)`` as a statement).

Summaries are computed once per function, on the first call a question reaches, and kept with the file's
facts. A function calling itself (directly or not) while its summary is computed gets no summary for that
call (unknown, which is always sound).

``file_summaries`` turns a file's summaries into JSON-able data for the project-wide index
(``FunctionIndex``): functions of other files are then known by their qualified names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal, Optional, Union

from memlint.facts import numpy_api
from memlint.facts.ownership import _creates_new
from memlint.facts.tree import OWN_SCOPE
from memlint.facts.values import BOTTOM, Value, join

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.arrays import ArrayFacts
    from memlint.facts.dataflow import Def, ScopeFlow

Qualname = Callable[[ast.AST], Optional[str]]  # a file's ImportMap.qualname

# Calls whose result is (or may be) their first argument or a view of it: a name bound to one still holds
# the parameter's array.
_VIEW_FUNCTIONS = frozenset(
    {
        "numpy.asarray",
        "numpy.asanyarray",
        "numpy.ascontiguousarray",
        "numpy.asfortranarray",
        "numpy.atleast_1d",
        "numpy.atleast_2d",
        "numpy.atleast_3d",
        "numpy.reshape",
        "numpy.ravel",
        "numpy.squeeze",
        "numpy.transpose",
        "numpy.swapaxes",
        "numpy.moveaxis",
        "numpy.expand_dims",
        "numpy.broadcast_to",
    }
)
# Methods through which a class decides what its attributes are.
_LOOKUP_HOOKS = frozenset({"__getattribute__", "__getattr__"})


@dataclass(frozen=True)
class Summary:
    returns: Optional[Value]  # None: nothing known (no summary of the result)
    reads_only: frozenset  # parameter names only read
    positional: tuple  # parameter names that positional arguments bind, in order
    keyword: frozenset  # parameter names a keyword argument may bind
    returned: frozenset = frozenset()  # parameter names only read, or returned (themselves or a view)

    def parameter_of(self, call: ast.Call, arg: ast.AST) -> Optional[str]:
        """The parameter an argument of ``call`` binds (None for ``*args``, ``**kwargs`` or no match)."""
        for i, a in enumerate(call.args):
            if a is arg:
                return self.positional[i] if i < len(self.positional) else None
        for k in call.keywords:
            if k.value is arg and k.arg in self.keyword:
                return k.arg
        return None


class FunctionFacts:
    """The summaries of one file's module-level functions, computed on demand from its ``ArrayFacts``."""

    def __init__(self, facts: ArrayFacts) -> None:
        self.facts = facts
        self.ctx = facts.ctx
        self._summaries: dict[int, Optional[Summary]] = {}
        self._in_progress: set[int] = set()
        self._own: Optional[dict] = None

    def own_returns(self, node: ast.AST) -> tuple[list, bool]:
        """The ``return`` statements of a function's own code, in source order, and whether its own code
        yields or awaits (it is then no plain function): from the shared walk, not one walk per function."""
        if self._own is None:
            self._own = _own_returns(self.ctx)
        return self._own.get(node, ([], False))

    def function_called(self, call: ast.Call) -> Optional[ast.FunctionDef]:
        """The module-level ``def`` of this file that ``call`` calls by its plain name, if it is the only
        binding of that name in the module and none in the caller's scope."""
        func = call.func
        if not isinstance(func, ast.Name):
            return None
        flow = self.facts.flow_of(func)
        if flow is None or flow.opaque or (flow is not self.facts._module_flow() and func.id in flow.defs_of):
            return None  # bound in the caller's own scope
        return self.function_called_by_name(func.id)

    def method_called(self, call: ast.Call) -> Optional[ast.FunctionDef]:
        """The ``def`` of the class that ``self.name(...)`` calls in one of its plain methods: the method
        ``name`` defined once in the class body (plain or ``@staticmethod``), where nothing in the file assigns
        an attribute of that name (an instance's own would hide it) and no class of the file that names this
        one as a base defines it again."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        flow = self.facts.flow_of(func)
        if flow is None or flow.opaque:
            return None
        caller = flow.scope
        if not isinstance(caller, ast.FunctionDef) or caller.decorator_list:
            return None
        cls = self.ctx.parent(caller)
        params = [*getattr(caller.args, "posonlyargs", []), *caller.args.args]
        if not (isinstance(cls, ast.ClassDef) and caller in cls.body and params and params[0].arg == func.value.id):
            return None
        if any(d.kind != "param" for d in flow.defs_of.get(func.value.id, ())):
            return None  # `self` rebound
        found = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == func.attr]
        if len(found) != 1 or not self._plain_or_static(found[0]) or self._rebinds(cls, func.attr):
            return None
        return found[0]

    def _plain_or_static(self, node: ast.FunctionDef) -> bool:
        decorators = node.decorator_list
        if not decorators:
            params = [*getattr(node.args, "posonlyargs", []), *node.args.args]
            return bool(params)  # the instance binds the first
        (d,) = decorators if len(decorators) == 1 else (None,)
        return isinstance(d, ast.Name) and d.id == "staticmethod" and self.ctx.imports.is_builtin(d, "staticmethod")

    def _rebinds(self, cls: ast.ClassDef, name: str) -> bool:
        """Another binding of ``name`` in the class, an attribute of that name assigned anywhere in the file,
        a class deriving from this one that defines it, or an attribute lookup the class customises."""
        for node in ast.walk(cls):
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
                return True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in _LOOKUP_HOOKS:
                return True
        for node in self.ctx.nodes(ast.Attribute, ast.ClassDef):
            if isinstance(node, ast.Attribute) and node.attr == name and not isinstance(node.ctx, ast.Load):
                return True
            if (
                isinstance(node, ast.ClassDef)
                and any(isinstance(b, ast.Name) and b.id == cls.name for b in node.bases)
                and any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in node.body)
            ):
                return True
        return False

    def function_called_by_name(self, name: str) -> Optional[ast.FunctionDef]:
        """The module-level ``def`` that a module-level name means, if it is the name's only binding."""
        module = self.facts._module_flow()
        if module is None or module.opaque or name in module.declared or name in self.ctx.imports.bound:
            return None
        defs = module.defs_of.get(name, [])
        if len(defs) != 1 or defs[0].kind != "def":
            return None
        node = defs[0].node
        if not isinstance(node, ast.FunctionDef) or self.ctx.parent(node) is not self.ctx.tree:
            return None
        return node

    def summary(self, node: ast.FunctionDef) -> Optional[Summary]:
        key = id(node)
        if key in self._summaries:
            return self._summaries[key]
        if key in self._in_progress:
            return None  # recursion: unknown for this call
        self._in_progress.add(key)
        facts = self.facts
        # A summary holds for every caller: computed apart from any computation in progress (a caller's loop
        # assumptions must not reach it), with its own budget.
        saved = facts._assumed, facts._used_assumptions, facts._budget
        facts._assumed, facts._used_assumptions = {}, set()
        try:
            summary = self._summarize(node)
        except RecursionError:
            summary = None
        finally:
            facts._assumed, facts._used_assumptions, facts._budget = saved
            self._in_progress.discard(key)
        self._summaries[key] = summary
        return summary

    def call_summary(self, call: ast.Call) -> Optional[Summary]:
        """The summary of the project function ``call`` calls: of this file, or of another checked file
        through the project index the engine gives the file; or of the method ``self.name(...)`` calls
        (``method_called``), as a subclass's override may differ: its result is fresh only unless
        overridden, and no argument is known to be only read."""
        node = self.function_called(call)
        if node is not None:
            return self.summary(node)
        method = self.method_called(call)
        if method is not None:
            summary = self.summary(method)
            if summary is None:
                return None
            returns = summary.returns
            if returns is not None and returns.ownership == "fresh":
                returns = returns.with_changes(ownership="fresh_unless_overridden")
            bound = not method.decorator_list  # self binds the first parameter
            return Summary(returns, frozenset(), summary.positional[1:] if bound else summary.positional, frozenset())
        index = self.ctx.project_functions
        if index is None:
            return None
        q = self.ctx.qualname(call.func)
        return index.summary(q) if q is not None else None

    # --- computing a summary -----------------------------------------------------------------------------

    def _summarize(self, node: ast.FunctionDef) -> Optional[Summary]:
        if node.decorator_list and not (self.ctx.parent(node) is not self.ctx.tree and self._plain_or_static(node)):
            return None  # a decorator may return anything (functools.lru_cache: the same array to every caller)
        args = node.args
        positional = tuple(a.arg for a in [*getattr(args, "posonlyargs", []), *args.args])
        keyword = frozenset(a.arg for a in [*args.args, *args.kwonlyargs])
        if not node.body:
            return None
        flow = self.facts.flow_of(node.body[0])
        if flow is None or flow.opaque or flow.scope is not node:
            return None
        own, suspends = self.own_returns(node)
        if suspends:
            return None
        returns = self._returns(node, own)
        verdicts = {p: self._reads_only(flow, p) for p in (*positional, *(a.arg for a in args.kwonlyargs))}
        reads_only = frozenset(p for p, verdict in verdicts.items() if verdict == "read")
        returned = frozenset(p for p, verdict in verdicts.items() if verdict == "returned")
        return Summary(returns, reads_only, positional, keyword, returned)

    def _returns(self, node: ast.FunctionDef, own: list) -> Optional[Value]:
        if not _always_returns(node.body):
            return None
        value, fresh = BOTTOM, True
        for r in own:
            if r.value is None or isinstance(r.value, ast.NamedExpr):
                return None
            v = self.facts.value(r.value)
            if v.kind == "unknown" and v.dtype is None:
                return None
            value = join(value, v)
            fresh = fresh and v.ownership == "fresh" and self._owned_alone(r.value)
        if value.kind in ("bottom", "unknown") and value.dtype is None:
            return None
        return value.with_changes(ownership="fresh" if fresh else "unknown_call", constant=None)

    def _owned_alone(self, expr: ast.expr) -> bool:
        """Nothing but the returned value holds the array ``expr`` evaluates to."""
        if isinstance(expr, ast.IfExp):
            return self._owned_alone(expr.body) and self._owned_alone(expr.orelse)
        if isinstance(expr, ast.Name):
            return self.facts.is_fresh(expr) and self.facts.no_alias(expr)
        return _creates_new(expr)

    def _reads_only(self, flow: ScopeFlow, param: str) -> Optional[Literal["read", "returned"]]:
        """ "read" (only read), "returned" (only read, or returned as itself or a view), or None."""
        if param in flow.captured or param in flow.declared:
            return None
        holders = [d for d in flow.defs_of.get(param, ()) if d.kind == "param"]
        if len(holders) != 1:
            return None
        holding = set(holders)  # definitions whose name holds the parameter's array or a view of it
        changed = True
        while changed:
            changed = False
            for d in flow.defs:
                if d in holding or d.kind != "assign" or d.targets != 1:
                    continue
                source = _viewed_name(d.value, self.ctx.qualname)
                if source is not None and any(r in holding for r in (flow.reaching(source) or ())):
                    holding.add(d)
                    changed = True
        names = {d.name for d in holding}
        verdict: Literal["read", "returned"] = "read"
        for unit in flow.units:
            for use in unit.uses:
                if use.id not in names or not any(r in holding for r in (flow.reaching(use) or ())):
                    continue
                here = self._read_here(use, holding, flow)
                if here is False:
                    return None
                if here == "returned":
                    verdict = "returned"
        return verdict

    def _read_here(self, use: ast.Name, holding: set[Def], flow: ScopeFlow) -> Union[bool, Literal["returned"]]:
        """True where this occurrence only reads the array, or hands it (or a view) to a name followed as
        well; "returned" where the function returns it (or a view); else False."""
        node: ast.AST = use
        while True:
            view = _view_of(node, self.ctx.parent, self.ctx.qualname)
            if view is None:
                break
            node = view
        parent = self.ctx.parent(node)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            bound = [d for d in flow.defs if d.node is parent]
            return bool(bound) and all(d in holding for d in bound)
        if isinstance(parent, ast.Return):
            return "returned"
        return self.facts.reads_only(node)


def _own_returns(ctx: FileContext) -> dict[ast.AST, tuple[list[ast.Return], bool]]:
    """Function -> (its own ``return`` statements in source order, whether its own code yields or awaits).
    A node's own function is the nearest function, class or lambda around it, reached through its body (as
    ``walk_scope`` of that body finds it: it enters no nested one, nor their decorators and defaults)."""
    parent = ctx.parent
    out: dict[ast.AST, tuple[list[ast.Return], list[bool]]] = {}  # scope -> (its returns, [suspends])
    for n in ctx.nodes(ast.Return, ast.Yield, ast.YieldFrom, ast.Await):
        child, scope = n, parent(n)
        while scope is not None and not isinstance(scope, OWN_SCOPE):
            child, scope = scope, parent(scope)
        if scope is None or (not isinstance(scope, ast.Lambda) and not any(s is child for s in scope.body)):
            continue  # at module level, or in the decorators, defaults or annotations of a nested one
        entry = out.get(scope)
        if entry is None:
            entry = out[scope] = ([], [False])
        if isinstance(n, ast.Return):
            entry[0].append(n)
        else:
            entry[1][0] = True
    return {
        scope: (sorted(returns, key=lambda r: (r.lineno, r.col_offset)), suspends[0])
        for scope, (returns, suspends) in out.items()
    }


def _always_returns(body: list) -> bool:
    """Every path through ``body`` ends in ``return`` or ``raise`` (no implicit ``return None``)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    if isinstance(last, ast.Try):
        if last.finalbody and _always_returns(last.finalbody):
            return True
        main = last.orelse if last.orelse else last.body
        return _always_returns(main) and all(_always_returns(h.body) for h in last.handlers)
    return False  # a loop may end, a `with` may swallow an exception


def _viewed_name(expr: Optional[ast.AST], qualname: Qualname) -> Optional[ast.Name]:
    """The name whose array ``expr`` is or views (``x``, ``x[0]``, ``x.T``, ``x.reshape(..)``, ``np.asarray(x)``)."""
    while expr is not None:
        if isinstance(expr, ast.Name):
            return expr
        if isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Attribute) and expr.attr == "T":
            expr = expr.value
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in numpy_api.VIEW_METHODS
        ):
            expr = expr.func.value
        elif isinstance(expr, ast.Call) and expr.args and qualname(expr.func) in _VIEW_FUNCTIONS:
            expr = expr.args[0]
        else:
            return None
    return None


def _view_of(node: ast.AST, parent_of: Callable[[ast.AST], Optional[ast.AST]], qualname: Qualname) -> Optional[ast.AST]:
    """The expression around ``node`` that evaluates to ``node``'s array or a view of it (``node[i]``,
    ``node.T``, ``node.reshape(..)``, ``np.asarray(node)``), or None."""
    parent = parent_of(node)
    if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load):
        return parent
    if isinstance(parent, ast.Attribute) and parent.value is node and isinstance(parent.ctx, ast.Load):
        if parent.attr == "T":
            return parent
        call = parent_of(parent)
        if parent.attr in numpy_api.VIEW_METHODS and isinstance(call, ast.Call) and call.func is parent:
            return call
        return None
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        return parent if qualname(parent.func) in _VIEW_FUNCTIONS else None
    return None


# --- across files: summaries as data, and the project's index of them --------------------------------------

_VALUE_FIELDS = ("kind", "shape", "ownership", "ndim", "origin")


def file_summaries(ctx: FileContext) -> dict[str, dict]:
    """What other files may ask of this file's module-level functions, as JSON-able data keyed by function
    name: the summaries of the functions that may return an array (a ``return`` whose expression can hold
    one, ``ArrayFacts.may_hold_array``) and say something of it. Cheap where nothing can: the syntactic
    test spares the facts of every other function (summarizing all of pandas' functions would cost two
    thirds of a parse)."""
    candidates = [node for node in ctx.tree.body if isinstance(node, ast.FunctionDef) and not node.decorator_list]
    if not candidates:
        return {}
    arrays = ctx.arrays
    if ctx.project_functions is not None:
        # Summarized from this file's code alone, as in a first check (a new instance of the file's facts):
        # what other files are checked with must not depend on what this file was checked with (one more
        # check of the callers then settles a run).
        index, ctx.project_functions = ctx.project_functions, None
        alone = type(arrays)(ctx)
        try:
            return _summaries_of(alone, candidates)
        finally:
            ctx.project_functions = index
            alone.release()
    return _summaries_of(arrays, candidates)


def _summaries_of(arrays: ArrayFacts, candidates: list[ast.FunctionDef]) -> dict[str, dict]:
    functions = arrays.functions
    out = {}
    for node in candidates:
        returns = [r.value for r in functions.own_returns(node)[0] if r.value is not None]
        if not returns or not any(arrays.may_hold_array(r) for r in returns):
            continue
        if functions.function_called_by_name(node.name) is not node:
            continue
        summary = functions.summary(node)
        if summary is None or summary.returns is None:
            continue
        out[node.name] = {
            "returns": _value_to_json(summary.returns),
            "reads_only": sorted(summary.reads_only),
            "returned": sorted(summary.returned),
            "positional": list(summary.positional),
            "keyword": sorted(summary.keyword),
        }
    return out


def called_names(ctx: FileContext) -> list[str]:
    """The qualified names of the imported callables this file calls (the functions of other files whose
    summaries its findings may depend on)."""
    found = set()
    for call in ctx.nodes(ast.Call):
        q = ctx.qualname(call.func)
        if q is not None and "." in q and not q.startswith(("numpy.", "pandas.")):
            found.add(q)
    return sorted(found)


def _value_to_json(v: Optional[Value]) -> Optional[dict]:
    if v is None:
        return None
    d = {f: getattr(v, f) for f in _VALUE_FIELDS}
    d["shape"] = list(v.shape) if v.shape is not None else None
    d["dtype"] = v.dtype.str if v.dtype is not None and v.dtype.kind != "V" else None
    if v.dtype is not None and d["dtype"] is None:
        return None  # a structured dtype: not worth spelling out
    d["pytype"] = v.pytype
    return d


def _value_from_json(d: Optional[dict]) -> Optional[Value]:
    if d is None:
        return None
    from memlint.facts import numpy_api

    dtype = numpy_api._np().dtype(d["dtype"]) if d["dtype"] is not None else None
    shape = tuple(d["shape"]) if d["shape"] is not None else None
    return Value(d["kind"], dtype, shape, d["ownership"], d["ndim"], origin=d["origin"], pytype=d["pytype"])


class FunctionIndex:
    """The summaries of every checked file's module-level functions, by qualified name (``module.name``)."""

    def __init__(self, by_module: dict):
        self._data: dict = {}  # qualname -> JSON summary
        for module, summaries in by_module.items():
            for name, summary in summaries.items():
                self._data[f"{module}.{name}" if module else name] = summary
        self._summaries: dict = {}

    def knows(self, qualname: Optional[str]) -> bool:
        return qualname in self._data

    def used(self, calls: list) -> dict:
        """The summaries a file calling ``calls`` is checked with: what its findings depend on."""
        return {q: self._data[q] for q in calls if q in self._data}

    def summary(self, qualname: str) -> Optional[Summary]:
        if qualname not in self._summaries:
            d = self._data.get(qualname)
            self._summaries[qualname] = (
                None
                if d is None
                else Summary(
                    _value_from_json(d["returns"]),
                    frozenset(d["reads_only"]),
                    tuple(d["positional"]),
                    frozenset(d["keyword"]),
                    frozenset(d.get("returned", ())),
                )
            )
        return self._summaries[qualname]
