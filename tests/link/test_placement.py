"""Placement stored on the rows: keys found vectorised, ids stable, and a state a record
names binds its county (the Pennsylvania detainers: Franklin County Jail is Franklin County,
PA, not New York's)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from icefacts import api
from icefacts.link.placement import distinct_keys, place_id_of, place_id_sql
from icefacts.places.events import PLACE_KEY_FIELDS
from icefacts.warehouse import Warehouse
from tests.conftest import SHARED, shared_file


def test_distinct_keys_round_trip() -> None:
    # a dictionary holding one value twice (two raw spellings that trim alike) and blanks
    aor = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0, None, 2], pa.int32()), pa.array(["SEA", "SEA", "CHI"])
    )
    landmark = pa.array(["A", "A", None, "B", ""])
    data = pa.table({"aor": aor, "landmark": landmark})
    inverse, keys = distinct_keys(data, ["aor", "state", "landmark"])
    rows = keys.to_pylist()
    got = [rows[i] for i in inverse]
    assert got == [
        {"aor": "SEA", "state": None, "landmark": "A"},
        {"aor": "SEA", "state": None, "landmark": "A"},
        {"aor": "SEA", "state": None, "landmark": None},
        {"aor": None, "state": None, "landmark": "B"},
        {"aor": "CHI", "state": None, "landmark": None},  # '' is no value
    ]


@pytest.mark.parametrize("table", sorted(PLACE_KEY_FIELDS))
def test_place_id_in_python_is_the_sql_id(table: str) -> None:
    """Ingest computes ids in Python (while the connection streams a sheet's rows), reference
    loads and old warehouses in SQL: the two must agree on every kind of key."""
    import duckdb

    fields = PLACE_KEY_FIELDS[table]
    samples = ["SEA", None, "", "Zoë's Café, PA", "株式会社", "a\x1fb", " x ", "NULL"]
    keys = [
        tuple(samples[(i + j) % len(samples)] for j in range(len(fields)))
        for i in range(len(samples))
    ]
    keys.append(tuple(None for _ in fields))
    data = pa.table({f: pa.array([k[j] for k in keys], pa.string()) for j, f in enumerate(fields)})
    con = duckdb.connect()
    con.register("keys", data)
    got = [r[0] for r in con.execute(f"SELECT {place_id_sql(table)} FROM keys").fetchall()]
    assert got == [place_id_of(table, k) for k in keys]
    assert all(0 <= i < 2**60 for i in got)


def test_place_ids_are_a_stable_function_of_the_key(tmp_path: Path) -> None:
    from tests.fixtures import national_csv

    f = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    ids = []
    for name in ("a", "b"):
        with Warehouse.open(tmp_path / f"{name}.duckdb") as wh:
            api.ingest(wh, [f])
            ids.append(
                wh.engine.query(
                    "SELECT source_row, place_id FROM arrests_all ORDER BY 1"
                ).to_pylist()
            )
    assert ids[0] == ids[1] and len({r["place_id"] for r in ids[0]}) > 1


@pytest.mark.realdata
def test_a_facility_state_binds_its_county(tmp_path: Path) -> None:
    detainers = shared_file("pa-detainers-eads/pa_detainers.csv")
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        api.ingest(wh, [detainers])
        api.load_reference(wh, mirror=SHARED, allow_download=False)
        rows = wh.engine.query(
            "SELECT facility, county_fips, place_state, count(*) AS n FROM detainers "
            "WHERE county_fips IS NOT NULL GROUP BY ALL"
        ).to_pylist()
        outside = [
            r for r in rows if r["place_state"] == "PA" and not r["county_fips"].startswith("42")
        ]
        assert outside == []
        by = {r["facility"]: r["county_fips"] for r in rows}
        # the two facilities the issue found in New York and Virginia
        franklin = [f for f in by if f and "FRANKLIN" in f.upper()]
        northampton = [f for f in by if f and "NORTHAMPTON" in f.upper()]
        assert franklin and all(by[f] == "42055" for f in franklin)  # Franklin County, PA
        assert northampton and all(by[f] == "42095" for f in northampton)
        # every placed detainer that names Pennsylvania is placed in Pennsylvania
        n_pa = wh.engine.scalar(
            "SELECT count(*) FROM detainers WHERE place_state = 'PA' AND county_fips IS NOT NULL"
        )
        assert n_pa > 10_000
