"""The Jinja2 environment and the small formatting the pages and the reports share."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

HERE = Path(__file__).parent
MAX_TABLE_ROWS = 500  # rows of a table shown on a page (the download has all)


@cache
def env() -> Environment:
    e = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters["num"] = num
    e.globals["spec_json"] = spec_json
    return e


# columns that hold a year or a code, never a quantity: printed without thousands separators
PLAIN = {"year", "fiscal_year", "k", "rank", "fips", "operation"}


def num(value: Any, column: str = "") -> str:
    if value is None:
        return ""
    if column in PLAIN and isinstance(value, int):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(num(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def spec_json(spec: dict[str, Any]) -> Markup:
    """A chart spec inside ``<script type="application/json">``: ``<`` escaped, so no text in
    it can close the element."""
    text = json.dumps(spec, default=str, allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def table_html(table: pa.Table, limit: int = MAX_TABLE_ROWS) -> dict[str, Any]:
    rows = table.slice(0, limit).to_pylist()
    return {
        "columns": table.column_names,
        "rows": [[num(v, c) for c, v in r.items()] for r in rows],
        "total": table.num_rows,
        "shown": len(rows),
    }
