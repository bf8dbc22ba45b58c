"""The files: real layouts, readable by gzip/csv, fastexcel (calamine) and openpyxl."""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import fastexcel
import pyarrow as pa

from icefacts.synth import layouts

from .conftest import ROWS, SHEET_ROWS

Release = tuple[Path, dict[str, Any]]
A_FILES = {
    "arrests": "SYNTHETIC_EROArrests_FY2017.csv.gz",
    "encounters": "SYNTHETIC_EROEncounters_FY2017.csv.gz",
    "removals": "SYNTHETIC_ICERemovals_FY2017.csv.gz",
}
C_FILES = {
    "arrests": "SYNTHETIC_ICE_Arrests_FY2024.xlsx",
    "detainers": "SYNTHETIC_ICE_Detainers_FY2024.xlsx",
    "encounters": "SYNTHETIC_ICE_Encounters_FY2024.xlsx",
    "detentions": "SYNTHETIC_ICE_Detention_Stints_FY2024.xlsx",
    "removals": "SYNTHETIC_ICE_Removals_FY2024.xlsx",
}
US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return f.read().split("\n")


def test_file_names(release: Release) -> None:
    out, truth = release
    names = {p.name for p in out.iterdir()}
    assert names == set(A_FILES.values()) | set(C_FILES.values()) | {"truth.json"}
    assert set(truth["files"]) == names - {"truth.json"}


def test_family_a_title_lines_and_header_are_the_real_layout(release: Release) -> None:
    out, _ = release
    lines = _lines(out / A_FILES["arrests"])
    assert lines[:6] == [
        '"ERO-LESA Statistical Tracking Unit - SYNTHETIC DATA, NOT A REAL RELEASE"||||||||',
        '"For Official Use Only (FOUO)/Pre-decisional"||||||||',
        '"2019-ICFO-53623"||||||||',
        "||||||||",
        '"ERO Administrative Arrests for FY2017"||||||||',
        '"Area of Responsibility"|"Apprehension Date"|"Apprehension Method"|'
        '"Apprehension Landmark"|"Operation"|"Processing Disposition"|"Birth Date"|'
        '"Citizenship"|"Gender"',
    ]
    assert lines[-1] == ""  # the file ends with a newline
    assert _lines(out / A_FILES["removals"])[4] == '"ICE Removals for FY2017"|||||||||'
    assert _lines(out / A_FILES["encounters"])[4] == '"ERO Encounters for FY2017"|||||||'


