"""The command: check the project, run the program, join both, report (``memlint measure``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

INSTALL_HINT = 'memlint measure needs psutil and matplotlib: pip install "numpy-memlint[measure]"'


class MeasureError(Exception):
    """memlint itself cannot measure (bad target, missing dependency): one line, exit 2."""


def missing_dependency(plot: bool) -> Optional[str]:
    import importlib.util

    needed = ["psutil"] + (["matplotlib"] if plot else [])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    return f"{INSTALL_HINT} (missing: {', '.join(missing)})" if missing else None


def measure(
    target: str,
    args: list,
    module: bool,
    project: Optional[Path],
    output_format: str,
    plot_path: Optional[Path],
    compare_fixes: bool,
    unsafe_fixes: bool,
    echo,
) -> int:
    """Run, check, join, report; returns the program's exit status. Raises MeasureError."""
    from memlint import engine
    from memlint.checks import rule_options
    from memlint.config import ConfigError, load_config
    from memlint.measure import compare, join, report, runner

    problem = missing_dependency(plot_path is not None)
    if problem:
        raise MeasureError(problem)
    if module:
        kind, label = "module", f"python -m {target}"
        folder = Path.cwd()
    else:
        if not Path(target).is_file():
            raise MeasureError(f"{target}: no such file (to run a module: memlint measure -m MODULE)")
        kind, label = "script", target
        folder = Path(target).resolve().parent
    root = Path(os.path.abspath(project or folder))
    if not root.is_dir():
        raise MeasureError(f"{root}: the project must be a folder")
    # the script's own folder is measured too when the project is elsewhere (an installed package, say)
    roots = [root] + ([folder] if not str(folder).startswith(os.path.join(str(root), "")) and folder != root else [])
    try:
        config = load_config(None, root, rule_options())
    except ConfigError as e:
        raise MeasureError(str(e)) from e
    if unsafe_fixes:
        config.unsafe_fixes = True
    checked = engine.run(roots, config, use_cache=False)
    for error in checked.errors:
        echo(f"memlint: warning: {error}", err=True)
    rss_lines = [
        [str(Path(checked.paths[f.path]).resolve()), n]
        for f in checked.findings
        if f.code in join.RESIDENT_RULES
        for n in range(f.line, f.end_line + 1)
    ]
    # Only the files with findings (and the script) call the line tracer: a line of another project file
    # counts to the traced line that called it, as library code does (every line of a large project calling
    # the tracer made it several times slower)
    traced = sorted({str(Path(checked.paths.get(f.path, f.path)).resolve()) for f in checked.findings})
    if kind == "script":
        traced.append(str(Path(target).resolve()))
    json_out = output_format == "json"
    try:
        run = runner.run(
            kind,
            target,
            args,
            roots,
            rss_lines,
            capture=compare_fixes,
            stdout_to_stderr=json_out,
            view_lines=join.view_lines(checked.findings, checked.paths),
            traced=traced,
        )
    except runner.ChildFailed as e:
        echo(f"memlint: error: {label}: {e}", err=True)
        return _status(e.status) or 2
    if run.stdout is not None:  # captured for --compare-fixes: the program's output still goes out
        stream = sys.stderr if json_out else sys.stdout
        stream.flush()
        stream.buffer.write(run.stdout)
        stream.flush()
    measured, unexplained = join.join(checked.findings, checked.paths, run.data)
    ran_files = {join.real(f) for f, *_ in run.data["lines"]}
    not_run = sum(1 for f in checked.findings if join.real(checked.paths.get(f.path, f.path)) not in ran_files)
    comparison = None
    if compare_fixes:
        comparison = compare.compare(kind, target, args, root, run, measured, config, rss_lines, echo)
    plotted = report.plot(run, measured, plot_path) if plot_path is not None else None
    if json_out:
        echo(report.to_json(run, label, measured, unexplained, not_run, plotted, comparison), nl=False)
    else:
        echo(report.to_text(run, label, measured, unexplained, not_run, comparison), nl=False)
        if plotted:
            echo(f"Timeline written to {plot_path}.")
    if comparison is not None and comparison["output_changed"]:
        echo("memlint: error: a fix changed the program's output (see above): please report it", err=True)
        return 2  # memlint failed: a fix must never change what the program does
    return _status(run.status)


def _status(status: int) -> int:
    """The program's exit status as a shell reports it (128 + N when signal N ended it)."""
    return 128 - status if status < 0 else status
