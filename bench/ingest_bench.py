"""Ingest benchmark: icefacts end to end vs bare readers, on the same synthetic workbook.

Run by hand (``make bench``); results are written to bench/results/ and quoted in
docs/performance.md. Every measurement runs in its own child process so that peak RSS
(ru_maxrss) belongs to that measurement alone; imports are done before the clock starts.

    python bench/ingest_bench.py                      # 300k and 1M rows, all readers
    python bench/ingest_bench.py --rows 300000 --skip pandas_openpyxl
    python bench/ingest_bench.py --national ../shared/data/uwchr-ero-lesa-national-fy2016-2019
    python bench/ingest_bench.py --rows 300000 --interleave --skip ...  # readers in turn

Each reader's runs give the fastest (``seconds``, in the process after its imports), the
median, and the whole process's wall time (``process_seconds``: start-up and imports too).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
READERS = (
    "icefacts_whole_sheets",
    "icefacts_parallel_sheets",
    "fastexcel",
    "fastexcel_eager",
    "python_calamine",
    "pandas_openpyxl",
    "duckdb_read_xlsx",
    "icefacts",
    "icefacts_baseline",  # with --baseline-python: icefacts of another checkout, same child
)
SLOW = {"pandas_openpyxl"}
BASELINE_PYTHON: str | None = None  # --baseline-python  # measured once: minutes per run
HEADER_ROW = 6  # current-layout workbooks: six title rows, then the header


def _peak_mib() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: a child inherits its parent's
    maxrss at fork, so a parent that generated a big workbook would inflate every child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StagedPeak:
    """Peak of this process's RSS plus its memory-backed staging files (memfd: icefacts
    stages large sheets in them, and their pages are memory though not in RSS), sampled
    every 20 ms on a background thread."""

    def __init__(self) -> None:
        import threading

        self.peak = 0.0
        self.staged_peak = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import os

        rss = 0.0
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
        files: dict[int, int] = {}  # inode -> size: calamine opens each one a second time
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:"):
                    st = os.stat(f"/proc/self/fd/{fd}")
                    files[st.st_ino] = st.st_blocks * 512  # pages held, not the nominal size
        staged = sum(files.values())
        self.staged_peak = max(self.staged_peak, staged / 2**20)
        self.peak = max(self.peak, rss + staged / 2**20)

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            self._sample()

    def done(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join()
        return {"peak_rss_plus_staged_mib": self.peak, "staged_peak_mib": self.staged_peak}


def _warm_imports() -> None:
    """pyarrow imports pandas lazily on its first conversion of Python objects when pandas is
    installed (it is, in the bench environment only): import it before the clock starts, as
    the bare readers' imports are."""
    with contextlib.suppress(ImportError):
        import pandas  # noqa: F401


def child(name: str, path: Path) -> dict[str, object]:
    """One measurement. Returns rows read, seconds and peak RSS of this process."""
    if name == "fastexcel":
        import fastexcel

        t0 = time.perf_counter()
        reader = fastexcel.read_excel(path)
        rows = 0
        for sheet in reader.sheet_names:
            rows += reader.load_sheet(sheet, header_row=HEADER_ROW).to_arrow().num_rows
    elif name == "fastexcel_eager":
        import fastexcel

        t0 = time.perf_counter()
        reader = fastexcel.read_excel(path)
        rows = 0
        for sheet in reader.sheet_names:
            rows += reader.load_sheet(sheet, header_row=HEADER_ROW, eager=True).num_rows
    elif name == "python_calamine":
        from python_calamine import CalamineWorkbook

        t0 = time.perf_counter()
        wb = CalamineWorkbook.from_path(str(path))
        rows = 0
        for sheet in wb.sheet_names:
            rows += len(wb.get_sheet_by_name(sheet).to_python()) - HEADER_ROW - 1
    elif name == "pandas_openpyxl":
        import pandas as pd

        t0 = time.perf_counter()
        frames = pd.read_excel(path, sheet_name=None, skiprows=HEADER_ROW, engine="openpyxl")
        rows = sum(len(f) for f in frames.values())
    elif name == "duckdb_read_xlsx":
        import duckdb

        con = duckdb.connect()
        found = con.execute(
            "SELECT installed FROM duckdb_extensions() WHERE extension_name = 'excel'"
        ).fetchone()
        if not found or not found[0]:
            # INSTALL downloads from DuckDB's own extension repository, which is not a package
            # registry; it is not reachable from this workplace, so it is not attempted.
            return {"error": "DuckDB excel extension not installed (needs DuckDB's repository)"}
        con.execute("LOAD excel")
        import fastexcel

        sheets = fastexcel.read_excel(path).sheet_names
        t0 = time.perf_counter()
        rows = 0
        for sheet in sheets:
            got = con.execute(
                "SELECT count(*) FROM read_xlsx(?, sheet = ?, range = 'A7:Y1048576', "
                "header = true, all_varchar = true)",
                [str(path), sheet],
            ).fetchone()
            rows += int(got[0]) if got else 0
    elif name.startswith("icefacts"):
        from icefacts import api
        from icefacts.ingest import xlsx_parts

        _warm_imports()
        if name == "icefacts_whole_sheets":  # every sheet read whole, on one core
            xlsx_parts.SPLIT_MIN_BYTES = 1 << 62
        files = sorted(path.glob("*.csv.gz")) if path.is_dir() else [path]
        db = Path(tempfile.mkdtemp()) / "bench.duckdb"
        with api.open_warehouse(db) as wh:
            sampler = StagedPeak()
            t0 = time.perf_counter()
            reports = api.ingest(wh, files, parallel_sheets=name == "icefacts_parallel_sheets")
            seconds = time.perf_counter() - t0
            staged = sampler.done()
            bad = [r.message for r in reports if r.status != "loaded"]
            if bad:
                return {"error": bad[0]}
            rows = sum(r.rows for r in reports)
        return {"rows": rows, "seconds": seconds, "peak_rss_mib": _peak_mib(), **staged}
    else:
        raise SystemExit(f"unknown reader {name}")
    seconds = time.perf_counter() - t0
    return {"rows": rows, "seconds": seconds, "peak_rss_mib": _peak_mib()}


