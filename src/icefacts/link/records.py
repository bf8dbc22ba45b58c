"""Linking the same events across releases that share no id: probabilistic record linkage
(Fellegi-Sunter, with Splink on DuckDB), one-to-one, with its evidence (docs/linking.md).

The national FY2016-2019 files, the UW v. DHS production and the CAP extract all hold
Seattle-AOR arrests, without an id in common. For each pair of releases holding the same
table, AORs and days (one counts there, the other is set aside: ``counting_cells``):

1. both sides' rows of the days and AORs they share are read from ``arrests_all``;
2. pairs are formed within blocks of the same day and AOR, and compared on the fields both
   releases hold: method, citizenship, gender, landmark (exact, or close by Jaro-Winkler),
   processing disposition and birth year where released, and the day itself (the evidence
   kept with each pair is each field's match weight: how much its agreement, or not, moved
   the pair's odds);
3. the model is trained without labels: u (how often unrelated rows agree) from random pairs,
   m (how often a true pair does) by expectation maximisation within the day's blocks; the
   day's own m, which no pass blocked on it can learn, is set (2% of true pairs a day
   apart) rather than learned over pairs of the whole year, where EM drifts;
4. each pair gets a match probability; a one-to-one assignment takes the most probable pairs
   first (ties by event ids, so that it is the same on every run);
5. the pairs are stored in ``link_pairs`` with their evidence (the agreement level of each
   field) and the run in ``link_runs``: rows on each side, pairs, and how many rows link at
   each probability threshold.

Rows identical on every compared field (three arrests at the same jail on the same day, of
the same country and gender) cannot be told apart by any linkage: ``left_profile`` marks
them, so that an answer can treat their assignment as exchangeable (bounds, not a guess).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from icefacts._version import __version__

if TYPE_CHECKING:
    from icefacts.warehouse.engine import Engine, Reader

THRESHOLDS = (0.5, 0.8, 0.9, 0.95)
# compared where both releases hold the field (``field_stats``); the day is compared too
COMPARED = ("method", "citizenship", "gender", "landmark", "processing_disposition", "birth_year")
MIN_PROBABILITY = 0.01  # pairs below this are not kept
# a pair as linked, and the run's columns added to it (the columns of link_pairs)
PAIRS = pa.schema(
    [
        ("left_event", pa.string()),
        ("right_event", pa.string()),
        ("match_probability", pa.float64()),
        ("match_weight", pa.float64()),
        ("agreement", pa.string()),
        ("assigned", pa.bool_()),
        ("left_profile", pa.string()),
    ]
)
RUN_COLUMNS = [
    pa.field(n, pa.string()) for n in ("run_id", "table_name", "left_release", "right_release")
]


@dataclass
class LinkRun:
    run_id: str
    table: str
    left: str  # the release that counts
    right: str  # the release set aside beside it
    left_rows: int
    right_rows: int
    fields: list[str]
    pairs: int = 0
    assigned: int = 0
    by_threshold: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def rates(self) -> dict[str, dict[str, float]]:
        """Per threshold, the share of each side's rows that link."""
        return {
            t: {
                "left": n / self.left_rows if self.left_rows else 0.0,
                "right": n / self.right_rows if self.right_rows else 0.0,
            }
            for t, n in self.by_threshold.items()
        }


def overlapping(engine: Reader, table: str = "arrests") -> list[tuple[str, str]]:
    """(counting release, set-aside release) pairs holding rows of the same AOR and day."""
    rows = engine.query(
        """
        SELECT DISTINCT w.counted_by AS left_release, c.release_id AS right_release
        FROM counting_cells c
        JOIN counting_cells w ON w.table_name = c.table_name AND w.aor = c.aor
          AND w.day = c.day AND w.counted AND w.release_id = w.counted_by
        WHERE c.table_name = ? AND NOT c.counted AND c.release_id <> w.counted_by
        ORDER BY 1, 2
        """,
        [table],
    ).to_pylist()
    return [(r["left_release"], r["right_release"]) for r in rows]


