"""Build every places table from the reference datasets in one call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from icefacts.places.agreements import agreements_287g, signed_date_caveat
from icefacts.places.aors import aors
from icefacts.places.counties import concat, counties, county_population
from icefacts.places.crosswalk import county_aor
from icefacts.places.facilities import city_counties, facilities
from icefacts.places.landmarks import Gazetteer, build_gazetteer
from icefacts.places.population import aor_population
from icefacts.places.states import states
from icefacts.reference import load_reference


@dataclass(frozen=True)
class Places:
    """The places tables, ready to be loaded into the warehouse (``core_`` layer)."""

    states: pa.Table
    counties: pa.Table
    county_population: pa.Table
    aors: pa.Table
    county_aor: pa.Table
    aor_population: pa.Table
    facilities: pa.Table
    city_counties: pa.Table
    agreements_287g: pa.Table
    ice_offices: pa.Table  # as parsed: AOR field offices and sub-offices (for the gazetteer)

    def tables(self) -> dict[str, pa.Table]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def signed_date_problems(self) -> int:
        """287(g) list rows loaded without their signing date (unreadable or implausible)."""
        problem = self.agreements_287g["signed_problem"]
        return len(problem) - problem.null_count

    @property
    def caveats(self) -> list[str]:
        """What the build had to leave out, one line each (empty when nothing was)."""
        t = self.agreements_287g.filter(self.agreements_287g["signed_problem"].is_valid())
        return signed_date_caveat(
            list(zip(t["signed_raw"].to_pylist(), t["signed_problem"].to_pylist(), strict=True))
        )


def build_places(
    mirror: Path | None = None, cache: Path | None = None, *, allow_download: bool = True
) -> Places:
    """Fetch (checksum-verified) and parse the reference datasets, then build every table."""

    def ref(name: str) -> pa.Table:
        return load_reference(name, mirror, cache, allow_download=allow_download)

    pop_raw = concat([ref("census-population-v2019"), ref("census-population-v2024")])
    county_table = counties(pop_raw)
    pop = county_population(pop_raw)
    crosswalk = county_aor(
        county_table, uwchr=ref("county-aor-uwchr"), ice_list=ref("ice-aor-list")
    )
    fac = facilities(ref("facilities-uwchr"), county_table, ref("facility-aor-2025"))
    cities = city_counties(fac)
    offices = ref("ice-offices")
    return Places(
        states=states(),
        counties=county_table,
        county_population=pop,
        aors=aors(offices),
        county_aor=crosswalk,
        aor_population=aor_population(pop, crosswalk),
        facilities=fac,
        city_counties=cities,
        agreements_287g=agreements_287g(ref("agreements-287g-2025"), county_table, cities),
        ice_offices=offices,
    )


def load_gazetteer(
    mirror: Path | None = None,
    cache: Path | None = None,
    *,
    allow_download: bool = True,
    places: Places | None = None,
) -> Gazetteer:
    """The landmark gazetteer from the reference data (reusing ``places`` when given)."""
    built = places or build_places(mirror, cache, allow_download=allow_download)
    return build_gazetteer(
        built.counties,
        built.county_aor,
        built.facilities,
        built.city_counties,
        built.ice_offices,
        built.county_population,
    )
