"""Does `memlint measure` measure right? Its figures against tracemalloc by hand (a benchmark, not a test).

    python bench/measure_agreement.py examples/example.py
    python bench/measure_agreement.py --project /path/to/site-packages/sklearn /tmp/skex/plot_x.py [ARGS...]

1. `memlint measure --output-format json` runs the program: for each finding on a line that ran, what its
   statement allocated at once (`measured_bytes`) and how often it ran.
2. By hand, independently of memlint's tracer (no sys.settrace, one frame per allocation): the project is
   copied to a temporary folder, each of those statements is wrapped in source (``before(); try: STATEMENT
   finally: after(file, line)``), and the program runs from the copy under plain tracemalloc. ``before``
   notes the traced memory and resets the peak; ``after`` takes the peak since then (nested statements
   included) minus that.
3. Both figures side by side, and whether they agree within 10%; and the run times: plain Python, by hand,
   memlint measure (its overhead).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from memlint.facts.numpy_api import format_bytes  # noqa: E402

TOLERANCE = 0.10
SMALL = 64 * 1024  # below this, a difference of a few small objects is not a disagreement worth a line

_BY_HAND = r"""
import builtins, json, os, runpy, sys, tracemalloc
out, script, args = sys.argv[1], sys.argv[2], sys.argv[3:]
stack, results = [], {}

def memlint_hand_before():
    cur, peak = tracemalloc.get_traced_memory()
    if stack:
        stack[-1][1] = max(stack[-1][1], peak)
    stack.append([cur, cur])
    tracemalloc.reset_peak()

def memlint_hand_after(path, line):
    cur, peak = tracemalloc.get_traced_memory()
    start, inner = stack.pop()
    high = max(peak, inner)
    r = results.setdefault(f"{path}:{line}", [0, 0])
    r[0] += 1
    r[1] = max(r[1], high - start)
    if stack:
        stack[-1][1] = max(stack[-1][1], high)
    tracemalloc.reset_peak()

builtins.memlint_hand_before, builtins.memlint_hand_after = memlint_hand_before, memlint_hand_after
sys.argv = [script, *args]
sys.path[0] = os.path.dirname(os.path.abspath(script))
tracemalloc.start(1)
try:
    runpy.run_path(script, run_name="__main__")
finally:
    tracemalloc.stop()
    with open(out, "w") as f:
        json.dump(results, f)
