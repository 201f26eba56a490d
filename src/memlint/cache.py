"""The result cache: one JSON entry per checked file in ``.memlint_cache/`` beside the configuration.

An entry holds a file's ``FileResult`` (findings, errors, project-wide facts, suppressions) and is reused
only when everything that decides it is unchanged: the file's bytes (a content hash, not a timestamp), its
path and module name, and, through the folder the entries live in, the run's key: memlint's version, its
own code and knowledge (calls.toml), the configuration's fingerprint, the set of enabled rules, the Python and
NumPy versions.
Project-wide findings are never cached: they are rebuilt every run from the cached per-file facts.

Entries are plain JSON, never pickle (a cache checked out of a repository must not be a way to run code),
are written atomically (a reader never sees half an entry), and any entry that cannot be read, does not
match its checksum (edited or damaged since it was written) or does not have the expected keys and types is
a miss, never a crash. The cache is bounded: see ``MAX_RUN_KEYS``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Optional

from memlint.findings import SAFE, UNSAFE, Finding
from memlint.results import FileResult
from memlint.suppress import Suppressions

CACHE_DIR = ".memlint_cache"
_FORMAT = 6  # the layout of an entry; bumped when it changes (2: findings before suppressions; 3: cells;
# 4: the functions a file summarizes, the ones it calls, and the summaries it was checked with; 5: warnings;
# 6: the result as checksummed JSON text)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def run_key(config, rule_codes) -> str:
    """What every entry of a run depends on besides the file itself."""
    import memlint

    parts = {
        "format": _FORMAT,
        "memlint": memlint.__version__,
        "code": _own_code_stamp(),
        "config": config.fingerprint(),
        "rules": sorted(rule_codes),
        "python": [sys.version, sys.implementation.cache_tag],
        "numpy": _numpy_version(),
    }
    return digest(json.dumps(parts, sort_keys=True).encode())


def _own_code_stamp() -> str:
    """memlint's own source files by size and modification time: an edited rule is a new key even where the
    version number did not change (a development checkout). Its knowledge too: facts/calls.toml."""
    root = Path(__file__).parent
    stamps = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".toml")):
                st = os.stat(os.path.join(folder, name))
                stamps.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{st.st_size}:{st.st_mtime_ns}")
    return digest("\n".join(stamps).encode())


def _numpy_version() -> str:
    """NumPy's version file, read without importing NumPy (which costs a tenth of a second)."""
    try:
        spec = importlib.util.find_spec("numpy")
        folder = (spec.submodule_search_locations or [])[0] if spec else None
        with open(os.path.join(folder, "version.py"), "rb") as f:
            return digest(f.read())
    except (ImportError, OSError, IndexError, TypeError, ValueError):
        return "unknown"


MAX_RUN_KEYS = 4  # configurations (or --select sets, memlint versions) whose entries are kept at once
UNUSED_DAYS = 7  # a run key unused this long is removed, however few there are


def _prune(top: Path, keep: Path) -> None:
    """Bound the cache: keep the entries of the ``MAX_RUN_KEYS`` most recently used run keys (``keep``, the
    one in use, among them), and none unused for ``UNUSED_DAYS``. So the cache holds at most four results
    per file, whatever the number of configurations, ``--select`` sets or memlint versions it has seen."""
    import shutil
    import time

    limit = time.time() - UNUSED_DAYS * 86400
    others = []
    for folder in top.iterdir():
        try:
            if folder != keep and folder.is_dir() and not folder.is_symlink():
                others.append((folder.stat().st_mtime, folder))
        except OSError:
            pass
    others.sort(reverse=True)
    for rank, (used, folder) in enumerate(others):
        if rank >= MAX_RUN_KEYS - 1 or used < limit:
            shutil.rmtree(folder, ignore_errors=True)


def result_to_json(result: FileResult) -> dict:
    return {
        "path": result.path,
        "findings": [f.to_dict() for f in result.findings],
        "errors": list(result.errors),
        "warnings": list(result.warnings),
        "project_facts": result.project_facts,
        "suppressions": result.suppressions.to_json() if result.suppressions is not None else None,
        "cells": result.cells,
        "functions": result.functions,
        "calls": result.calls,
        "used_functions": result.used_functions,
    }


_RESULT_KEYS = {"path", "findings", "errors", "warnings", "project_facts", "suppressions", "cells"}
_RESULT_KEYS |= {"functions", "calls", "used_functions"}


