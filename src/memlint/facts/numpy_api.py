"""What memlint knows about NumPy, asked of NumPy itself rather than written down by hand.

The only module that imports numpy, and only when a rule needs an answer: a file that never imports numpy
costs nothing here. Static values (shapes, dtypes) are read from literal source only.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from memlint.facts.python_numbers import int_value

if TYPE_CHECKING:
    import numpy

    from memlint.facts.kinds import ValueKind

    # An operand as ``result_of`` computes with it: a Python number of a type, a NumPy scalar of a dtype, or an
    # array of a dtype and number of dimensions (None: unknown).
    Spec = Union[
        tuple[Literal["py"], str],
        tuple[Literal["scalar"], numpy.dtype[Any]],
        tuple[Literal["array"], numpy.dtype[Any], Optional[int]],
    ]
    # What NumPy returns: ("ndarray" | "np_scalar" | "py_number", its dtype, None for a Python number).
    Computed = tuple[ValueKind, Optional[numpy.dtype[Any]]]

_BUILTIN_DTYPES = {
    "float": float,
    "int": int,
    "bool": bool,
    "complex": complex,
    "object": object,
    "str": str,
    "bytes": bytes,
}


@functools.cache
def _np() -> Any:  # the numpy module, imported on first use
    import numpy

    return numpy


def dtype_of(node: Optional[ast.AST], qualname: Callable[[ast.AST], Optional[str]]) -> Optional[numpy.dtype[Any]]:
    """The ``numpy.dtype`` a ``dtype=`` argument spells (``np.float32``, ``"f4"``, ``float``, ``np.dtype("f4")``...),
    else None.

    ``qualname`` resolves a node through the file's imports (``ImportMap.qualname``).
    """
    if node is None:
        return None
    np = _np()
    spec: Union[str, type, None] = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        spec = node.value
    elif isinstance(node, ast.Name) and node.id in _BUILTIN_DTYPES and qualname(node) is None:
        spec = _BUILTIN_DTYPES[node.id]
    elif (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and qualname(node.func) == "numpy.dtype"
    ):
        return dtype_of(node.args[0], qualname)  # np.dtype("int16") is the dtype "int16" spells
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


def literal_range_length(args: Sequence[ast.expr]) -> Optional[int]:
    """``len(range(*args))`` when 1-3 arguments are integers computed from literals, else None."""
    bounds = [int_value(a) for a in args]
    ints = [b for b in bounds if b is not None]
    if not 1 <= len(ints) == len(bounds) <= 3 or (len(ints) == 3 and ints[2] == 0):
        return None
    try:
        return len(range(*ints))
    except OverflowError:  # longer than sys.maxsize
        return None


# Where NumPy's 1-d constructors take the length of what they make (position, keyword): `np.linspace(a, b, n)`.
_LENGTH_ARGUMENTS = {
    "numpy.linspace": (2, "num"),
    "numpy.logspace": (2, "num"),
    "numpy.geomspace": (2, "num"),
    "numpy.zeros": (0, "shape"),
    "numpy.ones": (0, "shape"),
    "numpy.empty": (0, "shape"),
    "numpy.full": (0, "shape"),
}


def length_argument(call: ast.Call, qualname: Optional[str]) -> Optional[ast.expr]:
    """The expression a constructor call gives as its result's first-axis length (``n`` in ``np.zeros(n)``,
    ``np.zeros((n, 3))`` or ``np.linspace(0, 1, n)``), else None."""
    spec = _LENGTH_ARGUMENTS.get(qualname or "")
    if spec is None:
        return None
    position, keyword = spec
    node = next((k.value for k in call.keywords if k.arg == keyword), None)
    if node is None and position < len(call.args):
        node = call.args[position]
    if isinstance(node, ast.Tuple):
        node = node.elts[0] if node.elts and not isinstance(node.elts[0], ast.Starred) else None
    return node if isinstance(node, ast.expr) and not isinstance(node, ast.Starred) else None


def nbytes(shape: Optional[tuple[int, ...]], dtype: Optional[numpy.dtype[Any]]) -> Optional[int]:
    if shape is None or dtype is None:
        return None
    count = 1
    for d in shape:
        count *= d
    return count * dtype.itemsize


def is_sized(dtype: numpy.dtype[Any]) -> bool:
    """Whether a dtype is complete, not one NumPy finishes from the data: ``"S"``/``"U"``/``"V"`` without a
    size, or a datetime/timedelta without a unit (``"M8"``). Two such dtypes can compare equal and still give
    different arrays (``object -> "S"`` gives ``S10``)."""
    if dtype.itemsize == 0:
        return False
    return dtype.kind not in "mM" or _np().datetime_data(dtype)[0] != "generic"


def default_float() -> numpy.dtype[Any]:
    return _np().dtype("float64")


def format_bytes(n: int) -> str:
    """``8000000`` -> ``7.6 MiB``: the unit users see in messages."""
    size: float = n
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError


# --- results of operations, asked of NumPy by running them on one-element samples ------------------------
#
# An operand is described by a hashable spec: ("array", dtype, ndim), ("scalar", dtype) for a NumPy scalar,
# or ("py", "int" | "float" | "complex" | "bool") for a Python number, which NumPy treats as "weak" (NEP 50),
# or ("py", "real") for a number that may be any of several (``_REAL_ALTERNATIVES``).
# Running the operation on tiny samples of those operands gives exactly the dtype and kind NumPy gives,
# including every promotion rule, without a table that could drift from the installed NumPy.

_PY_SAMPLES = {"int": 1, "float": 1.0, "complex": 1j, "bool": True}

# A "real" Python number (``x: float``, which PEP 484 lets ints through) is any of these operands: a bool, an
# int, a float, or an np.float64 (a float subclass, which NEP 50 does not treat as weak). NumPy's answer for
# it is the answer all of them agree on.
_REAL_ALTERNATIVES: tuple[tuple[str, str], ...] = (
    ("py", "bool"),
    ("py", "int"),
    ("py", "float"),
    ("scalar", "float64"),
)

# Python operators as NumPy computes them (``ast`` operator class name -> ``operator`` function name).
BINARY_OPERATORS = {
    "Add": "add",
    "Sub": "sub",
    "Mult": "mul",
    "Div": "truediv",
    "FloorDiv": "floordiv",
    "Mod": "mod",
    "Pow": "pow",
    "LShift": "lshift",
    "RShift": "rshift",
    "BitOr": "or_",
    "BitXor": "xor",
    "BitAnd": "and_",
    "MatMult": "matmul",
}
# The ufunc each operator calls for ndarrays (``a + b`` is ``np.add(a, b)``).
OPERATOR_UFUNCS = {
    "Add": "add",
    "Sub": "subtract",
    "Mult": "multiply",
    "Div": "true_divide",
    "FloorDiv": "floor_divide",
    "Mod": "remainder",
    "Pow": "power",
    "LShift": "left_shift",
    "RShift": "right_shift",
    "BitOr": "bitwise_or",
    "BitXor": "bitwise_xor",
    "BitAnd": "bitwise_and",
    "MatMult": "matmul",
}
COMPARE_OPERATORS = {"Eq": "eq", "NotEq": "ne", "Lt": "lt", "LtE": "le", "Gt": "gt", "GtE": "ge"}
UNARY_OPERATORS = {"USub": "neg", "UAdd": "pos", "Invert": "invert"}

# Array methods and functions that reduce (without ``axis`` they give one NumPy scalar).
REDUCTIONS = frozenset(
    {
        "sum",
        "prod",
        "mean",
        "std",
        "var",
        "min",
        "max",
        "amin",
        "amax",
        "argmin",
        "argmax",
        "any",
        "all",
        "ptp",
        "nansum",
        "nanprod",
        "nanmean",
        "nanstd",
        "nanvar",
        "nanmin",
        "nanmax",
        "median",
        "nanmedian",
        "nanargmin",
        "nanargmax",
        "count_nonzero",
    }
)


# NumPy 2's other names (the array API's) for functions memlint knows by their first name: the same function
# objects (``np.concat is np.concatenate``), so an import resolves to the first name and every fact and rule of it
# holds (``Imports.qualname``). NumPy 1 has no ``np.concat``: code calling it raises AttributeError there, as it
# did before any fix.
SAME_FUNCTIONS = {"numpy.concat": "numpy.concatenate"}

# NumPy functions that copy every item of the sequence they are given (their first argument) into one new array
# and keep none: an item such as ``xx.ravel()`` in ``np.concatenate([xx.ravel(), yy.ravel()])`` is only read.
# ``numpy.c_`` and ``numpy.r_`` do the same for the items of their index (``np.c_[a, b]`` ends in concatenate).
SEQUENCE_COPIES = frozenset(
    {"concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "row_stack", "array", "asarray"}
)
INDEX_COPIES = frozenset({"c_", "r_"})

# ndarray methods whose result is the array itself or a view of it, and the attributes that are.
VIEW_METHODS = frozenset({"reshape", "view", "ravel", "squeeze", "transpose", "swapaxes"})
VIEW_ATTRIBUTES = frozenset({"T", "real", "imag"})

# NumPy functions that, given an ndarray, return its method of the same name called with the other arguments
# (numpy/_core/fromnumeric.py: ``_wrapfunc(a, "reshape", ...)``; ``ravel`` is ``asanyarray(a).ravel(order)``):
# how many arguments after the array the function and the method both take by position, and the keywords both
# take, with one meaning. ``np.reshape(a, s, "F")`` passes ``order`` by position, where ``a.reshape(s, "F")``
# would read a dimension; ``np.transpose(a, axes=...)`` and ``np.reshape(a, shape=...)`` have no method spelling.
# For an ndarray argument this is read before ``COMPUTED_FUNCTIONS``: the method's facts need no known dtype, and
# state a literal shape.
METHOD_FUNCTIONS: dict[str, tuple[int, frozenset[str]]] = {
    "reshape": (1, frozenset({"order"})),
    "ravel": (1, frozenset({"order"})),
    "squeeze": (1, frozenset({"axis"})),
    "transpose": (1, frozenset()),
    "swapaxes": (2, frozenset()),
}


def _sample(spec: Spec) -> object:
    np = _np()
    if spec[0] == "py":
        return _PY_SAMPLES[spec[1]]
    dtype = spec[1]
    if spec[0] == "scalar":
        try:
            return dtype.type(1)
        except (TypeError, ValueError):
            return np.zeros((), dtype)[()]
    shape = (1,) * (1 if spec[2] is None else spec[2])
    try:
        return np.ones(shape, dtype)
    except (TypeError, ValueError):
        return np.zeros(shape, dtype)


def _describe(result: Any) -> Optional[Computed]:  # whatever NumPy returned
    """("ndarray" | "np_scalar" | "py_number", dtype or None) of a computed sample, else None."""
    np = _np()
    if type(result) is np.ndarray:
        return ("ndarray", result.dtype)
    if isinstance(result, np.generic):
        return ("np_scalar", result.dtype)
    if type(result) in (int, float, complex, bool):
        return ("py_number", None)
    return None


def joined_dtype(dtypes: Iterable[numpy.dtype[Any]]) -> Optional[numpy.dtype[Any]]:
    """The dtype ``np.concatenate`` (and ``np.stack``...) gives arrays of these dtypes: ``np.result_type`` of
    them, never value-based (arrays of one or more dimensions); None when NumPy refuses to join them."""
    try:
        return _np().result_type(*dtypes)
    except TypeError:
        return None


@functools.lru_cache(maxsize=4096)
def casts_safely(source: Union[numpy.dtype[Any], str], target: numpy.dtype[Any]) -> bool:
    """``np.can_cast(source, target, "safe")`` for a dtype or a Python number type ("int", "float"...), taken
    as NumPy converts it on its own (int64, float64...): what NumPy's temporary elision asks of the operand
    it would write into the other (numpy/_core/src/multiarray/temp_elide.c)."""
    np = _np()
    if source == "real":
        return all(casts_safely(s[1], target) for s in _REAL_ALTERNATIVES)
    if isinstance(source, str):
        source = np.asarray(_PY_SAMPLES[source]).dtype if source in _PY_SAMPLES else np.dtype(source)
    return bool(np.can_cast(source, target, "safe"))


@functools.lru_cache(maxsize=4096)
def result_of(
    kind: str, name: str, operands: tuple[Spec, ...], keywords: tuple[tuple[str, object], ...] = ()
) -> Optional[Computed]:
    """What NumPy returns for an operation on operands described by specs, or None if it raises.

    ``kind`` is "operator" (``operator`` module function), "ufunc" or "function" (a ``numpy`` function),
    or "method" (an ndarray/NumPy scalar method called on the first operand). ``keywords`` are
    (name, literal value) pairs. Returns (kind, dtype) as ``_describe``.
    """
    real = next((i for i, s in enumerate(operands) if s == ("py", "real")), None)
    if real is not None:  # one answer per number it may be, known where they agree
        answers = {
            result_of(kind, name, operands[:real] + (_realized(alternative),) + operands[real + 1 :], keywords)
            for alternative in _REAL_ALTERNATIVES
        }
        if len(answers) == 1:
            return answers.pop()
        kinds = {a[0] for a in answers if a is not None}
        return (kinds.pop() if len(kinds) == 1 and None not in answers else "unknown", None)
    if kind == "operator" and name == "pow" and operands[0][0] == "array" and operands[1:] == (("py", "int"),):
        # ``a ** 2`` is ``np.square(a)`` (a bool array's is int8, its ``a ** 3`` int64): known where both agree
        answer = _computed_directly(kind, name, operands, keywords)
        squared = result_of("ufunc", "square", operands[:1])
        return answer if answer == squared or answer is None else (answer[0], None)
    return _computed_directly(kind, name, operands, keywords)


def _computed_directly(
    kind: str, name: str, operands: tuple[Spec, ...], keywords: tuple[tuple[str, object], ...]
) -> Optional[Computed]:
    """``result_of`` on the operands' samples, run."""
    import operator
    import warnings

    np = _np()
    try:
        samples = [_sample(s) for s in operands]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "operator":
                result = getattr(operator, name)(*samples)
            elif kind in ("ufunc", "function"):
                result = functools.reduce(getattr, name.split("."), np)(*samples, **dict(keywords))
            else:
                result = getattr(samples[0], name)(*samples[1:], **dict(keywords))
    except Exception:  # NumPy refuses these operands: the program would raise too
        return None
    return _describe(result)


