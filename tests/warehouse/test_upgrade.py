"""A warehouse written before placements and counting were stored on rows (schema 2) is
upgraded in place: same rows, same counts, nothing needs the original files again."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from icefacts import api
from icefacts.errors import IcefactsError
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import Warehouse
from icefacts.warehouse.ddl import link_fields
from tests.fixtures import national_arrests, uw_arrests

SEA = "Seattle Area of Responsibility"


def _make_schema_2(db: Path) -> None:
    """Turn a schema-3 warehouse back into the shape schema 2 had: no link columns or link
    tables, placements keyed by strings."""
    con = duckdb.connect(str(db))
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'core\\_%\\_\\_%' ESCAPE '\\'"
        ).fetchall()
    ]
    for tdef in EVENT_TABLES.values():
        for view in (tdef.name, f"{tdef.name}_all", f"_events_{tdef.name}"):
            con.execute(f"DROP VIEW IF EXISTS {view}")
    for name in [*tables, *(f"core_{t}" for t in EVENT_TABLES)]:
        table = name.removeprefix("core_").split("__", 1)[0]
        for f in link_fields(EVENT_TABLES[table]):
            con.execute(f"ALTER TABLE {name} DROP COLUMN {f.name}")
    con.execute("ALTER TABLE releases DROP COLUMN copy_of")
    con.execute("ALTER TABLE raw_sheets DROP COLUMN fingerprint")
    con.execute("ALTER TABLE raw_sheets DROP COLUMN copy_of")
    for t in ("link_places", "link_cells", "release_scope"):
        con.execute(f"DROP TABLE {t}")
    con.execute("DROP VIEW placements")
    con.execute(
        "CREATE TABLE link_places (table_name VARCHAR, place_key VARCHAR, county_fips VARCHAR, "
        "state VARCHAR, place_method VARCHAR, place_confidence VARCHAR, place_note VARCHAR, "
        "placed_at TIMESTAMP)"
    )
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.execute("DELETE FROM meta WHERE key = 'fingerprint_engine'")
    con.close()


def test_schema_2_warehouse_is_upgraded_in_place(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "w.duckdb"
    files = [
        uw_arrests(tmp_path / "arrests.csv.gz", ["9/30/2016", "1/5/2017", "1/5/2017"]),
        national_arrests(tmp_path / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["1/5/2017"]}),
    ]
    with Warehouse.open(db) as wh:
        api.ingest(wh, files)
        want = wh.engine.query(
            "SELECT release_id, source_row, counted, shadowed_by, place_id FROM arrests_all "
            "ORDER BY 1, 2"
        ).to_pylist()
    _make_schema_2(db)
    with pytest.raises(IcefactsError, match="icefacts upgrade"):
        Warehouse.open(db, read_only=True)
    code, out, err = run_cli("upgrade", "--db", str(db))
    assert code == 0, err
    assert "schema 4" in out
    with Warehouse.open(db, read_only=True) as wh:
        got = wh.engine.query(
            "SELECT release_id, source_row, counted, shadowed_by, place_id FROM arrests_all "
            "ORDER BY 1, 2"
        ).to_pylist()
        assert wh.engine.scalar("SELECT count(*) FROM arrests") == 2
    assert got == want
    # and a copy in another format is still recognised after the upgrade
    from tests.copies import plain_csv

    with Warehouse.open(db) as wh:
        (r,) = api.ingest(wh, [plain_csv(files[1], tmp_path / "EROArrests_FY2017.csv")])
    assert r.status == "copy"


def test_a_newer_or_foreign_database_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(IcefactsError, match="not an icefacts warehouse"):
        Warehouse.open(foreign)
    db = tmp_path / "w.duckdb"
    Warehouse.open(db).close()
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(IcefactsError, match="newer icefacts"):
        Warehouse.open(db)
