"""--fix as a user relies on it: lossless, same bytes around the fix, atomic, parseable, idempotent."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess

import pytest
from helpers import memlint_cli, register_rule, run_program

from memlint.checks import Rule
from memlint.findings import SAFE, Edit, Fix
from memlint.source import cst_rewrite

PROGRAM = """\
#!/usr/bin/env python
\"\"\"Heat diffusion.\"\"\"
import numpy as np

N = 1000  # cells per side


def run(steps):
    # The grid starts cold.
    grid = np.full(
        (N, N),    # square
        0.0,
    )
    other = np.full((1000, 1000), 0.0)   # second   buffer
    return grid, other
"""


def files_in(folder) -> list:
    return sorted(name for name in os.listdir(folder) if name != ".memlint_cache")


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_changes_only_the_flagged_text(here):
    (here / "heat.py").write_text(PROGRAM)
    r = memlint_cli("--fix", "heat.py")
    assert r.exit_code == 0, r.stdout
    fixed = (here / "heat.py").read_text()
    # The comment on the shape's comma stays where it was; so does everything around both calls.
    assert fixed == PROGRAM.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))").replace(
        "np.full(\n        (N, N),    # square\n        0.0,\n    )", "np.zeros(\n        (N, N),    # square\n    )"
    )


def test_fix_keeps_comments_and_layout_inside_the_call(here):
    code = (
        "import numpy as np\ngrid = np.full(\n    (1000, 1000),\n    0.0,  # zero\n    order='F',\n)\n"
        "x = np.full((1000, 1000), 0.0)  # end\n"
    )
    (here / "a.py").write_text(code)
    memlint_cli("--fix", "a.py")
    fixed = (here / "a.py").read_text()
    assert "x = np.zeros((1000, 1000))  # end\n" in fixed
    assert "# zero" in fixed  # a comment is never lost: that fix is applied without loss or not at all
    assert ast.dump(ast.parse(fixed)) != ast.dump(ast.parse(code))


def test_a_transform_that_would_drop_a_comment_gives_no_fix():
    def drop_second_argument(call):
        import libcst as cst

        return call.with_changes(args=[call.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)])

    assert cst_rewrite("f(a, b)", False, drop_second_argument) == "f(a)"
    assert cst_rewrite("f(a,  # why\n  b)", False, drop_second_argument) is None
    assert cst_rewrite("f(a,\n  b)  # kept", True, drop_second_argument) is None  # multi-line statement


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_endings_are_kept(here, newline):
    code = "import numpy as np\n\ngrid = np.full((1000, 1000), 0.0)\nprint(grid.sum())\n".replace("\n", newline)
    (here / "a.py").write_bytes(code.encode())
    assert memlint_cli("--fix", "a.py").exit_code == 0
    data = (here / "a.py").read_bytes()
    assert data == code.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))").encode()
    assert data.count(b"\r\n") == (4 if newline == "\r\n" else 0)


def test_old_mac_cr_line_endings_are_kept(here, monkeypatch):
    register_rule(monkeypatch, Split())
    (here / "a.py").write_bytes(b"import numpy as np\rgrid = np.full((1000, 1000), 0.0)\ry = pair()\r")
    memlint_cli("--fix", "--jobs", "1", "a.py")
    assert (here / "a.py").read_bytes() == (
        b"import numpy as np\rgrid = np.zeros((1000, 1000))\ry = (\r    1,\r    2,\r)\r"
    )


def test_crlf_multi_line_fix(here):
    code = "import numpy as np\r\ngrid = np.full(\r\n    (1000, 1000),\r\n    0.0)\r\nprint(1)\r\n"
    (here / "a.py").write_bytes(code.encode())
    memlint_cli("--fix", "a.py")
    data = (here / "a.py").read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF crept in
    assert b"np.zeros(" in data and b"print(1)\r\n" in data


def test_utf8_bom_is_kept(here):
    code = "\ufeff# é\nimport numpy as np\ngrid = np.full((1000, 1000), 0.0)  # ünïcode\n"
    (here / "a.py").write_bytes(code.encode("utf-8"))
    assert memlint_cli("--fix", "a.py").exit_code == 0
    data = (here / "a.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.decode("utf-8-sig") == code[1:].replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))")


def test_latin1_coding_cookie_is_kept(here):
    code = "# -*- coding: latin-1 -*-\nimport numpy as np\nlabel = 'café'\ngrid = np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_bytes(code.encode("latin-1"))
    r = memlint_cli("--fix", "a.py")
    assert r.exit_code == 0, r.stderr
    data = (here / "a.py").read_bytes()
    assert b"caf\xe9" in data  # still latin-1, not UTF-8
    assert data.decode("latin-1") == code.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))")


def test_file_mode_is_kept_and_the_file_is_replaced_by_rename(here):
    path = here / "tool.py"
    path.write_text("#!/usr/bin/env python\nimport numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    path.chmod(0o751)
    inode = path.stat().st_ino
    assert memlint_cli("--fix", "tool.py").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert files_in(here) == ["tool.py"]  # no temporary file left behind


def test_a_failed_write_leaves_the_file_untouched(here, monkeypatch):
    code = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_text(code)

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    r = memlint_cli("--fix", "a.py")
    assert r.exit_code == 2
    assert "a.py: cannot write the fixed file: No space left on device" in r.stderr
    assert (here / "a.py").read_text() == code
    assert files_in(here) == ["a.py"]  # the temporary file was removed


def test_a_read_only_file_is_left_alone_even_as_root(here):
    """The mode bits decide, not os.access (always true for root, as in Docker or CI)."""
    code = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_text(code)
    (here / "a.py").chmod(0o444)
    r = memlint_cli("--fix", "a.py")
    assert r.exit_code == 2
    assert "a.py: cannot write the fixed file: Permission denied (the file is read-only)" in r.stderr
    assert (here / "a.py").read_text() == code
    assert stat.S_IMODE((here / "a.py").stat().st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_owner_group_and_mode_are_kept_when_run_as_root(here):
    import grp
    import pwd

    nobody = pwd.getpwnam("nobody").pw_uid
    try:
        nogroup = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        nogroup = pwd.getpwnam("nobody").pw_gid
    path = here / "a.py"
    path.write_text("import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    os.chown(path, nobody, nogroup)
    path.chmod(0o640)
    assert memlint_cli("--fix", "a.py").exit_code == 0
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (nobody, nogroup, 0o640)
    assert "np.zeros((1000, 1000))" in path.read_text()


def test_a_file_with_several_hard_links_is_not_fixed(here):
    """A rename would split the links (the other name keeps the old text); rewriting in place cannot be
    atomic. So memlint names the file and leaves both names as they were."""
    code = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_text(code)
    os.link(here / "a.py", here / "b.py")
    r = memlint_cli("--fix", "a.py")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line == (
        "memlint: error: a.py: not fixed: it has 2 hard links, and replacing it would split them (fix it by hand)"
    )
    assert (here / "a.py").read_text() == code and (here / "b.py").read_text() == code
    assert (here / "a.py").stat().st_ino == (here / "b.py").stat().st_ino


EDITED = "import numpy as np\ngrid = np.full((1000, 1000), 0.5)\n"


def test_a_file_edited_after_it_was_checked_is_not_written(here, monkeypatch):
    """The user changes 0.0 to 0.5 while memlint runs: the fix computed for 0.0 must not land on 0.5."""
    from memlint import engine

    (here / "a.py").write_text("import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    real_run = engine.run

    def run_then_edit(*args, **kwargs):
        result = real_run(*args, **kwargs)
        (here / "a.py").write_text(EDITED)  # an editor saves, after memlint read the file
        return result

    monkeypatch.setattr(engine, "run", run_then_edit)
    r = memlint_cli("--fix", "a.py")
    assert (here / "a.py").read_text() == EDITED
    (line,) = r.stderr.splitlines()
    assert line == "memlint: warning: a.py: changed since memlint read it; not fixed (run memlint again)"


def test_a_file_edited_while_its_fix_is_made_is_not_written(here, monkeypatch):
    from memlint import fix

    (here / "a.py").write_text("import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    real_fix_text = fix.fix_text

    def fix_then_edit(*args, **kwargs):
        fixed = real_fix_text(*args, **kwargs)
        (here / "a.py").write_text(EDITED)
        return fixed

    monkeypatch.setattr(fix, "fix_text", fix_then_edit)
    r = memlint_cli("--fix", "a.py")
    assert (here / "a.py").read_text() == EDITED
    assert "a.py: changed since memlint read it; not fixed" in r.stderr


@pytest.mark.slow
def test_two_fix_runs_at_once_are_safe_and_quiet(here):
    """Two real processes fix one tree: every file ends fixed, neither run says anything on stderr."""
    import sys

    body = "import numpy as np\n\n\ndef f{i}():\n    return np.full((1000, 1000), 0.0)\n"
    for i in range(150):
        (here / f"m{i}.py").write_text(body.format(i=i))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "memlint", "--fix", "--jobs", "1", "."]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    assert [err for _, err in outputs] == [b"", b""]
    for i in range(150):
        assert (here / f"m{i}.py").read_text() == body.format(i=i).replace(
            "np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))"
        )
    assert memlint_cli("--diff", ".").stdout == ""


def test_a_symbolic_link_stays_a_link(here):
    (here / "real.py").write_text("import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    (here / "link.py").symlink_to("real.py")
    assert memlint_cli("--fix", "link.py").exit_code == 0
    assert (here / "link.py").is_symlink()
    assert "np.zeros((1000, 1000))" in (here / "real.py").read_text()


def test_second_fix_changes_nothing(here):
    (here / "heat.py").write_text(PROGRAM)
    memlint_cli("--fix", "heat.py")
    once = (here / "heat.py").read_bytes()
    mtime = (here / "heat.py").stat().st_mtime_ns
    r = memlint_cli("--fix", "heat.py")
    assert "Fixed" not in r.stdout
    assert (here / "heat.py").read_bytes() == once and (here / "heat.py").stat().st_mtime_ns == mtime
    assert memlint_cli("--diff", "heat.py").stdout == ""


def test_diff_of_a_file_without_final_newline_applies(here):
    code = "import numpy as np\ngrid = np.full((1000, 1000), 0.0)"
    (here / "a.py").write_text(code)
    r = memlint_cli("--diff", "a.py")
    assert "\\ No newline at end of file" in r.stdout
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "apply", "-"], input=r.stdout, text=True, check=True)
    assert (here / "a.py").read_text() == "import numpy as np\ngrid = np.zeros((1000, 1000))"


def test_positions_after_a_form_feed(here):
    """Python counts only \\n, \\r\\n, \\r as line ends; a form feed (old style page break) is not one."""
    code = "import numpy as np\n\x0c\ndef f():\n    return np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_text(code)
    assert memlint_cli("--fix", "a.py").exit_code == 0
    assert (here / "a.py").read_text() == code.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))")


# --- the fixing machinery, with test-only rules ---------------------------------------------------------


class Double(Rule):
    """Test-only: `double(x)` -> `(x * 2)`. Nested calls give overlapping fixes."""

    code = "MEM993"

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "double":
                inner = ctx.source.segment(node.args[0])
                ctx.report(node, "double", fix=Fix(SAFE, "inline", (ctx.edit(node, f"({inner} * 2)"),)))


def test_overlapping_fixes_are_applied_one_at_a_time_and_rechecked(here, monkeypatch):
    register_rule(monkeypatch, Double())
    (here / "a.py").write_text("y = double(double(double(x))) + double(z)\n")
    r = memlint_cli("--fix", "--jobs", "1", "a.py")
    assert r.exit_code == 0, r.output
    assert (here / "a.py").read_text() == "y = (((x * 2) * 2) * 2) + (z * 2)\n"
    assert "Fixed 4 findings." in r.stdout


class Broken(Rule):
    """Test-only: a fix whose result does not parse (it must never be written)."""

    code = "MEM994"

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "double":
                ctx.report(node, "broken", fix=Fix(SAFE, "break it", (ctx.edit(node, "double(("),)))


def test_a_fix_that_would_not_parse_is_never_written(here, monkeypatch):
    register_rule(monkeypatch, Broken())
    register_rule(monkeypatch, Double())
    code = "import numpy as np\ny = double(x)\ngrid = np.full((1000, 1000), 0.0)\n"
    (here / "a.py").write_text(code)
    r = memlint_cli("--fix", "--jobs", "1", "--select", "MEM994,MEM017", "a.py")
    assert r.exit_code == 2
    assert "a.py:2: the MEM994 fix would not parse; left unapplied" in r.stderr
    # The good fix in the same file is still applied; the broken one is not.
    assert (here / "a.py").read_text() == code.replace("np.full((1000, 1000), 0.0)", "np.zeros((1000, 1000))")


class Euro(Rule):
    """Test-only: a fix that inserts a character the file's encoding cannot hold."""

    code = "MEM995"

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and node.value == "EUR":
                ctx.report(node, "euro", fix=Fix(SAFE, "euro", (ctx.edit(node, "'€'"),)))


