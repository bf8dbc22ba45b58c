"""Surge detection: planted operations in synthetic releases are found with their sizes
inside the intervals, data with nothing planted raises few false alarms, and on the real
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


PLANTS = [  # (start, days, AORs, extra arrests per AOR per day)
    (date(2017, 2, 5), 4, ("NYC", "CHI", "LOS"), 8),
    (date(2017, 6, 11), 3, ("SEA", "DAL"), 10),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_operations_are_found_with_their_size(tmp_path: Path, seed: int) -> None:
    plants = {}
    for start, days, aors, extra in PLANTS:
        for i in range(days):
            for aor in aors:
                plants[(aor, start + timedelta(days=i))] = extra
    db = _warehouse(tmp_path, plants, seed)
    for measure in ("operation_flagged", "arrests"):
        ops = _detect(db, measure=measure).table.to_pylist()
        for start, days, aors, extra in PLANTS:
            end = start + timedelta(days=days - 1)
            hits = [o for o in ops if o["start"] <= end and o["end"] >= start]
            assert hits, (measure, start)
            best = max(hits, key=lambda o: len(set(o["aors"]) & set(aors)))
            assert set(aors) <= set(best["aors"]), (measure, start, best)
            # the excess interval covers what was planted on the days the episodes span
            eps = _detect(db, measure=measure).tables["episodes"].to_pylist()
            planted = 0
            for e in eps:
                near = best["start"] - timedelta(3) <= e["start"] <= best["end"]
                if e["aor"] in best["aors"] and near:
                    overlap = min(e["end"], end) - max(e["start"], start)
                    planted += extra * max(overlap.days + 1, 0) * (e["aor"] in aors)
            assert best["excess_low"] <= planted <= best["excess_high"], (measure, best, planted)
        top = ops[0]
        assert any(top["start"] <= s + timedelta(days=d) and top["end"] >= s
                   for s, d, _, _ in PLANTS)  # fmt: skip


def test_false_alarms_with_nothing_planted(tmp_path: Path) -> None:
    """Reported, and bounded: a year of five AORs with no operation raises at most a few
    single-AOR alarms at the default threshold, and no multi-AOR operation."""
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
