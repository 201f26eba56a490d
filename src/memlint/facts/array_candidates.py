"""Which expressions can hold an ndarray at all: the cheap syntactic pre-test behind
``ArrayFacts.may_hold_array``, which rules ask before the data-flow facts.

``ArrayFacts.value`` finds an ndarray (or a NumPy scalar, or any dtype) only where one flows from a NumPy
call or a function of the project (``functions``: a module-level ``def`` of the file, a method of a class of
the file called through ``self``, or a function of another file the project index knows), or a DataFrame's
``.values``/``.to_numpy()`` (``pandas_api``): through operators, comparisons, methods, ``abs()``, ``max()``/``min()``,
``.T``/``.real``/``.imag``, attributes of calls (``np.finfo(t).eps``), subscripts and conditional expressions of it, and through names bound to such values (``=``, ``+=``, ``:=``)
or lists they are appended to (``lst.append(v)``, ``lst.insert(i, v)``: ``lists``).
A name an ``if`` tests for its dtype, and ``.astype()`` of anything, have a dtype too.
Parameters, other calls, literals, containers, comprehensions and names bound any other way (``for``,
unpacking, ``with``...) give it nothing. An expression with no such path to a NumPy call is never the
ndarray a rule looks for, and the rule need not build the scope's control flow to learn that.

A necessary condition only, never a sufficient one: a name is followed through every binding of it in its
scope and at module level, not through reaching definitions. It mirrors ``ArrayFacts._value``: a new source of
arrays there must be added here (tests/test_array_candidates.py checks the two agree on every expression of
the test suite's NumPy programs and of NumPy's own files).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.facts import calls, numpy_api
from memlint.facts.dataflow import equalities
from memlint.facts.syntax import names_in_target

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.tree import Scope

# a name in the code of a scope (None: a class body's or a comprehension's, which no scope's facts know)
ScopedName = tuple[Optional["Scope"], str]


class ArrayNames:
    """Which names may hold an array, per scope: a name read in a function is bound there or at module level."""

    def __init__(self, ctx: FileContext) -> None:
        # `qualname` resolves a call to NumPy exactly when the root name of its function is bound to NumPy.
        # The calls of the data model (calls.toml, [tool.memlint.calls]) are sources too: their modules' roots.
        known = calls.known_modules(getattr(ctx.config, "calls", {}))
        self._numpy_roots = {
            name for name, q in ctx.imports.bound.items() if q == "numpy" or q.startswith("numpy.") or q in known
        }
        for node in ctx.tree.body:  # `mnist = tf.keras.datasets.mnist`: a module's name for a known module
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                q = ctx.qualname(node.value) if isinstance(node.value, (ast.Attribute, ast.Name)) else None
                if q is not None and q in known:
                    self._numpy_roots.add(node.targets[0].id)
        # A DataFrame's ``.values`` and ``.to_numpy()`` are arrays (pandas_api), in a file that imports pandas.
        self._pandas = any(q == "pandas" or q.startswith("pandas.") for q in ctx.imports.bound.values())
        # Functions of the project (``functions``): a call of one may return an array.
        self._function_names = {node.name for node in ctx.tree.body if isinstance(node, ast.FunctionDef)}
        # ... and a method of a class of the file, called through ``self`` (``functions.method_called``).
        self._method_names = {
            node.name for cls in ctx.nodes(ast.ClassDef) for node in cls.body if isinstance(node, ast.FunctionDef)
        }
        index = ctx.project_functions
        if index is not None:
            self._function_names |= {name for name, q in ctx.imports.bound.items() if index.knows(q)}
        self._module = ctx.tree
        self._imports = ctx.imports
        # Parameters and variables annotated with a NumPy type (np.ndarray, npt.NDArray[...]) are arrays too.
        self._annotated = {
            a.arg for a in ctx.nodes(ast.arg) if a.annotation is not None and self._names_numpy(a.annotation)
        } | {
            n.target.id
            for n in ctx.nodes(ast.AnnAssign)
            if isinstance(n.target, ast.Name) and self._names_numpy(n.annotation)
        }
        # A name an `if` tests for its dtype (`if x.dtype == np.int16:`) has that dtype in the branch.
        self._annotated |= {
            name
            for node in ctx.nodes(ast.If, ast.Assert, ast.IfExp)
            for holds in (True, False)
            for name, attr, _ in equalities(node.test, holds)
            if attr == "dtype"
        }
        # name -> (statement, value) binding it (or put in it), any scope
        self._bindings: dict[str, list[tuple[ast.AST, ast.expr]]] = {}
        for node in ctx.nodes(ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr):
            if node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    for name in names_in_target(target):  # an item of a tuple target: the whole value, as a bound
                        self._bindings.setdefault(name, []).append((node, node.value))
        for loop in ctx.nodes(ast.For, ast.AsyncFor):  # what iterating a known call gives (calls.toml `yields`)
            for name in names_in_target(loop.target):
                self._bindings.setdefault(name, []).append((loop, loop.iter))
        for call in ctx.nodes(ast.Call):  # `lst.append(item)`: np.array(lst) has the items' dtype (lists.py)
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("append", "insert")
                and isinstance(func.value, ast.Name)
            ):
                if call.args:
                    self._bindings.setdefault(func.value.id, []).append((call, call.args[-1]))
        self._values: dict[str, dict] = {}  # name -> {scope: the values bound to it there}, on first need
        self._known: dict[tuple, bool] = {}

    def may_hold(self, ctx: FileContext, expr: ast.AST) -> bool:
        names: list = []
        if self._flows_from_numpy(expr, names):
            return True
        if any(n in self._annotated for n in names):
            return True
        names = [n for n in names if n in self._bindings]  # parameters, loop variables...: no array
        if not names:
            return False
        scope = ctx.arrays.scope_of(expr)
        if scope is None:  # in a comprehension, whose free names are the enclosing statement's (arrays)
            stmt: Optional[ast.AST] = expr
            while stmt is not None and not isinstance(stmt, ast.stmt):
                stmt = ctx.parent(stmt)
            scope = ctx.arrays.scope_of(stmt) if stmt is not None else None
        return scope is not None and any(self._name(ctx, (scope, n)) for n in names)

    def _names_numpy(self, annotation: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self._numpy_roots for n in ast.walk(annotation))

    def _values_in(self, ctx: FileContext, scope: Optional[Scope], name: str) -> list[tuple[Optional[Scope], ast.expr]]:
        """(the scope evaluating it, value) for the values bound to ``name`` in the code of ``scope`` (class
        bodies and comprehensions are no scope's: the facts know none of their names); an item a function
        appends to a list of the module's counts in the module's scope too (lists.py)."""
        by_scope = self._values.get(name)
        if by_scope is None:  # one pass over the name's bindings for every scope (not one per scope: quadratic)
            by_scope = self._values[name] = {}
            for node, value in self._bindings.get(name, ()):
                where = ctx.arrays.scope_of(node)
                by_scope.setdefault(where, []).append((where, value))
                if isinstance(node, ast.Call) and where is not self._module:
                    by_scope.setdefault(self._module, []).append((where, value))
        return by_scope.get(scope, [])

    def _name(self, ctx: FileContext, root: ScopedName) -> bool:
        """Whether any chain of bindings leads from the (scope, name) ``root`` to a value computed by NumPy."""
        known = self._known.get(root)
        if known is not None:
            return known
        seen, stack = {root}, [root]
        while stack:
            key = stack.pop()
            if self._known.get(key):
                self._known[root] = True
                return True
            if self._known.get(key) is False:
                continue
            scope, name = key
            if name in self._annotated:
                self._known[root] = True
                return True
            if name not in self._bindings:
                continue
            bindings = list(self._values_in(ctx, scope, name))
            if scope is not self._module:  # the facts read a name the function does not bind at module level
                bindings += self._values_in(ctx, self._module, name)
            for where, value in bindings:
                names: list = []
                if self._flows_from_numpy(value, names):
                    self._known[root] = self._known[key] = True
                    return True
                for n in names:
                    if (where, n) not in seen:
                        seen.add((where, n))
                        stack.append((where, n))
        for key in seen:  # nothing reachable from root leads to NumPy, so nothing reachable from them does
            self._known[key] = False
        return False

    def _flows_from_numpy(self, expr: ast.AST, names: list) -> bool:
        """True if a NumPy call's value can flow into ``expr`` by itself; else collects the names it can."""
        stack = [expr]
        while stack:
            e = stack.pop()
            if isinstance(e, ast.Name):
                names.append(e.id)
            elif isinstance(e, ast.Call):
                root = e.func
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and (root.id in self._numpy_roots or root.id in self._function_names):
                    return True
                if self._pandas and isinstance(e.func, ast.Attribute) and e.func.attr == "to_numpy":
                    return True
                if isinstance(e.func, ast.Attribute) and e.func.attr in self._method_names:
                    return True
                if isinstance(e.func, ast.Attribute) and e.func.attr == "astype":
                    return True  # whatever the receiver: a new value of that dtype (numpy_calls)
                if isinstance(e.func, ast.Name) and e.func.id in ("abs", "max", "min"):
                    if self._imports.is_builtin(e.func, e.func.id):
                        stack += e.args  # abs(a) of an array is np.absolute(a); max(s, t) is s or t
                if isinstance(e.func, ast.Attribute):
                    stack.append(e.func.value)  # a method of an array (or of a NumPy Generator)
            elif isinstance(e, ast.BinOp):
                stack += (e.left, e.right)
            elif isinstance(e, ast.UnaryOp):
                stack.append(e.operand)
            elif isinstance(e, ast.Compare):
                stack.append(e.left)
                stack += e.comparators
            elif isinstance(e, ast.Attribute):
                if e.attr == "values" and self._pandas:
                    return True
                if e.attr in numpy_api.VIEW_ATTRIBUTES or isinstance(e.value, ast.Call):
                    stack.append(e.value)  # `a.T` is an array, np.finfo(t).eps a NumPy scalar
            elif isinstance(e, ast.Subscript):
                stack.append(e.value)
            elif isinstance(e, ast.IfExp):
                stack += (e.body, e.orelse)
            elif isinstance(e, ast.NamedExpr):
                stack.append(e.value)
            elif isinstance(e, (ast.Tuple, ast.List)):
                stack += e.elts  # the right side of a tuple assignment
        return False
