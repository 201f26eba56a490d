"""NumPy functions whose results memlint computes on stand-ins (numpy_api.COMPUTED_FUNCTIONS): every entry is
called as users call it, on arrays of several dtypes, shapes and memory layouts, and what the facts say of the
call (kind, dtype, number of dimensions, fresh or not) must be what NumPy returns. A wrong entry fails here;
the traps below are fixes a wrong "fresh" would make."""

import ast
import textwrap
import warnings

import numpy as np
import pytest
from helpers import assert_fix_keeps_behaviour, assert_trap_not_fixed, config

from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.source import SourceText

# How users call each function: `a` and `b` are arrays of one dtype and shape, `v` a 1-d array of that dtype
# as long as their last axis, `n` an int.
CALLS = {
    "sort": ["np.sort(a)", "np.sort(a, axis=None)", "np.sort(a, axis=0)"],
    "argsort": ["np.argsort(a)", "np.argsort(a, axis=None)"],
    "partition": ["np.partition(a, 1)", "np.partition(a, 0, axis=0)"],
    "argpartition": ["np.argpartition(a, 1)"],
    "sort_complex": ["np.sort_complex(v)"],
    "extract": ["np.extract(a > 0, a)"],
    "polyadd": ["np.polyadd(v, v)", "np.polyadd(v, [1, 2])"],
    "polysub": ["np.polysub(v, [1.0])"],
    "unique_values": ["np.unique_values(a)"],
    "unique_counts": ["np.unique_counts(a)"],
    "unique_inverse": ["np.unique_inverse(a)"],
    "unique_all": ["np.unique_all(a)"],
    "permute_dims": ["np.permute_dims(a)"],
    "require": ["np.require(a)", "np.require(a, requirements='F')"],
    "linalg.matmul": ["np.linalg.matmul(a, b)"],
    "lexsort": ["np.lexsort((a, b))"],
    "unique": ["np.unique(a)", "np.unique(a, return_counts=True)", "np.unique(a, return_inverse=True)"],
    "searchsorted": ["np.searchsorted(v, a)"],
    "digitize": ["np.digitize(a, [0, 1, 2])"],
    "argwhere": ["np.argwhere(a)"],
    "flatnonzero": ["np.flatnonzero(a)"],
    "nonzero": ["np.nonzero(a)"],
    "isin": ["np.isin(a, b)"],
    "intersect1d": ["np.intersect1d(a, b)"],
    "union1d": ["np.union1d(a, b)"],
    "setdiff1d": ["np.setdiff1d(a, b)"],
    "setxor1d": ["np.setxor1d(a, b)"],
    "histogram": ["np.histogram(a)", "np.histogram(a, bins=5, density=True)", "np.histogram(a, weights=b)"],
    "histogram_bin_edges": ["np.histogram_bin_edges(a, bins=4)"],
    "histogram2d": ["np.histogram2d(v, v)"],
    "bincount": ["np.bincount(v)"],
    "where": ["np.where(a > 0, a, b)", "np.where(a > 0, a, 0)", "np.where(a > 0)", "np.where(a > 0, 1.0, 0.0)"],
    "nan_to_num": ["np.nan_to_num(a)", "np.nan_to_num(a, nan=0.0)"],
    "round": ["np.round(a)", "np.round(a, 2)"],
    "around": ["np.around(a, 1)"],
    "fix": ["np.fix(a)"],
    "angle": ["np.angle(a)", "np.angle(a, deg=True)"],
    "sinc": ["np.sinc(a)"],
    "i0": ["np.i0(a)"],
    "unwrap": ["np.unwrap(a)"],
    "isclose": ["np.isclose(a, b)", "np.isclose(a, 0.5)"],
    "iscomplex": ["np.iscomplex(a)"],
    "isreal": ["np.isreal(a)"],
    "isneginf": ["np.isneginf(a)"],
    "isposinf": ["np.isposinf(a)"],
    "select": ["np.select([a > 0, a < 0], [a, b])"],
    "piecewise": ["np.piecewise(a, [a > 0], [1, 0])"],
    "allclose": ["np.allclose(a, b)"],
    "array_equal": ["np.array_equal(a, b)"],
    "array_equiv": ["np.array_equiv(a, b)"],
    "iscomplexobj": ["np.iscomplexobj(a)"],
    "isrealobj": ["np.isrealobj(a)"],
    "real": ["np.real(a)"],
    "imag": ["np.imag(a)"],
    "real_if_close": ["np.real_if_close(a)"],
    "asarray_chkfinite": ["np.asarray_chkfinite(a)"],
    "cumsum": ["np.cumsum(a)", "np.cumsum(a, axis=0)", "np.cumsum(a, dtype=np.float64)", "np.cumsum(a, 0, float)"],
    "cumprod": ["np.cumprod(a)", "np.cumprod(a, axis=-1)"],
    "nancumsum": ["np.nancumsum(a)", "np.nancumsum(a, axis=0)"],
    "nancumprod": ["np.nancumprod(a, axis=0)"],
    "cumulative_sum": ["np.cumulative_sum(v)", "np.cumulative_sum(a, axis=0)"],
    "cumulative_prod": ["np.cumulative_prod(v)"],
    "diff": ["np.diff(a)", "np.diff(a, axis=0)", "np.diff(a, n=2)"],
    "ediff1d": ["np.ediff1d(a)"],
    "gradient": ["np.gradient(a)", "np.gradient(v)", "np.gradient(a, axis=0)"],
    "trapezoid": ["np.trapezoid(a)", "np.trapezoid(a, dx=0.5)", "np.trapezoid(a, axis=0)"],
    "trace": ["np.trace(a)"],
    "cov": ["np.cov(a)", "np.cov(v)"],
    "corrcoef": ["np.corrcoef(a)"],
    "average": ["np.average(a)", "np.average(a, axis=0)", "np.average(a, weights=b)"],
    "percentile": ["np.percentile(a, 50, axis=0)", "np.percentile(a, [5, 95])", "np.percentile(a, 90, keepdims=True)"],
    "quantile": ["np.quantile(a, 0.5, axis=-1)", "np.quantile(a, 0.5, method='nearest')"],
    "nanpercentile": ["np.nanpercentile(a, 50, axis=0)"],
    "nanquantile": ["np.nanquantile(a, [0.1, 0.9], axis=0)"],
    "take": ["np.take(a, [0, 1])", "np.take(a, [0, 1], axis=0)", "np.take(a, 0, axis=-1)"],
    "take_along_axis": ["np.take_along_axis(a, np.argsort(a, axis=0), axis=0)"],
    "repeat": ["np.repeat(a, 2)", "np.repeat(a, 2, axis=0)"],
    "tile": ["np.tile(a, 2)", "np.tile(a, (2, 1, 1))"],
    "roll": ["np.roll(a, 1)", "np.roll(a, -1, axis=0)"],
    "pad": ["np.pad(a, 1)", "np.pad(a, 2, mode='edge')", "np.pad(a, 1, constant_values=5)"],
    "resize": ["np.resize(a, (2, 7))"],
    "compress": ["np.compress([True, False], a, axis=0)"],
    "tril": ["np.tril(a)", "np.tril(a, -1)"],
    "triu": ["np.triu(a, 1)"],
    "diagflat": ["np.diagflat(v)"],
    "vander": ["np.vander(v)", "np.vander(v, 3)"],
    "kron": ["np.kron(a, b)"],
    "insert": ["np.insert(a, 1, 5)", "np.insert(a, 1, 5, axis=0)"],
    "delete": ["np.delete(a, 0)", "np.delete(a, 0, axis=0)"],
    "trim_zeros": ["np.trim_zeros(v)"],
    "transpose": ["np.transpose(a)", "np.transpose(a, (1, 0))"],
    "swapaxes": ["np.swapaxes(a, 0, 1)"],
    "moveaxis": ["np.moveaxis(a, 0, -1)"],
    "rollaxis": ["np.rollaxis(a, 1)"],
    "flip": ["np.flip(a)", "np.flip(a, axis=0)"],
    "fliplr": ["np.fliplr(a)"],
    "flipud": ["np.flipud(a)"],
    "rot90": ["np.rot90(a)", "np.rot90(a, 2)"],
    "ravel": ["np.ravel(a)", "np.ravel(a, order='F')"],
    "reshape": ["np.reshape(a, -1)", "np.reshape(a, (-1, 1))"],
    "diagonal": ["np.diagonal(a)"],
    "diag": ["np.diag(a)", "np.diag(v)", "np.diag(a, 1)"],
    "matrix_transpose": ["np.matrix_transpose(a)"],
    "atleast_1d": ["np.atleast_1d(a)"],
    "atleast_2d": ["np.atleast_2d(a)", "np.atleast_2d(v)"],
    "atleast_3d": ["np.atleast_3d(a)"],
    "broadcast_arrays": ["np.broadcast_arrays(a, b)", "np.broadcast_arrays(a, v)"],
    "matmul": ["np.matmul(a, b)", "np.matmul(a, v)", "np.matmul(v, v)", "np.matmul(v, a)"],
    "vecdot": ["np.vecdot(a, b)", "np.vecdot(a, v)"],
    "matvec": ["np.matvec(a, v)"],
    "vecmat": ["np.vecmat(v, a)"],
    "dot": ["np.dot(a, b)", "np.dot(a, v)", "np.dot(v, v)"],
    "vdot": ["np.vdot(a, b)"],
    "inner": ["np.inner(a, b)"],
    "outer": ["np.outer(a, b)", "np.outer(v, v)"],
    "tensordot": ["np.tensordot(a, b)", "np.tensordot(a, b, axes=1)", "np.tensordot(a, b, axes=([0], [0]))"],
    "einsum": ["np.einsum('ij,jk->ik', a, b)", "np.einsum('i,i', v, v)", "np.einsum('ii', a)", "np.einsum('ij->', a)"],
    "cross": ["np.cross(v[:3], v[1:4])"],
    "convolve": ["np.convolve(v, v)", "np.convolve(v, [1, 1, 1], mode='same')", "np.convolve(v, v, 'valid')"],
    "correlate": ["np.correlate(v, v)", "np.correlate(v, v, mode='full')"],
    "polyval": ["np.polyval(v, a)", "np.polyval([1, 2, 3], a)"],
    "polyfit": ["np.polyfit(v, v, 1)"],
    "polyder": ["np.polyder(v)", "np.polyder(v, 0)"],
    "polyint": ["np.polyint(v)", "np.polyint(v, 0)"],
    "poly": ["np.poly(v)"],
    "logspace": ["np.logspace(0, 3)", "np.logspace(0, 3, 10, dtype=np.float32)", "np.logspace(0, 3, n)"],
    "geomspace": ["np.geomspace(1, 1000, 4)", "np.geomspace(1, 1000, n)", "np.geomspace(1, 100, 3, dtype=int)"],
    "tri": ["np.tri(3)", "np.tri(n, n, dtype=int)"],
    "indices": ["np.indices((2, 3))"],
    "diag_indices": ["np.diag_indices(3)"],
    "tril_indices": ["np.tril_indices(n)"],
    "triu_indices": ["np.triu_indices(3, 1)"],
    "hanning": ["np.hanning(n)"],
    "hamming": ["np.hamming(8)"],
    "blackman": ["np.blackman(n)"],
    "bartlett": ["np.bartlett(n)"],
    "kaiser": ["np.kaiser(n, 14)"],
    "linalg.norm": [
        "np.linalg.norm(a)",
        "np.linalg.norm(a, axis=1)",
        "np.linalg.norm(v, ord=1)",
        "np.linalg.norm(a, 'fro')",
    ],
    "linalg.vector_norm": ["np.linalg.vector_norm(a)", "np.linalg.vector_norm(a, axis=-1)"],
    "linalg.matrix_norm": ["np.linalg.matrix_norm(a)"],
    "linalg.inv": ["np.linalg.inv(a)"],
    "linalg.pinv": ["np.linalg.pinv(a)"],
    "linalg.solve": ["np.linalg.solve(a, b)", "np.linalg.solve(a, v)"],
    "linalg.lstsq": ["np.linalg.lstsq(a, b)", "np.linalg.lstsq(a, v, rcond=None)"],
    "linalg.det": ["np.linalg.det(a)"],
    "linalg.slogdet": ["np.linalg.slogdet(a)"],
    "linalg.eig": ["np.linalg.eig(a)"],
    "linalg.eigh": ["np.linalg.eigh(a)"],
    "linalg.eigvals": ["np.linalg.eigvals(a)"],
    "linalg.eigvalsh": ["np.linalg.eigvalsh(a)"],
    "linalg.svd": ["np.linalg.svd(a)", "np.linalg.svd(a, full_matrices=False)", "np.linalg.svd(a, compute_uv=False)"],
    "linalg.svdvals": ["np.linalg.svdvals(a)"],
    "linalg.qr": ["np.linalg.qr(a)", "np.linalg.qr(a, mode='r')"],
    "linalg.cholesky": ["np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + np.eye(a.shape[-1]) * 50)"],
    "linalg.matrix_power": ["np.linalg.matrix_power(a, 2)", "np.linalg.matrix_power(a, 1)"],
    "linalg.matrix_rank": ["np.linalg.matrix_rank(a)"],
    "linalg.cond": ["np.linalg.cond(a)"],
    "linalg.multi_dot": ["np.linalg.multi_dot([a, b, a])"],
    "linalg.outer": ["np.linalg.outer(v, v)"],
    "linalg.cross": ["np.linalg.cross(v[:3], v[1:4])"],
    "linalg.tensordot": ["np.linalg.tensordot(a, b)"],
    "linalg.tensorinv": ["np.linalg.tensorinv(a, ind=1)"],
    "linalg.tensorsolve": ["np.linalg.tensorsolve(a, v)"],
    "linalg.vecdot": ["np.linalg.vecdot(a, b)"],
    "linalg.trace": ["np.linalg.trace(a)"],
    "linalg.matrix_transpose": ["np.linalg.matrix_transpose(a)"],
    "linalg.diagonal": ["np.linalg.diagonal(a)"],
    "fft.fft": ["np.fft.fft(a)", "np.fft.fft(a, n=8)", "np.fft.fft(a, axis=0)", "np.fft.fft(a, norm='ortho')"],
    "fft.ifft": ["np.fft.ifft(a)"],
    "fft.fft2": ["np.fft.fft2(a)"],
    "fft.ifft2": ["np.fft.ifft2(a)"],
    "fft.fftn": ["np.fft.fftn(a)"],
    "fft.ifftn": ["np.fft.ifftn(a)"],
    "fft.rfft": ["np.fft.rfft(a)", "np.fft.rfft(v, 16)"],
    "fft.irfft": ["np.fft.irfft(a)"],
    "fft.rfft2": ["np.fft.rfft2(a)"],
    "fft.irfft2": ["np.fft.irfft2(a)"],
    "fft.rfftn": ["np.fft.rfftn(a)"],
    "fft.irfftn": ["np.fft.irfftn(a)"],
    "fft.hfft": ["np.fft.hfft(a)"],
    "fft.ihfft": ["np.fft.ihfft(a)"],
    "fft.fftshift": ["np.fft.fftshift(a)"],
    "fft.ifftshift": ["np.fft.ifftshift(a, axes=0)"],
    "fft.fftfreq": ["np.fft.fftfreq(n)", "np.fft.fftfreq(n, d=0.1)"],
    "fft.rfftfreq": ["np.fft.rfftfreq(n, 1 / 8000)"],
}

