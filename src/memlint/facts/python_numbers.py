"""Which expressions are certainly Python ``int`` or ``float`` objects, and which integer values names hold.

MEM004 prices a record by its number objects (24 bytes each), so it asks whether every field of a record is a
number; loop counts ask the integer value of ``range(N)``'s arguments; the array facts ask which functions
return Python numbers (``NUMBER_FUNCTIONS``). Names are resolved through the file's
imports: ``float(x)`` is a number only where ``float`` is the builtin.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Optional, Union

from memlint.facts.syntax import annotation_name

if TYPE_CHECKING:
    from memlint.facts.bindings import ScopeBindings
    from memlint.facts.dataflow import Def, ScopeFlow
    from memlint.facts.imports import ImportMap
    from memlint.facts.kinds import PyType

_NO_CONSTANTS: Mapping[str, object] = MappingProxyType({})
NUMBER_TYPES = {"int", "float"}
NUMBER_FUNCS = {"float", "int", "len", "abs", "round", "ord"}
# The functions of `math` and `random` that return a Python number for number arguments, with its type
# (CPython 3.9-3.13 documentation; `math.floor` & co. return an int for a float, the predicates a bool).
# `random.choice`, `sample`, `shuffle`, `Random`, `SystemRandom`... are left out: they return other things.
_MATH_FLOATS = """sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 sinh cosh tanh
    asinh acosh atanh radians degrees hypot fabs fmod pow copysign erf erfc gamma lgamma ldexp remainder
    nextafter ulp fma"""
_RANDOM_FLOATS = """random uniform gauss normalvariate lognormvariate expovariate vonmisesvariate gammavariate
    betavariate paretovariate weibullvariate triangular"""
NUMBER_FUNCTIONS: dict[str, PyType] = {
    **{f"math.{f}": "float" for f in _MATH_FLOATS.split()},
    **{f"math.{f}": "int" for f in "floor ceil trunc factorial gcd lcm isqrt comb perm".split()},
    **{f"math.{f}": "bool" for f in "isnan isinf isfinite isclose".split()},
    **{f"random.{f}": "float" for f in _RANDOM_FLOATS.split()},
    **{f"random.{f}": "int" for f in "randint randrange getrandbits binomialvariate".split()},
}


def is_number(node: ast.AST, numeric: set[str], imports: ImportMap) -> bool:
    """Is this expression certainly a Python int or float? ``numeric``: the local names that only hold numbers
    (and attributes, spelt ``"self.x"``, known to)."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.Name):
        return node.id in numeric
    if isinstance(node, ast.Attribute):  # `numeric` may name attributes too: "self.x", "Boid.SPEED"
        return isinstance(node.value, ast.Name) and f"{node.value.id}.{node.attr}" in numeric
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_number(node.operand, numeric, imports)
    if isinstance(node, ast.IfExp):
        return is_number(node.body, numeric, imports) and is_number(node.orelse, numeric, imports)
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
        return is_number(node.left, numeric, imports) and is_number(node.right, numeric, imports)
    if isinstance(node, ast.Call) and not node.keywords:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in NUMBER_FUNCS
            and imports.is_builtin(node.func, node.func.id)
        ):
            return len(node.args) <= 1 and (
                node.func.id not in ("abs", "round") or all(is_number(a, numeric, imports) for a in node.args)
            )
        if imports.qualname(node.func) in NUMBER_FUNCTIONS:
            return all(is_number(a, numeric, imports) for a in node.args)
    return False


# how a name is bound, for ``numeric_names``: an expression, a `range` loop, an int/float annotation, or unknown
_Binding = Union[ast.AST, str, None]


def numeric_names(scope: ast.AST, bindings: ScopeBindings, imports: ImportMap) -> set[str]:
    """Local names that only ever hold numbers: loop variables over ``range``, parameters that hold numbers and
    names assigned only numeric expressions (``del`` binds no other object)."""
    names: set[str] = set()
    values: dict[str, list[_Binding]] = {}
    args = getattr(scope, "args", None)
    numbers = number_params(args) if args is not None else set()
    unpacked: dict[int, dict[str, _Binding]] = {}  # id(tuple target) -> what each of its names gets
    for b in bindings.all:
        node, target = b.node, b.target
        value: _Binding = None
        if isinstance(node, ast.arg):
            value = "number" if b.name in numbers else None
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            it = node.iter
            ranged = isinstance(it, ast.Call) and imports.is_builtin(it.func, "range")
            value = "range" if ranged and isinstance(target, ast.Name) else None
        elif isinstance(node, ast.Assign) and target is not None:
            if isinstance(target, ast.Name):
                value = node.value
            else:
                items = unpacked.get(id(target))
                if items is None:
                    items = unpacked[id(target)] = _unpacked(target, node.value, imports)
                value = items.get(b.name)
        elif isinstance(node, ast.AnnAssign):
            value = node.value
        elif isinstance(node, ast.Delete):
            continue
        values.setdefault(b.name, []).append(value)
    changed = True
    while changed:
        changed = False
        for n, found in values.items():
            if n in names:
                continue
            if all(v in ("range", "number") or isinstance(v, ast.AST) and is_number(v, names, imports) for v in found):
                names.add(n)
                changed = True
    return names


