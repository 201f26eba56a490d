"""memlint's speed and memory on a real corpus, side by side with the floor and ruff (a benchmark, not a test).

    python bench/run.py                # pandas' sources from PyPI; medians of 5 (3 for whole-corpus cold runs)
    python bench/run.py --reps 3 --cold-reps 1 --jobs 2

What it measures, on one machine in one go:

- floor: the stdlib ``ast.parse`` of every file, in one process (reading included, start-up excluded);
- ruff ``check --select ALL --no-cache --exit-zero`` (every rule), for scale;
- memlint cold (``--no-cache``) and its first run (an empty cache that it fills);
- memlint warm (nothing changed since the last run);
- one mid-sized file, cold, start-up included (the pre-commit case);
- memlint's peak memory over the whole corpus, workers included (see ``peak_memory``);
- linearity: the corpus against the corpus twice over.

Wall times are medians of ``--reps`` runs; ratios are to the floor's median, since the machine's speed
(and its other load) cancels out of them. Results go to stdout and to ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = HERE / ".corpus"  # downloads and unpacked sources; ignored by git
PANDAS = "3.1.1"

TARGETS = {  # name -> (limit, what the limit is of)
    "cold": (2.0, "x floor"),
    "warm": (0.25, "x floor"),
    "one file": (0.15, "x floor"),
    "peak memory": (150.0, "MiB"),
    "doubled corpus": (2.2, "x the corpus"),
}

FLOOR = r"""
import ast, os, sys, time, warnings
warnings.simplefilter("ignore")
paths = []
for folder, dirs, names in os.walk(sys.argv[1]):
    dirs.sort()
    paths += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".py")]
start, cpu = time.perf_counter(), time.process_time()
for p in paths:
    with open(p, "rb") as f:
        ast.parse(f.read())
print(time.perf_counter() - start, time.process_time() - cpu)
"""


# --- the corpus ------------------------------------------------------------------------------------------


def corpus(version: str) -> Path:
    """pandas' .py files from its wheel on PyPI, downloaded once into bench/.corpus/."""
    target = CORPORA / f"pandas-{version}"
    if (target / "pandas").is_dir():
        return target
    downloads = CORPORA / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob(f"pandas-{version}-*.whl"))
    if not wheels:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                f"pandas=={version}",
                "-d",
                str(downloads),
            ],
            check=True,
        )
        wheels = sorted(downloads.glob(f"pandas-{version}-*.whl"))
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as z:
        for name in z.namelist():
            if name.endswith(".py"):
                z.extract(name, tmp)
    (tmp / "memlint.toml").write_text("# memlint's defaults: no configuration above this folder applies\n")
    tmp.rename(target)
    return target


def doubled(single: Path) -> Path:
    """The corpus twice over, as two copies side by side (same files, different paths)."""
    target = single.with_name(single.name + "-x2")
    if not target.is_dir():
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        for copy in ("one", "two"):
            shutil.copytree(single / "pandas", tmp / copy / "pandas")
        shutil.copy(single / "memlint.toml", tmp / "memlint.toml")
        tmp.rename(target)
    return target


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".memlint_cache" not in p.parts)


def mid_sized_file(root: Path) -> Path:
    """The library (not test) module closest to 1,000 lines: a typical file a commit touches."""
    files = [p for p in python_files(root) if "tests" not in p.parts]
    return min(files, key=lambda p: (abs(len(p.read_bytes().splitlines()) - 1000), str(p)))


# --- tools -------------------------------------------------------------------------------------------------


def ruff() -> list[str] | None:
    """ruff from PATH, else from bench/.venv (created and filled with `pip install ruff` once)."""
    found = shutil.which("ruff")
    if found:
        return [found]
    venv = CORPORA / "venv"
    exe = venv / ("Scripts" if os.name == "nt" else "bin") / "ruff"
    if not exe.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "ruff"], check=True)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"ruff unavailable ({e}); skipped", file=sys.stderr)
            return None
    return [str(exe)]


