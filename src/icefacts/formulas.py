"""Spreadsheet cells, for every CSV and xlsx icefacts writes: formulas neutralised, and one
typed xlsx cell writer for the downloads and the exports.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets (CSV injection). Released text can start that way (a
landmark, an uploaded claim's label), so such a string is written with a leading apostrophe,
which the spreadsheet shows as the text itself. Numbers are never changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, made text; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_xlsx_cell(ws: Any, row: int, col: int, value: Any, day_format: Any) -> None:
    """One typed cell of an XlsxWriter sheet (downloads and exports alike): booleans,
    numbers and dates as themselves, any other value as neutralised text, None as nothing."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value)
    elif isinstance(value, date):
        when = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
        ws.write_datetime(row, col, when, day_format)
    else:
        ws.write_string(row, col, str(neutralise(value)))
