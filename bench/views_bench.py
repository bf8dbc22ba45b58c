"""Views benchmark: aggregates through the public views vs the same over the base table.

The target (the "views that cost little" issue): any aggregate through a public view within
1.5x of the same aggregate over the base tables, at 1,000,000 and 10,000,000 rows.

The warehouses hold one synthetic national-layout (lesa-national) arrests release, written by
``icefacts synth --families A --tables arrests`` and loaded by ``icefacts ingest`` (then
``icefacts reference load`` from the mirror, when there is one, so rows carry real
placements). They are cached under ``--work`` and rebuilt when the rows, seed or the views
the current code would create differ.

Each query runs over a public view (``arrests``, ``arrests_all``) and over the family table
``core_arrests__lesa_national`` (for ``arrests`` with the view's own filter,
``shadowed_by IS NULL AND duplicate_of IS NULL``; for ``arrests_all`` without it; a column the
view computes is computed the same way), and the two results must be equal. Two timings:

* in-process: DuckDB connected read-only, every query once to warm up, then ``--runs`` runs,
  base and view in turn (base, view, base, view, ...): best and median, and the ratio of
  the medians (view / base). One more run of each with DuckDB's profiler splits the time into
  binding, optimizing and executing.
* whole process, as a user runs it: ``icefacts sql --db X "<query>" --format csv``, one
  warm-up and ``--process-runs`` runs, base and view in turn; wall and CPU seconds of each
  child (its own rusage). Start-up (about a second) is most of each run.

    python bench/views_bench.py                              # 1M and 10M rows, 5 runs
    python bench/views_bench.py --sizes 1000000 --runs 7 --work /tmp/views-bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ICEFACTS = Path(sys.executable).parent / "icefacts"
BASE = "core_arrests__lesa_national"
COUNTED = "shadowed_by IS NULL AND duplicate_of IS NULL"  # the filter of the view `arrests`
TARGET = 1.5
FAMILY = "A"  # icefacts synth: family A is the national (lesa-national) layout


@dataclass(frozen=True)
class Query:
    name: str
    select: str  # a select list; {place_method} and {state} are filled per source
    where: str | None = None
    group: str | None = None  # GROUP BY ...; results are ordered by every column
    views: tuple[str, ...] = ("arrests", "arrests_all")


QUERIES = (
    Query("count", "count(*) AS n"),
    Query("by_aor", "aor, count(*) AS n", group="aor"),
    Query("by_aor_method", "aor, method, count(*) AS n", group="aor, method"),
    Query("at_large_by_aor", "aor, count(*) FILTER (WHERE at_large) AS n", group="aor"),
    Query(
        "week_by_aor",
        "aor, count(*) AS n",
        where="apprehension_date >= DATE '2017-03-06' AND apprehension_date < DATE '2017-03-13'",
        group="aor",
    ),
    Query(
        "by_county_place_method",
        "county_fips, {place_method} AS place_method, count(*) AS n",
        group="ALL",
    ),
    Query("by_state", "{state} AS state, count(*) AS n", group="ALL"),
    Query(
        "per_month",
        "date_trunc('month', apprehension_date) AS month, count(*) AS n",
        group="month",
    ),
    Query("distinct_landmarks", "count(DISTINCT landmark) AS n"),
    Query(
        "counted_by_aor",
        "aor, count(*) FILTER (WHERE {counted}) AS counted, count(*) AS n",
        group="aor",
        views=("arrests_all",),
    ),
)


def base_exprs(columns: set[str]) -> dict[str, str]:
    """Over the base table, the expressions the views compute (so the answers are equal)."""
    state = "coalesce(state, place_state)" if "state" in columns else "place_state"
    return {
        "place_method": "coalesce(place_method, CASE WHEN aor IS NOT NULL THEN 'aor_only' END)",
        "state": state,
        "counted": f"({COUNTED})",
    }


VIEW_EXPRS = {"place_method": "place_method", "state": "state", "counted": "counted"}


def build_sql(q: Query, source: str, filters: list[str], exprs: dict[str, str]) -> str:
    conds = [*filters, *([q.where] if q.where else [])]
    sql = f"SELECT {q.select.format(**exprs)} FROM {source}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if q.group:
        sql += f" GROUP BY {q.group} ORDER BY ALL"
    return sql


def query_pairs(columns: set[str]) -> list[dict[str, str]]:
    """Every (query, view) with its view SQL and its base-table SQL."""
    out = []
    for q in QUERIES:
        for view in q.views:
            filters = [COUNTED] if view == "arrests" else []
            out.append(
                {
                    "query": q.name,
                    "view": view,
                    "view_sql": build_sql(q, view, [], VIEW_EXPRS),
                    "base_sql": build_sql(q, BASE, filters, base_exprs(columns)),
                }
            )
    return out


# --- building (and caching) the warehouses -----------------------------------------------


def run(cmd: list[str], **kw: Any) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr.strip()[-2000:]}")
    return time.perf_counter() - t0


def views_fingerprint(db: Path) -> str:
    """A hash of the view DDL the current code would create for this warehouse's tables: a
    cached warehouse whose views were made by other code is rebuilt."""
    from icefacts.schema import EVENT_TABLES
    from icefacts.warehouse import ddl

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name, list(column_name ORDER BY column_name) "
            "FROM information_schema.columns WHERE table_name LIKE 'core\\_arrests\\_\\_%' "
            "ESCAPE '\\' GROUP BY table_name ORDER BY table_name"
        ).fetchall()
    finally:
        con.close()
    family = {name: set(cols) for name, cols in rows}
    text = "\n".join(ddl.create_view(EVENT_TABLES["arrests"], family))
    return hashlib.sha256(f"{ddl.SCHEMA_VERSION}\n{text}".encode()).hexdigest()[:16]


def warehouse(rows: int, seed: int, work: Path, mirror: Path | None) -> tuple[Path, dict]:
    """The cached warehouse of ``rows`` arrests, built (synth, ingest, reference load) if it
    is missing or stale."""
    db = work / f"arrests-{rows}-seed{seed}.duckdb"
    marker = db.with_suffix(".json")
    if db.exists() and marker.exists():
        info = json.loads(marker.read_text())
        if (
            info.get("rows") == rows
            and info.get("seed") == seed
            and info.get("placed") == (mirror is not None)
            and info.get("views") == views_fingerprint(db)
        ):
            info["cached"] = True
            return db, info
        print(f"  cached {db.name} is stale (views or settings changed): rebuilding")
    synth = work / f"synth-{rows}-seed{seed}"
    info: dict[str, Any] = {"rows": rows, "seed": seed, "method": "synth + ingest"}
    if not (synth / "truth.json").exists() or not list(synth.glob("*.csv.gz")):
        shutil.rmtree(synth, ignore_errors=True)
        info["synth_seconds"] = run(
            [
                *(str(ICEFACTS), "synth", "--out", str(synth), "--rows", str(rows)),
                *("--families", FAMILY, "--tables", "arrests", "--seed", str(seed)),
            ]
        )
        print(f"  synth {rows:,} rows: {info['synth_seconds']:.1f} s")
    tmp = db.with_suffix(".building.duckdb")
    tmp.unlink(missing_ok=True)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    info["ingest_seconds"] = run([str(ICEFACTS), "ingest", "-q", "--db", str(tmp), str(synth)])
    print(f"  ingest {rows:,} rows: {info['ingest_seconds']:.1f} s")
    info["placed"] = mirror is not None
    if mirror is not None:
        info["reference_load_seconds"] = run(
            [str(ICEFACTS), "reference", "load", "--db", str(tmp), "--mirror", str(mirror)]
        )
        print(f"  reference load (placement): {info['reference_load_seconds']:.1f} s")
    tmp.rename(db)
    info["views"] = views_fingerprint(db)
    info["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    marker.write_text(json.dumps(info, indent=2) + "\n")
    info["cached"] = False
    return db, info


def describe(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    one = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {COUNTED}), count(shadowed_by), "
        "count(duplicate_of), count(county_fips), count(DISTINCT aor), "
        f"count(DISTINCT landmark), min(apprehension_date), max(apprehension_date) FROM {BASE}"
    ).fetchall()[0]
    families = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'core\\_arrests%' "
            "ESCAPE '\\' ORDER BY 1"
        ).fetchall()
    ]
    keys = ("rows", "counted_rows", "shadowed_rows", "duplicate_rows", "placed_in_county")
    out: dict[str, Any] = dict(zip(keys, one[:5], strict=True))
    out.update(aors=one[5], landmarks=one[6], first_day=str(one[7]), last_day=str(one[8]))
    out["arrests_tables"] = families
    return out


# --- measuring ------------------------------------------------------------------------------


def _ms(xs: list[float]) -> dict[str, Any]:
    return {
        "best_ms": round(min(xs) * 1000, 3),
        "median_ms": round(statistics.median(xs) * 1000, 3),
        "runs_ms": [round(x * 1000, 3) for x in xs],
    }


def profiler(db: Path, out: Path) -> duckdb.DuckDBPyConnection | None:
    """A second read-only connection with DuckDB's profiler on (JSON to ``out``)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute("SET profiling_mode = 'detailed'")
        con.execute(f"SET profiling_output = '{out}'")
    except duckdb.Error:
        con.close()
        return None
    return con


