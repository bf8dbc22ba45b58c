"""Commands that show: ``serve`` (the local web app) and ``report`` (publishable reports)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, parse_date

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.web import reports, server
else:  # imported on first use
    api = lazy_import("icefacts.api")
    server = lazy_import("icefacts.web.server")
    reports = lazy_import("icefacts.web.reports")


def serve(
    db: DbOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="address to listen on (other machines: say so)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port")] = 8000,
    public: Annotated[
        bool,
        typer.Option("--public", help="publish mode: counts below --k suppressed, no rows"),
    ] = False,
    sql: Annotated[
        bool, typer.Option("--sql", help="also answer /api/sql (read-only, capped)")
    ] = False,
    k: Annotated[int, typer.Option("--k", help="with --public: the smallest count shown")] = 10,
) -> None:
    """Serve the web app (map, trend, operation explorer, claim checker) read-only."""
    path = Path(db) if db is not None else api.default_db()
    server.serve(path, host=host, port=port, public=public, sql=sql, k=k)


report_app = typer.Typer(
    no_args_is_help=True,
    help="Reports to publish: self-contained HTML, PDF or Markdown, small cells suppressed.",
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="file to write: .html, .pdf or .md")]
ReportFormatOpt = Annotated[
    str | None, typer.Option("--format", "-f", help="html, pdf or markdown (default: --out's)")
]
PublishOpt = Annotated[
    bool,
    typer.Option(
        "--publish/--no-publish", help="suppress counts below --k (the default for reports)"
    ),
]
KOpt = Annotated[int, typer.Option("--k", help="the smallest count shown when publishing")]


def _check_k(k: int) -> None:
    from icefacts.errors import IcefactsError

    if k < 2:
        raise IcefactsError(f"--k {k}: the smallest count shown must be at least 2")


def _write(kind: str, build: object, out: Path, fmt: str | None) -> None:
    from icefacts.cli.common import say

    chosen = reports.report_format(out, fmt)
    written = reports.write(build, kind, out, chosen)  # type: ignore[arg-type]
    say(f"wrote {written} ({chosen}, {written.stat().st_size:,} bytes)")


@report_app.command("operation")
def report_operation(
    out: OutOpt,
    start: Annotated[str | None, typer.Option("--from", help="first day, e.g. 2017-09-24")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day, e.g. 2017-09-27")] = None,
    fy: Annotated[int | None, typer.Option("--fy", help="a fiscal year (Oct-Sep) instead")] = None,
    aor: Annotated[list[str] | None, typer.Option("--aor", help="AOR codes: SEA,NYC")] = None,
    state: Annotated[list[str] | None, typer.Option("--state", help="states: WA,OR")] = None,
    county: Annotated[list[str] | None, typer.Option("--county", help="county FIPS")] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="only counties where this policy is in force")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="with --policy: the day")] = None,
    by: Annotated[str, typer.Option("--by", help="aor, state, county, day or total")] = "aor",
    measure: Annotated[
        str, typer.Option("--measure", help="the daily chart: operation_flagged|arrests|at_large")
    ] = "operation_flagged",
    baseline_weeks: Annotated[int, typer.Option("--baseline-weeks", help="weeks before")] = 6,
    fmt: ReportFormatOpt = None,
    publish: PublishOpt = True,
    k: KOpt = 10,
    db: DbOpt = None,
) -> None:
    """An operation report: a window against its baseline, with charts, caveats, sources."""
    from icefacts.cli.common import codes
    from icefacts.errors import IcefactsError

    if fy is not None:
        if start or end:
            raise IcefactsError("give --fy or --from/--to, not both")
        first, last = api.fiscal_year(fy)
        start, end = first.isoformat(), last.isoformat()
    if not start or not end:
        raise IcefactsError("give --from DATE and --to DATE (or --fy YEAR)")
    parse_date(start, "--from")
    parse_date(end, "--to")
    params = {
        "from": start,
        "to": end,
        "aor": ",".join(codes(aor, name="--aor")),
        "state": ",".join(codes(state, name="--state")),
        "county": ",".join(codes(county, upper=False, name="--county")),
        "by": by,
        "measure": measure,
        "baseline_weeks": str(baseline_weeks),
    }
    if policy:
        params["policy"] = policy
        params["on"] = on or ""
    reports.report_format(out, fmt)  # a wrong name is said before any work
    _check_k(k)
    with api.open_warehouse(db, read_only=True) as wh:
        rep = reports.build_operation(wh, params, publish=publish, k=k)
        _write("operation", rep, out, fmt)


@report_app.command("claims")
def report_claims(
    claim_file: Annotated[Path, typer.Argument(metavar="FILE.yaml", help="a claim file")],
    out: OutOpt,
    fmt: ReportFormatOpt = None,
    publish: PublishOpt = True,
    k: KOpt = 10,
    db: DbOpt = None,
) -> None:
    """A claims report: every claim of FILE.yaml with its verdict, numbers and sources."""
    reports.report_format(out, fmt)
    _check_k(k)
    loaded = api.load_claims(claim_file)  # a mistake in the file: before the warehouse opens
    with api.open_warehouse(db, read_only=True) as wh:
        rep = reports.build_claims(wh, claim_file.name, None, publish=publish, k=k, loaded=loaded)
        _write("claims", rep, out, fmt)
