"""Read one worksheet with fastexcel as header + rows of strings."""

from __future__ import annotations

from pathlib import Path

import fastexcel

from icefacts.errors import InputError


def read_sheet(path: Path, sheet: int | str = 0) -> tuple[str, list[str], list[list[str]]]:
    """Return (sheet name, header cells, data rows as stripped strings; None -> "")."""
    try:
        book = fastexcel.read_excel(str(path))
        name = sheet if isinstance(sheet, str) else book.sheet_names[sheet]
        table = book.load_sheet(sheet, dtypes="string").to_arrow()
    except (fastexcel.FastExcelError, IndexError, OSError) as exc:
        raise InputError(f"unreadable workbook: {exc}", file=str(path)) from exc
    header = [str(c) for c in table.column_names]
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [
        [("" if v is None else str(v)) for v in values] for values in zip(*columns, strict=True)
    ]
    return name, header, rows
