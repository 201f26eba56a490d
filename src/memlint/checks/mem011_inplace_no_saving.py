"""MEM011 inplace-no-saving: ``df.drop(..., inplace=True)`` copies anyway, and pandas 3 deprecates it.

For ``drop, rename, sort_values, sort_index, reset_index, set_index, dropna, drop_duplicates, query, eval``
pandas builds the new frame and then swaps it in: ``inplace=True`` saves no memory and warns
(``Pandas4Warning``, PDEP-8). ``replace, fillna, ffill, bfill, interpolate, where, mask, clip`` do write in
place and are never reported. Both lists live in the facts layer (``facts.pandas_api``).

The fix ``df = df.m(...)`` is safe under catalog 3.6 only: an expression statement, on a plain local name
that is not a parameter, bound only to new pandas objects (``pd.DataFrame``, ``pd.read_csv``, their methods),
with NOALIAS: no other name, container, attribute or caller can hold the same frame and miss the change.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts.arrays import PANDAS_INPLACE_DEPRECATED, is_pandas
from memlint.facts.values import Value
from memlint.findings import SAFE

if TYPE_CHECKING:
    import libcst

# Two other pandas classes take inplace=True, and are not deprecated for it: Index.rename(name) and
# Categorical.sort_values(), which does sort in place. For an object of unknown type these methods are reported
# only with arguments that only DataFrame/Series take.
_FRAME_ONLY_KEYWORDS = {
    "rename": frozenset({"mapper", "index", "columns", "axis", "copy", "errors"}),
    "sort_values": frozenset({"by", "axis", "kind", "ignore_index", "key"}),
}
# Context managers that observe warnings: a fix there would change what they see (pandas tests assert the
# Pandas4Warning itself).
_WARNING_CONTEXTS = frozenset({"warns", "catch_warnings", "assert_produces_warning", "deprecated_call", "assert_warns"})


class InplaceNoSaving(Rule):
    code = "MEM011"
    requires_imports = frozenset({"pandas"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Call):
            if not (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in PANDAS_INPLACE_DEPRECATED
                and _inplace_true(node)
            ):
                continue
            receiver = node.func.value
            value = ctx.arrays.value(receiver)
            if value.kind in ("ndarray", "np_scalar", "py_number") or (
                value.kind == "other_array" and not is_pandas(value)
            ):
                continue  # known not to be a pandas object
            method = node.func.attr
            if method in _FRAME_ONLY_KEYWORDS and not is_pandas(value) and not _frame_only_call(node, method):
                continue  # could be Index.rename or Categorical.sort_values, which keep inplace
            fix = None
            statement = ctx.arrays.parent(node)
            if (
                isinstance(statement, ast.Expr)
                and isinstance(receiver, ast.Name)
                and self._fixable(ctx, node, receiver, method, value)
            ):
                fix = ctx.rewrite(
                    statement,
                    _reassign,
                    SAFE,
                    f"Replace with `{receiver.id} = {receiver.id}.{method}(...)`",
                )
            ctx.report(
                node,
                f"inplace=True on .{method}() saves no memory under pandas 3 (Copy-on-Write): the new object "
                f"is built either way and then swapped in (drop(inplace=True) peaks as reassignment does), and "
                f"pandas 3.1 deprecates it with a Pandas4Warning; write {_instead(ctx, node, receiver)}",
                fix=fix,
            )

    @staticmethod
    def _fixable(ctx: FileContext, call: ast.Call, receiver: ast.Name, method: str, value: Value) -> bool:
        """``receiver.method(..., inplace=True)`` as an expression statement: may it be reassigned?"""
        if not (is_pandas(value) and value.ownership == "fresh"):
            return False  # only objects made here by pandas: a getter's result may be held elsewhere
        if ctx.arrays.is_parameter(receiver) or not ctx.arrays.no_alias(receiver):
            return False
        if _observes_warnings(ctx, call):
            return False
        flow = ctx.arrays.flow_of(receiver)
        if flow is None or isinstance(flow.scope, ast.Module):
            return False  # a module's names can be imported (and held) by other modules
        if method == "reset_index" and value.origin == "pandas.Series" and not _keyword_true(call, "drop"):
            return False  # raises TypeError in place; reassigned it would quietly make a DataFrame
        if method == "eval" and not _assigns(call):
            return False  # without an assignment it raises in place; reassigned it would return a Series
        return not any(k.arg is None or k.arg == "target" for k in call.keywords) and not any(
            isinstance(a, ast.Starred) for a in call.args
        )


def _instead(ctx: FileContext, call: ast.Call, receiver: ast.expr) -> str:
    """The reassignment to suggest: ``df = df.m(...)``, or for ``pd.eval(..., target=df)`` the target's."""
    target = next((k.value for k in call.keywords if k.arg == "target"), None)
    callee = ctx.source.segment(call.func)
    if target is not None:  # pandas.eval (or a wrapper of it) writing into `target`
        name = ctx.source.segment(target)
        return f"`{name} = {callee}(..., target={name})`"
    name = ctx.source.segment(receiver) if isinstance(receiver, (ast.Name, ast.Attribute)) else "df"
    if isinstance(receiver, ast.Name) and ctx.arrays.is_parameter(receiver):
        # in place, the caller's object changes; rebinding the parameter leaves it as it was
        return f"`{name} = {callee}(...)` and return the new `{name}`: the caller's own frame is no longer changed"
    return f"`{name} = {callee}(...)`"


def _keyword_true(call: ast.Call, name: str) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def _inplace_true(call: ast.Call) -> bool:
    return _keyword_true(call, "inplace")


def _frame_only_call(call: ast.Call, method: str) -> bool:
    """A call of ``method`` only DataFrame/Series spell: their keywords; for rename a dict or function as the
    mapper, for sort_values the columns to sort by (Categorical.sort_values takes no positional argument)."""
    if any(k.arg in _FRAME_ONLY_KEYWORDS[method] for k in call.keywords):
        return True
    if method == "rename":
        return bool(call.args) and isinstance(call.args[0], (ast.Dict, ast.Lambda))
    return bool(call.args)


def _observes_warnings(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    """Is ``node`` inside a ``with`` block whose context manager records or asserts warnings?"""
    while node is not None:
        node = ctx.arrays.parent(node)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                func = item.context_expr.func if isinstance(item.context_expr, ast.Call) else None
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in _WARNING_CONTEXTS:
                    return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
    return False


def _assigns(call: ast.Call) -> bool:
    """``df.eval("c = a + b")``: a literal expression made only of assignments."""
    expr = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "expr"), None)
    if not (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
        return False
    try:
        body = ast.parse(expr.value.strip()).body
    except (SyntaxError, ValueError):
        return False
    return bool(body) and all(isinstance(s, ast.Assign) for s in body)


def _reassign(expr_stmt: libcst.Expr) -> libcst.Assign:
    """``df.m(..., inplace=True)`` -> ``df = df.m(...)`` (libcst, on the expression statement)."""
    import libcst as cst

    call = cst.ensure_type(expr_stmt.value, cst.Call)  # the fix is made only of `df.m(..., inplace=True)`
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == "inplace")]
    if (
        len(args) < len(call.args)
        and args
        and call.args[-1].keyword is not None
        and call.args[-1].keyword.value == "inplace"
    ):
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)  # the new last argument ends as the old
    new_call = call.with_changes(args=args)
    receiver = cst.ensure_type(cst.ensure_type(call.func, cst.Attribute).value, cst.Name)  # a plain local name
    return cst.Assign(targets=[cst.AssignTarget(target=receiver)], value=new_call)
