"""NumPy call semantics: the values of NumPy constructors, functions, ufuncs, reductions and ndarray methods
(``NumpyValues``, mixed into ``ArrayFacts``), and whether an operation may write its result into one of its
operands (``in_place_verdict``). What NumPy computes (dtypes, broadcasting) is asked of NumPy (``numpy_api``)."""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from memlint.facts import lists, numpy_api
from memlint.facts.kinds import Ownership, ValueKind, Verdict
from memlint.facts.values import BOTTOM, UNKNOWN, Value, ndarray_value, number_value, pytype_of_dtype

if TYPE_CHECKING:  # the type checker reads ArrayFacts' API, which these methods call back on
    import numpy

    from memlint.facts.evaluator import Evaluator
    from memlint.facts.numpy_api import Argument, Described, Keywords, Spec

    Arguments = tuple[tuple[Argument, ...], Keywords]  # as numpy_api.called takes them
else:
    Evaluator = object


class NumpyValues(Evaluator):
    """Values of calls of NumPy functions and of ndarray methods."""

    def _numpy_call(self, name: str, call: ast.Call) -> Value:
        kw = self._keywords(call)
        if "like" in kw:
            return Value(ownership="unknown_call")
        if name in ("zeros", "ones", "empty", "full"):
            shape, ndim = self._shape_arg(self._arg(call, 0, "shape"))
            dtype_node = self._arg(call, 2 if name == "full" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node)
            if dtype_node is None:
                if name == "full":
                    fill = (
                        self._value(self._arg(call, 1, "fill_value")) if self._arg(call, 1, "fill_value") else UNKNOWN
                    )
                    spec = self._spec(fill)
                    got = numpy_api.result_of("function", "full", (("py", "int"), spec)) if spec else None
                    dtype = got[1] if got else None
                    if fill.kind == "ndarray":
                        shape = None  # a fill array broadcasts: keep the shape only for scalars
                else:
                    dtype = numpy_api.default_float()
            return ndarray_value(dtype, shape, ndim=ndim, fortran=_fortran(kw.get("order")))
        if name in ("zeros_like", "ones_like", "empty_like", "full_like"):
            proto = self._value(self._arg(call, 0, "a") or self._arg(call, 0, "prototype")) if call.args else UNKNOWN
            dtype_node = self._arg(call, 2 if name == "full_like" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node) if dtype_node is not None else proto.dtype
            shape, ndim = self._shape_arg(kw.get("shape")) if "shape" in kw else (self._shape_of(proto), proto.ndim)
            if proto.kind in ("py_number", "np_scalar"):
                shape, ndim = (), 0
            if proto.kind in ("ndarray", "py_number", "np_scalar") or kw.get("subok") is not None:
                if proto.kind == "unknown" or proto.kind == "other_array":
                    return Value(ownership="fresh")
                order = kw.get("order")  # "K" by default: the prototype's layout
                return ndarray_value(dtype, shape, ndim=ndim, fortran=_fortran(order) if order else proto.fortran)
            if proto.kind == "other_array" or (proto.kind == "unknown" and proto.dtype is not None):
                return Value(proto.kind, dtype, None, "fresh")
            return Value(ownership="fresh")  # of the prototype's kind, unknown (np.zeros_like(masked) is masked)
        if name == "arange":
            return self._arange(call)
        if name == "linspace":
            num_node = self._arg(call, 2, "num")
            num = self._value(num_node).constant if num_node is not None else 50
            if self._arg(call, 4, "retstep") is not None:
                return UNKNOWN
            start, stop = self._value(self._arg(call, 0, "start")), self._value(self._arg(call, 1, "stop"))
            if start.kind != "py_number" or stop.kind != "py_number":
                return Value(ownership="fresh") if {start.kind, stop.kind} <= {"ndarray", "py_number"} else UNKNOWN
            dtype = self._dtype_arg(self._arg(call, 5, "dtype"))
            if dtype is None:
                dtype = numpy_api._np().dtype(complex if "complex" in (start.pytype, stop.pytype) else float)
            return ndarray_value(dtype, (num,) if type(num) is int and num >= 0 else None, ndim=1)
        if name in ("eye", "identity"):
            n = self._value(self._arg(call, 0, "N" if name == "eye" else "n")).constant
            m_node = self._arg(call, 1, "M") if name == "eye" else None
            m = self._value(m_node).constant if m_node is not None else n
            dtype_node = self._arg(call, 3 if name == "eye" else 1, "dtype")
            dtype = self._dtype_arg(dtype_node) if dtype_node is not None else numpy_api.default_float()
            shape = (n, m) if type(n) is int and type(m) is int and n >= 0 and m >= 0 else None
            return ndarray_value(dtype, shape, ndim=2)
        if name in ("array", "copy", "asarray", "ascontiguousarray", "asfortranarray", "asanyarray"):
            v = self._array_call(name, call, kw)
            if v.kind != "ndarray" or name == "ascontiguousarray":
                return v
            order = kw.get("order")  # "K" (or None) by default: the source's layout
            source = self._value(call.args[0]) if call.args else UNKNOWN
            if name == "asfortranarray" or (_fortran(order) if order is not None else source.fortran):
                return v.with_changes(fortran=True)
            return v
        if name == "broadcast_to":
            source = self._value(self._arg(call, 0, "array"))
            shape, ndim = self._shape_arg(self._arg(call, 1, "shape"))
            kind: ValueKind = (
                "ndarray" if source.kind in ("ndarray", "py_number", "np_scalar") and "subok" not in kw else "unknown"
            )
            return Value(kind, source.dtype, shape, "read_only", ndim)
        if name == "frombuffer":
            return ndarray_value(
                self._dtype_arg(self._arg(call, 1, "dtype")) or numpy_api.default_float(),
                None,
                ownership="view",
                ndim=1,
            )
        if name in ("memmap", "lib.format.open_memmap"):
            return Value("other_array", self._dtype_arg(self._arg(call, 1, "dtype")), None, "file_backed")
        if name == "load":
            mode = self._arg(call, 1, "mmap_mode")
            if mode is not None and not (isinstance(mode, ast.Constant) and mode.value is None):
                return Value("other_array", ownership="file_backed", origin="numpy.load")
            return self._loaded(call)
        if name.startswith("ma.") or name in ("matrix", "asmatrix", "bmat"):
            return Value("other_array", ownership="fresh", origin="numpy." + name)
        if name.startswith("random."):
            return self._random_call(name[7:], call)
        scalar_dtype = numpy_api.scalar_type_dtype("numpy." + name)
        if scalar_dtype is not None:
            if len(call.args) == 1 and not kw and self._value(call.args[0]).kind in ("py_number", "np_scalar"):
                return Value("np_scalar", scalar_dtype, (), "fresh", 0)
            return Value(ownership="unknown_call")
        if name in _QUANTILES:
            return self._quantile(name, call, kw)
        if name in numpy_api.REDUCTIONS:
            a = self._value(self._arg(call, 0, "a")) if call.args else UNKNOWN
            if a.kind == "array_like":  # np.mean(x.astype(t)): pandas' mean, of NumPy's dtype
                return array_like_of(self._reduce(as_numpy(a), name, call, axis_position=1, function=True))
            return self._reduce(a, name, call, axis_position=1, function=True)
        if name == "linalg.norm":  # norm(x, ord=None, axis=None, keepdims=False): a reduction, its dtype x.real's
            x = self._value(self._arg(call, 0, "x")) if call.args else UNKNOWN
            return self._reduce(x, name, call, axis_position=2, function=True)
        ufunc = numpy_api.ufunc_of("numpy." + name)
        if ufunc is not None:
            return self._ufunc(name, ufunc, call, kw)
        if name == "clip":
            return self._clip(call, kw)
        if name == "interp":
            return self._interp(call)
        if name == "meshgrid":
            return self._meshgrid(call, kw)
        if name in _JOINING:
            return self._joined(name, call, kw)
        if name == "append":
            return self._append(call, kw)
        if name == "expand_dims":
            return self._expand_dims(call, kw)
        if name in numpy_api.METHOD_FUNCTIONS and self._method_spelling(name, call, kw):
            array = self._value(call.args[0])
            if array.kind == "bottom":
                return BOTTOM
            if array.kind == "ndarray":  # np.reshape(a, s) is a.reshape(s), whatever a's dtype
                method = ast.Attribute(value=call.args[0], attr=name, ctx=ast.Load())
                return self._method(array, name, ast.Call(func=method, args=call.args[1:], keywords=call.keywords))
        if name in numpy_api.COMPUTED_FUNCTIONS:
            return self._computed(name, call, kw)
        return self._known_call("numpy." + name, call)

    def _squeezed(self, array: Value, axis: Optional[ast.expr]) -> tuple[Optional[tuple[int, ...]], Optional[int]]:
        """(shape, ndim) of ``array.squeeze(axis)``: without an axis, the known shape without its 1s; with
        literal axes of an array of known dimensions, one dimension fewer for each (NumPy raises unless each
        has length 1, and for an axis out of range or given twice)."""
        if axis is None or isinstance(axis, ast.Constant) and axis.value is None:
            return (tuple(d for d in array.shape if d != 1), None) if array.shape is not None else (None, None)
        parts = axis.elts if isinstance(axis, ast.Tuple) else [axis]
        constants = [self._value(p).constant for p in parts]
        axes = [a for a in constants if type(a) is int]
        if array.ndim is None or len(axes) != len(parts) or not all(-array.ndim <= a < array.ndim for a in axes):
            return None, None
        dropped = {a % array.ndim for a in axes}
        if len(dropped) != len(axes) or array.shape is not None and any(array.shape[a] != 1 for a in dropped):
            return None, None  # NumPy raises
        ndim = array.ndim - len(dropped)
        if array.shape is None:
            return None, ndim
        return tuple(d for i, d in enumerate(array.shape) if i not in dropped), ndim

    @staticmethod
    def _method_spelling(name: str, call: ast.Call, kw: dict) -> bool:
        """``np.<name>(a, ...)`` passes the method of ``a`` what it would take alike (``numpy_api.METHOD_FUNCTIONS``)."""
        positional, keywords = numpy_api.METHOD_FUNCTIONS[name]
        return 1 <= len(call.args) <= 1 + positional and set(kw) <= keywords

    def _type_info(self, call: ast.Call, attribute: str) -> Value:
        """``np.iinfo(t).max`` (a Python int), ``np.finfo(t).eps`` (a NumPy scalar of t's precision): asked of
        NumPy for the dtype ``t`` spells, or is (``x.dtype``, ``x``)."""
        if len(call.args) != 1 or call.keywords:
            return UNKNOWN
        (node,) = call.args
        dtype = self._dtype_arg(node)
        if dtype is None:
            source = self._value(node.value if isinstance(node, ast.Attribute) and node.attr == "dtype" else node)
            if source.kind in ("ndarray", "np_scalar") or (source.kind == "unknown" and source.dtype is not None):
                dtype = source.dtype
        function = "iinfo" if self.ctx.qualname(call.func) == "numpy.iinfo" else "finfo"
        if dtype is None:
            # of any integer dtype the bounds are Python ints; of a float dtype, eps... are NumPy scalars
            if function == "iinfo" and attribute in ("min", "max", "bits"):
                return number_value(pytype="int")
            return UNKNOWN
        got = numpy_api.type_info(function, dtype, attribute)
        if got is None:
            return UNKNOWN
        if isinstance(got, tuple):
            return Value("np_scalar", got[1], (), "fresh", 0)
        return number_value(got)

    def _computed(self, name: str, call: ast.Call, kw: dict) -> Value:
        """A function of ``numpy_api.COMPUTED_FUNCTIONS``: its result asked of NumPy, on stand-ins of the
        arguments (arrays, NumPy scalars and Python numbers of known types, literals, dtypes). ``out=`` is
        returned; ``copy`` other than ``True`` may hand back the argument itself (``np.nan_to_num``)."""
        out_at = numpy_api.out_position("numpy." + name)
        out = self._arg(call, out_at, "out")
        if out is not None and not (isinstance(out, ast.Constant) and out.value is None):
            return self._value(out)
        found = self._arguments(call)
        if isinstance(found, Value):  # BOTTOM
            return found
        if found is None:
            return self._known_call("numpy." + name, call)
        arguments, keywords = found
        answer = numpy_api.called(name, arguments, keywords)
        if answer is None:
            return Value(ownership="unknown_call")
        ownership: Ownership = numpy_api.COMPUTED_FUNCTIONS[name]
        copy = self._arg(call, numpy_api.parameter_position("numpy." + name, "copy"), "copy")
        if copy is not None and not (isinstance(copy, ast.Constant) and copy.value is True):
            ownership = "view"
        if numpy_api.hands_back_an_argument(name, arguments, keywords):
            ownership = "view"  # np.histogram(x, edges): the bin edges are `edges` itself
        value = _value_described(answer, ownership)
        same = numpy_api.SAME_SHAPE.get(name)
        if value.kind == "ndarray" and same is not None and len(call.args) <= same[0] and set(kw) <= same[1]:
            values = [self._value(node) for node in call.args]
            known = all(v.kind in ("ndarray", "np_scalar", "py_number") for v in values)
            shapes = [self._shape_of(v) for v in values] if known else [None]
            shape = numpy_api.broadcast(*shapes) if None not in shapes else None
            if shape is not None and len(shape) == value.ndim:
                return value.with_changes(shape=shape)
        return value

    def _computed_method(self, receiver: Value, name: str, call: ast.Call) -> Value:
        """An ndarray method of ``numpy_api.COMPUTED_METHODS`` (``x.argsort()``, ``x.diagonal()``), asked of
        NumPy as the functions are, on a stand-in of the receiver; ``out`` is returned."""
        ownership, out_at = numpy_api.COMPUTED_METHODS[name]
        out = self._arg(call, out_at, "out")
        if out is not None and not (isinstance(out, ast.Constant) and out.value is None):
            return self._value(out)
        spec = self._spec(receiver)
        found = self._arguments(call)
        if isinstance(found, Value):  # BOTTOM
            return found
        if found is None or spec is None:
            return Value(ownership="unknown_call")
        arguments, keywords = found
        answer = numpy_api.called("ndarray." + name, (spec, *arguments), keywords)
        if numpy_api.hands_back_an_argument("ndarray." + name, (spec, *arguments), keywords):
            ownership = "view"
        return _value_described(answer, ownership) if answer is not None else Value(ownership="unknown_call")

    def _arguments(self, call: ast.Call) -> Union[Arguments, Value, None]:
        """(arguments, keywords) of a call as ``numpy_api.called`` takes them; BOTTOM while a loop is iterated;
        None when one cannot be stood in for."""
        arguments = [self._argument(node) for node in call.args]
        keywords = [(k.arg, self._argument(k.value)) for k in call.keywords]
        described = [*arguments, *(a for _, a in keywords)]
        if any(a is BOTTOM for a in described):
            return BOTTOM
        stood_in = [a for a in arguments if a is not None and not isinstance(a, Value)]
        named = [(k, a) for k, a in keywords if a is not None and not isinstance(a, Value)]
        if len(stood_in) < len(arguments) or len(named) < len(keywords):
            return None
        return tuple(stood_in), tuple(named)

    def _argument(self, node: ast.expr) -> Union[Argument, Value, None]:  # a Value: BOTTOM
        """How ``numpy_api.called`` stands in for an argument: a literal's source, a dtype, the spec of an
        array, NumPy scalar or Python number of known type, a list or tuple of those; BOTTOM while a loop is
        iterated; else None."""
        try:
            literal = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        else:
            if not _sizes_stand_ins(literal):
                return ("literal", ast.unparse(node)) if _small(node) else None
            if type(literal) is int:  # np.tri(100_000): any int gives the same dtype (NEP 50), 1 a small array
                return ("py", "int")
            if not isinstance(node, (ast.List, ast.Tuple)):
                return None
        if isinstance(node, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in node.elts):
            items = [self._argument(e) for e in node.elts]  # np.lexsort((a, b)), np.linalg.multi_dot([a, b])
            if any(i is BOTTOM for i in items):
                return BOTTOM
            return None if None in items else ("list" if isinstance(node, ast.List) else "tuple", tuple(items))
        dtype = self._dtype_arg(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if dtype is not None:  # np.float32, float
            return ("dtype", dtype)
        value = self._value(node)
        if value.kind == "bottom":
            return BOTTOM
        if value.kind in ("ndarray", "np_scalar") or (value.kind == "py_number" and value.pytype != "real"):
            return self._spec(value)
        return None

    def _quantile(self, name: str, call: ast.Call, kw: dict) -> Value:
        """``np.percentile(a, 99)``: one number of the whole array, a NumPy scalar whose dtype NumPy computes
        (float32 for a float32 array and a Python ``q``; float64 for integers, or for a float64 NumPy ``q``)."""
        if kw or len(call.args) != 2:
            return self._computed(name, call, kw)  # axis=, keepdims=, out=, method=...
        a, q = self._value(call.args[0]), self._value(call.args[1])
        if a.kind == "bottom" or q.kind == "bottom":
            return BOTTOM
        foreign = a.kind == "array_like"  # np.percentile converts a pandas Series to an ndarray first
        if foreign:
            a = a.with_changes(kind="ndarray")
        if a.kind != "ndarray" or q.kind not in ("py_number", "np_scalar"):
            return self._computed(name, call, kw)  # np.percentile(a, [5, 95])
        specs = (self._spec(a), self._spec(q))
        got = numpy_api.result_of("function", name, specs) if None not in specs else None
        found = Value("np_scalar", got[1] if got else None, (), "fresh", 0)
        return array_like_of(found) if foreign else found

    def _loaded(self, call: ast.Call) -> Value:
        """``np.load`` without ``mmap_mode``: a new ndarray read from a ``.npy`` file. Without
        ``allow_pickle=True`` NumPy returns nothing else but the ``NpzFile`` of a ``.npz`` archive, which no
        array operation accepts (``z[:10]``, ``z + 1`` and ``z.shape`` raise): a file named ``.npz`` (or
        ``allow_pickle``) gives nothing. Its dtype follows the file, but never holds objects: reading an
        object array needs ``allow_pickle=True`` (ValueError otherwise)."""
        file = self._arg(call, 0, "file")
        pickle = self._arg(call, 2, "allow_pickle")
        if pickle is not None and not (isinstance(pickle, ast.Constant) and pickle.value is False):
            return Value(ownership="unknown_call", origin="numpy.load")
        if file is None or _literal_suffix(file) not in (None, ".npy"):
            return Value(ownership="unknown_call", origin="numpy.load")
        return Value("ndarray", None, None, "fresh", None, origin="numpy.load", no_objects=True)

    def _clip(self, call: ast.Call, kw: dict) -> Value:
        """``np.clip(a, lo, hi)``: a ufunc in all but name (its dtype asked of NumPy); ``out=`` is returned."""
        out = self._arg(call, 3, "out")
        if out is not None:
            return self._value(out)
        if set(kw) - {"a", "a_min", "a_max", "min", "max"} or len(call.args) > 3:
            return UNKNOWN
        nodes = [
            self._arg(call, 0, "a"),
            self._arg(call, 1, "a_min") or kw.get("min"),
            self._arg(call, 2, "a_max") or kw.get("max"),
        ]
        bounds = [n for n in nodes[1:] if n is not None and not (isinstance(n, ast.Constant) and n.value is None)]
        if nodes[0] is None or not bounds:
            return UNKNOWN
        operands = [self._value(nodes[0])] + [self._value(n) for n in bounds]
        if any(v.kind == "bottom" for v in operands):
            return BOTTOM
        if any(v.kind == "array_like" for v in operands):
            return array_like_of(self._clip_of([as_numpy(v) for v in operands]))
        return self._clip_of(operands)

    def _clip_of(self, operands: list[Value]) -> Value:
        if not all(_numpy_operand(v) for v in operands):
            return UNKNOWN
        specs = tuple(self._spec(v) for v in operands)
        if None in specs:
            return self._result((_result_kind({v.kind for v in operands}), None), operands)
        computed = numpy_api.result_of("function", "clip", specs + specs[-1:] * (3 - len(specs)))
        return self._result(computed, operands) if computed else UNKNOWN

    def _interp(self, call: ast.Call) -> Value:
        """``np.interp(x, xp, fp)``: float64 (complex128 for complex ``fp``) of ``x``'s shape; a NumPy scalar
        for a scalar ``x``."""
        x, fp = self._arg(call, 0, "x"), self._arg(call, 2, "fp")
        if x is None or fp is None:
            return UNKNOWN
        xv = self._value(x)
        if xv.kind == "bottom":
            return BOTTOM
        fv = self._value(fp)
        numbers = self._number_structure(fp) if isinstance(fp, (ast.List, ast.Tuple)) else None
        real = (fv.kind == "ndarray" and fv.dtype is not None and fv.dtype.kind in "biuf") or (
            numbers is not None and not any(isinstance(n, complex) for n in _flat(numbers))
        )
        dtype = numpy_api.default_float() if real else None
        if xv.kind in ("py_number", "np_scalar"):
            return Value("np_scalar", dtype, (), "fresh", 0)
        if xv.kind == "ndarray":
            return ndarray_value(dtype, xv.shape, ndim=xv.ndim)
        return UNKNOWN

    def _meshgrid(self, call: ast.Call, kw: dict) -> Value:
        """``np.meshgrid(x, y...)``: a tuple of new arrays (views with ``copy=False``), each of as many
        dimensions as there are inputs and of its input's dtype; of the grid's shape when every input's size is
        known (one axis per input, the first two swapped by the default ``indexing="xy"``; with ``sparse=True``
        each array spans only its own axis)."""
        if set(kw) - {"indexing", "sparse", "copy"} or not call.args:
            return UNKNOWN
        copy, sparse, indexing = kw.get("copy"), kw.get("sparse"), kw.get("indexing")
        fresh = copy is None or (isinstance(copy, ast.Constant) and copy.value is True)
        values = [self._value(arg) for arg in call.args]
        if any(v.kind == "bottom" for v in values):
            return BOTTOM
        sizes = [math.prod(v.shape) if v.kind == "ndarray" and v.shape is not None else None for v in values]
        swapped = indexing is None or isinstance(indexing, ast.Constant) and indexing.value == "xy"
        known_flags = all(f is None or isinstance(f, ast.Constant) for f in (sparse, indexing))
        items = []
        for axis, (arg, v) in enumerate(zip(call.args, values)):
            shape = None
            if known_flags and None not in sizes:
                grid = [n for n in sizes if n is not None]  # all of them
                if sparse is not None and sparse.value:
                    grid = [n if i == axis else 1 for i, n in enumerate(grid)]
                if swapped and len(grid) > 1:
                    grid[0], grid[1] = grid[1], grid[0]
                shape = tuple(grid)
            if v.kind == "ndarray" or isinstance(arg, (ast.List, ast.Tuple)):
                dtype = v.dtype if v.kind == "ndarray" else None
                items.append(ndarray_value(dtype, shape, "fresh" if fresh else "view", ndim=len(call.args)))
            else:
                items.append(UNKNOWN)
        return Value("tuple", ownership="fresh", origin="numpy.meshgrid", items=tuple(items))

    def _joined(self, name: str, call: ast.Call, kw: dict) -> Value:
        """``np.stack(items)``, ``np.concatenate(items)``... of a list built here (``lists``), a literal list or
        tuple of arrays, or a comprehension making arrays: a new array of the dtype NumPy gives the items'."""
        axis_position = 1 if name in ("stack", "concatenate") else None
        if set(kw) - {"axis"} or not call.args or len(call.args) > (2 if axis_position else 1):
            return self._known_call("numpy." + name, call)  # out=, dtype=, casting=
        items = self._joined_items(call.args[0])
        if items is BOTTOM:
            return BOTTOM
        if items is None:
            return self._known_call("numpy." + name, call)
        n = items.ndim
        axis = self._arg(call, axis_position, "axis") if axis_position is not None else None
        if n is not None and name == "concatenate" and isinstance(axis, ast.Constant) and axis.value is None:
            n = 1  # axis=None joins the flattened items
        elif n is not None:
            n = {"stack": n + 1, "vstack": max(n, 2), "hstack": max(n, 1), "concatenate": n}[name]
        return ndarray_value(items.dtype, None, ndim=n)

    def _append(self, call: ast.Call, kw: dict) -> Value:
        """``np.append(arr, values)``: a new array (``np.concatenate`` of both), 1-d without ``axis``. A base-class
        ndarray only when neither operand can be another kind of array (a masked ``values`` makes a MaskedArray);
        its dtype when both dtypes are known."""
        if set(kw) - {"arr", "values", "axis"} or len(call.args) > 3:
            return UNKNOWN
        nodes = [self._arg(call, 0, "arr"), self._arg(call, 1, "values")]
        if None in nodes:
            return UNKNOWN
        operands = [self._value(n) for n in nodes]
        if any(v.kind == "bottom" for v in operands):
            return BOTTOM
        if not all(v.kind in ("ndarray", "np_scalar", "py_number") for v in operands):
            return Value(ownership="fresh", origin="numpy.append")  # new, but of the kind the operands decide
        axis = self._arg(call, 2, "axis")
        dtypes = [v.dtype for v in operands if v.dtype is not None]
        dtype = numpy_api.joined_dtype(dtypes) if len(dtypes) == len(operands) else None  # None is float64
        return ndarray_value(dtype, None, ndim=1 if axis is None else operands[0].ndim)

    def _joined_items(self, node: ast.expr) -> Optional[Value]:
        """What the arrays a join is given are (their joined dtype; their ndim when all agree), when every one
        is an ndarray or NumPy scalar of known dtype; BOTTOM while a loop is iterated; else None."""
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            values = [self._value(node.elt)]
        elif isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None
            values = [self._value(e) for e in node.elts]
        else:
            return lists.items_of(self._value(node))
        if any(v.kind == "bottom" for v in values):
            return BOTTOM
        if any(v.kind not in ("ndarray", "np_scalar") or v.dtype is None for v in values):
            return None
        dtype = numpy_api.joined_dtype([v.dtype for v in values if v.dtype is not None])  # all known
        if dtype is None:
            return None
        ndims = {v.ndim for v in values}
        return Value("ndarray", dtype, None, "fresh", ndims.pop() if len(ndims) == 1 else None)

    def _expand_dims(self, call: ast.Call, kw: dict) -> Value:
        """``np.expand_dims(a, axis)``: a view of ``a`` with one more dimension per axis."""
        source = self._value(self._arg(call, 0, "a"))
        axis = self._arg(call, 1, "axis")
        if source.kind == "bottom":
            return BOTTOM
        if source.kind != "ndarray" or axis is None or set(kw) - {"a", "axis"}:
            return self._known_call("numpy.expand_dims", call)
        added = len(axis.elts) if isinstance(axis, (ast.Tuple, ast.List)) else 1
        return Value("ndarray", source.dtype, None, "view", source.ndim + added if source.ndim is not None else None)

    def _arange(self, call: ast.Call) -> Value:
        """Always a 1-d ndarray; its dtype and length when the arguments are known numbers."""
        dtype_node = self._arg(call, 3, "dtype")
        args = [self._value(a) for a in call.args[:3]]
        if (
            any(k in self._keywords(call) for k in ("start", "stop", "step"))
            or not args
            or any(a.kind != "py_number" for a in args)
        ):
            return ndarray_value(self._dtype_arg(dtype_node), None, ndim=1)
        dtype_node = self._arg(call, 3, "dtype")
        dtype = self._dtype_arg(dtype_node)
        if dtype is None and dtype_node is None:
            got = numpy_api.result_of("function", "arange", tuple(("py", a.pytype) for a in args))
            dtype = got[1] if got else None
        values = [a.constant for a in args]
        numbers = [v for v in values if type(v) is int or type(v) is float]
        length = None
        if len(numbers) == len(values):
            start, stop, step = (
                (0, numbers[0], 1) if len(numbers) == 1 else (*numbers[:2], numbers[2] if len(numbers) == 3 else 1)
            )
            if step:
                length = max(0, math.ceil((stop - start) / step))
        return ndarray_value(dtype, (length,) if length is not None else None, ndim=1)

    def _array_call(self, name: str, call: ast.Call, kw: dict) -> Value:
        source_node = self._arg(call, 0, "a") if name != "array" else self._arg(call, 0, "object")
        source = self._value(source_node) if source_node is not None else UNKNOWN
        dtype_node = self._arg(call, 1, "dtype")
        dtype = self._dtype_arg(dtype_node) if dtype_node is not None else None
        literal, stacked_ndim = None, None
        src_dtype: Optional[numpy.dtype[Any]]
        if source_node is not None and isinstance(source_node, (ast.List, ast.Tuple)) and _small(source_node):
            numbers = self._number_structure(source_node)
            literal = numpy_api.array_literal(numbers) if numbers is not None else None
        if literal is not None:
            shape, src_dtype = literal[1], literal[0]
        elif _holds_none(source_node):  # np.array([None, None]): an object array, whatever else it holds
            shape, src_dtype = None, numpy_api._np().dtype(object)
        elif source.kind in ("ndarray", "np_scalar", "py_number"):
            shape, src_dtype = self._shape_of(source), source.dtype
            if source.kind == "py_number" and source.pytype:
                got = numpy_api.result_of("function", "asarray", (("py", source.pytype),))
                src_dtype = got[1] if got else None
        elif source.kind in ("pil_image", "array_like"):  # Pillow's __array_interface__: the mode's dtype
            shape, src_dtype = None, source.dtype  # a pandas Series' values keep its NumPy dtype
        elif isinstance(source_node, (ast.List, ast.Tuple)):  # np.array([a, b]) of arrays
            shape, src_dtype, stacked_ndim = self._stacked(source_node)
        else:
            shape, src_dtype = None, None
        ndim = (
            len(shape)
            if shape is not None
            else (source.ndim if source.kind in ("ndarray", "pil_image") else stacked_ndim)
        )
        items = lists.items_of(source)  # a list of arrays built here: one more dimension, their dtype
        if items is BOTTOM:
            return BOTTOM
        if items is not None:
            src_dtype, ndim = items.dtype, items.ndim + 1 if items.ndim is not None else None
            if source.length is not None and items.kind == "ndarray" and items.shape is not None:
                shape = (source.length, *items.shape)  # equal shapes stack (unequal ones raise)
        if dtype_node is None:
            dtype = src_dtype
        if name in ("array", "copy"):
            if kw.get("subok") is not None or "ndmin" in kw:
                return Value(ownership="fresh")
            copy = kw.get("copy")
            if name == "array" and copy is not None and not (isinstance(copy, ast.Constant) and copy.value is True):
                return ndarray_value(dtype, shape, ownership="unknown", ndim=ndim)
            if name == "array" and literal is None and source.kind not in ("ndarray", "np_scalar", "py_number"):
                if source.kind in ("list", "pil_image") or isinstance(source_node, (ast.List, ast.Tuple)):
                    return ndarray_value(dtype, shape, ndim=ndim)
                return ndarray_value(dtype, None)
            return ndarray_value(dtype, shape, ndim=ndim)
        # asarray and friends hand back their argument when it is already a fitting array
        if name == "asanyarray" and source.kind != "ndarray":
            return Value(ownership="unknown_call")
        if literal is not None:
            return ndarray_value(dtype, shape, ndim=ndim)
        if source.kind == "pil_image":
            return ndarray_value(dtype, None, "read_only", ndim=ndim)  # it wraps the image's bytes
        # np.asarray of an array, or of a pandas Series (a read-only view of its data under copy on write)
        ownership: Ownership = "view" if source.kind in ("ndarray", "other_array", "unknown", "array_like") else "fresh"
        return ndarray_value(dtype, shape, ownership=ownership, ndim=ndim)

    def _stacked(self, display: ast.AST) -> tuple:
        """(shape, dtype, ndim) of ``np.array([a, b])`` of arrays: one more dimension than theirs, when they all
        have the same number (NumPy stacks equal shapes and raises for unequal ones); their shape and dtype
        when all have the same. (None, None, None) for anything else."""
        elts = getattr(display, "elts", [])
        values = [self._value(e) for e in elts if not isinstance(e, ast.Starred)]
        ndims = {v.ndim if v.kind == "ndarray" else None for v in values}
        ndim = ndims.pop() if len(ndims) == 1 else None
        if not values or len(values) != len(elts) or ndim is None:
            return None, None, None
        first = values[0]
        # `is not None` for each: np.dtype(None) is float64, so a dtype compares equal to None when float64
        same_dtype = all(v.dtype is not None and v.dtype == first.dtype for v in values)
        same_shape = first.shape is not None and all(v.shape == first.shape for v in values)
        shape = (len(values), *first.shape) if same_shape and first.shape is not None else None
        return shape, first.dtype if same_dtype else None, ndim + 1

    def _number_structure(self, node: ast.AST) -> Optional[object]:  # nested lists of numbers
        """Nested lists of Python numbers standing for a literal (``[[1, -np.inf], [x, 2]]``), else None.

        Each element is its constant when known, else a sample of its Python type: the dtype NumPy gives a
        list of Python numbers depends only on their types (and on the size of large ints, which are constants).
        """
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self._number_structure(e) for e in node.elts]
            return None if any(i is None for i in items) else items
        v = self._value(node)
        if v.kind != "py_number" or v.pytype in (None, "real") or (v.pytype == "int" and v.constant is None):
            return None  # an int of unknown size may need uint64 or object
        return v.constant if v.constant is not None else numpy_api._PY_SAMPLES[v.pytype]

    def _random_call(self, name: str, call: ast.Call) -> Value:
        if name == "default_rng":
            return Value(ownership="fresh", origin="numpy.random.default_rng")
        float64 = numpy_api.default_float()
        if name in ("rand", "randn"):
            if not call.args:
                return number_value(pytype="float")
            dims = [d for d in (self._value(a).constant for a in call.args) if type(d) is int and d >= 0]
            shape = tuple(dims) if len(dims) == len(call.args) else None
            return ndarray_value(float64, shape, ndim=len(call.args))
        return self._drawn(name, call, legacy=True)

    def _generator_method(self, name: str, call: ast.Call) -> Value:
        return self._drawn(name, call, legacy=False)

    def _sampled(self, name: str, call: ast.Call) -> Value:
        """``choice(a, size)`` and ``permutation(a)`` (Generator methods and legacy functions alike): a new array
        of int64 for an int ``a`` (``range(a)``), else of ``a``'s dtype; ``choice`` has ``size``'s dimensions
        (plus ``a``'s beyond the first), ``permutation`` ``a``'s shape."""
        source = self._value(self._arg(call, 0, "a" if name == "choice" else "x"))
        if source.kind == "bottom":
            return BOTTOM
        if source.kind == "py_number" and source.pytype == "int":
            dtype, item_dims, shape = numpy_api._np().dtype("int64"), 0, None
        elif source.kind == "ndarray" and source.ndim is not None and source.ndim >= 1:
            dtype, item_dims, shape = source.dtype, source.ndim - 1, source.shape
        else:
            return Value(ownership="unknown_call")
        if name == "permutation":
            if len(call.args) != 1 or call.keywords:
                return Value(ownership="unknown_call")
            if source.kind == "py_number":
                n = source.constant
                return ndarray_value(dtype, (n,) if type(n) is int and n >= 0 else None, ndim=1)
            return ndarray_value(dtype, shape, ndim=source.ndim)
        if set(self._keywords(call)) - {"a", "size", "replace", "p"} or len(call.args) > 4:
            return Value(ownership="unknown_call")  # axis=, shuffle=
        size = self._arg(call, 1, "size")
        if size is None or (isinstance(size, ast.Constant) and size.value is None):
            return Value(ownership="fresh")  # one item: a NumPy scalar, or an array of a's other dimensions
        drawn, ndim = self._shape_arg(size)
        if ndim is None:
            return Value(ownership="fresh")
        rest = () if item_dims == 0 else shape[1:] if shape is not None else None
        whole = drawn + rest if drawn is not None and rest is not None else None
        return ndarray_value(dtype, whole, ndim=ndim + item_dims)

    def _drawn(self, name: str, call: ast.Call, legacy: bool) -> Value:
        """Numbers drawn from a distribution (``numpy_api.RANDOM_DRAWS``): an array of ``size``'s shape, else
        a Python or NumPy scalar, or an array of the parameters' broadcast shape; ``out=`` is returned."""
        if name in ("choice", "permutation"):
            return self._sampled(name, call)
        default = numpy_api.RANDOM_DRAWS.get(name)
        parameters = numpy_api.random_parameters(name, legacy) if default is not None else None
        if parameters is None:
            return Value(ownership="unknown_call")
        out = self._arg(call, None, "out")
        if out is not None:
            return self._value(out)
        size_position, dtype_position = parameters
        dtype_node = self._arg(call, dtype_position, "dtype") if dtype_position is not None else None
        dtype = self._dtype_arg(dtype_node) if dtype_node is not None else numpy_api._np().dtype(default)
        size = self._arg(call, size_position, "size")
        if size is None or (isinstance(size, ast.Constant) and size.value is None):
            return Value(ownership="fresh")  # a Python or NumPy scalar, or an array of the parameters' shape
        shape, ndim = self._shape_arg(size)
        if ndim is None:
            return Value(ownership="fresh")
        return ndarray_value(dtype, shape, ndim=ndim)

    def _ufunc(self, name: str, ufunc: numpy.ufunc, call: ast.Call, kw: dict[Optional[str], ast.expr]) -> Value:
        if ufunc.signature is not None:  # np.matmul, np.vecdot: their core axes do not broadcast
            return self._computed(name, call, kw)
        if "out" in kw or len(call.args) > ufunc.nin or ufunc.nout != 1:
            out = kw.get("out") or (call.args[ufunc.nin] if len(call.args) > ufunc.nin else None)
            return self._value(out) if out is not None and ufunc.nout == 1 else UNKNOWN  # the out= array itself
        operands = [self._value(a) for a in call.args]
        if len(operands) != ufunc.nin:
            return UNKNOWN
        if any(v.kind == "bottom" for v in operands):
            return BOTTOM
        if any(v.kind == "array_like" for v in operands):  # pandas' and xarray's ufuncs follow NumPy's dtypes
            return array_like_of(self._ufunc_of(name, [as_numpy(v) for v in operands], kw))
        return self._ufunc_of(name, operands, kw)

    def _ufunc_of(self, name: str, operands: list[Value], kw: dict) -> Value:
        kinds = {v.kind for v in operands}
        if "other_array" in kinds:
            return Value("other_array", ownership="fresh")
        if not all(_numpy_operand(v) for v in operands):
            return UNKNOWN
        specs = tuple(self._spec(v) for v in operands)
        keywords: tuple[tuple[str, object], ...] = ()
        if "dtype" in kw:
            dtype = self._dtype_arg(kw["dtype"])
            if dtype is None:
                return self._result(("ndarray", None), operands) if "ndarray" in kinds else UNKNOWN
            keywords = (("dtype", dtype),)
        if set(kw) - {"dtype", "where", "casting", "order", "subok", "signature"}:
            return UNKNOWN
        if "casting" in kw or "signature" in kw:
            return self._result(("ndarray", None), operands) if "ndarray" in kinds else UNKNOWN
        if None in specs:
            return self._result((_result_kind(kinds), None), operands)
        computed = numpy_api.result_of("ufunc", name, specs, keywords)
        return self._result(computed, operands) if computed else UNKNOWN

    def _method(self, receiver: Value, name: str, call: ast.Call) -> Value:
        kw = self._keywords(call)
        if receiver.kind == "np_scalar":
            if name in numpy_api.REDUCTIONS:  # np.int8(3).mean() is float64: asked of NumPy
                return self._reduce(receiver, name, call, axis_position=0, function=False)
            if name in ("copy", "astype", "item"):
                return Value(
                    "np_scalar" if name != "item" else "py_number",
                    receiver.dtype if name != "astype" else self._dtype_arg(self._arg(call, 0, "dtype")),
                    (),
                    "fresh",
                    0,
                )
            return Value(ownership="unknown_call")
        if name == "copy":  # order="C" by default
            return receiver.with_changes(ownership="fresh", fortran=_fortran(kw.get("order")))
        if name == "astype":
            return self._astype(receiver, call)
        if name == "flatten":
            size = math.prod(receiver.shape) if receiver.shape is not None else None
            return ndarray_value(receiver.dtype, (size,) if size is not None else None, ndim=1)
        if name in numpy_api.VIEW_METHODS:
            shape: Optional[tuple[int, ...]] = None
            ndim: Optional[int] = None
            if name == "ravel":
                ndim = 1
                if receiver.shape is not None:
                    shape = (math.prod(receiver.shape),)
            elif name == "transpose" and not call.args and receiver.shape is not None:
                shape = tuple(reversed(receiver.shape))
            elif name == "reshape" and call.args and not kw:
                if len(call.args) == 1:
                    shape, ndim = self._shape_arg(call.args[0])
                else:
                    shape, ndim = self._shape_arg(ast.Tuple(elts=list(call.args), ctx=ast.Load()))
                if shape is not None and receiver.shape is not None and math.prod(shape) != math.prod(receiver.shape):
                    shape = None
                if shape is None and ndim is not None and receiver.shape is not None:
                    pass
            elif name in ("transpose", "swapaxes"):
                ndim = receiver.ndim
            elif name == "squeeze" and len(call.args) + len(kw) <= 1 and set(kw) <= {"axis"}:
                shape, ndim = self._squeezed(receiver, call.args[0] if call.args else kw.get("axis"))
            dtype = receiver.dtype if name != "view" or not call.args else self._dtype_arg(call.args[0])
            if name == "view" and kw:
                return Value(ownership="view")
            return Value("ndarray", dtype, shape, "view", len(shape) if shape is not None else ndim)
        if name in numpy_api.REDUCTIONS:
            return self._reduce(receiver, name, call, axis_position=0, function=False)
        if name in ("cumsum", "cumprod") and "out" not in kw:
            spec = self._spec(receiver)
            got = numpy_api.result_of("method", name, (spec,)) if spec else None
            axis = self._arg(call, 0, "axis")
            if axis is None:
                size = math.prod(receiver.shape) if receiver.shape is not None else None
                return ndarray_value(got[1] if got else None, (size,) if size is not None else None, ndim=1)
            return ndarray_value(got[1] if got else None, receiver.shape, ndim=receiver.ndim)
        if name == "round" and "out" not in kw and not call.args:  # of a bool array: float16
            spec = self._spec(receiver)
            got = numpy_api.result_of("method", name, (spec,)) if spec else None
            return receiver.with_changes(dtype=got[1] if got else None, ownership="fresh")
        if name == "item":
            return number_value(pytype=pytype_of_dtype(receiver.dtype))
        if name in numpy_api.COMPUTED_METHODS:
            return self._computed_method(receiver, name, call)
        return Value(ownership="unknown_call")

    def _astype(self, receiver: Value, call: ast.Call) -> Value:
        """``x.astype(dtype)`` copies unless told ``copy=False`` (NumPy's fifth positional argument): a new
        object of that dtype. Of a receiver of unknown kind (a parameter) it is an array_like: pandas, xarray,
        JAX and others have ``astype`` too (a new object as well), and a second positional argument is
        ``copy`` to pandas. Of an ndarray or NumPy scalar (kind "unknown" with a dtype), one of the two."""
        numpy = receiver.kind == "ndarray" or receiver.kind == "unknown" and receiver.dtype is not None
        dtype = self._dtype_arg(self._arg(call, 0, "dtype"))
        copy = self._arg(call, 4 if numpy else 1, "copy")
        new = copy is None or isinstance(copy, ast.Constant) and copy.value is True
        if not numpy:
            return Value("array_like", dtype, ownership="fresh" if new else "unknown") if dtype is not None else UNKNOWN
        return receiver.with_changes(dtype=dtype, ownership="fresh" if new else "unknown")

    def _reduce(self, receiver: Value, name: str, call: ast.Call, axis_position: int, function: bool) -> Value:
        """A reduction (``np.max(x)``, ``x.sum(axis=1)``...): without ``axis`` one NumPy scalar, whatever the
        array's dimensions; along an axis a new array of one dimension fewer (a scalar for a 1-d array), or of
        as many with ``keepdims``. Its dtype is asked of NumPy; for a value that is an ndarray or a NumPy scalar
        (kind "unknown" with a dtype) of both, and known only where they agree."""
        kw = self._keywords(call)
        if receiver.kind == "bottom":
            return BOTTOM
        either = receiver.kind == "unknown" and receiver.dtype is not None  # an ndarray or a NumPy scalar
        norm = name == "linalg.norm"  # its `ord` (position 1) changes no dtype: norm makes x float, then x.real
        if (
            (receiver.kind not in ("ndarray", "np_scalar", "py_number") and not either)
            or "out" in kw
            or set(kw) - {"axis", "dtype", "keepdims", *(("ord",) if norm else ())}
        ):
            return UNKNOWN
        keepdims_node = kw.get("keepdims")
        if keepdims_node is not None and not (
            isinstance(keepdims_node, ast.Constant) and keepdims_node.value in (True, False)
        ):
            return UNKNOWN
        keepdims = isinstance(keepdims_node, ast.Constant) and keepdims_node.value is True
        if keepdims and receiver.kind != "ndarray":
            return UNKNOWN
        if len(call.args) > axis_position + 1:
            return UNKNOWN
        axis = self._arg(call, axis_position, "axis")
        dtype_node = kw.get("dtype")
        keywords: tuple[tuple[str, object], ...] = ()
        if dtype_node is not None:
            dtype = self._dtype_arg(dtype_node)
            if dtype is None:
                return UNKNOWN
            keywords = (("dtype", dtype),)
        specs = [("array", receiver.dtype, None), ("scalar", receiver.dtype)] if either else [self._spec(receiver)]
        answers = set()
        for spec in specs:
            if spec is not None:
                got = numpy_api.result_of("function" if function else "method", name, (spec,), keywords)
                if got is None:
                    return UNKNOWN
                answers.add(got[1])
        dtype = answers.pop() if len(answers) == 1 else None
        whole = axis is None or (isinstance(axis, ast.Constant) and axis.value is None)
        axes = None if axis is None or whole else self._axes(axis)  # the axes reduced, when known ints
        ndim = receiver.ndim
        if whole and not keepdims:
            return Value("np_scalar", dtype, (), "fresh", 0)
        if not whole and axes is None:
            return UNKNOWN
        if ndim is None:
            if axes is None or receiver.kind == "py_number":
                return UNKNOWN
            # the array has each axis (else NumPy raises): at least a + 1 (or -a) dimensions, but a 0-d array or
            # a scalar takes 0 and -1 as its one axis (and gives a NumPy scalar, keepdims or not); the result
            # has as many dimensions with keepdims, else len(axes) fewer
            least = max(max(a + 1 if a >= 1 else -a if a <= -2 else 0 for a in axes), receiver.min_ndim or 0)
            if not keepdims:
                least -= len(axes)
            return ndarray_value(dtype, None, min_ndim=least) if least >= 1 else Value("unknown", dtype, None, "fresh")
        if ndim == 0 and not keepdims and axes in ((0,), (-1,)):
            return Value("np_scalar", dtype, (), "fresh", 0)
        if axes is None:
            axes = tuple(range(ndim))
        if not all(-ndim <= a < ndim for a in axes) or len({a % ndim for a in axes}) != len(axes):
            return UNKNOWN  # NumPy raises
        reduced = {a % ndim for a in axes}
        if keepdims:  # the reduced axes stay, of length 1
            shape = None
            if receiver.shape is not None:
                shape = tuple(1 if i in reduced else d for i, d in enumerate(receiver.shape))
            return ndarray_value(dtype, shape, ndim=ndim)
        if ndim == len(reduced):
            return Value("np_scalar", dtype, (), "fresh", 0)
        shape = None
        if receiver.shape is not None:
            shape = tuple(d for i, d in enumerate(receiver.shape) if i not in reduced)
        return ndarray_value(dtype, shape, ndim=ndim - len(reduced))

    def broadcasts_within(self, operand: ast.expr, use: ast.Name) -> bool:
        """``operand`` is a reduction of the very array ``use`` holds (the same binding: ``x.sum(axis=1,
        keepdims=True)``, ``np.mean(x, axis=0)``) that broadcasts with it into its own shape, whatever that is:
        with ``keepdims=True`` each axis is x's or 1; along leading axes (0, or (0, 1, ...)) the result is x's
        trailing shape. Not along others: ``x.sum(axis=1)`` of an (n, 1) x is (n,), and x + it is (n, n).
        Elementwise arithmetic of such reductions and scalars too (``x.std(axis=0) + 1e-8``): each axis of
        their broadcast is still x's or 1."""
        if isinstance(operand, (ast.BinOp, ast.UnaryOp)) or self._elementwise_call(operand):
            if isinstance(operand, ast.BinOp):
                parts = [] if isinstance(operand.op, ast.MatMult) else [operand.left, operand.right]
            elif isinstance(operand, ast.UnaryOp):
                parts = [operand.operand]
            else:
                parts = list(operand.args) if isinstance(operand, ast.Call) else []
            within = [self.broadcasts_within(p, use) for p in parts]
            return any(within) and all(
                w or self._value(p).kind in ("py_number", "np_scalar") for w, p in zip(within, parts)
            )
        if not isinstance(operand, ast.Call) or any(isinstance(a, ast.Starred) for a in operand.args):
            return False
        func, kw = operand.func, {k.arg: k.value for k in operand.keywords}
        q = self.ctx.qualname(func)
        if q is None and isinstance(func, ast.Attribute) and func.attr in numpy_api.REDUCTIONS:
            array, axis = func.value, self._arg(operand, 0, "axis")
        elif q is not None and q.startswith("numpy.") and q[6:] in numpy_api.REDUCTIONS and operand.args:
            array, axis = operand.args[0], self._arg(operand, 1, "axis")
        elif q == "numpy.linalg.norm" and operand.args:
            array, axis = operand.args[0], self._arg(operand, 2, "axis")
        else:
            return False
        if not (isinstance(array, ast.Name) and array.id == use.id and self.reaching(array) == self.reaching(use)):
            return False
        keepdims = kw.get("keepdims")
        if isinstance(keepdims, ast.Constant) and keepdims.value is True:
            return True
        if axis is None or isinstance(axis, ast.Constant) and axis.value is None:
            return True  # one scalar
        axes = self._axes(axis)
        return axes is not None and sorted(axes) == list(range(len(axes)))

    def _elementwise_call(self, node: ast.expr) -> bool:
        """``np.sqrt(v)``, ``np.maximum(v, 1e-8)``: an elementwise ufunc called with plain positional arguments."""
        if not isinstance(node, ast.Call) or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return False
        q = self.ctx.qualname(node.func)
        ufunc = numpy_api.ufunc_of(q)
        return ufunc is not None and numpy_api.is_elementwise_ufunc(q) and ufunc.nin == len(node.args)

    def _axes(self, axis: ast.expr) -> Optional[tuple[int, ...]]:
        """The axes an ``axis=`` argument names: an int, or a tuple of ints (``axis=(0, 1)``), else None."""
        parts = axis.elts if isinstance(axis, ast.Tuple) else [axis]
        constants = [self._value(p).constant for p in parts]
        if not parts or any(type(c) is not int for c in constants):
            return None
        return tuple(c for c in constants if type(c) is int)


