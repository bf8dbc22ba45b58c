"""ICE office locations (``crosswalk-aor-deportationdata/ice-offices.xlsx``; DDP, Sept 2025).

One sheet; ERO field offices (``sub_office`` false) and sub-offices, plus OPLA, HSI and other
offices, with address, city, state and coordinates.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import (
    Columns,
    blank,
    cell,
    check_header,
    na,
)
from icefacts.reference.parsers._excel import read_sheet

HEADER = (
    "office_name", "office_name_short", "agency", "field_office_name", "sub_office", "address",
    "city", "state", "zip", "zip_4", "address_full", "area", "office_latitude", "office_longitude",
)  # fmt: skip
SCHEMA = pa.schema(
    [
        ("office_name", pa.string()),
        ("agency", pa.string()),
        ("sub_office", pa.bool_()),
        ("address_full", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("zip", pa.string()),
        ("area", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("source_file", pa.string()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def _float(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def parse(path: Path, *, source: str | None = None) -> pa.Table:
    file = str(path)
    sheet, header, rows = read_sheet(path)
    idx = check_header(header, HEADER, file=file, sheet=sheet)
    out = Columns(SCHEMA, source or path.name, sheet)
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        out.add(
            line,
            office_name=cell(row, idx["office_name"]),
            agency=na(cell(row, idx["agency"])),
            sub_office=cell(row, idx["sub_office"]).casefold() in {"true", "1", "yes"},
            address_full=na(cell(row, idx["address_full"])),
            city=na(cell(row, idx["city"])),
            state=na(cell(row, idx["state"])),
            zip=na(cell(row, idx["zip"])),
            area=na(cell(row, idx["area"])),
            latitude=_float(cell(row, idx["office_latitude"])),
            longitude=_float(cell(row, idx["office_longitude"])),
        )
    return out.table()
