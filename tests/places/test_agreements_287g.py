"""287(g) lists: both vintages (CSV May 2025, xlsx July 2025), normalised models and dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icefacts.errors import InputError
from icefacts.places import Places
from icefacts.places.agreements import agreements_287g, model, signed_date_caveat
from icefacts.reference import load_reference
from icefacts.reference.parsers import agreements_287g as parser

COUNTIES = pa.table(
    {
        "fips": ["01033", "01035", "12057", "12095"],
        "name": ["Colbert County", "Conecuh County", "Hillsborough County", "Orange County"],
        "state": ["AL", "AL", "FL", "FL"],
    }
)
CITIES = pa.table(
    {
        "city": ["ORLANDO"],
        "state": ["FL"],
        "county_fips": ["12095"],
        "n_facilities": pa.array([1], pa.int32()),
    }
)


def test_model_normalisation() -> None:
    assert model("Jail Enforcement Model ") == "jail enforcement"
    assert model("Task Force Model") == "task force"
    assert model("Warrant Service Officer") == "warrant service officer"
    assert model("Something new") == "other" and model(None) == "other"


def test_csv_vintage_synthetic(tmp_path: Path) -> None:
    f = tmp_path / "participating.csv"
    f.write_text(
        "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,,,,,,\n"
        "ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Jail Enforcement Model,"
        "2025-05-08 00:00:00,link,,,,,,\n"
        "FLORIDA,Orlando Police Department,Municipality,#N/A,Task Force Model,05/082025,"
        "link pending,,,,,,\n"
        ",,,,,,,,,,,,\n"
    )
    raw = parser.parse(f, listing="participating", snapshot_date="2025-05-16")
    assert raw.num_rows == 2
    t = agreements_287g(raw, COUNTIES, CITIES).to_pylist()
    assert t[0]["county_fips"] == "01033" and t[0]["county_method"] == "county column"
    assert t[0]["model"] == "jail enforcement" and t[0]["signed_date"] == date(2025, 5, 8)
    assert t[1]["county_fips"] == "12095" and t[1]["county_method"] == "city"
    assert t[1]["signed_date"] == date(2025, 5, 8) and t[1]["signed_raw"] == "05/082025"
    assert t[1]["end_date"] is None and t[1]["snapshot_date"] == date(2025, 5, 16)


def test_xlsx_vintage_synthetic(tmp_path: Path) -> None:
    f = tmp_path / "participating.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "STATE",
            "LAW ENFORCEMENT AGENCY",
            "TYPE",
            "COUNTY",
            "SUPPORT TYPE",
            "SIGNED",
            "MOA",
            "ADDENDUM",
        ]
    )
    ws.append(
        [
            "FLORIDA",
            "Hillsborough County Sheriff's Office",
            "County",
            "Hillsborough County ",
            "Warrant Service Officer",
            "2025-02-26 00:00:00",
            "link",
            None,
        ]
    )
    ws.append(
        [
            "ALABAMA",
            "Conecuh County Sheriff's Office",
            "County",
            None,
            "Task Force Model ",
            "7/72025",
            "link pending",
            None,
        ]
    )
    wb.save(f)
    raw = parser.parse(f, listing="participating", snapshot_date="2025-07-18")
    t = agreements_287g(raw, COUNTIES).to_pylist()
    assert t[0]["county_fips"] == "12057" and t[0]["model"] == "warrant service officer"
    assert t[0]["source_row"] == 2
    assert t[1]["county_fips"] == "01035" and t[1]["county_method"] == "agency name"
    assert t[1]["signed_date"] == date(2025, 7, 7) and t[1]["model"] == "task force"


def test_missing_signed_column_in_participating_list(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE\n")
    with pytest.raises(InputError, match=r"p\.csv, column 'SIGNED': missing column"):
        parser.parse(f, listing="participating", snapshot_date="2025-05-16")
    parser.parse(f, listing="pending", snapshot_date="2025-05-16")  # pending lists have none


TODAY = date.today().isoformat()


@pytest.mark.parametrize(
    ("cell", "signed", "problem"),
    [
        ("2025-05-08 00:00:00", date(2025, 5, 8), None),  # xlsx timestamp text
        ("05/082025", date(2025, 5, 8), None),  # a slash lost in transcription
        ("1900-01-01", date(1900, 1, 1), None),  # the earliest plausible day
        (None, None, None),  # no SIGNED cell (pending lists)
        ("5025-07-07 00:00:00", None, f"implausible date 5025-07-07 (more than one year after "
         f"today, {TODAY})"),  # 5025 for 2025
        ("07/07/1025", None, "implausible date 1025-07-07 (before 1900-01-01)"),
        ("1899-12-31", None, "implausible date 1899-12-31 (before 1900-01-01)"),
        ("13/45/2025", None, "unreadable date"),  # no such month or day
        ("soon", None, "unreadable date"),
    ],
)  # fmt: skip
def test_signed_cells(cell: str | None, signed: date | None, problem: str | None) -> None:
    assert parser.signed_date(cell) == (signed, problem)


def test_implausible_signing_date_is_loaded_without_it(tmp_path: Path) -> None:
    f = tmp_path / "participating.csv"
    f.write_text(
        "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA\n"
        "ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Jail Enforcement Model,"
        "5025-07-07 00:00:00,link\n"
        "ALABAMA,Conecuh County Sheriff's Office,County,Conecuh County,Task Force Model,"
        "2025-07-07 00:00:00,link\n"
        "FLORIDA,Orange County Sheriff's Office,County,Orange County,Task Force Model,"
        "31/31/2025,link\n"
    )
    raw = parser.parse(f, listing="participating", snapshot_date="2025-07-18")
    t = agreements_287g(raw, COUNTIES).to_pylist()
    assert [r["signed_date"] for r in t] == [None, date(2025, 7, 7), None]
    assert t[0]["signed_raw"] == "5025-07-07 00:00:00"  # the cell as written stays
    assert t[0]["signed_problem"].startswith("implausible date 5025-07-07 (more than one year")
    assert t[1]["signed_problem"] is None and t[2]["signed_problem"] == "unreadable date"
    assert t[0]["county_fips"] == "01033"  # the row itself is kept
    assert signed_date_caveat([(r["signed_raw"], r["signed_problem"]) for r in t[:1]]) == [
        "1 287(g) agreement with an implausible signing date (5025-07-07 00:00:00) was loaded "
        "without it"
    ]
    problems = [(r["signed_raw"], r["signed_problem"]) for r in t if r["signed_problem"]]
    assert signed_date_caveat(problems + problems[:1]) == [
        "2 287(g) agreements with an implausible signing date (5025-07-07 00:00:00) were "
        "loaded without it",
        "1 287(g) agreement with an unreadable signing date (31/31/2025) was loaded without it",
    ]


@pytest.mark.realdata
def test_build_places_counts_the_rows_loaded_without_a_date(places: Places) -> None:
    assert places.signed_date_problems == 1
    assert places.caveats == [
        "1 287(g) agreement with an implausible signing date (5025-07-07 00:00:00) was loaded "
        "without it"
    ]
    assert "signed_problem" in places.tables()["agreements_287g"].schema.names


@pytest.mark.realdata
def test_real_csv_and_xlsx_vintages(mirror: Path, empty_cache: Path) -> None:
    raw = load_reference("agreements-287g-2025", mirror, empty_cache, allow_download=False)
    by_file = {
        f: raw.filter(pc.equal(raw["source_file"], f)) for f in set(raw["source_file"].to_pylist())
    }
    assert len(by_file) == 4
    csv_part = next(
        t for f, t in by_file.items() if f.endswith("participatingAgencies05162025am.csv")
    )
    xlsx_part = next(
        t for f, t in by_file.items() if f.endswith("07182025pm.xlsx") and "particip" in f
    )
    assert csv_part.num_rows == 571 and xlsx_part.num_rows == 832
    for part in (csv_part, xlsx_part):
        # every SIGNED cell parses, typos included; a NULL date always says why
        problems = part.filter(part["signed_problem"].is_valid())
        assert part["signed_date"].null_count == problems.num_rows
        assert problems.num_rows == 0 or set(problems["signed_problem"].to_pylist()) == {
            "implausible date 5025-07-07 (more than one year after today, "
            f"{date.today().isoformat()})"
        }
    # the July 2025 workbook's one typo: Grundy County's SIGNED cell says 5025-07-07
    bad = xlsx_part.filter(xlsx_part["signed_problem"].is_valid()).to_pylist()
    assert [(r["agency"], r["signed_raw"], r["source_row"]) for r in bad] == [
        ("Grundy County Sheriff's Office", "5025-07-07 00:00:00", 639)
    ]
    counties = load_reference("census-population-v2019", mirror, empty_cache, allow_download=False)
    from icefacts.places import counties as build_counties

    t = agreements_287g(raw, build_counties(counties))
    assert set(t["model"].to_pylist()) <= {
        "jail enforcement",
        "task force",
        "warrant service officer",
        "other",
    }
    county_rows = t.filter(pc.equal(t["agency_type"], "County"))
    share = 1 - county_rows["county_fips"].null_count / county_rows.num_rows
    assert share > 0.97, share
