"""MEM004: lists of numeric records built in bulk; advice (columns), no fix."""

import textwrap

import pytest
from helpers import GEOMETRY, memlint_process, project_findings, run_program, write_project


def mem004(files: dict, tmp_path, **settings) -> list:
    write_project(tmp_path, files)
    return project_findings(tmp_path, select=("MEM004",), **settings)


def test_list_of_instances_of_a_class_from_another_file(tmp_path):
    (f,) = mem004(
        {
            "geometry.py": GEOMETRY,
            "use.py": """
        import geometry as g
        N = 1_000_000
        pts = [g.Point(i, 0.5 * i) for i in range(N)]
        """,
        },
        tmp_path,
    )
    assert f.path.endswith("use.py") and (f.line, f.column) == (4, 7)
    assert "Point objects with 2 numeric fields" in f.message
    # m04: 144.5 B per plain two-float record (137.8 MiB per million) vs 16 B as two float64 columns
    assert "137.3 MiB as objects vs 15.3 MiB as 2 float64/int64 columns" in f.message
    assert "dict of NumPy arrays" in f.message and "structured array" in f.message and "DataFrame" in f.message
    assert f.fix is None and f.estimated_bytes == 1_000_000 * (144 - 16)


@pytest.mark.slow
def test_cli_reports_tuples_and_dicts_appended_in_loops(tmp_path):
    write_project(
        tmp_path,
        {
            "use.py": """
        import random

        def rows(n):
            out = []
            for i in range(n):
                out.append({"x": random.random(), "y": float(i)})
            return out

        pairs = []
        for i in range(200_000):
            pairs.append((i, i * 0.25))
        """
        },
    )
    proc = memlint_process(tmp_path, "--no-cache", "--select", "MEM004")
    lines = [line for line in proc.stdout.splitlines() if "MEM004" in line]
    assert len(lines) == 2, proc.stdout
    assert "use.py:5:5: MEM004 list of dicts with 2 numeric fields built in a loop (appended at line 7)" in lines[0]
    assert "use.py:10:1: MEM004 list of tuples" in lines[1] and "200,000 of them" in lines[1]


def test_dataclass_and_namedtuple_records_use_their_annotations(tmp_path):
    found = mem004(
        {
            "recs.py": """
        from dataclasses import dataclass
        from typing import NamedTuple

        @dataclass
        class Sample:
            t: float
            value: float

        class Pair(NamedTuple):
            a: int
            b: int
        """,
            "use.py": """
        from recs import Sample, Pair
        def load(stream):
            samples = [Sample(t, v) for t, v in stream.itertuples()]
            pairs = list(Pair(i, i) for i in range(10 ** 6))
            return samples, pairs
        """,
        },
        tmp_path,
    )
    assert [(f.line, "Sample" in f.message, "Pair" in f.message) for f in found] == [(4, True, False), (5, False, True)]


@pytest.mark.parametrize(
    "name,use",
    [
        ("known and small", "pts = [(i, i * 2.0) for i in range(100)]\n"),
        ("unknown, probably small size", "def f(groups):\n    return [(g.a, g.b) for g in groups]\n"),
        ("constant records are one shared object", "def f(df):\n    return [(1, 2) for t in df.itertuples()]\n"),
        (
            "local constant size (pandas test)",
            "def f():\n    n_rows = 24\n    return [(i % 12, i % 3, i) for i in range(n_rows)]\n",
        ),
        (
            "converted at once (numpy test)",
            "import numpy as np\ndef f(step):\n    return np.array([(i, i) for i in range(101 * step)])\n",
        ),
        ("non-numeric fields", "def f(n):\n    return [(str(i), i) for i in range(n)]\n"),
        ("single field", "def f(n):\n    return [(i,) for i in range(n)]\n"),
        ("generator, not a list", "def f(n):\n    return sum(x for x, y in ((i, i) for i in range(n)))\n"),
        # tuples of bare range counters enumerate index combinations sized by a dimension, used whole
        (
            "index pairs of unknown size (statsmodels multicomp)",
            "def f(nvals):\n    all_pairs = [(i, j) for i in range(nvals) for j in range(nvals - 1, i, -1)]\n"
            "    return set(all_pairs)\n",
        ),
        (
            "a constant and a counter (statsmodels proportion)",
            "def f(count):\n    all_pairs = [(0, k) for k in range(1, len(count))]\n    return all_pairs\n",
        ),
        (
            "exponent pairs appended in nested loops (astropy polynomial)",
            "def f(degree):\n    c = []\n    for i in range(degree + 1):\n        for j in range(degree + 1):\n"
            "            if i + j <= degree:\n                c.append((j, i))\n    return c[::-1]\n",
        ),
    ],
)
def test_never_reported(name, use, tmp_path):
    assert mem004({"use.py": use}, tmp_path) == [], name