def test_a_fix_the_encoding_cannot_hold_is_an_error_not_a_crash(here, monkeypatch):
    register_rule(monkeypatch, Euro())
    code = "# -*- coding: latin-1 -*-\nprice = 'EUR'\n"
    (here / "a.py").write_bytes(code.encode("latin-1"))
    r = memlint_cli("--fix", "--jobs", "1", "a.py")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line.startswith("memlint: error: a.py: cannot write the fixed file")
    assert (here / "a.py").read_bytes() == code.encode("latin-1")


def test_edit_positions_are_character_columns(here, monkeypatch):
    register_rule(monkeypatch, Double())
    (here / "a.py").write_text("é = 'ü'; y = double(ä)\n")
    memlint_cli("--fix", "--jobs", "1", "a.py")
    assert (here / "a.py").read_text() == "é = 'ü'; y = (ä * 2)\n"


class Split(Rule):
    """Test-only: a fix whose replacement spans lines (`pair()` -> a tuple over four lines)."""

    code = "MEM996"

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "pair":
                ctx.report(node, "split", fix=Fix(SAFE, "split", (ctx.edit(node, "(\n    1,\n    2,\n)"),)))


def test_edits_use_the_files_newline(here, monkeypatch):
    register_rule(monkeypatch, Split())
    (here / "a.py").write_bytes(b"x = pair()\r\ny = 1\r\n")
    memlint_cli("--fix", "--jobs", "1", "a.py")
    assert (here / "a.py").read_bytes() == b"x = (\r\n    1,\r\n    2,\r\n)\r\ny = 1\r\n"


