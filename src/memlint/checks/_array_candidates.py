"""Which expressions can hold an ndarray at all: a cheap syntactic pre-test rules ask before ``ctx.arrays``.

``ArrayFacts.value`` finds an ndarray (or a NumPy scalar, or any dtype) only where one flows from a NumPy
call: through operators, comparisons, methods, ``.T``/``.real``/``.imag``, subscripts and conditional expressions of it, and
through names bound to such values (``=``, ``+=``, ``:=``). Parameters, other calls, literals, containers,
comprehensions and names bound any other way (``for``, unpacking, ``with``...) give it nothing. An
expression with no such path to a NumPy call is never the ndarray a rule looks for, and the rule need not
build the scope's control flow to learn that.

A necessary condition only, never a sufficient one: names are followed by spelling through every binding in
the file (any scope), not through reaching definitions. It mirrors ``ArrayFacts._value``: a new source of
arrays there must be added here (its natural home is the facts layer, as ``ArrayFacts.may_hold_array``).
"""

from __future__ import annotations

import ast
import weakref

_BY_FILE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The attributes of an array that are arrays (views) too; the others are numbers (``.size``), or unknown.
_ARRAY_ATTRIBUTES = frozenset({"T", "real", "imag"})


def may_hold_array(ctx, expr: ast.AST) -> bool:
    """False when ``ctx.arrays.value(expr)`` cannot be an ndarray (nor have a dtype) wherever it is evaluated."""
    index = _BY_FILE.get(ctx)
    if index is None:
        index = _BY_FILE[ctx] = _ArrayNames(ctx)
    return index.may_hold(expr)


class _ArrayNames:
    def __init__(self, ctx):
        # `qualname` resolves a call to NumPy exactly when the root name of its function is bound to NumPy.
        self._numpy_roots = {name for name, q in ctx.imports.bound.items()
                             if q == "numpy" or q.startswith("numpy.")}
        self._values: dict[str, list] = {}  # name -> every value bound to it, in any scope
        for node in ctx.nodes(ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None:
                for target in targets:
                    if isinstance(target, ast.Name):
                        self._values.setdefault(target.id, []).append(node.value)
        self._known: dict[str, bool] = {}

    def may_hold(self, expr: ast.AST) -> bool:
        names: list = []
        return self._flows_from_numpy(expr, names) or any(self._name(n) for n in names)

    def _name(self, root: str) -> bool:
        """Whether any chain of bindings leads from ``root`` to a value computed by a NumPy call."""
        known = self._known.get(root)
        if known is not None:
            return known
        seen, stack = {root}, [root]
        while stack:
            name = stack.pop()
            if self._known.get(name):
                self._known[root] = True
                return True
            if self._known.get(name) is False:
                continue
            for value in self._values.get(name, ()):
                names: list = []
                if self._flows_from_numpy(value, names):
                    self._known[root] = self._known[name] = True
                    return True
                for n in names:
                    if n not in seen:
                        seen.add(n)
                        stack.append(n)
        for name in seen:  # nothing reachable from root leads to NumPy, so nothing reachable from them does
            self._known[name] = False
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
                if isinstance(root, ast.Name) and root.id in self._numpy_roots:
                    return True
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
                if e.attr in _ARRAY_ATTRIBUTES:
                    stack.append(e.value)
            elif isinstance(e, ast.Subscript):
                stack.append(e.value)
            elif isinstance(e, ast.IfExp):
                stack += (e.body, e.orelse)
            elif isinstance(e, ast.NamedExpr):
                stack.append(e.value)
        return False
