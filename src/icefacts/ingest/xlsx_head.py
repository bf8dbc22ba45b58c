"""The first rows of an xlsx sheet, read by streaming its XML.

calamine parses a whole sheet before returning even its first row, so finding the header
row that way costs a full parse; this reads only the first rows (and the shared strings they
use) so that the real read can then be typed, with the header row known. Values are for header
detection only: numbers come back as their stored text, dates as serial numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

from icefacts.ingest.limits import RefGuard

_COL = re.compile(r"([A-Z]+)")
MAX_SHARED = 5_000


_MAX_COLUMNS = 16_384  # a worksheet's own bound (limits.MAX_COLUMNS)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col_index(ref: str) -> int:
    m = _COL.match(ref)
    if not m:
        return -1
    n = 0
    for ch in m.group(1):
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    rels: dict[str, str] = {}
    with z.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                rels[el.get("Id", "")] = target
    out: dict[str, str] = {}
    with z.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                if rid in rels:
                    out[el.get("name", "")] = rels[rid]
    return out


def _shared_strings(z: zipfile.ZipFile, upto: int) -> list[str]:
    if upto < 0 or "xl/sharedStrings.xml" not in z.namelist():
        return []
    out: list[str] = []
    with z.open("xl/sharedStrings.xml") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "si":
                out.append("".join(t.text or "" for t in el.iter() if _local(t.tag) == "t"))
                el.clear()
                if len(out) > upto:
                    break
    return out


class _Guarded:
    """A sheet's XML as read, fed to a :class:`RefGuard` on the way: a first row of hundreds
    of MB (one huge cell) is refused before the XML parser has buffered it."""

    def __init__(self, f: IO[bytes], guard: RefGuard) -> None:
        self.f, self.guard = f, guard

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n if n and n > 0 else 1 << 16)
        self.guard.feed(data)
        return data


@dataclass
class Head:
    rows: list[list[str]]  # row i is sheet row i + 1 (missing rows are empty lists)
    first: int  # 0-based index of the first row holding a value
    unresolved: dict[int, int]  # row index -> largest shared-string index left unread


def xlsx_head(source: Path | bytes, sheet: str, n_rows: int, max_shared: int = MAX_SHARED) -> Head:
    """The first ``n_rows`` rows of a sheet as strings.

    Shared strings beyond ``max_shared`` are left empty and listed in ``unresolved`` (callers
    re-read with a larger limit when a title or header row needs them). Raises KeyError,
    zipfile.BadZipFile or an XML error when the workbook is not a plain xlsx; callers fall
    back to a full read.
    """
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
        path = sheet_paths(z)[sheet]
        raw: list[tuple[int, list[tuple[int, str, str]]]] = []
        name = source.name if isinstance(source, Path) else "workbook"
        with z.open(path) as f:
            row_no = 0
            for _, el in iterparse(_Guarded(f, RefGuard(name, sheet))):
                if _local(el.tag) != "row":
                    continue
                row_no = int(el.get("r") or row_no + 1)
                cells: list[tuple[int, str, str]] = []
                pos = -1
                for c in el:
                    if _local(c.tag) != "c":
                        continue
                    idx = _col_index(c.get("r", ""))
                    pos = idx if idx >= 0 else pos + 1
                    if pos >= _MAX_COLUMNS:  # beyond a worksheet: refused when read
                        continue
                    kind = c.get("t", "n")
                    if kind == "inlineStr":
                        value = "".join(t.text or "" for t in c.iter() if _local(t.tag) == "t")
                    else:
                        v = next((x for x in c if _local(x.tag) == "v"), None)
                        value = (v.text or "") if v is not None else ""
                    cells.append((pos, kind, value))
                el.clear()
                raw.append((row_no, cells))
                if row_no >= n_rows:
                    break
        # Headers and titles are among the first shared strings in practice; data values of the
        # first rows may sit far down a large table and are not needed to find the header.
        needed = [int(v) for _, cells in raw for _, k, v in cells if k == "s" and v.isdigit()]
        sst = _shared_strings(z, min(max(needed, default=-1), max_shared))
    rows: list[list[str]] = [[] for _ in range(min(n_rows, max((r for r, _ in raw), default=0)))]
    first_value: int | None = None
    unresolved: dict[int, int] = {}
    for row_no, cells in raw:
        if row_no > len(rows):
            continue
        width = max((p for p, _, _ in cells), default=-1) + 1
        values = [""] * width
        for pos, kind, value in cells:
            if kind == "s" and value.isdigit():
                if int(value) >= len(sst):
                    unresolved[row_no - 1] = max(unresolved.get(row_no - 1, 0), int(value))
                value = sst[int(value)] if int(value) < len(sst) else ""
            elif kind == "b":
                value = "TRUE" if value == "1" else "FALSE"
            values[pos] = value
        rows[row_no - 1] = values
        if first_value is None and any(v.strip() for v in values):
            first_value = row_no - 1
    return Head(rows, first_value or 0, unresolved)
