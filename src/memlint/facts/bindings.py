"""Which names a scope binds, where and how often, by Python 3's scoping rules: the one answer the facts share
(pyflakes' model of bindings and scopes, reduced to what they ask).

A scope is a module, a function, a lambda, a class body or a comprehension. Its code is its own statements and
expressions, not the bodies of the functions, classes and lambdas it defines; it holds its comprehensions, whose
targets bind in the comprehension (``scope_bindings`` of the comprehension: layered on the enclosing scope)
while a walrus in them binds in the enclosing function. A name is bound by a parameter, an assignment target
(plain, augmented, annotated with a value), a ``for``/``with``/``except ... as`` target, a walrus (also in the
decorators and defaults of a function defined here, evaluated here), an import, ``def``/``class``, ``del``, a
``match`` capture or ``type X = ...``. A bare annotation (``x: int``) binds nothing but makes the name local
(``annotated``). A name declared ``global`` or ``nonlocal`` is another scope's (``declared``): its bindings here
are not this scope's (``rebound`` names them); at module level ``global`` changes nothing.

The class facts read it (each function's names in ``class_names``, each class body's in ``class_definitions`` and
``record_fields``), and so does the data flow's question whether a scope binds a name it declares ``global``
(``dataflow._binds``); ``dataflow.ScopeFlow`` records the same bindings as definitions in control-flow order.
"""

from __future__ import annotations

import ast
from typing import NamedTuple, Optional, Union

from memlint.facts.syntax import names_in_target, walk_scope
from memlint.facts.tree import COMPREHENSIONS, OWN_SCOPE

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MATCH_CAPTURES = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(ast, n))
_TYPE_ALIAS = getattr(ast, "TypeAlias", None)  # Python 3.12
ScopeNode = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.expr]


class Binding(NamedTuple):
    """One binding of ``name``: ``node`` binds it (an ``ast.arg``, an Assign, AugAssign, AnnAssign, For,
    AsyncFor, withitem, NamedExpr, comprehension, Import, ImportFrom, def, ClassDef, ExceptHandler, Delete, match
    pattern or TypeAlias); ``target`` is the target expression holding the name (one of an Assign's targets, a
    ``for``'s whole target), None where the name is not spelt in an expression (parameters, imports, ``def``)."""

    name: str
    node: ast.AST
    target: Optional[ast.expr] = None


