"""``--fix`` and ``--diff`` end to end: read each file with something to fix, apply its fixes in rounds,
check that the result parses, and write it back atomically the way it was (or show the diff).

The command line only calls ``fix_files``. Every file is fixed from the bytes that were checked, through
its document: a Python file's ``files.SourceFile`` (bytes -> text with ``decode``, text -> bytes with
``encode``), a notebook's ``notebook.Notebook`` (its cells' sources, written back into its JSON); both
are written by ``replace_if_unchanged``, with the same guarantees (README, "Fix safety").
"""

from __future__ import annotations

import ast
import bisect
import difflib
import os
import re
import stat
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Optional

from memlint import engine, files, notebook
from memlint.checks import enabled_rules
from memlint.filters import FindingFilter
from memlint.findings import SAFE, UNSAFE, Edit, Finding
from memlint.results import RunResult
from memlint.source import SourceText, split_lines

if TYPE_CHECKING:
    from memlint.facts.functions import FunctionIndex

MAX_FIX_ROUNDS = 100  # a round fixes one finding per function: a file may need many
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class FixOutcome:
    fixed: int = 0  # findings fixed (with write=False: that would be)
    diffs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_file: dict[str, Counter] = field(default_factory=dict)  # display path -> fixes applied per rule code
    warnings: list[str] = field(default_factory=list)


def fix_files(result: RunResult, config, write: bool, findings_filter: Optional[FindingFilter] = None) -> FixOutcome:
    """Fix every file of a run that has applicable fixes; with ``write`` False, collect their diffs instead.

    ``result`` must come from ``engine.run(..., keep_sources=True)``: fixes are computed on the bytes that were
    checked, and written only onto those same bytes (see ``replace_if_unchanged``).
    """
    by_file = defaultdict(list)
    for f in result.findings:
        if applicable(f, config.for_path(result.paths[f.path]).unsafe_fixes):
            by_file[f.path].append(f)
    fixer = _FileFixer(write, findings_filter or FindingFilter(config), result.functions)
    for display, first_round in sorted(by_file.items()):
        path = result.paths[display]  # each file is fixed under the configuration that governs it
        fixer.fix(files.SourceFile(path, display, result.sources[display]), first_round, config.for_path(path))
    return fixer.outcome


@dataclass
class _FileFixer:
    """What the files of one ``--fix`` or ``--diff`` run share: whether to write, the report's filter (later
    rounds judge findings as the report does), the project's function summaries, and the outcome so far."""

    write: bool
    findings_filter: FindingFilter
    functions: Optional[FunctionIndex]
    outcome: FixOutcome = field(default_factory=FixOutcome)

    def fix(self, source: files.SourceFile, first_round: list, config) -> None:
        out = self.outcome
        is_notebook = notebook.is_notebook(source.path)
        codes: Counter = Counter()  # fixes applied per rule code
        try:
            if is_notebook:
                new, n, errors, diff = fix_notebook(
                    source.display,
                    source.data,
                    config,
                    config.unsafe_fixes,
                    first_round,
                    self.findings_filter,
                    self.functions,
                    fixed_codes=codes,
                )
            else:
                text = source.decode()
                new_text, n, errors = fix_text(
                    source.display,
                    text,
                    config,
                    config.unsafe_fixes,
                    first_round,
                    source.path,
                    self.findings_filter,
                    fixed_codes=codes,
                    functions=self.functions,
                )
        except files.InputError as e:
            out.errors.append(str(e))
            return
        except Exception as e:  # a bug in one rule's fix must not stop the other files' fixes
            rules = ",".join(sorted({f.code for f in first_round}))
            out.errors.append(f"{source.display}: internal error while fixing ({rules}): {type(e).__name__}: {e}")
            return
        out.errors += errors
        if not is_notebook:
            if new_text == text or not parses(new_text):
                return
            diff = unified_diff(source.display, text, new_text)
            try:
                new = source.encode(new_text)
            except UnicodeEncodeError as e:
                out.errors.append(f"{source.display}: cannot write the fixed file: {e}")
                return
        if new == source.data:
            return
        if not self.write:
            out.diffs.append(diff)
            out.fixed += n
            out.by_file[source.display] = codes
            return
        self._write(source, new, n, codes)

    def _write(self, source: files.SourceFile, data: bytes, fixes: int, codes: Counter) -> None:
        """Replace the file's checked bytes with ``data`` (see ``replace_if_unchanged``), saying what happened."""
        out, display = self.outcome, source.display
        try:
            written = replace_if_unchanged(source.path, source.data, data)
        except NotFixed as e:
            out.errors.append(f"{display}: not fixed: {e}")
            return
        except OSError as e:
            out.errors.append(f"{display}: cannot write the fixed file: {e.strerror or e}")
            return
        if written == CHANGED:
            out.warnings.append(f"{display}: changed since memlint read it; not fixed (run memlint again)")
        elif written == WRITTEN:
            out.fixed += fixes
            out.by_file[display] = codes
        # ALREADY_FIXED: another run wrote the same fix meanwhile; nothing to do or say


