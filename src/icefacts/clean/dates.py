"""Dates and datetimes from the spellings releases use, plus Excel serial numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from icefacts.clean.cells import per_distinct

EXCEL_EPOCH = datetime(1899, 12, 30)
_FRACTION = r"(\d{2}:\d{2}:\d{2})\.\d+$"
_SERIAL = re.compile(r"^\d{4,5}(\.\d+)?$")


def parse_timestamps(column: pa.Array, formats: tuple[str, ...]) -> pa.Array:
    """timestamp[s] per row; NULL where nothing parses (callers keep the raw text)."""

    def on_distinct(values: pa.Array) -> pa.Array:
        text = pc.utf8_trim_whitespace(values)
        text = pc.replace_substring_regex(text, _FRACTION, r"\1")
        text = pc.replace_substring(text, "T", " ")
        out = pa.nulls(len(text), pa.timestamp("s"))
        for fmt in formats:
            parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
            # strptime rolls impossible days over (2/30/2017 -> 3/2/2017): keep a parse only
            # if it prints back as the text it came from (leading zeros aside)
            back = pc.strftime(parsed, format=fmt)
            same = pc.equal(_unpadded(back), _unpadded(text))
            parsed = pc.if_else(pc.fill_null(same, False), parsed, None)
            out = pc.coalesce(out, parsed)
        missing = pc.and_(pc.is_null(out), pc.is_valid(text))
        if pc.any(missing).as_py():
            out = _fill_serials(text, out)
        return out

    return per_distinct(column, on_distinct)


def _unpadded(text: pa.Array) -> pa.Array:
    """'09/05/0999 07:00:00' -> '9/5/999 7:0:0': compare dates whatever their zero padding."""
    return pc.replace_substring_regex(text, r"(^|[^0-9])0+([0-9])", r"\1\2")


def _fill_serials(text: pa.Array, out: pa.Array) -> pa.Array:
    """Excel serial day numbers (e.g. '42999' or '42999.5') left as text by some exports."""
    values = out.to_pylist()
    for i, (t, v) in enumerate(zip(text.to_pylist(), values, strict=True)):
        if v is None and t is not None and _SERIAL.match(t):
            days = float(t)
            if 1 <= days < 2958466:  # 1900-01-01 .. 9999-12-31
                values[i] = EXCEL_EPOCH + timedelta(days=days)
    return pa.array(values, pa.timestamp("s"))


def to_date(ts: pa.Array) -> pa.Array:
    return pc.cast(ts, pa.date32())


def parse_failures(text: pa.Array, parsed: pa.Array) -> pa.Array:
    """Rows whose cell held text that did not parse as a date."""
    return pc.fill_null(pc.and_(pc.is_valid(text), pc.is_null(parsed)), False)


def parse_us_date(text: str) -> date | None:
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