DTYPES = ["float32", "float64", "int64", "uint8", "bool", "complex64"]
SHAPES = [(5,), (4, 4), (2, 3, 3)]


def _program(dtype: str, shape: tuple, call: str) -> str:
    return textwrap.dedent(
        f"""\
        import numpy as np
        def f(n: int):
            a = np.zeros({shape}, dtype=np.{dtype})
            b = np.zeros({shape}, dtype=np.{dtype})
            v = np.zeros({shape[-1]}, dtype=np.{dtype})
            print({call})
        """
    )


def facts_of(dtype: str, shape: tuple, call: str):
    code = _program(dtype, shape, call)
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    return ctx.arrays.value(printed[0].args[0])


def _data(dtype: str, shape: tuple, seed: int, layout: str):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3 + (1j * rng.standard_normal(shape) if dtype == "complex64" else 0)
    x = x > 0 if dtype == "bool" else np.abs(x) if dtype == "uint8" else x
    x = np.asarray(x).astype(dtype)
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":  # a non-contiguous view of a larger array
        big = np.zeros(tuple(2 * d for d in shape), dtype)
        view = big[tuple(slice(None, None, 2) for _ in shape)]
        view[...] = x
        return view
    return x


def mismatches(value, result, inputs) -> list:
    """What the facts' ``value`` claims that NumPy's ``result`` contradicts."""
    wrong = []
    if value.kind == "tuple":
        if not isinstance(result, tuple) or len(result) != len(value.items):
            return [f"not a tuple of {len(value.items)}: {type(result).__name__}"]
        for i, (item, r) in enumerate(zip(value.items, result)):
            wrong += [f"item {i}: {w}" for w in mismatches(item, r, inputs)]
        return wrong
    if value.kind == "ndarray" and type(result) is not np.ndarray:
        wrong.append(f"not an ndarray: {type(result).__name__}")
    if value.kind == "np_scalar" and not isinstance(result, np.generic):
        wrong.append(f"not a NumPy scalar: {type(result).__name__}")
    if value.kind == "py_number" and type(result).__name__ != value.pytype:
        wrong.append(f"not a Python {value.pytype}: {type(result).__name__}")
    if value.kind == "unknown" and value.dtype is not None and not isinstance(result, (np.ndarray, np.generic)):
        wrong.append(f"neither an array nor a NumPy scalar: {type(result).__name__}")
    if value.dtype is not None and getattr(result, "dtype", None) != value.dtype:
        wrong.append(f"dtype {getattr(result, 'dtype', None)}, not {value.dtype}")
    if value.shape is not None and np.shape(result) != value.shape:
        wrong.append(f"shape {np.shape(result)}, not {value.shape}")
    if value.ndim is not None and np.ndim(result) != value.ndim:
        wrong.append(f"{np.ndim(result)} dimensions, not {value.ndim}")
    if value.ownership == "fresh" and isinstance(result, np.ndarray):
        if any(result is x or np.shares_memory(result, x) for x in inputs) or not result.flags.writeable:
            wrong.append("not fresh: it shares memory with an argument or is read-only")
    return wrong


