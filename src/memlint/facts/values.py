"""What memlint knows of a value: the ``Value`` record, its lattice (``join``) and the constructors every
fact module builds values with. See ``arrays`` for the meaning of each field."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

from memlint.facts import numpy_api
from memlint.facts.kinds import Ownership, PyType, ValueKind

if TYPE_CHECKING:
    import numpy

# A Python number (``bool`` is an ``int``): what ``Value.constant`` holds.
Number = Union[int, float, complex]

NUMERIC_PYTYPES: dict[type, PyType] = {int: "int", float: "float", complex: "complex", bool: "bool"}


@dataclass(frozen=True)
class Value:
    kind: ValueKind = "unknown"
    dtype: Optional[numpy.dtype[Any]] = None
    shape: Optional[tuple[int, ...]] = None
    ownership: Ownership = "unknown"
    ndim: Optional[int] = None
    constant: Optional[Number] = None
    pytype: Optional[PyType] = None
    origin: Optional[str] = None
    items: Optional[tuple[Value, ...]] = None  # kind "tuple": the Values of its items
    # kind "list": what every item is known to be (facts/lists.py); a DataFrame: what each column's values are
    element: Optional[Value] = None
    # True: its dtype, even when not known, holds no Python objects (``np.load`` without ``allow_pickle``)
    no_objects: Optional[bool] = None
    # an ndarray whose ``ndim`` is not known has at least this many (``x.sum(axis=1, keepdims=True)``: 2)
    min_ndim: Optional[int] = None
    length: Optional[int] = None  # kind "list": how many items it holds wherever it is read (facts/lists.py)
    # True: the array may be in Fortran order (``order="F"``, ``librosa.stft``, arithmetic on such an array),
    # where ``ravel`` copies as ``flatten`` does
    fortran: Optional[bool] = None
    # an ndarray of 3 dimensions whose shape is not known: the length of its last axis, an image's channels
    # (``cv2.imread(p)``: 3), kept only while its shape, ndim and dtype are
    channels: Optional[int] = None

    def __eq__(self, other: object) -> bool:
        # the generated __eq__ compares dtypes with ==, and np.dtype(None) is float64: a float64 Value would
        # equal one of unknown dtype (and join would keep float64 for "float64 or unknown")
        if self is other:
            return True
        if not isinstance(other, Value):
            return NotImplemented
        return _equal(self.dtype, other.dtype) and self.__dict__ == other.__dict__  # nested Values: this __eq__

    @property
    def nbytes(self) -> Optional[int]:
        return numpy_api.nbytes(self.shape, self.dtype)

    def with_changes(self, **changes: Any) -> Value:
        """A copy with these fields changed (as libcst nodes' ``with_changes``); a new dtype drops what was
        known of the old one (``no_objects``), a new shape, ndim, dtype or kind the ``channels``."""
        if "dtype" in changes and "no_objects" not in changes:
            changes["no_objects"] = None
        if ("shape" in changes or "ndim" in changes) and "min_ndim" not in changes:
            changes["min_ndim"] = None
        if {"shape", "ndim", "dtype", "kind"} & changes.keys() and "channels" not in changes:
            changes["channels"] = None
        return dataclasses.replace(self, **changes)

    @property
    def holds_no_objects(self) -> bool:
        """Its items refer to no Python objects: a known dtype without object fields, or ``no_objects``."""
        return not self.dtype.hasobject if self.dtype is not None else self.no_objects is True


UNKNOWN = Value()

BOTTOM = Value(kind="bottom", ownership="bottom")  # "no information yet" while iterating over loops

# The kinds a value of kind "unknown" with a dtype stands for: an ndarray or a NumPy scalar of that dtype.
_NUMPY_KINDS = frozenset({"ndarray", "np_scalar", "unknown"})


def ndarray_value(
    dtype: Optional[numpy.dtype[Any]] = None,
    shape: Optional[tuple[int, ...]] = None,
    ownership: Ownership = "fresh",
    ndim: Optional[int] = None,
    **kw: Any,
) -> Value:
    if shape is not None:
        ndim = len(shape)
    return Value("ndarray", dtype, shape, ownership, ndim, **kw)


def number_value(value: Optional[Number] = None, pytype: Optional[PyType] = None) -> Value:
    if value is not None:
        pytype = NUMERIC_PYTYPES.get(type(value))
    return Value("py_number", None, None, "fresh", None, value, pytype)


def _equal(x: object, y: object) -> bool:
    """``x == y``, where None equals only None (``np.dtype("float64") == None`` is True)."""
    return x is y or (x is not None and y is not None and x == y)


def join(a: Value, b: Value) -> Value:
    """What is known of a value that is one of ``a`` or ``b``."""
    if a is BOTTOM or a == BOTTOM:
        return b
    if b is BOTTOM or b == BOTTOM:
        return a
    if a == b:
        return a
    same = {
        f.name: getattr(a, f.name) if _equal(getattr(a, f.name), getattr(b, f.name)) else None
        for f in dataclasses.fields(Value)
    }
    kind: ValueKind = same["kind"] or _joined_kind(a, b, same["dtype"])
    if kind == "unknown" and not {a.kind, b.kind} <= _NUMPY_KINDS:
        same["dtype"] = same["no_objects"] = None  # "unknown" with a dtype is an ndarray or NumPy scalar only
    ownership: Ownership = same["ownership"] or "unknown"
    ndim = same["ndim"]
    shape = same["shape"] if same["shape"] is not None else None
    element = None
    if kind == "list" and a.element is not None and b.element is not None:
        element = join(a.element, b.element)  # one list or the other: its items are one's or the other's
    return Value(
        kind,
        same["dtype"],
        shape,
        ownership,
        ndim,
        same["constant"],
        same["pytype"],
        same["origin"],
        None,
        element,
        same["no_objects"],
        same["min_ndim"] if ndim is None else None,
        same["length"],
        True if a.fortran or b.fortran else None,  # one or the other: it may be
        same["channels"],
    )


# The kinds an "array_like" value may be (see ``arrays``): one of them or an array_like of the same dtype is one.
_ARRAY_LIKE_JOINS = _NUMPY_KINDS | {"array_like"}


def _joined_kind(a: Value, b: Value, dtype: Optional[numpy.dtype[Any]]) -> ValueKind:
    """The kind of one of two values of different kinds: an array_like of their dtype where one is an array_like
    and the other a NumPy value (or unknown) of that same dtype, else unknown."""
    if dtype is not None and "array_like" in (a.kind, b.kind) and {a.kind, b.kind} <= _ARRAY_LIKE_JOINS:
        return "array_like"
    return "unknown"


def py_result_type(op: str, left: Optional[PyType], right: Optional[PyType]) -> Optional[PyType]:
    if left is None or right is None:
        return None
    if "real" in (left, right):
        # "real" once more where every bool, int or float it may be gives an int or a float (an np.float64
        # gives an np.float64, which "real" admits too); else not known
        types = {
            py_result_type(op, a, b)
            for a in ((left,) if left != "real" else _REAL_TYPES)
            for b in ((right,) if right != "real" else _REAL_TYPES)
        }
        return "real" if types <= {"bool", "int", "float"} else None
    import operator

    try:
        result = getattr(operator, op)(numpy_api._PY_SAMPLES[left], numpy_api._PY_SAMPLES[right])
    except (ArithmeticError, TypeError, ValueError):
        return None
    return NUMERIC_PYTYPES.get(type(result))


_REAL_TYPES: tuple[PyType, ...] = ("bool", "int", "float")  # the Python types a "real" number may have


_PYTYPE_OF_DTYPE_KIND: dict[str, PyType] = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}


def pytype_of_dtype(dtype: Optional[numpy.dtype[Any]]) -> Optional[PyType]:
    if dtype is None:
        return None
    return _PYTYPE_OF_DTYPE_KIND.get(dtype.kind)
