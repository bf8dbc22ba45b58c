"""Placement stored on the rows: keys found vectorised, ids stable, and a state a record
names binds its county (the Pennsylvania detainers: Franklin County Jail is Franklin County,
PA, not New York's)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from icefacts import api
from icefacts.link.placement import distinct_keys
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
