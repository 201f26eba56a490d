"""What code outside a class does to its instances that ``__slots__`` would break: setting attributes the class
never sets (``p.extra = 1``, ``setattr(p, name, v)``), reading ``vars(p)`` or ``p.__dict__``, taking weak
references, and pickling with protocol 0 or 1 (which refuses a slotted class without ``__getstate__``).

Each use is recorded as an ``OutsideFact`` naming the class when memlint knows it (``cls`` None: any class);
the class index joins them over the project, and MEM003 refuses a fix for a class with such evidence.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.facts.python_numbers import is_number
from memlint.facts.syntax import is_name, is_object_setattr

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.class_names import ClassNames, ScopeNames
    from memlint.facts.class_schema import OutsideFact

WEAK_CONTAINERS = {"weakref.WeakSet", "weakref.WeakValueDictionary", "weakref.WeakKeyDictionary"}
# Pickle protocols 0 and 1 refuse a class with __slots__ and no __getstate__ (TypeError, CPython 3.11):
# the calls that take a protocol, and its position among their arguments
PICKLERS = {"pickle", "_pickle", "cloudpickle", "dill"}
PROTOCOL_ARG = {"dumps": 1, "dump": 2, "Pickler": 1}
OLD_PICKLE = "<pickled with protocol 0 or 1>"  # the pseudo-attribute an outside fact records for it


def may_call_weakref(ctx: FileContext) -> bool:
    """Can a call of this file be weakref's (under any name)?"""
    return "weakref" in ctx.imports.modules or ctx.module_name.split(".")[0] == "weakref"


def old_protocol_pickles(ctx: FileContext) -> list[ast.Call]:
    """Calls that pickle with a protocol that may be 0 or 1: a literal below 2 or one chosen at run time."""
    if not ctx.imports.imports_any(PICKLERS):
        return []
    found = []
    for node in ctx.nodes(ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        position = PROTOCOL_ARG.get(name or "")
        if position is None or (ctx.qualname(func) or "").split(".")[0] not in PICKLERS:
            continue
        protocol = (
            node.args[position]
            if len(node.args) > position
            else next((k.value for k in node.keywords if k.arg == "protocol"), None)
        )
        if protocol is not None and not is_new_protocol(protocol):
            found.append(node)
    return found


def is_new_protocol(node: ast.AST) -> bool:
    """Is this pickle protocol certainly 2 or more? A literal >= 2 (or -1: the highest, None: the default), or
    the pickle module's HIGHEST_PROTOCOL / DEFAULT_PROTOCOL."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return bool(node.operand.value == 1)
    if isinstance(node, ast.Constant):
        return node.value is None or type(node.value) is int and node.value >= 2  # None: the default
    return isinstance(node, ast.Attribute) and node.attr in ("HIGHEST_PROTOCOL", "DEFAULT_PROTOCOL")


class InstanceUses:
    """Records the uses of instances from outside their class, as the scope walk meets them (``found``)."""

    def __init__(self, names: ClassNames, old_pickles: list[ast.Call], weakref: bool):
        self.names = names
        self.old_pickles = old_pickles
        self.weakref = weakref  # may a call of the file be weakref's
        self.found: list[OutsideFact] = []

    def receiver_class(self, node: ast.AST, scope: ScopeNames) -> Optional[str]:
        """The class of an object known to be an instance: a typed local, or a call ``C(...)`` itself."""
        if isinstance(node, ast.Name):
            return scope.typed.get(node.id) if scope.may_type(node.id) else None
        if isinstance(node, ast.Call):
            return self.names.qualname(node.func)
        return None

    def attribute(
        self,
        receiver: ast.AST,
        attr: str,
        node: ast.AST,
        scope: ScopeNames,
        self_name: Optional[str],
        value: Optional[ast.AST] = None,
    ) -> Optional[OutsideFact]:
        """``attr`` is set (or ``__dict__`` reached) on ``receiver`` at ``node``; ``value``: what is stored."""
        if is_name(receiver, self_name):
            return None  # the instance in its own method: in the class's facts
        cls = self.receiver_class(receiver, scope)
        if cls is None:
            q = self.names.qualname(receiver)
            if q is not None:  # a module, function or class object: only a class matters, in the index
                cls, attr = q, "class attribute " + attr
        fact: OutsideFact = {"cls": cls, "attr": attr, "line": getattr(node, "lineno", 0)}
        self.found.append(fact)
        return fact

    def store(
        self, target: ast.AST, scope: ScopeNames, self_name: Optional[str], value: Optional[ast.AST] = None
    ) -> None:
        """An assignment target: attributes stored on objects, also inside tuple targets. ``value``: what the
        target receives (None: not known, as for an item of a tuple target); an augmented assignment's target
        is its own operand."""
        if isinstance(target, ast.Attribute):
            fact = self.attribute(target.value, target.attr, target, scope, self_name)
            if fact is not None:
                fact["number_if"] = self._number_if(target, value, scope)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for e in target.elts:
                self.store(e, scope, self_name)
        elif isinstance(target, ast.Starred):
            self.store(target.value, scope, self_name)

    def _number_if(self, target: ast.Attribute, value: Optional[ast.AST], scope: ScopeNames) -> Optional[list[str]]:
        """Is ``value`` a number, given the attributes it reads of the object it is stored on (``p.x += p.vx *
        dt``: if ``x`` and ``vx`` are numbers)? Those attributes, or None when it is not known to be one."""
        if value is None:
            return None
        receiver = target.value
        read = sorted(
            {
                n.attr
                for n in ast.walk(value)
                if isinstance(n, ast.Attribute) and isinstance(receiver, ast.Name) and is_name(n.value, receiver.id)
            }
        )
        numeric = (
            scope.numeric | {f"{receiver.id}.{a}" for a in read} if isinstance(receiver, ast.Name) else scope.numeric
        )
        return read if is_number(value, numeric, self.names.imports) else None

    def call(self, node: ast.Call, scope: ScopeNames, self_name: Optional[str]) -> None:
        """A call that may pickle, weakly reference or reach into an object."""
        func, args = node.func, node.args
        if node in self.old_pickles:
            # the object dumped; what `Pickler(f, 0)` dumps later is not followed
            callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            obj = args[0] if args and callee != "Pickler" else None
            if not isinstance(obj, ast.Constant):
                cls = None if obj is None else self.receiver_class(obj, scope)
                self.found.append({"cls": cls, "attr": OLD_PICKLE, "line": node.lineno})
        if not args:
            if self.weakref and self.names.ctx.qualname(func) in WEAK_CONTAINERS:
                self._weakly_referenced(None, node)
            return
        if isinstance(func, ast.Name) and func.id in ("setattr", "vars") or is_object_setattr(func):
            if isinstance(func, ast.Name) and func.id == "vars":
                self.attribute(args[0], "__dict__", node, scope, self_name)
            elif len(args) >= 2:
                second = args[1]
                name = second.value if isinstance(second, ast.Constant) and isinstance(second.value, str) else "*"
                self.attribute(args[0], name, node, scope, self_name)
            return
        q = self.names.ctx.qualname(func) or ""
        if q in WEAK_CONTAINERS:
            self._weakly_referenced(None, node)  # what is put in it later is not followed
        elif q.startswith("weakref.") and not is_name(args[0], self_name):  # self: in the class's facts
            self._weakly_referenced(self.receiver_class(args[0], scope), node)

    def _weakly_referenced(self, cls: Optional[str], node: ast.Call) -> None:
        """Instances of ``cls`` (None: of any class, as far as memlint can tell) are weakly referenced here."""
        self.found.append({"cls": cls, "attr": "__weakref__", "line": node.lineno})
