"""UWCHR's union of ICE detention facility lists (``crosswalk-facilities/facilities.csv.gz``).

Pipe-delimited, gzipped; one row per DETLOC code from the 2009, 2015, Nov-2017 and FY2019
ICE lists. ``county`` is a bare upper-case county name, sometimes with trailing spaces and
sometimes wrong (a hold room's city in the county column); ``NA`` for unknown.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import blank, cell, check_header, csv_rows, first_row, na, parse_date
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
    rows = csv_rows(path, delimiter="|")
    idx = check_header(first_row(rows, file=file), HEADER, file=file)
    cols: dict[str, list[object]] = {n: [] for n in SCHEMA.names}
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        aor = na(cell(row, idx["aor"]))
        cols["detloc"].append(cell(row, idx["detloc"]))
        cols["name"].append(" ".join(cell(row, idx["name"]).split()))
        cols["address"].append(na(cell(row, idx["address"])))
        cols["city"].append(na(cell(row, idx["city"])))
        cols["county_name"].append(na(cell(row, idx["county"])))
        cols["state"].append(na(cell(row, idx["state"])))
        cols["zip"].append(na(cell(row, idx["zip"])))
        cols["aor"].append(aor_code(aor, file=file, row=line, column="aor") if aor else None)
        cols["type"].append(na(cell(row, idx["type"])))
        cols["type_detailed"].append(na(cell(row, idx["type_detailed"])))
        cols["date_first_use"].append(parse_date(cell(row, idx["date_of_first_use"])))
        cols["date_last_use"].append(parse_date(cell(row, idx["date_of_last_use"])))
        cols["source_file"].append(source or path.name)
        cols["source_row"].append(line)
    return pa.Table.from_pydict(cols, schema=SCHEMA)
