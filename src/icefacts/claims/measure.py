"""The numbers behind a reading: counts, distinct values, shares, differences, ratios,
excesses and ranks, each as a value with the interval the records allow.

A count is exact only where every row's place and every filtered field are known. Where
they are not, it is *bounds*: the rows that certainly meet the reading, and those that may
(a row placed only to its AOR may lie in the county asked; a row of a release without the
criminality field may be a conviction). Where a release set aside for counting holds the
missing field for the same days and AOR (the UW v. DHS production beside the national
file), the bounds tighten day by day: of ``a`` rows meeting the known filters and ``b``
donor rows meeting the unknown one, among ``n``, between ``max(0, a + b - n)`` and
``min(a, b)`` meet both. An excess over a baseline carries the operation report's 95%
interval. Nothing is ever a point where the records give a range.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from icefacts.analysis.base import sql_date
from icefacts.analysis.selection import (
    CONVICTED,
    NEEDS,
    Selection,
    counting,
    coverage,
    donor_releases,
    fields_held,
    from_releases,
    literal,
    uncovered,
)
from icefacts.claims.places import COUNTY_SETS
from icefacts.link.persons import releases_with_chains

if TYPE_CHECKING:
    from icefacts.claims.model import Filters
    from icefacts.claims.places import Where
    from icefacts.warehouse.engine import Reader

IntervalKind = Literal["exact", "bounds", "95% interval"]

# facts ICE reports that no public arrests release records (a reading needing one is not
# checkable with these records, and says so)
UNRECORDED = {
    "fugitive": "fugitive status (an unexecuted final order): no released arrests field",
    "gang_member": "gang membership: no public release records it",
}


@dataclass
class Value:
    value: float | None
    low: float | None
    high: float | None
    kind: IntervalKind
    sql: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)
    rows: int = 0  # rows of the window and places the number was read from
    notes: list[str] = field(default_factory=list)  # why bounds, where the fields came from
    caveats: list[str] = field(default_factory=list)
    reproduce: str = ""
    unanswerable: str | None = None  # the reason the records cannot give it
    parts: dict[str, object] = field(default_factory=dict)  # a rank's per-place counts
    causes: list[str] = field(default_factory=list)  # why bounds, in a few words each

    @classmethod
    def cannot(cls, reason: str, **kw: object) -> Value:
        return cls(None, None, None, "exact", unanswerable=reason, **kw)  # type: ignore[arg-type]


def predicates(f: Filters) -> dict[str, str]:
    """Filter -> (the field it needs, its SQL predicate), keyed by the needed field."""
    out: dict[str, str] = {}
    if f.operation_flag is not None:
        out["operation_flag"] = f"operation_flag IS {'TRUE' if f.operation_flag else 'FALSE'}"
    if f.method_class is not None:
        out["method"] = {
            "at_large": "at_large IS TRUE",
            "custodial": "at_large IS FALSE",
            "other": "at_large IS NULL",
        }[f.method_class]
    if f.criminality:
        terms = []
        for c in f.criminality:
            terms.append(CONVICTED if c == "convicted" else f"criminality = {literal(c)}")
        need = NEEDS["convicted"] if set(f.criminality) == {"convicted"} else "criminality"
        out[need] = "(" + " OR ".join(terms) + ")"
    if f.citizenship:
        values = ", ".join(literal(v.strip().upper()) for v in f.citizenship)
        out["citizenship"] = f"upper(citizenship) IN ({values})"
    if f.gender is not None:
        out["gender"] = f"lower(gender) = {literal(f.gender)}"
    if f.prior_removal is not None:
        # known only where a person's chain records an earlier removal (link/persons.py):
        # Scope.knows says for which rows; a row without one may still have had one (before
        # the production's period), so "no prior removal" is never certain
        out["prior_removal"] = "TRUE" if f.prior_removal else "FALSE"
    return out


def unrecorded(f: Filters) -> str | None:
    for key, why in UNRECORDED.items():
        if getattr(f, key) is not None:
            return f"no loaded release records {why}"
    return None


@dataclass
class Scope:
    """A reading's rows: the window and the places, the releases counted there, and which
    of them hold each field a filter needs."""

    engine: Reader
    start: date
    end: date
    where: Where

    def __post_init__(self) -> None:
        sel = Selection(aors=() if self.where.exclude else self.where.aors)
        self.counting = counting(self.engine, sel, self.start, self.end)
        self.held = fields_held(self.engine)
        self.scopes = coverage(self.engine, Selection())

    @property
    def window_sql(self) -> str:
        return f"apprehension_date BETWEEN {sql_date(self.start)} AND {sql_date(self.end)}"

    def gaps(self) -> str | None:
        """Why the window is not (wholly) covered for these places, or None."""
        aors = () if self.where.exclude else self.where.aors
        gaps = uncovered(self.scopes, aors, self.start, self.end)
        if not gaps:
            return None
        days = (self.end - self.start).days + 1
        where = ", ".join(a or "every AOR" for a in gaps)
        return (
            f"no loaded release of arrests covers {max(gaps.values())} of the {days} day(s) "
            f"{self.start}..{self.end} for {where}"
        )

    def knows(self, need: str) -> str:
        """SQL: the row's release holds ``need`` (for a prior removal: the row's chain
        records one)."""
        if need == "prior_removal":
            if not releases_with_chains(self.engine):
                return "FALSE"
            return (
                "coalesce(event_id IN (SELECT event_id FROM link_person_events "
                "WHERE prior_removal), false)"
            )
        used = self.counting.used
        holders = [r for r in used if need in self.held.get(r, set())]
        if len(holders) == len(used):
            return "TRUE"
        if not holders:
            return "FALSE"
        return f"release_id IN ({', '.join(literal(r) for r in holders)})"

    def donors(self, needs: set[str]) -> dict[str, tuple[str, ...] | None]:
        """Releases set aside here that hold every field of ``needs`` for the whole window
        (``selection.donor_releases``)."""
        holders = [r for r in self.counting.set_aside if needs <= self.held.get(r, set())]
        return donor_releases(self.engine, holders, self.start, self.end)


@dataclass
class Planned:
    """One count as a one-row SQL statement (``low``, ``high``, ``rows``, ``unplaced``,
    ``donor_days``, ``disagree``), and what reading its row needs."""

    scope: Scope
    sql: str
    unknown: list[str]  # fields a counted release lacks
    donors: list[str]  # set-aside releases that give them, day by day
    linked: list[float] = field(default_factory=list)  # thresholds, when through record links

    def read(self, row: dict[str, object], prefix: str = "") -> Value:
        def get(name: str) -> int:
            return int(row[prefix + name] or 0)  # type: ignore[call-overload]

        low, high = get("low"), get("high")
        scope, where = self.scope, self.scope.where
        notes: list[str] = []
        if where.city:
            notes.append(
                f"the records place arrests in counties, not cities: {where.city} is part of "
                f"{where.label}, whose count only bounds it from above"
            )
        if get("unplaced"):
            notes.append(
                f"{get('unplaced'):,} of the arrests meeting the filters in AOR(s) "
                f"{', '.join(where.aors) or 'every AOR'} are placed only to their AOR: they may "
                f"or may not lie in {where.label} (the others are placed by the landmark of "
                "the arrest)"
            )
        detail = row.get(prefix + "detail")
        if self.linked and detail:
            notes.append(
                f"{' and '.join(self.unknown)} carried from release(s) {', '.join(self.donors)} "
                "through the record links (`icefacts link`), one to one; rows identical on "
                "every compared field are exchangeable, so their share gives bounds. By "
                f"match-probability threshold: {detail}; the range here spans them all"
            )
        elif self.donors and get("donor_days"):
            notes.append(
                f"{' and '.join(self.unknown)} from release(s) {', '.join(self.donors)} (set "
                "aside for counting) on the same days and AOR: which of their rows are the "
                "counted ones is not known without linking, so each day gives bounds (a day "
                "whose two totals agree is taken to hold the same events; another day only "
                "bounds from above)"
                + (
                    f"; the two releases' day totals differ on {get('disagree')} day(s)"
                    if get("disagree")
                    else ""
                )
            )
        if self.unknown and high > low:
            lacking = sorted(
                r
                for r in scope.counting.used
                if any(n not in scope.held.get(r, set()) for n in self.unknown)
            )
            notes.append(
                f"{' and '.join(self.unknown)} not in release(s) {', '.join(lacking)}: "
                "their rows may or may not meet that filter"
            )
        causes = []
        if where.city:
            causes.append(f"{where.city} is a city inside {where.label}")
        if get("unplaced"):
            causes.append(f"{get('unplaced'):,} rows placed only to their AOR")
        if self.unknown and high > low:
            held_by = (
                "record links, over thresholds"
                if self.linked and detail
                else "a release set aside, day by day"
                if self.donors and get("donor_days")
                else ""
            )
            causes.append(
                f"{' and '.join(self.unknown)} not in the release(s) counted"
                + (f" (known from {held_by})" if held_by else "")
                + (
                    "; a prior removal is known only for person-level releases, linked by "
                    "`icefacts link`"
                    if "prior_removal" in self.unknown
                    else ""
                )
            )
        exact = low == high
        return Value(
            float(low) if exact else None,
            float(low),
            float(high),
            "exact" if exact else "bounds",
            causes=causes,
            sql=[self.sql],
            releases=list(scope.counting.used),
            rows=get("rows"),
            notes=notes,
            caveats=[c.text for c in scope.counting.caveats],
            reproduce=reproduce(self.sql),
        )


def plan(scope: Scope, filters: Filters) -> Planned | str:
    """The SQL counting the rows of the window and places meeting ``filters`` (the least
    and the most the records allow), or the reason the records cannot."""
    if (why := unrecorded(filters)) is not None:
        return why
    preds = predicates(filters)
    where = scope.where
    known = {need: scope.knows(need) for need in preds}
    surely, possibly = terms(known, preds)
    any_place = f"({where.sure} OR {where.maybe})" if where.maybe != "FALSE" else where.sure
    unknown = sorted(n for n, k in known.items() if k != "TRUE")
    donors: dict[str, tuple[str, ...] | None] = {}
    if unknown and where.maybe == "FALSE" and not where.city:
        donors = scope.donors(set(unknown))
    if donors:
        linked = _linked_plan(scope, filters, surely, possibly, unknown, donors)
        if linked is not None:
            return linked
    cells = f"""
        SELECT apprehension_date AS day, aor, count(*) AS rows,
               count(*) FILTER (WHERE {both(where.sure, surely)}) AS sure,
               count(*) FILTER (WHERE {both(any_place, possibly)}) AS possible,
               count(*) FILTER (WHERE {both(where.sure, possibly)} AND NOT ({surely})) AS unknown
        FROM arrests WHERE {both(scope.window_sql, where.aor_sql)} GROUP BY ALL
    """
    low = "c.sure"
    high = "c.possible"
    join = ""
    extra = "0 AS donor_days, 0 AS disagree, NULL::VARCHAR AS detail"
    if donors:
        match = both(*(predicates(filters)[n] for n in unknown))
        join = f"""
            LEFT JOIN (
                SELECT apprehension_date AS day, aor, count(*) AS rows,
                       count(*) FILTER (WHERE {match}) AS match
                FROM arrests_all
                WHERE duplicate_of IS NULL AND {both(scope.window_sql, where.aor_sql)}
                  AND {from_releases(donors)}
                GROUP BY ALL
            ) d USING (day, aor)
        """
        # of a rows meeting the known filters and b donor rows meeting the unknown ones,
        # among n: max(0, a + b - n) to min(a, b) meet both
        # -- on a day whose two totals agree (taken as the same events); on another day the
        # donor may lack some counted rows: at most min(a, b + the rows it lacks), at least 0
        low = (
            "c.sure + CASE WHEN c.rows = d.rows "
            "THEN greatest(0, c.unknown + d.match - c.rows) ELSE 0 END"
        )
        high = (
            "c.possible - coalesce(c.unknown - least(c.unknown, "
            "d.match + greatest(0, c.rows - d.rows)), 0)"
        )
        extra = (
            "count(d.day) FILTER (WHERE c.unknown > 0) AS donor_days, "
            "count(*) FILTER (WHERE c.unknown > 0 AND d.rows <> c.rows) AS disagree, "
            "NULL::VARCHAR AS detail"
        )
    if where.city:
        low = "0"
    sql = f"""
        SELECT coalesce(sum({low}), 0) AS low,
               coalesce(sum({high}), 0) AS high,
               coalesce(sum(c.rows), 0) AS rows,
               coalesce(sum(c.possible - c.sure - c.unknown), 0) AS unplaced, {extra}
        FROM ({cells}) c {join}
    """
    return Planned(scope, _flat(sql), unknown, sorted(donors))


# a threshold is used when the links it keeps cover at least this share of the smaller side
MIN_LINKED_SHARE = 0.5


def _linked_plan(
    scope: Scope,
    filters: Filters,
    surely: str,
    possibly: str,
    unknown: list[str],
    donors: dict[str, tuple[str, ...] | None],
) -> Planned | None:
    """The count through the record links to the donors, or None when there are none.

    For each threshold: the rows that surely meet the filters; of the linked rows meeting
    the known filters, within each group of rows identical on every compared field (whose
    assignment is exchangeable), between ``max(0, a + k - n)`` and ``min(a, k)`` meet the
    unknown ones too (``a`` rows meeting the known filters, ``k`` partners meeting the
    unknown, ``n`` linked rows); unlinked rows may or may not. The range spans the
    thresholds."""
    engine = scope.engine
    if not engine.has_table("link_runs"):
        return None
    used = scope.counting.used
    runs = engine.query(
        "SELECT left_release, right_release, left_rows, right_rows, by_threshold "
        f"FROM link_runs WHERE table_name = 'arrests' AND left_release IN "
        f"({', '.join(map(literal, used)) or 'NULL'}) AND right_release IN "
        f"({', '.join(map(literal, donors))})"
    ).to_pylist()
    if not runs:
        return None
    thresholds = []
    for t in sorted({float(k) for r in runs for k in json.loads(r["by_threshold"])}):
        if all(
            json.loads(r["by_threshold"]).get(f"{t:g}", 0)
            >= MIN_LINKED_SHARE * min(r["left_rows"], r["right_rows"])
            for r in runs
        ):
            thresholds.append(t)
    if not thresholds:
        return None
    left = ", ".join(map(literal, sorted({r["left_release"] for r in runs})))
    right = ", ".join(map(literal, sorted({r["right_release"] for r in runs})))
    match = both(*(predicates(filters)[n] for n in unknown))
    where = scope.where
    per = []
    for t in thresholds:
        j = f"j_{_tag(t)}"
        sure = f"(SELECT count(*) FILTER (WHERE s) FROM {j})"
        loose = f"(SELECT count(*) FILTER (WHERE p AND NOT s AND NOT linked) FROM {j})"
        per.append(
            f"""
            SELECT {t} AS t,
              {sure} + coalesce(sum(greatest(0, a + k - n)), 0) AS low,
              {sure} + coalesce(sum(least(a, k)), 0) + {loose} AS high
            FROM (
              SELECT g, count(*) AS n, count(*) FILTER (WHERE p AND NOT s) AS a,
                     count(*) FILTER (WHERE b) AS k
              FROM {j} WHERE linked GROUP BY g)
            """
        )
    joins = ",\n".join(
        f"""j_{_tag(t)} AS (
            SELECT c.s, c.p, l.left_profile AS g, l.event_id IS NOT NULL AS linked, d.b
            FROM c
            LEFT JOIN (SELECT left_event AS event_id, right_event, left_profile FROM link_pairs
                       WHERE assigned AND match_probability >= {t} AND table_name = 'arrests'
                         AND left_release IN ({left}) AND right_release IN ({right})
                       QUALIFY row_number() OVER (PARTITION BY left_event
                                                  ORDER BY match_probability DESC,
                                                           right_event) = 1) l
              USING (event_id)
            LEFT JOIN d USING (right_event))"""
        for t in thresholds
    )
    sql = f"""
        WITH c AS (
            SELECT event_id, {surely} AS s, {possibly} AS p FROM arrests
            WHERE {both(scope.window_sql, where.aor_sql)}),
        d AS (
            SELECT event_id AS right_event, coalesce({match}, false) AS b FROM arrests_all
            WHERE release_id IN ({right})),
        {joins},
        per AS ({" UNION ALL ".join(per)})
        SELECT min(low) AS low, max(high) AS high, (SELECT count(*) FROM c) AS rows,
               0 AS unplaced, 0 AS donor_days, 0 AS disagree,
               string_agg('p >= ' || t || ': ' || low || '..' || high, '; ' ORDER BY t) AS detail
        FROM per
    """
    return Planned(scope, _flat(sql), unknown, sorted(donors), thresholds)


def _tag(t: float) -> str:
    return f"{round(t * 100):03d}"


def run(planned: list[Planned]) -> dict[str, object]:
    """Several counts in one statement: columns ``t0_low``, ``t0_high`` ... ``t1_low`` ..."""
    engine = planned[0].scope.engine
    if len(planned) == 1:
        row = engine.query(planned[0].sql).to_pylist()[0]
        return {f"t0_{k}": v for k, v in row.items()}
    return engine.query(joined(planned)).to_pylist()[0]


def joined(planned: list[Planned]) -> str:
    cols = ", ".join(
        f"t{i}.{c} AS t{i}_{c}"
        for i in range(len(planned))
        for c in ("low", "high", "rows", "unplaced", "donor_days", "disagree", "detail")
    )
    froms = ", ".join(f"({p.sql}) t{i}" for i, p in enumerate(planned))
    return f"SELECT {cols} FROM {froms}"


def count(scope: Scope, filters: Filters) -> Value:
    """Rows of the window and places meeting ``filters``: exact, or bounds."""
    p = plan(scope, filters)
    if isinstance(p, str):
        return Value.cannot(p)
    return p.read(run([p]), "t0_")


def reproduce(sql: str) -> str:
    """The command a user runs to see the counts: shell-quoted (a claim's citizenship
    value can hold any character). A policy group's counties, registered for the query,
    are written out in it as a list (the command must run on its own)."""
    for name in sorted(set(re.findall(r"claim_counties_[0-9a-f]+", sql))):
        written = COUNTY_SETS.get(name)
        if written is not None:
            sql = sql.replace(f"county_fips IN (SELECT fips FROM {name})", written)
    return f"icefacts sql {shlex.quote(sql)}"


def distinct(scope: Scope, filters: Filters, column: str) -> Value:
    """Distinct values of ``column`` among the rows meeting ``filters``."""
    if (why := unrecorded(filters)) is not None:
        return Value.cannot(why)
    if scope.knows(column) != "TRUE":
        return Value.cannot(
            f"{column} is not in every release counted here ({', '.join(scope.counting.used)})"
        )
    preds = predicates(filters)
    known = {need: scope.knows(need) for need in preds}
    surely, possibly = terms(known, preds)
    where = scope.where
    any_place = f"({where.sure} OR {where.maybe})" if where.maybe != "FALSE" else where.sure
    sql = f"""
        SELECT count(DISTINCT {column}) FILTER (WHERE {both(where.sure, surely)}) AS low,
               count(DISTINCT {column}) FILTER (WHERE {both(any_place, possibly)}) AS high,
               count(*) AS rows
        FROM arrests WHERE {both(scope.window_sql, where.aor_sql)}
    """
    r = scope.engine.query(sql).to_pylist()[0]
    low, high = r["low"], r["high"]
    if where.city:
        low = 0
    exact = low == high
    notes = [] if exact else ["some rows may or may not meet the filters or lie in the place"]
    return Value(
        float(low) if exact else None,
        float(low),
        float(high),
        "exact" if exact else "bounds",
        sql=[_flat(sql)],
        releases=list(scope.counting.used),
        rows=r["rows"],
        notes=notes,
        caveats=[c.text for c in scope.counting.caveats],
        reproduce=reproduce(_flat(sql)),
    )


def terms(known: dict[str, str], preds: dict[str, str]) -> tuple[str, str]:
    """SQL: the row surely meets the filters; the row may meet them (a field its release
    does not hold is unknown: it may)."""
    sure, maybe = [], []
    for need, p in preds.items():
        k = known[need]
        if k == "TRUE":
            sure.append(p)
            maybe.append(p)
        elif k == "FALSE":
            sure.append("FALSE")
        else:
            sure.append(f"({k} AND {p})")
            maybe.append(f"(NOT {k} OR {p})")
    return both(*sure), both(*maybe)


def both(*parts: str) -> str:
    """``a AND b`` without the TRUEs."""
    kept = [p for p in parts if p != "TRUE"]
    return " AND ".join(kept) or "TRUE"


def _flat(sql: str) -> str:
    return " ".join(sql.split())
