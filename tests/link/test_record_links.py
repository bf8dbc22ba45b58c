"""Record linkage across releases that share no id, on synthetic releases that write the
same Seattle arrests in the national and the UW v. DHS layouts, with the true pairs in
truth.json (``icefacts synth --families A,B``): precision and recall, determinism, and a
field carried through the links into a claim's answer, with its uncertainty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from icefacts import api
from icefacts.warehouse import Warehouse


@pytest.fixture(scope="module")
def paired(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("paired")
    truth = api.synth(out, rows=60_000, seed=3, families=["A", "B"], tables=["arrests"])
    db = out / "w.duckdb"
    with Warehouse.open(db) as wh:
        reports = api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
        assert {r.status for r in reports} == {"loaded"}
        runs = api.link(wh)
    assert len(runs) == 1
    return db, truth


def _pairs(db: Path) -> tuple[dict, dict]:
    """(assigned links as line pairs with their probability, national line -> profile)"""
    with api.open_warehouse(db, read_only=True) as wh:
        rows = wh.engine.query(
            """
            SELECT l.source_row AS a, r.source_row AS b, p.match_probability AS prob,
                   p.left_profile AS profile
            FROM record_links p
            JOIN arrests_all l ON l.event_id = p.left_event
            JOIN arrests_all r ON r.event_id = p.right_event
            WHERE p.assigned
            """
        ).to_pylist()
        profile = {
            r["a"]: r["profile"]
            for r in wh.engine.query(
                "SELECT l.source_row AS a, p.left_profile AS profile FROM record_links p "
                "JOIN arrests_all l ON l.event_id = p.left_event"
            ).to_pylist()
        }
    return {(r["a"], r["b"]): r["prob"] for r in rows}, profile


def test_precision_and_recall_against_the_true_pairs(paired) -> None:
    db, truth = paired
    links, profile = _pairs(db)
    true = {tuple(p) for p in truth["pairs"]["pairs"]}
    partner = {b: a for a, b in true}
    report = {}
    for t in (0.5, 0.8, 0.9):
        got = {pair for pair, prob in links.items() if prob >= t}
        exact = len(got & true)
        # a link to a row identical on every compared field is as right as any linkage can be
        alike = sum(
            1
            for a, b in got
            if b in partner and profile.get(partner[b]) is not None
            and profile.get(partner[b]) == profile.get(a)
        )  # fmt: skip
        report[t] = {
            "links": len(got),
            "precision": exact / len(got),
            "recall": exact / len(true),
            "precision_alike": alike / len(got),
            "recall_alike": alike / len(true),
        }
    print(report)
    assert report[0.5]["precision_alike"] >= 0.97 and report[0.5]["recall_alike"] >= 0.93
    assert report[0.5]["precision"] >= 0.75
    assert report[0.9]["precision_alike"] >= report[0.5]["precision_alike"] - 0.01


def test_links_confirm_the_overlap_and_are_the_same_every_run(paired, tmp_path) -> None:
    db, truth = paired
    with api.open_warehouse(db, read_only=True) as wh:
        (run,) = wh.engine.query("SELECT * FROM link_summary").to_pylist()
        first = wh.engine.query(
            "SELECT left_event, right_event, match_probability FROM record_links "
            "WHERE assigned ORDER BY 1"
        )
    # the count-once rule set the copy aside beside the national file: nearly all of it links
    info = truth["pairs"]
    # (a copy row a day later than the national file's last day has no national day)
    assert 0.99 * info["copy_rows"] <= run["right_rows"] <= info["copy_rows"]
    assert run["assigned"] / run["right_rows"] >= 0.95
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(db.read_bytes())
    with Warehouse.open(copy) as wh:
        api.link(wh)
        again = wh.engine.query(
            "SELECT left_event, right_event, match_probability FROM record_links "
            "WHERE assigned ORDER BY 1"
        )
        assert wh.engine.scalar("SELECT count(*) FROM link_summary") == 1
    assert first.equals(again)


def test_a_field_carried_through_the_links_brackets_the_truth(paired, tmp_path) -> None:
    """Convicted among the national file's operation-flagged Seattle arrests: the flag is
    in one release, the conviction in the other. The answer through the links is a range
    holding the true count (from the true pairs), narrower than the day-by-day bounds."""
    db, truth = paired
    pairs = truth["pairs"]["pairs"]
    with api.open_warehouse(db, read_only=True) as wh:
        wh.engine.register(
            "true_pairs",
            pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]}),
        )
        true = wh.engine.scalar(
            """
            SELECT count(*) FROM true_pairs t
            JOIN arrests_all l ON l.source_row = t.a AND l.release_id =
                 (SELECT release_id FROM releases WHERE family = 'lesa-national')
            JOIN arrests_all r ON r.source_row = t.b AND r.release_id =
                 (SELECT release_id FROM releases WHERE family = 'uw-v-dhs-seattle')
            WHERE l.operation_flag AND r.most_serious_conviction IS NOT NULL
              AND l.apprehension_date BETWEEN DATE '2017-01-01' AND DATE '2017-03-31'
              AND l.apprehension_date = r.apprehension_date
            """
        )
    claims = tmp_path / "c.yaml"
    claims.write_text(
        """
version: 1
title: carried
claims:
  - id: convicted-flagged
    text: t
    source: s
    published: 1
    window: {from: 2017-01-01, to: 2017-03-31}
    places: {aors: [SEA]}
    filters: {operation_flag: true, criminality: [convicted]}
    measure: count
"""
    )
    with api.open_warehouse(db, read_only=True) as wh:
        (claim,) = api.check(wh, claims).claims
    (r,) = claim.readings
    assert r.interval == "bounds" and r.low <= true <= r.high, (r.low, true, r.high)
    assert any("record links" in n for n in r.notes)
    # without the links: the day-by-day bounds, which hold the truth too but are wider
    bare = tmp_path / "bare.duckdb"
    bare.write_bytes(db.read_bytes())
    with Warehouse.open(bare) as wh:
        wh.engine.execute("DELETE FROM link_pairs")
        wh.engine.execute("DELETE FROM link_runs")
    with api.open_warehouse(bare, read_only=True) as wh:
        (unlinked,) = api.check(wh, claims).claims[0].readings
    assert unlinked.low <= true <= unlinked.high
    assert not any("record links" in n for n in unlinked.notes)
    assert r.high - r.low < unlinked.high - unlinked.low