def test_edit_dataclass_positions_round_trip():
    e = Edit(1, 2, 3, 4, "x")
    assert Fix.from_dict(Fix(SAFE, "m", (e,)).to_dict()).edits == (e,)


class OutOfRange(Rule):
    """Test-only: a fix whose edit points past the end of the file (a bug in a rule)."""

    code = "MEM997"

    def check(self, ctx):
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "double":
                ctx.report(node, "bad edit", fix=Fix(SAFE, "bad", (Edit(99, 1, 99, 2, "x"),)))


def test_a_crash_while_fixing_one_file_names_it_and_other_files_are_fixed(here, monkeypatch):
    register_rule(monkeypatch, OutOfRange())
    (here / "a.py").write_text("y = double(1)\n")
    (here / "b.py").write_text("import numpy as np\ngrid = np.full((1000, 1000), 0.0)\n")
    r = memlint_cli("--fix", "--jobs", "1", ".")
    assert r.exit_code == 2
    (line,) = r.stderr.splitlines()
    assert line.startswith("memlint: error: a.py: internal error while fixing (MEM997): IndexError")
    assert "np.zeros" in (here / "b.py").read_text()
    assert (here / "a.py").read_text() == "y = double(1)\n"


def test_many_fixes_in_one_function_are_all_applied_by_one_fix(here):
    """Fixes are applied a few at a time and re-checked; one --fix still applies them all."""
    body = "".join(f"    a{i} = np.full((1000, 1000), 0.0)  # buffer {i}\n" for i in range(30))
    (here / "a.py").write_text(f"import numpy as np\n\n\ndef f():\n{body}    return a0\n")
    r = memlint_cli("--fix", "a.py")
    assert (r.exit_code, r.stdout) == (0, "Fixed 30 findings.\n")
    assert (here / "a.py").read_text().count("np.zeros((1000, 1000))  # buffer") == 30
    assert memlint_cli("--diff", "a.py").stdout == ""


