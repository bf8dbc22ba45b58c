"""Planted operations (``icefacts synth --plant-operation``): the extra arrests land where
and when they were asked for, look like an operation's (mostly at large, each naming an
operation), change nothing else, and ``truth.json`` counts them from the rows written; a
value that cannot be planted is one line naming the option, exit 2, nothing written."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from icefacts.release_specs import vocab
from icefacts.synth import PlantedOperation, build, generate
from icefacts.synth.operations import OPS_NOTE, ROW_NOTE, PlantError
from icefacts.synth.values import AOR_CITY

ROWS = 3_000
SEED = 7
PLANTS = ("2017-02-05:2017-02-08:NYC,CHI,LOS:250", "2017-06-13:2017-06-15:sea:45:Quiet Sound")
CODE_OF = {f"{city} Area of Responsibility": code for code, city in AOR_CITY.items()}
NOT_FLAGGED = {"", "--"}  # family A: empty or its missing marker


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("planted")
    truth = generate(out, rows=ROWS, seed=SEED, families=("A",), operations=PLANTS)
    return out, truth


def _rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a family-A file, read as plain CSV (five title lines, header)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()[5:]
    return list(csv.DictReader(lines, delimiter="|"))


def test_the_file_holds_the_planted_arrests(planted: tuple[Path, dict]) -> None:
    """Read back from the file written: every window's arrests, at-large arrests and
    operation codes are what truth.json says (background rows of those days included)."""
    out, truth = planted
    rows = _rows(out / "SYNTHETIC_EROArrests_FY2017.csv.gz")
    assert len(rows) == ROWS + 250 + 45 == truth["tables"]["A"]["arrests"]["rows"]
    custody = vocab("method")
    for op in truth["operations"]:
        start, end = date.fromisoformat(op["start"]), date.fromisoformat(op["end"])
        inside = []
        for r in rows:
            m, d, y = (int(x) for x in r["Apprehension Date"].split("/"))
            if (
                CODE_OF.get(r["Area of Responsibility"]) in op["aors"]
                and start <= date(y, m, d) <= end
            ):
                inside.append(r)
        window = op["window"]
        assert len(inside) == window["arrests"]
        assert (
            sum(custody.lookup(r["Apprehension Method"]) == "at_large" for r in inside)
            == (window["at_large"])
        )
        assert (
            sum(r["Operation"].strip() not in NOT_FLAGGED for r in inside)
            == (window["operation_flagged"])
        )
        by_aor = Counter(CODE_OF[r["Area of Responsibility"]] for r in inside)
        assert dict(by_aor) == window["by_aor"]
    # the file is still sorted by date, as the real ones are
    days = [tuple(int(x) for x in r["Apprehension Date"].split("/")) for r in rows]
    assert [(y, m, d) for m, d, y in days] == sorted((y, m, d) for m, d, y in days)


def test_truth_of_the_planted_operations(planted: tuple[Path, dict]) -> None:
    _, truth = planted
    first, second = truth["operations"]
    assert (first["name"], second["name"]) == ("SYNTHETIC OPERATION 1", "Quiet Sound")
    assert second["aors"] == ["SEA"]  # codes in any case
    for op, size, days in ((first, 250, 4), (second, 45, 3)):
        assert op["size"] == op["arrests"] == size
        assert op["operation_flagged"] == size  # every planted arrest names an operation
        assert 0.6 * size <= op["at_large"] <= size  # mostly at large (share 0.8)
        assert sum(op["by_aor"].values()) == sum(op["by_day"].values()) == size
        assert set(op["by_aor"]) == set(op["aors"])
        assert len(op["by_day"]) == days and min(op["by_day"]) == op["start"]
        cells = [c for per_day in op["by_aor_day"].values() for c in per_day.values()]
        assert len(cells) == days * len(op["aors"])
        counts = [c["arrests"] for c in cells]
        assert sum(counts) == size and max(counts) - min(counts) <= 1  # spread evenly
        assert sum(c["at_large"] for c in cells) == op["at_large"]
        # the window holds the planted arrests and the background's of those days
        assert op["window"]["arrests"] >= size
        assert op["window"]["at_large"] >= op["at_large"]
    ops = truth["generator"]["operations"]
    assert [o["name"] for o in ops] == ["SYNTHETIC OPERATION 1", "Quiet Sound"]
    assert ops[0]["at_large_share"] == 0.8


def test_planting_changes_nothing_else(tmp_path: Path) -> None:
    """Without its planted rows the arrests table is the one built without operations, and
    the encounters and removals files are the same bytes."""
    plain = {t.name: t for t in build(ROWS, SEED, ["A"])}
    with_ops = {t.name: t for t in build(ROWS, SEED, ["A"], PLANTS)}
    arrests = with_ops["arrests"]
    background = np.flatnonzero(arrests.notes[ROW_NOTE] < 0)
    assert len(background) == ROWS
    assert len(arrests.notes[OPS_NOTE]) == 2
    for h in arrests.headers:
        assert arrests.columns[h].take(background).cells() == plain["arrests"].columns[h].cells()
    generate(tmp_path / "plain", rows=ROWS, seed=SEED, families=("A",))
    generate(tmp_path / "ops", rows=ROWS, seed=SEED, families=("A",), operations=PLANTS)
    a, b = _digests(tmp_path / "plain"), _digests(tmp_path / "ops")
    for name in ("SYNTHETIC_EROEncounters_FY2017.csv.gz", "SYNTHETIC_ICERemovals_FY2017.csv.gz"):
        assert a[name] == b[name]
    assert a["SYNTHETIC_EROArrests_FY2017.csv.gz"] != b["SYNTHETIC_EROArrests_FY2017.csv.gz"]
    # no operation asked for: no "operations" in the truth, the bytes of before
    plain_truth = json.loads((tmp_path / "plain" / "truth.json").read_text())
    assert "operations" not in plain_truth and "operations" not in plain_truth["generator"]
    generate(tmp_path / "none", rows=ROWS, seed=SEED, families=("A",), operations=())
    assert _digests(tmp_path / "none") == a


def test_same_operations_same_bytes(tmp_path: Path) -> None:
    for k in ("a", "b"):
        generate(tmp_path / k, rows=500, seed=3, families=("A", "C"), operations=PLANTS)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_at_large_share(tmp_path: Path, share: float) -> None:
    op = PlantedOperation(
        start=date(2017, 3, 1), end=date(2017, 3, 2), aors=("DEN",), size=40, at_large_share=share
    )
    truth = generate(tmp_path, rows=200, seed=1, families=("A",), operations=[op])
    (got,) = truth["operations"]
    assert got["at_large"] == round(40 * share)
    assert got["name"] == "SYNTHETIC OPERATION 1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # AORs in any case and with spaces, each once; a name may hold colons
        (
            " 2017-02-05 : 2017-02-08 : sea, nyc,SEA : 40 : OP: NORTH",
            ("2017-02-05", "2017-02-08", ("SEA", "NYC"), 40, "OP: NORTH"),
        ),
        ("2017-03-01:2017-03-01:BOS:1", ("2017-03-01", "2017-03-01", ("BOS",), 1, None)),
    ],
)
def test_parse(text: str, expected: tuple) -> None:
    op = PlantedOperation.parse(text)
    start, end, aors, size, name = expected
    assert (op.start.isoformat(), op.end.isoformat(), op.aors, op.size, op.name) == (
        start,
        end,
        aors,
        size,
        name,
    )
    assert PlantedOperation.parse(op.spec()) == op


BAD = [
    # (value, words in the message)
    ("2017-02-08:2017-02-05:SEA:40", "ends 2017-02-05, before it starts (2017-02-08)"),
    ("2017-02-05:2017-02-08:XYZ:40", "unknown AOR 'XYZ'; use AOR codes: ATL, BAL"),
    ("2017-02-05:2017-02-08:SEA,HQ:40", "unknown AOR 'HQ'"),
    ("2017-02-05:2017-02-08:SEA:0", "SIZE must be a whole number of arrests, at least 1, not '0'"),
    ("2017-02-05:2017-02-08:SEA:-3", "not '-3'"),
    ("2017-02-05:2017-02-08:SEA:4.5", "not '4.5'"),
    ("2017-02-05:2017-02-08:SEA", "use START:END:AOR[,AOR...]:SIZE[:NAME], e.g. 2017-09-24"),
    ("garbage", "use START:END:AOR"),
    ("2017-02-30:2017-03-01:SEA:5", "START must be a date like 2017-09-24, not '2017-02-30'"),
    ("2017-02-05:soon:SEA:5", "END must be a date"),
    ("2017-02-05:2017-02-08: , :5", "no AOR given"),
    # outside the national arrests' FY2017
    ("2017-09-29:2017-10-02:SEA:5", "is not inside the national arrests' FY2017"),
]


@pytest.mark.parametrize(("value", "words"), BAD)
def test_bad_values_are_one_line(tmp_path: Path, run_cli, value: str, words: str) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        "synth", "--out", str(out), "--rows", "50", "--plant-operation", value
    )
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("icefacts: --plant-operation '"), err
    assert words in lines[0], err
    assert "Traceback" not in err and not stdout
    assert not out.exists()  # refused before anything is written


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--families", "C"], "add A to --families"),
        (["--tables", "encounters"], "--tables leaves them out"),
    ],
)
def test_operations_need_the_national_arrests(
    tmp_path: Path, run_cli, args: list[str], words: str
) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        "synth", "--out", str(out), "--rows", "50", *args,
        "--plant-operation", "2017-02-05:2017-02-08:SEA:40",
    )  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "--plant-operation '2017-02-05:2017-02-08:SEA:40'" in err and words in err
    assert not out.exists()


def test_the_cli_plants_and_says_so(tmp_path: Path, run_cli) -> None:
    code, stdout, err = run_cli(
        "synth", "--out", str(tmp_path), "--rows", "300", "--families", "A",
        "--plant-operation", PLANTS[0], "--plant-operation", PLANTS[1],
    )  # fmt: skip
    assert code == 0, err
    assert (
        "planted SYNTHETIC OPERATION 1: 250 arrests, 2017-02-05..2017-02-08 in NYC, CHI, LOS"
        in (stdout)
    )
    assert "planted Quiet Sound: 45 arrests" in stdout
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert [op["size"] for op in truth["operations"]] == [250, 45]


def test_the_api_names_the_option(tmp_path: Path) -> None:
    from icefacts import api
    from icefacts.errors import IcefactsError

    with pytest.raises(IcefactsError, match=r"^--plant-operation 'x': use START"):
        api.synth(tmp_path, rows=10, families=["A"], operations=["x"])
    with pytest.raises(PlantError):
        PlantedOperation.parse("2017-01-01:2017-01-02:SEA:zero")
