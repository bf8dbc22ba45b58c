"""Turn one raw sheet into a canonical, typed table plus the counts that validate it."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from icefacts.clean.cells import CellSplit, map_distinct, map_distinct_dict, per_distinct
from icefacts.clean.dates import parse_failures, parse_timestamps, to_date
from icefacts.clean.identifiers import withheld_name
from icefacts.errors import InputError
from icefacts.release_specs import vocab
from icefacts.schema import TableDef

# Above this share of unparseable cells a typed column is refused as garbage (the file is
# rejected); below it the bad cells become NULL, are kept verbatim in ``unparsed``, and the
# validation report counts them.
MAX_PARSE_FAILURE_SHARE = 0.01
CLEAN_THREADS = 2

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("s"),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
}


class CleanParams(BaseModel):
    """Everything a clean step needs to know about the sheet, frozen."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    file: str
    sheet: str | None
    table: str
    date_formats: tuple[str, ...]
    missing_markers: tuple[str, ...] = ()
    period_field: str  # the date compared with the stated period
    period_start: date | None = None
    period_end: date | None = None


@dataclass
class FieldCounts:
    missing: int = 0
    redacted: int = 0
    unknown: int = 0
    unparsed: int = 0
    texts: int = 0  # cells holding a value (neither missing nor redacted)
    first_unparsed: tuple[int, str] | None = None  # (sheet row, value as shown in errors)
    column: str = ""  # the raw header the field was read from
    kind: str = ""

    def add(self, other: FieldCounts) -> None:
        self.missing += other.missing
        self.redacted += other.redacted
        self.unknown += other.unknown
        self.unparsed += other.unparsed
        self.texts += other.texts
        self.first_unparsed = self.first_unparsed or other.first_unparsed
        self.column = self.column or other.column
        self.kind = self.kind or other.kind


@dataclass
class CleanResult:
    table: pa.Table
    rows: int
    blank_rows: int
    counts: dict[str, FieldCounts]
    unknown_values: dict[str, Counter[str]] = field(default_factory=dict)
    out_of_period: int = 0
    extra_columns: list[str] = field(default_factory=list)
    redacted_cells: int = 0  # per raw cell (a column feeding two fields counts once)
    extra_positions: list[int] = field(default_factory=list)  # column index of each extra

    def merged(self, other: CleanResult) -> CleanResult:
        """The counts of two pieces of one sheet (the rows themselves are not kept)."""
        counts = {k: FieldCounts(**{**vars(v)}) for k, v in self.counts.items()}
        for name, fc in other.counts.items():
            counts.setdefault(name, FieldCounts()).add(fc)
        unknown = {k: Counter(v) for k, v in self.unknown_values.items()}
        for name, tally in other.unknown_values.items():
            unknown.setdefault(name, Counter()).update(tally)
        return CleanResult(
            table=pa.table({}),
            rows=self.rows + other.rows,
            blank_rows=self.blank_rows + other.blank_rows,
            counts=counts,
            unknown_values=unknown,
            out_of_period=self.out_of_period + other.out_of_period,
            redacted_cells=self.redacted_cells + other.redacted_cells,
            **_extras_in_column_order(self, other),
        )


def _extras_in_column_order(a: CleanResult, b: CleanResult) -> dict[str, list[Any]]:
    """Unmapped columns of two pieces, in sheet column order (a column without a header is
    kept only where it holds values, so pieces may list different ones)."""
    at = dict(zip(a.extra_columns, a.extra_positions, strict=False))
    for name, pos in zip(b.extra_columns, b.extra_positions, strict=False):
        at.setdefault(name, pos)
    order = sorted(at, key=lambda name: at[name])
    return {"extra_columns": order, "extra_positions": [at[n] for n in order]}


