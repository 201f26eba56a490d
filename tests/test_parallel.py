"""Worker processes: the same findings whatever --jobs says, and no pool where one would cost more than it saves."""

from __future__ import annotations

import concurrent.futures
import shutil

import pytest
from helpers import BIG_FULL, BULK_USE, GEOMETRY, REPO, as_data, cache_entries, config, memlint_process, write_project

from memlint import engine

SNIPPETS = {
    "a.py": BIG_FULL,
    "geometry.py": GEOMETRY,
    "use.py": BULK_USE,
    "broken.py": "def f(:\n    pass\n",
    "pkg/__init__.py": "",
    "pkg/grow.py": """
        import numpy as np
        def grow(n):
            out = np.empty(0)
            for i in range(n):
                out = np.append(out, i)
            return out
        b = np.full((2000, 2000), 0.0)  # noqa: MEM017
        c = np.full((2000, 2000), 0.0)
    """,
}


@pytest.fixture
def project(tmp_path):
    """A multi-file project: memlint's own sources (real code it did not write for this test) plus snippets
    with per-file findings, a project-wide finding, a syntax error, a suppression and an unreadable file."""
    shutil.copytree(REPO / "src" / "memlint", tmp_path / "memlint")
    write_project(tmp_path, SNIPPETS)
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    return tmp_path


@pytest.fixture
def always_pool(monkeypatch):
    monkeypatch.setattr(engine, "POOL_MIN_BYTES", 0)


def run(root, jobs, use_cache=False):
    return engine.run([root], config(root=root), jobs=jobs, use_cache=use_cache)


@pytest.mark.slow
def test_jobs_1_and_jobs_2_report_the_same(project, always_pool, counted):
    one = run(project, jobs=1)
    assert len(counted) > 20  # checked in this process
    total = len(counted)
    counted.clear()
    two = run(project, jobs=2)
    assert len(counted) < total  # this process checked some, a worker the rest
    assert as_data(two) == as_data(one)
    assert one.files_checked == two.files_checked and one.paths == two.paths
    codes = {f.code for f in one.findings}
    assert {"MEM000", "MEM003", "MEM017"} <= codes  # syntax error, project-wide, per-file
    assert any("nul.py" in e for e in one.errors)


@pytest.mark.slow
def test_more_jobs_than_files_and_results_in_a_stable_order(project, always_pool):
    one = as_data(run(project, jobs=1))
    assert as_data(run(project, jobs=8)) == one
    assert as_data(run(project, jobs=3)) == one


@pytest.mark.slow
def test_workers_fill_the_cache_that_a_later_run_reuses(project, always_pool, counted):
    cold = run(project, jobs=2, use_cache=True)
    assert len(cache_entries(project)) == cold.files_checked - 1  # all but the unreadable file
    counted.clear()
    warm = run(project, jobs=2, use_cache=True)
    assert counted == [] and as_data(warm) == as_data(cold) == as_data(run(project, jobs=1))


def test_a_small_run_starts_no_pool(tmp_path, monkeypatch, counted):
    def no_pool(*a, **kw):
        raise AssertionError("a pool was started for a small run")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    write_project(tmp_path, SNIPPETS)
    result = run(tmp_path, jobs=2)
    assert len(counted) == result.files_checked == 6
    assert [f.code for f in run(tmp_path / "a.py", jobs=2).findings] == ["MEM017"]


@pytest.mark.slow
def test_a_rule_that_crashes_in_a_worker_is_an_error_not_a_hang(project, always_pool, monkeypatch):
    from memlint.checks import all_rules

    def boom(ctx):
        raise ValueError("boom")

    monkeypatch.setattr(all_rules()["MEM017"], "check", boom)
    result = run(project, jobs=2)
    assert any("internal error in MEM017" in e and "boom" in e for e in result.errors)
    assert "MEM003" in {f.code for f in result.findings}


@pytest.mark.slow
def test_a_worker_that_dies_is_reported_and_the_rest_still_checked(project, always_pool, monkeypatch):
    import os

    real = engine.lint_text
    parent = os.getpid()

    def dies_in_a_worker(display, *args, **kw):
        if os.getpid() != parent:
            os._exit(9)
        return real(display, *args, **kw)

    monkeypatch.setattr(engine, "lint_text", dies_in_a_worker)
    result = run(project, jobs=2)
    lost = [e for e in result.errors if e.endswith(": not checked: a worker process died")]
    assert 0 < len(lost) <= 2 * 2 * engine._CHUNK_FILES  # only the chunks the worker had
    checked = run(project, jobs=1)
    assert len(result.findings) > 0 and result.files_checked == checked.files_checked


@pytest.mark.slow
def test_cli_jobs_option(project):
    def cli(*args):
        return memlint_process(project, "--no-cache", "--output-format", "json", *args)

    one, two = cli("--jobs", "1"), cli("--jobs", "2")
    assert one.returncode == two.returncode == 2  # nul.py cannot be read
    assert one.stdout == two.stdout and one.stdout.count('"code"') >= 3
    assert one.stderr == two.stderr


def test_each_file_is_freed_before_the_next_is_checked(tmp_path):
    """A file's tree and facts hold cycles: unless they are collected after the file, one process checking a
    corpus keeps every file's garbage (pandas: 1.5 GiB). Counted without any collection of the test's own."""
    import ast
    import gc

    from memlint.context import FileContext

    source = "import numpy as np\n" + "".join(
        f"def f{i}(a):\n    b = np.zeros(10)\n    c = b * 2 + a\n    return c.sum()\n" for i in range(50)
    )
    for i in range(8):
        (tmp_path / f"m{i}.py").write_text(source)
    gc.collect()
    seen = []

    def count_left(path, *args):  # runs before each file: what the files checked so far left behind
        # type(), not isinstance(): isinstance asks a dead weakref.proxy (some libraries leave them) and raises
        seen.append(sum(issubclass(type(o), (FileContext, ast.Module)) for o in gc.get_objects()))
        return check_file(path, *args)

    check_file = engine.check_file
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "check_file", count_left)
        result = engine.run([tmp_path], config(), jobs=1, use_cache=False)
    assert result.files_checked == 8
    assert max(seen) <= 1, seen
