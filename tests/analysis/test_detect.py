"""Surge detection: operations planted in a synthetic release (``icefacts synth
--plant-operation``, conftest.py) are found with their sizes inside the intervals, synthetic
releases and hand-made series with nothing planted raise few false alarms, and on the real
FY2017 national file the September 2017 operation is found without being told any dates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from icefacts import api
from icefacts.analysis.detect import DetectQuestion, detect
from icefacts.warehouse import Warehouse
from tests.analysis.test_operation import _file
from tests.conftest import shared_file

NAMES = {
    "SEA": "Seattle Area of Responsibility",
    "NYC": "New York City Area of Responsibility",
    "CHI": "Chicago Area of Responsibility",
    "LOS": "Los Angeles Area of Responsibility",
    "DAL": "Dallas Area of Responsibility",
}
WEEKDAY = np.array([1.2, 1.2, 1.1, 1.1, 1.0, 0.3, 0.1])  # Monday..Sunday
FY = (date(2016, 10, 1), date(2017, 9, 30))


def _series(rng: np.random.Generator, base: float, plants: dict) -> list[list[str]]:
    """Rows of a year of Poisson arrests per AOR (a weekday pattern, a slow drift), with
    ``plants[(aor, day)]`` extra arrests on some days (all naming an operation)."""
    rows = []
    d = FY[0]
    while d <= FY[1]:
        for k, (aor, name) in enumerate(NAMES.items()):
            drift = 1 + 0.2 * np.sin((d - FY[0]).days / 58 + k)
            n = int(rng.poisson(base * (k + 1) * WEEKDAY[d.weekday()] * drift))
            extra = plants.get((aor, d), 0)
            day = f"{d.month}/{d.day}/{d.year}"
            for i in range(n + extra):
                op = "(B)(7)(E) " if i >= n else ("(B)(7)(E) " if i % 9 == 0 else "")
                rows.append([name, day, "Located", "", op, "", "(B)(6);(B)(7)(C) ", "MEXICO",
                             "Male"])  # fmt: skip
        d += timedelta(days=1)
    return rows


def _warehouse(tmp_path: Path, plants: dict, seed: int) -> Path:
    rows = _series(np.random.default_rng(seed), 3.0, plants)
    db = tmp_path / f"w{seed}.duckdb"
    (tmp_path / f"s{seed}").mkdir()
    with Warehouse.open(db) as wh:
        (r,) = api.ingest(wh, [_file(tmp_path / f"s{seed}" / "EROArrests_FY2017.csv.gz", rows)])
        assert r.status == "loaded", r.message
    return db


def _detect(db: Path, **kw):
    with api.open_warehouse(db, read_only=True) as wh:
        return detect(wh.engine, DetectQuestion(**kw))


MEASURES = ("operation_flagged", "at_large", "arrests")


def _episode_days(episode: dict) -> list[str]:
    return [(episode["start"] + timedelta(days=i)).isoformat() for i in range(episode["days"])]


@pytest.mark.parametrize("measure", MEASURES)
def test_planted_operations_are_found_with_their_size(
    planted: tuple[Path, dict], measure: str
) -> None:
    """Told no dates, the detector finds each operation planted in a synthetic release
    (conftest.py): one reported operation overlaps its days and holds all its AORs, its
    episodes hold the planted arrests, the planted count (truth.json, by measure) lies inside
    its excess interval, and the planted operations rank first.

    The interval holds in this release for every measure; over 40 seeds of it
    (bench/detect_planted.py, docs/analysis.md) it held 204 times in 240: the reported
    excess runs a little high (small daily counts, days next to the surge joined to it)."""
    db, truth = planted
    answer = _detect(db, measure=measure)
    ops, episodes = answer.table.to_pylist(), answer.tables["episodes"].to_pylist()
    ranks = []
    for op in truth["operations"]:
        start, end = date.fromisoformat(op["start"]), date.fromisoformat(op["end"])
        hits = [o for o in ops if o["start"] <= end and o["end"] >= start
                and set(o["aors"]) & set(op["aors"])]  # fmt: skip
        assert hits, (measure, op["name"])
        best = max(hits, key=lambda o: len(set(o["aors"]) & set(op["aors"])))
        assert set(op["aors"]) <= set(best["aors"]), (measure, op["name"], best)
        mine = [e for e in episodes if e["aor"] in op["aors"]
                and best["start"] <= e["start"] <= best["end"]]  # fmt: skip
        assert sorted(e["aor"] for e in mine) == sorted(op["aors"])  # one episode per AOR
        cells = op["by_aor_day"]
        found = sum(cells[e["aor"]].get(d, {}).get(measure, 0) for e in mine
                    for d in _episode_days(e))  # fmt: skip
        assert found == op[measure], (measure, op["name"], mine)  # every planted day held
        assert best["excess_low"] <= found <= best["excess_high"], (measure, op["name"], best)
        ranks.append(best["rank"])
    assert sorted(ranks) == [1, 2], (measure, ranks)


def test_false_alarms_on_synthetic_releases(tmp_path: Path) -> None:
    """Synthetic national releases with nothing planted (two years of 24 AORs): the alarms
    per AOR-year stay under the bounds below, about twice what 20 seeds measured
    (docs/analysis.md: 0.15 with all arrests, 0.43 with at-large and with operation-flagged
    ones, whose small daily counts the expected count underestimates), and a false
    operation across AORs is rare (none with all arrests)."""
    bound = {"arrests": 0.3, "at_large": 0.9, "operation_flagged": 0.9}
    alarms = dict.fromkeys(MEASURES, 0)
    multi = dict.fromkeys(MEASURES, 0)
    aor_years = 0
    for seed in (3, 4):
        out = tmp_path / f"s{seed}"
        truth = api.synth(out, rows=60_000, seed=seed, families=["A"], tables=["arrests"])
        aor_years += len(set(truth["tables"]["A"]["arrests"]["by_aor"]) - {"HQ", "null"})
        with api.open_warehouse(out / "w.duckdb") as wh:
            api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
        for m in MEASURES:
            ops = _detect(out / "w.duckdb", measure=m).table.to_pylist()
            alarms[m] += len(ops)
            multi[m] += sum(o["n_aors"] > 1 for o in ops)
    assert aor_years == 48
    for m in MEASURES:
        assert alarms[m] / aor_years <= bound[m], (m, alarms)
    assert multi["arrests"] == 0 and max(multi.values()) <= 8, multi  # 4 a year at most


def test_false_alarms_with_nothing_planted(tmp_path: Path) -> None:
    """Hand-made series with a slow drift (which the synthetic releases lack): a year of five
    AORs with no operation raises at most a few single-AOR alarms at the default threshold,
    and no multi-AOR operation."""
    alarms = []
    for seed in (3, 4):
        ops = _detect(_warehouse(tmp_path, {}, seed), measure="arrests").table.to_pylist()
        alarms.append(len(ops))
        assert all(o["n_aors"] == 1 for o in ops), ops
    assert sum(alarms) <= 6, alarms  # 2 x 5 AOR-years: 0.6 a year per AOR at most


def test_detection_ignores_row_order_and_dates_outside(tmp_path: Path) -> None:
    db = _warehouse(tmp_path, {("SEA", date(2017, 3, 6)): 30}, 5)
    whole = _detect(db).table
    again = _detect(db).table
    assert whole.equals(again)
    assert any("SEA" in o["aors"] and o["start"] == date(2017, 3, 6) for o in whole.to_pylist())


@pytest.mark.realdata
def test_the_2017_operation_is_found_without_dates(tmp_path: Path) -> None:
    ten = {"LOS", "PHI", "DEN", "NYC", "SEA", "BOS", "BAL", "CHI", "SFR", "WAS"}
    gz = shared_file("uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz")
    db = tmp_path / "n.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [gz])
    # operations and at-large arrests: all ten AORs; all arrests (custodial arrests of
    # the jails dilute the surge): most of them
    for measure, least in (("operation_flagged", 10), ("at_large", 10), ("arrests", 6)):
        ops = _detect(db, measure=measure).table.to_pylist()
        sept = [o for o in ops[:3] if o["start"] <= date(2017, 9, 27)
                and o["end"] >= date(2017, 9, 24)]  # fmt: skip
        assert sept, (measure, ops[:3])
        assert len(set(sept[0]["aors"]) & ten) >= least, (measure, sept[0])
        assert sept[0]["excess_low"] > 0


def test_detect_cli(tmp_path: Path, run_cli) -> None:
    db = _warehouse(tmp_path, {("SEA", date(2017, 3, 6)): 30}, 5)
    code, out, err = run_cli("operations", "detect", "--db", str(db), "-f", "csv")
    assert code == 0, err
    assert out.splitlines()[0].startswith("rank,start,end,aors")
    assert "2017-03-06" in out
    for args, words in (
        (["--measure", "nope"], "--measure"),
        (["--fy", "2030"], "no loaded release"),
        (["--threshold", "-1"], "threshold"),
    ):
        code, out, err = run_cli("operations", "detect", "--db", str(db), *args)
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1, out + err


def test_poisson_tails_are_exact_where_runs_are_tested() -> None:
    """The vectorised tail (every candidate run of a day at once) against a sum in log space
    with math.fsum, including means of 700-1000, where e^-mean is below what a float holds
    (the old one-by-one sum then said 1.0: no run of a big AOR could ever be flagged)."""
    import math

    import numpy as np

    from icefacts.analysis.detect import poisson_tail, poisson_tails

    def exact(k: float, lam: float) -> float:
        n = math.floor(k)
        if n <= 0:
            return 1.0
        logs = [
            -lam + i * math.log(lam) - math.lgamma(i + 1)
            for i in range(n, n + int(20 * math.sqrt(lam) + 100))
        ]
        top = max(logs)
        return math.exp(top) * math.fsum(math.exp(x - top) for x in logs)

    rng = np.random.default_rng(7)
    lam = np.concatenate([rng.uniform(0.05, 5, 200), rng.uniform(5, 700, 300), [750, 900, 999.0]])
    k = np.floor(lam + rng.uniform(0.5, 6, len(lam)) * np.sqrt(lam)) + 1
    want = np.array([exact(a, b) for a, b in zip(k, lam, strict=True)])
    got = poisson_tails(k, lam)
    assert np.allclose(got, want, rtol=1e-9, atol=0)
    assert [poisson_tail(a, b) for a, b in zip(k, lam, strict=True)] == pytest.approx(
        list(want), rel=1e-9
    )
    assert 0.1 < poisson_tail(935.7, 899.9) < 0.15  # was 1.0
    assert poisson_tails(np.array([0.0, 3.0]), np.array([2.0, 5.0])).tolist() == pytest.approx(
        [1.0, 1 - math.exp(-5) * (1 + 5 + 12.5)]
    )
