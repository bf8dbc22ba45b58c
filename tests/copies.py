"""Other formats of a release file, written by our own code in a temporary folder: the same
rows as plain CSV, and as an xlsx workbook (through the synthetic generator's writer), with
the title rows or without them."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np

from icefacts.synth.frame import Column
from icefacts.synth.xlsx import Sheet, write_workbook


def _lines(src: Path) -> str:
    raw = src.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")


def plain_csv(src: Path, out: Path) -> Path:
    out.write_text(_lines(src), encoding="utf-8")
    return out


def xlsx_copy(src: Path, out: Path, *, title_rows: int, keep_title: bool = True) -> Path:
    """The rows of a pipe-delimited release as one xlsx sheet (every cell as text)."""
    rows = list(csv.reader(io.StringIO(_lines(src), newline=""), delimiter="|"))
    title = [r[0] if r else "" for r in rows[:title_rows]] if keep_title else []
    header, body = rows[title_rows], rows[title_rows + 1 :]
    columns = []
    for j in range(len(header)):
        values = np.array([r[j] if j < len(r) else "" for r in body], dtype=object)
        uniq, codes = np.unique(values.astype(str), return_inverse=True)
        codes = codes.astype(np.int64)
        blank = np.flatnonzero(uniq == "")
        if blank.size:
            codes[codes == blank[0]] = -1
        columns.append(Column("text", codes, list(uniq)))
    write_workbook(
        out,
        title=title,
        headers=header,
        columns=columns,
        sheets=[Sheet(out.stem[:31], 0, len(body))],
    )
    return out
