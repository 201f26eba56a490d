"""Python lists built here: what every item of a list is, so that ``np.array(items)`` has a dtype.

``images = []``, then ``images.append(cv2.imread(p))`` in a loop, then ``np.array(images)``: a uint8 array of
one more dimension than the items. A name bound to a new empty list (``[]``, ``list()``, an item of a
literal tuple of them) has the value kind "list", whose ``element`` is the join of everything put into it.
The element is known only where memlint sees every use of that list object:

- in the scope that binds it (a name captured by a nested scope, or declared ``global``/``nonlocal``, gives
  nothing), and for a module-level list also in every function that reads the global name;
- each use puts an item in (``x.append(item)``, ``x.insert(i, item)``, ``x[i] = item``), takes items out
  without handing them to anything (``x.pop(0)`` or ``x.clear()`` as statements, ``del x[0]``), or reads the
  list without keeping or handing it out: ``x[i]``, ``len(x)``, ``print(x)``, a ``for`` loop or comprehension
  over it, an argument of a NumPy function (NumPy never adds to a list it is given).

Any other use (passing the list to other code, ``extend``, ``+=``, a second name) and the element is unknown.
A list nothing is put into has no element either. A list that stays empty at run time makes ``np.array``
give an empty float64 array: a dtype claimed for no data, which no finding or fix can get wrong.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Literal, Optional, Union

from memlint.facts import calls
from memlint.facts.ownership import _creates_new
from memlint.facts.values import BOTTOM, Value, join

if TYPE_CHECKING:  # the type checker reads ArrayFacts' API, which these methods call back on
    from memlint.facts.dataflow import Def
    from memlint.facts.evaluator import Evaluator
else:
    Evaluator = object

_READING_METHODS = frozenset({"index", "count"})
_REMOVING_METHODS = frozenset({"pop", "clear"})  # as statements: the items taken out go nowhere


def is_new_empty_list(expr: Optional[ast.AST], is_builtin: Callable[[ast.AST, str], bool]) -> bool:
    """``[]`` or ``list()``."""
    if isinstance(expr, ast.List):
        return not expr.elts
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id == "list"
        and not expr.args
        and not expr.keywords
        and is_builtin(expr.func, "list")
    )


def items_of(v: Value) -> Optional[Value]:
    """What each item of a list value is, when it is an array or NumPy scalar of known dtype; BOTTOM while a
    loop is iterated to its fixed point; else None."""
    element = v.element if v.kind == "list" else None
    if element is None:
        return None
    if element.kind == "bottom":
        return BOTTOM
    if element.dtype is None or element.kind not in ("ndarray", "np_scalar", "unknown"):
        return None
    return element


class ListValues(Evaluator):
    """The values of lists built by appending (mixed into ``ArrayFacts``)."""

    def items_only_read(self, name: ast.Name) -> bool:
        """The list ``name`` holds here was built here from new arrays nothing else holds
        (``lst.append(np.load(p))``), and no use of it writes an item, hands one out, or hands out the list:
        an item read from it, ``lst[0]``, is held by the list alone, and only read."""
        defs = self.reaching(name)
        if not defs or len(defs) != 1 or defs[0].kind != "assign" or defs[0].targets != 1:
            return False
        d = defs[0]
        if not is_new_empty_list(d.value, self.ctx.imports.is_builtin) or self._def_value(d).element is None:
            return False
        uses = self._list_uses(d)
        if uses is None:
            return False
        for use in uses:
            item = self._list_item(use)
            if item is False:
                return False
            if item is not None:
                if not (_creates_new(item) and self._value(item).ownership == "fresh"):
                    return False
                continue
            p = self.parent(use)
            if use is not name and not (isinstance(p, ast.Subscript) and self.reads_only(p) or _reads_whole(self, p)):
                return False
        return True

    def _list_value(self, d: Def) -> Value:
        """The value a definition binding a new empty list gives: kind "list", with the items' join."""
        uses = self._list_uses(d)
        items = []
        for use in uses or ():
            item = self._list_item(use)
            if item is False:
                return Value("list", ownership="fresh")
            if item is not None:
                items.append(item)
        if uses is None or not items:
            return Value("list", ownership="fresh")
        element = BOTTOM
        for item in items:
            element = join(element, self._value(item))
        return Value("list", ownership="fresh", element=element, length=self._list_length(d, uses))

    def _list_length(self, d: Def, uses: list[ast.Name]) -> Optional[int]:
        """How many items the list holds wherever it is read: the number of ``x.append(item)`` statements
        beside its binding (``x = []`` in the same block, no loop or branch around them alone), when every
        other use comes after the last of them in that block; else None."""
        block = self._block_of(d.node)
        if block is None:
            return None
        appends, reads = [], []
        for use in uses:
            if self._removes(use):
                return None
            p = self.parent(use)
            call = self.parent(p) if isinstance(p, ast.Attribute) and p.attr == "append" else None
            stmt = self.parent(call) if isinstance(call, ast.Call) and call.func is p else None
            if isinstance(stmt, ast.Expr):
                if self._block_of(stmt) is not block:
                    return None  # appended in a loop or a branch
                appends.append(_index(block, stmt))
            else:
                reads.append(use)
        last = max(appends, default=_index(block, d.node))
        for use in reads:
            node: Optional[ast.AST] = use
            while node is not None and not (isinstance(node, ast.stmt) and self._block_of(node) is block):
                node = self.parent(node)
            if node is None or _index(block, node) <= last:
                return None  # read before the last item is in, or elsewhere
        return len(appends)

    def _block_of(self, stmt: ast.AST) -> Optional[list]:
        """The list of statements (a body, an ``else``...) that holds ``stmt``."""
        parent = self.parent(stmt)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and _index(block, stmt) >= 0:
                return block
        return None

    def _list_uses(self, d: Def) -> Optional[list[ast.Name]]:
        """Every occurrence of the list ``d`` binds, or None when some may escape the scope's view."""
        flow = self.flow_of(d.node)
        if flow is None or flow.opaque or d.name in flow.declared:
            return None
        uses = self.uses_of(d)
        if not isinstance(flow.scope, ast.Module):
            return None if d.name in flow.captured else uses
        # a module-level list: functions that read the global name use it too
        seen = {id(u) for u in uses}
        for node in self._loads_of(d.name):
            if id(node) in seen:
                continue
            if self.scope_of(node) is flow.scope:
                continue  # a use another binding of the module reaches
            bound = self._bound_in_enclosing_function(node, d.name)
            if bound is None:
                return None
            if not bound:
                uses.append(node)
        return uses

    def _loads_of(self, name: str) -> list:
        """Every load of ``name`` in the file (indexed once per file: a module may bind many lists)."""
        index = self.__dict__.get("_name_loads")
        if index is None:
            index = self.__dict__["_name_loads"] = {}
            for node in self.ctx.nodes(ast.Name):
                if isinstance(node.ctx, ast.Load):
                    index.setdefault(node.id, []).append(node)
        return index.get(name, [])

    def _bound_in_enclosing_function(self, node: ast.AST, name: str) -> Optional[bool]:
        """Whether a function around ``node`` binds ``name`` (then it is another variable); None when one
        declares it ``global``/``nonlocal``, or a class body or comprehension holds ``node`` (not followed)."""
        while True:
            flow = self.flow_of(node)
            if flow is None:
                return None
            if isinstance(flow.scope, ast.Module):
                return False
            if flow.opaque or name in flow.declared:
                return None
            if name in flow.defs_of:
                return True
            node = flow.scope

    def _list_item(self, use: ast.Name) -> Union[ast.expr, None, Literal[False]]:
        """The expression ``use`` puts into the list; None for a use that only reads it or takes items out
        (``_removes``); False otherwise."""
        p = self.parent(use)
        if isinstance(p, ast.Attribute) and p.value is use:
            call = self.parent(p)
            if not (isinstance(call, ast.Call) and call.func is p) or call.keywords:
                return False
            if any(isinstance(a, ast.Starred) for a in call.args):
                return False
            if p.attr == "append" and len(call.args) == 1:
                return call.args[0]
            if p.attr == "insert" and len(call.args) == 2:
                return call.args[1]
            return None if p.attr in _READING_METHODS or self._removes(use) else False
        if isinstance(p, ast.Subscript) and p.value is use:
            if isinstance(p.ctx, (ast.Load, ast.Del)):
                return None
            stmt = self.parent(p)
            if (
                isinstance(p.ctx, ast.Store)
                and not isinstance(p.slice, ast.Slice)
                and isinstance(stmt, ast.Assign)
                and stmt.targets == [p]
            ):
                return stmt.value
            return False
        if isinstance(p, ast.Call) and any(a is use for a in p.args):
            q = self.ctx.qualname(p.func)
            if q is not None and q.startswith("numpy."):
                return None
            return None if _builtin_reading(self, p.func) else False
        if isinstance(p, (ast.For, ast.AsyncFor, ast.comprehension)) and p.iter is use:
            return None
        return False

    def _removes(self, use: ast.Name) -> bool:
        """``x.pop(...)`` or ``x.clear()`` as a statement, or ``del x[i]``: items leave the list (its length
        changes), and none is handed to anything."""
        p = self.parent(use)
        if isinstance(p, ast.Subscript) and p.value is use:
            return isinstance(p.ctx, ast.Del)
        if not (isinstance(p, ast.Attribute) and p.value is use and p.attr in _REMOVING_METHODS):
            return False
        call = self.parent(p)
        return (
            isinstance(call, ast.Call)
            and call.func is p
            and not call.keywords
            and isinstance(self.parent(call), ast.Expr)
        )


def _index(block: list, stmt: ast.AST) -> int:
    """The position of ``stmt`` (the object itself) in ``block``, or -1."""
    return next((i for i, s in enumerate(block) if s is stmt), -1)


def _reads_whole(facts: Evaluator, p: Optional[ast.AST]) -> bool:
    """``len(lst)``, ``print(lst)``: the list is read, no item handed out."""
    return isinstance(p, ast.Call) and _builtin_reading(facts, p.func)


def _builtin_reading(facts: Evaluator, func: ast.expr) -> bool:
    """``len``, ``print``, ``repr``...: a builtin (the file never binds the name) that ``calls.toml`` says reads
    its arguments at once, keeping none of them (so handing out no item of a list)."""
    return (
        isinstance(func, ast.Name)
        and facts.ctx.imports.is_builtin(func, func.id)
        and calls.reads_without_keeping("builtins." + func.id)
    )
