"""Publish mode for a page or report: every count it shows protected together.

Each view's counts are sums over the finest cells behind it (``api.count_cells``: place x day
x method class x operation flag, say). Every published number (a row's arrests, its at-large
part, a day of the daily series, the total row, the baseline's events) becomes a figure over
those cells, and :func:`icefacts.publish.suppress.protect` decides which are shown, which are
``"<k"`` and which are suppressed so that none can be worked out from the others, within the
page and across its tables. A figure whose value the cells do not reproduce (a count made
another way) is withheld as ``"suppressed"``: never shown unprotected.

Then:

* count columns hold the label (the number, ``"<k"`` or ``"suppressed"``), so every output,
  JSON, CSV, xlsx and the charts, shows the same;
* columns computed from a withheld count (a rate, a share, a baseline's mean, an excess and
  its interval) are blanked with it;
* tables and columns with nothing to protect them by (criminality parts, duplicates set
  aside, distinct countries, per-release row counts of AOR-months) are left out, and row
  counts of whole releases, the policy registry and the reference datasets stay as they are.

No row of any release is ever part of a view, so none is published.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from icefacts._lazy import lazy_import
from icefacts.days import FIRST_DAY, LAST_DAY, fiscal_year_of
from icefacts.errors import InputError
from icefacts.web.grid import Span
from icefacts.web.views import View

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.publish import suppress
    from icefacts.web.grid import Grid
else:
    api = lazy_import("icefacts.api")
    suppress = lazy_import("icefacts.publish.suppress")

Match = Callable[[dict[str, Any]], bool]
CELLS = object()  # Figures.add: the figure's value is what its cells add up to
UNPRINTED = -1  # ... and with a grid (no cells): the grid's, nothing on the page to check
MAX_FIGURES = 20_000  # numbers one published page may hold
BUDGET_S = 30.0  # seconds of protection per page before the rest is withheld
_NUMBER = re.compile(r"(?<![\w.,-])\d{1,3}(?:,\d{3})*(?:\.\d+)?%?(?![\w(-])")


@dataclass
class Figures:
    """Published figures as sums over base cells (rows of ``cells``: dims and ``n``)."""

    cells: list[dict[str, Any]]
    members: list[list[int]] = field(default_factory=list)
    shown: list[int | None] = field(default_factory=list)  # what the table says
    where: list[tuple[str, int, str]] = field(default_factory=list)  # table, row, column
    spans: list[Span | None] = field(default_factory=list)  # the same in the grid's terms
    gridded: bool = False  # labelled by a grid: no cells (a count not printed is not checked)

    _index: dict[tuple[str, ...], dict[tuple[Any, ...], list[int]]] = field(default_factory=dict)

    def add(
        self,
        table: str,
        row: int,
        column: str,
        value: Any,
        match: Match | None = None,
        span: Span | None = None,
        **eq: Any,
    ) -> None:
        """The figure at (table, row, column): the cells whose dims equal ``eq`` (looked up
        in an index) and that ``match`` accepts; ``span``, the same count as a public
        server's grid sees it (None where the grid does not publish it)."""
        if eq:
            dims = tuple(sorted(eq))
            index = self._index.get(dims)
            if index is None:
                index = {}
                for i, c in enumerate(self.cells):
                    index.setdefault(tuple(c[d] for d in dims), []).append(i)
                self._index[dims] = index
            candidates = index.get(tuple(eq[d] for d in dims), [])
        else:
            candidates = list(range(len(self.cells)))
        members = [i for i in candidates if match is None or match(self.cells[i])]
        self.members.append(members)
        if value is CELLS and self.gridded:
            value = UNPRINTED
        elif value is CELLS:  # a number the page gives away without printing it (by a share)
            value = sum(int(self.cells[i]["n"]) for i in members)
        self.shown.append(None if value is None else int(value))
        self.where.append((table, row, column))
        self.spans.append(span)

    def add_rest(
        self,
        table: str,
        row: int,
        part: str,
        match: Match | None = None,
        span: Span | None = None,
        **eq: Any,
    ) -> None:
        """The rest of a total a part is published beside (the total's events that are not
        the part's): not printed, but a reader subtracts, so it is protected like a cell."""
        rest = None if span is None else replace(span, part="~" + span.part)
        self.add(table, row, f"~{part}", CELLS, match, rest, **eq)

    def solve(self, k: int, grid: Grid | None = None, wh: Any = None) -> dict:
        """(table, row, column) -> the label to show. Past ``MAX_FIGURES`` a page is refused
        in publish mode; past ``BUDGET_S`` of protection, the figures not yet protected are
        withheld (it fails closed). With a public server's ``grid``, each figure is what the
        grid shows for its span (withheld without one, or where the page's count is not the
        grid's)."""
        if len(self.members) > MAX_FIGURES:
            raise InputError(
                f"{len(self.members):,} numbers are too many to publish on one page (at most "
                f"{MAX_FIGURES:,}): ask for fewer places, a shorter span or longer periods"
            )
        if grid is not None:
            return self._from_grid(grid, wh)
        x = [int(c["n"]) for c in self.cells]
        labels: dict[tuple[str, int, str], str] = {}
        keep: list[int] = []
        for i, (members, shown) in enumerate(zip(self.members, self.shown, strict=True)):
            if shown is None:
                continue  # NULL in the table (not covered): nothing to protect or show
            if sum(x[j] for j in members) != shown:
                labels[self.where[i]] = suppress.SUPPRESSED_MARKER  # not reproduced: withheld
            else:
                keep.append(i)
        # figures that share no cell are independent: protected apart, each block small
        deadline = time.monotonic() + BUDGET_S
        for block in _blocks([self.members[i] for i in keep]):
            if time.monotonic() > deadline:
                for j in block:
                    labels[self.where[keep[j]]] = suppress.SUPPRESSED_MARKER
                continue
            figures = [self.members[keep[j]] for j in block]
            used = sorted({c for f in figures for c in f})
            local = {c: n for n, c in enumerate(used)}
            result = suppress.protect(
                [[local[c] for c in f] for f in figures], [x[c] for c in used] or [0], k
            )
            for j, label in zip(block, result.labels(), strict=True):
                labels[self.where[keep[j]]] = label
        return labels

    def _from_grid(self, grid: Grid, wh: Any) -> dict[tuple[str, int, str], str]:
        labels: dict[tuple[str, int, str], str] = {}
        for shown, span, where in zip(self.shown, self.spans, self.where, strict=True):
            if shown is None:
                continue
            if span is None:
                labels[where] = suppress.SUPPRESSED_MARKER
                continue
            label, value = grid.label(wh, span)
            if value is not None and shown != UNPRINTED and value != shown:
                label = suppress.SUPPRESSED_MARKER  # the page counted otherwise: withheld
            labels[where] = label
        return labels


