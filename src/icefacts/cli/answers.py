"""Commands that ask the warehouse a question and render its Answer: ``operation``,
``trend`` and ``operations detect``; on DuckDB (the warehouse) or on Spark (a Parquet export,
``--engine spark --parquet DIR``)."""

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

# options the answer commands share
FromOpt = Annotated[str | None, typer.Option("--from", help="first day, e.g. 2017-09-24")]
ToOpt = Annotated[str | None, typer.Option("--to", help="last day, e.g. 2017-09-27")]
FyOpt = Annotated[int | None, typer.Option("--fy", help="a fiscal year (Oct-Sep) instead")]
AorOpt = Annotated[list[str] | None, typer.Option("--aor", help="AOR codes: SEA,NYC")]
StateOpt = Annotated[list[str] | None, typer.Option("--state", help="states: WA,OR")]
CountyOpt = Annotated[list[str] | None, typer.Option("--county", help="county FIPS")]
ReleaseOpt = Annotated[
    list[str] | None, typer.Option("--release", help="count these releases instead")
]
AnswerFormatOpt = Annotated[str, typer.Option("--format", "-f", help="table|csv|json|parquet")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write to a file")]
RegistryFilesOpt = Annotated[
    list[Path] | None, typer.Option("--registry", help="extra policy registry files")
]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="duckdb (the warehouse) or spark (a Parquet export)")
]
ParquetOpt = Annotated[
    str | None,
    typer.Option("--parquet", help="with --engine spark: the export (icefacts export DIR)"),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master", help="a Spark cluster (env ICEFACTS_SPARK_MASTER; default local[2])"
    ),
]


def _window(start: str | None, end: str | None, fy: int | None) -> tuple[date, date]:
    if fy is not None:
        if start or end:
            raise IcefactsError("give --fy or --from/--to, not both")
        return api.fiscal_year(fy)
    if not start or not end:
        raise IcefactsError("give --from DATE and --to DATE (or --fy YEAR)")
    return parse_date(start, "--from"), parse_date(end, "--to")


