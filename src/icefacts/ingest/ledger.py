"""The bookkeeping of one file's load: per-sheet rows for raw_sheets, field_stats,
unknown_values, validation, release_scope and releases, written at the end of the load
transaction. A sheet found to be a copy of one already loaded keeps only its raw_sheets row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from icefacts._version import __version__
from icefacts.clean.table import CleanResult
from icefacts.ingest.detect import Detection
from icefacts.ingest.period import Period, foia_number
from icefacts.ingest.report import FileReport
from icefacts.ingest.validate import Validator
from icefacts.release_specs import Family
from icefacts.warehouse.engine import Engine

RAW_SHEET_SQL = (
    "INSERT INTO raw_sheets VALUES (?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::VARCHAR[][]),?,?,?,?,?,?)"
)
RELEASE_SQL = (
    "INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::BIGINT[]),"
    "?,?,?,?,?,?,?,?,?,?,?)"
)


SCOPE_SCHEMA = pa.schema(
    [
        ("release_id", pa.string()),
        ("family", pa.string()),
        ("table_name", pa.string()),
        ("sheet_index", pa.int32()),
        ("aors", pa.list_(pa.string())),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("period_source", pa.string()),
        ("subset", pa.string()),
        ("part", pa.string()),
        ("parts_total", pa.int32()),
        ("has_aor", pa.bool_()),
        ("maturity", pa.string()),
        ("rows", pa.int64()),
    ]
)


@dataclass
class SheetScope:
    """What one loaded sheet holds, for the counting rule (a row of ``release_scope``)."""

    table: str
    sheet_index: int
    period: Period
    data_start: date | None
    data_end: date | None
    has_aor: bool
    rows: int
    part: str | None = None  # one of the disjoint parts the release gives the table in
    parts_total: int = 0

    def bounds(self) -> tuple[date | None, date | None, str]:
        if self.period.start and self.period.end:
            return self.period.start, self.period.end, "stated"
        if self.data_start and self.data_end:
            return self.data_start, self.data_end, "data"
        return None, None, "none"


@dataclass
class Ledger:
    release_id: str
    report: FileReport
    family: Family | None = None
    validator: Validator | None = None
    periods: list[Period] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    raw_sheets: list[list[object]] = field(default_factory=list)
    stats: list[tuple[object, ...]] = field(default_factory=list)
    unknown: list[tuple[object, ...]] = field(default_factory=list)
    scopes: list[SheetScope] = field(default_factory=list)
    fingerprints: dict[str, int] = field(default_factory=dict)  # of this file's loaded sheets
    copies: dict[int, str] = field(default_factory=dict)  # sheet index -> release:sheet

    def skipped(self, index: int, sheet: str | None, note: str) -> None:
        self.report.skipped_sheets[sheet or ""] = note
        nothing: list[object] = [None, None, None, None, [], [], None, 0, 0]
        self.raw_sheets.append(
            [self.release_id, index, sheet, "skipped", *nothing, note, None, None]
        )

    def start(self, family: Family) -> None:
        if self.family is None:
            self.family = family
            self.validator = Validator(family)
            self.report.family = family.id

    def validate(self, table: str, piece: CleanResult, sheet: int) -> None:
        """Run the family's checks on one loaded piece (its rows are still at hand)."""
        assert self.validator is not None
        self.validator.add(table, piece, sheet)

    def copy_within(self, fingerprint: str) -> str | None:
        """A sheet of this same file with the same rows (a workbook holding a sheet twice)."""
        index = self.fingerprints.get(fingerprint)
        return None if index is None else f"{self.release_id}:{index}"

    def _raw_sheet(
        self,
        index: int,
        sheet: str | None,
        status: str,
        det: Detection,
        title: str,
        result: CleanResult,
        fingerprint: str,
        copy_of: str | None,
    ) -> None:
        colmap = {det.headers[j]: fs for j, fs in det.columns.items()}
        self.raw_sheets.append(
            [
                self.release_id,
                index,
                sheet,
                status,
                det.table,
                det.header_row + 1,
                title,
                det.headers,
                list(colmap),
                list(colmap.values()),
                result.extra_columns,
                result.rows,
                result.blank_rows,
                None if copy_of is None else f"the same rows as sheet {copy_of}",
                fingerprint,
                copy_of,
            ]
        )

    def copied(
        self,
        index: int,
        sheet: str | None,
        key: str,
        det: Detection,
        title: str,
        result: CleanResult,
        fingerprint: str,
        copy_of: str,
    ) -> None:
        """A sheet whose rows are those of ``copy_of``: registered, its rows not kept."""
        self.copies[index] = copy_of
        self.report.copies[key] = copy_of
        self._raw_sheet(index, sheet, "copy", det, title, result, fingerprint, copy_of)

    def loaded(
        self,
        index: int,
        sheet: str | None,
        key: str,
        det: Detection,
        title: str,
        result: CleanResult,
        fingerprint: str,
        scope: SheetScope,
    ) -> None:
        rep, rid = self.report, self.release_id
        self.fingerprints.setdefault(fingerprint, index)
        self.scopes.append(scope)
        rep.sheets[key] = result.rows
        rep.rows += result.rows
        rep.out_of_period += result.out_of_period
        rep.redacted_cells += result.redacted_cells
        if det.table not in rep.tables:
            rep.tables.append(det.table)
        rep.unmapped_columns += [c for c in result.extra_columns if c not in rep.unmapped_columns]
        for name, fc in result.counts.items():
            rep.unknown_values += fc.unknown
            self.stats.append(
                (
                    rid,
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
            self.unknown += [(rid, det.table, name, value, n) for value, n in counter.items()]
        self._raw_sheet(index, sheet, "loaded", det, title, result, fingerprint, None)

    @property
    def only_copies(self) -> bool:
        """Every data sheet of the file is a copy of one already loaded."""
        return bool(self.copies) and not self.scopes

    def write_scope(
        self, eng: Engine, aors: list[str] | None, subset: str | None, table: str
    ) -> None:
        """``release_scope`` rows of the loaded sheets of ``table``."""
        rows = []
        for sc in self.scopes:
            if sc.table != table:
                continue
            start, end, source = sc.bounds()
            assert self.family is not None
            rows.append(
                {
                    "release_id": self.release_id,
                    "family": self.family.id,
                    "table_name": sc.table,
                    "sheet_index": sc.sheet_index,
                    "aors": aors,
                    "period_start": start,
                    "period_end": end,
                    "period_source": source,
                    "subset": subset,
                    "part": sc.part,
                    "parts_total": sc.parts_total,
                    "has_aor": sc.has_aor,
                    "maturity": sc.period.maturity if source == "stated" else "unknown",
                    "rows": sc.rows,
                }
            )
        if rows:
            eng.load_arrow("release_scope", pa.Table.from_pylist(rows, schema=SCOPE_SCHEMA))

    def write(self, eng: Engine, path: Path, rel_name: str, sha: str, seconds: float) -> None:
        """Everything but the event rows, inside the caller's transaction."""
        assert self.family is not None and self.validator is not None
        rep, rid = self.report, self.release_id
        if not self.only_copies:
            self._write_checks(eng)
        for r in self.raw_sheets:
            eng.execute(RAW_SHEET_SQL, r)
        starts = [p.start for p in self.periods if p.start]
        ends = [p.end for p in self.periods if p.end]
        if any(p.maturity == "ytd" for p in self.periods):
            maturity = "ytd"
        elif self.periods and all(p.maturity == "final" for p in self.periods):
            maturity = "final"
        else:
            maturity = "unknown"
        title_all = " || ".join(dict.fromkeys(self.titles))
        fam = self.family
        copy_of = sorted({c.split(":", 1)[0] for c in self.copies.values()})
        sheets = {**rep.sheets, **dict.fromkeys(rep.copies, 0)}
        eng.execute(
            RELEASE_SQL,
            [
                rid,
                fam.id,
                fam.letter,
                foia_number(title_all) or fam.foia,
                path.name,
                rel_name,  # relative to the folder ingested, never an absolute path
                sha,
                path.stat().st_size,
                rep.tables or sorted({str(r[4]) for r in self.raw_sheets if r[3] == "copy"}),
                list(sheets),
                list(sheets.values()),
                rep.rows + rep.copy_rows,
                title_all,
                min(starts) if starts else None,
                max(ends) if ends else None,
                maturity,
                "synthetic" in (title_all + path.name).casefold(),
                uuid.uuid4().hex[:12],
                datetime.now(UTC).replace(tzinfo=None),
                __version__,
                seconds,
                copy_of,
            ],
        )

    def _write_checks(self, eng: Engine) -> None:
        assert self.validator is not None
        rep, rid = self.report, self.release_id
        _sum_into(
            eng,
            "field_stats",
            self.stats,
            [
                "release_id",
                "table_name",
                "field",
                "rows",
                "missing",
                "redacted",
                "unknown",
                "unparsed",
            ],
            keys=3,
        )
        _sum_into(
            eng,
            "unknown_values",
            self.unknown,
            ["release_id", "table_name", "field", "value", "n"],
            keys=4,
        )
        vrows = self.validator.rows(rid, skip_sheets=set(self.copies))
        if rep.duplicates_flagged:
            vrows.append(
                (
                    rid,
                    ",".join(rep.tables),
                    "duplicates",
                    None,
                    rep.rows,
                    rep.duplicates_flagged,
                    rep.duplicates_flagged / rep.rows,
                    None,
                    "info",
                    "duplicates_flagged",
                    None,
                )
            )
        for v in vrows:
            eng.execute("INSERT INTO validation VALUES (?,?,?,?,?,?,?,?,?,?,?)", list(v))
        rep.failed_checks = [f"{v[1]}.{v[2]}({v[3]})" for v in vrows if v[8] == "fail"]


def _sum_into(
    eng: Engine, table: str, rows: list[tuple[object, ...]], names: list[str], keys: int
) -> None:
    """One row per key (per-sheet counts summed over the file's sheets)."""
    if not rows:
        return
    data = pa.table(dict(zip(names, list(zip(*rows, strict=True)), strict=True)))
    grouped = data.group_by(names[:keys]).aggregate([(v, "sum") for v in names[keys:]])
    eng.load_arrow(
        table, grouped.rename_columns([n.removesuffix("_sum") for n in grouped.column_names])
    )