def test_class_records_need_every_attribute_numeric(tmp_path):
    assert (
        mem004(
            {
                "geometry.py": GEOMETRY
                + """
class Named:
    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.cache = {}
""",
                "use.py": """
from geometry import Point, Named
def f(n, labels):
    named = [Named(i, 1.0) for i in range(n)]      # cache is a dict
    pts = [Point(labels[i], 1.0) for i in range(n)]  # x is not known to be a number
    return named, pts
""",
            },
            tmp_path,
        )
        == []
    )


def test_annotated_parameters_make_fields_numeric(tmp_path):
    (f,) = mem004(
        {
            "geometry.py": """
class Point:
    def __init__(self, x: float, y: float):
        self.x = x
        self.y = y
""",
            "use.py": """
from geometry import Point
def f(xs, ys, n):
    pts = [Point(xs[i], ys[i]) for i in range(n)]
    return pts
""",
        },
        tmp_path,
    )
    assert "Point objects" in f.message and "of them" not in f.message  # count unknown: no bytes


def test_counter_tuples_are_reported_when_known_large_holding_values_or_filtered_by_data(tmp_path):
    found = mem004(
        {
            "use.py": """
        def f(n, xs):
            grid = [(i, j) for i in range(1000) for j in range(1000)]  # 1,000,000 pairs, known
            scaled = [(i, 0.5 * i) for i in range(n)]                  # a value beside the counter
            out = []
            for i in range(n):
                out.append((i, float(xs[i])))
            return grid, scaled, out

        def nonzero(a, n):
            found = [(i, j) for i in range(n) for j in range(n) if a[i, j]]  # as many as the data says
            rows = []
            for i in range(n):
                for j in range(n):
                    if keep(a, i, j):
                        rows.append((i, j))
            return found, rows
        """
        },
        tmp_path,
    )
    assert [(f.line, "1,000,000 of them" in f.message) for f in found] == [
        (3, True),
        (4, False),
        (5, False),
        (11, False),
        (12, False),
    ]


SPRITE = """
class Sprite:
    def __init__(self, key, dx=0, dy=0.5, *, scale=-1):
        self.key = key
        self.dx = dx
        self.dy = dy
        self.scale = scale
"""


def test_parameters_with_number_defaults_hold_numbers(tmp_path):
    """An unannotated parameter whose default is a number literal holds numbers (the type checkers' inferred
    type): passed on by a caller with such defaults, or left to its default in the call."""
    found = mem004(
        {
            "sprites.py": SPRITE,
            "use.py": """
from sprites import Sprite

def spawn(count, dx=0, dy=1.5):
    sprites = []
    for k in range(count):
        sprites.append(Sprite(k, dx, dy))
    return sprites

def spawn_still(count):
    still = []
    for k in range(count):
        still.append(Sprite(k))
    return still
""",
        },
        tmp_path,
    )
    assert [(f.line, "Sprite objects with 4 numeric fields" in f.message) for f in found] == [(5, True), (11, True)]


@pytest.mark.parametrize(
    "call, params",
    [
        ("Sprite(k, label)", "count, label"),  # no default: anything
        ("Sprite(k, flag)", "count, flag=True"),  # a bool default is a flag, not a number
        ("Sprite(k, name)", "count, name='a'"),
        ("Sprite(k, dx, dy)", "count, dx: str = 0, dy=0"),  # the annotation says otherwise
        ("Sprite(k, scale=tag)", "count, tag=None"),
    ],
)
def test_parameters_without_number_defaults_are_not_numbers(call, params, tmp_path):
    use = f"from sprites import Sprite\ndef spawn({params}):\n    out = []\n    for k in range(count):\n"
    use += f"        out.append({call})\n    return out\n"
    assert mem004({"sprites.py": SPRITE, "use.py": use}, tmp_path) == []


