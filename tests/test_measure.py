"""`memlint measure`: a real program runs under the tracer and the findings are ranked by what they cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from memlint.cli import main

MiB = 1024 * 1024
N = 2_000_000  # float64: 15.3 MiB per array

PROGRAM = f"""
import numpy as np


def main():
    a = np.ones({N})
    a = a * 2.0
    print(float(a.sum()))


def never_called():
    b = np.ones({N})
    b = b * 3.0
    return b


main()
"""


def write(folder: Path, name: str, code: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(code).lstrip())
    return path


def measure(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "memlint", "measure", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def measure_json(*args, cwd=None) -> tuple[dict, subprocess.CompletedProcess]:
    done = measure("--output-format", "json", *args, cwd=cwd)
    assert done.stdout, done.stderr
    return json.loads(done.stdout), done


def by_line(report: dict) -> dict:
    return {(f["code"], f["line"]): f for f in report["findings"]}


@pytest.mark.slow
def test_a_finding_is_measured_by_what_its_statement_allocated(tmp_path):
    script = write(tmp_path, "prog.py", PROGRAM)
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    assert "4000000.0" in done.stderr  # the program's own output goes to stderr when stdout carries JSON
    found = by_line(report)
    mem001 = found[("MEM001", 6)]
    assert mem001["ran"] and mem001["executions"] == 1
    # `a = a * 2.0` holds the old and the new array at once: one array more than before the statement
    assert abs(mem001["measured_bytes"] - N * 8) < 0.05 * N * 8
    assert report["summary"]["peak_bytes"] >= 2 * N * 8
    assert report["summary"]["peak_line"][1] == 6
    # what was alive at the peak: both arrays, while line 6 ran
    assert mem001["bytes_at_peak"] >= 1.9 * N * 8
    never = found[("MEM001", 12)]
    assert not never["ran"] and never["measured_bytes"] == 0
    assert report["findings"][0]["line"] == 6  # costliest first, lines that never ran last


SLOW_RISE_THEN_JUMP = """
import numpy as np


class Record:
    def __init__(self, i):
        self.i = i
        self.j = i * 2


def grow(n):
    out = np.empty(0)
    for i in range(n):
        out = np.append(out, i * 0.5)
    return out


def main():
    records = [Record(i) for i in range(60_000)]  # the peak rises slowly, one small object at a time
    grown = grow(1000)
    big = np.ones(4_000_000)  # 30.5 MiB at once
    big = big * 2.0  # the peak: both arrays
    print(len(records), grown.size, float(big[0]))


main()
"""


@pytest.mark.slow
def test_what_is_alive_at_the_peak_is_recorded_at_the_peak_after_a_slow_rise(tmp_path):
    """Snapshots are spared while the peak rises slowly (their cost grows with the live objects), never at the
    jump that makes the peak; and a line's executions are counted exactly past 256 (counted without making an
    int per execution)."""
    script = write(tmp_path, "prog.py", SLOW_RISE_THEN_JUMP)
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    summary = report["summary"]
    assert summary["peak_line"][1] == 21
    assert summary["at_peak_recorded_bytes"] >= 0.95 * summary["peak_bytes"]
    found = by_line(report)
    assert found[("MEM001", 21)]["bytes_at_peak"] >= 1.9 * 4_000_000 * 8
    assert found[("MEM006", 13)]["executions"] == 1000


VIEW_KEPT = """
import numpy as np


def head():
    data = np.ones(4_000_000)
    return data[:10]


def main():
    print(float(head().sum()))  # this view and its base are freed at once: never alive at the peak
    kept = head()  # the 10-element view keeps its 30.5 MiB base alive
    other = np.ones(6_000_000) * 2.0  # the peak, while it does (with the copy too)
    print(float(kept.sum()), float(other[0]))


