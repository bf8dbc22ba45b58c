"""What every counting analysis shares: the places and releases asked for, the rows that
count, which days the loaded releases cover, and which fields a release holds.

Codes a user gives (AORs, states, county FIPS) are validated here against strict patterns,
so they can be written into SQL as literals; release ids are quoted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from pydantic import model_validator

from icefacts.analysis.base import Question, sql_date
from icefacts.errors import InputError
from icefacts.warehouse.engine import Reader

if TYPE_CHECKING:
    from icefacts.caveats import Caveat
    from icefacts.policies import Registry

# measure -> the field a release must hold for it (NULL in a group where one does not)
NEEDS = {
    "at_large": "method",
    "custodial": "method",
    "other_method": "method",
    "operation_flagged": "operation_flag",
    # "conviction": criminality, or the most serious conviction (UW v. DHS gives only that:
    # convicted is known there, pending and other are not)
    "convicted": "conviction",
    "pending": "criminality",
    "other_criminality": "criminality",
    "criminality_unknown": "criminality",
    "countries": "citizenship",
}
# a conviction: criminality "convicted criminal", or a most serious conviction given
CONVICTED = "(criminality = 'convicted' OR most_serious_conviction IS NOT NULL)"
MEASURE_SQL = {
    "arrests": "count(*)",
    "at_large": "count(*) FILTER (WHERE at_large)",
    "custodial": "count(*) FILTER (WHERE NOT at_large)",
    "other_method": "count(*) FILTER (WHERE at_large IS NULL)",
    "operation_flagged": "count(*) FILTER (WHERE operation_flag)",
    "convicted": (f"count(*) FILTER (WHERE {CONVICTED})"),
    "pending": "count(*) FILTER (WHERE criminality = 'pending')",
    "other_criminality": "count(*) FILTER (WHERE criminality = 'other')",
    "criminality_unknown": "count(*) FILTER (WHERE criminality IS NULL)",
    "countries": "count(DISTINCT citizenship)",
}
_AOR = re.compile(r"^[A-Z]{2,3}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_FIPS = re.compile(r"^\d{5}$")

T = TypeVar("T")
Scope = tuple[date, date, "list[str] | None"]  # a release's period and AORs (None: every AOR)


class Selection(Question):
    """The places to count in and the releases to count from."""

    aors: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()  # county FIPS codes
    policy: str | None = None  # only counties where a policy of this type is in force ...
    policy_on: date | None = None  # ... on this day
    releases: tuple[str, ...] = ()  # instead of the count-once rule

    @model_validator(mode="after")
    def _check_places(self) -> Selection:
        if (self.policy is None) != (self.policy_on is None):
            raise ValueError("--policy TYPE needs --on DATE (and --on needs --policy)")
        for name, values, pattern, what in (
            ("--aor", self.aors, _AOR, "a three-letter AOR code such as SEA"),
            ("--state", self.states, _STATE, "a two-letter state code such as WA"),
            ("--county", self.counties, _FIPS, "a five-digit county FIPS code such as 53033"),
        ):
            for v in values:
                if not pattern.match(v):
                    raise ValueError(f"{name} {v!r} is not {what}")
        known = _known_codes()
        for name, values, codes, what in (
            ("--aor", self.aors, known["aor"], "AOR"),
            ("--state", self.states, known["state"], "state"),
        ):
            for v in values:
                if v not in codes:
                    raise ValueError(
                        f"{name} {v!r} is not a known {what} code (known: "
                        f"{', '.join(sorted(codes)[:30])}{', ...' if len(codes) > 30 else ''})"
                    )
        for v in self.counties:
            if v[:2] not in known["state_fips"]:
                raise ValueError(f"--county {v!r}: no state has the FIPS code {v[:2]!r}")
        return self


@cache
def _known_codes() -> dict[str, frozenset[str]]:
    """The AOR and state codes the release vocabularies know, and the states' FIPS codes."""
    from icefacts import release_specs
    from icefacts.places.states import state_fips_set, usps_codes

    return {
        "aor": frozenset(release_specs.vocab("aor").mapping.values()),
        "state": frozenset(release_specs.vocab("state").mapping.values()) | usps_codes(),
        "state_fips": state_fips_set(),
    }


