"""What each page shows, as data: the JSON twin of every page is this, and the page is this
rendered. Each function reads request parameters (strings, as typed), asks the API and
returns plain dicts and Arrow tables; the analysis is the API's (the overview's few totals
are plain SQL over the public views, through ``api.sql``).

A parameter that does not fit is an :class:`InputError` naming it (``from``, ``aor``...),
which the app turns into a 400 and an inline message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from icefacts._lazy import lazy_import
from icefacts.days import parse_day
from icefacts.errors import IcefactsError, InputError, NotFound

if TYPE_CHECKING:
    from icefacts import api, charts
    from icefacts.warehouse import Warehouse
else:
    api = lazy_import("icefacts.api")
    charts = lazy_import("icefacts.charts")

ATLAS_URL = "/static/atlas/counties.json"  # the map's boundaries, served by the app
_CODE = re.compile(r"^[A-Za-z0-9]{2,5}$")
MAX_LIST = 60  # places in one list parameter


@dataclass
class View:
    """One page's content: ``data`` is its JSON twin; ``tables`` download as files."""

    title: str
    data: dict[str, Any]
    tables: dict[str, pa.Table] = field(default_factory=dict)
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)
    main: str = ""  # the table a download gives by default
    # the charts, drawn from the tables as published (after any suppression)
    chart_fn: Callable[[dict[str, pa.Table]], dict[str, dict[str, Any]]] | None = None
    kind: str = ""  # which page: how publish mode protects it (``web/protect.py``)
    wh: Any = field(default=None, repr=False, compare=False)  # while it is being published


# every query parameter a view reads (any other is ignored, and kept out of cache keys)
PARAMETERS = frozenset(
    (
        "from", "to", "on", "aor", "state", "county", "policy", "by", "per", "measure",
        "events", "baseline_weeks", "shipped", "level", "whole_weeks", "series",
    )
)  # fmt: skip
MAX_WINDOW_DAYS = 366  # an operation window (its baseline adds weeks before it)


def for_public(p: dict[str, str]) -> dict[str, str]:
    """A public server's parameters, in the terms of the table it publishes from
    (``web/grid.py``): windows widened to whole weeks, Monday to Sunday; the explorer's
    series by week; the map by AOR. What a visitor gave for these is still checked."""
    choice(p.get("whole_weeks"), "whole_weeks", ("0", "1"), "1")
    choice(p.get("series"), "series", ("day", "week"), "week")
    choice(p.get("level"), "level", ("county", "aor"), "aor")
    return {**p, "whole_weeks": "1", "series": "week", "level": "aor"}


def window(p: dict[str, str], wh: Warehouse) -> tuple[date, date]:
    """The window ``from``-``to`` a page asks for (four days from ``from`` without ``to``;
    the default window without either), widened to whole weeks with ``whole_weeks=1``."""
    d_from, d_to = default_window(wh)
    start = day(p.get("from"), "from", d_from)
    end = day(p.get("to"), "to", d_to if start == d_from else start + timedelta(days=3))
    if choice(p.get("whole_weeks"), "whole_weeks", ("0", "1"), "0") == "1":
        start -= timedelta(days=start.weekday())
        end += timedelta(days=6 - end.weekday())
    return start, end


def day(value: str | None, name: str, default: date | None = None) -> date:
    if value is None or value == "":
        if default is None:
            raise InputError(f"{name}: give a date like 2017-09-24")
        return default
    return parse_day(value, name)


def default_window(wh: Warehouse) -> tuple[date, date]:
    """The window a page opens on: Operation Safe City's four days when the loaded arrests
    hold them, else the last four days they hold."""
    first, last = span(wh)
    safe_city = (date(2017, 9, 24), date(2017, 9, 27))
    if first <= safe_city[0] and safe_city[1] <= last:
        return safe_city
    return max(first, last - timedelta(days=3)), last


def code_list(value: str | None, name: str) -> tuple[str, ...]:
    if not value:
        return ()
    got = tuple(p.strip().upper() for p in value.split(",") if p.strip())
    if len(got) > MAX_LIST:
        raise InputError(f"{name}: at most {MAX_LIST} codes")
    for g in got:
        if not _CODE.match(g):
            raise InputError(f"{name}: {g[:20]!r} is not a code")
    return got


