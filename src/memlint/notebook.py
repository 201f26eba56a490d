"""Jupyter notebooks (nbformat 4) as Python sources.

A notebook is checked as the module whose top level is its code cells in order (``Notebook.view``). IPython
syntax (magics, shell escapes, help, automagic) is masked line for line, so every position in that module is
the same line and column of its cell; a cell in another language (``%%bash``) is left out, and a cell that
does not parse is blanked and reported alone. Findings are found in module lines and given back to their
cell (``CellMap``).

Writing back touches nothing but the JSON string tokens of the changed sources (``Notebook.dumps``): the
file keeps its indent, key order, escapes, trailing newline, outputs, ids and metadata, so ``git diff``
shows the fixed lines only.
"""

from __future__ import annotations

import ast
import bisect
import functools
import json
import keyword
import re
from dataclasses import dataclass, field, replace
from json.scanner import make_scanner
from typing import NamedTuple, Optional

from memlint.files import InputError

SUFFIX = ".ipynb"
# The call a masked line becomes: an unknown function of every name the IPython line mentions, so that the
# rules see those names used (and let go to code they cannot see) exactly where the line uses them.
MASK_CALL = "__ipython__"
# Cell magics that run their cell as Python in the kernel; any other cell magic means another language.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "mprun"})
# Line magics IPython calls without `%` (automagic): a statement that starts with one and does not parse alone
# (`pip install x`, `cd ..`, `matplotlib inline`) is a magic.
AUTOMAGICS = frozenset(
    """alias alias_magic autoawait autocall automagic autoreload aimport autosave bookmark cat cd clear colors
    conda config connect_info cp debug dhist dirs doctest_mode ed edit env gui hist history killbgscripts ldir
    less lf lk ll load load_ext loadpy logoff logon logstart logstate logstop ls lsmagic lx macro magic mamba
    man matplotlib memit micromamba mkdir more mprun mv notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2
    pip popd pprint precision prun psearch psource pushd pwd pycat pylab qtconsole quickref recall rehashx
    reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env store sx system tb time timeit
    unalias unload_ext uv who who_ls whos xdel xmode""".split()
)
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_CELL_MAGIC = re.compile(r"\s*%%(\w*)")
# The escape and what follows it that names no Python object: %magic, !cmd (?obj, /f x, ;f x, ,f x name one)
_ESCAPE_MAGIC = re.compile(r"(?:%+|!+)\s*[\w.]*|\?+|[/;,]")
_ASSIGNED_MAGIC = re.compile(r"([^\W\d][\w.,\s\[\]()]*?=\s*)([%!].*)", re.DOTALL)  # x = %time f(), out = !ls
_AUTOMAGIC = re.compile(r"([^\W\d]\w*)[ \t]+[\w\-./~'\"$]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


def is_notebook(path) -> bool:
    return str(path).endswith(SUFFIX)


def parse_python(text: str, filename: str = "<notebook>") -> ast.Module:
    """``ast.parse`` as IPython compiles a cell: top-level ``await`` allowed."""
    return compile(text, filename, "exec", ast.PyCF_ONLY_AST | _TOP_LEVEL_AWAIT, dont_inherit=True)


# --- reading and writing the JSON ----------------------------------------------------------------------


@dataclass
class Cell:
    number: int  # 1-based, every cell counted (markdown too), as an editor's "Cell N"
    kind: str  # "code", "markdown", "raw"
    source: str
    # Where the source's JSON value lies in the file text, and for a list of strings each item's span.
    span: tuple[int, int] = (0, 0)
    items: Optional[list[tuple[int, int]]] = None  # None: the source is one JSON string


class Notebook:
    """One notebook file: its cells and how to write changed sources back without touching anything else."""

    def __init__(self, display: str, text: str, bom: bool, cells: list[Cell], language: str):
        self.display = display
        self.text = text
        self.bom = bom
        self.cells = cells
        self.language = language  # the kernel's language, "python" when the notebook does not say

    @classmethod
    def parse(cls, data: bytes, display: str) -> Notebook:
        """Raises InputError with one line naming the file (and the key or position) for anything that is
        not an nbformat 4 notebook."""
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(f"{display}: not a notebook: cannot decode as UTF-8: {e.reason}") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{display}:{e.lineno}:{e.colno}: not a notebook: invalid JSON: {e.msg}") from None
        except RecursionError:
            raise InputError(f"{display}: not a notebook: JSON nested too deeply") from None
        if not isinstance(doc, dict) or "cells" not in doc and "worksheets" not in doc:
            raise InputError(f"{display}: not a Jupyter notebook (no `cells`)")
        version = doc.get("nbformat")
        if version != 4:
            raise InputError(
                f"{display}: nbformat {version} is not supported, only 4 (upgrade it: `jupyter nbconvert --to notebook`)"
            )
        raw_cells = doc.get("cells")
        if not isinstance(raw_cells, list):
            raise InputError(f"{display}: not a notebook: `cells` is not a list")
        cells = []
        for i, c in enumerate(raw_cells):
            if not isinstance(c, dict) or not isinstance(c.get("cell_type"), str):
                raise InputError(f"{display}: not a notebook: cells[{i}] has no `cell_type`")
            source = c.get("source", "")
            if isinstance(source, list) and all(isinstance(s, str) for s in source):
                source = "".join(source)
            if not isinstance(source, str):
                raise InputError(f"{display}: not a notebook: cells[{i}].source is not text")
            cells.append(Cell(i + 1, c["cell_type"], source))
        metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        language = _language(metadata)
        _locate_sources(text, cells)
        return cls(display, text, bom, cells, language)

    def dumps(self, sources: dict[int, str]) -> bytes:
        """The file's bytes with the sources of some cells (by number) replaced: every other byte kept."""
        out, at = [], 0
        ascii_only = _writes_ascii(self.text)
        for cell in self.cells:
            new = sources.get(cell.number)
            if new is None or new == cell.source:
                continue
            start, end = cell.span
            out += [self.text[at:start], _render_source(self.text, cell, new, ascii_only)]
            at = end
        out.append(self.text[at:])
        return (b"\xef\xbb\xbf" if self.bom else b"") + "".join(out).encode("utf-8")

    def with_sources(self, sources: dict[int, str]) -> Notebook:
        """The same notebook with the sources of some cells (by number) replaced, as it would be read back."""
        cells = [replace(c, source=sources.get(c.number, c.source)) for c in self.cells]
        return Notebook(self.display, self.text, self.bom, cells, self.language)

    def file_line(self, cell: Cell, line: int) -> int:
        """The line of the notebook file that holds a 1-based line of a cell's source (for reports that point
        into the file: a list source has one JSON string per line)."""
        if cell.items and line <= len(cell.items):
            at = cell.items[line - 1][0]
        elif cell.items:
            at = cell.items[-1][0]
        else:
            at = cell.span[0]
        return bisect.bisect_left(self._newlines, at) + 1

    @functools.cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]


