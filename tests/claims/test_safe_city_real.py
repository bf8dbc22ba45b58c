"""The shipped Safe City claim file against the real national FY2017 file, the Seattle
workbooks and the reference tables (skipped when ../shared/data is absent). The verdict
table is printed (`pytest -s` shows it; CI logs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.conftest import ROOT, SHARED, shared_file

NATIONAL = "uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz"
SHIPPED = ROOT / "claims" / "operation-safe-city-2017.yaml"


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    national = shared_file(NATIONAL)
    seattle = SHARED / "uwchr-seattle-aor-2012-2019"
    if not seattle.exists():
        pytest.skip("real data not available: the Seattle workbooks")
    db = tmp_path_factory.mktemp("safe-city") / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [national, seattle])
        api.load_reference(wh, mirror=SHARED, allow_download=False)
        runs = api.link(wh)  # national FY2017 against the UW v. DHS and CAP workbooks
    assert {r.right_rows > 0 for r in runs} == {True}
    return db


@pytest.mark.realdata
def test_the_shipped_claims_on_the_real_files(real: Path, run_cli) -> None:
    code, out, err = run_cli("check", str(SHIPPED), "--db", str(real))
    assert code == 0, err
    print(out)  # the verdict table, in the CI log
    with api.open_warehouse(real, read_only=True) as wh:
        result = api.check(wh, SHIPPED)
    got = {c.id: c for c in result.claims}
    readings = {(c.id, r.id): r for c in result.claims for r in c.readings}
    assert len(got) == len(api.load_claims(SHIPPED).claims.claims)
    # the total: the ten AORs' surge of operation-flagged arrests is ICE's 498
    total = readings[("total", "flagged-excess")]
    assert total.verdict == "supported" and total.low <= 498 <= total.high
    assert readings[("total", "flagged-at-least")].value == 566
    assert got["total"].verdict == "supported"
    assert got["four-days"].verdict == "supported"
    # Seattle: 33 operation-flagged arrests in the AOR, as ICE's revised release said
    assert readings[("seattle-or-portland", "seattle-aor")].value == 33
    assert got["seattle-or-portland"].verdict == "partly supported"
    # places whose whole AOR holds fewer flagged arrests than claimed
    for cid in ("baltimore", "denver", "massachusetts"):
        assert got[cid].verdict == "contradicted", (cid, got[cid].reason)
    # what no public release records
    for cid in ("fugitives", "gang-members"):
        assert got[cid].verdict == "not checkable"
        assert "no loaded release records" in got[cid].reason
    removed = got["previously-removed"]
    assert removed.verdict == "not checkable" and "prior_removal not in" in removed.reason
    # convictions: only the UW v. DHS production has them (Seattle), without the flag; the
    # record links carry them to the national file's flagged arrests, as a range
    conv = readings[("convictions", "seattle-share")]
    assert conv.interval == "bounds" and 0.5 < conv.low <= conv.high < 0.8
    assert any("record links" in n for n in conv.notes)
    assert readings[("convictions", "share")].verdict == "not checkable"  # nine AORs lack it
    assert got["bulk"].verdict == "partly supported"
    assert readings[("at-large", "aor-ratio")].verdict == "supported"
    # every reading says where its number comes from
    for r in readings.values():
        if r.verdict != "not checkable" or r.low is not None:
            assert r.reproduce.startswith(("icefacts sql ", "icefacts operation ")), r.id
            assert r.releases, r.id


@pytest.mark.realdata
def test_an_unknown_place_is_one_line_naming_the_file_line_and_key(
    real: Path, tmp_path: Path, run_cli
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SHIPPED.read_text().replace(
            'counties: ["Cook County, IL"]', 'counties: ["Cook County, ZZ"]'
        )
    )
    code, out, err = run_cli("check", str(bad), "--db", str(real))
    assert code == 2 and out == ""
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "Cook County, ZZ" in t)
    assert err.startswith(f"icefacts: {bad}:{line}: claims[3].readings[0].places:"), err
    assert "ZZ" in err and len(err.strip().splitlines()) == 1
