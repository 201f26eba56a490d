"""Which files to check, and reading them as Python source.

Folders are searched for ``*.py`` and ``*.ipynb`` (excluded folders pruned, symbolic links to folders not followed, so a
link loop cannot trap the walk; named pipes and links to nothing passed over); files named on the command
line are always checked, and one that cannot be read is an error naming it. Reading follows
Python's own rules (PEP 263 coding cookie, UTF-8 BOM) and remembers them so that ``--fix`` writes the file
back the same way.
"""

from __future__ import annotations

import errno
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path


class InputError(Exception):
    """A path or file memlint cannot use; the message names it."""


@dataclass
class SourceFile:
    """A Python source file as memlint reads and writes it: its bytes, and the text they decode to.

    The document that checking and fixing share: ``decode`` gives the text rules read, ``encode`` turns a
    fixed text back into bytes the same way (encoding, BOM). Another kind of source (a notebook) is a
    subclass with its own pair.
    """

    path: Path
    display: str  # as reported: relative to the working folder when under it
    data: bytes
    encoding: str = "utf-8"  # set by decode

    def decode(self) -> str:
        """The text; raises InputError for binary or undecodable files."""
        if b"\0" in self.data:
            raise InputError(f"{self.display}: not a Python source file (it contains NUL bytes)")
        lines = iter(self.data.splitlines(keepends=True))
        try:
            self.encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
            return self.data.decode(self.encoding)
        except SyntaxError as e:
            raise InputError(f"{self.display}: cannot decode: {e.msg}") from None
        except (UnicodeDecodeError, LookupError) as e:
            line = self.data[: getattr(e, "start", 0)].count(b"\n") + 1
            raise InputError(
                f"{self.display}:{line}: cannot decode as {getattr(e, 'encoding', '?')}: {getattr(e, 'reason', e)}"
            ) from None

    def encode(self, text: str) -> bytes:
        """The bytes of a new text, written as the file was (after ``decode``); raises UnicodeEncodeError."""
        return text.encode(self.encoding)


def display_path(path: Path) -> str:
    """The path as reported: relative to the working folder when under it. Symbolic links are not resolved
    (a link loop must not raise, and a link is reported where the user sees it)."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, cwd)).as_posix()
    return Path(path).as_posix()


def discover(paths: list[Path], config) -> tuple[list[Path], list[str]]:
    """(python files to check, error messages). A missing path is an error; so is an unreadable folder.

    Excludes apply below a named folder, never to the named path itself: what the user names is checked.
    """
    found: list[Path] = []
    errors: list[str] = []
    seen: set[str] = set()

    def add(p: Path):
        key = os.path.realpath(p)  # never raises, even inside a link loop
        if key not in seen:
            seen.add(key)
            found.append(p)

    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as e:
            if e.errno == errno.ELOOP:
                errors.append(f"{path}: symbolic link loop")
            elif e.errno == errno.ENOENT:
                errors.append(f"{path}: no such file or directory")
            else:
                errors.append(f"{path}: cannot read: {e.strerror}")
            continue
        if stat.S_ISREG(mode):
            add(path)  # named explicitly: always checked
        elif stat.S_ISDIR(mode):
            _walk(path, config, add, errors)
        else:
            errors.append(f"{path}: not a file or directory")
    return found, errors


def _walk(root: Path, config, add, errors: list[str]) -> None:
    def onerror(e: OSError):
        errors.append(f"{display_path(Path(e.filename))}: cannot read directory: {e.strerror}")

    # Links to folders are not followed (os.walk's default), so a link loop cannot trap the walk.
    for folder, dirs, files in os.walk(root, onerror=onerror):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not config.is_excluded(base / d, root))
        for name in sorted(files):
            if name.endswith((".py", ".ipynb")):
                p = base / name
                if config.is_excluded(p, root):
                    continue
                # Passed over quietly, as ruff does: a named pipe, socket or device (not source code, and
                # reading a pipe would block forever) and a link to nothing.
                try:
                    if not stat.S_ISREG(p.stat().st_mode):
                        continue
                except FileNotFoundError:
                    continue
                except OSError:
                    pass  # a link loop: reading it reports the reason
                add(p)


def read(path: Path) -> SourceFile:
    try:
        return SourceFile(path, display_path(path), path.read_bytes())
    except OSError as e:
        why = "symbolic link loop" if e.errno == errno.ELOOP else e.strerror
        raise InputError(f"{display_path(path)}: cannot read: {why}") from None
    except ValueError as e:  # e.g. an embedded NUL in a name passed on the command line
        raise InputError(f"{path}: cannot read: {e}") from None
