"""National CSV ingest: the current checkout (A) against a baseline checkout (B), whole process.

Times ``icefacts ingest FILE --db NEW.duckdb -q`` as a user runs it (start-up included) for
two builds of icefacts: A, the checkout this file is in, and B, another checkout with its own
``.venv`` (by default a git worktree of 694fed3, before the CSV reader streamed; make one
with ``git worktree add --detach /tmp/icefacts-694fed3 694fed3`` and
``make -C /tmp/icefacts-694fed3 .venv/bin/icefacts``). Runs are interleaved A, B, A, B, ...
after one warm-up of each, every run into a fresh warehouse; each run's wall and CPU seconds
and peak RSS come from a small intermediate process (bench/measure.py). Reported: medians,
the ratio of the medians A/B and the median of the pair-by-pair ratios.

Inputs: a synthetic national-layout (lesa-national, family A) arrests file of ``--rows`` rows,
one gzip pipe-delimited CSV like the national FY files, written once by
``icefacts synth --families A --tables arrests`` and cached in ``--work``; and, with
``--national``, the real national FY2016-2019 folder ingested whole.

    python bench/csv_bench.py --work /tmp/csv-bench                     # 10M rows, 3 runs each
    python bench/csv_bench.py --work /tmp/csv-bench \
        --national ../shared/data/uwchr-ero-lesa-national-fy2016-2019
    python bench/csv_bench.py --rows 1000000 --runs 5 --baseline /path/to/other/checkout

Results: bench/results/csv-<timestamp>.json. The machine is shared: quote medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import measure, own_peak_mib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BASELINE = Path("/tmp/icefacts-694fed3")
ROWS_RE = re.compile(r"loaded .*?([\d,]+) rows")


def git_ref(checkout: Path) -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(checkout), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {
        "path": str(checkout),
        "commit": git("rev-parse", "HEAD"),
        "short": git("rev-parse", "--short", "HEAD"),
        "subject": git("log", "-1", "--format=%s")[:120],
        "src_changes": git("status", "--porcelain", "--", "src") or None,
    }


def synthetic_csv(icefacts: Path, rows: int, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The cached synthetic arrests CSV (one file), written by A's ``icefacts synth``."""
    folder = work / f"synth-A-arrests-{rows}-seed{seed}"
    marker = folder / "bench.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        path = folder / info["file"]
        if path.exists() and path.stat().st_size == info["bytes"]:
            info["cached"] = True
            return path, info
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            *(str(icefacts), "synth", "--out", str(folder), "--rows", str(rows)),
            *("--families", "A", "--tables", "arrests", "--seed", str(seed)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"icefacts synth failed: {done.stderr.strip()[-2000:]}")
    files = sorted(folder.glob("*.csv*"))
    if len(files) != 1:
        raise SystemExit(f"expected one arrests CSV from icefacts synth, got {files}")
    truth = json.loads((folder / "truth.json").read_text())
    info = {
        "file": files[0].name,
        "bytes": files[0].stat().st_size,
        "rows": rows,
        "seed": seed,
        "synth_seconds": round(time.perf_counter() - t0, 1),
        "truth_generator": truth.get("generator"),
    }
    marker.write_text(json.dumps(info, indent=2) + "\n")
    info["cached"] = False
    return files[0], info


