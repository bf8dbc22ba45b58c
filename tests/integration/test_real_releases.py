"""The real national and Seattle files: row counts equal ICE's official totals, FY2017 AOR
counts equal MPI's table, and three releases agree on Seattle FY2017 arrests.
Skipped cleanly when ../shared/data is absent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.conftest import SHARED, shared_file

NATIONAL = "uwchr-ero-lesa-national-fy2016-2019"
SEATTLE = "uwchr-seattle-aor-2012-2019"

OFFICIAL_ARRESTS = {2016: 110_104, 2017: 143_470, 2018: 158_581}
OFFICIAL_REMOVALS = {2016: 240_255, 2017: 226_119, 2018: 256_085}

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = SHARED / NATIONAL
    if not folder.exists():
        pytest.skip("real data not available")
    files = [folder / f"EROArrests_FY{y}.csv.gz" for y in OFFICIAL_ARRESTS]
    files += [folder / f"ICERemovals_FY{y}.csv.gz" for y in OFFICIAL_REMOVALS]
    db = tmp_path_factory.mktemp("national") / "w.duckdb"
    with Warehouse.open(db) as wh:
        reports = api.ingest(wh, files)
        assert [r.status for r in reports] == ["loaded"] * len(files), [r.message for r in reports]
        yield wh


def _count(wh: Warehouse, sql: str, *params: object) -> int:
    return int(wh.engine.query(sql, list(params)).column(0)[0].as_py())


@pytest.mark.parametrize(("fy", "official"), OFFICIAL_ARRESTS.items())
def test_arrest_rows_equal_official_totals(national: Warehouse, fy: int, official: int) -> None:
    n = _count(
        national, "SELECT count(*) FROM arrests WHERE source_file = ?", f"EROArrests_FY{fy}.csv.gz"
    )
    assert n == official


@pytest.mark.parametrize(("fy", "official"), OFFICIAL_REMOVALS.items())
def test_removal_rows_equal_official_totals(national: Warehouse, fy: int, official: int) -> None:
    n = _count(
        national,
        "SELECT count(*) FROM removals WHERE source_file = ?",
        f"ICERemovals_FY{fy}.csv.gz",
    )
    assert n == official


def _mpi_fy2017() -> dict[str, int]:
    """MPI's table is malformed: multi-word AOR names split on the delimiter, header on two
    lines. Rebuild each row: the last 7 fields are numbers (FY2013..FY2017, two changes)."""
    path = shared_file(f"{NATIONAL}/mpi_arrest_table.csv")
    from icefacts.release_specs import vocab

    out: dict[str, int] = {}
    for line in path.read_text().splitlines()[2:]:
        parts = line.split("|")
        name, numbers = " ".join(parts[:-7]), parts[-7:]
        code = vocab("aor").lookup(name)
        if code:
            out[code] = int(numbers[4])
        elif name.lower() == "total":
            out["TOTAL"] = int(numbers[4])
    return out


def test_fy2017_arrests_per_aor_equal_mpi_table(national: Warehouse) -> None:
    mpi = _mpi_fy2017()
    rows = national.engine.query(
        "SELECT aor, count(*) AS n FROM arrests WHERE source_file = 'EROArrests_FY2017.csv.gz' "
        "GROUP BY aor"
    ).to_pylist()
    ours = {r["aor"]: r["n"] for r in rows}
    aors = {k: v for k, v in mpi.items() if k != "TOTAL"}
    assert len(aors) == 24
    assert {k: ours.get(k) for k in aors} == aors
    # MPI's 24 AORs leave out the 20 HQ rows and 247 blank-AOR rows; its total keeps them.
    assert ours["HQ"] == 20 and ours[None] == 247
    if "TOTAL" in mpi:
        assert mpi["TOTAL"] == sum(ours.values())


def test_national_quirks_are_counted_not_dropped(national: Warehouse) -> None:
    fy17 = "EROArrests_FY2017.csv.gz"
    # Operation present (redacted (B)(7)(E)) vs blank vs '--' (a missing marker)
    assert (
        _count(
            national, "SELECT count(*) FROM arrests WHERE source_file = ? AND operation_flag", fy17
        )
        == 30_915
    )
    # Birth dates are all redacted, and counted as redacted, not missing
    stats = national.engine.query(
        "SELECT missing, redacted FROM field_stats s JOIN releases r USING (release_id) "
        "WHERE r.file_name = ? AND field = 'birth_date'",
        [fy17],
    ).to_pylist()
    assert stats == [{"missing": 0, "redacted": 143_470}]
    # Removals with impossible apprehension dates are kept and flagged by validation
    bad = national.engine.query(
        "SELECT failed FROM validation v JOIN releases r USING (release_id) "
        "WHERE r.file_name = 'ICERemovals_FY2016.csv.gz' AND check_name = 'plausible_dates' "
        "AND field = 'apprehension_date'"
    ).to_pylist()
    assert bad and bad[0]["failed"] >= 1


@pytest.fixture(scope="module")
def seattle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    folder = SHARED / SEATTLE
    if not folder.exists():
        pytest.skip("real data not available")
    db = tmp_path_factory.mktemp("seattle") / "w.duckdb"
    with Warehouse.open(db) as wh:
        reports = api.ingest(wh, [folder])
        assert all(r.status in ("loaded", "copy") for r in reports), [r.message for r in reports]
        assert len(reports) == 12
        yield wh


def _sheets(wh: Warehouse) -> dict[tuple[str, str], dict[str, object]]:
    rows = wh.engine.query(
        "SELECT r.file_name, coalesce(s.sheet, '') AS sheet, s.status, s.rows, s.copy_of, "
        "s.release_id || ':' || s.sheet_index AS id FROM raw_sheets s JOIN releases r "
        "USING (release_id) WHERE s.status IN ('loaded', 'copy')"
    ).to_pylist()
    return {(r["file_name"], r["sheet"]): r for r in rows}


def test_seattle_workbooks_and_csv_copies_agree(seattle: Warehouse) -> None:
    """Each workbook sheet and its per-sheet CSV hold the same rows: one is loaded, the other
    is registered as its copy (recognised by content, in whichever order they came)."""
    uw = "original_UWvDHS_ICE_Productions_LESA-STU_Seattle_2012-2019.xlsx"
    cap = "original_2018-ICFO-36170_Seattle_CAP_FY2017-2018.xlsx"
    pairs = [
        ((uw, "Arrests"), ("arrests.csv.gz", ""), 32_549),
        ((uw, "Book Ins"), ("bookins.csv.gz", ""), 36_811),
        ((uw, "Expedited Removals"), ("expedited-removals.csv.gz", ""), 6_529),
        ((uw, "Other Removals"), ("other-removals.csv.gz", ""), 20_384),
        ((cap, "FY2017 Arrests"), ("CAP-FY2017-arrests.csv.gz", ""), 2_656),
        ((cap, "FY2018 Arrests"), ("CAP-FY2018-arrests.csv.gz", ""), 1_410),
        ((cap, "FY2017 Encounters"), ("CAP-FY2017-encounters.csv.gz", ""), 11_712),
        ((cap, "FY2018 Encounters"), ("CAP-FY2018-encounters.csv.gz", ""), 7_829),
        ((cap, "FY2017 Removals"), ("CAP-FY2017-removals.csv.gz", ""), 1_917),
        ((cap, "FY2018 Removals"), ("CAP-FY2018-removals.csv.gz", ""), 1_267),
    ]
    sheets = _sheets(seattle)
    for xlsx_key, csv_key, expected in pairs:
        a, b = sheets[xlsx_key], sheets[csv_key]
        assert a["rows"] == b["rows"] == expected, xlsx_key
        assert {a["status"], b["status"]} == {"loaded", "copy"}, xlsx_key
        original, copy = (a, b) if a["status"] == "loaded" else (b, a)
        assert copy["copy_of"] == original["id"], xlsx_key
    total = _count(seattle, "SELECT count(*) FROM arrests_all")
    assert total == 32_549 + 2_656 + 1_410  # each sheet's rows once


def test_seattle_fy2017_arrests_agree_across_three_releases(
    seattle: Warehouse, national: Warehouse
) -> None:
    fy2017 = "apprehension_date BETWEEN DATE '2016-10-01' AND DATE '2017-09-30'"
    uw = _count(seattle, f"SELECT count(*) FROM arrests WHERE aor = 'SEA' AND {fy2017}")
    nat = _count(
        national,
        "SELECT count(*) FROM arrests WHERE source_file = 'EROArrests_FY2017.csv.gz' "
        "AND aor = 'SEA'",
    )
    mpi = _mpi_fy2017()["SEA"]
    assert uw == nat == mpi == 3_376
    # the CAP extract holds only CAP arrests of those days: kept, not counted
    cap = _count(
        seattle,
        f"SELECT count(*) FROM arrests_all WHERE source_file LIKE '%CAP%' AND {fy2017} "
        "AND NOT counted",
    )
    assert cap == _count(
        seattle, f"SELECT count(*) FROM arrests_all WHERE source_file LIKE '%CAP%' AND {fy2017}"
    )


def test_cap_removals_placeholder_dates_are_flagged(seattle: Warehouse) -> None:
    n = _count(
        seattle,
        "SELECT count(*) FROM removals_all WHERE source_file LIKE '%CAP%' "
        "AND source_sheet IS DISTINCT FROM 'FY2018 Removals' "
        "AND apprehension_date = DATE '0001-01-01'",
    )
    assert n > 0
    failed = (
        seattle.engine.query(
            "SELECT sum(failed) FROM validation v JOIN raw_sheets s USING (release_id) "
            "WHERE s.status = 'loaded' AND s.table_name = 'removals' AND v.table_name = "
            "'removals' AND check_name = 'plausible_dates' AND v.release_id IN (SELECT "
            "release_id FROM releases WHERE family = 'cap-seattle')"
        )
        .column(0)[0]
        .as_py()
    )
    assert failed >= n


def test_redaction_spellings_of_each_release_are_recognised(seattle: Warehouse) -> None:
    rows = seattle.engine.query(
        "SELECT r.file_name, s.redacted, s.rows FROM field_stats s JOIN releases r "
        "USING (release_id) WHERE s.field = 'birth_date'"
    ).to_pylist()
    assert rows
    for row in rows:  # birth dates are redacted on every row of every Seattle file loaded
        assert row["redacted"] == row["rows"], row["file_name"]