# Calls the facts compute elsewhere (constructors, ufuncs, reductions, joins, methods, operators), checked the
# same way: with a bool array ``a.round()`` is float16 and ``a ** 2`` int8 (np.square), not bool and int64.
OTHER_CALLS = """
np.zeros_like(a) | np.ones_like(a, dtype=float) | np.full_like(a, 3) | np.empty_like(a) | np.clip(a, 0, 1)
np.clip(a, 0.5, None) | np.interp(a, v, v) | np.append(a, b) | np.append(a, b, axis=0) | np.expand_dims(a, 0)
np.concatenate([a, b]) | np.concatenate([a, b], axis=None) | np.stack([a, b]) | np.vstack([a, b]) | np.hstack([a, b])
np.sum(a, axis=0) | np.mean(a, axis=-1, keepdims=True) | np.max(a) | np.argmax(a, axis=0) | np.median(a, axis=0)
np.percentile(a, 50) | np.std(a) | np.nanargmax(a) | np.nanargmin(a, axis=0) | np.count_nonzero(a) | np.abs(a) | np.sqrt(a) | np.exp(a) | np.isnan(a)
np.maximum(a, b) | np.add(a, 1) | np.linspace(0, 1, 5) | np.arange(5) | np.arange(0.0, 1.0, 0.1) | np.eye(3)
np.identity(4, dtype=int) | np.array(a) | np.asarray(a) | np.copy(a) | np.ascontiguousarray(a) | np.asfortranarray(a)
np.broadcast_to(v, (2, v.shape[0])) | np.meshgrid(v, v) | np.float32(2.5) | np.linalg.norm(a) | np.linalg.norm(a, axis=0)
np.linalg.norm(a, ord=1) | a.cumsum() | a.cumsum(axis=0) | a.cumprod() | a.round() | a.round(2) | a.flatten() | a.ravel()
a.T | a.transpose() | a.swapaxes(0, -1) | a.squeeze() | a.reshape(-1) | a.astype(np.float32) | a.astype(np.int8, copy=False)
a.copy() | a.view(np.uint8) | a.sum() | a.sum(axis=0) | a.mean(axis=0) | a.max(axis=-1) | a.min() | a.std(axis=0)
a.var() | a.prod() | a.any(axis=0) | a.all() | a.argmax() | a.argmin(axis=0) | a.ptp() | a.item(0) | a.conj()
a.diagonal() | a.clip(0, 1) | a.argsort() | a.repeat(2) | a.take([0]) | a.nonzero() | a.dot(b) | a.trace() | a.real
a.imag | a + 1 | a * 2.5 | a / 2 | a // 2 | a ** 2 | a ** 3 | -a | ~a | a > 0 | a == b | a @ b | a @ v | v @ a | abs(a)
a[0] | a[:, None] | a[a > 0] | a.astype(bool).sum() | a.argpartition(1) | a.argsort(axis=None) | a.repeat(2, axis=0)
a.take([0], axis=0) | a.compress([True, False], axis=0) | a.searchsorted(1) | a.conjugate() | a.dot(v) | a.clip(max=1)
a.trace(1) | a.diagonal(1)
"""


