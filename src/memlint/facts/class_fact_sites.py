"""Where a class fact can start in a file, found from the file's shared walk (``ctx.nodes``) without walking
any scope: attribute stores, the calls that keep items in bulk or reach into an object, pickling with an old
protocol. The scope walk of ``class_facts`` skips every statement whose lines hold none of them (in most files
nearly all), and a class's methods are read from these nodes alone.
"""

from __future__ import annotations

import ast
import bisect
import functools
import sys
from typing import TYPE_CHECKING

from memlint.facts.instance_uses import may_call_weakref, old_protocol_pickles
from memlint.facts.loop_counts import ADDERS, BULK_WRAPPERS
from memlint.facts.syntax import first_line

if TYPE_CHECKING:
    from memlint.context import FileContext

# the calls a fact or a method's scan starts from (names, and methods of any object)
_SITE_CALL_NAMES = BULK_WRAPPERS | {"setattr", "vars", "super"}
_SITE_CALL_METHODS = ADDERS | {"__setattr__"}


class ClassFactSites:
    """The nodes of one file where a class fact can start (a superset), each kind in walk order."""

    def __init__(self, ctx: FileContext):
        self.ctx = ctx

    @functools.cached_property
    def may_call_weakref(self) -> bool:
        return may_call_weakref(self.ctx)

    @functools.cached_property
    def old_pickles(self) -> list[ast.Call]:
        return old_protocol_pickles(self.ctx)

    @functools.cached_property
    def attributes(self) -> list[ast.Attribute]:
        """Attributes stored (on any object) or named ``__dict__``, in walk order: where attributes are added."""
        return [
            node for node in self.ctx.nodes(ast.Attribute) if type(node.ctx) is ast.Store or node.attr == "__dict__"
        ]

    @functools.cached_property
    def calls(self) -> list[ast.Call]:
        """Calls that may keep items in bulk or reach into an object (setattr, vars, super...), in walk order.
        In a file that may call into weakref, every call (which one is weakref's is a question of names)."""
        calls: list[ast.Call] = self.ctx.nodes(ast.Call)
        if self.may_call_weakref:
            return calls
        return [
            node
            for node in calls
            if type(node.func) is ast.Name
            and node.func.id in _SITE_CALL_NAMES
            or type(node.func) is ast.Attribute
            and node.func.attr in _SITE_CALL_METHODS
        ]

    @functools.cached_property
    def lines(self) -> list[int]:
        """Sorted lines of every node a bulk, record or outside fact can start from (a superset).

        The scope walk skips each statement whose lines hold none of them: in most files that is nearly all.
        """
        ctx = self.ctx
        lines = set()
        for node in ctx.nodes(ast.ListComp, ast.SetComp, ast.DictComp):
            if type(node.value if type(node) is ast.DictComp else node.elt) in (ast.Call, ast.Tuple, ast.Dict):
                lines.add(node.lineno)
        weakref = self.may_call_weakref  # then any call may be weakref's (under any name)
        for call in self.calls:
            func = call.func
            if (
                not weakref
                and isinstance(func, ast.Name)
                and (
                    func.id == "super"
                    or func.id in BULK_WRAPPERS
                    and not (len(call.args) == 1 and type(call.args[0]) in (ast.GeneratorExp, ast.Call))
                )
            ):
                continue  # super() makes no fact; list(x) only keeps a generator's or map()'s items
            lines.add(call.lineno)
        for attribute in self.attributes:
            lines.add(attribute.lineno)
        for call in self.old_pickles:
            lines.add(call.lineno)
        for assign in ctx.nodes(ast.Assign):  # `rows[i] = C(...)` in a loop
            if type(assign.value) is ast.Call and any(type(t) is ast.Subscript for t in assign.targets):
                lines.add(assign.lineno)
        if sys.version_info < (3, 12):
            # before 3.12 the parts of an f-string get positions computed apart: trust only the f-string's
            for string in ctx.nodes(ast.JoinedStr):
                if any(type(v) is ast.FormattedValue for v in string.values):
                    lines.update(range(string.lineno, (string.end_lineno or string.lineno) + 1))
        return sorted(lines)

    def may_hold_facts(self, stmt: ast.AST) -> bool:
        """Does this statement span a line of ``lines`` (decorators included)?"""
        lines = self.lines
        i = bisect.bisect_left(lines, first_line(stmt))
        return i < len(lines) and lines[i] <= getattr(stmt, "end_lineno", 0)