def profile(con: duckdb.DuckDBPyConnection | None, sql: str, out: Path) -> dict[str, Any]:
    """One run under DuckDB's profiler: binding, optimizer, total and CPU milliseconds. The
    profiler's JSON differs between DuckDB versions: what is not found is None."""
    if con is None:
        return {}
    try:
        out.unlink(missing_ok=True)
        con.execute(sql).fetchall()
        p = json.loads(out.read_text())
    except (duckdb.Error, OSError, ValueError):
        return {}

    def get(*path: str) -> float | None:
        cur: Any = p
        for key in path:
            if not isinstance(cur, dict) or key not in cur:
                return None
            cur = cur[key]
        return round(float(cur) * 1000, 3) if isinstance(cur, (int, float)) else None

    if isinstance(p.get("query"), dict) and p["query"].get("sql") not in (None, sql):
        return {}  # not this query's profile
    return {
        "planner_ms": get("planner", "total_time"),
        "binding_ms": get("planner", "binding_time"),
        "optimizer_ms": get("optimizer", "total_time"),
        "physical_planner_ms": get("physical_planner", "total_time"),
        "total_ms": get("query", "total_time"),
        "cpu_ms": get("query", "cpu_time"),
    }


def in_process(db: Path, pairs: list[dict[str, str]], runs: int) -> None:
    con = duckdb.connect(str(db), read_only=True)
    prof = Path(tempfile.mkdtemp(prefix="views-bench-prof-")) / "profile.json"
    pcon = profiler(db, prof)
    try:
        for p in pairs:
            base, view = p["base_sql"], p["view_sql"]
            got_base, got_view = con.execute(base).fetchall(), con.execute(view).fetchall()
            if got_base != got_view:
                raise SystemExit(
                    f"{p['query']} over {p['view']}: the view and the base table disagree\n"
                    f"  view: {view}\n  base: {base}\n  {got_view[:5]} vs {got_base[:5]}"
                )
            p["result_rows"] = len(got_view)  # type: ignore[assignment]
            tb: list[float] = []
            tv: list[float] = []
            for _ in range(runs):
                for sql, into in ((base, tb), (view, tv)):
                    t0 = time.perf_counter()
                    con.execute(sql).fetchall()
                    into.append(time.perf_counter() - t0)
            r: dict[str, Any] = {"base": _ms(tb), "view": _ms(tv)}
            r["ratio"] = round(r["view"]["median_ms"] / r["base"]["median_ms"], 3)
            r["ratio_paired_median"] = round(
                statistics.median(v / b for v, b in zip(tv, tb, strict=True)), 3
            )
            r["base"]["profile"] = profile(pcon, base, prof)
            r["view"]["profile"] = profile(pcon, view, prof)
            p["in_process"] = r  # type: ignore[assignment]
            print(
                f"    {p['query']:24s} {p['view']:12s} base {r['base']['median_ms']:9.2f} ms  "
                f"view {r['view']['median_ms']:9.2f} ms  {r['ratio']:5.2f}x"
            )
    finally:
        con.close()
        if pcon is not None:
            pcon.close()
        shutil.rmtree(prof.parent, ignore_errors=True)