"""


class Wrap(ast.NodeTransformer):
    """Wrap the simple statements that start on ``lines`` in before()/try/finally after()."""

    def __init__(self, path: str, lines: set):
        self.path, self.lines = path, lines

    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list) or not stmts or not isinstance(stmts[0], ast.stmt):
                continue
            new = []
            for stmt in stmts:
                simple = not hasattr(stmt, "body") and not isinstance(stmt, (ast.Import, ast.ImportFrom))
                if simple and stmt.lineno in self.lines:
                    call = ast.Call(
                        ast.Name("memlint_hand_after", ast.Load()),
                        [ast.Constant(self.path), ast.Constant(stmt.lineno)],
                        [],
                    )
                    new.append(ast.Expr(ast.Call(ast.Name("memlint_hand_before", ast.Load()), [], [])))
                    new.append(ast.Try(body=[stmt], handlers=[], orelse=[], finalbody=[ast.Expr(call)]))
                else:
                    new.append(stmt)
            setattr(node, field, new)
        return node


def measure(project: Path, script: str, args: list) -> tuple[dict, tuple]:
    cmd = [
        sys.executable,
        "-m",
        "memlint",
        "measure",
        "--output-format",
        "json",
        "--project",
        str(project),
        script,
        *args,
    ]
    clock = Clock()
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    seconds = clock.stop()
    if not done.stdout:
        raise SystemExit(f"memlint measure failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout), seconds


def by_hand(project: Path, script: str, args: list, targets: dict) -> tuple[dict, tuple]:
    """targets: real path -> set of lines. Returns ({"path:line": [executions, max rise]}, seconds)."""
    with tempfile.TemporaryDirectory(prefix="by-hand-") as tmp:
        copy = Path(tmp) / project.name
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".git"), symlinks=True)
        for libs in project.parent.glob("*.libs"):  # a wheel's bundled libraries, found at ../<dist>.libs
            (Path(tmp) / libs.name).symlink_to(libs)
        for path, lines in targets.items():
            rel = Path(path).relative_to(project.resolve())
            tree = Wrap(path, lines).visit(ast.parse(Path(path).read_text()))
            (copy / rel).write_text(ast.unparse(ast.fix_missing_locations(tree)))
        script_path = Path(script).resolve()
        inside = str(script_path).startswith(str(project.resolve()) + os.sep)
        run_script = str(copy / script_path.relative_to(project.resolve())) if inside else str(script_path)
        env = _env()
        env["PYTHONPATH"] = os.pathsep.join([str(copy.parent), env.get("PYTHONPATH", "")])  # the copied package first
        out = Path(tmp) / "hand.json"
        clock = Clock()
        done = subprocess.run(
            [sys.executable, "-c", _BY_HAND, str(out), run_script, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(script).resolve().parent,
        )
        seconds = clock.stop()
        if not out.exists() or done.returncode != 0:
            raise SystemExit(f"the by-hand run failed: {done.stderr.strip()[-2000:]}")
        return json.loads(out.read_text()), seconds


def plain(script: str, args: list) -> tuple:
    clock = Clock()
    path = Path(script).resolve()
    subprocess.run([sys.executable, str(path), *args], capture_output=True, env=_env(), cwd=path.parent, check=True)
    return clock.stop()


class Clock:
    """Wall time and the CPU time of the processes run meanwhile (what the machine's load does not inflate
    much: the machine is shared)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), _children_cpu()

    def stop(self) -> tuple:
        return time.perf_counter() - self.wall, _children_cpu() - self.cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _seconds(t: tuple) -> str:
    return f"{t[0]:.1f} s ({t[1]:.1f} s CPU)"


def _env() -> dict:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path)
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    o = parser.parse_args()
    project = (o.project or Path(o.script).resolve().parent).resolve()
    report, measure_seconds = measure(project, o.script, o.args)
    ran = [f for f in report["findings"] if f["ran"] and f["statement_lines"][0] == f["statement_lines"][1]]
    targets: dict = {}
    real_paths = {}
    for f in ran:
        path = os.path.realpath(f["path"])
        if not path.startswith(str(project) + os.sep):
            continue
        real_paths[id(f)] = path
        targets.setdefault(path, set()).add(f["line"])
    hand, hand_seconds = by_hand(project, o.script, o.args, targets)
    plain_seconds = plain(o.script, o.args)
    print(f"program: {o.script} {' '.join(o.args)} (project {project})")
    print(
        f"peak {format_bytes(report['summary']['peak_bytes'])}; run time: plain {_seconds(plain_seconds)}, "
        f"by hand {_seconds(hand_seconds)}, memlint measure {_seconds(measure_seconds)} (checking included); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| rank | finding | memlint measure | runs | by hand | runs | agree (10%) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    agreed = compared = 0
    for rank, f in enumerate(report["findings"], 1):
        if not f["ran"]:
            continue
        where = f"{f['code']} {os.path.basename(f['path'])}:{f['line']}"
        h = hand.get(f"{real_paths.get(id(f))}:{f['line']}")
        if h is None:
            print(
                f"| {rank} | {where} | {format_bytes(f['measured_bytes'])} | {f['executions']} | - | - | not compared (compound statement) |"
            )
            continue
        m = f["measured_bytes"]
        ok = abs(m - h[1]) <= TOLERANCE * max(h[1], 1) or max(m, h[1]) < SMALL and abs(m - h[1]) < 4096
        compared += 1
        agreed += ok
        print(
            f"| {rank} | {where} | {format_bytes(m)} | {f['executions']} | {format_bytes(h[1])} | {h[0]} | {'yes' if ok else 'NO'} |"
        )
    print(f"\n{agreed} of {compared} compared findings agree within 10%.")


if __name__ == "__main__":
    main()
