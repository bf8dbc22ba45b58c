"""Population of a county, a state or an AOR in a year, and rates per 100,000.

Pure functions over the tables built by :mod:`icefacts.places`: an AOR's population is the sum
of its counties' populations for that year (crosswalk version chosen by date), and is None
when any of its counties has no estimate for the year (no silent undercount).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from icefacts.errors import InputError
from icefacts.places.aors import aor_codes
from icefacts.places.crosswalk import crosswalk_on
from icefacts.places.schema import AOR_POPULATION
from icefacts.places.states import state
from icefacts.release_specs import vocab


def rate_per_100k(count: float | None, population: float | None) -> float | None:
    """``count`` per 100,000 residents; None when either is unknown or population is not > 0."""
    if count is None or population is None or population <= 0:
        return None
    return count * 100_000 / population


def _year_pop(county_population: pa.Table, year: int) -> dict[str, int]:
    rows = county_population.filter(pc.equal(county_population["year"], year))
    return dict(zip(rows["fips"].to_pylist(), rows["population"].to_pylist(), strict=True))


def _aor_code(place: str) -> str | None:
    code = vocab("aor").lookup(place.strip())
    return code if code in aor_codes() else None


def population(
    place: str,
    year: int,
    county_population: pa.Table,
    county_aor: pa.Table | None = None,
    *,
    as_of: date | None = None,
) -> int | None:
    """Population of ``place`` in ``year``.

    ``place`` is a 5-digit county FIPS, a state (2-digit FIPS or USPS code) or an AOR (code or
    name, e.g. ``"SEA"`` or ``"Seattle Area of Responsibility"``). For an AOR, ``county_aor``
    is required and the crosswalk version is the one for ``as_of`` (default: July 1 of
    ``year``). Counties in the crosswalk but absent from the population table altogether
    (Puerto Rico, 2022 Connecticut planning regions) are not counted; a county present in the
    table but without an estimate for ``year`` makes the result None.
    """
    text = place.strip()
    pops = _year_pop(county_population, year)
    if len(text) == 5 and text.isdigit():
        return pops.get(text)
    st = state(text) if (len(text) == 2) else None
    if st is not None:
        known = {f for f in county_population["fips"].to_pylist() if f.startswith(st.fips)}
        if not known or any(f not in pops for f in known):
            return None
        return sum(pops[f] for f in known)
    code = _aor_code(text)
    if code is None:
        raise InputError(f"not a county FIPS, state or AOR: {place!r}")
    if county_aor is None:
        raise InputError("an AOR population needs the county_aor crosswalk")
    cw = crosswalk_on(county_aor, as_of or date(year, 7, 1))
    members = cw.filter(pc.equal(cw["aor"], code))["fips"].to_pylist()
    known_fips = set(county_population["fips"].to_pylist())
    counted = [f for f in members if f in known_fips]
    if not counted or any(f not in pops for f in counted):
        return None
    return sum(pops[f] for f in counted)


def aor_population(county_population: pa.Table, county_aor: pa.Table) -> pa.Table:
    """Every (AOR, crosswalk version, year): summed population, county count, completeness."""
    by_year: dict[int, dict[str, int]] = defaultdict(dict)
    for f, y, p in zip(
        county_population["fips"].to_pylist(),
        county_population["year"].to_pylist(),
        county_population["population"].to_pylist(),
        strict=True,
    ):
        by_year[y][f] = p
    known = {f for pops in by_year.values() for f in pops}
    members: dict[tuple[str, date], list[str]] = defaultdict(list)
    for f, aor, as_of in zip(
        county_aor["fips"].to_pylist(),
        county_aor["aor"].to_pylist(),
        county_aor["as_of"].to_pylist(),
        strict=True,
    ):
        if f in known:
            members[(aor, as_of)].append(f)
    cols: dict[str, list[object]] = {n: [] for n in AOR_POPULATION.names}
    for (aor, as_of), fips in sorted(members.items()):
        for year in sorted(by_year):
            pops = by_year[year]
            complete = all(f in pops for f in fips)
            cols["aor"].append(aor)
            cols["as_of"].append(as_of)
            cols["year"].append(year)
            cols["population"].append(sum(pops[f] for f in fips) if complete else None)
            cols["counties"].append(len(fips))
            cols["complete"].append(complete)
    return pa.Table.from_pydict(cols, schema=AOR_POPULATION)
