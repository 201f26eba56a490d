"""``--compare-fixes``: each fix alone, then all of them, applied to a temporary copy of the project and run.

The saving of a fix is the drop of the program's peak (traced allocations and resident set). A fix must never
change what the program prints or its exit status: any run whose output differs from the original's is
reported loudly. When the program imports the project's modules from elsewhere (an installed or editable
package), the copy is not what ran, and the report says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from memlint.measure.join import real

_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".memlint_cache", "*.egg-info", ".venv", "venv", ".tox")


def compare(kind, target, args, root: Path, base, measured, config, rss_lines, echo) -> dict:
    from memlint import engine, files
    from memlint.checks import rule_options
    from memlint.config import load_config
    from memlint.fix import applicable, apply_edits, fix_files, newline_of, parses
    from memlint.measure import runner

    fixable = [m for m in measured if m.ran and applicable(m.finding, config.unsafe_fixes)]
    result = {"fixes": [], "all": None, "warnings": [], "output_changed": False}
    if not fixable:
        result["warnings"].append("no finding on a line that ran has a fix to compare")
        return result
    with tempfile.TemporaryDirectory(prefix="memlint-compare-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, ignore=_IGNORE, symlinks=True)

        def in_copy(path) -> Path:
            return copy / Path(real(path)).relative_to(real(root))

        def outside(path) -> bool:
            return not real(path).startswith(os.path.join(real(root), ""))

        copy_target = target if kind == "module" or outside(target) else str(in_copy(Path(target).resolve()))
        cwd = Path.cwd() if outside(Path.cwd()) else in_copy(Path.cwd())
        copy_rss = [[str(in_copy(f)) if not outside(f) else f, n] for f, n in rss_lines]
        elsewhere: set = set()

        def run_copy() -> dict:
            try:
                fixed = runner.run(kind, copy_target, args, [copy], copy_rss, cwd=cwd, capture=True)
            except runner.ChildFailed as e:
                return {"error": f"the fixed program ended without a measurement (exit status {e.status})"}
            for module in fixed.data["modules"]:
                if not outside(module) and real(module).endswith(".py"):
                    elsewhere.add(os.path.relpath(module, root))
            changed = _difference(base, fixed)
            if changed:
                result["output_changed"] = True
            return {
                "peak_before": base.data["peak"],
                "peak_after": fixed.data["peak"],
                "saving": base.data["peak"] - fixed.data["peak"],
                "resident_peak_before": base.rss_peak,
                "resident_peak_after": fixed.rss_peak,
                "output_changed": changed,
            }

        for m in fixable:
            f = m.finding
            path = in_copy(m.path)
            original = path.read_bytes()
            source = files.read(path)
            text = source.decode()
            new, applied = apply_edits(text, ((0, e) for e in f.fix.edits), newline_of(text))
            row = {"code": f.code, "path": f.path, "line": f.line, "applicability": f.fix.applicability}
            if not applied or not parses(new):
                row["error"] = "the fix does not apply on its own"
            else:
                path.write_bytes(source.encode(new))
                try:
                    row.update(run_copy())
                finally:
                    path.write_bytes(original)
            result["fixes"].append(row)
            echo(f"memlint: measured the {f.code} fix at {f.path}:{f.line}", err=True)

        # All together: what `memlint --fix` (with --unsafe-fixes when asked) writes into the copy.
        copy_config = load_config(None, copy, rule_options())
        copy_config.unsafe_fixes = config.unsafe_fixes
        outcome = fix_files(
            engine.run([copy], copy_config, use_cache=False, keep_sources=True), copy_config, write=True
        )
        if outcome.fixed:
            result["all"] = {"fixes": outcome.fixed, **run_copy()}
    if elsewhere:
        result["warnings"].append(
            "the program imported "
            + ", ".join(sorted(elsewhere)[:5])
            + " from the project itself, not from the copy (an installed or editable package?): the fixes there "
            "were not what ran"
        )
    return result


def _difference(base, fixed) -> str:
    """How the fixed run's output differs from the original's ("" when it does not)."""
    if base.status != fixed.status:
        return f"exit status {base.status} -> {fixed.status}"
    if base.stdout != fixed.stdout:
        old, new = base.stdout.splitlines(), fixed.stdout.splitlines()
        for i, (a, b) in enumerate(zip(old, new), 1):
            if a != b:
                return f"standard output line {i}: {a.decode(errors='replace')!r} -> {b.decode(errors='replace')!r}"
        return f"standard output has {len(new)} lines instead of {len(old)}"
    return ""
