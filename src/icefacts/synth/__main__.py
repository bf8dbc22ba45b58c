"""``python -m icefacts.synth OUT_DIR [--rows N] [--seed S] [--families A,C] [--sheet-rows N]``.

Writes a synthetic release and prints the time each file took (for benchmarking).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from icefacts.synth import generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m icefacts.synth", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", default="A,C")
    ap.add_argument("--sheet-rows", type=int, default=1_048_575)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    done: dict[str, float] = {}  # file -> time its last rows were written

    def progress(name: str, rows: int) -> None:
        done[name] = time.perf_counter()

    truth = generate(
        args.out_dir,
        rows=args.rows,
        seed=args.seed,
        families=tuple(f for f in args.families.split(",") if f),
        sheet_rows=args.sheet_rows,
        progress=progress,
    )
    previous = started
    for name, t in done.items():
        print(f"  {name}: {t - previous:.1f}s")
        previous = t
    n = sum(f["rows"] for f in truth["files"].values())
    print(f"wrote {len(truth['files'])} files, {n:,} rows in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
