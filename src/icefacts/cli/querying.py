"""Commands that read the warehouse as it is: the releases it holds (and their overlaps),
users' SQL, the validation report, the Parquet export; and the codebook."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts import interrupts
from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, FormatOpt, emit, err, plural, say
from icefacts.errors import IcefactsError

if TYPE_CHECKING:
    from icefacts import api, render
else:  # imported on first use: --version and --help stay fast
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")


def releases(
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    overlaps: Annotated[
        bool,
        typer.Option(
            "--overlaps",
            help="per table and AOR: which releases cover which periods, which one counts, "
            "and whether releases holding the same days agree",
        ),
    ] = False,
    table: Annotated[str | None, typer.Option("--table", help="with --overlaps: one table")] = None,
) -> None:
    """List ingested files (one row each) with checksums, periods and row counts."""
    with api.open_warehouse(db, read_only=True) as wh:
        if not overlaps:
            emit(api.releases(wh), fmt, "releases")
            return
        rep = api.overlaps(wh, table)
    if fmt == "json":
        payload = {
            "summary": json.loads(render.to_json(rep.summary)),
            "coverage": json.loads(render.to_json(rep.coverage)),
            "comparisons": json.loads(render.to_json(rep.comparisons)),
            "disagreements": json.loads(render.to_json(rep.disagreements)),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    if fmt == "csv":
        emit(rep.coverage, fmt)
        return
    emit(rep.summary, fmt, "per table and AOR: releases, rows counted and set aside")
    if rep.comparisons.num_rows:
        emit(rep.comparisons, fmt, "where releases hold the same days: which counts, compared")
    else:
        say("no two releases hold the same table, AOR and days")
    if rep.disagreements.num_rows:
        say(
            f"caveat [overlap_disagrees]: {rep.disagreements.num_rows:,} AOR-month(s) where "
            "releases holding the same days disagree (see --format json for each month)"
        )


def sql(
    query: Annotated[str, typer.Argument(help="one SELECT statement")],
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="return at most this many rows")
    ] = 100_000,
    timeout: Annotated[
        float, typer.Option("--timeout", help="stop the query after this many seconds")
    ] = 120.0,
) -> None:
    """Run a read-only SQL query against the warehouse (it can read nothing else)."""
    started = time.monotonic()
    with api.open_warehouse(db, read_only=True) as wh:
        result = api.sql_result(wh, query, max_rows=max_rows, timeout=timeout)
    # the time limit covers writing the result too
    interrupts.deadline(
        started + timeout,
        f"query stopped after {timeout:g} s while its result was written (the time limit; "
        "raise it with --timeout)",
    )
    try:
        emit(result.table, fmt)
    finally:
        interrupts.deadline(None)
    if result.truncated:
        err.print(
            f"note: only the first {result.max_rows:,} rows are shown (--max-rows)",
            highlight=False,
        )


def validate(
    db: DbOpt = None,
    release: Annotated[str | None, typer.Option("--release", help="one release_id")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show the validation report (declared checks, thresholds, caveats)."""
    if release is not None and not release.strip():
        raise IcefactsError("--release '': give a release id, a prefix of one or a file name")
    with api.open_warehouse(db, read_only=True) as wh:
        emit(api.validation_report(wh, release), fmt, "validation")


def export(
    out: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="folder to write (new, empty, or an earlier export to replace)"
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="parquet, sqlite (Datasette), csv or xlsx")
    ] = "parquet",
    publish: Annotated[
        bool, typer.Option("--publish", help="publish mode (refused: it exports no rows)")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Write the public views: Parquet by table and fiscal year (for --engine spark), one
    SQLite file (for Datasette), or a CSV or xlsx file per view."""
    if publish:
        raise IcefactsError(
            "--publish: publish mode exports no rows; publish aggregates with `icefacts report` "
            "or `icefacts serve --public`"
        )
    if fmt not in ("parquet", "sqlite", "csv", "xlsx"):
        raise IcefactsError(f"--format {fmt!r}: parquet, sqlite, csv or xlsx")
    with api.open_warehouse(db, read_only=True) as wh, err.status(f"exporting as {fmt}..."):
        manifest = (
            api.export_parquet(wh, out) if fmt == "parquet" else api.export_files(wh, out, fmt)
        )
    tables = manifest["tables"]
    rows = sum(t["rows"] for t in tables.values())
    say(f"wrote {plural(rows, 'row')} of {plural(len(tables), 'table')} to {out} ({fmt})")


def codebook() -> None:
    """Print the codebook (every table and field) as Markdown."""
    sys.stdout.write(api.codebook())
