"""A public server's counts: one protected table per copy of the warehouse, and every number
on every page a sum of what that table shows.

Protecting each page on its own is not enough for a server anyone can ask: two pages
protected apart can each be safe while their difference is not (Sep 24-27 and Sep 24-28 for
one AOR give Sep 28). So ``serve --public`` publishes one table, fixed for the copy it reads,
and answers from it alone:

* **Cells:** events by AOR and *week part* (a Monday-to-Sunday week cut at the first of a
  month), and for arrests by at large or not and operation flag or not. Nothing is published
  at this grain.
* **Figures:** for each AOR and fiscal year (a *block*), every week (cut at the fiscal year's
  edges), every week part, every month and the year, each as the events and each part
  (:data:`ARREST_PARTS`) and what it leaves of the events. Whatever a reader can subtract
  from two figures must be a figure itself, or the protection would not see it: a month less
  its whole weeks is its two week parts, so week parts are figures too. Each block is protected by
  :func:`icefacts.publish.suppress.protect` as one system, the first time it is needed
  (blocks share no cell, so they are protected apart). The labels are then fixed for the copy.
* **Answers:** a page's count (a :class:`Span`: AORs, days, a part) is the sum of shown
  figures that tile its days exactly, for each AOR and block. If no tiling by shown figures
  exists, it is withheld (unless it is one figure, which keeps its own label). So whatever a
  visitor asks, in any order, and however many times, what they see can be worked out from
  the protected table, and nothing else: no difference of two answers says more than it.

What this costs: counts are published by AOR and by whole weeks, months and fiscal years
(the public server widens a window to whole weeks); counts by state or county, by day, for a
policy's counties or for one release, custodial and other-method arrests, arrests placed in a
county, episodes of detected operations, and claim verdicts and readings are withheld.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from icefacts._lazy import lazy_import
from icefacts.days import fiscal_year_bounds, fiscal_year_of, month_end

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.publish import suppress
    from icefacts.warehouse import Warehouse
else:
    api = lazy_import("icefacts.api")
    suppress = lazy_import("icefacts.publish.suppress")

Category = tuple[Any, ...]  # (at large, operation flag) for arrests, (False,) otherwise
Test = Callable[[Category], bool]

# (placed in a county or not, as a third part, made protecting a block about 3.5 times slower
# on the real FY2017 file: a public map is drawn by AOR, and does without it)
ARREST_PARTS: dict[str, Test] = {
    "arrests": lambda c: True,
    "at_large": lambda c: bool(c[0]),
    "operation_flagged": lambda c: bool(c[1]),
}
EVENT_PARTS: dict[str, Test] = {"events": lambda c: True}
ALL = ("arrests", "events")  # the part that is every event, by table


def _with_rests(parts: dict[str, Test]) -> dict[str, Test]:
    """Each part and ``~part``, the events it leaves (a reader subtracts: protected too)."""
    out = dict(parts)
    for name, test in parts.items():
        if name not in ALL:
            out["~" + name] = _negate(test)
    return out


def _negate(test: Test) -> Test:
    return lambda c: not test(c)


PARTS = {"arrests": _with_rests(ARREST_PARTS)}
VERSION = 2  # of the grid's figures and rule: a block protected under another is redone
TABLES = ("arrests", "detainers", "encounters", "detentions", "removals")
WITHHELD = "suppressed"


@dataclass(frozen=True)
class Span:
    """A count a page shows: the events of ``table`` in ``aors`` (``None``: every AOR, and
    events with none) over ``days`` (inclusive ranges) that are in ``part``."""

    table: str
    aors: tuple[str | None, ...] | None
    days: tuple[tuple[date, date], ...]
    part: str = "arrests"


def _shown(label: str) -> bool:
    return label.isdigit()


class Block:
    """One AOR's fiscal year: its figures (week, month, year x part), protected together.
    Only the labels are kept, and the values of the figures shown."""

    def __init__(self, rows: Iterable[tuple[date, date, str, str, int | None]]) -> None:
        # day -> the figures starting on it: (last day, part) -> (label, value when shown)
        self.starts: dict[date, dict[tuple[date, str], tuple[str, int | None]]] = {}
        for a, b, name, label, v in rows:
            self.starts.setdefault(a, {})[(b, name)] = (label, v if _shown(label) else None)

    def rows(self) -> list[tuple[date, date, str, str, int | None]]:
        return [
            (a, b, name, label, v)
            for a, figures in self.starts.items()
            for (b, name), (label, v) in figures.items()
        ]

    @classmethod
    def protected(
        cls,
        fy: int,
        cells: list[tuple[date, Category, int]],
        parts: dict[str, Test],
        k: int,
    ) -> Block:
        """The block of these cells, from the cache when the same cells were protected
        before (the key is their content: protection is deterministic), else protected now
        and cached. A cache that cannot be read or written is only slower."""
        content = [
            VERSION,
            k,
            fy,
            sorted(parts),
            [(d.isoformat(), list(c), n) for d, c, n in cells],
        ]
        digest = hashlib.sha256(json.dumps(content).encode()).hexdigest()
        path = api.cache_dir() / "grid" / f"{digest}.json"
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            got = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                (date.fromisoformat(a), date.fromisoformat(b), n, label, v)
                for a, b, n, label, v in got["rows"]
            )
        block = cls(cls._protect(fy, cells, parts, k))
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            rows = [(a.isoformat(), b.isoformat(), n, lab, v) for a, b, n, lab, v in block.rows()]
            tmp.write_text(json.dumps({"rows": rows}), encoding="utf-8")
            os.replace(tmp, path)
        return block

    @staticmethod
    def _protect(
        fy: int,
        cells: list[tuple[date, Category, int]],
        parts: dict[str, Test],
        k: int,
    ) -> list[tuple[date, date, str, str, int | None]]:
        lo, hi = fiscal_year_bounds(fy)
        periods: list[tuple[date, date]] = [(lo, hi)]
        m = lo
        while m <= hi:
            periods.append((m, month_end(m)))
            m = month_end(m) + timedelta(days=1)
        w = lo - timedelta(days=lo.weekday())
        while w <= hi:
            a, b = max(w, lo), min(w + timedelta(days=6), hi)
            periods.append((a, b))
            if a.month != b.month:  # the two week parts too: a month less its whole weeks
                periods.append((a, month_end(a)))  # gives them, so they are protected
                periods.append((b.replace(day=1), b))  # as figures (and shown if safe)
            w += timedelta(days=7)
        cats = sorted({c for _, c, _ in cells}, key=repr)
        in_part = {name: [test(c) for c in cats] for name, test in parts.items()}
        cat_index = {c: i for i, c in enumerate(cats)}
        figures: list[list[int]] = []
        keys: list[tuple[date, date, str]] = []
        for a, b in periods:
            here = [i for i, (d, _c, _n) in enumerate(cells) if a <= d <= b]
            for name in parts:
                flags = in_part[name]
                figures.append([i for i in here if flags[cat_index[cells[i][1]]]])
                keys.append((a, b, name))
        x = [n for _, _, n in cells]
        values = [sum(x[i] for i in f) for f in figures]
        if any(0 < v < k for v in values):
            labels = suppress.protect(figures, x or [0], k).labels()
        else:  # nothing small: every figure is shown as it is
            labels = [str(v) for v in values]
        return [
            (a, b, name, str(label), v if _shown(str(label)) else None)
            for (a, b, name), label, v in zip(keys, labels, values, strict=True)
        ]

    def tile(self, first: date, last: date, part: str) -> tuple[str, int | None]:
        """The label and value of ``part`` over [first, last]: a sum of shown figures that
        tile it exactly, else the one figure that is exactly it, else withheld."""
        reach: dict[date, int] = {first: 0}
        d = first
        while d <= last:
            if d in reach:
                for (b, name), (_label, v) in self.starts.get(d, {}).items():
                    if name == part and b <= last and v is not None:
                        nxt = b + timedelta(days=1)
                        reach.setdefault(nxt, reach[d] + v)
            d += timedelta(days=1)
        after = last + timedelta(days=1)
        if after in reach:
            return str(reach[after]), reach[after]
        return self.starts.get(first, {}).get((last, part), (WITHHELD, None))


class Grid:
    """The protected table of one copy of the warehouse (``Grid.of``), blocks computed when
    first asked for; the same labels for every request to that copy."""

    def __init__(self, k: int) -> None:
        self.k = k
        _ = suppress.protect  # loaded now, by one thread (a lazy module is not thread-safe)
        self._cells: dict[str, dict[tuple[str | None, int], list[Any]]] = {}
        self._blocks: dict[tuple[str, str | None, int], Block] = {}
        self._making: dict[tuple[str, str | None, int], threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def of(wh: Warehouse, k: int) -> Grid:
        """The grid of the copy ``wh`` reads (kept in the copy's memo)."""
        memo = getattr(wh.engine, "memo", None)
        if memo is None:  # not a server's copy: a grid for this call only
            return Grid(k)
        with _MEMO_LOCK:
            grid = memo.get(("public-grid", k))
            if grid is None:
                grid = memo[("public-grid", k)] = Grid(k)
        return grid

    def parts(self, table: str) -> dict[str, Test]:
        return PARTS.get(table, _with_rests(EVENT_PARTS))

    def _table_cells(self, wh: Warehouse, table: str) -> dict[tuple[str | None, int], list[Any]]:
        got = self._cells.get(table)
        if got is None:
            extra: tuple[str, ...] = ("method", "flagged") if table == "arrests" else ()
            rows = api.count_cells(wh, table=table, dims=("aor", "week_part", *extra))
            sums: dict[tuple[Any, ...], int] = {}
            for r in rows.to_pylist():
                if r["week_part"] is None:
                    continue  # no date: in no window
                cat = tuple(r[e] == "at_large" if e == "method" else bool(r[e]) for e in extra)
                cat = cat or (False,)  # another table: events only
                key = (r["aor"], r["week_part"], cat)
                sums[key] = sums.get(key, 0) + int(r["n"])
            got = {}
            for (aor, wp, cat), n in sorted(sums.items(), key=repr):
                got.setdefault((aor, fiscal_year_of(wp)), []).append((wp, cat, n))
            self._cells[table] = got
        return got

    def block(self, wh: Warehouse, table: str, aor: str | None, fy: int) -> Block | None:
        """The protected block, or None when the copy holds no such events (all zero).
        Blocks are protected one at a time each (a second asker waits for the first)."""
        key = (table, aor, fy)
        with self._lock:
            got = self._blocks.get(key)
            if got is not None:
                return got
            cells = self._table_cells(wh, table).get((aor, fy))
            if not cells:
                return None
            lock = self._making.setdefault(key, threading.Lock())
        with lock:
            got = self._blocks.get(key)
            if got is None:
                got = Block.protected(fy, cells, self.parts(table), self.k)
                with self._lock:
                    self._blocks[key] = got
            return got

    def aors(self, wh: Warehouse, table: str) -> list[str | None]:
        with self._lock:
            return sorted({a for a, _fy in self._table_cells(wh, table)}, key=lambda a: a or "")

    def years(self, wh: Warehouse, table: str) -> list[int]:
        with self._lock:
            return sorted({fy for _a, fy in self._table_cells(wh, table)})

    def warm(self, wh: Warehouse, tables: Iterable[str], workers: int = 2) -> None:
        """Protect every block of ``tables`` now (a public server's start), ``workers`` at
        a time (the solver runs outside Python's lock: two threads take about 0.7 of the
        time of one)."""
        todo = [
            (table, aor, fy)
            for table in tables
            for aor in self.aors(wh, table)
            for fy in self.years(wh, table)
        ]
        with ThreadPoolExecutor(workers, thread_name_prefix="grid") as pool:
            list(pool.map(lambda key: self.block(wh, *key), todo))

    def label(self, wh: Warehouse, span: Span) -> tuple[str, int | None]:
        """What a page shows for ``span``, and its value when shown."""
        if span.part not in self.parts(span.table):
            return WITHHELD, None
        aors = self.aors(wh, span.table) if span.aors is None else span.aors
        years = self.years(wh, span.table)  # a year the table does not hold adds nothing
        pieces: list[tuple[str, int | None]] = []
        for aor in aors:
            for first, last in span.days:
                for fy in years:
                    lo, hi = fiscal_year_bounds(fy)
                    if hi < first or last < lo:
                        continue
                    block = self.block(wh, span.table, aor, fy)
                    if block is not None:
                        pieces.append(block.tile(max(first, lo), min(last, hi), span.part))
        if all(_shown(label) for label, _v in pieces):
            total = sum(v or 0 for _l, v in pieces)
            return str(total), total
        if len(pieces) == 1:
            return pieces[0]
        return WITHHELD, None


_MEMO_LOCK = threading.Lock()
