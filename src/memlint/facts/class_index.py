"""The project's classes, joined from every file's class facts (``class_facts``) without reading any file
again: each module-level class by qualified name, with the evidence about it from all files (bulk sites,
outside uses, subclasses), names resolved through imports and re-exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from collections.abc import Mapping

    from memlint.facts.class_schema import BulkSite, ClassInfo, FileClassFacts, OutsideFact

SAFE_BASES = {"object", "builtins.object", "abc.ABC", "typing.Generic"}  # no instance __dict__ of their own


class Subclass(NamedTuple):
    """A class of the project derived from another."""

    path: str  # its file
    name: str  # its name in that file
    bases: int  # how many bases it has
    qualname: str


class ClassIndex:
    """Every module-level class of the checked files, by qualified name, with its evidence from all files."""

    def __init__(self, facts_by_path: Mapping[str, FileClassFacts]):
        self.classes: dict[str, tuple[str, ClassInfo]] = {}  # qualname -> (path, info)
        # module -> its from-import bindings, as ``class_facts.class_aliases`` groups them
        self.imported: dict[str, dict[str, list[str]]] = {}
        self.aliases: dict[str, dict[str, str]] = {}  # module -> {name: qualname}, expanded on first lookup
        seen_modules: dict[str, str] = {}
        duplicate: set[str] = set()
        for path, facts in facts_by_path.items():
            module = facts.get("module", "")
            if module in seen_modules:
                duplicate.add(module)
            seen_modules[module] = path
            self.imported[module] = facts.get("aliases", {})
            for name, info in facts.get("classes", {}).items():
                q = f"{module}.{name}" if module else name
                self.classes[q] = (path, info)
        for q in [q for q, (path, _) in self.classes.items() if facts_by_path[path].get("module", "") in duplicate]:
            del self.classes[q]  # two files claim the same module name: cannot tell which one a name means
        self.bulk: dict[str, list[tuple[str, BulkSite]]] = {}  # class qualname -> [(path, site)]
        self.outside: dict[str, list[tuple[str, OutsideFact]]] = {}  # class qualname -> [(path, item)]
        # attribute name -> (path, item): the first use of that attribute on an object of unknown class
        self.outside_unknown: dict[str, tuple[str, OutsideFact]] = {}
        self.subclasses: dict[str, list[Subclass]] = {}  # class qualname -> its subclasses
        for path, facts in facts_by_path.items():
            for site in facts.get("bulk", []):
                cls = self.resolve(site["cls"])
                if cls is not None:
                    self.bulk.setdefault(cls, []).append((path, site))
            for item in facts.get("outside", []):
                if item["cls"] is None:
                    self.outside_unknown.setdefault(item["attr"], (path, item))
                    continue
                cls = self.resolve(item["cls"])
                if cls is not None:
                    self.outside.setdefault(cls, []).append((path, item))
                elif not item["attr"].startswith("class attribute "):
                    # `obj = make(); obj.extra = 1`: what `make` returns is unknown
                    self.outside_unknown.setdefault(item["attr"], (path, item))
            for name, info in facts.get("classes", {}).items():
                for base in info["bases"]:
                    base_class = self.resolve(base) if base else None
                    if base_class is not None:
                        sub = f"{facts.get('module', '')}.{name}" if facts.get("module") else name
                        self.subclasses.setdefault(base_class, []).append(Subclass(path, name, len(info["bases"]), sub))

    def resolve(self, qualname: Optional[str], depth: int = 0) -> Optional[str]:
        """The class a qualified name refers to, following re-exports (``from .geometry import Point``)."""
        if qualname is None or depth > 10:
            return None
        if qualname in self.classes:
            return qualname
        module, _, name = qualname.rpartition(".")
        if module not in self.aliases:
            self.aliases[module] = _expand_aliases(self.imported.get(module, {}))
        target = self.aliases[module].get(name)
        if target is not None and target != qualname:
            return self.resolve(target, depth + 1)
        return None

    def slots_of_bases(self, info: ClassInfo, depth: int = 0) -> Optional[list[str]]:
        """The slot names the bases provide, or None if some base keeps a ``__dict__`` or is unknown."""
        if depth > 20:
            return None
        names: list[str] = []
        for base in info["bases"]:
            if base in SAFE_BASES:
                continue
            q = self.resolve(base)
            if q is None:
                return None
            _, base_info = self.classes[q]
            if not base_info["slotted"] or base_info["slots"] is None:
                return None
            above = self.slots_of_bases(base_info, depth + 1)
            if above is None:
                return None
            names += above + base_info["slots"]
        return names


def _expand_aliases(grouped: Mapping[str, list[str]]) -> dict[str, str]:
    """``class_facts.class_aliases`` as {local name: qualified name}."""
    aliases = {}
    for source, names in grouped.items():
        for item in names:
            name, _, local = item.partition(" as ")
            aliases[local or name] = f"{source}.{name}"
    return aliases