def _fields(engine: Reader, left: str, right: str, table: str) -> list[str]:
    held = engine.query(
        "SELECT release_id, list(DISTINCT field) AS fields FROM field_stats "
        "WHERE table_name = ? AND release_id IN (?, ?) GROUP BY release_id",
        [table, left, right],
    ).to_pylist()
    have = {r["release_id"]: set(r["fields"] or []) for r in held}
    both = have.get(left, set()) & have.get(right, set())
    return [f for f in COMPARED if f in both]


def _side(engine: Reader, release: str, other: str, table: str, fields: list[str]) -> pa.Table:
    """A release's rows on the AORs and days the other release also holds."""
    cols = "".join(
        ", upper(trim(landmark)) AS landmark" if f == "landmark" else f", {f}" for f in fields
    )
    return engine.query(
        f"""
        SELECT a.event_id AS unique_id, a.apprehension_date AS day, a.aor{cols}
        FROM {table}_all a
        WHERE a.release_id = ? AND a.duplicate_of IS NULL AND a.apprehension_date IS NOT NULL
          AND EXISTS (
            SELECT 1 FROM counting_cells o WHERE o.table_name = ? AND o.release_id = ?
              AND o.aor = a.aor AND o.day = a.apprehension_date)
        ORDER BY a.event_id
        """,
        [release, table, other],
    )


def link_pair(
    engine: Reader, left: str, right: str, table: str = "arrests"
) -> tuple[LinkRun, pa.Table]:
    """Train, predict and assign one-to-one for one pair of releases (nothing is written)."""
    started = time.perf_counter()
    fields = _fields(engine, left, right, table)
    lrows = _side(engine, left, right, table, fields)
    rrows = _side(engine, right, left, table, fields)
    run_id = hashlib.sha256(f"{table}|{left}|{right}|{__version__}".encode()).hexdigest()[:16]
    run = LinkRun(run_id, table, left, right, lrows.num_rows, rrows.num_rows, fields)
    if not lrows.num_rows or not rrows.num_rows:
        run.seconds = time.perf_counter() - started
        return run, _empty_pairs()
    predicted = _predict(lrows, rrows, fields)
    pairs = _assign(predicted, lrows)
    run.pairs = pairs.num_rows
    assigned = [p for p in pairs.to_pylist() if p["assigned"]]
    run.assigned = len(assigned)
    run.by_threshold = {
        f"{t:g}": sum(1 for p in assigned if p["match_probability"] >= t) for t in THRESHOLDS
    }
    run.seconds = time.perf_counter() - started
    for f, value in zip(RUN_COLUMNS, (run_id, table, left, right), strict=True):
        pairs = pairs.append_column(f, pa.array([value] * pairs.num_rows, f.type))
    return run, pairs


def _predict(left: pa.Table, right: pa.Table, fields: list[str]) -> pa.Table:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    # the day is blocked on, so no pass of EM can learn how often a true pair's days differ:
    # it is set (a day apart in about 2% of pairs, as between the real releases); the
    # other fields' m are learned within the day's blocks
    comparisons: list[Any] = [cl.ExactMatch("day").configure(m_probabilities=[0.98, 0.02])]
    for f in fields:
        if f == "landmark":
            comparisons.append(cl.JaroWinklerAtThresholds("landmark", [0.92, 0.8]))
        else:
            comparisons.append(cl.ExactMatch(f))
    db = DuckDBAPI()  # its own in-memory database: the warehouse is never written by Splink
    sides = [
        db.register(left, table_name="left_rows"),
        db.register(right, table_name="right_rows"),
    ]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on("day", "aor")],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sides, settings, log_level=logging.ERROR)
    exact = block_on("day", "aor", *fields)
    linker.training.estimate_probability_two_random_records_match([exact], recall=0.8)
    # a fixed seed: the same links on every run
    linker.training.estimate_u_using_random_sampling(max_pairs=500_000, seed=20170924)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("day", "aor"))
    predicted = linker.inference.predict(threshold_match_probability=MIN_PROBABILITY)
    return predicted.as_pyarrow_table()


