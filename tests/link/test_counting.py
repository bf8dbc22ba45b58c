"""Each event counted once: copies in other formats are recognised by content, and where
releases overlap one release counts each table, AOR and day (link/counting.py). Small
hand-made releases in the real layouts; the same rules on the real files are tested in
tests/integration/test_counting_real.py."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.copies import plain_csv, xlsx_copy
from tests.fixtures import (
    NATIONAL_TITLE,
    RED_DOB,
    cap_arrests,
    cap_removals,
    national_arrests,
    national_csv,
    uw_arrests,
    uw_removals,
)

SEA = "Seattle Area of Responsibility"
CHI = "Chicago Area of Responsibility"


def _counted(wh: Warehouse, table: str = "arrests") -> dict[str, int]:
    rows = wh.engine.query(
        f"SELECT r.family, count(*) AS n FROM {table} e JOIN releases r USING (release_id) "
        "GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    return {r["family"]: r["n"] for r in rows}


def _n(wh: Warehouse, sql: str) -> int:
    return int(wh.engine.scalar(sql) or 0)


def test_copies_in_other_formats_are_counted_once(wh: Warehouse, tmp_path: Path) -> None:
    gz = national_arrests(
        tmp_path / "EROArrests_FY2017.csv.gz",
        2017,
        {SEA: ["9/24/2017", "9/25/2017", "9/25/2017"], CHI: ["10/3/2016"]},
    )
    copies = [
        plain_csv(gz, tmp_path / "EROArrests_FY2017.csv"),
        xlsx_copy(gz, tmp_path / "EROArrests_FY2017.xlsx", title_rows=5),
        xlsx_copy(gz, tmp_path / "EROArrests_FY2017_bare.xlsx", title_rows=5, keep_title=False),
    ]
    reports = api.ingest(wh, [gz, *copies])
    assert [r.status for r in reports] == ["loaded", "copy", "copy", "copy"], [
        r.message for r in reports
    ]
    assert all(r.copies for r in reports[1:])
    assert _n(wh, "SELECT count(*) FROM arrests") == 4
    assert _n(wh, "SELECT count(*) FROM arrests_all") == 4  # a copy's rows are not kept
    rows = wh.engine.query("SELECT release_id, copy_of FROM releases ORDER BY rows").to_pylist()
    assert len(rows) == 4
    original = reports[0].release_id
    assert sorted(r["copy_of"] for r in rows) == [[], [original], [original], [original]]
    # a second run of the same files: every one is already known
    again = api.ingest(wh, [gz, *copies])
    assert [r.status for r in again] == ["already"] * 4


def test_the_copy_may_come_first(wh: Warehouse, tmp_path: Path) -> None:
    gz = national_arrests(tmp_path / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["9/24/2017"]})
    x = xlsx_copy(gz, tmp_path / "EROArrests_FY2017.xlsx", title_rows=5)
    reports = api.ingest(wh, [x, gz])
    assert [r.status for r in reports] == ["loaded", "copy"]
    assert _n(wh, "SELECT count(*) FROM arrests") == 1


def test_the_widest_release_counts_where_it_covers(wh: Warehouse, tmp_path: Path) -> None:
    """The national FY2017 release counts Seattle's FY2017 days; the Seattle production
    counts the days before FY2017, and a narrower release never adds rows where a wider one
    covers (even on a day the wider one has none)."""
    uw = uw_arrests(
        tmp_path / "arrests.csv.gz",
        ["9/30/2016", "1/5/2017", "1/5/2017", "3/1/2017"],
    )
    nat = national_arrests(tmp_path / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["1/5/2017"]})
    api.ingest(wh, [uw, nat])
    assert _counted(wh) == {"lesa-national": 1, "uw-v-dhs-seattle": 1}
    shadowed = wh.engine.query(
        "SELECT apprehension_date::VARCHAR AS d, shadowed_by FROM arrests_all "
        "WHERE NOT counted ORDER BY 1"
    ).to_pylist()
    nat_id = wh.engine.scalar("SELECT release_id FROM releases WHERE family = 'lesa-national'")
    assert shadowed == [
        {"d": "2017-01-05", "shadowed_by": nat_id},
        {"d": "2017-01-05", "shadowed_by": nat_id},
        {"d": "2017-03-01", "shadowed_by": nat_id},  # national: none that day, and it covers
    ]


def test_a_subset_is_set_aside_by_a_release_of_every_record(
    tmp_path: Path,
) -> None:
    cap = cap_arrests(tmp_path / "CAP-FY2017-arrests.csv.gz", 2017, ["1/5/2017", "2/7/2017"])
    uw = uw_arrests(tmp_path / "arrests.csv.gz", ["1/5/2017"])
    with Warehouse.open(tmp_path / "alone.duckdb") as wh:
        api.ingest(wh, [cap])
        assert _counted(wh) == {"cap-seattle": 2}  # alone, the subset counts
    with Warehouse.open(tmp_path / "both.duckdb") as wh:
        api.ingest(wh, [cap, uw])
        assert _counted(wh) == {"uw-v-dhs-seattle": 1}


def test_parts_count_together_and_together_set_aside_a_subset(tmp_path: Path) -> None:
    expedited = uw_removals(
        tmp_path / "expedited-removals.csv.gz", ["1/3/2017", "2/3/2017"], "Expedited"
    )
    other = uw_removals(tmp_path / "other-removals.csv.gz", ["2/3/2017", "3/3/2017"], "Other")
    cap = cap_removals(tmp_path / "CAP-FY2017-removals.csv.gz", 2017, 3)  # no removal dates
    with Warehouse.open(tmp_path / "all.duckdb") as wh:
        api.ingest(wh, [cap, expedited, other])
        assert _counted(wh, "removals") == {"uw-v-dhs-seattle": 4}
        assert _n(wh, "SELECT count(*) FROM removals_all WHERE shadowed_by IS NOT NULL") == 3
    with Warehouse.open(tmp_path / "one_part.duckdb") as wh:
        # one part alone does not hold every removal: the CAP removals still count
        api.ingest(wh, [cap, expedited])
        assert _counted(wh, "removals") == {"cap-seattle": 3, "uw-v-dhs-seattle": 2}


def test_undated_rows_of_yearly_releases_count(wh: Warehouse, tmp_path: Path) -> None:
    fy16 = national_arrests(tmp_path / "EROArrests_FY2016.csv.gz", 2016, {SEA: ["5/1/2016", ""]})
    fy17 = national_arrests(tmp_path / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["5/1/2017", ""]})
    api.ingest(wh, [fy16, fy17])
    assert _n(wh, "SELECT count(*) FROM arrests") == 4
    assert _n(wh, "SELECT count(*) FROM arrests WHERE apprehension_date IS NULL") == 2


FILES = {
    "national": lambda d: national_arrests(
        d / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["1/5/2017", "9/25/2017"], CHI: ["9/25/2017"]}
    ),
    "uw": lambda d: uw_arrests(d / "arrests.csv.gz", ["9/30/2016", "1/5/2017", "6/1/2015"]),
    "cap": lambda d: cap_arrests(d / "CAP-FY2017-arrests.csv.gz", 2017, ["1/5/2017"]),
    "cap_removals": lambda d: cap_removals(d / "CAP-FY2017-removals.csv.gz", 2017, 2),
    "expedited": lambda d: uw_removals(d / "expedited-removals.csv.gz", ["1/3/2017"], "Expedited"),
    "other": lambda d: uw_removals(d / "other-removals.csv.gz", ["3/3/2017"], "Other"),
}
ORDERS = [
    list(FILES),
    list(reversed(FILES)),
    *[list(p) for p in itertools.islice(itertools.permutations(FILES), 7, None, 97)][:4],
]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_any_loading_order_gives_the_same_counts(order: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    paths = {name: make(folder) for name, make in FILES.items()}
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        for name in order:
            (report,) = api.ingest(wh, [paths[name]])
            assert report.status == "loaded", report.message
        got = {
            "arrests": _counted(wh),
            "removals": _counted(wh, "removals"),
            "rows": _n(wh, "SELECT count(*) FROM arrests_all"),
        }
    assert got == {
        "arrests": {"lesa-national": 3, "uw-v-dhs-seattle": 2},
        "removals": {"uw-v-dhs-seattle": 2},
        "rows": 7,
    }


def _fy2017(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A national FY2017 arrests file of (AOR, day, citizenship) rows."""
    title = [*NATIONAL_TITLE[:4], "ERO Administrative Arrests for FY2017"]
    body = [[aor, d, "Located", "", "", "", RED_DOB, c, "Male"] for aor, d, c in rows]
    return national_csv(path, rows=body, title=title)


