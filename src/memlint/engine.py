"""The pipeline: paths -> files -> facts -> findings -> filters (``filters.py``). Fixing is ``fix.py``.

Each file is parsed once with the stdlib ``ast``; every enabled rule runs on that one tree and the facts
built from it. Rules that need other files' evidence add a second, project-wide step over JSON-able facts
collected per file.
"""

from __future__ import annotations

import ast
import gc
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from memlint import files as files_mod
from memlint import notebook
from memlint.cache import Cache
from memlint.checks import Rule, enabled_rules
from memlint.context import FileContext
from memlint.facts import calls
from memlint.facts.imports import module_name_of
from memlint.filters import FindingFilter
from memlint.findings import PARSE_ERROR, Finding
from memlint.results import FileResult, RunResult
from memlint.source import SourceText
from memlint.suppress import Suppressions, fingerprint

if TYPE_CHECKING:
    from memlint.config import Config


def lint_text(
    display: str,
    text: str,
    config,
    rules: list[Rule],
    path: Optional[Path] = None,
    parse=ast.parse,
    functions=None,
    cells: Optional[list] = None,
) -> FileResult:
    """Check one file's text: every finding of ``rules`` and the file's suppression comments, unfiltered
    (``filters.py`` decides what is shown). Never raises for bad input: problems become findings or errors.
    ``parse``: how the text becomes a tree (a notebook's allows top-level ``await``). ``functions``: the
    project's ``FunctionIndex`` (summaries of the other files' functions), if known."""
    result = FileResult(display)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = parse(text, filename=display)
    except SyntaxError as e:
        source = SourceText(text)
        line = min(max(e.lineno or 1, 1), max(len(source.lines), 1))
        col = max((e.offset or 1) - 1, 0)
        result.findings.append(
            Finding(PARSE_ERROR, f"SyntaxError: {e.msg}", display, line, col + 1, line, col + 1, snippet=e.msg)
        )
        _fingerprint(result.findings)
        return result
    except (ValueError, RecursionError, MemoryError) as e:  # e.g. source too deeply nested
        result.errors.append(f"{display}: cannot parse: {e}")
        return result
    module = _module_name(path)
    is_package = module != "" and path.stem == "__init__"

    def context() -> FileContext:
        ctx = FileContext(display, SourceText(text), tree, config, module, is_package)
        ctx.project_functions = functions
        ctx.cells = cells
        return ctx

    ctx = context()
    if not _run_rules(ctx, rules, result, first=True):  # an expression too deep for the rules' recursion
        ctx.release()
        result = FileResult(display)
        result.warnings = [
            f"{display}:{line}: an expression nested more than {MAX_NESTING} levels deep: this statement is not checked"
            for line in _prune_deep_expressions(tree)
        ]
        ctx = context()
        _run_rules(ctx, rules, result, first=False)
    result.suppressions = Suppressions.from_source(text, ctx.nodes(ast.Constant, ast.JoinedStr))
    result.findings = ctx.findings
    if module:  # a notebook is no module other files import
        _function_facts(ctx, result)
    ctx.release()
    _fingerprint(result.findings)
    return result


def _function_facts(ctx, result: FileResult) -> None:
    """What the project's other files may ask of this one, and what this one asked of them."""
    from memlint.facts import functions

    try:
        result.calls = functions.called_names(ctx)
        if ctx.imports.imports_any({"numpy", "pandas"}):
            result.functions = functions.file_summaries(ctx)
    except RecursionError:
        result.warnings.append(f"{ctx.path}: its functions are too deeply nested to summarize")
    index = ctx.project_functions
    if index is not None:
        result.used_functions = index.used(result.calls)


def _module_name(path: Optional[Path], packages: Optional[dict] = None) -> str:
    """A notebook is no importable module: it is named nothing, as code given without a path is."""
    return "" if path is None or notebook.is_notebook(path) else module_name_of(path, packages)


