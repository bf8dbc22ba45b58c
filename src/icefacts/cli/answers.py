"""Commands that ask the warehouse a question and render its Answer: ``operation``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, codes, emit_answer, parse_date
from icefacts.errors import IcefactsError

if TYPE_CHECKING:
    from icefacts import api
else:  # imported on first use
    api = lazy_import("icefacts.api")

BY = ("total", "aor", "state", "county", "day", "method", "citizenship")


def _window(start: str | None, end: str | None, fy: int | None) -> tuple[date, date]:
    if fy is not None:
        if start or end:
            raise IcefactsError("give --fy or --from/--to, not both")
        return api.fiscal_year(fy)
    if not start or not end:
        raise IcefactsError("give --from DATE and --to DATE (or --fy YEAR)")
    return parse_date(start, "--from"), parse_date(end, "--to")


def operation(
    start: Annotated[str | None, typer.Option("--from", help="first day, e.g. 2017-09-24")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day, e.g. 2017-09-27")] = None,
    fy: Annotated[int | None, typer.Option("--fy", help="a fiscal year instead (Oct-Sep)")] = None,
    aor: Annotated[list[str] | None, typer.Option("--aor", help="AOR codes: SEA,NYC")] = None,
    state: Annotated[list[str] | None, typer.Option("--state", help="states: WA,OR")] = None,
    county: Annotated[list[str] | None, typer.Option("--county", help="county FIPS")] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="only counties where this policy type is in force"),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="with --policy: the day")] = None,
    by: Annotated[
        str, typer.Option("--by", help="total|aor|state|county|day|method|citizenship")
    ] = "aor",
    baseline_weeks: Annotated[
        int, typer.Option("--baseline-weeks", help="same weekdays over N weeks before")
    ] = 6,
    baseline_from: Annotated[str | None, typer.Option("--baseline-from")] = None,
    baseline_to: Annotated[str | None, typer.Option("--baseline-to")] = None,
    release: Annotated[
        list[str] | None, typer.Option("--release", help="count these releases instead")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table|csv|json|parquet")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to a file")] = None,
    db: DbOpt = None,
    registry: Annotated[
        list[Path] | None, typer.Option("--registry", help="extra policy registry files")
    ] = None,
) -> None:
    """Arrests in a window and places, counted once, against the same weekdays of the
    weeks before: at large vs custodial, operations, criminality, countries."""
    first, last = _window(start, end, fy)
    if by not in BY:
        raise IcefactsError(f"--by {by!r}: one of {', '.join(BY)}")
    q = api.operation_question(
        start=first,
        end=last,
        aors=codes(aor),
        states=codes(state),
        counties=codes(county, upper=False),
        by=by,
        baseline_weeks=baseline_weeks,
        baseline_start=parse_date(baseline_from, "--baseline-from") if baseline_from else None,
        baseline_end=parse_date(baseline_to, "--baseline-to") if baseline_to else None,
        policy=policy,
        policy_on=parse_date(on, "--on") if on else None,
        releases=codes(release, upper=False),
    )
    with api.open_warehouse(db, read_only=True) as wh:
        answer = api.operation(wh, q, registry_files=registry or [])
    key = by if by != "total" else "place"
    # what fits 80 columns; --format csv/json/parquet give every column
    show = [key, "arrests", "arrests_baseline", "arrests_excess", "at_large", "custodial"]
    emit_answer(answer, fmt, output, f"arrests {first} to {last}", show)