def _realized(alternative: tuple[str, str]) -> Spec:
    """The spec of one of ``_REAL_ALTERNATIVES``."""
    return ("scalar", _np().dtype(alternative[1])) if alternative[0] == "scalar" else ("py", alternative[1])


@functools.lru_cache(maxsize=256)
def type_info(
    function: str, dtype: numpy.dtype[Any], attribute: str
) -> Union[int, float, tuple[Literal["np_scalar"], numpy.dtype[Any]], None]:
    """``np.iinfo(dtype).attribute`` or ``np.finfo(...)``, asked of NumPy: a Python int or float, or
    ("np_scalar", its dtype) for a NumPy scalar; None where NumPy raises or gives anything else."""
    np = _np()
    try:
        value = getattr(getattr(np, function)(dtype), attribute)
    except (ValueError, TypeError, AttributeError):
        return None
    if isinstance(value, np.generic):
        return ("np_scalar", value.dtype)
    return value if type(value) in (int, float) else None


@functools.cache
def ufunc_of(qualname: Optional[str]) -> Optional[numpy.ufunc]:
    """The ``numpy.ufunc`` a qualified name such as ``numpy.add`` denotes, else None."""
    if not qualname or not qualname.startswith("numpy.") or qualname.count(".") != 1:
        return None
    np = _np()
    obj = getattr(np, qualname[6:], None)
    return obj if isinstance(obj, np.ufunc) else None


