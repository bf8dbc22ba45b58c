"""ICE office locations (``crosswalk-aor-deportationdata/ice-offices.xlsx``; DDP, Sept 2025).

One sheet; ERO field offices (``sub_office`` false) and sub-offices, plus OPLA, HSI and other
offices, with address, city, state and coordinates.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import blank, cell, check_header, na
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
    cols: dict[str, list[object]] = {n: [] for n in SCHEMA.names}
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        cols["office_name"].append(cell(row, idx["office_name"]))
        cols["agency"].append(na(cell(row, idx["agency"])))
        cols["sub_office"].append(cell(row, idx["sub_office"]).casefold() in {"true", "1", "yes"})
        cols["address_full"].append(na(cell(row, idx["address_full"])))
        cols["city"].append(na(cell(row, idx["city"])))
        cols["state"].append(na(cell(row, idx["state"])))
        cols["zip"].append(na(cell(row, idx["zip"])))
        cols["area"].append(na(cell(row, idx["area"])))
        cols["latitude"].append(_float(cell(row, idx["office_latitude"])))
        cols["longitude"].append(_float(cell(row, idx["office_longitude"])))
        cols["source_file"].append(source or path.name)
        cols["source_sheet"].append(sheet)
        cols["source_row"].append(line)
    return pa.Table.from_pydict(cols, schema=SCHEMA)
