"""MEM013 expression-temporaries: advice only, where sizes are known and large, or decided by the data."""

import pytest
from helpers import lint, run_program


def mem013(code):
    return lint(code, select=("MEM013",))


def test_named_intermediate_used_once():
    (f,) = mem013("""
        import numpy as np
        def f():
            a = np.ones(1_000_000)
            t = a * 2
            r = t + 1
            return r
        """)
    assert f.code == "MEM013" and f.fix is None and f.line == 6
    assert f.estimated_bytes == 8_000_000 and "7.6 MiB" in f.message and "t += 1" in f.message


def test_where_clamp_suggests_maximum_and_names_nan():
    (f,) = mem013("""
        import numpy as np
        def f():
            a = np.random.default_rng(0).standard_normal(1_000_000)
            return np.where(a > 0, a, 0)
        """)
    assert "np.maximum(a, 0)" in f.message and "NaN" in f.message
    (g,) = mem013("""
        import numpy as np
        def f():
            a = np.ones(1_000_000, dtype=np.float32)
            return np.where(a < 1.5, a, 1.5)
        """)
    assert "np.minimum(a, 1.5)" in g.message


def test_broadcast_outer_difference_suggests_the_gram_form():
    (f,) = mem013("""
        import numpy as np
        def f():
            X = np.random.default_rng(2).random((2000, 3))
            return np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
        """)
    assert f.estimated_bytes == 2000 * 2000 * 3 * 8
    assert "(2000, 2000, 3)" in f.message and "Gram" in f.message
    (g,) = mem013("""
        import numpy as np
        def f():
            a = np.arange(6000.0).reshape(2000, 3)
            return np.sqrt(np.sum((a[:, None] - a) ** 2, axis=-1))   # numpy's test_euclidean_pdist, larger
        """)
    assert g.estimated_bytes == 2000 * 2000 * 3 * 8
    assert (
        len(
            mem013("""
        import numpy as np
        def f():
            a = np.ones((2000, 3))
            return np.linalg.norm(a[:, None, :] - a[None, :, :], axis=2)
        """)
        )
        == 1
    )


def test_never_reported():
    assert (
        mem013("""
        import numpy as np
        def f(x, n):
            a = np.ones(1_000_000)
            small = np.ones(100)
            u = a * 3
            s = u + 1
            keep = u.sum()                      # u is still used: naming it is needed
            v = small * 2
            w = v + 1                            # known small
            y = x * 2
            z = y + 1                            # unknown size
            q = a * 2
            q = q + 1                            # same name: MEM001's pattern
            m = np.where(a > 0, x, 0)            # not a clamp of a itself
            line = np.arange(3000.0)
            d = line[:, None] - line[None, :]    # 1-D: the difference is the result
            P = np.ones((10, 3))
            e = P[:, None, :] - P[None, :, :]    # small
            return s, keep, w, z, q, m, d, e
        """)
        == []
    )
    assert (
        mem013("""
        import numpy as np
        def forces(n):
            pos = np.random.default_rng(0).random((2000, 3))
            diff = pos[:, None, :] - pos[None, :, :]   # displacement vectors: the result itself
            r2 = (diff ** 2).sum(-1) + 1.0
            return diff / r2[:, :, None] ** 1.5
        """)
        == []
    )


def test_outer_difference_of_points_of_unknown_size_is_reported_without_bytes():
    # parameters and loaded data: n is unknown, but the temporary is d times the distances whatever n is
    found = mem013("""
        import numpy as np
        def direct(X):
            return np.sqrt(np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=2))
        def joined(a, b):
            X = np.concatenate([a, b], axis=0)
            return np.linalg.norm(X[:, np.newaxis, :] - X[np.newaxis, :, :], axis=-1)
        def named(X):
            X = np.atleast_2d(X)
            diff = X[:, np.newaxis, :] - X[np.newaxis, :, :]
            return np.sqrt(np.sum(diff**2, axis=-1))
        """)
    assert sorted(f.line for f in found) == [4, 7, 10]
    assert all(f.estimated_bytes is None and "(n, n, d) temporary, d times" in f.message for f in found)
    assert all("cdist" in f.message for f in found)


def test_outer_difference_not_reduced_to_distances_is_never_reported():
    assert (
        mem013("""
        import numpy as np
        def kept(X):
            diff = X[:, None, :] - X[None, :, :]      # the displacement vectors are used besides the distances
            return diff, np.sum(diff ** 2, axis=-1)
        def points_1d(x):
            return np.sum((x[:, None] - x[None, :]) ** 2, axis=-1)   # x may be 1-d: (n, n) -> (n,)
        def other_axis(X):
            return np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=0)
        def summed_differences(X):
            return np.sum(X[:, None, :] - X[None, :, :], axis=-1)   # no square: not a distance
        def known_small():
            X = np.ones((10, 3))
            return np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=-1)
        """)
        == []
    )