def lint_notebook(display: str, data: bytes, config, rules: list[Rule], functions=None) -> FileResult:
    """Check a notebook as the module its code cells make (see ``notebook``). Findings stay in that module's
    lines (as the project-wide rules and suppressions see them) until ``run`` gives them their cells."""
    try:
        nb = notebook.Notebook.parse(data, display)
    except files_mod.InputError as e:
        return FileResult(display, errors=[str(e)])
    return lint_cells(display, nb, config, rules, functions)


def lint_cells(display: str, nb, config, rules: list[Rule], functions=None) -> FileResult:
    view = notebook.view(nb)
    cells = notebook.cell_map(nb, view)
    result = lint_text(display, view.text, config, rules, parse=notebook.parse_python, functions=functions, cells=cells)
    for cell in view.cells:
        if cell.error:
            line, col, msg = cell.error
            line += cell.start - 1
            result.findings.append(
                Finding(PARSE_ERROR, f"SyntaxError: {msg}", display, line, col + 1, line, col + 1, snippet=msg)
            )
    _fingerprint(result.findings)
    notebook.confine_fixes(result.findings, view)
    result.cells = cells
    return result


def check_text(path: Path, text: str, config, project: Optional[dict] = None) -> tuple[list, list]:
    """(findings, errors) for ``text`` as the contents of ``path`` (an editor's unsaved text, standard input),
    filtered as a run filters them. ``project`` (display path -> FileResult of the project's files) gives
    the project-wide rules the other files' facts, and takes this text's facts in place of the file's."""
    display = files_mod.display_path(path)
    rules = enabled_rules(config)
    return _document_findings(display, lint_text(display, text, config, rules, path), config, rules, project)


def check_cells(path: Path, nb, config, project: Optional[dict] = None) -> tuple[list, list]:
    """``check_text`` for a notebook's cells (``notebook.Notebook``): each finding with its cell."""
    display = files_mod.display_path(path)
    rules = enabled_rules(config)
    result = lint_cells(display, nb, config, rules)
    findings, errors = _document_findings(display, result, config, rules, project)
    notebook.to_cells(findings, result.cells or [])
    return sorted(findings, key=Finding.sort_key), errors


def _document_findings(display: str, result: FileResult, config, rules: list[Rule], project) -> tuple[list, list]:
    findings, errors = list(result.findings), list(result.errors)
    if any(r.is_project_rule for r in rules):
        others = [r for d, r in (project or {}).items() if d != display]
        more, more_errors = project_findings([*others, result], config, rules)
        findings += [f for f in more if f.path == display]
        errors += more_errors
        if project is not None:
            result.findings = []  # only the facts are kept: findings are rebuilt for each document
            project[display] = result
    findings.sort(key=Finding.sort_key)
    return FindingFilter(config).apply(findings, {display: result.suppressions}), errors


def _run_rules(ctx: FileContext, rules: list[Rule], result: FileResult, first: bool) -> bool:
    """Run every enabled rule on the file. The first time, False as soon as one runs out of recursion; the
    second time (the deep expressions cut), such a rule is skipped with a warning."""
    # Arrays also come from the calls of the data model (cv2.imread, keras datasets...): NumPy's rules run there.
    array_modules = calls.top_level_modules(getattr(ctx.config, "calls", {}))
    for rule in rules:
        # Project-wide rules collect every file's facts (the filter stage drops what this file ignores).
        if not rule.is_project_rule and not ctx.config.enabled(rule.code, ctx.path):
            continue
        required = rule.requires_imports | array_modules if "numpy" in rule.requires_imports else rule.requires_imports
        ctx.rule_code = rule.code
        try:
            if required and not ctx.imports.imports_any(required):
                continue
            rule.check(ctx)
            if rule.is_project_rule:
                result.project_facts[rule.code] = rule.collect(ctx)
        except RecursionError:
            if first:
                return False
            result.warnings.append(f"{ctx.path}: {rule.code} skipped this file: too deeply nested")
        except Exception as e:  # a bug in one rule must not stop the run
            result.errors.append(f"{ctx.path}: internal error in {rule.code}: {type(e).__name__}: {e}")
    return True


