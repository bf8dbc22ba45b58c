"""Messy-input cases found in review: each keeps every row and value, or refuses clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from icefacts import api
from icefacts.errors import IcefactsError
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS, national_csv, workbook

ROW = ["Seattle Area of Responsibility", "9/25/2017", "Located", "", "", "", "", "X", "Male"]


def _text(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_blank_lines_keep_line_numbers(wh: Warehouse, tmp_path: Path) -> None:
    header = "|".join(NATIONAL_HEADER)
    body = ["|".join(ROW)]
    f = _text(
        tmp_path / "EROArrests_blank.csv", ["FY2017 arrests", header, *body, "", *body, "", *body]
    )
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded" and r.rows == 3
    rows = api.sql(wh, "SELECT source_row FROM arrests ORDER BY 1").column(0).to_pylist()
    assert rows == [3, 5, 7]  # the lines a user sees in the file


def test_impossible_date_is_not_rolled_over(wh: Warehouse, tmp_path: Path) -> None:
    rows = [list(ROW) for _ in range(150)]
    rows[10][1] = "2/30/2017"  # one bad cell of 150: kept verbatim, not turned into March 2
    f = national_csv(tmp_path / "EROArrests_feb30.csv.gz", rows=rows)
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded"
    got = api.sql(
        wh, "SELECT apprehension_date, unparsed FROM arrests WHERE unparsed IS NOT NULL"
    ).to_pylist()
    assert len(got) == 1 and got[0]["apprehension_date"] is None
    assert dict(got[0]["unparsed"]) == {"apprehension_date": "2/30/2017"}


def test_two_columns_for_one_field_are_refused(wh: Warehouse, tmp_path: Path) -> None:
    header = [*NATIONAL_HEADER, "Apprehension Method"]
    rows = [[*r, "Located"] for r in NATIONAL_ROWS]
    f = national_csv(tmp_path / "EROArrests_dup.csv.gz", rows=rows, header=header)
    (r,) = api.ingest(wh, [f])
    assert r.status == "error" and "two columns (3 and 10)" in r.message
    assert api.sql(wh, "SELECT count(*) AS n FROM releases").to_pylist() == [{"n": 0}]


def test_identifying_and_unlabelled_columns(wh: Warehouse, tmp_path: Path) -> None:
    header: list[object] = [*NATIONAL_HEADER, "A-Number", "", "Notes"]
    rows: list[list[object]] = [["FY2017"], header]
    rows += [[*ROW, "A012345678", "kept", "note 1"], [*ROW, "(b)(6)", None, "note 2"]]
    f = workbook(tmp_path / "EROArrests_extra.xlsx", {"Arrests": rows})
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded", r.message
    extras = [
        dict(e)
        for e in api.sql(wh, "SELECT extra FROM arrests ORDER BY source_row").column(0).to_pylist()
    ]
    assert extras[0] == {
        "A-Number (withheld)": "released",
        "(column 11) (withheld)": "released",  # what a column with no header holds: unknown
        "Notes": "note 1",
    }
    assert extras[1]["A-Number (withheld)"] == "redacted"
    assert "A012345678" not in str(extras) and "kept" not in str(extras)


def test_trailing_delimiter_and_latin1(wh: Warehouse, tmp_path: Path) -> None:
    header = "|".join(NATIONAL_HEADER) + "|"
    row = "|".join([*ROW[:7], "MÉXICO", "Male"]) + "|"
    f = _text(tmp_path / "EROArrests_latin1.csv", ["FY2017", header, row, row], "cp1252")
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded", r.message
    assert api.sql(wh, "SELECT DISTINCT citizenship FROM arrests").column(0).to_pylist() == [
        "MÉXICO"
    ]


def test_sql_takes_one_statement(wh: Warehouse) -> None:
    with pytest.raises(IcefactsError, match="exactly one"):
        api.sql(wh, "SELECT 1; DELETE FROM releases")


def test_totals_line_and_multiline_title(wh: Warehouse, tmp_path: Path) -> None:
    header = "|".join(NATIONAL_HEADER)
    body = "|".join(ROW)
    f = _text(
        tmp_path / "EROArrests_footer.csv",
        ['"ERO Administrative Arrests', 'for FY2017"', header, body, body, "Total: 2||||||||"],
    )
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded", r.message
    assert r.rows == 2  # the totals line is layout, not an arrest
    rows = api.sql(wh, "SELECT source_row FROM arrests ORDER BY 1").column(0).to_pylist()
    assert rows == [4, 5]
    period = api.sql(wh, "SELECT period_start, period_end FROM releases").to_pylist()[0]
    assert str(period["period_start"]) == "2016-10-01"  # the title spanning lines was read


def test_non_utf8_byte_far_into_the_file(wh: Warehouse, tmp_path: Path) -> None:
    header = "|".join(NATIONAL_HEADER)
    body = "|".join(ROW)
    late = "|".join([*ROW[:7], "CURAÇAO", "Male"])
    f = _text(tmp_path / "EROArrests_late.csv", ["FY2017", header, *[body] * 8_000, late], "cp1252")
    assert f.stat().st_size > 300_000  # past the sample that guesses the encoding
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded", r.message
    assert r.rows == 8_001
    assert (
        "CURAÇAO" in api.sql(wh, "SELECT DISTINCT citizenship FROM arrests").column(0).to_pylist()
    )


def test_title_shared_string_far_down_the_table(wh: Warehouse, tmp_path: Path) -> None:
    """openpyxl numbers shared strings by first use: sheet 2's title comes after sheet 1's
    6,000 distinct landmarks, past the first shared strings the header scan reads."""
    first: list[list[object]] = [["ERO Administrative Arrests for FY2017"], NATIONAL_HEADER]
    first += [[*ROW[:3], f"LANDMARK {i}", *ROW[4:]] for i in range(6_000)]
    second: list[list[object]] = [
        ["ERO Administrative Arrests for FY2017 (10/1/2016 - 3/31/2017)"],
        NATIONAL_HEADER,
        ROW,
    ]
    f = workbook(tmp_path / "EROArrests_FY2017.xlsx", {"A": first, "B": second})
    (r,) = api.ingest(wh, [f])
    assert r.status == "loaded", r.message
    got = api.sql(wh, "SELECT out_of_period FROM arrests WHERE source_sheet = 'B'").to_pylist()
    assert got == [{"out_of_period": True}]  # 9/25/2017 is after the stated 3/31/2017


def test_links_to_nothing_and_fifos_in_a_folder_are_refused(wh: Warehouse, tmp_path: Path) -> None:
    import os

    folder = tmp_path / "files"
    folder.mkdir()
    national_csv(folder / "EROArrests_FY2017.csv.gz")
    (folder / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(folder / "fifo.csv")
    reports = api.ingest(wh, [folder])
    by_name = {Path(r.path).name: r for r in reports}
    assert by_name["EROArrests_FY2017.csv.gz"].status == "loaded"
    assert by_name["dangling.csv"].status == "error"
    assert "a link to nothing" in by_name["dangling.csv"].message
    assert "not a regular file" in by_name["fifo.csv"].message