main()
"""


@pytest.mark.slow
def test_a_kept_view_costs_the_base_it_keeps_alive(tmp_path):
    """MEM005's cost at the peak is the base its view keeps alive (what `.copy()` frees), not the few bytes the
    `return data[:10]` statement allocates; the base's line is then explained, not listed as unexplained."""
    script = write(tmp_path, "prog.py", VIEW_KEPT)
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    mem005 = by_line(report)[("MEM005", 6)]
    assert mem005["executions"] == 2 and mem005["measured_bytes"] < 4096
    assert abs(mem005["bytes_at_peak"] - 4_000_000 * 8) < 4096  # the second call's base only
    assert report["findings"][0]["code"] == "MEM005"  # the costliest finding
    assert all(u["line"] != 5 for u in report["unexplained_at_peak"])
    # and the saving is real: with the copy, the peak is lower by the base
    fixed = write(tmp_path, "fixed.py", VIEW_KEPT.replace("return data[:10]", "return data[:10].copy()"))
    after, done = measure_json(fixed)
    assert done.returncode == 0, done.stderr
    saved = report["summary"]["peak_bytes"] - after["summary"]["peak_bytes"]
    assert abs(saved - mem005["bytes_at_peak"]) < 0.05 * mem005["bytes_at_peak"]


@pytest.mark.slow
def test_the_tracers_own_bookkeeping_is_not_a_lines_cost(tmp_path):
    """A line that allocates nothing measures (next to) nothing, also on its first run, when the tracer makes
    its record (about 250 B counted in the line before its start was read again after the bookkeeping)."""
    script = write(
        tmp_path,
        "prog.py",
        """
        import gc

        import numpy as np


        def main():
            a = np.ones(1000)
            total = float(a.sum())
            del a
            gc.collect()
            return total


        print(main())
        """,
    )
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    collect = by_line(report)[("MEM016", 10)]
    assert collect["ran"] and collect["executions"] == 1
    assert collect["measured_bytes"] < 64


@pytest.mark.slow
def test_project_files_without_findings_count_to_the_line_that_called_them(tmp_path):
    """Only files with findings (and the script) call the line tracer; what a project function elsewhere
    allocates is the calling statement's, and what it keeps alive at the peak is still named by its line."""
    write(
        tmp_path,
        "helper.py",
        f"""
        import numpy as np

        CACHE = []


        def scaled(a):
            CACHE.append(np.ones({N}))  # alive at the peak, and nothing wrong with it
            return a * 2.0
        """,
    )
    script = write(
        tmp_path,
        "prog.py",
        f"""
        import numpy as np

        import helper


        def main():
            a = np.ones({N})
            a = a * 3.0
            a = helper.scaled(a)
            print(float(a.sum()))


        main()
        """,
    )
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    found = by_line(report)
    assert abs(found[("MEM001", 8)]["measured_bytes"] - N * 8) < 0.05 * N * 8
    # the peak is in helper.scaled, whose lines are not traced: the line that called it was running
    peak_file, peak_line = report["summary"]["peak_line"]
    assert (os.path.basename(peak_file), peak_line) == ("prog.py", 9)
    unexplained = {(os.path.basename(u["path"]), u["line"]): u["bytes_at_peak"] for u in report["unexplained_at_peak"]}
    assert abs(unexplained[("helper.py", 7)] - N * 8) < 0.01 * N * 8


@pytest.mark.slow
def test_the_timeline_is_no_part_of_the_programs_memory(tmp_path):
    """While the program allocates nothing (a second of spinning), its traced memory stays where it was: the
    timeline's points live in a buffer made before tracing (a list of them grew ~170 B a point, 2 ms apart)."""
    script = write(
        tmp_path,
        "prog.py",
        """
        import time

        import numpy as np


        def spin(seconds):
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                pass


        a = np.ones(1_000_000)
        a = a * 2.0
        spin(1.0)
        print(float(a[0]))
        """,
    )
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    spinning = [p for p in report["timeline"] if p[0] > report["summary"]["peak_seconds"]][1:-1]
    assert len(spinning) >= 50
    assert spinning[-1][1] - spinning[0][1] < 4096