def _cases():
    for name, calls in CALLS.items():
        for call in calls:
            yield pytest.param(name, call, id=call)
    for call in OTHER_CALLS.replace("\n", " | ").split(" | "):
        if call.strip():
            yield pytest.param(None, call.strip(), id=call.strip())


def test_every_computed_function_and_method_is_called_here():
    assert set(CALLS) == set(numpy_api.COMPUTED_FUNCTIONS)
    assert {m for m in numpy_api.COMPUTED_METHODS if f"a.{m}(" not in OTHER_CALLS} == set()


@pytest.mark.slow  # ~400 calls x 6 dtypes x 3 shapes through NumPy: 7-9 s, the inner loop's largest share
@pytest.mark.parametrize("name, call", list(_cases()))
def test_the_facts_of_a_call_are_what_numpy_returns(name, call):
    """For each dtype and shape where NumPy accepts the call, every claim of the facts holds, for C-ordered,
    Fortran-ordered and strided arrays of random data; and the facts know the call where NumPy accepts it."""
    known = 0
    for dtype in DTYPES:
        for shape in SHAPES:
            value = facts_of(dtype, shape, call)
            for layout in ("C", "F", "strided") if value.ownership == "fresh" else ("C",):  # layouts: for "fresh"
                a, b, v = (_data(dtype, s, seed, layout) for seed, s in ((1, shape), (2, shape), (3, shape[-1:])))
                try:
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        result = eval(call, {"np": np, "a": a, "b": b, "v": v, "n": 8})
                except Exception:  # NumPy refuses these arguments: nothing to compare
                    continue
                wrong = mismatches(value, result, (a, b, v))
                assert not wrong, f"{call} on {layout} {dtype}{shape}: {wrong} (facts: {value})"
                known += value.kind != "unknown" or value.dtype is not None
    assert known or name is None, f"the facts know nothing of {call}"


