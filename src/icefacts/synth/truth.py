"""``truth.json``: what a correct pipeline must recover from a synthetic release.

Computed from the generator's in-memory tables (the very cells the writers render), never by
re-reading the files. Counting rules, chosen to match the canonical schema and the release
specs (``releases/*/family.yaml``, ``columns.csv``, ``vocab/``):

* a cell is *missing* when it is empty, white space, or one of the family's missing markers
  (family A: ``--``); it is *redacted* when it holds a FOIA marker listed in
  ``vocab/redaction.csv`` (compared trimmed, white space collapsed, case-insensitively). A
  redacted cell is never counted as missing.
* ``redacted`` / ``missing`` are counted per canonical field, over the raw column(s) that feed
  it: a column feeding two fields (``Operation`` -> ``operation`` and ``operation_flag``)
  counts for both.
* ``by_aor``: rows per AOR code (``vocab('aor').lookup``); empty AOR -> key ``"null"``; a value
  no vocabulary knows -> key = the value as released (trimmed). ``criminality`` likewise, keyed
  by the criminality vocabulary's codes.
* ``at_large`` / ``custodial``: arrests whose method's ``custody`` in ``vocab/method.csv`` is
  ``at_large`` / ``custodial``. ``operation_flag``: rows whose Operation cell is neither missing
  nor empty (a value or a redaction marker).
* ``unknown``: non-empty, non-redacted values of ``aor`` / ``criminality`` (their vocabularies)
  and ``method`` (the method vocabulary) that no vocabulary knows.
* ``out_of_period``: rows whose main date (``family.date_field(table)``) falls outside the
  stated period; empty dates are not counted. ``before_plausible_min``: per DATE field, rows
  dated before the family's ``plausible_dates`` minimum.
* ``duplicates``: the family's rule (``family.yaml``): ``episode_24h`` -- per person, records
  sorted by (time, reprocessed last, source order), a new episode when the gap to the previous
  record exceeds 24 h, every row of an episode flagged except its earliest record that is not an
  ``ERO Reprocessed Arrest`` (else its earliest); ``same_person_date`` -- rows sharing (person,
  calendar day of the main date), all but the first in source order flagged; ``none``. Rows
  without a person identifier (or without the date) are never flagged. ``sample`` lists the
  first flagged rows as (sheet or null, 1-based sheet row / file line).
* ``operations`` (present only when operations were planted, ``synth.operations``): one entry
  per planted operation, in the order given -- ``name``, ``start``, ``end``, ``aors``,
  ``size``, ``at_large_share`` as asked; then, counted over the rows actually planted, the
  ``arrests`` (= ``size``), ``at_large`` and ``operation_flagged`` among them (the rules
  above), ``by_aor`` (AOR code -> arrests), ``by_day`` (ISO day -> arrests) and
  ``by_aor_day`` (AOR -> day -> ``{"arrests", "at_large", "operation_flagged"}``, cells with
  none left out); and ``window``: every arrest of the operation's days and AORs, planted or
  background (``arrests``, ``at_large``, ``operation_flagged``, ``by_aor``) -- what
  ``icefacts operation`` over that window must count. A row's AOR is its vocabulary code
  (``vocab('aor')``), its day the table's main date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from icefacts import release_specs
from icefacts.schema import table_def
from icefacts.synth.frame import MINUTES_PER_DAY, Column, Table, from_serial, serial
from icefacts.synth.operations import OPS_NOTE, ROW_NOTE
from icefacts.synth.writers import sheet_plan

SCHEMA = "icefacts.synth.truth/1"
SAMPLE = 20
REPROCESSED = "ERO Reprocessed Arrest"
_TIME_FIELD = {
    "apprehension_date": "apprehension_at",
    "event_date": "event_at",
    "prepared_date": "prepared_at",
    "book_in_date": "book_in_at",
}


def _squeeze(v: str) -> str:
    """Trim and collapse inner white space (as ingest does before any comparison)."""
    return " ".join(v.split())


class Cells:
    """One column's categories classified once; counts spread by code."""

    def __init__(self, col: Column, missing_markers: set[str], redactions: set[str]) -> None:
        self.col = col
        n_cat = len(col.values)
        valid = col.codes[col.codes >= 0]
        self.counts = np.bincount(valid, minlength=n_cat).astype(np.int64)
        self.empty = int(len(col.codes) - len(valid))
        # state per category: 0 value, 1 missing, 2 redacted
        state = np.zeros(n_cat, dtype=np.int8)
        if not col.opaque and col.kind in ("text", "date"):
            for k in np.flatnonzero(self.counts).tolist():
                v = col.values[k]
                if not isinstance(v, str):
                    continue
                s = _squeeze(v).casefold()
                if not s or s in missing_markers:
                    state[k] = 1
                elif s in redactions:
                    state[k] = 2
        self.state = state

    @property
    def missing(self) -> int:
        return self.empty + int(self.counts[self.state == 1].sum())

    @property
    def redacted(self) -> int:
        return int(self.counts[self.state == 2].sum())

    def value_counts(self) -> dict[str, int]:
        """Released value (trimmed) -> rows, for value cells only."""
        out: dict[str, int] = {}
        for k in np.flatnonzero((self.counts > 0) & (self.state == 0)).tolist():
            key = _squeeze(str(self.col.values[k]))
            out[key] = out.get(key, 0) + int(self.counts[k])
        return out

    def day_of_category(self) -> np.ndarray:
        """Serial day of each category (date / datetime columns); a huge sentinel if none."""
        col = self.col
        none = np.iinfo(np.int64).max
        if col.kind == "datetime":
            return np.asarray(col.values, dtype=np.int64) // MINUTES_PER_DAY
        out = np.full(len(col.values), none, dtype=np.int64)
        for k, v in enumerate(col.values):
            if isinstance(v, str):
                d = _parse_date(v)
                if d is not None:
                    out[k] = serial(d)
            else:
                out[k] = int(v)
        return out

    def row_days(self) -> np.ndarray:
        """Serial day per row; the sentinel for empty / unparsable cells."""
        cat = self.day_of_category()
        none = np.iinfo(np.int64).max
        return np.where(self.col.codes >= 0, np.append(cat, none)[self.col.codes], none)


