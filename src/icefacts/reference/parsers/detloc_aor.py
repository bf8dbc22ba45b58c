"""DDP-era detention facility code -> AOR list (``crosswalk-facilities/detloc_aor_2025.csv``).

Columns ``detention_facility_code, detention_facility, area_of_responsibility``; the AOR is
written ``"Baltimore Area of Responsibility"`` or ``NA``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import blank, cell, check_header, csv_rows, first_row, na
from icefacts.reference.parsers._aor import aor_code

HEADER = ("detention_facility_code", "detention_facility", "area_of_responsibility")
SCHEMA = pa.schema(
    [
        ("detloc", pa.string()),
        ("name", pa.string()),
        ("aor", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def parse(path: Path, *, source: str | None = None) -> pa.Table:
    file = str(path)
    rows = csv_rows(path)
    idx = check_header(first_row(rows, file=file), HEADER, file=file)
    cols: dict[str, list[object]] = {n: [] for n in SCHEMA.names}
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        raw = na(cell(row, idx["area_of_responsibility"]))
        cols["detloc"].append(cell(row, idx["detention_facility_code"]))
        cols["name"].append(" ".join(cell(row, idx["detention_facility"]).split()))
        cols["aor"].append(
            aor_code(raw, file=file, row=line, column="area_of_responsibility") if raw else None
        )
        cols["source_file"].append(source or path.name)
        cols["source_row"].append(line)
    return pa.Table.from_pydict(cols, schema=SCHEMA)