# How deep an expression the rules are trusted to recurse through: each level costs a rule a few Python frames,
# and Python allows 1,000. Python itself runs deeper ones (a 2,000-term sum of generated code): those are cut.
MAX_NESTING = 100


def _prune_deep_expressions(tree: ast.AST) -> list[int]:
    """Replace each expression that nests deeper than ``MAX_NESTING``, whole, by an unknown name at the same
    place (rules know nothing of it, so they say nothing of it); the lines of the statements concerned."""
    lines = set()
    todo = [(tree, 0)]  # nodes that are no expression, with the line of their statement
    while todo:
        node, line = todo.pop()
        line = getattr(node, "lineno", line) if isinstance(node, ast.stmt) else line
        for name, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for i, child in enumerate(children):
                if isinstance(child, ast.expr):
                    if _nests_deeper(child, MAX_NESTING):
                        unknown = ast.Name(id="__memlint_not_checked__", ctx=getattr(child, "ctx", ast.Load()))
                        ast.copy_location(unknown, child)
                        if isinstance(value, list):
                            value[i] = unknown
                        else:
                            setattr(node, name, unknown)
                        lines.add(line)
                elif isinstance(child, ast.AST):
                    todo.append((child, line))
    return sorted(lines)


def _nests_deeper(expr: ast.expr, limit: int) -> bool:
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return False


def _fingerprint(findings: list) -> None:
    for f in findings:  # a rule's findings have theirs (FileContext.report); a syntax error's is made here
        if not f.fingerprint:
            f.fingerprint = fingerprint(f.code, f.path, f.snippet)


def check_file(
    path: Path, config, rules: list[Rule], cache=None, functions=None, keep_source: bool = False
) -> FileResult:
    """Check one file under the configuration that governs it (``Config.for_path``): its own rules and
    options, with the run's project-wide rules collecting its facts for the whole project."""
    governing = config.for_path(path)
    if governing is not config:
        own = [r for r in enabled_rules(governing) if not r.is_project_rule]
        rules = own + [r for r in rules if r.is_project_rule]
        config = governing
    try:
        source = files_mod.read(path)
        if notebook.is_notebook(path):
            result = lint_notebook(source.display, source.data, config, rules, functions)
        else:
            result = lint_text(source.display, source.decode(), config, rules, path, functions=functions)
    except files_mod.InputError as e:
        return FileResult(files_mod.display_path(path), errors=[str(e)])
    if cache is not None:
        cache.store(path, source.display, _module_name(path), source.data, result, _config_key(config))
    if keep_source:
        result.data = source.data
    return result


def _config_key(config) -> str:
    """A nearer configuration's part of a file's cache entry (the run's own is in the cache's run key)."""
    return config.fingerprint() if config.source is not None and not config.discover else ""


class Project:
    """What a project-wide rule sees: every checked file's facts for that rule, and ``report``."""

    def __init__(self, code: str, facts: dict[str, Any], config: Config, cells: Optional[dict] = None):
        self.code = code
        self.facts = facts  # display path -> facts collected from that file
        self.config = config
        self.cells = cells or {}  # display path -> a notebook's cell map
        self.findings: list[Finding] = []

    def where(self, path: str, line: int) -> str:
        """A place in the project as a message names it: ``path:line``, ``path:cell N:line`` in a notebook."""
        return notebook.where(path, line, self.cells.get(path))

    def report(self, finding: Finding) -> None:
        finding.fingerprint = fingerprint(finding.code, finding.path, finding.snippet)
        self.findings.append(finding)


def project_findings(results: list[FileResult], config, rules: list[Rule]) -> tuple[list, list]:
    findings, errors = [], []
    for rule in rules:
        if not rule.is_project_rule:
            continue
        facts = {r.path: r.project_facts[rule.code] for r in results if rule.code in r.project_facts}
        project = Project(rule.code, facts, config, {r.path: r.cells for r in results if r.cells is not None})
        try:
            rule.check_project(project)
        except Exception as e:
            errors.append(f"internal error in {rule.code} (project-wide): {type(e).__name__}: {e}")
        findings += project.findings
    return findings, errors