def _assign(predicted: pa.Table, left: pa.Table) -> pa.Table:
    """The pairs with their evidence, and a one-to-one assignment: most probable first,
    ties by event ids."""
    rows = predicted.to_pylist()
    for r in rows:  # the last bits vary with DuckDB's summation order: ties must not
        r["match_probability"] = round(float(r["match_probability"]), 10)
        r["match_weight"] = round(float(r["match_weight"]), 8)
    rows.sort(key=lambda r: (-r["match_probability"], r["unique_id_l"], r["unique_id_r"]))
    taken_l: set[str] = set()
    taken_r: set[str] = set()
    # the evidence: each field's match weight (Splink 5's mw_<field>; older versions name
    # the agreement level gamma_<field>)
    gammas = [c for c in predicted.column_names if c.startswith(("mw_", "gamma_"))]
    profiles = _profiles(
        left, [c for c in left.column_names if c not in ("unique_id", "day", "aor")]
    )
    out: dict[str, list[Any]] = {f.name: [] for f in PAIRS}
    for r in rows:
        chosen = r["unique_id_l"] not in taken_l and r["unique_id_r"] not in taken_r
        if chosen:
            taken_l.add(r["unique_id_l"])
            taken_r.add(r["unique_id_r"])
        out["left_event"].append(r["unique_id_l"])
        out["right_event"].append(r["unique_id_r"])
        out["match_probability"].append(float(r["match_probability"]))
        out["match_weight"].append(float(r["match_weight"]))
        out["agreement"].append(
            json.dumps(
                {
                    g.split("_", 1)[1]: round(r[g], 3) if isinstance(r[g], float) else r[g]
                    for g in gammas
                },
                sort_keys=True,
            )
        )
        out["assigned"].append(chosen)
        out["left_profile"].append(profiles.get(r["unique_id_l"]))
    return pa.table(out, schema=PAIRS)


def _profiles(left: pa.Table, fields: list[str]) -> dict[str, str]:
    """Event id -> a key of the row's compared values: the day, the AOR and the fields the
    run compares (rows with equal keys are indistinguishable to this linkage)."""
    cols = ["day", "aor", *fields]
    data = {c: left.column(c).to_pylist() for c in ["unique_id", *cols]}
    out = {}
    for i, uid in enumerate(data["unique_id"]):
        key = "|".join("" if data[c][i] is None else str(data[c][i]) for c in cols)
        out[uid] = hashlib.md5(key.encode()).hexdigest()[:16]
    return out


def _empty_pairs() -> pa.Table:
    return pa.schema([*PAIRS, *RUN_COLUMNS]).empty_table()


def store(engine: Engine, runs: list[tuple[LinkRun, pa.Table]]) -> None:
    """Replace the stored links of these runs' release pairs (in the caller's transaction),
    and drop links of releases no longer loaded: links are rebuilt whole, never patched."""
    engine.execute(
        "DELETE FROM link_pairs WHERE left_release NOT IN (SELECT release_id FROM releases) "
        "OR right_release NOT IN (SELECT release_id FROM releases)"
    )
    engine.execute(
        "DELETE FROM link_runs WHERE left_release NOT IN (SELECT release_id FROM releases) "
        "OR right_release NOT IN (SELECT release_id FROM releases)"
    )
    for run, pairs in runs:
        for table in ("link_pairs", "link_runs"):
            engine.execute(
                f"DELETE FROM {table} WHERE table_name = ? AND left_release = ? "
                "AND right_release = ?",
                [run.table, run.left, run.right],
            )
        if pairs.num_rows:
            engine.load_arrow("link_pairs", pairs)
        engine.execute(
            "INSERT INTO link_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.table,
                run.left,
                run.right,
                run.left_rows,
                run.right_rows,
                run.pairs,
                run.assigned,
                json.dumps(run.by_threshold),
                run.fields,
                __version__,
                datetime.now(),
                run.seconds,
            ],
        )


def link_all(
    engine: Engine,
    releases: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[LinkRun]:
    """Link every overlapping pair of arrests releases (or those naming ``releases``) and
    store the links (the caller's transaction)."""
    pairs = overlapping(engine)
    if releases:
        pairs = [p for p in pairs if p[0] in releases or p[1] in releases]
    done = []
    for left, right in pairs:
        if progress is not None:
            progress(f"{left} - {right}")
        done.append(link_pair(engine, left, right))
    if not releases:  # a whole relink: links of pairs that no longer overlap go too
        for table in ("link_pairs", "link_runs"):
            engine.execute(f"DELETE FROM {table}")
    store(engine, done)
    return [run for run, _ in done]
