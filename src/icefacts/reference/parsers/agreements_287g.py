"""ICE's 287(g) participating / pending agency lists (``287g-agreements-2025/``).

Two vintages of the same ice.gov table, scraped by appelson/Tracking_287g: CSV exports
(May 2025; six empty trailing header cells, 14 all-empty rows at the end, ``#N/A`` for no
county) and xlsx workbooks (July 2025; an ``ADDENDUM`` column). ``SIGNED`` is a timestamp
string ``2025-05-08 00:00:00`` or a hand-typed date that lost a slash (``05/082025``).
Pending lists have no ``SIGNED``/``MOA`` columns.

A ``SIGNED`` cell that does not read as a date, or reads as an implausible one (before 1900 or
more than a year after today, e.g. ``5025-07-07``), gives ``signed_date`` NULL and says why in
``signed_problem``; ``signed_raw`` keeps the cell as written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from icefacts.errors import InputError
from icefacts.reference._read import (
    Columns,
    blank,
    cell,
    check_header,
    csv_rows,
    first_row,
    na,
    parse_date,
)
from icefacts.reference.parsers._excel import read_sheet
from icefacts.reference.plausible import implausible

REQUIRED = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE")
OPTIONAL = ("SIGNED", "MOA", "ADDENDUM")
LISTINGS = ("participating", "pending")
SCHEMA = pa.schema(
    [
        ("state_name", pa.string()),
        ("agency", pa.string()),
        ("agency_type", pa.string()),
        ("county_name", pa.string()),
        ("support_type", pa.string()),
        ("signed_raw", pa.string()),
        ("signed_date", pa.date32()),
        ("signed_problem", pa.string()),
        ("moa", pa.string()),
        ("listing", pa.string()),
        ("snapshot_date", pa.date32()),
        ("source_file", pa.string()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
    ]
)


def parse(
    path: Path, *, source: str | None = None, listing: str, snapshot_date: date | str
) -> pa.Table:
    file = str(path)
    if listing not in LISTINGS:
        raise InputError(f"listing must be one of {LISTINGS}, not {listing!r}", file=file)
    snap = parse_date(snapshot_date)
    if snap is None:
        raise InputError(f"bad snapshot_date {snapshot_date!r}", file=file)
    sheet: str | None = None
    if path.suffix.lower() in {".xlsx", ".xls"}:
        sheet, header, data = read_sheet(path)
        first = 2
    else:
        rows = csv_rows(path)
        header, data, first = first_row(rows, file=file), list(rows), 2
    required = (*REQUIRED, "SIGNED") if listing == "participating" else REQUIRED
    optional = tuple(c for c in OPTIONAL if c not in required)
    idx = check_header(header, required, file=file, sheet=sheet, optional=optional)
    out = Columns(SCHEMA, source or path.name, sheet)
    for line, row in enumerate(data, start=first):
        if blank(row):
            continue
        agency = cell(row, idx["LAW ENFORCEMENT AGENCY"])
        if not agency:
            raise InputError(
                "row without an agency name",
                file=file,
                sheet=sheet,
                row=line,
                column="LAW ENFORCEMENT AGENCY",
            )
        signed_raw = na(cell(row, idx["SIGNED"])) if "SIGNED" in idx else None
        signed, problem = signed_date(signed_raw)
        out.add(
            line,
            state_name=cell(row, idx["STATE"]),
            agency=" ".join(agency.split()),
            agency_type=na(cell(row, idx["TYPE"])),
            county_name=na(cell(row, idx["COUNTY"])),
            support_type=" ".join(cell(row, idx["SUPPORT TYPE"]).split()) or None,
            signed_raw=signed_raw,
            signed_date=signed,
            signed_problem=problem,
            moa=na(cell(row, idx["MOA"])) if "MOA" in idx else None,
            listing=listing,
            snapshot_date=snap,
        )
    return out.table()


def signed_date(raw: str | None) -> tuple[date | None, str | None]:
    """A ``SIGNED`` cell -> (the date, None), or (None, why it cannot be used)."""
    if raw is None:
        return None, None
    day = parse_date(raw)
    if day is None:
        return None, "unreadable date"
    if why := implausible(day):
        return None, f"implausible date {day} ({why})"
    return day, None
