"""Spreadsheet formula neutralising, for every CSV and xlsx icefacts writes.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets (CSV injection). Released text can start that way (a
landmark, an uploaded claim's label), so such a string is written with a leading apostrophe,
which the spreadsheet shows as the text itself. Numbers are never changed.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, made text; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
