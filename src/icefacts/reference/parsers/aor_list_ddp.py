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

from icefacts.reference._read import (
    Columns,
    cell,
    csv_records,
    na,
)
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
    idx, records = csv_records(path, HEADER, file=file, skipinitialspace=True)
    out = Columns(SCHEMA, source or path.name)
    for line, row in records:
        office = cell(row, idx["office_name"])
        out.add(
            line,
            office_name=office,
            aor=aor_code(office, file=file, row=line, column="office_name"),
            state_name=cell(row, idx["state_name"]),
            county_name=na(cell(row, idx["county_name"])),
            notes=na(cell(row, idx["notes"])),
        )
    return out.table()