class ScopeBindings:
    """The bindings of one scope, from one walk of its code (``nodes``, which ``walk_scope`` gives)."""

    __slots__ = ("nodes", "all", "of", "annotated", "declared", "rebound", "star_import")

    def __init__(self, scope: ScopeNode, nodes: Optional[list[ast.AST]] = None):
        """``nodes``: the scope's nodes when already walked (``walk_scope`` of its body)."""
        if nodes is None:
            nodes = walk_scope(_code(scope))
        self.nodes = nodes
        found: list[Binding] = []
        self.annotated: set[str] = set()  # bare annotations: local, bound by nothing here
        self.declared: set[str] = set()  # global / nonlocal
        self.star_import = False
        module = isinstance(scope, ast.Module)
        if isinstance(scope, (*_FUNCTIONS, ast.Lambda)):
            args = scope.args
            for a in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
                if a is not None:
                    found.append(Binding(a.arg, a))
        if isinstance(scope, COMPREHENSIONS):
            for generator in scope.generators:
                found += [Binding(n, generator, generator.target) for n in names_in_target(generator.target)]
        else:
            for node in nodes:
                cls = node.__class__
                if cls not in _BINDERS:
                    continue
                if cls is ast.Assign:
                    for t in node.targets:  # type: ignore[attr-defined]
                        found += [Binding(n, node, t) for n in names_in_target(t)]
                elif cls in _ONE_TARGET:
                    target = node.optional_vars if cls is ast.withitem else node.target  # type: ignore[attr-defined]
                    if target is None:
                        continue
                    if cls is ast.AnnAssign and node.value is None:  # type: ignore[attr-defined]
                        self.annotated.update(names_in_target(target))
                    elif cls is not ast.AugAssign or target.__class__ is ast.Name:
                        found += [Binding(n, node, target) for n in names_in_target(target)]
                elif cls is ast.Import or cls is ast.ImportFrom:
                    for alias in node.names:  # type: ignore[attr-defined]
                        if alias.name == "*":
                            self.star_import = True
                        else:
                            found.append(Binding((alias.asname or alias.name).split(".")[0], node))
                elif cls in OWN_SCOPE:
                    if cls is not ast.Lambda:
                        found.append(Binding(node.name, node))  # type: ignore[attr-defined]
                    found += _header_walruses(node)
                elif cls is ast.ExceptHandler:
                    if node.name:  # type: ignore[attr-defined]
                        found.append(Binding(node.name, node))  # type: ignore[attr-defined]
                elif cls is ast.Delete:
                    for t in node.targets:  # type: ignore[attr-defined]
                        found += [Binding(n, node, t) for n in names_in_target(t)]
                elif cls is ast.Global or cls is ast.Nonlocal:
                    if not module:  # `global` at module level changes nothing
                        self.declared.update(node.names)  # type: ignore[attr-defined]
                elif cls is _TYPE_ALIAS:
                    found.append(Binding(node.name.id, node, node.name))  # type: ignore[attr-defined]
                else:  # a match pattern's capture
                    name = getattr(node, "rest" if cls.__name__ == "MatchMapping" else "name", None)
                    if name:
                        found.append(Binding(name, node))
        declared = self.declared
        self.rebound = {b.name for b in found if b.name in declared} if declared else set()
        self.all = [b for b in found if b.name not in declared] if declared else found  # in walk order
        of: dict[str, list[Binding]] = {}
        for b in self.all:
            bs = of.get(b.name)
            if bs is None:
                of[b.name] = [b]
            else:
                bs.append(b)
        self.of = of

    def count(self, name: str) -> int:
        """How many times this scope binds ``name`` (parameters, ``del`` and each target included)."""
        return len(self.of.get(name, ()))

    def is_local(self, name: str) -> bool:
        """Is ``name`` this scope's own (bound or annotated here, not declared another scope's)?"""
        return (name in self.of or name in self.annotated) and name not in self.declared


_ONE_TARGET = frozenset({ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr})
_BINDERS = frozenset(
    {
        ast.Assign,
        *_ONE_TARGET,
        ast.Import,
        ast.ImportFrom,
        *OWN_SCOPE,
        ast.ExceptHandler,
        ast.Delete,
        ast.Global,
        ast.Nonlocal,
        *_MATCH_CAPTURES,
        *([_TYPE_ALIAS] if _TYPE_ALIAS is not None else []),
    }
)


def _code(scope: ScopeNode) -> list:
    """What ``walk_scope`` walks of a scope: a lambda's body, a comprehension's parts."""
    if isinstance(scope, ast.Lambda):
        return [scope.body]
    if isinstance(scope, COMPREHENSIONS):
        parts = [getattr(scope, f) for f in ("elt", "key", "value") if hasattr(scope, f)]
        return parts + list(scope.generators)
    return list(scope.body)  # type: ignore[union-attr]


def _header_walruses(node: ast.AST) -> list[Binding]:
    """The walruses of a function's, class's or lambda's decorators and defaults (and a class's bases): they are
    evaluated, and bind, in the scope defining it (``def f(x=(n := 3))`` binds ``n`` there)."""
    parts = list(getattr(node, "decorator_list", ()))
    if isinstance(node, ast.ClassDef):
        parts += node.bases + [k.value for k in node.keywords]
    else:
        args = node.args  # type: ignore[attr-defined]
        parts += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if not parts:
        return []
    return [
        Binding(n.target.id, n, n.target)
        for n in walk_scope(parts)
        if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)
    ]
