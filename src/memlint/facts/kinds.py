"""The words the facts use for what they know, as types: a misspelt kind is a type error, not a silent miss.

Only ``typing`` is imported here, so any module may use these at run time at no cost.
"""

from __future__ import annotations

from typing import Literal

# What a Value is (see ``arrays``): "bottom" is "no information yet" while iterating over loops; "array_like" an
# object of known dtype that may be another library's (``x.astype(t)`` of a parameter: pandas has astype too).
ValueKind = Literal[
    "ndarray",
    "np_scalar",
    "py_number",
    "other_array",
    "array_like",
    "tuple",
    "list",
    "pil_image",
    "unknown",
    "bottom",
]

# The type of a Python number (``Value.pytype``); "real" is an int or a float, of a type not known (``x: float``,
# which PEP 484 lets ints through, and np.float64, a float subclass).
PyType = Literal["int", "float", "complex", "bool", "real"]

# Who holds a value's object, and so whether writing into it in place is safe (see ``arrays``).
Ownership = Literal[
    "fresh",  # a new object this expression created and nothing else holds
    # what a method of the class returns fresh, called through ``self``: unless a subclass overrides it
    "fresh_unless_overridden",
    "parameter",
    "global",
    "attribute",
    "view",  # of another array: slices, .T, .reshape, np.asarray...
    "file_backed",  # np.memmap, np.load(mmap_mode=...)
    "read_only",  # np.broadcast_to
    "unknown_call",  # returned by code memlint does not know
    "alias",  # a second name for an object held elsewhere: b = a, a = b = x, a walrus
    "unknown",
    "bottom",
]

# Can an operand receive an operation's result in place? "impossible": there is nothing to suggest.
Verdict = Literal["safe", "unknown", "impossible"]
# Can a chain of such steps run in the array's buffer? A Verdict, or "unsafe": only an exception raised midway
# could tell (``in_place.steps_verdict``).
ChainVerdict = Literal["safe", "unsafe", "unknown", "impossible"]

# How a name is bound (``dataflow.Def.kind``).
DefKind = Literal[
    "param", "assign", "aug", "unpack", "for", "with", "except", "import", "def", "walrus", "del", "other"
]