def view_floor(db: Path, runs: int, view_columns: int) -> dict[str, Any]:
    """What any view costs a query in DuckDB, whatever its definition: ``count(*)`` over the
    base table, through a do-nothing layer (``SELECT *``), and through a plain projection as
    wide as ``arrests`` (the base columns by name, then typed NULLs up to ``view_columns``:
    no computed column at all). A read-only connection cannot create views, so the layers are
    subqueries, which DuckDB plans as it plans a view's body."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [BASE],
            ).fetchall()
        ]
        nulls = [f"NULL::VARCHAR AS pad_{i}" for i in range(max(0, view_columns - len(cols)))]
        wide = ", ".join([*(f'"{c}"' for c in cols), *nulls])
        shapes = {
            "base": f"SELECT count(*) FROM {BASE} WHERE {COUNTED}",
            "select_star": f"SELECT count(*) FROM (SELECT * FROM {BASE}) t WHERE {COUNTED}",
            "plain_projection": f"SELECT count(*) FROM (SELECT {wide} FROM {BASE}) t "
            f"WHERE {COUNTED}",
            "arrests": "SELECT count(*) FROM arrests",
        }
        times: dict[str, list[float]] = {k: [] for k in shapes}
        for sql in shapes.values():
            con.execute(sql).fetchall()
        for _ in range(runs):
            for k, sql in shapes.items():
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                times[k].append(time.perf_counter() - t0)
    finally:
        con.close()
    out: dict[str, Any] = {k: _ms(v) for k, v in times.items()}
    out["view_columns"] = view_columns
    base = out["base"]["median_ms"]
    for k in shapes:
        out[k]["ratio"] = round(out[k]["median_ms"] / base, 3)
    return out


def explain_analyze(db: Path, sql: str) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(sql).fetchall()
        rows = con.execute(f"EXPLAIN ANALYZE {sql}").fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    finally:
        con.close()


def one_process(db: Path, sql: str, timeout: float) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of one ``icefacts sql`` child (its own rusage), and its output."""
    cmd = [str(ICEFACTS), "sql", "--db", str(db), sql, "--format", "csv"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -9
                raise SystemExit(f"timed out after {timeout:.0f} s: {sql}")
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"icefacts sql failed ({child.returncode}): {err.read()[-500:]!r}")
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def whole_process(
    db: Path, pairs: list[dict[str, str]], runs: int, timeout: float
) -> dict[str, Any]:
    """Times every pair; returns the start-up alone (``SELECT 1``)."""
    startup = [one_process(db, "SELECT 1", timeout)[0] for _ in range(runs + 1)][1:]
    for p in pairs:
        base, view = p["base_sql"], p["view_sql"]
        _, _, out_base = one_process(db, base, timeout)  # warm-up, and the answers
        _, _, out_view = one_process(db, view, timeout)
        if out_base != out_view:
            raise SystemExit(f"{p['query']} over {p['view']}: icefacts sql answers differ")
        wb: list[float] = []
        wv: list[float] = []
        cb: list[float] = []
        cv: list[float] = []
        for _ in range(runs):
            for sql, walls, cpus in ((base, wb, cb), (view, wv, cv)):
                wall, cpu, _ = one_process(db, sql, timeout)
                walls.append(wall)
                cpus.append(cpu)
        r: dict[str, Any] = {
            "base": {**_ms(wb), "cpu_median_ms": round(statistics.median(cb) * 1000, 1)},
            "view": {**_ms(wv), "cpu_median_ms": round(statistics.median(cv) * 1000, 1)},
        }
        r["ratio"] = round(r["view"]["median_ms"] / r["base"]["median_ms"], 3)
        r["ratio_paired_median"] = round(
            statistics.median(v / b for v, b in zip(wv, wb, strict=True)), 3
        )
        p["process"] = r  # type: ignore[assignment]
        print(
            f"    {p['query']:24s} {p['view']:12s} base {r['base']['median_ms'] / 1000:7.3f} s  "
            f"view {r['view']['median_ms'] / 1000:7.3f} s  {r['ratio']:5.2f}x"
        )
    return _ms(startup)


