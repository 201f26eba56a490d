"""The ``memlint`` command: options -> configuration -> run -> report; exit codes 0, 1, 2 as ruff's.

stdout carries the report and nothing else (so ``--output-format json|github|sarif|gitlab`` can be piped);
every message about the run itself (errors, warnings, "Would fix") goes to stderr, one line each.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import click

from memlint import __version__, catalog
from memlint.checks import all_rules, enabled_rules, rule_options
from memlint.config import OUTPUT_FORMATS, ConfigError, load_config
from memlint.findings import PARSE_ERROR

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes_option(value: Optional[str]) -> Optional[list]:
    if value is None:
        return None
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    known = set(all_rules()) | set(catalog.load())
    for c in codes:
        if not any(code.startswith(c) for code in known):
            raise click.BadParameter(f"unknown rule code or prefix `{c}` (see `memlint --list-rules`)")
    return codes


def _error(message: str) -> None:
    click.echo(f"memlint: error: {message}", err=True)


def _warning(message: str) -> None:
    click.echo(f"memlint: warning: {message}", err=True)


@dataclass(frozen=True)
class CheckOptions:
    """The options of `memlint check` as click parsed them (the names are the options' own)."""

    fix: bool = False
    unsafe_fixes: Optional[bool] = None  # None: as configured
    diff: bool = False
    fix_only: bool = False
    exit_non_zero_on_fix: bool = False
    show_fixes: bool = False
    add_noqa: bool = False
    select: Optional[list] = None
    extend_select: Optional[list] = None
    ignore: Optional[list] = None
    output_format: Optional[str] = None  # None: as configured
    statistics: bool = False
    exit_zero: bool = False
    quiet: bool = False
    config_file: Optional[Path] = None
    no_cache: bool = False
    jobs: Optional[int] = None
    write_baseline: Optional[Path] = None
    baseline_file: Optional[Path] = None
    stdin_filename: Optional[Path] = None


class _CheckByDefault(click.Group):
    """`memlint PATH...` is `memlint check PATH...`: any first argument that names no subcommand (an option, a
    path) goes to `check`. A folder named like a subcommand is checked as `./server`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_CheckByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Find and fix memory antipatterns in Python and NumPy code (`memlint check --help`)."""


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
# readable=False: memlint reports a file it cannot read itself (one line, the other files still checked)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option(
    "--unsafe-fixes",
    "unsafe_fixes",
    is_flag=True,
    default=None,
    help="Also offer unsafe fixes (right in the common case, not proven); with --fix, apply them.",
)
@click.option("--diff", is_flag=True, help="Print the diff of the fixes --fix would apply; write nothing.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing that is left (exit 0 unless errors).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix or --fix-only: exit 1 when anything was fixed.")
@click.option("--show-fixes", is_flag=True, help="With --fix or --fix-only: list what was fixed, per file and rule.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every line with a finding, and exit.")
@click.option(
    "--select",
    metavar="CODES",
    callback=lambda c, p, v: _codes_option(v),
    help="Rules to enable: comma-separated codes or prefixes (MEM0, MEM001).",
)
@click.option(
    "--extend-select",
    metavar="CODES",
    callback=lambda c, p, v: _codes_option(v),
    help="Rules to enable in addition to the configured ones.",
)
@click.option(
    "--ignore", metavar="CODES", callback=lambda c, p, v: _codes_option(v), help="Rules to disable (codes or prefixes)."
)
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default=None,
    help="Report format (default: concise, or output-format from the configuration); text is concise.",
)
@click.option("--statistics", is_flag=True, help="Count findings per rule, with the bytes at stake.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings and errors, nothing else.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    help="Use this configuration file instead of the nearest pyproject.toml/memlint.toml.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write .memlint_cache/.")
@click.option(
    "--jobs", "-j", metavar="N", type=click.IntRange(min=1), default=None, help="Worker processes (default: cores)."
)
@click.option("--explain", "explain_code", metavar="CODE", help="Explain a rule and exit.")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    help="Record the current findings as accepted, in FILE, and exit 0.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    help="Report only findings not recorded in FILE.",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    help="Read the source from standard input (PATH `-`) as the file PATH; with --fix, write the fixed source "
    "to standard output and the findings to standard error.",
)
@click.version_option(__version__, prog_name="memlint")
def check(paths, explain_code, list_rules, **options):
    """Find and fix memory antipatterns in Python and NumPy code.

    `memlint PATH...` is short for `memlint check PATH...`. PATHS are files and folders to check (default: the
    current folder). Folders are searched for *.py files;
    files named here are always checked. Exit status: 0 no findings (or all fixed), 1 findings remain,
    2 usage, configuration or internal error.
    """
    try:
        if explain_code:
            sys.exit(_explain(explain_code))
        if list_rules:
            _list_rules()
            return
        opts = CheckOptions(**options)
        if paths == (Path("-"),) or opts.stdin_filename is not None and not paths:
            sys.exit(_check_stdin(opts))
        if opts.stdin_filename is not None:
            _error("--stdin-filename reads standard input: give `-` as the only PATH")
            sys.exit(EXIT_ERROR)
        sys.exit(_lint(paths or (Path("."),), opts))
    except BrokenPipeError:
        raise  # the reader went away (`memlint --list-rules | head`): click ends quietly, as for --help
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(EXIT_ERROR)
    except Exception as e:  # a bug in memlint: one line, exit 2, never a traceback
        if os.environ.get("MEMLINT_DEBUG"):
            raise
        _error(f"internal error: {type(e).__name__}: {e} (please report it)")
        sys.exit(EXIT_ERROR)


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
def server() -> None:
    """Run the language server (LSP over stdio) for editors: diagnostics, quick fixes, fix-all, hover."""
    try:
        from memlint.server import main as serve
    except ImportError as e:
        _error(f"`memlint server` needs pygls 2 ({e.name or e}): pip install 'numpy-memlint[server]'")
        sys.exit(EXIT_ERROR)
    serve()