READ_ROWS = """
import csv
def read(path):
    {bind}
    with open(path) as f:
        for line in csv.reader(f):
            rows.append((float(line[0]), float(line[1])))
    {more}
    return rows
"""


@pytest.mark.parametrize(
    "bind, col",
    [("rows = []", 5), ("rows: list[tuple[float, float]] = []", 5), ("rows, names = [], []", 19)],
)
def test_list_spellings_annotated_and_unpacked(bind, col, tmp_path):
    (f,) = mem004({"use.py": READ_ROWS.format(bind=bind, more="")}, tmp_path)
    assert (f.line, f.column) == (4, col) and "tuples with 2 numeric fields" in f.message


@pytest.mark.parametrize(
    "more",
    [
        "rows.append('total')",  # a list that also gets a non-record
        "rows.append(None)",
        "rows.append((1.0, 2.0, 3.0))",  # a record of another shape
        "rows.extend(extra())",  # items of unknown shape
        "rows.insert(0, 'header')",
        "rows += [None]",
        "rows[0] = 'header'",
    ],
)
def test_a_list_that_also_gets_other_items_is_not_reported(more, tmp_path):
    assert mem004({"use.py": READ_ROWS.format(bind="rows = []", more=more)}, tmp_path) == []


def test_a_kept_comprehension_that_later_gets_other_items_is_not_reported(tmp_path):
    use = "def f(n):\n    rows = [(i, 2 * i) for i in range(n)]\n    rows.append('total')\n    return rows\n"
    assert mem004({"use.py": use}, tmp_path) == []
    use = use.replace("rows.append('total')", "rows.append((n, n))")  # the same shape: still records
    assert len(mem004({"use.py": use}, tmp_path)) == 1


def test_fields_unpacked_from_map_of_int_or_float_are_numbers(tmp_path):
    (f,) = mem004(
        {
            "read.py": """
        import sys

        def points(n):
            out = []
            for _ in range(n):
                line = sys.stdin.readline()
                x, y = map(int, line.split())
                w, (h) = float(x), 2.5
                out.append((x, y, w, h))
            return out
        """,
        },
        tmp_path,
    )
    assert "tuples with 4 numeric fields" in f.message


@pytest.mark.parametrize(
    "unpack",
    [
        "x, y = map(str.strip, line.split())",  # not numbers
        "int = str\n                x, y = map(int, line.split())",  # a shadowed int
        "x, *y = map(int, line.split())",  # y is a list
        "x, y = line.split()",
    ],
)
def test_other_unpackings_are_not_numbers(unpack, tmp_path):
    code = f"""
        import sys
        def points(n):
            out = []
            for _ in range(n):
                line = sys.stdin.readline()
                {unpack}
                out.append((x, y))
            return out
        """
    assert mem004({"read.py": code}, tmp_path) == []


PARTICLE = """
import math
import random

WIDTH = 640


class Particle:
    STEP = 1.5

    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.heading = random.uniform(-180, 180)
        self.turn_to = self.heading

    @property
    def pos(self):
        return [self.x, self.y]

    @pos.setter
    def pos(self, value):
        self.x = value[0]
        self.y = value[1]

    def move(self):
        self.heading = self.turn_to
        self.x += Particle.STEP * math.cos(math.radians(self.heading))
        self.y += self.STEP * math.sin(math.radians(self.heading))
        if self.x > WIDTH:
            self.x = WIDTH
        if self.y < 0:
            self.y = 0

    def steer(self, left=True):
        self.turn_to = self.heading - 4 if left else self.heading + 4
{more}
"""

SWARM = """
import random
from particles import Particle

def swarm(n):
    flock = [Particle(random.randint(0, 600), random.random()) for _ in range(n)]
    for p in flock:
        p.steer()
        p.move()
    return flock
"""


def test_class_records_set_from_random_math_and_constants_in_every_method(tmp_path):
    """Every store of every method keeps each attribute a number (random's and math's functions of numbers, the
    class's and module's numeric constants, the other attributes); the property setter is never called."""
    (f,) = mem004({"particles.py": PARTICLE.format(more=""), "use.py": SWARM}, tmp_path)
    assert (f.path.endswith("use.py"), f.line) == (True, 6)
    assert "Particle objects with 4 numeric fields" in f.message


