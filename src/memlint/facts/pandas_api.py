"""pandas: which calls make pandas objects, which methods return new ones, and ``inplace=True``. Mixed into
``ArrayFacts``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.facts.values import UNKNOWN, Value, ndarray_value

if TYPE_CHECKING:  # the type checker reads ArrayFacts' API, which these methods call back on
    from memlint.facts.evaluator import Evaluator
else:
    Evaluator = object

# pandas DataFrame/Series methods that take ``inplace=True`` (then they update the object, return None and keep
# no reference to it); without it each returns a new object. pandas 3.1 deprecates ``inplace`` for the first
# group (PDEP-8), where it never saved memory, and keeps it for the second, where it does (research m11, m14).
PANDAS_INPLACE_DEPRECATED = frozenset(
    {
        "drop",
        "rename",
        "sort_values",
        "sort_index",
        "reset_index",
        "set_index",
        "dropna",
        "drop_duplicates",
        "query",
        "eval",
    }
)


PANDAS_INPLACE_KEPT = frozenset({"replace", "fillna", "ffill", "bfill", "interpolate", "where", "mask", "clip"})


# Their results, and ``copy``'s, are new pandas objects of the receiver's kind (``eval`` may return a Series
# or a scalar, and ``Series.reset_index`` a DataFrame: see ``_pandas_method``).
_PANDAS_NEW_OBJECT_METHODS = (PANDAS_INPLACE_DEPRECATED | PANDAS_INPLACE_KEPT | {"copy"}) - {"eval"}


# The calls that make a DataFrame (``read_excel`` may make a dict of them, ``read_json`` a Series).
_FRAME_ORIGINS = frozenset(
    {"pandas.DataFrame", "pandas.read_csv", "pandas.read_table", "pandas.read_parquet", "pandas.read_feather"}
)
# ``frame[key]``: a column (a Series) or a selection of columns or rows (a DataFrame).
_SELECTION = "pandas.DataFrame.__getitem__"
# The dtypes pandas keeps in NumPy blocks, which are 2-d (columns x rows): a frame made from an ndarray of
# one of these (``pd.DataFrame(np.random.randn(n, 4))``) has it in every column. Others become extension
# arrays (object arrays of strings are ``str`` under pandas 3, ``dtype="category"`` a Categorical), whose
# ``.values`` is no view of a block.
_BLOCK_KINDS = "biufc"
# The arrays a DataFrame hands out, none of which owns its buffer, by origin: what each is.
FRAME_ARRAYS = {
    # pandas returns the transpose of its block (or of the copy that interleaves several blocks)
    # (BlockManager.as_array ends in ``arr.transpose()``)
    "pandas.DataFrame.values": "the transposed view pandas returns of the frame's data",
    "pandas.DataFrame.to_numpy": "the transposed view pandas returns of the frame's data",
    # a column of NumPy dtype is a row of its 2-d block (Block.iget: ``values[i]``); a selection is a frame
    _SELECTION + ".values": "a view of the frame's block (a column is one row of it)",
    _SELECTION + ".to_numpy": "a view of the frame's block (a column is one row of it)",
}


def is_pandas(v: Value) -> bool:
    """A pandas object made by a known pandas call (``pd.DataFrame``, ``pd.read_csv``, their methods)."""
    return v.kind == "other_array" and (v.origin or "").startswith("pandas.")


def _assigns_columns(call: ast.Call) -> bool:
    """``frame.eval("c = a + b")``: an expression made only of assignments returns a new DataFrame
    (without one, ``eval`` returns the computed Series or scalar)."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return False
    try:
        body = ast.parse(call.args[0].value.strip()).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(stmt, ast.Assign) for stmt in body)


