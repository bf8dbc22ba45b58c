"""`icefacts operation`: counts of a window against the same weekdays of earlier weeks.

Synthetic warehouses (hand-made national-layout files, every count known) test the figures,
the baseline and its interval, coverage refusals and caveats, and that nothing depends on the
order of rows or releases; a synthetic release with planted operations (``icefacts synth
--plant-operation``, see conftest.py) tests the counts of their windows against truth.json;
the real national FY2017 file tests the 2017 operation window against counts computed here
with plain SQL (skipped when ../shared/data is absent).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icefacts import api
from icefacts.analysis.intervals import excess_interval, t975
from icefacts.errors import InputError
from icefacts.warehouse import Warehouse
from tests.conftest import SHARED, shared_file
from tests.fixtures import NATIONAL_HEADER, NATIONAL_TITLE, national_csv

AOR_NAMES = {"SEA": "Seattle Area of Responsibility", "NYC": "New York City Area of Responsibility"}
RED_DOB = "(B)(6);(B)(7)(C) "
WINDOW = (date(2017, 9, 24), date(2017, 9, 27))  # Sunday to Wednesday


def _row(aor: str, day: date, method: str = "Located", operation: str = "") -> list[str]:
    return [AOR_NAMES[aor], f"{day.month}/{day.day}/{day.year}", method, "", operation, "",
            RED_DOB, "MEXICO", "Male"]  # fmt: skip


def _file(path: Path, rows: list[list[str]], fy: int = 2017) -> Path:
    title = [*NATIONAL_TITLE[:4], f"ERO Administrative Arrests for FY{fy}"]
    return national_csv(path, rows=rows, title=title, header=NATIONAL_HEADER)


def _weeks_rows() -> list[list[str]]:
    """SEA: in each of the 6 weeks before the window, k+1 arrests on each of its weekdays
    (Sunday..Wednesday), 2 at large and the rest custodial; 10 a day in the window, all at
    large, 3 naming an operation. NYC: 1 a day everywhere."""
    rows: list[list[str]] = []
    start = WINDOW[0]
    for k in range(1, 7):
        for i in range(4):
            day = start - timedelta(days=7 * k) + timedelta(days=i)
            for j in range(k + 1):
                rows.append(_row("SEA", day, "Located" if j < 2 else "CAP Local Incarceration"))
    for i in range(4):
        day = start + timedelta(days=i)
        for j in range(10):
            rows.append(_row("SEA", day, "Located", "(B)(7)(E) " if j < 3 else ""))
    d = date(2017, 8, 1)
    while d <= date(2017, 9, 30):
        rows.append(_row("NYC", d, "Non-Custodial Arrest"))
        d += timedelta(days=1)
    return rows


@pytest.fixture
def weeks(tmp_path: Path) -> Path:
    path = _file(tmp_path / "EROArrests_FY2017.csv.gz", _weeks_rows())
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        (r,) = api.ingest(wh, [path])
        assert r.status == "loaded", r.message
    return db


def _ask(db: Path, **kw) -> api.Answer:  # type: ignore[name-defined]
    with api.open_warehouse(db, read_only=True) as wh:
        return api.operation(wh, api.operation_question(start=WINDOW[0], end=WINDOW[1], **kw))


def _rows(answer, key: str = "aor") -> dict:
    return {r[key]: r for r in answer.table.to_pylist()}


def test_counts_baseline_and_interval(weeks: Path) -> None:
    ans = _ask(weeks)
    sea, nyc, total = (_rows(ans)[k] for k in ("SEA", "NYC", "total"))
    assert sea["arrests"] == 40 and sea["at_large"] == 40 and sea["custodial"] == 0
    assert sea["operation_flagged"] == 12 and sea["other_method"] == 0
    series = [4 * (k + 1) for k in range(1, 7)]  # 8, 12, ... 28 in the weeks before
    mean, low, high = excess_interval(40, series)
    assert sea["arrests_baseline"] == pytest.approx(mean, abs=0.01) == 18.0
    assert sea["arrests_excess"] == pytest.approx(22.0)
    assert sea["arrests_excess_low"] == pytest.approx(low, abs=0.01)
    assert sea["arrests_excess_high"] == pytest.approx(high, abs=0.01)
    # at large: 2 a day in every baseline week
    assert sea["at_large_baseline"] == 8.0
    assert nyc["arrests"] == 4 and nyc["arrests_baseline"] == 4.0 and nyc["arrests_excess"] == 0
    assert total["arrests"] == 44
    assert total["arrests_baseline"] == pytest.approx(22.0)
    assert total["countries"] == 1
    # criminality: the national layout has none -> NULL and a caveat, never zero
    assert sea["convicted"] is None and total["convicted"] is None
    assert "field_missing_in_release" in {c.code for c in ans.caveats}
    assert ans.releases_used and not ans.releases_set_aside
    assert ans.table.column_names[:12] == [
        "aor", "arrests", "at_large", "custodial", "other_method", "operation_flagged",
        "convicted", "pending", "other_criminality", "criminality_unknown", "countries",
        "duplicates_excluded",
    ]  # fmt: skip
    for m in ("arrests", "at_large", "operation_flagged"):
        for s in ("_baseline", "_excess", "_excess_low", "_excess_high"):
            assert f"{m}{s}" in ans.table.column_names


def test_interval_arithmetic() -> None:
    assert t975(5) == 2.571 and abs(t975(40) - 2.021) < 1e-3 and abs(t975(120) - 1.980) < 1e-3
    mean, low, high = excess_interval(30, [10, 10, 10, 10])  # no spread: Poisson floor
    half = 3.182 * (10 * 1.25) ** 0.5
    assert mean == 10 and low == pytest.approx(20 - half)
    assert high == 30  # a normal period holds no fewer than zero arrests
    mean, low, high = excess_interval(100, [40, 50, 60, 50])
    half = 3.182 * (200 / 3 * 1.25) ** 0.5  # sample variance 66.7 over the mean of 50
    assert low == pytest.approx(50 - half) and high == pytest.approx(50 + half)
    with pytest.raises(ValueError):
        excess_interval(3, [1])


def test_by_day_and_total(weeks: Path) -> None:
    days = _ask(weeks, by="day", aors=("SEA",)).table.to_pylist()
    assert [r["day"] for r in days[:4]] == [WINDOW[0] + timedelta(days=i) for i in range(4)]
    assert all(r["arrests"] == 10 for r in days[:4])
    assert days[0]["arrests_baseline"] == pytest.approx(4.5)  # 2..7 a Sunday
    assert days[-1]["arrests"] == 40  # the total row
    (only,) = _ask(weeks, by="total").table.to_pylist()
    assert only["place"] == "all" and only["arrests"] == 44


def test_explicit_baseline_and_fewer_weeks(weeks: Path) -> None:
    two = _rows(_ask(weeks, baseline_weeks=2))["SEA"]
    assert two["arrests_baseline"] == 10.0  # weeks 1 and 2: 8 and 12
    explicit = _rows(_ask(weeks, baseline_start=date(2017, 8, 13), baseline_end=date(2017, 9, 9)))[
        "SEA"
    ]
    # weeks 3..6 before the window lie inside it: 4 x 4, 4 x 5, 4 x 6 and 4 x 7 arrests
    assert explicit["arrests_baseline"] == pytest.approx((16 + 20 + 24 + 28) / 4)


def test_coverage_refusals_and_caveats(weeks: Path, tmp_path: Path) -> None:
    with (
        pytest.raises(InputError, match="no loaded release of arrests covers"),
        api.open_warehouse(weeks, read_only=True) as wh,
    ):
        api.operation(wh, api.operation_question(start=date(2019, 1, 1), end=date(2019, 1, 4)))
    # a window starting the first days of FY2017: no baseline weeks before it are loaded
    with api.open_warehouse(weeks, read_only=True) as wh:
        ans = api.operation(
            wh, api.operation_question(start=date(2016, 10, 2), end=date(2016, 10, 5))
        )
    codes = {c.code for c in ans.caveats}
    assert {"baseline_weeks_dropped", "baseline_too_short"} <= codes
    assert all(r["arrests_baseline"] is None for r in ans.table.to_pylist())
    # a window half outside: answered for the covered part, with a caveat
    with api.open_warehouse(weeks, read_only=True) as wh:
        ans = api.operation(
            wh, api.operation_question(start=date(2017, 9, 28), end=date(2017, 10, 3))
        )
    assert "window_partly_covered" in {c.code for c in ans.caveats}


@pytest.mark.parametrize(
    "args, words",
    [
        (["--from", "2017-09-27", "--to", "2017-09-24"], "--to 2017-09-24 is before"),
        (["--from", "2017-9-x", "--to", "2017-09-24"], "--from must be a date"),
        (["--from", "2019-01-01", "--to", "2019-01-04"], "no loaded release"),
        (["--fy", "2017", "--from", "2017-01-01"], "--fy or --from/--to"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--aor", "SEATTLE"], "--aor"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--state", "W1"], "--state"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--county", "530"], "--county"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--aor", "XYZ"], "not a known AOR"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--state", "ZZ"], "not a known state"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--county", "99001"], "no state has"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--release", "nope"], "--release"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--by", "planet"], "--by"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "--policy", "x"], "--on"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "-f", "parquet"], "--output"),
        (["--from", "2017-09-24", "--to", "2017-09-27", "-f", "xml"], "--format"),
        (
            ["--from", "2017-09-24", "--to", "2017-09-27", "--baseline-from", "2017-08-01"],
            "--baseline-to",
        ),
    ],
)
def test_bad_arguments_are_one_line(weeks: Path, run_cli, args: list[str], words: str) -> None:
    before = weeks.read_bytes()
    code, out, err = run_cli("operation", "--db", str(weeks), *args)
    assert code == 2, out + err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert weeks.read_bytes() == before


def test_formats(weeks: Path, run_cli, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    base = ["operation", "--db", str(weeks), "--from", "2017-09-24", "--to", "2017-09-27"]
    code, out, _ = run_cli(*base, "-f", "json")
    assert code == 0
    body = json.loads(out)
    assert {r["aor"] for r in body["rows"]} == {"SEA", "NYC", "total"}
    assert body["caveats"] and body["releases_used"] and body["sql"] and body["definitions"]
    code, out, _ = run_cli(*base, "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("aor,arrests,at_large,custodial")
    code, out, _ = run_cli(*base, "-f", "parquet", "-o", str(tmp_path / "o.parquet"))
    assert code == 0
    t = pq.read_table(tmp_path / "o.parquet")
    assert t.num_rows == 3 and b"icefacts" in t.schema.metadata
    code, out, _ = run_cli(*base)
    assert code == 0 and "SEA" in out and "caveat field_missing_in_release" in out


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), split=st.integers(1, 5))
def test_nothing_depends_on_row_or_release_order(tmp_path_factory, seed: int, split: int) -> None:
    """The same rows, shuffled and cut into a different number of overlapping copies (the
    FY2017 file and a second release holding some of its days again), give the same
    figures, baseline and interval."""
    rows = _weeks_rows()
    rng = random.Random(seed)
    base = tmp_path_factory.mktemp("a")
    shuffled = rows[:]
    rng.shuffle(shuffled)
    tables = []
    for folder, data, fy18 in (
        (base / "in-order", rows, False),
        (base / "shuffled", shuffled, True),
    ):
        folder.mkdir()
        files = [_file(folder / "EROArrests_FY2017.csv.gz", data)]
        if fy18:  # a second national release of another year: must not change FY2017 days
            extra = [_row("SEA", date(2017, 10, 2 + i)) for i in range(split)]
            files.append(_file(folder / "EROArrests_FY2018.csv.gz", extra, 2018))
            rng.shuffle(files)
        db = folder / "w.duckdb"
        with Warehouse.open(db) as wh:
            for f in files:
                api.ingest(wh, [f])
        tables.append(_ask(db).table)
    assert tables[0].equals(tables[1])


# -- the real national FY2017 file -----------------------------------------------------------

NATIONAL = "uwchr-ero-lesa-national-fy2016-2019"
TEN = ("LOS", "PHI", "DEN", "NYC", "SEA", "BOS", "BAL", "CHI", "SFR", "WAS")


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    gz = shared_file(f"{NATIONAL}/EROArrests_FY2017.csv.gz")
    db = tmp_path_factory.mktemp("nat") / "w.duckdb"
    with Warehouse.open(db) as wh:
        (r,) = api.ingest(wh, [gz])
        assert r.status == "loaded"
    return db


@pytest.fixture(scope="module")
def national_and_seattle(tmp_path_factory) -> Path:
    """The national FY2017 file beside the UW v. DHS and CAP workbooks (read-only users)."""
    seattle = SHARED / "uwchr-seattle-aor-2012-2019"
    if not seattle.exists():
        pytest.skip("real data not available")
    db = tmp_path_factory.mktemp("both") / "both.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [shared_file(f"{NATIONAL}/EROArrests_FY2017.csv.gz"), seattle])
    return db


@pytest.mark.realdata
def test_the_2017_window_on_the_real_file(national: Path) -> None:
    ans = _ask(national, aors=TEN)
    got = _rows(ans)
    assert set(got) == {*TEN, "total"}
    with Warehouse.open(national, read_only=True) as wh:
        # independently: plain SQL over the family table, no view
        plain = {
            r["aor"]: r
            for r in wh.engine.query(
                """
                SELECT aor, count(*) AS arrests,
                       count(*) FILTER (WHERE method IN ('Located', 'Non-Custodial Arrest'))
                         AS at_large,
                       count(*) FILTER (WHERE operation_flag) AS operation_flagged,
                       count(DISTINCT citizenship) AS countries
                FROM core_arrests__lesa_national
                WHERE apprehension_date BETWEEN DATE '2017-09-24' AND DATE '2017-09-27'
                GROUP BY aor
                """
            ).to_pylist()
        }
        weeks = wh.engine.query(
            """
            SELECT aor, (DATE '2017-09-24' - apprehension_date - 1) // 7 + 1 AS k, count(*) AS n
            FROM core_arrests__lesa_national
            WHERE apprehension_date BETWEEN DATE '2017-08-13' AND DATE '2017-09-20'
              AND dayofweek(apprehension_date) IN (0, 1, 2, 3)
            GROUP BY ALL
            """
        ).to_pylist()
    for aor in TEN:
        for m in ("arrests", "at_large", "operation_flagged", "countries"):
            assert got[aor][m] == plain[aor][m], (aor, m)
        series = [next((w["n"] for w in weeks if w["aor"] == aor and w["k"] == k), 0)
                  for k in range(1, 7)]  # fmt: skip
        assert got[aor]["arrests_baseline"] == pytest.approx(sum(series) / 6, abs=0.01)
        assert got[aor]["convicted"] is None  # the national layout gives no criminality
    assert got["total"]["arrests"] == sum(plain[a]["arrests"] for a in TEN)
    assert got["total"]["arrests_excess_low"] > 0  # the window stands out from its weeks


@pytest.mark.realdata
def test_seattle_files_beside_national_change_no_figure(
    national: Path, national_and_seattle: Path
) -> None:
    both = national_and_seattle
    for window in (WINDOW, (date(2017, 3, 1), date(2017, 3, 14))):
        kw = {"start": window[0], "end": window[1], "aors": TEN}
        with api.open_warehouse(national, read_only=True) as wh:
            alone = api.operation(wh, api.operation_question(**kw)).table
        with api.open_warehouse(both, read_only=True) as wh:
            mixed = api.operation(wh, api.operation_question(**kw))
        keep = [c for c in alone.column_names if not c.startswith(("convicted", "pending",
                "other_criminality", "criminality_unknown"))]  # fmt: skip
        assert mixed.table.select(keep).equals(alone.select(keep)), window
        assert mixed.releases_set_aside  # the Seattle releases, kept in arrests_all
        # convictions for Seattle, from the UW v. DHS production (set aside for counting),
        # checked against a plain count of its rows; every other place and the total: NULL
        rows = {r["aor"]: r for r in mixed.table.to_pylist()}
        with api.open_warehouse(both, read_only=True) as wh:
            want = wh.engine.scalar(
                "SELECT count(*) FROM arrests_all a JOIN releases r USING (release_id) "
                "WHERE r.family = 'uw-v-dhs-seattle' AND a.duplicate_of IS NULL "
                "AND a.most_serious_conviction IS NOT NULL "
                f"AND a.apprehension_date BETWEEN '{window[0]}' AND '{window[1]}'"
            )
        assert rows["SEA"]["convicted"] == want
        assert rows["SEA"]["pending"] is None  # the production tells convicted from not only
        assert all(rows[a]["convicted"] is None for a in rows if a != "SEA")
        codes = {c.code for c in mixed.caveats}
        assert {"field_from_other_release", "criminality_convictions_only"} <= codes
    # a window the national file counts, its baseline weeks (Aug-Sep 2016) only the UW v. DHS
    # production, which has no operation flag: that baseline is unknown, not zero, and the
    # release behind it is among those used
    with api.open_warehouse(both, read_only=True) as wh:
        early = api.operation(
            wh,
            api.operation_question(start=date(2016, 10, 2), end=date(2016, 10, 5), aors=("SEA",)),
        )
    (sea,) = [r for r in early.table.to_pylist() if r["aor"] == "SEA"]
    assert sea["operation_flagged"] is not None and sea["arrests_baseline"] > 0
    assert sea["operation_flagged_baseline"] is None and sea["operation_flagged_excess"] is None
    assert len(early.releases_used) == 2
    assert any(
        c.code == "field_missing_in_release" and c.args["field"] == "operation_flag"
        for c in early.caveats
    )
    # asked beside an AOR whose weeks no release covers, SEA keeps its own baseline
    with api.open_warehouse(both, read_only=True) as wh:
        pair = api.operation(
            wh,
            api.operation_question(
                start=date(2016, 10, 2), end=date(2016, 10, 5), aors=("NYC", "SEA")
            ),
        )
    rows = {r["aor"]: r for r in pair.table.to_pylist()}
    assert rows["SEA"]["arrests_baseline"] == sea["arrests_baseline"]
    assert rows["SEA"]["arrests_excess_low"] == sea["arrests_excess_low"]
    assert rows["NYC"]["arrests_baseline"] is None and rows["total"]["arrests_baseline"] is None
    assert "baseline_per_place" in {c.code for c in pair.caveats}


def test_planted_operations_counted_exactly(planted: tuple[Path, dict]) -> None:
    """Over each planted operation's days and AORs, the report counts exactly what the
    synthetic release holds there (truth.json's ``window``: planted and background arrests),
    per AOR and in total (one AOR: its row is the total), and the planted size lies inside
    the arrests' excess interval."""
    db, truth = planted
    with api.open_warehouse(db, read_only=True) as wh:
        for op in truth["operations"]:
            q = api.operation_question(
                start=date.fromisoformat(op["start"]),
                end=date.fromisoformat(op["end"]),
                aors=tuple(op["aors"]),
            )
            rows = _rows(api.operation(wh, q))
            total, window = rows.pop("total", None) or rows[op["aors"][0]], op["window"]
            for m in ("arrests", "at_large", "operation_flagged"):
                assert total[m] == window[m], (op["name"], m)
            assert {a: r["arrests"] for a, r in rows.items()} == window["by_aor"]
            assert total["arrests_excess_low"] > 0  # it stands out from its weeks
            assert total["arrests_excess_low"] <= op["size"] <= total["arrests_excess_high"]
            # the planted arrests are nearly all the window's operation-flagged ones
            assert total["operation_flagged"] >= op["operation_flagged"]


def test_convictions_come_from_a_set_aside_release_only_where_it_covers(tmp_path: Path) -> None:
    """The national file counts Seattle's days but gives no criminality; the UW v. DHS
    production (set aside) gives the most serious conviction: Seattle's convicted comes from
    it, with a caveat; New York's and the total's stay NULL, never zero."""
    from tests.fixtures import UW_ARRESTS_HEADER, UW_PERIOD, UW_TITLE, pipe_csv

    days = [WINDOW[0] + timedelta(days=i) for i in range(4)]
    nat = _file(
        tmp_path / "EROArrests_FY2017.csv.gz",
        [_row("SEA", d) for d in days] + [_row("SEA", days[0])] + [_row("NYC", days[1])],
    )
    uw_rows = [
        [f"{d.month}/{d.day}/{d.year}", RED_DOB, "Male", "MEXICO", "(b)(7)e)", "KING COUNTY JAIL",
         "Located", msc]
        for d, msc in zip([*days, days[0]], ["Assault", "", "Burglary", "", ""], strict=True)
    ]  # fmt: skip
    title = [*UW_TITLE, f"{UW_PERIOD} ERO Administrative Arrests for the Seattle Area of "
             "Responsibility"]  # fmt: skip
    uw = pipe_csv(tmp_path / "arrests.csv.gz", title, UW_ARRESTS_HEADER, uw_rows)
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [nat, uw])
    for by, key in (("aor", "SEA"), ("total", "all"), ("day", days[0])):
        answer = _ask(db, aors=("SEA",), baseline_weeks=0, by=by)
        row = _rows(answer, by if by != "total" else "place")[key]
        assert row["arrests"] == (5 if by != "day" else 2)
        assert row["convicted"] == (2 if by != "day" else 1), by
        assert row["pending"] is None and row["criminality_unknown"] is None
        assert "field_from_other_release" in {c.code for c in answer.caveats}
    both = _ask(db, aors=("SEA", "NYC"), baseline_weeks=0)
    got = _rows(both)
    assert got["SEA"]["convicted"] == 2
    assert got["NYC"]["convicted"] is None and got["total"]["convicted"] is None
    # asked for the national release alone: nothing is borrowed
    with api.open_warehouse(db, read_only=True) as wh:
        national_id = wh.engine.scalar(
            "SELECT release_id FROM releases WHERE family = 'lesa-national'"
        )
    alone = _ask(db, aors=("SEA",), baseline_weeks=0,
                 releases=(national_id,))  # fmt: skip
    assert _rows(alone)["SEA"]["convicted"] is None


