"""Suppression comments, as users write them (ruff-compatible noqa, memlint: ignore, file-level)."""

from __future__ import annotations

import json

import pytest
from helpers import codes, memlint_cli

FULL = "np.full((1000, 1000), 0.0)"  # MEM017


def lines(*body: str) -> str:
    return "\n".join(("import numpy as np",) + body) + "\n"


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "# noqa: MEM017",
        "# noqa:MEM017",
        "# NOQA: MEM017",
        "# noqa: MEM0",
        "# noqa: MEM",
        "# noqa: E501, MEM017",
        "# noqa: MEM001,MEM017",
        "# noqa: E501 MEM017",  # ruff also reads codes separated by spaces
        "# noqa: MEM017 filled column by column later",
        "# memlint: ignore",
        "# memlint: ignore[MEM017]",
        "# memlint: ignore[MEM001, MEM01]",
        "# type: ignore  # noqa: MEM017",
        "# keep this: it is filled later  # noqa: MEM017",
    ],
)
def test_line_suppressions_silence(comment):
    assert codes(lines(f"a = {FULL}  {comment}")) == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: E501",  # another tool's code
        "# noqa: MEM001",  # another rule
        "# noqa: MEM0170",  # longer than the code: not a prefix of it
        "# noqa: E501 me too",  # prose after the codes is not a code (`ME` would silence every MEM rule)
        "# memlint: ignore[MEM001]",
        "# memlint: ignore-file",  # file-level only on a line of its own
        "# this is not a noqa comment",
    ],
)
def test_other_comments_do_not_silence(comment):
    assert codes(lines(f"a = {FULL}  {comment}")) == ["MEM017"]


def test_suppression_is_per_line():
    assert codes(lines(f"a = {FULL}  # noqa: MEM017", f"b = {FULL}")) == ["MEM017"]
    assert codes(lines("# noqa: MEM017", f"b = {FULL}")) == ["MEM017"]  # the line above is not the line


def test_noqa_inside_a_string_is_not_a_comment():
    assert codes(lines(f"a = {FULL}; s = '# noqa'")) == ["MEM017"]


def test_multi_line_finding_is_silenced_on_its_first_line():
    assert codes(lines("a = np.full(  # noqa: MEM017", "    (1000, 1000), 0.0)")) == []
    assert codes(lines("a = np.full(", "    (1000, 1000), 0.0)  # noqa: MEM017")) == ["MEM017"]


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("# memlint: ignore-file", []),
        ("# memlint: ignore-file[MEM017]", []),
        ("# memlint: ignore-file[MEM0]", []),
        ("# memlint: ignore-file[MEM003]", ["MEM017", "MEM017"]),
    ],
)
def test_file_level_suppressions(comment, expected):
    code = f"{comment}\nimport numpy as np\na = {FULL}\n\n\ndef f():\n    return {FULL}\n"
    assert codes(code) == expected
    # Anywhere in the file, on a line of its own.
    assert codes(f"import numpy as np\na = {FULL}\n\n{comment}\n") == expected[:1]


def test_suppressions_through_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(lines(f"a = {FULL}  # noqa: MEM017", f"b = {FULL}"))
    (tmp_path / "b.py").write_text("# memlint: ignore-file[MEM017]\n" + lines(f"a = {FULL}"))
    r = memlint_cli("--output-format", "json", ".")
    assert r.exit_code == 1
    assert [(f["path"], f["line"]) for f in json.loads(r.stdout)] == [("a.py", 3)]
    # --fix does not touch a silenced finding.
    assert memlint_cli("--fix", ".").exit_code == 0
    assert (tmp_path / "a.py").read_text() == lines(f"a = {FULL}  # noqa: MEM017", "b = np.zeros((1000, 1000))")
    assert FULL in (tmp_path / "b.py").read_text()


def test_syntax_errors_are_never_silenced():
    """A file memlint cannot read is never reported clean, whatever its comments say."""
    assert codes("# memlint: ignore-file\ndef f(:\n    pass  # noqa\n") == ["MEM000"]


TRICKY_SOURCES = [
    "a = 1  # noqa: MEM017\n",
    "s = '#'  # noqa\n",  # a "#" in a string before the comment
    "s = '# noqa'\n",
    "s = f'{x}#'  # memlint: ignore[MEM001]\n",
    "s = ('a'  # noqa: MEM017\n     'b')\n",  # a comment between the parts of one implicitly joined string
    '"""Docs.\n\n# noqa\n"""\nx = 1  # NOQA\n',
    "é = 'ü#'  # noqa: MEM0\n",  # byte and character columns differ
    "x = 1\r\ny = 2  # noqa\r\n# memlint: ignore-file[MEM003]\r\n",
    "x = 1  # no comment here\ny = 'noqa'  # other\n",
    "def f():\n    return b'#' + b'x'  # memlint: ignore\n",
]


@pytest.mark.parametrize("source", TRICKY_SOURCES)
def test_comments_found_from_the_tree_match_the_tokenizer(source):
    import ast

    from memlint.suppress import Suppressions

    strings = [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.Constant, ast.JoinedStr))]
    fast, slow = Suppressions.from_source(source, strings), Suppressions.from_source(source)
    assert (fast.by_line, fast.file_wide) == (slow.by_line, slow.file_wide)
