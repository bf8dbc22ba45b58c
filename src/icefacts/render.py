"""Render Arrow tables for people (Rich tables) and for programs (CSV, JSON).

For people, `to_rich` returns a renderable that decides at print time, from the width it
is given: a Rich table when every column can show its longest token whole, else one
key/value block per row. Wide results (9-16 columns, sha256s, URLs) would otherwise be
crushed into folded slivers a few characters wide.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "csv", "json")
_PLAIN_SUFFIXES = ("year", "fips", "row", "_id")  # printed without thousands separators
_GAP = 2  # spaces between a field name and its value in a record block
_INDENT = 2  # indent of a value printed under its `name:` line


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


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    """The rows, 10,000 at a time, so that Ctrl-C stops a large output at once."""
    from icefacts import interrupts

    for batch in table.to_batches(max_chunksize=10_000):
        interrupts.check()
        yield from batch.to_pylist()


def to_json(table: pa.Table) -> str:
    return json.dumps([_jsonable(r) for r in _rows(table)], indent=2)


def to_csv(table: pa.Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in _rows(table):
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


def to_rich(table: pa.Table, title: str | None = None, max_rows: int = 200) -> RenderableType:
    """A Rich renderable for `table`: a table when it fits the width, else one block per row."""
    schema = table.schema
    numeric = [pa.types.is_integer(f.type) or pa.types.is_floating(f.type) for f in schema]
    plain = [n.endswith(_PLAIN_SUFFIXES) for n in table.column_names]
    rows = [
        [_cell(v, as_is) for v, as_is in zip(row.values(), plain, strict=True)]
        for row in table.slice(0, max_rows).to_pylist()
    ]
    caption = None
    if table.num_rows > max_rows:
        caption = f"{max_rows} of {table.num_rows:,} rows shown (use --format csv for all)"
    return Records(table.column_names, numeric, rows, title, caption)


class Records:
    """Formatted rows that lay themselves out for the width Rich offers them.

    As a table when every column can be as wide as its longest unbreakable token
    (header included: URLs, hashes, ids, dates and numbers are single tokens), because
    a table squeezed below that folds tokens into unreadable 2-5 character slivers.
    Otherwise one block per row: field names on the left, values on the right, wrapped
    only at spaces; a token wider than the width keeps its own line whole and overflows.
    """

    def __init__(
        self,
        names: list[str],
        numeric: list[bool],
        rows: list[list[str]],
        title: str | None = None,
        caption: str | None = None,
    ) -> None:
        self.names, self.numeric, self.rows = names, numeric, rows
        self.title, self.caption = title, caption

    def column_widths(self, width: int) -> list[int] | None:
        """Cell widths for a table `width` wide with no token split, or None if none exist."""
        columns = [[name, *(row[i] for row in self.rows)] for i, name in enumerate(self.names)]
        least = [max(1, *map(_longest_token, cells)) for cells in columns]
        most = [max(1, *map(_longest_line, cells)) for cells in columns]
        spare = width - (3 * len(self.names) + 1) - sum(least)  # borders and 1+1 padding
        if spare < 0:
            return None
        widths = list(least)
        while spare > 0 and widths != most:  # widen the column furthest from its natural width
            i = max(range(len(widths)), key=lambda i: most[i] - widths[i])
            widths[i] += 1
            spare -= 1
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        widths = self.column_widths(width) if self.names else None
        if widths is None:
            yield from self.blocks(width)
            return
        caption = self.caption or (None if self.rows else "(no rows)")
        out = Table(
            title=Text(self.title) if self.title else None,
            caption=Text(caption) if caption else None,
        )
        for name, right, w in zip(self.names, self.numeric, widths, strict=True):
            out.add_column(Text(name), justify="right" if right else "left", width=w)
        for row in self.rows:
            out.add_row(*(console.render_str(c, markup=False, emoji=False) for c in row))
        yield out

    def blocks(self, width: int) -> Iterator[Text]:
        """The title, then each row as `name  value` lines, rows apart by a blank line."""
        if self.title:
            yield from _lines(self.title, width, style="table.title")
        if not self.names or not self.rows:
            if self.names:
                yield from _lines("columns: " + ", ".join(self.names), width)
            yield Text("(no rows)" if self.names else "(no columns)", style="table.caption")
            return
        label = max(cell_len(n) for n in self.names) + _GAP
        beside = label <= width // 2  # names beside values while they take at most half
        for i, row in enumerate(self.rows):
            if i or self.title:
                yield Text()
            for name, value in zip(self.names, row, strict=True):
                if beside and _longest_token(value) <= width - label:
                    lines = _wrap(value, width - label) or [""]
                    head = Text.assemble((name, "bold"), " " * (label - cell_len(name)), lines[0])
                    head.rstrip()
                    yield _line(head)
                    yield from (_line(" " * label + rest) for rest in lines[1:])
                else:
                    yield Text(name + ":", style="bold")
                    for v in _wrap(value, width - _INDENT):  # a token too wide for the
                        fits = cell_len(v) <= width - _INDENT  # indent starts at column 0
                        yield _line(" " * _INDENT + v if fits else v)
        if self.caption:
            yield Text()
            yield from _lines(self.caption, width, style="table.caption")


def _cell(v: Any, as_is: bool) -> str:
    return "" if v is None else str(v) if as_is else _fmt(v)


def _longest_token(s: str) -> int:
    return max((cell_len(t) for t in s.split()), default=0)


def _longest_line(s: str) -> int:
    return max((cell_len(t) for t in s.splitlines()), default=0)


def _wrap(s: str, width: int) -> list[str]:
    """`s` in lines of at most `width` cells, broken only at white space (never in a token)."""
    out: list[str] = []
    for para in s.splitlines():
        if cell_len(para) <= width:
            out.append(para)
            continue
        line = ""
        for word in para.split():
            if line and cell_len(line) + 1 + cell_len(word) <= width:
                line += " " + word
            else:
                if line:
                    out.append(line)
                line = word
        out.append(line)
    return out


def _line(text: str | Text) -> Text:
    """One output line, never wrapped or cropped by the renderable itself."""
    line = Text(text) if isinstance(text, str) else text
    line.no_wrap, line.overflow = True, "ignore"
    return line


def _lines(s: str, width: int, style: str = "") -> Iterator[Text]:
    return (_line(Text(line, style=style)) for line in _wrap(s, width))


def _fmt(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(_jsonable(v))
    return str(v)


# -- answers (icefacts.analysis.base.Answer) ------------------------------------------------

ANSWER_FORMATS = ("table", "csv", "json", "parquet")


def answer_json(answer: Any) -> str:
    """The whole answer: its rows, caveats, releases used and set aside, definitions, SQL."""
    body = answer.to_dict()
    body["rows"] = [_jsonable(r) for r in answer.table.to_pylist()]
    body["tables"] = {
        name: [_jsonable(r) for r in t.to_pylist()] for name, t in answer.tables.items()
    }
    return json.dumps(body, indent=2)


def answer_parquet(answer: Any, path: Any) -> None:
    """The rows as Parquet; the rest of the answer (caveats, releases, definitions, SQL) as
    JSON in the file's key-value metadata under ``icefacts``."""
    import pyarrow.parquet as pq

    meta = dict(answer.table.schema.metadata or {})
    meta[b"icefacts"] = json.dumps(answer.to_dict()).encode()
    pq.write_table(answer.table.replace_schema_metadata(meta), path)


def answer_notes(answer: Any) -> list[str]:
    """Lines for people under the table: releases used / set aside, then each caveat."""
    lines = [f"releases used: {', '.join(answer.releases_used) or 'none'}"]
    if answer.releases_set_aside:
        both = set(answer.releases_used) & set(answer.releases_set_aside)
        aside = ", ".join(
            f"{r} (on the days another release counts)" if r in both else r
            for r in answer.releases_set_aside
        )
        lines.append(f"set aside (rows kept in *_all): {aside}")
    lines += [f"caveat {c.code}: {c.text}" for c in answer.caveats]
    return lines


def excess_cells(row: dict[str, Any], measure: str) -> tuple[str, str]:
    """(``+123``, ``+80..+160``): a row's excess and its 95% interval, or ``-``."""
    e = row.get(f"{measure}_excess")
    if e is None:
        return "-", "-"
    lo, hi = row.get(f"{measure}_excess_low"), row.get(f"{measure}_excess_high")

    def signed(v: float | None) -> str:
        if v is None:
            return "-"
        n = round(v)
        return f"{n:+,d}" if n else "0"

    return signed(e), f"{signed(lo)}..{signed(hi)}"
