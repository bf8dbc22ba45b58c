"""The public views answer like tables: LIMIT, filters and counts behave."""

from __future__ import annotations

from pathlib import Path

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import national_csv


def test_limit_is_honoured_with_no_placements_loaded(wh: Warehouse, tmp_path: Path) -> None:
    # DuckDB 2.0.1 drops a LIMIT over a LEFT JOIN whose ON holds a constant predicate and
    # whose right side is empty; the views must not be written that way.
    rows = [
        ["Seattle Area of Responsibility", f"9/{d}/2017", "Located", "", "", "", "", "X", "Male"]
        for d in range(1, 23)
    ]
    api.ingest(wh, [national_csv(tmp_path / "EROArrests_FY2017.csv.gz", rows=rows)])
    placed = "SELECT count(*) AS n FROM link_places WHERE county_fips IS NOT NULL"
    assert api.sql(wh, placed).to_pylist() == [{"n": 0}]  # no places tables yet
    for view in ("arrests", "encounters", "detainers", "detentions", "removals"):
        n = len(api.sql(wh, f"SELECT * FROM {view} LIMIT 3"))
        assert n == (3 if view == "arrests" else 0), view
    assert len(api.sql(wh, "SELECT 1 FROM arrests LIMIT 3")) == 3