def check_sheet(result: CleanResult, params: CleanParams, header_line: int) -> None:
    """Refuse a sheet with no data rows, or a typed column that is mostly not its type
    (above ``MAX_PARSE_FAILURE_SHARE``; below it the bad cells are kept and counted).
    ``header_line`` is the 1-based row of the header."""
    if result.rows == 0:
        raise InputError(
            "sheet has a header but no data rows",
            file=params.file,
            sheet=params.sheet,
            row=header_line,
        )
    for fc in result.counts.values():
        if not fc.unparsed or fc.first_unparsed is None:
            continue
        if fc.unparsed / max(fc.texts, 1) <= MAX_PARSE_FAILURE_SHARE:
            continue
        row, shown = fc.first_unparsed
        what = f"{fc.unparsed:,} of {fc.texts:,} cells are not a valid {fc.kind} (first: {shown!r})"
        if fc.kind in ("date", "datetime"):
            what += f"; expected formats {', '.join(params.date_formats)}"
        raise InputError(what, file=params.file, sheet=params.sheet, row=row, column=fc.column)


def _int_or_none(text: str | None, lo: int | None = None, hi: int | None = None) -> int | None:
    if text is None:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    if not value.is_integer():
        return None
    out = int(value)
    if (lo is not None and out < lo) or (hi is not None and out > hi):
        return None
    return out


