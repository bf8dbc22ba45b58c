"""The `icefacts` command. Thin: it builds what the tests use, then delegates to the API."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from icefacts._lazy import lazy_import
from icefacts.errors import IcefactsError
from icefacts.ingest.report import FileReport

if TYPE_CHECKING:
    from icefacts import api, render
else:  # imported on first use: --version and --help stay fast
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="icefacts: what ICE's own records say. Ingest releases, query, validate.",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from icefacts._version import __version__

        typer.echo(f"icefacts {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show version")
    ] = False,
) -> None:
    """icefacts: what ICE's own records say. Ingest releases, query, validate."""


DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="warehouse file (env ICEFACTS_DB, default ./icefacts.duckdb)"),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json")]


def emit(table: object, fmt: str, title: str | None = None) -> None:
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    if fmt == "json":
        sys.stdout.write(render.to_json(table) + "\n")
    elif fmt == "csv":
        sys.stdout.write(render.to_csv(table))
    elif fmt == "table":
        out.print(render.to_rich(table, title), crop=False)
    else:
        raise IcefactsError(f"unknown --format {fmt!r}; use one of {', '.join(render.FORMATS)}")


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: object = None

    def file_started(self, name: str, sheets: int) -> None:
        self.task = self.progress.add_task(name, total=max(sheets, 1), rows=0)

    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, rows=rows)  # type: ignore[arg-type]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _say(text: str, console: Console | None = None) -> None:
    (console or out).print(text, highlight=False, markup=False, soft_wrap=True)


def _print_reports(reports: list[FileReport]) -> None:
    """One line per file (readable at any terminal width), then notes."""
    for r in reports:
        name = Path(r.path).name
        if r.status == "error":
            _say(f"error {r.message}", err)
            continue
        if r.status == "skipped":
            _say(f"skipped {r.message}")
            continue
        if r.status == "already":
            _say(f"{name}: {r.message}")
            continue
        originals = sorted({c.split(":", 1)[0] for c in r.copies.values()})
        if r.status == "copy":
            _say(
                f"{name}: the same rows as release {', '.join(originals)} in another format: "
                f"registered as a copy, nothing loaded again ({_plural(len(r.copies), 'sheet')}, "
                f"{_plural(r.copy_rows, 'row')}; see `icefacts releases`)"
            )
            continue
        _say(
            f"{name}: loaded {r.family} {'+'.join(r.tables)} as release {r.release_id}: "
            f"{_plural(len(r.sheets), 'sheet')}, {_plural(r.rows, 'row')}, "
            f"{_plural(r.redacted_cells, 'redacted cell')}, "
            f"{_plural(r.unknown_values, 'unknown value')}, "
            f"{r.duplicates_flagged:,} flagged as duplicates, "
            f"{r.out_of_period:,} dated outside the stated period, {r.seconds:.1f} s"
        )
        if r.copies:
            _say(
                f"  {_plural(len(r.copies), 'sheet')} ({', '.join(repr(k) for k in r.copies)}) "
                f"hold the same rows as release {', '.join(originals)}: not loaded again"
            )
        if r.shadowed_rows:
            _say(
                f"  {r.shadowed_rows:,} of its rows fall on days another release counts: kept "
                "in the *_all views, not counted (see `icefacts releases --overlaps`)"
            )
        if r.shadows_rows:
            _say(
                f"  it now counts the days of {r.shadows_rows:,} rows of other releases, which "
                "stay in the *_all views (see `icefacts releases --overlaps`)"
            )
        if r.skipped_sheets:
            skipped = ", ".join(f"{s!r} ({why})" for s, why in r.skipped_sheets.items())
            _say(f"  skipped sheets: {skipped}")
        if r.unmapped_columns:
            _say(
                "  kept verbatim in `extra` (no canonical field yet): "
                + ", ".join(r.unmapped_columns)
            )
        if r.failed_checks:
            _say(
                "  validation checks over threshold: "
                + ", ".join(r.failed_checks)
                + " (see `icefacts validate`)"
            )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders of release files")],
    db: DbOpt = None,
    dup_rule: Annotated[
        str | None,
        typer.Option(
            "--dup-rule", help="override: none | episode_24h | same_person_date | exact_row"
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bars")] = False,
    parallel_sheets: Annotated[
        bool,
        typer.Option(
            "--parallel-sheets",
            help="read two sheets of a workbook at once (more memory): can help workbooks "
            "of many mid-size sheets; a large sheet is parsed on two cores anyway",
        ),
    ] = False,
) -> None:
    """Detect, validate and load release files (each file atomically)."""
    from icefacts import interrupts

    with api.open_warehouse(db) as wh:
        _INGEST.update(commits_before=interrupts.commits())
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} sheets"),
            TextColumn("{task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
            console=err,
            disable=quiet,
            transient=True,
        )
        with progress:
            reports = api.ingest(
                wh,
                paths,
                progress=_RichProgress(progress),
                duplicate_rule=dup_rule,
                parallel_sheets=parallel_sheets,
            )
    _print_reports(reports)
    if any(r.status == "error" for r in reports):
        raise typer.Exit(2)


