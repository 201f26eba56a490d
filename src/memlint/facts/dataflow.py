"""Control flow and def-use facts of one scope (a function, a lambda, or module-level code).

Built on the stdlib ``ast`` only. A scope's statements become *units* (a simple statement, or the header of a
compound one: an ``if``/``while`` test, a ``for`` target and iterable, ``with`` items, an ``except`` clause);
units are linked by the control flow (branches, loops with their back-edges, ``break``/``continue``/
``return``/``raise``, and exceptional edges from every unit of a ``try`` body or ``with`` body to its
handlers, ``finally`` and the code after the ``with``, since a context manager may swallow the exception).
Reaching definitions (forward) and live names (backward) are computed over these units with bitsets. An ``if``
test's conjuncts ``name.attr == value`` are kept as guards of its branch, true there while ``name`` is not bound
again (``guards_at``: what ``if x.dtype == np.int16:`` proves).

Everything is conservative: an extra path only adds reaching definitions and live names. A scope that uses
``match`` (not modelled), ``nonlocal``, ``locals()``, ``vars()``, ``eval`` or ``exec``, or binds a name it
declares ``global``, is marked ``opaque``: callers then trust nothing about its names. A ``global`` statement
whose names the scope only reads changes nothing (reading a module's name is what Python does anyway); the
names functions rebind through ``global`` are ``declared`` in the module's flow, so only they are distrusted
there.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Optional, Union

from memlint.facts.bindings import ScopeBindings
from memlint.facts.kinds import DefKind
from memlint.facts.tree import COMPREHENSIONS, OWN_SCOPE, Scope, TreeIndex, children

_NESTED_TYPES = frozenset({*OWN_SCOPE, *COMPREHENSIONS})  # nodes whose names are not this scope's
_OPAQUE_CALLS = frozenset({"locals", "vars", "eval", "exec", "globals"})


class Def:
    """One binding of a name: ``kind`` is assign, aug, param, for, with, except, import, def, walrus, del..."""

    __slots__ = ("index", "name", "kind", "node", "value", "targets", "unit")

    def __init__(
        self,
        index: int,
        name: str,
        kind: DefKind,
        node: ast.AST,
        value: Optional[ast.expr],
        targets: int = 1,
        unit: int = -1,
    ):
        self.index, self.name, self.kind, self.node, self.value = index, name, kind, node, value
        self.targets = targets  # how many names the same value is bound to (``a = b = x`` gives 2)
        self.unit = unit  # the index of the unit binding it

    def __repr__(self) -> str:
        return f"Def({self.name!r}, {self.kind}, line {getattr(self.node, 'lineno', '?')})"


class Guard(NamedTuple):
    """``name.attr == value`` (or ``is``), known from a test: it held when the test ran, so it holds in the units
    of ``region`` for the objects bound before the test (``covers``). Tests are an ``if``'s (its branch, or its
    ``else`` branch where the test is false: ``!=``); an ``if``'s for the rest of the block where each branch
    it is not true in leaves (``raise``, ``return``...) or binds the name (``if x.dtype != np.uint8: x =
    x.astype(np.uint8)``); and an ``assert``'s (``asserted``: ``python -O`` skips it, so it proves nothing to a
    rewrite)."""

    name: str
    attr: str
    value: ast.expr
    test: int  # the index of the test's unit
    region: range  # the indexes of the units where it holds, all after the test's
    asserted: bool = False

    def covers(self, d: Def) -> bool:
        """Whether the guard is true of the object ``d`` binds, where ``d`` reaches a use in the region: ``d``
        binds before the test or outside the region (the region is entered through the test only; code that
        may enter it otherwise binds the name), not in the test or between it and the use."""
        return not self.test <= d.unit < self.region.stop


class Unit:
    __slots__ = ("index", "node", "succ", "exc_succ", "pred", "exc_pred", "defs", "kill", "uses")

    def __init__(self, index: int, node: Optional[ast.AST]):
        self.index, self.node = index, node
        self.succ: set[int] = set()
        self.exc_succ: set[int] = set()
        self.pred: set[int] = set()
        self.exc_pred: set[int] = set()
        self.defs: list[Def] = []
        self.kill: set[str] = set()
        self.uses: list[ast.Name] = []  # loads evaluated in this unit, in source order


class ScopeFlow:
    """The units, definitions and uses of one scope, and reaching definitions / liveness over them."""

    def __init__(self, scope: Scope, opacity: Optional[Opacity] = None):
        """``opacity``: what makes the file's scopes opaque (``find_opacity``); found by walking ``scope`` when
        not given."""
        self.scope = scope
        if opacity is None:
            index = TreeIndex(scope)
            opacity = find_opacity(index.nodes, index.parent)
        self._opaque_holders = opacity.holders
        self.units: list[Unit] = []
        self.defs: list[Def] = []
        self.defs_of: dict[str, list[Def]] = {}
        self.unit_of_use: dict[int, Unit] = {}  # id(ast.Name load) -> unit
        self.unit_of_node: dict[int, Unit] = {}  # id(statement or header expression) -> unit
        self._captured: set[str] = set()
        self._loads: Optional[dict[str, list[ast.Name]]] = None
        self._nested: list[ast.AST] = []  # functions, classes and lambdas whose names are not collected yet
        self.opaque = False
        # global / nonlocal names; in a module's flow, the names functions rebind through ``global``
        self.declared: set[str] = set(opacity.rebound_globals) if isinstance(scope, ast.Module) else set()
        self.params: set[str] = set()
        self._loops: list[tuple[Unit, list[Unit]]] = []
        self._handlers: list[list[Unit]] = []
        self._returns: list[Unit] = []
        self._guards: dict[str, list[Guard]] = {}
        entry = self._unit(None)
        self.entry = entry
        if isinstance(scope, ast.Module):
            frontier = self._block(scope.body, [entry])
        else:
            self._params(scope.args, entry)
            if isinstance(scope, ast.Lambda):
                u = self._unit(scope.body)
                self._link([entry], u)
                self._scan_expr(scope.body, u)
                frontier = [u]
            else:
                frontier = self._block(scope.body, [entry])
        self.exit = self._unit(None)
        self._link(frontier + self._returns, self.exit)
        self._solve()

    # --- building ----------------------------------------------------------------------------------------

    def _unit(self, node: Optional[ast.AST]) -> Unit:
        u = Unit(len(self.units), node)
        self.units.append(u)
        if node is not None:
            self.unit_of_node[id(node)] = u
        for handlers in self._handlers:
            for h in handlers:
                u.exc_succ.add(h.index)
                h.exc_pred.add(u.index)
        return u

    def _link(self, preds: Iterable[Unit], u: Unit) -> None:
        for p in preds:
            p.succ.add(u.index)
            u.pred.add(p.index)

    def _def(
        self,
        unit: Unit,
        name: str,
        kind: DefKind,
        node: ast.AST,
        value: Optional[ast.expr] = None,
        targets: int = 1,
    ) -> None:
        d = Def(len(self.defs), name, kind, node, value, targets, unit.index)
        self.defs.append(d)
        self.defs_of.setdefault(name, []).append(d)
        unit.defs.append(d)
        unit.kill.add(name)

    def _params(self, args: ast.arguments, entry: Unit) -> None:
        all_args = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs]
        all_args += [a for a in (args.vararg, args.kwarg) if a is not None]
        for a in all_args:
            self.params.add(a.arg)
            self._def(entry, a.arg, "param", a)

    def _block(self, stmts: list[ast.stmt], preds: list[Unit]) -> list[Unit]:
        for i, stmt in enumerate(stmts):
            test = len(self.units)  # an if's or assert's first unit is its test
            preds = self._stmt(stmt, preds)
            holds = _holds_after(stmt)
            if holds:  # true in the rest of the block: it is reached through the test only
                start = len(self.units)
                preds = self._block(stmts[i + 1 :], preds)
                self._guard(holds, test, range(start, len(self.units)), isinstance(stmt, ast.Assert))
                return preds
        return preds

    def _guard(self, holds: list, test: int, region: range, asserted: bool = False) -> None:
        for name, attr, value in holds:
            self._guards.setdefault(name, []).append(Guard(name, attr, value, test, region, asserted))

    def _simple(self, stmt: ast.AST, preds: list[Unit]) -> Unit:
        u = self._unit(stmt)
        self._link(preds, u)
        return u

    def _stmt(self, s: ast.stmt, preds: list) -> list:
        if isinstance(s, ast.If):
            u = self._simple(s.test, preds)
            self._scan_expr(s.test, u)
            start = len(self.units)
            body = self._block(s.body, [u])
            self._guard(equalities(s.test), u.index, range(start, len(self.units)))
            start = len(self.units)
            orelse = self._block(s.orelse, [u])
            self._guard(equalities(s.test, holds=False), u.index, range(start, len(self.units)))
            return body + orelse
        if isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            header = self._unit(s.iter if isinstance(s, (ast.For, ast.AsyncFor)) else s.test)
            self._link(preds, header)
            if isinstance(s, ast.While):
                self._scan_expr(s.test, header)
            else:
                self._scan_expr(s.iter, header)
                self._bind_target(s.target, header, "for", s, None)
            breaks: list[Unit] = []
            self._loops.append((header, breaks))
            end = self._block(s.body, [header])
            self._loops.pop()
            self._link(end, header)
            return self._block(s.orelse, [header]) + breaks
        if isinstance(s, (ast.With, ast.AsyncWith)):
            u = self._simple(s, preds)
            for item in s.items:
                self._scan_expr(item.context_expr, u)
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, u, "with", item, None)
            after = Unit(-1, None)  # placeholder: the code after the with, reached on suppression too
            self._handlers.append([after])
            end = self._block(s.body, [u])
            self._handlers.pop()
            return self._join_placeholder(after, end)
        if isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            return self._try(s, preds)
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            u = self._simple(s, preds)
            for dec in s.decorator_list:
                self._scan_expr(dec, u)
            if isinstance(s, ast.ClassDef):
                for b in [*s.bases, *[k.value for k in s.keywords]]:
                    self._scan_expr(b, u)
            else:
                for default in [*s.args.defaults, *[d for d in s.args.kw_defaults if d is not None]]:
                    self._scan_expr(default, u)
            self._capture(s, u)
            self._def(u, s.name, "def", s)
            return [u]
        if isinstance(s, ast.Return):
            u = self._simple(s, preds)
            if s.value is not None:
                self._scan_expr(s.value, u)
            self._returns.append(u)
            return []
        if isinstance(s, ast.Raise):
            u = self._simple(s, preds)
            for e in (s.exc, s.cause):
                if e is not None:
                    self._scan_expr(e, u)
            return []
        if isinstance(s, (ast.Break, ast.Continue)):
            u = self._simple(s, preds)
            if self._loops:
                header, breaks = self._loops[-1]
                if isinstance(s, ast.Break):
                    breaks.append(u)
                else:
                    self._link([u], header)
            return []
        if isinstance(s, (ast.Global, ast.Nonlocal)):
            self.declared.update(s.names)
            if isinstance(s, ast.Nonlocal) or _binds(self.scope, set(s.names)):
                self.opaque = True
            return [self._simple(s, preds)]
        if type(s).__name__ == "Match":
            self.opaque = True
            u = self._simple(s, preds)
            for node in ast.walk(s):
                if isinstance(node, ast.Name):
                    if isinstance(node.ctx, ast.Load):
                        self._use(node, u)
                    else:
                        self._def(u, node.id, "other", node)
            return [u]
        u = self._simple(s, preds)
        self._simple_stmt(s, u)
        return [u]

    def _join_placeholder(self, placeholder: Unit, frontier: list) -> list:
        """Turn a placeholder unit (exceptional target) into a real empty unit after ``frontier``."""
        real = self._unit(None)
        self._link(frontier, real)
        for p in placeholder.exc_pred:
            self.units[p].exc_succ.discard(-1)
            self.units[p].exc_succ.add(real.index)
            real.exc_pred.add(p)
        return [real]

    def _try(self, s: Any, preds: list[Unit]) -> list[Unit]:  # ast.Try, or ast.TryStar (not in 3.10's stubs)
        handler_entries = [self._unit_placeholder() for _ in s.handlers]
        final_entry = self._unit_placeholder() if s.finalbody else None
        targets = handler_entries + ([final_entry] if final_entry else [])
        self._handlers.append(targets)
        body_end = self._block(s.body, preds)
        self._handlers.pop()
        if final_entry:
            self._handlers.append([final_entry])
        body_end = self._block(s.orelse, body_end)
        ends = list(body_end)
        for h, placeholder in zip(s.handlers, handler_entries):
            hu = self._unit(h)
            self._adopt(placeholder, hu)
            if h.type is not None:
                self._scan_expr(h.type, hu)
            if h.name:
                self._def(hu, h.name, "except", h)
            end = self._block(h.body, [hu])
            if h.name:  # Python deletes the name at the end of the handler
                for e in end:
                    e.kill.add(h.name)
            ends += end
        if final_entry:
            self._handlers.pop()
            fu = self._unit(None)
            self._adopt(final_entry, fu)
            self._link(ends, fu)
            return self._block(s.finalbody, [fu])
        return ends

    def _unit_placeholder(self) -> Unit:
        return Unit(-1, None)

    def _adopt(self, placeholder: Unit, real: Unit) -> None:
        for p in placeholder.exc_pred:
            unit = self.units[p]
            unit.exc_succ.discard(-1)
            unit.exc_succ.add(real.index)
            real.exc_pred.add(p)

    def _simple_stmt(self, s: ast.stmt, u: Unit) -> None:
        if isinstance(s, ast.Assign):
            self._scan_expr(s.value, u)
            for t in s.targets:
                self._bind_target(t, u, "assign", s, s.value, len(s.targets))
        elif isinstance(s, ast.AugAssign):
            self._scan_expr(s.value, u)
            if isinstance(s.target, ast.Name):
                self._use(s.target, u)
                self._def(u, s.target.id, "aug", s, s.value)
            else:
                self._scan_expr(s.target, u)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self._scan_expr(s.value, u)
                self._bind_target(s.target, u, "assign", s, s.value)
            elif not isinstance(s.target, ast.Name):
                self._scan_expr(s.target, u)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            for alias in s.names:
                if alias.name != "*":
                    self._def(u, (alias.asname or alias.name).split(".")[0], "import", s)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                if isinstance(t, ast.Name):
                    u.kill.add(t.id)
                    self._def(u, t.id, "del", s)
                else:
                    self._scan_expr(t, u)
        else:
            for child in children(s):
                if isinstance(child, ast.expr):
                    self._scan_expr(child, u)

    def _bind_target(
        self, t: ast.expr, u: Unit, kind: DefKind, node: ast.AST, value: Optional[ast.expr], targets: int = 1
    ) -> None:
        if isinstance(t, ast.Name):
            self._def(u, t.id, kind, node, value, targets)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self._bind_target(e.value if isinstance(e, ast.Starred) else e, u, "unpack", node, None)
        else:  # attribute or subscript target: its parts are loads
            self._scan_expr(t, u)

    def _use(self, name: ast.Name, u: Unit) -> None:
        u.uses.append(name)
        self.unit_of_use[id(name)] = u

    def _scan_expr(self, e: ast.AST, u: Unit) -> None:
        """Record the loads, walrus bindings and nested scopes of an expression evaluated in unit ``u``."""
        stack = [e]
        while stack:
            node = stack.pop()
            cls = node.__class__
            if isinstance(node, ast.Name):
                if node.ctx.__class__ is ast.Load:
                    self._use(node, u)
                continue
            if isinstance(node, ast.NamedExpr):
                stack.append(node.value)
                if isinstance(node.target, ast.Name):
                    self._def(u, node.target.id, "walrus", node, node.value)
                continue
            if cls is ast.Call and _is_opaque(node):
                self.opaque = True
            if cls in _NESTED_TYPES:
                self._capture(node, u)
                if isinstance(node, COMPREHENSIONS):  # its first iterable is evaluated here, before it runs
                    stack.append(node.generators[0].iter)
                continue
            stack += reversed(children(node))
        if len(u.uses) > 1:
            u.uses.sort(key=_position)

    def _capture(self, nested: ast.AST, u: Unit) -> None:
        """What a nested scope reads or binds from this scope is captured: it may be read or kept alive at any
        later time.

        A comprehension is read now (its walrus binds in this scope; its first iterable, evaluated here, is no
        capture but a use of this scope); the names of a function, class or lambda
        only when ``captured`` is asked (most flows are asked other questions, and a module's would read the
        whole file)."""
        if not isinstance(nested, COMPREHENSIONS):
            self._nested.append(nested)
            if nested in self._opaque_holders:
                self.opaque = True
            return
        order: list[ast.AST] = [nested]  # grows while read: breadth-first, as ast.walk (walrus definitions in order)
        first_iterable = nested.generators[0].iter  # a use of this scope (``_scan_expr``)
        for node in order:
            if node is first_iterable:
                continue
            if isinstance(node, ast.Name):
                self._captured.add(node.id)
                continue
            if isinstance(node, ast.NamedExpr):
                if isinstance(node.target, ast.Name):  # a comprehension's walrus binds in this scope
                    self._def(u, node.target.id, "walrus", node, None)
            elif _is_opaque(node):
                self.opaque = True
            order += children(node)

    @property
    def captured(self) -> set:
        """The names a nested scope (function, class, lambda, comprehension) reads or binds from this scope: a
        comprehension's names, and the free names of a function, class or lambda (``free_names``), with those
        its header evaluates here (decorators, defaults, annotations, bases). Names a nested function declares
        ``global`` are captured in the module's flow only."""
        module = isinstance(self.scope, ast.Module)
        for nested in self._nested:
            free, globs, _ = free_names(nested)
            self._captured |= free
            if module:
                self._captured |= globs
            for part in _header(nested):
                self._captured.update(n.id for n in ast.walk(part) if isinstance(n, ast.Name))
        self._nested = []
        return self._captured

    # --- solving -----------------------------------------------------------------------------------------

    def _solve(self) -> None:
        names = sorted(set(self.defs_of) | {n.id for u in self.units for n in u.uses})
        self.name_bit = {n: 1 << i for i, n in enumerate(names)}
        kill_mask = {}
        for name, defs in self.defs_of.items():
            m = 0
            for d in defs:
                m |= 1 << d.index
            kill_mask[name] = m
        n = len(self.units)
        gen, kill = [0] * n, [0] * n
        for u in self.units:
            k, g = 0, 0
            for name in u.kill:
                k |= kill_mask.get(name, 0)
            last = {}
            for d in u.defs:
                last[d.name] = d
            for d in last.values():
                if d.kind != "del":
                    g |= 1 << d.index
            gen[u.index], kill[u.index] = g, k
        reach_in, reach_out = [0] * n, [0] * n
        work = list(range(n - 1, -1, -1))  # popped from the end: the units in order, as definitions flow
        while work:
            i = work.pop()
            u = self.units[i]
            new_in = 0
            for p in u.pred:
                new_in |= reach_out[p]
            for p in u.exc_pred:
                new_in |= reach_in[p] | reach_out[p]
            new_out = gen[i] | (new_in & ~kill[i])
            if new_in != reach_in[i] or new_out != reach_out[i]:
                reach_in[i], reach_out[i] = new_in, new_out
                work.extend(u.succ)
                work.extend(u.exc_succ)
        self.reach_in = reach_in
        # liveness over names
        use_bits, def_bits = [0] * n, [0] * n
        for u in self.units:
            b = 0
            for use in u.uses:
                b |= self.name_bit[use.id]
            use_bits[u.index] = b
            killed = 0
            for name in u.kill:
                killed |= self.name_bit.get(name, 0)
            def_bits[u.index] = killed
        live_in, live_out = [0] * n, [0] * n
        work = list(range(n))
        while work:
            i = work.pop()
            u = self.units[i]
            out = 0
            for s in u.succ:
                out |= live_in[s]
            for s in u.exc_succ:
                out |= live_in[s]
            new_in = use_bits[i] | (out & ~def_bits[i])
            if out != live_out[i] or new_in != live_in[i]:
                live_out[i], live_in[i] = out, new_in
                work.extend(u.pred)
                work.extend(u.exc_pred)
        self.live_out = live_out

    # --- queries -----------------------------------------------------------------------------------------

    def reaching(self, name: ast.Name) -> Optional[list[Def]]:
        """The definitions of ``name.id`` that reach this load (None if the load is not of this scope)."""
        u = self.unit_of_use.get(id(name))
        if u is None:
            return None
        bits = self.reach_in[u.index]
        found = [d for d in self.defs_of.get(name.id, ()) if bits >> d.index & 1]
        # a walrus earlier in the same unit also reaches
        found += [
            d for d in u.defs if d.name == name.id and d.kind == "walrus" and d not in found and _before(d.node, name)
        ]
        return found

    def loads_of(self, name: str) -> list[ast.Name]:
        """Every load of ``name`` in this scope, unit by unit (each unit's in source order)."""
        if self._loads is None:
            self._loads = {}
            for unit in self.units:
                for use in unit.uses:
                    self._loads.setdefault(use.id, []).append(use)
        return self._loads.get(name, [])

    def guards_at(self, use: ast.Name) -> list[Guard]:
        """The guards on ``use.id`` whose region holds this load. Each is true of the object of a reaching
        definition it ``covers``."""
        guards = self._guards.get(use.id)
        u = self.unit_of_use.get(id(use))
        if not guards or u is None:
            return []
        return [g for g in guards if u.index in g.region]

    def is_live_after(self, unit: Unit, name: str) -> bool:
        bit = self.name_bit.get(name)
        return bit is not None and bool(self.live_out[unit.index] & bit)

    def rebound_before_exit(self, start: Unit, name: str) -> bool:
        """Whether every path from ``start`` (normal or exceptional) binds or deletes ``name`` again before the
        scope's end: what ``name`` holds after ``start`` is never what the scope leaves behind (a module's
        importers see only what its code leaves)."""
        seen: set[int] = set()
        stack = [*start.succ, *start.exc_succ]
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            u = self.units[i]
            if u is self.exit:
                return False
            if name not in u.kill:
                stack.extend(u.succ)
            stack.extend(u.exc_succ)  # raised before the binding, too
        return True

    def can_reach(self, start: Unit, goal: Unit) -> bool:
        """Whether control can get from the end of ``start`` to ``goal`` (normal or exceptional edges)."""
        seen, stack = set(), [*start.succ, *start.exc_succ]
        while stack:
            i = stack.pop()
            if i == goal.index:
                return True
            if i in seen:
                continue
            seen.add(i)
            u = self.units[i]
            stack.extend(u.succ)
            stack.extend(u.exc_succ)
        return False


