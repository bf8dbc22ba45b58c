"""The claim checker on synthetic releases with planted truth: every verdict class, the
numbers behind each, the command that reproduces them; and verdicts that do not depend on row
order or on loading a release twice (or in another format)."""

from __future__ import annotations

import random
import shlex
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, NATIONAL_TITLE, national_csv


def _claims(tmp_path: Path, truth: dict[str, Any]) -> Path:
    op = truth["operations"][0]
    window = op["window"]
    nyc = op["by_aor"]["NYC"]
    text = f"""
version: 1
title: planted
thresholds: {{most: 0.5}}
defaults:
  window: {{from: {op["start"]}, to: {op["end"]}}}
  places: {{aors: [{", ".join(op["aors"])}]}}
  filters: {{operation_flag: true}}
  measure: count
  comparison: {{op: equals, tolerance: 10%}}
claims:
  - id: size
    text: "a {op["size"]}-arrest operation"
    source: truth.json
    published: {op["size"]}
    measure: excess
  - id: double
    text: "twice that"
    source: truth.json
    published: {2 * op["size"]}
    measure: excess
  - id: window
    text: "every arrest of those days and places"
    source: truth.json
    published: {window["arrests"]}
    filters: {{operation_flag: null}}
    comparison: {{op: equals}}
  - id: at-large-share
    text: "the at-large share of those days and places"
    source: truth.json
    published: {window["at_large"] / window["arrests"]:.12f}
    filters: {{operation_flag: null}}
    measure: {{kind: share, of: {{method_class: at_large}}}}
    comparison: {{op: equals, tolerance: 0.000001}}
  - id: nyc
    text: "New York's part"
    source: truth.json
    published: {nyc}
    places: {{aors: [NYC]}}
    comparison: {{op: at_least}}
  - id: convictions
    text: "most had convictions"
    source: truth.json
    measure: {{kind: share, of: {{criminality: [convicted]}}}}
    comparison: {{threshold: most}}
  - id: fugitives
    text: "ten fugitives"
    source: truth.json
    published: 10
    filters: {{fugitive: true}}
  - id: later
    text: "the same two years later"
    source: truth.json
    published: {op["size"]}
    window: {{from: 2019-02-03, to: 2019-02-06}}
  - id: per-aor
    text: "the operation in each of four AORs"
    source: truth.json
    measure: excess
    readings:
      - {{id: nyc, label: NYC, published: {op["by_aor"]["NYC"]}, places: {{aors: [NYC]}}}}
      - {{id: chi, label: CHI, published: {op["by_aor"]["CHI"]}, places: {{aors: [CHI]}}}}
      - {{id: los, label: LOS, published: {op["by_aor"]["LOS"]}, places: {{aors: [LOS]}}}}
      - {{id: den, label: DEN, published: {op["by_aor"]["DEN"]}, places: {{aors: [DEN]}}}}
  - id: either
    text: "the operation, read two ways"
    source: truth.json
    published: {op["size"]}
    readings:
      - id: excess
        label: beyond the baseline
        measure: excess
      - id: half
        label: half of it
        published: {op["size"] // 2}
        measure: excess
"""
    path = tmp_path / "planted.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def checked(planted, tmp_path_factory) -> tuple[dict[str, Any], dict[str, Any], Path]:
    db, truth = planted
    path = _claims(tmp_path_factory.mktemp("claims"), truth)
    with api.open_warehouse(db, read_only=True) as wh:
        result = api.check(wh, path)
    return {c.id: c for c in result.claims}, truth, path


def test_every_verdict_class_on_planted_truth(checked) -> None:
    got, truth, _ = checked
    op = truth["operations"][0]
    assert got["size"].verdict == "supported"
    size = got["size"].readings[0]
    assert size.interval == "95% interval" and size.low <= op["size"] <= size.high
    assert got["double"].verdict == "contradicted"
    assert got["either"].verdict == "partly supported"
    assert [r.verdict for r in got["either"].readings] == ["supported", "contradicted"]
    for cid, words in (
        ("convictions", "conviction not in"),
        ("fugitives", "fugitive"),
        ("later", "covers"),
    ):
        assert got[cid].verdict == "not checkable", cid
        assert words in got[cid].reason, (cid, got[cid].reason)


def test_counts_and_shares_are_exact_where_the_records_are(checked) -> None:
    got, truth, _ = checked
    window = truth["operations"][0]["window"]
    w = got["window"].readings[0]
    assert (w.verdict, w.interval, w.value) == ("supported", "exact", window["arrests"])
    assert w.rows == window["arrests"]
    share = got["at-large-share"].readings[0]
    assert share.verdict == "supported"
    assert share.value == pytest.approx(window["at_large"] / window["arrests"])
    nyc = got["nyc"].readings[0]
    assert nyc.verdict == "supported" and nyc.value >= truth["operations"][0]["by_aor"]["NYC"]
    # the criminality share: no release holds the field, so bounds from nothing to all
    conv = got["convictions"].readings[0]
    assert (conv.low, conv.high, conv.interval) == (0.0, 1.0, "bounds")


def test_each_number_is_reproduced_by_its_command(checked, planted, run_cli) -> None:
    got, _, _ = checked
    db, _ = planted
    w = got["window"].readings[0]
    argv = shlex.split(w.reproduce)  # one shell word of SQL
    assert argv[:2] == ["icefacts", "sql"] and len(argv) == 3
    code, out, err = run_cli("sql", argv[2], "--db", str(db), "--format", "csv")
    assert code == 0, err
    header, row = out.strip().splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert float(cells["low"]) == float(cells["high"]) == w.value
    size = got["size"].readings[0]
    assert size.reproduce.startswith("icefacts operation --from ")
    command, columns = size.reproduce.split("  # columns ")
    code, out, err = run_cli(*shlex.split(command)[1:], "--db", str(db))
    assert code == 0, err
    header, row = out.strip().splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    first = columns.split(",")[0].strip()
    assert first == "operation_flagged_excess" and float(cells[first]) == size.value


