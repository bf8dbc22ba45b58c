"""`trend`: a measure per day, week, month or fiscal year, zero where nothing was recorded
but the releases cover the period, partial periods marked, policy dates attached."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from icefacts import api
from icefacts.analysis.trend import label, next_period, period_of
from icefacts.warehouse import Warehouse
from tests.analysis.test_operation import _file, _row


@pytest.fixture
def months(tmp_path: Path) -> Path:
    """FY2017: SEA has d arrests on day d of each month (1 Located, the rest custodial) in
    Oct-Dec 2016 and none in January; NYC one a day all year."""
    rows = []
    for month in (10, 11, 12):
        first = date(2016, month, 1)
        d = first
        while d.month == month:
            for j in range(d.day):
                rows.append(_row("SEA", d, "Located" if j == 0 else "CAP Local Incarceration"))
            d += timedelta(days=1)
    d = date(2016, 10, 1)
    while d <= date(2017, 9, 30):
        rows.append(_row("NYC", d, "Non-Custodial Arrest"))
        d += timedelta(days=1)
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        (r,) = api.ingest(wh, [_file(tmp_path / "EROArrests_FY2017.csv.gz", rows)])
        assert r.status == "loaded", r.message
    return db


def _trend(db: Path, **kw):
    with api.open_warehouse(db, read_only=True) as wh:
        return api.trend(wh, api.trend_question(**kw))


def test_monthly_per_aor_with_zero_months(months: Path) -> None:
    ans = _trend(months, by="month", per="aor", aors=("SEA", "NYC"))
    rows = {(r["period"], r["aor"]): r for r in ans.table.to_pylist()}
    assert rows[("2016-10", "SEA")]["arrests"] == sum(range(1, 32))
    assert rows[("2016-11", "SEA")]["arrests"] == sum(range(1, 31))
    assert rows[("2017-01", "SEA")]["arrests"] == 0  # covered, nothing recorded: zero
    assert rows[("2017-02", "NYC")]["arrests"] == 28
    assert len(rows) == 24 and all(r["covered_days"] == r["days"] for r in rows.values())
    assert ans.table.column_names == [
        "period", "period_start", "period_end", "aor", "arrests", "days", "covered_days",
    ]  # fmt: skip


def test_shares_fiscal_years_and_partial_periods(months: Path) -> None:
    share = _trend(months, measure="at_large_share", by="month", per="aor", aors=("SEA",))
    oct16 = share.table.to_pylist()[0]
    assert oct16["at_large_share"] == pytest.approx(31 / sum(range(1, 32)), abs=1e-4)
    fy = _trend(months, by="fiscal_year").table.to_pylist()
    assert [r["period"] for r in fy] == ["FY2017"]
    assert fy[0]["arrests"] == sum(range(1, 32)) + sum(range(1, 31)) + sum(range(1, 32)) + 365
    # a span running past the release: the last weeks are partly covered, then not at all
    wk = _trend(months, by="week", start=date(2017, 9, 18), end=date(2017, 10, 15))
    rows = wk.table.to_pylist()
    assert rows[0]["period"] == "2017-W38" and rows[0]["covered_days"] == 7
    assert rows[1]["covered_days"] == 6 and rows[1]["days"] == 7  # Sep 25 - Oct 1
    assert rows[-1]["arrests"] is None and rows[-1]["covered_days"] == 0  # not zero: unknown
    assert "periods_partly_covered" in {c.code for c in wk.caveats}


def test_criminality_is_null_not_zero(months: Path) -> None:
    ans = _trend(months, measure="convicted", by="fiscal_year")
    assert ans.table.to_pylist()[0]["convicted"] is None
    assert "field_missing_in_release" in {c.code for c in ans.caveats}


def test_policy_dates_attach_to_their_places(months: Path) -> None:
    ans = _trend(months, by="fiscal_year", per="state", states=("WA", "NY"))
    # the national file names no state (events are placed by `reference load`): the series
    # still has a row per state asked, and each state gets its own instruments' dates
    assert {r["state"] for r in ans.table.to_pylist()} == {"WA", "NY"}
    dates = ans.tables["policy_dates"].to_pylist()
    assert {d["place"] for d in dates} == {"WA", "NY"}
    from icefacts.policies import default_registry

    fips = {e.id: e.fips[:2] for e in default_registry()}
    assert all(fips[d["policy_id"]] == {"WA": "53", "NY": "36"}[d["place"]] for d in dates)
    assert all(d["starts"] is not None for d in dates)


def test_period_arithmetic() -> None:
    assert period_of("fiscal_year", date(2017, 9, 30)) == date(2016, 10, 1)
    assert period_of("fiscal_year", date(2017, 10, 1)) == date(2017, 10, 1)
    assert label("fiscal_year", date(2016, 10, 1)) == "FY2017"
    assert next_period("month", date(2016, 12, 1)) == date(2017, 1, 1)
    assert period_of("week", date(2017, 9, 24)) == date(2017, 9, 18)  # a Sunday: Monday before


def test_bad_measure_is_one_line(months: Path) -> None:
    from icefacts.errors import InputError

    with pytest.raises(InputError, match="measure"):
        api.trend_question(measure="vibes")
    with pytest.raises(InputError, match="before"):
        api.trend_question(start=date(2017, 2, 1), end=date(2017, 1, 1))


@pytest.mark.parametrize(
    "args, words",
    [
        (["--measure", "vibes"], "--measure"),
        (["--by", "decade"], "--by"),
        (["--per", "planet"], "--per"),
        (["--fy", "2017", "--from", "2017-01-01"], "--fy or --from/--to"),
        (["--fy", "2030"], "no loaded release"),
        (["--from", "2017-13-01"], "--from must be a date"),
        (["--aor", "SEATTLE"], "--aor"),
    ],
)
def test_trend_cli_errors_are_one_line(months: Path, run_cli, args: list[str], words: str) -> None:
    code, out, err = run_cli("trend", "--db", str(months), *args)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, out + err


def test_trend_cli_formats(months: Path, run_cli) -> None:
    code, out, _ = run_cli("trend", "--db", str(months), "--by", "fiscal_year", "-f", "json")
    body = json.loads(out)
    assert code == 0 and body["rows"][0]["period"] == "FY2017" and "policy_dates" in body["tables"]
    code, out, _ = run_cli("trend", "--db", str(months), "--per", "aor", "--aor", "SEA")
    assert code == 0 and "2016-10" in out and "SEA" in out


@pytest.mark.parametrize("by", ["day", "week", "month", "fiscal_year"])
def test_the_sql_period_is_period_of(by: str) -> None:
    """The trend's SQL finds a row's period in two steps (a key, then the first day); every
    day of several years, leap days and fiscal-year edges included, lands where
    ``period_of`` says."""
    import duckdb

    from icefacts.analysis.trend import _PERIOD_KEY_SQL, _PERIOD_START_SQL

    con = duckdb.connect()
    got = con.execute(
        f"SELECT apprehension_date, {_PERIOD_START_SQL[by]} FROM ("
        f"SELECT apprehension_date, {_PERIOD_KEY_SQL[by]} AS k FROM ("
        "SELECT CAST(d AS DATE) AS apprehension_date "
        "FROM range(DATE '2015-09-01', DATE '2021-03-01', INTERVAL 1 DAY) t(d)))"
    ).fetchall()
    assert len(got) > 2000
    assert all(start == period_of(by, day) for day, start in got)


def test_rows_dated_after_the_stated_period_are_said(tmp_path: Path) -> None:
    """The default span is what the releases state (FY2017); three arrests a FY2017 file
    dates in October 2017 are in no period of it: a caveat says how many, and an explicit
    span that holds them counts them."""
    rows = [_row("SEA", date(2017, 9, 29), "Located")] * 2
    rows += [_row("SEA", date(2017, 10, 2), "Located")] * 3
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [_file(tmp_path / "EROArrests_FY2017.csv.gz", rows)])
    with api.open_warehouse(db, read_only=True) as wh:
        ans = api.trend(wh, api.trend_question(by="fiscal_year"))
        assert [r["arrests"] for r in ans.table.to_pylist()] == [2]
        (note,) = [c for c in ans.caveats if c.code == "rows_outside_span"]
        assert note.args["rows"] == 3 and "2016-10-01 to 2017-09-30" in note.text
        json.dumps(ans.to_dict(), default=str)
        wide = api.trend(
            wh, api.trend_question(by="month", start=date(2017, 9, 1), end=date(2017, 10, 31))
        )
        assert sum(r["arrests"] or 0 for r in wide.table.to_pylist()) == 5
        assert "rows_outside_span" not in {c.code for c in wide.caveats}


def test_one_series_is_labelled_by_what_was_asked(months: Path) -> None:
    """Without --per, the one series is of the places asked: 'SEA', 'SEA+NYC', 'all'."""
    assert {
        r["place"] for r in _trend(months, by="fiscal_year", aors=("SEA",)).table.to_pylist()
    } == {"SEA"}
    both = _trend(months, by="fiscal_year", aors=("SEA", "NYC")).table.to_pylist()
    assert {r["place"] for r in both} == {"SEA+NYC"}
    assert {r["place"] for r in _trend(months, by="fiscal_year").table.to_pylist()} == {"all"}


def test_the_help_lists_every_measure(run_cli) -> None:
    """`trend --help` names every measure (at 80 columns, none cut off)."""
    from icefacts.analysis.trend import MEASURES

    code, out, _ = run_cli("trend", "--help")
    assert code == 0
    words = set(out.replace(",", " ").replace(":", " ").split())
    assert set(MEASURES) <= words, set(MEASURES) - words


def test_an_empty_place_list_is_a_mistake(months: Path, run_cli) -> None:
    code, _out, err = run_cli("trend", "--db", str(months), "--aor", ",")
    assert code == 2 and "--aor ','" in err and "empty list" in err, err


def test_periods_no_release_covers_are_said(months: Path) -> None:
    ans = _trend(months, by="month", start=date(2017, 9, 1), end=date(2017, 11, 30))
    rows = ans.table.to_pylist()
    assert [r["covered_days"] for r in rows] == [30, 0, 0]
    assert rows[-1]["arrests"] is None
    codes = {c.code for c in ans.caveats}
    assert "periods_not_covered" in codes and "periods_partly_covered" not in codes
