"""Join the findings of the files that ran with what their statements measured."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Optional

from memlint.findings import Finding

# Rules about resident pages rather than allocations: tracemalloc counts np.zeros and np.full alike (and a
# memory map not at all); the resident set tells them apart, so their cost is what the statement made resident.
RESIDENT_RULES = ("MEM009", "MEM017")
# Rules whose saving is an array another line allocated: a view kept (MEM005) keeps its whole base alive. The
# tracer follows the base after the finding's statement; its cost at the peak is the base, if the view outlived
# the function that made it (what `.copy()` would free), not the few bytes the statement allocated.
KEEPS_ALIVE_RULES = ("MEM005",)


@dataclass
class Measured:
    finding: Finding
    path: str  # the real path of the finding's file
    lines: tuple  # the statement's lines: (first, last)
    ran: bool
    executions: int = 0
    measured_bytes: int = 0  # the most one execution of the statement raised the traced memory
    total_bytes: int = 0  # summed over every execution
    bytes_at_peak: int = 0  # what the statement had allocated that was alive at the peak
    resident_bytes: Optional[int] = None  # the most one execution raised the resident set (RESIDENT_RULES)
    time: Optional[float] = None  # when its costliest execution happened (seconds after start)
    level: int = 0  # the traced memory at that moment's high

    @property
    def cost(self) -> int:
        if self.finding.code in RESIDENT_RULES and self.resident_bytes is not None:
            return max(self.resident_bytes, 0)
        return max(self.measured_bytes, self.bytes_at_peak)

    def to_dict(self) -> dict:
        d = self.finding.to_dict()
        d.update(
            ran=self.ran,
            executions=self.executions,
            measured_bytes=self.measured_bytes,
            total_bytes=self.total_bytes,
            bytes_at_peak=self.bytes_at_peak,
            resident_bytes=self.resident_bytes,
            cost=self.cost,
            statement_lines=list(self.lines),
            time=self.time,
            level=self.level,
        )
        return d


def real(path) -> str:
    return os.path.normcase(os.path.realpath(path))


def statement_lines(tree: ast.AST, line: int) -> tuple:
    """The lines of the statement a finding on ``line`` is about: a whole class for a class (its instances
    are allocated in its methods), the header of any other compound statement, else the simple statement."""
    best = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
        last = node.end_lineno or node.lineno
        if not first <= line <= last:
            continue
        body = getattr(node, "body", None)
        if isinstance(node, ast.ClassDef) and first == line:
            return (first, last)
        if body and not isinstance(node, ast.ClassDef):
            header_end = body[0].lineno - 1 if body[0].lineno > node.lineno else node.lineno
            if line > header_end:
                continue  # the finding is in the body: a statement inside is the one
            last = max(header_end, node.lineno)
        elif isinstance(node, ast.ClassDef):
            continue
        if best is None or last - first < best[1] - best[0]:
            best = (first, last)
    return best or (line, line)


def view_lines(findings: list, paths: dict) -> list:
    """[file, line, base name] for each line of a KEEPS_ALIVE_RULES finding's statement: the tracer follows the
    array that name holds when the line ends."""
    out, trees = [], {}
    for finding in findings:
        if finding.code not in KEEPS_ALIVE_RULES or finding.cell is not None:
            continue
        path = real(paths.get(finding.path, finding.path))
        tree = _tree(trees, path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and (node.lineno, node.col_offset + 1) == (finding.line, finding.column)
            ):
                first, last = statement_lines(tree, finding.line)
                out += [[path, n, node.value.id] for n in range(first, last + 1)]
                break
    return out


def _tree(trees: dict, path: str):
    if path not in trees:
        try:
            with open(path, "rb") as fh:
                trees[path] = ast.parse(fh.read())
        except (OSError, SyntaxError, ValueError):
            trees[path] = None
    return trees[path]


def join(findings: list, paths: dict, data: dict) -> tuple[list, list]:
    """(Measured for each finding in a file that ran, sorted by cost; allocation sites alive at the peak that
    no finding's statement covers, largest first: [path, line, bytes])."""
    lines: dict = {}
    for f, n, executions, max_rise, total, t, level, rss in data["lines"]:
        lines[(real(f), n)] = (executions, max_rise, total, t, level, rss)
    ran_files = {f for f, _ in lines}
    at_peak: dict = {}
    snap = data.get("at_peak") or {}
    for f, n, size in snap.get("lines", ()):
        key = (real(f), n)
        at_peak[key] = at_peak.get(key, 0) + size
    transient = (snap.get("peak", 0) - snap.get("current", 0)) if snap else 0
    running = snap.get("running_line") if snap else None
    if running and transient > 0:  # allocated by the running line and freed again between the peak and the snapshot
        key = (real(running[0]), running[1])
        at_peak[key] = at_peak.get(key, 0) + transient

    kept_alive: dict = {}  # (file, line) -> bytes of the bases its views kept alive at the peak
    bases: set = set()
    for f, n, size, base_file, base_line in snap.get("kept_alive", ()):
        kept_alive[(real(f), n)] = kept_alive.get((real(f), n), 0) + size
        if base_file is not None:
            bases.add((real(base_file), base_line))  # explained by the finding: not listed as unexplained

    trees: dict = {}
    measured, covered = [], set(bases)
    for finding in findings:
        path = real(paths.get(finding.path, finding.path))
        if path not in ran_files:
            continue
        tree = _tree(trees, path)
        span = statement_lines(tree, finding.line) if tree is not None else (finding.line, finding.line)
        m = Measured(finding, path, span, ran=False)
        ran = []
        keeps_alive = finding.code in KEEPS_ALIVE_RULES
        for n in range(span[0], span[1] + 1):
            covered.add((path, n))
            m.bytes_at_peak += kept_alive.get((path, n), 0) if keeps_alive else at_peak.get((path, n), 0)
            if (path, n) in lines:
                ran.append((n, *lines[(path, n)]))
        if ran:
            m.ran = True
            own = [r for r in ran if r[0] == finding.line]
            m.executions = (own or [max(ran, key=lambda r: r[1])])[0][1]
            costliest = max(ran, key=lambda r: r[2])
            m.measured_bytes, m.time, m.level = costliest[2], costliest[4], costliest[5]
            m.total_bytes = max(r[3] for r in ran)
            resident = [r[6] for r in ran if r[6] is not None]
            m.resident_bytes = max(resident) if resident else None
        measured.append(m)
    measured.sort(key=lambda m: (not m.ran, -m.cost, -m.bytes_at_peak, m.finding.sort_key()))
    unexplained = [[p, n, b] for (p, n), b in at_peak.items() if (p, n) not in covered and b > 0]
    unexplained += [[real(f), n, b] for f, n, b in snap.get("elsewhere", ())] if snap else []
    unexplained.sort(key=lambda x: -x[2])
    return measured, unexplained
