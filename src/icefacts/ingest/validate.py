"""Declared validation: each family lists checks with thresholds; results go to ``validation``.

A failed check does not reject the file (the data are what ICE released); it becomes a caveat
from a controlled list that travels with every answer drawn from the release.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from icefacts.clean.cells import map_distinct
from icefacts.clean.table import CleanResult
from icefacts.release_specs import Check, Family, Vocab, vocab
from icefacts.schema import table_def

CAVEATS = {
    "not_null": "missing_values",
    "known_values": "unknown_values",
    "in_period": "out_of_period",
    "plausible_dates": "implausible_dates",
    "redacted": "redacted",
    "ytd_partial": "ytd_partial",
    "duplicates_flagged": "duplicates_flagged",
    "unparsed": "unparsed_values",
}


def _unknown_in(voc: Vocab) -> Callable[[str | None], bool]:
    return lambda v: v is not None and voc.lookup(v) is None


@dataclass
class Tally:
    checked: int = 0
    failed: int = 0
    first: tuple[int, str] | None = None  # (sheet row, what it held) of the first failure

    def detail(self) -> str | None:
        if self.first is None:
            return None
        row, shown = self.first
        return f"first at row {row:,}" + (f": {shown!r}" if shown else "")


@dataclass
class Validator:
    family: Family
    today: date = field(default_factory=date.today)
    # (sheet index, table, check, field) -> tally: a sheet found to be a copy is dropped
    tallies: dict[tuple[int, str, str, str], Tally] = field(default_factory=dict)

    def _checks_for(self, table: str) -> list[Check]:
        return [c for c in self.family.validation if c.table in (None, table)]

    def add(self, table: str, result: CleanResult, sheet: int = 0) -> None:
        t = result.table
        tdef = table_def(table)
        for check in self._checks_for(table):
            if check.check == "not_null":
                if check.field not in t.column_names:
                    if check.field in tdef.names and check.table == table:
                        self._tally(
                            sheet, table, check, check.field or "", result.rows, result.rows
                        )
                    continue
                counts = result.counts.get(check.field or "")
                # a cell present but not a valid value (a garbage date) is not valid either
                missing = (counts.missing + counts.unparsed) if counts else 0
                first = (
                    counts.first_unparsed
                    if counts
                    and counts.unparsed
                    and not counts.column.casefold().startswith("birth")
                    else None
                )
                self._tally(sheet, table, check, check.field or "", result.rows, missing, first)
            elif check.check == "known_values":
                name = check.field or ""
                if name not in t.column_names:
                    continue
                col = t.column(name)
                if check.vocab:
                    voc = vocab(check.vocab)
                    unknown = map_distinct(col, _unknown_in(voc), pa.bool_())
                    failed = pc.sum(unknown).as_py() or 0
                else:
                    failed = result.counts[name].unknown if name in result.counts else 0
                checked = len(col) - col.null_count
                self._tally(sheet, table, check, name, checked, failed)
            elif check.check == "in_period":
                if "out_of_period" not in t.column_names:
                    continue
                flag = t.column("out_of_period")
                checked = len(flag) - flag.null_count
                self._tally(
                    sheet,
                    table,
                    check,
                    self.family.period_field(table),
                    checked,
                    result.out_of_period,
                )
            elif check.check == "plausible_dates":
                lo = check.min or date(1900, 1, 1)
                hi = self.today + timedelta(days=1)
                for f in tdef.fields:
                    if f.type != "DATE" or f.name not in t.column_names:
                        continue
                    col = t.column(f.name)
                    bad = pc.or_(
                        pc.less(col, pa.scalar(lo, pa.date32())),
                        pc.greater(col, pa.scalar(hi, pa.date32())),
                    )
                    checked = len(col) - col.null_count
                    self._tally(sheet, table, check, f.name, checked, pc.sum(bad).as_py() or 0)

    def _tally(
        self,
        sheet: int,
        table: str,
        check: Check,
        field_name: str,
        checked: int,
        failed: int,
        first: tuple[int, str] | None = None,
    ) -> None:
        key = (sheet, table, check.check, field_name)
        tally = self.tallies.setdefault(key, Tally())
        tally.checked += checked
        tally.failed += failed
        tally.first = tally.first or first

    def rows(
        self, release_id: str, skip_sheets: set[int] | None = None
    ) -> list[tuple[object, ...]]:
        """Validation rows of the sheets loaded (``skip_sheets``: copies, not kept)."""
        merged: dict[tuple[str, str, str], Tally] = {}
        for (sheet, table, name, field_name), tally in sorted(self.tallies.items()):
            if skip_sheets and sheet in skip_sheets:
                continue
            m = merged.setdefault((table, name, field_name), Tally())
            m.checked += tally.checked
            m.failed += tally.failed
            m.first = m.first or tally.first
        out: list[tuple[object, ...]] = []
        checks: dict[tuple[str | None, str, str | None], Check] = {
            (c.table, c.check, c.field): c for c in self.family.validation
        }
        for (table, name, field_name), tally in sorted(merged.items()):
            check = (
                checks.get((table, name, field_name))
                or checks.get((None, name, field_name))
                or checks.get((table, name, None))
                or checks.get((None, name, None))
            )
            max_share = check.max_share if check else 0.0
            share = tally.failed / tally.checked if tally.checked else 0.0
            status = "pass" if share <= max_share else "fail"
            if tally.checked == 0 and name == "not_null":
                status = "fail"
            out.append(
                (
                    release_id,
                    table,
                    name,
                    field_name,
                    tally.checked,
                    tally.failed,
                    share,
                    max_share,
                    status,
                    CAVEATS[name] if tally.failed else None,
                    tally.detail(),
                )
            )
        return out