@main.command(
    # the first argument is the program; everything after it is the program's own, options included
    context_settings={
        "help_option_names": ["-h", "--help"],
        "ignore_unknown_options": True,
        "allow_interspersed_args": False,
    },
)
@click.option("-m", "module", metavar="MODULE", help="Run a module, as `python -m MODULE` does.")
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    help="The project's folder: its files are checked and measured (default: the script's folder; with -m, the current one).",
)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", help="Report format.")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Draw the memory timeline to FILE (PNG).",
)
@click.option(
    "--compare-fixes",
    is_flag=True,
    help="Apply each fix to a temporary copy of the project, run again, report the saving.",
)
@click.option("--unsafe-fixes", is_flag=True, help="With --compare-fixes, compare the unsafe fixes too.")
@click.argument("program", nargs=-1, type=click.UNPROCESSED)
def measure(module, project, output_format, plot_path, compare_fixes, unsafe_fixes, program):
    """Run a program and rank memlint's findings by the memory they really cost.

    `memlint measure script.py [ARGS]...` or `memlint measure -m MODULE [ARGS]...`. The program runs in a child
    interpreter under tracemalloc (the only time memlint runs code); the project's findings are joined with what
    their statements allocated, and sorted by it. Exit status: the program's own; 2 when memlint itself failed.
    """
    from memlint.measure.command import MeasureError
    from memlint.measure.command import measure as run_measure

    program = list(program)
    if not module and not program:
        _error("memlint measure: name a script or -m MODULE")
        sys.exit(EXIT_ERROR)
    target, args = (module, program) if module else (program[0], program[1:])
    try:
        status = run_measure(
            target, args, bool(module), project, output_format, plot_path, compare_fixes, unsafe_fixes, click.echo
        )
    except MeasureError as e:
        _error(str(e))
        status = EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        status = EXIT_ERROR
    except Exception as e:
        if os.environ.get("MEMLINT_DEBUG"):
            raise
        _error(f"internal error: {type(e).__name__}: {e} (please report it)")
        status = EXIT_ERROR
    sys.exit(status)