def _cells(grid: Grid | None, wh: Any, **question: Any) -> list[dict[str, Any]]:
    """The cells behind a page (``api.count_cells``); none with a grid, which has its own."""
    if grid is not None:
        return []
    return api.count_cells(wh, **question).to_pylist()


def _blocks(figures: list[list[int]]) -> list[list[int]]:
    """Indices of ``figures`` grouped by the cells they share (union-find over cells)."""
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for f in figures:
        for c in f[1:]:
            ra, rb = find(f[0]), find(c)
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for i, f in enumerate(figures):
        groups.setdefault(find(f[0]) if f else -1 - i, []).append(i)
    return list(groups.values())


def protect_view(view: View, k: int, grid: Grid | None = None) -> View:
    """``view`` as publish mode shows it (``view.wh``: the warehouse it was read from): the
    page protected as a whole, or with a public server's ``grid``, every count as the grid
    shows it (``web/grid.py``)."""
    fn = _PROTECT.get(view.kind)
    if fn is None:
        return _drop_unknown(view)
    return fn(view, k, grid)


ALL_DAYS = ((FIRST_DAY, LAST_DAY),)


# the AORs a count is over: a tuple, None for every AOR, False for a selection of another kind
Scope = tuple[str | None, ...] | bool | None


def _scope(q: Mapping[str, Any]) -> Scope:
    """The AORs a question counts over, in the grid's terms: its AORs, None for every AOR,
    or False when it selects events some other way (states, counties, a policy's counties,
    releases), which the grid does not publish."""
    if q.get("states") or q.get("counties") or q.get("policy") or q.get("releases"):
        return False
    return tuple(q["aors"]) if q.get("aors") else None


def _span(
    aors: Scope,
    days: tuple[tuple[date, date], ...],
    part: str,
    table: str = "arrests",
) -> Span | None:
    if isinstance(aors, bool) or part not in _GRID_PARTS.get(table, ("events",)):
        return None
    return Span(table, aors, days, part)


_GRID_PARTS = {"arrests": ("arrests", "at_large", "operation_flagged")}


