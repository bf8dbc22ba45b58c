"""The finest counts behind a published answer, for small-cell suppression.

A page or report shows totals, parts and series that overlap: an AOR's window count, its
at-large part, the daily counts that add up to it, the total row. Whether a suppressed cell
can be recovered depends on how they overlap, so publish mode protects them together, as
sums over the cells this module counts: events counted once, grouped by the dimensions asked
(place, day, apprehension method class, operation flag, ...), under the same selection as
the answer (places, releases, policy counties). Nothing here is shown to anyone.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pyarrow as pa

from icefacts.analysis.selection import Selection, candidates, place_filter, policy_counties
from icefacts.errors import InputError
from icefacts.policies import Registry
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse.engine import Reader
from icefacts.warehouse.export import fiscal_year_sql

Dim = Literal[
    "aor",
    "state",
    "county",
    "day",
    "week",
    "week_part",
    "month",
    "year",
    "fiscal_year",
    "method",
    "flagged",
    "placed",
]
# a dimension -> its SQL over a row of the table ({d}: the table's date field)
DIM_SQL: dict[str, str] = {
    "aor": "aor",
    "state": "state",
    "county": "county_fips",
    "day": "{d}",
    "week": "CAST(date_trunc('week', {d}) AS DATE)",  # weeks start on Monday, as trend's
    # a week cut at the first of a month: weeks, months and fiscal years are unions of them
    "week_part": "CAST(greatest(date_trunc('week', {d}), date_trunc('month', {d})) AS DATE)",
    "month": "CAST(date_trunc('month', {d}) AS DATE)",
    "year": "year({d})",
    "fiscal_year": fiscal_year_sql("{d}"),
    "method": (
        "CASE WHEN at_large THEN 'at_large' WHEN NOT at_large THEN 'custodial' "
        "ELSE 'other_method' END"
    ),
    "flagged": "coalesce(operation_flag, false)",
    "placed": "county_fips IS NOT NULL",
}
ARRESTS_ONLY = {"method", "flagged"}


class CellsQuestion(Selection):
    table: Literal["arrests", "detainers", "encounters", "detentions", "removals"] = "arrests"
    dims: tuple[Dim, ...]
    start: date | None = None
    end: date | None = None


def count_cells(engine: Reader, q: CellsQuestion, registry: Registry | None = None) -> pa.Table:
    """Events counted once per combination of ``q.dims`` (columns named as the dims, and
    ``n``), in [start, end] and the places of ``q``."""
    if q.table != "arrests" and (ARRESTS_ONLY & set(q.dims) or q.releases or q.policy):
        raise InputError(f"{', '.join(sorted(ARRESTS_ONLY))} are dimensions of arrests only")
    d = EVENT_TABLES[q.table].date_field
    cols = ", ".join(f"{DIM_SQL[dim].format(d=d)} AS {dim}" for dim in q.dims)
    where = ["duplicate_of IS NULL"]
    if q.table == "arrests":
        in_policy = policy_counties(engine, q, registry) if q.policy else None
        source = candidates(q)
        where.append(place_filter(q, in_policy))
    else:
        source = f"(SELECT * FROM {q.table}_all WHERE shadowed_by IS NULL)"
        where.append(place_filter(q))
    if q.start is not None:
        where.append(f"{d} >= DATE '{q.start.isoformat()}'")
    if q.end is not None:
        where.append(f"{d} <= DATE '{q.end.isoformat()}'")
    group = "GROUP BY ALL" if q.dims else ""
    sql = f"SELECT {cols}{', ' if cols else ''}count(*) AS n FROM {source} e " + (
        f"WHERE {' AND '.join(where)} {group}"
    )
    return engine.query(sql)
