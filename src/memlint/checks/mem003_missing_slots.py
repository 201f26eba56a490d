"""MEM003 missing-slots: a class built in bulk keeps a per-instance ``__dict__`` that ``__slots__`` removes.

Project-wide: the class is often defined in one file and built in bulk in another, so the evidence comes
from the class index (facts/class_index.py). Reported at the class definition; the fix is unsafe only (catalog
§3.4): code outside the project, ``mock.patch.object`` or a framework may add attributes to instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable, Optional

from memlint.checks import PythonVersion, Rule
from memlint.context import FileContext
from memlint.facts import class_index, instance_uses, object_sizes
from memlint.facts.class_schema import BulkSite, ClassInfo, FileClassFacts, OutsideFact
from memlint.facts.numpy_api import format_bytes
from memlint.findings import UNSAFE, Edit, Finding, Fix

if TYPE_CHECKING:
    from memlint.engine import Project


class MissingSlots(Rule):
    code = "MEM003"
    # The oldest Python the checked code must run on: `@dataclass(slots=True)` needs 3.10 (and 3.11 for
    # `weakref_slot=True`), so below that a dataclass is reported without a fix.
    options = {"target-version": PythonVersion("3.9")}

    def collect(self, ctx: FileContext) -> FileClassFacts:
        facts = ctx.class_facts
        return {
            "module": facts["module"],
            "aliases": facts["aliases"],
            "imports": facts["imports"],
            "classes": facts["classes"],
            "bulk": facts["bulk"],
            "outside": facts["outside"],
        }

    def check_project(self, project: Project) -> None:
        index = class_index.ClassIndex(project.facts)
        target = PythonVersion(project.config.option(self.code, "target-version")).info
        for qualname, sites in index.bulk.items():
            path, info = index.classes[qualname]
            if info["never"] or not info["attrs"]:
                continue
            base_slots = index.slots_of_bases(info)
            if base_slots is None or not info["metaclass_ok"]:
                continue  # a base without __slots__ (or an unknown one) keeps the __dict__ anyway
            outside = index.outside.get(qualname, [])
            own = (
                set(info["attrs"])
                | set(info["property_names"])
                | set(base_slots)
                | {"__weakref__", instance_uses.OLD_PICKLE}
            )
            if any(item["attr"] not in own for _, item in outside):
                continue  # its instances get new attributes (or __dict__) from outside the class
            small = project.config.min_array_bytes
            sites = [(p, s) for p, s in sites if s["count"] is None or s["count"] * object_sizes.SLOTS_SAVING >= small]
            if not sites:
                continue  # every bulk site is known and small
            self._report(project, index, qualname, path, info, sites, base_slots, outside, target)

    def _report(
        self,
        project: Project,
        index: class_index.ClassIndex,
        qualname: str,
        path: str,
        info: ClassInfo,
        sites: list[tuple[str, BulkSite]],
        base_slots: list[str],
        outside: list[tuple[str, OutsideFact]],
        target: tuple[int, ...],
    ) -> None:
        name = qualname.rsplit(".", 1)[-1]
        attrs = [a for a in info["attrs"] if a not in base_slots]
        known_weakref = info["weakref"] or any(item["attr"] == "__weakref__" for _, item in outside)
        # a weak reference to an object memlint cannot type may be to one of these: keep them possible
        unknown_weakref = None if known_weakref else index.outside_unknown_for(qualname).get("__weakref__")
        weakref = known_weakref or unknown_weakref is not None
        saving = object_sizes.SLOTS_SAVING - (object_sizes.WEAKREF_SLOT if weakref else 0)
        sites = sorted(sites, key=lambda ps: (ps[1]["count"] is None, -(ps[1]["count"] or 0)))
        site_path, site = sites[0]  # the largest known count first
        count = site["count"]
        where = f"{site['how']} at {project.where(site_path, site['line'])}"
        if count is not None:
            where += f" ({count:,} instances)"
        if len(sites) > 1:
            where += f" and {len(sites) - 1} more place{'s' if len(sites) > 2 else ''}"
        why_no_fix = self._why_no_fix(index, qualname, info, attrs, weakref, target, outside, project.where)
        if info["kind"] == "dataclass":
            change = "`slots=True` on its @dataclass"
        else:
            change = "__slots__ = " + _slots_tuple(attrs + (["__weakref__"] if weakref else []))
        if unknown_weakref is not None:
            change += (
                f" (__weakref__ because {project.where(unknown_weakref[0], unknown_weakref[1]['line'])} takes weak "
                f"references to objects of unknown class)"
            )
        saved = f"about {saving} B per instance"
        if count is not None:
            saved += f", {format_bytes(count * saving)} for {count:,}"
        message = (
            f"{name} is built in bulk in {where} and each instance carries a __dict__; {change} saves "
            f"{saved} (CPython 3.11 measurement)"
        )
        if why_no_fix:
            message += f"; no automatic fix: {why_no_fix}"
        fix = None if why_no_fix else self._fix(info, attrs, weakref)
        if fix is None and not why_no_fix and info["kind"] != "dataclass":
            message += "; no automatic fix: the class body has no line of its own to put __slots__ on"
        project.report(
            Finding(
                self.code,
                message,
                path,
                info["line"],
                info["col"],
                info["end_line"],
                info["end_col"],
                estimated_bytes=count * saving if count is not None else None,
                fix=fix,
                snippet=info["snippet"],
            )
        )

    @staticmethod
    def _why_no_fix(
        index: class_index.ClassIndex,
        qualname: str,
        info: ClassInfo,
        attrs: list[str],
        weakref: bool,
        target: tuple[int, ...],
        outside: list[tuple[str, OutsideFact]],
        where: Callable[[str, int], str],
    ) -> Optional[str]:
        # pickled with protocol 0 or 1: an instance of this class, else an object of unknown class
        old_pickle = [(path, item, "one") for path, item in outside if item["attr"] == instance_uses.OLD_PICKLE]
        unknown = index.outside_unknown_for(qualname)  # uses of objects of unknown class that may be this one
        if instance_uses.OLD_PICKLE in unknown:
            path, item = unknown[instance_uses.OLD_PICKLE]
            old_pickle.append((path, item, "an object of unknown class, which may be one,"))
        dc = info["dataclass"]  # set exactly where kind is "dataclass"
        frozen = dc is not None and dc["frozen"]  # slots=True adds __getstate__
        if old_pickle and not info.get("pickles_itself") and not frozen:
            path, item, what = old_pickle[0]
            return (
                f"{where(path, item['line'])} pickles {what} with protocol 0 or 1 (or one chosen at run time), which "
                f"refuses a class with __slots__ and no __getstate__"
            )
        extra = [
            attr
            for attr, (path, item) in sorted(unknown.items())
            if attr not in info["attrs"]
            and attr not in info["property_names"]
            and not attr.startswith("class attribute ")
            and attr not in ("__weakref__", instance_uses.OLD_PICKLE)
        ]
        if extra:
            attr = extra[0]
            path, item = unknown[attr]
            what = {"*": "an attribute with a computed name (setattr)", "__dict__": "`__dict__`/vars()"}.get(
                attr, f"attribute `{attr}`"
            )
            return f"an object of unknown class gets {what} at {where(path, item['line'])}, which may be a {qualname}"
        for path, sub, nbases, _ in index.subclasses.get(qualname, []):
            if nbases > 1:
                return f"{sub} ({path}) also inherits from other bases: their layouts could conflict"
        provided = set(info["attrs"]) | set(info["property_names"]) | set(index.slots_of_bases(info) or ())
        for path, sub, needed in _slotted_subclass_needs(index, qualname, provided):
            if needed == "__weakref__" and weakref:
                continue  # the class's own slots will have it
            what = {None: "its __slots__ cannot be read", "__weakref__": "it is weakly referenced"}.get(
                needed, f"it sets `{needed}`"
            )
            return (
                f"{sub} ({path}) has __slots__ and {what}: today that lives in the __dict__ it inherits "
                f"from {qualname.rsplit('.', 1)[-1]}"
            )
        if dc is not None:
            if target < (3, 10):
                return "@dataclass(slots=True) needs Python 3.10 (set the MEM003 option target-version)"
            if weakref and (target < (3, 11) or dc["has_weakref_slot"]):
                return "instances are weakly referenced and weakref_slot=True needs Python 3.11"
            if dc["frozen"] and target < (3, 11):
                return "a frozen slotted dataclass pickles only from Python 3.11"
            if info.get("zero_arg_super"):
                return "a method uses zero-argument super() or __class__, which fails in a slotted dataclass"
            if not dc["only_decorator"]:
                return "another class decorator would see the class that slots=True replaces"
        return None

    @staticmethod
    def _fix(info: ClassInfo, attrs: list[str], weakref: bool) -> Optional[Fix]:
        dc = info["dataclass"]  # set exactly where kind is "dataclass"
        if dc is not None:
            keywords = "slots=True" + (", weakref_slot=True" if weakref else "")
            if not dc["call"]:
                line, col = dc["end"]
                edit = Edit(line, col, line, col, f"({keywords})")
            elif "after_last" in dc:
                line, col = dc["after_last"]
                edit = Edit(line, col, line, col, f", {keywords}")
            else:  # `@dataclass()`: before its closing parenthesis
                line, col = dc["end"]
                edit = Edit(line, col - 1, line, col - 1, keywords)
            return Fix(UNSAFE, "Add slots=True to the @dataclass", (edit,))
        at = info["fix_at"]
        if at is None:
            return None
        slots = _slots_tuple(attrs + (["__weakref__"] if weakref else []))
        blank = "\n" if at["blank_after"] else ""
        edit = Edit(at["line"], 1, at["line"], 1, f"{at['indent']}__slots__ = {slots}\n{blank}")
        return Fix(UNSAFE, "Add __slots__ with the attributes the class assigns", (edit,))


def _slots_tuple(names: list[str]) -> str:
    inner = ", ".join(f'"{n}"' for n in names)
    return f"({inner},)" if len(names) == 1 else f"({inner})"


def _slotted_subclass_needs(
    index: class_index.ClassIndex, qualname: str, provided: set[str], depth: int = 0
) -> Iterator[tuple[str, str, Optional[str]]]:
    """(path, subclass, attribute) for each attribute a subclass with ``__slots__`` of its own sets (or weakly
    references: ``__weakref__``) beyond the slots above it: it lives in the __dict__ the class gives it today,
    and goes with the class's slots. Attribute None: the subclass's slots cannot be read."""
    if depth > 20:
        return
    for path, name, _, sub in index.subclasses.get(qualname, []):
        q = index.resolve(sub)
        if q is None:
            continue
        _, info = index.classes[q]
        if not info["slotted"]:
            continue  # its own __dict__ serves it and its subclasses
        if info["slots"] is None:
            yield path, name, None
            continue
        have = provided | set(info["slots"]) | set(info["property_names"])
        needed = list(info["attrs"]) + [
            item["attr"]
            for _, item in index.outside.get(q, [])
            if not item["attr"].startswith(("class attribute ", "<"))
        ]
        if info["weakref"]:
            needed.append("__weakref__")
        for attr in needed:
            if attr not in have:
                yield path, name, attr
                break
        yield from _slotted_subclass_needs(index, q, have, depth + 1)
