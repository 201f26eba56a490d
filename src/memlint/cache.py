"""The result cache: one JSON entry per checked file in ``.memlint_cache/`` beside the configuration.

An entry holds a file's ``FileResult`` (findings, errors, project-wide facts, suppressions) and is reused
only when everything that decides it is unchanged: the file's bytes (a content hash, not a timestamp), its
path and module name, and, through the folder the entries live in, the run's key: memlint's version and its
own code, the configuration's fingerprint, the set of enabled rules, the Python and NumPy versions.
Project-wide findings are never cached: they are rebuilt every run from the cached per-file facts.

Entries are plain JSON, never pickle (a cache checked out of a repository must not be a way to run code),
are written atomically (a reader never sees half an entry), and any entry that cannot be read or does not
have the expected shape is a miss, never a crash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Optional

from memlint.findings import Finding
from memlint.results import FileResult
from memlint.suppress import Suppressions

CACHE_DIR = ".memlint_cache"
_FORMAT = 5  # the layout of an entry; bumped when it changes (2: findings before suppressions; 3: cells;
# 4: the functions a file summarizes, the ones it calls, and the summaries it was checked with; 5: warnings)


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
    version number did not change (a development checkout)."""
    root = Path(__file__).parent
    stamps = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
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


def _prune(top: Path, keep: Path, unused_days: float = 7) -> None:
    """Remove the entries of run keys unused for a week (an old memlint version, an old configuration)."""
    import shutil
    import time

    limit = time.time() - unused_days * 86400
    for folder in top.iterdir():
        try:
            if folder != keep and folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


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


def result_from_json(d: dict) -> FileResult:
    s = d["suppressions"]
    facts = d["project_facts"]
    if not isinstance(facts, dict) or not all(isinstance(e, str) for e in d["errors"] + d["warnings"]):
        raise ValueError("not a memlint cache entry")
    functions, calls, used = d["functions"], d["calls"], d["used_functions"]
    if not (isinstance(functions, dict) and isinstance(used, dict) and all(isinstance(c, str) for c in calls)):
        raise ValueError("not a memlint cache entry")
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

    def load(self, path: Path, display: str, module: str, config_key: str = "") -> Optional[FileResult]:
        """The cached result of this file if its bytes are unchanged since it was stored, else None.
        ``config_key``: the fingerprint of a nearer configuration that governs the file, or ""."""
        try:
            with open(self._entry(path, display), "rb") as f:
                entry = json.loads(f.read())
            if entry.get("module") != module or entry.get("config", "") != config_key:
                return None
            with open(path, "rb") as f:
                if entry["digest"] != digest(f.read()):
                    return None
            result = result_from_json(entry["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # no entry, a stale or corrupt one, or an unreadable file: check it afresh
        return result if result.path == display else None

    def store(
        self, path: Path, display: str, module: str, data: bytes, result: FileResult, config_key: str = ""
    ) -> None:
        """Write one entry atomically; a cache that cannot be written is silently skipped."""
        entry = {"digest": digest(data), "module": module, "config": config_key, "result": result_to_json(result)}
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
