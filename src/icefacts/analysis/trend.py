"""A measure over time: per day, week, month or fiscal year, in total or per place, with the
dates of the policies that apply to those places (the web charts draw them as rules).

Every period of the span is a row, with zero where nothing was recorded but the releases
cover it, and ``covered_days`` says how many of its days the loaded releases cover (a period
only partly covered is marked, never silently short). Fiscal years run October to September.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
from pydantic import model_validator

from icefacts.analysis.base import Answer, Definition, sql_date
from icefacts.analysis.selection import (
    MEASURE_SQL,
    NEEDS,
    Selection,
    aors_covering,
    conviction_unrecorded,
    convictions_only,
    counting,
    covered_days,
    covered_span,
    fields_held,
    lack_columns,
    lacking,
    outside_caveat,
    place_filter,
    policy_counties,
    source,
    unplaced,
)
from icefacts.caveats import Caveat
from icefacts.warehouse.engine import Reader

if TYPE_CHECKING:
    from icefacts.policies import Registry

# share measures: numerator / arrests
SHARES = {
    "at_large_share": "at_large",
    "custodial_share": "custodial",
    "operation_share": "operation_flagged",
    "convicted_share": "convicted",
}
MEASURES = (*(m for m in MEASURE_SQL if m != "countries"), *SHARES)
# A period is found in two steps: a key per row that is cheap to compute and group on (a
# date_trunc timestamp; casting each row's back to a date cost more than the scan: 65 ms
# against 25 ms at 10M rows), then the period's first day from the key, once per group.
_PERIOD_KEY_SQL = {
    "day": "apprehension_date",
    "week": "date_trunc('week', apprehension_date)",  # weeks start on Monday
    "month": "date_trunc('month', apprehension_date)",
    # 92 days after 1 October is 1 January: the fiscal year is the calendar year 92 days on
    "fiscal_year": "date_trunc('year', apprehension_date + INTERVAL 92 DAY)",
}
_PERIOD_START_SQL = {
    "day": "k",
    "week": "CAST(k AS DATE)",
    "month": "CAST(k AS DATE)",
    "fiscal_year": "make_date(year(k) - 1, 10, 1)",  # the fiscal year starts 1 October before
}
_PER_SQL = {"aor": "aor", "state": "state", "county": "county_fips"}


class TrendQuestion(Selection):
    measure: str = "arrests"
    by: Literal["day", "week", "month", "fiscal_year"] = "month"
    per: Literal["aor", "state", "county"] | None = None  # one series per place
    start: date | None = None  # default: what the loaded releases cover
    end: date | None = None

    @model_validator(mode="after")
    def _check(self) -> TrendQuestion:
        if self.measure not in MEASURES:
            raise ValueError(f"--measure {self.measure!r}: one of {', '.join(MEASURES)}")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        return self


def period_of(by: str, d: date) -> date:
    if by == "day":
        return d
    if by == "week":
        return d - timedelta(days=d.weekday())
    if by == "month":
        return d.replace(day=1)
    return date(d.year if d.month >= 10 else d.year - 1, 10, 1)


def next_period(by: str, d: date) -> date:
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    if by == "month":
        return date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date(d.year + 1, 10, 1)


def label(by: str, start: date) -> str:
    if by == "fiscal_year":
        return f"FY{start.year + 1}"
    if by == "month":
        return start.strftime("%Y-%m")
    if by == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def trend(engine: Reader, q: TrendQuestion, registry: Registry | None = None) -> Answer:
    scopes, first, last = covered_span(engine, q, q.start, q.end)
    caveats: list[Caveat] = []
    in_policy = None
    if q.policy is not None:
        in_policy = policy_counties(engine, q, registry)
        caveats += [
            Caveat("policy_registry_scope"),
            Caveat("policy_counties", {"n": len(in_policy)}),
        ]
    where = place_filter(q, in_policy)
    src = source(q)
    per = _PER_SQL[q.per] if q.per else "'all'"
    base = SHARES.get(q.measure, q.measure)
    need = NEEDS.get(base)
    cnt = counting(engine, q, first, last)
    used = cnt.used
    held = fields_held(engine)
    fields = [need, "criminality"] if need == "conviction" else [need] if need else []
    lacks = lack_columns(held, fields=fields, used=used) if need else "0 AS lacks_none"
    lack_names = [f"lacks_{f}" for f in fields] if need else ["lacks_none"]
    sums = ", ".join(f"CAST(sum({c}) AS BIGINT) AS {c}" for c in ("value", "arrests", *lack_names))
    sql = f"""
        SELECT {_PERIOD_START_SQL[q.by]} AS period_start, place, {sums}
        FROM (
            SELECT {_PERIOD_KEY_SQL[q.by]} AS k, {per} AS place,
                   {MEASURE_SQL[base]} AS value, count(*) AS arrests,
                   {lacks}
            FROM {src} e
            WHERE apprehension_date BETWEEN {sql_date(first)} AND {sql_date(last)} AND {where}
            GROUP BY ALL
        ) periods
        GROUP BY ALL
    """
    got = {(r["period_start"], r["place"]): r for r in engine.query(sql).to_pylist()}
    asked = {"aor": q.aors, "state": q.states, "county": q.counties}.get(q.per or "", ())
    found = {p for _, p in got}
    places = sorted(found | set(asked), key=lambda v: (v is None, str(v))) or ["all"]
    rows: list[dict] = []
    if cnt.synthetic is not None:
        caveats.append(cnt.synthetic)
    partly = none = 0
    some: list[set[str]] = []
    p = period_of(q.by, first)
    while p <= last:
        end = next_period(q.by, p) - timedelta(days=1)
        lo, hi = max(p, first), min(end, last)
        for place in places:
            aor = place if q.per == "aor" and isinstance(place, str) else ""
            if q.aors and not aor:
                covered = min(covered_days(scopes, a, lo, hi) for a in q.aors)
            else:
                covered = covered_days(scopes, aor, lo, hi)
            r = got.get((p, place))
            days = (hi - lo).days + 1
            if r is None:
                value: float | int | None = 0 if covered else None
                arrests: int | None = 0 if covered else None
            elif (need and r[f"lacks_{need}"]) or (
                need == "conviction"
                and conviction_unrecorded(r["value"], r["lacks_criminality"], r["arrests"])
            ):
                value, arrests = None, r["arrests"]
            else:
                value, arrests = r["value"], r["arrests"]
            if q.measure in SHARES and value is not None:
                value = round(value / arrests, 4) if arrests else None
            # (covered 0 with rows: only releases of some AORs hold the period, as the UW
            # v. DHS production holds Seattle's years before the national files)
            if 0 < covered < days:
                partly += 1
            elif covered == 0 and r is None:
                none += 1
            elif covered == 0 and not aor and not q.aors:
                # rows, but no release of every AOR covers the period: only some AORs' (the
                # UW v. DHS production holds Seattle's years before the national files)
                some.append(set(aors_covering(scopes, lo, hi)))
            elif covered == 0:  # rows of some of the places asked only
                partly += 1
            row = {"period": label(q.by, p), "period_start": lo, "period_end": hi}
            row[q.per or "place"] = place if q.per else selection_label(q)
            row["arrests"] = arrests
            row[q.measure] = value
            row["days"], row["covered_days"] = days, covered
            rows.append(row)
        p = next_period(q.by, p)
    if partly:
        caveats.append(Caveat("periods_partly_covered", {"n": partly}))
    if none:
        caveats.append(Caveat("periods_not_covered", {"n": none}))
    if some:
        only = sorted(set().union(*some))
        caveats.append(Caveat("periods_some_aors", {"n": len(some), "aors": ", ".join(only)}))
    caveats += cnt.caveats
    if (q.start is None or q.end is None) and (
        note := outside_caveat(cnt, q, first, last)
    ) is not None:
        caveats.append(note)
    if (note := unplaced(engine, q, q.per, first, last)) is not None:
        caveats.append(note)
    for f, rels in sorted(lacking(held, used).items()):
        if f == need:
            caveats.append(Caveat("field_missing_in_release", {"field": f, "releases": rels}))
    if need == "conviction" and (msc := convictions_only(held, used)):
        caveats.append(Caveat("criminality_convictions_only", {"releases": msc}))
    value_type = pa.float64() if q.measure in SHARES else pa.int64()
    schema = pa.schema(
        [
            ("period", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            (q.per or "place", pa.string()),
            *([] if q.measure == "arrests" else [("arrests", pa.int64())]),
            (q.measure, value_type),
            ("days", pa.int32()),
            ("covered_days", pa.int32()),
        ]
    )
    return Answer(
        question=q,
        table=pa.Table.from_pylist(rows, schema=schema),
        caveats=caveats,
        releases_used=used,
        releases_set_aside=cnt.set_aside,
        definitions=[
            Definition("period", "day, Monday-start week, month or fiscal year (Oct-Sep)"),
            Definition("covered_days", "days of the period the loaded releases cover"),
            Definition(q.measure, _meaning(q.measure)),
        ],
        sql=[" ".join(sql.split())],
        tables={"policy_dates": policy_dates(engine, q, places, registry)},
    )


def selection_label(q: TrendQuestion) -> str:
    """What one series without --per is of: the AORs, states or counties asked (joined by
    '+'), or 'all'."""
    parts = [*q.aors, *q.states, *q.counties]
    return "+".join(parts) if parts else "all"


def _meaning(measure: str) -> str:
    if measure in SHARES:
        return f"{SHARES[measure]} / arrests in the period"
    return f"{measure} in the period (docs/analysis.md)"


_POLICY_SCHEMA = pa.schema(
    [
        ("place", pa.string()),
        ("policy_id", pa.string()),
        ("jurisdiction", pa.string()),
        ("level", pa.string()),
        ("types", pa.list_(pa.string())),
        ("starts", pa.date32()),
        ("ends", pa.date32()),
        ("date_basis", pa.string()),
    ]
)


def policy_dates(
    engine: Reader, q: TrendQuestion, places: list, registry: Registry | None
) -> pa.Table:
    """The registry's instruments that apply to the places of the series, with the day each
    starts (and ends): the earliest day a fuzzy date allows."""
    from icefacts.places.states import state
    from icefacts.policies import default_registry

    reg = registry or default_registry()
    # place -> the FIPS prefixes (state) and county codes that lie in it
    areas: dict[str, tuple[set[str], set[str]]] = {}
    targets = [p for p in places if isinstance(p, str) and p != "all"] if q.per else []
    if not q.per:
        targets = ["all"]
    for place in targets:
        states: set[str] = set()
        counties: set[str] = set()
        if q.per == "state" or (place == "all" and q.states):
            for usps in [place] if q.per == "state" else q.states:
                st = state(usps)
                if st:
                    states.add(st.fips)
        if q.per == "county":
            counties.add(place)
        elif place == "all":
            counties |= set(q.counties)
        if q.per == "aor" or (place == "all" and q.aors):
            counties |= _aor_counties(engine, [place] if q.per == "aor" else list(q.aors))
        areas[place] = (states, counties)
    rows = []
    for e in reg:
        start = e.start
        if start is None or not e.in_force:
            continue
        for place, (states, counties) in areas.items():
            inside = (
                e.fips[:2] in states
                or (e.level == "state" and any(c[:2] == e.fips for c in counties))
                or e.fips in counties
                or any(c in counties for c in e.counties)
            )
            if inside:
                rows.append(
                    {
                        "place": place if q.per else selection_label(q),  # as the series
                        "policy_id": e.id,
                        "jurisdiction": e.jurisdiction,
                        "level": e.level,
                        "types": list(e.types),
                        "starts": start.earliest,
                        "ends": e.end.earliest if e.end else None,
                        "date_basis": e.start_basis,
                    }
                )
    rows.sort(key=lambda r: (r["place"], r["starts"], r["policy_id"]))
    return pa.Table.from_pylist(rows, schema=_POLICY_SCHEMA)


def _aor_counties(engine: Reader, aors: list[str]) -> set[str]:
    if not aors or not engine.has_table("county_aor"):
        return set()
    from icefacts.analysis.selection import quoted

    return set(
        engine.query(f"SELECT DISTINCT fips FROM county_aor WHERE aor IN ({quoted(tuple(aors))})")
        .column(0)
        .to_pylist()
    )
