"""The result cache: reused only when nothing that decides a file's findings changed; never a crash, never stale.

A user relies on two things: a second run over unchanged files is fast (nothing is checked again), and a
cached run reports exactly what a fresh run would, whatever changed in between (the file, the
configuration, memlint itself, the rules enabled).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from helpers import BIG_FULL, BULK_USE, GEOMETRY, as_data, cache_entries, config, memlint_process, write_project

import memlint
from memlint import cache as cache_mod
from memlint import engine


def run(root, use_cache=True, **settings):
    settings.setdefault("select", ["MEM"])
    return engine.run([root], config(root=root, **settings), jobs=1, use_cache=use_cache)


def test_second_run_checks_nothing_and_reports_the_same(tmp_path, counted):
    write_project(tmp_path, {"a.py": BIG_FULL, "geometry.py": GEOMETRY, "use.py": BULK_USE})
    first = run(tmp_path)
    assert len(counted) == 3
    counted.clear()
    second = run(tmp_path)
    assert counted == []
    assert as_data(second) == as_data(first)
    assert {f.code for f in second.findings} >= {"MEM017", "MEM003"}  # the project-wide one too


def test_cached_results_equal_fresh_ones_including_project_wide_findings(tmp_path):
    write_project(
        tmp_path,
        {
            "a.py": BIG_FULL,
            "geometry.py": GEOMETRY,
            "use.py": BULK_USE,
            "pkg/__init__.py": "",
            "pkg/b.py": "import numpy as np\nx = np.full(10**7, 0.0)\n",
        },
    )
    fresh = as_data(run(tmp_path, use_cache=False))
    assert as_data(run(tmp_path)) == fresh  # cold, writing the cache
    assert as_data(run(tmp_path)) == fresh  # warm, from the cache
    project_wide = [f for f in fresh[0] if f["code"] == "MEM003"]
    assert project_wide and project_wide[0]["path"].endswith("geometry.py")


def test_project_wide_finding_follows_an_edit_in_another_file(tmp_path):
    write_project(tmp_path, {"geometry.py": GEOMETRY, "use.py": BULK_USE})
    assert [f.code for f in run(tmp_path, select=["MEM003"]).findings] == ["MEM003"]
    (tmp_path / "use.py").write_text("from geometry import Point\np = Point(1, 2)\n")
    assert (
        run(tmp_path, select=["MEM003"]).findings == []
    )  # geometry.py's cached facts are reused, the index is rebuilt


def test_an_edited_file_is_checked_again(tmp_path, counted):
    write_project(tmp_path, {"a.py": BIG_FULL, "b.py": "x = 1\n"})
    assert [f.code for f in run(tmp_path).findings] == ["MEM017"]
    (tmp_path / "a.py").write_text("import numpy as np\na = np.zeros((1000, 1000))\n")
    counted.clear()
    assert run(tmp_path).findings == []
    assert [os.path.basename(p) for p in counted] == ["a.py"]  # b.py unchanged: from the cache


def test_an_edit_that_keeps_size_and_timestamp_is_still_seen(tmp_path):
    """The key is the content, not the modification time: a checkout or a fast edit keeps the mtime."""
    path = write_project(tmp_path, {"a.py": BIG_FULL}) / "a.py"
    assert [f.code for f in run(tmp_path).findings] == ["MEM017"]
    stat = path.stat()
    path.write_text(textwrap.dedent(BIG_FULL).replace("0.0)", "1.0)"))  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run(tmp_path).findings == []


@pytest.mark.parametrize(
    "before, after",
    [
        ({"min_array_bytes": 1 << 30}, {}),  # an option that decides whether it is reported
        ({"ignore": ["MEM017"]}, {}),  # the rules enabled
        ({"per_file_ignores": {"a.py": ["MEM017"]}}, {}),
    ],
)
def test_a_changed_configuration_never_reuses_results(tmp_path, before, after):
    write_project(tmp_path, {"a.py": BIG_FULL})
    assert run(tmp_path, **before).findings == []
    assert [f.code for f in run(tmp_path, **after).findings] == ["MEM017"]
    assert run(tmp_path, **before).findings == []


def test_a_changed_rule_option_never_reuses_results(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    code, options = next((c, o) for c, o in config().rules.items() if o)
    name, value = next(iter(options.items()))
    changed = (
        (not value)
        if isinstance(value, bool)
        else value + 1
        if isinstance(value, (int, float))
        else (f"{value}-changed")
    )
    assert cache_mod.run_key(config(root=tmp_path), ["MEM017"]) != cache_mod.run_key(
        config(root=tmp_path, rules={code: {name: changed}}), ["MEM017"]
    )


def test_a_new_memlint_version_never_reuses_results(tmp_path, counted, monkeypatch):
    write_project(tmp_path, {"a.py": BIG_FULL})
    run(tmp_path)
    counted.clear()
    run(tmp_path)
    assert counted == []
    monkeypatch.setattr(memlint, "__version__", memlint.__version__ + ".post1")
    result = run(tmp_path)
    assert len(counted) == 1 and [f.code for f in result.findings] == ["MEM017"]


def test_edited_library_knowledge_never_reuses_results(tmp_path):
    # calls.toml decides findings as the code does: an edit to it in a checkout must not be served stale
    c = config(root=tmp_path)
    key = cache_mod.run_key(c, ["MEM017"])
    knowledge = os.path.join(os.path.dirname(cache_mod.__file__), "facts", "calls.toml")
    stat = os.stat(knowledge)
    try:
        os.utime(knowledge, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert cache_mod.run_key(c, ["MEM017"]) != key
    finally:
        os.utime(knowledge, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache_mod.run_key(c, ["MEM017"]) == key


def test_the_enabled_rule_set_is_part_of_the_key(tmp_path):
    c = config(root=tmp_path)
    assert cache_mod.run_key(c, ["MEM017"]) != cache_mod.run_key(c, ["MEM017", "MEM001"])
    assert cache_mod.run_key(c, ["MEM001", "MEM017"]) == cache_mod.run_key(c, ["MEM017", "MEM001"])


def test_python_and_numpy_versions_are_part_of_the_key(tmp_path, monkeypatch):
    c = config(root=tmp_path)
    key = cache_mod.run_key(c, ["MEM017"])
    monkeypatch.setattr(cache_mod, "_numpy_version", lambda: "0.0.0")
    assert cache_mod.run_key(c, ["MEM017"]) != key
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert cache_mod.run_key(c, ["MEM017"]) != key


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff not json",
        b'{"digest": 1',
        b"[]",
        b'{"digest": "x"}',
        b"null",
        b'{"digest": "%s", "module": "a", "result": {"path": "a.py", "findings": [{"code": 1}], "errors": [],'
        b' "project_facts": {}, "suppressions": null}}',
    ],
)
def test_a_corrupt_entry_is_ignored_and_replaced(tmp_path, counted, garbage):
    write_project(tmp_path, {"a.py": BIG_FULL})
    expected = as_data(run(tmp_path))
    (entry,) = cache_entries(tmp_path)
    entry.write_bytes(garbage.replace(b"%s", cache_mod.digest((tmp_path / "a.py").read_bytes()).encode()))
    counted.clear()
    assert as_data(run(tmp_path)) == expected
    assert len(counted) == 1
    json.loads(entry.read_text())  # rewritten whole


def test_an_unreadable_cache_folder_turns_caching_off(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    (tmp_path / ".memlint_cache").write_text("a file where the folder should be")
    assert [f.code for f in run(tmp_path).findings] == ["MEM017"]


def poison(root):
    """Rewrite every cached finding's message: a run that reads the cache reports the poisoned text."""
    for entry in cache_entries(root):
        tamper(entry, lambda result: [f.update(message="FROM THE CACHE") for f in result["findings"]], True)


