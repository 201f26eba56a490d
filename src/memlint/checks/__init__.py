"""The rule framework. Adding a rule is one module here plus one catalog entry in ``rules/``.

A rule module defines a subclass of ``Rule`` with its ``code`` and a ``check(ctx)`` method that calls
``ctx.report(...)`` for each finding. The registry finds every such module by itself. A rule that needs
evidence from other files (the class index) also defines ``collect(ctx)``, which returns JSON-able facts of
one file, and ``check_project(project)``, which reports over all files' facts.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # for the type checker only: rules import nothing of the engine at run time
    from memlint.config import Config
    from memlint.context import FileContext
    from memlint.engine import Project


class Rule:
    code: ClassVar[str] = ""
    # Top-level modules at least one of which a file must import for the rule to have anything to find
    # (a cheap pre-filter); empty means every file.
    requires_imports: ClassVar[frozenset[str]] = frozenset()
    # Per-rule options under [tool.memlint.rules.CODE]: name -> default (its type is the option's type; a str
    # subclass such as PythonVersion also checks the value).
    options: ClassVar[dict[str, Any]] = {}

    def check(self, ctx: FileContext) -> None:
        """Report this rule's findings in one file through ``ctx.report``."""

    # Project-wide rules override both of these.
    def collect(self, ctx: FileContext) -> Any:
        """This file's facts for ``check_project``: plain JSON data (they cross processes and live in the cache)."""
        return None

    def check_project(self, project: Project) -> None:
        """Report findings over every file's ``collect``ed facts (``project.facts``) through ``project.report``."""

    @property
    def is_project_rule(self) -> bool:
        return type(self).check_project is not Rule.check_project


class PythonVersion(str):
    """The type of an option naming a Python version (``"3.10"``): a bad value is a configuration error,
    reported with its key and file when the configuration is read, never silently some other version."""

    example = "3.10"  # for messages

    def __new__(cls, text: str) -> PythonVersion:
        if not re.fullmatch(r"3\.\d{1,2}", text):
            raise ValueError(f'must be a Python version such as "3.10", not {text!r}')
        return super().__new__(cls, text)

    @property
    def info(self) -> tuple[int, ...]:
        """``"3.10"`` -> (3, 10), to compare with ``sys.version_info``-like tuples."""
        return tuple(int(p) for p in self.split("."))


@functools.cache
def all_rules() -> dict[str, Rule]:
    """Every rule, by code, from every module in this package."""
    rules = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.code:
                if obj.code in rules:
                    raise RuntimeError(f"rule code {obj.code} is defined twice")
                rules[obj.code] = obj()
    return dict(sorted(rules.items()))


def rule_options() -> dict[str, dict[str, Any]]:
    return {code: dict(rule.options) for code, rule in all_rules().items()}


def enabled_rules(config: Config) -> list[Rule]:
    return [rule for code, rule in all_rules().items() if config.enabled(code)]
