"""Header detection: found, not hard-coded; column order and optional columns don't matter."""

from __future__ import annotations

from icefacts.ingest.detect import detect
from tests.fixtures import NATIONAL_HEADER, NATIONAL_TITLE, UW_ARRESTS_HEADER


def _rows(title: list[str], header: list[str]) -> list[list[str]]:
    return [[t] for t in title] + [header, ["x"] * len(header)]


def test_national_arrests_header_after_five_title_rows() -> None:
    det = detect(
        _rows(NATIONAL_TITLE, NATIONAL_HEADER), file_name="EROArrests_FY2017.csv", sheet=None
    )
    assert det is not None
    assert (det.family.id, det.table, det.header_row) == ("lesa-national", "arrests", 5)
    assert det.title_lines[2] == "2019-ICFO-53623"


def test_shuffled_columns_and_missing_optional_column() -> None:
    header = list(reversed(NATIONAL_HEADER))
    header.remove("Apprehension Landmark")
    det = detect(_rows(["some other title"] * 2, header), file_name="arrests.csv", sheet=None)
    assert det is not None
    assert (det.family.id, det.table, det.header_row) == ("lesa-national", "arrests", 2)
    fields = {f for fs in det.columns.values() for f in fs}
    assert "landmark" not in fields and "apprehension_date" in fields


def test_header_spelling_is_case_and_space_insensitive() -> None:
    header = [h.upper().replace(" ", "  ") for h in NATIONAL_HEADER]
    det = detect(_rows([], header), file_name="x.csv", sheet=None)
    assert det is not None and det.table == "arrests"


def test_unrelated_sheet_is_not_detected() -> None:
    rows = [["Name", "Address", "Phone"], ["a", "b", "c"]]
    assert detect(rows, file_name="contacts.csv", sheet=None) is None


def test_seattle_workbook_families_are_told_apart() -> None:
    uw = list(UW_ARRESTS_HEADER)
    cap = [
        "Event Number",
        "Area of Responsibility",
        "Apprehension Landmark",
        "Operation",
        "Processing Disposition",
        "Date of Birth",
        "Country of Citizenship",
        "Gender",
        "Arrest Method",
        "Arrest Date",
    ]
    d1 = detect(_rows(["UW v. DHS - ICE Productions"], uw), file_name="w.xlsx", sheet="Arrests")
    d2 = detect(
        _rows(
            [
                "Criminal Alien Program Encounters, Arrests, and Removals in the "
                "Seattle Area of Responsibility"
            ],
            cap,
        ),
        file_name="w.xlsx",
        sheet="FY2017 Arrests",
    )
    assert d1 is not None and d1.family.id == "uw-v-dhs-seattle"
    assert d2 is not None and d2.family.id == "cap-seattle"
