"""Ingest files: detect, read, clean, validate, flag duplicates and load atomically."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from icefacts import interrupts
from icefacts.clean.table import (
    CleanParams,
    CleanResult,
    check_sheet,
    clean_sheet,
    columns_fields,
    fields_held,
    with_defaults,
)
from icefacts.errors import IcefactsError, InputError
from icefacts.fetch import sha256_file
from icefacts.ingest.detect import Detection
from icefacts.ingest.gzip_io import GZIP_ERRORS
from icefacts.ingest.ledger import Ledger, SheetScope
from icefacts.ingest.period import stated_period
from icefacts.ingest.readers import RawSheet, Workbook
from icefacts.ingest.report import FileReport, Progress, QuietProgress
from icefacts.ingest.sheets import NotARelease, SheetReader, plan_sheet
from icefacts.ingest.sniff import sniff
from icefacts.link.counting import (
    content_fields,
    find_copy,
    fingerprint_engine,
    overlaps_others,
    record_cells,
    recount,
    sheet_fingerprint,
    subset_values,
)
from icefacts.link.duplicates import RULES, flag_sql
from icefacts.link.placement import Placer
from icefacts.release_specs import Family
from icefacts.schema import table_def
from icefacts.warehouse import Warehouse
from icefacts.warehouse.ddl import core_name, count_day_sql, family_fields

_EMPTY = pa.table({})
# new place keys held for link_places while a sheet streams in, at most (then written)
PENDING_PLACES_BYTES = 64 << 20

INGESTIBLE = (".csv", ".gz", ".xlsx", ".xls", ".xlsm", ".txt", ".tsv")


def expand(paths: Iterable[Path]) -> tuple[list[tuple[Path, bool, str]], list[FileReport]]:
    """(file, found by walking a folder, its name relative to the argument that named it):
    files as given; folders walked in name order. The relative name is what the warehouse
    keeps (never the user's absolute local path). Linked folders are walked (each real folder
    once). Folders that cannot be read are reported as refused, never skipped silently."""
    out: list[tuple[Path, bool, str]] = []
    refused: list[FileReport] = []
    for p in paths:
        if not p.is_dir():
            out.append((p, False, p.name))
            continue

        def unreadable(exc: OSError, folder: Path = p) -> None:
            where = Path(exc.filename) if exc.filename else folder
            refused.append(
                FileReport(
                    path=str(where),
                    status="error",
                    message=f"{where}: cannot read this folder ({exc.strerror or exc}); "
                    "nothing in it was ingested",
                )
            )

        found = []
        walked: set[str] = set()  # real paths: a link back up the tree is walked once
        for root, dirs, names in os.walk(p, onerror=unreadable, followlinks=True):
            real = os.path.realpath(root)
            if real in walked:
                dirs[:] = []
                continue
            walked.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                if name.startswith(".") or not name.lower().endswith(INGESTIBLE):
                    continue
                q = Path(root) / name
                if q.is_file():
                    found.append(q)
                else:  # a dangling link, a FIFO, a socket: said, never skipped silently
                    what = "a link to nothing" if q.is_symlink() else "not a regular file"
                    refused.append(
                        FileReport(
                            path=str(q),
                            status="error",
                            message=f"{q}: {what}; not ingested",
                        )
                    )
        out.extend((q, True, q.relative_to(p).as_posix()) for q in sorted(found))
    return out, refused


def ingest_paths(
    wh: Warehouse,
    paths: list[Path],
    progress: Progress | None = None,
    duplicate_rule: str | None = None,
    parallel_sheets: bool = False,
) -> list[FileReport]:
    if duplicate_rule is not None and duplicate_rule not in RULES:
        raise InputError(
            f"unknown duplicate rule {duplicate_rule!r}; use one of: {', '.join(RULES)}"
        )
    files, refused = expand(paths)
    if not files and not refused:
        raise InputError(
            "nothing to ingest: no .csv, .csv.gz, .xlsx or .xls files in "
            + ", ".join(str(p) for p in paths)
        )
    reports = list(refused)
    for path, walked, rel in files:
        try:
            reports.append(
                ingest_file(wh, path, progress, duplicate_rule, parallel_sheets, rel_name=rel)
            )
        except NotARelease as exc:
            # A file met while walking a folder that no release spec describes (a README,
            # a lookup table) is passed over, not an error; named explicitly, it is one.
            status = "skipped" if walked else "error"
            reports.append(FileReport(path=str(path), status=status, message=exc.one_line()))
        except IcefactsError as exc:
            interrupts.check()
            reports.append(FileReport(path=str(path), status="error", message=exc.one_line()))
        except OSError as exc:  # unreadable, removed or changed while being read
            interrupts.check()
            reports.append(
                FileReport(
                    path=str(path),
                    status="error",
                    message=f"{path.name}: cannot read it ({exc.strerror or exc}); nothing "
                    "was loaded from it",
                )
            )
        except Exception as exc:  # a bug, not the user's mistake: still one line per file
            interrupts.check()  # (or Ctrl-C surfacing as another error: stop, say nothing)
            text = " ".join(str(exc).split())[:300]
            if _damaged_container(exc):
                reports.append(
                    FileReport(
                        path=str(path),
                        status="error",
                        message=f"{path.name}: cannot read it, the file is damaged or uses "
                        f"a format feature icefacts does not read ({text}); nothing was "
                        "loaded from it",
                    )
                )
                continue
            reports.append(
                FileReport(
                    path=str(path),
                    status="error",
                    message=f"{path.name}: unexpected {type(exc).__name__} (nothing was "
                    f"loaded from this file; please report it): {text}",
                )
            )
    return reports


def _damaged_container(exc: BaseException) -> bool:
    """A zip or gzip layer refusing the file (wherever in the reading it surfaced): a bad
    CRC, an encrypted or unknown-method member, a stream cut short."""
    if isinstance(exc, (zipfile.BadZipFile, *GZIP_ERRORS)):
        return True
    text = str(exc).lower()
    if isinstance(exc, KeyError) and "there is no item named" in text:  # a member missing
        return True
    if isinstance(exc, NotImplementedError) and "compression" in text:
        return True
    return isinstance(exc, RuntimeError) and ("encrypted" in text or "password" in text)


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
    parallel_sheets: bool = False,
    rel_name: str | None = None,
) -> FileReport:
    progress = progress or QuietProgress()
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
    ledger = Ledger(release_id, FileReport(path=str(path), status="loaded", release_id=release_id))
    progress.file_started(path.name, len(wb.sheet_names))
    with wh.load() as eng:
        if wh.meta("fingerprint_engine") is None:
            wh.set_meta("fingerprint_engine", fingerprint_engine())
        placer = Placer.for_engine(eng)
        reader = SheetReader(wb, parallel=parallel_sheets)
        for index, loaded in reader:
            fam = ledger.family
            try:
                plan = plan_sheet(index, loaded, path, len(wb.sheet_names), fam.id if fam else None)
            except BaseException:
                loaded.close()  # a sheet being parsed in the background: stop it
                raise
            det = plan.detection
            if det is None:
                loaded.close()
                ledger.skipped(index, plan.sheet, plan.note)
                progress.sheet_done(path.name, plan.sheet, 0)
                continue
            ledger.start(det.family)
            fam = det.family
            title = " | ".join(det.title_lines)
            period = stated_period(fam, title, plan.sheet, path.name)
            ledger.titles.append(title)
            ledger.periods.append(period)
            params = CleanParams(
                file=path.name,
                sheet=plan.sheet,
                table=det.table,
                date_formats=fam.date_formats,
                missing_markers=fam.missing_markers,
                period_field=fam.period_field(det.table),
                period_start=period.start,
                period_end=period.end,
            )
            mapped = columns_fields(det.columns)
            extra = {
                "source_sheet_index": str(index),
                "release_id": _sql_str(release_id),
                "source_file": _sql_str(path.name),
                "source_sheet": _sql_str(plan.sheet),
            }
            tdef = table_def(det.table)
            held = fields_held(tdef, fam.defaults, mapped)
            core = wh.ensure_core(det.table, fam.id, held)
            pieces = loaded.pieces(det.header_row, det.headers, _cleaner(det, fam, params))
            del loaded
            stream = _SheetStream(pieces, reader, ledger, placer, det.table, index)
            stream.header_line = det.header_row + 1
            placer.prepare(det.table)
            try:
                while not stream.finished:
                    eng.append_stream(core, stream.until_placer_full(), extra)
                    placer.flush()
            finally:
                pieces.close()  # stops background parsing on an error
            if not stream.prefetched:
                reader.prefetch()
            done, header_line = stream.done, stream.header_line
            # counts merged in sheet order (the first unparsed cell, unmapped columns' order)
            sheet_result = None
            for _, piece in sorted(done, key=lambda d: d[0]):
                sheet_result = piece if sheet_result is None else sheet_result.merged(piece)
            assert sheet_result is not None
            check_sheet(sheet_result, params, header_line)
            key = plan.sheet or path.name
            columns = wh.columns(core)
            this_sheet = "release_id = ? AND source_sheet_index = ?"
            fingerprint, _ = sheet_fingerprint(
                eng,
                core,
                tdef,
                content_fields(tdef, {f.name for f in family_fields(tdef, held)}),
                this_sheet,
                [release_id, index],
            )
            copy_of = find_copy(eng, fingerprint) or ledger.copy_within(fingerprint)
            if copy_of is not None:
                # the same rows as a sheet already loaded (another format of one release)
                eng.execute(f"DELETE FROM {core} WHERE {this_sheet}", [release_id, index])
                ledger.report.copy_rows += sheet_result.rows
                ledger.copied(
                    index, plan.sheet, key, det, title, sheet_result, fingerprint, copy_of
                )
            else:
                day = count_day_sql(tdef, columns)
                span = eng.query(
                    f"SELECT min({day}) AS lo, max({day}) AS hi FROM {core} WHERE {this_sheet}",
                    [release_id, index],
                ).to_pylist()[0]
                rule = fam.table_rule(det.table)
                scope = SheetScope(
                    det.table,
                    index,
                    period,
                    span["lo"],
                    span["hi"],
                    "aor" in held,
                    sheet_result.rows,
                    part=rule.part_of(plan.sheet, title, path.name),
                    parts_total=len(rule.parts),
                )
                ledger.loaded(index, plan.sheet, key, det, title, sheet_result, fingerprint, scope)
            progress.sheet_done(path.name, plan.sheet, sheet_result.rows)
        if ledger.family is None:
            raise NotARelease("no sheet with a recognisable header", file=path.name)
        report = ledger.report
        if ledger.only_copies:
            report.status = "copy"
        else:
            report.duplicates_flagged = _flag_duplicates(
                wh, ledger.family, report.tables, release_id, duplicate_rule
            )
        # the release's own rows (raw_sheets, releases) first: counting reads them (whether
        # it is synthetic, which fields its sheets hold)
        ledger.write(eng, path, rel_name or path.name, sha, time.perf_counter() - t0)
        if not ledger.only_copies:
            _count_once(wh, ledger)
        _before_commit_hook()
        if sha256_file(path) != sha:
            raise InputError(
                "the file changed while it was being read; nothing was loaded (ingest it "
                "again once it is complete)",
                file=path.name,
            )
    report.seconds = time.perf_counter() - t0
    return report


@dataclass
class _SheetStream:
    """A sheet's pieces, cleaned, checked and placed, as the INSERT reading them asks for
    them (on a DuckDB thread: nothing here may use the connection). What each piece counted
    is kept in ``done``."""

    pieces: Iterator[tuple[CleanResult, RawSheet]]
    reader: SheetReader
    ledger: Ledger
    placer: Placer
    table: str
    index: int
    header_line: int = 0
    prefetched: bool = False
    finished: bool = False
    done: list[tuple[int, CleanResult]] = field(default_factory=list)

    def until_placer_full(self) -> Iterator[pa.Table]:
        """The pieces, until the keys placed for the first time and not yet written reach
        ``PENDING_PLACES_BYTES`` (then the statement ends, they are flushed, and the next one
        goes on from here): a free-text landmark makes every row a new key of 120 KB."""
        while self.placer.pending_bytes < PENDING_PLACES_BYTES:
            got = next(self._pieces, None)
            if got is None:
                self.finished = True
                return
            yield got

    def __post_init__(self) -> None:
        self._pieces = self._placed()

    def _placed(self) -> Iterator[pa.Table]:
        for result, raw in self.pieces:
            # The next sheet is read once this one's last piece is here (a sheet read whole:
            # once it is cleaned and its raw cells are freed).
            if raw.last:
                self.reader.prefetch()
                self.prefetched = True
            out = None
            if result.rows:
                self.ledger.validate(self.table, result, self.index)
                out = self.placer.annotate(self.table, result.table)
            result.table = _EMPTY
            if raw.index == 0:
                self.header_line = raw.first_row - 1  # CSV: a physical line
            self.done.append((raw.index, result))
            del result
            if out is not None:
                yield out
                del out
            # give freed Arrow buffers back now: the next piece is already being read
            pa.default_memory_pool().release_unused()


def _count_once(wh: Warehouse, ledger: Ledger) -> None:
    """Scope and cells of the new release, then which release counts each cell."""
    fam, rid, report = ledger.family, ledger.release_id, ledger.report
    assert fam is not None
    eng = wh.engine
    tables = wh.family_tables()
    for table in report.tables:
        core = core_name(table, fam.id)
        columns = tables[table][core]
        subset = fam.scope.subset
        if fam.scope.subset_by:
            subset = subset_values(eng, core, fam.scope.subset_by, columns, rid)
        aors = None if fam.scope.aors == "all" else list(fam.scope.aors)
        ledger.write_scope(eng, aors, subset, table=table)
        record_cells(eng, table_def(table), core, columns, rid)
    for table in report.tables:
        physical = tables[table]
        if overlaps_others(eng, table, rid):
            recount(eng, table, list(physical), physical)
        row = eng.query(
            "SELECT coalesce(sum(rows) FILTER (WHERE release_id = $1 AND NOT counted), 0) AS own, "
            "coalesce(sum(rows) FILTER (WHERE release_id <> $1 AND counted_by = $1), 0) AS other "
            "FROM link_cells WHERE table_name = $2",
            [rid, table],
        ).to_pylist()[0]
        report.shadowed_rows += int(row["own"])
        report.shadows_rows += int(row["other"])


def _cleaner(det: Detection, fam: Family, params: CleanParams) -> Callable[[RawSheet], CleanResult]:
    """The cleaning of one piece of a sheet (run where the piece was read)."""
    tdef = table_def(det.table)
    mapped = columns_fields(det.columns)

    def clean(raw: RawSheet) -> CleanResult:
        result = clean_sheet(
            raw.table,
            raw.first_row,
            det.headers,
            det.columns,
            det.unmapped,
            tdef,
            params,
            whole=False,
        )
        result.blank_rows += raw.blank_tail
        if result.rows:
            result.table, _ = with_defaults(result.table, tdef, fam.defaults, mapped)
        return result

    return clean


def _flag_duplicates(
    wh: Warehouse, fam: Family, tables: list[str], release_id: str, override: str | None
) -> int:
    flagged = 0
    for table in tables:
        core = core_name(table, fam.id)
        rule = override or fam.table_rule(table).duplicates
        sql = flag_sql(rule, table_def(table), core, wh.columns(core), fam.date_field(table))
        if sql:
            wh.engine.execute(sql, [release_id])
        row = wh.engine.query(
            f"SELECT count(duplicate_of) AS n FROM {core} WHERE release_id = ?", [release_id]
        )
        flagged += int(row.column("n")[0].as_py())
    return flagged