def clean_sheet(
    raw: pa.Table,
    first_row: int,
    headers: list[str],
    columns: dict[int, list[str]],
    unmapped: dict[int, str],
    tdef: TableDef,
    params: CleanParams,
    whole: bool = True,
) -> CleanResult:
    """Canonical table for one sheet, or one piece of it (``whole=False``: the sheet-wide
    checks are left to :func:`check_sheet` on the merged counts).
    ``columns`` maps raw column index -> canonical fields."""
    n_all = raw.num_rows
    # Rows with no cell holding anything but white space are layout, not records: dropped and
    # counted (as blank_rows). (calamine types a column from all its cells, so a blank-looking
    # " " cell may come as text or, among datetimes, as NULL: both count as empty.)
    keep = _nonblank(raw)
    first_col = raw.column(0) if raw.num_columns > 1 else None
    if first_col is not None and n_all and pa.types.is_string(first_col.type):
        # A totals line under the data ("Total: 3", "Grand Total") is layout too: its first
        # cell says so and no other cell is filled. (Checked per distinct first cell.)
        others = None
        for col in raw.columns[1:]:
            valid = pc.is_valid(col)
            others = valid if others is None else pc.or_(others, valid)
        total = pc.fill_null(
            per_distinct(
                first_col,
                lambda d: pc.match_substring_regex(
                    pc.utf8_lower(pc.utf8_trim_whitespace(d)), r"^(grand\s+)?totals?\b"
                ),
            ),
            False,
        )
        footer = pc.and_(total, pc.invert(others))
        keep = pc.and_(keep, pc.invert(footer))
    blank_rows = n_all - (pc.sum(keep).as_py() or 0) if n_all else 0
    if blank_rows:
        raw = raw.filter(keep)
    n = raw.num_rows
    if n == 0:
        empty = CleanResult(table=pa.table({}), rows=0, blank_rows=blank_rows, counts={})
        if whole:
            check_sheet(empty, params, first_row - 1)
        return empty
    source_row = pa.array(np.arange(first_row, first_row + n_all, dtype=np.int32))
    if blank_rows:
        source_row = source_row.filter(keep)

    field_index = {f.name: i for i, f in enumerate(tdef.fields)}
    out: dict[str, pa.Array] = {"source_row": source_row}
    counts: dict[str, FieldCounts] = {}
    unknown_values: dict[str, Counter[str]] = {}
    redacted_mask = np.zeros(n, dtype=np.uint64)
    unknown_mask = np.zeros(n, dtype=np.uint64)
    unparsed: dict[int, dict[str, str]] = {}
    splits: dict[int, CellSplit] = {}

    def split_of(j: int) -> CellSplit:
        if j not in splits:
            splits[j] = CellSplit(raw.column(j), params.missing_markers)
        return splits[j]

    Converted = tuple[pa.Array, pa.Array | None, pa.Array | None]

    def work(j: int) -> tuple[int, CellSplit, dict[str, Converted]]:
        column = raw.column(j)
        kinds = {tdef.field(name).kind for name in columns[j]}
        if pa.types.is_timestamp(column.type) and kinds <= {"date", "datetime"}:
            # Every cell is an Excel datetime: no text to parse, nothing redacted.
            split = CellSplit.typed(column)
            return (
                j,
                split,
                {
                    name: (
                        to_date(split.text)
                        if tdef.field(name).kind == "date"
                        else pc.cast(split.text, pa.timestamp("s")),
                        None,
                        None,
                    )
                    for name in columns[j]
                },
            )
        split = CellSplit(column, params.missing_markers)
        return (
            j,
            split,
            {
                name: _convert(split, tdef.field(name).kind, params.date_formats)
                for name in columns[j]
            },
        )

    # Columns are independent and Arrow kernels release the GIL: clean them on two threads.
    converted: dict[tuple[int, str], Converted] = {}
    for j, split, conv in _pool().map(work, sorted(columns)):
        splits[j] = split
        converted.update({(j, name): c for name, c in conv.items()})

    redacted_cells = 0
    for j, fields in sorted(columns.items()):
        split = split_of(j)
        redacted_cells += pc.sum(split.redacted).as_py() or 0
        for name in fields:
            f = tdef.field(name)
            bit = np.uint64(1) << np.uint64(field_index[name])
            red_np = split.redacted.to_numpy(zero_copy_only=False)
            redacted_mask |= red_np.astype(np.uint64) * bit
            fc = counts.setdefault(name, FieldCounts())
            fc.redacted += int(red_np.sum())
            value, failed, unknown = converted[(j, name)]
            if unknown is not None:
                unk_np = unknown.to_numpy(zero_copy_only=False)
                unknown_mask |= unk_np.astype(np.uint64) * bit
                fc.unknown += int(unk_np.sum())
                if fc.unknown:
                    bad = pc.filter(split.text, unknown)
                    tally = unknown_values.setdefault(name, Counter())
                    # (a dictionary may hold one value under several indices: add them up)
                    for d in pc.value_counts(bad).to_pylist():
                        tally[d["values"]] += d["counts"]
            n_text = pc.sum(pc.is_valid(split.text)).as_py() or 0
            fc.texts += n_text
            fc.column, fc.kind = fc.column or headers[j], f.kind
            if failed is not None:
                n_failed = pc.sum(failed).as_py() or 0
                if n_failed:
                    first = pc.index(failed, True).as_py()
                    if fc.first_unparsed is None:
                        # never echo a birth date or year that did not parse
                        shown = (
                            "(withheld)"
                            if name.startswith("birth")
                            else str(split.text[first].as_py())
                        )
                        fc.first_unparsed = (int(source_row[first].as_py()), shown)
                    fc.unparsed += n_failed
                    texts = split.text
                    for k in np.flatnonzero(failed.to_numpy(zero_copy_only=False)):
                        unparsed.setdefault(int(k), {})[name] = (
                            "(withheld: not a year)"
                            if name.startswith("birth")
                            else texts[int(k)].as_py()
                        )
            fc.missing += int(n - n_text) - int(red_np.sum())
            out[name] = value

    # Derived fields.
    if "method" in out and any(d.name == "at_large" for d in tdef.derived):
        custody = vocab("method")
        out["at_large"] = map_distinct(
            out["method"],
            lambda m: (
                {"at_large": True, "custodial": False}.get(custody.lookup(m) or "")
                if m is not None
                else None
            ),
            pa.bool_(),
        )
    if "birth_year" not in out and "birth_date" in columns_fields(columns):
        j = next(j for j, fs in columns.items() if "birth_date" in fs)
        ts = parse_timestamps(split_of(j).text, params.date_formats)
        years = pc.year(ts)
        if pc.sum(pc.is_valid(years)).as_py():
            out["birth_year"] = pc.cast(years, pa.int32())

    out["redacted_mask"] = pa.array(redacted_mask, pa.uint64())
    out["unknown_mask"] = pa.array(unknown_mask, pa.uint64())
    if unparsed:
        items: list[list[tuple[str, str]] | None] = [None] * n
        for i, cells in unparsed.items():
            items[i] = list(cells.items())
        out["unparsed"] = pa.array(items, pa.map_(pa.string(), pa.string()))

    out_of_period = 0
    date_field = params.period_field
    if date_field in out and params.period_start and params.period_end:
        d = out[date_field]
        if pa.types.is_timestamp(d.type):
            d = to_date(d)
        flag = pc.or_(
            pc.less(d, pa.scalar(params.period_start, pa.date32())),
            pc.greater(d, pa.scalar(params.period_end, pa.date32())),
        )
        out["out_of_period"] = flag
        out_of_period = pc.sum(flag).as_py() or 0

    # Columns no field takes are kept verbatim in ``extra``: named ones under their header,
    # a column with no header but some values as "(column N)"; repeated names get " (2)".
    kept = dict(unmapped)
    for j in range(raw.num_columns):
        if j not in columns and j not in kept and raw.column(j).null_count < n:
            kept[j] = f"(column {j + 1})"
    order = sorted(kept)
    # identifying headers, and columns with no header at all (what they hold cannot be told),
    # keep only whether a value was released
    unlabelled = {j for j in order if j not in unmapped}
    hidden = [j in unlabelled or withheld_name(kept[j]) is not None for j in order]
    extra_columns = _unique(
        [
            f"{kept[j]} (withheld)" if j in unlabelled else withheld_name(kept[j]) or kept[j]
            for j in order
        ]
    )
    if kept:
        out["extra"] = _extra_map(raw, order, extra_columns, hidden)
    result = CleanResult(
        table=pa.table(out),
        rows=n,
        blank_rows=blank_rows,
        counts=counts,
        unknown_values=unknown_values,
        out_of_period=out_of_period,
        extra_columns=extra_columns,
        redacted_cells=redacted_cells,
        extra_positions=order,
    )
    if whole:
        check_sheet(result, params, first_row - 1)
    return result


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One pool for every sheet and piece (starting threads for each piece cost 0.7 s of a
    10-million-row load)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=CLEAN_THREADS, thread_name_prefix="icefacts-clean")
    return _POOL