def _apply(
    view: View,
    labels: dict[tuple[str, int, str], str],
    derived: Mapping[str, Mapping[str, Sequence[str]]],
    safe: Mapping[str, Iterable[str]],
    whole: Iterable[str] = (),
) -> View:
    """A copy of ``view`` as published, denying by default: a table keeps its labelled count
    columns (the number, ``"<k"`` or ``"suppressed"``), the columns ``safe`` names for it
    (keys, dates, populations) and its ``derived`` columns, blanked where a count they come
    from is withheld; every other column is left out, and every table neither ``safe`` nor
    ``whole`` (kept as it is: policy registry, reference lists) is left out. Caveats lose
    their numbers (:func:`scrub`)."""
    tables: dict[str, pa.Table] = {}
    counted = {(t, c) for t, _r, c in labels}
    whole = set(whole)
    for name, table in view.tables.items():
        if name in whole:
            tables[name] = table
            continue
        if name not in safe:
            continue
        keep = set(safe[name]) | {c for t, c in counted if t == name} | set(derived.get(name, {}))
        cols = [c for c in table.column_names if c in keep]
        rows = table.to_pylist()
        withheld = {(r, c) for (t, r, c), lab in labels.items() if t == name and _hidden(lab)}
        for r, row in enumerate(rows):
            for c in cols:
                if (name, c) in counted:
                    row[c] = labels.get((name, r, c), None if row[c] is None else "suppressed")
            for c, sources in derived.get(name, {}).items():
                if any((r, src) in withheld for src in sources):
                    row[c] = None
        schema = pa.schema(
            [
                pa.field(f.name, pa.string()) if (name, f.name) in counted else f
                for f in table.schema
                if f.name in cols
            ]
        )
        tables[name] = pa.Table.from_pylist(
            [{c: _as(schema.field(c).type, row[c]) for c in cols} for row in rows], schema=schema
        )
    data = dict(view.data)
    if "caveats" in data:
        data["caveats"] = [scrub_caveat(c) for c in data["caveats"]]
    return replace(view, tables=tables, data=data, charts={})


def scrub(text: str) -> str:
    """A sentence with its counts withheld ("#"): a caveat's numbers count events ("1 of the
    3 arrests are not placed") that the tables beside it may suppress. Dates, years and
    release ids keep their digits."""
    return _NUMBER.sub("#", text)


def scrub_small(text: str, k: int) -> str:
    """A sentence whose counts from 1 to k-1 read "<k" (a claim's reason: its other numbers
    are the claim's own or are shown beside it)."""

    def small(m: re.Match[str]) -> str:
        token = m.group(0)
        if "." in token or token.endswith("%"):
            return token
        n = int(token.replace(",", ""))
        return suppress.primary_marker(k) if 0 < n < k else token

    return _NUMBER.sub(small, text)


def scrub_caveat(c: Any) -> Any:
    if isinstance(c, dict):
        return {"code": c.get("code"), "text": scrub(str(c.get("text", "")))}
    return scrub(str(c))


def _hidden(label: str) -> bool:
    """A withheld figure's label: "<k" or the complementary marker."""
    return label == suppress.SUPPRESSED_MARKER or label.startswith("<")


def _as(t: pa.DataType, v: Any) -> Any:
    if v is None:
        return None
    if pa.types.is_string(t) and not isinstance(v, str):
        return str(v)
    return v


def _primary(table: str, rows: list[dict[str, Any]], column: str, k: int) -> dict:
    """Labels of a column of counts that no other number on the page adds up: each alone,
    "<k" from 1 to k-1."""
    out: dict[tuple[str, int, str], str] = {}
    for r, row in enumerate(rows):
        v = row.get(column)
        if v is not None:
            out[(table, r, column)] = suppress.primary_marker(k) if 0 < int(v) < k else str(int(v))
    return out


def _drop_unknown(view: View) -> View:
    """A view publish mode has no rule for shows no counts: only what is safe as it is."""
    return replace(view, tables={}, charts={}, chart_fn=None)


# -- the operation explorer and its report ----------------------------------------------------

WINDOW_COUNTS = ("arrests", "at_large", "custodial", "other_method", "operation_flagged")
BASELINED = ("arrests", "at_large", "operation_flagged")
PERIOD_COLUMNS = ("period", "period_start", "period_end", "days", "covered_days")
PARTS: dict[str, Match] = {
    "arrests": lambda c: True,
    "at_large": lambda c: c["method"] == "at_large",
    "custodial": lambda c: c["method"] == "custodial",
    "other_method": lambda c: c["method"] == "other_method",
    "operation_flagged": lambda c: bool(c["flagged"]),
}


# the arrests outside each part
def _not(part: Match) -> Match:
    return lambda c: not part(c)


NOT: dict[str, Match] = {name: _not(m) for name, m in PARTS.items()}
# a share and the part of arrests it is the share of
SHARE_PART = {
    "at_large_share": "at_large",
    "custodial_share": "custodial",
    "operation_share": "operation_flagged",
}


