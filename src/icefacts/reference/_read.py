"""Small readers shared by the reference parsers: CSV rows, header checks, FIPS, numbers.

Every parser checks its header against the columns it expects and refuses a file whose
header differs (a missing or an unexpected column) with an InputError naming the file and
the column. Trailing empty header cells (spreadsheet exports) are dropped before the check.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO

import pyarrow as pa

from icefacts.errors import InputError


def norm_header(text: object) -> str:
    """Compare headers case-, space- and punctuation-insensitively."""
    return re.sub(r"[^a-z0-9()]+", " ", str(text or "").casefold()).strip()


def drop_trailing_empty(header: Sequence[str]) -> list[str]:
    """Spreadsheet exports pad the header with empty (or ``Unnamed: N``) cells: drop them."""
    cells = [str(h or "").strip() for h in header]
    while cells and (not cells[-1] or re.fullmatch(r"Unnamed: \d+", cells[-1])):
        cells.pop()
    return cells


def check_header(
    header: Sequence[str],
    expected: Sequence[str],
    *,
    file: str,
    sheet: str | None = None,
    optional: Sequence[str] = (),
    optional_pattern: str | None = None,
) -> dict[str, int]:
    """Return ``expected column -> index``; refuse a missing or an unexpected column.

    ``optional`` columns may be present; so may columns matching ``optional_pattern`` (a
    regular expression on the raw header cell, for wide files with one column per year).
    """
    cells = drop_trailing_empty(header)
    got = {norm_header(c): i for i, c in enumerate(cells)}
    for name in expected:
        if norm_header(name) not in got:
            raise InputError(
                f"missing column {name!r} (header has {len(cells)} columns: "
                f"{', '.join(repr(c) for c in cells[:12])})",
                file=file,
                sheet=sheet,
                column=name,
            )
    allowed = {norm_header(n) for n in (*expected, *optional)}
    extra = re.compile(optional_pattern) if optional_pattern else None
    for raw in cells:
        if extra is not None and extra.fullmatch(raw):
            continue
        if norm_header(raw) not in allowed:
            raise InputError(
                "unexpected column (the layout changed: update the parser and its test)",
                file=file,
                sheet=sheet,
                column=raw or "<empty>",
            )
    out = {name: got[norm_header(name)] for name in expected}
    for name in optional:
        if norm_header(name) in got:
            out[name] = got[norm_header(name)]
    return out


def open_text(path: Path, encoding: str = "utf-8-sig") -> IO[str]:
    """Open a (possibly gzipped) text file; ``utf-8-sig`` strips a leading BOM."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def csv_rows(
    path: Path, *, delimiter: str = ",", skipinitialspace: bool = False, encoding: str = "utf-8-sig"
) -> Iterator[list[str]]:
    """Yield raw CSV rows (lists of cells) of a CSV file, gzipped or not."""
    try:
        with open_text(path, encoding) as f:
            yield from csv.reader(f, delimiter=delimiter, skipinitialspace=skipinitialspace)
    except UnicodeDecodeError as exc:
        raise InputError(f"not {encoding} text: {exc}", file=str(path)) from exc
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", file=str(path)) from exc


class Columns:
    """A parser's output, row by row: every row also gets the file (and sheet) and the row it
    came from (``source_file``, ``source_sheet`` when the schema has it, ``source_row``)."""

    def __init__(self, schema: pa.Schema, source: str, sheet: str | None = None) -> None:
        self.schema, self.source, self.sheet = schema, source, sheet
        self.cols: dict[str, list[object]] = {name: [] for name in schema.names}

    def add(self, line: int, **values: object) -> None:
        for name, value in values.items():
            self.cols[name].append(value)
        self.cols["source_file"].append(self.source)
        if "source_sheet" in self.cols:
            self.cols["source_sheet"].append(self.sheet)
        self.cols["source_row"].append(line)

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self.cols, schema=self.schema)


def csv_records(
    path: Path,
    header: Sequence[str],
    *,
    file: str,
    delimiter: str = ",",
    skipinitialspace: bool = False,
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """A CSV file's checked header (column -> index) and its non-blank rows with their line."""
    rows = csv_rows(path, delimiter=delimiter, skipinitialspace=skipinitialspace)
    idx = check_header(first_row(rows, file=file), header, file=file)
    return idx, ((line, row) for line, row in enumerate(rows, start=2) if not blank(row))


def first_row(rows: Iterator[list[str]], *, file: str) -> list[str]:
    try:
        return next(rows)
    except StopIteration:
        raise InputError("empty file: no header row", file=file) from None


def blank(row: Iterable[str]) -> bool:
    return all(not str(c).strip() for c in row)


def cell(row: Sequence[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def pad_fips(value: str, width: int, *, file: str, row: int, column: str) -> str:
    """Restore leading zeros an Excel re-save stripped (``1`` -> ``01``); refuse non-digits."""
    text = value.strip()
    if text.endswith(".0"):  # a float-typed spreadsheet cell
        text = text[:-2]
    if not text.isdigit() or len(text) > width:
        raise InputError(
            f"not a {width}-digit FIPS code: {value!r}", file=file, row=row, column=column
        )
    return text.zfill(width)


def parse_count(value: str, *, file: str, row: int, column: str) -> int:
    """An integer count with optional thousands separators (``"1,234"``)."""
    text = value.strip().replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise InputError(f"not a count: {value!r}", file=file, row=row, column=column)
    return int(text)


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?(?:\.0+)?)?$"), "ymd"),
    # M/D/YYYY, also with the second slash lost in transcription (05/082025, 7/72025)
    (re.compile(r"^(\d{1,2})/(\d{1,2})/?(\d{4})$"), "mdy"),
)


def parse_date(value: object) -> date | None:
    """Dates as the reference files write them; None when empty or unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        a, b, c = (int(g) for g in m.groups())
        y, mo, d = (a, b, c) if order == "ymd" else (c, a, b)
        try:
            return date(y, mo, d)
        except ValueError:
            return None
    return None


def na(value: str) -> str | None:
    """Empty, ``NA``, ``#N/A`` and ``N/A`` cells are missing values."""
    text = value.strip()
    return None if text.upper() in {"", "NA", "#N/A", "N/A", "NULL", "NONE"} else text
