"""Which module each name of a file comes from: ``np.full`` is ``numpy.full`` only if ``np`` is numpy.

Names are resolved through the file's imports, never by spelling. A name that an import binds and that the
file also binds some other way (assignment, parameter, def, for-target...) is ambiguous and resolves to
nothing: memlint would rather miss a finding than invent one.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

from memlint.facts.numpy_api import SAME_FUNCTIONS


def module_name_of(path: Path, packages: Optional[dict] = None) -> str:
    """The dotted module name of a file, from the packages (folders with ``__init__.py``) around it.

    ``packages`` remembers each folder's answer across the files of one run (a folder is asked once).
    """
    memo = {} if packages is None else packages
    if os.path.islink(path):
        real = Path(os.path.realpath(path))  # not resolve(): a symbolic link loop must not raise
        folder, stem = real.parent, real.stem
    else:  # the file's real path is its folder's real path and its own name
        folder, stem = _real_folder(Path(path).parent, memo), Path(path).stem
    parts = list(_package_parts(folder, memo))
    if stem != "__init__":
        parts.append(stem)
    return ".".join(parts)


def _real_folder(folder: Path, memo: dict) -> Path:
    key = ("real", folder)
    if key not in memo:
        memo[key] = Path(os.path.realpath(folder))
    return memo[key]


def _package_parts(folder: Path, memo: dict) -> tuple:
    if folder not in memo:
        parts: tuple = ()
        if (folder / "__init__.py").is_file():
            parts = (folder.name,) if folder.parent == folder else _package_parts(folder.parent, memo) + (folder.name,)
        memo[folder] = parts
    return memo[folder]


class ImportMap:
    # The nodes it reads: a caller holding an index of the tree's nodes by type passes just these.
    NODE_TYPES = (
        ast.Import,
        ast.ImportFrom,
        ast.Name,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.arg,
        ast.Global,
        ast.Nonlocal,
    )

    def __init__(
        self, tree: ast.Module, module_name: str = "", is_package: bool = False, nodes: Optional[list[Any]] = None
    ) -> None:
        self.module_name = module_name
        self.bound: dict[str, str] = {}  # local name -> fully qualified name
        self.modules: set[str] = set()  # top-level packages imported anywhere in the file
        self._answers: dict = {}  # node -> qualname
        ambiguous: set[str] = set()
        other_bindings: set[str] = set()
        package = module_name if is_package else module_name.rpartition(".")[0]
        for node in ast.walk(tree) if nodes is None else nodes:
            if type(node) is ast.Name:  # most of the nodes: asked first
                if type(node.ctx) is not ast.Load:
                    other_bindings.add(node.id)
            elif type(node) is ast.arg:
                other_bindings.add(node.arg)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add(alias.name.split(".")[0])
                    if alias.asname:
                        self._bind(alias.asname, alias.name, ambiguous)
                    else:  # `import numpy.random` binds `numpy`
                        top = alias.name.split(".")[0]
                        self._bind(top, top, ambiguous)
            elif isinstance(node, ast.ImportFrom):
                base = absolute_module(node.module, node.level, package)
                if base is None:
                    continue
                self.modules.add(base.split(".")[0])
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    self._bind(alias.asname or alias.name, f"{base}.{alias.name}", ambiguous)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                other_bindings.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                other_bindings.update(node.names)
        for name in ambiguous | other_bindings:
            self.bound.pop(name, None)
        self._names_bound = other_bindings | ambiguous | set(self.bound)

    def is_builtin(self, node: ast.AST, name: str) -> bool:
        """Is ``node`` the builtin ``name`` (``range``, ``list``, ``int``...): a bare Name the file never binds
        (import, assignment, def, parameter, global... anywhere in it)? The one way facts and rules ask it."""
        return isinstance(node, ast.Name) and node.id == name and name not in self._names_bound

    def _bind(self, name: str, qualified: str, ambiguous: set[str]) -> None:
        if self.bound.get(name, qualified) != qualified:
            ambiguous.add(name)
        self.bound[name] = qualified

    def qualname(self, node: ast.AST) -> Optional[str]:
        """``np.random.default_rng`` -> ``numpy.random.default_rng`` when ``np`` is numpy; else None."""
        # Every rule asks this of every call's function (pandas: 2.5 million questions about 230,000
        # calls): each node is answered once.
        try:
            return self._answers[node]
        except KeyError:
            answer = self._answers[node] = self._qualname(node)
            return answer

    def _qualname(self, node: ast.AST) -> Optional[str]:
        attrs = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.bound:
            return None
        name = ".".join([self.bound[node.id], *reversed(attrs)])
        return SAME_FUNCTIONS.get(name, name)

    def imports_any(self, modules: Iterable[str]) -> bool:
        return not self.modules.isdisjoint(modules)


def absolute_module(module: Optional[str], level: int, package: str) -> Optional[str]:
    """The module ``from <level dots><module> import ...`` names, inside ``package``; None above the top."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None