def equalities(test: ast.expr, holds: bool = True) -> list[tuple[str, str, ast.expr]]:
    """``(name, attr, value)`` for each ``name.attr == value`` (either side; or ``is``) that a test being true
    (``holds``; false: ``not holds``) proves: a conjunct of a true test, a disjunct of a false one, ``!=`` or
    ``is not`` false, through ``not``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return equalities(test.operand, not holds)
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) if holds else isinstance(test.op, ast.Or):
            return [found for part in test.values for found in equalities(part, holds)]
        return []
    equal = (ast.Eq, ast.Is) if holds else (ast.NotEq, ast.IsNot)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], equal)):
        return []
    found = []
    for side, other in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
        if isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name):
            found.append((side.value.id, side.attr, other))
    return found


def _holds_after(stmt: ast.stmt) -> list[tuple[str, str, ast.expr]]:
    """What a statement proves to the statements after it in its block, of the objects bound before it: an
    ``assert``'s test; an ``if``'s test false where its branch leaves or binds the name (``if x.dtype !=
    np.uint8: raise ...``), true where its non-empty else branch does."""
    if isinstance(stmt, ast.Assert):
        return equalities(stmt.test)
    if not isinstance(stmt, ast.If):
        return []
    found = [f for f in equalities(stmt.test, holds=False) if _leaves_or_binds(stmt.body, f[0])]
    if stmt.orelse:
        found += [f for f in equalities(stmt.test) if _leaves_or_binds(stmt.orelse, f[0])]
    return found


def _leaves_or_binds(block: list, name: str) -> bool:
    """Whether no object bound to ``name`` before ``block`` runs is bound to it after: the block leaves (its
    last statement returns, raises, breaks or continues) or assigns the name at its top level."""
    if block and isinstance(block[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue)):
        return True
    return any(
        isinstance(s, (ast.Assign, ast.AnnAssign))
        and s.value is not None
        and any(
            isinstance(t, ast.Name) and t.id == name for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
        for s in block
    )


def _is_opaque(node: ast.AST) -> bool:
    """A ``nonlocal`` statement, or a call of ``locals()``, ``vars()``, ``eval``, ``exec``, ``globals()``: names
    may then change or be read in ways the flow cannot see. (``global`` is judged by the names it rebinds.)"""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in _OPAQUE_CALLS
    return isinstance(node, ast.Nonlocal)


class Opacity(NamedTuple):
    """What a file's flows cannot see: ``holders``, the nodes holding something opaque (``_is_opaque``) below
    them (a nested scope among them makes the scope creating it opaque); ``rebound_globals``, the names some
    function or class body binds after declaring them ``global``."""

    holders: set[ast.AST]
    rebound_globals: frozenset[str]


def find_opacity(nodes: Callable[..., list[Any]], parent: Callable[[ast.AST], Optional[ast.AST]]) -> Opacity:
    """``Opacity`` from a file's tree index (``nodes(*types)`` and ``parent(node)``)."""
    holders: set[ast.AST] = set()
    rebound: set[str] = set()
    for node in nodes(ast.Global, ast.Nonlocal, ast.Call):
        if isinstance(node, ast.Global):
            scope = parent(node)
            while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope = parent(scope)
            rebound.update(n for n in node.names if scope is None or _binds(scope, {n}))
        elif _is_opaque(node):
            node = parent(node)
            while node is not None and node not in holders:
                holders.add(node)
                node = parent(node)
    return Opacity(holders, frozenset(rebound))