@pytest.mark.slow
def test_no_cache_neither_reads_nor_writes(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    proc = memlint_process(tmp_path, "--no-cache")
    assert proc.returncode == 1 and "MEM017" in proc.stdout
    assert not (tmp_path / ".memlint_cache").exists()  # did not write
    memlint_process(tmp_path)
    assert cache_entries(tmp_path)
    poison(tmp_path)
    assert "FROM THE CACHE" in memlint_process(tmp_path).stdout  # the poisoned entry is what a cached run reads...
    proc = memlint_process(tmp_path, "--no-cache")
    assert "FROM THE CACHE" not in proc.stdout and "MEM017" in proc.stdout  # ...and --no-cache does not
    before = {p: p.read_bytes() for p in cache_entries(tmp_path)}
    (tmp_path / "b.py").write_text(textwrap.dedent(BIG_FULL))
    memlint_process(tmp_path, "--no-cache")
    assert {p: p.read_bytes() for p in cache_entries(tmp_path)} == before  # and writes nothing


@pytest.mark.slow
def test_cache_lives_beside_the_configuration_with_its_own_gitignore(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.memlint]\nselect = ['MEM017']\n")
    write_project(tmp_path, {"src/a.py": BIG_FULL})
    proc = memlint_process(tmp_path / "src")
    assert "MEM017" in proc.stdout
    assert (tmp_path / ".memlint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (tmp_path / "src" / ".memlint_cache").exists()
    git = subprocess.run(["git", "init", "-q", str(tmp_path)], capture_output=True)
    if git.returncode == 0:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True
        ).stdout
        assert ".memlint_cache" not in status


def test_entries_are_plain_json_and_written_whole(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL, "geometry.py": GEOMETRY, "use.py": BULK_USE})
    run(tmp_path)
    files = list((tmp_path / ".memlint_cache").rglob("*"))
    assert not [p for p in files if p.name.endswith(".tmp")]
    for entry in cache_entries(tmp_path):
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert set(data) == {"digest", "module", "config", "check", "result"}  # config: a nearer configuration
        assert data["check"] == cache_mod.digest(data["result"].encode())  # the result, as JSON text
        fields = {"path", "findings", "errors", "warnings", "project_facts", "suppressions", "cells"}
        fields |= {"functions", "calls", "used_functions"}
        assert set(json.loads(data["result"])) == fields


