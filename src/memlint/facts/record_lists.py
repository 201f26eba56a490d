"""MEM004's facts: lists of small numeric records built in bulk. A record is a tuple or a dict of numbers
(``(x, y)``, ``{"x": x, "y": y}``) or an instance of a class called with numbers (``Point(x, y)``); the list is
built by a kept list comprehension or by appends in a loop, over data or many items.

Whether a class's instances are records is the class index's question (its fields); here only the call and its
arguments are recorded.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Optional, Union

from memlint.facts.loop_counts import DATA, Count
from memlint.facts.python_numbers import is_number, numbers_reaching
from memlint.facts.syntax import is_name, walk_scope

if TYPE_CHECKING:
    from memlint.facts.bindings import ScopeBindings
    from memlint.facts.class_names import ClassNames, ScopeNames
    from memlint.facts.class_schema import Record
    from memlint.facts.imports import ImportMap

Loop = Union[ast.For, ast.AsyncFor, ast.While, ast.comprehension]


class RecordLists:
    """Records the lists of records one file builds (``found``), as the scope walk meets them."""

    def __init__(self, names: ClassNames):
        self.names = names
        self.found: list[Record] = []

    def may_be_record(self, element: ast.AST) -> bool:
        """Can this element make a record? Asked first: what follows may need the scope's names."""
        if isinstance(element, (ast.Tuple, ast.Dict)):
            items = element.elts if isinstance(element, ast.Tuple) else element.values
            return len(items) >= 2 and not all(isinstance(e, ast.Constant) for e in items)
        return isinstance(element, ast.Call) and self.names.qualname(element.func) is not None

    def record(
        self,
        site: ast.AST,
        element: ast.AST,
        how: str,
        count_items: Callable[[], Count],
        scope: ScopeNames,
        loops: Sequence[Loop],
    ) -> None:
        """A list (built at ``site``) whose items are this element expression, once per item of ``loops`` (the
        enclosing loops, then the comprehension's own generators) as ``count_items()`` counts them."""
        names = self.names
        if not self.may_be_record(element):
            return
        count = count_items()
        if count is None:
            return
        if count == DATA and isinstance(element, ast.Tuple) and self._index_combinations(element, loops):
            return  # `(i, j)` for i, j in range(n): index combinations sized by a dimension, used whole
        position = names.position(site)
        if any(r["line"] == position["line"] and r["col"] == position["col"] for r in self.found):
            return  # one finding per list
        source = names.ctx.source
        record: Record = {
            **position,
            "how": how,
            "count": None if count == DATA else count,
            "snippet": f"{source.segment(site)[:200]} <- {source.segment(element)[:200]}",
            "kind": "tuple",
        }
        imports = names.imports
        numeric = scope.numeric
        flow = names.ctx.arrays.flow_of(element)
        if flow is not None and not flow.opaque:
            numeric = numeric | numbers_reaching(element, flow, numeric, imports)
        if isinstance(element, ast.Tuple):
            if all(is_number(e, numeric, imports) for e in element.elts):
                self.found.append({**record, "kind": "tuple", "fields": len(element.elts)})
        elif isinstance(element, ast.Dict):
            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in element.keys) and all(
                is_number(v, numeric, imports) for v in element.values
            ):
                self.found.append({**record, "kind": "dict", "fields": len(element.keys)})
        elif isinstance(element, ast.Call):
            if any(isinstance(a, ast.Starred) for a in element.args) or any(k.arg is None for k in element.keywords):
                return
            self.found.append(
                {
                    **record,
                    "kind": "class",
                    "cls": names.qualname(element.func),
                    "numeric_args": [is_number(a, numeric, imports) for a in element.args],
                    "numeric_kwargs": [
                        k.arg for k in element.keywords if k.arg and is_number(k.value, numeric, imports)
                    ],
                    "kwargs": [k.arg for k in element.keywords if k.arg],
                }
            )

    def gets_only_records(
        self, name: str, element: ast.AST, nodes: Sequence[ast.AST], own_append: Optional[ast.Call] = None
    ) -> bool:
        """Does the list bound to ``name`` get no other item than records like ``element`` (among the scope's
        ``nodes``)? A list that also gets a header, a None or items of unknown shape (``extend``, ``insert``,
        ``+=``, ``rows[i] = ...``, another ``append``) cannot simply become columns. ``own_append``: the append
        that made the record."""
        for node in nodes:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_name(node.func.value, name):
                attr = node.func.attr
                if attr in ("extend", "insert", "__setitem__", "__iadd__"):
                    return False
                if attr == "append" and node is not own_append:
                    if not node.args or not self._same_shape(node.args[-1], element):
                        return False
            elif isinstance(node, ast.AugAssign) and is_name(node.target, name):
                return False
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and is_name(node.value, name):
                return False
        return True

    def _same_shape(self, item: ast.AST, element: ast.AST) -> bool:
        """Is ``item`` a record of ``element``'s shape: a tuple as long, a dict with the same keys, a call of the
        same class?"""
        if isinstance(item, ast.Tuple) and isinstance(element, ast.Tuple):
            return len(item.elts) == len(element.elts)
        if isinstance(item, ast.Dict) and isinstance(element, ast.Dict):
            keys = [k.value if isinstance(k, ast.Constant) else None for k in item.keys]
            return None not in keys and keys == [k.value if isinstance(k, ast.Constant) else None for k in element.keys]
        if isinstance(item, ast.Call) and isinstance(element, ast.Call):
            callee = self.names.qualname(item.func)
            return callee is not None and callee == self.names.qualname(element.func)
        return False

    def _index_combinations(self, element: ast.Tuple, loops: Sequence[Loop]) -> bool:
        """Is every item of this tuple a constant or the bare counter of an enclosing ``range`` loop, kept
        whatever the data holds (no condition reads an item or calls)? ``(i, j)`` where ``A[i, j]`` is
        non-zero is data: its count is the data's."""
        imports = self.names.imports
        counters = set()
        for loop in loops:
            if isinstance(loop, ast.While):
                continue
            it = loop.iter
            if (
                isinstance(it, ast.Call)
                and isinstance(it.func, ast.Name)
                and imports.is_builtin(it.func, "range")
                and isinstance(loop.target, ast.Name)
            ):
                counters.add(loop.target.id)
        if not all(isinstance(e, ast.Constant) or isinstance(e, ast.Name) and e.id in counters for e in element.elts):
            return False
        conditions = [test for loop in loops if isinstance(loop, ast.comprehension) for test in loop.ifs]
        statement_loops = [loop for loop in loops if not isinstance(loop, ast.comprehension)]
        if statement_loops:  # the `if` statements around the element, inside the loops
            conditions += [
                n.test
                for n in walk_scope(statement_loops[0].body)
                if isinstance(n, (ast.If, ast.While)) and n.lineno <= element.lineno <= (n.end_lineno or n.lineno)
            ]
        return not any(isinstance(n, (ast.Subscript, ast.Call)) for test in conditions for n in ast.walk(test))


def empty_lists(bindings: ScopeBindings, imports: ImportMap) -> dict[str, ast.AST]:
    """The scope's names bound to an empty list (``[]`` or ``list()``), with where: the assignment (``rows =
    []``, ``rows: list[tuple[float, float]] = []``), or the list's own ``[]`` in ``xs, ys = [], []``."""

    def is_empty_list(v: Optional[ast.AST]) -> bool:
        return (
            isinstance(v, ast.List)
            and not v.elts
            or isinstance(v, ast.Call)
            and imports.is_builtin(v.func, "list")
            and not v.args
            and not v.keywords
        )

    found: dict[str, ast.AST] = {}
    for b in bindings.all:
        node, target = b.node, b.target
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            if isinstance(target, ast.Name) and is_empty_list(node.value):
                found[b.name] = node
            elif (
                isinstance(target, ast.Tuple)
                and isinstance(node.value, ast.Tuple)
                and len(target.elts) == len(node.value.elts)
            ):
                for t, value in zip(target.elts, node.value.elts):
                    if isinstance(t, ast.Name) and t.id == b.name and is_empty_list(value):
                        found[b.name] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(target, ast.Name) and is_empty_list(node.value):
            found[b.name] = node
    return found
