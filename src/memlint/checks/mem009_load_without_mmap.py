"""MEM009 load-without-mmap: ``x = np.load("f.npy")`` where ``x`` is only read, or ``np.load("f.npy")[:k]``.

``np.load`` reads the whole file; with ``mmap_mode="r"`` only the pages that are read become resident. The
mapped array is read-only and a ``numpy.memmap`` (catalog 3.5), so this is a suggestion, made only where every
use of the loaded array reads it (directly or through a view bound to a name) and it never escapes. A bounded
slice of rows taken straight from the load, used in any way, gets the copy form instead:
``np.array(np.load(p, mmap_mode="r")[:k])`` is an ordinary writable array of those rows alone.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts.paths import ends_with, visible_tail
from memlint.facts.syntax import bounded_rows

if TYPE_CHECKING:
    from memlint.facts.dataflow import ScopeFlow, Unit
    from memlint.facts.tree import Scope

_LOAD_KEYWORDS = {"mmap_mode", "allow_pickle", "fix_imports", "encoding", "max_header_size"}
_MAX_VIEW_DEPTH = 3


class LoadWithoutMmap(Rule):
    code = "MEM009"
    requires_imports = frozenset({"numpy"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Call):
            if not (isinstance(node, ast.Call) and ctx.qualname(node.func) == "numpy.load"):
                continue
            if not self._loads_whole_npy(ctx, node):
                continue
            name = self._bound_name(ctx, node)
            view = ctx.arrays.parent(node)
            sliced = (  # np.load(p)[...], read
                view
                if isinstance(view, ast.Subscript) and view.value is node and isinstance(view.ctx, ast.Load)
                else None
            )
            if name is not None:
                only_read = _only_read(ctx, node, 0)
            elif sliced is not None and self._bound_name(ctx, sliced) and ctx.arrays.value(sliced).ownership != "fresh":
                name = self._bound_name(ctx, sliced)  # x = np.load(p)[:1000]: only x's rows are read
                only_read = _only_read(ctx, sliced, 1)
            else:  # np.load(p) / 255.0, np.load(p).shape, x = np.load(p)[rows] (a copy): read once, where it is
                name = "the array"
                only_read = ctx.arrays.reads_only(node)
            if only_read and not _may_overwrite_while_mapped(ctx, node):
                ctx.report(
                    node,
                    f"np.load reads the whole .npy file into memory, but {name} is only read here: "
                    f'np.load(..., mmap_mode="r") maps the file and only the pages read become resident '
                    f"(measured: reading 1000 rows of a 381.5 MiB file took +389.4 MiB resident, +17.9 MiB "
                    f'mapped); the mapped array is read-only (mmap_mode="c" allows writes in memory)',
                )
            elif sliced is not None and bounded_rows(sliced.slice):
                rows = ctx.source.segment(sliced.slice)
                ctx.report(
                    node,
                    f"np.load reads the whole .npy file into memory to keep only the rows [{rows}], and the slice "
                    f'keeps all of it alive: np.array(np.load(..., mmap_mode="r")[{rows}]) maps the file, copies '
                    f"just those rows into an ordinary writable array and unmaps it (measured: keeping 1000 rows "
                    f"of a 381.5 MiB file made 381.6 MiB resident; the catalog's use_instead, with this copy, "
                    f"peaks at 6.8 MiB)",
                )

    @staticmethod
    def _loads_whole_npy(ctx: FileContext, call: ast.Call) -> bool:
        if len(call.args) != 1 or isinstance(call.args[0], ast.Starred) or any(k.arg is None for k in call.keywords):
            return False
        keywords = {k.arg: k.value for k in call.keywords}
        if set(keywords) - _LOAD_KEYWORDS:
            return False
        mode = keywords.get("mmap_mode")
        if mode is not None and not (isinstance(mode, ast.Constant) and mode.value is None):
            return False
        pickle = keywords.get("allow_pickle")  # object arrays cannot be mapped
        if pickle is not None and not (isinstance(pickle, ast.Constant) and pickle.value is False):
            return False
        return ends_with(ctx, call.args[0], ".npy")

    @staticmethod
    def _bound_name(ctx: FileContext, call: ast.expr) -> Optional[str]:
        stmt = ctx.arrays.parent(call)
        if (
            isinstance(stmt, ast.Assign)
            and stmt.value is call
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            return stmt.targets[0].id
        return None


def _only_read(ctx: FileContext, value: ast.expr, depth: int) -> bool:
    """Every use of the name ``value`` is bound to only reads it; a view bound to a local name (``part =
    x[a:b]``, ``first, rest = x[:k], x[k:]``, ``flat = x.reshape(n, -1).T``, ``x = x.squeeze(-1)``) is followed
    to its own uses."""
    arrays = ctx.arrays
    uses = arrays.uses_of_bound(value)
    if uses is None or not uses and depth == 0:  # a part never used (`first, _ = x[0], x[1]`) reads nothing
        return False
    if depth == 0 and _module_name_escapes(ctx, arrays.parent(value)):
        return False
    for use in uses:
        if arrays.reads_only(use):
            continue
        view = _view_of(ctx, use)
        if depth < _MAX_VIEW_DEPTH and view is not None and _only_read(ctx, view, depth + 1):
            continue
        return False
    return True


def _view_of(ctx: FileContext, use: ast.expr) -> Optional[ast.expr]:
    """The outermost of the views read around ``use`` (``use[a:b]``, ``use.T``, ``use.reshape(n, -1).T``),
    else None."""
    node: ast.AST = use
    while True:
        p = ctx.arrays.parent(node)
        if isinstance(p, ast.Subscript) and p.value is node and isinstance(p.ctx, ast.Load):
            node = p
        elif (around := ctx.arrays.view_around(node)) is not None:
            node = around
        else:
            return node if node is not use and isinstance(node, ast.expr) else None


def _may_overwrite_while_mapped(ctx: FileContext, load: ast.Call) -> bool:
    """A NumPy call that may write the loaded file runs after the load in its scope, or in a function defined
    there that may be called after it: a mapped file must not change while mapped (a truncated mapping crashes
    the reader with SIGBUS; Windows refuses to write a mapped file). Writers of another visible file
    (``np.savetxt("log.txt")``, ``np.savez`` of a path: always a ``.npz``), or that run only before the load
    (``np.save(p, x)`` then ``x = np.load(p)``), do not count."""
    scope = ctx.arrays.scope_of(load)
    if scope is None:  # in a class body or a comprehension, whose code has no flow: writers are not looked for
        return False
    loaded = visible_tail(ctx, load.args[0]) or ".npy"
    for call in ast.walk(scope):
        if isinstance(call, ast.Call):
            written = _written_tail(ctx, call)
            if written is not None and _may_be_same_file(loaded, written) and _may_run_after(ctx, scope, load, call):
                return True
    return False


def _written_tail(ctx: FileContext, call: ast.Call) -> Optional[str]:
    """What the file a NumPy writer writes visibly ends with ("" when nothing is visible), or None if the call
    writes no file. ``np.save`` appends ``.npy`` and ``np.savez`` ``.npz`` to a path not ending so."""
    q = ctx.qualname(call.func) or ""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "tofile" and not q.startswith("numpy."):
        q = "tofile"  # arr.tofile(path): raw bytes
    if q not in _WRITERS:
        return None
    keyword, suffix, mode_position = _WRITERS[q]
    path = _argument(call, 0, keyword)
    if mode_position is not None:
        mode = _argument(call, mode_position, "mode")
        default = "r+"
        spelled = mode.value if isinstance(mode, ast.Constant) else default if mode is None else None
        if spelled in ("r", "c", "readonly", "copyonwrite"):
            return None
    tail = visible_tail(ctx, path) if path is not None else ""
    if tail and suffix and not tail.endswith(suffix):
        tail += suffix
    return tail


# qualified name -> (the path's keyword, its first argument; suffix appended to a path not ending so; position
# of the mode, whose default is "r+")
_WRITERS = {
    "numpy.save": ("file", ".npy", None),
    "numpy.savez": ("file", ".npz", None),
    "numpy.savez_compressed": ("file", ".npz", None),
    "numpy.savetxt": ("fname", "", None),
    "numpy.memmap": ("filename", "", 2),
    "numpy.lib.format.open_memmap": ("filename", "", 1),
    "tofile": ("fid", "", None),
}


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    if position < len(call.args):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _may_be_same_file(a: str, b: str) -> bool:
    """Paths ending in ``a`` and ``b`` may name one file unless neither ending ends the other."""
    return a.endswith(b) or b.endswith(a)


def _may_run_after(ctx: FileContext, scope: Scope, load: ast.Call, call: ast.Call) -> bool:
    """``call`` may run after ``load``: in the load's scope, control can get from the load to it (a loop
    included); in a function defined there, unless every mention of the function anywhere is a call in the
    load's scope that control cannot reach from the load (or a mention in a function nested there)."""
    flow = ctx.arrays.flow_of(load)
    if flow is None:
        return True
    start = _unit(ctx, flow, load)
    if start is None:
        return True
    node: ast.AST = call
    while (outer := ctx.arrays.scope_of(node)) is not scope:  # the function of the load's scope the call is in
        if outer is None:
            return True
        node = outer
    if node is call:
        goal = _unit(ctx, flow, call)
        return goal is None or goal is start or flow.can_reach(start, goal)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.decorator_list:
        return True
    for mention in ast.walk(scope):  # a function defined in the scope is named only there
        if not isinstance(mention, ast.Name) or mention.id != node.name or not isinstance(mention.ctx, ast.Load):
            continue
        caller = ctx.arrays.parent(mention)
        if not (isinstance(caller, ast.Call) and caller.func is mention) or ctx.arrays.scope_of(mention) is not scope:
            return True
        goal = _unit(ctx, flow, caller)
        if goal is None or goal is start or flow.can_reach(start, goal):
            return True
    return False


def _unit(ctx: FileContext, flow: ScopeFlow, node: ast.AST) -> Optional[Unit]:
    """The flow unit evaluating ``node``: that of its statement (or compound statement's header)."""
    current: Optional[ast.AST] = node
    while current is not None and id(current) not in flow.unit_of_node:
        current = ctx.arrays.parent(current)
    return flow.unit_of_node.get(id(current)) if current is not None else None


def _module_name_escapes(ctx: FileContext, binding: Optional[ast.AST]) -> bool:
    """``binding`` (``name = value``) binds a module-level name listed in ``__all__``: it is meant for
    importers, who may write it."""
    if not (
        isinstance(binding, ast.Assign)
        and isinstance(ctx.arrays.scope_of(binding), ast.Module)
        and isinstance(binding.targets[0], ast.Name)
    ):
        return False
    name = binding.targets[0].id
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets):
            return any(isinstance(e, ast.Constant) and e.value == name for e in getattr(stmt.value, "elts", ()))
    return False