def _operation(view: View, k: int, grid: Grid | None = None) -> View:
    q = view.data["question"]
    scope = _scope(q)
    by = q["by"]
    key = by if by != "total" else "place"
    start, end = date.fromisoformat(q["start"]), date.fromisoformat(q["end"])
    periods = view.tables["baseline_periods"].to_pylist()
    daily = view.tables["daily"].to_pylist()
    first = min([start, *(p["first_day"] for p in periods), *(d["period_start"] for d in daily)])
    last = max([end, *(d["period_end"] for d in daily)])
    dims = ["day", "method", "flagged"]
    place_dim = {"aor": "aor", "state": "state", "county": "county"}.get(by)
    if place_dim:
        dims.insert(0, place_dim)
    cells = _cells(
        grid,
        view.wh,
        dims=tuple(dims),
        start=first,
        end=last,
        aors=tuple(q["aors"]),
        states=tuple(q["states"]),
        counties=tuple(q["counties"]),
        policy=q["policy"],
        policy_on=date.fromisoformat(q["policy_on"]) if q["policy_on"] else None,
        releases=tuple(q["releases"]),
    )
    figs = Figures(cells, gridded=grid is not None)

    def in_window(c: dict[str, Any]) -> bool:
        return bool(start <= c["day"] <= end)

    def in_baseline(c: dict[str, Any]) -> bool:
        return any(p["first_day"] <= c["day"] <= p["last_day"] for p in periods)

    report = view.tables["report"].to_pylist()
    unmatched: list[tuple[str, int, str]] = []  # baselines over a place's own periods
    window = ((start, end),)
    baseline = tuple((p["first_day"], p["last_day"]) for p in periods)
    for r, row in enumerate(report):
        place = row.get(key)
        # the total row: "total" as its key, or no key where the key is a date (by day)
        total = place == "total" or by == "total" or (by == "day" and place is None)
        if by == "day":
            here: dict[str, Any] = {} if total else {"day": place}
        else:
            here = {place_dim: place} if place_dim and not total else {}
        aors = scope if total else ((place,) if by == "aor" and scope is not False else False)
        for col in WINDOW_COUNTS:
            span = _span(aors, window, col)
            figs.add("report", r, col, row[col], _all(in_window, PARTS[col]), span, **here)
        if row["arrests"] is not None:  # the arrests not flagged: a reader subtracts
            figs.add_rest(
                "report",
                r,
                "operation_flagged",
                _all(in_window, NOT["operation_flagged"]),
                _span(aors, window, "operation_flagged"),
                **here,
            )
        for col in BASELINED:
            mean = row.get(f"{col}_baseline")
            if mean is None:
                continue
            events = round(mean * len(periods)) if periods else -1
            if by == "day" or not periods or abs(mean - events / len(periods)) > 0.005 + 1e-9:
                unmatched.append(("report", r, f"{col}_baseline"))  # means given to 0.01
                continue
            match = _all(in_baseline, PARTS[col])
            span = _span(aors, baseline, col)
            figs.add("report", r, f"{col}_baseline", events, match, span, **here)
            if col != "arrests":
                rest = _all(in_baseline, NOT[col])
                figs.add_rest("report", r, f"{col}_baseline", rest, span, **here)
    measure = view.data.get("measure", "operation_flagged")
    for r, row in enumerate(daily):
        first, last = row["period_start"], row["period_end"]
        days = ((first, last),)
        if first == last:
            eq: dict[str, Any] = {"day": first}
            within: Match | None = None
        else:  # a week of the series (a public server's)
            eq, within = {}, _between(first, last)
        figs.add(
            "daily", r, "arrests", row.get("arrests"), within, _span(scope, days, "arrests"), **eq
        )
        if measure != "arrests":
            match = _all(within, PARTS[measure]) if within else PARTS[measure]
            span = _span(scope, days, measure)
            figs.add("daily", r, measure, row.get(measure), match, span, **eq)
            if row.get("arrests") is not None:
                rest = _all(within, NOT[measure]) if within else NOT[measure]
                figs.add_rest("daily", r, measure, rest, span, **eq)
    labels = figs.solve(k, grid, view.wh)
    for (t, r, c), lab in list(labels.items()):
        if c.endswith("_baseline") and not c.startswith("~"):  # shown as its mean
            labels[(t, r, c)] = (
                suppress.SUPPRESSED_MARKER if _hidden(lab) else _mean_label(report[r][c])
            )
    for where in unmatched:
        labels[where] = suppress.SUPPRESSED_MARKER
    derived = {
        col + suffix: (col, f"{col}_baseline")
        for col in BASELINED
        for suffix in ("_excess", "_excess_low", "_excess_high")
    }
    return _apply(
        view,
        labels,
        {"report": derived},
        {
            "report": (key,),
            "daily": (*PERIOD_COLUMNS, "place"),
            "baseline_periods": ("k", "first_day", "last_day"),
        },
    )


