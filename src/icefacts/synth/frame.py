"""In-memory synthetic tables: every column is category codes plus a category table.

This is the one representation the writers (CSV, xlsx) render and ``truth`` counts, so the truth
is computed from exactly what gets written. A column is dictionary-encoded: ``codes[i]`` is the
category of row ``i`` (``-1`` = an empty cell) and ``values[k]`` is category ``k``:

* ``text``      ``str`` (ids: a numpy object array of strings)
* ``int``       ``int`` (written as a number cell / bare digits)
* ``date``      ``int`` Excel serial day (days since 1899-12-30), or a ``str`` for a cell the
                release holds as text (family A's ``"07/02/0999"``)
* ``datetime``  numpy ``int64`` minutes since 1899-12-30 00:00

``opaque`` marks identifier columns whose categories are distinct, non-empty, marker-free
strings (person ids): truth can then count people by code without looking at each string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np

Kind = Literal["text", "int", "date", "datetime"]
EPOCH = date(1899, 12, 30)  # Excel's (1900 date system) day zero
MINUTES_PER_DAY = 1440


def serial(d: date) -> int:
    return (d - EPOCH).days


def from_serial(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


@dataclass(frozen=True)
class Column:
    kind: Kind
    codes: np.ndarray  # int64, -1 = empty cell
    values: Sequence[Any] | np.ndarray
    opaque: bool = False

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: np.ndarray) -> Column:
        return Column(self.kind, self.codes[idx], self.values, self.opaque)

    def cells(self) -> list[Any]:
        """Row values (None for empty); for tests and small tables."""
        vals = self.values
        return [None if c < 0 else vals[c] for c in self.codes.tolist()]


@dataclass
class Table:
    """One synthetic file's rows: columns by header, in layout order."""

    family: str  # "A" | "C"
    name: str  # canonical table name
    file_name: str
    headers: tuple[str, ...]
    title: list[str]
    columns: dict[str, Column]
    period: tuple[date, date]
    sheet_name: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # planted counts, for tests / truth

    def __post_init__(self) -> None:
        missing = [h for h in self.headers if h not in self.columns]
        if missing:
            raise ValueError(f"{self.file_name}: no column for {missing}")
        lengths = {len(self.columns[h]) for h in self.headers}
        if len(lengths) > 1:
            raise ValueError(f"{self.file_name}: columns of different lengths {lengths}")

    @property
    def rows(self) -> int:
        return len(self.columns[self.headers[0]])

    def reorder(self, idx: np.ndarray) -> None:
        """Put rows in a new order (the source order of the file)."""
        self.columns = {h: c.take(idx) for h, c in self.columns.items()}


# ---- constructors ---------------------------------------------------------------------------


def blank(n: int, kind: Kind = "text") -> Column:
    return Column(kind, np.full(n, -1, dtype=np.int64), [])


def const(n: int, value: Any, kind: Kind = "text") -> Column:
    return Column(kind, np.zeros(n, dtype=np.int64), [value])


def categorical(values: Sequence[Any], codes: np.ndarray, kind: Kind = "text") -> Column:
    return Column(kind, np.asarray(codes, dtype=np.int64), list(values))


def from_array(arr: np.ndarray, kind: Kind, empty: np.ndarray | None = None) -> Column:
    """Encode a per-row array (ints, serial days, minutes or strings); ``empty`` masks cells."""
    arr = np.asarray(arr)
    if arr.dtype.kind in "iu" and len(arr):
        # integers in a modest range: count instead of sorting (linear time)
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * len(arr) + 1_000_000:
            shifted = arr.astype(np.int64) - lo
            present = np.bincount(shifted, minlength=hi - lo + 1) > 0
            uniq = np.flatnonzero(present) + lo
            codes = (np.cumsum(present) - 1)[shifted]
        else:
            uniq, inv = np.unique(arr, return_inverse=True)
            codes = inv.reshape(-1)
    else:
        uniq, inv = np.unique(arr, return_inverse=True)
        codes = inv.reshape(-1)
    codes = codes.astype(np.int64)
    if empty is not None:
        codes[empty] = -1
    values: Sequence[Any] | np.ndarray
    if kind == "datetime":
        values = uniq.astype(np.int64)
    elif kind in ("int", "date"):
        values = [int(v) for v in uniq.tolist()]
    else:
        values = uniq.astype(object)
    return Column(kind, codes, values)


