"""Claims and linking benchmark: whole processes, as a user runs them (start-up included).

Targets (the claims issue), on 2 cores:
- ``icefacts check claims/operation-safe-city-2017.yaml`` under 3 s on the real files (the
  national FY2017 arrests, the Seattle workbooks, the reference tables, with the record
  links) and under 10 s on a 10,000,000-arrest synthetic warehouse;
- ``icefacts link`` of the national FY2017 file against the Seattle workbooks under 60 s.

Each is reported beside the start-up of the same command (``icefacts check --schema``, which
imports the command and prints, and reads no warehouse): the ratio says what the work costs
over starting. The real warehouse is built once into ``--work`` (from ``../shared/data`` or
``ICEFACTS_MIRROR``); the synthetic one is ``bench/views_bench.py``'s cached warehouse
(``--synthetic``), copied so that the bench never writes it.

    python bench/claims_bench.py --work /tmp/claims-bench \\
        --synthetic /tmp/views-bench/arrests-10000000-seed1.duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from measure import measure  # noqa: E402

CLAIMS = ROOT / "claims" / "operation-safe-city-2017.yaml"
NATIONAL = "uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz"
SEATTLE = "uwchr-seattle-aor-2012-2019"


def icefacts() -> str:
    return str(ROOT / ".venv" / "bin" / "icefacts")


def runs(cmd: list[str], work: Path, n: int, env: dict[str, str]) -> dict:
    got = [measure(cmd, work, env=env) for _ in range(n)]
    for g in got:
        if g["exit_code"] != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {g['stderr'][-2000:]}")
    walls = [g["wall_s"] for g in got]
    return {
        "cmd": " ".join(cmd[1:]),
        "runs": n,
        "median_s": round(statistics.median(walls), 3),
        "best_s": round(min(walls), 3),
        "peak_rss_mib": round(max(g["maxrss_mib"] for g in got), 1),
    }


def real_warehouse(work: Path, shared: Path, env: dict[str, str]) -> Path:
    db = work / "real.duckdb"
    if db.exists():
        return db
    tmp = work / "real-building.duckdb"
    tmp.unlink(missing_ok=True)
    ingest = [
        icefacts(),
        "ingest",
        str(shared / NATIONAL),
        str(shared / SEATTLE),
        "--db",
        str(tmp),
        "-q",
    ]
    for cmd in (ingest, [icefacts(), "reference", "load", "--db", str(tmp)]):
        got = measure(cmd, work / "build", env=env)
        if got["exit_code"] != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {got['stderr'][-2000:]}")
    tmp.rename(db)
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path("/tmp/claims-bench"))
    ap.add_argument("--synthetic", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()
    shared = Path(os.environ.get("ICEFACTS_MIRROR") or ROOT.parent / "shared" / "data")
    env = {**os.environ, "ICEFACTS_MIRROR": str(shared), "COLUMNS": "100"}
    args.work.mkdir(parents=True, exist_ok=True)
    out: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    out["startup"] = runs([icefacts(), "check", "--schema"], args.work / "m", args.runs, env)
    real = real_warehouse(args.work, shared, env)
    # linking: on a copy each run (a run rewrites the links)
    link_times = []
    for i in range(max(1, args.runs // 2)):
        copy = args.work / f"link-{i}.duckdb"
        shutil.copyfile(real, copy)
        link_times.append(runs([icefacts(), "link", "--db", str(copy)], args.work / "m", 1, env))
        if i == 0:
            shutil.copyfile(copy, args.work / "linked.duckdb")
        copy.unlink()
    out["link_real"] = {
        "cmd": link_times[0]["cmd"].replace("link-0", "COPY"),
        "runs": len(link_times),
        "median_s": statistics.median(t["median_s"] for t in link_times),
        "peak_rss_mib": max(t["peak_rss_mib"] for t in link_times),
        "target_s": 60,
    }
    linked = args.work / "linked.duckdb"
    check = [icefacts(), "check", str(CLAIMS), "--db", str(linked)]
    out["check_real"] = {**runs(check, args.work / "m", args.runs, env), "target_s": 3}
    if args.synthetic is not None and args.synthetic.exists():
        syn = args.work / "synthetic.duckdb"
        if not syn.exists():
            shutil.copyfile(args.synthetic, syn)
        check = [icefacts(), "check", str(CLAIMS), "--db", str(syn)]
        out["check_synthetic_10m"] = {
            **runs(check, args.work / "m", args.runs, env),
            "target_s": 10,
        }
    base = out["startup"]["median_s"]
    for key in ("check_real", "check_synthetic_10m", "link_real"):
        if key in out:
            out[key]["over_startup"] = round(out[key]["median_s"] / base, 2)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"claims-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
