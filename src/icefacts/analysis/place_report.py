"""Places as users name them: "King County, WA", "53033", "WA", "SEA" -> a report (population,
AORs, policies and rulings in force, 287(g) agreements, events by year); the jurisdictions
with a policy of a type in force on a date; how well events were placed. Reads the public
views of the reference tables (``counties``, ``county_aor``, ``agreements_287g``, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from icefacts.analysis.overlaps import counting_caveats
from icefacts.errors import IcefactsError, InputError
from icefacts.places.agreements import signed_date_caveat
from icefacts.places.names import county_key
from icefacts.places.states import state as lookup_state
from icefacts.policies import (
    POLICY_TYPES,
    PolicyInForce,
    Registry,
    area_policy_status,
    is_ruling,
    jurisdictions_matching,
    policy_status,
)
from icefacts.release_specs import vocab
from icefacts.schema import EVENT_TABLES, PLACED_TABLES
from icefacts.warehouse.engine import Engine, Reader

POLICY_SLUGS = {
    "limits-detainers": "limits detainer compliance",
    "bars-jail-access": "bars ICE jail access",
    "limits-info-sharing": "limits information sharing",
    "287g": "287(g) agreement",
    "court-ruling": "court ruling",
    "other": "other",
}


def policy_type(value: str) -> str:
    """A policy type from its slug (``limits-detainers``) or its full name."""
    text = value.strip()
    if text in POLICY_SLUGS:
        return POLICY_SLUGS[text]
    if text in POLICY_TYPES:
        return text
    raise InputError(
        f"unknown policy type {value!r}; use one of: {', '.join(POLICY_SLUGS)} "
        f"(or {', '.join(repr(t) for t in POLICY_TYPES)})"
    )


@dataclass(frozen=True)
class Place:
    kind: str  # county | state | aor
    code: str  # 5-digit FIPS, 2-digit state FIPS, or AOR code
    name: str
    state: str | None  # USPS


def require_places(engine: Reader) -> None:
    try:
        engine.query("SELECT 1 FROM counties LIMIT 1")
    except IcefactsError:
        raise IcefactsError(
            "the warehouse has no places tables yet: run `icefacts reference load` first"
        ) from None


def resolve_place(engine: Reader, text: str) -> Place:
    """County ("King County, WA", "53033"), state ("WA", "53", "Washington") or AOR."""
    require_places(engine)
    raw = text.strip()
    if raw.isdigit() and len(raw) == 5:
        rows = engine.query(
            "SELECT fips, name, state FROM counties WHERE fips = ?", [raw]
        ).to_pylist()
        if not rows:
            raise InputError(f"no county with FIPS {raw}")
        r = rows[0]
        return Place("county", r["fips"], f"{r['name']}, {r['state']}", r["state"])
    if "," in raw:
        name, st_text = (p.strip() for p in raw.rsplit(",", 1))
        st = lookup_state(st_text)
        if st is None:
            raise InputError(f"unknown state {st_text!r} in {text!r}")
        rows = engine.query(
            "SELECT fips, name, state FROM counties WHERE state = ?", [st.usps]
        ).to_pylist()
        hits = [r for r in rows if county_key(r["name"]) == county_key(name)]
        if len(hits) != 1:
            choices = ", ".join(r["name"] for r in hits) or "none"
            raise InputError(f"{text!r} matches {len(hits)} counties in {st.usps} ({choices})")
        r = hits[0]
        return Place("county", r["fips"], f"{r['name']}, {r['state']}", r["state"])
    aor = vocab("aor").lookup(raw)
    if aor and (len(raw) == 3 or "area" in raw.lower() or not lookup_state(raw)):
        return Place("aor", aor, f"{aor} Area of Responsibility", None)
    st = lookup_state(raw)
    if st is not None:
        return Place("state", st.fips, st.name, st.usps)
    raise InputError(
        f"not a place: {text!r} (try 'King County, WA', a 5-digit county FIPS, a state or "
        "an AOR code)"
    )


def place_filter(place: Place, alias: str = "") -> tuple[str, list[object]]:
    """SQL predicate selecting the events placed in ``place``."""
    p = f"{alias}." if alias else ""
    if place.kind == "county":
        return f"{p}county_fips = ?", [place.code]
    if place.kind == "state":
        return f"{p}place_state = ?", [place.state]
    return f"{p}aor = ?", [place.code]


@dataclass
class PlaceReport:
    """A place on a date. ``policies`` are the instruments in force (court rulings apart, in
    ``rulings``) for the place and, for a state or an AOR, for every state, county and city
    in it: ``applies_as`` and ``jurisdiction`` say which part each covers."""

    place: Place
    on: date
    population: int | None
    population_year: int | None
    aors: list[str]
    policies: list[PolicyInForce]
    agreements_287g: pa.Table
    events_by_year: pa.Table
    caveats: list[str]
    rulings: list[PolicyInForce] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the place, its population, policies, rulings, agreements, events."""
        from icefacts.analysis.base import plain_rows

        policies, rulings = self.policies_table(), self.rulings_table()
        return {
            "place": dict(self.place.__dict__),
            "on": self.on.isoformat(),
            "population": self.population,
            "population_year": self.population_year,
            "aors": self.aors,
            "policies": plain_rows(policies) if policies.num_rows else [],
            "rulings": plain_rows(rulings) if rulings.num_rows else [],
            "agreements_287g": plain_rows(self.agreements_287g),
            "events_by_year": plain_rows(self.events_by_year),
            "caveats": self.caveats,
        }

    def policies_table(self) -> pa.Table:
        """The instruments in force, one row each (no columns when there are none)."""
        return instruments_table(self.policies)

    def rulings_table(self) -> pa.Table:
        """The court rulings in effect, one row each (no columns when there are none)."""
        return instruments_table(self.rulings)