def run(
    paths: list[Path],
    config,
    jobs: Optional[int] = None,
    use_cache: bool = True,
    findings_filter: Optional[FindingFilter] = None,
    progress: Optional[Callable] = None,
    keep_sources: bool = False,
) -> RunResult:
    """Check every file under ``paths``: cached results where nothing changed, the rest in ``jobs`` worker
    processes (default: one per core), then the project-wide rules over every file's facts; then the filters
    (by default selection and suppressions, no baseline).

    ``progress(done, total)`` is called after each file that is checked (not taken from the cache).
    ``keep_sources``: keep the bytes each file was checked as (``RunResult.sources``), which is what ``--fix``
    may write onto, and nothing else."""
    rules = enabled_rules(config)
    paths_found, errors = files_mod.discover(paths, config)
    cache = None
    if use_cache and paths_found:
        cache = Cache.open(config, [r.code for r in rules])
    results: list = [None] * len(paths_found)
    todo = []
    packages: dict = {}  # folder -> package, asked once per folder
    for i, path in enumerate(paths_found):
        if cache is not None:
            results[i] = cache.load(
                path,
                files_mod.display_path(path),
                _module_name(path, packages),
                _config_key(config.for_path(path)),
                keep_sources,
            )
        if results[i] is None:
            todo.append(i)
    checked = _check_all([paths_found[i] for i in todo], config, rules, cache, jobs, keep_sources)
    for done, (i, result) in enumerate(checked, 1):
        results[todo[i]] = result
        if progress is not None:
            progress(done, len(todo))
    index = _check_with_function_facts(paths_found, results, config, rules, cache, packages, keep_sources)
    findings = [f for r in results for f in r.findings]
    errors += [e for r in results for e in r.errors]
    more, more_errors = project_findings(results, config, rules)
    findings += more
    errors += more_errors
    findings.sort(key=Finding.sort_key)
    suppressions = {r.path: r.suppressions for r in results if r.suppressions is not None}
    findings = (findings_filter or FindingFilter(config)).apply(findings, suppressions)
    # Suppressions are in a notebook's module lines: its findings get their cells only once filtered.
    cells = {r.path: r.cells for r in results if r.cells is not None}
    if cells:
        for f in findings:
            if f.path in cells:
                notebook.to_cells([f], cells[f.path])
        findings.sort(key=Finding.sort_key)
    paths_by_display = {r.path: p for r, p in zip(results, paths_found)}
    not_checked = [w for r in results for w in r.warnings]
    sources = {r.path: r.data for r in results if r.data is not None}
    return RunResult(
        findings, errors, len(paths_found), paths_by_display, suppressions, index, not_checked, sources=sources
    )


def _check_with_function_facts(
    paths: list, results: list, config, rules: list[Rule], cache, packages: dict, keep: bool = False
):
    """Check again, with the project's function summaries, each file that calls a function of another file
    whose summary it was not checked with (every file is first checked alone, or loaded from the cache with
    the summaries it used then). A file's summaries are computed from its own code, so one more check of the
    callers settles it; a cached result stays valid exactly while the summaries it used are unchanged: the
    cache knows who depends on whom. Returns the index (None when no file has a summary to give)."""
    from memlint.facts.functions import FunctionIndex

    by_module = {}
    for path, result in zip(paths, results):
        module = _module_name(path, packages)
        if result.functions and module:
            by_module[module] = result.functions
    if not by_module:
        return None
    index = FunctionIndex(by_module)
    for i, result in enumerate(results):
        if index.used(result.calls) != result.used_functions:
            results[i] = _check_then_collect_garbage(paths[i], config, rules, cache, index, keep)
    return index


# --- checking many files: worker processes ----------------------------------------------------------------

