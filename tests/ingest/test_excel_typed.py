"""Excel reading keeps every cell: typed columns only when every cell fits the type."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, workbook


def test_text_cell_deep_in_a_date_column_is_kept_and_reported(
    wh: Warehouse, tmp_path: Path
) -> None:
    rows: list[list[object]] = [["ERO Administrative Arrests for FY2017"], NATIONAL_HEADER]
    for i in range(1_500):
        when: object = datetime(2016, 10, 1) + timedelta(days=i % 365)
        if i == 1_400:  # far past any 1,000-row type sample
            when = "soon"
        rows.append(
            ["Seattle Area of Responsibility", when, "Located", "", "", "", "", "X", "Male"]
        )
    path = workbook(tmp_path / "EROArrests_FY2017.xlsx", {"Arrests": rows})
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded", report.message
    assert report.rows == 1_500
    bad = [
        {**r, "unparsed": dict(r["unparsed"])}
        for r in api.sql(
            wh,
            "SELECT source_row, apprehension_date, unparsed FROM arrests "
            "WHERE unparsed IS NOT NULL",
        ).to_pylist()
    ]
    # sheet row: 2 rows above the data, 1-based, row 1,400 of the data (0-based)
    assert bad == [
        {"source_row": 1_403, "apprehension_date": None, "unparsed": {"apprehension_date": "soon"}}
    ]
    stats = api.sql(wh, "SELECT unparsed FROM field_stats WHERE field = 'apprehension_date'")
    assert stats.column(0).to_pylist() == [1]
    dates = api.sql(wh, "SELECT count(apprehension_date) AS n FROM arrests").to_pylist()
    assert dates == [{"n": 1_499}]