@pytest.mark.slow
def test_the_advised_gram_form_gives_the_distances_with_a_lower_peak():
    """The advice is what the message spells: same distances (to rounding), a lower traced peak."""
    program = """
        import numpy as np, tracemalloc
        X = np.random.default_rng(3).random((1500, 8))
        tracemalloc.start()
        D = np.sqrt(np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=2))
        broadcast = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        tracemalloc.start()
        sq = (X * X).sum(1)
        d2 = sq[:, None] + sq[None, :]
        d2 -= 2 * (X @ X.T)
        G = np.sqrt(np.clip(d2, 0, None))
        gram = tracemalloc.get_traced_memory()[1]
        print(np.allclose(D, G, atol=1e-6), round(broadcast / D.nbytes, 1), round(gram / D.nbytes, 1))
        """
    close, broadcast, gram = run_program(program)[0].split()
    assert close == "True" and float(broadcast) >= 8 and float(gram) <= 3


@pytest.mark.slow
def test_where_and_maximum_differ_at_nan():
    """Why MEM013 gives advice, not a fix (catalog m13): np.where turns NaN into 0, np.maximum keeps it."""
    out, _ = run_program("""
        import numpy as np
        a = np.array([np.nan, -0.0, -1.0, 2.0])
        w, m = np.where(a > 0, a, 0), np.maximum(a, 0)
        print(w.tolist(), m.tolist(), np.signbit(w).tolist(), np.signbit(m).tolist())
        """)
    assert (
        out.strip()
        == "[0.0, 0.0, 0.0, 2.0] [nan, 0.0, 0.0, 2.0] [False, False, False, False] [False, False, False, False]"
    )


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM013"]
    assert mem013(doc.example) and all(f.code == "MEM013" for f in mem013(doc.example))
    assert mem013(doc.use_instead) == []


# --- a named intermediate whose size the data decides ----------------------------------------------------------


def test_an_intermediate_of_unknown_size_and_a_number_is_reported_without_bytes():
    # librosa.load gives float32 audio of the file's length: the spectrogram's size is the data's
    found = mem013("""
        import numpy as np
        import librosa

        def thumbnail(path):
            sig, _ = librosa.load(path)
            spec = np.log(np.abs(librosa.stft(sig)) + 1e-9)
            scaled = (spec - spec.min()) / (spec.max() - spec.min())
            pixels = scaled * 255
            wide = np.fromfile(path) / 7.0
            wider = wide * 2.0
            return pixels, wider
        """)
    (f,) = [f for f in found if f.line == 9]
    assert f.estimated_bytes is None and "scaled *= 255" in f.message and "MiB" not in f.message
    # float32 and a Python number: NumPy would not reuse an unnamed temporary either, so only in place is advised
    assert "without naming" not in f.message
    (g,) = [f for f in found if f.line == 11]
    assert "wide *= 2.0" in g.message and "without naming wide" in g.message  # float64 and a float: reused


def test_an_intermediate_of_unknown_size_and_an_array_is_not_reported():
    # the other operand may broadcast the result larger than the intermediate: no saving can be named
    assert (
        mem013("""
        import numpy as np
        def f(path, n):
            t = np.load(path) * 2.0
            r = t + np.ones(n)
            small = np.ones(1000) * 2.0
            s = small * 3.0
            return r, s
        """)
        == []
    )


@pytest.mark.slow
def test_the_advice_for_a_float32_intermediate_is_measured():
    """Named, the intermediate and the result coexist (2.0x the array); in place, 1.0x. Unnamed, NumPy reuses
    a float64 temporary (1.0x) but not a float32 one with a Python number (2.0x still): why only the in-place
    form is advised for float32."""

    def peak(dtype, body):
        output, _ = run_program(f"""
import numpy as np, tracemalloc
a = np.random.default_rng(0).random((1000, 1000)).astype(np.{dtype})
base = tracemalloc.get_traced_memory()[0]
tracemalloc.reset_peak()
{body}
print(round((tracemalloc.get_traced_memory()[1] - base) / a.nbytes, 1), float(r.sum()))
""")
        return output.split()

    named = "t = (a - 1) / 3\nr = t * 255"
    in_place = "r = (a - 1) / 3\nr *= 255"
    unnamed = "r = (a - 1) / 3 * 255"
    for dtype, expected in (("float32", ("2.0", "2.0", "2.0")), ("float64", ("2.0", "1.0", "1.0"))):
        results = [peak(dtype, body) for body in (named, unnamed, in_place)]
        assert tuple(r[0] for r in results) == expected, (dtype, results)
        assert len({r[1] for r in results}) == 1  # the same values
    # the statement memlint reports: named, it adds the whole array to the intermediate; in place, nothing
    after = "t = (a - 1) / 3\ntracemalloc.reset_peak()\n"
    assert peak("float32", after + "r = t * 255")[0] == "2.0"
    assert peak("float32", after + "t *= 255\nr = t")[0] == "1.0"