def ingest_once(icefacts: Path, target: Path, scratch: Path, timeout: float) -> dict[str, Any]:
    """One ``icefacts ingest TARGET --db NEW -q`` into a fresh warehouse."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    db = scratch / "new.duckdb"
    r = measure([str(icefacts), "ingest", str(target), "--db", str(db), "-q"], scratch, timeout)
    text = r["stdout"] + r["stderr"]
    r["rows_loaded"] = sum(int(m.replace(",", "")) for m in ROWS_RE.findall(text))
    r["lines"] = [ln for ln in text.splitlines() if ln.strip()][-20:]
    r["db_bytes"] = db.stat().st_size if db.exists() else None
    del r["stdout"], r["stderr"]
    shutil.rmtree(scratch, ignore_errors=True)
    return r


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return round(statistics.median(float(r[key]) for r in runs), 3)

    return {
        "runs": len(runs),
        "wall_median_s": med("wall_s"),
        "wall_min_s": round(min(r["wall_s"] for r in runs), 3),
        "wall_max_s": round(max(r["wall_s"] for r in runs), 3),
        "cpu_median_s": med("cpu_s"),
        "user_median_s": med("user_s"),
        "sys_median_s": med("sys_s"),
        "maxrss_median_mib": round(statistics.median(r["maxrss_mib"] for r in runs), 1),
        "maxrss_max_mib": round(max(r["maxrss_mib"] for r in runs), 1),
        "sampled_rss_plus_memfd_max_mib": round(
            max(r["sampled_rss_plus_memfd_mib"] for r in runs), 1
        ),
        "wall_runs_s": [round(r["wall_s"], 3) for r in runs],
        "cpu_runs_s": [round(r["cpu_s"], 3) for r in runs],
        "maxrss_runs_mib": [round(r["maxrss_mib"], 1) for r in runs],
        "exit_codes": sorted({r["exit_code"] for r in runs}),
        "rows_loaded": sorted({r["rows_loaded"] for r in runs}),
    }


def compare(
    name: str,
    target: Path,
    sides: dict[str, Path],
    runs: int,
    warmup: int,
    work: Path,
    timeout: float,
) -> dict[str, Any]:
    """Warm-ups, then A, B, A, B, ...; medians and ratios A/B."""
    got: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    warm: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    for i in range(warmup + runs):
        for side, exe in sides.items():
            r = ingest_once(exe, target, work / "runs" / f"{side}-{i}", timeout)
            (warm if i < warmup else got)[side].append(r)
            tag = "warm-up" if i < warmup else f"run {i - warmup + 1}"
            print(
                f"    {name} {side} {tag}: {r['wall_s']:7.2f} s wall, {r['cpu_s']:7.2f} s CPU, "
                f"peak {r['maxrss_mib']:7.0f} MiB, {r['rows_loaded']:,} rows, exit "
                f"{r['exit_code']}",
                flush=True,
            )
    out: dict[str, Any] = {"target": str(target)}
    for side in sides:
        out[side] = {**summary(got[side]), "detail": got[side], "warmup": warm[side]}
    a, b = got["A"], got["B"]
    sa, sb = out["A"], out["B"]
    out["ratio_A_over_B"] = {
        "wall_medians": round(sa["wall_median_s"] / sb["wall_median_s"], 3),
        "wall_paired_median": round(
            statistics.median(x["wall_s"] / y["wall_s"] for x, y in zip(a, b, strict=True)), 3
        ),
        "cpu_medians": round(sa["cpu_median_s"] / sb["cpu_median_s"], 3),
        "maxrss_medians": round(sa["maxrss_median_mib"] / sb["maxrss_median_mib"], 3),
    }
    out["same_rows"] = sa["rows_loaded"] == sb["rows_loaded"]
    return out


def machine() -> dict[str, Any]:
    mem = None
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    return {
        "machine": platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem / 2**30, 1) if mem else None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        "| input | side | wall median (min-max) | CPU median | peak RSS median (max) |",
        "|---|---|---:|---:|---:|",
    ]
    for name, c in results["inputs"].items():
        for side in ("A", "B"):
            s = c[side]
            lines.append(
                f"| {name} | {side} ({results['sides'][side]['short']}) | "
                f"{s['wall_median_s']:.2f} s ({s['wall_min_s']:.2f}-{s['wall_max_s']:.2f}) | "
                f"{s['cpu_median_s']:.2f} s | {s['maxrss_median_mib']:,.0f} MiB "
                f"({s['maxrss_max_mib']:,.0f}) |"
            )
        r = c["ratio_A_over_B"]
        lines.append(
            f"| {name} | A/B | {r['wall_medians']:.2f}x (paired {r['wall_paired_median']:.2f}x) "
            f"| {r['cpu_medians']:.2f}x | {r['maxrss_medians']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/icefacts-csv-bench"))
    ap.add_argument("--runs", type=int, default=3, help="counted runs of each side (>= 3)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted runs of each side first")
    ap.add_argument("--current", type=Path, default=ROOT, help="A's checkout (default: this one)")
    ap.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE, help="B's checkout")
    ap.add_argument("--national", type=Path, default=None, help="a national release folder")
    ap.add_argument("--national-runs", type=int, default=3)
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--timeout", type=float, default=1800, help="per ingest process")
    args = ap.parse_args()
    runs = max(args.runs, 3)
    current = args.current / ".venv" / "bin" / "icefacts"
    baseline = args.baseline / ".venv" / "bin" / "icefacts"
    for exe, how in (
        (current, f"make -C {args.current} bytecode"),
        (baseline, f"make -C {args.baseline} .venv/bin/icefacts"),
    ):
        if not exe.exists():
            raise SystemExit(f"{exe} is missing: build it with {how}")
    args.work.mkdir(parents=True, exist_ok=True)
    sides = {"A": current, "B": baseline}
    t_start = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        **machine(),
        "command": "icefacts ingest FILE --db NEW.duckdb -q (whole process, fresh warehouse)",
        "sides": {"A": git_ref(args.current), "B": git_ref(args.baseline)},
        "runs": runs,
        "warmup": args.warmup,
        "note": (
            "shared machine (2 cores, other work at the same time): medians and ratios; peak "
            "RSS is ru_maxrss of the ingest process from a fresh intermediate process"
        ),
        "inputs": {},
    }
    print(
        f"A: {results['sides']['A']['short']} ({current})\n"
        f"B: {results['sides']['B']['short']} ({baseline})\n"
        f"load average {results['load_average_at_start']}"
    )
    if not args.skip_synthetic:
        path, info = synthetic_csv(current, args.rows, args.seed, args.work)
        print(
            f"\nsynthetic: {path.name}, {args.rows:,} rows, {info['bytes'] / 2**20:,.0f} MiB "
            f"({'cached' if info['cached'] else 'written in {} s'.format(info['synth_seconds'])})"
        )
        c = compare("synthetic", path, sides, runs, args.warmup, args.work, args.timeout)
        c["file"] = info
        results["inputs"][f"synthetic_{args.rows}"] = c
    if args.national is not None:
        folder = args.national.resolve()
        print(f"\nnational folder: {folder}")
        n_runs = max(args.national_runs, 3)
        c = compare("national", folder, sides, n_runs, args.warmup, args.work, args.timeout)
        c["files"] = sorted(p.name for p in folder.iterdir())
        results["inputs"]["national_folder"] = c
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    results["bench_process_peak_mib"] = round(own_peak_mib(), 1)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dest = HERE / "results" / f"csv-{stamp}.json"
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(results, indent=2) + "\n")
    print("\n" + table(results))
    for name, c in results["inputs"].items():
        if not c["same_rows"]:
            print(
                f"warning: {name}: A and B loaded different rows: "
                f"{c['A']['rows_loaded']} vs {c['B']['rows_loaded']}"
            )
    print(f"\nwhole run: {results['seconds']:.0f} s; wrote {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
