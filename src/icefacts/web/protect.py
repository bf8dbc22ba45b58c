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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from icefacts._lazy import lazy_import
from icefacts.web.views import View

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.publish import suppress
else:
    api = lazy_import("icefacts.api")
    suppress = lazy_import("icefacts.publish.suppress")

Match = Callable[[dict[str, Any]], bool]


@dataclass
class Figures:
    """Published figures as sums over base cells (rows of ``cells``: dims and ``n``)."""

    cells: list[dict[str, Any]]
    members: list[list[int]] = field(default_factory=list)
    shown: list[int | None] = field(default_factory=list)  # what the table says
    where: list[tuple[str, int, str]] = field(default_factory=list)  # table, row, column

    _index: dict[tuple[str, ...], dict[tuple[Any, ...], list[int]]] = field(default_factory=dict)

    def add(
        self,
        table: str,
        row: int,
        column: str,
        value: Any,
        match: Match | None = None,
        **eq: Any,
    ) -> None:
        """The figure at (table, row, column): the cells whose dims equal ``eq`` (looked up
        in an index) and that ``match`` accepts."""
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
        self.shown.append(None if value is None else int(value))
        self.where.append((table, row, column))

    def solve(self, k: int) -> dict[tuple[str, int, str], str]:
        """(table, row, column) -> the label to show."""
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
        for block in _blocks([self.members[i] for i in keep]):
            figures = [self.members[keep[j]] for j in block]
            used = sorted({c for f in figures for c in f})
            local = {c: n for n, c in enumerate(used)}
            result = suppress.protect(
                [[local[c] for c in f] for f in figures], [x[c] for c in used] or [0], k
            )
            for j, label in zip(block, result.labels(), strict=True):
                labels[self.where[keep[j]]] = label
        return labels


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


def protect_view(view: View, k: int) -> View:
    """``view`` as publish mode shows it (``view.wh``: the warehouse it was read from)."""
    fn = _PROTECT.get(view.kind)
    if fn is None:
        return _drop_unknown(view)
    return fn(view, k)


def _apply(
    view: View,
    labels: dict[tuple[str, int, str], str],
    derived: Mapping[str, Mapping[str, Sequence[str]]],
    drop: Mapping[str, Iterable[str]] | None = None,
) -> View:
    """A copy of ``view`` with the labels in the count columns, and each derived column
    blanked where a count it comes from is withheld (``derived[table][column]``)."""
    tables = dict(view.tables)
    counted = {(t, c) for t, _r, c in labels}
    for name, table in view.tables.items():
        rows = table.to_pylist()
        cols = [c for c in table.column_names if c not in set((drop or {}).get(name, ()))]
        withheld = {(r, c) for (t, r, c), lab in labels.items() if t == name and _hidden(lab)}
        for r, row in enumerate(rows):
            for c in cols:
                if (name, c) in counted and (name, r, c) in labels:
                    row[c] = labels[(name, r, c)]
            for c, sources in derived.get(name, {}).items():
                if any((r, s) in withheld for s in sources):
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
    return replace(view, tables=tables, charts={})


def _hidden(label: str) -> bool:
    """A withheld figure's label: "<k" or the complementary marker."""
    return label == suppress.SUPPRESSED_MARKER or label.startswith("<")


def _as(t: pa.DataType, v: Any) -> Any:
    if v is None:
        return None
    if pa.types.is_string(t) and not isinstance(v, str):
        return str(v)
    return v


def _drop_unknown(view: View) -> View:
    """A view publish mode has no rule for shows no counts: only what is safe as it is."""
    return replace(view, tables={}, charts={}, chart_fn=None)


# -- the operation explorer and its report ----------------------------------------------------

WINDOW_COUNTS = ("arrests", "at_large", "custodial", "other_method", "operation_flagged")
DROPPED_OPERATION = (
    "convicted",
    "pending",
    "other_criminality",
    "criminality_unknown",
    "countries",
    "duplicates_excluded",
)
PARTS: dict[str, Match] = {
    "arrests": lambda c: True,
    "at_large": lambda c: c["method"] == "at_large",
    "custodial": lambda c: c["method"] == "custodial",
    "other_method": lambda c: c["method"] == "other_method",
    "operation_flagged": lambda c: bool(c["flagged"]),
}


