"""What every command shares: the consoles, the common options, printing a table or an
answer in the format asked for, and parsing dates and code lists."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from icefacts._lazy import lazy_import
from icefacts.days import parse_day
from icefacts.errors import IcefactsError, InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from icefacts import render
else:  # imported on first use: --version and --help stay fast
    pa = lazy_import("pyarrow")
    render = lazy_import("icefacts.render")

out = Console()
err = Console(stderr=True)

# commits before an ingest in progress began (what Ctrl-C says was kept)
INGEST: dict[str, int] = {}
# the warehouse file an ingest created (none was there): removed again when nothing was
# loaded into it (every file refused, or Ctrl-C before the first commit), so that a failed
# first ingest leaves the folder as it was
NEW_WAREHOUSE: list[Path] = []


def drop_new_warehouse() -> None:
    """Remove the warehouse file this ingest created, and its write-ahead log."""
    for path in NEW_WAREHOUSE:
        for f in (path, path.with_name(path.name + ".wal")):
            with contextlib.suppress(OSError):
                f.unlink()
    NEW_WAREHOUSE.clear()


DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="warehouse file (env ICEFACTS_DB, default ./icefacts.duckdb)"),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json")]
MirrorOpt = Annotated[
    Path | None,
    typer.Option("--mirror", help="local mirror folder (env ICEFACTS_MIRROR)"),
]
RegistryOpt = Annotated[
    list[Path] | None,
    typer.Option("--registry", help="extra policy registry file(s) (YAML or CSV)"),
]


def say(text: str, console: Console | None = None) -> None:
    """One line of plain text (no markup, no highlighting), wrapped by the terminal."""
    (console or out).print(text, highlight=False, markup=False, emoji=False, soft_wrap=True)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def emit(table: pa.Table, fmt: str, title: str | None = None) -> None:
    """A table as a Rich table (``table``), CSV or JSON on stdout."""
    if fmt == "json":
        sys.stdout.write(render.to_json(table) + "\n")
    elif fmt == "csv":
        sys.stdout.write(render.to_csv(table))
    elif fmt == "table":
        out.print(render.to_rich(table, title), crop=False)
    else:
        raise IcefactsError(f"unknown --format {fmt!r}; use one of {', '.join(render.FORMATS)}")


_SHORT = {  # column headings of the people's table (csv, json and parquet keep the names)
    "arrests_baseline": "baseline",
    "arrests_excess": "excess",
    "at_large": "at large",
    "operation_flagged": "operation",
}


def emit_answer(answer: object, fmt: str, output: Path | None, title: str, show: list[str]) -> None:
    """An Answer as a table for people (the columns in ``show``; every column in csv, json
    and parquet), csv, json or parquet (``--output`` file)."""
    table = answer.table  # type: ignore[attr-defined]
    if fmt not in render.ANSWER_FORMATS:
        raise IcefactsError(
            f"unknown --format {fmt!r}; use one of {', '.join(render.ANSWER_FORMATS)}"
        )
    if fmt == "parquet":
        if output is None:
            raise IcefactsError("--format parquet needs --output FILE")
        render.answer_parquet(answer, output)
        rows = f"{table.num_rows:,} row{'' if table.num_rows == 1 else 's'}"
        out.print(f"wrote {rows} to {output}", soft_wrap=True)
        return
    if fmt == "json":
        text = render.answer_json(answer) + "\n"
    elif fmt == "csv":
        text = render.to_csv(table)
    else:
        rows = table.to_pylist()
        if not rows:
            out.print(f"{title}: nothing found", soft_wrap=True, highlight=False)
        show = [c for c in show if c.endswith("_excess") or any(r.get(c) is not None for r in rows)]
        shown = []
        for r in rows:
            line = {}
            for col in show:
                label = _SHORT.get(col, col)
                if col.endswith("_excess"):
                    e, interval = render.excess_cells(r, col.removesuffix("_excess"))
                    line[label], line["95% interval"] = e, interval
                elif col.endswith("_baseline") and r.get(col) is not None:
                    line[label] = f"{r[col]:,.1f}"
                else:
                    value = r.get(col)
                    line[label] = " ".join(map(str, value)) if isinstance(value, list) else value
            shown.append(line)
        if shown:
            out.print(render.to_rich(pa.Table.from_pylist(shown), title), crop=False)
        for note in render.answer_notes(answer):
            out.print(note, soft_wrap=True, markup=False, highlight=False)
        return
    if output is not None:
        output.write_text(text)
    else:
        sys.stdout.write(text)
    if fmt == "csv":
        for note in render.answer_notes(answer):
            err.print(note, soft_wrap=True, markup=False, highlight=False)


def parse_date(value: str, option: str) -> date:
    return parse_day(value, option, "2017-09-25")


def codes(values: list[str] | None, upper: bool = True, name: str = "") -> tuple[str, ...]:
    """Repeatable options that also take comma lists: --aor SEA,NYC --aor BOS. An option
    given with nothing in it (``--aor ,``) is a mistake, not "every place"."""
    found: list[str] = []
    for v in values or []:
        got = [p.strip().upper() if upper else p.strip() for p in v.split(",") if p.strip()]
        if not got:
            raise InputError(f"{name or 'a list option'} {v!r}: an empty list; name at least one")
        found += got
    return tuple(found)


def comma_list(text: str) -> list[str]:
    """A comma list option: "A, C" -> ["A", "C"]."""
    return [p.strip() for p in text.split(",") if p.strip()]