def as_numpy(v: Value) -> Value:
    """An array_like as NumPy computes with it: an ndarray or NumPy scalar of its dtype (kind "unknown")."""
    return v.with_changes(kind="unknown") if v.kind == "array_like" else v


def array_like_of(v: Value) -> Value:
    """What NumPy computes of an array_like (``as_numpy``), as an array_like: its dtype, of an object that may be
    the other library's (pandas' ufuncs and reductions give pandas objects)."""
    if v.kind == "bottom":
        return v
    if v.dtype is None or v.kind not in ("ndarray", "np_scalar", "unknown"):
        return UNKNOWN
    return Value("array_like", v.dtype, ownership="fresh" if v.ownership == "fresh" else "unknown")


def matmul_value(left: Value, right: Value, computed: Value) -> Value:
    """``left @ right`` given what elementwise broadcasting would say (``computed``): the matrix axes do not
    broadcast, so the result's dimensions are asked of NumPy (``(5, 3) @ (3,)`` is 1-d) and its shape is not
    stated."""
    specs: list[numpy_api.Argument] = [
        ("array", v.dtype or numpy_api.default_float(), v.ndim)
        for v in (left, right)
        if v.kind == "ndarray" and v.ndim is not None
    ]
    answer = numpy_api.called("matmul", tuple(specs), ()) if len(specs) == 2 else None
    if answer is None or answer[0] not in ("ndarray", "np_scalar"):
        return Value("unknown", computed.dtype, None, computed.ownership) if computed.kind != "unknown" else computed
    if answer[0] == "np_scalar":
        return Value("np_scalar", computed.dtype, (), computed.ownership, 0)
    shape = _matmul_shape(left.shape, right.shape) if left.shape is not None and right.shape is not None else None
    return ndarray_value(
        computed.dtype,
        shape if shape is not None and len(shape) == answer[2] else None,
        computed.ownership,
        ndim=answer[2],
    )