def cell_source(text: str, display: str, number: int) -> Optional[str]:
    """The source of cell ``number`` of a notebook's text; None if the text is not a notebook (any more)."""
    try:
        cells = Notebook.parse(text.encode("utf-8"), display).cells
    except InputError:
        return None
    return cells[number - 1].source if 0 < number <= len(cells) else None


def _language(metadata: dict) -> str:
    for key in ("language_info", "kernelspec"):
        info = metadata.get(key)
        if isinstance(info, dict):
            name = info.get("name") if key == "language_info" else info.get("language")
            if isinstance(name, str) and name:
                return name.lower()
    return "python"


def _writes_ascii(text: str) -> bool:
    """Whether the file escapes non-ASCII characters (``json.dump``'s default) rather than writing them."""
    return text.isascii() and re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", text) is not None


_WS = re.compile(r"[ \t\n\r]*")
_scan_value = make_scanner(json.JSONDecoder())


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _members(text: str, i: int):
    """(key, value start, value end) of the JSON object at ``i`` (valid JSON: json.loads checked it)."""
    i = _skip_ws(text, i) + 1  # "{"
    while True:
        i = _skip_ws(text, i)
        if text[i] == "}":
            return
        key, i = json.decoder.scanstring(text, i + 1)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # ":"
        _, end = _scan_value(text, i)
        yield key, i, end
        i = _skip_ws(text, end)
        if text[i] == ",":
            i += 1


