"""Suppression comments and baselines.

Per line (the finding's first line): ``# noqa``, ``# noqa: MEM001,MEM0`` (ruff-compatible, codes or
prefixes), ``# memlint: ignore`` and ``# memlint: ignore[MEM001]``. Per file, on a line of its own:
``# memlint: ignore-file`` and ``# memlint: ignore-file[MEM003]``.

A baseline is a JSON file of finding fingerprints: code, path and the flagged code as tokens (``normalise``),
never line numbers, so that edits elsewhere in a file, or a reformatting, do not bring accepted findings back.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tokenize
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from memlint.findings import PARSE_ERROR
from memlint.source import split_lines

ALL = "*"
# Codes after "noqa:" are separated by commas or spaces (as ruff reads them); a word without digits after
# the first code is prose ("# noqa: MEM017 filled later"), not a code.
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:(?:\s*,\s*|\s+)[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*memlint:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[^\]]*)\])?")


def _codes(text: Optional[str]) -> frozenset:
    if text is None:
        return frozenset([ALL])
    return frozenset(c.upper() for c in re.split(r"[\s,]+", text) if c)


class Suppressions:
    """Which codes are silenced on which lines of one file."""

    def __init__(self, by_line: dict[int, frozenset], file_wide: frozenset, noqa: Optional[dict] = None):
        self.by_line = by_line
        self.file_wide = file_wide
        # line -> (where the code before the comment ends, where the comment starts: 0-based characters;
        # the comment) for each noqa comment that lists codes: what MEM100 (unused-noqa) judges and rewrites.
        self.noqa: dict[int, tuple[int, int, str]] = noqa or {}

    @classmethod
    def from_source(cls, text: str, strings: Optional[list] = None) -> Suppressions:
        """``strings``: the string literals of the file's ``ast`` tree (``ast.Constant`` and ``ast.JoinedStr``
        nodes), which let the comments be found without tokenizing the whole file."""
        by_line: dict[int, frozenset] = {}
        file_wide: frozenset = frozenset()
        noqa: dict = {}
        if "memlint:" not in text and "noqa" not in text.lower():  # the common case: no comment to read
            return cls(by_line, file_wide)
        comments = _comments_outside(text, strings) if strings is not None else None
        for lineno, column, comment, code_end in _comments(text) if comments is None else comments:
            own_line = code_end == 0
            codes: frozenset = frozenset()
            m = _NOQA.search(comment)
            if m:
                codes |= _codes(m.group("codes"))
                if m.group("codes") is not None:
                    noqa[lineno] = (code_end, column, comment)
            for m in _IGNORE.finditer(comment):
                if m.group("file"):
                    if own_line:
                        file_wide |= _codes(m.group("codes"))
                else:
                    codes |= _codes(m.group("codes"))
            if codes:
                by_line[lineno] = by_line.get(lineno, frozenset()) | codes
        return cls(by_line, file_wide, noqa)

    def silences(self, code: str, line: int) -> bool:
        return _covers(self.file_wide, code) or _covers(self.by_line.get(line, frozenset()), code)

    def to_json(self):
        return {
            "lines": {str(k): sorted(v) for k, v in self.by_line.items()},
            "file": sorted(self.file_wide),
            "noqa": {str(k): list(v) for k, v in self.noqa.items()},
        }

    @classmethod
    def from_json(cls, d) -> Suppressions:
        """What ``to_json`` wrote; raises ValueError for anything else (a damaged cache entry is a miss)."""

        def codes(v) -> bool:
            return isinstance(v, list) and all(isinstance(c, str) for c in v)

        def noqa_entry(v) -> bool:  # (end of the codes, column, comment)
            return isinstance(v, list) and len(v) == 3 and [type(x) for x in v] == [int, int, str]

        lines, noqa = (d.get("lines"), d.get("noqa", {})) if isinstance(d, dict) else (None, None)
        if not (isinstance(lines, dict) and isinstance(noqa, dict) and codes(d.get("file"))):
            raise ValueError("not a suppressions record")
        if not all(k.isdigit() and codes(v) for k, v in lines.items()):
            raise ValueError("not a suppressions record")
        if not all(k.isdigit() and noqa_entry(v) for k, v in noqa.items()):
            raise ValueError("not a suppressions record")
        noqa = {int(k): tuple(v) for k, v in noqa.items()}
        return cls({int(k): frozenset(v) for k, v in lines.items()}, frozenset(d["file"]), noqa)


def _covers(codes: frozenset, code: str) -> bool:
    return ALL in codes or any(code.startswith(c) for c in codes)


_MARKER = re.compile(r"noqa|memlint:", re.IGNORECASE)


def _comments_outside(text: str, strings: list) -> Optional[list]:
    """What ``_comments`` gives for the lines that mention a marker, found with the tree's string literals
    instead of the tokenizer (a tenth of the cost on pandas): a ``#`` outside every string literal starts a
    comment. None when a ``#`` on such a line lies inside a literal's span: a string holds it, or a comment
    sits between the parts of an implicitly joined string; only the tokenizer tells those apart."""
    lines = split_lines(text)
    hashes = {}  # line -> byte columns of its "#"s, for the lines that mention a marker
    for lineno, line in enumerate(lines, 1):
        if "#" in line and _MARKER.search(line):
            hashes[lineno] = [len(line[:i].encode("utf-8")) for i, c in enumerate(line) if c == "#"]
    for s in strings:
        for lineno in range(s.lineno, s.end_lineno + 1):
            for col in hashes.get(lineno, ()):
                if (s.lineno, s.col_offset) <= (lineno, col) < (s.end_lineno, s.end_col_offset):
                    return None
    found = []
    for lineno in hashes:
        line = lines[lineno - 1]
        at = line.index("#")
        found.append((lineno, at, line[at:].rstrip("\r\n"), len(line[:at].rstrip())))
    return found


def _comments(text: str):
    """(line, column, comment text, where the code before it ends: 0 for a comment alone on its line) for
    every real comment; columns are 0-based characters."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                yield tok.start[0], tok.start[1], tok.string, len(tok.line[: tok.start[1]].rstrip())
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return