def _matmul_shape(left: tuple, right: tuple) -> Optional[tuple]:
    """The shape of ``left @ right`` (NumPy's matmul rules: a 1-d operand is a row or a column whose axis goes),
    None when they do not fit."""
    row, column = (1, *left) if len(left) == 1 else left, (*right, 1) if len(right) == 1 else right
    if row[-1] != column[-2]:
        return None
    batch = numpy_api.broadcast(row[:-2], column[:-2])
    if batch is None:
        return None
    return (*batch, *row[-2:-1][len(left) == 1 :], *column[-1:][len(right) == 1 :])


def _value_described(answer: Optional[Described], ownership: Ownership) -> Value:
    """The Value of what ``numpy_api.called`` describes; an item nothing is known of is unknown."""
    if answer is None:
        return UNKNOWN
    kind, detail, ndim = answer
    if kind == "tuple":
        return Value("tuple", ownership="fresh", items=tuple(_value_described(a, ownership) for a in detail))
    if kind == "py_number":
        return number_value(pytype=detail)
    if kind == "np_scalar":
        return Value("np_scalar", detail, (), "fresh", 0)
    if kind == "ndarray":
        return ndarray_value(detail, None, ownership, ndim=ndim)
    return Value("unknown", detail, None, ownership if detail is not None else "unknown")


