"""A first look at what a warehouse holds: arrests by AOR, custody and operations."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from icefacts.analysis.overlaps import counting_caveats
from icefacts.warehouse.engine import Engine


@dataclass
class ArrestSummary:
    by_aor: pa.Table  # aor, arrests, at_large, custodial, operation_flagged, share columns
    total: int
    at_large: int
    custodial: int
    with_method_class: int
    operation_flagged: int
    operation_known: int
    duplicates_flagged: int
    releases: list[str]
    caveats: pa.Table
    counting: list[tuple[str, str]]  # what the count-once rule did: (caveat code, sentence)

    @property
    def at_large_pct(self) -> float:
        """At-large arrests as a share of those with a custodial or at-large method, in %."""
        return 100 * self.at_large / self.with_method_class if self.with_method_class else 0.0

    @property
    def operation_pct(self) -> float:
        """Arrests flagged as part of an operation, of those where the flag is known, in %."""
        return 100 * self.operation_flagged / self.operation_known if self.operation_known else 0.0


def arrest_summary(engine: Engine, release_ids: list[str] | None = None) -> ArrestSummary:
    # the rows that count (each event once), of the given releases
    where = "WHERE counted"
    params: list[str] = []
    if release_ids:
        where += f" AND release_id IN ({', '.join('?' for _ in release_ids)})"
        params = list(release_ids)
    by_aor = engine.query(
        f"""
        SELECT coalesce(aor, '(blank)') AS aor,
               count(*) AS arrests,
               count(*) FILTER (WHERE at_large) AS at_large,
               count(*) FILTER (WHERE NOT at_large) AS custodial,
               round(100.0 * count(*) FILTER (WHERE at_large)
                     / nullif(count(at_large), 0), 1) AS at_large_pct,
               count(*) FILTER (WHERE operation_flag) AS operation_flagged,
               round(100.0 * count(*) FILTER (WHERE operation_flag)
                     / nullif(count(operation_flag), 0), 1) AS operation_pct
        FROM arrests_all {where}
        GROUP BY ALL ORDER BY arrests DESC, aor
        """,
        params,
    )
    totals = engine.query(
        f"""
        SELECT count(*) AS total,
               count(*) FILTER (WHERE at_large) AS at_large,
               count(*) FILTER (WHERE NOT at_large) AS custodial,
               count(at_large) AS classed,
               count(*) FILTER (WHERE operation_flag) AS op,
               count(operation_flag) AS op_known,
               list(DISTINCT release_id) AS releases,
               min(apprehension_date) AS first, max(apprehension_date) AS last
        FROM arrests_all {where}
        """,
        params,
    ).to_pylist()[0]
    caveats = engine.query(
        f"""
        SELECT r.file_name, v.table_name, v.check_name, v.field, v.failed, v.checked,
               round(100 * v.share, 3) AS pct, v.status, v.caveat
        FROM validation v JOIN releases r USING (release_id)
        WHERE v.caveat IS NOT NULL AND v.table_name = 'arrests'
          {"AND v.release_id IN (" + ", ".join("?" for _ in params) + ")" if params else ""}
        ORDER BY v.status, v.failed DESC
        """,
        params,
    )
    return ArrestSummary(
        by_aor=by_aor,
        total=totals["total"],
        at_large=totals["at_large"],
        custodial=totals["custodial"],
        with_method_class=totals["classed"],
        operation_flagged=totals["op"],
        operation_known=totals["op_known"],
        duplicates_flagged=int(
            engine.scalar(
                "SELECT count(*) FROM arrests_all WHERE shadowed_by IS NULL "
                "AND duplicate_of IS NOT NULL"
                + (f" AND release_id IN ({', '.join('?' for _ in params)})" if params else ""),
                params,
            )
            or 0
        ),
        releases=totals["releases"] or [],
        caveats=caveats,
        counting=(
            counting_caveats(engine, "arrests", totals["first"], totals["last"])
            if totals["first"]
            else []
        ),
    )
