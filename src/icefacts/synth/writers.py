"""Render synthetic tables as release files: family A gzip pipe-CSV, family C xlsx workbooks.

Family A is written byte-for-byte like the public copies of the national extracts: ``|``
delimiter, text cells double-quoted (``"Located"``), dates bare ``M/D/YYYY``, empty cells empty,
``\\n`` line ends, five title lines padded with trailing pipes to the header's width, a blank
title line of pipes only, then the quoted header. The gzip header carries no name and mtime 0.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np

from icefacts.synth import xlsx
from icefacts.synth.background_writer import Pipe
from icefacts.synth.frame import Column, Table, from_serial

CSV_CHUNK_ROWS = 200_000
GZIP_LEVEL = 6

Progress = Callable[[str, int], None]


def _quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _us_date(day: int) -> str:
    d = from_serial(day)
    return f"{d.month}/{d.day}/{d.year}"


def csv_tokens(col: Column) -> np.ndarray:
    """The CSV token of each category; the trailing '' is the empty cell (code -1)."""
    out: list[str] = []
    for v in col.values:
        if isinstance(v, str):
            out.append(_quote(v))  # text, and dates the release holds as text
        elif col.kind == "date":
            out.append(_us_date(int(v)))
        elif col.kind == "int":
            out.append(str(int(v)))
        else:
            raise ValueError(f"family A files have no {col.kind} cells")
    tokens = np.empty(len(out) + 1, dtype=object)
    tokens[: len(out)] = out
    tokens[-1] = ""
    return tokens


def write_csv_gz(table: Table, path: Path, progress: Progress | None = None) -> None:
    width = len(table.headers)
    pad = "|" * (width - 1)
    lines = [(_quote(t) if t else "") + pad for t in table.title]
    lines.append("|".join(_quote(h) for h in table.headers))
    head = "\n".join(lines) + "\n"
    tokens = [csv_tokens(table.columns[h]) for h in table.headers]
    codes = [table.columns[h].codes for h in table.headers]
    n = table.rows
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as gz,
        Pipe(gz.write) as pipe,
    ):
        pipe.put(head.encode("utf-8"))
        for lo in range(0, n, CSV_CHUNK_ROWS):
            hi = min(n, lo + CSV_CHUNK_ROWS)
            grid = np.empty((hi - lo, 2 * width), dtype=object)
            grid[:, 1::2] = "|"
            grid[:, -1] = "\n"
            for j in range(width):
                grid[:, 2 * j] = tokens[j][codes[j][lo:hi]]
            pipe.put("".join(grid.ravel().tolist()).encode("utf-8"))
            if progress is not None:
                progress(table.file_name, hi)


def sheet_plan(table: Table, sheet_rows: int) -> list[xlsx.Sheet]:
    """Split the rows over sheets of at most ``sheet_rows`` data rows (and Excel's limit)."""
    top = len(table.title) + 1
    per = max(1, min(sheet_rows, xlsx.MAX_ROWS - top))
    base = table.sheet_name or table.name
    sheets = []
    for k, lo in enumerate(range(0, max(table.rows, 1), per)):
        name = base if k == 0 else f"{base} ({k + 1})"
        sheets.append(xlsx.Sheet(name=name, start=lo, stop=min(table.rows, lo + per)))
    return sheets


def write_xlsx(
    table: Table, path: Path, sheet_rows: int, progress: Progress | None = None
) -> list[xlsx.Sheet]:
    sheets = sheet_plan(table, sheet_rows)
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        if progress is not None:
            progress(table.file_name, done[0])

    xlsx.write_workbook(
        path,
        title=table.title,
        headers=table.headers,
        columns=[table.columns[h] for h in table.headers],
        sheets=sheets,
        progress=tick,
    )
    return sheets