def _numpy_operand(v: Value) -> bool:
    """An operand NumPy computes with as it is: an ndarray, a NumPy scalar or Python number, or a value known
    to be an ndarray or a NumPy scalar of a known dtype."""
    return v.kind in ("ndarray", "np_scalar", "py_number") or (v.kind == "unknown" and v.dtype is not None)


def _result_kind(kinds: set) -> ValueKind:
    """What a ufunc of operands of these kinds returns, its dtype aside: an ndarray where one is (``_result``
    makes it a scalar where all are 0-d), a NumPy scalar where none is an array, else either."""
    if "ndarray" in kinds:
        return "ndarray"
    return "np_scalar" if kinds <= {"np_scalar", "py_number"} else "unknown"


_JOINING = frozenset({"stack", "vstack", "hstack", "concatenate"})  # functions joining a sequence of arrays


def _fortran(order: Optional[ast.AST]) -> Optional[bool]:
    """True where an ``order`` argument may ask for Fortran order ("F", "A", "K" or not a literal); None for "C"
    or no argument (the constructors' and ``copy``'s default)."""
    if order is None or isinstance(order, ast.Constant) and order.value in ("C", "c"):
        return None
    return True


_QUANTILES = frozenset({"percentile", "quantile", "nanpercentile", "nanquantile"})