@pytest.mark.slow
def test_what_the_class_records_finding_claims_holds_as_the_program_runs():
    """Every attribute of every record is a number, after the methods ran."""
    program = PARTICLE.format(more="") + SWARM.replace("from particles import Particle", "")
    program += "print(sorted({type(v).__name__ for p in swarm(50) for v in vars(p).values()}))\n"
    assert run_program(program)[0] == "['float', 'int']\n"


@pytest.mark.parametrize(
    "more, use",
    [
        # a method stores a list: the attribute is sometimes a list
        ("    def reset(self):\n        self.x = [0, 0]\n", ""),
        ("    def place(self, where):\n        self.x = where\n", ""),  # whatever the caller passes
        ("    def place(self, where):\n        self.x, self.y = where\n", ""),
        ("    def load(self, state):\n        self.__dict__.update(state)\n", ""),
        ("    def load(self, key, value):\n        setattr(self, key, value)\n", ""),
        ("    def later(self):\n        def f(v):\n            self.x = v\n        return f\n", ""),
        # the setter is called: in the class, from other code on an instance, on an object of unknown class
        ("    def reset(self, where):\n        self.pos = where\n", ""),
        ("", "\ndef drag(p: Particle, to):\n    p.pos = to\n"),
        ("", "\ndef drag(thing, to):\n    thing.pos = to\n"),
        ("", "\ndef drag(thing, name, to):\n    setattr(thing, name, to)\n"),
    ],
)
def test_class_records_are_not_reported_when_a_method_may_store_something_else(more, use, tmp_path):
    assert mem004({"particles.py": PARTICLE.format(more=more), "use.py": SWARM + use}, tmp_path) == []


@pytest.mark.slow
def test_the_trap_a_record_attribute_that_becomes_a_list_is_real():
    program = PARTICLE.format(more="    def reset(self):\n        self.x = [0, 0]\n") + SWARM.replace(
        "from particles import Particle", ""
    )
    program += "flock = swarm(3)\nflock[0].reset()\nprint(type(flock[0].x).__name__)\n"
    assert run_program(program)[0] == "list\n"  # columns of numbers could not hold it


def test_a_copied_attribute_is_what_it_copies_when_set_before(tmp_path):
    record = """
class R:
    label = "none"

    def __init__(self, a):
        {first}
        {second}
"""
    use = "from recs import R\ndef f(n):\n    return [R(i) for i in range(n)]\n"
    copied_after = record.format(first="self.a = a", second="self.b = self.a")
    assert len(mem004({"recs.py": copied_after, "use.py": use}, tmp_path)) == 1
    # read before it is set: the instance has no `a` yet, self.a is the class's string (or raises)
    copied_before = record.format(first="self.b = self.label", second="self.label = a")
    assert mem004({"recs.py": copied_before, "use.py": use}, tmp_path) == []
    copied_conditionally = record.format(
        first="self.a = a", second="if a:\n            self.a = 'x'\n        self.b = self.a"
    )
    assert mem004({"recs.py": copied_conditionally, "use.py": use}, tmp_path) == []


def test_a_name_holds_a_number_where_every_binding_reaching_it_does(tmp_path):
    """Names rebound later in the scope (``for x, y in pairs``) still hold numbers where the record is made."""
    (f,) = mem004(
        {
            "read.py": """
        import sys

        n = int(sys.stdin.readline())
        pairs = []
        for _ in range(n):
            x, y = map(int, sys.stdin.readline().split())
            pairs.append((x, y))

        pairs.sort()
        for x, y in pairs:
            print(x, y)
        """
        },
        tmp_path,
    )
    assert (f.line, "tuples with 2 numeric fields" in f.message) == (5, True)


@pytest.mark.parametrize(
    "loop",
    [
        # the next item's x is the previous line's text: a back edge brings the string to the append
        "x = 0.0\nfor line in lines:\n    y = float(line)\n    pairs.append((x, y))\n    x = line\n",
        "for line in lines:\n    x, y = map(float, line.split())\n    if not y:\n        x = line\n    pairs.append((x, y))\n",
    ],
)
def test_a_name_that_may_hold_something_else_where_the_record_is_made_is_no_number(loop, tmp_path):
    code = "def f(lines):\n    pairs = []\n" + textwrap.indent(loop, "    ") + "    return pairs\n"
    assert mem004({"read.py": code}, tmp_path) == []


