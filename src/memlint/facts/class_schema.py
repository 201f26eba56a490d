"""What one file tells the class index (MEM003, MEM004), as plain JSON data: the rules' project facts and the
cache's schema. Built by ``class_facts.file_facts``; read by ``class_index.ClassIndex`` and the two rules.

Positions are 1-based lines and 1-based character columns, end exclusive, as in ``findings``.
"""

from __future__ import annotations

from typing import Literal, Optional, TypedDict, Union


class Position(TypedDict):
    line: int
    col: int
    end_line: int
    end_col: int


class DataclassInfo(TypedDict, total=False):
    frozen: bool
    only_decorator: bool  # @dataclass is the class's only decorator
    end: list[int]  # [line, col] just after the decorator
    call: bool  # @dataclass(...) rather than @dataclass
    has_weakref_slot: bool  # weakref_slot= is given
    after_last: list[int]  # [line, col] after its last keyword argument (only when it has some)


class SlotsInsertion(TypedDict):
    """Where ``__slots__`` goes in a class body."""

    line: int
    indent: str
    blank_after: bool


# How __init__ sets an attribute: ["param", position or -1 for keyword-only, name], ["number"] or ["other"].
FieldSource = list[Union[str, int]]


class _ClassInfo(Position):
    snippet: str
    bases: list[Optional[str]]  # qualified names; None where a base cannot be named
    metaclass_ok: bool
    kind: Literal["plain", "dataclass", "attrs"]
    never: Optional[str]  # why slots are ruled out by the class itself
    slots: Optional[list[str]]  # declared slot names when slotted (None: not slotted, or not readable)
    slotted: bool
    attrs: list[str]  # instance attributes
    property_names: list[str]
    weakref: bool  # a method takes a weak reference to its instance
    dataclass: Optional[DataclassInfo]
    fields: dict[str, FieldSource]
    annotations: list[str]  # class-body annotations, ClassVar left out
    numeric_annotations: list[str]
    fix_at: Optional[SlotsInsertion]
    pickles_itself: bool  # defines __getstate__, __reduce__ or __reduce_ex__


class ClassInfo(_ClassInfo, total=False):
    """A module-level class defined once in its file."""

    numeric_params: list[str]  # __init__'s parameters annotated int or float (when it has an __init__)
    # a plain class whose __init__ sets every attribute to a number or a parameter: the attributes other methods
    # may set to something else, each with the property whose setter does it (None: another method)
    unknown_stores: dict[str, list[Optional[str]]]
    numeric_defaults: list[str]  # __init__'s unannotated parameters with a number literal as default
    zero_arg_super: bool  # a method uses super() or __class__ (slots=True would break them before 3.14)


class BulkSite(TypedDict):
    """Instances of ``cls`` built once per item of a loop: ``count`` items, or None for data of unknown size."""

    cls: str
    how: str
    count: Optional[int]
    line: int


class _OutsideFact(TypedDict):
    cls: Optional[str]
    attr: str
    line: int


class OutsideFact(_OutsideFact, total=False):
    """An attribute set (or reached) from outside the class: ``attr`` may be a name, "*" (computed),
    "__dict__", "__weakref__", "class attribute NAME" or ``instance_uses.OLD_PICKLE``; ``cls`` None: unknown."""

    # an assignment ``obj.attr = value`` (MEM004): the value is a number if these attributes of ``obj`` are
    # ([]: a number whatever they are); None: not known to be a number
    number_if: Optional[list[str]]


class _Record(Position):
    how: str
    count: Optional[int]
    snippet: str
    kind: Literal["tuple", "dict", "class"]


class Record(_Record, total=False):
    """A list of records built in bulk (MEM004): tuples or dicts with ``fields`` numbers, or class instances."""

    fields: int  # tuple and dict records
    cls: Optional[str]  # class records: the callee and what its arguments are
    numeric_args: list[bool]
    numeric_kwargs: list[str]
    kwargs: list[str]


class _FileClassFacts(TypedDict):
    module: str
    aliases: dict[str, list[str]]  # module -> the names imported from it ("Point", "Line as Segment")
    classes: dict[str, ClassInfo]


class FileClassFacts(_FileClassFacts, total=False):
    """One file's facts; a rule keeps (``collect``) only the parts it reads."""

    imports: list[str]  # every module its import statements name (which files run together)
    bulk: list[BulkSite]
    outside: list[OutsideFact]
    records: list[Record]