def _national_pieces(folder: Path) -> dict[str, Path]:
    """One FY2017 release in several files: cut by date (3/1/2017 cut in two, with one row
    on each side identical in every field, as FOIA files have), the whole file, and a copy
    of some of its days."""
    folder.mkdir(exist_ok=True)
    early = [(SEA, "10/3/2016", "MEXICO"), (SEA, "10/3/2016", "MEXICO"), (SEA, "1/5/2017", "PERU")]
    early += [(CHI, "3/1/2017", "MEXICO"), (CHI, "3/1/2017", "INDIA"), (CHI, "3/1/2017", "CHINA")]
    late = [(CHI, "3/1/2017", "MEXICO"), (CHI, "3/1/2017", "PERU"), (CHI, "3/1/2017", "CUBA")]
    late += [(SEA, "3/1/2017", "MEXICO"), (SEA, "9/24/2017", "CHILE"), (CHI, "6/2/2017", "CUBA")]
    march = [r for r in early + late if r[1] == "3/1/2017"]
    return {
        "early": _fy2017(folder / "EROArrests_FY2017_part1.csv.gz", early),
        "late": _fy2017(folder / "EROArrests_FY2017_part2.csv.gz", late),
        "whole": _fy2017(folder / "EROArrests_FY2017.csv.gz", early + late),
        "some_days": _fy2017(folder / "EROArrests_FY2017_march.csv.gz", march),
    }


