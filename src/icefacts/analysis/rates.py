"""Events per 100,000 residents, by place or by the policy in force on a date.

Counts come from events placed in a county (every row says how it was placed); the
denominator is the Census estimate for the right year (an AOR's population is the sum of its
counties). Events that cannot be placed finer than their AOR are reported in their own row,
never silently dropped from the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from icefacts.analysis.overlaps import window_caveats
from icefacts.analysis.place_report import listed_agreements, policy_type, require_places
from icefacts.errors import InputError
from icefacts.policies import Registry, policy_status
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse.engine import Engine, Reader

GROUPS = ("in force", "city only", "uncertain date", "not in force")


def population_year(engine: Engine, start: date, end: date) -> tuple[int, list[str]]:
    """The estimate year for a window: the year holding its middle (FY2017, 2016-10-01..
    2017-09-30, uses the July 2017 estimate), or the latest before it."""
    want = (start + (end - start) / 2).year
    row = engine.query(
        "SELECT max(year) AS y FROM county_population WHERE year <= ?", [want]
    ).to_pylist()[0]
    got = int(row["y"]) if row["y"] is not None else want
    caveats = [] if got == want else [f"population is the {got} estimate (none for {want})"]
    return got, caveats


def place_rates(
    engine: Engine, *, table: str = "arrests", by: str, start: date, end: date
) -> RateResult:
    """Events in [start, end] per 100k residents by AOR, state or county, by placement."""
    require_places(engine)
    _check_window(table, start, end)
    date_field = EVENT_TABLES[table].date_field
    pop_year, caveats = population_year(engine, start, end)
    if by == "aor":
        key, pop_sql = (
            "e.aor",
            (
                "SELECT aor AS place, population FROM aor_population "
                "WHERE year = ? AND complete AND as_of = (SELECT coalesce(max(as_of) FILTER "
                "(WHERE as_of <= ?), min(as_of)) FROM aor_population)"
            ),
        )
        params: list[object] = [pop_year, end]
    elif by == "state":
        key, pop_sql = (
            "e.place_state",
            (
                "SELECT c.state AS place, sum(p.population)::BIGINT AS population "
                "FROM county_population p JOIN counties c USING (fips) "
                "WHERE p.year = ? GROUP BY ALL"
            ),
        )
        params = [pop_year]
    elif by == "county":
        key, pop_sql = (
            "e.county_fips",
            ("SELECT fips AS place, population FROM county_population WHERE year = ?"),
        )
        params = [pop_year]
    else:
        raise InputError(f"--by must be aor, state or county, not {by!r}")
    result = engine.query(
        f"""
        WITH ev AS (
            SELECT {key} AS place, e.place_method,
                   count(*) FILTER (WHERE e.duplicate_of IS NULL) AS events,
                   count(e.duplicate_of) AS flagged_duplicates
            FROM {table}_all e
            WHERE e.{date_field} BETWEEN ? AND ? AND e.shadowed_by IS NULL
            GROUP BY ALL
        ), pop AS ({pop_sql})
        SELECT coalesce(ev.place, '(not placed)') AS place,
               string_agg(DISTINCT ev.place_method, ', ' ORDER BY ev.place_method)
                   AS placed_by,
               sum(ev.events)::BIGINT AS events,
               sum(ev.flagged_duplicates)::BIGINT AS flagged_duplicates,
               any_value(pop.population) AS population,
               round(100000.0 * sum(ev.events) / nullif(any_value(pop.population), 0), 2)
                   AS per_100k
        FROM ev LEFT JOIN pop ON pop.place = ev.place
        GROUP BY ALL ORDER BY events DESC
        """,
        [start, end, *params],
    )
    caveats.append(
        "events exclude rows flagged as likely duplicates (counted in flagged_duplicates)"
    )
    caveats += window_caveats(engine, table, start, end)
    caveats += _uneven_coverage(engine, table, start, end)
    if by != "aor":
        caveats.append(
            "only events placed at least to that level are counted under a place; the rest "
            "are in '(not placed)'"
        )
    return RateResult(result, f"by {by}", end, start, end, pop_year, caveats)


def _uneven_coverage(engine: Engine, table: str, start: date, end: date) -> list[str]:
    """A caveat when some AORs are covered for more days of the window than the rest: a
    release of some AORs (the UW v. DHS production, Seattle's 2012-2019) beside releases of
    every AOR that cover less of it makes rates of unequal spans."""
    rows = engine.query(
        f"""
        SELECT aors IS NULL AS every_aor, array_to_string(list_sort(aors), ',') AS aors,
               sum(least(period_end, DATE '{end}') - greatest(period_start, DATE '{start}') + 1)
                   AS days
        FROM (SELECT DISTINCT release_id, aors, period_start, period_end FROM release_coverage
              WHERE table_name = '{table}' AND period_start <= DATE '{end}'
                AND period_end >= DATE '{start}')
        GROUP BY ALL
        """
    ).to_pylist()
    every = max((int(r["days"]) for r in rows if r["every_aor"]), default=0)
    want = (end - start).days + 1
    if every >= want:
        return []
    more = [r["aors"] for r in rows if not r["every_aor"] and int(r["days"]) > every]
    if not more:
        return []
    return [
        f"uneven coverage: releases of every AOR cover {every:,} of the window's {want:,} days, "
        f"releases of {', '.join(more)} more of them; those AORs' rates rest on more days"
    ]


def _check_window(table: str, start: date, end: date) -> None:
    if table not in EVENT_TABLES or table == "removals":
        raise InputError("rates are for placed tables: arrests, encounters, detainers, detentions")
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")


def agreements_in_force(engine: Reader, on: date) -> dict[str, list[str]]:
    """County FIPS -> 287(g) agreements (agency: model) on ICE's published participating
    lists that were signed by ``on``. The lists are 2025 snapshots: an agreement that ended
    before its snapshot is not in them, so for earlier dates this is a lower bound."""
    return {
        fips: [f"{agency} ({model})" for agency, model in agreements]
        for fips, agreements in listed_agreements(engine, on).items()
    }


def county_policy_groups(engine: Reader, registry: Registry, policy: str, on: date) -> pa.Table:
    """Every county with the group the policy puts it in on ``on``.

    ``in force``: a state- or county-level instrument of that type applies (certainly), or,
    for 287(g), an agency in the county is on ICE's participating list, signed by ``on``;
    ``city only``: only a city within the county has one (the county's own jail may not);
    ``uncertain date``: an instrument applies only if an imprecise date falls the right way;
    ``not in force``: none is registered (an absence in the registry, not proof of none).
    """
    ptype = policy_type(policy)
    counties = engine.query("SELECT fips FROM counties ORDER BY fips").column(0)
    listed = agreements_in_force(engine, on) if ptype == "287(g) agreement" else {}
    fips_list: list[str] = []
    groups: list[str] = []
    instruments: list[str | None] = []
    # only a county of a state the registry names anywhere (state, county or city entries)
    # can have an instrument: the others are looked up no further
    named = {e.fips[:2] for e in registry} | {c[:2] for e in registry for c in e.counties}
    for fips in counties.to_pylist():
        hits = (
            [p for p in policy_status(fips, on, registry=registry) if ptype in p.types]
            if fips[:2] in named
            else []
        )
        whole = [p for p in hits if p.applies_as in ("state", "county")]
        names = [p.id for p in hits] + listed.get(fips, [])
        if fips in listed or any(p.certain for p in whole):
            group = "in force"
        elif any(p.certain for p in hits):
            group = "city only"
        elif hits:
            group = "uncertain date"
        else:
            group = "not in force"
        fips_list.append(fips)
        groups.append(group)
        instruments.append(", ".join(names) or None)
    return pa.table({"fips": fips_list, "policy_group": groups, "instruments": instruments})


@dataclass
class RateResult:
    table: pa.Table
    policy: str
    on: date
    start: date
    end: date
    population_year: int
    caveats: list[str]


def policy_rates(
    engine: Engine,
    registry: Registry,
    *,
    table: str = "arrests",
    policy: str,
    on: date,
    start: date,
    end: date,
) -> RateResult:
    """Events in [start, end] per 100k residents in counties grouped by the policy on ``on``."""
    require_places(engine)
    _check_window(table, start, end)
    date_field = EVENT_TABLES[table].date_field
    groups = county_policy_groups(engine, registry, policy, on)
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE _policy_groups (fips VARCHAR, "
        "policy_group VARCHAR, instruments VARCHAR)"
    )
    engine.load_arrow("_policy_groups", groups)
    pop_year, caveats = population_year(engine, start, end)
    result = engine.query(
        f"""
        WITH ev AS (
            SELECT county_fips, place_method,
                   count(*) FILTER (WHERE duplicate_of IS NULL) AS events,
                   count(duplicate_of) AS flagged_duplicates
            FROM {table}_all
            WHERE {date_field} BETWEEN ? AND ? AND shadowed_by IS NULL
            GROUP BY ALL
        ), pop AS (
            SELECT g.policy_group, count(*) AS counties, sum(p.population)::BIGINT AS population
            FROM _policy_groups g
            LEFT JOIN county_population p ON p.fips = g.fips AND p.year = ?
            GROUP BY ALL
        ), placed AS (
            SELECT g.policy_group, ev.place_method, sum(ev.events)::BIGINT AS events,
                   sum(ev.flagged_duplicates)::BIGINT AS flagged_duplicates
            FROM ev JOIN _policy_groups g ON g.fips = ev.county_fips
            GROUP BY ALL
        )
        SELECT pl.policy_group, pl.place_method, pl.events, pl.flagged_duplicates,
               pop.counties, pop.population,
               round(100000.0 * pl.events / nullif(pop.population, 0), 2) AS per_100k
        FROM placed pl JOIN pop USING (policy_group)
        UNION ALL
        SELECT pop.policy_group, 'all methods', coalesce(sum(pl.events), 0)::BIGINT,
               coalesce(sum(pl.flagged_duplicates), 0)::BIGINT, pop.counties, pop.population,
               round(100000.0 * coalesce(sum(pl.events), 0) / nullif(pop.population, 0), 2)
        FROM pop LEFT JOIN placed pl USING (policy_group)
        GROUP BY pop.policy_group, pop.counties, pop.population
        UNION ALL
        SELECT '(not placed in a county)', coalesce(place_method, '(no location)'),
               sum(events)::BIGINT, sum(flagged_duplicates)::BIGINT, NULL, NULL, NULL
        FROM ev WHERE county_fips IS NULL GROUP BY ALL
        ORDER BY 1, 2
        """,
        [start, end, pop_year],
    )
    order = {g: i for i, g in enumerate(GROUPS)}
    rows = sorted(
        result.to_pylist(),
        key=lambda r: (
            order.get(r["policy_group"], 99),
            r["place_method"] != "all methods",
            r["place_method"],
        ),
    )
    table_out = pa.Table.from_pylist(rows, schema=result.schema)
    caveats.append(
        "events exclude rows flagged as likely duplicates (counted in flagged_duplicates)"
    )
    caveats += window_caveats(engine, table, start, end)
    if policy_type(policy) == "287(g) agreement":
        caveats.append(
            "287(g) agreements come from ICE's 2025 participating lists (signed by the date) "
            "plus the registry: agreements that ended before 2025 are missing"
        )
    caveats.append(
        "counties with no registered instrument are 'not in force': the registry covers the "
        "jurisdictions it names, so an absence is not proof that no policy existed"
    )
    return RateResult(table_out, policy_type(policy), on, start, end, pop_year, caveats)
