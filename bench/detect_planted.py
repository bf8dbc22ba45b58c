"""Surge detection on synthetic national arrests: planted operations found, their sizes
against the reported intervals, and false alarms where nothing was planted.

For each seed: ``icefacts synth --families A --tables arrests`` with the operations given
(none: the false-alarm run), ingest, then ``operations detect`` for every AOR over the year
(measures ``operation_flagged``, ``at_large``, ``arrests``) and ``operation`` over each
planted window. A planted operation is *found* by a reported operation overlapping its days
with one of its AORs (the one sharing most AORs); *covered* when that operation holds all of
them; *captured* is the share of the planted count (of the measure, ``truth.json``'s
``by_aor_day``) on the days of that operation's episodes in the planted AORs, and that count
is *inside* when it lies in the operation's ``excess_low..excess_high`` (below or above
otherwise). Reported operations overlapping no planted one are false alarms.

    python bench/detect_planted.py --rows 60000 --seeds 1-40 \\
        --plant 2017-02-05:2017-02-08:NYC,CHI,LOS,DEN,PHI:300 --plant 2017-06-13:2017-06-15:SEA:45
    python bench/detect_planted.py --rows 60000 --seeds 1-20        # nothing planted
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEASURES = ("operation_flagged", "at_large", "arrests")


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def _overlaps(o: dict, op: dict) -> bool:
    s, e = date.fromisoformat(op["start"]), date.fromisoformat(op["end"])
    return o["start"] <= e and o["end"] >= s and bool(set(o["aors"]) & set(op["aors"]))


def one_seed(rows: int, seed: int, plants: list[str], work: Path) -> dict:
    from icefacts import api

    out = Path(tempfile.mkdtemp(prefix=f"seed{seed}-", dir=work))
    try:
        truth = api.synth(out, rows=rows, seed=seed, families=["A"], tables=["arrests"],
                          operations=plants)  # fmt: skip
        planted = truth.get("operations", [])
        # AOR-years: the field offices' AORs (HQ's few rows a year are scanned too)
        n_aors = len(
            [a for a in truth["tables"]["A"]["arrests"]["by_aor"] if a not in ("HQ", "null")]
        )
        res: dict = {"seed": seed, "aors": n_aors, "measures": {}, "operation": []}
        with api.open_warehouse(out / "w.duckdb") as wh:
            api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
            for op in planted:
                q = api.operation_question(
                    start=date.fromisoformat(op["start"]),
                    end=date.fromisoformat(op["end"]),
                    aors=tuple(op["aors"]),
                )
                total = api.operation(wh, q).table.to_pylist()[-1]
                w = op["window"]
                res["operation"].append(
                    {
                        "exact": all(total[m] == w[m] for m in MEASURES),
                        "inside": total["arrests_excess_low"]
                        <= op["size"]
                        <= total["arrests_excess_high"],
                    }
                )
            for m in MEASURES:
                answer = api.detect(wh, api.detect_question(measure=m))
                found = answer.table.to_pylist()
                episodes = answer.tables["episodes"].to_pylist()
                per_op = []
                for op in planted:
                    hits = [o for o in found if _overlaps(o, op)]
                    if not hits:
                        per_op.append({"found": False})
                        continue
                    best = max(
                        hits, key=lambda o: (len(set(o["aors"]) & set(op["aors"])), o["excess"])
                    )
                    mine = [
                        e
                        for e in episodes
                        if e["aor"] in set(op["aors"]) & set(best["aors"])
                        and best["start"] <= e["start"] <= best["end"]
                    ]
                    count = 0
                    for e in mine:
                        d = e["start"]
                        while d <= e["end"]:
                            cell = op["by_aor_day"].get(e["aor"], {}).get(d.isoformat(), {})
                            count += cell.get(m, 0)
                            d += timedelta(days=1)
                    side = (
                        "inside"
                        if best["excess_low"] <= count <= best["excess_high"]
                        else ("below" if count < best["excess_low"] else "above")
                    )
                    per_op.append(
                        {
                            "found": True,
                            "covered": set(op["aors"]) <= set(best["aors"]),
                            "extra_aors": len(set(best["aors"]) - set(op["aors"])),
                            "captured": count / op[m] if op[m] else 1.0,
                            "interval": side,
                            "rank": best["rank"],
                        }
                    )
                others = [o for o in found if not any(_overlaps(o, op) for op in planted)]
                res["measures"][m] = {
                    "planted": per_op,
                    "top": sorted(p.get("rank", 0) for p in per_op)
                    == list(range(1, len(planted) + 1)),
                    "false_alarms": len(others),
                    "false_multi_aor": sum(o["n_aors"] > 1 for o in others),
                    "false_max_excess": max((o["excess"] for o in others), default=0.0),
                    "planted_min_excess": min(
                        (o["excess"] for o in found if o not in others), default=None
                    ),
                }
        return res
    finally:
        shutil.rmtree(out, ignore_errors=True)


def summarise(runs: list[dict], plants: list[str]) -> dict:
    aor_years = sum(r["aors"] for r in runs)
    out: dict = {"seeds": len(runs), "aor_years": aor_years, "measures": {}}
    for m in MEASURES:
        ms = [r["measures"][m] for r in runs]
        false = sum(x["false_alarms"] for x in ms)
        entry: dict = {
            "false_alarms": false,
            "false_alarms_per_aor_year": round(false / aor_years, 3),
            "false_multi_aor": sum(x["false_multi_aor"] for x in ms),
            "false_max_excess": max(x["false_max_excess"] for x in ms),
        }
        if plants:
            entry["planted_top"] = sum(x["top"] for x in ms)
            entry["operations"] = []
            for k, spec in enumerate(plants):
                ps = [x["planted"][k] for x in ms]
                got = [p for p in ps if p["found"]]
                entry["operations"].append(
                    {
                        "plant": spec,
                        "found": len(got),
                        "covered": sum(p["covered"] for p in got),
                        "with_other_aors": sum(p["extra_aors"] > 0 for p in got),
                        "captured_min": round(min((p["captured"] for p in got), default=0), 3),
                        "interval": dict(Counter(p["interval"] for p in got)),
                    }
                )
        out["measures"][m] = entry
    if plants:
        ops = [o for r in runs for o in r["operation"]]
        out["operation_report"] = {
            "windows": len(ops),
            "counts_exact": sum(o["exact"] for o in ops),
            "size_inside_arrests_interval": sum(o["inside"] for o in ops),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--seeds", default="1-20", help="a range, e.g. 1-40")
    ap.add_argument("--plant", action="append", default=[], help="START:END:AORS:SIZE[:NAME]")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()
    t0 = time.perf_counter()
    runs = [one_seed(args.rows, s, args.plant, args.work) for s in _seeds(args.seeds)]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "seeds": args.seeds,
        "plants": args.plant,
        "summary": summarise(runs, args.plant),
        "seconds": round(time.perf_counter() - t0, 1),
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = args.out / f"detect-planted-{stamp}.json"
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(json.dumps(result["summary"], indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