def _nonblank(raw: pa.Table) -> pa.Array:
    """Rows with at least one cell holding more than white space. Column by column, each on
    the rows no earlier column has shown to hold a value (after the first column or two
    almost none are left, so the cost is about one column's)."""
    n = raw.num_rows
    keep = np.zeros(n, dtype=bool)
    todo = np.arange(n)
    for col in raw.columns:
        if len(todo) == 0:
            break
        sub = col if len(todo) == n else col.take(pa.array(todo))
        filled = _filled(sub).to_numpy(zero_copy_only=False)
        keep[todo[filled]] = True
        todo = todo[~filled]
    return pa.array(keep)


def _filled(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells holding a value: not NULL, and for text not empty or only white space."""
    valid = pc.is_valid(col)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        space = pc.or_(pc.utf8_is_space(col), pc.equal(pc.utf8_length(col), 0))
        valid = pc.and_(valid, pc.invert(pc.fill_null(space, False)))
    return valid


def columns_fields(columns: dict[int, list[str]]) -> set[str]:
    return {f for fs in columns.values() for f in fs}


def _convert(
    split: CellSplit, kind: str, date_formats: tuple[str, ...]
) -> tuple[pa.Array, pa.Array | None, pa.Array | None]:
    """(typed values, parse-failure flags or None, unknown-value flags or None)."""
    text = split.text
    if kind in ("text", "person"):
        return text, None, None
    if kind.startswith("code:"):
        voc = vocab(kind.split(":", 1)[1])

        def codes(values: pa.Array) -> pa.Array:
            # known values become their code; unknown ones are kept verbatim
            return pa.array(
                [None if v is None else (voc.lookup(v) or v) for v in values.to_pylist()],
                pa.string(),
            )

        def is_unknown(values: pa.Array) -> pa.Array:
            return pa.array(
                [v is not None and voc.lookup(v) is None for v in values.to_pylist()],
                pa.bool_(),
            )

        unknown = pc.fill_null(per_distinct(text, is_unknown), False)
        return map_distinct_dict(text, codes), None, unknown
    if kind in ("date", "datetime"):
        ts = parse_timestamps(text, date_formats)
        failed = parse_failures(text, ts)
        return (to_date(ts) if kind == "date" else ts), failed, None
    if kind in ("int", "year"):
        lo, hi = (1850, 2100) if kind == "year" else (None, None)
        values = map_distinct(text, lambda v: _int_or_none(v, lo, hi), pa.int32())
        return values, parse_failures(text, values), None
    if kind == "yesno":
        voc = vocab("yesno")
        values = map_distinct(
            text,
            lambda v: None if v is None or voc.lookup(v) is None else voc.lookup(v) == "true",
            pa.bool_(),
        )
        return values, parse_failures(text, values), None
    if kind == "present":
        return split.present, None, None
    if kind == "withheld":
        released = pc.if_else(split.redacted, False, pc.if_else(pc.is_valid(text), True, None))
        return released, None, None
    raise ValueError(f"unknown field kind {kind!r}")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _extra_map(raw: pa.Table, idx: list[int], names: list[str], withheld: list[bool]) -> pa.Array:
    """Unmapped columns kept verbatim as MAP(header -> value), row by row, vectorised.
    Identifying columns keep only 'released' / 'redacted' (see ``withheld_name``)."""
    n, k = raw.num_rows, len(idx)
    cols = []
    for j, hide in zip(idx, withheld, strict=True):
        col = raw.column(j).combine_chunks()
        if hide:
            split = CellSplit(col, ())
            col = pc.if_else(
                split.redacted, "redacted", pc.if_else(pc.is_valid(split.text), "released", None)
            )
        cols.append(col)
    flat = pa.concat_arrays([c.cast(pa.string()) for c in cols])
    order = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    items = pc.take(flat, pa.array(order))
    keys = pc.take(pa.array(names, pa.string()), pa.array(np.tile(np.arange(k), n)))
    # only cells holding a value: a row's map does not depend on what other rows hold (or on
    # how the sheet was cut into pieces); a row with none gets NULL
    valid = pc.is_valid(items).to_numpy(zero_copy_only=False)
    per_row = valid.reshape(n, k).sum(axis=1)
    offsets = pa.array(np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32))
    return pa.MapArray.from_arrays(
        offsets, keys.filter(valid), items.filter(valid), mask=pa.array(per_row == 0)
    )


def with_defaults(
    table: pa.Table, tdef: TableDef, defaults: dict[str, str], mapped: set[str]
) -> tuple[pa.Table, set[str]]:
    """Fill fields a release states once for all rows (``family.yaml`` ``defaults``) when the
    sheet has no column for them. Returns the table and the fields it now holds."""
    out = table
    for name, value in defaults.items():
        if name in tdef.names and name not in mapped:
            out = out.append_column(name, pa.repeat(pa.scalar(value), out.num_rows))
    return out, fields_held(tdef, defaults, mapped)


def fields_held(tdef: TableDef, defaults: dict[str, str], mapped: set[str]) -> set[str]:
    """The fields a sheet's rows hold: its mapped columns and the family's defaults."""
    return set(mapped) | {name for name in defaults if name in tdef.names}