# --- random draws (numpy_api.RANDOM_DRAWS) -------------------------------------------------------------------

PARAMETERS = {  # a distribution's required parameters
    "integers": "0, 10",
    "randint": "0, 10",
    "hypergeometric": "5, 5, 3",
    "zipf": "2.0",
    "logseries": "0.5",
    "binomial": "10, 0.5",
    "negative_binomial": "10, 0.5",
    "geometric": "0.5",
    "triangular": "0.0, 0.5, 1.0",
    "noncentral_f": "2.0, 3.0, 0.5",
    "noncentral_chisquare": "2.0, 0.5",
    "f": "2.0, 3.0",
    "vonmises": "0.0, 1.0",
    "wald": "1.0, 1.0",
    "beta": "0.5, 0.5",
    "gamma": "2.0",
    "standard_gamma": "2.0",
    "standard_t": "3.0",
    "chisquare": "2.0",
    "weibull": "2.0",
    "pareto": "2.0",
    "power": "2.0",
}


def _draws():
    for name in numpy_api.RANDOM_DRAWS:
        for receiver, legacy in (("rng", False), ("np.random", True)):
            found = numpy_api.random_parameters(name, legacy)
            if found is None:
                continue
            size_at, dtype_at = found
            given = [p for p in PARAMETERS.get(name, "").split(", ") if p]
            calls = [f"{receiver}.{name}({', '.join([*given, 'size=(2, 3)'])})"]
            if len(given) == size_at:  # size passed by position
                calls.append(f"{receiver}.{name}({', '.join([*given, '4'])})")
            if dtype_at is not None:
                small = "np.int16" if numpy_api.RANDOM_DRAWS[name] == "int64" else "np.float32"
                calls.append(f"{receiver}.{name}({', '.join([*given, 'size=5', f'dtype={small}'])})")
                if len(given) == size_at and dtype_at == size_at + 1:
                    calls.append(f"{receiver}.{name}({', '.join([*given, '5', small])})")
            yield from (pytest.param(call, id=call) for call in calls)