def instruments_table(found: list[PolicyInForce]) -> pa.Table:
    """Registry instruments as rows: what, whose, which part of the place it covers."""
    return pa.Table.from_pylist(
        [
            {
                "instrument": p.instrument,
                "jurisdiction": p.jurisdiction,
                "fips": p.fips,
                "applies_as": p.applies_as,
                "types": ", ".join(p.types),
                "in_force_from": p.start,
                "until": p.end,
                "certain": p.certain,
                "confidence": p.confidence,
                "source": p.sources[0],
            }
            for p in found
        ]
    )


# the county -> AOR crosswalk version in force on a date (the earliest one for older dates)
CROSSWALK_ON = (
    "as_of = (SELECT coalesce(max(as_of) FILTER (WHERE as_of <= ?), min(as_of)) FROM county_aor)"
)


def _population(engine: Engine, place: Place, year: int) -> tuple[int | None, int | None]:
    if place.kind == "aor":
        rows = engine.query(
            "SELECT year, population FROM aor_population WHERE aor = ? "
            "AND complete AND year <= ? ORDER BY year DESC, as_of DESC LIMIT 1",
            [place.code, year],
        ).to_pylist()
    else:
        pred = "fips = ?" if place.kind == "county" else "substr(fips, 1, 2) = ?"
        rows = engine.query(
            f"SELECT year, sum(population) AS population FROM county_population "
            f"WHERE {pred} AND year <= ? GROUP BY year ORDER BY year DESC LIMIT 1",
            [place.code, year],
        ).to_pylist()
    if not rows:
        return None, None
    return int(rows[0]["population"]), int(rows[0]["year"])


def place_report(engine: Engine, registry: Registry, text: str, on: date) -> PlaceReport:
    place = resolve_place(engine, text)
    caveats: list[str] = []
    population, pop_year = _population(engine, place, on.year)
    if pop_year is not None and pop_year != on.year:
        caveats.append(f"population is the {pop_year} estimate (none for {on.year})")
    if place.kind == "aor":
        aors = [place.code]
        counties, whole_states = _aor_counties(engine, place.code, on)
        found = area_policy_status(counties, on, whole_states=whole_states, registry=registry)
    else:
        pred = "fips = ?" if place.kind == "county" else "substr(fips, 1, 2) = ?"
        aors = [
            r["aor"]
            for r in engine.query(
                f"SELECT DISTINCT aor FROM county_aor WHERE {pred} AND {CROSSWALK_ON} ORDER BY aor",
                [place.code, on],
            ).to_pylist()
        ]
        found = policy_status(place.code, on, registry=registry)
    agreements, agreement_caveats = _agreements(engine, place, on)
    caveats += agreement_caveats
    if aors and engine.has_table("counting_cells"):
        # the events by year follow the count-once rule: say what it set aside here
        for table in PLACED_TABLES:
            caveats += [
                f"{code}: {text}"
                for code, text in counting_caveats(
                    engine, table, date(1900, 1, 1), date(2999, 12, 31), aors=aors
                )
            ]
    return PlaceReport(
        place,
        on,
        population,
        pop_year,
        aors,
        [p for p in found if not is_ruling(p)],
        agreements,
        _events_by_year(engine, place),
        caveats,
        rulings=[p for p in found if is_ruling(p)],
    )


