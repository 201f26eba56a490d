"""The child interpreter of ``memlint measure``: runs the user's program under tracemalloc and a line tracer.

This file is executed (not imported) by ``python -c`` so that the program sees the ``sys.path`` it would see
when run as ``python script.py`` or ``python -m module``, and memlint itself is never imported into it. It
only uses the standard library (and psutil, where installed, for the resident set of a few lines).

argv: RESULT_FILE CONFIG_JSON script|module TARGET [ARGS...]. The result is one JSON document (see
``_result``); the exit status is the program's own.

How a line is measured. Every event of the line tracer (a line starting, a call, a return) in a project file
ends a segment; ``tracemalloc``'s peak since the previous event (``reset_peak``) is the highest the traced
memory went during that segment. A line's rise is the highest the memory went while it ran (its callees
included) above what was allocated when it started: for ``a = a * 2`` one array. The program's peak is the
highest segment peak; when it rises enough (SNAPSHOT_STEPS) a snapshot is taken, and the last one tells what
was alive at (or near) the peak, attributed to the innermost project frame of each allocation.
"""

import json
import os
import runpy
import sys
import time
import tracemalloc
import weakref
from array import array

# Snapshots cost time in proportion to the live allocations (0.4 s for 250,000, what importing NumPy leaves),
# and most are wasted while the peak rises slowly (a list of a million small objects growing). A new one when
# the peak passes the last snapshot's by 5% and one segment raised it by 5% (an array: the peaks that matter)
# while snapshots took at most half the run so far, or after a slow rise while they took at most 5% of it;
# always when one segment raised it 20% above the last snapshot's, or when it doubled (a program of a million
# small objects stays measurable: a few snapshots).
SNAPSHOT_STEP, JUMP_SHARE, SLOW_SHARE = 1.05, 0.5, 0.05
ALWAYS_JUMP, ALWAYS_RISE = 1.2, 2.0
PEAK_MOMENT = 1.005  # the peak's time and line are those of the last rise of 0.5% or more
SNAPSHOT_FLOOR = 1 << 20  # below 1 MiB nothing is worth a snapshot
TIMELINE_STEP = 0.002  # seconds between two timeline points (the highest point in between is kept)
# The timeline lives in a buffer made before tracing starts, so that it is no part of the program's traced
# memory (a list of points grew by ~170 B every 2 ms: 0.5 MiB by the bundled example's peak); when it is full,
# pairs of points merge and the step doubles.
TIMELINE_POINTS = 8192

_ME = os.path.abspath(__file__) if "__file__" in globals() else ""
_clock = time.perf_counter
_traced = tracemalloc.get_traced_memory
_reset_peak = tracemalloc.reset_peak


