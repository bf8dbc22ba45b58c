"""Census county population estimates, Vintage 2019 (``co-est2019-alldata.csv``).

Quirks of the public copy: a UTF-8 BOM before ``SUMLEV``; STATE/COUNTY codes lost their
leading zeros in an Excel re-save (``1``/``1`` for 01001); one county name was mangled by an
encoding round trip (``DoÒa Ana County``, i.e. Doña Ana, NM). Output is long: one row per
geography x year (July 1 estimates 2010-2019), states (SUMLEV 040) and counties (050).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from icefacts.errors import InputError
from icefacts.reference._read import (
    Columns,
    check_header,
    csv_rows,
    first_row,
    pad_fips,
    parse_count,
)

VINTAGE = 2019
YEARS = range(2010, 2020)
ID_COLUMNS = ("SUMLEV", "REGION", "DIVISION", "STATE", "COUNTY", "STNAME", "CTYNAME")
REQUIRED = (*ID_COLUMNS, *(f"POPESTIMATE{y}" for y in YEARS))
# The other ~140 columns are components of change, one per year: allowed, not read.
COMPONENTS = (
    r"(CENSUS|ESTIMATESBASE|GQESTIMATESBASE|GQESTIMATES|NPOPCHG_|BIRTHS|DEATHS|NATURALINC|"
    r"INTERNATIONALMIG|DOMESTICMIG|NETMIG|RESIDUAL|RBIRTH|RDEATH|RNATURALINC|"
    r"RINTERNATIONALMIG|RDOMESTICMIG|RNETMIG)20[12]\d(POP)?"
)
# Names damaged by an encoding round trip in the public copy -> the Census spelling.
NAME_REPAIRS = {"DoÒa Ana County": "Doña Ana County"}

SCHEMA = pa.schema(
    [
        ("fips", pa.string()),
        ("level", pa.string()),
        ("state_fips", pa.string()),
        ("state_name", pa.string()),
        ("name", pa.string()),
        ("year", pa.int16()),
        ("population", pa.int64()),
        ("vintage", pa.int16()),
        ("source_file", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def parse(path: Path, *, source: str | None = None) -> pa.Table:
    file = str(path)
    check_header(
        first_row(csv_rows(path), file=file), REQUIRED, file=file, optional_pattern=COMPONENTS
    )
    try:  # 164 columns x 3,193 rows: let Arrow read the columns we need, as text
        raw = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf-8"),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(REQUIRED), column_types=dict.fromkeys(REQUIRED, pa.string())
            ),
        )
    except (pa.ArrowInvalid, KeyError) as exc:
        raise InputError(f"unreadable CSV: {exc}", file=file) from exc
    out = Columns(SCHEMA, source or path.name)
    data = {c: raw.column(c).to_pylist() for c in REQUIRED}
    for i in range(raw.num_rows):
        line = i + 2
        sumlev = (data["SUMLEV"][i] or "").strip().zfill(3)
        if sumlev not in {"040", "050"}:
            raise InputError(f"unknown SUMLEV {sumlev!r}", file=file, row=line, column="SUMLEV")
        st = pad_fips(data["STATE"][i] or "", 2, file=file, row=line, column="STATE")
        co = pad_fips(data["COUNTY"][i] or "", 3, file=file, row=line, column="COUNTY")
        level = "state" if sumlev == "040" else "county"
        fips = st if level == "state" else st + co
        name = (data["CTYNAME"][i] or "").strip()
        name = NAME_REPAIRS.get(name, name)
        state_name = (data["STNAME"][i] or "").strip()
        for year in YEARS:
            column = f"POPESTIMATE{year}"
            pop = parse_count(data[column][i] or "", file=file, row=line, column=column)
            out.add(
                line,
                fips=fips,
                level=level,
                state_fips=st,
                state_name=state_name,
                name=name,
                year=year,
                population=pop,
                vintage=VINTAGE,
            )
    return out.table()
