"""MEM007 list-then-array: Python numbers appended to a list in a loop, then ``np.array(lst)``.

Each Python float is a 24 B object plus an 8 B list slot (ints: 28 B plus the slot), so the list holds
about 5x the final array, and ``np.array`` needs both at once. ``np.fromiter(gen, dtype, count=n)`` or a
preallocated array filled in the loop peak at the array itself.

Reported only when the list's whole life is visible in one scope: it is bound once to ``[]``, its only uses
are ``lst.append(<number>)`` statements inside loops and one ``np.array(lst)`` after them, and each appended
value is visibly a Python number (a literal, the counter of a ``range``/``enumerate`` loop, arithmetic on
those, ``float()``/``int()``/``len()``, or a local bound only to such values).
"""

from __future__ import annotations

import ast
from typing import Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
# A list slot (8 B) plus a float object (24 B) or a distinct int (28 B, allocated as 32 B): m07.
_LIST_BYTES_PER_NUMBER = 40
_LIST_SLOT_BYTES = 8
_NUMBER_BUILTINS = {"float": "float", "int": "int", "len": "int"}


class ListThenArray(Rule):
    code = "MEM007"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        # Only scopes that convert a plain name with np.array/np.asarray can hold the pattern.
        scopes = {}
        for node in ctx.nodes(ast.Call):
            if (
                len(node.args) == 1
                and isinstance(node.args[0], ast.Name)
                and ctx.qualname(node.func) in ("numpy.array", "numpy.asarray")
            ):
                scope = ctx.arrays.scope_of(node)
                if isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
                    scopes[id(scope)] = scope
        for scope in scopes.values():
            _Scope(ctx, scope).check()


