import pytest
from helpers import codes, lint


def test_floats_appended_in_a_loop_then_converted():
    (f,) = lint("""
        import numpy as np
        def samples(n):
            vals = []
            for i in range(n):
                vals.append(i * 0.5)
            return np.array(vals)
        """)
    assert f.code == "MEM007" and f.fix is None and f.line == 7
    assert "dtype=float" in f.message and "np.fromiter" in f.message and "38.6 MiB" in f.message


def test_counters_locals_and_conversions():
    found = lint("""
        import numpy as np
        def f(items):
            out = []
            for k, item in enumerate(items):
                if k % 2:
                    x = float(item)
                    out.append(x)
            return np.asarray(out, dtype=np.float32)

        def g(words):
            sizes = list()
            while words:
                sizes.append(len(words.pop()))
            return np.array(sizes)
        """)
    assert [f.code for f in found] == ["MEM007", "MEM007"]
    assert "dtype=np.float32" in found[0].message and "dtype=int" in found[1].message


def test_module_level_script_with_a_large_literal_count():
    (f,) = lint("""
        import numpy as np
        vals = []
        for i in range(1_000_000):
            vals.append(i / 3)
        arr = np.array(vals)
        """)
    assert f.estimated_bytes == 40_000_000


# Lists built in a loop that np.array may not replace (the programs MEM007 leaves alone).
NEVER_REPORTED = {
    # elements of unknown type (they could be arrays or objects)
    "elements-of-unknown-type": """
        import numpy as np
        def f(items):
            out = []
            for item in items:
                out.append(item)
            return np.array(out)
        """,
    # the list itself is used: it is needed anyway
    "the-list-itself-is-used": """
        import numpy as np
        def f(n):
            out = []
            for i in range(n):
                out.append(i)
            print(len(out))
            return np.array(out), out
        """,
    "known-small": """
        import numpy as np
        vals = []
        for i in range(10):
            vals.append(i)
        arr = np.array(vals)
        """,
    # object dtype: the Python objects are kept anyway
    "object-dtype": """
        import numpy as np
        def f(n):
            out = []
            for i in range(n):
                out.append(i)
            return np.array(out, dtype=object)
        """,
    # the counter is rebound to something else before the append, or the list is rebound
    "counter-or-list-rebound": """
        import numpy as np
        def f(n, items):
            out = []
            for i in range(n):
                i = items[i]
                out.append(i)
            a = np.array(out)
            more = []
            for j in range(n):
                more.append(j)
            more = []
            return a, np.array(more)
        """,
    # a parameter, a closure, or appended outside any loop
    "a-parameter-a-closure-or-no-loop": """
        import numpy as np
        def f(n, scale):
            out = []
            for i in range(n):
                out.append(scale)
            return np.array(out)
        def g(n):
            out = []
            for i in range(n):
                out.append(i)
            def later():
                out.append(1)
            return np.array(out)
        def h(n):
            out = []
            out.append(n)
            return np.array(out)
        """,
    "not-numpy": """
        import mylib as np
        def f(n):
            out = []
            for i in range(n):
                out.append(i)
            return np.array(out)
        """,
}


@pytest.mark.parametrize("code", NEVER_REPORTED.values(), ids=NEVER_REPORTED.keys())
def test_never_reported(code):
    assert codes(code) == []


def test_never_reported_for_a_visibly_short_loop():
    """pandas tests/indexes/interval/test_indexing.py: 13 query points, one number each."""
    assert (
        codes("""
        import numpy as np
        def check(index, tuples):
            query = [-0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 5.5, 6, 6.5]
            expected = []
            for val in query:
                found = -1
                for idx, (left, right) in enumerate(tuples):
                    if left <= val < right:
                        found = idx
                        break
                expected.append(found)
            result = index.get_indexer(query)
            return result, np.array(expected, dtype="intp")
        """)
        == []
    )
    # the same loop over a list that could have grown before the loop is still reported
    assert codes("""
        import numpy as np
        def check(extra):
            query = [-0.5, 0, 0.5]
            query.extend(extra)
            expected = []
            for i, val in enumerate(query):
                expected.append(i * 2.0)
            return np.array(expected)
        """) == ["MEM007"]


def test_never_reported_when_converted_inside_the_collecting_loop():
    assert (
        codes("""
        import numpy as np
        def running(n):
            vals = []
            for i in range(n):
                vals.append(i * 0.5)
                print(np.array(vals).mean())
        """)
        == []
    )


def test_catalog_example_is_reported_and_its_replacement_is_not():
    from memlint import catalog

    doc = catalog.load()["MEM007"]
    assert "MEM007" in codes(doc.example) and "MEM007" not in codes(doc.use_instead)