def result_from_json(d) -> FileResult:
    """Raises ValueError for anything that is not a result this memlint wrote (wrong keys or types)."""
    _expect(isinstance(d, dict) and set(d) == _RESULT_KEYS)
    _expect(isinstance(d["path"], str) and isinstance(d["findings"], list) and isinstance(d["errors"], list))
    _expect(all(isinstance(e, str) for e in d["errors"]))
    facts = d["project_facts"]
    _expect(isinstance(facts, dict) and all(isinstance(k, str) and isinstance(v, dict) for k, v in facts.items()))
    for f in d["findings"]:
        _expect_finding(f)
    s = d["suppressions"]  # Suppressions.from_json checks its own shape
    cells = d["cells"]
    if cells is not None:  # notebook.cell_map: [number, start, lines, masked lines, file line of each line]
        _expect(isinstance(cells, list))
        for c in cells:
            _expect(isinstance(c, list) and len(c) == 5 and all(_int(x) for x in c[:3]))
            _expect(_ints(c[3]) and _ints(c[4]) and len(c[4]) == c[2])
    _expect(isinstance(d["warnings"], list) and all(isinstance(w, str) for w in d["warnings"]))
    functions, calls, used = d["functions"], d["calls"], d["used_functions"]
    _expect(isinstance(functions, dict) and isinstance(used, dict) and isinstance(calls, list))
    _expect(all(isinstance(k, str) for k in functions) and all(isinstance(k, str) for k in used))
    _expect(all(isinstance(c, str) for c in calls))
    return FileResult(
        path=d["path"],
        findings=[Finding.from_dict(f) for f in d["findings"]],
        errors=list(d["errors"]),
        warnings=list(d["warnings"]),
        project_facts=facts,
        suppressions=Suppressions.from_json(s) if s is not None else None,
        cells=d["cells"],
        functions=functions,
        calls=list(calls),
        used_functions=used,
    )


_POSITIONS = ("line", "column", "end_line", "end_column")
_FINDING_KEYS = {"code", "message", "path", *_POSITIONS, "estimated_bytes", "fix", "snippet", "fingerprint"}
_FINDING_KEYS |= {"cell", "file_lines"}  # notebooks


def _expect(ok: bool) -> None:
    if not ok:
        raise ValueError("not a memlint cache entry")


def _int(v) -> bool:
    return type(v) is int and v >= 0


def _ints(v) -> bool:
    return isinstance(v, list) and all(_int(x) for x in v)


def _expect_finding(f) -> None:
    _expect(isinstance(f, dict) and set(f) == _FINDING_KEYS)
    _expect(all(isinstance(f[k], str) for k in ("code", "message", "path", "snippet", "fingerprint")))
    _expect(all(_int(f[k]) for k in _POSITIONS) and (f["estimated_bytes"] is None or _int(f["estimated_bytes"])))
    _expect((f["cell"] is None or _int(f["cell"])) and (f["file_lines"] is None or _ints(f["file_lines"])))
    fix = f["fix"]
    if fix is not None:
        _expect(isinstance(fix, dict) and set(fix) == {"applicability", "message", "edits"})
        _expect(fix["applicability"] in (SAFE, UNSAFE) and isinstance(fix["message"], str))
        _expect(isinstance(fix["edits"], list) and len(fix["edits"]) > 0)
        for e in fix["edits"]:
            _expect(isinstance(e, dict) and set(e) == {*_POSITIONS, "content"})
            _expect(all(_int(e[k]) and e[k] >= 1 for k in _POSITIONS) and isinstance(e["content"], str))


class Cache:
    """The entries of one run key. Instances are small and picklable: worker processes write their own."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def open(cls, config, rule_codes) -> Optional[Cache]:
        """The cache for this run, or None where the folder cannot be created (caching is then off)."""
        top = Path(config.root) / CACHE_DIR
        folder = top / run_key(config, rule_codes)
        try:
            if not folder.is_dir():
                top.mkdir(exist_ok=True)
                ignore = top / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# Created by memlint: the cache is not part of the project.\n*\n")
                folder.mkdir(exist_ok=True)
                _prune(top, keep=folder)
            else:
                os.utime(folder)  # in use: see _prune
        except OSError:
            return None
        return cls(folder)

    def _entry(self, path: Path, display: str) -> Path:
        name = digest(f"{os.path.abspath(path)}\0{display}".encode())
        return self.folder / f"{name}.json"

    def load(
        self, path: Path, display: str, module: str, config_key: str = "", keep_source: bool = False
    ) -> Optional[FileResult]:
        """The cached result of this file if its bytes are unchanged since it was stored, else None.
        ``config_key``: the fingerprint of a nearer configuration that governs the file, or "".
        ``keep_source``: the result carries the bytes it stands for (``FileResult.data``)."""
        try:
            with open(self._entry(path, display), "rb") as f:
                entry = json.loads(f.read())
            if entry.get("module") != module or entry.get("config", "") != config_key:
                return None
            with open(path, "rb") as f:
                data = f.read()
            if entry["digest"] != digest(data):
                return None
            text = entry["result"]
            if entry["check"] != digest(text.encode()):  # an entry edited or damaged since it was written
                return None
            result = result_from_json(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # no entry, a stale or corrupt one, or an unreadable file: check it afresh
        if keep_source:
            result.data = data
        return result if result.path == display else None

    def store(
        self, path: Path, display: str, module: str, data: bytes, result: FileResult, config_key: str = ""
    ) -> None:
        """Write one entry atomically; a cache that cannot be written is silently skipped."""
        try:
            text = json.dumps(result_to_json(result), separators=(",", ":"))
        except (TypeError, ValueError):
            return
        check = digest(text.encode())
        entry = {"digest": digest(data), "module": module, "config": config_key, "check": check, "result": text}
        target = self._entry(path, display)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(entry, f, separators=(",", ":"))
            os.replace(tmp, target)
        except (OSError, TypeError, ValueError):
            try:
                os.unlink(tmp)
            except OSError:
                pass