def _operation(view: View, k: int) -> View:
    q = view.data["question"]
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
    cells = api.count_cells(
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
    ).to_pylist()
    figs = Figures(cells)

    def in_window(c: dict[str, Any]) -> bool:
        return bool(start <= c["day"] <= end)

    def in_baseline(c: dict[str, Any]) -> bool:
        return any(p["first_day"] <= c["day"] <= p["last_day"] for p in periods)

    report = view.tables["report"].to_pylist()
    for r, row in enumerate(report):
        place = row.get(key)
        # the total row: "total" as its key, or no key where the key is a date (by day)
        total = place == "total" or by == "total" or (by == "day" and place is None)
        if by == "day":
            here: dict[str, Any] = {} if total else {"day": place}
            for col in WINDOW_COUNTS:
                figs.add("report", r, col, row[col], _all(in_window, PARTS[col]), **here)
            continue
        here = {place_dim: place} if place_dim and not total else {}
        for col in WINDOW_COUNTS:
            figs.add("report", r, col, row[col], _all(in_window, PARTS[col]), **here)
        for col in ("arrests", "at_large", "operation_flagged"):
            mean = row.get(f"{col}_baseline")
            if mean is None or not periods:
                continue
            events = round(mean * len(periods))
            if abs(mean - events / len(periods)) > 0.005 + 1e-9:  # means are given to 0.01
                continue  # not a mean over these periods (a place's own periods): blanked
            match = _all(in_baseline, PARTS[col])
            figs.add("report", r, f"{col}_baseline", events, match, **here)
    measure = view.data.get("measure", "operation_flagged")
    for r, row in enumerate(daily):
        day = row["period_start"]
        figs.add("daily", r, "arrests", row.get("arrests"), day=day)
        if measure != "arrests":
            figs.add("daily", r, measure, row.get(measure), PARTS[measure], day=day)
    labels = figs.solve(k)
    # a baseline is shown as its mean: the label replaces the events where withheld
    for (t, r, c), lab in list(labels.items()):
        if c.endswith("_baseline") and not _hidden(lab):
            labels[(t, r, c)] = _mean_label(report[r][c])
    derived: dict[str, tuple[str, ...]] = {}
    for col in ("arrests", "at_large", "operation_flagged"):
        for suffix in ("_excess", "_excess_low", "_excess_high"):
            derived[col + suffix] = (col, f"{col}_baseline")
    blanked_baselines = {
        (r, f"{col}_baseline")
        for r, row in enumerate(report)
        for col in ("arrests", "at_large", "operation_flagged")
        if row.get(f"{col}_baseline") is not None and ("report", r, f"{col}_baseline") not in labels
    }
    out = _apply(
        view,
        labels,
        {"report": derived},
        {"report": DROPPED_OPERATION, "daily": _shares(view.tables["daily"])},
    )
    if blanked_baselines:
        rows = out.tables["report"].to_pylist()
        for r, c in blanked_baselines:
            rows[r][c] = None
            for suffix in ("_excess", "_excess_low", "_excess_high"):
                rows[r][c.replace("_baseline", suffix)] = None
        out.tables["report"] = pa.Table.from_pylist(rows, schema=out.tables["report"].schema)
    return out


def _mean_label(mean: Any) -> str:
    return f"{mean:g}" if isinstance(mean, float) else str(mean)


def _shares(table: pa.Table) -> list[str]:
    return [c for c in table.column_names if c.endswith("_share")]


def _all(*tests: Match) -> Match:
    return lambda c: all(t(c) for t in tests)


def _in_year(year: int) -> Match:
    return lambda c: c["month"] is not None and c["month"].year == year


# -- trend and place pages ----------------------------------------------------------------------