def weights(spec: Mapping[Any, float]) -> tuple[list[Any], np.ndarray]:
    keys = list(spec)
    w = np.array([float(spec[k]) for k in keys])
    return keys, w / w.sum()


def choose(
    rng: np.random.Generator, n: int, spec: Mapping[Any, float], empty_share: float = 0.0
) -> Column:
    """Categorical column drawn from ``{value: weight}``; a share of cells left empty."""
    keys, p = weights(spec)
    codes = rng.choice(len(keys), size=n, p=p).astype(np.int64)
    if empty_share > 0:
        codes[rng.random(n) < empty_share] = -1
    return categorical(keys, codes)


def planted(n: int, share: float, minimum: int = 1) -> int:
    """How many rows get a planted quirk: ``share`` of ``n``, at least ``minimum`` (<= n)."""
    return int(min(n, max(minimum, round(n * share))))


def pick(rng: np.random.Generator, n: int, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """``k`` distinct row indices out of ``n`` (avoiding ``exclude``), sorted."""
    if exclude is not None and len(exclude):
        keep = np.ones(n, dtype=bool)
        keep[exclude] = False
        pool = np.flatnonzero(keep)
    else:
        pool = np.arange(n)
    k = min(k, len(pool))
    return np.sort(rng.choice(pool, size=k, replace=False))


def with_values(col: Column, rows: np.ndarray, value: Any) -> Column:
    """A copy of ``col`` whose ``rows`` hold ``value`` (added as a category if new)."""
    values = list(col.values)
    try:
        k = values.index(value)
    except ValueError:
        values.append(value)
        k = len(values) - 1
    codes = col.codes.copy()
    codes[rows] = k
    return Column(col.kind, codes, values)


def concat(first: Column, second: Column) -> Column:
    """The rows of ``first`` then those of ``second``: one category table, ``first``'s
    categories keeping their codes (identifier columns are refused: their pools differ)."""
    if first.kind != second.kind:
        raise ValueError(f"cannot join a {first.kind} column to a {second.kind} column")
    if first.opaque or second.opaque:
        raise ValueError("cannot join identifier columns")
    values = list(first.values)
    index: dict[Any, int] = {}
    for k, v in enumerate(values):
        index.setdefault(v, k)
    remap = np.empty(len(second.values) + 1, dtype=np.int64)
    for k, v in enumerate(second.values):
        if v not in index:
            index[v] = len(values)
            values.append(v)
        remap[k] = index[v]
    remap[-1] = -1  # an empty cell stays empty
    codes = np.concatenate([first.codes, remap[second.codes]])
    if first.kind == "datetime":
        return Column(first.kind, codes, np.asarray(values, dtype=np.int64))
    return Column(first.kind, codes, values)


def emptied(col: Column, rows: np.ndarray) -> Column:
    codes = col.codes.copy()
    codes[rows] = -1
    return Column(col.kind, codes, col.values)


def day_weights(start: date, end: date, weekend: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Serial days of [start, end] and sampling weights (weekends lighter)."""
    days = np.arange(serial(start), serial(end) + 1)
    # serial 2 (1900-01-01) was a Monday: weekday = (serial - 2) % 7, Monday = 0
    wd = (days - 2) % 7
    w = np.where(wd >= 5, weekend, 1.0)
    return days, w / w.sum()


def minute_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Times of day peaked in working hours (minutes after midnight)."""
    hours = np.clip(rng.normal(11.5, 3.5, n), 0, 23.99)
    return (hours * 60).astype(np.int64)