# --- reporting ------------------------------------------------------------------------------


def fmt_ms(ms: float) -> str:
    return f"{ms:,.1f} ms" if ms < 1000 else f"{ms / 1000:,.2f} s"


def markdown(results: dict[str, Any], kind: str) -> str:
    sizes = list(results["sizes"])
    head = "| query | over |" + "".join(f" {int(s):,}: base | view | ratio |" for s in sizes)
    lines = [head, "|---|---|" + "---:|---:|---:|" * len(sizes)]
    first = results["sizes"][sizes[0]]["queries"]
    for i, q in enumerate(first):
        row = f"| {q['query']} | `{q['view']}` |"
        for s in sizes:
            r = results["sizes"][s]["queries"][i].get(kind)
            if not r:
                row += " | | |"
                continue
            flag = "" if r["ratio"] <= TARGET else " **over**"
            row += (
                f" {fmt_ms(r['base']['median_ms'])} | {fmt_ms(r['view']['median_ms'])} | "
                f"{r['ratio']:.2f}x{flag} |"
            )
        lines.append(row)
    return "\n".join(lines)


def planning_ms(prof: dict[str, Any]) -> float | None:
    """Binding plus optimizing (ms), from one profiled run."""
    parts = [prof.get("planner_ms"), prof.get("optimizer_ms"), prof.get("physical_planner_ms")]
    return None if any(x is None for x in parts) else float(sum(parts))  # type: ignore[arg-type]