def _parse_date(text: str) -> date | None:
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _vocab_counts(cells: Cells, vocab_name: str) -> tuple[dict[str, int], int]:
    """Rows per vocabulary code (unknown values keyed verbatim; empty -> 'null'); unknown n."""
    voc = release_specs.vocab(vocab_name)
    out: dict[str, int] = {}
    unknown = 0
    for value, n in cells.value_counts().items():
        code = voc.lookup(value)
        if code is None:
            unknown += n
            key = value
        else:
            key = code
        out[key] = out.get(key, 0) + n
    if cells.missing:
        out["null"] = out.get("null", 0) + cells.missing
    if cells.redacted:
        out["redacted"] = out.get("redacted", 0) + cells.redacted
    return dict(sorted(out.items())), unknown


def _row_positions(table: Table, sheet_rows: int) -> tuple[np.ndarray, list[str | None], int]:
    """Sheet index per row, sheet names, and the offset to a row's 1-based sheet row/line."""
    if table.family == "A":
        return np.zeros(table.rows, dtype=np.int64), [None], len(table.title) + 2
    sheets = sheet_plan(table, sheet_rows)
    sheet_of = np.zeros(table.rows, dtype=np.int64)
    for k, s in enumerate(sheets):
        sheet_of[s.start : s.stop] = k
    return sheet_of, [s.name for s in sheets], len(table.title) + 2


def _sample(table: Table, sheet_rows: int, rows: np.ndarray) -> list[list[Any]]:
    sheet_of, names, offset = _row_positions(table, sheet_rows)
    starts = [0] if table.family == "A" else [s.start for s in sheet_plan(table, sheet_rows)]
    out: list[list[Any]] = []
    for i in np.sort(rows)[:SAMPLE].tolist():
        k = int(sheet_of[i])
        out.append([names[k], i - starts[k] + offset])
    return out


def episode_flags(person: np.ndarray, minute: np.ndarray, reproc: np.ndarray) -> np.ndarray:
    """Rows the ``episode_24h`` rule flags (see module doc). ``person`` < 0 = no identifier."""
    n = len(person)
    flagged = np.zeros(n, dtype=bool)
    idx = np.flatnonzero((person >= 0) & (minute != np.iinfo(np.int64).max))
    if not len(idx):
        return flagged
    order = np.lexsort((idx, reproc[idx], minute[idx], person[idx]))
    s = idx[order]
    p, t, r = person[s], minute[s], reproc[s]
    new = np.ones(len(s), dtype=bool)
    new[1:] = (p[1:] != p[:-1]) | (t[1:] - t[:-1] > MINUTES_PER_DAY)
    starts = np.flatnonzero(new)
    pos = np.arange(len(s))
    first_plain = np.minimum.reduceat(np.where(r, len(s), pos), starts)
    keep = np.where(first_plain < len(s), first_plain, starts)
    flagged[s] = True
    flagged[s[keep]] = False
    return flagged


