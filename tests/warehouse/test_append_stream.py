"""A sheet's pieces stream into DuckDB through as few INSERTs as their columns allow; an error
while cleaning a piece surfaces as itself, and the load leaves nothing behind."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from icefacts import api
from icefacts.errors import InputError
from icefacts.warehouse import Warehouse
from icefacts.warehouse.duckdb_engine import DuckDBEngine
from tests.fixtures import NATIONAL_ROWS, national_csv


def _engine() -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER, b VARCHAR, c VARCHAR, k VARCHAR)")
    return DuckDBEngine(con)


def _rows(eng: DuckDBEngine) -> list[tuple]:
    return eng.con.execute("SELECT a, b, c, k FROM t ORDER BY a").fetchall()


def test_pieces_of_other_columns_and_types_all_land() -> None:
    eng = _engine()
    statements: list[str] = []
    execute = eng.execute

    def counting(sql: str, params: object = None) -> None:
        statements.append(sql)
        execute(sql, params)  # type: ignore[arg-type]

    eng.execute = counting  # type: ignore[method-assign]
    words = pa.array(["x", "y"]).dictionary_encode()
    pieces = [
        pa.table({"a": pa.array([1, 2], pa.int32()), "b": words}),
        pa.table({"a": pa.array([3], pa.int32()), "b": pa.array(["z"])}),  # plain: cast
        pa.table({"a": pa.array([4], pa.int32())}),  # no b: NULL
        pa.table({"a": pa.array([5], pa.int32()), "c": pa.array(["new"])}),  # a new column
        pa.table({"a": pa.array([6], pa.int32()), "c": pa.array(["again"])}),
    ]
    n = eng.append_stream("t", iter(pieces), {"k": "'K'"})
    assert n == 6
    assert _rows(eng) == [
        (1, "x", None, "K"),
        (2, "y", None, "K"),
        (3, "z", None, "K"),
        (4, None, None, "K"),
        (5, None, "new", "K"),
        (6, None, "again", "K"),
    ]
    assert len(statements) == 2  # the piece with a column the first lacks starts another


def test_a_statement_ends_past_its_bytes() -> None:
    eng = _engine()
    piece = pa.table({"a": pa.array(range(1000), pa.int32()), "b": pa.array(["v"] * 1000)})
    n = eng.append_stream("t", iter([piece] * 5), max_bytes=piece.nbytes * 2)
    assert n == 5000
    assert eng.con.execute("SELECT count(*), count(DISTINCT a) FROM t").fetchall() == [(5000, 1000)]


def test_an_error_in_a_piece_is_raised_as_itself() -> None:
    eng = _engine()

    def pieces() -> Iterator[pa.Table]:
        yield pa.table({"a": pa.array([1], pa.int32())})
        raise InputError("bad cell", file="f.csv", row=7)

    with pytest.raises(InputError, match="bad cell"):
        eng.append_stream("t", pieces())


def test_new_place_keys_written_between_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet whose new place keys outgrow the pending limit is loaded in several
    statements (keys flushed between them): the same rows and places as in one."""
    pipeline = importlib.import_module("icefacts.ingest.pipeline")
    csv_chunks = importlib.import_module("icefacts.ingest.csv_chunks")
    rows = []
    for i in range(3000):
        r = list(NATIONAL_ROWS[i % len(NATIONAL_ROWS)])
        r[3] = f"LANDMARK {i}"  # every row a new place key
        rows.append(r)
    f = national_csv(tmp_path / "EROArrests_FY2017.csv.gz", rows=rows)

    def load(db: Path) -> tuple[list, list]:
        with Warehouse.open(db) as wh:
            api.ingest(wh, [f])
            got = wh.con.execute(
                "SELECT source_row, aor, landmark, place_id FROM arrests_all ORDER BY 1"
            ).fetchall()
            places = wh.con.execute(
                "SELECT place_id, landmark FROM link_places ORDER BY 1"
            ).fetchall()
        return got, places

    whole = load(tmp_path / "one.duckdb")
    monkeypatch.setattr(pipeline, "PENDING_PLACES_BYTES", 1)
    init = csv_chunks.CsvChunks.__init__
    monkeypatch.setattr(
        csv_chunks.CsvChunks,
        "__init__",
        lambda self, *a, **k: init(self, *a, **{**k, "chunk_bytes": 20_000}),
    )
    split = load(tmp_path / "many.duckdb")
    assert split == whole
    assert len(whole[0]) == 3000 and len(whole[1]) >= 3000
