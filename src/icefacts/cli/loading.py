"""Commands that write: ingest release files, upgrade a warehouse, write synthetic releases,
and the demo (ingest the national FY2017 arrests and summarise them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from icefacts._lazy import lazy_import
from icefacts.cli.common import (
    INGEST,
    NEW_WAREHOUSE,
    DbOpt,
    comma_list,
    drop_new_warehouse,
    err,
    out,
    plural,
    say,
)
from icefacts.errors import IcefactsError

if TYPE_CHECKING:
    from icefacts import api, render
    from icefacts.api import FileReport
else:  # imported on first use: --version and --help stay fast
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: object = None

    def file_started(self, name: str, sheets: int) -> None:
        self.task = self.progress.add_task(name, total=max(sheets, 1), rows=0)

    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, rows=rows)  # type: ignore[arg-type]


def print_reports(reports: list[FileReport]) -> None:
    """One line per file (readable at any terminal width), then notes."""
    for r in reports:
        name = Path(r.path).name
        if r.status == "error":
            say(f"error {r.message}", err)
            continue
        if r.status == "skipped":
            say(f"skipped {r.message}")
            continue
        if r.status == "already":
            say(f"{name}: {r.message}")
            continue
        originals = sorted({c.split(":", 1)[0] for c in r.copies.values()})
        if r.status == "copy":
            say(
                f"{name}: the same rows as release {', '.join(originals)} in another format: "
                f"registered as a copy, nothing loaded again ({plural(len(r.copies), 'sheet')}, "
                f"{plural(r.copy_rows, 'row')}; see `icefacts releases`)"
            )
            continue
        say(
            f"{name}: loaded {r.family} {'+'.join(r.tables)} as release {r.release_id}: "
            f"{plural(len(r.sheets), 'sheet')}, {plural(r.rows, 'row')}, "
            f"{plural(r.redacted_cells, 'redacted cell')}, "
            f"{plural(r.unknown_values, 'unknown value')}, "
            f"{r.duplicates_flagged:,} flagged as duplicates, "
            f"{r.out_of_period:,} dated outside the stated period, {r.seconds:.1f} s"
        )
        if r.copies:
            say(
                f"  {plural(len(r.copies), 'sheet')} ({', '.join(repr(k) for k in r.copies)}) "
                f"hold the same rows as release {', '.join(originals)}: not loaded again"
            )
        if r.shadowed_rows:
            say(
                f"  {r.shadowed_rows:,} of its rows fall on days another release counts: kept "
                "in the *_all views, not counted (see `icefacts releases --overlaps`)"
            )
        if r.shadows_rows:
            say(
                f"  it now counts the days of {r.shadows_rows:,} rows of other releases, which "
                "stay in the *_all views (see `icefacts releases --overlaps`)"
            )
        if r.skipped_sheets:
            skipped = ", ".join(f"{s!r} ({why})" for s, why in r.skipped_sheets.items())
            say(f"  skipped sheets: {skipped}")
        if r.unmapped_columns:
            say(
                "  kept verbatim in `extra` (no canonical field yet): "
                + ", ".join(r.unmapped_columns)
            )
        if r.failed_checks:
            say(
                "  validation checks over threshold: "
                + ", ".join(r.failed_checks)
                + " (see `icefacts validate`)"
            )


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

    path = db or api.default_db()
    if not path.exists() and not path.is_symlink():
        NEW_WAREHOUSE[:] = [path]  # nothing loaded into it: not kept (see _drop_new)
    with api.open_warehouse(db) as wh:
        INGEST.update(commits_before=interrupts.commits())
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} sheets"),
            TextColumn("{task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
            console=err,
            disable=quiet or not err.is_terminal,  # a pipe or a log gets no bars (nor
            transient=True,  # the blank line they leave)
        )
        with progress:
            reports = api.ingest(
                wh,
                paths,
                progress=_RichProgress(progress),
                duplicate_rule=dup_rule,
                parallel_sheets=parallel_sheets,
            )
    if not any(r.status in ("loaded", "copy") for r in reports):
        drop_new_warehouse()
    NEW_WAREHOUSE.clear()
    print_reports(reports)
    if any(r.status == "error" for r in reports):
        raise typer.Exit(2)


def upgrade(db: DbOpt = None) -> None:
    """Upgrade a warehouse written by an earlier icefacts in place (nothing is lost)."""
    info = api.upgrade(db)
    say(
        f"warehouse {info.path}: schema {info.schema_version}, {info.releases:,} releases; "
        "up to date"
    )


def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write into")],
    rows: Annotated[int, typer.Option("--rows", min=1)] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    families: Annotated[
        str,
        typer.Option(
            "--families",
            help="comma list of family letters or ids: A,C or lesa-national,ddp-current; "
            "B: a UW v. DHS copy of A's Seattle arrests, with the true pairs",
        ),
    ] = "A,C",
    sheet_rows: Annotated[int, typer.Option("--sheet-rows", min=10)] = 1_048_575,
    tables: Annotated[
        str | None,
        typer.Option("--tables", help="comma list, e.g. arrests (default: every table)"),
    ] = None,
    plant_operation: Annotated[
        list[str] | None,
        typer.Option(
            "--plant-operation",
            metavar="START:END:AORS:SIZE[:NAME]",
            help="plant SIZE extra arrests, mostly at large and naming an operation, in the "
            "national arrests (family A) over START..END in the AORS (e.g. "
            "2017-02-05:2017-02-08:NYC,CHI,LOS:300); repeatable; written to truth.json",
        ),
    ] = None,
) -> None:
    """Write synthetic releases in the real layouts, with truth.json."""
    with err.status("writing synthetic releases..."):
        truth = api.synth(
            out_dir,
            rows=rows,
            seed=seed,
            families=comma_list(families),
            sheet_rows=sheet_rows,
            tables=comma_list(tables) if tables else None,
            operations=plant_operation or (),
        )
    n = len(truth.get("files", {})) + (1 if "pairs" in truth else 0)
    say(f"wrote {n} file{'' if n == 1 else 's'} and truth.json to {out_dir}")
    for op in truth.get("operations", []):
        say(
            f"planted {op['name']}: {op['size']:,} arrests, {op['start']}..{op['end']} in "
            f"{', '.join(op['aors'])} ({op['at_large']:,} at large)"
        )


def _demo_places(wh: api.Warehouse, offline: bool) -> str:
    """Load the places (counties, AORs, population, policies) once, so that `icefacts serve`
    can draw the map and the place pages; the line to print either way."""
    if not api.has_places(wh):
        try:
            with err.status("loading places (counties, AORs, population, policies)..."):
                api.load_reference(wh, allow_download=not offline)
        except IcefactsError as exc:
            return f"places: not loaded ({exc.one_line()}); the map needs `icefacts reference load`"
    return (
        "places: counties, AORs, population and policies loaded; see it all with "
        "`.venv/bin/icefacts serve` and http://127.0.0.1:8000/"
    )


def demo(
    db: DbOpt = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="never download; use the mirror/cache or synth")
    ] = False,
) -> None:
    """The main job: ingest the national FY2017 arrests and print a summary."""
    source = api.demo_source(allow_download=not offline)
    say(source.notice, err if source.synthetic else out)
    with api.open_warehouse(db) as wh:
        reports = api.ingest(wh, [source.path])
        print_reports(reports)
        if any(r.status == "error" for r in reports):
            raise typer.Exit(2)
        rid = reports[0].release_id
        places = _demo_places(wh, offline)
        s = api.arrest_summary(wh, [rid] if rid else None)
    out.print(render.to_rich(s.by_aor, f"arrests by AOR ({s.total:,} rows)"), crop=False)
    out.print(
        f"at-large (Located / Non-Custodial): {s.at_large:,} of {s.with_method_class:,} arrests "
        f"with a custodial or at-large method = {s.at_large_pct:.1f}% (custodial "
        f"{s.custodial:,}; other methods, such as ERO Reprocessed Arrest, are neither)",
        highlight=False,
        soft_wrap=True,
    )
    say(
        f"operation code present (usually redacted as (b)(7)(E)): {s.operation_flagged:,} of "
        f"{s.operation_known:,} = {s.operation_pct:.1f}%"
    )
    for code, text in s.counting:
        say(f"caveat [{code}] {text}")
    for c in s.caveats.to_pylist():
        say(
            f"caveat [{c['caveat']}] {c['table_name']}.{c['field']} {c['check_name']}: "
            f"{c['failed']:,} of {c['checked']:,} rows ({c['pct']}%), {c['status']}"
        )
    say(places)
    if source.synthetic:
        err.print("REMINDER: these numbers come from SYNTHETIC data.", highlight=False)
