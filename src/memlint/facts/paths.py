"""What a path expression visibly ends with: MEM009's ``.npy`` files, the ``.jpg`` files ``calls.toml`` keys
image readers on, the tail of a file written elsewhere. Seen through literals, f-strings, ``+`` and ``/``,
``os.path.join``, ``Path(p)``, ``p.with_suffix(s)``, format strings and local names bound only to such paths (a ``for`` loop over
a list of them, an item of a dict of them)."""

from __future__ import annotations

import ast
import re
import string
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from memlint.context import FileContext
    from memlint.facts.dataflow import Def

EndTest = Callable[[str], bool]  # what a path's visible text must end as

JOIN_FUNCTIONS = {"os.path.join", "posixpath.join", "ntpath.join"}


def ends_with(ctx: FileContext, node: ast.AST, suffix: str, ignore_case: bool = False) -> bool:
    """Whether every path the expression may be visibly ends in ``suffix`` (``".npy"``; ``".jpg"`` in any
    case with ``ignore_case``)."""
    wanted = suffix.lower() if ignore_case else suffix
    return _ends(ctx, node, lambda text: (text.lower() if ignore_case else text).endswith(wanted), 0)


def _ends(ctx: FileContext, node: ast.AST, test: EndTest, depth: int) -> bool:
    """Whether a path expression visibly ends as ``test`` wants: literals, f-strings, ``+``, ``/``,
    os.path.join, ``Path(...)``, format strings, and local names bound only to such expressions."""
    if depth > 3:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and test(node.value)
    end = path_end(ctx, node)
    if end is not None:
        return _ends(ctx, end, test, depth + 1)
    if isinstance(node, ast.Name):
        defs = ctx.arrays.reaching(node) or []
        return bool(defs) and all(_binds(ctx, d, test, depth + 1) for d in defs)
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):  # paths[label]
        return _holds_only(ctx, node.value, test, depth + 1)
    return False


def path_end(ctx: FileContext, node: ast.AST) -> Optional[ast.AST]:
    """The part a path expression ends with: an f-string's last piece, the right of ``+`` or ``/``, the text
    a format string has after its last field (``"b_{}.npy".format(i)``, ``"b_%d.npy" % i``), the last
    argument of os.path.join (and the like) or of ``Path(p)``, the argument of ``p.with_suffix(".npy")`` or
    ``p.with_name("b.npy")``; None for anything else."""
    if isinstance(node, ast.JoinedStr) and node.values:
        return node.values[-1]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        return node.right
    template = _format_template(node)
    if template is not None:
        return ast.Constant(_text_after_last_field(template, percent=isinstance(node, ast.BinOp)))
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        q = ctx.qualname(node.func)
        if q in JOIN_FUNCTIONS or (q == "pathlib.Path" and len(node.args) == 1):
            return node.args[-1]
        if isinstance(node.func, ast.Attribute) and node.func.attr in _RENAMING_METHODS and len(node.args) == 1:
            return node.args[0]
    return None


# pathlib's methods whose path ends with their one argument (str has neither)
_RENAMING_METHODS = {"with_suffix", "with_name"}


def _format_template(node: ast.AST) -> Optional[str]:
    """The literal template of ``"...".format(...)`` or ``"..." % args``, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = node.func.value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = node.left
    else:
        return None
    return template.value if isinstance(template, ast.Constant) and isinstance(template.value, str) else None


# a printf-style conversion (%% included): what "..." % args replaces
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsab%]")


def _text_after_last_field(template: str, percent: bool) -> str:
    """What every string the template formats ends with: its literal text after the last replacement field
    ("" if it ends with one, or cannot be read)."""
    if percent:
        return _PERCENT_FIELD.split(template)[-1]
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError:
        return ""
    return pieces[-1][0] if pieces and pieces[-1][1] is None else ""


def _binds(ctx: FileContext, d: Def, test: EndTest, depth: int) -> bool:
    """The definition binds a path ending so: ``p = "a.npy"``, or ``for p in ["a.npy", ...]``."""
    if d.kind == "assign":
        return d.value is not None and _ends(ctx, d.value, test, depth)
    if d.kind == "for" and isinstance(d.node, ast.For) and isinstance(d.node.target, ast.Name):
        items: Optional[ast.expr] = d.node.iter
        if isinstance(items, ast.Name):  # a local list or tuple of paths (iterating a dict gives its keys)
            items = only_definition(ctx, items)
        return isinstance(items, (ast.List, ast.Tuple)) and _holds_only(ctx, d.node.iter, test, depth)
    return False


def only_definition(ctx: FileContext, name: ast.Name) -> Optional[ast.expr]:
    """The value of the one assignment that binds ``name`` here, else None."""
    defs = ctx.arrays.reaching(name)
    return defs[0].value if defs and len(defs) == 1 and defs[0].kind == "assign" else None


def _holds_only(ctx: FileContext, container: ast.expr, test: EndTest, depth: int) -> bool:
    """A list, tuple or dict display of paths ending so, or a local name bound once to one that is only read,
    iterated, or given more such paths by item assignment (``paths["bat"] = "bat.npy"``)."""
    if depth > 3:
        return False
    if isinstance(container, (ast.List, ast.Tuple)):
        return all(_ends(ctx, e, test, depth + 1) for e in container.elts)
    if isinstance(container, ast.Dict):
        return None not in container.keys and all(_ends(ctx, v, test, depth + 1) for v in container.values)
    if not isinstance(container, ast.Name):
        return False
    value, defs = only_definition(ctx, container), ctx.arrays.reaching(container)
    if not isinstance(value, (ast.List, ast.Tuple, ast.Dict)) or not defs:
        return False
    stmt = defs[0].node  # the one assignment, of value
    if not _holds_only(ctx, value, test, depth + 1):
        return False
    for use in ctx.arrays.uses_of_binding(stmt) or [None]:
        parent = ctx.arrays.parent(use) if use is not None else None
        if isinstance(parent, ast.Subscript) and parent.value is use:
            store = ctx.arrays.parent(parent)
            if isinstance(parent.ctx, ast.Load):
                continue
            if isinstance(store, ast.Assign) and store.targets == [parent] and _ends(ctx, store.value, test, depth + 1):
                continue
        elif isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is use:
            continue
        return False
    return True


def visible_tail(ctx: FileContext, node: ast.AST, depth: int = 0) -> str:
    """The literal text a path expression visibly ends with: ``"a.npy"``, ``f"{root}/a.npy"`` -> ``"/a.npy"``,
    ``os.path.join(root, "a.npy")``, ``Path(root) / "a.npy"``, a local name bound once to one; else ""."""
    if depth > 3:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    end = path_end(ctx, node)
    if end is not None:
        return visible_tail(ctx, end, depth + 1)
    if isinstance(node, ast.Name):
        value = only_definition(ctx, node)
        return visible_tail(ctx, value, depth + 1) if value is not None else ""
    return ""
