"""Start-up of the command line, whole process as a user runs it (the trust issue's targets:
``icefacts --version`` and ``--help`` under 0.4 s, ``icefacts sql "select 1"`` under 0.7 s).

Each command runs ``--runs`` times in turn with the baseline, ``python -c pass`` (the
interpreter alone, the same venv), through ``bench/measure.py``; the medians, the best and
each command's ratio to the baseline are written to ``bench/results/startup-*.json``.
``sql`` needs a warehouse: ``--db`` (default: the demo's, ``icefacts.duckdb``, or an empty
new one in a temporary folder).

    .venv/bin/python bench/startup_bench.py [--runs 9] [--db W.duckdb]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csv_bench import machine
from measure import measure

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            demo = ROOT / "icefacts.duckdb"
            db = demo if demo.exists() else Path(tmp) / "empty.duckdb"
        if not db.exists():  # an empty warehouse: what `sql` opens is the point, not its data
            make = f"from icefacts import api; api.open_warehouse({str(db)!r}).close()"
            measure([str(VENV / "python"), "-c", make], Path(tmp))
        commands = {
            "python -c pass (baseline)": [str(VENV / "python"), "-c", "pass"],
            "icefacts --version": [str(VENV / "icefacts"), "--version"],
            "icefacts --help": [str(VENV / "icefacts"), "--help"],
            'icefacts sql "select 1"': [str(VENV / "icefacts"), "sql", "--db", str(db), "select 1"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                got = measure(cmd, Path(tmp))
                if got["exit_code"] != 0:
                    raise SystemExit(f"{name}: exit {got['exit_code']}: {got['stderr'][-300:]}")
                times[name].append(got["wall_s"])
    base = statistics.median(times["python -c pass (baseline)"])
    result = {
        "bench": "startup",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "runs": args.runs,
        "commands": {
            name: {
                "median_s": round(statistics.median(t), 3),
                "best_s": round(min(t), 3),
                "worst_s": round(max(t), 3),
                "x_baseline": round(statistics.median(t) / base, 2),
            }
            for name, t in times.items()
        },
    }
    out = ROOT / "bench" / "results" / f"startup-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, r in result["commands"].items():
        print(f"{name:<32} median {r['median_s']:.3f} s  best {r['best_s']:.3f} s")
    print(f"wrote {out}")


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "80")
    main()