def test_suppressions_survive_the_cache(tmp_path):
    write_project(
        tmp_path,
        {
            "a.py": "import numpy as np\na = np.full((1000, 1000), 0.0)  # noqa: MEM017\n"
            "b = np.full((1000, 1000), 0.0)\n"
        },
    )
    fresh = as_data(run(tmp_path, use_cache=False))
    assert [f["line"] for f in fresh[0]] == [3]
    run(tmp_path)
    assert as_data(run(tmp_path)) == fresh


def test_files_that_cannot_be_read_are_never_cached_as_clean(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    (tmp_path / "bad.py").write_bytes(b"x = 1\x00\n")
    first = run(tmp_path)
    assert any("bad.py" in e for e in first.errors)
    assert as_data(run(tmp_path)) == as_data(first)


def keys(root):
    return [p for p in (root / ".memlint_cache").iterdir() if p.is_dir()]


def test_entries_of_run_keys_unused_for_a_week_are_removed(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    run(tmp_path, ignore=["MEM017"])
    (old,) = keys(tmp_path)
    week_ago = old.stat().st_mtime - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    run(tmp_path, ignore=["MEM001"])  # another key: the old one is pruned
    assert not old.exists() and len(keys(tmp_path)) == 1
    run(tmp_path, ignore=["MEM001"])
    assert len(keys(tmp_path)) == 1


def test_a_key_in_use_is_kept(tmp_path):
    write_project(tmp_path, {"a.py": BIG_FULL})
    run(tmp_path, ignore=["MEM017"])
    (first,) = keys(tmp_path)
    week_ago = first.stat().st_mtime - 8 * 86400
    os.utime(first, (week_ago, week_ago))
    run(tmp_path, ignore=["MEM017"])  # used again: its time is renewed
    run(tmp_path, ignore=["MEM001"])
    assert first.exists()


def tamper(entry, change, keep_checksum_true: bool):
    """Edit an entry's result in place (any layout): ``change`` edits the result as a dict."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    as_text = isinstance(data["result"], str)
    result = json.loads(data["result"]) if as_text else data["result"]
    change(result)
    data["result"] = json.dumps(result) if as_text else result
    if as_text and keep_checksum_true:
        data["check"] = cache_mod.digest(data["result"].encode())
    entry.write_text(json.dumps(data), encoding="utf-8")


def _set(path, value):
    def change(result):
        target = result
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "path, value",
    [
        (("findings", 0, "line"), "x"),
        (("findings", 0, "line"), True),
        (("findings", 0, "column"), -3),
        (("findings", 0, "estimated_bytes"), "8 MB"),
        (("findings", 0, "fix", "applicability"), "maybe"),
        (("findings", 0, "fix", "edits", 0, "line"), "1"),
        (("findings", 0, "fix", "edits"), []),
        (("findings", 0, "message"), None),
        (("findings", 0, "extra"), 1),
        (("errors",), [1]),
        (("project_facts",), {"MEM003": 5}),
        (("suppressions",), {"lines": {"x": ["MEM"]}, "file": []}),
        (("suppressions",), {"lines": {}, "file": "MEM"}),
    ],
)
def test_an_entry_of_valid_json_with_wrong_types_is_a_miss(tmp_path, counted, path, value):
    """Issue 13 item 13: such entries were trusted (a finding at line "x", an internal error in a rule)."""
    write_project(tmp_path, {"a.py": BIG_FULL})
    expected = as_data(run(tmp_path))
    (entry,) = cache_entries(tmp_path)
    tamper(entry, _set(path, value), keep_checksum_true=True)
    counted.clear()
    assert as_data(run(tmp_path)) == expected
    assert len(counted) == 1  # checked afresh


def test_an_entry_edited_since_it_was_written_is_a_miss(tmp_path, counted):
    """Project facts have their rule's own shape; an edit to them (or anything) breaks the entry's checksum."""
    write_project(tmp_path, {"geometry.py": GEOMETRY, "use.py": BULK_USE})
    expected = as_data(run(tmp_path))
    assert [f["code"] for f in expected[0]] == ["MEM003", "MEM004"]
    for entry in cache_entries(tmp_path):
        tamper(entry, lambda r: r["project_facts"].get("MEM003", {}).update(classes=5), keep_checksum_true=False)
    counted.clear()
    assert as_data(run(tmp_path)) == expected
    assert len(counted) == 2


def test_the_cache_keeps_at_most_four_run_keys(tmp_path):
    """Issue 13 item 14: one full copy per configuration or --select, never pruned. Now the four most
    recently used run keys are kept (the one in use always among them)."""
    write_project(tmp_path, {"a.py": BIG_FULL})
    for i, code in enumerate(["MEM001", "MEM002", "MEM003", "MEM004", "MEM005", "MEM006"]):
        run(tmp_path, ignore=[code])
        folders = keys(tmp_path)
        assert len(folders) == min(i + 1, 4)
    newest = max(folders, key=lambda p: p.stat().st_mtime)
    counted_before = len(cache_entries(tmp_path))
    run(tmp_path, ignore=["MEM006"])  # the key just used is still there: nothing checked again
    assert newest in keys(tmp_path) and len(cache_entries(tmp_path)) == counted_before
