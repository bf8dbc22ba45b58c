"""The public views as files for everyone else: SQLite (for Datasette), CSV or xlsx.

``icefacts export --format sqlite|csv|xlsx DIR`` writes each count-once view (``arrests``,
``detainers``, ...: each event once), the bookkeeping views (``releases``, ``validation``,
``release_coverage``) and the places views::

    DIR/icefacts.sqlite           --format sqlite: one table per view
    DIR/<view>.csv                --format csv
    DIR/<view>.xlsx               --format xlsx (a view over 1,048,575 rows continues on
                                  further sheets)
    DIR/icefacts-export.json      the manifest, as for Parquet

SQLite comes from Python's own ``sqlite3`` (DuckDB's sqlite extension would be downloaded at
run time, which the sandbox forbids); xlsx from XlsxWriter in constant-memory mode. Text
cells a spreadsheet would run as a formula are neutralised (:mod:`icefacts.formulas`). Rows
stream from the warehouse in Arrow batches, and the export is written beside ``DIR`` and
renamed into place when complete, like the Parquet export.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icefacts._version import __version__
from icefacts.errors import IcefactsError
from icefacts.formulas import neutralise, write_xlsx_cell
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import ddl
from icefacts.warehouse.export import MANIFEST, _check_target, _swap
from icefacts.warehouse.reference_tables import PLACE_TABLES

if TYPE_CHECKING:
    import pyarrow as pa

    from icefacts.warehouse.store import Warehouse

FILE_FORMATS = ("sqlite", "csv", "xlsx")
BOOKKEEPING = ("releases", "validation", "release_coverage")
XLSX_ROWS = 1_048_575  # rows a sheet holds below its header
_BATCH = 50_000


def file_views(wh: Warehouse) -> list[str]:
    names = [t.name for t in EVENT_TABLES.values()] + list(BOOKKEEPING)
    return names + [n for n in PLACE_TABLES if wh.engine.has_table(n)]


def export_files(wh: Warehouse, out: Path, fmt: str) -> dict[str, Any]:
    """Write the public views of ``wh`` into the folder ``out`` as ``fmt``; returns the
    manifest."""
    if fmt not in FILE_FORMATS:
        raise IcefactsError(f"--format {fmt!r}: sqlite, csv, xlsx or parquet")
    out = Path(out)
    _check_target(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        tables: dict[str, dict[str, Any]] = {}
        writer = {"sqlite": _sqlite, "csv": _csv, "xlsx": _xlsx}[fmt]
        try:
            writer(wh, tmp, file_views(wh), tables)
        except OSError as exc:
            raise IcefactsError(f"DIR {out}: cannot write there ({exc.strerror or exc})") from exc
        manifest = {
            "format": f"icefacts-{fmt}-export",
            "format_version": 1,
            "schema_version": ddl.SCHEMA_VERSION,
            "tool_version": __version__,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "warehouse": Path(wh.path).name,
            "tables": tables,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _batches(wh: Warehouse, view: str) -> Iterator[pa.RecordBatch]:
    reader = wh.con.sql(f"SELECT * FROM {view}").to_arrow_reader(_BATCH)
    yield from reader


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return json.dumps([_plain(x) for x in v], default=str)
    if isinstance(v, dict):
        return json.dumps(v, default=str)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def _sqlite_type(t: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return "INTEGER"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "REAL"
    return "TEXT"


def _sqlite(wh: Warehouse, tmp: Path, views: list[str], tables: dict[str, Any]) -> None:
    db = sqlite3.connect(tmp / "icefacts.sqlite")
    try:
        for view in views:
            schema = wh.con.sql(f"SELECT * FROM {view} LIMIT 0").to_arrow_table().schema
            cols = ", ".join(f'"{f.name}" {_sqlite_type(f.type)}' for f in schema)
            db.execute(f'CREATE TABLE "{view}" ({cols})')
            marks = ", ".join("?" for _ in schema)
            rows = 0
            for batch in _batches(wh, view):
                data = batch.to_pylist()
                db.executemany(
                    f'INSERT INTO "{view}" VALUES ({marks})',
                    ([_plain(v) for v in r.values()] for r in data),
                )
                rows += len(data)
            tables[view] = {"rows": rows, "file": "icefacts.sqlite"}
        db.commit()
    finally:
        db.close()


def _csv(wh: Warehouse, tmp: Path, views: list[str], tables: dict[str, Any]) -> None:
    for view in views:
        path = tmp / f"{view}.csv"
        rows = 0
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            schema = wh.con.sql(f"SELECT * FROM {view} LIMIT 0").to_arrow_table().schema
            w.writerow(schema.names)
            for batch in _batches(wh, view):
                for r in batch.to_pylist():
                    w.writerow(["" if v is None else neutralise(_plain(v)) for v in r.values()])
                    rows += 1
        tables[view] = {"rows": rows, "file": path.name}


def _xlsx(wh: Warehouse, tmp: Path, views: list[str], tables: dict[str, Any]) -> None:
    import xlsxwriter

    for view in views:
        path = tmp / f"{view}.xlsx"
        book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        schema = wh.con.sql(f"SELECT * FROM {view} LIMIT 0").to_arrow_table().schema
        rows, sheets, ws, i = 0, 0, None, XLSX_ROWS
        for batch in _batches(wh, view):
            for r in batch.to_pylist():
                if i >= XLSX_ROWS:
                    sheets += 1
                    ws = book.add_worksheet(view[:28] if sheets == 1 else f"{view[:24]}_{sheets}")
                    for j, name in enumerate(schema.names):
                        ws.write_string(0, j, name)
                    i = 0
                i += 1
                assert ws is not None
                for j, v in enumerate(r.values()):
                    write_xlsx_cell(ws, i, j, v if isinstance(v, date) else _plain(v), day)
                rows += 1
        if ws is None:  # no rows: the header alone
            ws = book.add_worksheet(view[:28])
            for j, name in enumerate(schema.names):
                ws.write_string(0, j, name)
        book.close()
        tables[view] = {"rows": rows, "file": path.name, "sheets": max(sheets, 1)}
