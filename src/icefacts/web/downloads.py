"""Tables as the files people open: CSV, Parquet, xlsx and JSON.

CSV and xlsx cells that a spreadsheet would run as a formula are written as text
(:mod:`icefacts.formulas`); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from icefacts.formulas import neutralise, write_xlsx_cell

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return neutralise(", ".join("" if v is None else str(v) for v in value))
    if isinstance(value, dict):
        return neutralise(json.dumps(value, default=str))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return neutralise(value)


def to_csv(table: pa.Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else _cell(v) for v in row.values()])
    return buf.getvalue().encode("utf-8")


def to_parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def to_xlsx(table: pa.Table, sheet: str = "data") -> bytes:
    import xlsxwriter

    if table.num_rows > XLSX_MAX_ROWS:
        from icefacts.errors import IcefactsError

        raise IcefactsError(
            f"{table.num_rows:,} rows do not fit in one xlsx sheet (at most {XLSX_MAX_ROWS:,}); "
            "download CSV or Parquet instead"
        )
    buf = io.BytesIO()
    # no formulas, URLs or numbers read out of strings: every cell is written as what it is
    book = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for j, name in enumerate(table.column_names):
        ws.write_string(0, j, name, bold)
    for i, row in enumerate(table.to_pylist(), start=1):
        for j, v in enumerate(row.values()):
            write_xlsx_cell(ws, i, j, v if isinstance(v, date) else _cell(v), day)
    ws.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None  # NaN and infinity are not JSON
    return value


def rows(table: pa.Table) -> list[dict[str, Any]]:
    return [jsonable(r) for r in table.to_pylist()]


def encode(table: pa.Table, fmt: str, name: str) -> tuple[bytes, str, dict[str, str]]:
    """(body, media type, headers) of ``table`` as ``fmt``, named ``name.<fmt>``."""
    if fmt == "csv":
        body = to_csv(table)
    elif fmt == "parquet":
        body = to_parquet(table)
    elif fmt == "xlsx":
        body = to_xlsx(table, name)
    else:
        body = json.dumps(rows(table)).encode()
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return body, FORMATS[fmt], headers
