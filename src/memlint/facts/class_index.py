"""The project's classes, joined from every file's class facts (``class_facts``) without reading any file
again: each module-level class by qualified name, with the evidence about it from all files (bulk sites,
outside uses, subclasses), names resolved through imports and re-exports.
"""

from __future__ import annotations

import os
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
        self.unknown_uses: list[tuple[str, OutsideFact]] = []  # every such use, in the order of the files
        self._programs = _Programs(facts_by_path)
        self.subclasses: dict[str, list[Subclass]] = {}  # class qualname -> its subclasses
        for path, facts in facts_by_path.items():
            for site in facts.get("bulk", []):
                cls = self.resolve(site["cls"])
                if cls is not None:
                    self.bulk.setdefault(cls, []).append((path, site))
            for item in facts.get("outside", []):
                if item["cls"] is None:
                    self.outside_unknown.setdefault(item["attr"], (path, item))
                    self.unknown_uses.append((path, item))
                    continue
                cls = self.resolve(item["cls"])
                if cls is not None:
                    self.outside.setdefault(cls, []).append((path, item))
                elif not item["attr"].startswith("class attribute ") and not _other_librarys_class(
                    item["cls"], seen_modules
                ):
                    # `obj = make(); obj.extra = 1`: what `make` returns is unknown
                    self.outside_unknown.setdefault(item["attr"], (path, item))
                    self.unknown_uses.append((path, item))
            for name, info in facts.get("classes", {}).items():
                for base in info["bases"]:
                    base_class = self.resolve(base) if base else None
                    if base_class is not None:
                        sub = f"{facts.get('module', '')}.{name}" if facts.get("module") else name
                        self.subclasses.setdefault(base_class, []).append(Subclass(path, name, len(info["bases"]), sub))

    def outside_unknown_for(self, qualname: str) -> dict[str, tuple[str, OutsideFact]]:
        """``outside_unknown`` as far as it may concern this class: the uses in files that run with the class's
        file (connected to it by the project's imports). A script that never meets the class is not evidence."""
        path, _ = self.classes[qualname]
        found: dict[str, tuple[str, OutsideFact]] = {}
        for use_path, item in self.unknown_uses:
            if item["attr"] not in found and self._programs.together(path, use_path):
                found[item["attr"]] = (use_path, item)
        return found

    def uses_for(self, qualname: str) -> list[OutsideFact]:
        """Every use from outside the class that may concern it: on its known instances, and on objects of
        unknown class in the files that run with the class's file."""
        path, _ = self.classes[qualname]
        unknown = [item for use_path, item in self.unknown_uses if self._programs.together(path, use_path)]
        return [item for _, item in self.outside.get(qualname, [])] + unknown

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


class _Programs:
    """Which files of the project may run in one program: those connected by imports (either way, through any
    chain of project modules; importing ``a.b`` runs ``a`` too), and a ``conftest.py`` with every file below its
    folder (pytest loads them together). Files whose facts do not say what they import join every program."""

    def __init__(self, facts_by_path: Mapping[str, FileClassFacts]):
        self.parent: dict[str, str] = {}
        self.everywhere: set[str] = {path for path, facts in facts_by_path.items() if "imports" not in facts}
        by_module: dict[str, list[str]] = {}
        for path, facts in facts_by_path.items():
            by_module.setdefault(facts.get("module", ""), []).append(path)
        for path, facts in facts_by_path.items():
            for name in facts.get("imports", []):
                parts = name.split(".")
                for i in range(1, len(parts) + 1):  # the module and the packages it is in
                    for other in by_module.get(".".join(parts[:i]), ()):
                        self._join(path, other)
        for path in facts_by_path:
            if os.path.basename(path) == "conftest.py":
                folder = os.path.dirname(path) + os.sep
                for other in facts_by_path:
                    if other.startswith(folder):
                        self._join(path, other)

    def _root(self, path: str) -> str:
        root = path
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        self.parent[path] = root
        return root

    def _join(self, a: str, b: str) -> None:
        self.parent[self._root(a)] = self._root(b)

    def together(self, a: str, b: str) -> bool:
        return a in self.everywhere or b in self.everywhere or self._root(a) == self._root(b)


def _other_librarys_class(callee: str, project_modules: Mapping[str, str]) -> bool:
    """Is ``callee`` (what an object was made by: ``x = callee(...)``, or its annotation) a class of another
    library, so that the object is not one of the project's? A CapWords name (PEP 8's for classes:
    ``pandas.DataFrame``, ``collections.OrderedDict``) outside the project's modules. A function of another
    library (``copy.deepcopy(p)``, ``random.choice(points)``) may return the project's objects: still unknown."""
    module, _, name = callee.rpartition(".")
    if not module or not name[:1].isupper() or name.isupper():
        return False
    return not any(m == module or m.startswith(module + ".") or module.startswith(m + ".") for m in project_modules)


def _expand_aliases(grouped: Mapping[str, list[str]]) -> dict[str, str]:
    """``class_facts.class_aliases`` as {local name: qualified name}."""
    aliases = {}
    for source, names in grouped.items():
        for item in names:
            name, _, local = item.partition(" as ")
            aliases[local or name] = f"{source}.{name}"
    return aliases
