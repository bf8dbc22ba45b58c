"""Analysis benchmark: operation, detect and trend on a warehouse of synthetic arrests, each
against the bare DuckDB SQL that computes the same numbers, in the same run.

Targets (the analysis-layer issue), at 10,000,000 arrests on 2 cores, in-process:
an operation report (ten AORs, four days, six-week baseline) under 0.3 s, detection over a
fiscal year for every AOR under 2 s, a monthly trend under 0.3 s, each within 1.5x of the bare
SQL. Start-up of ``icefacts --help`` is reported apart.

The warehouse is the one ``bench/views_bench.py`` builds and caches (one synthetic
national-layout release, ``icefacts synth --families A --tables arrests``). The bare SQL reads
the same public views (``arrests``, ``arrests_all``) and computes the numbers the analysis
returns: for the operation, the window's and each baseline period's figures per AOR and in
total (every column, duplicates beside the counted rows, as the analysis does); for the
trend, the counts per month; for detection, the daily counts per AOR the model is fit to (the
fit itself has no SQL equivalent: the ratio says what the model costs on top of the scan).

With ``--spark`` the same three analyses also run on PySpark in local mode (``local[2]``) over a
Parquet export of that warehouse (``icefacts export``, timed, written to ``--export`` unless
one is there already), beside the same bare SQL translated for Spark; and whole
``icefacts operation --engine spark`` processes (JVM start-up included). Spark runs fewer
times (``--spark-runs``): each takes seconds, and the machine is shared.

    python bench/analysis_bench.py --rows 10000000 --work /tmp/views-bench
    python bench/analysis_bench.py --rows 10000000 --spark --export /tmp/export-10m
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TEN = ("LOS", "PHI", "DEN", "NYC", "SEA", "BOS", "BAL", "CHI", "SFR", "WAS")


def _stats(xs: list[float]) -> dict:
    return {
        "best_ms": round(min(xs) * 1000, 2),
        "median_ms": round(statistics.median(xs) * 1000, 2),
    }


def _window(con) -> tuple[date, date]:
    """Four days, Sunday to Wednesday, in the last full month the warehouse holds."""
    last = con.execute("SELECT max(apprehension_date) FROM arrests").fetchall()[0][0]
    d = last - timedelta(days=30)
    while d.weekday() != 6:
        d -= timedelta(days=1)
    return d, d + timedelta(days=3)


def bare_operation(con, start: date, end: date) -> list:
    """Hand-written: the window's and six earlier periods' figures per AOR and in total
    (the same columns the analysis returns), counted rows and duplicates in one scan."""
    periods = ", ".join(
        f"({k}, DATE '{start - timedelta(days=7 * k)}', DATE '{end - timedelta(days=7 * k)}')"
        for k in range(7)
    )
    aors = ", ".join(f"'{a}'" for a in TEN)
    ok = "duplicate_of IS NULL"
    return con.execute(
        f"""
        WITH p(k, lo, hi) AS (VALUES {periods})
        SELECT p.k, a.aor,
               count(*) FILTER (WHERE {ok}) AS arrests,
               count(*) FILTER (WHERE {ok} AND at_large) AS at_large,
               count(*) FILTER (WHERE {ok} AND NOT at_large) AS custodial,
               count(*) FILTER (WHERE {ok} AND at_large IS NULL) AS other_method,
               count(*) FILTER (WHERE {ok} AND operation_flag) AS operation_flagged,
               count(*) FILTER (WHERE {ok} AND criminality = 'convicted') AS convicted,
               count(*) FILTER (WHERE {ok} AND criminality = 'pending') AS pending,
               count(*) FILTER (WHERE {ok} AND criminality = 'other') AS other_criminality,
               count(*) FILTER (WHERE {ok} AND criminality IS NULL) AS criminality_unknown,
               count(DISTINCT citizenship) FILTER (WHERE {ok}) AS countries,
               count(*) FILTER (WHERE NOT {ok}) AS duplicates_excluded
        FROM arrests_all a JOIN p ON a.apprehension_date BETWEEN p.lo AND p.hi
        WHERE a.shadowed_by IS NULL AND a.aor IN ({aors})
        GROUP BY GROUPING SETS ((p.k, a.aor), (p.k))
        """
    ).fetchall()


def bare_trend(con, start: date, end: date) -> list:
    """The monthly counts over the span the releases cover (the trend's default span: rows
    dated outside the stated period are not in any of its months)."""
    return con.execute(
        "SELECT date_trunc('month', apprehension_date) AS m, count(*) FROM arrests "
        f"WHERE apprehension_date BETWEEN DATE '{start}' AND DATE '{end}' GROUP BY ALL"
    ).fetchall()


def bare_detect(con, start: date, end: date) -> list:
    return con.execute(
        "SELECT aor, apprehension_date, count(*) FILTER (WHERE operation_flag) FROM arrests "
        f"WHERE apprehension_date BETWEEN DATE '{start}' AND DATE '{end}' AND aor IS NOT NULL "
        "GROUP BY ALL"
    ).fetchall()


def _time_pair(name: str, analysis, bare, runs: int) -> dict:
    """The analysis and its bare SQL after a warm-up, alternated so drift hits both alike."""
    analysis()
    bare()
    a_times, b_times = [], []
    for _ in range(runs):
        t = time.perf_counter()
        analysis()
        a_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare()
        b_times.append(time.perf_counter() - t)
    res = {"analysis": _stats(a_times), "bare_sql": _stats(b_times)}
    res["ratio_of_medians"] = round(statistics.median(a_times) / statistics.median(b_times), 2)
    print(
        f"{name:16s} analysis {res['analysis']['median_ms']:9.1f} ms   bare SQL "
        f"{res['bare_sql']['median_ms']:9.1f} ms   ratio {res['ratio_of_medians']:.2f}x"
    )
    return res


class _SparkCon:
    """The bench's bare DuckDB SQL, translated and run on Spark (``execute(sql).fetchall()``
    as on a DuckDB connection)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.rows: list = []

    def execute(self, sql: str) -> _SparkCon:
        self.rows = self.engine.query(sql).to_pylist()
        return self

    def fetchall(self) -> list:
        return self.rows