def choice(value: str | None, name: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(allowed)}, not {value[:40]!r}")
    return value


def whole(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {value[:40]!r}") from None
    if not low <= n <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {n}")
    return n


def span(wh: Warehouse) -> tuple[date, date]:
    """The days the loaded arrests cover (what a page shows when no window is asked)."""
    rows = api.sql(
        wh,
        "SELECT min(period_start) AS a, max(period_end) AS b FROM release_coverage "
        "WHERE table_name = 'arrests'",
    ).to_pylist()
    a, b = (rows[0]["a"], rows[0]["b"]) if rows else (None, None)
    if a is None or b is None:
        raise InputError("the warehouse holds no arrests yet: run `icefacts demo` first")
    return a, b


# -- overview and provenance -----------------------------------------------------------------


def overview(wh: Warehouse) -> View:
    releases = api.releases(wh).drop_columns(["file_path"])
    cells = api.count_cells(wh, dims=("aor", "fiscal_year")).to_pylist()
    coverage = pa.Table.from_pylist(
        sorted(
            (
                {"aor": c["aor"], "fiscal_year": c["fiscal_year"], "arrests": c["n"]}
                for c in cells
                if c["aor"] is not None
            ),
            key=lambda c: (c["aor"], c["fiscal_year"] is None, c["fiscal_year"] or 0),
        ),
        schema=pa.schema(
            [("aor", pa.string()), ("fiscal_year", pa.int64()), ("arrests", pa.int64())]
        ),
    )
    validation = api.validation_report(wh)
    failed = validation.filter(pc.not_equal(validation["status"], "pass"))
    try:
        placed = api.placement_coverage(wh)
    except InputError:
        placed = pa.table({"aor": pa.array([], pa.string())})
    totals = api.sql(
        wh,
        "SELECT 'arrests' AS table_name, count(*) AS rows FROM arrests UNION ALL "
        "SELECT 'detainers', count(*) FROM detainers UNION ALL "
        "SELECT 'encounters', count(*) FROM encounters UNION ALL "
        "SELECT 'detentions', count(*) FROM detentions UNION ALL "
        "SELECT 'removals', count(*) FROM removals",
    )
    fys = sorted({r["fiscal_year"] for r in coverage.to_pylist() if r["fiscal_year"]})
    data = {
        "releases": releases.num_rows,
        "fiscal_years": fys,
        "totals": {r["table_name"]: r["rows"] for r in totals.to_pylist()},
        "validation_not_passed": failed.num_rows,
        "fingerprint": api.warehouse_fingerprint(wh),
    }
    return View(
        "What is loaded",
        data,
        {
            "releases": releases,
            "coverage": coverage,
            "placement": placed,
            "validation": failed,
        },
        main="releases",
        kind="overview",
    )


def provenance(wh: Warehouse) -> View:
    releases = api.releases(wh).drop_columns(["file_path"])
    over = api.overlaps(wh)
    sources = (
        api.sql(wh, "SELECT * FROM reference_sources ORDER BY dataset")
        if _has(wh, "reference_sources")
        else pa.table({"dataset": pa.array([], pa.string())})
    )
    links = (
        api.sql(wh, "SELECT * FROM link_summary ORDER BY ALL")
        if _has(wh, "link_runs")
        else pa.table({"run_id": pa.array([], pa.string())})
    )
    return View(
        "Provenance",
        {"fingerprint": api.warehouse_fingerprint(wh), "releases": releases.num_rows},
        {
            "releases": releases,
            "overlaps": over.summary,
            "disagreements": over.disagreements,
            "validation": api.validation_report(wh),
            "reference_datasets": api.reference_datasets(),
            "reference_loaded": sources,
            "record_links": links,
        },
        main="releases",
        kind="provenance",
    )


def _has(wh: Warehouse, table: str) -> bool:
    return bool(wh.engine.has_table(table))


# -- answers ---------------------------------------------------------------------------------


def operation(wh: Warehouse, p: dict[str, str]) -> View:
    first, last = span(wh)
    start, end = window(p, wh)
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise InputError(
            f"from {start} to {end}: an operation window of at most {MAX_WINDOW_DAYS} days "
            "(use the trend for longer spans)"
        )
    by = choice(p.get("by"), "by", ("total", "aor", "state", "county", "day"), "aor")
    measure = choice(
        p.get("measure"),
        "measure",
        ("arrests", "operation_flagged", "at_large"),
        "operation_flagged",
    )
    policy = p.get("policy") or None
    q = api.operation_question(
        start=start,
        end=end,
        aors=code_list(p.get("aor"), "aor"),
        states=code_list(p.get("state"), "state"),
        counties=code_list(p.get("county"), "county"),
        by=by,
        baseline_weeks=whole(p.get("baseline_weeks"), "baseline_weeks", 6, 2, 52),
        policy=policy,
        policy_on=day(p.get("on"), "on") if policy else None,
    )
    answer = api.operation(wh, q)
    # the daily series around the window: the baseline weeks before it and a week after
    # (a weekly series over whole weeks with series=week)
    series = choice(p.get("series"), "series", ("day", "week"), "day")
    series_from = max(first, start - timedelta(weeks=q.baseline_weeks))
    series_to = min(last, end + timedelta(days=7))
    if series == "week":
        series_from = start - timedelta(weeks=q.baseline_weeks)
        series_to = end + timedelta(days=7)
    trend = api.trend(
        wh,
        api.trend_question(
            measure=measure,
            by=series,
            start=series_from,
            end=series_to,
            aors=q.aors,
            states=q.states,
            counties=q.counties,
            policy=q.policy,
            policy_on=q.policy_on,
            releases=q.releases,
        ),
    )
    key = by if by != "total" else "place"
    view = View(
        "Operation explorer",
        {**answer.to_dict(), "measure": measure, "rows": answer.table.num_rows},
        {"report": answer.table, "daily": trend.table, **answer.tables},
        main="report",
        kind="operation",
    )

    def draw(t: dict[str, pa.Table]) -> dict[str, dict[str, Any]]:
        rows = [r for r in t["report"].to_pylist() if r.get(key) != "total"]
        return {
            "daily": charts.daily(
                t["daily"].to_pylist(), measure, start.isoformat(), end.isoformat(), brush=True
            ),
            "excess": charts.excess(rows, key, measure),
        }

    view.chart_fn = draw
    return view


def detect(wh: Warehouse, p: dict[str, str]) -> View:
    q = api.detect_question(
        start=day(p.get("from"), "from") if p.get("from") else None,
        end=day(p.get("to"), "to") if p.get("to") else None,
        measure=choice(
            p.get("measure"),
            "measure",
            ("operation_flagged", "at_large", "arrests"),
            "operation_flagged",
        ),
    )
    answer = api.detect(wh, q)
    return View(
        "Detected operations",
        answer.to_dict(),
        {"operations": answer.table, **answer.tables},
        main="operations",
        kind="detect",
    )


def trend(wh: Warehouse, p: dict[str, str]) -> View:
    per = p.get("per") or None
    q = api.trend_question(
        measure=choice(p.get("measure"), "measure", TREND_MEASURES, "arrests"),
        by=choice(p.get("by"), "by", ("day", "week", "month", "fiscal_year"), "month"),
        per=choice(per, "per", ("aor", "state", "county"), "aor") if per else None,
        start=day(p.get("from"), "from") if p.get("from") else None,
        end=day(p.get("to"), "to") if p.get("to") else None,
        aors=code_list(p.get("aor"), "aor"),
        states=code_list(p.get("state"), "state"),
        counties=code_list(p.get("county"), "county"),
    )
    answer = api.trend(wh, q)
    view = View(
        "Trend",
        answer.to_dict(),
        {"trend": answer.table, **answer.tables},
        main="trend",
        kind="trend",
    )
    view.chart_fn = lambda t: {
        "trend": charts.trend(
            t["trend"].to_pylist(),
            q.measure,
            t["policy_dates"].to_pylist() if "policy_dates" in t else [],
            per=q.per,
        )
    }
    return view


TREND_MEASURES = (
    "arrests",
    "at_large",
    "custodial",
    "operation_flagged",
    "convicted",
    "at_large_share",
    "operation_share",
    "convicted_share",
)


def county_map(wh: Warehouse, p: dict[str, str], atlas_url: str) -> View:
    start, end = window(p, wh)
    policy = p.get("policy") or None
    events = p.get("events")
    q = api.map_question(
        start=start,
        end=end,
        table=choice(events, "events", ("arrests", "detainers"), "arrests"),
        measure=choice(
            p.get("measure"), "measure", ("events", "at_large", "operation_flagged"), "events"
        ),
        per=choice(p.get("per"), "per", ("per_100k", "raw", "share"), "per_100k"),
        level=choice(p.get("level"), "level", ("county", "aor"), "county"),
        policy=policy,
        policy_on=day(p.get("on"), "on", end) if policy else None,
    )
    answer = api.county_map(wh, q)
    view = View(
        "Map",
        answer.to_dict(),
        {"counties": answer.table, **answer.tables},
        main="counties",
        kind="map",
    )
    title = {"per_100k": "per 100,000", "raw": "count", "share": "share"}[q.per]
    view.chart_fn = lambda t: {
        "map": charts.county_map(
            t["counties"].to_pylist(),
            atlas_url,
            value_title=f"{q.measure.replace('_', ' ')} {title}",
            policy_rows=t["policy"].to_pylist() if "policy" in t else (),
        )
    }
    return view


def place(wh: Warehouse, key: str, p: dict[str, str]) -> View:
    if len(key) > 80:
        raise InputError("place: at most 80 characters")
    try:  # the policies on the last day the loaded arrests hold, unless asked otherwise
        default_on = span(wh)[1]
    except InputError:
        default_on = date.today()
    on = day(p.get("on"), "on", default_on)
    try:
        rep = api.place_report(wh, key, on)
    except IcefactsError as exc:
        if exc.message.startswith("not a place"):
            raise NotFound(exc.message) from None
        raise
    data = rep.to_dict()
    kind, code = rep.place.kind, rep.place.code
    selection: dict[str, Any] = {}
    if kind == "aor":
        selection["aors"] = (code,)
    elif kind == "state" and rep.place.state:
        selection["states"] = (rep.place.state,)
    elif kind == "county":
        selection["counties"] = (code,)
    per = "state" if kind == "state" else kind
    answer = api.trend(wh, api.trend_question(measure="arrests", by="month", per=per, **selection))
    view = View(
        rep.place.name,
        data,
        {
            "events_by_year": rep.events_by_year,
            "policies": rep.policies_table(),
            "rulings": rep.rulings_table(),
            "agreements_287g": rep.agreements_287g,
            "trend": answer.table,
            **answer.tables,
        },
        main="events_by_year",
        kind="place",
    )
    view.chart_fn = lambda t: {
        "trend": charts.trend(
            t["trend"].to_pylist(),
            "arrests",
            t["policy_dates"].to_pylist() if "policy_dates" in t else [],
            per=per,
            title="arrests per month, policy effective dates marked",
        )
    }
    return view


def codebook() -> View:
    return View("Codebook", {"markdown": api.codebook()}, kind="codebook")


SAFE_CITY_AORS = "BAL,BOS,CHI,DEN,LOS,NYC,PHI,SEA,SFR,WAS"


def claims(wh: Warehouse, name: str, text: str | None, *, loaded: Any = None) -> View:
    """Check a shipped claim file (``name``) or one given as text (pasted or uploaded), or
    one already read (``loaded``, from a path the command line named)."""
    label = name if (text is not None or loaded is not None) else f"{name}.yaml"
    if loaded is None and text is not None:
        loaded = api.load_claims(name, text)
    elif loaded is None:
        loaded = api.load_claims(api.shipped_claim_file(name))
    result = api.check(wh, loaded)
    # a file's name, not a path on this machine
    result.path = label
    return View(
        result.title or "Claims",
        result.to_dict(),
        {"readings": result.table()},
        main="readings",
        kind="claims",
    )
