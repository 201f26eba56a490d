"""What ``memlint measure`` prints: a table for people, JSON for tools, a timeline picture."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

from memlint.facts.numpy_api import format_bytes

TOP_MARKS = 5  # findings marked on the picture
PLOT_SIZE = (10, 4.5)  # inches, at PLOT_DPI: a 1000 x 450 pixel picture
PLOT_DPI = 100
PEAK_COLOUR = "#d62728"
FINDING_COLOUR = "#ff7f0e"


def size(n: Optional[int]) -> str:
    if n is None:
        return "-"
    return ("-" if n < 0 else "") + format_bytes(abs(int(n)))


def display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith(".." + os.sep + "..") else rel


def summary(run, label: str) -> dict:
    d = run.data
    return {
        "program": label,
        "exit_status": run.status,
        "seconds": round(d["wall"], 3),
        "peak_bytes": d["peak"],
        "peak_seconds": d["peak_time"],
        "peak_line": [display(d["peak_line"][0]), d["peak_line"][1]] if d["peak_line"] else None,
        "end_bytes": d["timeline"][-1][1] if d["timeline"] else None,
        "resident_peak_bytes": run.rss_peak,
        "tracemalloc_own_bytes": d["tracemalloc_overhead"],
        # what was alive "at the peak" was recorded when the traced memory was here (at most 5% short of the
        # peak but where snapshots would have cost too much: see _child.SNAPSHOT_STEP)
        "at_peak_recorded_bytes": (d.get("at_peak") or {}).get("peak"),
    }


def to_json(run, label, measured, unexplained, not_run_files: int, plot=None, compare=None) -> str:
    out = {
        "summary": summary(run, label),
        "findings": [m.to_dict() for m in measured],
        "findings_in_files_not_run": not_run_files,
        "unexplained_at_peak": [{"path": display(p), "line": n, "bytes_at_peak": b} for p, n, b in unexplained[:10]],
        "timeline": run.data["timeline"],
        "resident_timeline": run.rss,
    }
    if plot is not None:
        out["plot"] = plot
    if compare is not None:
        out["compare_fixes"] = compare
    return json.dumps(out, indent=2) + "\n"


def to_text(run, label, measured, unexplained, not_run_files: int, compare=None) -> str:
    s = summary(run, label)
    out = [
        f"memlint measure: {label} exited {run.status} after {s['seconds']:.2f} s under the tracer "
        f"(tracemalloc's own bookkeeping: {size(s['tracemalloc_own_bytes'])}, not counted)",
    ]
    peak = f"peak {size(s['peak_bytes'])} of traced allocations at {s['peak_seconds']:.2f} s"
    if s["peak_line"]:
        peak += f", while {s['peak_line'][0]}:{s['peak_line'][1]} ran"
    if s["resident_peak_bytes"] is not None:
        peak += f"; resident set peaked at {size(s['resident_peak_bytes'])}"
    out.append(peak)
    recorded = s["at_peak_recorded_bytes"]
    if recorded is not None and recorded < 0.95 * s["peak_bytes"]:
        out.append(
            f"(what was alive at the peak was recorded at {size(recorded)}, "
            f"{100 * recorded / s['peak_bytes']:.0f}% of it: more snapshots would have cost too much time)"
        )
    ran = [m for m in measured if m.ran]
    if ran:
        out += ["", "Findings on lines that ran, costliest first:"]
        rows = [("#", "code", "location", "allocated", "at peak", "runs", "resident", "finding")]
        for i, m in enumerate(ran, 1):
            rows.append(
                (
                    str(i),
                    m.finding.code,
                    f"{m.finding.path}:{m.finding.line}",
                    size(m.measured_bytes),
                    size(m.bytes_at_peak),
                    str(m.executions),
                    size(m.resident_bytes),
                    _short(m.finding.message),
                )
            )
        out += _table(rows)
    never = [m for m in measured if not m.ran]
    if never:
        out += ["", "Findings on lines that never ran (not measured):"]
        out += [f"  {m.finding.code}  {m.finding.path}:{m.finding.line}  {_short(m.finding.message)}" for m in never]
    if not_run_files:
        out += ["", f"{not_run_files} finding{'s' if not_run_files != 1 else ''} in project files that never ran."]
    if unexplained:
        out += ["", "Largest allocations alive at the peak that no rule explains:"]
        out += [f"  {size(b):>10}  {display(p)}:{n}  {_source_line(p, n)}" for p, n, b in unexplained[:5]]
    if compare is not None:
        out += ["", *compare_text(compare)]
    return "\n".join(out) + "\n"


def compare_text(compare: dict) -> list:
    out = ["--compare-fixes: each fix alone, then all together, on a temporary copy of the project:"]
    for row in compare["fixes"]:
        line = f"  {row['code']} {row['path']}:{row['line']}: "
        if row.get("error"):
            line += row["error"]
        else:
            line += f"peak {size(row['peak_before'])} -> {size(row['peak_after'])} (saves {size(row['saving'])})"
            if row["output_changed"]:
                line += "  !! THE FIX CHANGED THE PROGRAM'S OUTPUT: " + row["output_changed"]
        out.append(line)
    total = compare.get("all")
    if total:
        line = f"  all {total['fixes']} fixes: peak {size(total['peak_before'])} -> {size(total['peak_after'])}"
        line += f" (saves {size(total['saving'])})"
        if total["output_changed"]:
            line += "  !! THE FIXES CHANGED THE PROGRAM'S OUTPUT: " + total["output_changed"]
        out.append(line)
    out += [f"  warning: {w}" for w in compare.get("warnings", ())]
    return out


def _table(rows: list) -> list:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    right = {0, 3, 4, 5, 6}
    out = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  " + "  ".join(cells) + "  " + r[-1])
    return out


def _short(message: str, width: int = 70) -> str:
    return message if len(message) <= width else message[: width - 3] + "..."


def _source_line(path: str, line: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for i, text in enumerate(f, 1):
                if i == line:
                    return _short(text.strip(), 60)
    except OSError:
        pass
    return ""


def plot(run, measured, path: Path) -> dict:
    """Draw the timeline to ``path``; returns where the marks are, in data and pixel coordinates (pixels from
    the top left of the picture) so that a test or a tool can find them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mib = 1024 * 1024
    d = run.data
    fig, ax = plt.subplots(figsize=PLOT_SIZE, dpi=PLOT_DPI)
    try:
        if d["timeline"]:
            ax.plot([p[0] for p in d["timeline"]], [p[2] / mib for p in d["timeline"]], color="#1f77b4", lw=1.2)
        if run.rss:
            ax.plot([p[0] for p in run.rss], [p[1] / mib for p in run.rss], color="#999999", lw=0.8, ls="--")
        ax.plot([], [], color="#1f77b4", label="traced allocations (tracemalloc)")
        if run.rss:
            ax.plot([], [], color="#999999", ls="--", label="resident set (psutil)")
        marks = []
        top = [m for m in measured if m.ran and m.time is not None and m.cost > 0][:TOP_MARKS]
        for i, m in enumerate(top, 1):
            ax.plot([m.time], [m.level / mib], marker="v", ms=9, color=FINDING_COLOUR, ls="none", zorder=4)
            ax.annotate(f"{i} {m.finding.code}", (m.time, m.level / mib), xytext=(4, 8), textcoords="offset points")
            marks.append({"rank": i, "code": m.finding.code, "line": m.finding.line, "x": m.time, "y": m.level})
        ax.plot([d["peak_time"]], [d["peak"] / mib], marker="o", ms=9, color=PEAK_COLOUR, ls="none", zorder=5)
        ax.annotate(
            f"peak {size(d['peak'])}", (d["peak_time"], d["peak"] / mib), xytext=(6, -14), textcoords="offset points"
        )
        ax.set_xlabel("seconds")
        ax.set_ylabel("MiB")
        ax.set_ylim(bottom=0, top=max(d["peak"] / mib, (run.rss_peak or 0) / mib) * 1.15 or 1)
        ax.legend(loc="upper left", fontsize="small")
        ax.set_title("memlint measure: memory over time, peak and costliest findings")
        fig.canvas.draw()
        height = fig.get_size_inches()[1] * fig.dpi

        def pixel(x, y):
            px, py = ax.transData.transform((x, y / mib))
            return [round(float(px), 1), round(float(height - py), 1)]

        peak = {"x": d["peak_time"], "y": d["peak"], "pixel": pixel(d["peak_time"], d["peak"])}
        for mark in marks:
            mark["pixel"] = pixel(mark["x"], mark["y"])
        fig.savefig(path, dpi=PLOT_DPI)
    finally:
        plt.close(fig)
    return {
        "file": str(path),
        "size_pixels": [int(PLOT_SIZE[0] * PLOT_DPI), int(PLOT_SIZE[1] * PLOT_DPI)],
        "peak": peak,
        "findings": marks,
        "colours": {"peak": PEAK_COLOUR, "finding": FINDING_COLOUR},
    }
