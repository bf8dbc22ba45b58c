"""Web benchmark: `icefacts serve` under load, the first page load in Chromium, and reports,
whole-process as a user runs them.

Targets (the web issue), on a 10-million-arrest synthetic warehouse, on 2 cores:
- map, operation and trend endpoints: p95 under 300 ms with 20 concurrent clients;
- first page load under 1 s in Chromium (the browser's own Navigation Timing);
- report generation under 5 s.

The server is started as a user starts it (``icefacts serve --db DB --port P``); the load is
20 concurrent clients (asyncio + httpx keep-alive connections, on the same 2 cores as the
server, which makes the numbers pessimistic), bounded in time and in requests. Two mixes:

* ``repeat``: each client cycles through a fixed set of views (the three endpoints, a few
  windows each), as readers of one story do; after the first request of each, answers come
  from the server's cache for that copy of the warehouse;
* ``fresh``: every request asks a window no one asked before (a new day range), so every
  answer is computed: the worst case.

The baseline is ``/api/status`` under the same load (the server's own overhead: routing,
middleware, JSON). Reports are timed beside ``icefacts operation ... --format json`` (the
same answer without the report).

    python bench/web_bench.py --work /tmp/views-bench --rows 10000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from measure import measure  # noqa: E402
from views_bench import machine, warehouse  # noqa: E402

ICEFACTS = ROOT / ".venv" / "bin" / "icefacts"
SHARED = Path(os.environ.get("ICEFACTS_MIRROR") or ROOT.parent / "shared" / "data")
AORS = ["BAL", "BOS", "CHI", "DEN", "LOS", "NYC", "PHI", "SEA", "SFR", "WAS"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, public: bool) -> tuple[subprocess.Popen, float]:
    import httpx

    cmd = [str(ICEFACTS), "serve", "--db", str(db), "--port", str(port)]
    if public:
        cmd.append("--public")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=1).status_code == 200:
                return proc, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start within 60 s")


def span(db: Path) -> tuple[date, date]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        a, b = con.execute(
            "SELECT min(period_start), max(period_end) FROM release_coverage "
            "WHERE table_name = 'arrests'"
        ).fetchone()
    finally:
        con.close()
    return a, b


def repeat_urls(first: date, last: date) -> dict[str, list[str]]:
    """A few windows per endpoint, asked again and again."""
    starts = [first + timedelta(days=90 + 61 * i) for i in range(4)]
    urls: dict[str, list[str]] = {"map": [], "operation": [], "trend": []}
    for s in starts:
        e = s + timedelta(days=3)
        urls["map"].append(f"/api/map?from={s}&to={e}")
        urls["operation"].append(f"/api/operation?from={s}&to={e}&aor={','.join(AORS)}")
        urls["trend"].append(f"/api/trend?by=week&per=aor&aor={','.join(AORS[:4])}&from={s}")
    return urls


def fresh_url(kind: str, first: date, last: date, rng: random.Random) -> str:
    """A window (almost surely) no one asked before."""
    days = (last - first).days - 60
    s = first + timedelta(days=50 + rng.randrange(days))
    e = s + timedelta(days=rng.randrange(1, 8))
    if kind == "map":
        return f"/api/map?from={s}&to={e}"
    if kind == "operation":
        aors = ",".join(sorted(rng.sample(AORS, 3)))
        return f"/api/operation?from={s}&to={e}&aor={aors}"
    return f"/api/trend?by=day&aor={rng.choice(AORS)}&from={s}&to={e}"


async def load(
    base: str,
    pick: Any,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
) -> list[tuple[str, float, int]]:
    """``clients`` workers asking ``pick(worker, i)`` (kind, url) until time or requests
    run out; (kind, seconds, status) per request."""
    import httpx

    done: list[tuple[str, float, int]] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def worker(w: int) -> None:
            i = 0
            while time.perf_counter() < stop and len(done) < max_requests:
                kind, url = pick(w, i)
                t = time.perf_counter()
                r = await client.get(url)
                done.append((kind, time.perf_counter() - t, r.status_code))
                i += 1

        await asyncio.gather(*(worker(w) for w in range(clients)))
    return done


def summary(samples: list[tuple[str, float, int]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in sorted({k for k, _, _ in samples}):
        ts = sorted(t for k, t, _ in samples if k == kind)
        bad = sum(1 for k, _, s in samples if k == kind and s != 200)
        out[kind] = {
            "requests": len(ts),
            "errors": bad,
            "p50_ms": round(1000 * statistics.median(ts), 1),
            "p95_ms": round(1000 * ts[min(len(ts) - 1, int(0.95 * len(ts)))], 1),
            "max_ms": round(1000 * ts[-1], 1),
        }
    out["throughput_rps"] = round(len(samples) / seconds, 1)
    return out


def page_load(base: str, paths: list[str]) -> dict[str, Any]:
    """Navigation Timing of each page in Chromium (fresh profile, nothing cached), and when
    its charts were drawn."""
    import shutil
    import tempfile

    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if exe is None:
        return {"skipped": "no chromium"}
    out: dict[str, Any] = {}
    from icefacts.web.reports import BROWSER_FLAGS

    flags = list(BROWSER_FLAGS)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        for path in paths:
            ctx = p.chromium.launch_persistent_context(
                f"{profile}/{len(out)}", executable_path=exe, headless=True, args=flags
            )
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(base + path, wait_until="load")
            nav = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return {ttfb: n.responseStart, dom: n.domContentLoadedEventEnd,"
                " load: n.loadEventEnd}; })()"
            )
            charts = page.locator(".chart").count()
            if charts:
                page.wait_for_function(
                    f"document.querySelectorAll('.chart[data-drawn]').length >= {charts}",
                    timeout=60000,
                )
            drawn = time.perf_counter() - t0
            out[path] = {
                "ttfb_ms": round(nav["ttfb"], 1),
                "dom_content_loaded_ms": round(nav["dom"], 1),
                "load_ms": round(nav["load"], 1),
                "charts": charts,
                "charts_drawn_ms": round(1000 * drawn, 1),
            }
            ctx.close()
    return out


def reports(db: Path, work: Path, first: date) -> dict[str, Any]:
    s = first + timedelta(days=90)
    e = s + timedelta(days=3)
    window = ["--from", str(s), "--to", str(e), "--aor", ",".join(AORS), "--db", str(db)]
    base = [str(ICEFACTS), "operation", *window, "--format", "json"]
    out: dict[str, Any] = {}
    for name, cmd in [
        ("operation --format json (baseline)", base),
        *(
            (f"report operation --out r.{ext}", [str(ICEFACTS), "report", "operation", *window,
                                                 "--out", str(work / f"r.{ext}")])
            for ext in ("html", "pdf", "md")
        ),
    ]:  # fmt: skip
        got = [measure(cmd, work) for _ in range(3)]
        if any(g["exit_code"] != 0 for g in got):
            out[name] = {"failed": got[0]["stderr"][-500:]}
            continue
        walls = [g["wall_s"] for g in got]
        out[name] = {
            "median_s": round(statistics.median(walls), 2),
            "best_s": round(min(walls), 2),
            "peak_rss_mib": round(max(g["maxrss_mib"] for g in got), 1),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/views-bench"))
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--max-requests", type=int, default=4000)
    ap.add_argument("--public", action="store_true", help="serve in publish mode")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, info = warehouse(args.rows, args.seed, args.work, SHARED if SHARED.is_dir() else None)
    first, last = span(db)
    results: dict[str, Any] = {
        "bench": "web",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "warehouse": {"rows": args.rows, **{k: v for k, v in info.items() if k != "views"}},
        "clients": args.clients,
        "public": args.public,
    }
    port = free_port()
    proc, ready = start_server(db, port, args.public)
    base = f"http://127.0.0.1:{port}"
    results["server_ready_s"] = round(ready, 2)
    try:
        import httpx

        t0 = time.perf_counter()  # the server computes its first pages in the background
        while httpx.get(base + "/api/status", timeout=10).json().get("warming"):
            time.sleep(0.2)
        results["server_warm_s"] = round(ready + time.perf_counter() - t0, 2)

        urls = repeat_urls(first, last)
        cold: dict[str, float] = {}
        for kind, us in urls.items():
            t = time.perf_counter()
            r = httpx.get(base + us[0], timeout=300)
            cold[kind] = round(1000 * (time.perf_counter() - t), 1)
            assert r.status_code == 200, (us[0], r.text[:300])
        results["first_request_ms"] = cold
        flat = [(k, u) for k, us in urls.items() for u in us]

        def repeat(w: int, i: int) -> tuple[str, str]:
            return flat[(w + i) % len(flat)]

        def status(w: int, i: int) -> tuple[str, str]:
            return "status (baseline)", "/api/status"

        rng = random.Random(7)
        kinds = ["map", "operation", "trend"]

        def fresh(w: int, i: int) -> tuple[str, str]:
            kind = kinds[(w + i) % 3]
            return kind, fresh_url(kind, first, last, rng)

        for name, pick in (("baseline", status), ("repeat", repeat), ("fresh", fresh)):
            t0 = time.perf_counter()
            samples = asyncio.run(
                load(
                    base,
                    pick,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                )
            )
            results[name] = summary(samples, time.perf_counter() - t0)
            print(name, json.dumps(results[name]))
        results["page_load"] = page_load(
            base,
            [
                "/",
                f"/map?from={first + timedelta(days=90)}&to={first + timedelta(days=93)}",
                f"/operation?from={first + timedelta(days=90)}&to={first + timedelta(days=93)}"
                f"&aor={','.join(AORS)}",
            ],
        )
        print("page load", json.dumps(results["page_load"]))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    results["reports"] = reports(db, args.work, first)
    print("reports", json.dumps(results["reports"]))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = args.out / f"web-{stamp}{'-public' if args.public else ''}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