def test_the_command_prints_every_format(checked, planted, run_cli) -> None:
    _, _, path = checked
    db, _ = planted
    code, out, err = run_cli("check", str(path), "--db", str(db))
    assert code == 0, err
    assert "PARTLY SUPPORTED  either" in out and "NOT CHECKABLE  fugitives" in out
    # 80 columns: everything wraps but the commands, which stay whole for copying
    assert max(len(line) for line in out.splitlines() if "reproduce: " not in line) <= 80
    for fmt, words in (
        ("json", '"verdict": "partly supported"'),
        ("markdown", "| either | partly supported |"),
        ("csv", "claim,claim_verdict,reading"),
    ):
        code, out, err = run_cli("check", str(path), "--db", str(db), "--format", fmt)
        assert code == 0 and words in out, (fmt, err)
    table = api.check(api.open_warehouse(db, read_only=True), path).table()
    assert table.num_rows == sum(max(1, len(c.readings)) for c in checked[0].values())
    assert "person_id" not in table.column_names


def _row(aor: str, day: date, method: str, operation: str) -> list[str]:
    name = {"SEA": "Seattle Area of Responsibility", "NYC": "New York City Area of Responsibility"}
    return [name[aor], f"{day.month}/{day.day}/{day.year}", method, "", operation, "",
            "(B)(6);(B)(7)(C) ", "MEXICO", "Male"]  # fmt: skip


def _rows() -> list[list[str]]:
    rows = []
    start = date(2017, 9, 24)
    for k in range(0, 7):
        for i in range(4):
            day = start - timedelta(days=7 * k) + timedelta(days=i)
            for j in range(3 + (12 if k == 0 else k % 3)):
                flag = "(B)(7)(E) " if (k == 0 and j < 10) or j == 0 else ""
                method = "Located" if j % 3 else "CAP Local Incarceration"
                rows.append(_row("SEA" if j % 4 else "NYC", day, method, flag))
    return rows


SMALL = """
version: 1
title: small
defaults:
  window: {from: 2017-09-24, to: 2017-09-27}
  places: {aors: [SEA, NYC]}
  measure: count
claims:
  - {id: flagged, text: t, source: s, published: 40, filters: {operation_flag: true}}
  - id: excess
    text: t
    source: s
    published: 35
    filters: {operation_flag: true}
    measure: excess
  - id: share
    text: t
    source: s
    published: 0.5
    measure: {kind: share, of: {method_class: at_large}}
    comparison: {op: at_least}
  - id: ratio
    text: t
    source: s
    published: 1
    places: {aors: [SEA]}
    measure: {kind: ratio, of: {method_class: at_large}, versus: {places: {aors: [NYC]}}}
    comparison: {op: at_least}
  - id: rank
    text: t
    source: s
    measure: {kind: rank, named: [SEA]}
"""


def _verdicts(db: Path, claims: Path) -> list[tuple]:
    with api.open_warehouse(db, read_only=True) as wh:
        table = api.check(wh, claims).table()
    keep = ("claim", "reading", "verdict", "value", "low", "high", "rows", "reason")
    return [tuple(r[k] for k in keep) for r in table.to_pylist()]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_verdicts_do_not_depend_on_row_order_or_loading_twice(tmp_path_factory, seed: int) -> None:
    """The same rows in order, shuffled, loaded twice, and loaded again as a plain CSV
    beside the gzip copy: the same verdicts, numbers and reasons."""
    rows = _rows()
    base = tmp_path_factory.mktemp("order")
    claims = base / "small.yaml"
    claims.write_text(SMALL)
    title = [*NATIONAL_TITLE[:4], "ERO Administrative Arrests for FY2017"]
    got = []
    for name, data, twice in (("in-order", rows, False), ("shuffled", None, True)):
        folder = base / name
        folder.mkdir()
        if data is None:
            data = rows[:]
            random.Random(seed).shuffle(data)
        gz = national_csv(folder / "EROArrests_FY2017.csv.gz", data, NATIONAL_HEADER, title)
        db = folder / "w.duckdb"
        with Warehouse.open(db) as wh:
            api.ingest(wh, [gz])
            if twice:
                api.ingest(wh, [gz])  # already ingested
                plain = national_csv(folder / "EROArrests_FY2017.csv", data, NATIONAL_HEADER,
                                     title, gz=False)  # fmt: skip
                api.ingest(wh, [plain])  # the same release in another format
        got.append(_verdicts(db, claims))
    assert got[0] == got[1]
    assert {v[2] for v in got[0]} >= {"supported"}


def test_excesses_asked_together_equal_each_asked_alone(checked, planted, monkeypatch) -> None:
    """Single-AOR excess readings of one window are answered from one operation report by
    AOR: the same numbers, caveats and releases as each asked alone."""
    import icefacts.claims.check as chk

    _, _, path = checked
    db, _ = planted
    with api.open_warehouse(db, read_only=True) as wh:
        from icefacts.claims.readings import validate

        assert chk.prepare_batches(wh.engine, validate(api.load_claims(path)))  # a batch
        together = api.check(wh, path).to_dict()
    monkeypatch.setattr(chk, "prepare_batches", lambda engine, every: {})
    with api.open_warehouse(db, read_only=True) as wh:
        alone = api.check(wh, path).to_dict()

    def without_sql(d: dict) -> dict:  # the SQL run differs: one statement for four AORs
        for c in d["claims"]:
            for r in c["readings"]:
                r.pop("sql")
        return d

    assert without_sql(together) == without_sql(alone)
