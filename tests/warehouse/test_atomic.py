"""Each file loads atomically: kill -9 mid-load leaves the warehouse as it was.
A second writer gets a clear 'warehouse is busy' error."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.fixtures import national_csv


def _counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rel = con.execute("SELECT count(*) FROM releases").fetchone()
        # every row loaded, counted or not (two releases may hold the same days)
        arr = con.execute("SELECT count(*) FROM arrests_all").fetchone()
        assert rel is not None and arr is not None
        return int(rel[0]), int(arr[0])
    finally:
        con.close()


def _kill_before_commit(
    db: Path, path: Path, env: dict[str, str], while_paused: Callable[[], None] = lambda: None
) -> None:
    """Ingest ``path`` in a subprocess, run ``while_paused`` once its load waits at the commit
    hook (everything loaded, nothing committed), then kill -9 it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "icefacts.cli", "ingest", "-q", "--db", str(db), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "ICEFACTS_TEST_HOOK": "pause_before_commit"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "before_commit" in line, proc.stderr.read() if proc.stderr else ""
        while_paused()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_mid_load_leaves_warehouse_unchanged_and_busy_is_reported(
    tmp_path: Path, run_cli
) -> None:
    db = tmp_path / "w.duckdb"
    first = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    code, _, err = run_cli("ingest", "-q", "--db", str(db), str(first))
    assert code == 0, err
    assert _counts(db) == (1, 5)

    rows = [
        ["Seattle Area of Responsibility", f"9/{d}/2017", "Located", "", "", "", "", "X", "Male"]
        for d in range(1, 29)
    ]
    second = national_csv(tmp_path / "EROArrests_FY2017b.csv.gz", rows=rows)

    def second_writer() -> None:
        # The load is in flight and holds the write lock: a second writer is refused.
        code, _, err = run_cli("ingest", "-q", "--db", str(db), str(first))
        assert code == 2
        assert "warehouse is busy" in err
        # and says what holds it: the loading process, writing
        assert re.search(r"process \d+ .*writing", err), err

    _kill_before_commit(db, second, dict(os.environ), second_writer)
    assert _counts(db) == (1, 5)  # nothing of the killed load is visible

    code, _, err = run_cli("ingest", "-q", "--db", str(db), str(second))
    assert code == 0, err
    assert _counts(db) == (2, 33)


def test_kill_9_while_a_sheet_loads_in_parts_leaves_the_warehouse_unchanged(
    tmp_path: Path,
) -> None:
    """The same with a workbook parsed in parts: several appends in one transaction, staged
    memory files, worker threads; none of it survives the kill or shows in the warehouse."""
    from icefacts.synth import generate

    generate(tmp_path / "in", rows=4_000, seed=9, families=["C"], tables=["arrests"])
    (path,) = (tmp_path / "in").glob("*.xlsx")
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "ICEFACTS_SPLIT_MIN_BYTES": "1", "ICEFACTS_PART_BYTES": "300000"}
    _kill_before_commit(db, path, env)
    if db.exists():
        assert _counts(db) == (0, 0)
    done = subprocess.run(
        [sys.executable, "-m", "icefacts.cli", "ingest", "-q", "--db", str(db), str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _counts(db) == (1, 4_000)
