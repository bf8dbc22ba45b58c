"""Ingest files: detect, read, clean, validate, flag duplicates and load atomically."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, cast

import pyarrow as pa

from icefacts import __version__
from icefacts.clean.table import CleanParams, clean_sheet
from icefacts.errors import IcefactsError, InputError
from icefacts.fetch import sha256_file
from icefacts.ingest.detect import Detection, detect, is_skippable
from icefacts.ingest.period import Period, foia_number, stated_period
from icefacts.ingest.readers import LoadedSheet, Workbook
from icefacts.ingest.sniff import sniff
from icefacts.ingest.validate import Validator
from icefacts.link.duplicates import flag_sql
from icefacts.schema import table_def
from icefacts.specs import Family
from icefacts.warehouse import Engine, Warehouse
from icefacts.warehouse.ddl import core_name
from icefacts.warehouse.places import place_new_events

INGESTIBLE = (".csv", ".gz", ".xlsx", ".xls", ".xlsm", ".txt", ".tsv")


PREFETCH = os.environ.get("ICEFACTS_PREFETCH", "1") != "0"


class NotARelease(InputError):
    """No sheet of the file matches any release spec."""


class Progress(Protocol):
    def file_started(self, name: str, sheets: int) -> None: ...
    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None: ...


class _Quiet:
    def file_started(self, name: str, sheets: int) -> None:
        pass

    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None:
        pass


@dataclass
class SheetPlan:
    index: int
    sheet: str | None
    detection: Detection | None
    note: str = ""


@dataclass
class FileReport:
    path: str
    status: str  # loaded | already | error
    release_id: str | None = None
    family: str | None = None
    tables: list[str] = field(default_factory=list)
    sheets: dict[str, int] = field(default_factory=dict)
    skipped_sheets: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    redacted_cells: int = 0
    unknown_values: int = 0
    duplicates_flagged: int = 0
    out_of_period: int = 0
    failed_checks: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""


def expand(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """(file, found by walking a folder): files as given; folders walked in name order."""
    out: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                (q, True)
                for q in sorted(p.rglob("*"))
                if q.is_file()
                and q.name.lower().endswith(INGESTIBLE)
                and not q.name.startswith(".")
            )
        else:
            out.append((p, False))
    return out


def ingest_paths(
    wh: Warehouse,
    paths: Iterable[Path],
    progress: Progress | None = None,
    duplicate_rule: str | None = None,
) -> list[FileReport]:
    reports = []
    for path, walked in expand(paths):
        try:
            reports.append(ingest_file(wh, path, progress, duplicate_rule))
        except NotARelease as exc:
            # A file met while walking a folder that no release spec describes (a README,
            # a lookup table) is passed over, not an error; named explicitly, it is one.
            status = "skipped" if walked else "error"
            reports.append(FileReport(path=str(path), status=status, message=exc.one_line()))
        except IcefactsError as exc:
            reports.append(FileReport(path=str(path), status="error", message=exc.one_line()))
    return reports


def _plan_sheet(
    index: int, loaded: LoadedSheet, path: Path, n_sheets: int, family: str | None
) -> SheetPlan:
    """Detect one sheet's family, table and header; raise on what cannot be read faithfully."""
    sheet, rows = loaded.sheet, loaded.head
    det = detect(rows, file_name=path.name, sheet=sheet)
    if det is None:
        if is_skippable(sheet):
            return SheetPlan(index, sheet, None, "not a data sheet (summary/footnotes)")
        if not any(any(c.strip() for c in r) for r in rows) and n_sheets > 1:
            return SheetPlan(index, sheet, None, "empty sheet")
        raise NotARelease(
            "no recognisable header in the first rows (no release spec matches)",
            file=path.name,
            sheet=sheet,
        )
    if family is not None and det.family.id != family:
        raise InputError(
            f"sheets belong to different release families ({family}, {det.family.id})",
            file=path.name,
            sheet=sheet,
        )
    present = {f for fs in det.columns.values() for f in fs}
    for req in det.family.table_rule(det.table).required:
        if req not in present:
            raw = next(
                (
                    c.raw_header
                    for c in det.family.columns
                    if c.table == det.table and c.canonical == req
                ),
                req,
            )
            raise InputError(
                f"required column missing for {det.family.id} {det.table} "
                f"(header found on row {det.header_row + 1})",
                file=path.name,
                sheet=sheet,
                row=det.header_row + 1,
                column=raw,
            )
    return SheetPlan(index, sheet, det)