def _explain(code: str) -> int:
    doc = catalog.load().get(code.strip().upper())
    if doc is None:
        _error(f"unknown rule `{code}` (see `memlint --list-rules`)")
        return EXIT_ERROR
    click.echo(doc.explain(), nl=False)
    return EXIT_CLEAN


def _list_rules() -> None:
    docs = list(catalog.load().values())
    width = max((len(d.name) for d in docs), default=4)
    click.echo(f"{'code':<7} {'name':<{width}}  {'fix':<6}  summary")
    for doc in docs:
        click.echo(f"{doc.code:<7} {doc.name:<{width}}  {doc.fix:<6}  {doc.summary}")


def _lint(paths, opts: CheckOptions) -> int:
    from memlint import engine, report, suppress
    from memlint.filters import FindingFilter
    from memlint.fix import fix_files

    config = _configuration(opts, paths[0])
    if config is None:
        return EXIT_ERROR
    quiet, write_baseline = opts.quiet, opts.write_baseline
    if not quiet and not enabled_rules(config) and not config.enabled(PARSE_ERROR):
        _warning("no rule is selected (see --select, --ignore and select/ignore in the configuration)")
    fmt = opts.output_format or config.output_format
    if write_baseline is not None:
        why = suppress.refuses_baseline_at(write_baseline)
        if why:
            _error(f"{write_baseline}: not overwritten: {why} (--write-baseline FILE names the baseline to write)")
            return EXIT_ERROR
    baseline = None
    if opts.baseline_file is not None:
        try:
            baseline = suppress.read_baseline(opts.baseline_file)
        except ValueError as e:
            _error(str(e))
            return EXIT_ERROR

    fix, diff, add_noqa = opts.fix or opts.fix_only, opts.diff, opts.add_noqa
    # One filter for the report, --diff, --fix and --add-noqa: accepted findings are neither shown, fixed nor
    # silenced. A baseline being written records everything current, so it is not applied then.
    shown = FindingFilter(config, baseline if write_baseline is None else None)
    progress = None if quiet else _progress_display()
    result = engine.run(
        list(paths),
        config,
        jobs=opts.jobs,
        use_cache=not opts.no_cache,
        findings_filter=shown,
        progress=progress,
        keep_sources=fix or diff or add_noqa,
    )
    if add_noqa:
        return _add_noqa(result, quiet)
    fixed, fixes = 0, {}
    if fix or diff:
        outcome = fix_files(result, config, write=fix and not diff, findings_filter=shown)
        fixed, errors, fixes = outcome.fixed, outcome.errors, outcome.by_file
        for w in outcome.warnings:
            _warning(w)
        if diff:
            click.echo("".join(outcome.diffs), nl=False)
            for message in result.errors + errors:
                _error(message)
            if not quiet:
                for w in result.warnings:
                    _warning(w)
                click.echo(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}.", err=True)
            if result.errors or errors:
                return EXIT_ERROR
            return EXIT_FINDINGS if fixed and not opts.exit_zero else EXIT_CLEAN
        # Report what is left, on the files as they are now: also when another run fixed them meanwhile.
        if fixed or outcome.warnings or any(f.fix is not None for f in result.findings):
            result = engine.run(list(paths), config, jobs=opts.jobs, use_cache=not opts.no_cache, findings_filter=shown)
        result.errors += [e for e in errors if e not in result.errors]

    for message in result.errors:
        _error(message)
    for w in [] if quiet else result.warnings:
        _warning(w)
    if write_baseline is not None:
        try:
            n = suppress.write_baseline(write_baseline, result.findings)
        except OSError as e:
            _error(f"{write_baseline}: cannot write the baseline: {e.strerror}")
            return EXIT_ERROR
        if not quiet:
            click.echo(f"Wrote {n} finding{'s' if n != 1 else ''} to the baseline {write_baseline}.", err=True)
        return EXIT_ERROR if result.errors else EXIT_CLEAN
    findings = result.findings
    if opts.fix_only:  # what is left is not reported
        findings = []
    if result.files_checked == 0 and not result.errors and not quiet:
        _warning(f"no Python files found under {', '.join(str(p) for p in paths)}")
    statistics = opts.statistics
    if statistics:
        fmt = "json" if fmt == "json" else "concise"
    color = fmt in ("concise", "text", "full") and use_color(sys.stdout)
    text = report.render(
        fmt,
        findings,
        fixed=fixed,
        statistics=statistics,
        quiet=quiet,
        unsafe_fixes=config.unsafe_fixes,
        errors=result.errors,
        color=color,
        source=_reader(result),
        fixes={path: codes for path, codes in fixes.items() if codes} if opts.show_fixes or statistics else None,
        fix_only=opts.fix_only,
    )
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary_file:
        from memlint.report import github

        try:
            github.append_step_summary(
                summary_file, github.step_summary(findings, result.errors, fixed, config.unsafe_fixes)
            )
        except OSError as e:
            _warning(f"{summary_file}: cannot write the step summary: {e.strerror}")
    click.echo(text, nl=False, color=color)  # click would strip colour from a pipe FORCE_COLOR asked for
    if result.errors:
        return EXIT_ERROR
    if opts.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if findings or opts.exit_non_zero_on_fix and fixed else EXIT_CLEAN


