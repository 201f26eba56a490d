"""MEM003: a class built in bulk without __slots__, across files; the fix is unsafe only."""

import sys
import textwrap

import pytest
from helpers import (
    BULK_USE,
    GEOMETRY,
    memlint_cli,
    memlint_process,
    outcome,
    project_findings,
    run_program,
    write_project,
)


def mem003(root, **settings):
    return [f for f in project_findings(root, select=("MEM003",), **settings)]


def reported(files: dict, tmp_path, **settings) -> list:
    write_project(tmp_path, files)
    return [f.path.rsplit("/", 1)[-1] + f":{f.line}" for f in mem003(tmp_path, **settings)]


def fix_folder(folder):
    """`memlint --no-cache --select MEM003 --fix --unsafe-fixes .` run in folder, in this process
    (test_cli_reports_and_fixes_only_with_unsafe_fixes runs the command itself)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return memlint_cli("--no-cache", "--select", "MEM003", "--fix", "--unsafe-fixes", ".")


def assert_fix_leaves_unchanged(folder, name: str) -> None:
    """`--fix --unsafe-fixes` leaves this file as it was (the finding carries no fix)."""
    before = (folder / name).read_text()
    fix_folder(folder)
    assert (folder / name).read_text() == before


def test_reported_at_the_class_naming_the_bulk_site_and_saving(tmp_path):
    write_project(tmp_path, {"geometry.py": GEOMETRY, "use.py": BULK_USE})
    (f,) = mem003(tmp_path)
    assert f.path.endswith("geometry.py") and (f.line, f.column, f.end_column) == (2, 1, 12)
    assert "use.py:3" in f.message and "1,000,000 instances" in f.message
    assert '__slots__ = ("x", "y")' in f.message and "40 B per instance" in f.message
    assert "CPython 3.11" in f.message and f.estimated_bytes == 40 * 1_000_000
    assert f.fix.applicability == "unsafe"


@pytest.mark.slow
def test_cli_reports_and_fixes_only_with_unsafe_fixes(tmp_path):
    write_project(tmp_path, {"geometry.py": GEOMETRY, "use.py": BULK_USE})
    proc = memlint_process(tmp_path, "--no-cache", "--select", "MEM003")
    assert proc.returncode == 1 and "geometry.py:2:1: MEM003 Point is built in bulk" in proc.stdout
    before = (tmp_path / "geometry.py").read_text()
    memlint_process(tmp_path, "--no-cache", "--select", "MEM003", "--fix")
    assert (tmp_path / "geometry.py").read_text() == before  # unsafe: never applied by --fix alone
    memlint_process(tmp_path, "--no-cache", "--select", "MEM003", "--fix", "--unsafe-fixes")
    assert (tmp_path / "geometry.py").read_text() == before.replace(
        "class Point:\n", 'class Point:\n    __slots__ = ("x", "y")\n\n'
    )
    assert memlint_process(tmp_path, "--no-cache", "--select", "MEM003").returncode == 0  # fixed: nothing left


PROGRAM_GEOMETRY = '''
class Point:
    """A 2-D point."""
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y
'''
PROGRAM_MAIN = """
import copy, pickle
from geometry import Point

def build(n):
    out = []
    for i in range(n):
        out.append(Point(float(i), 0.5 * i))
    return out

