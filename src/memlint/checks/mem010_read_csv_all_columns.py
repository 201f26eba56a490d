"""MEM010 read-csv-all-columns: ``pd.read_csv(path)`` parses every column when the code reads only some.

Reported when every use of the frame is visible and reads literal column names: ``df["x"]``,
``df[["x", "y"]]``, or the call itself subscripted (``pd.read_csv(p)["x"]``); ``len(df)`` reads no column (the
number of rows is the same with ``usecols``). The frame's name is followed through its reaching definitions (facts/dataflow), so a use reached by this read is a use of this frame.
Any other use (a method, an attribute, passing it to a function, returning it, a column assignment) means
the frame may need all its columns: nothing is reported.

The fix adds ``usecols=[...]`` and is unsafe: a listed column missing from the file raises at the read
instead of at the first use (after any side effects in between), and a file with duplicate header names
numbers the later ones (``a.1``) only when all columns are read.

Also reported, as advice: a frame read without ``dtype=`` whose columns the statements right after the read
convert to a literal narrower dtype (``df["c"] = df["c"].astype("float32")``, ``df = df.astype({"c":
"category"})``, ``pd.to_numeric(df["c"], downcast="float")``): the default int64/float64/str columns are
parsed first and then copied, where ``dtype={...}`` parses straight into the narrow ones.
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, NamedTuple, Optional

from memlint.checks import Rule
from memlint.context import FileContext
from memlint.facts import numpy_api
from memlint.facts.syntax import single_name_assign
from memlint.findings import UNSAFE

if TYPE_CHECKING:
    import libcst

_READERS = ("pandas.read_csv", "pandas.read_table")
_READER_NAMES = frozenset(q.rpartition(".")[2] for q in _READERS)
# Keywords that change which columns exist or how they are named, or that are not a plain frame read:
# with any of them the finding stays advice.
_ARGUMENTS_KEEPING_THE_FIX = frozenset(
    {
        "sep",
        "delimiter",
        "encoding",
        "encoding_errors",
        "compression",
        "decimal",
        "thousands",
        "quotechar",
        "escapechar",
        "comment",
        "nrows",
        "skiprows",
        "na_values",
        "keep_default_na",
        "na_filter",
        "low_memory",
        "dtype",
        "engine",
        "storage_options",
        "memory_map",
        "float_precision",
        "skip_blank_lines",
        "true_values",
        "false_values",
        "skipinitialspace",
        "dayfirst",
        "cache_dates",
        "dtype_backend",
        "lineterminator",
        "quoting",
        "doublequote",
    }
)
_NOT_A_FRAME = frozenset({"chunksize", "iterator"})
# Keywords that use columns besides the ones subscripted: usecols= would have to list them too.
_USES_OTHER_COLUMNS = frozenset({"index_col", "parse_dates", "converters"})


class ReadCsvAllColumns(Rule):
    code = "MEM010"
    requires_imports = frozenset({"pandas"})

    def check(self, ctx: FileContext) -> None:
        for node in ctx.nodes(ast.Call):
            func = node.func  # cheap first: an imported name, or an attribute spelled read_csv / read_table
            if not (isinstance(func, ast.Name) or isinstance(func, ast.Attribute) and func.attr in _READER_NAMES):
                continue
            reader = ctx.qualname(func)
            if reader not in _READERS:
                continue
            if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
                continue
            if any(k.arg in _NOT_A_FRAME for k in node.keywords):
                continue
            if any(k.arg == "usecols" or k.arg in _USES_OTHER_COLUMNS for k in node.keywords):
                _report_later_conversions(ctx, node)
                continue
            found = _columns_read(ctx, node)
            if found is None:
                _report_later_conversions(ctx, node)
                continue
            literals, fixable = found
            columns, spelled = [], []  # each column once, in order of first use, as the code spells it
            for literal in literals:
                if literal.value not in columns:
                    columns.append(literal.value)
                    spelled.append(ctx.source.segment(literal))
            if not _may_have_other_columns(ctx, node, columns):
                continue
            fix = None
            if fixable and len(node.args) == 1 and all(k.arg in _ARGUMENTS_KEEPING_THE_FIX for k in node.keywords):
                fix = ctx.rewrite(
                    node, functools.partial(_add_usecols, spelled=spelled), UNSAFE, f"Add usecols={columns!r}"
                )
            ctx.report(
                node,
                f"pd.{reader.rpartition('.')[2]} parses every column, but only {_listing(columns)} of this frame "
                f"{'is' if len(columns) == 1 else 'are'} read: if the file has other columns, "
                f"usecols={columns!r} skips them while parsing (measured on a 5-column CSV: read whole it "
                f"peaked at 3.1x the file's size, 0.5x with the 2 columns used in usecols)",
                fix=fix,
            )


def _report_later_conversions(ctx: FileContext, call: ast.Call) -> None:
    """Advice to pass ``dtype={...}`` where the statements right after ``df = pd.read_csv(...)`` convert
    columns of that frame to literal narrower dtypes."""
    if any(k.arg in ("dtype", "converters") for k in call.keywords) or _in_memory_source(ctx, call):
        return
    binding = ctx.arrays.parent(call)
    name = single_name_assign(binding) if binding is not None else None
    if not isinstance(binding, ast.Assign) or name is None:
        return
    frame = _Frame(binding, name)
    block = _statements_after(ctx, binding)
    if block is None or ctx.arrays.uses_of_binding(binding) is None:
        return
    conversions: dict[str, tuple[str, str]] = {}  # column -> (column, dtype) as the code spells them, in order
    for stmt in block:
        converted = _conversion(ctx, stmt, frame)
        if converted is None:
            break
        conversions.update(converted)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):  # df = df.astype({...})
            frame = _Frame(stmt, name)  # binds the frame anew
    if not conversions:
        return
    dtype = "{" + ", ".join(f"{column}: {spelled}" for column, spelled in conversions.values()) + "}"
    reader = (ctx.qualname(call.func) or "read_csv").split(".")[-1]
    columns = list(conversions)
    ctx.report(
        call,
        f"pd.{reader} parses {_listing(columns)} into default int64/float64/str columns, then the frame "
        f"converts {'it' if len(columns) == 1 else 'them'} into a copy: dtype={dtype} parses straight into "
        f"the narrow dtype (measured on a CSV read with usecols: a peak of 0.51x the file's size, 0.36x "
        f"also giving dtype=)",
    )


class _Frame(NamedTuple):
    """The frame ``name = ...`` binds: the statement, and the name."""

    binding: ast.Assign
    name: str


def _statements_after(ctx: FileContext, stmt: ast.Assign) -> Optional[list[ast.stmt]]:
    """The statements that follow ``stmt`` in its own block."""
    parent = ctx.arrays.parent(stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block[[s is stmt for s in block].index(True) + 1 :]
    return None


def _conversion(ctx: FileContext, stmt: ast.stmt, frame: _Frame) -> Optional[dict[str, tuple[str, str]]]:
    """{column: (column, dtype) as spelled} for ``df["c"] = df["c"].astype(t)``, ``df["c"] = pd.to_numeric(df["c"],
    downcast="float")`` or ``df = df.astype({"c": t, ...})`` on the frame, with literal
    narrower dtypes ``t``; else None."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    astype = _plain_call(value, "astype")
    if isinstance(target, ast.Name) and target.id == frame.name:  # df = df.astype({"c": "float32"})
        if not (astype and isinstance(astype.argument, ast.Dict) and _is_frame(ctx, astype.receiver, frame)):
            return None
        keys, values = astype.argument.keys, astype.argument.values
        names = [(k, k.value) for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if not keys or len(names) != len(keys):
            return None
        if not all(_narrow_dtype(ctx, v) for v in values):
            return None
        return {name: (ctx.source.segment(k), ctx.source.segment(v)) for (k, name), v in zip(names, values)}
    column = _column_of(ctx, target, frame)
    if column is None or not isinstance(target, ast.Subscript):
        return None
    spelled = ctx.source.segment(target.slice)
    if astype and _column_of(ctx, astype.receiver, frame) == column:
        dtype = astype.argument
        return {column: (spelled, ctx.source.segment(dtype))} if _narrow_dtype(ctx, dtype) else None
    if (
        isinstance(value, ast.Call)
        and ctx.qualname(value.func) == "pandas.to_numeric"
        and len(value.args) == 1
        and _column_of(ctx, value.args[0], frame) == column
        and [k.arg for k in value.keywords] == ["downcast"]
        and isinstance(value.keywords[0].value, ast.Constant)
        and value.keywords[0].value.value == "float"
    ):
        return {
            column: (spelled, spelled[-1] + "float32" + spelled[-1])
        }  # to_numeric's smallest float; an integer downcast depends on the values
    return None


class _MethodCall(NamedTuple):
    receiver: ast.expr
    argument: ast.expr


def _plain_call(node: ast.expr, method: str) -> Optional[_MethodCall]:
    """``x.method(arg)``: one positional argument and no keywords; else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
    ):
        return _MethodCall(node.func.value, node.args[0])
    return None


def _is_frame(ctx: FileContext, node: ast.expr, frame: _Frame) -> bool:
    """Whether ``node`` is the frame's name, reached by its binding alone."""
    if not isinstance(node, ast.Name) or node.id != frame.name:
        return False
    reaching = ctx.arrays.reaching(node)
    return reaching is not None and len(reaching) > 0 and all(d.node is frame.binding for d in reaching)


def _column_of(ctx: FileContext, node: ast.expr, frame: _Frame) -> Optional[str]:
    """The literal column name of ``df["c"]`` on the frame, else None."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
        and _is_frame(ctx, node.value, frame)
    ):
        return node.slice.value
    return None


def _narrow_dtype(ctx: FileContext, node: Optional[ast.expr]) -> bool:
    """A literal dtype narrower than the parser's defaults: ``"category"``, or an int/float of under 8 bytes."""
    if isinstance(node, ast.Constant) and node.value == "category":
        return True
    dtype = numpy_api.dtype_of(node, ctx.qualname)
    return dtype is not None and dtype.kind in "iuf" and dtype.itemsize < 8


def _in_memory_source(ctx: FileContext, call: ast.Call) -> bool:
    """An ``io.StringIO``/``io.BytesIO`` source: text the program already holds, in practice small test data."""
    source = (
        call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "filepath_or_buffer"), None)
    )
    return isinstance(source, ast.Call) and ctx.qualname(source.func) in ("io.StringIO", "io.BytesIO")


