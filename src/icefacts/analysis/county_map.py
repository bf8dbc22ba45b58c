"""What a county map draws: per county, events in a window (or the at-large or
operation-flagged among them), per 100,000 residents, raw, or as a share; with the AOR each
county is in and how much of that AOR's events could be placed in a county at all.

A county's count holds only events placed in that county. In an AOR where most events are
placed only to the AOR, every county would look low; such counties get ``drawn = false``
and the reason, and a map shows them as "mostly unplaced", never as a low value.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pyarrow as pa
from pydantic import model_validator

from icefacts.analysis.base import Answer, Definition, Question
from icefacts.analysis.overlaps import window_caveats
from icefacts.analysis.place_report import require_places
from icefacts.analysis.rates import county_policy_groups, population_year
from icefacts.caveats import Caveat
from icefacts.policies import Registry
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse.engine import Engine

MEASURES = {
    "events": "count(*)",
    "at_large": "count(*) FILTER (WHERE e.at_large)",
    "operation_flagged": "count(*) FILTER (WHERE e.operation_flag)",
}
# below this share of an AOR's events placed in a county, its counties are not drawn
PLACED_ENOUGH = 0.5


class MapQuestion(Question):
    start: date
    end: date
    table: Literal["arrests", "detainers", "encounters", "detentions"] = "arrests"
    measure: Literal["events", "at_large", "operation_flagged"] = "events"
    per: Literal["per_100k", "raw", "share"] = "per_100k"
    # county: events placed in each county; aor: each county coloured by its AOR's figure
    # (every event of the AOR, placed or not: where most events are placed only to the AOR)
    level: Literal["county", "aor"] = "county"
    policy: str | None = None  # outline the counties where a policy of this type ...
    policy_on: date | None = None  # ... is in force on this day

    @model_validator(mode="after")
    def _check(self) -> MapQuestion:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        if (self.end - self.start).days > 366 * 12:
            raise ValueError("a window of at most twelve years")
        if self.measure != "events" and self.table != "arrests":
            raise ValueError(f"{self.measure} is a measure of arrests, not of {self.table}")
        if self.per == "share" and self.measure == "events":
            raise ValueError("a share is of at_large or operation_flagged events")
        if (self.policy is None) != (self.policy_on is None):
            raise ValueError("--policy TYPE needs --on DATE (and --on needs --policy)")
        return self


def county_map(engine: Engine, q: MapQuestion, registry: Registry | None = None) -> Answer:
    require_places(engine)
    date_field = EVENT_TABLES[q.table].date_field
    pop_year, notes = population_year(engine, q.start, q.end)
    measure = MEASURES[q.measure]
    sql = f"""
        WITH ev AS (
            SELECT e.county_fips AS fips, e.aor, count(*) AS events, {measure} AS measure
            FROM {q.table} e
            WHERE e.{date_field} BETWEEN ? AND ?
            GROUP BY ALL
        ), by_aor AS (
            SELECT aor, sum(events) AS aor_events,
                   sum(events) FILTER (WHERE fips IS NOT NULL) AS aor_placed
            FROM ev GROUP BY aor
        ), home AS (
            SELECT fips, arg_max(aor, as_of) AS aor FROM county_aor GROUP BY fips
        )
        SELECT c.fips, c.name, c.state, h.aor,
               coalesce(sum(ev.events), 0)::BIGINT AS events,
               coalesce(sum(ev.measure), 0)::BIGINT AS measure,
               any_value(p.population) AS population,
               any_value(a.aor_events)::BIGINT AS aor_events,
               round(coalesce(any_value(a.aor_placed), 0) / nullif(any_value(a.aor_events), 0),
                     3) AS aor_placed_share
        FROM counties c
        LEFT JOIN home h ON h.fips = c.fips
        LEFT JOIN ev ON ev.fips = c.fips
        LEFT JOIN county_population p ON p.fips = c.fips AND p.year = ?
        LEFT JOIN by_aor a ON a.aor = h.aor
        GROUP BY ALL ORDER BY c.fips
    """
    rows = engine.query(sql, [q.start, q.end, pop_year]).to_pylist()
    unplaced: set[str] = set()
    for r in rows:
        share = r["aor_placed_share"] or 0.0
        # an AOR without events in the window is a true zero; one whose events are mostly
        # placed only to the AOR is unknown per county
        r["drawn"] = not r["aor_events"] or share >= PLACED_ENOUGH
        r["not_drawn_because"] = (
            None
            if r["drawn"]
            else f"only {share:.0%} of its AOR's {q.table} are placed in a county"
        )
        if not r["drawn"] and r["aor"]:
            unplaced.add(r["aor"])
        r["value"] = _value(q, r) if q.level == "county" else None
    aors = engine.query(
        f"""
        WITH ev AS (
            SELECT coalesce(e.aor, '(blank)') AS aor, count(*)::BIGINT AS events,
                   ({measure})::BIGINT AS measure,
                   count(e.county_fips)::BIGINT AS placed_in_county,
                   round(count(e.county_fips) / count(*), 3) AS placed_share
            FROM {q.table} e WHERE e.{date_field} BETWEEN ? AND ?
            GROUP BY ALL
        ), pop AS (
            SELECT aor, population FROM aor_population
            WHERE year = ? AND complete AND as_of = (SELECT coalesce(max(as_of) FILTER
                (WHERE as_of <= ?), min(as_of)) FROM aor_population)
        )
        SELECT ev.*, pop.population FROM ev LEFT JOIN pop USING (aor)
        ORDER BY events DESC, aor
        """,
        [q.start, q.end, pop_year, q.end],
    )
    if q.level == "aor":
        _by_aor(q, rows, aors.to_pylist())
    tables = {"aors": aors}
    if q.policy is not None and q.policy_on is not None and registry is not None:
        tables["policy"] = county_policy_groups(engine, registry, q.policy, q.policy_on)
    caveats = [Caveat("population_estimate", {"note": n}) for n in notes]
    if unplaced and q.level == "county":
        caveats.append(
            Caveat("map_unplaced", {"share": PLACED_ENOUGH, "aors": ", ".join(sorted(unplaced))})
        )
    caveats += [
        Caveat("counting_rule", {"text": c})
        for c in window_caveats(engine, q.table, q.start, q.end)
    ]
    return Answer(
        question=q,
        table=pa.Table.from_pylist(rows, schema=_SCHEMA),
        caveats=caveats,
        definitions=[
            Definition(
                "value",
                _MEANING[q.per].format(measure=q.measure.replace("_", " "))
                if q.level == "county"
                else _AOR_MEANING[q.per].format(measure=q.measure.replace("_", " ")),
            ),
            Definition("aor_placed_share", "share of the AOR's events placed in a county"),
        ],
        sql=[" ".join(sql.split())],
        tables=tables,
    )


_MEANING = {
    "per_100k": "{measure} placed in the county per 100,000 residents",
    "raw": "{measure} placed in the county",
    "share": "{measure} as a share of the events placed in the county",
}


def _by_aor(q: MapQuestion, rows: list[dict], aors: list[dict]) -> None:
    """Each county takes its AOR's figure: every event of the AOR, placed or not."""
    of = {a["aor"]: a for a in aors}
    for r in rows:
        a = of.get(r["aor"])
        r["drawn"] = True
        r["not_drawn_because"] = None
        if a is None:
            r["value"] = 0.0 if r["aor"] else None
            continue
        r["value"] = _value(
            q, {"drawn": True, "measure": a["measure"], "events": a["events"],
                "population": a["population"]},
        )  # fmt: skip


_AOR_MEANING = {
    "per_100k": "{measure} in the county's AOR per 100,000 of the AOR's residents",
    "raw": "{measure} in the county's AOR",
    "share": "{measure} as a share of the events in the county's AOR",
}


def _value(q: MapQuestion, r: dict) -> float | None:
    if not r["drawn"]:
        return None
    if q.per == "raw":
        return float(r["measure"])
    if q.per == "share":
        return round(r["measure"] / r["events"], 4) if r["events"] else None
    pop = r["population"]
    return round(100000.0 * r["measure"] / pop, 2) if pop else None


_SCHEMA = pa.schema(
    [
        ("fips", pa.string()),
        ("name", pa.string()),
        ("state", pa.string()),
        ("aor", pa.string()),
        ("events", pa.int64()),
        ("measure", pa.int64()),
        ("population", pa.int64()),
        ("aor_events", pa.int64()),
        ("aor_placed_share", pa.float64()),
        ("drawn", pa.bool_()),
        ("not_drawn_because", pa.string()),
        ("value", pa.float64()),
    ]
)
