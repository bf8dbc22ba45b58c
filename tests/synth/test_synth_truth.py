"""truth.json: internally consistent, matching the planted quirks and the files' cells."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from icefacts import release_specs
from icefacts.synth import build
from icefacts.synth.truth import episode_flags, same_day_flags

from .conftest import ROWS

Release = tuple[Path, dict[str, Any]]


def _tables(truth: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(f, name, t) for f, ts in truth["tables"].items() for name, t in ts.items()]


def test_truth_file_is_the_returned_dict(release: Release) -> None:
    out, truth = release
    assert json.loads((out / "truth.json").read_text()) == truth
    assert truth["synthetic"] is True
    assert truth["generator"]["seed"] == 11


def test_counts_add_up(release: Release) -> None:
    _, truth = release
    for family, name, t in _tables(truth):
        rows = t["rows"]
        assert rows == truth["files"][t["file"]]["rows"]
        assert sum(t["by_aor"].values()) == rows, (family, name)
        if "criminality" in t:
            assert sum(t["criminality"].values()) == rows
        if "method_custody" in t:
            assert sum(t["method_custody"].values()) == rows
        if "at_large" in t:
            assert t["at_large"] == t["method_custody"]["at_large"]
            assert t["custodial"] == t["method_custody"]["custodial"]
        if "operation_flag" in t:
            assert t["operation_flag"] == rows - t["missing"]["operation_flag"]
            assert t["redacted"]["operation"] <= t["operation_flag"]
        for field, n in t["missing"].items():
            assert 0 <= n + t["redacted"].get(field, 0) <= rows, (name, field)
        assert 0 <= t["duplicates"]["flagged"] < rows
        assert len(t["duplicates"]["sample"]) == min(20, t["duplicates"]["flagged"])


def test_family_a_quirks_are_planted(release: Release) -> None:
    _, truth = release
    a = truth["tables"]["A"]
    arrests = a["arrests"]
    assert arrests["rows"] == ROWS
    assert arrests["by_aor"]["null"] >= 1 and arrests["by_aor"]["HQ"] >= 1
    assert arrests["out_of_period"] >= 1
    assert arrests["redacted"]["birth_date"] == ROWS
    assert arrests["operation_flag"] > 0
    assert arrests["duplicates"] == {"rule": "none", "flagged": 0, "sample": []}
    assert a["removals"]["before_plausible_min"]["fields"]["apprehension_date"] >= 2
    assert a["removals"]["redacted"]["threat_level"] > 0
    assert all(t["persons"] is None for t in a.values())


def test_family_c_quirks_are_planted(release: Release) -> None:
    _, truth = release
    c = truth["tables"]["C"]
    for name, t in c.items():
        assert t["unknown"]["aor"] >= 1, name
        assert t["unknown"]["criminality"] >= 1, name
        assert t["out_of_period"] >= 1, name
        assert t["redacted"].get("birth_date", 0) == t["rows"] or name == "detainers"
    assert c["arrests"]["unknown"]["method"] >= 1
    assert c["arrests"]["rows_without_person"] >= 1
    assert c["arrests"]["duplicates"]["rule"] == "episode_24h"
    assert c["arrests"]["duplicates"]["flagged"] >= 5
    assert c["encounters"]["by_aor"]["HQ"] >= 1
    for name in ("detainers", "encounters", "detentions", "removals"):
        assert c[name]["duplicates"]["rule"] == "same_person_date"
        assert c[name]["duplicates"]["flagged"] >= 1, name
    people = truth["persons"]["C"]
    assert people["by_table"]["arrests"] == people["distinct"] == c["arrests"]["persons"]
    for name, n in people["also_in_arrests"].items():
        assert n == people["by_table"][name] == c[name]["persons"]


def test_episode_truth_equals_the_planted_episodes() -> None:
    for rows, seed in ((40, 1), (300, 11), (5000, 3)):
        arrests = build(rows, seed, ("C",))[0]
        flagged = _flagged(arrests)
        assert flagged == arrests.notes["expected_flagged"], (rows, seed)


def _flagged(table: Any) -> int:
    from icefacts.synth.truth import table_truth

    return int(table_truth(table, 1_048_575)["duplicates"]["flagged"])


def test_truth_matches_cells_of_the_csv(release: Release) -> None:
    """Recount a few things from the written family-A file itself."""
    out, truth = release
    t = truth["tables"]["A"]["arrests"]
    with gzip.open(out / t["file"], "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="|"))[6:]
    aor = release_specs.vocab("aor")
    by_aor = Counter(aor.lookup(r[0]) or "null" if r[0] else "null" for r in rows)
    assert dict(by_aor) == t["by_aor"]
    assert sum(1 for r in rows if r[4] == "(B)(7)(E) ") == t["redacted"]["operation"]
    assert sum(1 for r in rows if r[4] not in ("", "--")) == t["operation_flag"]
    assert sum(1 for r in rows if r[4] in ("", "--")) == t["missing"]["operation"]
    assert any(r[4] == "--" for r in rows)
    custody = release_specs.vocab("method")
    assert sum(1 for r in rows if custody.lookup(r[2]) == "at_large") == t["at_large"]


M = 1  # one minute
H = 60


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # (person, minute, reprocessed) -> flagged
        ([(1, 0, False), (1, 24 * H, False)], [False, True]),  # exactly 24 h: one episode
        ([(1, 0, False), (1, 24 * H + M, False)], [False, False]),  # 24 h + 1 min: two
        ([(1, 0, False), (1, 20 * H, False), (1, 40 * H, False)], [False, True, True]),  # chain
        ([(1, 0, True), (1, 5, False)], [True, False]),  # reprocessed earliest ranks last
        ([(1, 9, True), (1, 9, False)], [True, False]),  # tie: reprocessed last, not file order
        ([(1, 0, True), (1, 5, True)], [False, True]),  # only reprocessed: the earliest
        ([(-1, 0, False), (-1, 0, False)], [False, False]),  # no identifier: never flagged
        ([(1, 0, False), (2, 0, False)], [False, False]),  # different people
        ([(1, 30, False), (1, 0, False)], [True, False]),  # file order is not time order
    ],
)
def test_episode_rule(records: list[tuple[int, int, bool]], expected: list[bool]) -> None:
    person = np.array([r[0] for r in records])
    minute = np.array([r[1] for r in records], dtype=np.int64)
    rep = np.array([r[2] for r in records])
    assert episode_flags(person, minute, rep).tolist() == expected


def test_same_person_date_rule() -> None:
    person = np.array([1, 1, 2, 1, -1, -1])
    day = np.array([10, 10, 10, 11, 10, 10])
    assert same_day_flags(person, day).tolist() == [False, True, False, False, False, False]
