"""Families D (historical 7-column arrests) and E (detainer extracts)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.conftest import shared_file
from tests.fixtures import workbook

RED = "(b)(6), (b)(7)(c)"


def test_historical_arrests_two_sheets_with_person_episodes(wh: Warehouse, tmp_path: Path) -> None:
    title: list[list[object]] = [
        ["ICE ERO Administrative Arrests FY12-FY16 (SYNTHETIC test fixture)"],
        ["2023-ICFO-42034"],
        [""],
        [""],
        [""],
        [""],
    ]
    header: list[object] = [
        "Apprehension Date",
        "Apprehension Method",
        "Arrest Created By",
        "Case ID",
        "Subject ID",
        "Alien File Number",
        "Anonymized Identifier",
    ]
    rows1: list[list[object]] = [
        [datetime(2013, 5, 1, 9), "Located", "ERO", RED, RED, RED, "A1"],
        [datetime(2013, 5, 1, 20), "ERO Reprocessed Arrest", "ERO", RED, RED, RED, "A1"],
        [datetime(2014, 2, 2, 9), "CAP Local Incarceration", "ERO", RED, RED, RED, "A2"],
    ]
    rows2: list[list[object]] = [
        # column order changed in the second sheet: detection is by name, not position
        ["Anonymized Identifier", "Apprehension Method", "Apprehension Date", "Arrest Created By"],
        ["A1", "Non-Custodial Arrest", datetime(2013, 5, 2, 8), "ERO"],
    ]
    path = workbook(
        tmp_path / "ERO_Arrests_FY12-16.xlsx",
        {"FY12-14": [*title, header, *rows1], "FY15-16": [*title, *rows2]},
    )
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded", report.message
    assert report.family == "historical-arrests" and report.rows == 4
    # A1's three records (May 1 9:00, May 1 20:00 reprocessed, May 2 8:00) chain into one
    # episode whose first row is the 9:00 Located arrest.
    assert report.duplicates_flagged == 2
    rows = api.sql(
        wh,
        "SELECT method, duplicate_of IS NULL AS first, alien_file_number FROM arrests_all "
        "ORDER BY apprehension_at",
    ).to_pylist()
    assert [r["first"] for r in rows] == [True, False, False, True]
    # a withheld identifier is never stored: only whether it was released (here: redacted)
    assert rows[0]["alien_file_number"] is False


def test_pennsylvania_detainers(wh: Warehouse) -> None:
    path = shared_file("pa-detainers-eads/pa_detainers.csv")
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded", report.message
    assert report.family == "detainer-extracts" and report.rows == 32_757
    top = api.sql(
        wh, "SELECT lift_reason, count(*) AS n FROM detainers GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).to_pylist()
    assert top[0]["n"] > 1000
    span = api.sql(
        wh, "SELECT min(prepared_date) AS lo, max(prepared_date) AS hi FROM detainers"
    ).to_pylist()[0]
    assert span["lo"].year == 2007 and span["hi"].year == 2015


def test_cr_only_line_endings(wh: Warehouse) -> None:
    path = shared_file("npr-ice-detainers-fy2008-2015-subsets/americans.csv")
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded", report.message
    assert report.rows == 693
