"""The bookkeeping of one file's load: per-sheet rows for raw_sheets, field_stats,
unknown_values, validation and releases, written at the end of the load transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from icefacts import __version__
from icefacts.clean.table import CleanResult
from icefacts.ingest.detect import Detection
from icefacts.ingest.period import Period, foia_number
from icefacts.ingest.report import FileReport
from icefacts.ingest.validate import Validator
from icefacts.specs import Family
from icefacts.warehouse.engine import Engine

RAW_SHEET_SQL = (
    "INSERT INTO raw_sheets VALUES (?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::VARCHAR[][]),?,?,?,?)"
)
RELEASE_SQL = (
    "INSERT INTO releases VALUES (?,?,?,?,?,?,?,?,?,MAP(?::VARCHAR[], ?::BIGINT[]),"
    "?,?,?,?,?,?,?,?,?,?)"
)


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

    def skipped(self, index: int, sheet: str | None, note: str) -> None:
        self.report.skipped_sheets[sheet or ""] = note
        self.raw_sheets.append(
            [
                self.release_id,
                index,
                sheet,
                "skipped",
                None,
                None,
                None,
                None,
                [],
                [],
                None,
                0,
                0,
                note,
            ]
        )

    def start(self, family: Family) -> None:
        if self.family is None:
            self.family = family
            self.validator = Validator(family)
            self.report.family = family.id

    def validate(self, table: str, piece: CleanResult) -> None:
        """Run the family's checks on one loaded piece (its rows are still at hand)."""
        assert self.validator is not None
        self.validator.add(table, piece)

    def loaded(
        self,
        index: int,
        sheet: str | None,
        key: str,
        det: Detection,
        title: str,
        result: CleanResult,
    ) -> None:
        rep, rid = self.report, self.release_id
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
        colmap = {det.headers[j]: fs for j, fs in det.columns.items()}
        self.raw_sheets.append(
            [
                rid,
                index,
                sheet,
                "loaded",
                det.table,
                det.header_row + 1,
                title,
                det.headers,
                list(colmap),
                list(colmap.values()),
                result.extra_columns,
                result.rows,
                result.blank_rows,
                None,
            ]
        )

    def write(self, eng: Engine, path: Path, rel_name: str, sha: str, seconds: float) -> None:
        """Everything but the event rows, inside the caller's transaction."""
        assert self.family is not None and self.validator is not None
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
        vrows = self.validator.rows(rid)
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
                rep.tables,
                list(rep.sheets),
                list(rep.sheets.values()),
                rep.rows,
                title_all,
                min(starts) if starts else None,
                max(ends) if ends else None,
                maturity,
                "synthetic" in (title_all + path.name).casefold(),
                uuid.uuid4().hex[:12],
                datetime.now(UTC).replace(tzinfo=None),
                __version__,
                seconds,
            ],
        )


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