pts = build(20_000)
print(len(pts), sum(p.norm2() for p in pts), pts[7].x, pts[7].y)
print(pickle.loads(pickle.dumps(pts[3])).y, copy.copy(pts[5]).x)
"""


def run_folder(root):
    return run_program(f"import sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, {str(root)!r})\nimport main\n")


@pytest.mark.slow
def test_unsafe_fix_keeps_output_and_lowers_peak(tmp_path):
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": PROGRAM_MAIN})
    before, peak_before = run_folder(tmp_path)
    proc = fix_folder(tmp_path)
    assert '__slots__ = ("x", "y")' in (tmp_path / "geometry.py").read_text(), proc.stdout + proc.stderr
    after, peak_after = run_folder(tmp_path)
    assert before == after
    assert peak_after < peak_before - 20_000 * 30, (peak_before, peak_after)


@pytest.mark.slow
def test_weak_references_add_the_weakref_slot_and_still_work(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": PROGRAM_GEOMETRY,
            "main.py": PROGRAM_MAIN + "import weakref\nq = Point(1.0, 2.0)\nr = weakref.ref(q)\nprint(r() is q)\n",
        },
    )
    (f,) = mem003(tmp_path)
    assert '"__weakref__"' in f.message and "32 B per instance" in f.message
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("x", "y", "__weakref__")' in (tmp_path / "geometry.py").read_text()
    assert run_folder(tmp_path)[0] == before


@pytest.mark.slow
def test_attribute_added_in_another_file_through_unknown_object_gets_no_fix(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": BULK_USE + "import tag\n",
            "tag.py": "def tag(obj):\n    obj.label = 'a'\n",
        },
    )
    (f,) = mem003(tmp_path)
    assert f.fix is None and "attribute `label` at" in f.message and "tag.py:2" in f.message
    assert_fix_leaves_unchanged(tmp_path, "geometry.py")


def test_attribute_added_to_a_known_instance_in_another_file_is_never_reported(tmp_path):
    assert (
        reported(
            {
                "geometry.py": GEOMETRY,
                "use.py": BULK_USE,
                "tag.py": """
        from geometry import Point
        def labelled():
            p = Point(0, 0)
            p.label = "origin"
            return p
        """,
            },
            tmp_path,
        )
        == []
    )


@pytest.mark.parametrize(
    "name,code",
    [
        (
            "already slotted",
            """
        class Point:
            __slots__ = ("x", "y")
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "dataclass slots",
            """
        from dataclasses import dataclass
        @dataclass(slots=True)
        class Point:
            x: float
            y: float
        """,
        ),
        (
            "attrs define",
            """
        import attrs
        @attrs.define
        class Point:
            x: float
            y: float
        """,
        ),
        (
            "attrs s",
            """
        import attr
        @attr.s
        class Point:
            x = attr.ib()
            y = attr.ib()
        """,
        ),
        (
            "NamedTuple",
            """
        from typing import NamedTuple
        class Point(NamedTuple):
            x: float
            y: float
        """,
        ),
        (
            "Enum",
            """
        import enum
        class Point(enum.Enum):
            A = 1
            def __init__(self, value):
                self.extra = value
        """,
        ),
        (
            "TypedDict",
            """
        from typing import TypedDict
        class Point(TypedDict):
            x: float
            y: float
        """,
        ),
        (
            "Protocol",
            """
        from typing import Protocol
        class Point(Protocol):
            def __init__(self, x, y):
                self.x = x
        """,
        ),
        (
            "exception",
            """
        class Point(Exception):
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "unresolvable base",
            """
        from somewhere import Base
        class Point(Base):
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "base without slots",
            """
        class Base:
            def __init__(self):
                self.z = 0
        class Point(Base):
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "cached_property",
            """
        import functools
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
            @functools.cached_property
            def norm(self):
                return (self.x ** 2 + self.y ** 2) ** 0.5
        """,
        ),
        (
            "self.__dict__",
            """
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
            def as_dict(self):
                return dict(self.__dict__)
        """,
        ),
        (
            "self.__dict__ assigned",
            """
        class Point:
            def __init__(self, x, y):
                self.__dict__ = {"x": x, "y": y}
                self.z = 0
        """,
        ),
        (
            "self.__class__ assigned",
            """
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
            def freeze(self):
                self.__class__ = Point
        """,
        ),
        (
            "vars(self)",
            """
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
            def __repr__(self):
                return repr(vars(self))
        """,
        ),
        (
            "computed setattr",
            """
        class Point:
            def __init__(self, **kw):
                for k, v in kw.items():
                    setattr(self, k, v)
        """,
        ),
        (
            "class attribute with an instance attribute's name",
            """
        class Point:
            x = 0.0
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "unknown class decorator",
            """
        from framework import register
        @register
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "unknown method decorator (may cache in __dict__)",
            """
        from pandas.util._decorators import cache_readonly
        class Point:
            def __init__(self, x, y):
                self.x = x; self.y = y
            @cache_readonly
            def norm(self):
                return 1.0
        """,
        ),
        (
            "unknown metaclass",
            """
        from framework import Meta
        class Point(metaclass=Meta):
            def __init__(self, x, y):
                self.x = x; self.y = y
        """,
        ),
        (
            "no attributes",
            """
        class Point:
            def __init__(self, x, y):
                pass
        """,
        ),
    ],
)
def test_never_reported(name, code, tmp_path):
    assert reported({"geometry.py": code, "use.py": BULK_USE}, tmp_path) == [], name


def test_vars_or_dict_of_a_known_instance_elsewhere_is_never_reported(tmp_path):
    assert reported({"geometry.py": GEOMETRY, "use.py": BULK_USE + "print(vars(Point(1, 2)))\n"}, tmp_path) == []
    (tmp_path / "b").mkdir()
    assert (
        reported({"geometry.py": GEOMETRY, "use.py": BULK_USE + "q = Point(1, 2)\nprint(q.__dict__)\n"}, tmp_path / "b")
        == []
    )


def test_setattr_on_a_known_instance_elsewhere_is_never_reported(tmp_path):
    assert (
        reported({"geometry.py": GEOMETRY, "use.py": BULK_USE + "q = Point(1, 2)\nsetattr(q, 'z', 0)\n"}, tmp_path)
        == []
    )


def test_existing_attribute_set_from_outside_keeps_report_and_fix(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": BULK_USE
            + """
def move(p: Point, obj):
    p.x = 3.0
    obj.y = 4.0
""",
        },
    )
    (f,) = mem003(tmp_path)
    assert f.fix is not None  # x and y are slots: setting them keeps working


def test_class_attribute_set_from_outside_is_never_reported(tmp_path):
    assert reported({"geometry.py": GEOMETRY, "use.py": BULK_USE + "Point.x = 0\n"}, tmp_path) == []


@pytest.mark.parametrize(
    "use",
    [
        "from geometry import Point\npts = [Point(i, i) for i in range(10)]\n",  # known and small
        "from geometry import Point\nfor i in range(10**6):\n    p = Point(i, i)\n    print(p.x)\n",  # not kept
        "from geometry import Point\ndef f(groups):\n    return [Point(g, g) for g in groups]\n",  # size unknown
        "from geometry import Point\nimport geometry\nPoint = geometry\npts = [Point(i, i) for i in range(10**6)]\n",
    ],
)
def test_no_bulk_evidence_is_never_reported(use, tmp_path):
    assert reported({"geometry.py": GEOMETRY, "use.py": use}, tmp_path) == []


def test_corpus_false_positives_small_loops_are_not_bulk(tmp_path):
    """Found on xarray/pandas: one object per column, tree node or grouper is not 'in bulk'."""
    assert (
        reported(
            {
                "geometry.py": GEOMETRY,
                "use.py": """
        from geometry import Point
        def f(data, tree, groupers):
            labels = []
            for col, is_cat in zip(data, [True] * 3):
                labels.append(Point(col, is_cat))
            displays = {}
            for node in tree.subtree:
                displays[node.path] = Point(node, 1)
            return tuple(Point(g, 0) for g in groupers), labels, displays

        CASES = [1, 2]
        NAMES = ["a", "b"]
        def strided():  # numpy's linalg and f2py tests: loops over module-level lists of cases
            out = []
            for case in CASES:
                for name in NAMES:
                    new = Point(case, name)
                    out.append(new)
            return out
        """,
            },
            tmp_path,
        )
        == []
    )


def test_slotted_base_keeps_only_new_attributes(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": """
        class Base:
            __slots__ = ("x",)
        class Point(Base):
            def __init__(self, x, y):
                self.x = x
                self.y = y
        """,
            "use.py": BULK_USE,
        },
    )
    (f,) = mem003(tmp_path)
    assert '__slots__ = ("y",)' in f.message


def test_multiple_inheritance_subclass_blocks_the_fix(tmp_path):
    write_project(
        tmp_path, {"geometry.py": GEOMETRY + "class Mixed(Point, Exception):\n    pass\n", "use.py": BULK_USE}
    )
    (f,) = mem003(tmp_path)
    assert f.fix is None and "Mixed" in f.message


DATACLASS = """
from dataclasses import dataclass

@dataclass
class Point:
    x: float
    y: float = 0.0

    def norm2(self):
        return self.x * self.x + self.y * self.y
"""


def test_dataclass_needs_target_version_310_for_a_fix(tmp_path):
    write_project(tmp_path, {"geometry.py": DATACLASS, "use.py": BULK_USE})
    (f,) = mem003(tmp_path)
    assert f.fix is None and "slots=True" in f.message and "3.10" in f.message
    (f,) = mem003(tmp_path, rules={"MEM003": {"target-version": "3.10"}})
    assert f.fix is not None and f.fix.applicability == "unsafe"


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info < (3, 10), reason="the fixed program uses dataclass(slots=True), new in 3.10")
def test_dataclass_fix_adds_slots_true_and_keeps_behaviour(tmp_path):
    main = (
        PROGRAM_MAIN.replace("from geometry import Point", "from geometry import Point\nimport dataclasses")
        + "print(pts[2], dataclasses.astuple(pts[4]), pts[1] == Point(1.0, 0.5))\n"
    )
    write_project(
        tmp_path,
        {
            "geometry.py": DATACLASS,
            "main.py": main,
            "pyproject.toml": '[tool.memlint.rules.MEM003]\ntarget-version = "3.11"\n',
        },
    )
    before, peak_before = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert "@dataclass(slots=True)\nclass Point:" in (tmp_path / "geometry.py").read_text()
    after, peak_after = run_folder(tmp_path)
    assert before == after and peak_after < peak_before


@pytest.mark.slow
@pytest.mark.parametrize(
    "decorator,expected",
    [
        ("@dataclass()", "@dataclass(slots=True)"),
        ("@dataclass(order=True)", "@dataclass(order=True, slots=True)"),
        ("@dataclasses.dataclass(eq=True,)", "@dataclasses.dataclass(eq=True, slots=True,)"),
    ],
)
def test_dataclass_decorator_spellings(decorator, expected, tmp_path):
    code = DATACLASS.replace("@dataclass", decorator).replace(
        "from dataclasses import dataclass", "import dataclasses\nfrom dataclasses import dataclass"
    )
    write_project(
        tmp_path,
        {
            "geometry.py": code,
            "use.py": BULK_USE,
            "pyproject.toml": '[tool.memlint.rules.MEM003]\ntarget-version = "3.12"\n',
        },
    )
    fix_folder(tmp_path)
    assert expected + "\nclass Point:" in (tmp_path / "geometry.py").read_text()


@pytest.mark.parametrize(
    "why,code",
    [
        ("zero-argument super", DATACLASS + "    def __repr__(self):\n        return super().__repr__()\n"),
        ("frozen before 3.11", DATACLASS.replace("@dataclass", "@dataclass(frozen=True)")),
        (
            "another decorator",
            DATACLASS.replace("@dataclass", "@functools.total_ordering\n@dataclass").replace(
                "from dataclasses", "import functools\nfrom dataclasses"
            ),
        ),
    ],
)
def test_dataclass_without_a_safe_slots_true_gets_no_fix(why, code, tmp_path):
    write_project(tmp_path, {"geometry.py": code, "use.py": BULK_USE})
    (f,) = mem003(tmp_path, rules={"MEM003": {"target-version": "3.10"}})
    assert f.fix is None, why


def test_dataclass_attribute_that_is_not_a_field_is_never_reported(tmp_path):
    code = DATACLASS + "    def __post_init__(self):\n        self.cache = None\n"
    assert (
        reported({"geometry.py": code, "use.py": BULK_USE}, tmp_path, rules={"MEM003": {"target-version": "3.12"}})
        == []
    )


@pytest.mark.slow
def test_fix_keeps_crlf_and_tab_indentation(tmp_path):
    write_project(tmp_path, {"use.py": BULK_USE})
    (tmp_path / "geometry.py").write_bytes(
        b"class Point:\r\n\tdef __init__(self, x, y):\r\n\t\tself.x = x\r\n\t\tself.y = y\r\n"
    )
    fix_folder(tmp_path)
    assert (tmp_path / "geometry.py").read_bytes() == (
        b'class Point:\r\n\t__slots__ = ("x", "y")\r\n\r\n\tdef __init__(self, x, y):\r\n\t\tself.x = x\r\n'
        b"\t\tself.y = y\r\n"
    )


def test_noqa_on_the_class_silences_it(tmp_path):
    assert (
        reported(
            {"geometry.py": GEOMETRY.replace("class Point:", "class Point:  # noqa: MEM003"), "use.py": BULK_USE},
            tmp_path,
        )
        == []
    )


def test_one_line_class_body_is_reported_without_fix(tmp_path):
    write_project(
        tmp_path,
        {"geometry.py": "class Point:\n    def __init__(self, x, y): self.x = x; self.y = y\n", "use.py": BULK_USE},
    )
    (f,) = mem003(tmp_path)
    assert f.fix is not None  # the def has its own line: __slots__ goes above it
    write_project(
        tmp_path,
        {
            "geometry.py": textwrap.dedent("""
        class Point: x = 0; y = 1
        """)
        },
    )
    assert mem003(tmp_path) == []


def test_attribute_added_to_what_a_function_returns_blocks_the_fix(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY + "def origin():\n    return Point(0, 0)\n",
            "use.py": BULK_USE,
            "tag.py": """
        from geometry import origin
        o = origin()
        o.label = "origin"
        """,
        },
    )
    (f,) = mem003(tmp_path)
    assert f.fix is None and "attribute `label`" in f.message


def test_message_names_the_largest_known_bulk_site_first(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "a.py": """
        from geometry import Point
        def f(n):
            return [Point(i, i) for i in range(n)]
        """,
            "b.py": BULK_USE,
        },
    )
    (f,) = mem003(tmp_path)
    assert "a comprehension at " in f.message and "b.py:3 (1,000,000 instances) and 1 more place" in f.message


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info < (3, 11), reason="the fixed program uses weakref_slot=True, new in 3.11")
def test_weakly_referenced_dataclass_gets_weakref_slot_from_311(tmp_path):
    main = PROGRAM_MAIN + "import weakref\nq = Point(1.0, 2.0)\nr = weakref.ref(q)\nprint(r() is q, r().x)\n"
    write_project(tmp_path, {"geometry.py": DATACLASS, "main.py": main})
    (f,) = mem003(tmp_path, rules={"MEM003": {"target-version": "3.10"}})
    assert f.fix is None and "weakref_slot" in f.message
    (tmp_path / "pyproject.toml").write_text('[tool.memlint.rules.MEM003]\ntarget-version = "3.11"\n')
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert "@dataclass(slots=True, weakref_slot=True)" in (tmp_path / "geometry.py").read_text()
    assert run_folder(tmp_path)[0] == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "weak",
    [
        "refs = [weakref.ref(p) for p in pts]\nprint(sum(r() is p for r, p in zip(refs, pts)))\n",
        "alive = weakref.WeakSet()\nfor p in pts:\n    alive.add(p)\nprint(len(alive))\n",
        "by_id = weakref.WeakValueDictionary()\nfor i, p in enumerate(pts[:10]):\n    by_id[i] = p\nprint(by_id[3].x)\n",
    ],
)
def test_weak_references_to_objects_of_unknown_class_keep_the_weakref_slot(weak, tmp_path):
    # the loop variable and the weak containers' items cannot be typed: any of them may be a Point, and a
    # Point slotted without __weakref__ raises TypeError there
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": PROGRAM_MAIN + "import weakref\n" + weak})
    (f,) = mem003(tmp_path)
    assert '"__weakref__") (__weakref__ because ' in f.message and "main.py:" in f.message
    assert "32 B per instance" in f.message
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("x", "y", "__weakref__")' in (tmp_path / "geometry.py").read_text()
    assert run_folder(tmp_path)[0] == before


def test_a_class_taking_weak_references_to_itself_does_not_give_others_the_weakref_slot(tmp_path):
    write_project(
        tmp_path,
        {
            "geometry.py": GEOMETRY,
            "use.py": BULK_USE,
            "node.py": """
        import weakref
        class Observer:
            def watch(self, subject):
                subject.observers.append(weakref.ref(self))
        """,
        },
    )
    (f,) = mem003(tmp_path)
    assert "__weakref__" not in f.message and f.fix is not None


@pytest.mark.parametrize(
    "geometry",
    [
        """
    class Point:
        def __init__(self, x, y):
            self.x = x
            self.y = y

        @classmethod
        def reset_default(cls):
            cls.y = 0.0
    """,
        """
    from dataclasses import dataclass

    @dataclass
    class Point:
        x: float
        y: float

        @classmethod
        def reset_default(cls):
            cls.y = 0.0
    """,
        """
    class Point:
        def __init__(self, x, y):
            self.x = x
            self.y = y

        def reset_default(self):
            type(self).y = 0.0
    """,
        """
    class Point:
        def __init__(self, x, y):
            self.x = x
            self.y = y

        def reset_default(self):
            self.__class__.y = 0.0
    """,
    ],
)
def test_a_method_setting_an_instance_attribute_on_the_class_is_never_reported(geometry, tmp_path):
    # slotted, `Point.reset_default()` replaces the slot `y` with 0.0: every later Point(...) raises
    # AttributeError ('Point' object attribute 'y' is read-only); unslotted, it only sets a class default
    assert (
        reported({"geometry.py": geometry, "use.py": BULK_USE}, tmp_path, rules={"MEM003": {"target-version": "3.11"}})
        == []
    )


def test_a_classmethod_setting_a_class_only_attribute_keeps_the_finding(tmp_path):
    assert reported(
        {
            "geometry.py": """
        class Point:
            count = 0

            def __init__(self, x, y):
                self.x = x
                self.y = y

            @classmethod
            def bump(cls):
                cls.count += 1
        """,
            "use.py": BULK_USE,
        },
        tmp_path,
    ) == ["geometry.py:2"]


PICKLES_OLD = """
import pickle
from geometry import Point
pts = [Point(float(i), 0.5 * i) for i in range(20_000)]
for proto in range(pickle.HIGHEST_PROTOCOL + 1):  # protocols 0 and 1 refuse a slotted class without __getstate__
    print(proto, pickle.loads(pickle.dumps(pts[3], proto)).y)
"""


@pytest.mark.slow
def test_pickling_with_protocol_0_or_1_or_a_run_time_one_gets_no_fix(tmp_path):
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": PICKLES_OLD})
    (f,) = mem003(tmp_path)
    assert (
        f.fix is None and "main.py:6 pickles an object of unknown class, which may be one, with protocol 0" in f.message
    )
    assert_fix_leaves_unchanged(tmp_path, "geometry.py")


@pytest.mark.parametrize("protocol", ["", ", 2", ", protocol=-1", ", pickle.HIGHEST_PROTOCOL", ", protocol=None"])
def test_pickling_with_protocol_2_or_more_keeps_the_fix(protocol, tmp_path):
    use = BULK_USE + f"import pickle\ns = pickle.dumps(pts{protocol})\n"
    write_project(tmp_path, {"geometry.py": GEOMETRY, "use.py": use})
    (f,) = mem003(tmp_path)
    assert f.fix is not None


@pytest.mark.slow
def test_a_class_with_its_own_getstate_keeps_the_fix_under_protocol_0(tmp_path):
    geometry = (
        PROGRAM_GEOMETRY
        + """
    def __getstate__(self):
        return (self.x, self.y)

    def __setstate__(self, state):
        self.x, self.y = state
"""
    )
    write_project(tmp_path, {"geometry.py": geometry, "main.py": PICKLES_OLD})
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("x", "y")' in (tmp_path / "geometry.py").read_text()
    assert run_folder(tmp_path)[0] == before


LABELLED = """
from geometry import Point

class Labelled(Point):
    __slots__ = ("label",)

    def __init__(self, x, y, label):
        super().__init__(x, y)
        self.label = label
"""
LABELLED_MAIN = PROGRAM_MAIN + "from labelled import Labelled\nq = Labelled(1.0, 2.0, 'a')\nprint(q.label, q.x)\n"


@pytest.mark.slow
def test_a_slotted_subclass_setting_attributes_beyond_the_slots_gets_no_fix(tmp_path):
    # Labelled's `note` lives in the __dict__ Point gives it today: with Point slotted, AttributeError
    write_project(
        tmp_path,
        {
            "geometry.py": PROGRAM_GEOMETRY,
            "main.py": LABELLED_MAIN,
            "labelled.py": LABELLED + "        self.note = None\n",
        },
    )
    (f,) = mem003(tmp_path)
    assert f.fix is None and "Labelled (" in f.message and "it sets `note`" in f.message
    assert_fix_leaves_unchanged(tmp_path, "geometry.py")


@pytest.mark.slow
def test_a_slotted_subclass_within_its_slots_keeps_the_fix_and_the_behaviour(tmp_path):
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": LABELLED_MAIN, "labelled.py": LABELLED})
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("x", "y")' in (tmp_path / "geometry.py").read_text()
    assert run_folder(tmp_path)[0] == before


# --- bulk through a helper that adds one instance per call, and loops over containers filled in bulk ------

SWARM = '''
import random


class Dot:
    """One particle."""
    def __init__(self, i):
        self.i = i
        self.x = random.random()


class Mark:
    """A reading seen from a particle."""
    def __init__(self, i, x):
        self.i = i
        self.x = x


def keep(store, i):
    store.append(Dot(-i))


def scatter(n):
    out = []
    for i in range(n):
        keep(out, i)
    return out


class Swarm:
    def __init__(self, n):
        self.dots = []
        self.marks = []
        for i in range(n):
            self.spawn(i)

    def spawn(self, i):
        self.dots.append(Dot(i))

    def look(self, readings):
        self.marks = []
        for d in self.dots:
            for r in readings:
                m = Mark(d.i, d.x + r)
                self.marks.append(m)
'''
SWARM_MAIN = """
import random
from swarm import Swarm, scatter
random.seed(4)
s = Swarm(20_000)
s.look([0.5, 1.5])
extra = scatter(30_000)
print(len(s.dots), len(s.marks), len(extra), round(sum(m.x for m in s.marks), 6), s.marks[3].i, extra[9].i)
"""


def test_a_method_or_function_adding_one_instance_per_call_in_a_loop_builds_in_bulk(tmp_path):
    write_project(tmp_path, {"swarm.py": SWARM, "main.py": SWARM_MAIN})
    dot, mark = mem003(tmp_path)
    assert (dot.line, mark.line) == (5, 12)
    assert "Dot is built in bulk in a loop calling keep(), which adds one per call, at " in dot.message
    assert "swarm.py:26 and 1 more place" in dot.message  # and spawn() in Swarm.__init__'s loop
    assert "Mark is built in bulk in a loop over self.dots that appends at " in mark.message
    assert "swarm.py:44 and each" in mark.message
    assert dot.fix is not None and mark.fix is not None


@pytest.mark.slow
def test_fixes_found_through_helpers_and_filled_containers_keep_behaviour_and_lower_the_peak(tmp_path):
    write_project(tmp_path, {"swarm.py": SWARM, "main.py": SWARM_MAIN})
    before, peak_before = run_folder(tmp_path)
    fix_folder(tmp_path)
    fixed = (tmp_path / "swarm.py").read_text()
    assert fixed.count('__slots__ = ("i", "x")') == 2, fixed
    after, peak_after = run_folder(tmp_path)
    assert before == after
    assert peak_after < peak_before - 60_000 * 30, (peak_before, peak_after)


@pytest.mark.parametrize(
    "change, to, still",
    [
        ("            self.spawn(i)", "            pass\n        self.spawn(0)", []),  # called once, not in a loop
        ("        self.dots.append(Dot(i))", "        found = []\n        found.append(Dot(i))", []),  # a local list
        ("        for i in range(n):", "        for i in range(3):", []),  # a few items, known
        ("        for d in self.dots:", "        for d in self.others:", ["Dot"]),  # a container not filled in bulk
    ],
)
def test_no_sign_of_many_items_through_helpers_is_not_bulk(change, to, still, tmp_path):
    swarm = SWARM.replace(change, to).replace("    store.append(Dot(-i))", "    pass")
    assert swarm != SWARM
    write_project(tmp_path, {"swarm.py": swarm})
    assert [f.message.split(" is built")[0] for f in mem003(tmp_path)] == still


TRAPS = {
    # a Dot gets an attribute no method sets: with __slots__ that raises AttributeError
    "new attribute": ("print(len(s.dots))", "s.dots[0].tag = 'first'\nprint(s.dots[0].tag)"),
    # protocol 0 refuses a slotted class without __getstate__ (TypeError)
    "old pickle": ("print(len(s.dots))", "import pickle\nprint(len(pickle.dumps(s.dots[0], 0)) > 0)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_helper_bulk_traps_get_no_fix(trap, tmp_path):
    old, new = TRAPS[trap]
    main = "import random\nfrom swarm import Swarm\nrandom.seed(4)\ns = Swarm(20_000)\n" + old + "\n"
    main = main.replace(old, new)
    write_project(tmp_path, {"swarm.py": SWARM.replace("    store.append(Dot(-i))", "    pass"), "main.py": main})
    dot = next(f for f in mem003(tmp_path) if f.line == 5)
    assert dot.fix is None and "no automatic fix" in dot.message
    assert_fix_leaves_unchanged(tmp_path, "swarm.py")
    before = outcome(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport main\n")
    naive = SWARM.replace('    """One particle."""', '    """One particle."""\n    __slots__ = ("i", "x")')
    (tmp_path / "swarm.py").write_text(naive)
    assert outcome(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport main\n") != before


@pytest.mark.slow
def test_weak_references_to_helper_built_instances_keep_the_weakref_slot(tmp_path):
    main = SWARM_MAIN + "import weakref\nr = weakref.ref(s.dots[0])\nprint(r() is s.dots[0])\n"
    write_project(tmp_path, {"swarm.py": SWARM, "main.py": main})
    before, _ = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("i", "x", "__weakref__")' in (tmp_path / "swarm.py").read_text()
    assert run_folder(tmp_path)[0] == before


# --- evidence about other libraries' objects is not evidence about the project's classes -------------------

OTHER_LIBRARIES = """
import pickle
from fractions import Fraction
from types import SimpleNamespace
f = Fraction(1, 3)
print(pickle.loads(pickle.dumps(f, 0)))  # protocol 0: fine for a Fraction, whatever the project's classes
ns = SimpleNamespace()
ns.label = "far away"
print(ns.label)
"""


@pytest.mark.slow
def test_other_librarys_objects_pickled_or_given_attributes_elsewhere_do_not_block_the_fix(tmp_path):
    write_project(
        tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": PROGRAM_MAIN + "import far\n", "far.py": OTHER_LIBRARIES}
    )
    (f,) = mem003(tmp_path)
    assert f.fix is not None and "far.py" not in f.message
    before, peak_before = run_folder(tmp_path)
    fix_folder(tmp_path)
    assert '__slots__ = ("x", "y")' in (tmp_path / "geometry.py").read_text()
    after, peak_after = run_folder(tmp_path)
    assert before == after and peak_after < peak_before


COPIED_THEN_PICKLED = """
import copy, pickle
from geometry import Point
pts = [Point(float(i), 0.5 * i) for i in range(20_000)]
q = copy.deepcopy(pts[3])  # a function of another library: it may return (here: does) a Point
print(len(pickle.dumps(q, 0)) > 0)
"""


@pytest.mark.slow
def test_objects_from_other_librarys_functions_stay_unknown_and_block_the_fix(tmp_path):
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "main.py": COPIED_THEN_PICKLED})
    (f,) = mem003(tmp_path)
    assert f.fix is None and "main.py:6 pickles an object of unknown class, which may be one," in f.message
    assert_fix_leaves_unchanged(tmp_path, "geometry.py")
    before = outcome(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport main\n")
    naive = PROGRAM_GEOMETRY.replace('    """A 2-D point."""', '    """A 2-D point."""\n    __slots__ = ("x", "y")')
    (tmp_path / "geometry.py").write_text(textwrap.dedent(naive))
    assert outcome(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport main\n") != before


# --- evidence from files that never run with the class ------------------------------------------------------

UNRELATED_SCRIPT = """
import pickle
def save(obj, path):
    obj.saved_to = path
    with open(path, "wb") as f:
        pickle.dump(obj, f, 0)
"""


@pytest.mark.slow
def test_a_script_that_never_runs_with_the_class_is_not_evidence_against_its_fix(tmp_path):
    """Issue 10: a class's fix was refused, citing a far-away script that pickles (with protocol 0) or labels
    objects of unknown class, although nothing connects that script to the class's files."""
    write_project(
        tmp_path,
        {"geometry.py": PROGRAM_GEOMETRY, "main.py": PROGRAM_MAIN, "tools/archive.py": UNRELATED_SCRIPT},
    )
    (f,) = mem003(tmp_path)
    assert f.fix is not None and "archive" not in f.message and "no automatic fix" not in f.message
    before, peak_before = run_folder(tmp_path)
    fix_folder(tmp_path)
    after, peak_after = run_folder(tmp_path)
    assert before == after and peak_after < peak_before


@pytest.mark.parametrize(
    "files",
    [
        {"main.py": PROGRAM_MAIN + "from tools import archive\n", "tools/__init__.py": ""},  # imported by main
        {"main.py": PROGRAM_MAIN + "import tools\n", "tools/__init__.py": "from . import archive\n"},  # via a package
        {"main.py": PROGRAM_MAIN, "tools/conftest.py": "import geometry\n"},  # pytest runs it with its conftest
    ],
)
def test_a_script_that_runs_with_the_class_stays_evidence(files, tmp_path):
    write_project(tmp_path, {"geometry.py": PROGRAM_GEOMETRY, "tools/archive.py": UNRELATED_SCRIPT, **files})
    (f,) = mem003(tmp_path)
    assert f.fix is None and "archive.py:" in f.message


def test_the_saving_quoted_per_instance_is_the_one_the_catalog_measured(tmp_path):
    """The message's "about N B per instance" is what `python bench/catalog.py MEM003` measured on the catalog's
    example (what a million points hold without and with __slots__), within 10%."""
    import re

    from memlint import catalog

    doc = catalog.load()["MEM003"]
    measured = " ".join(doc.measured.split())
    per_instance = re.search(r"Per instance `__slots__` saves ([\d.]+) B", measured)
    assert per_instance, doc.measured
    write_project(tmp_path, {"example.py": doc.example})
    (finding,) = mem003(tmp_path)
    quoted = int(re.search(r"about (\d+) B per instance", finding.message).group(1))
    assert abs(quoted - float(per_instance.group(1))) <= 0.1 * float(per_instance.group(1))


# --- names as Python binds them (facts/bindings.py): every binding counts, each scope its own ---------------

KEEP = """
from geometry import Point

def keep(items, i):
    p = Point(i, i)
{rebind}
    items.append(p)

def fill(n):
    items = []
    for i in range(n):
        keep(items, i)
    return items
"""
REBINDS = {
    "except as": "    try:\n        p.check()\n    except ValueError as p:\n        items.append(p)",
    "import": "    if i % 2:\n        from defaults import p",
    "def": "    if i % 2:\n        def p():\n            return i",
    "class": "    if i % 2:\n        class p:\n            pass",
}


def test_a_function_keeping_one_new_instance_per_call_is_bulk_evidence(tmp_path):
    assert reported({"geometry.py": GEOMETRY, "use.py": KEEP.format(rebind="    pass")}, tmp_path) == ["geometry.py:2"]


@pytest.mark.parametrize("rebind", sorted(REBINDS))
def test_a_name_also_bound_otherwise_is_not_known_to_hold_an_instance(rebind, tmp_path):
    """``p = Point(...)`` then ``except ... as p`` (an import, a def, a class): what is kept may be no Point."""
    use = KEEP.format(rebind=REBINDS[rebind])
    assert reported({"geometry.py": GEOMETRY, "use.py": use}, tmp_path) == [], rebind


@pytest.mark.parametrize(
    "why, use",
    [
        ("a comprehension's target is not the module's N", "N = 10\nlabels = [str(N) for N in (1, 2)]\n"),
        ("a bare annotation does not bind N", "N: int\nN = 10\n"),
        ("nor in a function", "def f():\n    n: int\n    n = 10\n    s = [str(n) for n in (1, 2)]\n"),
    ],
)
def test_a_constant_bound_once_counts_a_few_items_not_bulk(why, use, tmp_path):
    loops = (
        "pts = [Point(i, i) for i in range(N)]\n"
        if use.startswith("N")
        else "    pts = [Point(i, i) for i in range(n)]\n    return pts, s\n"
    )
    use = "from geometry import Point\n" + use + loops
    assert reported({"geometry.py": GEOMETRY, "use.py": use}, tmp_path) == [], why


LOCAL_N = {
    "for": "    for N in sizes:\n        pts = [Point(i, i) for i in range(N)]\n        keep(pts)\n",
    "import": "    from config import N\n    return [Point(i, i) for i in range(N)]\n",
    "except as": "    try:\n        pass\n    except ValueError as N:\n        return [Point(i, i) for i in range(N)]\n",
}


@pytest.mark.parametrize("bind", sorted(LOCAL_N))
def test_a_local_name_bound_otherwise_is_not_the_module_constant(bind, tmp_path):
    """``N = 10`` at module level; a function binding its own ``N`` loops over ``range(N)`` of unknown size."""
    use = "from geometry import Point\nN = 10\ndef f(sizes):\n" + LOCAL_N[bind]
    assert reported({"geometry.py": GEOMETRY, "use.py": use}, tmp_path) == ["geometry.py:2"], bind
    read_only = "from geometry import Point\nN = 10\ndef f(sizes):\n    return [Point(i, i) for i in range(N)]\n"
    assert reported({"geometry.py": GEOMETRY, "use.py": read_only}, tmp_path / "module") == []


CLASS_BODY_BINDS_X = {
    "in an if": "    if DEBUG:\n        x = 0.0\n",
    "by a loop": "    for x in (0.0,):\n        pass\n",
    "in a try": "    try:\n        x = 0.0\n    except ImportError:\n        pass\n",
    "by an import": "    from math import pi as x\n",
    "by a with": "    with open(__file__) as x:\n        pass\n",
}


@pytest.mark.parametrize("how", sorted(CLASS_BODY_BINDS_X))
def test_a_class_attribute_bound_anywhere_in_the_body_is_a_slot_conflict(how, tmp_path):
    """A name the class body binds, at any depth and by any statement, is a class attribute: a slot of that name
    makes the class statement raise ValueError."""
    geometry = "DEBUG = False\nclass Point:\n" + CLASS_BODY_BINDS_X[how] + GEOMETRY.split("class Point:\n")[1]
    assert reported({"geometry.py": geometry, "use.py": BULK_USE}, tmp_path) == [], how


@pytest.mark.slow
def test_the_trap_a_slot_named_as_a_nested_class_attribute_raises():
    """Where the nested binding runs, the class statement with the slot raises."""
    nested = (
        "DEBUG = True\nclass Point:\n    if DEBUG:\n        x = 0.0\n    def __init__(self, x):\n        self.x = x\n"
    )
    program = nested + "print(Point(1.5).x)\n"
    assert outcome(program).strip() == "1.5"
    slotted = program.replace("class Point:\n", 'class Point:\n    __slots__ = ("x",)\n')
    assert outcome(slotted).startswith("raised: ValueError: 'x' in __slots__ conflicts with class variable")