def _may_have_other_columns(ctx: FileContext, call: ast.Call, columns: list) -> bool:
    """False where the call shows the frame has no other columns, or holds data already in memory.

    ``names=`` spells the columns: report only a literal list with names beyond those read. An
    ``io.StringIO``/``io.BytesIO`` source is text the program already holds, in practice small test data
    whose columns are all read (pandas' own tests do exactly this).
    """
    names = next((k.value for k in call.keywords if k.arg == "names"), None)
    if names is not None:
        if not isinstance(names, (ast.List, ast.Tuple)):
            return False
        spelled = [e.value for e in names.elts if isinstance(e, ast.Constant)]
        return len(spelled) == len(names.elts) and len(set(spelled) - set(columns)) > 0
    return not _in_memory_source(ctx, call)


def _listing(columns: list) -> str:
    quoted = [repr(c) for c in columns]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _literal_columns(subscript: ast.Subscript) -> Optional[list[ast.Constant]]:
    """The string literals naming the columns a load ``frame["x"]`` / ``frame[["x", "y"]]`` reads, else None."""
    if not isinstance(subscript.ctx, ast.Load):
        return None
    key = subscript.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return [key]
    if isinstance(key, ast.List):
        literals = [e for e in key.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if literals and len(literals) == len(key.elts):
            return literals
    return None


def _columns_read(ctx: FileContext, call: ast.Call) -> Optional[tuple[list[ast.Constant], bool]]:
    """(the literals naming the columns read, whether a fix may be offered), or None if not every use is
    visible."""
    parent = ctx.arrays.parent(call)
    if isinstance(parent, ast.Subscript) and parent.value is call:
        literals = _literal_columns(parent)
        return (literals, True) if literals else None
    if not (
        isinstance(parent, ast.Assign) and parent.value is call and all(isinstance(t, ast.Name) for t in parent.targets)
    ):
        return None
    flow = ctx.arrays.flow_of(call)
    names = {
        t.id for t in parent.targets if isinstance(t, ast.Name)
    }  # (all are) df = pd.read_csv(p), or chained: df = raw = pd.read_csv(p)
    if flow is None or flow.opaque or names & (flow.captured | flow.declared):
        return None
    bindings = [d for name in sorted(names) for d in flow.defs_of.get(name, ()) if d.node is parent]
    if not bindings:
        return None
    uses = sorted(
        {id(u): u for d in bindings for u in ctx.arrays.uses_of(d)}.values(), key=lambda u: (u.lineno, u.col_offset)
    )
    columns: list[ast.Constant] = []
    for use in uses:
        subscript = ctx.arrays.parent(use)
        if _counts_rows(ctx, subscript, use):
            continue  # len(df): the number of rows is the same whichever columns are parsed
        if not isinstance(subscript, ast.Subscript) or subscript.value is not use:
            return None
        read = _literal_columns(subscript)
        if read is None:
            return None
        columns += read
    if not columns:
        return None
    # A module-level frame stays importable by other modules: advice only there.
    return columns, not isinstance(flow.scope, ast.Module)


def _counts_rows(ctx: FileContext, call: Optional[ast.AST], use: ast.Name) -> bool:
    """``len(df)``, the builtin: it reads no column."""
    return (
        isinstance(call, ast.Call)
        and call.args == [use]
        and not call.keywords
        and ctx.imports.is_builtin(call.func, "len")
    )


def _add_usecols(call: libcst.Call, spelled: list[str]) -> libcst.Call:
    """Append ``usecols=[...]`` as the last argument, in the layout of the call (one line or one per line)."""
    import libcst as cst

    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    elements = [
        cst.Element(cst.parse_expression(s), comma=space if i < len(spelled) - 1 else cst.MaybeSentinel.DEFAULT)
        for i, s in enumerate(spelled)
    ]
    usecols = cst.Arg(
        cst.List(elements),
        keyword=cst.Name("usecols"),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes it, on a line of its own
        usecols = usecols.with_changes(comma=last.comma)
        layout = call.whitespace_before_args
        if not isinstance(layout, cst.ParenthesizedWhitespace):
            layout = cst.SimpleWhitespace(" ")
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=layout))
    else:
        args[-1] = last.with_changes(comma=space)
    return call.with_changes(args=[*args, usecols])
