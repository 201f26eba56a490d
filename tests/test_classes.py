"""The project-wide class index: per-file facts (plain JSON data) and resolution across files."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GEOMETRY, config, memlint_process, project_findings, write_project

from memlint.checks import enabled_rules
from memlint.context import FileContext
from memlint.facts.class_facts import file_facts
from memlint.facts.class_index import ClassIndex
from memlint.facts.imports import module_name_of
from memlint.source import SourceText


def facts_of(path: Path) -> dict:
    text = path.read_text()
    ctx = FileContext(
        str(path), SourceText(text), ast.parse(text), config(), module_name_of(path), path.stem == "__init__"
    )
    return file_facts(ctx)


def index_of(root: Path) -> ClassIndex:
    return ClassIndex({str(p): facts_of(p) for p in sorted(root.rglob("*.py"))})


def test_facts_are_plain_json(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": """
        from geometry import Point
        N = 10 ** 6
        pts = [Point(i, 1.0) for i in range(N)]
        """,
        },
    )
    for path in tmp_path.glob("*.py"):
        facts = facts_of(path)
        assert json.loads(json.dumps(facts)) == facts


def test_relative_import_in_a_package_resolves(tmp_path):
    write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/geometry.py": GEOMETRY,
            "pkg/use.py": """
        from .geometry import Point
        pts = [Point(i, 2 * i) for i in range(1_000_000)]
        """,
        },
    )
    index = index_of(tmp_path)
    ((path, site),) = index.bulk["pkg.geometry.Point"]
    assert path.endswith("use.py") and site["count"] == 1_000_000 and site["how"] == "a comprehension"


def test_module_alias_and_reexport_resolve(tmp_path):
    write_project(
        tmp_path,
        {
            "pkg/__init__.py": "from .geometry import Point\n",
            "pkg/geometry.py": GEOMETRY,
            "pkg/a.py": """
            import pkg.geometry as g
            pts = list(map(g.Point, range(50_000), range(50_000)))
            """,
            "pkg/b.py": """
            from pkg import Point
            def build(n):
                out = []
                for i in range(n):
                    p = Point(i, i)
                    out.append(p)
                return out
            """,
        },
    )
    sites = index_of(tmp_path).bulk["pkg.geometry.Point"]
    hows = sorted((Path(p).name, s["how"], s["count"]) for p, s in sites)
    assert hows == [("a.py", "map()", 50_000), ("b.py", "a loop that appends", None)]


def test_counts_multiply_over_nested_loops_and_use_constants(tmp_path):
    write_project(
        tmp_path,
        {
            "m.py": GEOMETRY
            + """
ROWS = 1000
def grid():
    cols = 200
    cells = {}
    for i in range(ROWS):
        for j in range(cols):
            cells[i, j] = Point(i, j)
    return cells
"""
        },
    )
    ((_, site),) = index_of(tmp_path).bulk["m.Point"]
    assert site["count"] == 200_000 and site["how"] == "a loop that stores"


def test_instances_not_kept_or_not_many_are_no_bulk_evidence(tmp_path):
    write_project(
        tmp_path,
        {
            "m.py": GEOMETRY
            + """
def f(items, groups):
    total = 0
    for i in range(len(items)):
        p = Point(i, i)          # built and dropped: never many alive at once
        total += p.x
    few = [Point(g, g) for g in groups]   # over something of unknown, probably small, size
    return total, few