class PandasValues(Evaluator):
    """Values of pandas calls and methods."""

    def _pandas_call(self, q: str, call: ast.Call) -> Value:
        """The value of a call of ``pandas.<name>``: constructors and readers make a new pandas object. A
        DataFrame made from an ndarray of a dtype pandas keeps in NumPy blocks has every column of that dtype
        (its ``element``)."""
        name = q[7:]
        if name == "DataFrame" and not any(k.arg in ("dtype", None) for k in call.keywords) and len(call.args) < 4:
            data = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "data"), None)
            v = self.value(data) if data is not None else None
            if v is not None and v.kind == "ndarray" and v.dtype is not None and v.dtype.kind in _BLOCK_KINDS:
                return Value("other_array", ownership="fresh", origin=q, element=ndarray_value(v.dtype, ndim=1))
        if name in ("DataFrame", "Series") or name.startswith("read_"):
            return Value("other_array", ownership="fresh", origin=q)
        return Value(ownership="unknown_call", origin=q)

    def _pandas_subscript(self, frame: Value, key: ast.expr) -> Value:
        """``frame[list]`` of a DataFrame: a DataFrame (``DataFrame.__getitem__`` never reads a list as one key:
        it selects those columns, or the rows of a boolean list), which under Copy-on-Write shares the frame's
        blocks until written; its columns are the frame's. ``frame[key]`` of a frame whose every column has a
        NumPy dtype: a column or a selection (a Series or a DataFrame) of those columns, sharing its blocks."""
        if frame.origin in _FRAME_ORIGINS and self._is_list(key):
            return Value("other_array", ownership="view", origin="pandas.DataFrame", element=frame.element)
        if frame.origin == "pandas.DataFrame" and frame.element is not None:
            return Value("other_array", ownership="view", origin=_SELECTION, element=frame.element)
        return UNKNOWN

    def _is_list(self, key: ast.expr) -> bool:
        """A list display or comprehension, or a name every reaching definition of which binds one."""
        if isinstance(key, (ast.List, ast.ListComp)):
            return True
        defs = self.reaching(key) if isinstance(key, ast.Name) else None
        return bool(defs) and all(
            d.kind == "assign" and d.targets == 1 and isinstance(d.value, (ast.List, ast.ListComp)) for d in defs or ()
        )

    def is_pandas_inplace_statement(self, call: Optional[ast.AST]) -> bool:
        """``frame.m(..., inplace=True)`` as a statement, on a known pandas object, for a method that takes
        ``inplace``: it updates the object, returns None and hands out no reference to it."""
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(self.parent(call), ast.Expr)
            and call.func.attr in PANDAS_INPLACE_DEPRECATED | PANDAS_INPLACE_KEPT
            and any(
                k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in call.keywords
            )
            and is_pandas(self.value(call.func.value))
        )

    def _pandas_attribute(self, receiver: Value, name: str) -> Value:
        """``frame.values``: a 2-d ndarray viewing the frame's data; ``frame[key].values``: a view of its
        block (see ``FRAME_ARRAYS``)."""
        if name == "values" and receiver.origin in _FRAME_ORIGINS:
            return ndarray_value(ownership="view", ndim=2, origin="pandas.DataFrame.values")
        if name == "values" and receiver.origin == _SELECTION and receiver.ownership == "view" and receiver.element:
            return ndarray_value(receiver.element.dtype, ownership="view", origin=_SELECTION + ".values")
        return Value(ownership="attribute")

    def _pandas_method(self, receiver: Value, name: str, call: ast.Call) -> Value:
        """A new pandas object from the methods that always make one (without ``inplace``); its ``origin``
        stays the call that made the receiver, naming the kind of object (``pandas.Series``...).
        ``frame.to_numpy()`` is a 2-d ndarray viewing the frame's data (see ``FRAME_ARRAYS``)."""
        if name == "to_numpy" and receiver.origin in _FRAME_ORIGINS:
            return ndarray_value(ownership="view", ndim=2, origin="pandas.DataFrame.to_numpy")
        if name == "to_numpy" and receiver.origin == _SELECTION and receiver.ownership == "view" and receiver.element:
            if not call.args and not call.keywords:  # a Series' to_numpy(dtype, copy=True) may copy
                return ndarray_value(receiver.element.dtype, ownership="view", origin=_SELECTION + ".to_numpy")
        if any(k.arg == "inplace" for k in call.keywords):
            return Value(ownership="unknown_call")
        if name not in _PANDAS_NEW_OBJECT_METHODS and not (name == "eval" and _assigns_columns(call)):
            return Value(ownership="unknown_call")
        origin = receiver.origin
        drops = any(
            k.arg == "drop" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
        )
        if name == "reset_index" and origin == "pandas.Series" and not drops:
            origin = "pandas.DataFrame"
        return Value("other_array", ownership="fresh", origin=origin)