def _literal_suffix(node: ast.AST) -> Optional[str]:
    """The extension a file name spelled in the source ends with (``"a.npz"``, ``f"{d}/a.npz"``,
    ``os.path.join(d, "a.npz")``), else None."""
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[-1]
    elif isinstance(node, ast.Call) and node.args and not node.keywords:
        node = node.args[-1]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        dot = node.value.rfind(".")
        return node.value[dot:].lower() if dot >= 0 and "/" not in node.value[dot:] else ""
    return None


def _sizes_stand_ins(literal: object) -> bool:
    """A literal holding an int that could make a stand-in call allocate much (``np.indices((10**5, 10**5))``);
    ints beyond int64, which give object arrays, are kept (NumPy refuses to allocate with them at once)."""
    if type(literal) is int:
        return 16 < abs(literal) < 2**62
    return isinstance(literal, (list, tuple)) and any(_sizes_stand_ins(item) for item in literal)


def _holds_none(node: Optional[ast.AST]) -> bool:
    """A literal list or tuple (nested ones included) with a ``None`` item."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    return any(isinstance(e, ast.Constant) and e.value is None or _holds_none(e) for e in node.elts)


def _flat(numbers: object) -> Iterator[object]:
    if isinstance(numbers, list):
        for n in numbers:
            yield from _flat(n)
    else:
        yield numbers


def _small(node: ast.AST) -> bool:
    count = 0
    for _ in ast.walk(node):
        count += 1
        if count > 2000:
            return False
    return True


# --- may an operation write its result into one of its operands? ------------------------------------------
#
# Catalog section 3.1: ``a = a op x`` -> ``a op= x`` (and ``np.f(a, x)`` -> ``np.f(a, x, out=a)``) keeps
# behaviour only if the result has exactly a's dtype and shape, and every operand is a plain ndarray, a NumPy
# scalar or a Python number literal that NumPy 1.x value-based casting would not promote either.

_LITERAL_OPS = {
    # dtype kind of the target -> operators (and the ufuncs they call) that may take a Python literal
    "f": {
        "add",
        "sub",
        "mul",
        "truediv",
        "floordiv",
        "mod",
        "pow",
        "subtract",
        "multiply",
        "true_divide",
        "divide",
        "floor_divide",
        "remainder",
        "power",
    },
    "i": {
        "add",
        "sub",
        "mul",
        "floordiv",
        "mod",
        "and_",
        "or_",
        "xor",
        "lshift",
        "rshift",
        "subtract",
        "multiply",
        "floor_divide",
        "remainder",
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "left_shift",
        "right_shift",
    },
    "b": {"and_", "or_", "xor", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or", "logical_xor"},
}
_LITERAL_OPS["c"] = _LITERAL_OPS["f"] - {"floordiv", "mod", "floor_divide", "remainder"}
_LITERAL_OPS["u"] = _LITERAL_OPS["i"]
_LITERAL_TYPES = {"f": ("int", "float"), "c": ("int", "float"), "i": ("int",), "u": ("int",), "b": ("bool",)}
# Elementwise ufuncs beyond the operators that keep a number type and accept an in-range literal.
_LITERAL_UFUNCS = frozenset(
    {
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "copysign",
        "hypot",
        "arctan2",
        "logaddexp",
        "logaddexp2",
        "fmod",
        "heaviside",
        "nextafter",
        "clip",
    }
)


def in_place_verdict(
    kind: Literal["operator", "ufunc"], name: str, operands: list[Value], target: int, within: tuple = ()
) -> tuple[Verdict, str]:
    """Whether ``operands[target]`` can receive the result of an operation: ("safe" | "unknown" |
    "impossible", reason). ``kind`` is "operator" (an ``operator`` function name) or "ufunc". ``within``: the
    positions of operands known to broadcast within the array whatever its shape (``broadcasts_within``)."""
    a = operands[target]
    if a.ndim == 0:
        return "impossible", "on a 0-d array the result is a NumPy scalar"
    if a.dtype is None:
        return "unknown", "the dtype of the array is not known"
    if a.dtype.kind not in "biufc":
        return "impossible", f"{a.dtype} arrays are not numeric"
    specs: list[Optional[Spec]] = []
    for i, o in enumerate(operands):
        if o.kind == "other_array":
            return "impossible", "the operand is not a plain ndarray (masked array, matrix, pandas...)"
        least = o.ndim if o.ndim is not None else o.min_ndim
        if i != target and o.kind == "ndarray" and least is not None and a.ndim is not None and least > a.ndim:
            return "impossible", "broadcasting makes the result larger than the array"
        if i != target and o.kind == "ndarray" and o.shape is not None and a.shape is not None:
            if numpy_api.broadcast(a.shape, o.shape) != tuple(a.shape):
                return "impossible", "broadcasting makes the result larger than the array"
        if o.kind == "py_number" and o.pytype:
            specs.append(("py", o.pytype))
        elif o.kind == "np_scalar" and o.dtype is not None:
            specs.append(("scalar", o.dtype))
        elif o.dtype is not None and (o.kind in ("ndarray", "unknown") or o.kind == a.kind == "array_like"):
            # "unknown" with a dtype: an ndarray or a NumPy scalar (NEP 50 promotes both alike); an array_like
            # array (never fixed, below) may take array_like operands: its library takes the operation anyway
            specs.append(("array", o.dtype, o.ndim))
        else:
            specs.append(None)
    if None not in specs:
        got = numpy_api.result_of(kind, name, tuple(specs))
        if got is None:
            return "impossible", "NumPy refuses these operands"
        if got[1] is None:
            return "unknown", "the result's dtype depends on which number the operand is"
        if got[1] != a.dtype:
            return "impossible", f"the result is {got[1]}, not {a.dtype}"
    for i, o in enumerate(operands):
        if i == target:
            continue
        if o.kind == "py_number":
            if o.constant is None or o.pytype not in _LITERAL_TYPES[a.dtype.kind]:
                return "unknown", "the operand is not a number literal of the array's kind"
            allowed = name in _LITERAL_OPS[a.dtype.kind] or (kind == "ufunc" and name in _LITERAL_UFUNCS)
            if not allowed or not numpy_api.fits(o.constant, a.dtype):
                return "unknown", f"{o.constant!r} may not keep {a.dtype} under every NumPy version"
            continue
        if o.kind == "unknown" and o.dtype is not None:
            if i not in within:
                return "unknown", "the operand may be an array or a scalar"
            continue  # a reduction of the array: a scalar, or an array broadcasting within it
        if o.kind == a.kind == "array_like":
            continue
        if o.kind not in ("ndarray", "np_scalar"):
            # pandas, xarray, pd.NA... take over NumPy operations (__array_ufunc__, __array_priority__):
            # the result need not even be an ndarray, so there is nothing to suggest
            return "impossible", "the operand's type is not known"
        if o.dtype is None:
            return "unknown", "the operand's dtype is not known"
        if o.kind == "ndarray" and o.shape is None and i not in within:
            return "unknown", "the operand's shape is not known"
    if None in specs:
        return "unknown", "the result's dtype is not known"
    if a.kind == "array_like":
        return "unknown", "the array is not known to be an ndarray: pandas and xarray objects have `.astype()` too"
    # a reduction of `a` that is an array of n dimensions proves `a` has as many (keepdims) or more
    proven = max(
        (o.ndim or o.min_ndim or 0 for i, o in enumerate(operands) if i in within and o.kind == "ndarray"), default=0
    )
    if a.ndim is None and not max(a.min_ndim or 0, proven) >= 1:  # a 0-d array: `a * 2` is a scalar, `a *= 2` an array
        return "unknown", "the number of dimensions of the array is not known"
    if a.shape is None and any(
        o.kind == "ndarray" and o.ndim != 0 for i, o in enumerate(operands) if i != target and i not in within
    ):
        return "unknown", "the shape of the array is not known"
    return "safe", ""