def _trend(view: View, k: int) -> View:
    """Every period's arrests and the measure's part, over cells of the trend's own periods
    (a week is cells of that week, not of its days)."""
    q = view.data["question"]
    measure, per, by = q["measure"], q.get("per"), q["by"]
    rows = view.tables["trend"].to_pylist()
    part = measure if measure in PARTS and measure != "arrests" else None
    cells = api.count_cells(
        view.wh,
        dims=tuple([*([per] if per else []), by, *(["method", "flagged"] if part else [])]),
        # the days the trend counts (its first and last periods may be partial)
        start=date.fromisoformat(q["start"]) if q["start"] else None,
        end=date.fromisoformat(q["end"]) if q["end"] else None,
        aors=tuple(q["aors"]),
        states=tuple(q["states"]),
        counties=tuple(q["counties"]),
        releases=tuple(q["releases"]),
    ).to_pylist()
    figs = Figures(cells)
    per_dim = {"aor": "aor", "state": "state", "county": "county"}.get(per or "")
    for r, row in enumerate(rows):
        period = _period_key(by, row["period_start"])  # a partial period starts late
        where = {by: period, **({per_dim: row.get(per or "place")} if per_dim else {})}
        figs.add("trend", r, "arrests", row.get("arrests"), **where)
        if part:
            figs.add("trend", r, part, row.get(part), PARTS[part], **where)
    labels = figs.solve(k)
    shares = _shares(view.tables["trend"])
    sources = ("arrests", part) if part else ("arrests",)
    derived = {"trend": {s: sources for s in shares}}
    keep_only = [
        c
        for c in view.tables["trend"].column_names
        if c in WINDOW_COUNTS and c not in ("arrests", part)
    ]
    return _apply(view, labels, derived, {"trend": keep_only})


def _period_key(by: str, start: date) -> Any:
    """The cells' key of the period a trend row starting on ``start`` belongs to."""
    if by == "week":
        return start - timedelta(days=start.weekday())
    if by == "month":
        return start.replace(day=1)
    if by == "fiscal_year":
        return start.year + (1 if start.month >= 10 else 0)
    return start


def _place(view: View, k: int) -> View:
    """The place page: the monthly trend and the events by year, protected together (a year
    is the sum of its months)."""
    d = view.data
    kind, code = d["place"]["kind"], d["place"]["code"]
    sel: dict[str, Any] = {}
    if kind == "aor":
        sel["aors"] = (code,)
    elif kind == "state":
        sel["states"] = (d["place"]["state"],)
    else:
        sel["counties"] = (code,)
    cells = api.count_cells(view.wh, dims=("month",), **sel).to_pylist()
    figs = Figures(cells)
    for r, row in enumerate(view.tables["trend"].to_pylist()):
        month = row["period_start"]
        figs.add("trend", r, "arrests", row.get("arrests"), month=month)
    for r, row in enumerate(view.tables["events_by_year"].to_pylist()):
        if row["table_name"] != "arrests":
            continue
        figs.add("events_by_year", r, "events", row["events"], _in_year(row["year"]))
    labels = figs.solve(k)
    # other tables' yearly counts (detainers, ...) have no months here: withheld when small
    for r, row in enumerate(view.tables["events_by_year"].to_pylist()):
        if row["table_name"] != "arrests" and row["events"] is not None:
            labels[("events_by_year", r, "events")] = (
                str(row["events"])
                if row["events"] == 0 or row["events"] >= k
                else suppress.primary_marker(k)
            )
    return _apply(view, labels, {}, {"events_by_year": ("flagged_duplicates",)})


# -- the map ------------------------------------------------------------------------------------


def _map(view: View, k: int) -> View:
    q = view.data["question"]
    measure = q["measure"]
    cells = api.count_cells(
        view.wh,
        table=q["table"],
        dims=("county", "aor", *(["method", "flagged"] if measure != "events" else [])),
        start=date.fromisoformat(q["start"]),
        end=date.fromisoformat(q["end"]),
    ).to_pylist()
    figs = Figures(cells)
    part = PARTS.get(measure, lambda c: True)
    for r, row in enumerate(view.tables["counties"].to_pylist()):
        fips = row["fips"]
        figs.add("counties", r, "events", row["events"], county=fips)
        figs.add("counties", r, "measure", row["measure"], part, county=fips)
    for r, row in enumerate(view.tables["aors"].to_pylist()):
        aor = None if row["aor"] == "(blank)" else row["aor"]
        figs.add("aors", r, "events", row["events"], aor=aor)
        figs.add(
            "aors", r, "placed_in_county", row["placed_in_county"],
            lambda c: c["county"] is not None, aor=aor,
        )  # fmt: skip
    labels = figs.solve(k)
    derived = {
        "counties": {"value": ("events", "measure")},
        "aors": {"placed_share": ("events", "placed_in_county")},
    }
    return _apply(view, labels, derived, {"counties": ("aor_events",)})


# -- detected operations ----------------------------------------------------------------------


