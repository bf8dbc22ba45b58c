"""A person's events in date order within one production (the person-level family C
releases, synthetic): chains, the days between steps, and prior removals, checked against
an independent count in Python; then a claim filtering on prior_removal."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse

DATE = {
    "arrests": "apprehension_date",
    "detainers": "prepared_date",
    "encounters": "event_date",
    "detentions": "book_in_date",
    "removals": "departed_date",
}


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("people")
    api.synth(out, rows=4_000, seed=5, families=["C"])
    db = out / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
        summary = api.link_persons(wh)
    assert summary["productions"] == 1 and summary["events"] > 10_000
    return db


def test_prior_removals_match_an_independent_count(people: Path) -> None:
    with api.open_warehouse(people, read_only=True) as wh:
        rows = []
        for table, col in DATE.items():
            departed = "NULL" if table == "detentions" else "departed_date"
            rows += wh.engine.query(
                f"SELECT '{table}' AS t, event_id, person_id, {col} AS day, "
                f"{departed}::DATE AS departed FROM {table} WHERE person_id IS NOT NULL"
            ).to_pylist()
        stored = {
            r["event_id"]: r
            for r in wh.engine.query("SELECT * FROM link_person_events").to_pylist()
        }
        cols = wh.engine.query("SELECT * FROM link_person_events LIMIT 0").column_names
    assert not {"person_id", "person_key"} & set(cols)  # nothing joins a person's events
    first_removal: dict[str, object] = {}
    first_departure: dict[str, object] = defaultdict(lambda: None)
    for r in rows:
        p = r["person_id"]
        if r["t"] == "removals" and r["day"] is not None:
            first_removal[p] = min(first_removal.get(p, r["day"]), r["day"])
        if r["departed"] is not None:
            d = first_departure[p]
            first_departure[p] = r["departed"] if d is None else min(d, r["departed"])
    expected = {}
    for r in rows:
        p, day = r["person_id"], r["day"]
        before = [x for x in (first_removal.get(p), first_departure[p]) if x is not None]
        expected[r["event_id"]] = day is not None and any(x < day for x in before)
    assert set(expected) == set(stored)
    wrong = [e for e, v in expected.items() if stored[e]["prior_removal"] != v]
    assert not wrong, wrong[:5]
    assert 0 < sum(expected.values()) < len(expected)


def test_chains_are_in_date_order_with_the_days_between(people: Path) -> None:
    union = " UNION ALL ".join(
        f"SELECT event_id, person_id FROM {t} WHERE person_id IS NOT NULL" for t in DATE
    )
    with api.open_warehouse(people, read_only=True) as wh:
        bad = wh.engine.scalar(
            f"""
            SELECT count(*) FROM (
              SELECT l.day, l.seq, l.days_since_previous AS gap,
                     lag(l.day) OVER (PARTITION BY p.person_id ORDER BY l.seq) AS prev,
                     lag(l.seq) OVER (PARTITION BY p.person_id ORDER BY l.seq) AS prev_seq
              FROM link_person_events l JOIN ({union}) p USING (event_id))
            WHERE (prev_seq IS NOT NULL AND seq <> prev_seq + 1)
               OR (prev IS NOT NULL AND day IS NOT NULL AND (day < prev OR gap <> day - prev))
            """
        )
        steps = wh.engine.query(
            "SELECT from_step, to_step, events, median_days FROM chain_steps "
            "WHERE from_step = 'arrests' AND to_step = 'detentions'"
        ).to_pylist()
    assert bad == 0
    assert steps and steps[0]["events"] > 0 and steps[0]["median_days"] >= 0


def test_a_claim_on_prior_removals(people: Path, tmp_path: Path) -> None:
    with api.open_warehouse(people, read_only=True) as wh:
        start, end = "2023-10-01", "2024-09-30"  # the release's fiscal year
        want = wh.engine.scalar(
            "SELECT count(*) FROM arrests a JOIN link_person_events l USING (event_id) "
            f"WHERE l.prior_removal AND a.apprehension_date BETWEEN '{start}' AND '{end}'"
        )
    claims = tmp_path / "c.yaml"
    claims.write_text(
        f"""
version: 1
title: removed before
claims:
  - id: removed-before
    text: "{want} of the arrested had been removed before"
    source: a test
    published: {want}
    window: {{from: {start}, to: {end}}}
    filters: {{prior_removal: true}}
    measure: count
    comparison: {{op: equals}}
"""
    )
    with api.open_warehouse(people, read_only=True) as wh:
        (claim,) = api.check(wh, claims).claims
        total = wh.engine.scalar(
            f"SELECT count(*) FROM arrests WHERE apprehension_date BETWEEN '{start}' AND '{end}'"
        )
    # a removal the chain records counts for certain; one before the production's period
    # is not in it, so the others may have had one too: bounds, not a count
    (r,) = claim.readings
    assert (r.interval, r.low, r.high) == ("bounds", want, total)
    assert claim.verdict == "not checkable" and "prior_removal" in claim.reason
    claims.write_text(claims.read_text().replace("prior_removal: true", "prior_removal: false"))
    with api.open_warehouse(people, read_only=True) as wh:
        (never,) = api.check(wh, claims).claims[0].readings
    assert (never.low, never.high) == (0, total - want)