def _mean_label(mean: Any) -> str:
    return f"{mean:g}" if isinstance(mean, float) else str(mean)


def _all(*tests: Match) -> Match:
    return lambda c: all(t(c) for t in tests)


def _between(first: date, last: date) -> Match:
    return lambda c: bool(first <= c["day"] <= last)


def _in_year(year: int) -> Match:
    return lambda c: c["month"] is not None and c["month"].year == year


# -- trend and place pages ----------------------------------------------------------------------


def _trend(view: View, k: int, grid: Grid | None = None) -> View:
    """Every period's arrests and the measure's part (for a share: the part it is the share
    of), over cells of the trend's own periods (a week is cells of that week, not of its
    days). Convictions are not published (they may come from another release)."""
    q = view.data["question"]
    measure, per, by = q["measure"], q.get("per"), q["by"]
    rows = view.tables["trend"].to_pylist()
    part = SHARE_PART.get(measure, measure if measure in PARTS and measure != "arrests" else None)
    cells = _cells(
        grid,
        view.wh,
        dims=tuple([*([per] if per else []), by, *(["method", "flagged"] if part else [])]),
        # the days the trend counts (its first and last periods may be partial)
        start=date.fromisoformat(q["start"]) if q["start"] else None,
        end=date.fromisoformat(q["end"]) if q["end"] else None,
        aors=tuple(q["aors"]),
        states=tuple(q["states"]),
        counties=tuple(q["counties"]),
        releases=tuple(q["releases"]),
    )
    figs = Figures(cells, gridded=grid is not None)
    per_dim = {"aor": "aor", "state": "state", "county": "county"}.get(per or "")
    scope = _scope(q)
    for r, row in enumerate(rows):
        period = _period_key(by, row["period_start"])  # a partial period starts late
        where = {by: period, **({per_dim: row.get(per or "place")} if per_dim else {})}
        days = ((row["period_start"], row["period_end"]),)
        aors = (
            scope
            if not per
            else ((row.get("aor"),) if per == "aor" and scope is not False else False)
        )
        figs.add(
            "trend", r, "arrests", row.get("arrests"), None, _span(aors, days, "arrests"), **where
        )
        if part:  # shown as a column, or only through its share: protected either way
            value = row.get(part) if part in row else (CELLS if row.get("arrests") else None)
            span = _span(aors, days, part)
            figs.add("trend", r, part, value, PARTS[part], span, **where)
            if row.get("arrests") is not None:
                figs.add_rest("trend", r, part, NOT[part], span, **where)
    labels = figs.solve(k, grid, view.wh)
    share = measure if measure in SHARE_PART else None
    derived = {"trend": {share: ("arrests", part)}} if share and part else {}
    return _apply(
        view, labels, derived, {"trend": (*PERIOD_COLUMNS, per or "place")}, ("policy_dates",)
    )


def _period_key(by: str, start: date) -> Any:
    """The cells' key of the period a trend row starting on ``start`` belongs to."""
    if by == "week":
        return start - timedelta(days=start.weekday())
    if by == "month":
        return start.replace(day=1)
    if by == "fiscal_year":
        return fiscal_year_of(start)
    return start


def _place(view: View, k: int, grid: Grid | None = None) -> View:
    """The place page: the monthly trend and the events by year, protected together (a year
    is the sum of its months); the page's own copy of the events by year follows the
    protected table."""
    d = view.data
    kind, code = d["place"]["kind"], d["place"]["code"]
    sel: dict[str, Any] = {}
    if kind == "aor":
        sel["aors"] = (code,)
    elif kind == "state":
        sel["states"] = (d["place"]["state"],)
    else:
        sel["counties"] = (code,)
    cells = _cells(grid, view.wh, dims=("month",), **sel)
    figs = Figures(cells, gridded=grid is not None)
    trend_key = next(
        (c for c in ("aor", "state", "county", "place") if c in view.tables["trend"].column_names),
        "place",
    )
    aors = (code,) if kind == "aor" else False
    for r, row in enumerate(view.tables["trend"].to_pylist()):
        days = ((row["period_start"], row["period_end"]),)
        span = _span(aors, days, "arrests")
        figs.add("trend", r, "arrests", row.get("arrests"), None, span, month=row["period_start"])
    years = view.tables["events_by_year"].to_pylist()
    for r, row in enumerate(years):
        y = row["year"]
        year = ((date(y, 1, 1), date(y, 12, 31)),) if y is not None else ()
        if row["table_name"] == "arrests":
            span = _span(aors, year, "arrests")
            figs.add("events_by_year", r, "events", row["events"], _in_year(row["year"]), span)
        elif grid is not None:  # a public server: the table's own grid
            span = _span(aors, year, "events", row["table_name"])
            figs.add("events_by_year", r, "events", row["events"], lambda c: False, span)
    labels = figs.solve(k, grid, view.wh)
    if grid is None:  # other tables' yearly counts (detainers, ...) add up to nothing here
        others = [row if row["table_name"] != "arrests" else {} for row in years]
        labels.update(_primary("events_by_year", others, "events", k))
    out = _apply(
        view,
        labels,
        {},
        {
            "events_by_year": ("table_name", "year", "placed_by"),
            "trend": (*PERIOD_COLUMNS, trend_key),
        },
        ("policies", "rulings", "agreements_287g", "policy_dates"),
    )
    out.data = {
        **out.data,
        "events_by_year": out.tables["events_by_year"].to_pylist(),
        "caveats": [scrub_caveat(c) for c in d.get("caveats", [])],
    }
    return out


