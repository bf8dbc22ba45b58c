"""`icefacts export --format parquet DIR`: the public views as Parquet, by table and fiscal
year, with a manifest; written beside DIR and renamed into place; a folder that is neither new,
empty nor an earlier export is refused in one line."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from icefacts import api
from icefacts.errors import IcefactsError
from icefacts.warehouse import Warehouse
from icefacts.warehouse.connect import export_connection
from icefacts.warehouse.export import MANIFEST
from tests.analysis.test_operation import _file, _row


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Arrests of FY2017 and FY2018 (two partitions), and one places view."""
    rows17 = [_row("SEA", date(2017, 9, 1) + timedelta(days=i % 20)) for i in range(50)]
    rows17 += [_row("NYC", date(2016, 10, 1) + timedelta(days=i)) for i in range(30)]
    rows18 = [_row("SEA", date(2017, 10, 2) + timedelta(days=i)) for i in range(7)]
    path = tmp_path / "w.duckdb"
    with Warehouse.open(path) as wh:
        for f in (
            _file(tmp_path / "EROArrests_FY2017.csv.gz", rows17),
            _file(tmp_path / "EROArrests_FY2018.csv.gz", rows18, 2018),
        ):
            (r,) = api.ingest(wh, [f])
            assert r.status == "loaded", r.message
        wh.engine.execute("CREATE VIEW counties AS SELECT '53033' AS fips, 'King' AS name")
    return path


def _read(folder: Path) -> str:
    return f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"


def test_layout_manifest_and_rows(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with api.open_warehouse(db, read_only=True) as wh:
        manifest = api.export_parquet(wh, out)
        want = {
            name: wh.engine.scalar(f"SELECT count(*) FROM {name}") for name in manifest["tables"]
        }
        ids = sorted(wh.engine.query("SELECT event_id FROM arrests_all").column(0).to_pylist())
    assert {p.name for p in (out / "arrests_all").iterdir()} == {
        "fiscal_year=2017",
        "fiscal_year=2018",
    }
    assert (out / "releases" / "data_0.parquet").is_file()
    assert (out / "encounters_all" / "data_0.parquet").is_file()  # no rows: one empty file
    assert "counties" in manifest["tables"]
    on_disk = json.loads((out / MANIFEST).read_text())
    assert on_disk == manifest and on_disk["schema_version"] == 4
    assert on_disk["warehouse"] == db.name  # never the user's absolute local path
    assert str(tmp_path) not in (out / MANIFEST).read_text()
    assert {n: t["rows"] for n, t in manifest["tables"].items()} == want
    assert manifest["tables"]["arrests_all"] == {
        "rows": 87,
        "partitioned_by": "fiscal_year",
        "fiscal_year_of": "apprehension_date",
    }
    assert manifest["views"]["arrests"]["of"] == "arrests_all"
    con = duckdb.connect()  # a test's own connection: it may read the files
    got = con.execute(
        f"SELECT fiscal_year, count(*) FROM {_read(out / 'arrests_all')} GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert got == [(2017, 80), (2018, 7)]
    back = con.execute(f"SELECT event_id FROM {_read(out / 'arrests_all')} ORDER BY 1")
    assert [r[0] for r in back.fetchall()] == ids
    empty = con.execute(f"DESCRIBE SELECT * FROM {_read(out / 'encounters_all')}").fetchall()
    assert "event_date" in {r[0] for r in empty}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []


def test_cli_replaces_an_export_and_refuses_other_folders(
    db: Path, tmp_path: Path, run_cli
) -> None:
    out = tmp_path / "export"
    code, stdout, err = run_cli("export", "--format", "parquet", str(out), "--db", str(db))
    assert code == 0, err
    assert "rows of 13 tables" in stdout and str(out) in stdout
    first = json.loads((out / MANIFEST).read_text())["exported_at"]
    (out / "stale.txt").write_text("from before")  # an earlier export is replaced whole
    code, stdout, err = run_cli("export", str(out), "--db", str(db))
    assert code == 0, err
    assert not (out / "stale.txt").exists() and json.loads((out / MANIFEST).read_text())
    assert first  # (both exports carry their time; they may fall in the same second)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    (tmp_path / "afile").write_text("x")
    for args, words in (
        ([str(tmp_path / "busy")], "is not empty and holds no icefacts export"),
        ([str(tmp_path / "afile")], "is a file"),
        ([str(tmp_path / "no" / "such" / "dir")], "does not exist"),
        ([str(out), "--format", "orc"], "--format 'orc'"),
    ):
        code, stdout, err = run_cli("export", *args, "--db", str(db))
        assert code == 2 and words in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_empty_folder_is_fine(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    with api.open_warehouse(db, read_only=True) as wh:
        api.export_parquet(wh, out)
    assert (out / MANIFEST).is_file()


def test_the_export_connection_writes_only_into_its_folder(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    con = export_connection(tmp_path / "mine")
    con.execute(f"COPY (SELECT 1 AS a) TO '{tmp_path / 'mine' / 'a.parquet'}' (FORMAT parquet)")
    for sql in (
        f"COPY (SELECT 1 AS a) TO '{tmp_path / 'b.parquet'}' (FORMAT parquet)",
        f"COPY (SELECT 1 AS a) TO '{tmp_path / 'mine' / '..' / 'c.parquet'}' (FORMAT parquet)",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    con.close()
    assert not (tmp_path / "b.parquet").exists() and not (tmp_path / "c.parquet").exists()


def test_read_manifest_errors(tmp_path: Path) -> None:
    from icefacts.warehouse.export import read_manifest

    with pytest.raises(IcefactsError, match=r"--parquet .*: no such folder"):
        read_manifest(tmp_path / "none")
    (tmp_path / MANIFEST).write_text(json.dumps({"format": "something else"}))
    with pytest.raises(IcefactsError, match="not an icefacts export manifest"):
        read_manifest(tmp_path)