def test_family_a_cells_quoted_like_the_real_files(release: Release) -> None:
    out, truth = release
    lines = _lines(out / A_FILES["arrests"])[6:-1]
    assert len(lines) == truth["files"][A_FILES["arrests"]]["rows"] == ROWS
    for line in lines:
        cells = line.split("|")
        assert len(cells) == 9
        aor, day, method = cells[0], cells[1], cells[2]
        assert aor == "" or (aor.startswith('"') and aor.endswith(' Area of Responsibility"'))
        assert US_DATE.match(day), day  # dates bare M/D/YYYY
        assert method.startswith('"') and method.endswith('"')
        assert cells[6] == '"(B)(6);(B)(7)(C) "'
        assert cells[4] in ("", '"(B)(7)(E) "', '"--"')
    # csv parses it (pipe-delimited, double quotes) into the same number of rows
    with gzip.open(out / A_FILES["arrests"], "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="|"))
    assert len(rows) == 6 + ROWS
    assert rows[5] == list(layouts.A_ARRESTS)


def test_family_a_removals_keep_the_impossible_dates(release: Release) -> None:
    out, _ = release
    text = "\n".join(_lines(out / A_FILES["removals"]))
    assert re.search(r'\|"\d{2}/\d{2}/0999"\|', text)  # quoted text, zero-padded, as released
    assert re.search(r"\|\d{1,2}/\d{1,2}/1970\|", text)


def test_family_a_gzip_header_is_fixed(release: Release) -> None:
    out, _ = release
    head = (out / A_FILES["arrests"]).read_bytes()[:10]
    assert head[:3] == b"\x1f\x8b\x08"
    assert head[3] == 0  # no file name stored
    assert head[4:8] == b"\x00\x00\x00\x00"  # mtime 0


def _sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    reader = fastexcel.read_excel(path)
    table = reader.load_sheet(sheet, header_row=None).to_arrow()
    return [list(r.values()) for r in pa.table(table).to_pylist()]


def test_family_c_sheets_title_rows_and_header(release: Release) -> None:
    out, truth = release
    for table, name in C_FILES.items():
        path = out / name
        entry = truth["files"][name]
        reader = fastexcel.read_excel(path)
        assert reader.sheet_names == list(entry["sheets"])
        assert sum(entry["sheets"].values()) == entry["rows"]
        for sheet, n in entry["sheets"].items():
            rows = _sheet_rows(path, sheet)
            assert len(rows) == 7 + n, (name, sheet)
            title = [r[0] for r in rows[:6]]
            assert "SYNTHETIC" in title[0]
            assert any("2024-ICFO-39357" in t for t in title)
            assert any("10/1/2023 - 9/30/2024" in t for t in title)
            assert all(v is None for r in rows[:6] for v in r[1:])
            assert rows[6] == list(layouts.c_layout(table)), (name, sheet)


def test_family_c_multi_sheet_split(release: Release) -> None:
    _, truth = release
    sheets = truth["files"][C_FILES["arrests"]]["sheets"]
    assert sheets == {"Arrests": SHEET_ROWS, "Arrests (2)": SHEET_ROWS, "Arrests (3)": SHEET_ROWS}


def test_family_c_dates_are_excel_datetimes(release: Release) -> None:
    out, _ = release
    reader = fastexcel.read_excel(out / C_FILES["arrests"])
    batch = pa.table(reader.load_sheet("Arrests", header_row=6).to_arrow())
    assert pa.types.is_timestamp(batch.schema.field("Apprehension Date").type)
    assert pa.types.is_timestamp(batch.schema.field("Departed Date").type)
    assert pa.types.is_floating(batch.schema.field("Birth Year").type)
    ids = batch.column("Anonymized Identifier").to_pylist()
    assert all(i is None or re.fullmatch(r"[0-9a-f]{40}", i) for i in ids)
    assert set(batch.column("Birth Date").to_pylist()) == {"(b)(6), (b)(7)(c)"}
    crim = set(batch.column("Apprehension Criminality").to_pylist())
    assert {"1 Convicted Criminal", "2 Pending Criminal Charges"} <= crim
    # read as strings (as ingest does): ISO date-times to the minute
    text = reader.load_sheet("Arrests", header_row=6, dtypes="string").to_arrow()
    first = pa.table(text).column("Apprehension Date")[0].as_py()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00", first), first


def test_family_c_opens_with_openpyxl(release: Release) -> None:
    from openpyxl import load_workbook

    out, truth = release
    wb = load_workbook(out / C_FILES["removals"], read_only=True)
    ws = wb[next(iter(truth["files"][C_FILES["removals"]]["sheets"]))]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    assert list(rows[6]) == list(layouts.C_REMOVALS)
    departed = [r[0] for r in rows[7:]]
    assert departed and all(isinstance(d, datetime) for d in departed)
    wb = load_workbook(out / C_FILES["arrests"])
    ws = wb["Arrests (2)"]
    assert ws["A7"].value == "Apprehension Date"
    assert isinstance(ws["A8"].value, datetime)
    assert ws["A8"].number_format != "General"


def test_family_c_zip_members_have_fixed_timestamps(release: Release) -> None:
    import zipfile

    out, _ = release
    with zipfile.ZipFile(out / C_FILES["detentions"]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.testzip() is None
        assert "xl/sharedStrings.xml" in z.namelist()


def test_csv_module_reads_family_a_as_text(release: Release) -> None:
    out, _ = release
    raw = gzip.decompress((out / A_FILES["encounters"]).read_bytes()).decode()
    rows = list(csv.reader(io.StringIO(raw), delimiter="|"))
    assert rows[5] == list(layouts.A_ENCOUNTERS)
    assert all(len(r) == len(layouts.A_ENCOUNTERS) for r in rows[6:])
