"""Places: states, counties, population, AORs, county -> AOR crosswalks, facilities, 287(g)
agreements, and placement of free-text apprehension landmarks.

Builders are pure functions over Arrow tables (inputs come from :mod:`icefacts.reference`);
:func:`build_places` fetches the reference data and builds them all.
"""

from icefacts.places.agreements import agreements_287g
from icefacts.places.aors import aors
from icefacts.places.build import Places, build_places, load_gazetteer
from icefacts.places.counties import counties, county_population
from icefacts.places.crosswalk import county_aor, crosswalk_for, crosswalk_on, crosswalk_versions
from icefacts.places.facilities import city_counties, facilities
from icefacts.places.landmarks import (
    Gazetteer,
    Placement,
    build_gazetteer,
    place_landmark,
    place_landmarks,
)
from icefacts.places.population import aor_population, population, rate_per_100k
from icefacts.places.states import state, states

__all__ = [
    "Gazetteer",
    "Placement",
    "Places",
    "agreements_287g",
    "aor_population",
    "aors",
    "build_gazetteer",
    "build_places",
    "city_counties",
    "counties",
    "county_aor",
    "county_population",
    "crosswalk_for",
    "crosswalk_on",
    "crosswalk_versions",
    "facilities",
    "load_gazetteer",
    "place_landmark",
    "place_landmarks",
    "population",
    "rate_per_100k",
    "state",
    "states",
]