@pytest.mark.parametrize(
    "names",
    [
        ["early", "late"],
        ["late", "early"],
        ["early", "late", "whole"],
        ["whole", "late", "early"],
        ["early", "whole", "late", "some_days"],
        ["some_days", "late", "early"],
    ],
    ids="-".join,
)
def test_a_release_in_several_files_counts_each_row_once(names: list[str], tmp_path: Path) -> None:
    """Pieces of one production (the same family, stated period and fields) that share no
    rows are parts of one release and count together, even where a day was cut in two; a
    piece whose rows another piece also holds (the whole file, a copy of some days) counts
    them once."""
    paths = _national_pieces(tmp_path / "files")
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        for name in names:
            (report,) = api.ingest(wh, [paths[name]])
            assert report.status == "loaded", report.message
        rows = wh.engine.query("SELECT aor, count(*) AS n FROM arrests GROUP BY 1").to_pylist()
        by_aor = {r["aor"]: r["n"] for r in rows}
        assert by_aor == {"CHI": 7, "SEA": 5}
        # every row of every piece is kept, with the release that counts it
        assert _n(wh, "SELECT count(*) FROM arrests_all WHERE counted") == 12


def _detainers(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A detainer extract (NPR / eads layout) of (date, lift reason, facility, state) rows."""
    lines = ["date,lift_reason,det_facility,city,state,detainer_type"]
    lines += [f'{d} 00:00:00,{why},"{fac}",TOWN,{st},' for d, why, fac, st in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("pa_first", [True, False], ids=["pa-first", "citizens-first"])
def test_extracts_cut_by_different_fields_count_their_common_rows_once(
    pa_first: bool, tmp_path: Path
) -> None:
    """Every Pennsylvania detainer, and the detainers of every state lifted because the
    person was a U.S. citizen: the Pennsylvania rows of the second are the first's too."""
    citizen = "Prosecutorial Discretion - U.S. Citizen"
    pa = _detainers(
        tmp_path / "pa_detainers.csv",
        [
            ("2012-01-03", "Case Closed", "BUCKS CNTY JAIL, PA", "PENNSYLVANIA"),
            ("2012-01-03", citizen, "YORK CNTY PRISON, PA", "PENNSYLVANIA"),
            ("2013-05-06", "Removed", "YORK CNTY PRISON, PA", "PENNSYLVANIA"),
        ],
    )
    citizens = _detainers(
        tmp_path / "americans.csv",
        [
            ("2012-01-03", citizen, "YORK CNTY PRISON, PA", "PENNSYLVANIA"),
            ("2012-01-03", citizen, "SACRAMENTO COUNTY JAIL", "CALIFORNIA"),
            ("2014-02-02", citizen, "HARRIS COUNTY JAIL", "TEXAS"),
        ],
    )
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        for path in [pa, citizens] if pa_first else [citizens, pa]:
            (report,) = api.ingest(wh, [path])
            assert report.status == "loaded", report.message
        assert _n(wh, "SELECT count(*) FROM detainers") == 5
        assert _n(wh, "SELECT count(*) FROM detainers WHERE facility_state = 'PA'") == 3
        assert _n(wh, "SELECT count(*) FROM detainers_all") == 6
        shadow = wh.engine.query(
            "SELECT r.file_name FROM detainers_all d JOIN releases r "
            "ON r.release_id = d.shadowed_by WHERE NOT d.counted"
        ).to_pylist()
        assert shadow == [{"file_name": "pa_detainers.csv"}]


def test_overlaps_and_their_disagreements_on_the_command_line(tmp_path: Path, run_cli) -> None:
    """`releases --overlaps` names, per table and AOR, the releases covering it and which one
    counts; releases that disagree on an AOR-month are a caveat there and in `rates`."""
    uw = uw_arrests(tmp_path / "arrests.csv.gz", ["9/30/2016", "1/5/2017", "1/5/2017", "3/1/2017"])
    nat = national_arrests(tmp_path / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["1/5/2017"]})
    db = tmp_path / "w.duckdb"
    code, _out, err = run_cli("ingest", "-q", "--db", str(db), str(uw), str(nat))
    assert code == 0, err
    code, out, err = run_cli("releases", "--overlaps", "--db", str(db))
    assert code == 0, err
    assert "arrests" in out and "SEA" in out
    # the national file counts Seattle's FY2017 days; the Seattle production's rows there are
    # set aside, and the two disagree in January (1 against 2) and March (0 against 1)
    assert "counting_file       EROArrests_FY2017.csv.gz" in out, out
    assert "other_file          arrests.csv.gz" in out
    assert "months_disagreeing  2" in out
    assert "caveat [overlap_disagrees]: 2 AOR-month(s)" in out


def test_file_names_are_stored_relative_to_what_was_ingested(wh: Warehouse, tmp_path: Path) -> None:
    """`releases.file_path` names a file as the ingest argument reaches it (a folder's
    subfolder kept), never by this machine's absolute path."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    national_arrests(folder / "sub" / "EROArrests_FY2017.csv.gz", 2017, {SEA: ["1/5/2017"]})
    single = national_arrests(tmp_path / "EROArrests_FY2016.csv.gz", 2016, {SEA: ["1/5/2016"]})
    api.ingest(wh, [folder, single])
    paths = sorted(r["file_path"] for r in api.releases(wh).to_pylist())
    assert paths == ["EROArrests_FY2016.csv.gz", "sub/EROArrests_FY2017.csv.gz"]
    assert not any(str(tmp_path) in p for p in paths)
