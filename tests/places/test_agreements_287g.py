"""287(g) lists: both vintages (CSV May 2025, xlsx July 2025), normalised models and dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icefacts.errors import InputError
from icefacts.places.agreements import agreements_287g, model
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
        signed = part["signed_date"]
        assert signed.null_count == 0  # every SIGNED cell parses, typos included
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
