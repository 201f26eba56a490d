"""What checking gives: one file's result (what the cache stores) and a whole run's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from memlint.suppress import Suppressions

if TYPE_CHECKING:
    from memlint.facts.functions import FunctionIndex


@dataclass
class FileResult:
    path: str
    findings: list = field(default_factory=list)  # every finding of the enabled rules, before the filters
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # what was not checked, though the run goes on (exit unchanged)
    project_facts: dict = field(default_factory=dict)  # rule code -> JSON-able facts of this file
    suppressions: Optional[Suppressions] = None
    cells: Optional[list] = None  # a notebook's cell map (notebook.cell_map): its findings are in module lines
    # Functions of the project as facts (facts/functions.py): this file's summaries, the qualified names of
    # the imported callables it calls, and the summaries of other files it was checked with (name -> data).
    functions: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    used_functions: dict = field(default_factory=dict)
    data: Optional[bytes] = field(default=None, repr=False)  # the bytes checked, kept for --fix (never cached)


@dataclass
class RunResult:
    findings: list  # after the filters (selection, suppressions, baseline), sorted
    errors: list
    files_checked: int
    paths: dict[str, Path] = field(default_factory=dict)  # display path -> Path
    suppressions: dict[str, Suppressions] = field(default_factory=dict)  # display path -> its comments
    functions: Optional[FunctionIndex] = None  # the project's FunctionIndex, for the fix rounds (facts/functions.py)
    warnings: list = field(default_factory=list)  # one line each: what was not checked (exit unchanged)
    sources: dict[str, bytes] = field(default_factory=dict)  # display path -> the bytes checked (keep_sources)
