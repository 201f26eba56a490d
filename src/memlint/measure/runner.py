"""Run the user's program in a child interpreter (``_child.py``) and sample its resident set from here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

CHILD = str(Path(__file__).with_name("_child.py"))
# The child's own code is executed, never imported: sys.path stays the program's (python -c puts the current
# folder first; _child.py replaces it with the script's folder, as `python script.py` would).
_BOOT = (
    "import sys;p=sys.argv.pop(1);"
    "exec(compile(open(p,encoding='utf-8').read(),p,'exec'),{'__name__':'__main__','__file__':p})"
)
RSS_STEP = 0.01  # seconds between two resident set samples
# Frames kept per allocation, to find the project line under library code. Each costs time at every
# allocation (100,000 small objects: 3.6 s with 1 frame, 10 s with 8, 19 s with 16, on a loaded machine).
FRAMES = 8


class ChildFailed(Exception):
    """The child ended without a measurement (killed, crashed in C): carries its exit status."""

    def __init__(self, status: int):
        super().__init__(f"the program ended without a measurement (exit status {status})")
        self.status = status


@dataclass
class Run:
    status: int
    data: dict  # what the child measured (see _child._result)
    rss: list = field(default_factory=list)  # [seconds since the child's tracer started, resident bytes]
    stdout: Optional[bytes] = None  # when captured

    @property
    def rss_peak(self) -> Optional[int]:
        return max((r for _, r in self.rss), default=None)


def run(
    kind: str,
    target: str,
    args: list,
    roots: list,
    rss_lines: list,
    frames: int = FRAMES,
    cwd: Optional[Path] = None,
    capture: bool = False,
    stdout_to_stderr: bool = False,
    view_lines: list = (),
    traced: Optional[list] = None,
) -> Run:
    """Run ``python TARGET ARGS`` (kind "script") or ``python -m TARGET ARGS`` (kind "module") under the
    tracer; lines in files under ``roots`` are measured, ``rss_lines`` ([file, line]) also by resident set, and
    after ``view_lines`` ([file, line, name]) the array ``name`` is followed: what it holds once the line's
    function returned is what a view that escaped keeps alive. Only the lines of ``traced`` files (None: every
    project file) call the tracer; the others count to the traced line that called them."""
    import psutil

    config = json.dumps(
        {
            "roots": [str(r) for r in roots],
            "rss_lines": rss_lines,
            "view_lines": list(view_lines),
            "traced": traced,
            "frames": frames,
        }
    )
    with tempfile.TemporaryDirectory(prefix="memlint-measure-") as tmp:
        result_file = os.path.join(tmp, "result.json")
        out_path = os.path.join(tmp, "stdout")
        cmd = [sys.executable, "-c", _BOOT, CHILD, result_file, config, kind, target, *args]
        with open(out_path, "wb") as out:
            stdout = out if capture else (2 if stdout_to_stderr else None)  # 2: our standard error
            proc = subprocess.Popen(cmd, stdout=stdout, cwd=cwd)
            samples = _sample(proc, psutil)
        data = None
        if os.path.exists(result_file):
            with open(result_file, encoding="utf-8") as f:
                data = json.load(f)
        captured = Path(out_path).read_bytes() if capture else None
    if data is None:
        raise ChildFailed(proc.returncode)
    t0 = data["t0_epoch"]
    return Run(proc.returncode, data, [[round(t - t0, 6), r] for t, r in samples], captured)


def _sample(proc, psutil) -> list:
    samples = []
    try:
        process = psutil.Process(proc.pid)
        while proc.poll() is None:
            samples.append([time.time(), process.memory_info().rss])
            time.sleep(RSS_STEP)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass
    except KeyboardInterrupt:
        proc.wait()  # the child got the same interrupt: let it end as it chooses
        raise
    proc.wait()
    return samples