class Tracer:
    def __init__(self, roots, rss_lines, view_lines=None, traced=None):
        self.roots = tuple(os.path.join(os.path.normcase(r), "") for r in roots)
        self.excluded = ("site-packages", "dist-packages")
        self.project = {}  # co_filename -> is it a project file
        self.traced = traced  # the real paths of the files whose lines are traced (None: every project file)
        self.traced_stats = {}  # co_filename -> its lines' stats if its lines are traced, else None
        # per running project frame: [frame, line, start, line_peak, frame_peak, rss_start, its file's stats,
        # the bases followed after its view lines (view_lines), or None]
        self.stack = []
        # file -> {line: [executions % 256, max_rise, total_rise, t_of_max, level_of_max, rss_rise, executions // 256]}
        self.lines = {}
        self.rss_lines = rss_lines
        self.rss = _rss_reader() if rss_lines else None
        self.view_lines = view_lines or {}  # (file, line) -> the name of the base its view may keep alive
        self.escaped = []  # [weak reference to a base, file, line] once the base's function returned
        self.real_paths = {}  # co_filename -> its real path (view_lines name real paths)
        self.t0 = _clock()
        self.t0_epoch = time.time()
        self.peak = 0
        self.peak_time = 0.0
        self.peak_line = None
        self.snapshot_peak = 0
        self.snapshot_seconds = 0.0
        self.at_peak = None
        self.timeline = array("d", bytes(8 * 3 * TIMELINE_POINTS))  # [seconds, bytes now, highest] per point
        self.points = 0
        self.step = TIMELINE_STEP
        self.next_point = 0.0
        self.point_high = 0
        self.kept = False  # the bookkeeping of this event kept memory: read the line's start again
        self.local = self.on_event  # one bound method: `return self.on_event` would make one per event

    def is_project(self, filename):
        """Is this code's file one of the project's (where allocations are attributed)?"""
        known = self.project.get(filename)
        if known is None:
            path = os.path.normcase(os.path.abspath(filename))
            root = next((r for r in self.roots if path.startswith(r)), None)
            # a virtual environment inside the project is not the project (unless the project is in one)
            known = self.project[filename] = (
                root is not None
                and not any(x in path[len(root) :].split(os.sep) for x in self.excluded)
                and path != _ME
                and os.path.isfile(path)
            )
        return known

    def file_stats(self, filename):
        """The stats of a traced file's lines (a dict), None for a file whose lines are not traced: outside
        the project, or a project file memlint has nothing to measure in (its lines count to the traced line
        that called them, as library code does)."""
        try:
            return self.traced_stats[filename]
        except KeyError:
            pass
        traced = self.is_project(filename) and (self.traced is None or self.real(filename) in self.traced)
        stats = self.traced_stats[filename] = self.lines.setdefault(filename, {}) if traced else None
        return stats

    def real(self, filename):
        real = self.real_paths.get(filename)
        if real is None:
            real = self.real_paths[filename] = os.path.normcase(os.path.realpath(filename))
        return real

    def segment(self):
        """End the segment since the last event: its peak goes to the running line; returns (current bytes,
        the clock). Kept lean: it runs at every event, and every int it makes is an allocation tracemalloc
        traces (with its frames)."""
        current, high = _traced()
        stack = self.stack
        if stack and high > stack[-1][3]:
            stack[-1][3] = high
        now = _clock()
        if high > self.peak:
            self.new_peak(high, current, now)
        if high > self.point_high:
            self.point_high = high
        if now >= self.next_point:
            self.add_point(now - self.t0, current, self.point_high)
            self.point_high = 0
            self.next_point = now + self.step
        return current, now

    def add_point(self, seconds, current, high):
        if self.points == TIMELINE_POINTS:
            tl = self.timeline
            for k in range(TIMELINE_POINTS // 2):  # in place: point k from points 2k and 2k + 1
                i = 6 * k
                t, now, most = tl[i], tl[i + 4], max(tl[i + 2], tl[i + 5])
                tl[3 * k], tl[3 * k + 1], tl[3 * k + 2] = t, now, most
            self.points = TIMELINE_POINTS // 2
            self.step *= 2
        i = 3 * self.points
        self.timeline[i], self.timeline[i + 1], self.timeline[i + 2] = seconds, current, high
        self.points += 1

    def timeline_points(self):
        tl = self.timeline
        return [[round(tl[3 * k], 6), int(tl[3 * k + 1]), int(tl[3 * k + 2])] for k in range(self.points)]

    def new_peak(self, high, current, now):
        elapsed = now - self.t0
        if high > self.peak * PEAK_MOMENT:  # a rise that matters: remember when and where
            rec = self.stack[-1] if self.stack else None
            self.peak_time = elapsed
            self.peak_line = [rec[0].f_code.co_filename, rec[1]] if rec is not None else None
        jump = high >= self.peak * SNAPSHOT_STEP
        self.peak = high
        if high < SNAPSHOT_FLOOR or high < self.snapshot_peak * SNAPSHOT_STEP:
            return
        share = JUMP_SHARE if jump else SLOW_SHARE
        if (
            self.snapshot_seconds <= share * elapsed
            or high >= ALWAYS_RISE * self.snapshot_peak
            or jump
            and high >= ALWAYS_JUMP * self.snapshot_peak
        ):
            self.snapshot_peak = high
            started = _clock()
            self.at_peak = self.snapshot(high, current)
            self.snapshot_seconds += _clock() - started
            self.kept = True

    def snapshot(self, high, current):
        """What is alive now, by the project line that allocated it (innermost project frame), plus the
        bytes the running line allocated and freed again since the peak (``high - current``)."""
        groups = {}  # frames -> sizes: summed once per group, in C (a running sum per allocation would
        for trace in _raw_traces():  # make a new int each time, an allocation tracemalloc itself traces)
            group = groups.get(trace[2])  # (domain, size, frames innermost first, ...)
            if group is None:
                group = groups[trace[2]] = []
            group.append(trace[1])
        by_line = {}
        elsewhere = {}
        for frames, group in groups.items():
            size = sum(group)
            key = None
            for filename, lineno in frames:
                if filename == _ME:
                    key = False  # memlint's own bookkeeping
                    break
                if self.is_project(filename):
                    key = (filename, lineno)
                    break
            if key:
                by_line[key] = by_line.get(key, 0) + size
            elif key is None and frames:
                elsewhere[frames[0]] = elsewhere.get(frames[0], 0) + size
        return {
            "peak": high,
            "current": current,
            "kept_alive": self.kept_alive(),
            "time": round(_clock() - self.t0, 6),
            "running_line": list(self.stack_line()) if self.stack else None,
            "lines": [[f, n, b] for (f, n), b in by_line.items()],
            "elsewhere": [[f, n, b] for (f, n), b in sorted(elsewhere.items(), key=lambda kv: -kv[1])[:20]],
        }

    def kept_alive(self):
        """[view file, line, bytes, base's file, line] for each followed base still alive after its function
        returned (a view of it lives on), pruning the dead ones."""
        alive, seen, out = [], set(), []
        for entry in self.escaped:
            base = entry[0]()
            if base is None:
                continue
            alive.append(entry)
            if id(base) in seen:
                continue
            seen.add(id(base))
            where = [None, None]
            traceback = tracemalloc.get_object_traceback(base)
            for frame in reversed(traceback or ()):  # innermost first
                if self.is_project(frame.filename):
                    where = [frame.filename, frame.lineno]
                    break
            out.append([entry[1], entry[2], int(base.nbytes), *where])
        self.escaped = alive
        return out

    def stack_line(self):
        rec = self.stack[-1]
        return rec[0].f_code.co_filename, rec[1]

    # -- sys.settrace callbacks --

    def on_call(self, frame, event, arg):
        stats = self.file_stats(frame.f_code.co_filename)
        if stats is None:
            return None
        current, _ = self.segment()
        self.stack.append([frame, None, current, current, current, None, stats, None])
        _reset_peak()  # after the bookkeeping: what the tracer allocated is not the program's peak
        return self.local

    def on_event(self, frame, event, arg):
        if event == "line":
            current, now = self.segment()
            rec = self.stack[-1]
            if rec[0] is not frame:
                rec = self._find(frame)
                if rec is None:
                    _reset_peak()
                    return self.local
            if rec[1] is not None:
                self.close_line(rec, now)
            rec[1] = frame.f_lineno
            if self.kept:  # the bookkeeping kept memory (a new line's stats, a snapshot): not the line's
                current = _traced()[0]
                self.kept = False
            rec[2] = rec[3] = current
            if self.rss is not None and (frame.f_code.co_filename, rec[1]) in self.rss_lines:
                rec[5] = self.rss()
        elif event == "return":
            current, now = self.segment()
            rec = self._find(frame)
            if rec is not None:
                if rec[1] is not None:
                    self.close_line(rec, now)
                elif rec[3] > rec[4]:
                    rec[4] = rec[3]
                self.stack.pop()
                if rec[7] is not None:  # the function returned: what still holds its bases is not it
                    self.escaped += rec[7]
                if self.stack and rec[4] > self.stack[-1][3]:
                    self.stack[-1][3] = rec[4]
        _reset_peak()
        return self.local

    def _find(self, frame):
        """The record of ``frame``, dropping records above it (frames left without a return event)."""
        if self.stack and self.stack[-1][0] is frame:
            return self.stack[-1]
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] is frame:
                del self.stack[i + 1 :]
                return self.stack[i]
        return None

    def close_line(self, rec, now):
        """The running line of ``rec`` ends: its rise (highest during it above its start) goes to its stats."""
        high = rec[3]
        if high > rec[4]:
            rec[4] = high
        stats = rec[6].get(rec[1])
        if stats is None:
            stats = rec[6][rec[1]] = [0, -1, 0, 0.0, 0, None, 0]
            self.kept = True
        # executions: stats[0] counts to 256 (Python caches those ints), stats[6] the 256s (an int above 256
        # is an allocation tracemalloc traces, at every execution)
        count = stats[0] + 1
        if count == 256:
            stats[6] += 1
            count = 0
        stats[0] = count
        rise = high - rec[2]
        if rise:  # most lines allocate nothing: 0 is a cached int, a sum would be a new one
            stats[2] += rise
        if rise > stats[1]:
            stats[1] = rise
            stats[3] = now
            stats[4] = high
        if self.view_lines:
            self.follow_base(rec)
        if rec[5] is not None:
            grown = self.rss() - rec[5]
            stats[5] = grown if stats[5] is None else max(stats[5], grown)
            rec[5] = None

    def follow_base(self, rec):
        """After a view line (MEM005): a weak reference to the array its base name holds, to see at the snapshot
        whether it outlived the function (then a view kept it alive)."""
        frame = rec[0]
        name = self.view_lines.get((self.real(frame.f_code.co_filename), rec[1]))
        if name is None:
            return
        base = frame.f_locals.get(name)
        if base is None or not hasattr(base, "nbytes"):
            return
        try:
            ref = weakref.ref(base)
        except TypeError:
            return
        if rec[7] is None:
            rec[7] = []
        if all(r() is not base for r, _, _ in rec[7]):
            rec[7].append((ref, frame.f_code.co_filename, rec[1]))
            self.kept = True