def operation(
    start: FromOpt = None,
    end: ToOpt = None,
    fy: FyOpt = None,
    aor: AorOpt = None,
    state: StateOpt = None,
    county: CountyOpt = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="only counties where this policy type is in force"),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="with --policy: the day")] = None,
    by: Annotated[
        str,
        typer.Option("--by", help="total, aor, state, county, day, method or citizenship"),
    ] = "aor",
    baseline_weeks: Annotated[
        int, typer.Option("--baseline-weeks", help="same weekdays over N weeks before")
    ] = 6,
    baseline_from: Annotated[str | None, typer.Option("--baseline-from")] = None,
    baseline_to: Annotated[str | None, typer.Option("--baseline-to")] = None,
    release: ReleaseOpt = None,
    fmt: AnswerFormatOpt = "table",
    output: OutputOpt = None,
    db: DbOpt = None,
    registry: RegistryFilesOpt = None,
    engine: EngineOpt = "duckdb",
    parquet: ParquetOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Arrests in a window and places against the same weekdays of the weeks before."""
    first, last = _window(start, end, fy)
    if by not in BY:
        raise IcefactsError(f"--by {by!r}: one of {', '.join(BY)}")
    q = api.operation_question(
        start=first,
        end=last,
        aors=codes(aor, name="--aor"),
        states=codes(state, name="--state"),
        counties=codes(county, upper=False, name="--county"),
        by=by,
        baseline_weeks=baseline_weeks,
        baseline_start=parse_date(baseline_from, "--baseline-from") if baseline_from else None,
        baseline_end=parse_date(baseline_to, "--baseline-to") if baseline_to else None,
        policy=policy,
        policy_on=parse_date(on, "--on") if on else None,
        releases=codes(release, upper=False, name="--release"),
    )
    with api.open_source(db, engine=engine, parquet=parquet, spark_master=spark_master) as src:
        answer = api.operation(src, q, registry_files=registry or [])
    key = by if by != "total" else "place"
    # what fits 80 columns; --format csv/json/parquet give every column
    show = [key, "arrests", "arrests_baseline", "arrests_excess", "at_large", "custodial"]
    emit_answer(answer, fmt, output, f"arrests {first} to {last}", show)


def _span(start: str | None, end: str | None, fy: int | None) -> tuple[date | None, date | None]:
    """An optional date range: --fy, or --from/--to (either may be left out)."""
    if fy is not None:
        if start or end:
            raise IcefactsError("give --fy or --from/--to, not both")
        return api.fiscal_year(fy)
    return (
        parse_date(start, "--from") if start else None,
        parse_date(end, "--to") if end else None,
    )


def trend(
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            help="arrests, at_large, custodial, other_method, operation_flagged, convicted, "
            "pending, other_criminality, criminality_unknown, or a share of arrests: "
            "at_large_share, custodial_share, operation_share, convicted_share",
        ),
    ] = "arrests",
    by: Annotated[str, typer.Option("--by", help="day|week|month|fiscal_year")] = "month",
    per: Annotated[
        str | None, typer.Option("--per", help="one series per aor|state|county")
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    fy: FyOpt = None,
    aor: AorOpt = None,
    state: StateOpt = None,
    county: CountyOpt = None,
    release: ReleaseOpt = None,
    fmt: AnswerFormatOpt = "table",
    output: OutputOpt = None,
    db: DbOpt = None,
    registry: RegistryFilesOpt = None,
    engine: EngineOpt = "duckdb",
    parquet: ParquetOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """A measure per day, week, month or fiscal year, in total or per place."""
    first, last = _span(start, end, fy)
    if by not in ("day", "week", "month", "fiscal_year"):
        raise IcefactsError(f"--by {by!r}: one of day, week, month, fiscal_year")
    if per is not None and per not in ("aor", "state", "county"):
        raise IcefactsError(f"--per {per!r}: one of aor, state, county")
    q = api.trend_question(
        measure=measure,
        by=by,
        per=per,
        start=first,
        end=last,
        aors=codes(aor, name="--aor"),
        states=codes(state, name="--state"),
        counties=codes(county, upper=False, name="--county"),
        releases=codes(release, upper=False, name="--release"),
    )
    with api.open_source(db, engine=engine, parquet=parquet, spark_master=spark_master) as src:
        answer = api.trend(src, q, registry_files=registry or [])
    show = ["period", per or "place", measure, *(["arrests"] if measure != "arrests" else [])]
    show += ["days", "covered_days"]  # the caveats say to compare the two
    emit_answer(answer, fmt, output, f"{measure} by {by}", show)


operations_app = typer.Typer(
    help="Operations: surges found in the records.", no_args_is_help=True, add_completion=False
)


@operations_app.command("detect")
def detect(
    start: FromOpt = None,
    end: ToOpt = None,
    fy: FyOpt = None,
    aor: AorOpt = None,
    measure: Annotated[
        str, typer.Option("--measure", help="operation_flagged|at_large|arrests")
    ] = "operation_flagged",
    min_days: Annotated[int, typer.Option("--min-days", help="shortest episode, days")] = 1,
    threshold: Annotated[
        float, typer.Option("--threshold", help="how far above expected (z, one-sided)")
    ] = 3.5,
    group_days: Annotated[
        int, typer.Option("--group-days", help="AORs starting this close: one operation")
    ] = 2,
    release: ReleaseOpt = None,
    fmt: AnswerFormatOpt = "table",
    output: OutputOpt = None,
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    parquet: ParquetOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Find surges no one announced: episodes per AOR, grouped into operations."""
    first, last = _span(start, end, fy)
    if measure not in ("operation_flagged", "at_large", "arrests"):
        raise IcefactsError(f"--measure {measure!r}: one of operation_flagged, at_large, arrests")
    q = api.detect_question(
        start=first,
        end=last,
        aors=codes(aor, name="--aor"),
        measure=measure,
        min_days=min_days,
        threshold=threshold,
        group_days=group_days,
        releases=codes(release, upper=False, name="--release"),
    )
    with api.open_source(db, engine=engine, parquet=parquet, spark_master=spark_master) as src:
        answer = api.detect(src, q)
    show = ["rank", "start", "end", "observed", "expected", "excess", "aors"]
    emit_answer(answer, fmt, output, f"operations found ({measure})", show)
