"""Which files to check, and reading them as Python source.

Folders are searched for ``*.py`` (excluded folders pruned, symbolic links to folders not followed, so a
link loop cannot trap the walk); files named on the command line are always checked. Reading follows
Python's own rules (PEP 263 coding cookie, UTF-8 BOM) and remembers them so that ``--fix`` writes the file
back the same way.
"""

from __future__ import annotations

import os
import tokenize
from dataclasses import dataclass
from pathlib import Path


class InputError(Exception):
    """A path or file memlint cannot use; the message names it."""


@dataclass
class SourceFile:
    path: Path
    display: str  # as reported: relative to the working folder when under it
    data: bytes

    def decode(self) -> tuple[str, str]:
        """(text, encoding); raises InputError for binary or undecodable files."""
        if b"\0" in self.data:
            raise InputError(f"{self.display}: not a Python source file (it contains NUL bytes)")
        lines = iter(self.data.splitlines(keepends=True))
        try:
            encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
            return self.data.decode(encoding), encoding
        except SyntaxError as e:
            raise InputError(f"{self.display}: cannot decode: {e.msg}") from None
        except (UnicodeDecodeError, LookupError) as e:
            line = self.data[: getattr(e, "start", 0)].count(b"\n") + 1
            raise InputError(f"{self.display}:{line}: cannot decode as {getattr(e, 'encoding', '?')}: "
                             f"{getattr(e, 'reason', e)}") from None


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: list[Path], config) -> tuple[list[Path], list[str]]:
    """(python files to check, error messages). A missing path is an error; so is an unreadable folder."""
    found: list[Path] = []
    errors: list[str] = []
    seen: set[Path] = set()

    def add(p: Path):
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            found.append(p)

    for path in paths:
        if not path.exists():
            errors.append(f"{path}: no such file or directory")
        elif path.is_file():
            add(path)  # named explicitly: always checked
        elif path.is_dir():
            if config.is_excluded(path) and path.resolve() != Path.cwd().resolve() and str(path) != ".":
                continue
            _walk(path, config, add, errors)
        else:
            errors.append(f"{path}: not a file or directory")
    return found, errors


def _walk(root: Path, config, add, errors: list[str]) -> None:
    def onerror(e: OSError):
        errors.append(f"{display_path(Path(e.filename))}: cannot read directory: {e.strerror}")

    for folder, dirs, files in os.walk(root, onerror=onerror):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not config.is_excluded(base / d))
        for name in sorted(files):
            if name.endswith(".py"):
                p = base / name
                if not config.is_excluded(p):
                    add(p)


def read(path: Path) -> SourceFile:
    try:
        return SourceFile(path, display_path(path), path.read_bytes())
    except OSError as e:
        raise InputError(f"{display_path(path)}: cannot read: {e.strerror}") from None