def _check_stdin(opts: CheckOptions) -> int:
    """Check the source on standard input as the file ``name`` (its configuration, its name in the report),
    as editors and formatters pipe text. The project-wide rules see this text alone. With --fix the fixed
    source goes to stdout (unchanged if there is nothing to fix) and what is left to stderr."""
    from memlint import engine, files, notebook, report
    from memlint.fix import applicable, fix_notebook, fix_text, unified_diff

    name = opts.stdin_filename
    path = name if name is not None else Path("-")
    config = _configuration(opts, path.parent if name is not None else Path("."))
    if config is None:
        return EXIT_ERROR
    fix, diff, quiet = opts.fix or opts.fix_only, opts.diff, opts.quiet
    source = files.SourceFile(path, files.display_path(path), sys.stdin.buffer.read())
    is_notebook = notebook.is_notebook(path)

    def check(data: bytes):
        if is_notebook:
            return engine.check_cells(path, notebook.Notebook.parse(data, source.display), config)
        return engine.check_text(path, files.SourceFile(path, source.display, data).decode(), config)

    try:
        findings, errors = check(source.data)
        fixed, new = 0, source.data
        if fix or diff:
            first = [f for f in findings if applicable(f, config.unsafe_fixes)]
            if is_notebook:
                new, fixed, more, changes = fix_notebook(
                    source.display, source.data, config, config.unsafe_fixes, first
                )
            else:
                text = source.decode()
                new_text, fixed, more = fix_text(source.display, text, config, config.unsafe_fixes, first, path)
                new, changes = source.encode(new_text), unified_diff(source.display, text, new_text)
            errors += more
            if fixed:
                findings, more = check(new)
                errors += more
    except files.InputError as e:
        _error(str(e))
        return EXIT_ERROR
    for message in errors:
        _error(message)
    fmt = opts.output_format or config.output_format
    if diff:
        click.echo(changes if fixed else "", nl=False)
        if not quiet:
            click.echo(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}.", err=True)
        return EXIT_ERROR if errors else EXIT_FINDINGS if fixed and not opts.exit_zero else EXIT_CLEAN
    if fix:
        sys.stdout.buffer.write(new)
        sys.stdout.flush()
    text = report.render(
        fmt, findings, fixed=fixed, quiet=quiet, unsafe_fixes=config.unsafe_fixes, errors=errors, color=False
    )
    click.echo(text, nl=False, err=fix)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings and not opts.exit_zero else EXIT_CLEAN


