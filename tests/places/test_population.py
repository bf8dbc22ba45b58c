"""Population helpers: county, state and AOR populations; rates per 100,000."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icefacts.errors import InputError
from icefacts.places import Places, aor_population, crosswalk_on, population, rate_per_100k

POP = pa.table(
    {
        "fips": ["53033", "53033", "53061", "41051", "41051", "02020"],
        "year": pa.array([2017, 2022, 2017, 2017, 2022, 2017], pa.int16()),
        "population": pa.array([2_000, 2_200, 800, 700, 750, 300], pa.int64()),
        "vintage": pa.array([2019, 2024, 2019, 2019, 2024, 2019], pa.int16()),
    }
)
CW = pa.table(
    {
        "fips": ["53033", "53061", "41051", "02020"],
        "aor": ["SEA"] * 4,
        "as_of": pa.array([date(2019, 9, 30)] * 4, pa.date32()),
    }
)


def test_rate_per_100k() -> None:
    assert rate_per_100k(33, 2_000_000) == pytest.approx(1.65)
    assert rate_per_100k(5, None) is None and rate_per_100k(5, 0) is None
    assert rate_per_100k(None, 100) is None


def test_county_state_and_aor_population() -> None:
    assert population("53033", 2017, POP) == 2_000
    assert population("WA", 2017, POP) == 2_800
    assert population("53", 2017, POP) == 2_800
    assert population("SEA", 2017, POP, CW) == 3_800
    assert population("Seattle Area of Responsibility", 2017, POP, CW) == 3_800
    # 2022: Snohomish and Anchorage have no estimate -> no silent undercount
    assert population("SEA", 2022, POP, CW) is None
    assert population("WA", 2022, POP) is None
    with pytest.raises(InputError):
        population("SEA", 2017, POP)
    with pytest.raises(InputError):
        population("Atlantis", 2017, POP, CW)


def test_aor_population_table() -> None:
    t = aor_population(POP, CW).to_pylist()
    by_year = {r["year"]: r for r in t}
    assert by_year[2017]["population"] == 3_800 and by_year[2017]["complete"]
    assert by_year[2022]["population"] is None and not by_year[2022]["complete"]


@pytest.mark.realdata
def test_real_aor_population_is_sum_of_counties(places: Places) -> None:
    pop, cw = places.county_population, places.county_aor
    sea = population("SEA", 2017, pop, cw)
    early = crosswalk_on(cw, date(2017, 7, 1))
    members = early.filter(pc.equal(early["aor"], "SEA"))["fips"].to_pylist()
    total = sum(population(f, 2017, pop) or 0 for f in members)
    assert sea == total and 10_000_000 < sea < 14_000_000
    assert population("53033", 2023, pop) is not None  # Vintage 2024 (WA/OR)
    assert population("SEA", 2023, pop, cw) is None  # Alaska has no 2023 estimate here
    assert rate_per_100k(33, sea) == pytest.approx(33 * 100_000 / sea)
