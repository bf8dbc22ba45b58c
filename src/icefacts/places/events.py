"""Place events: county, state and how we know, from what each record carries.

Work is done once per distinct *place key* (the location fields of a record), never per row:
a million arrests have a few thousand distinct (AOR, state, county, landmark) combinations.
The result joins back to the events in the public views.

Methods, most to least direct:
  release_county  the release names the state and county of the event
  facility        a facility code (DETLOC) or a facility name + city the facility lists know
  landmark        a free-text landmark resolved to one county within the record's AOR
  aor_only        nothing finer than the AOR (ICE offices, "general area", unknown places)
  state_only      no AOR and no county, but the record names a state
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from icefacts.places.facilities import county_index
from icefacts.places.landmarks import Gazetteer, place_landmark
from icefacts.places.names import county_key
from icefacts.places.states import state as lookup_state
from icefacts.schema import EVENT_TABLES

# The location fields each event table can carry, in key order (defined in the schema).
PLACE_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    t.name: t.place_fields for t in EVENT_TABLES.values() if t.placed
}

PLACEMENT_SCHEMA = pa.schema(
    [
        ("county_fips", pa.string()),
        ("state", pa.string()),
        ("place_method", pa.string()),
        ("place_confidence", pa.string()),
        ("place_note", pa.string()),
    ]
)


@dataclass(frozen=True)
class PlaceIndex:
    """What placement needs, built once from the places tables."""

    gazetteer: Gazetteer
    counties: dict[tuple[str, str], list[str]]  # (USPS, county key) -> FIPS
    county_state: dict[str, str]  # FIPS -> USPS
    facility_county: dict[str, str]  # DETLOC -> county FIPS
    city_county: dict[tuple[str, str], str]  # (USPS, city key) -> county FIPS, if unique

    @classmethod
    def build(
        cls,
        gazetteer: Gazetteer,
        counties: pa.Table,
        facilities: pa.Table,
        city_counties: pa.Table,
    ) -> PlaceIndex:
        county_state = dict(
            zip(counties["fips"].to_pylist(), counties["state"].to_pylist(), strict=True)
        )
        fac = {
            str(r["detloc"]).strip().upper(): r["county_fips"]
            for r in facilities.select(["detloc", "county_fips"]).to_pylist()
            if r["detloc"] and r["county_fips"]
        }
        cities: dict[tuple[str, str], set[str]] = {}
        for r in city_counties.select(["city", "state", "county_fips"]).to_pylist():
            if r["city"] and r["state"] and r["county_fips"]:
                cities.setdefault((r["state"], county_key(r["city"])), set()).add(r["county_fips"])
        return cls(
            gazetteer=gazetteer,
            counties=county_index(counties),
            county_state=county_state,
            facility_county=fac,
            city_county={k: next(iter(v)) for k, v in cities.items() if len(v) == 1},
        )


def _usps(value: str | None) -> str | None:
    if not value:
        return None
    found = lookup_state(value)
    return found.usps if found else None


def place_one(values: dict[str, str | None], index: PlaceIndex) -> tuple[str | None, ...]:
    """(county_fips, state, method, confidence, note) for one distinct place key.

    A state the record names binds its county: a facility code, facility city, facility name
    or landmark is only placed in a county of that state ("FRANKLIN COUNTY JAIL" recorded in
    Pennsylvania is Franklin County, PA, never the one in New York)."""
    aor = values.get("aor")
    st = _usps(values.get("state") or values.get("facility_state"))
    county = values.get("county")
    if st and county:
        hits = index.counties.get((st, county_key(county)), [])
        if not hits and not county_key(county).endswith("city"):
            hits = index.counties.get((st, county_key(county) + "city"), [])
        if len(hits) == 1:
            return hits[0], st, "release_county", "high", None
    code = (values.get("facility_code") or "").strip().upper()
    refused: str | None = None
    if code and code in index.facility_county:
        fac_fips = index.facility_county[code]
        fac_state = index.county_state.get(fac_fips)
        if st is None or fac_state == st:
            return fac_fips, fac_state, "facility", "high", f"facility code {code}"
        refused = f"facility code {code} is listed in {fac_state}, not {st}"
    city = values.get("facility_city")
    if st and city and (city_fips := index.city_county.get((st, county_key(city)))):
        return city_fips, st, "facility", "medium", f"facility city {city.title()}, {st}"
    landmark = values.get("landmark") or values.get("facility")
    if landmark:
        p = place_landmark(landmark, aor, index.gazetteer, state=st)
        if p.county_fips and (st is None or p.state == st):
            note = f"{p.method}" + (f": {p.note}" if p.note else "")
            return p.county_fips, p.state, "landmark", p.confidence, note
        st = st or p.state
        why = refused or p.note or p.method
    else:
        why = refused or "no location fields"
    if aor:
        return None, st, "aor_only", "none", why
    if st:
        return None, st, "state_only", "none", why
    return None, st, None, None, why


def place_keys(table: str, keys: pa.Table, index: PlaceIndex) -> pa.Table:
    """Placements (``PLACEMENT_SCHEMA``) for a table of distinct location fields (columns as
    ``PLACE_KEY_FIELDS[table]``), row for row."""
    fields = PLACE_KEY_FIELDS[table]
    cols: dict[str, list[str | None]] = {n: [] for n in PLACEMENT_SCHEMA.names}
    for row in keys.to_pylist():
        placed = place_one({f: row.get(f) for f in fields}, index)
        for name, value in zip(PLACEMENT_SCHEMA.names, placed, strict=True):
            cols[name].append(value)
    return pa.Table.from_pydict(cols, schema=PLACEMENT_SCHEMA)