def is_elementwise_ufunc(qualname: Optional[str]) -> bool:
    """A ufunc that maps elements to elements (not a generalized ufunc such as ``matmul``)."""
    u = ufunc_of(qualname)
    return u is not None and u.signature is None


@functools.cache
def numpy_constant(qualname: Optional[str]) -> Union[int, float, None]:
    """The Python number a name like ``numpy.pi`` denotes, else None."""
    if not qualname or not qualname.startswith("numpy.") or qualname.count(".") != 1:
        return None
    value = getattr(_np(), qualname[6:], None)
    return value if type(value) in (int, float) else None


def fits(value: object, dtype: numpy.dtype[Any]) -> bool:
    """Whether a Python number is exactly representable, and finite, in ``dtype`` (for in-place safety)."""
    np = _np()
    try:
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            return type(value) is int and info.min <= value <= info.max
        if dtype.kind in "fc":
            if type(value) is bool or type(value) not in (int, float):
                return False
            with np.errstate(over="ignore"):  # 1e300 in float32 is inf: an answer, not a warning
                converted = dtype.type(value)
            return bool(np.isfinite(converted))
        if dtype.kind == "b":
            return type(value) is bool
    except (OverflowError, ValueError, TypeError):
        return False
    return False


def broadcast(*shapes: tuple[int, ...]) -> Optional[tuple[int, ...]]:
    """``np.broadcast_shapes`` of known shapes, None if they do not broadcast."""
    try:
        return tuple(_np().broadcast_shapes(*shapes))
    except ValueError:
        return None