@pytest.mark.realdata
def test_seattle_convictions_where_the_uw_production_counts(national_and_seattle: Path) -> None:
    """Before FY2016 only the UW v. DHS production covers Seattle: it counts those days and
    its most serious conviction gives convicted; before 2014 it records none, so convicted
    is NULL there, not zero; a group without arrests of a release lacking criminality is
    NULL too."""
    db = national_and_seattle
    with api.open_warehouse(db, read_only=True) as wh:
        want = wh.engine.scalar(
            "SELECT count(*) FROM arrests WHERE aor = 'SEA' "
            "AND apprehension_date BETWEEN '2015-03-01' AND '2015-03-04' "
            "AND most_serious_conviction IS NOT NULL"
        )
    with api.open_warehouse(db, read_only=True) as wh:
        q = api.operation_question(start=date(2015, 3, 1), end=date(2015, 3, 4), aors=("SEA",))
        got = api.operation(wh, q)
        early = api.operation(
            wh,
            api.operation_question(start=date(2013, 3, 3), end=date(2013, 3, 6), aors=("SEA",)),
        )
        by_method = api.operation(
            wh,
            api.operation_question(
                start=WINDOW[0], end=WINDOW[1], aors=("NYC",), by="method", baseline_weeks=2
            ),
        )
    row = got.table.to_pylist()[0]
    assert row["convicted"] and row["convicted"] <= row["arrests"]
    assert row["pending"] is None
    assert "criminality_convictions_only" in {c.code for c in got.caveats}
    assert want == row["convicted"] > 0
    assert early.table.to_pylist()[0]["convicted"] is None
    for r in by_method.table.to_pylist():
        assert r["convicted"] is None and r["pending"] is None, r


def test_a_measure_counts_only_the_rows_counted() -> None:
    """``counted_measure`` puts ``ok AND`` before the measure's whole filter: a duplicate
    set aside (ok false) with a most serious conviction is not counted as convicted."""
    import duckdb

    from icefacts.analysis.selection import counted_measure

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE e AS SELECT * FROM (VALUES (false, NULL, 'Assault'), (true, NULL, NULL), "
        "(true, 'convicted', NULL)) t(ok, criminality, most_serious_conviction)"
    )
    assert con.execute(f"SELECT {counted_measure('convicted')} FROM e").fetchone()[0] == 1
