"""ICE's AOR -> state / county list as compiled by the Deportation Data Project
(``crosswalk-aor-deportationdata/ice-areas-of-responsibility.csv``; ICE web site, Sept 2025).

A state appears once when one office covers all of it; split states (CA, NY, TX) list every
county with its office. Quirk: a space after each comma (``"office_name", "state_name"``),
read with ``skipinitialspace``. Office names are kept as written (``Harlingen``, ``St Paul``);
``aor`` is the 3-letter code, Harlingen folded into SNA by the release vocabulary.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.reference._read import blank, cell, check_header, csv_rows, first_row, na
from icefacts.reference.parsers._aor import aor_code

HEADER = ("office_name", "state_name", "county_name", "notes")
SCHEMA = pa.schema(
    [
        ("office_name", pa.string()),
        ("aor", pa.string()),
        ("state_name", pa.string()),
        ("county_name", pa.string()),
        ("notes", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def parse(path: Path, *, source: str | None = None) -> pa.Table:
    file = str(path)
    rows = csv_rows(path, skipinitialspace=True)
    idx = check_header(first_row(rows, file=file), HEADER, file=file)
    cols: dict[str, list[object]] = {n: [] for n in SCHEMA.names}
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        office = cell(row, idx["office_name"])
        cols["office_name"].append(office)
        cols["aor"].append(aor_code(office, file=file, row=line, column="office_name"))
        cols["state_name"].append(cell(row, idx["state_name"]))
        cols["county_name"].append(na(cell(row, idx["county_name"])))
        cols["notes"].append(na(cell(row, idx["notes"])))
        cols["source_file"].append(source or path.name)
        cols["source_row"].append(line)
    return pa.Table.from_pydict(cols, schema=SCHEMA)
