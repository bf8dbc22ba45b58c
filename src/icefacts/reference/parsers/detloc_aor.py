"""DDP-era detention facility code -> AOR list (``crosswalk-facilities/detloc_aor_2025.csv``).

Columns ``detention_facility_code, detention_facility, area_of_responsibility``; the AOR is
written ``"Baltimore Area of Responsibility"`` or ``NA``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import (
    Columns,
    cell,
    csv_records,
    na,
)
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
    idx, records = csv_records(path, HEADER, file=file)
    out = Columns(SCHEMA, source or path.name)
    for line, row in records:
        raw = na(cell(row, idx["area_of_responsibility"]))
        column = "area_of_responsibility"
        out.add(
            line,
            detloc=cell(row, idx["detention_facility_code"]),
            name=" ".join(cell(row, idx["detention_facility"]).split()),
            aor=aor_code(raw, file=file, row=line, column=column) if raw else None,
        )
    return out.table()
