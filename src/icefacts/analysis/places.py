"""Places as users name them: "King County, WA", "53033", "WA", "SEA" -> a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from icefacts.errors import IcefactsError, InputError
from icefacts.places.names import county_key
from icefacts.places.states import state as lookup_state
from icefacts.policies import POLICY_TYPES, PolicyInForce, Registry, policy_status
from icefacts.schema import EVENT_TABLES
from icefacts.specs import vocab
from icefacts.warehouse.engine import Engine

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


def require_places(engine: Engine) -> None:
    try:
        engine.query("SELECT 1 FROM core_place_counties LIMIT 1")
    except IcefactsError:
        raise IcefactsError(
            "the warehouse has no places tables yet: run `icefacts reference load` first"
        ) from None


def resolve_place(engine: Engine, text: str) -> Place:
    """County ("King County, WA", "53033"), state ("WA", "53", "Washington") or AOR."""
    require_places(engine)
    raw = text.strip()
    if raw.isdigit() and len(raw) == 5:
        rows = engine.query(
            "SELECT fips, name, state FROM core_place_counties WHERE fips = ?", [raw]
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
            "SELECT fips, name, state FROM core_place_counties WHERE state = ?", [st.usps]
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
    place: Place
    on: date
    population: int | None
    population_year: int | None
    aors: list[str]
    policies: list[PolicyInForce]
    agreements_287g: pa.Table
    events_by_year: pa.Table
    caveats: list[str]


def _population(engine: Engine, place: Place, year: int) -> tuple[int | None, int | None]:
    if place.kind == "aor":
        rows = engine.query(
            "SELECT year, population FROM core_place_aor_population WHERE aor = ? "
            "AND complete AND year <= ? ORDER BY year DESC, as_of DESC LIMIT 1",
            [place.code, year],
        ).to_pylist()
    else:
        pred = "fips = ?" if place.kind == "county" else "substr(fips, 1, 2) = ?"
        rows = engine.query(
            f"SELECT year, sum(population) AS population FROM core_place_county_population "
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
    else:
        pred = "fips = ?" if place.kind == "county" else "substr(fips, 1, 2) = ?"
        aors = [
            r["aor"]
            for r in engine.query(
                f"SELECT DISTINCT aor FROM core_place_county_aor WHERE {pred} AND as_of = ("
                "SELECT coalesce(max(as_of) FILTER (WHERE as_of <= ?), min(as_of)) "
                "FROM core_place_county_aor) ORDER BY aor",
                [place.code, on],
            ).to_pylist()
        ]
    policies = policy_status(place.code, on, registry=registry) if place.kind != "aor" else []
    if place.kind == "county":
        agree_pred, agree_params = "county_fips = ?", [place.code]
    elif place.kind == "state":
        agree_pred, agree_params = "state_fips = ?", [place.code]
    else:
        agree_pred = "county_fips IN (SELECT fips FROM core_place_county_aor WHERE aor = ?)"
        agree_params = [place.code]
    agreements = engine.query(
        "SELECT agency, model, signed_date, snapshot_date, listing FROM ("
        "SELECT *, row_number() OVER (PARTITION BY agency, model ORDER BY snapshot_date DESC) "
        "AS k FROM core_place_agreements_287g "
        f"WHERE {agree_pred} AND listing = 'participating' AND signed_date <= ?) "
        "WHERE k = 1 ORDER BY signed_date, agency",
        [*agree_params, on],
    )
    snaps = engine.query(
        "SELECT min(snapshot_date) AS lo FROM core_place_agreements_287g"
    ).to_pylist()[0]["lo"]
    if snaps and on < snaps:
        caveats.append(
            f"287(g) lists are snapshots from {snaps} on: agreements that ended before then "
            "are missing, so the list for an earlier date may be incomplete"
        )
    events = _events_by_year(engine, place)
    return PlaceReport(place, on, population, pop_year, aors, policies, agreements, events, caveats)


def _events_by_year(engine: Engine, place: Place) -> pa.Table:
    from icefacts.places.events import PLACE_KEY_FIELDS

    parts, params = [], []
    for table in PLACE_KEY_FIELDS:
        date_field = EVENT_TABLES[table].date_field
        pred, p = place_filter(place)
        parts.append(
            f"SELECT '{table}' AS table_name, year({date_field}) AS year, "
            f"count(*) AS events, count(duplicate_of) AS flagged_duplicates, "
            f"string_agg(DISTINCT place_method, ', ' ORDER BY place_method) AS placed_by "
            f"FROM {table} WHERE {pred} GROUP BY ALL"
        )
        params += p
    return engine.query(" UNION ALL ".join(parts) + " ORDER BY table_name, year", params)


def placement_coverage(engine: Engine, table: str = "arrests") -> pa.Table:
    """Per AOR: events, how many were placed in a county, and by which method."""
    from icefacts.places.events import PLACE_KEY_FIELDS

    if table not in PLACE_KEY_FIELDS:
        raise InputError(f"placement is for {', '.join(PLACE_KEY_FIELDS)}, not {table!r}")
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
