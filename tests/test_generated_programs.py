"""Generated programs: memlint never crashes, every fix parses, a second --fix changes nothing, and the safe
fixes keep what the program prints.

Two generators, each on a small fixed sample (seeded, a few seconds): random runnable NumPy programs built from
the patterns the rules look for (so that fixes meet each other: aliases, loops, branches, f-strings), and
hypothesmith's programs from Python's grammar (odd syntax of every kind). A failure prints the program.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from helpers import config

from memlint.checks import enabled_rules
from memlint.engine import lint_text
from memlint.findings import SAFE
from memlint.fix import applicable, fix_text, parses

N = 300  # 300 x 300 float64 is 720 KB: above min-array-bytes, so the size-aware rules speak
NAMES = ("a", "b", "c")
STATEMENTS = (
    "{x} = np.full(({n}, {n}), 0.0)",
    "{x} = np.full(({n}, {n}), {k}.5)",
    "{x} = np.full(({n}, {n}), 0.0, dtype=np.float32)",
    "{x} = np.ones(({n}, {n})) * {k}",
    "{x} = np.zeros(({n}, {n}), dtype=np.int64)",
    "{x} = {x} {op} {y}",
    "{x} = {x} {op} {k}.25",
    "{x} = {y} {op} {x}",
    "{x} = {y} {op} {k}",
    "{x} = np.{ufunc}({x})",
    "{x} = np.add({x}, {y})",
    "{x} = np.array({y})",
    "{x} = {y}.astype(np.float64)",
    "{x} = {y}.flatten().reshape({n}, {n})",
    "{x} = np.array(range({n} * {n})).reshape({n}, {n}) * 1.0",
    "{x} = np.array([0.5] * ({n} * {n})).reshape({n}, {n})",
    "{x} = {y}",
    "{x} = {y}.copy()",
    "{x} += {k}",
    "{x}[{k}, :] = {k}.75",
    "kept.append({x}[{k}, :4])",
    "out.append(round(float({x}.sum()), 3))",
    'print(f"{{round(float({x}.sum()), 3)=}}")',
    'print(f"{{np.full(({n}, {n}), 0.0).sum() = }}")',
    "{x} = np.full(  # a comment inside the call\n{indent}    ({n}, {n}), 0.0\n{indent})",
)
OPS = ("+", "-", "*")
UFUNCS = ("abs", "negative", "square", "floor")


def _block(rng: random.Random, depth: int, indent: str) -> list:
    lines = []
    for _ in range(rng.randint(2, 6)):
        roll = rng.random()
        if depth < 2 and roll < 0.12:
            lines.append(f"{indent}for step in range({rng.randint(1, 3)}):")
            lines += _block(rng, depth + 1, indent + "    ")
        elif depth < 2 and roll < 0.22:
            lines.append(f"{indent}if {rng.choice(NAMES)}.sum() > {rng.randint(-5, 5)}:")
            lines += _block(rng, depth + 1, indent + "    ")
            if rng.random() < 0.5:
                lines.append(f"{indent}else:")
                lines += _block(rng, depth + 1, indent + "    ")
        else:
            x, y = rng.choice(NAMES), rng.choice(NAMES)
            template = rng.choice(STATEMENTS)
            lines.append(
                indent
                + template.format(
                    x=x, y=y, n=N, k=rng.randint(0, 3), op=rng.choice(OPS), ufunc=rng.choice(UFUNCS), indent=indent
                )
            )
    return lines


EXTRAS = (  # whole functions for the rules that look beyond one function's statements
    # MEM005: a small view of a large local array escapes (fix: .copy())
    f"def view():\n    big = np.full(({N}, {N}), 1.5)\n    return big[0, :4]\n\n\nprint(view().sum())\n",
    # a class built in bulk: the facts MEM003 and MEM004 collect (their findings are project-wide)
    "class Point:\n    def __init__(self, x):\n        self.x = x\n\n\n"
    "def points():\n    pts = []\n    for i in range(1000):\n        pts.append(Point(i))\n    return pts\n\n\n"
    "print(sum(p.x for p in points()))\n",
    # MEM014: a Python list built only to be copied
    "def ramp(n):\n    return np.array(range(n)) * 0.5\n\n\nprint(ramp(100000).sum())\n",
)


def numpy_program(seed: int) -> str:
    """A runnable program: functions over three local arrays, their results printed."""
    rng = random.Random(seed)
    lines = ["import numpy as np", "", "kept = []", ""]
    for f in range(rng.randint(1, 3)):
        lines += [f"def f{f}():", "    out = []"]
        lines += [f"    {x} = np.full(({N}, {N}), {i + 1}.0)" for i, x in enumerate(NAMES)]
        lines += _block(rng, 0, "    ")
        lines += ["    return out, " + ", ".join(f"round(float({x}.sum()), 3)" for x in NAMES), "", ""]
        lines.append(f"print(f{f}())")
    lines += rng.sample(EXTRAS, rng.randint(0, len(EXTRAS)))
    lines.append("print(len(kept), [round(float(k.sum()), 3) for k in kept])")
    return "\n".join(lines) + "\n"


def fix_twice(text: str, unsafe: bool) -> tuple[str, bool]:
    """(the fixed text, whether only safe fixes applied); asserts no crash, parses, idempotent."""
    c = config()
    rules = enabled_rules(c)
    first = lint_text("t.py", text, c, rules)
    assert first.errors == [], first.errors
    fixed, _, errors = fix_text("t.py", text, c, unsafe, first.findings)
    assert errors == [], errors
    assert parses(fixed)
    again = lint_text("t.py", fixed, c, rules)
    assert again.errors == [], again.errors
    refixed, n, errors = fix_text("t.py", fixed, c, unsafe, again.findings)
    assert (refixed, n, errors) == (fixed, 0, []), "a second --fix changed the text"
    assert not [f for f in again.findings if applicable(f, unsafe)], "a fixable finding was left"
    only_safe = not [f for f in first.findings if f.fix and f.fix.applicability != SAFE]
    return fixed, only_safe


_RUN_ALL = r"""
import contextlib, io, json, sys, warnings
warnings.simplefilter("ignore")
outputs = []
for source in json.load(sys.stdin):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "program.py", "exec"), {"__name__": "__main__"})
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


def run_all(programs: list) -> list:
    """What each program prints, all run in one fresh interpreter (one NumPy import)."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_ALL], input=json.dumps(programs), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_generated_numpy_programs_fix_cleanly_and_keep_their_output():
    programs = [numpy_program(seed) for seed in range(24)]
    safe_pairs, changed = [], 0
    for program in programs:
        for unsafe in (False, True):
            try:
                fixed, only_safe = fix_twice(program, unsafe)
            except AssertionError as e:
                raise AssertionError(f"{e}\n--- program (unsafe={unsafe}) ---\n{program}") from None
            changed += fixed != program
            if not unsafe:
                safe_pairs.append((program, fixed))
    assert changed >= len(programs)  # the sample does exercise the fixes
    before = run_all([p for p, _ in safe_pairs])
    after = run_all([f for _, f in safe_pairs])
    for (program, fixed), b, a in zip(safe_pairs, before, after):
        assert a == b, f"the safe fixes changed the output\n--- program ---\n{program}\n--- fixed ---\n{fixed}"


@pytest.mark.slow
def test_hypothesmith_programs_never_crash_and_fix_cleanly():
    hypothesmith = pytest.importorskip("hypothesmith")
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=25,
        derandomize=True,  # the same fixed sample on every run
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hypothesmith.from_grammar())
    def check(source):
        try:
            fix_twice(source, unsafe=True)
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- program ---\n{source!r}") from None

    check()
