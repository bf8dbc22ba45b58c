"""UWCHR's hand-built county -> AOR table (``crosswalk-county-aor-uwchr/county_aor.csv``).

One row per county-equivalent in 2024 Census geography (Connecticut planning regions, the
2019 Alaska split, Puerto Rico municipios), ``geoid`` 5-digit with zeros kept, ``name`` like
``"autauga county, alabama"`` (lower case), ``aor`` a 3-letter code. Harlingen-area counties
are already folded into SNA/HOU by UWCHR. The file is undated.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from icefacts.errors import InputError
from icefacts.reference._read import (
    Columns,
    cell,
    csv_records,
    pad_fips,
)
from icefacts.reference.parsers._aor import aor_code

HEADER = ("geoid", "geoid_state", "geoid_county", "name", "aor")
SCHEMA = pa.schema(
    [
        ("fips", pa.string()),
        ("state_fips", pa.string()),
        ("county_name", pa.string()),
        ("state_name", pa.string()),
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
        fips = pad_fips(cell(row, idx["geoid"]), 5, file=file, row=line, column="geoid")
        st = pad_fips(cell(row, idx["geoid_state"]), 2, file=file, row=line, column="geoid_state")
        if not fips.startswith(st):
            raise InputError(
                f"geoid {fips} is not in state {st}", file=file, row=line, column="geoid"
            )
        name = cell(row, idx["name"])
        county, sep, state = name.rpartition(", ")
        if not sep:
            raise InputError(
                f"name is not 'county, state': {name!r}", file=file, row=line, column="name"
            )
        out.add(
            line,
            fips=fips,
            state_fips=st,
            county_name=county,
            state_name=state,
            aor=aor_code(cell(row, idx["aor"]), file=file, row=line, column="aor"),
        )
    return out.table()
