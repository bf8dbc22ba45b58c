"""Place reports on a tiny hand-made warehouse: an AOR lists the instruments of its states,
counties and cities (crosswalk version in force on the date); court rulings apart from
policies; 287(g) rows without a usable signing date are said, not silently dropped."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from icefacts.analysis.place_report import agreement_date_caveats, place_report
from icefacts.places.agreements import agreements_287g
from icefacts.policies import (
    REGISTRY_FILE,
    Registry,
    area_policy_status,
    load_registry,
    policy_status,
)
from icefacts.reference.parsers import agreements_287g as parser
from icefacts.warehouse import Warehouse
from icefacts.warehouse.reference_tables import PLACE_TABLES

DAY = date(2017, 9, 25)

# Counties of the hand-made crosswalk. Two versions: Multnomah (41051) is in SEA in the 2015
# map and (made up, to see which version is read) in SFR in the 2020 map. California is split
# between LOS and SFR; Washington lies wholly in SEA.
CROSSWALK = [
    # fips, name, state, aor 2015, aor 2020
    ("53033", "King County", "WA", "SEA", "SEA"),
    ("53061", "Snohomish County", "WA", "SEA", "SEA"),
    ("41051", "Multnomah County", "OR", "SEA", "SFR"),
    ("41067", "Washington County", "OR", "SEA", "SEA"),
    ("06037", "Los Angeles County", "CA", "LOS", "LOS"),
    ("06085", "Santa Clara County", "CA", "SFR", "SFR"),
]

REGISTRY = """\
entries:
  - id: t-wa-law
    jurisdiction: Washington
    level: state
    fips: "53"
    instrument: A state law
    types: [limits detainer compliance]
    effective: 2017-01-01
    sources: [https://example.org/wa]
    confidence: high
  - id: t-king-order
    jurisdiction: King County
    level: county
    fips: "53033"
    instrument: A county order
    types: [bars ICE jail access]
    effective: 2017-02-01
    sources: [https://example.org/king]
    confidence: high
  - id: t-seattle-res
    jurisdiction: Seattle
    level: city
    fips: "5363000"
    counties: ["53033"]
    instrument: A city resolution
    types: [other]
    adopted: 2017-03-01
    sources: [https://example.org/sea]
    confidence: medium
  - id: t-or-ruling
    jurisdiction: Oregon
    level: state
    fips: "41"
    instrument: A federal court ruling on detainers
    types: [court ruling, limits detainer compliance]
    adopted: 2014-04-11
    sources: [https://example.org/or]
    confidence: high
  - id: t-mult-order
    jurisdiction: Multnomah County
    level: county
    fips: "41051"
    instrument: A county order
    types: [limits information sharing]
    adopted: 2016-01-01
    sources: [https://example.org/mult]
    confidence: high
  - id: t-snoh-later
    jurisdiction: Snohomish County
    level: county
    fips: "53061"
    instrument: A later county order
    types: [other]
    adopted: 2019-01-01
    sources: [https://example.org/snoh]
    confidence: high
  - id: t-ca-law
    jurisdiction: California
    level: state
    fips: "06"
    instrument: A state law
    types: [limits detainer compliance]
    effective: 2014-01-01
    sources: [https://example.org/ca]
    confidence: high
  - id: t-scc-ruling
    jurisdiction: Santa Clara County
    level: county
    fips: "06085"
    instrument: A court ruling
    types: [court ruling]
    adopted: 2017-04-25
    sources: [https://example.org/scc]
    confidence: high
"""

AGREEMENTS_CSV = (
    "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA\n"
    "WASHINGTON,King County Sheriff's Office,County,King County,Jail Enforcement Model,"
    "2016-05-01 00:00:00,link\n"
    # the typo this file is about: 5025 for 2025
    "OREGON,Washington County Sheriff's Office,County,Washington County,Task Force Model,"
    "5025-07-07 00:00:00,link\n"
)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    f = tmp_path / "mine.yaml"
    f.write_text(REGISTRY)
    return load_registry([f])


def _build(path: Path, tmp_path: Path, extra_counties: Collection[str] = ()) -> None:
    """The places tables a place report reads, hand-made, in a new warehouse at ``path``."""
    names = {f: (n, st) for f, n, st, _, _ in CROSSWALK}
    for fips in sorted(set(extra_counties) - set(names)):
        names[fips] = (f"County {fips}", "XX")
    counties = pa.table(
        {
            "fips": list(names),
            "name": [n for n, _ in names.values()],
            "state": [st for _, st in names.values()],
        }
    )
    xwalk = pa.Table.from_pylist(
        [
            {"fips": f, "aor": aor, "as_of": as_of}
            for f, _, _, a2015, a2020 in CROSSWALK
            for aor, as_of in ((a2015, date(2015, 1, 1)), (a2020, date(2020, 1, 1)))
        ]
    )
    population = pa.table(
        {"fips": [r[0] for r in CROSSWALK], "year": [2017] * 6, "population": [1000] * 6}
    )
    aor_pop = pa.table(
        {
            "aor": ["SEA"],
            "as_of": [date(2015, 1, 1)],
            "year": [2017],
            "population": [4000],
            "complete": [True],
        }
    )
    agreements_file = tmp_path / "participating.csv"
    agreements_file.write_text(AGREEMENTS_CSV)
    raw = parser.parse(agreements_file, listing="participating", snapshot_date="2025-05-16")
    agreements = agreements_287g(raw, counties)
    tables = {
        "counties": counties,
        "county_aor": xwalk,
        "county_population": population,
        "aor_population": aor_pop,
        "agreements_287g": agreements,
    }
    with Warehouse.open(path) as wh, wh.load() as eng:
        for view, table in tables.items():  # as the warehouse loads them: a table, a view
            eng.create_table(PLACE_TABLES[view], table)
            eng.execute(f"CREATE VIEW {view} AS SELECT * FROM {PLACE_TABLES[view]}")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    _build(path, tmp_path)
    return path


def test_aor_lists_its_states_counties_and_cities(db: Path, registry: Registry) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, registry, "SEA", DAY)
    got = {p.id: p.applies_as for p in rep.policies}
    assert got == {
        "t-wa-law": "state in AOR",
        "t-king-order": "county in AOR",
        "t-mult-order": "county in AOR",  # in SEA in the 2015 map, the one in force in 2017
        "t-seattle-res": "city in AOR",
    }  # not t-snoh-later (2019), not California's or Santa Clara's
    assert [p.id for p in rep.rulings] == ["t-or-ruling"]
    assert {p.jurisdiction for p in rep.policies} == {
        "Washington",
        "King County",
        "Multnomah County",
        "Seattle",
    }
    assert rep.aors == ["SEA"] and rep.population == 4000


def test_aor_reads_the_crosswalk_version_in_force(db: Path, registry: Registry) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, registry, "SEA", date(2021, 1, 1))
        sfr = place_report(wh.engine, registry, "SFR", date(2021, 1, 1))
    got = {p.id: p.applies_as for p in rep.policies}
    assert "t-mult-order" not in got  # Multnomah is in SFR in the 2020 map
    assert got["t-snoh-later"] == "county in AOR"
    # Oregon is split between SEA and SFR in the 2020 map; California between LOS and SFR
    assert [(p.id, p.applies_as) for p in rep.rulings] == [("t-or-ruling", "part of state in AOR")]
    sfr_got = {p.id: p.applies_as for p in sfr.policies}
    assert sfr_got == {"t-ca-law": "part of state in AOR", "t-mult-order": "county in AOR"}
    assert [p.id for p in sfr.rulings] == ["t-or-ruling", "t-scc-ruling"]


def test_validate_fails_an_implausible_287g_date(db: Path) -> None:
    from icefacts import api

    with Warehouse.open(db, read_only=True) as wh:
        rows = api.validation_report(wh).to_pylist()
    checks = {r["check_name"]: r for r in rows if r["table_name"] == "agreements_287g"}
    assert checks["plausible_date"]["status"] == "fail"
    assert checks["plausible_date"]["failed"] == 1 and checks["plausible_date"]["checked"] == 2
    assert checks["plausible_date"]["caveat"] == "implausible_date"
    assert "5025-07-07" in checks["plausible_date"]["detail"]
    assert checks["readable_date"]["status"] == "pass"


def test_state_lists_its_counties_and_cities(db: Path, registry: Registry) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, registry, "WA", DAY)
    assert [(p.id, p.applies_as) for p in rep.policies] == [
        ("t-wa-law", "state"),
        ("t-king-order", "county in state"),
        ("t-seattle-res", "city in state"),
    ]
    assert rep.rulings == []


def test_county_report_keeps_rulings_apart(db: Path, registry: Registry) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, registry, "41051", DAY)
    assert [p.id for p in rep.policies] == ["t-mult-order"]
    assert [(p.id, p.applies_as) for p in rep.rulings] == [("t-or-ruling", "state")]


def test_287g_rows_without_a_usable_date_are_said(db: Path, registry: Registry) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, registry, "SEA", date(2025, 12, 1))
        caveats = agreement_date_caveats(wh.engine)
    assert rep.agreements_287g["agency"].to_pylist() == ["King County Sheriff's Office"]
    (line,) = [c for c in rep.caveats if "usable signing date" in c]
    assert "Washington County Sheriff's Office (task force)" in line
    assert "'5025-07-07 00:00:00'" in line and "implausible date 5025-07-07" in line
    assert caveats == [
        "1 287(g) agreement with an implausible signing date (5025-07-07 00:00:00) was "
        "loaded without it"
    ]


def test_area_policy_status_cities_across_areas() -> None:
    reg = load_registry([REGISTRY_FILE])
    # New York City spans five counties; an area holding two of them holds part of the city
    got = {
        p.id: p.applies_as
        for p in area_policy_status(["36061", "36047"], date(2018, 1, 1), registry=reg)
    }
    assert got["nyc-ll-228-2017"] == "part of city in AOR"
    whole = area_policy_status(
        ["36005", "36047", "36061", "36081", "36085"], date(2018, 1, 1), registry=reg
    )
    assert {p.id: p.applies_as for p in whole}["nyc-ll-228-2017"] == "city in AOR"


def test_policy_status_of_a_state_includes_counties_and_cities() -> None:
    got = {p.id: p.applies_as for p in policy_status("53", date(2018, 6, 1))}
    assert got["wa-inslee-eo-2017"] == "state"
    assert got["kc-ordinance-18665"] == "county in state"
    assert got["sea-welcoming-city-res-31730"] == "city in state"
    assert not any(p.fips[:2] != "53" for p in policy_status("WA", date(2018, 6, 1)))


def _cli_db(tmp_path: Path) -> Path:
    """The hand-made warehouse, with every county the shipped registry names (the CLI
    checks that registry county FIPS exist)."""
    shipped = load_registry([REGISTRY_FILE])
    named = {f for e in shipped for f in (e.fips, *e.counties) if len(f) == 5}
    path = tmp_path / "cli.duckdb"
    _build(path, tmp_path, named)
    return path


def test_cli_place_shows_rulings_apart(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.delenv("ICEFACTS_POLICIES", raising=False)
    db = _cli_db(tmp_path)
    mine = tmp_path / "mine.yaml"
    mine.write_text(REGISTRY)
    args = ("place", "SEA", "--on", "2017-09-25", "--db", str(db), "--registry", str(mine))
    code, out, err = run_cli(*args, "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    policies = {r["instrument"]: r for r in payload["policies"]}
    rulings = {r["instrument"]: r for r in payload["rulings"]}
    assert "A federal court ruling on detainers" in rulings
    assert all("court ruling" not in r["types"] for r in payload["policies"])
    assert all("court ruling" in r["types"] for r in payload["rulings"])
    assert policies["A county order"]["applies_as"] == "county in AOR"
    assert {r["jurisdiction"] for r in payload["policies"]} >= {"Washington", "King County"}
    # the shipped registry's Seattle-AOR instruments are there too (state, county and city)
    assert {"state in AOR", "county in AOR", "city in AOR"} <= {
        r["applies_as"] for r in payload["policies"]
    }

    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "policies in force" in out and "court rulings in effect" in out
    table_of_policies = out.split("policies in force", 1)[1].split("court rulings in effect")[0]
    assert "federal court ruling" not in table_of_policies


def test_cli_places_court_ruling_still_works(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.delenv("ICEFACTS_POLICIES", raising=False)
    code, out, err = run_cli(
        "places",
        "--policy",
        "court-ruling",
        "--on",
        "2017-09-25",
        "--db",
        str(tmp_path / "none.duckdb"),
        "--format",
        "json",
    )
    assert code == 0, err
    fips = {r["fips"] for r in json.loads(out)}
    assert {"25", "41", "06085"} <= fips  # Lunn (MA), Miranda-Olivares (OR), Santa Clara


@pytest.mark.realdata
def test_real_reference_load_and_seattle_aor(
    mirror: Path, tmp_path: Path, run_cli, monkeypatch
) -> None:
    monkeypatch.delenv("ICEFACTS_POLICIES", raising=False)
    monkeypatch.setenv("ICEFACTS_CACHE", str(tmp_path / "cache"))
    db = tmp_path / "w.duckdb"
    code, out, err = run_cli("reference", "load", "--db", str(db), "--mirror", str(mirror))
    assert code == 0, err
    # the July 2025 participating list types Grundy County's signing date as 5025-07-07
    assert (
        "caveat: 1 287(g) agreement with an implausible signing date (5025-07-07 00:00:00) "
        "was loaded without it"
    ) in " ".join(out.split())  # (rich wraps long lines)

    code, out, err = run_cli(
        "place", "SEA", "--on", "2017-09-25", "--db", str(db), "--format", "json"
    )
    assert code == 0, err
    payload = json.loads(out)
    policies = {r["instrument"]: r for r in payload["policies"]}
    by_fips = {r["fips"]: r["applies_as"] for r in payload["policies"]}
    code, out, err = run_cli("validate", "--db", str(db), "--format", "json")
    assert code == 0, err
    (bad,) = [r for r in json.loads(out) if r["status"] == "fail"]
    assert (bad["table_name"], bad["check_name"], bad["failed"]) == (
        "agreements_287g",
        "plausible_date",
        1,
    )
    assert "5025-07-07" in bad["detail"]
    assert by_fips["53"] == by_fips["41"] == "state in AOR"  # Washington, Oregon
    assert by_fips["53033"] == "county in AOR"  # King County's ordinances
    assert by_fips["5363000"] == "city in AOR"  # Seattle
    assert not any("court ruling" in r["types"] for r in policies.values())
    assert {r["fips"] for r in payload["rulings"]} == {"41"}  # Miranda-Olivares (2014)