def add_noqa(text: str, codes_by_line: dict[int, Iterable[str]]) -> str:
    """``text`` with ``# noqa: CODE`` on each given line: merged into a ``# noqa:`` comment already there,
    else after whatever the line holds (an existing comment stays). A line that ends inside a string or
    with a backslash cannot take a comment and is left as it is."""
    lines = split_lines(text)
    comments: dict[int, tuple[int, str]] = {}  # line -> (column, comment)
    inside_strings: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = (tok.start[1], tok.string)
            elif tok.end[0] > tok.start[0]:
                inside_strings.update(range(tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text
    for lineno, wanted in codes_by_line.items():
        if not 1 <= lineno <= len(lines) or lineno in inside_strings:
            continue
        line = lines[lineno - 1]
        body = line.rstrip("\r\n")
        if body.rstrip().endswith("\\"):
            continue
        column, comment = comments.get(lineno, (len(body), ""))
        m = _NOQA.search(comment)
        if m and m.group("codes") is None:
            continue  # a bare noqa already silences everything on the line
        have = [c.upper() for c in re.split(r"[\s,]+", m.group("codes")) if c] if m else []
        merged = have + sorted(set(c.upper() for c in wanted) - set(have))
        noqa = f"# noqa: {', '.join(merged)}"
        if m:
            comment = comment[: m.start()] + noqa + comment[m.end() :]
        else:
            comment = f"{comment}  {noqa}" if comment else noqa
        code = body[:column].rstrip()
        lines[lineno - 1] = (f"{code}  {comment}" if code else body[:column] + comment) + line[len(body) :]
    return "".join(lines)


# --- baselines -----------------------------------------------------------------------------------------


BASELINE_VERSION = 2  # 2: fingerprints on tokens (1 hashed whitespace-collapsed text)
_BASELINE_KEY = "memlint-baseline"
_LAYOUT = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}
_CLOSERS = {")", "]", "}"}


def normalise(code: str, limit: int = 400) -> str:
    """The flagged code as its tokens, about ``limit`` characters of them: what a formatter changes does not
    count (line breaks, indentation, spaces, comments, the quotes of a string, a trailing comma that black
    adds when it splits a call or a collection), so a reformatting keeps a baselined finding accepted. A
    comma that makes a one-element tuple (``(1,)``, ``x[1,]``) is code, and counts."""
    lines = split_lines(code)
    out: list[str] = []
    size = 0
    comma = False  # a comma waiting to see whether a closing bracket follows
    brackets: list[list] = []  # per open bracket: [significant-if-one-trailing-comma, commas seen]
    fstring_start: Optional[tuple] = None  # Python 3.12+ splits f-strings into tokens: keep them whole
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            kind = tokenize.tok_name.get(tok.exact_type, "")
            if kind in ("FSTRING_START", "TSTRING_START"):
                depth += 1
                fstring_start = fstring_start or tok.start
                continue
            if depth:
                if kind not in ("FSTRING_END", "TSTRING_END"):
                    continue
                depth -= 1
                if depth:
                    continue
                text, fstring_start = _slice(lines, fstring_start, tok.end), None
            elif tok.type in _LAYOUT:
                continue
            else:
                text = _string(tok.string) if tok.type == tokenize.STRING else tok.string
            if comma:
                if text not in _CLOSERS or (brackets and brackets[-1][0] and brackets[-1][1] == 1):
                    out.append(",")
            comma = text == ","
            if comma:
                if brackets:
                    brackets[-1][1] += 1
                continue
            if text in ("(", "["):
                after_value = bool(out) and (out[-1] in _CLOSERS or _is_name(out[-1]))
                # a tuple in parentheses, or a subscript: there one trailing comma makes a tuple
                brackets.append([after_value if text == "[" else not after_value, 0])
            elif text == "{":
                brackets.append([False, 0])
            elif text in _CLOSERS and brackets:
                brackets.pop()
            out.append(text)
            size += len(text) + 1
            if size > limit:
                break
    except (tokenize.TokenError, SyntaxError):  # a cut or odd snippet: what was read, else the plain text
        if not out:
            return " ".join(code.split())[:limit]
    return " ".join(out)


def _is_name(text: str) -> bool:
    import keyword

    return text.isidentifier() and not keyword.iskeyword(text)


def _string(token: str) -> str:
    """A string literal by its value, so 'a' and "a" are one; an f-string as written."""
    import ast

    try:
        return repr(ast.literal_eval(token))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return token


def _slice(lines: list, start: tuple, end: tuple) -> str:
    (l1, c1), (l2, c2) = start, end
    if l1 == l2:
        return lines[l1 - 1][c1:c2]
    return lines[l1 - 1][c1:] + "".join(lines[l1 : l2 - 1]) + lines[l2 - 1][:c2]


def fingerprint(code: str, path: str, snippet: str) -> str:
    key = "\0".join((code, Path(path).as_posix(), normalise(snippet)))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def write_baseline(path: Path, findings: Iterable) -> int:
    """Record the findings' fingerprints (never a syntax error's: MEM000 is always reported)."""
    counts = Counter(f.fingerprint for f in findings if f.code != PARSE_ERROR)
    data = {_BASELINE_KEY: BASELINE_VERSION, "fingerprints": dict(sorted(counts.items()))}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return sum(counts.values())


def refuses_baseline_at(path: Path) -> Optional[str]:
    """Why ``--write-baseline`` must not write to ``path`` (None: it may). Only a memlint baseline is ever
    overwritten: ``memlint --write-baseline src/main.py`` (the baseline's name forgotten) once replaced a
    source file with JSON."""
    if path.suffix.lower() in (".py", ".pyi", ".pyw", ".ipynb"):
        return "it is a Python source, not a baseline"
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "it is a folder"
    except (OSError, ValueError):
        return "it exists and is not a memlint baseline"
    if isinstance(data, dict) and _BASELINE_KEY in data:
        return None
    return "it exists and is not a memlint baseline"


def read_baseline(path: Path) -> Counter:
    """Raises ValueError (with the reason, in one line) for a file that is not a usable memlint baseline."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data.get(_BASELINE_KEY) if isinstance(data, dict) else None
        if isinstance(version, int) and version < BASELINE_VERSION:
            raise ValueError(
                f"{path}: a version {version} memlint baseline, which this memlint cannot read (fingerprints are "
                f"now made of tokens); write it again with `memlint --write-baseline {path} PATHS`"
            )
        if isinstance(version, int) and version > BASELINE_VERSION:
            raise ValueError(f"{path}: a version {version} memlint baseline, written by a newer memlint")
        return Counter({str(k): int(v) for k, v in data["fingerprints"].items()})
    except ValueError as e:
        if str(e).startswith(f"{path}: "):
            raise
        raise ValueError(f"{path}: not a memlint baseline ({e})") from None
    except (OSError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"{path}: not a memlint baseline ({e})") from None