def numbers_reaching(node: ast.AST, flow: ScopeFlow, numeric: set[str], imports: ImportMap) -> set[str]:
    """The names loaded in ``node`` that hold numbers there: every definition reaching the load binds one
    (``x, y = map(int, line.split())`` reaches ``(x, y)`` in the loop, though ``for x, y in pairs`` later
    rebinds both and takes them out of ``numeric``, the names that hold numbers everywhere in the scope)."""
    found = set()
    for load in ast.walk(node):
        if isinstance(load, ast.Name) and isinstance(load.ctx, ast.Load) and load.id not in numeric:
            defs = flow.reaching(load)
            if defs and all(_binds_number(d, numeric, imports) for d in defs):
                found.add(load.id)
    return found


def _binds_number(d: Def, numeric: set[str], imports: ImportMap) -> bool:
    """Does this definition bind its name to a number: ``n = <number>``, ``x, y = map(int, ...)`` or the
    counter of a ``range`` loop?"""
    node = d.node
    if d.kind == "assign" and d.value is not None:
        return is_number(d.value, numeric, imports)
    if d.kind == "unpack" and isinstance(node, ast.Assign) and len(node.targets) == 1:
        item = _unpacked(node.targets[0], node.value, imports).get(d.name)
        return item == "number" or isinstance(item, ast.AST) and is_number(item, numeric, imports)
    if d.kind == "for" and isinstance(node, (ast.For, ast.AsyncFor)):
        it = node.iter
        return isinstance(it, ast.Call) and imports.is_builtin(it.func, "range")
    return False


def _unpacked(target: ast.AST, value: ast.AST, imports: ImportMap) -> dict[str, _Binding]:
    """What each name of ``x, y = ...`` is bound to: the items of a tuple or list display, or a number for
    every item of ``map(int, ...)`` / ``map(float, ...)`` (``x, y = map(int, line.split())``)."""
    if not isinstance(target, (ast.Tuple, ast.List)) or not all(isinstance(e, ast.Name) for e in target.elts):
        return {}
    names = [e.id for e in target.elts if isinstance(e, ast.Name)]
    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(names):
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return {}
        return dict(zip(names, value.elts))
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "map"
        and imports.is_builtin(value.func, "map")
        and len(value.args) == 2
        and not value.keywords
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id in NUMBER_TYPES
        and imports.is_builtin(value.args[0], value.args[0].id)
    ):
        return dict.fromkeys(names, "number")
    return {}


def number_params(args: ast.arguments) -> set[str]:
    """The parameters that hold numbers: annotated ``int`` or ``float``, or unannotated with a number literal as
    default (``x=0``: the type checkers' inferred type, and what the callers in the user's code pass)."""
    positional = args.posonlyargs + args.args
    defaults: dict[str, ast.expr] = dict(
        zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults)
    )
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    found = set()
    for a in positional + args.kwonlyargs:
        if a.annotation is not None:
            if annotation_name(a.annotation) in NUMBER_TYPES:
                found.add(a.arg)
        elif a.arg in defaults and is_number_literal(defaults[a.arg]):
            found.add(a.arg)
    return found


def is_number_literal(node: ast.AST) -> bool:
    """``1``, ``0.5``, ``-1`` (never ``True``: a bool default is a flag)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def int_value(node: ast.AST, constants: Mapping[str, object] = _NO_CONSTANTS, _depth: int = 0) -> Optional[int]:
    """The integer an expression of literals and integer constants evaluates to (``N * 2``, ``-1``,
    ``2 ** 20``), else None. The one integer evaluator: sizes, loop counts and list lengths all ask it."""
    if _depth > 20:  # a chain of thousands of `+` would exhaust the stack
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        value = constants.get(node.id)
        return value if type(value) is int else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = int_value(node.operand, constants, _depth + 1)
        return None if v is None else -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Pow)):
        left, right = int_value(node.left, constants, _depth + 1), int_value(node.right, constants, _depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):  # bounded: the value is computed
            return left**right if 0 <= right <= 64 and abs(left) < 2**32 else None
        if isinstance(node.op, ast.FloorDiv):
            return left // right if right else None
        if isinstance(node.op, ast.Add):
            return left + right
        return left - right if isinstance(node.op, ast.Sub) else left * right
    return None


def module_int_constants(tree: ast.Module, counts: Mapping[str, int]) -> dict[str, int]:
    """Module-level names bound once (``counts``: bindings per name), to an integer expression: ``N = 1_000_000``."""
    constants: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if counts.get(name) == 1:
                value = int_value(node.value, constants)
                if value is not None:
                    constants[name] = value
    return constants


def math_constant(qualname: Optional[str]) -> Optional[float]:
    """The float ``math.pi``, ``math.e``, ``math.tau``, ``math.inf`` or ``math.nan`` is, else None."""
    if qualname not in ("math.pi", "math.e", "math.tau", "math.inf", "math.nan"):
        return None
    import math

    return float(getattr(math, qualname[5:]))