def _raw_traces():
    """Every live allocation as (domain, size, ((file, line), ...) innermost first, ...): the snapshot's own
    data, without building a Trace object for each (a snapshot of millions of allocations takes seconds)."""
    get = getattr(tracemalloc, "_get_traces", None)
    if get is not None:
        return get()
    return [
        (t.domain, t.size, tuple((f.filename, f.lineno) for f in reversed(t.traceback)))
        for t in tracemalloc.take_snapshot().traces
    ]


def _rss_reader():
    try:
        import psutil
    except ImportError:
        return None
    process = psutil.Process()
    return lambda: process.memory_info().rss


def _result(tracer, status, wall, overhead):
    t0 = tracer.t0
    lines = [
        [f, n, s[6] * 256 + s[0], s[1], s[2], round(s[3] - t0, 6), s[4], s[5]]
        for f, by_line in tracer.lines.items()
        for n, s in by_line.items()
    ]
    modules = sorted({os.path.abspath(m.__file__) for m in list(sys.modules.values()) if getattr(m, "__file__", None)})
    return {
        "status": status,
        "peak": tracer.peak,
        "peak_time": tracer.peak_time,
        "peak_line": tracer.peak_line,
        "wall": wall,
        "t0_epoch": tracer.t0_epoch,
        "tracemalloc_overhead": overhead,
        "lines": lines,
        "at_peak": tracer.at_peak,
        "timeline": tracer.timeline_points(),
        "modules": modules,
    }