@app.command()
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
        _say("no two releases hold the same table, AOR and days")
    if rep.disagreements.num_rows:
        _say(
            f"caveat [overlap_disagrees]: {rep.disagreements.num_rows:,} AOR-month(s) where "
            "releases holding the same days disagree (see --format json for each month)"
        )


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="one SELECT statement")],
    db: DbOpt = None,
    fmt: FormatOpt = "table",
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="return at most this many rows")
    ] = 100_000,
    timeout: Annotated[
        float, typer.Option("--timeout", help="stop the query after this many seconds")
    ] = 120.0,
) -> None:
    """Run a read-only SQL query against the warehouse (it can read nothing else)."""
    with api.open_warehouse(db, read_only=True) as wh:
        result = api.sql_result(wh, query, max_rows=max_rows, timeout=timeout)
    emit(result.table, fmt)
    if result.truncated:
        err.print(
            f"note: only the first {result.max_rows:,} rows are shown (--max-rows)",
            highlight=False,
        )


@app.command()
def validate(
    db: DbOpt = None,
    release: Annotated[str | None, typer.Option("--release", help="one release_id")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show the validation report (declared checks, thresholds, caveats)."""
    with api.open_warehouse(db, read_only=True) as wh:
        emit(api.validation_report(wh, release), fmt, "validation")


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write into")],
    rows: Annotated[int, typer.Option("--rows", min=1)] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    families: Annotated[str, typer.Option("--families", help="comma list: A,C")] = "A,C",
    sheet_rows: Annotated[int, typer.Option("--sheet-rows", min=10)] = 1_048_575,
    tables: Annotated[
        str | None,
        typer.Option("--tables", help="comma list, e.g. arrests (default: every table)"),
    ] = None,
) -> None:
    """Write synthetic releases in the real layouts, with truth.json."""
    from icefacts.synth import generate

    fams = tuple(f.strip().upper() for f in families.split(",") if f.strip())
    wanted = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    try:
        with err.status("writing synthetic releases..."):
            truth = generate(
                out_dir,
                rows=rows,
                seed=seed,
                families=fams,
                sheet_rows=sheet_rows,
                tables=wanted,
            )
    except ValueError as exc:
        raise IcefactsError(str(exc)) from exc
    except OSError as exc:
        raise IcefactsError(f"--out {out_dir}: cannot write there ({exc.strerror or exc})") from exc
    files = truth.get("files", {})
    out.print(
        f"wrote {len(files)} files and truth.json to {out_dir}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


@app.command()
def demo(
    db: DbOpt = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="never download; use the mirror/cache or synth")
    ] = False,
) -> None:
    """The main job: ingest the national FY2017 arrests and print a summary."""
    from icefacts.analysis.summary import arrest_summary
    from icefacts.demo import demo_source

    source = demo_source(allow_download=not offline)
    (err if source.synthetic else out).print(
        source.notice, highlight=False, markup=False, soft_wrap=True
    )
    with api.open_warehouse(db) as wh:
        reports = api.ingest(wh, [source.path])
        _print_reports(reports)
        if any(r.status == "error" for r in reports):
            raise typer.Exit(2)
        rid = reports[0].release_id
        s = arrest_summary(wh.engine, [rid] if rid else None)
    out.print(render.to_rich(s.by_aor, f"arrests by AOR ({s.total:,} rows)"), crop=False)
    pct = 100 * s.at_large / s.with_method_class if s.with_method_class else 0.0
    op = 100 * s.operation_flagged / s.operation_known if s.operation_known else 0.0
    out.print(
        f"at-large (Located / Non-Custodial): {s.at_large:,} of {s.with_method_class:,} arrests "
        f"with a custodial or at-large method = {pct:.1f}% (custodial {s.custodial:,}; other "
        "methods, such as ERO Reprocessed Arrest, are neither)",
        highlight=False,
        soft_wrap=True,
    )
    out.print(
        f"operation code present (usually redacted as (b)(7)(E)): {s.operation_flagged:,} of "
        f"{s.operation_known:,} = {op:.1f}%",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for note in s.counting:
        _say(f"caveat [{note.split(':', 1)[0]}]{note.split(':', 1)[1]}")
    for c in s.caveats.to_pylist():
        out.print(
            f"caveat [{c['caveat']}] {c['table_name']}.{c['field']} {c['check_name']}: "
            f"{c['failed']:,} of {c['checked']:,} rows ({c['pct']}%), {c['status']}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if source.synthetic:
        err.print("REMINDER: these numbers come from SYNTHETIC data.", highlight=False)


def _codes(values: list[str] | None, upper: bool = True) -> tuple[str, ...]:
    """Repeatable options that also take comma lists: --aor SEA,NYC --aor BOS."""
    out: list[str] = []
    for v in values or []:
        out += [p.strip().upper() if upper else p.strip() for p in v.split(",") if p.strip()]
    return tuple(out)


def _window(start: str | None, end: str | None, fy: int | None) -> tuple[object, object]:
    from icefacts.cli_places import _date

    if fy is not None:
        if start or end:
            raise IcefactsError("give --fy or --from/--to, not both")
        return api.fiscal_year(fy)
    if not start or not end:
        raise IcefactsError("give --from DATE and --to DATE (or --fy YEAR)")
    return _date(start, "--from"), _date(end, "--to")


_SHORT = {  # column headings of the people's table (csv, json and parquet keep the names)
    "arrests_baseline": "baseline",
    "arrests_excess": "excess",
    "at_large": "at large",
    "operation_flagged": "operation",
}


def emit_answer(answer: object, fmt: str, output: Path | None, title: str, show: list[str]) -> None:
    """An Answer as a table for people (the columns in ``show``; every column in csv, json
    and parquet), csv, json or parquet (``--output`` file)."""
    import pyarrow as pa

    table = answer.table  # type: ignore[attr-defined]
    if fmt not in render.ANSWER_FORMATS:
        raise IcefactsError(
            f"unknown --format {fmt!r}; use one of {', '.join(render.ANSWER_FORMATS)}"
        )
    if fmt == "parquet":
        if output is None:
            raise IcefactsError("--format parquet needs --output FILE")
        render.answer_parquet(answer, output)
        out.print(f"wrote {table.num_rows:,} rows to {output}", soft_wrap=True)
        return
    if fmt == "json":
        text = render.answer_json(answer) + "\n"
    elif fmt == "csv":
        text = render.to_csv(table)
    else:
        rows = table.to_pylist()
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
                    line[label] = r.get(col)
            shown.append(line)
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


@app.command()
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
    from icefacts.cli_places import _date

    first, last = _window(start, end, fy)
    if by not in ("total", "aor", "state", "county", "day", "method", "citizenship"):
        raise IcefactsError(
            f"--by {by!r}: one of total, aor, state, county, day, method, citizenship"
        )
    q = api.operation_question(
        start=first,
        end=last,
        aors=_codes(aor),
        states=_codes(state),
        counties=_codes(county, upper=False),
        by=by,
        baseline_weeks=baseline_weeks,
        baseline_start=_date(baseline_from, "--baseline-from") if baseline_from else None,
        baseline_end=_date(baseline_to, "--baseline-to") if baseline_to else None,
        policy=policy,
        policy_on=_date(on, "--on") if on else None,
        releases=_codes(release, upper=False),
    )
    with api.open_warehouse(db, read_only=True) as wh:
        answer = api.operation(wh, q, registry_files=registry or [])
    key = by if by != "total" else "place"
    # what fits 80 columns; --format csv/json/parquet give every column
    show = [key, "arrests", "arrests_baseline", "arrests_excess", "at_large", "custodial"]
    emit_answer(answer, fmt, output, f"arrests {first} to {last}", show)


@app.command()
def upgrade(db: DbOpt = None) -> None:
    """Upgrade a warehouse written by an earlier icefacts (placements stored on rows,
    fingerprints, release scopes, counting); nothing is lost, nothing needs the files again."""
    with api.open_warehouse(db) as wh:
        version = wh.meta("schema_version")
        n = wh.engine.scalar("SELECT count(*) FROM releases")
    _say(f"warehouse {wh.path}: schema {version}, {n:,} releases; up to date")


@app.command()
def codebook() -> None:
    """Print the codebook (every table and field) as Markdown."""
    from icefacts.schema.codebook import codebook_markdown

    sys.stdout.write(codebook_markdown())


def _register_places() -> None:
    from icefacts import cli_places

    app.add_typer(cli_places.reference_app, name="reference")
    app.command("place")(cli_places.place)
    app.command("places")(cli_places.places)
    app.command("rates")(cli_places.rates)
    app.command("coverage")(cli_places.coverage)


_register_places()


def main() -> None:
    from icefacts import interrupts

    interrupts.install()
    try:
        app()
    except IcefactsError as exc:
        if not interrupts.requested():
            err.print(f"icefacts: {exc.one_line()}", highlight=False, markup=False, soft_wrap=True)
            sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        interrupts.request()
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # typer turns a KeyboardInterrupt into exit code 130
            interrupts.request()
            _interrupted()
        if not interrupts.requested():
            raise
    finally:
        if interrupts.requested():
            _interrupted()


_INGEST: dict[str, int] = {}  # commits before an ingest in progress began


def _interrupted() -> None:
    """Ctrl-C: a file loads in one transaction, rolled back by now; files loaded before it
    stay. Exit at once, without waiting for background parsing threads."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    from icefacts import interrupts

    # each file of an ingest commits on its own transaction
    kept = max(0, interrupts.commits() - int(_INGEST.get("commits_before", 0))) if _INGEST else 0
    if kept:
        text = (
            f"interrupted; {_plural(kept, 'file')} loaded before the interruption are kept, "
            "nothing of the file in flight"
        )
    else:
        text = "interrupted; the warehouse is unchanged"
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
    os._exit(130)


if __name__ == "__main__":
    main()