@pytest.mark.parametrize("call", list(_draws()))
def test_random_draws_have_the_dtype_and_dimensions_numpy_gives(call):
    code = f"import numpy as np\ndef f():\n    rng = np.random.default_rng(0)\n    print({call})\n"
    tree = ast.parse(code)
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    value = FileContext("t.py", SourceText(code), tree, config()).arrays.value(printed[0].args[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # np.random.ranf
        result = eval(call, {"np": np, "rng": np.random.default_rng(0)})
    assert (value.kind, value.dtype, value.ndim, value.ownership) == ("ndarray", result.dtype, result.ndim, "fresh")
    assert value.shape == result.shape


def test_every_random_draw_is_known_to_numpy():
    for name in numpy_api.RANDOM_DRAWS:
        assert numpy_api.random_parameters(name, True) or numpy_api.random_parameters(name, False), name


# --- what the knowledge enables, and the traps a wrong "fresh" would fall into -------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "made, step",
    [
        ("np.sort(x)", "y = y * 2.0"),
        ("np.outer(x[:, 0], x[0])", "y = y * 0.5"),
        ("np.fft.rfft(x, axis=0)", "y = y * 2.0"),
        ("np.cumsum(x, axis=1)", "y = y - 1.0"),
        ("np.where(x > 0.5, x, 0.0)", "y = y * 3.0"),
    ],
)
def test_an_array_a_numpy_function_makes_is_fresh_and_fixed_in_place(made, step):
    fixed = assert_fix_keeps_behaviour(f"""
        import numpy as np
        def f():
            x = np.random.default_rng(0).random((1024, 256))
            y = {made}
            {step}
            return x, y
        x, r = f()
        print(r.dtype, r.shape, complex(r.sum()), float(x.sum()))
        """)
    name, _, rest = step.partition(" = ")
    assert f"{name} {rest.split()[1]}= {rest.split()[2]}" in fixed


@pytest.mark.slow
@pytest.mark.parametrize(
    "made",
    [
        "np.flip(x)",
        "np.transpose(x)",
        "np.nan_to_num(x, copy=False)",
        "np.real(x)",
        "np.swapaxes(x, 0, 1)",
        "np.diag(x)",
        "np.linalg.matrix_power(x, 1)",
        "np.ravel(x)",
        "np.moveaxis(x, 0, 1)",
        "x.diagonal()",
        "x.conj()",
    ],
)
def test_a_view_a_numpy_function_returns_is_not_written_in_place(made):
    """Each returns a view of ``x`` or ``x`` itself (``np.diag`` of a 2-d array a read-only one): ``y *= 2.0``
    would change ``x`` too, or raise."""
    assert_trap_not_fixed(
        "MEM001",
        f"""
        import numpy as np
        def f():
            x = np.ones((256, 256))
            y = {made}
            y = y * 2.0
            return x, y
        x, y = f()
        print(float(x.sum()), float(y.sum()))
        """,
        "y = y * 2.0",
        "y *= 2.0",
    )


_HANDED_BACK = """
import numpy as np
def f():
    x = np.random.default_rng(0).random(100_000)
    edges = np.linspace(0.0, 1.0, 100_001)
    d = np.diff(edges, 0)
    h, e = np.histogram(x, edges)
    STEP
    return e, d, edges
e, d, edges = f()
print(float(e[-1]), float(d[-1]), float(edges[-1]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "step",
    [
        "e = e * 2.0",  # np.histogram returns an array given as its bins as the edges, itself
        "d = d * 2.0",  # np.diff(a, 0) is a
        "edges = edges * 2.0",  # e and d are edges: neither call only read it
    ],
)
def test_trap_a_function_handing_back_its_argument(step):
    """Asked of NumPy on the stand-ins: a result that is (or shares the memory of) an argument is not fresh,
    and the argument is not only read, whatever the function returns for other arguments."""
    name, _, rest = step.partition(" = ")
    assert_trap_not_fixed("MEM001", _HANDED_BACK.replace("STEP", step), step, f"{name} *= 2.0")


def test_which_calls_hand_back_an_argument_is_asked_of_numpy():
    vector, number = ("array", np.dtype("float64"), 1), ("literal", "50")
    assert numpy_api.hands_back_an_argument("histogram", (vector, vector), ())
    assert numpy_api.hands_back_an_argument("diff", (vector, ("literal", "0")), ())
    assert not numpy_api.hands_back_an_argument("histogram", (vector, number), ())
    assert not numpy_api.hands_back_an_argument("diff", (vector,), ())


@pytest.mark.slow
def test_the_edges_of_a_number_of_bins_are_new_and_fixed_in_place():
    # np.histogram's own work is the peak either way: what is tested is that the edges are known new
    fixed = assert_fix_keeps_behaviour(
        saves_memory=False,
        code="""
        import numpy as np
        def f():
            x = np.random.default_rng(0).random(100_000)
            h, e = np.histogram(x, 100_000)
            e = e * 2.0
            return e
        print(float(f().sum()))
        """,
    )
    assert "e *= 2.0" in fixed


def test_a_matrix_product_does_not_broadcast_its_matrix_axes():
    """``(5, 3) @ (3,)`` is 1-d of 5, ``(5, 3) @ (3, 1)`` is (5, 1): broadcast elementwise, both would be
    (5, 3) and the result's size and an in-place ``@=`` would be wrong."""
    code = """
        import numpy as np
        def f():
            a = np.zeros((5, 3), dtype=np.float32)
            v = np.zeros(3, dtype=np.float32)
            c = np.zeros((3, 1))
            print(a @ v, a @ c, v @ v, np.matmul(a, v), np.vecdot(a, v), {expr})
        """
    expected = {
        "a @ v": ("ndarray", "float32", (5,)),
        "a @ c": ("ndarray", "float64", (5, 1)),
        "v @ v": ("np_scalar", "float32", ()),
        "np.matmul(a, v)": ("ndarray", "float32", None),
        "np.vecdot(a, v)": ("ndarray", "float32", None),
    }
    for expr, (kind, dtype, shape) in expected.items():
        tree = ast.parse(textwrap.dedent(code.format(expr=expr)))
        ctx = FileContext("t.py", SourceText(ast.unparse(tree)), tree, config())
        printed = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print")
        value = ctx.arrays.value(printed.args[-1])
        assert (value.kind, str(value.dtype), value.shape) == (kind, dtype, shape), expr
        assert value.ndim == len(np.matmul(np.ones((5, 3)), np.ones(3)).shape) or expr == "a @ c" or kind != "ndarray"


def test_functions_keeping_their_arguments_shape_state_it():
    """``numpy_api.SAME_SHAPE``: each states its result's shape for some call above (the test above checks it
    is NumPy's), so that findings can name the bytes."""
    for name in numpy_api.SAME_SHAPE:
        stated = [facts_of("float64", shape, call).shape for call in CALLS[name] for shape in SHAPES]
        assert any(s is not None for s in stated), name


@pytest.mark.parametrize(
    "call",
    [
        "rng.choice(10, 3)",
        "rng.choice(10, size=(2, 3), replace=False)",
        "rng.choice(a, 2)",
        "rng.choice(v, (2, 2), p=None)",
        "np.random.choice(v, 5)",
        "np.random.choice(7, size=4, replace=False)",
        "rng.permutation(10)",
        "rng.permutation(a)",
        "np.random.permutation(v)",
    ],
)
def test_choices_and_permutations_have_numpy_s_dtype_and_shape(call):
    """``choice``/``permutation`` of an int draw from ``range(a)`` (int64), of an array its items (its dtype):
    a new array, never the argument (``permutation`` shuffles a copy)."""
    code = textwrap.dedent(f"""\
        import numpy as np
        def f():
            rng = np.random.default_rng(0)
            a = np.zeros((4, 3), dtype=np.float32)
            v = np.zeros(5, dtype=np.uint8)
            print({call})
        """)
    tree = ast.parse(code)
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    value = FileContext("t.py", SourceText(code), tree, config()).arrays.value(printed[0].args[0])
    a, v = np.zeros((4, 3), dtype=np.float32), np.zeros(5, dtype=np.uint8)
    result = eval(call, {"np": np, "rng": np.random.default_rng(0), "a": a, "v": v})
    assert (value.kind, value.dtype, value.shape, value.ownership) == ("ndarray", result.dtype, result.shape, "fresh")
    assert not np.shares_memory(result, a) and not np.shares_memory(result, v)


def test_literal_sizes_never_allocate_while_computing():
    """Stand-ins are small whatever sizes the code spells: ``np.tri(100_000)`` (80 GB) is known as a 2-d float64
    array without memlint allocating it."""
    import tracemalloc

    tracemalloc.start()
    try:
        for call, ndim in [
            ("np.tri(100_000)", 2),
            ("np.hanning(10_000_000)", 1),
            ("np.indices((3000, 3000))", 3),
            ("np.logspace(0, 3, 10**8)", 1),
            ("np.repeat(a, 10**8)", 1),
            ("np.fft.fftfreq(10**8)", 1),
        ]:
            value = facts_of("float32", (4, 4), call)
            assert (value.kind, value.ndim) == ("ndarray", ndim), call
        assert facts_of("float32", (1,) * 8, "np.sort(a)").ndim == 8
        assert facts_of("float32", (1,) * 24, "np.sort(a)").kind == "unknown"  # 3**24 items: not stood in for
        assert tracemalloc.get_traced_memory()[1] < 50 * 2**20
    finally:
        tracemalloc.stop()


# --- functions that call the array's method (numpy_api.METHOD_FUNCTIONS) -------------------------------------

METHOD_FUNCTION_CALLS = [
    "np.reshape(a, (1, -1))",
    "np.reshape(a, -1)",
    "np.reshape(a, (4, 6))",
    "np.reshape(a, (4, 6), order='F')",
    "np.reshape(a, (2, 3, 4), 'F')",  # a trap: order by position, which a.reshape would read as a dimension
    "np.reshape(a, shape=(4, 6))",  # NumPy 2.1's keyword: the method has no such keyword, so not taken as one
    "np.reshape(a, (1, -1))[0]",
    "np.ravel(a)",
    "np.ravel(a, order='F')",
    "np.transpose(a)",
    "np.transpose(a, (1, 0, 2))",
    "np.transpose(a, axes=(1, 0, 2))",  # a trap: as `a.transpose()` it would read as the reversed shape
    "np.swapaxes(a, 0, 2)",
]


def _unknown_dtype_program(call: str) -> str:
    return f"import numpy as np\ndef f(dt):\n    a = np.zeros((2, 3, 4), dtype=dt)\n    print({call})\n"


@pytest.mark.parametrize("call", METHOD_FUNCTION_CALLS)
def test_a_function_calling_the_array_s_method_is_known_whatever_the_dtype(call):
    """``np.reshape(a, s)`` is ``a.reshape(s)`` (fromnumeric's ``_wrapfunc``): what the facts say of it holds for
    every dtype, also where they do not know ``a``'s (a dtype given at run time), and for known dtypes."""
    code = _unknown_dtype_program(call)
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    unknown = ctx.arrays.value(printed[0].args[0])
    assert unknown.dtype is None
    for dtype in DTYPES:
        a = _data(dtype, (2, 3, 4), 1, "C")
        result = eval(call, {"np": np, "a": a})
        for value in (unknown, facts_of(dtype, (2, 3, 4), call)):
            assert not mismatches(value, result, (a,)), (call, dtype, value)
            assert value.ownership != "fresh"  # each may return a view of `a`
    if "=" not in call and "'F'" not in call:  # np.reshape's order (by keyword or position) is not read, yet
        assert unknown.kind == "ndarray" and unknown.ndim == np.ndim(result)


def test_a_reshape_to_a_literal_shape_states_it():
    value = facts_of("float32", (2, 3, 4), "np.reshape(a, (4, 6))")
    assert value.kind == "ndarray" and value.shape == (4, 6) and value.dtype == np.float32


# --- squeeze: a view of the array without the axes of length 1 it names (or all of them) -------------------

SQUEEZES = [
    "a.squeeze()",
    "np.squeeze(a)",
    "a.squeeze(0)",
    "np.squeeze(a, axis=0)",
    "np.squeeze(a, axis=-1)",
    "a.squeeze(axis=(0, -1))",
    "np.squeeze(a, (0, 2))",
    "np.squeeze(a, axis=(0, 0))",  # NumPy raises: an axis given twice
    "a.squeeze(axis=None)",
]
SQUEEZED_SHAPES = [(1,), (1, 3, 1), (4, 1), (1, 1), (2, 3), (1, 4, 1)]


def _squeeze_program(shape: tuple, size_known: bool, dtype: str, call: str) -> str:
    """`a` of this shape (its sizes spelled literally, or as run-time `n` of the same ndim) and dtype (or one
    given at run time: `dt`)."""
    dims = shape if size_known else tuple("1" if d == 1 else "n" for d in shape)
    spelled = "(" + ", ".join(str(d) for d in dims) + ",)"
    dtype_arg = f"np.{dtype}" if dtype else "dt"
    return f"import numpy as np\ndef f(n, dt):\n    a = np.zeros({spelled}, dtype={dtype_arg})\n    print({call})\n"


@pytest.mark.parametrize("call", SQUEEZES)
def test_a_squeeze_is_a_view_with_the_dimensions_numpy_gives(call):
    """Checked against NumPy on shapes with and without axes of length 1, the sizes and dtype known or not;
    where NumPy raises for the sizes written in the code (an axis of length > 1), nothing is claimed."""
    for shape in SQUEEZED_SHAPES:
        a = np.zeros(shape, np.float32)
        try:
            result = eval(call, {"np": np, "a": a})
        except (ValueError, np.exceptions.AxisError):  # an axis of length > 1, out of range or twice
            result = None
        for size_known in (True, False):
            for dtype in ("float32", None):
                code = _squeeze_program(shape, size_known, dtype, call)
                tree = ast.parse(code)
                ctx = FileContext("t.py", SourceText(code), tree, config())
                printed = [
                    n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
                ]
                value = ctx.arrays.value(printed[0].args[0])
                if result is None:  # a claim on a call that raises: only where the sizes say it always does
                    assert not size_known or value.shape is None and value.ndim is None, (call, shape, value)
                    continue
                assert value.kind == "ndarray" and value.ownership == "view" and (result is a or result.base is a)
                assert not mismatches(value, result, (a,)), (call, shape, size_known, dtype, value)
                axes_given = call not in ("a.squeeze()", "np.squeeze(a)", "a.squeeze(axis=None)")
                if size_known or axes_given:  # what the facts know: the sizes, or which axes go
                    assert value.ndim == result.ndim, (call, shape, value)


def test_a_squeeze_without_axes_of_unknown_sizes_claims_no_dimensions():
    """np.zeros((n, 1)).squeeze() is 1-d, or 0-d when n is 1: the sizes decide, so nothing is claimed."""
    code = _squeeze_program((3, 1), False, "float64", "a.squeeze()")
    tree = ast.parse(code)
    ctx = FileContext("t.py", SourceText(code), tree, config())
    printed = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    value = ctx.arrays.value(printed[0].args[0])
    assert value.kind == "ndarray" and value.ndim is None and value.shape is None
    assert np.zeros((1, 1)).squeeze().ndim == 0 and np.zeros((3, 1)).squeeze().ndim == 1


@pytest.mark.slow
def test_a_squeezed_operand_of_known_shape_lets_the_array_be_updated_in_place():
    fixed = assert_fix_keeps_behaviour(
        """
        import numpy as np

        def scale():
            a = np.linspace(0.0, 1.0, 1_000_000)
            w = np.full((1, 1_000_000), 2.0)
            a = a * np.squeeze(w, axis=0)
            return a

        print(scale().sum())
        """,
        saves_at_least=7_000_000,
    )
    assert "a *= np.squeeze(w, axis=0)" in fixed


@pytest.mark.slow
def test_a_squeeze_of_unknown_sizes_is_no_operand_of_known_shape():
    """`a *= np.squeeze(w)` raises where w has k > 1 rows (the result would not fit `a`), while `a = a * ...`
    makes the (k, n) array: assuming the squeeze leaves 1-d would break the program."""
    assert_trap_not_fixed(
        "MEM001",
        """
        import numpy as np

        def scale(k):
            a = np.linspace(0.0, 1.0, 1000)
            w = np.full((k, 1000), 2.0)
            a = a * np.squeeze(w)
            return a

        print(scale(3).shape)
        """,
        "a = a * np.squeeze(w)",
        "a *= np.squeeze(w)",
    )