def _elements(text: str, i: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the JSON array at ``i``."""
    spans = []
    i = _skip_ws(text, i + 1)
    while text[i] != "]":
        _, end = _scan_value(text, i)
        spans.append((i, end))
        i = _skip_ws(text, end)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return spans


def _locate_sources(text: str, cells: list[Cell]) -> None:
    top = _skip_ws(text, 0)
    cells_at = None
    for key, start, _ in _members(text, top):
        if key == "cells":
            cells_at = start  # the last one wins, as in json.loads
    if cells_at is None:
        return
    for cell, (start, _) in zip(cells, _elements(text, cells_at)):
        for key, vstart, vend in _members(text, start):
            if key == "source":
                cell.span = (vstart, vend)
                cell.items = _elements(text, vstart) if text[vstart] == "[" else None


def _render_source(text: str, cell: Cell, new: str, ascii_only: bool) -> str:
    """The JSON of a new source in the old one's layout; unchanged lines keep their exact old tokens."""
    if cell.items is None:
        return json.dumps(new, ensure_ascii=ascii_only)
    old = {json.loads(text[s:e]): text[s:e] for s, e in cell.items}
    lines = new.splitlines(keepends=True)  # as nbformat splits a source into its list
    tokens = [old.get(line) or json.dumps(line, ensure_ascii=ascii_only) for line in lines]
    start, end = cell.span
    if not cell.items:
        return "[" + ", ".join(tokens) + "]"
    first, last = cell.items[0][0], cell.items[-1][1]
    opening, closing = text[start + 1 : first], text[last : end - 1]
    separator = text[cell.items[0][1] : cell.items[1][0]] if len(cell.items) > 1 else "," + (opening or " ")
    if not tokens:
        return "[]"
    return "[" + opening + separator.join(tokens) + closing + "]"


# --- the module a notebook is checked as -----------------------------------------------------------------


@dataclass
class CellCode:
    """One code cell's place in the module: its lines are module lines ``start`` to ``start + lines - 1``."""

    number: int
    start: int
    lines: int
    masked: set = field(default_factory=set)  # names the cell's masked IPython lines mention
    masked_lines: set = field(default_factory=set)  # cell-relative lines that were masked
    error: Optional[tuple[int, int, str]] = None  # (line, column, message) of a cell that does not parse


@dataclass
class View:
    text: str
    cells: list[CellCode]

    def locate(self, line: int) -> Optional[CellCode]:
        i = bisect.bisect_right([c.start for c in self.cells], line) - 1
        if i >= 0 and line < self.cells[i].start + self.cells[i].lines:
            return self.cells[i]
        return None


def view(nb: Notebook) -> View:
    """The module a notebook is checked as. Cells in another language, and every cell of a notebook whose
    kernel is not Python, are left out; a cell that does not parse keeps its lines, blank."""
    chunks, cells, line = [], [], 1
    first_code = True
    if nb.language not in ("python", "python3", "ipython", "ipython3"):
        return View("", [])
    for cell in nb.cells:
        if cell.kind != "code" or not cell.source.strip():
            continue
        masked = mask(cell.source)
        if masked is None:
            continue
        code, names, masked_lines = masked
        if not code.endswith(("\n", "\r")):
            code += "\n"
        n = len(_LINE.findall(code))
        entry = CellCode(cell.number, line, n, names, masked_lines)
        try:
            tree = parse_python(code)
        except (SyntaxError, ValueError) as e:
            lineno = min(max(getattr(e, "lineno", None) or 1, 1), n)
            entry.error = (lineno, max((getattr(e, "offset", None) or 1) - 1, 0), getattr(e, "msg", str(e)))
            code = "\n" * n
        else:
            if not first_code:  # `from __future__` is legal at the top of each cell, not mid-module
                code = _mask_future_imports(code, tree)
            first_code = False
        chunks.append(code)
        cells.append(entry)
        line += n
    return View("".join(chunks), cells)


def _mask_future_imports(code: str, tree: ast.Module) -> str:
    futures = [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.module == "__future__"]
    if not futures:
        return code
    lines = _LINE.findall(code)
    for s in futures:
        for k in range(s.lineno - 1, s.end_lineno):
            ending = lines[k][len(lines[k].rstrip("\r\n")) :]
            lines[k] = ("import __future__" if k == s.lineno - 1 else "") + ending
    return "".join(lines)


class Masked(NamedTuple):
    """A cell's code with each IPython line replaced by a Python line: line count and every unmasked character
    stay where they were."""

    code: str
    names: set[str]  # the names the IPython lines mention
    lines: set[int]  # the masked lines' numbers


def mask(source: str) -> Optional[Masked]:
    """The cell's code masked; None for a cell in another language."""
    lines = _LINE.findall(source)
    names: set[str] = set()
    masked: set[int] = set()
    start = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    m = _CELL_MAGIC.match(lines[start]) if lines else None
    if m:
        if m.group(1) not in PYTHON_CELL_MAGICS:
            return None
        lines[start] = _masked_line(lines[start], "", m.end(), names)
        masked.add(start + 1)
        start += 1
    scanner = _Scanner()
    i = start
    while i < len(lines):
        line = lines[i]
        if scanner.at_statement_start():
            replacement = _mask_line(line, scanner, names)
            if replacement is not None:
                lines[i] = replacement
                masked.add(i + 1)
                while line.rstrip("\r\n").endswith("\\") and i + 1 < len(lines):  # a magic continues
                    i += 1
                    line = lines[i]
                    names.update(_names(line))
                    lines[i] = line[len(line.rstrip("\r\n")) :]
                    masked.add(i + 1)
                i += 1
                continue
        scanner.feed(line)
        i += 1
    return Masked("".join(lines), names, masked)


def _mask_line(line: str, scanner: _Scanner, names: set) -> Optional[str]:
    """The Python line an IPython line at a statement start becomes, or None for a Python line."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if not stripped.strip() or stripped.startswith("#"):
        return None
    if stripped[0] in "%!?/;,":
        return _masked_line(line, "", len(indent) + _ESCAPE_MAGIC.match(stripped).end(), names)
    m = _ASSIGNED_MAGIC.fullmatch(stripped.rstrip("\r\n"))
    if m and not stripped.startswith(("if ", "elif ", "while ", "assert ", "return ")):
        target = indent + m.group(1)
        escape = _ESCAPE_MAGIC.match(m.group(2))
        return _masked_line(line, target, len(target) + escape.end(), names)
    code = scanner.code_of(line)
    if code.rstrip().endswith("?"):  # obj? and obj?? ask for help
        return _masked_line(line, "", len(indent), names)
    m = _AUTOMAGIC.match(stripped)
    if m and m.group(1) in AUTOMAGICS and not _parses(stripped):
        return _masked_line(line, "", len(indent) + len(m.group(1)), names)
    return None


def _masked_line(line: str, prefix: str, rest_at: int, names: set) -> str:
    body = line.rstrip("\r\n")
    mentioned = _names(body[rest_at:])
    names.update(mentioned)
    indent = line[: len(line) - len(line.lstrip())] if not prefix else ""
    return f"{indent}{prefix}{MASK_CALL}({', '.join(mentioned)}){line[len(body) :]}"


def _names(text: str) -> list[str]:
    seen = []
    for name in _IDENTIFIER.findall(text):
        if not keyword.iskeyword(name) and name not in seen:
            seen.append(name)
    return seen


def cell_parses(source: str) -> bool:
    """Whether a cell's source parses as IPython would take it (magics masked; another language: yes)."""
    masked = mask(source)
    return masked is None or _parses(masked.code)


def _parses(code: str) -> bool:
    try:
        parse_python(code)
        return True
    except (SyntaxError, ValueError):
        return False


class _Scanner:
    """Just enough of Python's tokenizer to tell where statements start: open brackets, strings (triple-quoted
    ones across lines), backslash continuations and comments."""

    def __init__(self):
        self.depth = 0
        self.quote = ""
        self.continued = False

    def at_statement_start(self) -> bool:
        return not (self.depth or self.quote or self.continued)

    def feed(self, line: str) -> None:
        self.continued = False
        code = self._scan(line)
        if not self.quote:
            self.continued = code.rstrip("\r\n").endswith("\\")

    def code_of(self, line: str) -> str:
        """The line without its comment (the scanner's state is left as it was)."""
        saved = (self.depth, self.quote, self.continued)
        code = self._scan(line)
        self.depth, self.quote, self.continued = saved
        return code.rstrip("\r\n")

    def _scan(self, line: str) -> str:
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if self.quote:
                if c == "\\":
                    i += 2
                elif line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = ""
                else:
                    i += 1
                continue
            if c == "#":
                return line[:i]
            if c in "'\"":
                self.quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else c
                i += len(self.quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(self.depth - 1, 0)
            i += 1
        if len(self.quote) == 1:  # a one-line string left open: a syntax error the parser will report
            self.quote = ""
        return line


# --- findings: from module lines to cells ----------------------------------------------------------------


def cell_map(nb: Notebook, v: View) -> list:
    """What turns module positions into cell positions, JSON-able (it is cached with the file's findings):
    per checked cell [number, first module line, lines, masked lines, the file line of each of its lines]."""
    cells = {c.number: c for c in nb.cells}
    return [
        [
            c.number,
            c.start,
            c.lines,
            sorted(c.masked_lines),
            [nb.file_line(cells[c.number], k) for k in range(1, c.lines + 1)],
        ]
        for c in v.cells
    ]


def cell_line(cells: list, line: int) -> Optional[tuple[int, int]]:
    """(cell number, line in that cell) of a module line, by a ``cell_map``; None outside every cell."""
    i = bisect.bisect_right([c[1] for c in cells], line) - 1
    if i < 0 or line >= cells[i][1] + cells[i][2]:
        return None
    return cells[i][0], line - cells[i][1] + 1


def where(path: str, line: int, cells: Optional[list]) -> str:
    """``path:line`` as a message names a place, ``path:cell N:line`` in a notebook."""
    at = cell_line(cells, line) if cells else None
    return f"{path}:cell {at[0]}:{at[1]}" if at else f"{path}:{line}"


def to_cells(findings: list, cells: list) -> None:
    """Give each finding of a notebook its cell, with its position and its fix's edits relative to that cell.
    A fix that reaches outside its cell or into a masked IPython line is dropped: no fix crosses a cell."""
    starts = [c[1] for c in cells]
    for f in findings:
        i = bisect.bisect_right(starts, f.line) - 1
        if f.cell is not None or i < 0:
            continue
        number, start, n, masked, file_lines = cells[i]
        shift = start - 1
        f.cell, f.line, f.end_line = number, f.line - shift, f.end_line - shift
        f.file_lines = (file_lines[min(f.line, n) - 1], file_lines[min(f.end_line, n) - 1])
        if f.fix is not None:
            f.fix = cell_fix(f.fix, shift, n, masked)


def cell_fix(fix, shift: int, lines: int, masked) -> Optional[object]:
    """The fix with its edits moved ``shift`` lines up into a cell of ``lines`` lines; None if it leaves it."""
    from memlint.findings import Edit, Fix

    edits = []
    for e in fix.edits:
        line, end = e.line - shift, e.end_line - shift
        inside = line >= 1 and (end <= lines or end == lines + 1 and e.end_column == 1)
        if not inside or any(k in masked for k in range(line, end + 1)):
            return None
        edits.append(Edit(line, e.column, end, e.end_column, e.content))
    return Fix(fix.applicability, fix.message, tuple(edits))


# Rules whose safe fix rests on the flagged call alone (its literal arguments, `np` being NumPy): the same
# in any cell, run in any order.
CALL_LOCAL_RULES = frozenset({"MEM014", "MEM017"})


def confine_fixes(findings: list, v: View) -> None:
    """Cells run in any order and any number of times, and their globals outlive them: a proof that spans
    cells ("not used afterwards", "no alias") does not hold. A safe fix in a notebook stays safe when its
    evidence is inside one cell: it is in a function or class (whose locals no other cell sees), or every
    name its top-level statement uses is used by no other cell and by no function, lambda or class anywhere
    (they run whenever called). Otherwise it becomes unsafe; the fix's message says which name is shared."""
    from memlint.findings import SAFE, UNSAFE, Fix

    todo = [f for f in findings if f.fix and f.fix.applicability == SAFE and f.code not in CALL_LOCAL_RULES]
    if not todo:
        return
    body = parse_python(v.text).body
    starts = [min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", ())]) for s in body]
    imported, bound = set(), set()
    uses, nested = [], []  # per top-level statement: names it uses; names its functions and classes use
    for stmt in body:
        names, inner = set(), set()
        _names_of(stmt, names, inner, imported, bound)
        uses.append(names)
        nested.append(inner)
    cell_of = [v.locate(s) for s in starts]
    masked_by_cell = {c.number: c.masked for c in v.cells}
    for f in todo:
        i = bisect.bisect_right(starts, f.line) - 1
        if i < 0 or isinstance(body[i], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        here = cell_of[i].number if cell_of[i] else None
        elsewhere = set()
        for j, names in enumerate(uses):
            if j != i:
                elsewhere |= nested[j] | (names if cell_of[j] is None or cell_of[j].number != here else set())
        for number, names in masked_by_cell.items():
            if number != here:
                elsewhere |= names
        shared = sorted((uses[i] & bound - imported) & elsewhere)
        if shared:
            note = f" (unsafe in a notebook: `{shared[0]}` is also used {_where(shared[0], uses, nested, cell_of, i)})"
            f.fix = Fix(UNSAFE, f.fix.message + note, f.fix.edits)


def _where(name: str, uses: list, nested: list, cell_of: list, i: int) -> str:
    for j, names in enumerate(uses):
        if j != i and name in nested[j]:
            return "in a function or class"
        if j != i and name in names and cell_of[j] and cell_of[j] is not cell_of[i]:
            return f"in cell {cell_of[j].number}"
    return "by a magic in another cell"


def _names_of(stmt: ast.stmt, names: set, inner: set, imported: set, bound: set) -> None:
    """Collect the names a top-level statement uses (``names``), those its functions, lambdas and classes use
    (``inner``, also in ``names``), the names it binds and the names it imports."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name):
            names.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                bound.add(node.name)
            inner.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
