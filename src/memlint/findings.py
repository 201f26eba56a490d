"""The data that flows out of checks: findings, their fixes and the text edits of a fix.

Everything here is plain data (JSON-serialisable through ``to_dict``/``from_dict``) so that findings can
cross process boundaries, live in the cache and be written by every report format without re-parsing.
Positions are 1-based lines and 1-based character columns, end exclusive, as ruff reports them. In a
notebook they are relative to the finding's ``cell``, and ``file_lines`` are the lines of the ``.ipynb`` file
that hold the flagged source (for reports that point into the file).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional

# safe: --fix applies it; unsafe: only with --unsafe-fixes (right in the common case, not proven)
Applicability = Literal["safe", "unsafe"]
SAFE: Applicability = "safe"
UNSAFE: Applicability = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [asdict(e) for e in self.edits],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fix:
        return cls(d["applicability"], d["message"], tuple(Edit(**e) for e in d["edits"]))


@dataclass
class Finding:
    code: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    estimated_bytes: Optional[int] = None
    fix: Optional[Fix] = None
    # The normalised text of the flagged source: with code and path, the baseline fingerprint.
    snippet: str = ""
    fingerprint: str = field(default="", compare=False)
    cell: Optional[int] = None  # notebooks: 1-based, every cell counted (markdown too)
    file_lines: Optional[tuple[int, int]] = None

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def file_region(self) -> tuple[int, Optional[int], int, Optional[int]]:
        """(line, column, end_line, end_column) in the file itself, for reports that point into it: in a
        notebook, the lines of the ``.ipynb`` JSON holding the flagged source, without columns (None)."""
        if self.cell is None:
            return (self.line, self.column, self.end_line, self.end_column)
        first, last = self.file_lines or (1, 1)
        return (first, None, last, None)

    def cell_prefix(self) -> str:
        """``cell N:line:column: `` for a notebook's finding (put before its message where the report points
        into the file), else nothing."""
        return f"cell {self.cell}:{self.line}:{self.column}: " if self.cell is not None else ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fix"] = self.fix.to_dict() if self.fix else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        d = dict(d)
        fix = d.pop("fix")
        if d.get("file_lines") is not None:
            d["file_lines"] = tuple(d["file_lines"])
        return cls(fix=Fix.from_dict(fix) if fix else None, **d)


PARSE_ERROR = "MEM000"  # reported for files that do not parse, like ruff's E999/syntax-error