def _aor_counties(engine: Engine, aor: str, on: date) -> tuple[list[str], list[str]]:
    """The AOR's counties in the crosswalk version in force on ``on``, and the states that lie
    wholly in it."""
    rows = engine.query(
        f"SELECT fips, aor FROM county_aor WHERE {CROSSWALK_ON} ORDER BY fips", [on]
    ).to_pylist()
    counties = [r["fips"] for r in rows if r["aor"] == aor]
    split = {r["fips"][:2] for r in rows if r["aor"] != aor}
    return counties, sorted({c[:2] for c in counties} - split)


def _agreements(engine: Engine, place: Place, on: date) -> tuple[pa.Table, list[str]]:
    """287(g) agreements on the participating lists signed by ``on`` (latest snapshot of
    each agency and model), and caveats about what the lists cannot say."""
    params: list[object] = [place.code]
    if place.kind == "county":
        pred = "county_fips = ?"
    elif place.kind == "state":
        pred = "state_fips = ?"
    else:
        pred = f"county_fips IN (SELECT fips FROM county_aor WHERE aor = ? AND {CROSSWALK_ON})"
        params.append(on)
    table = engine.query(
        "SELECT agency, model, signed_date, snapshot_date, listing FROM ("
        "SELECT *, row_number() OVER (PARTITION BY agency, model ORDER BY snapshot_date DESC) "
        "AS k FROM agreements_287g "
        f"WHERE {pred} AND listing = 'participating' AND signed_date <= ?) "
        "WHERE k = 1 ORDER BY signed_date, agency",
        [*params, on],
    )
    caveats = []
    snaps = engine.scalar("SELECT min(snapshot_date) AS lo FROM agreements_287g")
    if snaps and on < snaps:
        caveats.append(
            f"287(g) lists are snapshots from {snaps} on: agreements that ended before then "
            "are missing, so the list for an earlier date may be incomplete"
        )
    if _has_column(engine, "agreements_287g", "signed_problem"):
        rows = engine.query(
            "SELECT DISTINCT agency, model, signed_raw, signed_problem "
            f"FROM agreements_287g WHERE {pred} AND listing = 'participating' "
            "AND signed_problem IS NOT NULL ORDER BY agency",
            params,
        ).to_pylist()
        listed = {(r["agency"], r["model"]) for r in table.select(["agency", "model"]).to_pylist()}
        unused = [r for r in rows if (r["agency"], r["model"]) not in listed]
        if unused:
            caveats.append(
                "287(g) agreements not listed for want of a usable signing date: "
                + "; ".join(
                    f"{r['agency']} ({r['model']}), SIGNED {r['signed_raw']!r}: "
                    f"{r['signed_problem']}"
                    for r in unused
                )
            )
    return table, caveats


def listed_agreements(engine: Reader, on: date) -> dict[str, list[tuple[str, str]]]:
    """County FIPS -> (agency, model) of the 287(g) agreements on ICE's published
    participating lists that were signed by ``on``. The lists are 2025 snapshots: an
    agreement that ended before its snapshot is not in them, so for earlier dates this is a
    lower bound."""
    rows = engine.query(
        "SELECT DISTINCT county_fips, agency, model FROM agreements_287g "
        "WHERE listing = 'participating' AND county_fips IS NOT NULL AND signed_date <= ?",
        [on],
    ).to_pylist()
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        out.setdefault(r["county_fips"], []).append((r["agency"], r["model"]))
    return out