def main():
    result_file, config = sys.argv[1], json.loads(sys.argv[2])
    kind, target, args = sys.argv[3], sys.argv[4], sys.argv[5:]
    views = {(f, n): name for f, n, name in config.get("view_lines", ())}
    traced = config.get("traced")
    traced = None if traced is None else {os.path.normcase(os.path.realpath(f)) for f in traced}
    tracer = Tracer(config["roots"], {(f, n) for f, n in config["rss_lines"]}, views, traced)
    if kind == "script":
        sys.argv = [target, *args]
        sys.path[0] = os.path.dirname(os.path.realpath(target))
        target = os.path.abspath(target)  # as __main__.__file__ is since Python 3.9
    else:
        sys.argv = [target, *args]  # runpy puts the module's file in argv[0]
        sys.path[0] = os.getcwd()
    status = 0
    overhead = 0
    tracemalloc.start(config["frames"])
    start = time.perf_counter()
    sys.settrace(tracer.on_call)
    try:
        if kind == "script":
            runpy.run_path(target, run_name="__main__")
        else:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
    except SystemExit as e:
        code = e.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            print(code, file=sys.stderr)
            status = 1
    except BaseException:
        sys.settrace(None)
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        sys.settrace(None)
        wall = time.perf_counter() - start
        tracer.next_point = 0.0  # the last point of the timeline: what the program still held at its end
        tracer.segment()
        overhead = tracemalloc.get_tracemalloc_memory()
        tracemalloc.stop()
    try:
        sys.stdout.flush()
    except Exception:
        pass
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(_result(tracer, status, wall, overhead), f)
    sys.exit(status)


if __name__ == "__main__":
    main()