class _Scope:
    """One function (or the module): its own statements, not those of functions nested in it."""

    def __init__(self, ctx, scope: ast.AST):
        self.ctx = ctx
        self.uses: dict[str, list] = {}  # name -> [(Name node, parent node, innermost loop or None)]
        self.nested: set[str] = set()  # names that occur in nested scopes
        self.counters: dict[str, int] = {}  # name -> how many range/enumerate loops count with it
        self.assigned: dict[str, list] = {}  # name -> values of its plain `name = value` bindings
        self.parent: dict[int, ast.AST] = {}  # id(node) -> its parent, within this scope
        for stmt in scope.body:
            self._visit(stmt, None, None)
        if not isinstance(scope, ast.Module):  # parameters are bound by the caller: unknown values
            self.nested.update(a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg))

    def _bindings(self, name: str) -> int:
        return sum(isinstance(n.ctx, ast.Store) for n, _, _ in self.uses.get(name, ()))

    def _visit(self, node: ast.AST, parent: Optional[ast.AST], loop: Optional[ast.AST]) -> None:
        if isinstance(node, _SCOPES):
            self.nested.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
            self.nested.update(a.arg for a in ast.walk(node) if isinstance(a, ast.arg))
            if not isinstance(node, ast.Lambda):
                self.nested.add(node.name)
            return
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            self.nested.update(node.names)
        self.parent[id(node)] = parent
        if isinstance(node, ast.Name):
            self.uses.setdefault(node.id, []).append((node, parent, loop))
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.assigned.setdefault(node.targets[0].id, []).append(node.value)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._note_counter(node)
        for child in ast.iter_child_nodes(node):
            in_loop_body = isinstance(node, _LOOPS) and (child in node.body)
            self._visit(child, node, node if in_loop_body else loop)

    def _note_counter(self, loop) -> None:
        it, target = loop.iter, loop.target
        if not isinstance(it, ast.Call):
            return
        counter = None
        if self.ctx.imports.is_builtin(it.func, "range") and isinstance(target, ast.Name):
            counter = target.id
        elif (
            self.ctx.imports.is_builtin(it.func, "enumerate")
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
            and isinstance(target.elts[0], ast.Name)
        ):
            counter = target.elts[0].id
        if counter is not None:
            self.counters[counter] = self.counters.get(counter, 0) + 1

    # --- the pattern -----------------------------------------------------------------------------------

    def check(self) -> None:
        for name, values in self.assigned.items():
            if name in self.nested or not _is_empty_list(self.ctx, values[0]) or len(values) > 2:
                continue
            rebound = values[1] if len(values) == 2 else None  # `X = np.array(X)`: the list's own name
            if rebound is not None and not (
                isinstance(rebound, ast.Call)
                and len(rebound.args) == 1
                and isinstance(rebound.args[0], ast.Name)
                and rebound.args[0].id == name
                and self._is_conversion(rebound)
                and not self._loops_around(rebound)
            ):
                continue
            self._check_list(name, values[0], rebound)

    def _check_list(self, name: str, init: ast.AST, rebound: Optional[ast.Call] = None) -> None:
        appends, conversions = [], []
        for node, parent, loop in self.uses[name]:
            if isinstance(node.ctx, ast.Store):
                continue  # the bindings, `name = []` (and `name = np.array(name)`)
            if rebound is not None and (node.lineno, node.col_offset) > (rebound.end_lineno, rebound.end_col_offset):
                continue  # after `X = np.array(X)`, X is the array
            if (
                isinstance(parent, ast.Attribute)
                and parent.attr == "append"
                and loop is not None
                and node.lineno > init.lineno
            ):
                appends.append((node, loop))
            elif isinstance(parent, ast.Call) and parent.args == [node] and self._is_conversion(parent):
                conversions.append(parent)
            else:
                return  # any other use: the list itself is needed (or escapes)
        if not appends or len(conversions) != 1:
            return
        conversion = conversions[0]
        around_conversion = self._loops_around(conversion)
        kinds = set()
        for node, loop in appends:
            kind = self._appended_number(node)
            if kind is None or conversion.lineno <= node.lineno or loop in around_conversion:
                return  # converted inside the collecting loop: the list is rebuilt and reconverted
            kinds.add(kind)
        # CPython caches the ints -5..256: a list of them costs its 8 B slots only
        small = all(self._small_int(node) for node, _loop in appends)
        per_number = _LIST_SLOT_BYTES if small else _LIST_BYTES_PER_NUMBER
        most = self._most_appended(appends)
        if most is not None and not self.ctx.is_large(most * per_number):
            return
        count = self._known_count(appends)
        dtype_arg = next((kw.value for kw in conversion.keywords if kw.arg == "dtype"), None)
        if dtype_arg is not None:
            dtype = self.ctx.source.segment(dtype_arg)
        else:
            dtype = {frozenset({"float"}): "float", frozenset({"int"}): "int"}.get(frozenset(kinds), "...")
        if small:
            cost = (
                f"`{name}` collects small Python ints one by one (CPython caches -5..256: 8 B each, the list "
                f"slot) and np.array(`{name}`) then copies them: the peak is twice the final array"
            )
        else:
            cost = (
                f"`{name}` collects Python numbers one by one (32-40 B each: the number object and its list "
                f"slot) and np.array(`{name}`) then copies them: the peak is 5-6x the final 8 B/element array "
                f"(1M floats: 38.6 MiB against 7.6 MiB)"
            )
        self.ctx.report(
            conversion,
            f"{cost}; np.fromiter(<generator>, dtype={dtype}, count=n) or a preallocated np.empty(n) filled in "
            f"the loop peaks at the array itself",
            estimated_bytes=count * per_number if count is not None else None,
        )

    def _small_int(self, name_node: ast.Name) -> bool:
        """The statement ``name.append(x)`` appends an int literal CPython caches (-5..256) or a bool."""
        call = self.parent.get(id(self.parent[id(name_node)]))
        value = call.args[0] if isinstance(call, ast.Call) and len(call.args) == 1 else None
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            value = value.operand if isinstance(value.operand, ast.Constant) else None
            return value is not None and type(value.value) is int and value.value <= 5
        return isinstance(value, ast.Constant) and type(value.value) in (int, bool) and -5 <= value.value <= 256

    def _known_count(self, appends) -> Optional[int]:
        """How many numbers are appended, when that is visible: one unconditional append in the body of a
        ``for ... in range(<literal>)`` loop that is in no other loop."""
        if len(appends) != 1:
            return None
        node, loop = appends[0]
        statement = self.parent.get(id(self.parent.get(id(self.parent[id(node)]))))
        if not (
            isinstance(loop, ast.For)
            and statement in loop.body
            and isinstance(loop.iter, ast.Call)
            and self.ctx.imports.is_builtin(loop.iter.func, "range")
            and not loop.iter.keywords
            and 1 <= len(loop.iter.args) <= 3
            and self._loop_of(loop) is None
        ):
            return None
        return numpy_api.literal_range_length(loop.iter.args)

    def _most_appended(self, appends) -> Optional[int]:
        """An upper bound on the numbers appended, when every loop around every append has a visible count."""
        total = 0
        for _node, loop in appends:
            product = 1
            while loop is not None:
                count = self._iterations(loop)
                if count is None:
                    return None
                product *= count
                loop = self._loop_of(loop)
            total += product
        return total

    def _iterations(self, loop: ast.AST) -> Optional[int]:
        """How many times a loop runs, when visible: ``range(<literals>)``, a literal list or tuple, or a
        local bound once to one and only read."""
        if not isinstance(loop, (ast.For, ast.AsyncFor)):
            return None
        it = loop.iter
        if (
            isinstance(it, ast.Name)
            and it.id not in self.nested
            and len(self.assigned.get(it.id, ())) == 1
            and self._bindings(it.id) == 1
            and all(  # nothing could have changed it before the loop ends
                isinstance(n.ctx, ast.Store)
                or n.lineno > loop.end_lineno
                or not isinstance(p, (ast.Attribute, ast.Call, ast.Subscript))
                for n, p, _ in self.uses[it.id]
            )
        ):
            it = self.assigned[it.id][0]
        if isinstance(it, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in it.elts):
            return len(it.elts)
        if (
            isinstance(it, ast.Call)
            and self.ctx.imports.is_builtin(it.func, "range")
            and not it.keywords
            and 1 <= len(it.args) <= 3
        ):
            return numpy_api.literal_range_length(it.args)
        return None

    def _loops_around(self, node: ast.AST) -> list:
        loops, loop = [], self._loop_of(node)
        while loop is not None:
            loops.append(loop)
            loop = self._loop_of(loop)
        return loops

    def _loop_of(self, node: ast.AST) -> Optional[ast.AST]:
        """The loop whose body holds ``node``, within this scope."""
        child, parent = node, self.parent.get(id(node))
        while parent is not None:
            if isinstance(parent, _LOOPS) and child in parent.body:
                return parent
            child, parent = parent, self.parent.get(id(parent))
        return None

    def _is_conversion(self, call: ast.Call) -> bool:
        """``np.array(lst)`` / ``np.asarray(lst)``, with at most a numeric ``dtype=``."""
        if self.ctx.qualname(call.func) not in ("numpy.array", "numpy.asarray"):
            return False
        for kw in call.keywords:
            dtype = numpy_api.dtype_of(kw.value, self.ctx.qualname) if kw.arg == "dtype" else None
            if dtype is None or dtype.kind not in "biufc":
                return False
        return True

    def _appended_number(self, name_node: ast.Name) -> Optional[str]:
        """The kind of number appended by the statement ``name.append(x)``, else None."""
        attribute = self.parent[id(name_node)]
        call = self.parent.get(id(attribute))
        if not (
            isinstance(call, ast.Call)
            and call.func is attribute
            and len(call.args) == 1
            and not call.keywords
            and isinstance(self.parent.get(id(call)), ast.Expr)
        ):
            return None
        return self._number_kind(call.args[0], 0)

    def _number_kind(self, expr: ast.AST, depth: int) -> Optional[str]:
        if depth > 10:
            return None
        if isinstance(expr, ast.Constant) and type(expr.value) in (int, float):
            return type(expr.value).__name__
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in self.nested:
                return None
            if self.counters.get(name, 0) == self._bindings(name):  # bound only as a loop counter
                return "int"
            values = self.assigned.get(name, [])
            if len(values) != self._bindings(name):
                return None
            kinds = {self._number_kind(v, depth + 1) for v in values}
            if None in kinds:
                return None
            return kinds.pop() if len(kinds) == 1 else "number"
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            return self._number_kind(expr.operand, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(
            expr.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
        ):
            kinds = {self._number_kind(expr.left, depth + 1), self._number_kind(expr.right, depth + 1)}
            if None in kinds:
                return None
            if isinstance(expr.op, ast.Div) or "float" in kinds:
                return "float"
            return "int" if kinds == {"int"} and not isinstance(expr.op, ast.Pow) else "number"
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _NUMBER_BUILTINS:
            if self.ctx.imports.is_builtin(expr.func, expr.func.id) and len(expr.args) == 1:
                return _NUMBER_BUILTINS[expr.func.id]
        return None


def _is_empty_list(ctx, value: ast.AST) -> bool:
    if isinstance(value, ast.List):
        return not value.elts
    return (
        isinstance(value, ast.Call)
        and ctx.imports.is_builtin(value.func, "list")
        and not value.args
        and not value.keywords
    )
