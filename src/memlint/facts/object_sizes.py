"""What Python objects cost on CPython: records (class instances, tuples, dicts) against NumPy columns, and
what ``__slots__`` saves. The numbers behind MEM003's and MEM004's estimates, in one place."""

from __future__ import annotations

# Measured on CPython 3.11 (1M records of two floats; per record, list slot included:
# plain class 144.5 B, __slots__ 104.5 B, dict 240.4 B, tuple 112.4 B, float64 columns 16 B). Each record
# holds a pointer in the list (8 B) and one float object per field (24 B); what is left is the container.
LIST_SLOT = 8
FLOAT_OBJECT = 24
COLUMN_ITEM = 8  # float64 / int64
# Container bytes for k fields = base + per_field * k (checked for 1 to 5 fields; larger records cost more).
CONTAINER = {
    "instance": (72, 8),  # per-instance __dict__ overhead: 88.5 B for two attributes
    "slots": (32, 8),  # 48.5 B for two attributes
    "tuple": (40, 8),
    "namedtuple": (48, 8),
    "dict": (184, 0),  # a dict of up to 5 keys
}
# __slots__ removes the per-instance dict: 88.5 -> 48.5 B of overhead per two-attribute record; reproduced by
# `python bench/catalog.py MEM003` (rules/MEM003.toml, "Measured"; tests/test_mem003.py holds the two together).
SLOTS_SAVING = 40
WEAKREF_SLOT = 8


def record_bytes(kind: str, fields: int) -> int:
    """One record of ``fields`` numbers stored as ``kind`` (a key of CONTAINER), its list slot included."""
    base, per_field = CONTAINER[kind]
    return LIST_SLOT + FLOAT_OBJECT * fields + base + per_field * fields


def column_bytes(fields: int) -> int:
    """The same numbers as float64/int64 columns."""
    return COLUMN_ITEM * fields
