"""Policy registry: validation messages, policy_status around effective dates, matching."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icefacts.errors import SpecError
from icefacts.places import Places
from icefacts.policies import (
    POLICY_TYPES,
    REGISTRY_FILE,
    FuzzyDate,
    jurisdictions_matching,
    load_registry,
    policy_status,
    registry_table,
)

GOOD = """\
entries:
  - id: test-county-order
    jurisdiction: Test County
    level: county
    fips: "53033"
    instrument: Test order
    types: [limits detainer compliance]
    adopted: 2020-01-10
    effective: 2020-02-01
    sources: [https://example.org/a]
    confidence: high
"""


def _write(tmp_path: Path, body: str, name: str = "mine.yaml") -> Path:
    f = tmp_path / name
    f.write_text(body)
    return f


def _error(tmp_path: Path, body: str) -> str:
    f = _write(tmp_path, body)
    with pytest.raises(SpecError) as err:
        load_registry([f])
    msg = str(err.value)
    assert "\n" not in msg and str(f) in msg
    return msg


def test_shipped_registry_loads_and_covers_the_ten_jurisdictions() -> None:
    reg = load_registry([REGISTRY_FILE])
    fips = {e.fips for e in reg}
    ten = {
        "24510",
        "17031",
        "08031",
        "0644000",
        "3651000",
        "4260000",
        "53033",
        "41051",
        "06085",
        "11",
        "25",
    }  # Seattle/King County & Portland/Multnomah counted as two
    assert ten <= fips
    states = {"24", "17", "08", "06", "36", "53", "41", "11", "25"}
    assert states <= {e.fips for e in reg if e.level == "state"}
    for e in reg:
        assert e.sources and e.confidence in {"high", "medium", "low"}
        assert set(e.types) <= set(POLICY_TYPES)
    assert registry_table(reg).num_rows == len(reg)


def test_king_county_on_the_operation_date() -> None:
    got = policy_status("53033", date(2017, 9, 25))
    ids = [p.id for p in got]
    assert ids[0] == "wa-inslee-eo-2017" and got[0].applies_as == "state"
    assert {"kc-ordinance-17706", "kc-ordinance-17886"} <= set(ids)
    assert "sea-welcoming-city-res-31730" in ids  # a city within the county
    # adopted or in force only later
    assert not {
        "kc-ordinance-18665",
        "wa-keep-washington-working",
        "doj-list-2025-washington",
    } & set(ids)


@pytest.mark.parametrize(
    ("place", "policy", "day"),
    [
        ("53033", "kc-ordinance-18665", date(2018, 3, 8)),  # enactment, not final action
        ("53033", "wa-keep-washington-working", date(2019, 5, 21)),
        ("3651000", "nyc-ll-228-2017", date(2017, 12, 1)),
        ("06037", "ca-values-act-sb54", date(2018, 1, 1)),
        ("4260000", "phl-pars-2018", date(2018, 8, 31)),
    ],
)
def test_day_before_and_day_of(place: str, policy: str, day: date) -> None:
    before = {p.id for p in policy_status(place, date.fromordinal(day.toordinal() - 1))}
    on = {p.id for p in policy_status(place, day)}
    assert policy not in before and policy in on


def test_end_date_is_the_first_day_out_of_force() -> None:
    assert "lac-287g-jails" in {p.id for p in policy_status("06037", date(2015, 5, 11))}
    assert "lac-287g-jails" not in {p.id for p in policy_status("06037", date(2015, 5, 12))}


def test_imprecise_dates_are_flagged_uncertain() -> None:
    mid = [p for p in policy_status("53033", date(2017, 2, 15)) if p.id == "wa-inslee-eo-2017"]
    assert mid and not mid[0].certain
    assert not [
        p
        for p in policy_status("53033", date(2017, 2, 15), include_uncertain=False)
        if p.id == "wa-inslee-eo-2017"
    ]
    assert FuzzyDate.model_validate("2012-03").latest == date(2012, 3, 31)


def test_blocked_instrument_never_in_force() -> None:
    ids = {p.id for p in policy_status("3651000", date(2025, 4, 10))}
    assert "nyc-eo-50-2025" not in ids


def test_city_sees_state_and_county_instruments() -> None:
    got = {p.id: p.applies_as for p in policy_status("5363000", date(2018, 6, 1))}
    assert got["kc-ordinance-18665"] == "county of city"
    assert got["sea-welcoming-city-res-31730"] == "city"
    assert got["wa-inslee-eo-2017"] == "state"


def test_jurisdictions_matching() -> None:
    jail = jurisdictions_matching("bars ICE jail access", date(2017, 9, 25))
    fips = {m.fips for m in jail}
    assert {"17031", "08031", "3651000", "06037"} <= fips
    assert "53033" not in fips  # King County's jail-access ordinance came in 2018
    with pytest.raises(Exception, match="unknown policy type"):
        jurisdictions_matching("sanctuary", date(2017, 9, 25))


def test_user_registry_adds_entries(tmp_path: Path) -> None:
    reg = load_registry([REGISTRY_FILE, _write(tmp_path, GOOD)])
    got = {p.id for p in policy_status("53033", date(2020, 2, 1), registry=reg)}
    assert "test-county-order" in got
    assert "test-county-order" not in {
        p.id for p in policy_status("53033", date(2020, 1, 31), registry=reg)
    }


def test_csv_registry(tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        (
            "id,jurisdiction,level,fips,instrument,types,adopted,effective,end,sources,confidence\n"
            "csv-one,Test County,county,53033,Order,limits detainer compliance;other,2020-01,,,"
            "https://example.org/a | https://example.org/b,low\n"
        ),
        "mine.csv",
    )
    (entry,) = load_registry([f])
    assert entry.types == ("limits detainer compliance", "other") and len(entry.sources) == 2


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (('fips: "53033"', 'fips: "99033"'), 5, "unknown state FIPS '99'"),
        (('fips: "53033"', 'fips: "5303"'), 5, "needs a 5-digit FIPS code"),
        (
            ("effective: 2020-02-01", "effective: 2020-02-01\n    end: 2019-12-31"),
            10,
            "end (2019-12-31) is before the start (2020-02-01)",
        ),
        (("sources: [https://example.org/a]", "sources: []"), 10, "needs at least one source URL"),
        (("    sources: [https://example.org/a]\n", ""), 2, "sources: required field is missing"),
        (("types: [limits detainer compliance]", "types: [sanctuary]"), 7, "types"),
        (
            ("    adopted: 2020-01-10\n    effective: 2020-02-01\n", ""),
            2,
            "needs an adopted or an effective date",
        ),
        (("adopted: 2020-01-10", "adopted: 2020-13"), 8, "not a date"),
        (("confidence: high", "confidence: high\n    colour: red"), 12, "unknown field"),
        # implausible dates: typos such as 5025 for 2025, or a century off
        (
            ("adopted: 2020-01-10", "adopted: 5025-07-07"),
            8,
            "adopted: implausible date 5025-07-07 (more than one year after today, ",
        ),
        (
            ("adopted: 2020-01-10", "adopted: 1899-12"),
            8,
            "adopted: implausible date 1899-12 (before 1900-01-01)",
        ),
        (
            ("effective: 2020-02-01", "effective: 2020-02-01\n    end: 3020"),
            10,
            "end: implausible date 3020 (more than one year after today",
        ),
    ],
)
def test_validation_errors_are_one_line_with_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    msg = _error(tmp_path, GOOD.replace(*change))
    assert f"row {line}" in msg, msg
    assert "entry 'test-county-order'" in msg and message in msg, msg


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    f = _write(tmp_path, GOOD)
    with pytest.raises(SpecError, match="duplicate id"):
        load_registry([f, f])


def test_unknown_county_with_a_county_list(tmp_path: Path) -> None:
    f = _write(tmp_path, GOOD.replace('"53033"', '"53999"'))
    load_registry([f])  # format and state prefix are fine
    with pytest.raises(SpecError, match=r"row 5: entry 'test-county-order': unknown county FIPS"):
        load_registry([f], counties=["53033"])


@pytest.mark.realdata
def test_shipped_registry_county_fips_exist(places: Places) -> None:
    load_registry([REGISTRY_FILE], counties=places.counties)


def test_plausible_date_bounds() -> None:
    from icefacts.reference.plausible import implausible, latest_plausible

    today = date(2024, 2, 29)
    assert latest_plausible(today) == date(2025, 2, 28)  # no 29 February in 2025
    assert implausible(date(1900, 1, 1), today=today) is None
    assert implausible(date(1899, 12, 31), today=today) == "before 1900-01-01"
    assert implausible(date(2025, 2, 28), today=today) is None
    assert implausible(date(2025, 3, 1), today=today) == (
        "more than one year after today, 2024-02-29"
    )
    # an imprecise date is implausible only if every day it may mean is
    assert implausible(date(1899, 1, 1), date(1900, 12, 31), today=today) is None
    assert implausible(date(2025, 1, 1), date(2025, 12, 31), today=today) is None


def test_csv_registry_implausible_date(tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        (
            "id,jurisdiction,level,fips,instrument,types,adopted,end,sources,confidence\n"
            "csv-ok,Test County,county,53033,Order,other,2020-01,,https://example.org/a,low\n"
            "csv-bad,Test County,county,53033,Order,other,2020-01,5025-07-07,"
            "https://example.org/a,low\n"
        ),
        "mine.csv",
    )
    with pytest.raises(SpecError) as err:
        load_registry([f])
    msg = str(err.value)
    assert msg.startswith(f"{f}, row 3: entry 'csv-bad': end: implausible date 5025-07-07"), msg
    assert "\n" not in msg


def test_cli_refuses_a_registry_with_an_implausible_date(tmp_path: Path, run_cli) -> None:
    bad = _write(tmp_path, GOOD.replace("adopted: 2020-01-10", "adopted: 5025-07-07"))
    code, _, err = run_cli(
        "places",
        "--policy",
        "other",
        "--on",
        "2017-09-25",
        "--db",
        str(tmp_path / "none.duckdb"),
        "--registry",
        str(bad),
    )
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "mine.yaml" in line and "row 8" in line and "adopted: implausible date" in line