def quoted(values: tuple[str, ...]) -> str:
    """Validated codes (letters or digits only) as SQL literals."""
    return ", ".join(f"'{v}'" for v in values)


def literal(text: str) -> str:
    """Any text as an SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _release_list(releases: tuple[str, ...] | list[str]) -> str:
    return ", ".join(literal(r) for r in releases)


def donor_releases(
    engine: Reader, holders: list[str], lo: date, hi: date, aors: tuple[str, ...] = ()
) -> dict[str, tuple[str, ...] | None]:
    """Of ``holders`` (releases set aside in a span that hold a field the counting release
    lacks: the UW v. DHS production beside the national files, for Seattle), those that
    record every row (no subset, no part) over the whole of [lo, hi]: release id -> the
    AORs it answers for (None: every AOR), the best (most rows) per AOR, within ``aors``
    when given."""
    if not holders:
        return {}
    rows = engine.query(
        f"""
        SELECT release_id, any_value(aors) AS aors FROM release_coverage
        WHERE table_name = 'arrests' AND release_id IN ({_release_list(holders)})
        GROUP BY release_id
        HAVING bool_and(subset IS NULL AND part IS NULL)
           AND min(period_start) <= {sql_date(lo)} AND max(period_end) >= {sql_date(hi)}
        ORDER BY sum(rows) DESC, release_id
        """
    ).to_pylist()
    out: dict[str, tuple[str, ...] | None] = {}
    taken: set[str] = set()
    for r in rows:
        if r["aors"] is None:  # every AOR: it answers wherever no narrower one was taken
            out[r["release_id"]] = None
            break
        mine = tuple(a for a in r["aors"] if a not in taken and (not aors or a in aors))
        if mine:
            out[r["release_id"]] = mine
            taken.update(mine)
    return out


def from_releases(donors: dict[str, tuple[str, ...] | None]) -> str:
    """SQL: the row is one of a donor's, in the AORs it answers for."""
    parts = []
    for rid, aors in sorted(donors.items()):
        cond = f"release_id = {literal(rid)}"
        if aors is not None:
            cond += f" AND aor IN ({quoted(aors)})"
        parts.append(f"({cond})")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def place_filter(q: Selection, in_policy: list[str] | None = None) -> str:
    parts = ["TRUE"]
    if in_policy is not None:
        fips = tuple(f for f in in_policy if _FIPS.match(f))
        parts.append(f"county_fips IN ({quoted(fips)})" if fips else "FALSE")
    if q.aors:
        parts.append(f"aor IN ({quoted(q.aors)})")
    if q.states:
        parts.append(f"state IN ({quoted(q.states)})")
    if q.counties:
        parts.append(f"county_fips IN ({quoted(q.counties)})")
    return " AND ".join(parts)


def source(q: Selection, counted: bool = True) -> str:
    """The rows counted: the count-once view, or the releases asked for."""
    if not q.releases:
        return "arrests" if counted else "arrests_all"
    dup = "duplicate_of IS NULL" if counted else "TRUE"
    return (
        f"(SELECT * FROM arrests_all WHERE release_id IN ({_release_list(q.releases)}) AND {dup})"
    )


def candidates(q: Selection) -> str:
    """The rows counted and the duplicates set aside beside them (``duplicate_of`` tells
    them apart): one scan gives both."""
    if not q.releases:
        return "(SELECT * FROM arrests_all WHERE shadowed_by IS NULL)"
    return f"(SELECT * FROM arrests_all WHERE release_id IN ({_release_list(q.releases)}))"


def counted_measure(name: str, ok: str = "ok") -> str:
    """``MEASURE_SQL[name]`` over the rows where ``ok`` holds (the counted ones)."""
    sql = MEASURE_SQL[name]
    if sql == "count(*)":
        return f"count(*) FILTER (WHERE {ok})"
    if "FILTER (WHERE " in sql:
        return sql.replace("FILTER (WHERE ", f"FILTER (WHERE {ok} AND ")
    return f"{sql} FILTER (WHERE {ok})"


def check_releases(engine: Reader, q: Selection) -> None:
    if not q.releases:
        return
    known = set(engine.query("SELECT release_id FROM releases").column(0).to_pylist())
    for r in q.releases:
        if r not in known:
            raise InputError(f"--release {r!r} is not loaded (see `icefacts releases`)")


