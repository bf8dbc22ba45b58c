"""Count-once on the real files: four copies of the FY2017 national arrests give ICE's total;
the Seattle folder (UW v. DHS, CAP, and per-sheet CSV copies of both) beside the national
files gives the national file's count for every AOR and fiscal year; the loading order does
not matter. Skipped cleanly when ../shared/data is absent."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.conftest import SHARED, shared_file
from tests.copies import plain_csv, xlsx_copy

pytestmark = pytest.mark.realdata

NATIONAL = "uwchr-ero-lesa-national-fy2016-2019"
SEATTLE = "uwchr-seattle-aor-2012-2019"

FY = "year(({d}) + INTERVAL 92 DAY)"  # the fiscal year a date falls in


def _by_aor_fy(wh: Warehouse, table: str, date: str, where: str = "true") -> dict[tuple, int]:
    rows = wh.engine.query(
        f"SELECT aor, {FY.format(d=date)} AS fy, count(*) AS n FROM {table} WHERE {where} "
        "GROUP BY ALL"
    ).to_pylist()
    return {(r["aor"], r["fy"]): r["n"] for r in rows}


def test_four_copies_of_fy2017_arrests_count_once(tmp_path: Path) -> None:
    gz = shared_file(f"{NATIONAL}/EROArrests_FY2017.csv.gz")
    other = tmp_path / "elsewhere"
    other.mkdir()
    files = [
        gz,
        plain_csv(gz, tmp_path / "EROArrests_FY2017.csv"),
        xlsx_copy(gz, tmp_path / "EROArrests_FY2017.xlsx", title_rows=5),
        xlsx_copy(gz, other / "arrests-fy2017.xlsx", title_rows=5, keep_title=False),
    ]
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        reports = api.ingest(wh, files)
        assert [r.status for r in reports] == ["loaded", "copy", "copy", "copy"]
        assert wh.engine.scalar("SELECT count(*) FROM releases") == 4
        assert wh.engine.scalar("SELECT count(*) FROM arrests") == 143_470
        assert wh.engine.scalar("SELECT count(*) FROM arrests WHERE aor = 'DAL'") == 16_520


def test_fy2017_arrests_cut_in_two_count_once(tmp_path: Path) -> None:
    """The national file cut in two at its middle line (a day cut in two), each half with
    the title rows, loaded in either order and beside the whole file."""
    gz = shared_file(f"{NATIONAL}/EROArrests_FY2017.csv.gz")
    lines = gzip.decompress(gz.read_bytes()).splitlines(keepends=True)
    head, body = lines[:6], lines[6:]
    half = len(body) // 2
    first, second = tmp_path / "EROArrests_FY2017_a.csv", tmp_path / "EROArrests_FY2017_b.csv"
    first.write_bytes(b"".join(head + body[:half]))
    second.write_bytes(b"".join(head + body[half:]))
    # and two pieces that overlap (lines 60,000 to 80,000 in both), each cut inside a day
    early, late = tmp_path / "EROArrests_FY2017_c.csv", tmp_path / "EROArrests_FY2017_d.csv"
    early.write_bytes(b"".join(head + body[:80_000]))
    late.write_bytes(b"".join(head + body[60_000:]))
    orders = [[first, second], [second, first], [second, gz, first], [early, late], [late, early]]
    for n, files in enumerate(orders):
        with Warehouse.open(tmp_path / f"w{n}.duckdb") as wh:
            reports = api.ingest(wh, files)
            assert {r.status for r in reports} == {"loaded"}, [r.message for r in reports]
            assert wh.engine.scalar("SELECT count(*) FROM arrests") == 143_470
            assert wh.engine.scalar("SELECT count(*) FROM arrests WHERE aor = 'DAL'") == 16_520


def test_seattle_beside_national_gives_the_national_counts(tmp_path: Path) -> None:
    national, seattle = SHARED / NATIONAL, SHARED / SEATTLE
    if not (national.exists() and seattle.exists()):
        pytest.skip("real data not available")
    nat = "release_id IN (SELECT release_id FROM releases WHERE family = 'lesa-national')"
    for order in ([national, seattle], [seattle, national]):
        db = tmp_path / f"both-{order[0].name}.duckdb"
        with Warehouse.open(db) as wh:
            for folder in order:
                reports = api.ingest(wh, [folder])
                assert all(r.status in ("loaded", "copy", "skipped") for r in reports)
            # the national files' own rows, counted or not
            want = {
                "arrests": _by_aor_fy(wh, "arrests_all", "apprehension_date", nat),
                "removals": _by_aor_fy(wh, "removals_all", "removal_date", nat),
                "encounters": _by_aor_fy(wh, "encounters_all", "event_date", nat),
            }
            got = {
                "arrests": _by_aor_fy(
                    wh, "arrests", "apprehension_date", "apprehension_date >= '2015-10-01'"
                ),
                "removals": _by_aor_fy(
                    wh,
                    "removals",
                    "coalesce(removal_date, departed_date)",
                    "coalesce(removal_date, departed_date) >= '2015-10-01'",
                ),
                "encounters": _by_aor_fy(
                    wh, "encounters", "event_date", "event_date >= '2015-10-01'"
                ),
            }
            # national FY2016-2019: every AOR and fiscal year exactly as the national files
            for table in want:
                assert got[table] == {k: v for k, v in want[table].items() if k[1] >= 2016}, table
            # Seattle arrests before FY2016, where only the UW v. DHS production covers
            early = wh.engine.scalar(
                "SELECT count(*) FROM arrests WHERE aor = 'SEA' AND apprehension_date "
                "< '2015-10-01'"
            )
            assert early == wh.engine.scalar(
                "SELECT count(*) FROM arrests_all a JOIN releases r USING (release_id) "
                "WHERE r.family = 'uw-v-dhs-seattle' AND apprehension_date < '2015-10-01'"
            )
            assert early > 20_000
            # the UW v. DHS removals are compared with the national removals as the whole
            # table their two parts make (each part alone always holds fewer: no caveat)
            ov = api.overlaps(wh, "removals")
            parts = [
                r
                for r in ov.comparisons.to_pylist()
                if r["aor"] == "SEA" and r["other_holds"].startswith("every part")
            ]
            assert len(parts) == 4, parts  # FY2016-2019
            assert sum(r["months_disagreeing"] for r in parts) >= 40
            assert ov.disagreements.num_rows >= 40


def test_seattle_workbooks_alone_give_the_fy2017_total(tmp_path: Path) -> None:
    uw = shared_file(f"{SEATTLE}/original_UWvDHS_ICE_Productions_LESA-STU_Seattle_2012-2019.xlsx")
    cap = shared_file(f"{SEATTLE}/original_2018-ICFO-36170_Seattle_CAP_FY2017-2018.xlsx")
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        api.ingest(wh, [cap, uw])
        n = wh.engine.scalar(
            "SELECT count(*) FROM arrests WHERE aor = 'SEA' AND apprehension_date "
            "BETWEEN '2016-10-01' AND '2017-09-30'"
        )
    assert n == 3_376


def test_pennsylvania_detainers_beside_the_npr_subsets_count_once(tmp_path: Path) -> None:
    """The Pennsylvania extract holds every PA detainer; NPR's U.S.-citizen and not-subject-
    to-deportation subsets hold 147 of them again (32,904 PA detainers before)."""
    pa = SHARED / "pa-detainers-eads"
    npr = SHARED / "npr-ice-detainers-fy2008-2015-subsets"
    if not (pa.exists() and npr.exists()):
        pytest.skip("real data not available")
    for n, order in enumerate([[pa, npr], [npr, pa]]):
        with Warehouse.open(tmp_path / f"d{n}.duckdb") as wh:
            api.ingest(wh, order)
            assert wh.engine.scalar("SELECT count(*) FROM detainers_all") == 32_757 + 693 + 1_846
            pa_n = "SELECT count(*) FROM detainers WHERE facility_state = 'PA'"
            assert wh.engine.scalar(pa_n) == 32_757
            assert wh.engine.scalar("SELECT count(*) FROM detainers") == 35_149


def test_place_report_of_an_overlapped_aor_says_what_was_set_aside(tmp_path: Path) -> None:
    """`place SEA` counts its events by the count-once rule; with the UW v. DHS workbooks
    beside the national FY2017 file it says how many rows other releases' days set aside
    (and that CAP-only days are counted from a subset). Chicago, which no second release
    holds, carries no such caveat."""
    fy2017 = SHARED / NATIONAL / "EROArrests_FY2017.csv.gz"
    seattle = SHARED / SEATTLE
    if not (fy2017.exists() and seattle.exists()):
        pytest.skip("real data not available")
    from datetime import date

    from icefacts.analysis.place_report import place_report
    from icefacts.policies import default_registry

    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        api.ingest(wh, [fy2017, seattle])
        api.load_reference(wh, mirror=SHARED, allow_download=False)
        sea = place_report(wh.engine, default_registry(), "SEA", date(2017, 9, 27))
        chi = place_report(wh.engine, default_registry(), "CHI", date(2017, 9, 27))
    shadowed = [c for c in sea.caveats if c.startswith("overlap_shadowed:")]
    assert len(shadowed) == 1 and "arrests rows" in shadowed[0], sea.caveats
    assert not any(c.startswith("overlap_shadowed:") for c in chi.caveats), chi.caveats
