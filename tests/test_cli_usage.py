"""Mistakes on the command line, as a user's shell sees them: one line on stderr naming the
command and what was wrong, exit code 2, no framed box and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "icefacts.cli", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["operation", "--frm", "2017-09-24"], "icefacts operation: no such option: --frm"),
        (["nosuch"], "icefacts: no such command 'nosuch'"),
        (["sql", "--max-rows", "many", "select 1"], "icefacts sql: invalid value for '--max-rows'"),
        (["operation", "--from"], "'--from' requires an argument"),
        (["trend", "--by", "decade"], "--by"),
    ],
    ids=["unknown-option", "unknown-command", "bad-int", "missing-value", "bad-choice"],
)
def test_a_usage_error_is_one_line(args: list[str], fragment: str, tmp_path: Path) -> None:
    r = _run(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert fragment in lines[0], lines[0]
    assert "╭" not in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_help_and_version_still_exit_0(tmp_path: Path) -> None:
    for args in (["--help"], ["--version"], ["operation", "--help"], []):
        r = _run(*args, cwd=tmp_path)
        assert r.returncode == 0, (args, r.stderr)
        assert r.stdout.strip(), args


def test_the_sql_time_limit_covers_writing_the_result(tmp_path: Path) -> None:
    from icefacts.warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    Warehouse.open(db).close()
    query = "SELECT i, repeat('x', 40) AS s FROM range(3000000) t(i)"
    r = _run(
        "sql", "--db", str(db), query, "--max-rows", "3000000", "--format", "csv",
        "--timeout", "0.5", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 2, r.stderr[-300:]
    assert "stopped after 0.5 s" in r.stderr and "Traceback" not in r.stderr


def test_an_ingest_error_on_a_pipe_is_one_line(tmp_path: Path) -> None:
    """No progress display when stderr is not a terminal (it left a blank line first)."""
    r = _run("ingest", "--db", str(tmp_path / "w.duckdb"), str(tmp_path / "nothing.csv"),
             cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.startswith("error ") and r.stderr.count("\n") == 1, repr(r.stderr)
