"""County -> AOR crosswalk: complete and unique per as_of date; split states; Harlingen."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icefacts.errors import InputError
from icefacts.places import Places, county_aor, crosswalk_on, crosswalk_versions

COUNTIES = pa.table(
    {
        "fips": ["48061", "48201", "53033", "36029", "36061"],
        "name": [
            "Cameron County",
            "Harris County",
            "King County",
            "Erie County",
            "New York County",
        ],
        "state_fips": ["48", "48", "53", "36", "36"],
    }
)


def _ice_list(rows: list[tuple[str, str, str | None]]) -> pa.Table:
    aor = {
        "Harlingen": "SNA",
        "Houston": "HOU",
        "Seattle": "SEA",
        "Buffalo": "BUF",
        "New York City": "NYC",
    }
    return pa.table(
        {
            "office_name": [r[0] for r in rows],
            "aor": [aor[r[0]] for r in rows],
            "state_name": [r[1] for r in rows],
            "county_name": [r[2] for r in rows],
            "notes": [None] * len(rows),
            "source_file": ["ice-areas-of-responsibility.csv"] * len(rows),
            "source_row": list(range(2, len(rows) + 2)),
        }
    )


def test_split_states_by_county_and_harlingen_folded() -> None:
    ice = _ice_list(
        [
            ("Harlingen", "Texas", "Cameron"),
            ("Houston", "Texas", "Harris"),
            ("Seattle", "Washington", None),
            ("Buffalo", "New York", "Erie"),
            ("New York City", "New York", "New York"),
        ]
    )
    t = county_aor(COUNTIES, ice_list=ice)
    rows = {r["fips"]: r for r in t.to_pylist()}
    assert rows["48061"]["aor"] == "SNA" and "Harlingen" in rows["48061"]["note"]
    assert rows["48201"]["aor"] == "HOU" and rows["48201"]["note"] is None
    assert rows["53033"]["method"] == "state" and rows["36061"]["aor"] == "NYC"
    assert {r["as_of"] for r in rows.values()} == {date(2025, 9, 1)}


def test_unlisted_county_of_split_state_is_refused() -> None:
    ice = _ice_list(
        [
            ("Houston", "Texas", "Harris"),
            ("Seattle", "Washington", None),
            ("Buffalo", "New York", "Erie"),
            ("New York City", "New York", "New York"),
        ]
    )
    with pytest.raises(InputError, match=r"48061 .*split state but not listed"):
        county_aor(COUNTIES, ice_list=ice)


@pytest.mark.realdata
def test_every_population_county_exactly_once_per_as_of(places: Places) -> None:
    cw, pop = places.county_aor, places.county_population
    pop_fips = set(pop["fips"].to_pylist())
    versions = sorted(set(cw["as_of"].to_pylist()))
    assert versions == [v.as_of for v in crosswalk_versions()]
    for as_of in versions:
        part = cw.filter(pc.equal(cw["as_of"], pa.scalar(as_of, pa.date32())))
        counts = Counter(part["fips"].to_pylist())
        assert all(n == 1 for n in counts.values()), as_of
        assert pop_fips <= set(counts), sorted(pop_fips - set(counts))[:5]
        codes = set(part["aor"].to_pylist())
        assert len(codes) == 24 and "HLG" not in codes and "HQ" not in codes


@pytest.mark.realdata
def test_split_states_resolved_by_county(places: Places) -> None:
    cw = places.county_aor
    for as_of in sorted(set(cw["as_of"].to_pylist())):
        part = {r["fips"]: r for r in crosswalk_on(cw, as_of).to_pylist()}
        assert part["06037"]["aor"] == "LOS" and part["06073"]["aor"] == "SND"
        assert part["06085"]["aor"] == "SFR"
        assert part["36061"]["aor"] == "NYC" and part["36029"]["aor"] == "BUF"
        assert part["48201"]["aor"] == "HOU" and part["48113"]["aor"] == "DAL"
        assert part["48141"]["aor"] == "ELP" and part["48029"]["aor"] == "SNA"
        assert part["48061"]["aor"] == "SNA"  # Cameron County: Harlingen area, folded
        assert part["09001"]["aor"] == "BOS"  # pre-2022 Connecticut county
        assert part["53033"]["aor"] == "SEA"
    latest = crosswalk_on(cw, date(2026, 1, 1))
    notes = latest.filter(pc.invert(pc.is_null(latest["note"])))
    assert notes.num_rows >= 15 and set(notes["aor"].to_pylist()) == {"SNA"}


@pytest.mark.realdata
def test_crosswalk_version_for_a_date(places: Places) -> None:
    early = crosswalk_on(places.county_aor, date(2017, 9, 25))
    late = crosswalk_on(places.county_aor, date(2025, 10, 1))
    assert set(early["source"].to_pylist()) == {"county-aor-uwchr"}
    assert set(late["source"].to_pylist()) == {"ice-aor-list"}