def test_a_full_timeline_merges_pairs_of_points_and_doubles_its_step(tmp_path):
    """The timeline's buffer has a fixed size: when it is full, point k becomes points 2k and 2k + 1 merged (the
    first's time, the second's bytes, the higher of their highs) and later points come twice as far apart."""
    import runpy

    from memlint.measure import runner

    child = runpy.run_path(runner.CHILD, run_name="memlint_measure_child")  # its main() does not run
    size, step = child["TIMELINE_POINTS"], child["TIMELINE_STEP"]
    tracer = child["Tracer"]([str(tmp_path)], set())
    for k in range(size + 1):
        tracer.add_point(k * step, 1000 + k, 5000 - k if k % 2 else 5000 + k)
    points = tracer.timeline_points()
    assert len(points) == size // 2 + 1
    assert points[0] == [0.0, 1001, 5000] and points[1] == [round(2 * step, 6), 1003, 5002]
    assert points[-1] == [round(size * step, 6), 1000 + size, 5000 + size]
    assert tracer.step == 2 * step


@pytest.mark.slow
def test_the_text_table_ranks_findings_and_marks_lines_never_run(tmp_path):
    script = write(tmp_path, "prog.py", PROGRAM)
    done = measure(script)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("4000000.0\n")  # the program's output first, on its own stdout
    assert "Findings on lines that ran, costliest first:" in out
    assert "15.3 MiB" in out
    assert "never ran" in out and "prog.py:12" in out.split("never ran")[1]


@pytest.mark.slow
def test_exit_status_is_the_programs_own(tmp_path):
    script = write(tmp_path, "prog.py", "import sys\nprint('bye')\nsys.exit(3)\n")
    done = measure(script)
    assert done.returncode == 3
    assert "bye" in done.stdout
    crash = write(tmp_path, "crash.py", "raise ValueError('boom')\n")
    done = measure(crash)
    assert done.returncode == 1
    assert "ValueError: boom" in done.stderr


