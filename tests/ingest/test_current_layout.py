"""A hand-made current-layout (family C) arrests sheet: episodes, unknown values, redactions."""

from __future__ import annotations

from pathlib import Path

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import current_arrests_rows, workbook


def test_current_layout_arrests(wh: Warehouse, tmp_path: Path) -> None:
    path = workbook(tmp_path / "ICE_Arrests_FY2024.xlsx", {"Arrests": current_arrests_rows()})
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded", report.message
    assert report.family == "ddp-current" and report.rows == 6
    rows = api.sql(
        wh,
        "SELECT source_row, person_id, aor, state, method, at_large, criminality, "
        "operation_flag, duplicate_of, redacted_fields, unknown_fields, event_id, counted "
        "FROM arrests_all ORDER BY source_row",
    ).to_pylist()
    assert [r["source_row"] for r in rows] == [8, 9, 10, 11, 12, 13]  # Excel rows
    # the two later records of P1's first episode are not counted: each arrest once
    assert [r["counted"] for r in rows] == [True, False, False, True, True, True]
    counted = api.sql(wh, "SELECT source_row FROM arrests ORDER BY 1").column(0).to_pylist()
    assert counted == [8, 11, 12, 13]
    first = rows[0]["event_id"]
    # P1: 08:00, 18:00 (reprocessed), next day 14:00 chain into one episode; Jan 9 is new
    assert [r["duplicate_of"] for r in rows[:4]] == [None, first, first, None]
    assert rows[0]["state"] == "WA" and rows[0]["aor"] == "SEA"
    assert rows[1]["at_large"] is None  # reprocessed: neither custodial nor at-large
    assert rows[2]["operation_flag"] is True and rows[0]["operation_flag"] is False
    assert rows[4]["criminality"] == "other" and rows[4]["at_large"] is True
    # unknown values are kept verbatim and named; a redacted person id is not a person
    assert rows[5]["aor"] == "Atlantis Area of Responsibility"
    assert rows[5]["unknown_fields"] == ["aor"]
    assert rows[5]["person_id"] is None and "person_id" in rows[5]["redacted_fields"]
    assert rows[5]["method"] == "Teleportation" and rows[5]["duplicate_of"] is None
    unknown = api.sql(wh, "SELECT field, value, n FROM unknown_values ORDER BY field").to_pylist()
    assert unknown == [{"field": "aor", "value": "Atlantis Area of Responsibility", "n": 1}]
    method = api.sql(
        wh, "SELECT failed FROM validation WHERE check_name = 'known_values' AND field = 'method'"
    ).to_pylist()
    assert method == [{"failed": 1}]