# -- the map ------------------------------------------------------------------------------------


def _map(view: View, k: int, grid: Grid | None = None) -> View:
    """Every county's events and measure, every AOR's events and placed events. The
    county table's copy of its AOR's placed share is left out (with the events it gives the
    placed count)."""
    q = view.data["question"]
    measure = q["measure"]
    cells = _cells(
        grid,
        view.wh,
        table=q["table"],
        dims=("county", "aor", *(["method", "flagged"] if measure != "events" else [])),
        start=date.fromisoformat(q["start"]),
        end=date.fromisoformat(q["end"]),
    )
    figs = Figures(cells, gridded=grid is not None)
    part = PARTS.get(measure, lambda c: True)
    rest = NOT.get(measure, lambda c: False)
    for r, row in enumerate(view.tables["counties"].to_pylist()):
        fips = row["fips"]  # not published by a public server's grid
        figs.add("counties", r, "events", row["events"], county=fips)
        figs.add("counties", r, "measure", row["measure"], part, county=fips)
        if measure != "events":
            figs.add_rest("counties", r, "measure", rest, county=fips)
    aor_rows = view.tables["aors"].to_pylist()
    table = q["table"]
    window = ((date.fromisoformat(q["start"]), date.fromisoformat(q["end"])),)
    everything = "arrests" if table == "arrests" else "events"
    for r, row in enumerate(aor_rows):
        aor = None if row["aor"] == "(blank)" else row["aor"]
        one = (aor,)
        figs.add(
            "aors", r, "events", row["events"], None, _span(one, window, everything, table), aor=aor
        )
        if "measure" in row:
            span = _span(one, window, measure if measure != "events" else everything, table)
            figs.add("aors", r, "measure", row["measure"], part, span, aor=aor)
            if measure != "events":
                figs.add_rest("aors", r, "measure", rest, span, aor=aor)
        span = _span(one, window, "placed", table)
        figs.add(
            "aors", r, "placed_in_county", row["placed_in_county"],
            lambda c: c["county"] is not None, span, aor=aor,
        )  # fmt: skip
        figs.add_rest("aors", r, "placed_in_county", lambda c: c["county"] is None, span, aor=aor)
    labels = figs.solve(k, grid, view.wh)
    derived = {
        # a county's value is its AOR's at the AOR level: withheld with the AOR's, below
        "counties": {"value": ("events", "measure")} if q.get("level") != "aor" else {},
        "aors": {"placed_share": ("events", "placed_in_county")},
    }
    by_aor = ("value",) if q.get("level") == "aor" else ()  # nulled below with its AOR's
    safe = {
        "counties": ("fips", "name", "state", "aor", "population", "drawn", *by_aor),
        "aors": ("aor", "population"),
    }
    out = _apply(view, labels, derived, safe, ("policy",))
    if q.get("level") == "aor":  # a county's value is its AOR's: withheld with the AOR's
        hidden = {
            row["aor"]
            for r, row in enumerate(aor_rows)
            if any(_hidden(labels.get(("aors", r, c), "")) for c in ("events", "measure"))
        }
        rows = out.tables["counties"].to_pylist()
        for row in rows:
            if row["aor"] in hidden:
                row["value"] = None
        out.tables["counties"] = pa.Table.from_pylist(rows, schema=out.tables["counties"].schema)
    # a county not drawn says so without the share that decided it
    rows = out.tables["counties"].to_pylist()
    for row in rows:
        row["not_drawn_because"] = (
            None if row["drawn"] else "its AOR's events are mostly not placed"
        )
    out.tables["counties"] = pa.Table.from_pylist(rows)
    return out