class _SheetReader:
    """Sheets in order. ``prefetch()`` starts reading the next sheet on a second thread
    (calamine releases the GIL); the pipeline calls it once the current sheet is cleaned and
    its raw cells are freed, so at most one raw sheet is in memory while loading overlaps
    reading."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.names = wb.sheet_names
        self.pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="icefacts-read")
            if PREFETCH and len(self.names) > 1
            else None
        )
        self.pending: dict[int, Future[LoadedSheet]] = {}
        self.current = -1

    def __iter__(self) -> Iterator[tuple[int, LoadedSheet]]:
        try:
            for i, name in enumerate(self.names):
                self.current = i
                fut = self.pending.pop(i, None)
                yield i, (fut.result() if fut else self.wb.load(name))
        finally:
            for fut in self.pending.values():
                fut.cancel()
            if self.pool:
                self.pool.shutdown(wait=True)

    def prefetch(self) -> None:
        nxt = self.current + 1
        if self.pool and nxt < len(self.names) and nxt not in self.pending:
            self.pending[nxt] = self.pool.submit(self.wb.load, self.names[nxt])


def _sql_str(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def _before_commit_hook() -> None:
    """Test hook: lets the crash-safety test kill the process with a load in flight."""
    if os.environ.get("ICEFACTS_TEST_HOOK") == "pause_before_commit":
        print("ICEFACTS_HOOK before_commit", flush=True)
        time.sleep(60)


def ingest_file(
    wh: Warehouse,
    path: Path,
    progress: Progress | None = None,
    duplicate_rule: str | None = None,
) -> FileReport:
    progress = progress or _Quiet()
    t0 = time.perf_counter()
    kind = sniff(path)
    sha = sha256_file(path)
    existing = wh.has_release(sha)
    if existing:
        return FileReport(
            path=str(path),
            status="already",
            release_id=existing,
            message=f"already ingested as release {existing} (same sha256); nothing to do",
        )
    wb = Workbook(path, kind)
    release_id = sha[:16]
    report = FileReport(path=str(path), status="loaded", release_id=release_id)
    progress.file_started(path.name, len(wb.sheet_names))
    fam: Family | None = None
    validator: Validator | None = None
    periods: list[Period] = []
    titles: list[str] = []
    raw_sheet_rows: list[tuple[object, ...]] = []
    stats_rows: list[tuple[object, ...]] = []
    unknown_rows: list[tuple[object, ...]] = []

    with wh.load() as eng:
        reader = _SheetReader(wb)
        for index, loaded in reader:
            plan = _plan_sheet(index, loaded, path, len(wb.sheet_names), fam.id if fam else None)
            det = plan.detection
            if det is None:
                report.skipped_sheets[plan.sheet or ""] = plan.note
                raw_sheet_rows.append(
                    (
                        release_id,
                        plan.index,
                        plan.sheet,
                        "skipped",
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        0,
                        0,
                        plan.note,
                    )
                )
                progress.sheet_done(path.name, plan.sheet, 0)
                continue
            if fam is None:
                fam = det.family
                validator = Validator(fam)
                report.family = fam.id
            assert validator is not None
            title = " | ".join(det.title_lines)
            titles.append(title)
            period = stated_period(fam, title, plan.sheet, path.name)
            periods.append(period)
            tdef = table_def(det.table)
            raw = loaded.data(det.header_row, det.headers)
            del loaded
            params = CleanParams(
                file=path.name,
                sheet=plan.sheet,
                table=det.table,
                date_formats=fam.date_formats,
                missing_markers=fam.missing_markers,
                date_field=fam.date_field(det.table),
                period_start=period.start,
                period_end=period.end,
            )
            result = clean_sheet(
                raw.table, raw.first_row, det.headers, det.columns, det.unmapped, tdef, params
            )
            del raw
            reader.prefetch()
            mapped = {f for fs in det.columns.values() for f in fs}
            target = wh.ensure_core(det.table, fam.id, mapped)
            eng.load_arrow(
                target,
                result.table,
                extra={
                    "source_sheet_index": str(plan.index),
                    "release_id": _sql_str(release_id),
                    "source_file": _sql_str(path.name),
                    "source_sheet": _sql_str(plan.sheet),
                },
            )
            validator.add(det.table, result)
            key = plan.sheet or path.name
            report.sheets[key] = result.rows
            report.rows += result.rows
            report.out_of_period += result.out_of_period
            if det.table not in report.tables:
                report.tables.append(det.table)
            report.unmapped_columns.extend(
                c for c in result.extra_columns if c not in report.unmapped_columns
            )
            report.redacted_cells += result.redacted_cells
            for name, fc in result.counts.items():
                report.unknown_values += fc.unknown
                stats_rows.append(
                    (
                        release_id,
                        det.table,
                        name,
                        result.rows,
                        fc.missing,
                        fc.redacted,
                        fc.unknown,
                        fc.unparsed,
                    )
                )
            for name, counter in result.unknown_values.items():
                unknown_rows.extend(
                    (release_id, det.table, name, value, n) for value, n in counter.items()
                )
            raw_sheet_rows.append(
                (
                    release_id,
                    plan.index,
                    plan.sheet,
                    "loaded",
                    det.table,
                    det.header_row + 1,
                    title,
                    det.headers,
                    {det.headers[j]: fs for j, fs in det.columns.items()},
                    result.extra_columns,
                    result.rows,
                    result.blank_rows,
                    None,
                )
            )
            progress.sheet_done(path.name, plan.sheet, result.rows)
            del result
            # give freed Arrow buffers back now: the next sheet is already being read
            pa.default_memory_pool().release_unused()
        if fam is None or validator is None:
            raise NotARelease("no sheet with a recognisable header", file=path.name)

        for table in report.tables:
            rule = duplicate_rule or fam.table_rule(table).duplicates
            core = core_name(table, fam.id)
            sql = flag_sql(rule, table_def(table), core, wh.columns(core), fam.date_field(table))
            if sql:
                eng.execute(sql, [release_id])
        if report.tables:
            counted = eng.query(
                " UNION ALL ".join(
                    f"SELECT count(duplicate_of) AS n FROM {core_name(t, fam.id)} "
                    "WHERE release_id = ?"
                    for t in report.tables
                ),
                [release_id] * len(report.tables),
            )
            report.duplicates_flagged = sum(counted.column("n").to_pylist())

        _aggregate_stats(eng, stats_rows, unknown_rows)
        place_new_events(wh)
        vrows = validator.rows(release_id)
        if report.duplicates_flagged:
            vrows.append(
                (
                    release_id,
                    ",".join(report.tables),
                    "duplicates",
                    None,
                    report.rows,
                    report.duplicates_flagged,
                    report.duplicates_flagged / report.rows,
                    None,
                    "info",
                    "duplicates_flagged",
                    None,
                )
            )
        for r in vrows:
            eng.execute("INSERT INTO validation VALUES (?,?,?,?,?,?,?,?,?,?,?)", list(r))
        report.failed_checks = [f"{r[1]}.{r[2]}({r[3]})" for r in vrows if r[8] == "fail"]
        for r in raw_sheet_rows:
            colmap = cast(dict[str, list[str]], r[8] or {})
            eng.execute(
                "INSERT INTO raw_sheets VALUES "
                "(?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::VARCHAR[][]),?,?,?,?)",
                [*r[:8], list(colmap), list(colmap.values()), *r[9:]],
            )

        starts = [p.start for p in periods if p.start]
        ends = [p.end for p in periods if p.end]
        maturity = (
            "ytd"
            if any(p.maturity == "ytd" for p in periods)
            else ("final" if periods and all(p.maturity == "final" for p in periods) else "unknown")
        )
        title_all = " || ".join(dict.fromkeys(titles))
        synthetic = "synthetic" in (title_all + path.name).casefold()
        report.seconds = time.perf_counter() - t0
        eng.execute(
            "INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::BIGINT[]),"
            "?,?,?,?,?,?,?,?,?,?)",
            [
                release_id,
                fam.id,
                fam.letter,
                foia_number(title_all) or fam.foia,
                path.name,
                str(path.resolve()),
                sha,
                path.stat().st_size,
                report.tables,
                list(report.sheets),
                list(report.sheets.values()),
                report.rows,
                title_all,
                min(starts) if starts else None,
                max(ends) if ends else None,
                maturity,
                synthetic,
                uuid.uuid4().hex[:12],
                datetime.now(UTC).replace(tzinfo=None),
                __version__,
                report.seconds,
            ],
        )
        _before_commit_hook()
    report.seconds = time.perf_counter() - t0
    return report


def _aggregate_stats(
    eng: Engine, stats_rows: list[tuple[object, ...]], unknown_rows: list[tuple[object, ...]]
) -> None:
    """Sum per-sheet counts to one row per (release, table, field[, value])."""
    if stats_rows:
        cols = list(zip(*stats_rows, strict=True))
        names = [
            "release_id",
            "table_name",
            "field",
            "rows",
            "missing",
            "redacted",
            "unknown",
            "unparsed",
        ]
        t = pa.table(dict(zip(names, cols, strict=True)))
        eng.load_arrow("field_stats", _sum_by(t, names[:3]))
    if unknown_rows:
        cols = list(zip(*unknown_rows, strict=True))
        names = ["release_id", "table_name", "field", "value", "n"]
        t = pa.table(dict(zip(names, cols, strict=True)))
        eng.load_arrow("unknown_values", _sum_by(t, names[:4]))


def _sum_by(t: pa.Table, keys: list[str]) -> pa.Table:
    values = [c for c in t.column_names if c not in keys]
    grouped = t.group_by(keys).aggregate([(v, "sum") for v in values])
    return grouped.rename_columns([n.removesuffix("_sum") for n in grouped.column_names])