def test_a_setter_set_only_by_a_program_that_never_meets_the_class_is_not_called(tmp_path):
    other = "def drag(thing, to):\n    thing.pos = to\n"  # another script of the folder: no import either way
    found = mem004({"particles.py": PARTICLE.format(more=""), "use.py": SWARM, "other.py": other}, tmp_path)
    assert [f.path.endswith("use.py") for f in found] == [True]
    joined = "import particles\n" + other
    assert mem004({"particles.py": PARTICLE.format(more=""), "use.py": SWARM, "other.py": joined}, tmp_path) == []


def test_numbers_stored_by_other_code_keep_the_class_a_record(tmp_path):
    """Stores from outside the class that keep numbers (reading only the record's own attributes and numbers:
    `dt=0.1` holds numbers, a `dt` without default could be an array)."""
    use = SWARM + "\ndef step(flock, dt=0.1):\n    for p in flock:\n        p.x += p.turn_to * dt if dt else 0.0\n"
    use += "        p.y = 2 * p.y - p.heading\n"
    assert len(mem004({"particles.py": PARTICLE.format(more=""), "use.py": use}, tmp_path)) == 1


@pytest.mark.parametrize(
    "store",
    [
        "p.x = 'left'",  # a string, on an object of unknown class
        "p.x = p.pos",  # a property of the record: a list
        "p.heading += p.name",  # an attribute the record does not have
        "p.y = dt",  # a parameter: anything
        "p.x, p.y = dt",
        "setattr(p, 'x', dt)",
    ],
)
def test_other_code_storing_what_may_not_be_a_number_makes_no_record(store, tmp_path):
    use = SWARM + f"\ndef step(flock, dt):\n    for p in flock:\n        {store}\n"
    assert mem004({"particles.py": PARTICLE.format(more=""), "use.py": use}, tmp_path) == []
    typed = SWARM + f"\ndef step(p: Particle, dt):\n    {store}\n"  # on a known instance
    assert mem004({"particles.py": PARTICLE.format(more=""), "use.py": typed}, tmp_path) == []


@pytest.mark.slow
def test_the_trap_other_code_turns_a_record_attribute_into_a_string():
    program = PARTICLE.format(more="") + SWARM.replace("from particles import Particle", "")
    program += "flock = swarm(3)\nfor p in flock:\n    p.x = 'left'\nprint(type(flock[0].x).__name__)\n"
    assert run_program(program)[0] == "str\n"


# --- names as Python binds them (facts/bindings.py) ---------------------------------------------------------

ERRORS = """
def parse(lines):
    found = []
    for i in range(len(lines)):
        x = 0.5 * i
        try:
            x = float(lines[i])
        except ValueError as x:
{append}
    return found
"""


def test_a_name_bound_by_except_as_holds_the_exception_not_a_number(tmp_path):
    in_handler = ERRORS.format(append="            found.append((i, x))")
    assert mem004({"use.py": in_handler}, tmp_path) == []
    after = ERRORS.format(append="            pass\n        found.append((i, x))")  # a number, or unbound
    assert [f.line for f in mem004({"use.py": after}, tmp_path / "after")] == [3]


def test_a_comprehension_target_is_its_own_name(tmp_path):
    """``i`` of ``for i in range(n)`` in a comprehension is a number there, whatever the function binds to its
    own ``i``; the function's number ``x`` is not the comprehension's ``x``."""
    use = """
    def f(n, names):
        i = "label"
        x = 0.5
        pairs = [(i, 0.5 * i) for i in range(n)]
        named = [(x, i) for x in names for i in range(n)]
        return i, pairs, named
    """
    assert [f.line for f in mem004({"use.py": use}, tmp_path)] == [5]


@pytest.mark.parametrize(
    "step, record",
    [
        ("    STEP: float\n    STEP = 1.5\n", True),  # the annotation binds nothing: STEP is bound once, to 1.5
        ("    STEP = 1.5\n    if random.random() < 0.5:\n        STEP = 'fast'\n", False),  # a string, sometimes
        ("    STEP = 1.5\n    for STEP in ('a', 'b'):\n        pass\n", False),  # left bound to 'b'
    ],
)
def test_a_class_number_is_a_name_the_body_binds_once_at_any_depth(step, record, tmp_path):
    particle = PARTICLE.format(more="").replace("    STEP = 1.5\n", step)
    assert len(mem004({"particles.py": particle, "use.py": SWARM}, tmp_path)) == int(record)