"""
        },
    )
    assert "m.Point" not in index_of(tmp_path).bulk


def test_attribute_stores_on_known_instances_are_attributed(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "tag.py": """
        from geometry import Point
        def make(label):
            p = Point(1, 2)
            p.label = label
            return p
        def tag(obj):
            obj.colour = "red"
        """,
        },
    )
    index = index_of(tmp_path)
    assert [item["attr"] for _, item in index.outside["geometry.Point"]] == ["label"]
    assert "colour" in index.outside_unknown


def test_engine_runs_the_project_rules_over_two_files(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": """
        from geometry import Point
        pts = [Point(i, 0.5 * i) for i in range(1_000_000)]
        """,
        },
    )
    found = sorted((Path(f.path).name, f.code, f.line) for f in project_findings(tmp_path))
    assert found == [("geometry.py", "MEM003", 2), ("use.py", "MEM004", 3)]
    assert all(r.code in ("MEM003", "MEM004") for r in enabled_rules(config(select=["MEM003", "MEM004"])))


@pytest.mark.slow
def test_bad_input_gives_no_traceback(tmp_path):
    write_project(
        tmp_path,
        {
            "a.py": "class P(:\n",
            "b.py": "from . import x\nclass Q(Undefined.attr[0]):\n    pass\n",
            "c.py": "from b import Q\nqs = [Q() for _ in range(10**7)]\n",
        },
    )
    proc = memlint_process(tmp_path, "--no-cache", "--select", "MEM003,MEM004")
    assert "Traceback" not in proc.stderr and proc.returncode == 1  # MEM000 for a.py


def test_loops_over_opened_files_and_readers_are_bulk(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "load.py": """
        import csv
        from geometry import Point

        def load(path):
            out = []
            with open(path) as f:
                for row in csv.reader(f):
                    out.append(Point(float(row[0]), float(row[1])))
            return out

        with open("points.txt") as f:
            pts = [Point(*map(float, line.split())) for line in f]
        """,
        },
    )
    sites = index_of(tmp_path).bulk["geometry.Point"]
    assert sorted((s["line"], s["how"], s["count"]) for _, s in sites) == [
        (9, "a loop that appends", None),
        (13, "a comprehension", None),
    ]


@pytest.mark.slow
def test_cached_facts_give_the_same_project_findings_and_follow_edits(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": """
        from geometry import Point
        pts = [Point(i, 0.5 * i) for i in range(1_000_000)]
        """,
            "other.py": "x = 1\n",
        },
    )

    def run_cached():
        proc = subprocess.run(
            [sys.executable, "-m", "memlint", "--select", "MEM003", str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        return [line for line in proc.stdout.splitlines() if "MEM003" in line]

    first = run_cached()
    assert len(first) == 1 and run_cached() == first  # the second run reads every file's facts from the cache
    (tmp_path / "other.py").write_text("from geometry import Point\np = Point(1, 2)\np.extra = 3\n")
    assert run_cached() == []  # an edit in a third file is seen: the instance gets an attribute from outside


def test_catalog_examples(tmp_path):
    from memlint import catalog

    docs = catalog.load()
    for code in ("MEM003", "MEM004"):
        bad, good = tmp_path / code / "bad", tmp_path / code / "good"
        write_project(bad, {"example.py": docs[code].example})
        write_project(good, {"example.py": docs[code].use_instead})
        assert [f.code for f in project_findings(bad, select=(code,))] == [code]
        assert project_findings(good, select=(code,)) == []


# The scan reads only the statements where a fact can start (found in the file's shared walk) and each method's
# instance attributes from the shared walk too: these pin the places that are easy to leave out.


@pytest.mark.parametrize(
    "code",
    [
        "def f():\n    try:\n        pass\n    except ValueError:\n        return [Point(i, i) for i in range(N)]\n",
        "def f(path):\n    with open(path) as fh:\n        pts = []\n        for line in fh:\n            pts.append(Point(1, 2))\n"
        "    return pts\n",
        'def f():\n    print(f"{[Point(i, i) for i in range(N)]}")\n',
        "class Grid:\n    cells = [Point(i, i) for i in range(N)]\n",
        "class Grid:\n    def build(self):\n        def inner():\n            out = {}\n            for k in range(N):\n"
        "                out[k] = Point(1, 2)\n        return inner\n",
        "@register([Point(i, i) for i in range(N)])\ndef f():\n    pass\n",
        "def outer():\n    @register([Point(i, i) for i in range(N)])\n    def f():\n        pass\n",
    ],
)
def test_bulk_evidence_is_found_wherever_it_is_nested(code, tmp_path):
    write_project(tmp_path, {"m.py": GEOMETRY + "N = 10 ** 6\nregister = print\n" + code})
    assert "m.Point" in index_of(tmp_path).bulk


def test_attributes_from_setattr_and_nested_blocks_all_get_slots(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": """
class Point:
    def __init__(self, x, y, flags):
        setattr(self, "flags", flags)
        if x:
            self.x = x
        self.y = y
        try:
            self.z = 0.0
        except ValueError:
            pass

        def later():
            self.seen = True
        self.later = later
""",
            "use.py": "from geometry import Point\npts = [Point(i, i, 0) for i in range(10 ** 6)]\n",
        },
    )
    info = index_of(tmp_path).classes["geometry.Point"][1]
    # first assignment in walk order (breadth first): the slots of the fix, in the order the fix writes them
    assert info["attrs"] == ["flags", "y", "later", "x", "z", "seen"]
    assert info["fields"]["z"] == ["number"] and info["fields"]["y"] == ["param", 1, "y"]


def test_attributes_stored_on_annotated_parameters_are_attributed(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "tag.py": """
        from geometry import Point
        def tag(p: Point, q):
            p.colour = "red"
            q.size = 2
        def untyped(p):
            p.weight = 1
        """,
        },
    )
    index = index_of(tmp_path)
    assert [item["attr"] for _, item in index.outside["geometry.Point"]] == ["colour"]
    assert {"size", "weight"} <= set(index.outside_unknown)


def test_renamed_reexports_resolve_through_two_packages(tmp_path):
    write_project(
        tmp_path,
        {
            "shapes/__init__.py": "from .geometry import Point as Vertex, Point\nimport os, shapes.geometry as g\n",
            "shapes/geometry.py": GEOMETRY,
            "api/__init__.py": "from shapes import Vertex as Node\n",
            "use.py": "from api import Node\nfrom shapes import Point\nnodes = [Node(i, i) for i in range(10 ** 6)]\n"
            "points = [Point(i, i) for i in range(10 ** 5)]\n",
        },
    )
    assert facts_of(tmp_path / "shapes" / "__init__.py")["aliases"] == {
        "shapes.geometry": ["Point as Vertex", "Point"]
    }  # `import` binds modules, not classes: not kept
    index = index_of(tmp_path)
    assert index.resolve("api.Node") == index.resolve("shapes.Point") == "shapes.geometry.Point"
    assert sorted(s["count"] for _, s in index.bulk["shapes.geometry.Point"]) == [10**5, 10**6]