def best_of(name: str, path: Path, timeout: float, repeat: int) -> dict[str, object]:
    """Fastest of ``repeat`` runs (this machine is shared: the minimum is the least noisy
    estimate), with every run's seconds kept."""
    runs = [run_child(name, path, timeout) for _ in range(1 if name in SLOW else repeat)]
    return summarise(runs)


def summarise(runs: list[dict[str, object]]) -> dict[str, object]:
    """The fastest run, with every run's seconds (in-process and whole process) and their
    medians."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    best = dict(min(ok, key=lambda r: float(r["seconds"])))  # type: ignore[arg-type]
    best["runs_seconds"] = [round(float(r["seconds"]), 2) for r in ok]  # type: ignore[arg-type]
    best["median_seconds"] = statistics.median(float(r["seconds"]) for r in ok)  # type: ignore[arg-type]
    best["runs_process_seconds"] = [round(float(r["process_seconds"]), 2) for r in ok]  # type: ignore[arg-type]
    best["median_process_seconds"] = statistics.median(
        float(r["process_seconds"])  # type: ignore[arg-type]
        for r in ok
    )
    best["peak_rss_mib"] = max(float(r["peak_rss_mib"]) for r in ok)  # type: ignore[arg-type]
    for key in ("peak_rss_plus_staged_mib", "staged_peak_mib"):
        if all(key in r for r in ok):
            best[key] = max(float(r[key]) for r in ok)  # type: ignore[arg-type]
    return best


def run_child(name: str, path: Path, timeout: float) -> dict[str, object]:
    """One measurement in its own process; ``process_seconds`` is that process's whole wall
    time, start-up and imports included (``seconds`` is timed inside it, after imports)."""
    cmd = [sys.executable, __file__, "--child", name, str(path)]
    if name == "icefacts_baseline":
        if BASELINE_PYTHON is None:
            return {"error": "no --baseline-python"}
        cmd = [BASELINE_PYTHON, __file__, "--child", "icefacts", str(path)]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    r: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    r["process_seconds"] = wall
    return r


def make_workbook(rows: int, out: Path, sheet_rows: int) -> Path:
    """A current-layout (family C) arrests workbook: 25 columns, six title rows."""
    from icefacts.synth import writers
    from icefacts.synth.release import build

    (arrests,) = [t for t in build(rows, seed=1, families=["C"]) if t.name == "arrests"]
    path = out / arrests.file_name
    writers.write_xlsx(arrests, path, sheet_rows, None)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=2, metavar=("READER", "PATH"))
    ap.add_argument("--rows", type=int, nargs="*", default=[300_000, 1_000_000])
    ap.add_argument("--skip", nargs="*", default=[])
    ap.add_argument("--national", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--repeat", type=int, default=3, help="runs per reader (best is kept)")
    ap.add_argument(
        "--interleave", action="store_true", help="run the readers in turn, round by round"
    )
    ap.add_argument(
        "--baseline-python",
        default=None,
        help="the Python of another checkout's .venv: its icefacts is run as icefacts_baseline",
    )
    args = ap.parse_args()
    global BASELINE_PYTHON
    BASELINE_PYTHON = args.baseline_python
    if BASELINE_PYTHON is None:
        args.skip.append("icefacts_baseline")
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return

    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores",
        "python": sys.executable,
        "baseline_python": BASELINE_PYTHON,
        "workbooks": {},
    }
    for n in args.rows:
        out = Path(tempfile.mkdtemp(prefix="icefacts-bench-"))
        # 1M rows go over two sheets (as a release larger than one sheet would)
        sheet_rows = n if n < 1_000_000 else (n + 1) // 2
        t0 = time.perf_counter()
        path = make_workbook(n, out, sheet_rows)
        gen = time.perf_counter() - t0
        size = path.stat().st_size
        print(f"\n{n:,} rows: {path.name}, {size / 2**20:.1f} MiB, generated in {gen:.1f} s")
        per: dict[str, object] = {"bytes": size, "generate_seconds": gen}
        chosen = [name for name in READERS if name not in args.skip]
        got: dict[str, list[dict[str, object]]] = {name: [] for name in chosen}
        if args.interleave:  # rounds of one run of each reader, so drift hits each alike
            for i in range(args.repeat):
                for name in chosen:
                    if i == 0 or name not in SLOW:
                        got[name].append(run_child(name, path, args.timeout))
            per["interleaved"] = True
        for name in chosen:
            r = (
                summarise(got[name])
                if args.interleave
                else best_of(name, path, args.timeout, args.repeat)
            )
            per[name] = r
            if "error" in r:
                print(f"  {name:24s} {r['error']}")
            else:
                rate = float(r["rows"]) / float(r["seconds"])  # type: ignore[arg-type]
                staged = (
                    f", with staged files {r['peak_rss_plus_staged_mib']:.0f} MiB"
                    if "peak_rss_plus_staged_mib" in r
                    else ""
                )
                print(
                    f"  {name:24s} {r['seconds']:8.2f} s  {rate:>10,.0f} rows/s  "
                    f"peak {r['peak_rss_mib']:7.0f} MiB{staged}  ({r['rows']:,} rows)"
                )
        ice = per.get("icefacts")
        for base in ("fastexcel", "fastexcel_eager"):
            fx = per.get(base)
            if (
                isinstance(fx, dict)
                and isinstance(ice, dict)
                and "seconds" in fx
                and "seconds" in ice
            ):
                ratio = float(ice["seconds"]) / float(fx["seconds"])  # type: ignore[arg-type]
                per[f"icefacts_over_{base}"] = ratio
                med = float(ice["median_seconds"]) / float(fx["median_seconds"])  # type: ignore[arg-type]
                proc = float(ice["median_process_seconds"]) / float(  # type: ignore[arg-type]
                    fx["median_process_seconds"]  # type: ignore[arg-type]
                )
                per[f"icefacts_over_{base}_medians"] = med
                per[f"icefacts_over_{base}_process_medians"] = proc
                print(
                    f"  icefacts / bare {base} = {ratio:.2f}x (best), {med:.2f}x (medians), "
                    f"{proc:.2f}x (whole process, medians)"
                )
        old = per.get("icefacts_baseline")
        if (
            isinstance(old, dict)
            and isinstance(ice, dict)
            and "seconds" in old
            and "seconds" in ice
        ):
            med = float(ice["median_seconds"]) / float(old["median_seconds"])  # type: ignore[arg-type]
            proc = float(ice["median_process_seconds"]) / float(  # type: ignore[arg-type]
                old["median_process_seconds"]  # type: ignore[arg-type]
            )
            per["icefacts_over_icefacts_baseline_medians"] = med
            per["icefacts_over_icefacts_baseline_process_medians"] = proc
            print(
                f"  icefacts / icefacts_baseline = {med:.2f}x (medians), {proc:.2f}x (whole "
                "process, medians)"
            )
        pd_ = per.get("pandas_openpyxl")
        if isinstance(pd_, dict) and isinstance(ice, dict) and "seconds" in pd_:
            speedup = float(pd_["seconds"]) / float(ice["seconds"])  # type: ignore[arg-type]
            per["pandas_over_icefacts"] = speedup
            print(f"  pandas+openpyxl / icefacts = {speedup:.1f}x")
        results["workbooks"][str(n)] = per  # type: ignore[index]
    if args.national:
        r = best_of("icefacts_folder", args.national, args.timeout, args.repeat)
        results["national_csv"] = r
        print(f"\nnational CSV folder: {r}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dest = HERE / "results" / f"ingest-{stamp}.json"
    dest.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {dest.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