def markdown_planning(results: dict[str, Any]) -> str:
    """Per query: planning (bind + optimize) and the rest, base and view, from the profiler."""
    sizes = list(results["sizes"])
    head = "| query | over |" + "".join(
        f" {int(s):,}: base plan / rest | view plan / rest |" for s in sizes
    )
    lines = [head, "|---|---|" + "---:|---:|" * len(sizes)]
    first = results["sizes"][sizes[0]]["queries"]
    for i, q in enumerate(first):
        row = f"| {q['query']} | `{q['view']}` |"
        for s in sizes:
            r = results["sizes"][s]["queries"][i]["in_process"]
            for side in ("base", "view"):
                prof = r[side].get("profile") or {}
                plan, total = planning_ms(prof), prof.get("total_ms")
                row += (
                    f" {plan:.1f} / {total - plan:.1f} ms |"
                    if plan is not None and total is not None
                    else " |"
                )
        lines.append(row)
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    mem = None
    try:
        import psutil  # the bench dependency group

        mem = psutil.virtual_memory().total
    except ImportError:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    return {
        "machine": platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "cores": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1) if mem else None,
        "duckdb": duckdb.__version__,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000000,10000000", help="comma list of row counts")
    ap.add_argument("--work", type=Path, default=None, help="cache of built warehouses")
    ap.add_argument("--runs", type=int, default=5, help="in-process runs per query (>= 5)")
    ap.add_argument("--process-runs", type=int, default=None, help="default: --runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mirror", type=Path, default=None, help="reference data (placement)")
    ap.add_argument("--no-process", action="store_true", help="skip whole-process timings")
    ap.add_argument("--timeout", type=float, default=600, help="per icefacts sql process")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    runs = max(args.runs, 5)
    process_runs = args.process_runs or runs
    work = args.work or Path(tempfile.mkdtemp(prefix="icefacts-views-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    mirror = args.mirror or Path(os.environ.get("ICEFACTS_MIRROR", ROOT.parent / "shared/data"))
    mirror = mirror if mirror.is_dir() else None
    t_start = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        **machine(),
        "target": f"view median within {TARGET}x of base median",
        "runs": runs,
        "process_runs": None if args.no_process else process_runs,
        "icefacts": str(ICEFACTS),
        "note": (
            "the machine is shared (2 cores, other work runs at the same time): quote medians "
            "and ratios, not single times"
        ),
        "sizes": {},
    }
    print(
        f"{results['machine']}, {results['cores']} cores, {results['memory_gib']} GiB, "
        f"DuckDB {results['duckdb']}, load average {results['load_average_at_start']}: shared "
        "machine, other work runs concurrently; medians are quoted\nwork folder: "
        f"{work}; placement: {'reference data from ' + str(mirror) if mirror else 'none'}"
    )
    for n in sizes:
        print(f"\n{n:,} rows")
        db, build = warehouse(n, args.seed, work, mirror)
        con = duckdb.connect(str(db), read_only=True)
        try:
            data = describe(con)
            columns = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                    [BASE],
                ).fetchall()
            }
            settings = dict(
                con.execute(
                    "SELECT name, value FROM duckdb_settings() "
                    "WHERE name IN ('threads', 'memory_limit')"
                ).fetchall()
            )
        finally:
            con.close()
        if data["rows"] != n:
            raise SystemExit(f"{db}: {data['rows']:,} rows in {BASE}, expected {n:,}")
        print(
            f"  {db.name} ({db.stat().st_size / 2**20:,.0f} MiB, "
            f"{'cached' if build['cached'] else 'built'}): {data['counted_rows']:,} of "
            f"{data['rows']:,} rows count, {data['placed_in_county']:,} placed in a county"
        )
        pairs = query_pairs(columns)
        print(f"  in-process (DuckDB read-only, {settings}), median of {runs}:")
        in_process(db, pairs, runs)
        con = duckdb.connect(str(db), read_only=True)
        try:
            width = len(con.execute("SELECT * FROM arrests LIMIT 0").description)
        finally:
            con.close()
        floor = view_floor(db, max(runs, 20), width)
        print(
            "  what any view costs count(*): "
            + ", ".join(
                f"{k} {floor[k]['median_ms']:.2f} ms ({floor[k]['ratio']:.2f}x)"
                for k in ("base", "select_star", "plain_projection", "arrests")
            )
        )
        startup = None
        if not args.no_process:
            print(f"  whole process (icefacts sql --format csv), median of {process_runs}:")
            startup = whole_process(db, pairs, process_runs, args.timeout)
        results["sizes"][str(n)] = {
            "db": str(db),
            "db_bytes": db.stat().st_size,
            "build": build,
            "data": data,
            "duckdb_settings": settings,
            "process_startup_select_1": startup,
            "view_floor": floor,
            "queries": pairs,
        }
    # EXPLAIN ANALYZE of what is over the target at the largest size (in-process)
    last = str(sizes[-1])
    for p in results["sizes"][last]["queries"]:
        if p["in_process"]["ratio"] > TARGET:
            db = Path(results["sizes"][last]["db"])
            p["explain_analyze"] = {
                "view": explain_analyze(db, p["view_sql"]),
                "base": explain_analyze(db, p["base_sql"]),
            }
    for kind in ("in_process", "process"):
        verdict = {}
        for s, per in results["sizes"].items():
            ratios = [q[kind]["ratio"] for q in per["queries"] if kind in q]
            if ratios:
                verdict[s] = {
                    "max_ratio": max(ratios),
                    "all_within_target": max(ratios) <= TARGET,
                    "over": [
                        f"{q['query']} ({q['view']}): {q[kind]['ratio']:.2f}x"
                        for q in per["queries"]
                        if kind in q and q[kind]["ratio"] > TARGET
                    ],
                }
        results[f"verdict_{kind}"] = verdict
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    results["children_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dest = HERE / "results" / f"views-{stamp}.json"
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(results, indent=2) + "\n")

    print(
        f"\n## Public views vs the base table ({results['when'][:10]}, "
        f"`bench/results/{dest.name}`)\n\n"
        f"{results['machine']}, {results['cores']} cores, DuckDB {results['duckdb']}; shared "
        f"machine, other work running (load average {results['load_average_at_start']} at "
        f"the start, {results['load_average_at_end']} at the end). Medians; ratio = view / "
        f"base; target: within {TARGET}x.\n"
    )
    print(f"In-process (DuckDB read-only, warm, median of {runs}):\n")
    print(markdown(results, "in_process"))
    print(
        "\nWhere the time goes (one profiled in-process run each: planning = binding + "
        "optimizing + physical planning; rest = execution and result):\n"
    )
    print(markdown_planning(results))
    if not args.no_process:
        print(
            f'\nWhole process, `icefacts sql --db X "<query>" --format csv` '
            f"(median of {process_runs}, start-up included):\n"
        )
        print(markdown(results, "process"))
        for s, per in results["sizes"].items():
            st = per["process_startup_select_1"]
            if st:
                print(f"\n`icefacts sql 'SELECT 1'` at {int(s):,} rows: {fmt_ms(st['median_ms'])}")
    print()
    for kind in ("in_process", "process"):
        for s, v in results[f"verdict_{kind}"].items():
            state = "all within" if v["all_within_target"] else "NOT all within"
            over = f": over: {', '.join(v['over'])}" if v["over"] else ""
            print(f"{kind}, {int(s):,} rows: {state} {TARGET}x (max {v['max_ratio']:.2f}x){over}")
    for s, per in results["sizes"].items():
        b = per["build"]
        how = "cached" if b["cached"] else "built"
        print(
            f"{int(s):,} rows: {b['method']} ({how}), {per['data']['counted_rows']:,} of "
            f"{per['data']['rows']:,} rows count (one release, nothing shadowed)"
            if per["data"]["shadowed_rows"] == 0
            else f"{int(s):,} rows: {b['method']} ({how})"
        )
    print(f"\nwhole run: {results['seconds']:.0f} s; wrote {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