# -- detected operations ----------------------------------------------------------------------


def _detect(view: View, k: int, grid: Grid | None = None) -> View:
    """Episodes' counts are over their own days: a public server's grid does not publish
    them (withheld there), a page or report protects them together."""
    ops = view.tables["operations"].to_pylist()
    episodes = view.tables.get("episodes")
    rows = episodes.to_pylist() if episodes is not None else []
    # base cells: the episodes (an operation's observed count is the sum of its episodes')
    cells = [{"i": i, "n": e["observed"], **e} for i, e in enumerate(rows)]
    figs = Figures(cells, gridded=grid is not None)
    for r, e in enumerate(rows):
        figs.add("episodes", r, "observed", e["observed"], i=r)
    for r, op in enumerate(ops):
        figs.add("operations", r, "observed", op["observed"], operation=op["rank"])
    labels = figs.solve(k, grid, view.wh)
    derived = {
        t: {c: ("observed",) for c in ("expected", "excess", "excess_low", "excess_high")}
        for t in ("operations", "episodes")
    }
    safe = {
        "operations": ("rank", "start", "end", "aors", "n_aors"),
        "episodes": ("aor", "start", "end", "days", "operation"),
    }
    return _apply(view, labels, derived, safe)


# -- the overview and provenance -------------------------------------------------------------

RELEASE_COLUMNS = (
    "release_id",
    "family",
    "letter",
    "foia",
    "file_name",
    "tables",
    "rows",
    "copy_of",
    "period_start",
    "period_end",
    "maturity",
    "synthetic",
    "sha256",
    "bytes",
    "ingested_at",
    "tool_version",
)  # fmt: skip  (not counted_rows: the rows each release counts)
VALIDATION_COLUMNS = (
    "file_name", "table_name", "check_name", "field", "checked", "max_share", "status",
    "caveat",
)  # fmt: skip


def _overview(view: View, k: int, grid: Grid | None = None) -> View:
    """The counts by AOR and fiscal year, by AOR, and in all are protected together; the
    other tables' totals alone. A release's rows are the file's own (what ICE published);
    the rows each counts are left out (with the totals they would give a cell away)."""
    cells = _cells(grid, view.wh, dims=("aor", "fiscal_year"))
    figs = Figures(cells, gridded=grid is not None)
    for r, row in enumerate(view.tables["coverage"].to_pylist()):
        fy = row["fiscal_year"]
        span = None
        if fy is not None:
            span = _span((row["aor"],), ((date(fy - 1, 10, 1), date(fy, 9, 30)),), "arrests")
        figs.add(
            "coverage", r, "arrests", row["arrests"], None, span, aor=row["aor"], fiscal_year=fy
        )
    for r, row in enumerate(view.tables["placement"].to_pylist()):
        aor = None if row.get("aor") == "(blank)" else row.get("aor")
        span = _span((aor,), ALL_DAYS, "arrests")
        figs.add("placement", r, "events", row.get("events"), None, span, aor=aor)
    totals = dict(view.data["totals"])
    names = list(totals)
    for i, name in enumerate(names):
        if name == "arrests":
            figs.add("totals", i, name, totals[name], None, _span(None, ALL_DAYS, "arrests"))
        elif grid is not None:  # a public server: the table's own grid
            span = _span(None, ALL_DAYS, "events", name)
            figs.add("totals", i, name, totals[name], lambda c: False, span)
    labels = figs.solve(k, grid, view.wh)
    labels.update(_primary("validation", view.tables["validation"].to_pylist(), "failed", k))
    for i, name in enumerate(names):
        n = totals[name]
        if ("totals", i, name) in labels:
            totals[name] = labels[("totals", i, name)]
        elif name == "arrests":
            totals[name] = suppress.SUPPRESSED_MARKER
        elif n is not None and 0 < n < k:
            totals[name] = suppress.primary_marker(k)
    safe = {
        "releases": RELEASE_COLUMNS,
        "coverage": ("aor", "fiscal_year"),
        "placement": ("aor",),
        "validation": VALIDATION_COLUMNS,
    }
    out = _apply(view, labels, {"validation": {"share": ("failed",)}}, safe)
    out.data = {**out.data, "totals": totals}
    return out


def _provenance(view: View, k: int, grid: Grid | None = None) -> View:
    """Files, checksums, validation and licenses are about the releases, not people. What
    counts events by AOR (rows each release counts, overlaps, disagreements, record links)
    is left out: with the overview's totals it would give cells away."""
    labels = {}
    if "validation" in view.tables:
        labels = _primary("validation", view.tables["validation"].to_pylist(), "failed", k)
    return _apply(
        view,
        labels,
        {"validation": {"share": ("failed",)}},
        {"releases": RELEASE_COLUMNS, "validation": VALIDATION_COLUMNS},
        ("reference_datasets", "reference_loaded"),
    )


