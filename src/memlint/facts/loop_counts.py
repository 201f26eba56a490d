"""How many items a loop yields: a number for a literal range or display, ``DATA`` for data of unknown size
(``range(n)``, a file's lines, a reader's rows), None when memlint cannot tell; and which calls keep the items.

MEM003 and MEM004 report objects built once per item only where the items are many: a loop over data, or a
literal count large enough to matter. A loop's count may read the scope's integer constants (``N = 10**6``)
and the names it binds to opened files, gathered here too.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Literal, Optional, Union

from memlint.facts.python_numbers import int_value
from memlint.facts.syntax import single_name_assign

if TYPE_CHECKING:
    from memlint.facts.bindings import ScopeBindings
    from memlint.facts.imports import ImportMap

DATA: Literal["data"] = "data"  # a loop over data of unknown size: rows, lines, range(n)
Count = Union[int, Literal["data"], None]
DATA_METHODS = {"itertuples", "iterrows", "readlines"}
DATA_FUNCTIONS = {"csv.reader", "csv.DictReader", "itertools.product"}
FILTERED_BULK = 1000  # a filtered literal range this long or longer still counts as data
BULK_WRAPPERS = {"list", "tuple", "set", "frozenset", "sorted"}  # calls that keep every item of an iterable
ADDERS = {"append", "add", "appendleft", "insert"}  # methods that keep their argument in a container


class ScopeConstants:
    """A scope's names bound once to an integer (``ints``) or to a file or a reader over one (``opened``),
    computed on the first lookup: most loops never look a name up."""

    def __init__(self, compute: Callable[[], tuple[dict[str, int], set[str]]]):
        self._compute = compute
        self._value: Optional[tuple[dict[str, int], set[str]]] = None

    @classmethod
    def known(cls, ints: dict[str, int], opened: set[str]) -> ScopeConstants:
        return cls(lambda: (ints, opened))

    def _get(self) -> tuple[dict[str, int], set[str]]:
        if self._value is None:
            self._value = self._compute()
        return self._value

    @property
    def ints(self) -> dict[str, int]:
        return self._get()[0]

    @property
    def opened(self) -> set[str]:
        return self._get()[1]


def count_of(iterable: ast.AST, constants: ScopeConstants, imports: ImportMap) -> Count:
    """How many items a loop over this iterable yields: a number for a literal range or display,
    DATA when it walks data of unknown size (``range(n)``, rows, lines), None when unknown."""
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        return None if any(isinstance(e, ast.Starred) for e in iterable.elts) else len(iterable.elts)
    if isinstance(iterable, ast.Name) and iterable.id in constants.opened:
        return DATA  # a file or reader opened in this scope
    if not isinstance(iterable, ast.Call):
        return None
    func = iterable.func
    if (
        isinstance(func, ast.Name)
        and imports.is_builtin(func, "range")
        and not iterable.keywords
        and 1 <= len(iterable.args) <= 3
    ):
        values = [int_value(a, constants.ints) for a in iterable.args]
        known = [v for v in values if v is not None]
        if len(known) < len(values):
            return DATA
        try:
            return len(range(*known))
        except (ValueError, OverflowError):
            return None
    if (
        isinstance(func, ast.Name)
        and func.id in ("enumerate", "zip", "reversed")
        and imports.is_builtin(func, func.id)
        and iterable.args
    ):
        counts = [count_of(a, constants, imports) for a in iterable.args[: 1 if func.id != "zip" else None]]
        ints = [c for c in counts if isinstance(c, int)]
        if len(ints) == len(counts):
            return min(ints)
        return DATA if DATA in counts else None
    if (
        isinstance(func, ast.Attribute)
        and func.attr in DATA_METHODS
        or (imports.qualname(func) or "") in DATA_FUNCTIONS
        or imports.is_builtin(func, "open")
    ):
        return DATA
    return None


def combined_count(counts: Sequence[Count]) -> Count:
    """The items of nested loops: the product of their counts; DATA if one walks data of unknown size."""
    ints = [c for c in counts if isinstance(c, int)]
    if len(ints) == len(counts):
        total = 1
        for c in ints:
            total *= c
        return total
    return DATA if DATA in counts else None


def scope_constants(
    scope: ast.AST, bindings: ScopeBindings, module_constants: dict[str, int], imports: ImportMap
) -> tuple[dict[str, int], set[str]]:
    """The module's integer constants that the scope does not make its own, with its names bound once to an
    integer; and its names bound once to a file or a reader over one (``with open(p) as f``, ``rows =
    csv.reader(f)``)."""
    constants = {
        n: v
        for n, v in module_constants.items()
        if n not in bindings.of and n not in bindings.annotated and n not in bindings.declared
    }
    opened: set[str] = set()
    lookup = ScopeConstants.known({}, opened)  # what is opened before: `rows = csv.reader(f)` after `f = open(p)`
    once = [b for b in bindings.all if len(bindings.of[b.name]) == 1]
    for b in once:
        if single_name_assign(b.node) is not None and isinstance(b.node, ast.Assign):
            number = int_value(b.node.value, constants)
            if number is not None:
                constants[b.name] = number
    for b in once:
        node = b.node
        value: ast.AST
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            value = node.context_expr
        elif isinstance(node, ast.Assign) and single_name_assign(node) is not None:
            value = node.value
        else:
            continue
        if count_of(value, lookup, imports) == DATA:
            opened.add(b.name)
    return constants, opened