def test_a_missing_script_is_memlints_error(tmp_path):
    result = CliRunner().invoke(main, ["measure", str(tmp_path / "nope.py")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "nope.py: no such file" in result.stderr


@pytest.mark.slow
def test_the_program_sees_its_own_sys_path_and_arguments(tmp_path):
    (tmp_path / "pkg").mkdir()
    write(tmp_path / "pkg", "helper.py", "VALUE = 42\n")
    script = write(
        tmp_path / "pkg",
        "prog.py",
        """
        import sys
        import helper  # beside the script, as `python prog.py` finds it
        print(helper.VALUE, sys.argv[1:], sys.path[0])
        """,
    )
    done = measure(script, "--flag", "x", "--plot", "p", cwd=tmp_path)  # after the script: all the program's
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == f"42 ['--flag', 'x', '--plot', 'p'] {os.path.realpath(tmp_path / 'pkg')}"
    assert not (tmp_path / "p").exists()
    # -m runs a module from the current folder, as python -m does
    done = measure("-m", "prog", "y", cwd=tmp_path / "pkg")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("42 ['y'] ")


@pytest.mark.slow
def test_allocations_no_rule_explains_are_listed(tmp_path):
    script = write(
        tmp_path,
        "prog.py",
        f"""
        import numpy as np
        kept = np.ones({N})  # alive at the peak, and nothing wrong with it
        other = np.ones({N})
        print(kept.sum() + other.sum())
        """,
    )
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    top = report["unexplained_at_peak"][:2]
    assert sorted(u["line"] for u in top) == [2, 3]
    assert all(abs(u["bytes_at_peak"] - N * 8) < 0.01 * N * 8 for u in top)


@pytest.mark.slow
def test_the_resident_set_measures_lazy_zeros(tmp_path):
    # np.full writes every page; np.zeros gets them from the kernel untouched: tracemalloc counts both alike
    script = write(
        tmp_path,
        "prog.py",
        """
        import numpy as np


        def main():
            grid = np.full((4000, 4000), 0.0)
            grid[0, :] += 1.0
            return float(grid.sum())


        print(main())
        """,
    )
    report, done = measure_json(script)
    assert done.returncode == 0, done.stderr
    mem017 = by_line(report)[("MEM017", 5)]
    assert mem017["resident_bytes"] > 0.8 * 4000 * 4000 * 8
    assert mem017["cost"] == mem017["resident_bytes"]


@pytest.mark.slow
def test_the_plot_marks_the_peak_and_the_findings_where_the_data_says(tmp_path):
    from matplotlib.image import imread

    script = write(tmp_path, "prog.py", PROGRAM)
    png = tmp_path / "timeline.png"
    report, done = measure_json("--plot", png, script)
    assert done.returncode == 0, done.stderr
    plot = report["plot"]
    pixels = imread(png)
    width, height = plot["size_pixels"]
    assert pixels.shape[:2] == (height, width) == (450, 1000)
    summary = report["summary"]
    assert plot["peak"]["x"] == summary["peak_seconds"] and plot["peak"]["y"] == summary["peak_bytes"]

    def colour_at(pixel):
        x, y = (round(v) for v in pixel)
        return pixels[y, x, :3]

    def rgb(hex_colour):
        return [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]

    assert colour_at(plot["peak"]["pixel"]) == pytest.approx(rgb(plot["colours"]["peak"]), abs=0.05)
    found = by_line(report)
    assert plot["findings"], "the costliest finding is marked"
    for mark in plot["findings"]:
        f = found[(mark["code"], mark["line"])]
        assert (mark["x"], mark["y"]) == (f["time"], f["level"])
        px, py = mark["pixel"]
        far_from_peak = abs(px - plot["peak"]["pixel"][0]) + abs(py - plot["peak"]["pixel"][1]) > 12
        if far_from_peak:
            assert colour_at(mark["pixel"]) == pytest.approx(rgb(plot["colours"]["finding"]), abs=0.05)


@pytest.mark.slow
def test_compare_fixes_reports_each_fixs_saving_and_unchanged_output(tmp_path):
    script = write(tmp_path, "prog.py", PROGRAM)
    report, done = measure_json("--compare-fixes", script)
    assert done.returncode == 0, done.stderr
    compare = report["compare_fixes"]
    assert not compare["output_changed"]
    (row,) = [r for r in compare["fixes"] if r["code"] == "MEM001"]
    assert row["output_changed"] == ""
    assert abs(row["saving"] - N * 8) < 0.05 * N * 8  # `a *= 2.0` never holds two arrays
    assert compare["all"]["peak_after"] < 0.6 * compare["all"]["peak_before"]
    assert script.read_text() == textwrap.dedent(PROGRAM).lstrip()  # the project itself is untouched


@pytest.mark.slow
def test_compare_fixes_fails_loudly_when_a_fix_changes_the_output(tmp_path, monkeypatch):
    import libcst as cst

    from memlint.checks import mem001_inplace_arithmetic as mem001

    def wrong(assign, position):  # a deliberately wrong fix: `a += 2.0` for `a = a * 2.0`
        return cst.AugAssign(target=assign.targets[0].target, operator=cst.AddAssign(), value=assign.value.right)

    monkeypatch.setattr(mem001, "_augmented", wrong)
    script = write(tmp_path, "prog.py", PROGRAM)
    result = CliRunner().invoke(main, ["measure", "--output-format", "json", "--compare-fixes", str(script)])
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["compare_fixes"]["output_changed"]
    (row,) = [r for r in report["compare_fixes"]["fixes"] if r["code"] == "MEM001"]
    assert row["output_changed"] == "standard output line 1: '4000000.0' -> '6000000.0'"
    assert "a fix changed the program's output" in result.stderr


def test_without_the_extra_one_line_says_what_to_install(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "psutil" else real(name, *a))
    script = write(tmp_path, "prog.py", "print(1)\n")
    result = CliRunner().invoke(main, ["measure", str(script)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'memlint: error: memlint measure needs psutil and matplotlib: pip install "numpy-memlint[measure]" '
        "(missing: psutil)"
    )