def snapshot(commit: str) -> Path:
    """The commit's own memlint (``git archive``), so that what is measured is exactly that commit, whatever
    is being edited in the working tree meanwhile (an edit to memlint's code also empties the cache)."""
    sha = subprocess.run(
        ["git", "rev-parse", commit], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = CORPORA / f"memlint-{sha[:12]}"
    if not (target / "src" / "memlint").is_dir():
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, "src", "rules"], cwd=REPO, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp)
        tmp.rename(target)
    os.environ["PYTHONPATH"] = str(target / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    return target


def memlint(*args: str) -> list[str]:
    return [sys.executable, "-m", "memlint", "-q", "--exit-zero", *args]


CPU: dict = {}  # measurement name -> CPU seconds (user + system, worker processes included) of each run


def wall(cmd: list[str], cwd: Path, name: str = "") -> float:
    """Wall time of a command; its CPU time, children included, goes to CPU[name]. CPU time hardly moves
    with the machine's other load, so it is the steadier figure on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
    CPU.setdefault(name, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return elapsed


def median_of(reps: int, measure) -> tuple[float, list[float]]:
    runs = [measure() for _ in range(reps)]
    return statistics.median(runs), runs


# --- memory ------------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
        return found
    except OSError:
        pass
    for entry in os.listdir("/proc"):  # kernels without the children file: scan parents
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def _status_kib(pid: int, *fields: str) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in fields:
                    out[key] = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    out["Pss"] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return out


def peak_memory(cmd: list[str], cwd: Path, interval: float = 0.005, stdout=subprocess.DEVNULL) -> dict:
    """memlint's peak memory, its worker processes included, in MiB.

    Each process's own peak is its ``VmHWM`` (/proc/PID/status), sampled until it exits. Not
    ``ru_maxrss``: on Linux a child's ru_maxrss starts from its parent's peak (it survives fork and exec;
    see shared/research/measure/m15), so it would report this script's memory, not memlint's.

    - ``sum_hwm``: the sum of every process's VmHWM, as if all peaked at the same moment (an upper bound;
      forked workers also count the pages they share with the main process, once each);
    - ``peak_pss``: the largest total proportional set size (shared pages split between the processes
      that share them) seen at one sample: what the run really took from the machine;
    - ``main``: the main process's VmHWM alone.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.DEVNULL)
    hwm: dict[int, int] = {}
    peak_pss = 0
    while proc.poll() is None:
        pss = 0
        for pid in [proc.pid, *_children(proc.pid)]:
            s = _status_kib(pid, "VmHWM")
            if "VmHWM" in s:
                hwm[pid] = max(hwm.get(pid, 0), s["VmHWM"])
            pss += s.get("Pss", 0)
        peak_pss = max(peak_pss, pss)
        time.sleep(interval)
    return {
        "sum_hwm": sum(hwm.values()) / 1024,
        "peak_pss": peak_pss / 1024,
        "main": hwm.get(proc.pid, 0) / 1024,
        "processes": len(hwm),
    }


# --- the run -----------------------------------------------------------------------------------------------


def git_commit(commit: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="repetitions of the quick measurements (medians)")
    ap.add_argument(
        "--cold-reps",
        type=int,
        default=3,
        help="repetitions of the whole-corpus cold runs: cold, first run, doubled (medians)",
    )
    ap.add_argument("--jobs", type=int, default=None, help="memlint --jobs (default: memlint's default)")
    ap.add_argument("--pandas", default=PANDAS, help="the pandas version whose sources are the corpus")
    ap.add_argument("--no-ruff", action="store_true", help="skip ruff")
    ap.add_argument("--commit", default="HEAD", help="the memlint commit to measure (default: HEAD)")
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    opts = ap.parse_args()
    measured = snapshot(opts.commit)
    check = subprocess.run(
        [sys.executable, "-c", "import memlint; print(memlint.__file__)"], capture_output=True, text=True
    ).stdout
    assert check.startswith(str(measured)), f"measuring {check} instead of {measured}"

    root = corpus(opts.pandas)
    twice = doubled(root)
    files = python_files(root / "pandas")
    lines = sum(len(p.read_bytes().splitlines()) for p in files)
    one = mid_sized_file(root / "pandas")
    jobs = ["--jobs", str(opts.jobs)] if opts.jobs else []
    target = ["pandas"]
    log = {}

    def note(name, value, runs=None):
        log[name] = value
        extra = f"  runs: {', '.join(f'{r:.2f}' for r in runs)}" if runs else ""
        print(f"{name:>26}: {value:8.3f}{extra}", flush=True)

    print(
        f"corpus: pandas {opts.pandas}, {len(files)} files, {lines:,} lines; one file: "
        f"{one.relative_to(root)} ({len(one.read_bytes().splitlines())} lines)",
        flush=True,
    )

    def parse_all():
        out = subprocess.run(
            [sys.executable, "-c", FLOOR, "pandas"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.split()
        CPU.setdefault("floor", []).append(float(out[1]))
        return float(out[0])

    floor, runs = median_of(opts.reps, parse_all)
    note("floor (ast.parse), s", floor, runs)
    note("floor, CPU s", statistics.median(CPU["floor"]), CPU["floor"])
    ruff_cmd = None if opts.no_ruff else ruff()
    if ruff_cmd:
        version = subprocess.run([*ruff_cmd, "--version"], capture_output=True, text=True).stdout.strip()
        log["ruff version"] = version
        t, runs = median_of(
            opts.reps,
            lambda: wall(
                [*ruff_cmd, "check", "--select", "ALL", "--no-cache", "--exit-zero", "--quiet", "pandas"], root
            ),
        )
        note("ruff --select ALL, s", t, runs)
    # Cold and doubled alternate, so that a change in the machine's load hits both alike.
    cold_runs, double_runs = [], []
    for _ in range(opts.cold_reps):
        cold_runs.append(wall(memlint("--no-cache", *jobs, *target), root, "cold"))
        double_runs.append(wall(memlint("--no-cache", *jobs, "one", "two"), twice, "doubled"))
    note("memlint cold, s", statistics.median(cold_runs), cold_runs)
    note("memlint doubled, s", statistics.median(double_runs), double_runs)
    note("doubled / cold, wall", statistics.median(d / c for d, c in zip(double_runs, cold_runs)))
    note("doubled / cold, CPU", statistics.median(d / c for d, c in zip(CPU["doubled"], CPU["cold"])))
    note("memlint cold, CPU s", statistics.median(CPU["cold"]), CPU["cold"])

    def first_run():
        shutil.rmtree(root / ".memlint_cache", ignore_errors=True)
        return wall(memlint(*jobs, *target), root)

    t, runs = median_of(1, first_run)  # informational: once
    note("memlint first run, s", t, runs)
    t, runs = median_of(opts.reps, lambda: wall(memlint(*jobs, *target), root))
    note("memlint warm, s", t, runs)
    t, runs = median_of(opts.reps, lambda: wall(memlint("--no-cache", str(one.relative_to(root))), root))
    note("memlint one file, s", t, runs)
    with open(CORPORA / "findings.json", "wb") as out:  # the memory run also gives the findings
        memory = peak_memory(memlint("--no-cache", *jobs, "--output-format", "json", *target), root, stdout=out)
    for k, v in memory.items():
        note(f"memory {k}", v)
    log["findings"] = findings_per_rule(CORPORA / "findings.json")

    report = render(opts, log, len(files), lines, one.relative_to(root), floor)
    print(report)
    opts.out.write_text(report + _other_sections(opts.out))
    return 0


def _other_sections(results: Path) -> str:
    """The sections other benchmarks keep in the same file (from its first ``## `` heading on): kept."""
    text = results.read_text() if results.is_file() else ""
    start = text.find("\n## ")
    return "\n" + text[start + 1 :] if start >= 0 else ""


def findings_per_rule(report: Path) -> dict:
    try:
        findings = json.loads(report.read_text())
    except ValueError:
        return {}
    counts: dict = {}
    for f in findings:
        code = f.get("code") if isinstance(f, dict) else None
        counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))