# --- fix rounds -------------------------------------------------------------------------------------------


def applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and finding.fix.applicability in ((SAFE, UNSAFE) if unsafe else (SAFE,))


def _one_per_scope(text: str, candidates: list, parse=ast.parse, line_of=lambda f: f.fix.edits[0].line) -> list:
    """The first fix in each top-level function or class, and in the module's own code. ``line_of``: a fix's
    first line in ``text`` (a notebook's fixes are in their cells' lines)."""
    body = parse(text).body
    starts = [min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())]) for stmt in body]
    chosen: dict = {}
    for f in sorted(candidates, key=lambda f: (line_of(f), f.fix.edits[0].column)):
        i = bisect.bisect_right(starts, line_of(f)) - 1
        scoped = i >= 0 and isinstance(body[i], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        chosen.setdefault(i if scoped else "module", f)
    return list(chosen.values())


class FixedText(NamedTuple):
    """What ``fix_text`` made of a file's text."""

    text: str
    applied: int  # how many fixes
    errors: list[str]  # the fixes that would not parse, left unapplied


class FixedNotebook(NamedTuple):
    """What ``fix_notebook`` made of a notebook."""

    data: bytes  # the whole new file
    applied: int
    errors: list[str]
    diff: str  # the changed cells' sources, as a unified diff


def fix_text(
    display: str,
    text: str,
    config,
    unsafe: bool,
    first_round: list,
    path: Optional[Path] = None,
    findings_filter: Optional[FindingFilter] = None,
    fixed_codes: Optional[Counter] = None,
    functions=None,
) -> FixedText:
    """Apply fixes until none is left; ``fixed_codes``, if given, counts
    the fixes applied per rule code; ``functions``: the project's function summaries (``FunctionIndex``) the
    first round was judged with, for the later rounds.

    Each rule judged its fix on the text it saw, and two fixes that are safe alone may not be safe together
    (the facts layer reasons per function). So a round applies at most one fix per scope, and the rest are
    judged again on the new text, through the same filters as the report. A fix whose result does not parse
    is dropped and reported; the file is never left broken.
    """
    findings_filter = findings_filter or FindingFilter(config)
    rules = [r for r in enabled_rules(config) if not r.is_project_rule]
    applied_total = 0
    errors: list[str] = []
    rejected: set = set()  # fixes that would not parse, by (code, snippet): never retried

    def fixable(findings):
        return [f for f in findings if applicable(f, unsafe) and (f.code, f.snippet) not in rejected]

    candidates = fixable(first_round)
    for _ in range(MAX_FIX_ROUNDS):
        if not candidates:
            break
        candidates = _one_per_scope(text, candidates)
        new, applied, refused = _apply_round(text, candidates, parses)
        for f in refused:
            rejected.add((f.code, f.snippet))
            errors.append(f"{display}:{f.line}: the {f.code} fix would not parse; left unapplied")
        text = new
        applied_total += len(applied)
        if fixed_codes is not None:
            fixed_codes.update(candidates[i].code for i in applied)
        checked = engine.lint_text(display, text, config, rules, path, functions=functions)
        candidates = fixable(findings_filter.apply(checked.findings, {display: checked.suppressions}))
    return FixedText(text, applied_total, errors)


def fix_notebook(
    display: str,
    data: bytes,
    config,
    unsafe: bool,
    first_round: list,
    findings_filter: Optional[FindingFilter] = None,
    functions=None,
    fixed_codes: Optional[Counter] = None,
) -> FixedNotebook:
    """``fix_text`` for a notebook, whose diff names cells and their lines.

    Findings come with their cell (``run`` gives them), and each fix is applied to its own cell's source:
    none crosses a cell boundary, and a cell whose new source would not parse keeps its old one. Rounds go
    as in ``fix_text``, with the cells' shared top level as one scope. Only the changed sources' JSON
    strings are rewritten (``Notebook.dumps``).
    """
    findings_filter = findings_filter or FindingFilter(config)
    nb = notebook.Notebook.parse(data, display)
    rules = [r for r in enabled_rules(config) if not r.is_project_rule]
    sources = {c.number: c.source for c in nb.cells}
    applied_total = 0
    errors: list[str] = []
    rejected: set = set()

    def fixable(findings):
        return [f for f in findings if f.cell and applicable(f, unsafe) and (f.code, f.snippet) not in rejected]

    candidates = fixable(first_round)
    for _ in range(MAX_FIX_ROUNDS):
        if not candidates:
            break
        view = notebook.view(nb.with_sources(sources))
        start = {c.number: c.start for c in view.cells}
        candidates = _one_per_scope(
            view.text,
            [f for f in candidates if f.cell in start],
            parse=notebook.parse_python,
            line_of=lambda f, start=start: start[f.cell] + f.fix.edits[0].line - 1,
        )
        by_cell: dict = {}
        for f in candidates:
            by_cell.setdefault(f.cell, []).append(f)
        for number, fixes in by_cell.items():
            new, applied, refused = _apply_round(sources[number], fixes, notebook.cell_parses)
            for f in refused:
                rejected.add((f.code, f.snippet))
                errors.append(f"{display}:cell {number}:{f.line}: the {f.code} fix would not parse; left unapplied")
            sources[number] = new
            applied_total += len(applied)
            if fixed_codes is not None:
                fixed_codes.update(fixes[i].code for i in applied)
        checked = engine.lint_cells(display, nb.with_sources(sources), config, rules, functions)
        found = findings_filter.apply(checked.findings, {display: checked.suppressions})
        notebook.to_cells(found, checked.cells or [])
        candidates = fixable(found)
    diff = "".join(
        unified_diff(f"{display}:cell {c.number}", c.source, sources[c.number])
        for c in nb.cells
        if sources[c.number] != c.source
    )
    return FixedNotebook(nb.dumps(sources), applied_total, errors, diff)


def _apply_round(text: str, fixes: list, parses_ok) -> tuple[str, set[int], list]:
    """Apply one round's ``fixes`` (each an edit set) to ``text``; returns the new text, the indexes of the fixes
    applied, and the fixes refused. If the whole round does not parse (``parses_ok``), each fix is tried
    alone on this round's text: the ones that parse go ahead, the others are refused."""
    newline = newline_of(text)
    new, applied = apply_edits(text, ((i, e) for i, f in enumerate(fixes) for e in f.fix.edits), newline)
    if parses_ok(new):
        return new, applied, []
    good, refused = [], []
    for i, f in enumerate(fixes):
        attempt, ok = apply_edits(text, ((i, e) for e in f.fix.edits), newline)
        if ok and parses_ok(attempt):
            good.append((i, f))
        else:
            refused.append(f)
    new, applied = apply_edits(text, ((i, e) for i, f in good for e in f.fix.edits), newline)
    if not parses_ok(new):
        return text, set(), refused
    return new, applied, refused


def apply_edits(text: str, edits: Iterable[tuple[int, Edit]], newline: str) -> tuple[str, set[int]]:
    """Apply the edits that do not overlap an earlier one; returns the text and the ids applied.

    ``edits`` pairs each edit with the id of its fix: a fix is applied whole or not at all.
    """
    source = SourceText(text)
    by_fix: dict[int, list[tuple[int, int, str]]] = {}
    for fix_id, e in edits:
        start = source.offset(e.line, e.column - 1)
        end = source.offset(e.end_line, e.end_column - 1)
        by_fix.setdefault(fix_id, []).append((start, end, _NEWLINE.sub(newline, e.content)))
    taken: list[tuple[int, int]] = []
    applied: set[int] = set()
    chosen = []
    for fix_id, spans in sorted(by_fix.items(), key=lambda kv: min(s for s, _, _ in kv[1])):
        if any(s < te and ts < e or s == e == ts == te for s, e, _ in spans for ts, te in taken):
            continue  # overlaps: left for the next round, on the rewritten text
        taken += [(s, e) for s, e, _ in spans]
        chosen += spans
        applied.add(fix_id)
    for start, end, content in sorted(chosen, key=lambda t: (t[0], t[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


def newline_of(text: str) -> str:
    """The file's line ending, from its first line: LF, CRLF or (old Mac) CR."""
    m = _NEWLINE.search(text)
    return m.group() if m else "\n"


# --- diffs and writes -------------------------------------------------------------------------------------


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git diff``-style patch that ``patch -p1`` and ``git apply`` accept."""
    lines = []
    for line in difflib.unified_diff(split_lines(before), split_lines(after), f"a/{path}", f"b/{path}"):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


WRITTEN, ALREADY_FIXED, CHANGED = "written", "already fixed", "changed"


class NotFixed(Exception):
    """A file memlint will not replace; the message says why."""


def replace_if_unchanged(path: Path, expected: bytes, data: bytes) -> str:
    """Replace a file's bytes ``expected`` with ``data`` in one rename, keeping owner, group and mode.

    Returns WRITTEN; ALREADY_FIXED if the file holds ``data`` already (a concurrent run fixed it) and CHANGED
    if it holds anything else (an editor saved it meanwhile): then nothing is written. The content is
    compared once more right before the rename, which is as close as a rename lets a check come to it.
    Raises NotFixed for a read-only file (no write bit: root could write it, but it is not meant to be), a
    file with several hard links (a rename would split them; rewriting in place cannot be atomic), and a
    file whose owner or group cannot be kept. A symbolic link is followed: the file it points to is
    rewritten and the link stays a link.
    """
    path = Path(os.path.realpath(path))
    st = os.stat(path)
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o222 or not os.access(path, os.W_OK):  # os.access alone is always true for root
        raise PermissionError(13, "Permission denied (the file is read-only)", str(path))
    if st.st_nlink > 1:
        raise NotFixed(f"it has {st.st_nlink} hard links, and replacing it would split them (fix it by hand)")
    current = path.read_bytes()
    if current != expected:
        return ALREADY_FIXED if current == data else CHANGED
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".memlint", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        made = os.stat(tmp)
        if (made.st_uid, made.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except PermissionError:
                raise NotFixed("its owner or group cannot be kept (memlint runs as another user)") from None
        os.chmod(tmp, mode)  # after chown, which may clear set-id bits
        current = path.read_bytes()
        if current != expected:
            os.unlink(tmp)
            return ALREADY_FIXED if current == data else CHANGED
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)
    return WRITTEN


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (a crash right after it must not bring the old file back)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
