"""UWCHR's union of ICE detention facility lists (``crosswalk-facilities/facilities.csv.gz``).

Pipe-delimited, gzipped; one row per DETLOC code from the 2009, 2015, Nov-2017 and FY2019
ICE lists. ``county`` is a bare upper-case county name, sometimes with trailing spaces and
sometimes wrong (a hold room's city in the county column); ``NA`` for unknown.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import (
    Columns,
    cell,
    csv_records,
    na,
    parse_date,
)
from icefacts.reference.parsers._aor import aor_code

HEADER = (
    "detloc", "name", "address", "city", "county", "state", "zip", "circuit", "aor", "docket",
    "type", "type_detailed", "authorizing_authority", "capacity", "guaranteed_minimum",
    "date_of_last_use", "date_of_first_use", "over_72", "dmcp_auth",
)  # fmt: skip
SCHEMA = pa.schema(
    [
        ("detloc", pa.string()),
        ("name", pa.string()),
        ("address", pa.string()),
        ("city", pa.string()),
        ("county_name", pa.string()),
        ("state", pa.string()),
        ("zip", pa.string()),
        ("aor", pa.string()),
        ("type", pa.string()),
        ("type_detailed", pa.string()),
        ("date_first_use", pa.date32()),
        ("date_last_use", pa.date32()),
        ("source_file", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def parse(path: Path, *, source: str | None = None) -> pa.Table:
    file = str(path)
    idx, records = csv_records(path, HEADER, file=file, delimiter="|")
    out = Columns(SCHEMA, source or path.name)
    for line, row in records:
        aor = na(cell(row, idx["aor"]))
        out.add(
            line,
            detloc=cell(row, idx["detloc"]),
            name=" ".join(cell(row, idx["name"]).split()),
            address=na(cell(row, idx["address"])),
            city=na(cell(row, idx["city"])),
            county_name=na(cell(row, idx["county"])),
            state=na(cell(row, idx["state"])),
            zip=na(cell(row, idx["zip"])),
            aor=aor_code(aor, file=file, row=line, column="aor") if aor else None,
            type=na(cell(row, idx["type"])),
            type_detailed=na(cell(row, idx["type_detailed"])),
            date_first_use=parse_date(cell(row, idx["date_of_first_use"])),
            date_last_use=parse_date(cell(row, idx["date_of_last_use"])),
        )
    return out.table()
