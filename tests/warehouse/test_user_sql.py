"""The SQL door reads the warehouse and nothing else: every attack here is refused with one
line, exit code 2, and changes nothing (files, other warehouses, the warehouse itself)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from icefacts import api
from icefacts.errors import QueryError
from icefacts.warehouse import Warehouse
from tests.fixtures import national_csv

ATTACKS = [
    # (what a hostile query tries, the SQL)
    (
        "write inside a WITH",
        "WITH t AS (INSERT INTO meta VALUES ('x', 'y') RETURNING *) SELECT * FROM t",
    ),
    ("delete inside a WITH", "WITH t AS (DELETE FROM meta RETURNING *) SELECT * FROM t"),
    ("read a system file", "SELECT * FROM read_text('/etc/shadow')"),
    ("list a folder", "SELECT * FROM glob('/root/*')"),
    ("parse a system file", "SELECT * FROM read_csv('/etc/passwd')"),
    ("sniff a file", "SELECT * FROM sniff_csv('/etc/passwd')"),
    (
        "read a file inside a CTE",
        "WITH t AS (SELECT * FROM read_text('/etc/hosts')) SELECT * FROM t",
    ),
    ("read parquet", "SELECT * FROM read_parquet('/tmp/x.parquet')"),
    ("write a file", "COPY (SELECT 1) TO '{victim}'"),
    ("write a table to a file", "COPY releases TO '{victim}' (FORMAT csv)"),
    ("export the database", "EXPORT DATABASE '{tmp}/export'"),
    ("attach another file for writing", "ATTACH '{victim}' AS v (READ_WRITE)"),
    ("install an extension", "INSTALL httpfs"),
    ("load an extension", "LOAD httpfs"),
    ("re-enable file access", "SET enable_external_access = true"),
    ("unlock the configuration", "SET lock_configuration = false"),
    ("a pragma", "PRAGMA enable_profiling"),
    ("write through a CTE", "WITH t AS (SELECT 1) INSERT INTO validation SELECT * FROM validation"),
    ("delete", "DELETE FROM releases"),
    ("drop", "DROP VIEW arrests"),
    ("create", "CREATE TABLE x AS SELECT 1"),
    ("two statements", "SELECT 1; DELETE FROM releases"),
    ("checkpoint", "CHECKPOINT"),
    ("explain analyze a write", "EXPLAIN ANALYZE DELETE FROM releases"),
    ("a nested write", "SELECT * FROM query('DELETE FROM releases')"),
    ("empty", "   "),
    ("switch database", "USE memory"),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sql")
    db = tmp / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [national_csv(tmp / "EROArrests_FY2017.csv.gz")])
    return db


def _state(db: Path) -> list[object]:
    with Warehouse.open(db, read_only=True) as wh:
        return [
            wh.engine.query("SELECT * FROM releases").to_pylist(),
            wh.engine.query("SELECT count(*) AS n FROM validation").to_pylist(),
            wh.engine.query("SELECT count(*) AS n FROM arrests").to_pylist(),
        ]


@pytest.mark.parametrize(("what", "sql"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_refused_by_cli(what: str, sql: str, loaded: Path, tmp_path: Path, run_cli) -> None:
    victim = tmp_path / "other.duckdb"
    with Warehouse.open(victim) as _:
        pass
    before_victim = victim.read_bytes()
    before = _state(loaded)
    query = sql.format(victim=victim, tmp=tmp_path)
    code, out, err = run_cli("sql", "--db", str(loaded), query)
    assert code == 2, (what, out, err)
    assert err.startswith("icefacts: ") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert victim.read_bytes() == before_victim
    assert not (tmp_path / "export").exists()
    assert _state(loaded) == before


@pytest.mark.parametrize(("what", "sql"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_refused_by_api_on_a_writable_warehouse(
    what: str, sql: str, loaded: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.csv"
    before = _state(loaded)
    with Warehouse.open(loaded) as wh, pytest.raises(QueryError):
        api.sql(wh, sql.format(victim=victim, tmp=tmp_path))
    assert not victim.exists()
    assert _state(loaded) == before


def test_a_refusal_names_what_was_asked(loaded: Path, run_cli) -> None:
    code, _out, err = run_cli("sql", "--db", str(loaded), "USE memory")
    assert code == 2 and "refused: USE statement" in err, err


def test_reads_still_work(loaded: Path, run_cli) -> None:
    for sql in (
        "SELECT count(*) AS n FROM arrests",
        "DESCRIBE arrests",
        "SHOW TABLES",
        "SUMMARIZE releases",
        "FROM releases",
        "EXPLAIN SELECT * FROM arrests",
        "VALUES (1), (2)",
    ):
        code, _out, err = run_cli("sql", "--db", str(loaded), sql, "--format", "json")
        assert code == 0, (sql, err)


def test_row_cap_and_timeout(loaded: Path, run_cli) -> None:
    with Warehouse.open(loaded, read_only=True) as wh:
        res = api.sql_result(wh, "SELECT * FROM range(1000)", max_rows=10)
        assert res.table.num_rows == 10 and res.truncated
        res = api.sql_result(wh, "SELECT * FROM range(10)", max_rows=10)
        assert res.table.num_rows == 10 and not res.truncated
        with pytest.raises(QueryError, match="time limit"):
            api.sql(wh, "SELECT count(*) FROM range(100000000) a, range(100000) b", timeout=0.5)
        # the connection is still usable afterwards
        assert api.sql(wh, "SELECT 42 AS x").to_pylist() == [{"x": 42}]
    code, _out, err = run_cli(
        "sql", "--db", str(loaded), "SELECT * FROM range(50)", "--max-rows", "5"
    )
    assert code == 0 and "first 5 rows" in err


def test_db_must_be_a_warehouse(tmp_path: Path, run_cli) -> None:
    csv = tmp_path / "existing.csv"
    csv.write_text("a,b\n1,2\n")
    code, _, err = run_cli("ingest", "--db", str(csv), str(national_csv(tmp_path / "x.csv.gz")))
    assert code == 2 and "not a DuckDB warehouse" in err
    assert csv.read_text() == "a,b\n1,2\n"
    code, _out, err = run_cli("sql", "--db", str(tmp_path), "SELECT 1")
    assert code == 2 and "is a folder" in err
    empty = tmp_path / "empty.duckdb"  # a 0-byte file: once a raw DuckDB error
    empty.write_bytes(b"")
    gz = str(national_csv(tmp_path / "y.csv.gz"))
    for args in (("sql", "SELECT 1"), ("releases",), ("ingest", gz)):
        code, _out, err = run_cli(args[0], "--db", str(empty), *args[1:])
        assert code == 2 and "is an empty file, not a warehouse" in err, err
        assert empty.read_bytes() == b""
    fifo = tmp_path / "fifo.duckdb"  # once a hang: the first bytes were read from a FIFO
    os.mkfifo(fifo)
    for db in (fifo, Path("/dev/null")):
        code, _out, err = run_cli("sql", "--db", str(db), "SELECT 1")
        assert code == 2 and "is not a regular file" in err, err