def render(opts, log: dict, nfiles: int, lines: int, one: Path, floor: float) -> str:
    cold, warm, single = log["memlint cold, s"], log["memlint warm, s"], log["memlint one file, s"]
    double = log["memlint doubled, s"]
    wall_ratio, cpu_ratio = log["doubled / cold, wall"], log["doubled / cold, CPU"]
    peak = log["memory sum_hwm"]

    def verdict(name, value):
        limit, unit = TARGETS[name]
        return (
            f"{limit:g}{unit.replace('x floor', 'x').replace('x the corpus', 'x')}",
            "met" if value <= limit else "**missed**",
        )

    rows = [
        ("floor: `ast.parse` of every file, one process", floor, 1.0, None),
        ("ruff `check --select ALL --no-cache`", log.get("ruff --select ALL, s"), None, None),
        ("memlint cold (`--no-cache`)", cold, cold / floor, "cold"),
        (
            "memlint first run (empty cache, filling it)",
            log["memlint first run, s"],
            log["memlint first run, s"] / floor,
            None,
        ),
        ("memlint warm (nothing changed)", warm, warm / floor, "warm"),
        (f"memlint one file, cold, start-up included (`{one.as_posix()}`)", single, single / floor, "one file"),
    ]
    out = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on commit {git_commit(opts.commit)}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {log.get('ruff version', 'ruff skipped')}; "
        f"corpus: pandas {opts.pandas}'s {nfiles} files, {lines:,} lines; medians of {opts.reps} runs "
        f"({opts.cold_reps} for the whole-corpus cold runs); load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| what | wall time | x floor | target |",
        "| --- | --- | --- | --- |",
    ]
    for name, t, ratio, target in rows:
        if t is None:
            continue
        ratio_s = f"{ratio:.2f}" if ratio is not None else f"({t / floor:.2f})"
        goal = "" if target is None else "{} ({})".format(*verdict(target, ratio))
        out.append(f"| {name} | {t:.2f} s | {ratio_s} | {goal} |")
    out.append(
        f"| memlint on the corpus twice over | {double:.2f} s | {wall_ratio:.2f}x the corpus "
        f"(CPU time: {cpu_ratio:.2f}x) | " + "{} ({})".format(*verdict("doubled corpus", wall_ratio)) + " |"
    )
    out += [
        "",
        f"CPU time of the cold run, worker processes included: {log['memlint cold, CPU s']:.1f} s "
        f"({log['memlint cold, CPU s'] / log['floor, CPU s']:.1f}x the floor's CPU time, "
        f"{log['floor, CPU s']:.2f} s). CPU time moves far less than wall time with the machine's other load: "
        f"on a busy machine compare it, not the wall times.",
    ]
    out += [
        "",
        f"Peak memory of the cold run over the whole corpus, worker processes included: "
        f"{peak:.0f} MiB as the sum of each process's own peak (VmHWM; {log['memory processes']:.0f} processes), "
        f"{log['memory peak_pss']:.0f} MiB at most at any one moment (sum of proportional set sizes), "
        f"{log['memory main']:.0f} MiB for the main process; target 150 MiB on the first figure: "
        f"{'met' if peak <= 150 else '**missed**'}.",
        "",
        "Findings on the corpus: " + (", ".join(f"{c} {n}" for c, n in log["findings"].items()) or "none") + ".",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
