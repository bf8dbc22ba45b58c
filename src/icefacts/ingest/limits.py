"""Declared limits on what one workbook may hold, checked before anything is parsed.

A 23 MB xlsx can inflate to gigabytes of XML (a zip bomb, or a sheet of millions of empty
styled cells), and calamine holds a workbook's shared strings, and a sheet read whole, in
memory. The limits sit well above the largest real release (the current person-level releases
fill sheets to Excel's 1,048,575 rows: about 1 GB of sheet XML for 25 columns, 2.6 GB for the
66-column detainers) and an environment variable raises each one.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass

from icefacts.errors import InputError


@dataclass(frozen=True)
class Limit:
    name: str
    default: int
    env: str
    what: str

    def value(self) -> int:
        text = os.environ.get(self.env, "").strip().replace("_", "")
        if not text:
            return self.default
        if not text.isdigit() or int(text) < 1:
            raise InputError(f"{self.env} must be a whole number, not {text!r}")
        return int(text)


SHEET_XML = Limit("sheet XML", 8 << 30, "ICEFACTS_MAX_SHEET_XML_BYTES", "bytes of sheet XML")
SHARED_STRINGS = Limit(
    "shared strings", 512 << 20, "ICEFACTS_MAX_SHARED_STRINGS_BYTES", "bytes of shared strings"
)
CELLS = Limit("cells", 200_000_000, "ICEFACTS_MAX_CELLS", "cells (rows x columns)")
# A sheet that cannot be parsed in parts (its table does not start in column A, or an old
# .xls) is parsed whole by calamine: its XML must fit in memory several times over.
WHOLE_SHEET = Limit(
    "sheet read whole", 1 << 30, "ICEFACTS_MAX_WHOLE_SHEET_BYTES", "bytes for a sheet read whole"
)
XLS_FILE = Limit("xls file", 256 << 20, "ICEFACTS_MAX_XLS_BYTES", "bytes of an .xls file")

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB" if n < 10 << 30 else f"{n / (1 << 30):,.1f} GB"


def refuse(limit: Limit, amount: int, file: str, sheet: str | None = None) -> InputError:
    shown = _mb(amount) if "bytes" in limit.what else f"{amount:,}"
    cap = _mb(limit.value()) if "bytes" in limit.what else f"{limit.value():,}"
    return InputError(
        f"too large to read safely: {shown} of {limit.name} (the limit is {cap}; "
        f"{limit.env} raises it)",
        file=file,
        sheet=sheet,
    )


def check_shared_strings(z: zipfile.ZipFile, file: str) -> None:
    for info in z.infolist():
        if (
            info.filename.lower() == "xl/sharedstrings.xml"
            and info.file_size > SHARED_STRINGS.value()
        ):
            raise refuse(SHARED_STRINGS, info.file_size, file)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_sheet(z: zipfile.ZipFile, member: str, file: str, sheet: str) -> int:
    """Refuse a sheet over the limits; returns its XML size (as the zip declares it, which
    the reader enforces)."""
    info = z.getinfo(member)
    if info.file_size > SHEET_XML.value():
        raise refuse(SHEET_XML, info.file_size, file, sheet)
    with z.open(info) as f:
        head = f.read(4096)
    m = _DIMENSION.search(head)
    if m and m.group(3):
        rows = int(m.group(4)) - int(m.group(2)) + 1
        cols = _column_number(m.group(3).decode()) - _column_number(m.group(1).decode()) + 1
        if rows * cols > CELLS.value():
            raise refuse(CELLS, rows * cols, file, sheet)
    return info.file_size