def _binds(scope: ast.AST, names: set[str]) -> bool:
    """Whether the code of ``scope`` itself (not of the functions and classes it defines) binds one of ``names``,
    declared ``global`` there or not (``bindings.ScopeBindings``: a comprehension's targets are its own, its
    walrus binds here; a star import may bind anything)."""
    bound = ScopeBindings(scope)  # type: ignore[arg-type]
    return bound.star_import or not names.isdisjoint(bound.rebound) or not names.isdisjoint(bound.of.keys())


def _header(scope: ast.AST) -> list:
    """The parts of a function, class or lambda evaluated where it is defined: decorators, defaults,
    annotations, bases and keywords (and type parameters, conservatively)."""
    parts = [*getattr(scope, "decorator_list", []), *getattr(scope, "type_params", [])]
    if isinstance(scope, ast.ClassDef):
        return parts + scope.bases + [k.value for k in scope.keywords]
    args = scope.args  # type: ignore[attr-defined]
    parts += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    for a in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
        if a is not None and a.annotation is not None:
            parts.append(a.annotation)
    returns = getattr(scope, "returns", None)
    return parts + ([returns] if returns is not None else [])


def free_names(scope: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """``(free, globals, walrus)`` of a function, class, lambda or comprehension, per Python's scoping rules: ``free``,
    the names its code (its nested scopes' included) reads or binds from the enclosing scope; ``globals``, those
    it or a nested scope declares ``global``. A function's or lambda's own names (parameters, assignment, ``for``
    and ``with`` targets, ``del``, imports, ``def``/``class``, ``except ... as``; not those declared ``global``/
    ``nonlocal``) are not free; a class's own names are not free for what it nests (methods do not see them), and
    a name a class body reads is free even when the class binds it (conservative). A comprehension's targets are
    its own; its walrus binds in the enclosing scope (free here, and returned as ``walrus``). Where unsure (``match`` patterns), a name
    stays free. One walk of the node, without its header (``_header``, evaluated where it is defined)."""
    is_class = isinstance(scope, ast.ClassDef)
    is_comprehension = isinstance(scope, COMPREHENSIONS)
    loads: set[str] = set()  # names read (or, in a comprehension, bound by a walrus)
    bound: set[str] = set()
    declared_outer: set[str] = set()  # nonlocal
    globs: set[str] = set()
    nested_free: set[str] = set()
    walrus: set[str] = set()  # a comprehension's walrus targets, its nested comprehensions' included
    read_outside: set[str] = set()  # a comprehension's first iterable, evaluated in the enclosing scope
    stack: list[ast.AST]
    if is_comprehension:
        generators = scope.generators  # type: ignore[attr-defined]
        stack = [g.iter for g in generators[1:]] + [c for g in generators for c in g.ifs]
        stack += [getattr(scope, f) for f in ("elt", "key", "value") if hasattr(scope, f)]
        read_outside.update(n.id for n in ast.walk(generators[0].iter) if isinstance(n, ast.Name))
        bound.update(n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name))
    elif isinstance(scope, ast.Lambda):
        stack = [scope.body]
    else:
        stack = list(scope.body)  # type: ignore[attr-defined]
    if not is_class and not is_comprehension:
        args = scope.args  # type: ignore[attr-defined]
        bound.update(a.arg for a in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg] if a)
    while stack:
        node = stack.pop()
        cls = node.__class__
        if cls is ast.Name:
            if node.ctx.__class__ is ast.Load:  # type: ignore[attr-defined]
                loads.add(node.id)  # type: ignore[attr-defined]
            else:
                bound.add(node.id)  # type: ignore[attr-defined]
            continue
        if cls is ast.NamedExpr and is_comprehension:
            stack.append(node.value)  # type: ignore[attr-defined]
            target = node.target  # type: ignore[attr-defined]
            if isinstance(target, ast.Name):
                walrus.add(target.id)  # binds in the enclosing scope: free here
            continue
        if cls in _NESTED_TYPES:
            free, inner_globs, inner_walrus = free_names(node)
            nested_free |= free
            globs |= inner_globs
            if is_comprehension:
                walrus |= inner_walrus
            else:
                bound |= inner_walrus
            if cls is not ast.Lambda and cls not in COMPREHENSIONS:
                bound.add(node.name)  # type: ignore[attr-defined]
            if cls not in COMPREHENSIONS:  # a comprehension's first iterable is among its free names
                stack += _header(node)
            continue
        if cls is ast.Global:
            globs.update(node.names)  # type: ignore[attr-defined]
            continue
        if cls is ast.Nonlocal:
            declared_outer.update(node.names)  # type: ignore[attr-defined]
            continue
        if cls is ast.Import or cls is ast.ImportFrom:
            bound.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")  # type: ignore[attr-defined]
            continue
        if cls is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            bound.add(node.name)  # type: ignore[attr-defined]
        stack += children(node)
    own = bound - declared_outer - globs
    if is_class:
        free = loads | nested_free | declared_outer
    else:
        free = (loads | walrus | nested_free | declared_outer) - own
    return (free | read_outside) - globs, globs, walrus


