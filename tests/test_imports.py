"""Imports point one way: no module of memlint imports (at the top or inside a function) one that imports it
back, directly or through others. Imports under ``if TYPE_CHECKING:`` are for type checkers only and never
run, so they are not edges."""

from __future__ import annotations

import ast
from pathlib import Path

import memlint

PACKAGE = Path(memlint.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["memlint", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, module: str, is_package: bool, modules: set) -> set:
    """The memlint modules a module's code can import, wherever the import statement is."""
    found = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo += node.orelse
            continue
        todo += ast.iter_child_nodes(node)
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found |= {f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in modules}
    return {m for m in found if m in modules}


def import_graph() -> dict:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = _imported(tree, name, path.name == "__init__.py", set(paths)) - {name}
    return graph


def find_cycle(graph: dict):
    """One import cycle as a list of modules (first == last), or None."""
    state: dict = {}  # module -> "open" while on the current path, "done" after

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, path + [nxt])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "memlint.fix" in graph["memlint.cli"] and "memlint.source" in graph["memlint.context"]  # it reads them
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_sees_function_level_imports():
    code = {
        "memlint.a": "from memlint import b\n",
        "memlint.b": "def f():\n    from memlint.a import x\n",
        "memlint.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from memlint.a import y\n",
    }
    graph = {m: _imported(ast.parse(src), m, False, set(code)) for m, src in code.items()}
    assert find_cycle(graph) == ["memlint.a", "memlint.b", "memlint.a"]
    assert graph["memlint.c"] == set()
