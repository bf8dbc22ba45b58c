"""Places in the warehouse: reference load, event placement, place reports and policy rates.
Uses the real national FY2017 arrests and the reference files of ../shared/data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from icefacts import api
from icefacts.analysis.place_report import place_report
from icefacts.analysis.rates import policy_rates
from icefacts.warehouse import Warehouse
from tests.conftest import SHARED, shared_file

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    arrests = shared_file("uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz")
    detainers = shared_file("pa-detainers-eads/pa_detainers.csv")
    path = tmp_path_factory.mktemp("places") / "w.duckdb"
    with Warehouse.open(path) as wh:
        api.ingest(wh, [arrests, detainers])
        counts = api.load_reference(wh, mirror=SHARED, allow_download=False)
        assert counts["counties"] > 3000 and counts["link_places"] > 1000
    yield path


def test_every_arrest_says_how_it_was_placed(db: Path) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rows = api.sql(
            wh,
            "SELECT place_method, count(*) AS n, count(county_fips) AS with_county "
            "FROM arrests GROUP BY ALL ORDER BY n DESC",
        ).to_pylist()
    by = {r["place_method"]: r for r in rows}
    assert sum(r["n"] for r in rows) == 143_470
    assert set(by) <= {"landmark", "aor_only", "state_only", "facility", "release_county", None}
    assert by["landmark"]["with_county"] == by["landmark"]["n"]  # placed => has a county
    assert by["aor_only"]["with_county"] == 0
    # rows with neither AOR nor a placeable landmark: few, and said so (state_only / NULL)
    assert by.get(None, {"n": 0})["n"] + by.get("state_only", {"n": 0})["n"] < 500
    share = by["landmark"]["n"] / 143_470
    print(f"\nFY2017 national arrests placed to a county by landmark: {share:.1%}")
    assert share > 0.4


def test_new_ingest_is_placed_too(db: Path, tmp_path: Path) -> None:
    from tests.fixtures import NATIONAL_ROWS, national_csv

    copy = tmp_path / "db.duckdb"
    copy.write_bytes(db.read_bytes())
    rows = [list(r) for r in NATIONAL_ROWS]
    rows[0][3] = "SNOHOMISH CO JAIL - ANNEX B"  # a landmark the release above does not have
    f = national_csv(tmp_path / "EROArrests_extra.csv.gz", rows=rows)
    with Warehouse.open(copy) as wh:
        before = api.sql(wh, "SELECT count(*) AS n FROM link_places").to_pylist()[0]["n"]
        (report,) = api.ingest(wh, [f])
        assert report.status == "loaded"
        got = api.sql(
            wh,
            # (its days are counted under the full FY2017 release: read every row)
            f"SELECT county_fips, place_method FROM arrests_all WHERE release_id = "
            f"'{report.release_id}' AND landmark = 'SNOHOMISH CO JAIL - ANNEX B'",
        ).to_pylist()
        after = api.sql(wh, "SELECT count(*) AS n FROM link_places").to_pylist()[0]["n"]
    assert after > before
    assert got == [{"county_fips": "53061", "place_method": "landmark"}]


def test_place_report_king_county_on_operation_date(db: Path) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rep = place_report(wh.engine, api.registry(wh), "King County, WA", date(2017, 9, 25))
        by_fips = place_report(wh.engine, api.registry(wh), "53033", date(2017, 9, 25))
    assert rep.place.code == by_fips.place.code == "53033"
    assert rep.aors == ["SEA"]
    assert rep.population and 2_000_000 < rep.population < 2_400_000
    ids = {p.id for p in rep.policies}
    assert "kc-ordinance-17886" in ids
    assert "kc-ordinance-18665" not in ids  # in force only from 2018-03-08
    assert rep.events_by_year.num_rows > 0


def test_policy_rates_rows_say_how_events_were_placed(db: Path) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        res = policy_rates(
            wh.engine,
            api.registry(wh),
            policy="limits-detainers",
            on=date(2017, 9, 25),
            start=date(2016, 10, 1),
            end=date(2017, 9, 30),
        )
    rows = res.table.to_pylist()
    assert res.population_year == 2017
    groups = {r["policy_group"] for r in rows}
    assert {"in force", "not in force", "(not placed in a county)"} <= groups
    assert all(r["place_method"] for r in rows)
    total = sum(r["events"] for r in rows if r["place_method"] != "all methods")
    assert total == 143_470  # every arrest is in exactly one row
    for r in rows:
        if r["policy_group"] == "in force" and r["place_method"] == "all methods":
            assert r["per_100k"] == pytest.approx(100_000 * r["events"] / r["population"], abs=0.01)


def test_cli_place_places_and_bad_registry(db: Path, run_cli, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "place", "SEA", "--on", "2017-09-25", "--db", str(db), "--format", "json"
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["place"]["kind"] == "aor" and payload["population"] > 10_000_000

    code, out, err = run_cli(
        "places",
        "--policy",
        "limits-detainers",
        "--on",
        "2017-09-25",
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert code == 0, err
    fips = {r["fips"] for r in json.loads(out)}
    assert "53033" in fips and "06" in fips  # King County; California (TRUST Act)

    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "- id: bad-one\n  jurisdiction: Nowhere County\n  level: county\n  fips: '53999'\n"
        "  instrument: X\n  types: [other]\n  effective: 2017-01-01\n"
        "  sources: [https://example.org]\n  confidence: low\n"
    )
    code, _, err = run_cli(
        "places", "--policy", "other", "--on", "2017-09-25", "--db", str(db), "--registry", str(bad)
    )
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert "mine.yaml" in line and "53999" in line


def test_rates_by_aor_state_county_and_coverage(db: Path, run_cli) -> None:
    from icefacts.analysis.place_report import placement_coverage
    from icefacts.analysis.rates import place_rates

    with Warehouse.open(db, read_only=True) as wh:
        by_aor = place_rates(
            wh.engine, by="aor", start=date(2016, 10, 1), end=date(2017, 9, 30)
        ).table.to_pylist()
        by_county = place_rates(
            wh.engine, by="county", start=date(2016, 10, 1), end=date(2017, 9, 30)
        ).table.to_pylist()
        cov = placement_coverage(wh.engine).to_pylist()
    sea = next(r for r in by_aor if r["place"] == "SEA")
    assert sea["events"] == 3_376  # every SEA arrest counts toward its AOR
    # the AOR's population is the sum of its counties (WA, OR, AK in 2017)
    assert 12_000_000 < sea["population"] < 13_500_000
    assert sea["per_100k"] == pytest.approx(100_000 * 3_376 / sea["population"], abs=0.01)
    assert sum(r["events"] for r in by_county) == 143_470
    king = next(r for r in by_county if r["place"] == "53033")
    assert king["placed_by"] == "landmark" and king["population"] > 2_000_000
    sea_cov = next(r for r in cov if r["aor"] == "SEA")
    assert sea_cov["events"] == 3_376
    assert sea_cov["landmark"] + sea_cov["aor_only"] + sea_cov["no_location"] == 3_376

    code, _, err = run_cli(
        "rates", "--from", "2017-01-01", "--to", "2016-01-01", "--by", "aor", "--db", str(db)
    )
    assert code == 2 and "before" in err
    code, _, err = run_cli("rates", "--from", "2017-01-01", "--to", "2017-02-01", "--db", str(db))
    assert code == 2 and "either --policy" in err


def test_287g_lists_feed_the_policy_filters(db: Path, run_cli) -> None:
    from icefacts.analysis.rates import agreements_in_force, county_policy_groups

    with Warehouse.open(db, read_only=True) as wh:
        early = agreements_in_force(wh.engine, date(2017, 9, 25))
        late = agreements_in_force(wh.engine, date(2025, 6, 1))
        groups = county_policy_groups(wh.engine, api.registry(wh), "287g", date(2025, 6, 1))
    assert len(late) > 100 and len(early) < len(late)  # lists only grow with the date
    in_force = [g for g in groups.to_pylist() if g["policy_group"] == "in force"]
    assert {g["fips"] for g in in_force} >= set(late)
    code, out, err = run_cli(
        "places", "--policy", "287g", "--on", "2025-06-01", "--db", str(db), "--format", "json"
    )
    assert code == 0, err
    sources = {r["source"] for r in json.loads(out)}
    assert sources == {"policy registry", "ICE 287(g) list (2025 snapshot)"}


def test_detainers_are_placed_by_facility(db: Path) -> None:
    with Warehouse.open(db, read_only=True) as wh:
        rows = api.sql(
            wh,
            "SELECT place_method, count(*) AS n, count(county_fips) AS c, "
            "count(*) FILTER (WHERE place_state = 'PA') AS pa FROM detainers GROUP BY ALL",
        ).to_pylist()
    by = {r["place_method"]: r for r in rows}
    total = sum(r["n"] for r in rows)
    assert total == 32_757
    assert by["facility"]["n"] / total > 0.5  # facility city + state -> county
    assert by["facility"]["c"] == by["facility"]["n"]
    assert sum(r["pa"] for r in rows) == total  # every row names Pennsylvania
    print(f"\nPA detainers placed in a county by facility: {by['facility']['n'] / total:.1%}")


def test_rates_say_when_some_aors_are_covered_longer(db: Path, tmp_path: Path, run_cli) -> None:
    """Seattle's UW v. DHS production covers 2012-2019, the national file FY2017 only: rates
    by AOR over two fiscal years rest on more days for Seattle, and say so (on stderr with
    --format csv, so stdout stays data)."""
    import shutil

    from icefacts.analysis.rates import place_rates

    both = tmp_path / "both.duckdb"
    shutil.copy(db, both)
    with Warehouse.open(both) as wh:
        api.ingest(wh, [shared_file("uwchr-seattle-aor-2012-2019/arrests.csv.gz")])
        res = place_rates(wh.engine, by="aor", start=date(2015, 10, 1), end=date(2017, 9, 30))
    assert any(c.startswith("uneven coverage") and "SEA" in c for c in res.caveats)
    code, out, err = run_cli(
        "rates", "--by", "aor", "--from", "2015-10-01", "--to", "2017-09-30", "--db", str(both),
        "--format", "csv",
    )  # fmt: skip
    assert code == 0 and "uneven coverage" in err and "caveat" not in out


def test_no_placed_row_is_in_a_county_of_another_state(db: Path) -> None:
    """Every placed table: a row's state (as released, else as placed) is its county's state."""
    from icefacts.places.events import PLACE_KEY_FIELDS

    with Warehouse.open(db, read_only=True) as wh:
        for table in PLACE_KEY_FIELDS:
            wrong = wh.engine.scalar(
                f"SELECT count(*) FROM {table}_all t JOIN counties c ON c.fips = t.county_fips "
                "WHERE t.state IS NOT NULL AND t.state <> c.state"
            )
            assert wrong == 0, table
        assert wh.engine.scalar("SELECT count(county_fips) FROM detainers_all") > 10_000