SELF_DOCUMENTING = """\
import numpy as np

print(f"{np.full((512, 512), 0.0).sum()=}")
print(f"{np.full((512, 512), 0.0).sum() = :.1f}")
print(f"{np.full((512, 512), 0.0).sum():.1f}")
"""


@pytest.mark.slow
def test_no_fix_inside_a_self_documenting_f_string(here):
    """`f"{expr=}"` prints expr's source text: rewriting it would change the output. The finding stays."""
    (here / "report.py").write_text(SELF_DOCUMENTING)
    r = memlint_cli("--no-cache", "--output-format", "json", "report.py")
    fixes = {f["line"]: f["fix"] is not None for f in json.loads(r.stdout) if f["code"] == "MEM017"}
    assert fixes == {3: False, 4: False, 5: True}
    before, _ = run_program(SELF_DOCUMENTING)
    memlint_cli("--no-cache", "--fix", "report.py")
    fixed = (here / "report.py").read_text()
    assert fixed == SELF_DOCUMENTING.replace("np.full((512, 512), 0.0).sum():", "np.zeros((512, 512)).sum():")
    assert run_program(fixed)[0] == before


class RenameEverything(Rule):
    """Test-only rule with a plain-edit fix (no libcst) on every name `x`: the refusal is the fix machinery's,
    not each rule's."""

    code = "MEM991"

    def check(self, ctx):
        for node in ctx.nodes(ast.Name):
            if node.id == "x":
                ctx.report(node, "x", fix=Fix(SAFE, "rename", (ctx.edit(node, "y"),)))


def test_the_self_documenting_guard_holds_for_every_rule(here, monkeypatch):
    register_rule(monkeypatch, RenameEverything())
    (here / "names.py").write_text('x = y = 1\nprint(f"{x=}", f"{x}", f"{ x = }", f"{x!r:>4}")\n')
    r = memlint_cli("--no-cache", "--jobs", "1", "--select", "MEM991", "--fix", "names.py")
    assert r.exit_code == 1  # the findings in {x=} and { x = } are left, unfixed
    assert (here / "names.py").read_text() == 'y = y = 1\nprint(f"{x=}", f"{y}", f"{ x = }", f"{y!r:>4}")\n'