def test_small_ints_are_priced_as_list_slots():
    """CPython caches the ints -5..256: a list of them holds 8 B slots, not 32 B objects."""
    found = lint(
        """
        import numpy as np
        counts = []
        for i in range(1_000_000):
            counts.append(i)
        a = np.array(counts)
        bits = []
        for i in range(1_000_000):
            bits.append(-1)
        b = np.array(bits)
        """,
        select=("MEM007",),
    )
    assert [(f.line, f.estimated_bytes) for f in found] == [(6, 40_000_000), (10, 8_000_000)]
    assert "32-40 B each" in found[0].message
    assert "8 B each, the list slot" in found[1].message and "twice the final array" in found[1].message


def test_the_list_converted_under_its_own_name():
    found = lint(
        """
        import numpy as np
        def main(rows):
            X = []
            for i in range(1_000_000):
                X.append(float(i))
            X = np.array(X)
            return X.mean()
        """,
        select=("MEM007",),
    )
    assert [f.line for f in found] == [7]


def test_a_list_rebound_to_something_else_is_not_reported():
    assert not lint(
        """
        import numpy as np
        def main(rows):
            X = []
            for i in range(1_000_000):
                X.append(float(i))
            X = sorted(X)
            return np.array(X)
        """,
        select=("MEM007",),
    )


def test_the_bindings_that_reach_the_conversion_decide_not_the_name():
    # a script that reuses the name afterwards, a counter rebound after the collecting loop, a list bound
    # in a tuple assignment or with an annotation: at the conversion, the one binding is the list of numbers
    found = lint(
        """
        import numpy as np
        from typing import List
        n = 10**6
        timing = []
        for i in range(int(n)):
            timing.append(i)
        timing = np.array(timing)
        timing = np.array(0)
        for i in range(1, int(n)):
            timing = np.append(timing, i)
        def f(items, m):
            xs, ys = [], []
            weights: List[float] = []
            for k in range(m):
                xs.append(k * 0.5)
                ys.append(k)
                weights.append(1.0 / (k + 1))
            for k in items:
                print(k)
            return np.array(xs), np.asarray(ys), np.array(weights)
        """,
        select=("MEM007",),
    )
    assert [f.line for f in found] == [8, 21, 21, 21]
    assert "dtype=int" in found[0].message and "dtype=float" in found[1].message


def test_a_list_seen_or_changed_elsewhere_is_not_reported():
    # traps: the conversion may see another object, or the list may hold something else when converted
    assert (
        codes("""
        import numpy as np
        def f(n, other, flag):
            a = []
            for i in range(n):
                a.append(i * 0.5)
            if flag:
                a = other                 # two bindings reach the conversion
            b = []
            for i in range(n):
                b.append(i * 0.5)
            alias = b                     # a second name could change it
            alias.append("x")
            c = []
            for i in range(n):
                c.append(i * 0.5)
            first = np.array(c)
            c.append(None)                # used after the conversion
            d = []
            for i in range(n):
                d.append(i * 0.5)
                d = np.array(d)           # converted in the collecting loop: the next append is on an array
            return np.array(a), np.array(b), first, d
        """)
        == []
    )


def test_numbers_from_math_and_random_functions_of_numbers():
    found = lint(
        """
        import math
        from random import gauss, randint
        import numpy as np

        def noise(n):
            vals = []
            for i in range(n):
                vals.append(gauss(0.0, 0.5) + math.sin(i * 0.1))
            return np.array(vals)

        def dice(n):
            rolls = []
            for _ in range(n):
                rolls.append(randint(1, 6) if n else math.floor(2.5))
            return np.array(rolls)

        def flags(xs):
            bad = []
            for i in range(len(xs)):
                bad.append(math.isnan(i / 2))
            return np.array(bad)
        """,
        select=("MEM007",),
    )
    assert [(f.line, "dtype=" + t in f.message) for f, t in zip(found, ("float", "int", "bool"))] == [
        (10, True),
        (16, True),
        (22, True),
    ]
    # True and False are two shared objects: a list of them holds 8 B slots, like the small ints
    assert "Python bools" in found[2].message and "8x the bytes of a bool array" in found[2].message


@pytest.mark.parametrize(
    "value",
    [
        "random.choice(xs)",  # an item of xs: anything
        "random.sample(xs, 2)",  # a list
        "random.SystemRandom()",  # a generator object
        "math.sqrt(x)",  # of something that is no known number: x may be a NumPy array (math raises) or an object
        "math.floor(x)",  # x.__floor__() may return anything
        "rng.random()",  # a Random instance's method: rng is not known to be one
    ],
)
def test_other_functions_of_math_and_random_or_unknown_arguments_are_not_numbers(value):
    code = f"""
        import math
        import random
        import numpy as np
        def f(xs, rng):
            out = []
            for x in xs:
                out.append({value})
            return np.array(out)
        """
    assert codes(code, select=("MEM007",)) == []
