"""Render Arrow tables for people (Rich tables) and for programs (CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from rich.table import Table

FORMATS = ("table", "csv", "json")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, tuple):  # MAP entries come back as (key, value) tuples
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def to_json(table: pa.Table) -> str:
    return json.dumps([_jsonable(r) for r in table.to_pylist()], indent=2)


def to_csv(table: pa.Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(
            [
                ""
                if v is None
                else json.dumps(_jsonable(v))
                if isinstance(v, (list, dict))
                else _jsonable(v)
                for v in row.values()
            ]
        )
    return buf.getvalue()


def to_rich(table: pa.Table, title: str | None = None, max_rows: int = 200) -> Table:
    out = Table(title=title, show_lines=False)
    for name in table.column_names:
        numeric = pa.types.is_integer(table.schema.field(name).type) or pa.types.is_floating(
            table.schema.field(name).type
        )
        out.add_column(name, justify="right" if numeric else "left", overflow="fold")
    plain = {n for n in table.column_names if n.endswith(("year", "fips", "row", "_id"))}
    for row in table.slice(0, max_rows).to_pylist():
        out.add_row(
            *("" if v is None else str(v) if k in plain else _fmt(v) for k, v in row.items())
        )
    if table.num_rows > max_rows:
        out.caption = f"{max_rows} of {table.num_rows:,} rows shown (use --format csv for all)"
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(_jsonable(v))
    return str(v)
