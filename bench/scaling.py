"""Time against the size of one file: memlint's check of a file, of the file twice over, and four times over.

    python bench/scaling.py                         # a generated file, and pandas' frame.py (from bench/run.py)
    python bench/scaling.py --file path/to/big.py --reps 5

A file doubled is the same code again, so every function's name, and every name its functions bind, is bound
twice as often: the case that was quadratic (16k lines 3.8 s, 32k 13.5 s, 50k 30.8 s, against 0.15 s to
parse). Each row gives the median CPU time of the stdlib ``ast.parse`` (the floor) and of memlint's whole
check of the file (every rule, its fixes built, in this process), and the ratio to the row above: linear time
is 2.0 per doubling, quadratic 4.0. CPU time and ratios, not wall seconds: a busy machine's load mostly
cancels out of them.
"""

from __future__ import annotations

import argparse
import ast
import functools
import gc
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def generated(functions: int) -> str:
    """Many small functions over NumPy arrays, each binding the same local names (a, b)."""
    lines = ["import numpy as np", ""]
    for i in range(functions):
        lines += [f"def f{i}(n):", "    a = np.zeros((n, n))", "    a = a * 2.0", "    b = a.sum()", "    return b", ""]
    return "\n".join(lines) + "\n"


def times(text: str, copies: int) -> str:
    """The file ``copies`` times over; a ``from __future__`` import is allowed only at the top."""
    again = re.sub(r"(?m)^from __future__ import .*$", "pass", text)
    return text + "\n" + "\n".join([again] * (copies - 1))


def median_time(run, reps: int) -> tuple:
    """(the median time of ``reps`` calls of ``run``, what it returned). The cyclic collector is off during a
    call, as memlint's engine runs each file (``engine._check_then_collect_garbage``): otherwise its passes over
    an ever larger tree make even ``ast.parse`` look superlinear."""
    samples = []
    for _ in range(reps):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            result = run()
            samples.append(time.process_time() - start)
        finally:
            gc.enable()
    return statistics.median(samples), result


def measure(name: str, text: str, reps: int) -> None:
    from memlint.checks import enabled_rules, rule_options
    from memlint.config import Config, _with_rule_defaults
    from memlint.engine import lint_text

    config = _with_rule_defaults(Config(), rule_options())
    rules = enabled_rules(config)
    lint_text("warm-up.py", text[:2000].rsplit("\n", 1)[0], config, rules)  # imports numpy, libcst once
    print(f"\n{name}")
    print(f"{'copies':>6} {'lines':>8} {'parse s':>8} {'memlint s':>10} {'x prev':>7} {'findings':>9}")
    previous = None
    for copies in (1, 2, 4):
        source = times(text, copies)
        floor, _ = median_time(functools.partial(ast.parse, source), reps)
        check, result = median_time(functools.partial(lint_text, "big.py", source, config, rules), reps)
        ratio = f"{check / previous:7.2f}" if previous else " " * 7
        print(f"{copies:>6} {source.count(chr(10)):>8} {floor:>8.2f} {check:>10.2f} {ratio} {len(result.findings):>9}")
        previous = check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, help="a real large file (default: pandas' frame.py)")
    parser.add_argument("--functions", type=int, default=2000, help="functions in the generated file")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    measure(f"generated: {args.functions} functions binding the same names", generated(args.functions), args.reps)
    path = args.file
    if path is None:
        from run import PANDAS, corpus  # bench/run.py downloads pandas' sources once

        path = corpus(PANDAS) / "pandas" / "core" / "frame.py"
    measure(f"real: {path}", path.read_text(encoding="utf-8"), args.reps)


if __name__ == "__main__":
    main()