def remembered(engine: Reader, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, once per key for as long as a read-only reader is open (its warehouse
    cannot change meanwhile: a web app or a session asking many questions reads the counting
    step's bookkeeping once); every time on a connection that writes."""
    if not engine.read_only:
        return compute()
    if key not in engine.memo:
        engine.memo[key] = compute()
    return copy.deepcopy(engine.memo[key])  # callers may extend what they get


def coverage(engine: Reader, q: Selection) -> list[Scope]:
    """The periods and AORs the loaded (or asked-for) arrests releases declare."""
    rel = f" AND release_id IN ({_release_list(q.releases)})" if q.releases else ""

    def read() -> list[Scope]:
        rows = engine.query(
            "SELECT period_start, period_end, aors FROM release_coverage "
            f"WHERE table_name = 'arrests' AND period_start IS NOT NULL{rel}"
        ).to_pylist()
        return [(r["period_start"], r["period_end"], r["aors"]) for r in rows]

    return remembered(engine, ("coverage", q.releases), read)


def covered_days(scopes: list[Scope], aor: str, lo: date, hi: date, any_aor: bool = False) -> int:
    """Days of [lo, hi] some scope covers for ``aor``. ``aor`` '' stands for every AOR: a
    day is covered when a release of every AOR covers it (the UW v. DHS production covers
    Seattle's days, not the country's); with ``any_aor``, when any release does."""
    spans = sorted(
        (max(a, lo), min(b, hi))
        for a, b, held in scopes
        if (held is None or (aor and aor in held) or (not aor and any_aor)) and a <= hi and b >= lo
    )
    days, reach = 0, lo - timedelta(days=1)
    for a, b in spans:  # merge overlapping spans
        a = max(a, reach + timedelta(days=1))
        if b >= a:
            days += (b - a).days + 1
            reach = b
    return days


def uncovered(
    scopes: list[Scope], aors: tuple[str, ...], lo: date, hi: date, any_aor: bool = False
) -> dict[str, int]:
    """Per AOR asked (or '' for every AOR), the days of [lo, hi] no loaded release covers
    (``any_aor``: for '', days no release of any AOR covers)."""
    want = (hi - lo).days + 1
    out: dict[str, int] = {}
    for aor in aors or ("",):
        missing = want - covered_days(scopes, aor, lo, hi, any_aor)
        if missing:
            out[aor] = missing
    return out


def aors_covering(scopes: list[Scope], lo: date, hi: date) -> list[str]:
    """The AORs of the releases of some AORs that cover any day of [lo, hi]."""
    return sorted(
        {a for start, end, held in scopes if held and start <= hi and end >= lo for a in held}
    )


def covered_span(
    engine: Reader, q: Selection, start: date | None, end: date | None
) -> tuple[list[Scope], date, date]:
    """The releases' scopes and the span asked (default: all the loaded arrests cover);
    refused when no loaded release covers any day of it."""
    check_releases(engine, q)
    scopes = coverage(engine, q)
    if not scopes:
        raise InputError("no loaded release holds arrests (load one with `icefacts ingest`)")
    first = start or min(a for a, _, _ in scopes)
    last = end or max(b for _, b, _ in scopes)
    gaps = uncovered(scopes, q.aors, first, last, any_aor=True)
    if gaps and all(n == (last - first).days + 1 for n in gaps.values()):
        raise InputError(
            f"--from {first} --to {last}: no loaded release of arrests covers this span "
            f"(the loaded arrests run {min(a for a, _, _ in scopes)} to "
            f"{max(b for _, b, _ in scopes)})"
        )
    return scopes, first, last


def fields_held(engine: Reader) -> dict[str, set[str]]:
    """Release id -> the arrests fields it holds (``field_stats``), read once per answer."""
    return remembered(engine, ("fields_held",), lambda: _fields_held(engine))


def _fields_held(engine: Reader) -> dict[str, set[str]]:
    rows = engine.query(
        "SELECT release_id, list(field) AS fields FROM field_stats "
        "WHERE table_name = 'arrests' GROUP BY release_id"
    ).to_pylist()
    out = {r["release_id"]: set(r["fields"] or []) for r in rows}
    for have in out.values():  # a release that tells convicted from not (NEEDS)
        if have & {"criminality", "most_serious_conviction"}:
            have.add("conviction")
    return out


def lacking(held: dict[str, set[str]], releases: list[str]) -> dict[str, list[str]]:
    """field -> the used releases that do not hold it (no column of theirs maps to it)."""
    out: dict[str, list[str]] = {}
    for f in sorted(set(NEEDS.values())):
        missing = sorted(r for r in releases if f not in held.get(r, set()))
        if missing:
            out[f] = missing
    return out


def outside_caveat(cnt: Counting, q: Selection, lo: date, hi: date) -> Caveat | None:
    """Where the span is the one the releases state (no --from or --to), the counted rows it
    leaves out (dated after or before it, or not dated): said, never silently dropped."""
    from icefacts.caveats import Caveat

    if not cnt.outside or q.releases:
        return None
    return Caveat(
        "rows_outside_span", {"rows": cnt.outside, "start": lo.isoformat(), "end": hi.isoformat()}
    )


def conviction_unrecorded(convicted: int | None, lacks_criminality: int, arrests: int) -> bool:
    """A group whose rows all give only the most serious conviction, none of them given:
    none convicted, or none recorded (UW v. DHS records none before 2014)? Unknown: NULL."""
    return not convicted and lacks_criminality == arrests


def convictions_only(held: dict[str, set[str]], releases: list[str]) -> list[str]:
    """The releases used that give the most serious conviction but no criminality."""
    return sorted(
        r for r in releases if "conviction" in held.get(r, set()) and "criminality" not in held[r]
    )


def lack_columns(
    held: dict[str, set[str]],
    ok: str = "TRUE",
    fields: list[str] | None = None,
    used: list[str] | None = None,
) -> str:
    """Per group, rows (where ``ok``) of releases that do not hold each needed field, as
    ``lacks_<field>``: constants where the releases used (``used``) all hold the field, or
    all lack it; only a mix of the two costs a filter in the scan, and the scan joins
    nothing."""
    out = []
    for f in fields if fields is not None else sorted(set(NEEDS.values())):
        ids = [r for r, have in held.items() if f not in have]
        if used is not None:
            ids = [r for r in ids if r in used]
        if not ids:
            out.append(f"0 AS lacks_{f}")
        elif used is not None and set(ids) >= set(used):
            out.append(f"count(*) FILTER (WHERE {ok}) AS lacks_{f}")
        else:
            out.append(
                f"count(*) FILTER (WHERE {ok} AND release_id IN ({_release_list(tuple(ids))}))"
                f" AS lacks_{f}"
            )
    return ", ".join(out)


def policy_counties(engine: Reader, q: Selection, registry: Registry | None) -> list[str]:
    """County FIPS where a policy of ``q.policy`` is in force on ``q.policy_on``."""
    from icefacts.analysis.rates import county_policy_groups
    from icefacts.policies import default_registry

    assert q.policy is not None and q.policy_on is not None
    if not engine.has_table("counties"):
        raise InputError(
            "--policy needs the places tables (counties, policies): load them once with "
            "`icefacts reference load`"
        )
    groups = county_policy_groups(engine, registry or default_registry(), q.policy, q.policy_on)
    return [r["fips"] for r in groups.to_pylist() if r["policy_group"] == "in force"]


def unplaced(engine: Reader, q: Selection, by: str | None, lo: date, hi: date) -> Caveat | None:
    """A caveat when figures per state or county (or filtered by them) leave out events not
    placed at that level: how many of the span's arrests in the AORs asked they are."""
    from icefacts.caveats import Caveat

    level = "county" if (by == "county" or q.counties or q.policy) else None
    if level is None and (by == "state" or q.states):
        level = "state"
    if level is None:
        return None
    column = "county_fips" if level == "county" else "state"
    aor = f" AND aor IN ({quoted(q.aors)})" if q.aors else ""
    row = engine.query(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE {column} IS NULL) AS missing "
        f"FROM {source(q)} e WHERE apprehension_date BETWEEN {sql_date(lo)} AND "
        f"{sql_date(hi)}{aor}"
    ).to_pylist()[0]
    if not row["missing"]:
        return None
    return Caveat(
        "unplaced_events",
        {"rows": row["missing"], "total": row["total"], "level": level},
    )


def synthetic_used(engine: Reader, used: list[str]) -> Caveat | None:
    """A caveat when rows of a synthetic release (``icefacts synth``) are among those
    counted: they are made up, not ICE's."""
    from icefacts.caveats import Caveat

    if not used:
        return None
    fake = (
        engine.query(
            f"SELECT release_id FROM releases WHERE synthetic AND release_id IN "
            f"({_release_list(tuple(used))}) ORDER BY 1"
        )
        .column(0)
        .to_pylist()
    )
    return Caveat("synthetic_rows", {"releases": fake}) if fake else None


@dataclass
class Counting:
    """What the count-once rule did in a span: the releases counted and set aside, and the
    caveats saying so (rows set aside, days counted from a subset, synthetic rows)."""

    used: list[str]
    set_aside: list[str]
    synthetic: Caveat | None  # rows of a synthetic release are among those counted
    caveats: list[Caveat]  # rows set aside, subsets counted; or the releases asked for
    outside: int = 0  # counted rows dated outside the span, or not dated


def counting(
    engine: Reader, q: Selection, lo: date, hi: date, also: tuple[tuple[date, date], ...] = ()
) -> Counting:
    """:func:`count_once_in` (remembered by a read-only reader)."""
    key = ("counting", q.releases, q.aors, lo, hi, also)
    return remembered(engine, key, lambda: count_once_in(engine, q, lo, hi, also))


def count_once_in(
    engine: Reader, q: Selection, lo: date, hi: date, also: tuple[tuple[date, date], ...] = ()
) -> Counting:
    """The count-once rule in [lo, hi] (and the periods ``also``) in the AORs asked, from one
    query over the counting step's cells (every answer asks this; one statement instead of
    five: each costs a couple of milliseconds to bind and run, whatever it reads), and how
    many counted rows lie outside the span."""
    from icefacts.caveats import Caveat

    if q.releases:
        used = sorted(q.releases)
        override = [Caveat("release_override", {"releases": list(q.releases)})]
        return Counting(used, [], synthetic_used(engine, used), override)
    # the span, and any further periods the answer counts (an operation's baseline weeks)
    inside = " OR ".join(
        f"c.day BETWEEN {sql_date(a)} AND {sql_date(b)}" for a, b in ((lo, hi), *also)
    )

    def per_aor() -> list[dict]:
        return engine.query(
            "SELECT c.aor, c.counted, c.release_id, c.counted_by, s.subset, "
            "coalesce(r.synthetic, false) AS synthetic, "
            f"coalesce({inside}, false) AS inside, "
            "sum(c.rows)::BIGINT AS rows "
            "FROM counting_cells c LEFT JOIN release_coverage s ON s.release_id = c.release_id "
            "AND s.sheet_index = c.sheet_index AND s.table_name = c.table_name "
            "LEFT JOIN releases r ON r.release_id = c.release_id "
            "WHERE c.table_name = 'arrests' GROUP BY ALL"
        ).to_pylist()

    # one query per span, for every AOR: a reader asking about many places (a claim file)
    # filters it here instead of asking again
    every = remembered(engine, ("counting_cells", lo, hi, also), per_aor)
    if q.aors:
        every = [r for r in every if r["aor"] in q.aors]
    rows = [r for r in every if r["inside"]]
    outside = sum(r["rows"] or 0 for r in every if r["counted"] and not r["inside"])
    counted = [r for r in rows if r["counted"]]
    aside = [r for r in rows if not r["counted"]]
    used = sorted({r["counted_by"] for r in counted if r["counted_by"] is not None})
    caveats: list[Caveat] = []
    fake = sorted({r["release_id"] for r in counted if r["synthetic"]})
    synthetic = Caveat("synthetic_rows", {"releases": fake}) if fake else None
    shadowed = sum(r["rows"] or 0 for r in aside)
    if shadowed:
        caveats.append(
            Caveat(
                "overlap_shadowed",
                {
                    "rows": shadowed,
                    "releases": len({r["release_id"] for r in aside}),
                    "table": "arrests",
                },
            )
        )
    subsets = sorted({r["subset"] for r in counted if r["subset"] is not None})
    caveats += [Caveat("release_subset", {"subset": text}) for text in subsets]
    return Counting(used, sorted({r["release_id"] for r in aside}), synthetic, caveats, outside)