def _position(node: ast.Name) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _before(a: ast.AST, b: ast.Name) -> bool:
    return (getattr(a, "end_lineno", 0), getattr(a, "end_col_offset", 0)) <= (b.lineno, b.col_offset)


def target_path(target: ast.AST, name: str) -> Optional[list[tuple[int, int]]]:
    """[(index, length)...] leading through nested tuple targets to the one occurrence of ``name``, else None."""
    if isinstance(target, ast.Name):
        return [] if target.id == name else None
    if not isinstance(target, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in target.elts):
        return None
    found = [(i, p) for i, e in enumerate(target.elts) if (p := target_path(e, name)) is not None]
    if len(found) != 1:
        return None
    index, rest = found[0]
    return [(index, len(target.elts)), *rest]


class ItemPath(NamedTuple):
    """Where a name of a tuple target finds its item in ``value``: [(index, length)...] down nested tuples."""

    value: ast.expr
    path: list[tuple[int, int]]


def unpacked_expr(d: Def) -> Union[ast.expr, ItemPath, None]:
    """For an ``unpack`` definition by a one-target assignment: the expression of a literal tuple on the right
    that ``d.name`` receives, or the path to its item in the value on the right; else None."""
    stmt = d.node
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    path = target_path(stmt.targets[0], d.name)
    if not path:
        return None
    value, rest = stmt.value, list(path)
    while rest and isinstance(value, (ast.Tuple, ast.List)):
        index, length = rest[0]
        if len(value.elts) != length or any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        value, rest = value.elts[index], rest[1:]
    if not rest:
        return value
    return None if value is not stmt.value else ItemPath(value, path)
