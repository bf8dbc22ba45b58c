"""A state a record names binds its county, in every placed table: "FRANKLIN COUNTY JAIL"
recorded in Pennsylvania is Franklin County, PA (42055), never the Franklin County in New York
(36033) that ICE's facility list holds. Tables whose records name no state (encounters,
detentions) are bound by their AOR instead: the landmark is looked for among its counties.
Uses the real reference files of ../shared/data."""

from __future__ import annotations

import pytest

from icefacts.places import Gazetteer, Places
from icefacts.places.events import PLACE_KEY_FIELDS, PlaceIndex, place_one

pytestmark = pytest.mark.realdata

STATE_FIELDS = ("state", "facility_state")
NAME_FIELDS = ("landmark", "facility")
FACILITIES = {"FRANKLIN COUNTY JAIL": "42055", "NORTHAMPTON COUNTY PRISON": "42095"}


@pytest.fixture(scope="module")
def index(places: Places, gazetteer: Gazetteer) -> PlaceIndex:
    return PlaceIndex.build(gazetteer, places.counties, places.facilities, places.city_counties)


def _key(table: str, name: str, aor: str | None, state: str | None) -> dict[str, str | None]:
    key: dict[str, str | None] = dict.fromkeys(PLACE_KEY_FIELDS[table])
    key["aor"] = aor
    for f in STATE_FIELDS:
        if f in key:
            key[f] = state
    for f in NAME_FIELDS:
        if f in key:
            key[f] = name
    return key


@pytest.mark.parametrize("table", sorted(PLACE_KEY_FIELDS))
@pytest.mark.parametrize("name", sorted(FACILITIES))
def test_the_philadelphia_aor_binds_a_pennsylvania_facility(
    index: PlaceIndex, table: str, name: str
) -> None:
    county, state, method, _, _ = place_one(_key(table, name, "PHI", "PA"), index)
    assert (county, state, method) == (FACILITIES[name], "PA", "landmark")


@pytest.mark.parametrize(
    "table", sorted(t for t, f in PLACE_KEY_FIELDS.items() if set(f) & set(STATE_FIELDS))
)
@pytest.mark.parametrize("name", sorted(FACILITIES))
@pytest.mark.parametrize("aor", [None, "NYC"])
def test_a_named_state_binds_the_county_whatever_the_aor(
    index: PlaceIndex, table: str, name: str, aor: str | None
) -> None:
    county, state, _, _, _ = place_one(_key(table, name, aor, "PA"), index)
    assert (county, state) == (FACILITIES[name], "PA")


@pytest.mark.parametrize("table", sorted(PLACE_KEY_FIELDS))
def test_no_table_places_a_named_state_elsewhere(index: PlaceIndex, table: str) -> None:
    # a New York AOR does not pull a Pennsylvania record's facility into New York: the state,
    # where the table has one, wins; where it has none the AOR's counties do not hold it
    county, state, _, _, _ = place_one(_key(table, "FRANKLIN COUNTY JAIL", "NYC", "PA"), index)
    assert county != "36033"
    if set(PLACE_KEY_FIELDS[table]) & set(STATE_FIELDS):
        assert state == "PA"


def test_a_facility_code_listed_in_another_state_is_refused(index: PlaceIndex) -> None:
    code, fips = next(iter(index.facility_county.items()))
    listed = index.county_state[fips]
    other = "PA" if listed != "PA" else "NY"
    key = dict.fromkeys(PLACE_KEY_FIELDS["detainers"])
    key.update(facility_code=code, facility_state=other)
    county, state, _, _, note = place_one(key, index)
    assert county is None or index.county_state[county] == other
    assert state == other and f"listed in {listed}, not {other}" in (note or "")
