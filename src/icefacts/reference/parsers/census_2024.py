"""Census county population estimates, Vintage 2024, one state per file (``co-est2024-pop-SS.csv``).

This is Census's formatted report layout, saved as CSV: two title rows, a two-row header
(``Geographic Area``, ``April 1, 2020 Estimates Base``, ``Population Estimate (as of July 1)``
over a row of years), a state total row, then one row per county labelled
``.Adams County, Washington`` (leading dot = sub-part), numbers with thousands separators,
~30 empty trailing columns, and footnote rows at the end. The file carries no county FIPS:
``fips`` is NULL for counties here and is assigned by name in :func:`icefacts.places.counties`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from icefacts.errors import InputError
from icefacts.reference._read import (
    Columns,
    blank,
    cell,
    check_header,
    csv_rows,
    drop_trailing_empty,
    norm_header,
    parse_count,
)
from icefacts.reference.parsers.census_2019 import SCHEMA

HEADER = ("Geographic Area", "April 1, 2020 Estimates Base", "Population Estimate (as of July 1)")
TITLE = re.compile(r"Annual Estimates of the Resident Population for Counties in (.+?):")


def parse(path: Path, *, source: str | None = None, state_fips: str) -> pa.Table:
    file = str(path)
    rows = list(csv_rows(path))
    head = next(
        (i for i, r in enumerate(rows[:10]) if r and norm_header(r[0]) == "geographic area"), None
    )
    if head is None or head + 1 >= len(rows):
        raise InputError(
            "no 'Geographic Area' header row in the first 10 rows",
            file=file,
            column="Geographic Area",
        )
    title = next((m for r in rows[:head] if r and (m := TITLE.search(r[0]))), None)
    if title is None:
        raise InputError(
            "no 'Annual Estimates of the Resident Population for Counties in "
            "<State>:' title above the header",
            file=file,
            row=1,
        )
    state_name = title.group(1).strip()
    check_header(rows[head], HEADER, file=file)
    years_row = drop_trailing_empty(rows[head + 1])
    years: list[tuple[int, int]] = []  # (column index, year)
    for i, text in enumerate(years_row):
        if i < 2:
            if text.strip():
                raise InputError(
                    "unexpected cell in the year row", file=file, row=head + 2, column=text
                )
            continue
        if not re.fullmatch(r"20\d\d", text.strip()):
            raise InputError(
                f"expected a year, got {text!r}", file=file, row=head + 2, column=f"column {i + 1}"
            )
        years.append((i, int(text)))
    if not years:
        raise InputError(
            "no year columns under 'Population Estimate (as of July 1)'", file=file, row=head + 2
        )
    vintage = max(y for _, y in years)
    suffix = f", {state_name}"
    out = Columns(SCHEMA, source or path.name)
    seen_state = False
    for line, row in enumerate(rows[head + 2 :], start=head + 3):
        if blank(row):
            continue
        label = cell(row, 0)
        values = [cell(row, i) for i, _ in years]
        if not any(values):  # footnotes / citation rows below the table
            break
        if label.startswith("."):
            name = label[1:].strip()
            if not name.endswith(suffix):
                raise InputError(
                    f"county label does not end with {suffix!r}: {label!r}",
                    file=file,
                    row=line,
                    column="Geographic Area",
                )
            level, fips, name = "county", None, name[: -len(suffix)]
        else:
            if seen_state or label != state_name:
                raise InputError(
                    f"expected the state total row {state_name!r}, got {label!r}",
                    file=file,
                    row=line,
                    column="Geographic Area",
                )
            seen_state = True
            level, fips, name = "state", state_fips, state_name
        for (i, year), text in zip(years, values, strict=True):
            out.add(
                line,
                fips=fips,
                level=level,
                state_fips=state_fips,
                state_name=state_name,
                name=name,
                year=year,
                population=parse_count(
                    text, file=file, row=line, column=f"{year} (column {i + 1})"
                ),
                vintage=vintage,
            )
    if not seen_state:
        raise InputError("no state total row", file=file)
    return out.table()