def index_shape(shape: tuple[int, ...], index: object) -> Optional[tuple[int, ...]]:
    """The shape of ``x[index]`` for an array of ``shape``, computed by NumPy on a zero-stride stand-in."""
    np = _np()
    try:
        stand_in = np.lib.stride_tricks.as_strided(np.zeros(1, np.int8), shape=shape, strides=(0,) * len(shape))
        return tuple(stand_in[index].shape)
    except (IndexError, ValueError, TypeError):
        return None


def array_literal(value: object) -> Optional[tuple[numpy.dtype[Any], tuple[int, ...]]]:
    """(dtype, shape) of ``np.array(value)`` for a literal nested list/tuple of numbers, else None."""
    np = _np()
    try:
        a = np.array(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return (a.dtype, a.shape) if a.dtype.kind in "biufc" else None


@functools.cache
def scalar_type_dtype(qualname: Optional[str]) -> Optional[numpy.dtype[Any]]:
    """The dtype of a NumPy scalar type such as ``numpy.float32`` (called to make a NumPy scalar), else None."""
    if not qualname or not qualname.startswith("numpy.") or qualname.count(".") != 1:
        return None
    np = _np()
    obj = getattr(np, qualname[6:], None)
    if isinstance(obj, type) and issubclass(obj, np.generic) and obj not in (np.generic, np.number):
        try:
            return np.dtype(obj)
        except TypeError:
            return None
    return None


@functools.cache
def out_position(qualname: str) -> Optional[int]:
    """The positional index of a NumPy function's ``out`` parameter (``np.round(a, 2, out)``: 2), from its
    signature; 1 when the signature cannot be read (only the first argument is then known not to be ``out``).
    None when the function has no ``out`` parameter."""
    import inspect

    obj = _np()
    for part in qualname.split(".")[1:]:
        obj = getattr(obj, part, None)
    if obj is None:
        return 1
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return 1
    for i, p in enumerate(params):
        if p.name == "out":
            return i if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
    return None


# Random distributions (``numpy.random.Generator`` methods and the legacy functions of ``numpy.random``) by the
# dtype of the numbers they draw without ``dtype=``; where ``size`` and ``dtype`` go is read from their
# signatures (``random_parameters``). tests/test_numpy_functions.py draws from each.
RANDOM_DRAWS: dict[str, str] = {
    **dict.fromkeys(
        (
            "random", "random_sample", "ranf", "sample", "standard_normal", "standard_exponential",
            "standard_gamma", "standard_cauchy", "standard_t", "normal", "uniform", "exponential", "beta", "gamma",
            "lognormal", "laplace", "logistic", "gumbel", "rayleigh", "weibull", "pareto", "power", "chisquare",
            "f", "vonmises", "wald", "triangular", "noncentral_chisquare", "noncentral_f",
        ),
        "float64",
    ),
    **dict.fromkeys(
        (
            "integers", "randint", "poisson", "binomial", "geometric", "negative_binomial", "hypergeometric",
            "zipf", "logseries",
        ),
        "int64",
    ),
}  # fmt: skip


_ALIASES = {"ranf": "random_sample", "sample": "random_sample"}  # deprecated legacy names, of (*args, **kwargs)


@functools.cache
def random_parameters(name: str, legacy: bool) -> Optional[tuple[int, Optional[int]]]:
    """(position of ``size``, position of ``dtype`` or None) of a random distribution, legacy (``np.random.f``)
    or a ``Generator`` method, from its signature; None when it has no ``size`` or cannot be read."""
    import inspect

    np = _np()
    name = _ALIASES.get(name, name) if legacy else name
    function = getattr(np.random if legacy else np.random.Generator, name, None)
    if function is None:
        return None
    try:
        params = [p.name for p in inspect.signature(function).parameters.values()]
    except (TypeError, ValueError):
        return None
    if not legacy:
        params = params[1:]  # self
    if "size" not in params:
        return None
    return params.index("size"), params.index("dtype") if "dtype" in params else None


@functools.cache
def parameter_position(qualname: str, parameter: str) -> Optional[int]:
    """The positional index of a NumPy function's parameter (``np.nan_to_num(x, copy)``: 1), None when it is
    keyword-only, absent, or the signature cannot be read."""
    import inspect

    function = _function(qualname[6:])
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return None
    for i, p in enumerate(params):
        if p.name == parameter:
            return i if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
    return None


@functools.cache
def concrete_scalar_dtype(qualname: Optional[str]) -> Optional[numpy.dtype[Any]]:
    """The dtype of a concrete NumPy scalar type (``numpy.uint8``), never of an abstract one (``numpy.floating``,
    which NumPy 1.x silently turned into float64): for annotations, where the type stands for a dtype."""
    dtype = scalar_type_dtype(qualname)
    if dtype is None or qualname is None or getattr(_np(), qualname[6:], None) is not dtype.type:
        return None
    return dtype


# --- NumPy functions computed on stand-ins ----------------------------------------------------------------
#
# NumPy functions whose result (its kind, dtype and number of dimensions) follows from the dtypes and numbers of
# dimensions of their array arguments and from the values of the others, never from the data or the arrays'
# sizes: memlint calls them on small stand-ins (``called``) and reads the answer off, so NumPy's own promotion
# rules decide (``np.linalg.inv`` keeps float32 and makes integers float64, ``np.fft.fft`` of float32 is
# complex64). Each says what the result is to its arguments: "fresh" (a new array nothing else holds, for every
# input layout) or "view" (it may share memory with an argument, or be the argument itself: ``np.flip``,
# ``np.transpose``, ``np.real`` of a real array, the read-only ``np.diag`` of a 2-d array).
# tests/test_numpy_functions.py checks every entry against NumPy on arrays of several dtypes, shapes and layouts.
# Not here: functions whose result's dimensions depend on the sizes (``np.squeeze``, ``np.histogramdd``), or
# that return lists.
COMPUTED_FUNCTIONS: dict[str, Literal["fresh", "view"]] = {
    # sorting, searching, sets, counting
    **dict.fromkeys(("sort", "argsort", "lexsort", "unique", "searchsorted", "digitize", "argwhere"), "fresh"),
    **dict.fromkeys(("partition", "argpartition", "sort_complex", "extract", "polyadd", "polysub"), "fresh"),
    **dict.fromkeys(("unique_values", "unique_counts", "unique_inverse", "unique_all"), "fresh"),
    **dict.fromkeys(("flatnonzero", "nonzero", "isin", "intersect1d", "union1d", "setdiff1d", "setxor1d"), "fresh"),
    **dict.fromkeys(("histogram", "histogram_bin_edges", "histogram2d", "bincount"), "fresh"),
    # elementwise functions that are not ufuncs; masks
    **dict.fromkeys(("where", "nan_to_num", "round", "around", "fix", "angle", "sinc", "i0", "unwrap"), "fresh"),
    **dict.fromkeys(("isclose", "iscomplex", "isreal", "isneginf", "isposinf", "select", "piecewise"), "fresh"),
    **dict.fromkeys(("allclose", "array_equal", "array_equiv", "iscomplexobj", "isrealobj"), "fresh"),
    **dict.fromkeys(("real", "imag", "real_if_close", "asarray_chkfinite"), "view"),
    # cumulative and difference functions, integrals, statistics
    **dict.fromkeys(("cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum", "cumulative_prod"), "fresh"),
    **dict.fromkeys(("diff", "ediff1d", "gradient", "trapezoid", "trace", "cov", "corrcoef", "average"), "fresh"),
    **dict.fromkeys(("percentile", "quantile", "nanpercentile", "nanquantile"), "fresh"),
    # rearranging into new arrays
    **dict.fromkeys(("take", "take_along_axis", "repeat", "tile", "roll", "pad", "resize", "compress"), "fresh"),
    **dict.fromkeys(("tril", "triu", "diagflat", "vander", "kron", "insert", "delete"), "fresh"),
    # views of their argument (or the argument itself)
    **dict.fromkeys(("transpose", "swapaxes", "moveaxis", "rollaxis", "flip", "fliplr", "flipud", "rot90"), "view"),
    **dict.fromkeys(("ravel", "reshape", "diagonal", "diag", "matrix_transpose", "atleast_1d", "atleast_2d"), "view"),
    **dict.fromkeys(("atleast_3d", "broadcast_arrays", "permute_dims", "require"), "view"),
    # products (the generalized ufuncs among them: their core axes do not broadcast)
    **dict.fromkeys(("matmul", "vecdot", "matvec", "vecmat"), "fresh"),
    **dict.fromkeys(("dot", "vdot", "inner", "outer", "tensordot", "einsum", "cross", "convolve", "correlate"), "fresh"),
    **dict.fromkeys(("polyval", "polyfit", "poly"), "fresh"),
    **dict.fromkeys(("polyder", "polyint", "trim_zeros"), "view"),  # m=0 and nothing to trim: the argument
    # constructors from numbers
    **dict.fromkeys(("logspace", "geomspace", "tri", "indices", "diag_indices", "tril_indices", "triu_indices"), "fresh"),
    **dict.fromkeys(("hanning", "hamming", "blackman", "bartlett", "kaiser"), "fresh"),
    # numpy.linalg
    **{
        "linalg." + name: "fresh"
        for name in (
            "norm", "vector_norm", "matrix_norm", "inv", "pinv", "solve", "lstsq", "det", "slogdet", "eig", "eigh",
            "eigvals", "eigvalsh", "svd", "svdvals", "qr", "cholesky", "matrix_rank", "cond",
            "multi_dot", "outer", "cross", "tensordot", "tensorinv", "tensorsolve", "vecdot", "trace", "matmul",
        )
    },
    "linalg.matrix_power": "view",  # n=1 returns the argument
    "linalg.matrix_transpose": "view",
    "linalg.diagonal": "view",
    # numpy.fft
    **{
        "fft." + name: "fresh"
        for name in (
            "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
            "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq",
        )
    },
}  # fmt: skip

# ndarray methods computed the same way (on a stand-in of the array): whether the result is new, and the
# position of their ``out`` parameter among the call's arguments (None: they have none).
COMPUTED_METHODS: dict[str, tuple[Literal["fresh", "view"], Optional[int]]] = {
    "argsort": ("fresh", None),
    "argpartition": ("fresh", None),
    "repeat": ("fresh", None),
    "take": ("fresh", 2),
    "compress": ("fresh", 2),
    "nonzero": ("fresh", None),
    "searchsorted": ("fresh", None),
    "dot": ("fresh", 1),
    "trace": ("fresh", 4),
    "clip": ("fresh", 2),
    "diagonal": ("view", None),  # read-only
    "conj": ("view", None),  # a real array's is the array itself
    "conjugate": ("view", None),
}

# Among them, those whose result has the broadcast shape of their array arguments (one array: its shape) when
# called with at most ``positional`` positional arguments and no keyword but ``keywords``, and the result has
# as many dimensions: ``np.cumsum(x)`` flattens a 2-d ``x`` (1-d: no shape), ``np.fft.fft(x, n)`` is not here.
SAME_SHAPE: dict[str, tuple[int, frozenset[str]]] = {
    **dict.fromkeys(("fix", "sinc", "i0", "iscomplex", "isreal", "real", "imag", "fliplr", "flipud"), (1, frozenset())),
    "isneginf": (1, frozenset()),
    "isposinf": (1, frozenset()),
    "angle": (1, frozenset({"deg"})),
    "nan_to_num": (1, frozenset({"copy", "nan", "posinf", "neginf"})),
    "round": (2, frozenset({"decimals"})),
    "around": (2, frozenset({"decimals"})),
    **dict.fromkeys(("sort", "argsort"), (2, frozenset({"axis", "kind", "order", "stable"}))),
    **dict.fromkeys(("cumsum", "cumprod", "nancumsum", "nancumprod"), (2, frozenset({"axis", "dtype"}))),
    "roll": (3, frozenset({"shift", "axis"})),
    "flip": (2, frozenset({"axis"})),
    "tril": (2, frozenset({"k"})),
    "triu": (2, frozenset({"k"})),
    "unwrap": (1, frozenset({"discont", "axis", "period"})),
    "where": (3, frozenset()),
    "isclose": (2, frozenset({"rtol", "atol", "equal_nan"})),
    "linalg.inv": (1, frozenset()),
    "linalg.matrix_power": (2, frozenset({"n"})),
    **{
        f"fft.{name}": (1, frozenset({"axis", "axes", "norm"}))
        for name in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn")
    },
    **dict.fromkeys(("fft.fftshift", "fft.ifftshift"), (1, frozenset({"axes"}))),
}

# Among them, those whose result's dtype depends on the data as well: complex only when an eigenvalue is
# (``np.linalg.eig`` of a real matrix), when roots are not in conjugate pairs (``np.poly``), when an imaginary
# part is not negligible (``np.real_if_close``): their kind and dimensions are stated, never their dtype.
DTYPE_FROM_DATA = frozenset({"linalg.eig", "linalg.eigvals", "poly", "real_if_close"})

if TYPE_CHECKING:
    # An argument of ``called``: an operand spec, ("literal", Python source of a literal), ("dtype", dtype), or
    # ("list" | "tuple", arguments).
    Argument = Union[
        Spec,
        tuple[Literal["literal"], str],
        tuple[Literal["dtype"], numpy.dtype[Any]],
        tuple[Literal["list", "tuple"], tuple[Any, ...]],
    ]
    # What a call returned: (kind, dtype, ndim) for "ndarray", "np_scalar" (ndim 0), "unknown" (an ndarray or a
    # NumPy scalar: ndim None), or ("py_number", pytype, None), or ("tuple", items, None).
    Described = tuple[str, Any, Optional[int]]
    # The keywords of a call, each (name, argument); the name None: ``**{...}`` (the call then raises: unknown).
    Keywords = tuple[tuple[Optional[str], Argument], ...]

_STAND_IN_NDIMS = (0, 1, 2, 3)  # an array of unknown dimensions is tried as each of these


def _stand_in(argument: Any) -> object:  # an Argument
    """A small value for an argument: arrays are stacks of 3x3 identities (invertible, positive definite,
    sorted rows), or ones for fewer than two dimensions."""
    import ast as _ast

    np = _np()
    if argument[0] == "literal":
        return _ast.literal_eval(argument[1])
    if argument[0] == "dtype":
        return argument[1]
    if argument[0] in ("list", "tuple"):
        items = [_stand_in(item) for item in argument[1]]
        return items if argument[0] == "list" else tuple(items)
    if argument[0] != "array":
        return _sample(argument)
    dtype, ndim = argument[1], argument[2]
    if ndim > 8:  # 3 ** ndim items: not computed (``called`` takes it as a call that raises)
        raise ValueError("too many dimensions for a stand-in")
    base = np.eye(3) if ndim >= 2 else np.arange(1, 4) if ndim == 1 else np.ones(())
    try:
        return np.array(np.broadcast_to(base, (3,) * ndim)).astype(dtype)
    except (TypeError, ValueError):
        return np.zeros((3,) * ndim, dtype)


def _function(name: str) -> Any:  # the NumPy function of that name, or None
    obj = _np()
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return obj


def _described(result: Any) -> Optional[Described]:
    np = _np()
    if type(result) is np.ndarray:
        return ("ndarray", result.dtype, result.ndim)
    if isinstance(result, np.generic):
        return ("np_scalar", result.dtype, 0)
    if type(result) in (int, float, complex, bool):
        return ("py_number", type(result).__name__, None)
    if isinstance(result, tuple):  # namedtuples too (np.linalg.svd)
        items = tuple(_described(item) for item in result)
        return ("tuple", items, None)
    return None


def _merged(a: Optional[Described], b: Optional[Described]) -> Optional[Described]:
    """What is known of a result that is one of ``a`` or ``b`` (None: nothing)."""
    if a == b or a is None or b is None:
        return a if a == b else None
    if a[0] == b[0] == "tuple" and len(a[1]) == len(b[1]):
        return ("tuple", tuple(_merged(x, y) for x, y in zip(a[1], b[1])), None)
    dtype = a[1] if a[1] == b[1] and a[0] != "tuple" else None
    if a[0] == b[0] and a[0] in ("ndarray", "unknown"):
        return (a[0], dtype, a[2] if a[2] == b[2] else None)
    if {a[0], b[0]} <= {"ndarray", "np_scalar", "unknown"}:
        return ("unknown", dtype, None)
    return None


def called(name: str, arguments: tuple[Argument, ...], keywords: Keywords) -> Optional[Described]:
    """What NumPy's ``COMPUTED_FUNCTIONS[name]`` (or ``"ndarray." + method``, its receiver the first argument)
    returns for arguments so described: asked of NumPy by calling it on stand-ins. An array of unknown
    dimensions is tried with each of ``_STAND_IN_NDIMS`` and what all the calls that do not raise agree on is
    kept; None when every call raises (the program would too)."""
    return _call(name, arguments, keywords)[0]


def hands_back_an_argument(name: str, arguments: tuple[Argument, ...], keywords: Keywords) -> bool:
    """Whether, called so, the function's result (or an item of it) may be an array argument or share its
    memory, whatever its entry in ``COMPUTED_FUNCTIONS`` says of other calls: ``np.histogram(x, edges)``
    returns ``edges`` itself as the bin edges, ``np.diff(a, 0)`` returns ``a``. Asked of the same stand-ins."""
    return _call(name, arguments, keywords)[1]


@functools.lru_cache(maxsize=4096)
def _call(name: str, arguments: tuple[Argument, ...], keywords: Keywords) -> tuple[Optional[Described], bool]:
    """``called``'s answer, and ``hands_back_an_argument``'s."""
    import itertools
    import warnings

    known = name in COMPUTED_FUNCTIONS or name.startswith("ndarray.") and name[8:] in COMPUTED_METHODS
    if not known or _function(name) is None:
        return None, False
    names = [k for k, _ in keywords if k is not None]
    if len(names) < len(keywords):  # ``**{...}``: not read (a stand-in call given the name None raised, as before)
        return None, False
    every = list(arguments) + [a for _, a in keywords]
    unknown = [i for i, a in enumerate(every) if a[0] == "array" and a[2] is None]
    if any(a[0] in ("list", "tuple") and _unknown_ndim(a) for a in every):
        return None, False
    answers = []
    shares = False
    for ndims in itertools.product(_STAND_IN_NDIMS, repeat=min(len(unknown), 2)):
        if len(unknown) > 2:
            return None, False
        chosen = {i: ("array", every[i][1], n) for i, n in zip(unknown, ndims)}
        filled = [chosen.get(i, a) for i, a in enumerate(every)]
        try:
            values = [_stand_in(a) for a in filled]
            with _np().errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = _function(name)(*values[: len(arguments)], **dict(zip(names, values[len(arguments) :])))
        except Exception:  # NumPy refuses these arguments: the program would raise too
            continue
        answers.append(_described(result))
        shares = shares or any(_np().may_share_memory(r, a) for r in _arrays_in(result) for a in _arrays_in(values))
    if not answers:
        return None, False
    answer = answers[0]
    for other in answers[1:]:
        answer = _merged(answer, other)
    if name in DTYPE_FROM_DATA:
        answer = _without_dtype(answer)
    return answer, shares


def _arrays_in(value: Any) -> list:
    """The ndarrays a stand-in or a result is or holds (in lists and tuples, nested)."""
    if isinstance(value, _np().ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for item in value for a in _arrays_in(item)]
    return []


def _unknown_ndim(argument: Argument) -> bool:
    """An array of unknown dimensions in a list or tuple argument (not tried in every combination)."""
    if argument[0] in ("list", "tuple"):
        return any(_unknown_ndim(a) for a in argument[1])
    return argument[0] == "array" and argument[2] is None


def _without_dtype(answer: Optional[Described]) -> Optional[Described]:
    if answer is None or answer[0] == "py_number":
        return answer
    if answer[0] == "tuple":
        return ("tuple", tuple(_without_dtype(item) for item in answer[1]), None)
    return (answer[0], None, answer[2])
