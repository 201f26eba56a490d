"""The rule catalog's costs, measured by memlint itself (a benchmark, not a test).

    python bench/catalog.py                  # every rule; writes each rule's `measured` text into rules/*.toml
    python bench/catalog.py MEM001 MEM017    # some rules
    python bench/catalog.py --no-write       # print only

Each rule's `example` and `use_instead` run exactly as the catalog shows them, under
`memlint measure --output-format json`, in a fresh folder. Where the example only defines a function, DRIVERS
adds the call that runs it (the same line to both), and FIXTURES writes the files it reads. From each pair of
runs come the figures the catalog quotes in its "Measured" section: the peak of traced allocations
(tracemalloc, NumPy's buffers included), the resident set's peak (psutil), what the program still held at
its end, and for the example's findings what their statements allocated. Results also go to
bench/catalog-results.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from memlint import catalog  # noqa: E402
from memlint.facts.numpy_api import format_bytes  # noqa: E402

DRIVERS = {
    "MEM005": "kept = header()\n",
    "MEM006": "samples(40_000)\n",
    "MEM007": "samples(1_000_000)\n",
    "MEM010": 'revenue("sales.csv")\n',
    "MEM011": 'load("sales.csv")\n',
    "MEM013": "kept = scaled_and_clipped()\n",
    "MEM016": "step(10_000_000)\n",
}
CSV_ROWS = 1_000_000
NPY_ITEMS = 50_000_000  # 381.5 MiB of float64


def _features(folder: Path) -> None:
    import numpy as np

    np.save(folder / "features.npy", np.random.default_rng(0).random(NPY_ITEMS))


def _sales(folder: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "price": rng.random(CSV_ROWS) * 100,
            "quantity": rng.integers(1, 20, CSV_ROWS),
            "region": rng.choice(["north", "south", "east", "west"], CSV_ROWS),
            "day": rng.integers(0, 365, CSV_ROWS),
            "notes": rng.choice(["", "gift", "returned", "priority"], CSV_ROWS),
        }
    ).to_csv(folder / "sales.csv", index=False)


FIXTURES = {"MEM009": _features, "MEM010": _sales, "MEM011": _sales}


def run_variant(code: str, source: str, cache: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"catalog-{code}-") as tmp:
        folder = Path(tmp)
        if code in FIXTURES:
            for f in cache.glob("*"):
                (folder / f.name).symlink_to(f)
        (folder / "prog.py").write_text(textwrap.dedent(source).strip() + "\n" + DRIVERS.get(code, ""))
        done = subprocess.run(
            [sys.executable, "-m", "memlint", "measure", "--output-format", "json", "prog.py"],
            cwd=folder,
            capture_output=True,
            text=True,
        )
    if not done.stdout:
        raise SystemExit(f"{code}: memlint measure failed: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    report["program_output"] = done.stderr
    report["exit_status"] = done.returncode
    return report


def size(n) -> str:
    return "-" if n is None else format_bytes(n)


def describe(code: str, example: dict, instead: dict, source: str = "") -> str:
    """The catalog's "Measured" text for one rule, from its two runs (``source``: the example's code)."""
    e, u = example["summary"], instead["summary"]
    parts = [
        f"Measured by `python bench/catalog.py {code}` (memlint measure; CPython {platform.python_version()}, "
        f"NumPy {_version('numpy')}{', pandas ' + _version('pandas') if code in ('MEM010', 'MEM011') else ''}, "
        f"{platform.system()}): the example peaks at {size(e['peak_bytes'])} of allocations "
        f"(resident set {size(e['resident_peak_bytes'])}), `use_instead` at {size(u['peak_bytes'])} "
        f"(resident set {size(u['resident_peak_bytes'])})"
    ]
    if u["peak_bytes"]:
        parts[0] += f": {e['peak_bytes'] / u['peak_bytes']:.2f}x."
    else:
        parts[0] += "."
    if abs(e["end_bytes"] - u["end_bytes"]) > 1 << 20:
        parts.append(
            f"At its end the example still holds {size(e['end_bytes'])}, `use_instead` {size(u['end_bytes'])}."
        )
    flagged = [f for f in example["findings"] if f["code"] == code and f["ran"]]
    if code == "MEM003":  # the finding is the class statement: what matters is the saving per instance
        count = _bulk_count(source)
        saved = e["end_bytes"] - u["end_bytes"]
        parts.append(
            f"Per instance `__slots__` saves {saved / count:.1f} B (what the example still holds at its end, "
            f"less what `use_instead` holds, over its {count:,} points)."
        )
        flagged = []
    for f in flagged[:3]:
        line = f"Line {f['line']} ({_statement(example, f)}) "
        if code in ("MEM009", "MEM017") and f["resident_bytes"] is not None:
            line += f"made {size(f['resident_bytes'])} resident"
        else:
            line += f"allocated {size(f['measured_bytes'])} at once"
        if f["executions"] > 1:
            line += f", ran {f['executions']} times and allocated {size(f['total_bytes'])} in all"
        if f["estimated_bytes"]:
            line += f" (memlint's estimate: {size(f['estimated_bytes'])})"
        parts.append(line + ".")
    if code == "MEM015":
        parts.append(
            f"The example prints {example['program_output'].strip()!r}, `use_instead` {instead['program_output'].strip()!r}."
        )
    return "\n".join(textwrap.wrap(" ".join(parts), 110))


def _bulk_count(source: str) -> int:
    """How many instances the example builds: its `range(N)`."""
    return int(re.search(r"range\(([\d_]+)\)", source).group(1).replace("_", ""))


def _statement(report: dict, finding: dict) -> str:
    return "`" + finding["snippet"].strip().splitlines()[0][:60] + "`" if finding.get("snippet") else "the statement"


def _version(name: str) -> str:
    try:
        return __import__(name).__version__
    except ImportError:
        return "?"


def write_measured(code: str, text: str) -> None:
    path = ROOT / "rules" / f"{code}.toml"
    toml = path.read_text()
    block = f'measured = """\n{text}\n"""\n'
    if re.search(r'^measured = """.*?"""\n', toml, flags=re.S | re.M):
        toml = re.sub(r'^measured = """.*?"""\n', lambda m: block, toml, flags=re.S | re.M)
    else:
        toml = toml.replace("\nreferences = ", "\n" + block + "references = ", 1)
    path.write_text(toml)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="*")
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()
    # MEM000 (a syntax error) and MEM100 (an unused noqa comment) cost no memory: nothing to measure
    docs = {c: d for c, d in catalog.load().items() if c not in ("MEM000", "MEM100")}
    codes = options.codes or list(docs)
    rows = ["| rule | example peak | use_instead peak | ratio | example resident | use_instead resident |"]
    rows.append("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="catalog-fixtures-") as fixtures:
        cache = Path(fixtures)
        made = set()
        for code in codes:
            make = FIXTURES.get(code)
            if make is not None and make not in made:
                make(cache)
                made.add(make)
            doc = docs[code]
            example = run_variant(code, doc.example, cache)
            instead = run_variant(code, doc.use_instead, cache)
            text = describe(code, example, instead, doc.example)
            print(f"{code}:\n{text}\n", flush=True)
            e, u = example["summary"], instead["summary"]
            ratio = f"{e['peak_bytes'] / u['peak_bytes']:.2f}x" if u["peak_bytes"] else "-"
            rows.append(
                f"| {code} | {size(e['peak_bytes'])} | {size(u['peak_bytes'])} | {ratio} | "
                f"{size(e['resident_peak_bytes'])} | {size(u['resident_peak_bytes'])} |"
            )
            if not options.no_write:
                write_measured(code, text)
    if not options.no_write and set(codes) == set(docs):
        (HERE / "catalog-results.md").write_text(
            "# The catalog's costs, measured by `python bench/catalog.py`\n\n" + "\n".join(rows) + "\n"
        )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