# Below this much source a pool costs more than it saves (starting workers, importing numpy in each):
# a pre-commit call on a few files is checked in this process.
POOL_MIN_BYTES = 512 * 1024
_CHUNK_FILES = 4  # files per task: fewer round trips, still balanced (largest files go first)
_worker_state: tuple = ()


def _check_all(paths: list[Path], config, rules: list[Rule], cache, jobs: Optional[int], keep: bool):
    """(index in ``paths``, FileResult) for every path, in completion order.

    ``jobs`` processes check files: this one and ``jobs - 1`` workers. The workers take the largest files
    first, this process the smallest (so that it stays small and nobody is left with a big file at the
    end); results stream back a chunk at a time and no process holds more than one file's tree.
    """
    jobs = jobs or os.cpu_count() or 1
    sizes = [_size(p) for p in paths]
    if jobs == 1 or len(paths) < 2 or sum(sizes) < POOL_MIN_BYTES:
        for i, path in enumerate(paths):
            yield i, _check_then_collect_garbage(path, config, rules, cache, keep=keep)
        return
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(range(len(paths)), key=lambda i: -sizes[i])
    pending = deque(order[k : k + _CHUNK_FILES] for k in range(0, len(order), _CHUNK_FILES))
    workers = min(jobs - 1, len(pending))
    running: dict = {}  # future -> chunk
    with ProcessPoolExecutor(
        workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(config, [r.code for r in rules], cache, keep),
    ) as pool:
        while pending or running:
            while pending and len(running) < 2 * workers:  # keep the workers busy, no more
                chunk = pending.popleft()
                try:
                    running[pool.submit(_check_chunk, [paths[i] for i in chunk])] = chunk
                except BrokenProcessPool:  # no workers left: this process checks the rest itself
                    pending.appendleft(chunk)
                    workers = 0
                    break
            if pending:
                for i in pending.pop():
                    yield i, _check_then_collect_garbage(paths[i], config, rules, cache, keep=keep)
            elif running:
                wait(running, return_when=FIRST_COMPLETED)
            for future in [f for f in running if f.done()]:
                chunk = running.pop(future)
                try:
                    chunk_results = future.result()
                except BrokenProcessPool:  # a worker died (out of memory, a crash in C): name what was lost
                    workers = 0
                    chunk_results = [
                        FileResult(
                            files_mod.display_path(paths[i]),
                            errors=[f"{files_mod.display_path(paths[i])}: not checked: a worker process died"],
                        )
                        for i in chunk
                    ]
                yield from zip(chunk, chunk_results)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mp_context():
    import multiprocessing

    # fork starts a worker in milliseconds with memlint and its rules already imported; elsewhere (macOS,
    # Windows) fork is unsafe or missing and the platform's default applies.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)


def _init_worker(config, codes: list, cache, keep: bool) -> None:
    global _worker_state
    rules = {r.code: r for r in enabled_rules(config)}
    _worker_state = (config, [rules[c] for c in codes if c in rules], cache, keep)
    gc.freeze()  # what was imported stays: collections only look at what a file allocates


def _check_chunk(paths: list[Path]) -> list[FileResult]:
    config, rules, cache, keep = _worker_state
    return [_check_then_collect_garbage(p, config, rules, cache, keep=keep) for p in paths]


def _check_then_collect_garbage(path: Path, config, rules: list[Rule], cache, functions=None, keep=False) -> FileResult:
    """check_file with one cyclic garbage collection, after the file: a syntax tree is a few hundred
    thousand objects, and scanning them again and again while they are built costs a third of the parse.

    ``lint_text`` releases the file's facts, so reference counting frees its tree and the collection has
    little to do. It must still be explicit: between two files nothing allocates that would start one
    (tuples come from a free list), and any cycle a rule leaves would then stay for good (before the
    release existed, one process grew to 1.5 GiB over pandas).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return check_file(path, config, rules, cache, functions, keep)
    finally:
        if enabled:
            gc.collect(0)  # everything the file allocated is in the youngest generation
            gc.enable()
