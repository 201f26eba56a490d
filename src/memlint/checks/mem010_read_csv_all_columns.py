"""MEM010 read-csv-all-columns: ``pd.read_csv(path)`` parses every column when the code reads only some.

Reported when every use of the frame is visible and reads literal column names: ``df["x"]``,
``df[["x", "y"]]``, or the call itself subscripted (``pd.read_csv(p)["x"]``). The frame's name is followed
through its reaching definitions (facts/dataflow), so a use reached by this read is a use of this frame.
Any other use (a method, an attribute, passing it to a function, returning it, a column assignment) means
the frame may need all its columns: nothing is reported.

The fix adds ``usecols=[...]`` and is unsafe: a listed column missing from the file raises at the read
instead of at the first use (after any side effects in between), and a file with duplicate header names
numbers the later ones (``a.1``) only when all columns are read.
"""

from __future__ import annotations

import ast
from typing import Optional

from memlint.checks import Rule
from memlint.findings import UNSAFE

_READERS = ("pandas.read_csv", "pandas.read_table")
# Keywords that change which columns exist or how they are named, or that are not a plain frame read:
# with any of them the finding stays advice.
_ARGUMENTS_KEEPING_THE_FIX = frozenset({
    "sep", "delimiter", "encoding", "encoding_errors", "compression", "decimal", "thousands", "quotechar",
    "escapechar", "comment", "nrows", "skiprows", "na_values", "keep_default_na", "na_filter", "low_memory",
    "dtype", "engine", "storage_options", "memory_map", "float_precision", "skip_blank_lines", "true_values",
    "false_values", "skipinitialspace", "dayfirst", "cache_dates", "dtype_backend", "lineterminator",
    "quoting", "doublequote",
})
_NOT_A_FRAME = frozenset({"chunksize", "iterator", "usecols"})
# Keywords that use columns besides the ones subscripted: usecols= would have to list them too.
_USES_OTHER_COLUMNS = frozenset({"index_col", "parse_dates", "converters"})


class ReadCsvAllColumns(Rule):
    code = "MEM010"
    requires_imports = frozenset({"pandas"})

    def check(self, ctx) -> None:
        for node in ctx.nodes(ast.Call):
            if not (isinstance(node, ast.Call) and ctx.qualname(node.func) in _READERS):
                continue
            if any(k.arg is None or k.arg in _NOT_A_FRAME | _USES_OTHER_COLUMNS for k in node.keywords):
                continue
            if any(isinstance(a, ast.Starred) for a in node.args):
                continue
            found = _columns_read(ctx, node)
            if found is None:
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
                fix = ctx.rewrite(node, lambda c: _add_usecols(c, spelled), UNSAFE,
                                  f"Add usecols={columns!r}")
            reader = ctx.qualname(node.func).split(".")[-1]
            ctx.report(
                node,
                f"pd.{reader} parses every column, but only {_listing(columns)} of this frame "
                f"{'is' if len(columns) == 1 else 'are'} read: usecols={columns!r} skips the others while "
                f"parsing (a 60 MiB, 5-column CSV peaked at +188.5 MiB resident, +30.4 MiB with 2 columns "
                f"in usecols, +21.8 MiB also giving their dtype=)",
                fix=fix,
            )


def _may_have_other_columns(ctx, call: ast.Call, columns: list) -> bool:
    """False where the call shows the frame has no other columns, or holds data already in memory.

    ``names=`` spells the columns: report only a literal list with names beyond those read. An
    ``io.StringIO``/``io.BytesIO`` source is text the program already holds, in practice small test data
    whose columns are all read (pandas' own tests do exactly this).
    """
    names = next((k.value for k in call.keywords if k.arg == "names"), None)
    if names is not None:
        return (isinstance(names, (ast.List, ast.Tuple))
                and all(isinstance(e, ast.Constant) for e in names.elts)
                and len({e.value for e in names.elts} - set(columns)) > 0)
    source = call.args[0] if call.args else next((k.value for k in call.keywords
                                                  if k.arg == "filepath_or_buffer"), None)
    return not (isinstance(source, ast.Call) and ctx.qualname(source.func) in ("io.StringIO", "io.BytesIO"))


def _listing(columns: list) -> str:
    quoted = [repr(c) for c in columns]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _literal_columns(subscript: ast.Subscript) -> Optional[list]:
    """The string literals naming the columns a load ``frame["x"]`` / ``frame[["x", "y"]]`` reads, else None."""
    if not isinstance(subscript.ctx, ast.Load):
        return None
    key = subscript.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return [key]
    if (isinstance(key, ast.List) and key.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in key.elts)):
        return list(key.elts)
    return None


def _columns_read(ctx, call: ast.Call):
    """(the literals naming the columns read, whether a fix may be offered), or None if not every use is
    visible."""
    parent = ctx.arrays.parent(call)
    if isinstance(parent, ast.Subscript) and parent.value is call:
        columns = _literal_columns(parent)
        return (columns, True) if columns else None
    if not (isinstance(parent, ast.Assign) and parent.value is call and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return None
    flow = ctx.arrays.flow_of(call)
    name = parent.targets[0].id
    if flow is None or flow.opaque or name in flow.captured or name in flow.declared:
        return None
    binding = next((d for d in flow.defs_of.get(name, ()) if d.node is parent), None)
    if binding is None:
        return None
    columns: list = []
    for use in ctx.arrays.uses_of(binding):
        subscript = ctx.arrays.parent(use)
        read = _literal_columns(subscript) if isinstance(subscript, ast.Subscript) else None
        if read is None or subscript.value is not use:
            return None
        columns += read
    if not columns:
        return None
    # A module-level frame stays importable by other modules: advice only there.
    return columns, not isinstance(flow.scope, ast.Module)


def _add_usecols(call, spelled: list):
    """Append ``usecols=[...]`` as the last argument, in the layout of the call (one line or one per line)."""
    import libcst as cst

    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    elements = [cst.Element(cst.parse_expression(s), comma=space if i < len(spelled) - 1 else cst.MaybeSentinel.DEFAULT)
                for i, s in enumerate(spelled)]
    usecols = cst.Arg(cst.List(elements), keyword=cst.Name("usecols"),
                      equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
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
