"""The web app through its test client: every page and its JSON twin, downloads, bad input
(4xx with one line, never a 500), the security headers, the host check, and no SQL unless
asked for."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import PLANTS
from tests.web.conftest import make_client

OP_FROM, OP_TO, OP_AORS = PLANTS[0].split(":")[:3]
PAGES = [
    "/",
    "/map",
    f"/map?from={OP_FROM}&to={OP_TO}&measure=operation_flagged&per=raw",
    "/trend",
    "/trend?by=week&per=aor&aor=NYC,CHI",
    "/operation",
    f"/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}",
    "/operations",
    "/claims",
    "/codebook",
    "/provenance",
    "/place/NYC",
    "/place/WA",
    "/place/53033",
]
APIS = [
    "/api/status",
    "/api/overview",
    "/api/releases",
    "/api/provenance",
    "/api/place/NYC",
    "/api/place/King County, WA",
    f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}",
    "/api/operations/detect",
    "/api/trend?by=month",
    f"/api/map?from={OP_FROM}&to={OP_TO}",
    "/api/claims",
    "/api/codebook",
    "/openapi.json",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers(client, url: str) -> None:
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "Traceback" not in r.text
    assert '<script src="/static/vega.js"' in r.text
    assert "<script>" not in r.text  # no inline script: the CSP forbids it


@pytest.mark.parametrize("url", APIS)
def test_every_api_answers_json(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    json.loads(r.text)


def test_the_operation_twin_finds_the_planted_operation(client, planted) -> None:
    _db, truth = planted
    op = truth["operations"][0]
    aors = ",".join(op["aors"])
    r = client.get(f"/api/operation?from={op['start']}&to={op['end']}&aor={aors}&charts=1")
    data = r.json()
    total = next(t for t in data["tables"]["report"] if t["aor"] == "total")
    assert total["arrests"] == op["window"]["arrests"]
    assert (
        total["operation_flagged_excess_low"]
        <= op["size"]
        <= total["operation_flagged_excess_high"] + 5
    )
    assert data["charts"]["daily"]["layer"][0]["params"][0]["name"] == "window"
    days = data["tables"]["daily"]
    assert {d["period_start"] for d in days} >= {op["start"], op["end"]}


def test_the_map_twin_has_every_county_and_says_which_are_not_drawn(client) -> None:
    data = client.get(f"/api/map?from={OP_FROM}&to={OP_TO}&charts=true").json()
    counties = data["tables"]["counties"]
    assert len(counties) > 3000
    hidden = [c for c in counties if not c["drawn"]]
    assert all(c["value"] is None and c["not_drawn_because"] for c in hidden)
    assert {a["aor"] for a in data["tables"]["aors"]} >= set(OP_AORS.split(","))
    spec = data["charts"]["map"]
    assert spec["layer"][0]["data"]["url"] == "/static/atlas/counties.json"


def test_the_atlas_is_the_verified_reference_file(client) -> None:
    r = client.get("/static/atlas/counties.json")
    assert r.status_code == 200
    topo = r.json()
    assert topo["type"] == "Topology" and "counties" in topo["objects"]
    assert client.get("/static/atlas/nosuch.json").status_code == 400


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/operation?from=2017-02-09&to=2017-02-05", 400, "before"),
        ("/api/operation?from=yesterday", 400, "from must be a date"),
        ("/api/operation?from=2017-02-05&to=2017-02-08&aor=ZZZ", 400, "ZZZ"),
        ("/api/operation?from=2017-02-05&to=2017-02-08&by=nonsense", 400, "by must be"),
        ("/api/operation?from=2017-02-05&to=2017-02-08&baseline_weeks=x", 400, "whole number"),
        ("/api/operation?from=1991-01-01&to=1991-01-04", 400, "no loaded release"),
        ("/api/operation?from=1900-01-01&to=1900-01-04", 400, "a date from 1990"),
        ("/api/trend?from=0001-01-01", 400, "a date from 1990"),
        ("/api/trend?to=9999-12-31", 400, "a date from 1990"),
        ("/api/operations/detect?from=0001-01-01&to=0001-02-01", 400, "a date from 1990"),
        ("/api/operation?from=2016-01-01&to=2017-06-01", 400, "at most 366 days"),
        ("/api/place/Atlantis", 404, "not a place"),
        ("/api/place/Nowhere%20County,%20ZZ", 400, "unknown state"),
        ("/api/trend?by=year", 400, "by must be"),
        ("/api/map?from=2017-02-05&to=2017-02-08&per=share", 400, "share"),
        ("/api/operation?from=2017-02-05&to=2017-02-08&format=pdf", 400, "format must be"),
        ("/api/operation?from=2017-02-05&to=2017-02-08&format=csv&table=x", 400, "table must"),
        ("/api/nosuch", 404, "Not Found"),
        ("/api/operation?from=" + "9" * 300, 422, "from"),
    ],
)
def test_bad_input_is_a_4xx_with_one_line(client, url: str, status: int, says: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert says in body["error"]
    assert "\n" not in body["error"] and "Traceback" not in r.text


def test_bad_input_on_a_page_is_an_inline_message(client) -> None:
    r = client.get("/operation?from=2017-02-09&to=2017-02-05", headers={"accept": "text/html"})
    assert r.status_code == 400
    assert 'class="error" role="alert"' in r.text and "before" in r.text
    assert 'name="from" value="2017-02-09"' in r.text  # the form keeps what was typed


def test_downloads(client) -> None:
    base = f"/api/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}"
    csv = client.get(base + "&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("aor,arrests,")
    assert "attachment" in csv.headers["content-disposition"]
    parquet = client.get(base + "&format=parquet&table=daily")
    table = pq.read_table(io.BytesIO(parquet.content))
    assert "period_start" in table.column_names and table.num_rows > 7
    xlsx = client.get(base + "&format=xlsx")
    assert xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.cell(1, 1).value == "aor"


def test_spreadsheet_formulas_are_neutralised(client) -> None:
    claim = (
        "version: 1\ntitle: formulas\nclaims:\n  - id: f\n    text: '=HYPERLINK(\"x\")'\n"
        f"    source: '@SUM(A1)'\n    published: 5\n    window: {{from: {OP_FROM}, to: {OP_TO}}}\n"
        "    measure: count\n    readings:\n      - id: r\n        label: '-2+3'\n"
    )
    r = client.post("/api/check?format=csv", content=claim.encode())
    assert r.status_code == 200, r.text[:300]
    assert "'-2+3" in r.text and ",-2+3" not in r.text
    r = client.post("/api/check?format=xlsx", content=claim.encode())
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'-2+3" in values and "-2+3" not in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


def test_the_shipped_claim_file_checks(client) -> None:
    r = client.post("/api/check?shipped=operation-safe-city-2017")
    assert r.status_code == 200, r.text[:300]
    data = r.json()
    assert data["file"] == "operation-safe-city-2017.yaml"  # a name, not a local path
    assert len(data["claims"]) > 10
    assert {c["verdict"] for c in data["claims"]} <= {
        "supported",
        "contradicted",
        "partly supported",
        "not checkable",
    }


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"title: x\nclaims: []\n", "claims"),
        (b"{{{{", "posted.yaml"),
        (
            b"version: 1\ntitle: t\ndefaults:\n  window: &w {from: 2017-02-05, to: 2017-02-08}\n"
            b"claims:\n  - id: a\n    text: t\n    source: s\n    window: *w\n",
            "aliases",
        ),
        (b"", "give a claim file"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_a_malformed_claim_upload_is_a_400(client, body: bytes, says: str) -> None:
    r = client.post("/api/check", content=body)
    assert r.status_code == 400, r.text[:300]
    assert says in r.json()["error"]


def test_an_oversized_upload_is_refused(client) -> None:
    r = client.post("/api/check", content=b"#" * (2 << 20))
    assert r.status_code == 413
    form = client.post(
        "/claims",
        files={"file": ("big.yaml", b"#" * ((1 << 20) + 10), "text/yaml")},
        headers={"accept": "text/html"},
    )
    assert form.status_code in (400, 413)
    assert "Traceback" not in form.text


def test_the_claim_form_takes_an_upload_and_a_paste(client) -> None:
    claim = (
        "version: 1\ntitle: pasted\nclaims:\n  - id: p\n    text: planted\n    source: test\n"
        f"    published: 300\n    window: {{from: {OP_FROM}, to: {OP_TO}}}\n"
        "    measure: excess\n    filters: {operation_flag: true}\n"
    )
    for kw in ({"data": {"text": claim}}, {"files": {"file": ("mine.yaml", claim.encode())}}):
        r = client.post("/claims", headers={"accept": "text/html"}, **kw)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text[:400]
        assert 'class="verdict' in r.text


def test_security_headers(client) -> None:
    r = client.get("/")
    csp = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no inline script, no eval, nothing from elsewhere
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/api/nosuch").headers["x-frame-options"] == "DENY"


def test_another_host_name_is_refused(client) -> None:
    # a page on another site that points its own name at 127.0.0.1 (DNS rebinding)
    r = client.get("/api/overview", headers={"host": "evil.example"})
    assert r.status_code == 400


def test_no_sql_unless_asked_for(client, web_db: Path) -> None:
    assert client.get("/api/sql?q=select 1").status_code == 404
    with make_client(web_db, sql=True) as c:
        ok = c.get("/api/sql", params={"q": "select count(*) AS n from arrests"})
        assert ok.status_code == 200 and ok.json()["tables"]["result"][0]["n"] > 0
        for attack in (
            "select * from read_text('/etc/passwd')",
            "COPY arrests TO '/tmp/x.csv'",
            "ATTACH '/tmp/y.duckdb'",
            "INSERT INTO meta VALUES ('a', 'b')",
        ):
            r = c.get("/api/sql", params={"q": attack})
            assert r.status_code == 400, (attack, r.text[:200])
            assert not Path("/tmp/x.csv").exists()


def test_the_openapi_schema_lists_the_twins(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/releases",
        "/api/place/{place}",
        "/api/operation",
        "/api/operations/detect",
        "/api/trend",
        "/api/check",
        "/api/map",
    ):
        assert p in paths, p


def test_the_explorer_lists_the_detected_operations(client) -> None:
    r = client.get(f"/operation?from={OP_FROM}&to={OP_TO}", headers={"accept": "text/html"})
    assert "Detected operations" in r.text
    assert f"/operation?from={OP_FROM}" in r.text  # the planted operation, one click away


@pytest.mark.parametrize("fmt", ["html", "md", "pdf"])
def test_reports_download_from_the_explorer(client, fmt: str) -> None:
    import shutil

    if fmt == "pdf" and not shutil.which("chromium"):
        pytest.skip("no Chromium to print the PDF")
    r = client.get(f"/report/operation.{fmt}?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}")
    assert r.status_code == 200, r.text[:300]
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "pdf":
        assert r.content[:5] == b"%PDF-"
    else:
        text = r.text
        assert "warehouse fingerprint" in text and "small-cell suppression" in text
        if fmt == "md":  # published: no count 1..9 in the counts (the first six columns)
            rows = [line.split("|")[2:7] for line in text.splitlines() if line.startswith("| ")]
            counts = [c.strip() for row in rows[1:] for c in row]
            assert counts and not any(c.isdigit() and 0 < int(c) < 10 for c in counts)
    assert client.get("/report/nosuch.html").status_code == 404


def test_a_pasted_claim_file_gets_a_report_too(client) -> None:
    claim = (
        "version: 1\ntitle: pasted\nclaims:\n  - id: p\n    text: planted\n    source: test\n"
        f"    published: 300\n    window: {{from: {OP_FROM}, to: {OP_TO}}}\n"
        "    measure: excess\n    filters: {operation_flag: true}\n"
    )
    page = client.post("/claims", data={"text": claim}, headers={"accept": "text/html"})
    assert 'formaction="/report/claims.md"' in page.text
    r = client.post("/report/claims.md", data={"text": claim})
    assert r.status_code == 200, r.text[:300]
    assert "planted" in r.text and "warehouse fingerprint" in r.text
