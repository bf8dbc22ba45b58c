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
    "shared strings", 256 << 20, "ICEFACTS_MAX_SHARED_STRINGS_BYTES", "bytes of shared strings"
)
CELLS = Limit("cells", 200_000_000, "ICEFACTS_MAX_CELLS", "cells (rows x columns)")
# A sheet that cannot be parsed in parts (its table does not start in column A, or an old
# .xls) is parsed whole by calamine: its XML must fit in memory several times over.
WHOLE_SHEET = Limit(
    "sheet read whole", 1 << 30, "ICEFACTS_MAX_WHOLE_SHEET_BYTES", "bytes for a sheet read whole"
)
XLS_FILE = Limit("xls file", 256 << 20, "ICEFACTS_MAX_XLS_BYTES", "bytes of an .xls file")
# One row's XML (calamine holds a cell's text whole, then Arrow and DuckDB copy it): the widest
# row of any workbook in ../shared/data is 180 KB (FY25 detention statistics).
ROW_XML = Limit("XML in one row", 8 << 20, "ICEFACTS_MAX_ROW_BYTES", "bytes of one row's XML")
# Markup Excel never writes inside a sheet, and inside which "<row" could be text.
_HIDING = (b"<!", b"<?")  # CDATA and comments; processing instructions

_STRING_START = re.compile(rb"<(?:\w+:)?si[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _mb(n: int) -> str:
    if n < 1 << 20:
        return f"{n:,} bytes"
    return f"{n / (1 << 20):,.0f} MiB" if n < 10 << 30 else f"{n / (1 << 30):,.1f} GiB"


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
    """The shared-strings part within its limit, and no one string in it longer than a row
    may be (a cell referring to it holds it whole, and every row referring to it a copy)."""
    for info in z.infolist():
        if info.filename.lower() != "xl/sharedstrings.xml":
            continue
        if info.file_size > SHARED_STRINGS.value():
            raise refuse(SHARED_STRINGS, info.file_size, file)
        limit = ROW_XML.value()
        if info.file_size <= limit:
            return  # no string can be longer than the whole part
        since, tail = 0, b""
        step = min(4 << 20, limit)  # a piece no longer than the limit: one gap in it at most
        with z.open(info) as f:
            while data := f.read(step):
                text = tail + data
                first = _STRING_START.search(text, max(0, len(tail) - 3))
                if first is None:
                    since += len(data)
                else:
                    since += first.start() - len(tail)
                    last = first.start()
                    for m in _STRING_START.finditer(text, max(last, len(text) - 65536)):
                        last = m.start()
                    if last == first.start():  # none in the last 64 KiB: look at the rest
                        for m in _STRING_START.finditer(text, last + 1):
                            last = m.start()
                if since > limit:
                    raise InputError(
                        f"too large to read safely: a shared string of more than {_mb(limit)} "
                        f"(no release has cells this large; {ROW_XML.env} raises the limit)",
                        file=file,
                    )
                if first is not None:
                    since = len(text) - last
                tail = text[-8:]


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_sheet(z: zipfile.ZipFile, member: str, file: str, sheet: str) -> int:
    """Refuse a sheet over the limits; returns its XML size (as the zip declares it, which
    the reader enforces)."""
    info = z.getinfo(member)
    for limit in (CELLS, ROW_XML, WHOLE_SHEET):  # a bad setting is said whatever the sheet
        limit.value()
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


# -- cell references ----------------------------------------------------------------------
# calamine lays a sheet out as a dense grid from its first to its last cell reference before
# anything is converted, and aborts the process when that grid cannot be allocated: one cell
# at r="ZZZZZ7" asks for terabytes. The <dimension> tag is optional (and may lie), so the
# references themselves are checked, cheaply: only references far right (column 105 or
# further) or far down (row 1,000,000 or further) are looked at one by one; the last row of
# each piece read gives the depth.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # a worksheet's own bounds
_NARROW = 104  # columns: releases are at most 70 wide
# A literal start (``r="``) lets the regex engine skip ahead fast; only references far right
# (column 105 on) or far down (row 1,000,000 on) match, and only their distinct column letters
# and row numbers reach Python.
_FAR = re.compile(rb'r="(?:([A-Z]{3,}|[D-Z][A-Z])(\d+)|[A-Z]{1,2}(\d{7,}))"')
_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*?r="(\d+)"')
_OVERLAP = 64


def _row_tags(text: bytes) -> int:
    """Row elements in ``text``, numbered or not (a row without ``r`` is the one after the
    row before, so 8 million unnumbered rows are as deep as numbered ones). One
    ``bytes.count`` pass: a regex trying at every ``<`` cost 12% of a workbook's ingest.
    Prefixed rows (``<x:row``) are not counted; their numbers, when given, are (``_ROW``)."""
    return text.count(b"<row")


def _find_mark(text: bytes, mark: bytes, start: int) -> int:
    """``text.find(mark, start)`` for a two-byte mark starting with ``<``, faster: its second
    byte (``!``, ``?``) is rare in a sheet, and a one-byte search is a ``memchr``."""
    second = mark[1:2]
    at = text.find(second, start + 1)
    for _ in range(1000):  # then a text full of them: the two-byte search
        if at < 0:
            return -1
        if text[at - 1 : at] == b"<":
            return at - 1
        at = text.find(second, at + 1)
    return text.find(mark, at - 1)


class RefGuard:
    """Fed the sheet XML piece by piece; refuses a reference beyond a worksheet's bounds, or a
    grid (last row x last column) over the cell limit."""

    def __init__(self, file: str, sheet: str) -> None:
        self.file, self.sheet = file, sheet
        self.rows, self.cols = 0, 0
        self.tags = 0  # row elements seen
        self.tail = b""
        self.row_limit = ROW_XML.value()
        self.needle = b"<row"  # a row's start tag ("<x:row" in a prefixed sheet)
        self.since = 0  # bytes fed since the last row's start tag (or since the start)
        self.started = False

    def _long_row(self) -> InputError:
        return InputError(
            f"too large to read safely: a row of more than {_mb(self.row_limit)} of XML (no "
            f"release has cells this large; {ROW_XML.env} raises the limit)",
            file=self.file,
            sheet=self.sheet,
        )

    def _long_rows(self, text: bytes) -> None:
        """Refuse a row element longer than the limit (a cell of hundreds of MB inflates from
        a few hundred KB). ``<`` cannot occur inside cell text, so the start tags cut rows."""
        if not self.started:
            self.started = True
            m = re.search(rb"<(\w+):worksheet\b", text[:4096])
            if m:
                self.needle = b"<" + m.group(1) + b":row"
        limit, skip = self.row_limit, max(0, len(self.tail) - len(self.needle))
        for mark in _HIDING:
            at = _find_mark(text, mark, skip if self.tags or self.since else 64)
            if at >= 0:
                what = "a processing instruction" if mark == b"<?" else "CDATA or a comment"
                raise InputError(
                    f"{what} ({text[at : at + 9].decode(errors='replace')!r}...) inside a "
                    "sheet: markup Excel does not write there (a damaged or crafted workbook)",
                    file=self.file,
                    sheet=self.sheet,
                )
        first = self._row_start(text, skip, len(text))
        if first == -1:
            self.since += len(text) - len(self.tail)
            if self.since > limit:
                raise self._long_row()
            return
        if self.since + first - len(self.tail) > limit:
            raise self._long_row()
        last = self._row_start(text, first, len(text), last=True)
        at = first
        while last - at > limit:  # a piece longer than the limit: look for a gap inside it
            nxt = self._row_start(text, at + 1, at + limit + len(self.needle) + 1, last=True)
            if nxt == -1:
                raise self._long_row()
            at = nxt
        self.since = len(text) - last

    def _row_start(self, text: bytes, start: int, end: int, last: bool = False) -> int:
        """The first (or last) row start tag in ``text[start:end]``: the needle followed by
        a space, ``>`` or ``/`` (``<rowx/>`` inside a rich-text cell is not a row)."""
        n = len(self.needle)
        while True:
            at = text.rfind(self.needle, start, end) if last else text.find(self.needle, start, end)
            if at == -1:
                return -1
            after = text[at + n : at + n + 1]
            if after in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                return at  # (at the very end it is looked at again with the next piece)
            if last:
                end = at + n - 1
            else:
                start = at + 1

    def _beyond(self, ref: bytes) -> InputError:
        return InputError(
            f"a cell reference beyond what a worksheet can hold ({ref.decode()}): a damaged "
            "workbook",
            file=self.file,
            sheet=self.sheet,
        )

    def feed(self, data: bytes) -> None:
        if not data:
            return
        text = self.tail + data
        self._long_rows(text)
        far = set(_FAR.findall(text))  # one pass over the references far right or down
        for letters in {w for w, _, _ in far if w}:
            col = _column_number(letters.decode()) if len(letters) < 4 else MAX_COLUMNS + 1
            if col > MAX_COLUMNS:
                found = re.search(rb'r="(' + re.escape(letters) + rb'\d+)"', text)
                raise self._beyond(found.group(1) if found else letters)
            self.cols = max(self.cols, col)
        for digits in {d for _, a, b in far for d in (a, b) if len(d) >= 7}:
            row = int(digits)
            if row > MAX_ROWS:
                found = re.search(rb'r="([A-Z]+' + re.escape(digits) + rb')"', text)
                raise self._beyond(found.group(1) if found else digits)
            self.rows = max(self.rows, row)
        at = max(len(text) - 4096, 0)
        rows = _ROW.findall(text, at)
        if not rows and at:
            rows = _ROW.findall(text)
        if rows:
            row = int(rows[-1])
            if row > MAX_ROWS:
                raise self._beyond(b"row " + rows[-1])
            self.rows = max(self.rows, row)
        # row elements: those wholly inside the tail were counted with the previous piece
        self.tags += _row_tags(text) - _row_tags(self.tail)
        if self.tags > MAX_ROWS:
            raise InputError(
                f"more rows than a worksheet can hold (over {MAX_ROWS:,}): a damaged workbook",
                file=self.file,
                sheet=self.sheet,
            )
        self.rows = max(self.rows, self.tags)
        self.tail = text[-_OVERLAP:]
        cells = self.rows * max(self.cols, _NARROW)
        if self.cols > _NARROW and cells > CELLS.value():
            raise refuse(CELLS, cells, self.file, self.sheet)


def check_refs(z: zipfile.ZipFile, member: str, file: str, sheet: str) -> None:
    """Stream a sheet's XML through a :class:`RefGuard` (before calamine reads it whole)."""
    guard = RefGuard(file, sheet)
    with z.open(member) as f:
        while data := f.read(4 << 20):
            guard.feed(data)