def _detect(view: View, k: int) -> View:
    ops = view.tables["operations"].to_pylist()
    episodes = view.tables.get("episodes")
    rows = episodes.to_pylist() if episodes is not None else []
    # base cells: the episodes (an operation's observed count is the sum of its episodes')
    cells = [{"i": i, "n": e["observed"], **e} for i, e in enumerate(rows)]
    figs = Figures(cells)
    for r, e in enumerate(rows):
        figs.add("episodes", r, "observed", e["observed"], i=r)
    for r, op in enumerate(ops):
        figs.add("operations", r, "observed", op["observed"], operation=op["rank"])
    labels = figs.solve(k)
    derived = {
        t: {c: ("observed",) for c in ("expected", "excess", "excess_low", "excess_high")}
        for t in ("operations", "episodes")
    }
    return _apply(view, labels, derived)


# -- what is safe as it is -----------------------------------------------------------------------


def _overview(view: View, k: int) -> View:
    """The counts by AOR and fiscal year, by AOR, and in all are protected together; the
    other tables' totals alone. A release's rows are the file's own (what ICE published);
    the rows each counts are left out (with the totals they would give a cell away)."""
    cells = api.count_cells(view.wh, dims=("aor", "fiscal_year")).to_pylist()
    figs = Figures(cells)
    for r, row in enumerate(view.tables["coverage"].to_pylist()):
        figs.add(
            "coverage", r, "arrests", row["arrests"], aor=row["aor"], fiscal_year=row["fiscal_year"]
        )
    for r, row in enumerate(view.tables["placement"].to_pylist()):
        aor = None if row.get("aor") == "(blank)" else row.get("aor")
        figs.add("placement", r, "events", row.get("events"), aor=aor)
    totals = dict(view.data["tables"])
    figs.add("totals", 0, "arrests", totals.get("arrests"))
    labels = figs.solve(k)
    for name, n in totals.items():
        if name == "arrests":
            totals[name] = labels.get(("totals", 0, "arrests"), str(n))
        elif n is not None and 0 < n < k:
            totals[name] = suppress.primary_marker(k)
    placement_parts = [
        c for c in view.tables["placement"].column_names if c not in ("aor", "events")
    ]
    out = _apply(view, labels, {}, {"placement": placement_parts, "releases": ("counted_rows",)})
    out.data = {**out.data, "tables": totals}
    return out


def _provenance(view: View, k: int) -> View:
    """Files, checksums, validation and licenses are about the releases, not people. What
    counts events by AOR (rows each release counts, overlaps, disagreements, record links)
    is left out: with the overview's totals it would give cells away."""
    keep = {
        n: t
        for n, t in view.tables.items()
        if n not in ("overlaps", "disagreements", "record_links")
    }
    if "releases" in keep:
        keep["releases"] = keep["releases"].drop_columns(
            [c for c in ("counted_rows",) if c in keep["releases"].column_names]
        )
    return replace(view, tables=keep)


def _as_is(view: View, k: int) -> View:
    return view


def _claims(view: View, k: int) -> View:
    """A reading's value is a count, a share or a bound: a count below k is shown as "<k"
    and its bounds with it."""
    marker = suppress.primary_marker(k)
    claims = []
    for c in view.data["claims"]:
        readings = []
        for r in c["readings"]:
            r = dict(r)
            counts = r["measure"] in ("count", "distinct", "difference", "excess")
            for f in ("value", "low", "high"):
                v = r.get(f)
                if counts and isinstance(v, (int, float)) and 0 < abs(v) < k:
                    r[f] = marker
            readings.append(r)
        claims.append({**c, "readings": readings})
    table = view.tables["readings"].to_pylist()
    for row in table:
        counts = row["measure"] in ("count", "distinct", "difference", "excess")
        for f in ("value", "low", "high"):
            v = row.get(f)
            if counts and isinstance(v, (int, float)) and 0 < abs(v) < k:
                row[f] = marker
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if f.name in ("value", "low", "high") else f
         for f in view.tables["readings"].schema]
    )  # fmt: skip
    rows = [{**r, **{f: _as(pa.string(), r[f]) for f in ("value", "low", "high")}} for r in table]
    return replace(
        view,
        data={**view.data, "claims": claims},
        tables={"readings": pa.Table.from_pylist(rows, schema=schema)},
    )


_PROTECT: dict[str, Callable[[View, int], View]] = {
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
