"""The rule catalog: one TOML file per rule in ``rules/``.

It is the single source of each rule's name, summary and documentation: ``--explain``, ``--list-rules``,
SARIF rule descriptors and the README's rule table are all rendered from it. The wheel ships the folder as
``memlint/rules``; in a source checkout it is the repository's top-level ``rules/``.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib

FIX_KINDS = ("safe", "unsafe", "none")
SECTIONS = (
    ("why", "Why is this bad?"),
    ("example", "Example"),
    ("use_instead", "Use instead"),
    ("fix_safety", "Fix safety"),
    ("measured", "Measured"),
)


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str
    fix: str  # the best fix the rule offers: "safe", "unsafe" or "none"
    why: str
    example: str
    use_instead: str
    fix_safety: str
    references: tuple[str, ...] = ()
    measured: str = ""  # written by `python bench/catalog.py`: the example and use_instead run by memlint measure

    def explain(self) -> str:
        """The ``--explain`` text, in ruff's What / Why / Example / Use instead / Fix safety shape."""
        out = [f"# {self.name} ({self.code})", "", f"Fix: {self.fix}", "", "## What it does", self.summary]
        for key, title in SECTIONS:
            text = getattr(self, key).strip()
            if not text:
                continue
            out += ["", f"## {title}"]
            out.append(f"```python\n{text}\n```" if key in ("example", "use_instead") else text)
        if self.references:
            out += ["", "## References"] + [f"- {r}" for r in self.references]
        return "\n".join(out) + "\n"


def rules_dir() -> Path:
    packaged = Path(__file__).with_name("rules")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@functools.cache
def load() -> dict[str, RuleDoc]:
    docs = {}
    for path in sorted(rules_dir().glob("MEM*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        data["references"] = tuple(data.get("references", ()))
        doc = RuleDoc(**data)
        if doc.code != path.stem or doc.fix not in FIX_KINDS:
            raise ValueError(f"{path}: code must match the file name and fix be one of {FIX_KINDS}")
        docs[doc.code] = doc
    return docs


def markdown_table() -> str:
    """The README's rule table."""
    rows = ["| code | name | what it finds | fix |", "| --- | --- | --- | --- |"]
    for doc in load().values():
        rows.append(f"| {doc.code} | {doc.name} | {doc.summary} | {doc.fix} |")
    return "\n".join(rows)


def write_readme_table(readme: Path) -> None:
    """Regenerate the README's rule table between its markers: ``python -m memlint.catalog``."""
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{markdown_table()}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    write_readme_table(Path(__file__).resolve().parents[2] / "README.md")