def _as_is(view: View, k: int, grid: Grid | None = None) -> View:
    return view


COUNT_KINDS = ("count", "distinct")  # readings that count events (an excess is a difference)
WITHHELD_VERDICT = "not shown here"
PUBLIC_CLAIM_REASON = (
    "a public server shows no verdict and no number of a claim reading (they count the "
    "claim's own days and places, which it does not publish): check the claim file with "
    "icefacts on your own machine, or publish its report from there"
)


def _claims(view: View, k: int, grid: Grid | None = None) -> View:
    """A reading whose count is below k shows "<k" for it and its bounds, and neither its
    reason, its rows nor its difference from the published figure (each would give the
    count back); reasons and caveats lose their numbers. Only the shipped claim files are
    checked in publish mode (a claim file is a question: many of them would ask for any
    count), see ``web/routes.py``. A public server (``grid``) shows no reading's number and
    no verdict: its days and places are the claim's, not the grid's, so a count there, an
    interval (whose top can be the count) or even a verdict's "at least" beside the grid's
    weeks could narrow a small count; the claims, their published figures, definitions and
    the commands that check them stay."""
    marker = suppress.primary_marker(k)

    def protect_reading(r: dict[str, Any]) -> dict[str, Any]:
        r = dict(r)
        kind = str(r.get("measure") or "").split(" ")[0]
        counted = kind in COUNT_KINDS  # a count of events, or bounds of one
        values = ("value", "low", "high") if "bound" in str(r.get("interval")) else ("value",)
        small = counted and any(
            isinstance(r.get(f), (int, float)) and 0 < abs(r[f]) < k for f in values
        )
        # an excess never exceeds the count it is of, and its interval's top can be that
        # count itself: a top below k is withheld with the count it may be
        top = r.get("high")
        if kind == "excess" and isinstance(top, (int, float)) and 0 < top < k:
            small = True
        if grid is not None:
            for f in ("value", "low", "high", "difference"):
                r[f] = suppress.SUPPRESSED_MARKER if r.get(f) is not None else None
            r["rows"] = None
            for f in ("verdict", "claim_verdict"):
                if f in r:
                    r[f] = WITHHELD_VERDICT
            r["reason"] = "not shown by a public server (see the claim)"
            small = True
        elif small:
            for f in ("value", "low", "high"):
                r[f] = marker if r.get(f) is not None else None
            r["difference"] = None
            r["rows"] = None
            r["reason"] = f"the records hold fewer than {k} here (not shown in publish mode)"
        else:
            if counted:
                r["reason"] = scrub_small(str(r.get("reason", "")), k)
            for f in ("value", "low", "high"):
                if r.get(f) is not None:
                    r[f] = _mean_label(r[f])
        r["hidden"] = small
        for f in ("notes", "caveats"):
            if isinstance(r.get(f), list):
                r[f] = [scrub(str(x)) for x in r[f]]
        return r

    claims = []
    for c in view.data["claims"]:
        readings = [protect_reading(r) for r in c["readings"]]
        reason = str(c.get("reason", ""))
        if any(r["hidden"] for r in readings):  # the claim's reason may repeat the count
            reason = scrub_small(reason, k)
        if grid is not None:
            claims.append(
                {
                    **c,
                    "verdict": WITHHELD_VERDICT,
                    "reason": PUBLIC_CLAIM_REASON,
                    "readings": readings,
                }
            )
            continue
        claims.append({**c, "reason": reason, "readings": readings})
    rows = []
    for row in view.tables["readings"].to_pylist():
        got = protect_reading(row)
        rows.append(
            {
                "claim": got["claim"],
                "claim_verdict": got["claim_verdict"],
                "reading": got["reading"],
                "label": got["label"],
                "verdict": got["verdict"],
                "reason": got["reason"],
                "measure": got["measure"],
                "places": got["places"],
                "window": got["window"],
                "value": got["value"],
                "low": got["low"],
                "high": got["high"],
                "published": got["published"],
            }
        )
    return replace(
        view,
        data={**view.data, "claims": claims},
        tables={"readings": pa.Table.from_pylist(rows)},
    )


_PROTECT: dict[str, Callable[[View, int, Any], View]] = {
    "operation": _operation,
    "trend": _trend,
    "place": _place,
    "map": _map,
    "detect": _detect,
    "overview": _overview,
    "provenance": _provenance,
    "codebook": _as_is,
    "releases": _provenance,
    "claims": _claims,
}