def spark_results(export: Path, questions: dict, bare_sql: dict, runs: int) -> dict:
    """The three analyses on Spark (local[2]) over the export, beside the bare SQL there."""
    from icefacts import api
    from icefacts.warehouse import spark_engine

    t = time.perf_counter()
    spark_engine.spark_session()
    startup = round(time.perf_counter() - t, 2)
    print(f"Spark session start: {startup:.1f} s")
    res: dict = {"master": spark_engine.DEFAULT_MASTER, "session_start_s": startup, "runs": runs}
    with api.open_source(engine="spark", parquet=export) as src:
        con = _SparkCon(src.engine)
        first = {}
        for name, (run, q) in questions.items():  # a cold JVM; the views registered
            t = time.perf_counter()
            run(src, q)
            first[name] = round(time.perf_counter() - t, 2)
        res["first_run_s"] = first
        res["results"] = {}
        for name, (run, q) in questions.items():
            bare = bare_sql[name]
            res["results"][name] = _time_pair(
                f"spark {name}", lambda r=run, q=q: r(src, q), lambda b=bare: b(con), runs
            )
    spark_engine.stop_session()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/views-bench"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--spark", action="store_true", help="also on Spark, over a Parquet export")
    ap.add_argument("--export", type=Path, help="the export's folder (default: beside --work)")
    ap.add_argument("--spark-runs", type=int, default=3)
    args = ap.parse_args()

    from icefacts import api
    from views_bench import warehouse

    db, info = warehouse(args.rows, args.seed, args.work, None)
    out: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "rows": args.rows,
        "warehouse": info,
        "runs": args.runs,
        "targets": {"operation_s": 0.3, "detect_s": 2.0, "trend_s": 0.3, "ratio": 1.5},
        "results": {},
    }
    with api.open_warehouse(db, read_only=True) as wh:
        con = wh.con
        start, end = _window(con)
        first = con.execute("SELECT min(apprehension_date) FROM arrests").fetchall()[0][0]
        fy_start = date(first.year if first.month >= 10 else first.year - 1, 10, 1)
        fy = (fy_start, date(fy_start.year + 1, 9, 30))
        cases = {
            "operation": (
                lambda: api.operation(wh, api.operation_question(start=start, end=end, aors=TEN)),
                lambda: bare_operation(con, start, end),
            ),
            "detect": (
                lambda: api.detect(wh, api.detect_question(start=fy[0], end=fy[1])),
                lambda: bare_detect(con, fy[0], fy[1]),
            ),
            "trend": (
                lambda: api.trend(wh, api.trend_question(by="month")),
                lambda: bare_trend(con, fy[0], fy[1]),
            ),
        }
        for name, (analysis, bare) in cases.items():
            out["results"][name] = _time_pair(name, analysis, bare, args.runs)
        questions = {
            "operation": (api.operation, api.operation_question(start=start, end=end, aors=TEN)),
            "detect": (api.detect, api.detect_question(start=fy[0], end=fy[1])),
            "trend": (api.trend, api.trend_question(by="month")),
        }
        bare_sql = {
            "operation": lambda c: bare_operation(c, start, end),
            "detect": lambda c: bare_detect(c, fy[0], fy[1]),
            "trend": lambda c: bare_trend(c, fy[0], fy[1]),
        }
        export = args.export or args.work / f"export-{args.rows}-seed{args.seed}"
        if args.spark and not (export / "icefacts-export.json").exists():
            t = time.perf_counter()
            manifest = api.export_parquet(wh, export)
            out["export_seconds"] = round(time.perf_counter() - t, 2)
            rows = sum(t["rows"] for t in manifest["tables"].values())
            print(f"export to Parquet: {rows:,} rows in {out['export_seconds']:.1f} s")
    if args.spark:
        out["export_bytes"] = sum(f.stat().st_size for f in export.rglob("*.parquet"))
        out["spark"] = spark_results(export, questions, bare_sql, args.spark_runs)
    icefacts = Path(sys.executable).parent / "icefacts"
    if args.spark:
        proc = []
        argv = [str(icefacts), "operation", "--engine", "spark", "--parquet", str(export)]
        argv += ["--from", str(start), "--to", str(end), "--aor", ",".join(TEN), "-f", "csv"]
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            proc.append(time.perf_counter() - t)
        out["spark"]["icefacts_operation_process"] = _stats(proc)
        print(f"icefacts operation --engine spark (whole process): {min(proc):.1f} s, best of 2")
    help_times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([str(icefacts), "--help"], check=True, capture_output=True)
        help_times.append(time.perf_counter() - t)
    out["icefacts_help"] = _stats(help_times)
    print(f"icefacts --help: {out['icefacts_help']['median_ms']:.0f} ms (median of 5)")
    op_times = []
    argv = [str(icefacts), "operation", "--db", str(db), "--from", str(start), "--to", str(end)]
    argv += ["--aor", ",".join(TEN), "-f", "csv"]
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        op_times.append(time.perf_counter() - t)
    out["icefacts_operation_process"] = _stats(op_times)
    op_ms = out["icefacts_operation_process"]["median_ms"]
    print(f"icefacts operation (whole process): {op_ms:.0f} ms")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = HERE / "results" / f"analysis-{stamp}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