def _configuration(opts: CheckOptions, start: Path):
    """The configuration that governs ``start`` with the command line's rule options applied; None (after
    one line naming the file) when it cannot be read."""
    if opts.config_file is not None and not opts.config_file.is_file():
        _error(f"{opts.config_file}: configuration file not found")
        return None
    try:
        config = load_config(opts.config_file, start, rule_options())
    except ConfigError as e:
        _error(str(e))
        return None
    config.apply_command_line(opts.select, opts.extend_select, opts.ignore, opts.unsafe_fixes)
    return config


def _add_noqa(result, quiet: bool) -> int:
    """``--add-noqa``: a ``# noqa: CODE`` on the first line of every finding (the line a suppression is read
    from), merged into a ``# noqa:`` already there; other comments stay. A file is written only if its syntax
    tree is unchanged (a comment is all that was added)."""
    import ast
    from collections import defaultdict

    from memlint import files
    from memlint.findings import PARSE_ERROR
    from memlint.fix import CHANGED, NotFixed, replace_if_unchanged
    from memlint.suppress import Suppressions, add_noqa

    by_file: dict = defaultdict(lambda: defaultdict(set))
    notebooks = set()
    for f in result.findings:
        if getattr(f, "cell", None) is not None:
            notebooks.add(f.path)
        elif f.code != PARSE_ERROR:  # a file that does not parse cannot be silenced
            by_file[f.path][f.line].add(f.code)
    for path in sorted(notebooks):
        if not quiet:
            _warning(f"{path}: --add-noqa does not edit notebooks; add the comments in the notebook's cells")
    added, errors = 0, list(result.errors)
    for display, wanted in sorted(by_file.items()):
        source = files.SourceFile(result.paths[display], display, result.sources[display])  # as checked
        try:
            text = source.decode()
        except files.InputError as e:
            errors.append(str(e))
            continue
        new = add_noqa(text, wanted)
        try:
            same = ast.dump(ast.parse(new)) == ast.dump(ast.parse(text))
        except (SyntaxError, ValueError):
            same = False
        silenced = Suppressions.from_source(new if same else text)
        for line, codes in sorted(wanted.items()):
            if all(silenced.silences(c, line) for c in codes):
                added += same
            elif not quiet:
                _warning(
                    f"{display}:{line}: no place for a noqa comment (the line ends inside a string or a backslash)"
                )
        if new == text or not same:
            continue
        try:
            written = replace_if_unchanged(source.path, source.data, source.encode(new))
        except NotFixed as e:
            errors.append(f"{display}: not changed: {e}")
        except (OSError, UnicodeEncodeError) as e:
            errors.append(f"{display}: cannot write: {getattr(e, 'strerror', None) or e}")
        else:
            if written == CHANGED and not quiet:
                _warning(f"{display}: changed since memlint read it; no noqa comment added (run memlint again)")
    for message in errors:
        _error(message)
    if not quiet:
        click.echo(f"Added {added} noqa directive{'' if added == 1 else 's'}.", err=True)
    return EXIT_ERROR if errors else EXIT_CLEAN


PROGRESS_MIN_FILES = 50  # fewer files are checked in a blink: no display


def _progress_display():
    """``files done/total`` on stderr, rewritten in place and cleared at the end: only on a terminal, never
    on a pipe or in CI (where a log would keep every update), and only for runs of many files."""
    import time

    if os.environ.get("CI") or not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:  # at most ten updates a second
            return
        last[0] = now
        sys.stderr.write(f"\rmemlint: {done}/{total} files checked")
        if done == total:
            sys.stderr.write("\r\x1b[K")  # leave the terminal as it was
        sys.stderr.flush()

    return show


def use_color(stream) -> bool:
    """Colour on a terminal; NO_COLOR (any non-empty value) turns it off, else FORCE_COLOR turns it on
    (the precedence CPython's own colours use)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def _reader(result):
    """Display path -> the checked file's text (None if it cannot be read now): for the full format."""
    from memlint import files

    def read(display: str):
        path = result.paths.get(display)
        try:
            return files.read(path).decode() if path is not None else None
        except files.InputError:
            return None

    return read
