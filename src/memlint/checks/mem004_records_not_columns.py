"""MEM004 records-not-columns: a list of small numeric records (objects, dicts, tuples) built in bulk.

Each record costs a container plus one Python number object per field; the same numbers as columns cost
8 bytes each. Project-wide because a record class is often defined in another file than the list. Advice
only: turning records into columns changes every use of the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import class_index, object_sizes
from memlint.facts.class_schema import ClassInfo, FileClassFacts, OutsideFact, Record
from memlint.facts.numpy_api import format_bytes
from memlint.findings import Finding

if TYPE_CHECKING:
    from memlint.engine import Project

NAMEDTUPLE_BASES = {"typing.NamedTuple", "typing_extensions.NamedTuple"}


class _Records(NamedTuple):
    container: str  # how one record is stored: a key of object_sizes.CONTAINER ("tuple", "dict", "slots"...)
    fields: int  # numbers per record
    what: str  # the list's items in words: "tuples", "Point objects"


class RecordsNotColumns(Rule):
    code = "MEM004"

    def collect(self, ctx: FileContext) -> FileClassFacts:
        facts = ctx.class_facts
        return {
            "module": facts["module"],
            "aliases": facts["aliases"],
            "imports": facts["imports"],  # which files run together: a setter set in another program is not
            "classes": facts["classes"],
            "records": facts["records"],
            "outside": facts["outside"],
        }

    def check_project(self, project: Project) -> None:
        index = class_index.ClassIndex(project.facts)
        for path, facts in project.facts.items():
            for record in facts.get("records", []):
                described = self._describe(index, record)
                if described is None:
                    continue
                kind, fields, what = described
                count = record["count"]
                objects = columns = None
                if count is not None:
                    objects = count * object_sizes.record_bytes(kind, fields)
                    columns = count * object_sizes.column_bytes(fields)
                    if objects - columns < project.config.min_array_bytes:
                        continue  # known and small
                size = ""
                if objects is not None and columns is not None:
                    size = (
                        f" {count:,} of them take about {format_bytes(objects)} as objects vs "
                        f"{format_bytes(columns)} as {fields} float64/int64 columns (CPython 3.11);"
                    )
                message = (
                    f"list of {what} with {fields} numeric fields built in {record['how']}:{size} keep "
                    f"the fields as columns instead: a dict of NumPy arrays, a structured array or a "
                    f"DataFrame"
                )
                project.report(
                    Finding(
                        self.code,
                        message,
                        path,
                        record["line"],
                        record["col"],
                        record["end_line"],
                        record["end_col"],
                        estimated_bytes=None if objects is None else objects - columns,
                        snippet=record["snippet"],
                    )
                )

    @staticmethod
    def _describe(index: class_index.ClassIndex, record: Record) -> Optional[_Records]:
        """What the records are, when every field of each is a number; else None."""
        if record["kind"] == "tuple":
            return _Records("tuple", record["fields"], "tuples")
        if record["kind"] == "dict":
            return _Records("dict", record["fields"], "dicts")
        q = index.resolve(record["cls"])
        if q is None:
            return None
        _, info = index.classes[q]
        name = q.rsplit(".", 1)[-1]
        if info["kind"] == "dataclass" or any(b in NAMEDTUPLE_BASES for b in info["bases"]):
            fields = info["annotations"]
            if len(fields) < 2 or set(fields) != set(info["numeric_annotations"]):
                return None
            if info["kind"] == "dataclass":
                kind = "slots" if info["slotted"] else "instance"
            else:
                kind = "namedtuple"
            return _Records(kind, len(fields), f"{name} records")
        if info["kind"] != "plain" or info["bases"] and any(b not in class_index.SAFE_BASES for b in info["bases"]):
            return None
        attrs = info["attrs"]
        if len(attrs) < 2 or any(not _numeric_field(info, record, a) for a in attrs):
            return None
        uses = index.uses_for(q)
        for where in info.get("unknown_stores", {}).values():
            if any(p is None or _set_anywhere(uses, p) for p in where):
                return None  # a method may store something else than a number
        if any(_stores_other_than_numbers(use, attrs) for use in uses):
            return None  # other code may store something else than a number
        return _Records("slots" if info["slotted"] else "instance", len(attrs), f"{name} objects")


def _set_anywhere(uses: list[OutsideFact], prop: str) -> bool:
    """Does any code of the program set this property (calling its setter), on an instance of the class or on
    an object memlint cannot tell?"""
    return any(use["attr"] in (prop, "*", "__dict__") for use in uses)


def _stores_other_than_numbers(use: OutsideFact, attrs: list[str]) -> bool:
    """May this use from outside the class store something other than a number into one of its attributes?
    ``p.x += p.vx * dt`` keeps numbers when every attribute it reads is one of the record's."""
    if use["attr"] in ("*", "__dict__"):
        return True  # setattr(p, name, v), vars(p) or p.__dict__: any attribute
    if use["attr"] not in attrs:
        return False  # another attribute (an unknown object's, or a new one: MEM003's concern)
    number_if = use.get("number_if")
    return number_if is None or not set(number_if) <= set(attrs)


def _numeric_field(info: ClassInfo, record: Record, attr: str) -> bool:
    """Does ``__init__`` set this attribute to a number, given the arguments of this call?"""
    source = info["fields"].get(attr)
    if source is None:
        return False  # set outside __init__: its value is unknown here
    if source[0] == "number":
        return True
    if source[0] != "param":
        return False
    _, position, param = source
    if not isinstance(position, int):
        return False  # never: a parameter's source is ["param", position, name] (class_schema.FieldSource)
    if param in info.get("numeric_params", []):
        return True
    if param in record["kwargs"]:
        return param in record["numeric_kwargs"]
    args = record["numeric_args"]
    if position == -1 or position >= len(args):  # not passed: its default
        return param in info.get("numeric_defaults", [])
    return 0 <= position < len(args) and args[position]