def same_day_flags(person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Rows the ``same_person_date`` rule flags: all but the first per (person, day)."""
    n = len(person)
    flagged = np.zeros(n, dtype=bool)
    idx = np.flatnonzero((person >= 0) & (day != np.iinfo(np.int64).max))
    if not len(idx):
        return flagged
    order = np.lexsort((idx, day[idx], person[idx]))
    s = idx[order]
    p, d = person[s], day[s]
    new = np.ones(len(s), dtype=bool)
    new[1:] = (p[1:] != p[:-1]) | (d[1:] != d[:-1])
    flagged[s[~new]] = True
    return flagged


def _person_keys(col: Column) -> np.ndarray:
    """Row -> person key (-1 for none), merging categories that hold the same identifier."""
    codes = col.codes
    if col.opaque:  # distinct non-empty identifiers: the code is the person
        return codes
    vals = col.values
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(vals)))
    seen: dict[str, int] = {}
    remap = np.full(len(vals) + 1, -1, dtype=np.int64)
    for k in used.tolist():
        v = _squeeze(str(vals[k]))
        if v:
            remap[k] = seen.setdefault(v, k)
    return remap[codes]


def _present(codes: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[codes[codes >= 0]] = True
    return mask


def _distinct(keys: np.ndarray) -> int:
    valid = keys[keys >= 0]
    return int(np.count_nonzero(np.bincount(valid))) if len(valid) else 0


def table_truth(table: Table, sheet_rows: int) -> dict[str, Any]:
    fam = release_specs.family(table.family)
    tdef = table_def(table.name)
    hmap = fam.header_map(table.name)
    missing_markers = {_squeeze(m).casefold() for m in fam.missing_markers}
    redactions = {_squeeze(m).casefold() for m in release_specs.redaction_markers()}
    fields: dict[str, Cells] = {}
    for h in table.headers:
        names = hmap.get(release_specs.normalize_header(h), [])
        if not names:
            continue
        cells = Cells(table.columns[h], missing_markers, redactions)
        for f in names:
            if f in fields:
                raise ValueError(f"{table.file_name}: two columns feed {f}")
            fields[f] = cells

    start, end = table.period
    out: dict[str, Any] = {"file": table.file_name, "rows": table.rows}
    out["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    date_field = fam.date_field(table.name)
    out["date_field"] = date_field
    days = fields[date_field].row_days() if date_field in fields else None
    none = np.iinfo(np.int64).max
    if days is not None:
        dated = days != none
        outside = dated & ((days < serial(start)) | (days > serial(end)))
        out["out_of_period"] = int(np.count_nonzero(outside))
    else:
        out["out_of_period"] = None

    if "aor" in fields:
        out["by_aor"], unk_aor = _vocab_counts(fields["aor"], "aor")
    unknown: dict[str, int] = {}
    if "aor" in fields:
        unknown["aor"] = unk_aor
    if "method" in fields:
        voc = release_specs.vocab("method")
        custody: dict[str, int] = {}
        unk = 0
        for value, n in fields["method"].value_counts().items():
            kind = voc.lookup(value)
            if kind is None:
                unk += n
            custody[kind or "unknown"] = custody.get(kind or "unknown", 0) + n
        if fields["method"].missing:
            custody["null"] = fields["method"].missing
        unknown["method"] = unk
        if table.name == "arrests":
            out["at_large"] = custody.get("at_large", 0)
            out["custodial"] = custody.get("custodial", 0)
        out["method_custody"] = dict(sorted(custody.items()))
    if "operation_flag" in fields:
        out["operation_flag"] = table.rows - fields["operation_flag"].missing
    if "criminality" in fields:
        out["criminality"], unknown["criminality"] = _vocab_counts(
            fields["criminality"], "criminality"
        )
    out["unknown"] = unknown
    out["redacted"] = {f: c.redacted for f, c in fields.items() if c.redacted}
    out["missing"] = {f: c.missing for f, c in fields.items()}

    lo = _plausible_min(fam)
    early: dict[str, int] = {}
    for f, c in fields.items():
        if tdef.field(f).type == "DATE":
            d = c.row_days()
            early[f] = int(np.count_nonzero((d != none) & (d < serial(lo))))
    out["before_plausible_min"] = {"min": lo.isoformat(), "fields": early}

    rule = fam.table_rule(table.name).duplicates
    person = fields.get("person_id")
    if person is not None:
        keys = _person_keys(person.col)
        out["persons"] = _distinct(keys)
        out["rows_without_person"] = int(np.count_nonzero(keys < 0))
    else:
        keys = np.full(table.rows, -1, dtype=np.int64)
        out["persons"] = None
    flagged = np.zeros(table.rows, dtype=bool)
    if rule == "episode_24h" and person is not None:
        ts_field = _TIME_FIELD.get(date_field, date_field)
        ts_cells = fields.get(ts_field) or fields[date_field]
        minute = _row_minutes(ts_cells)
        reproc = np.zeros(table.rows, dtype=bool)
        if "method" in fields:
            m = fields["method"].col
            is_rep = np.array(
                [isinstance(v, str) and _squeeze(v) == REPROCESSED for v in m.values] + [False]
            )
            reproc = is_rep[m.codes]
        flagged = episode_flags(keys, minute, reproc)
    elif rule == "same_person_date" and person is not None and days is not None:
        flagged = same_day_flags(keys, days)
    elif rule not in ("none", "episode_24h", "same_person_date"):
        raise ValueError(f"truth has no implementation of duplicate rule {rule!r}")
    out["duplicates"] = {
        "rule": rule,
        "flagged": int(np.count_nonzero(flagged)),
        "sample": _sample(table, sheet_rows, np.flatnonzero(flagged)),
    }
    return out


def _row_minutes(cells: Cells) -> np.ndarray:
    col = cells.col
    none = np.iinfo(np.int64).max
    if col.kind == "datetime":
        cat = np.asarray(col.values, dtype=np.int64)
    else:
        cat = cells.day_of_category()
        cat = np.where(cat != none, cat * MINUTES_PER_DAY, none)
    return np.where(col.codes >= 0, np.append(cat, none)[col.codes], none)


def _plausible_min(fam: release_specs.Family) -> date:
    for check in fam.validation:
        if check.check == "plausible_dates" and check.min is not None:
            return check.min
    return date(1900, 1, 1)


def file_truth(table: Table, sheet_rows: int) -> dict[str, Any]:
    top = len(table.title) + 1
    entry: dict[str, Any] = {
        "family": table.family,
        "table": table.name,
        "format": "csv.gz" if table.family == "A" else "xlsx",
        "rows": table.rows,
        "header_row": top,
        "first_data_row": top + 1,
        "columns": len(table.headers),
    }
    if table.family == "A":
        entry["delimiter"] = "|"
        entry["sheets"] = None
    else:
        entry["sheets"] = {s.name: s.stop - s.start for s in sheet_plan(table, sheet_rows)}
    start, end = table.period
    entry["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    return entry


def _persons_across(tables: Sequence[Table]) -> dict[str, Any]:
    """Distinct identifiers per family-C table, overall, and shared with the arrests."""
    cols: dict[str, Column] = {}
    for t in tables:
        if t.family != "C":
            continue
        hmap = release_specs.family("C").header_map(t.name)
        for h in t.headers:
            if "person_id" in hmap.get(release_specs.normalize_header(h), []):
                cols[t.name] = t.columns[h]
    if not cols:
        return {}
    first = next(iter(cols.values()))
    if all(c.opaque and c.values is first.values for c in cols.values()):
        # one shared pool of distinct identifiers: count codes
        size = len(first.values)
        present = {k: _present(c.codes, size) for k, c in cols.items()}
        everyone = np.logical_or.reduce(list(present.values()))
        arrested = present.get("arrests", np.zeros(size, dtype=bool))
        shared = {
            k: int(np.count_nonzero(v & arrested)) for k, v in present.items() if k != "arrests"
        }
        counts = {k: int(np.count_nonzero(v)) for k, v in present.items()}
        n_all = int(np.count_nonzero(everyone))
    else:
        sets: dict[str, set[str]] = {}
        for k, c in cols.items():
            keys = _person_keys(c)
            sets[k] = {_squeeze(str(c.values[i])) for i in np.unique(keys[keys >= 0]).tolist()}
        arrested_ids = sets.get("arrests", set())
        shared = {k: len(v & arrested_ids) for k, v in sets.items() if k != "arrests"}
        counts = {k: len(v) for k, v in sets.items()}
        n_all = len(set().union(*sets.values()))
    return {"C": {"distinct": n_all, "by_table": counts, "also_in_arrests": shared}}


def compute(
    tables: Sequence[Table], *, sheet_rows: int, generator: dict[str, Any]
) -> dict[str, Any]:
    truth: dict[str, Any] = {
        "schema": SCHEMA,
        "synthetic": True,
        "generator": generator,
        "files": {t.file_name: file_truth(t, sheet_rows) for t in tables},
        "tables": {},
    }
    for t in tables:
        truth["tables"].setdefault(t.family, {})[t.name] = table_truth(t, sheet_rows)
    truth["persons"] = _persons_across(tables)
    planted = [op for t in tables for op in operations_truth(t)]
    if planted:
        truth["operations"] = planted
    return truth


def operations_truth(table: Table) -> list[dict[str, Any]]:
    """The operations planted in ``table`` (its ``notes``), counted from its rows."""
    ops = table.notes.get(OPS_NOTE) or []
    if not ops:
        return []
    fam = release_specs.family(table.family)
    hmap = fam.header_map(table.name)
    missing_markers = {_squeeze(m).casefold() for m in fam.missing_markers}
    redactions = {_squeeze(m).casefold() for m in release_specs.redaction_markers()}
    cells: dict[str, Cells] = {}
    for h in table.headers:
        for f in hmap.get(release_specs.normalize_header(h), []):
            cells[f] = Cells(table.columns[h], missing_markers, redactions)

    def per_row(c: Cells, of_value: Any) -> np.ndarray:
        """A code per row from one per category ('' for empty, missing, redacted, unknown)."""
        cat = [
            (of_value(v) or "") if s == 0 else ""
            for v, s in zip(c.col.values, c.state, strict=True)
        ]
        return np.array([*cat, ""], dtype=str)[c.col.codes]

    aor_voc, method_voc = release_specs.vocab("aor"), release_specs.vocab("method")
    aor = per_row(cells["aor"], lambda v: aor_voc.lookup(_squeeze(str(v))))
    custody = per_row(cells["method"], lambda v: method_voc.lookup(_squeeze(str(v))))
    at_large = custody == "at_large"
    flag = cells["operation_flag"]
    flagged = (flag.col.codes >= 0) & (np.append(flag.state, 1)[flag.col.codes] != 1)
    day = cells[fam.date_field(table.name)].row_days()
    row_op = table.notes[ROW_NOTE]

    def counts(mask: np.ndarray) -> dict[str, int]:
        return {
            "arrests": int(np.count_nonzero(mask)),
            "at_large": int(np.count_nonzero(mask & at_large)),
            "operation_flagged": int(np.count_nonzero(mask & flagged)),
        }

    def tally(keys: np.ndarray) -> dict[str, int]:
        found, n = np.unique(keys, return_counts=True)
        return {str(k): int(c) for k, c in zip(found.tolist(), n.tolist(), strict=True)}

    out: list[dict[str, Any]] = []
    for k, op in enumerate(ops):
        mine = row_op == k
        iso = np.array([from_serial(d).isoformat() for d in day[mine].tolist()], dtype=str)
        by_aor_day: dict[str, dict[str, dict[str, int]]] = {}
        for a in op.aors:
            for d in op.days:
                cell = mine & (aor == a) & (day == serial(d))
                if cell.any():
                    by_aor_day.setdefault(a, {})[d.isoformat()] = counts(cell)
        window = np.isin(aor, list(op.aors)) & (day >= serial(op.start)) & (day <= serial(op.end))
        out.append(
            {
                "name": op.name,
                "start": op.start.isoformat(),
                "end": op.end.isoformat(),
                "aors": list(op.aors),
                "size": op.size,
                "at_large_share": op.at_large_share,
                **counts(mine),
                "by_aor": tally(aor[mine]),
                "by_day": tally(iso) if len(iso) else {},
                "by_aor_day": by_aor_day,
                "window": {**counts(window), "by_aor": tally(aor[window])},
            }
        )
    return out
