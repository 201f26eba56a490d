"""What memlint knows about NumPy, asked of NumPy itself rather than written down by hand.

The only module that imports numpy, and only when a rule needs an answer: a file that never imports numpy
costs nothing here. Static values (shapes, dtypes) are read from literal source only.
"""

from __future__ import annotations

import ast
import functools
from typing import Optional

_BUILTIN_DTYPES = {"float": float, "int": int, "bool": bool, "complex": complex}


@functools.lru_cache(maxsize=None)
def _np():
    import numpy

    return numpy


def dtype_of(node: Optional[ast.AST], qualname) -> Optional[object]:
    """The ``numpy.dtype`` a ``dtype=`` argument spells (``np.float32``, ``"f4"``, ``float``...), else None.

    ``qualname`` resolves a node through the file's imports (``ImportMap.qualname``).
    """
    if node is None:
        return None
    np = _np()
    spec = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        spec = node.value
    elif isinstance(node, ast.Name) and node.id in _BUILTIN_DTYPES and qualname(node) is None:
        spec = _BUILTIN_DTYPES[node.id]
    else:
        name = qualname(node)
        if name and name.startswith("numpy.") and name.count(".") == 1:
            spec = getattr(np, name.split(".")[1], None)
    if spec is None:
        return None
    try:
        dtype = np.dtype(spec)
    except (TypeError, ValueError):
        return None
    return dtype


def int_value(node: ast.AST, _depth: int = 0) -> Optional[int]:
    """A non-negative integer computed from literals only (``1000 * 1000``, ``2 ** 20``), else None."""
    if _depth > 20:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Pow)):
        left, right = int_value(node.left, _depth + 1), int_value(node.right, _depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):
            return left**right if 0 <= right <= 64 and abs(left) <= 2**16 else None
        if isinstance(node.op, ast.FloorDiv):
            return left // right if right else None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    return None


def literal_shape(node: ast.AST) -> Optional[tuple]:
    """The shape an argument spells with literal integers: ``n``, ``(n, m)``, ``[n, m]``."""
    if isinstance(node, (ast.Tuple, ast.List)):
        dims = [int_value(e) for e in node.elts]
        if any(d is None or d < 0 for d in dims):
            return None
        return tuple(dims)
    n = int_value(node)
    return (n,) if n is not None and n >= 0 else None


def nbytes(shape: Optional[tuple], dtype) -> Optional[int]:
    if shape is None or dtype is None:
        return None
    count = 1
    for d in shape:
        count *= d
    return count * dtype.itemsize


def default_float():
    return _np().dtype("float64")


def format_bytes(n: int) -> str:
    """``8000000`` -> ``7.6 MiB``: the unit users see in messages."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError
