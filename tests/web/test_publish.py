"""Publish mode (`serve --public`, reports): no count from 1 to k-1 shown, and none
recoverable from a total and its other parts, across the rows of a table, the parts of a row,
or the window and its days. Each test runs twice: pages published from the copy's grid (a
public server's, ``web/grid.py``; across requests in tests/web/test_grid.py) and each page
protected on its own (as a report is). The suppression method itself is tested in
tests/publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PLANTS
from tests.web.conftest import make_client

K = 10
OP_FROM, OP_TO, OP_AORS = PLANTS[0].split(":")[:3]
HIDDEN = {f"<{K}", "suppressed"}
PARTS = ("at_large", "custodial", "other_method")


@pytest.fixture(scope="module", params=["grid", "page"])
def public(web_db: Path, request: pytest.FixtureRequest):
    with make_client(web_db, public=True, k=K, grid=request.param == "grid") as c:
        c.gridded = request.param == "grid"
        yield c


def _num(v: object) -> int | None:
    return int(v) if isinstance(v, str) and v.isdigit() else None


def _no_small_number(rows: list[dict], columns: tuple[str, ...]) -> None:
    for row in rows:
        for c in columns:
            v = row.get(c)
            assert v is None or v in HIDDEN or (_num(v) is not None and not 0 < _num(v) < K), (
                c,
                row,
            )


def _not_derivable(total: object, parts: list[object]) -> None:
    """A shown total with exactly one part withheld gives that part away."""
    if _num(total) is None:
        return
    hidden = [p for p in parts if p in HIDDEN]
    assert len(hidden) != 1, (total, parts)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}",
        f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}&by=day",
        "/api/operation?from=2017-06-13&to=2017-06-15&aor=SEA,NYC,BOS",
    ],
)
def test_the_operation_report_is_protected(public, url: str) -> None:
    r = public.get(url)
    assert r.status_code == 200, r.text[:300]
    data = r.json()
    assert data["published"]["k"] == K
    report, daily = data["tables"]["report"], data["tables"]["daily"]
    counts = ("arrests", *PARTS, "operation_flagged")
    _no_small_number(report, counts)
    _no_small_number(daily, ("arrests", "operation_flagged"))
    for dropped in ("convicted", "countries", "duplicates_excluded"):
        assert all(dropped not in row for row in report)
    for row in report:  # the parts of a row
        _not_derivable(row["arrests"], [row[p] for p in PARTS])
        if row["arrests"] in HIDDEN:
            assert row["arrests_excess"] is None and row["arrests_excess_low"] is None
    key = "day" if "by=day" in url else "aor"
    total = next(r for r in report if r[key] in ("total", None))
    places = [r for r in report if r is not total]
    for c in counts:  # the rows of a column and the total row
        _not_derivable(total[c], [r[c] for r in places])


def test_the_map_is_protected(public) -> None:
    data = public.get(
        f"/api/map?from={OP_FROM}&to={OP_TO}&measure=at_large&per=raw&charts=1"
    ).json()
    counties, aors = data["tables"]["counties"], data["tables"]["aors"]
    _no_small_number(counties, ("events", "measure"))
    _no_small_number(aors, ("events", "placed_in_county"))
    assert any(c["events"] in HIDDEN for c in counties)  # the planted data has small counties
    if public.gridded:  # by AOR: no county's count, and a county shows its AOR's value
        assert all(c["events"] in HIDDEN for c in counties)
        hidden = {a["aor"] for a in aors if a["events"] in HIDDEN or a["measure"] in HIDDEN}
        assert all(c["value"] is None for c in counties if c["aor"] in hidden)
        assert any(c["value"] is not None for c in counties)
    for c in counties:
        if not public.gridded and (c["events"] in HIDDEN or c["measure"] in HIDDEN):
            assert c["value"] is None
    # the chart is drawn from the protected table
    spec_values = data["charts"]["map"]["layer"][0]["transform"][0]["from"]["data"]["values"]
    assert all(v["measure"] in HIDDEN or _num(v["measure"]) is not None for v in spec_values)
    assert all(v["measure"] not in [str(n) for n in range(1, K)] for v in spec_values)


@pytest.mark.parametrize(
    ("url", "table", "columns"),
    [
        ("/api/trend?by=week&per=aor&measure=operation_flagged", "trend", ("arrests",)),
        ("/api/operations/detect", "episodes", ("observed",)),
        ("/api/operations/detect", "operations", ("observed",)),
        ("/api/place/NYC", "trend", ("arrests",)),
        ("/api/place/NYC", "events_by_year", ("events",)),
        ("/api/overview", "coverage", ("arrests",)),
    ],
)
def test_other_pages_are_protected(public, url: str, table: str, columns: tuple) -> None:
    r = public.get(url)
    assert r.status_code == 200, r.text[:300]
    _no_small_number(r.json()["tables"][table], columns)


def test_pages_in_publish_mode_say_so(public) -> None:
    page = public.get(f"/operation?from={OP_FROM}&to={OP_TO}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Publish mode" in page.text


def test_no_sql_in_publish_mode(web_db: Path) -> None:
    from icefacts.errors import IcefactsError
    from icefacts.web.server import serve

    with pytest.raises(IcefactsError, match="--sql cannot be used with --public"):
        serve(web_db, public=True, sql=True)


# numeric columns a published table may hold as numbers: keys, dates, sizes of files,
# populations, model values withheld with their counts, and the derived columns blanked with
# them (every count is a label: a string)
NUMERIC_OK = {
    "k", "rank", "days", "covered_days", "n_aors", "year", "fiscal_year", "population",
    "checked", "max_share", "share", "rows", "bytes", "files", "operation", "value",
    "placed_share", "expected", "excess", "excess_low", "excess_high",
    "arrests_excess", "arrests_excess_low", "arrests_excess_high",
    "at_large_excess", "at_large_excess_low", "at_large_excess_high",
    "operation_flagged_excess", "operation_flagged_excess_low", "operation_flagged_excess_high",
    "at_large_share", "operation_share", "custodial_share", "published",
}  # fmt: skip
PUBLIC_URLS = [
    "/api/overview",
    "/api/provenance",
    "/api/releases",
    f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}",
    f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}&by=county",
    "/api/operations/detect",
    "/api/trend?by=week&per=aor&measure=at_large_share",
    "/api/trend?by=month&measure=convicted",
    f"/api/map?from={OP_FROM}&to={OP_TO}&per=raw",
    "/api/place/NYC",
    "/api/place/HQ",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_published_number_is_a_label_or_known_safe(public, url: str) -> None:
    import re

    r = public.get(url)
    assert r.status_code in (200, 400, 404), r.text[:300]
    if r.status_code != 200:
        return
    data = r.json()
    for name, rows in data.get("tables", {}).items():
        for row in rows:
            for col, v in row.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    continue
                assert col in NUMERIC_OK, (url, name, col, v)
    for c in data.get("caveats", []):  # counts in caveats are withheld
        text = c["text"] if isinstance(c, dict) else c
        assert not re.search(r"(?<![\w.,-])\d{1,3}(?:,\d{3})*(?![\w(-])", text), text
    assert "events_by_year" not in data or all(
        not isinstance(e.get("events"), int) for e in data["events_by_year"]
    )


def test_a_share_is_blank_where_its_part_is_withheld(public) -> None:
    rows = public.get("/api/trend?by=week&per=aor&measure=at_large_share").json()["tables"]
    shown = 0
    for row in rows["trend"]:
        if row["arrests"] in HIDDEN or row.get("at_large") in HIDDEN:
            assert row["at_large_share"] is None, row
        elif row["at_large_share"] is not None:
            shown += 1
            part = round(row["at_large_share"] * int(row["arrests"]))
            assert part == 0 or part >= K or "at_large" in row, row  # no small part given away
    assert shown > 0
    assert all("convicted" not in r for r in rows["trend"])


def test_the_map_table_gives_no_placed_share_per_county(public) -> None:
    counties = public.get(f"/api/map?from={OP_FROM}&to={OP_TO}").json()["tables"]["counties"]
    assert all("aor_placed_share" not in c and "aor_events" not in c for c in counties)
    assert {c["not_drawn_because"] for c in counties} <= {
        None,
        "its AOR's events are mostly not placed",
    }


def test_the_claim_checker_hides_small_counts_and_refuses_uploads(public) -> None:
    r = public.post("/api/check?shipped=operation-safe-city-2017")
    assert r.status_code == 200, r.text[:300]
    for claim in r.json()["claims"]:
        for reading in claim["readings"]:
            for f in ("value", "low", "high"):
                v = reading[f]
                assert v is None or not isinstance(v, (int, float)), (f, reading)
                if isinstance(v, str) and v.replace(".", "").isdigit():
                    kind = reading["measure"].split(" ")[0]
                    assert kind not in ("count", "distinct") or float(v) >= K or float(v) == 0
            if reading["value"] == f"<{K}":
                assert reading["rows"] is None and reading["difference"] is None
            if str(reading["measure"]).startswith("excess") and reading["high"] not in HIDDEN:
                # an interval's top can be the count itself: never a small one shown
                top = None if reading["high"] is None else float(reading["high"])
                assert top is None or top >= K or top <= 0, reading
    claim = b"version: 1\ntitle: t\nclaims:\n  - id: a\n    text: t\n    source: s\n"
    refused = public.post("/api/check", content=claim)
    assert refused.status_code == 400 and "shipped" in refused.json()["error"]
    page = public.post("/claims", data={"text": claim.decode()}, headers={"accept": "text/html"})
    assert page.status_code == 400 and "shipped" in page.text


def test_the_overview_total_is_protected(public) -> None:
    data = public.get("/api/overview").json()
    assert "coverage" in data["tables"]  # the JSON's tables are the page's tables
    arrests = data["totals"]["arrests"]  # the grand total, protected with the cells
    assert isinstance(arrests, str) and (arrests.isdigit() or arrests in HIDDEN)
    page = public.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200


def _rest_ok(total: object, part: object) -> bool:
    """A shown total and a shown part leave a rest that is 0 or at least k."""
    t, p = _num(total), _num(part)
    return t is None or p is None or t - p == 0 or t - p >= K


def test_what_a_part_leaves_of_its_total_is_protected_too(public) -> None:
    data = public.get(f"/api/map?from={OP_FROM}&to={OP_TO}&per=raw&measure=at_large").json()
    for a in data["tables"]["aors"]:
        assert _rest_ok(a["events"], a["placed_in_county"]), a  # the unplaced arrests
        assert _rest_ok(a["events"], a["measure"]), a
    for c in data["tables"]["counties"]:
        assert _rest_ok(c["events"], c["measure"]), c
    op = public.get(f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}").json()
    for row in op["tables"]["report"]:
        assert _rest_ok(row["arrests"], row["operation_flagged"]), row
    for row in op["tables"]["daily"]:
        assert _rest_ok(row["arrests"], row["operation_flagged"]), row
    trend = public.get("/api/trend?by=week&per=aor&measure=at_large_share").json()
    for row in trend["tables"]["trend"]:
        if row["at_large_share"] is not None and _num(row["arrests"]):
            part = round(row["at_large_share"] * _num(row["arrests"]))
            assert _rest_ok(row["arrests"], str(part)), row
