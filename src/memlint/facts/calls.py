"""Where arrays come from: what a known call guarantees about the value it returns, kept as data.

The library's knowledge is ``calls.toml`` (beside this module); a project adds its own loaders under
``[tool.memlint.calls]`` in the same form. Each entry, keyed by a fully qualified name (matched through the
file's imports, as NumPy's names are), says what the call guarantees, each key optional (absent: unknown):

- ``kind``: "ndarray" (a base-class ``numpy.ndarray``), "dataframe", "series", "tensor" or "other";
- ``dtype``: any string ``numpy.dtype`` accepts; ``ndim``: the number of dimensions;
- ``owner``: "fresh" (a new object nothing else holds), "shares-input" (a view of, or the same object as, an
  argument), "read-only" or "file-backed".

The library's own entries may also say (never in a configuration):

- ``dtype-argument = "name@position"``: the dtype is this argument's when the call passes one (``"@0"``: by
  position only, for an entry whose functions name that argument differently);
- ``dtype-of-argument = "name@position"``: the dtype is that of this argument's array, when it is known
  (``cv2.resize(src, size)`` has ``src``'s);
- ``dtype-map = { from = "to" }``: with ``dtype-of-argument``, the dtype for each dtype of the argument
  (``librosa.stft`` of a float32 signal is complex64); a dtype the map does not name gives nothing;
- ``float64-arguments = ["name@position", ..]``: the dtype (of ``dtype-of-argument``) holds only where each
  of these arguments is known to be a float64 array (a filter's coefficients: ``filtfilt(b, a, x)`` of
  ``b, a = butter(...)`` is float64 for a real signal); otherwise nothing is known of it;
- ``ndim-of-argument = "name@position"`` and ``ndim-added = k``: the number of dimensions is that of this
  argument's array plus ``k`` (``librosa.stft`` adds the frequency axis), when it is known;
- ``min-ndim = k``: where the number of dimensions is not known, it is at least ``k`` (``scipy.signal.stft``'s
  spectrogram has a frequency and a time axis whatever the signal): an array, never a 0-d one;
- ``channels = c`` (beside ``ndim = 3``): the length of the last axis, an image's channels, its height and
  width not known (``cv2.imread``'s colour flags: 3);
- ``image-size-argument = "name@position"``: OpenCV's ``dsize``, an image's ``(width, height)``: spelled as
  two positive ints, the result is ``(height, width)`` followed by the channel axis of the
  ``dtype-of-argument`` image (its shape's last item, or its ``channels``; none when that image is 2-d or has
  one channel: OpenCV drops it);
- ``returns = [..]``: the call returns a tuple, of these entries (nested as the tuple is; an item may have
  its own ``dtype-argument``: ``soundfile.read`` returns ``(data, samplerate)``);
- ``returns-receiver = true`` (a ``"name().method"`` entry): the method returns the object it is called
  on (scikit-learn's ``fit`` returns the estimator);
- ``yields = [..]`` (or one entry): what iterating the call's result gives, each time (``for train, test in
  KFold(5).split(X)``: two index arrays);
- ``argument = "name@position"`` with ``cases = { spelling = entry }``: the entry merged over the base one
  when the argument is spelled so ("" when absent; a number, ``True``, a qualified name such as
  ``cv2.IMREAD_GRAYSCALE``); a case keyed ``*.jpg`` applies to a path that visibly ends in ``.jpg``, in any
  case (a literal, ``os.path.join(d, "a.JPG")``, a name bound to one...: facts/paths.py); a case may choose
  further, by its own ``argument`` and ``cases``;
- ``unless = [names]``: nothing is known when any of these arguments (``"name"``, or ``"name@position"``) is
  passed with a value other than ``False``/``None`` (``return_centers=True`` adds an item to the tuple); in
  a case, the case does not apply (``imageio.v3.imread("a.jpg", mode="F")`` is not uint8);
- ``numeric = true``: the result's dtype, stated or not, is numeric (it holds no Python objects: a file's
  pixels, whatever their depth);
- ``fortran-order = true``: the result is in Fortran order (its ``ravel`` copies, as ``flatten`` does);
- ``reads = true``: the call reads its array arguments, positional and keyword, and never writes into them (it
  may keep a reference: a plot draws its data later);
- ``keeps-arguments = false``: with ``reads``, nothing the call leaves behind refers to its positional
  arguments, its result included (``len``, ``pandas.isna``, ``os.path.join``): they are read at once;
- ``also = [names]``: further names of the same function; ``checked``: how the entry was checked.

A library entry named ``"name().method"`` is the method ``method`` of what the call ``name`` returns
(``nibabel.load(path).get_fdata()``); ``"builtins.len"`` is the builtin ``len`` (where the file does not bind
the name). An entry with a ``dtype`` and no ``kind`` gives a value of that dtype of no stated kind (an ndarray,
possibly a subclass such as a memmap, or a NumPy scalar). An entry that says only what the call does with its
arguments (``reads``, ``keeps-arguments``) says nothing of what it returns: its module is no source of arrays
(``known_modules``).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from memlint.facts.kinds import Ownership
from memlint.facts.values import Value

if TYPE_CHECKING:
    import numpy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("ndarray", "dataframe", "series", "tensor", "other")
OWNERS = ("fresh", "shares-input", "read-only", "file-backed")
USER_KEYS = ("kind", "dtype", "ndim", "owner")
_LIBRARY_KEYS = (
    *USER_KEYS,
    "dtype-argument",
    "dtype-of-argument",
    "dtype-map",
    "float64-arguments",
    "ndim-of-argument",
    "ndim-added",
    "min-ndim",
    "channels",
    "image-size-argument",
    "returns",
    "returns-receiver",
    "yields",
    "argument",
    "cases",
    "unless",
    "numeric",
    "fortran-order",
    "reads",
    "keeps-arguments",
    "also",
    "checked",
)


class CallsError(ValueError):
    """A bad entry: ``key`` is the full key, ``why`` what is wrong (the caller names the file)."""

    def __init__(self, key: str, why: str):
        super().__init__(f"`{key}` {why}")
        self.key, self.why = key, why


@dataclass(frozen=True)
class Returns:
    """What one known call guarantees. ``dtype`` is a ``numpy.dtype`` (resolved when read)."""

    kind: Optional[str] = None
    dtype: Optional[numpy.dtype[Any]] = None
    ndim: Optional[int] = None
    owner: Optional[str] = None
    channels: Optional[int] = None  # an image of 3 dimensions: the length of its last axis
    shape: Optional[tuple] = None  # never read from TOML: computed from the arguments (image-size-argument)
    items: Optional[tuple] = None  # a tuple result: its items' Returns
    yields: Optional[Returns] = None  # what iterating the result gives
    dtype_argument: Optional[tuple] = None  # (keyword, position or None)
    dtype_of_argument: Optional[tuple] = None  # (keyword, position or None)
    dtype_map: Optional[dict] = None  # the argument's numpy.dtype -> the result's
    float64_arguments: tuple = ()  # ((keyword, position or None), ...): the dtype needs these float64
    ndim_of_argument: Optional[tuple] = None  # (keyword, position or None, dimensions added)
    min_ndim: Optional[int] = None  # at least this many dimensions, where ndim is not known
    image_size_argument: Optional[tuple] = None  # (keyword, position or None)
    argument: Optional[tuple] = None
    cases: Optional[dict] = None  # spelling -> Returns (merged over this one)
    unless: tuple = ()  # ((keyword, position or None), ...)
    numeric: bool = False
    fortran: bool = False
    reads: bool = False
    keeps_arguments: bool = True  # may keep (or return) a reference to an argument
    returns_receiver: bool = False

    def merged(self, other: Returns) -> Returns:
        """This entry with ``other``'s stated keys over it (a case over its base entry), choosing further by
        ``other``'s own argument and cases, if it has any."""
        stated = {f.name: getattr(other, f.name) for f in dataclasses.fields(other) if f.name != "unless"}
        changes = {k: v for k, v in stated.items() if not (v is None or v is False or v == ())}
        return dataclasses.replace(self, **{"argument": None, "cases": None, **changes})