@dataclass
class PolicyJurisdictions:
    """Jurisdictions with a policy of one type in force on a date (``icefacts places``)."""

    policy: str  # the policy type's full name
    on: date
    table: pa.Table  # fips, level, jurisdiction, instruments, certain, source


def policy_jurisdictions(
    engine: Engine | None, registry: Registry, policy: str, on: date
) -> PolicyJurisdictions:
    """The registry's jurisdictions with a policy of type ``policy`` in force on ``on``; for
    287(g), also the counties of ICE's published participating lists (agreements signed by
    ``on``) when the warehouse (``engine``) holds them."""
    ptype = policy_type(policy)
    rows: list[dict[str, object]] = [
        {
            "fips": m.fips,
            "level": m.level,
            "jurisdiction": m.jurisdiction,
            "instruments": ", ".join(m.policy_ids),
            "certain": m.certain,
            "source": "policy registry",
        }
        for m in jurisdictions_matching(ptype, on, registry=registry)
    ]
    if ptype == "287(g) agreement" and engine is not None and engine.has_table("agreements_287g"):
        for fips, agreements in sorted(listed_agreements(engine, on).items()):
            rows.append(
                {
                    "fips": fips,
                    "level": "county",
                    "jurisdiction": agreements[0][0],
                    "instruments": "; ".join(f"{agency} ({model})" for agency, model in agreements),
                    "certain": True,
                    "source": "ICE 287(g) list (2025 snapshot)",
                }
            )
    table = pa.Table.from_pylist(rows) if rows else pa.table({"fips": pa.array([], pa.string())})
    return PolicyJurisdictions(ptype, on, table)


def agreement_date_caveats(engine: Engine) -> list[str]:
    """Caveats for the 287(g) list rows the warehouse holds without their signing date."""
    if not _has_column(engine, "agreements_287g", "signed_problem"):
        return []
    rows = engine.query(
        "SELECT signed_raw, signed_problem FROM agreements_287g WHERE signed_problem IS NOT NULL"
    ).to_pylist()
    return signed_date_caveat([(r["signed_raw"], r["signed_problem"]) for r in rows])


def _has_column(engine: Engine, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (warehouses loaded by older versions may not)."""
    return column in engine.query(f"SELECT * FROM {table} LIMIT 0").schema.names


def _events_by_year(engine: Engine, place: Place) -> pa.Table:
    """Events placed here by table and year: each counted once (rows of the release that
    counts their day, duplicates apart in ``flagged_duplicates``)."""
    parts, params = [], []
    for table in PLACED_TABLES:
        date_field = EVENT_TABLES[table].date_field
        pred, p = place_filter(place)
        parts.append(
            f"SELECT '{table}' AS table_name, year({date_field}) AS year, "
            "count(*) FILTER (WHERE duplicate_of IS NULL) AS events, "
            "count(duplicate_of) AS flagged_duplicates, "
            "string_agg(DISTINCT place_method, ', ' ORDER BY place_method) AS placed_by "
            f"FROM {table}_all WHERE shadowed_by IS NULL AND {pred} GROUP BY ALL"
        )
        params += p
    return engine.query(" UNION ALL ".join(parts) + " ORDER BY table_name, year", params)


def placement_coverage(engine: Engine, table: str = "arrests") -> pa.Table:
    """Per AOR: events, how many were placed in a county, and by which method."""
    if table not in PLACED_TABLES:
        raise InputError(f"placement is for {', '.join(PLACED_TABLES)}, not {table!r}")
    return engine.query(
        f"""
        SELECT coalesce(aor, '(blank)') AS aor, count(*) AS events,
               count(county_fips) AS placed_in_county,
               round(100.0 * count(county_fips) / count(*), 1) AS placed_pct,
               count(*) FILTER (WHERE place_method = 'release_county') AS release_county,
               count(*) FILTER (WHERE place_method = 'facility') AS facility,
               count(*) FILTER (WHERE place_method = 'landmark') AS landmark,
               count(*) FILTER (WHERE place_method = 'aor_only') AS aor_only,
               count(*) FILTER (WHERE place_method = 'state_only') AS state_only,
               count(*) FILTER (WHERE place_method IS NULL) AS no_location
        FROM {table} GROUP BY ALL ORDER BY events DESC, aor
        """
    )