def _argument_spec(text: object, key: str) -> tuple[str, Optional[int]]:
    """``"name@1"`` -> ("name", 1); ``"name"`` -> ("name", None) (keyword-only)."""
    if not isinstance(text, str) or not text:
        raise CallsError(key, 'must be a string such as "dtype@1"')
    name, _, position = text.partition("@")
    if position and not position.isdigit():
        raise CallsError(key, 'must be a string such as "dtype@1"')
    return name, int(position) if position else None


def parse_entry(table: object, key: str, library: bool = False) -> Returns:
    """One entry, validated: ``CallsError`` names the first bad key under ``key``."""
    import numpy

    if not isinstance(table, dict):
        raise CallsError(key, 'must be a table such as { kind = "ndarray", dtype = "uint16" }')
    allowed = _LIBRARY_KEYS if library else USER_KEYS
    for name in table:
        if name not in allowed:
            raise CallsError(f"{key}.{name}", f"is not a key of a call (known: {', '.join(allowed)})")
    kind, dtype, ndim, owner = (table.get(k) for k in USER_KEYS)
    if kind is not None and kind not in KINDS:
        raise CallsError(f"{key}.kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    if owner is not None and owner not in OWNERS:
        raise CallsError(f"{key}.owner", f"must be one of {', '.join(OWNERS)}, not {owner!r}")
    if ndim is not None and (type(ndim) is not int or ndim < 0):
        raise CallsError(f"{key}.ndim", f"must be a non-negative integer, not {ndim!r}")
    if dtype is not None:
        if not isinstance(dtype, str):
            raise CallsError(f"{key}.dtype", f"must be a string numpy.dtype accepts, not {dtype!r}")
        try:
            dtype = numpy.dtype(dtype)
        except (TypeError, ValueError):
            raise CallsError(f"{key}.dtype", f"is not a dtype numpy accepts: {dtype!r}") from None
    fields: dict[str, Any] = {"kind": kind, "dtype": dtype, "ndim": ndim, "owner": owner}  # TOML, checked above
    if library:
        if "dtype-argument" in table:
            fields["dtype_argument"] = _argument_spec(table["dtype-argument"], f"{key}.dtype-argument")
        if "dtype-of-argument" in table:
            fields["dtype_of_argument"] = _argument_spec(table["dtype-of-argument"], f"{key}.dtype-of-argument")
        if "dtype-map" in table:
            fields["dtype_map"] = _dtype_map(table["dtype-map"], f"{key}.dtype-map")
        if "float64-arguments" in table:
            names = table["float64-arguments"]
            if not isinstance(names, list):
                raise CallsError(f"{key}.float64-arguments", 'must be a list such as ["b@0", "a@1"]')
            fields["float64_arguments"] = tuple(_argument_spec(n, f"{key}.float64-arguments") for n in names)
        if "ndim-of-argument" in table:
            added = table.get("ndim-added", 0)
            if type(added) is not int:
                raise CallsError(f"{key}.ndim-added", f"must be an integer, not {added!r}")
            spec = _argument_spec(table["ndim-of-argument"], f"{key}.ndim-of-argument")
            fields["ndim_of_argument"] = (*spec, added)
        if "min-ndim" in table:
            least = table["min-ndim"]
            if type(least) is not int or least < 1:
                raise CallsError(f"{key}.min-ndim", f"must be a positive integer, not {least!r}")
            fields["min_ndim"] = least
        if "channels" in table:
            channels = table["channels"]
            if type(channels) is not int or channels < 1 or fields["ndim"] != 3:
                raise CallsError(f"{key}.channels", "must be a positive integer, beside ndim = 3")
            fields["channels"] = channels
        if "image-size-argument" in table:
            fields["image_size_argument"] = _argument_spec(table["image-size-argument"], f"{key}.image-size-argument")
        if "argument" in table:
            fields["argument"] = _argument_spec(table["argument"], f"{key}.argument")
            cases = table.get("cases", {})
            fields["cases"] = {s: parse_entry(c, f"{key}.cases.{s}", True) for s, c in cases.items()}
        if "returns" in table:
            fields["items"] = _items(table["returns"], f"{key}.returns")
        if "yields" in table:
            given = table["yields"]
            fields["yields"] = (
                Returns(kind="tuple", items=_items(given, f"{key}.yields"))
                if isinstance(given, list)
                else parse_entry(given, f"{key}.yields", True)
            )
        fields["unless"] = tuple(_argument_spec(n, f"{key}.unless") for n in table.get("unless", ()))
        fields["numeric"] = table.get("numeric") is True
        fields["fortran"] = table.get("fortran-order") is True
        fields["reads"] = table.get("reads") is True
        if "keeps-arguments" in table and (table["keeps-arguments"] is not False or not fields["reads"]):
            raise CallsError(f"{key}.keeps-arguments", "can only be false, in an entry that says reads = true")
        fields["keeps_arguments"] = table.get("keeps-arguments") is not False
        fields["returns_receiver"] = table.get("returns-receiver") is True
    return Returns(**fields)


def _dtype_map(value: object, key: str) -> dict[numpy.dtype[Any], numpy.dtype[Any]]:
    import numpy

    if not isinstance(value, dict):
        raise CallsError(key, 'must be a table such as { float32 = "complex64" }')
    try:
        return {numpy.dtype(a): numpy.dtype(b) for a, b in value.items()}
    except (TypeError, ValueError):
        raise CallsError(key, "names a dtype numpy does not accept") from None


def _items(value: object, key: str) -> tuple[Returns, ...]:
    if not isinstance(value, list):
        raise CallsError(key, "must be a list")
    return tuple(
        Returns(kind="tuple", items=_items(v, f"{key}[{i}]")) if isinstance(v, list) else parse_entry(v, key, True)
        for i, v in enumerate(value)
    )


@functools.cache
def _library_tables() -> dict:
    """The library's tables by qualified name, each ``also`` name included (read without importing NumPy:
    the engine asks for the modules of every file)."""
    with Path(__file__).with_name("calls.toml").open("rb") as f:
        data = tomllib.load(f)
    return {n: (name, table) for name, table in data.items() for n in (name, *table.get("also", ()))}


@functools.cache
def library() -> dict:
    """The library's entries by qualified name."""
    entries = {name: parse_entry(table, name, library=True) for name, (_, table) in _library_tables().items()}
    return {n: entries[name] for n, (name, _) in _library_tables().items()}


def method_name(origin: str, method: str) -> str:
    """The entry name of a method of what the known call ``origin`` returned: ``"nibabel.load().get_fdata"``."""
    return f"{origin}().{method}"


def reads_arguments(qualname: Optional[str]) -> bool:
    """Whether the library's entry for this call says it only reads its arguments (positional and keyword): it
    never writes into them, but may keep them (a plot draws its data later)."""
    if qualname is None or qualname not in _library_tables():
        return False
    return library()[qualname].reads


def reads_without_keeping(qualname: Optional[str]) -> bool:
    """Whether the library's entry for this call says it reads its positional arguments at once: it never
    writes into them, and neither the call nor its result keeps a reference to them (``len``, ``os.path.join``)."""
    if qualname is None or qualname not in _library_tables():
        return False
    entry = library()[qualname]
    return entry.reads and not entry.keeps_arguments


def dtype_decided_by_data(value: Value, user: dict) -> bool:
    """Whether ``value`` is a new array whose dtype a file decides: made by a known loader or reader without a
    stated dtype (``np.load(path)``, ``skimage.io.imread(path)``). A call keeping its input's dtype
    (``dtype-of-argument``: ``cv2.resize(img, ...)``) is one only where its input is (``_known_call`` then
    gives it the input's origin); otherwise the code that made the input decides."""
    if value.dtype is not None or value.ownership != "fresh" or value.origin is None:
        return False
    entry = user.get(value.origin) or library().get(value.origin)
    return entry is None or entry.dtype_of_argument is None


def known_modules(user: dict) -> frozenset:
    """The name of every call whose result is known, and each of its dotted prefixes (``cv2``,
    ``keras.datasets``...): what an imported name must be bound to for its calls to be sources of arrays."""
    if not user:
        return _library_modules()
    return _library_modules() | _prefixes(user)


def top_level_modules(user: dict) -> frozenset:
    """The top-level packages of every call whose result is known (``cv2``, ``keras``, the project's own)."""
    if not user:
        return _library_top_level()
    return _library_top_level() | {name.split(".")[0] for name in user}


@functools.cache
def _library_sources() -> tuple:
    """The library's names of calls it says something of the result of: the others (``builtins.len``) only
    say what a call does with its arguments."""
    uses_only = {"reads", "keeps-arguments", "also", "checked"}
    return tuple(name for name, (_, table) in _library_tables().items() if not table.keys() <= uses_only)


@functools.cache
def _library_top_level() -> frozenset:
    return frozenset(name.split(".")[0] for name in _library_sources())


@functools.cache
def _library_modules() -> frozenset:
    from memlint.facts import pillow  # Pillow's functions of images are known calls too

    return _prefixes([*_library_sources(), *pillow.SAME_MODE_FUNCTIONS, *pillow.ENHANCERS])


def _prefixes(names: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        parts = name.split("()")[0].split(".")  # of a method of what a call returns ("x.C().m"): the call's "x.C"
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(out)


def spelling(node: Optional[ast.AST], qualname: Callable) -> Optional[str]:
    """How an argument is spelled for ``cases``: "" when absent, a number or ``True``, a qualified name."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and type(node.value) in (int, bool):
        return str(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return f"-{node.operand.value}" if type(node.operand.value) is int else None
    return qualname(node)


_OWNERSHIP: dict[Optional[str], Ownership] = {
    "fresh": "fresh",
    "shares-input": "view",
    "read-only": "read_only",
    "file-backed": "file_backed",
}


def value_of(entry: Returns, origin: str) -> Value:
    """The ``Value`` an entry (its cases already chosen) describes; a dtype only for an ndarray, or for a
    value of no stated kind."""
    if entry.yields is not None:  # an iterable of known items
        iterable = value_of(dataclasses.replace(entry, yields=None), origin)
        return iterable.with_changes(element=value_of(entry.yields, origin))
    ownership = _OWNERSHIP.get(entry.owner, "unknown_call")
    if entry.items is not None:
        return Value("tuple", ownership=ownership, origin=origin, items=tuple(value_of(i, origin) for i in entry.items))
    if entry.kind == "ndarray":
        no_objects = True if entry.numeric and entry.dtype is None else None
        return Value(
            "ndarray",
            entry.dtype,
            entry.shape,
            ownership,
            entry.ndim,
            origin=origin,
            no_objects=no_objects,
            fortran=True if entry.fortran else None,
            min_ndim=entry.min_ndim if entry.ndim is None else None,
            channels=entry.channels if entry.shape is None and entry.ndim == 3 else None,
        )
    if entry.kind in ("dataframe", "series"):
        return Value(
            "other_array",
            ownership=ownership,
            origin="pandas.DataFrame" if entry.kind == "dataframe" else "pandas.Series",
        )
    if entry.kind == "tensor":
        return Value("other_array", ownership=ownership, origin=origin)
    if entry.kind is None and entry.dtype is not None:
        return Value("unknown", entry.dtype, None, ownership, entry.ndim, origin=origin)
    return Value(ownership="unknown_call" if entry.kind is None else ownership, origin=origin)
