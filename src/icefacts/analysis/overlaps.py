"""Which releases cover which tables, AORs and periods, which one counts, and whether releases
that hold the same days agree (``icefacts releases --overlaps``).

Read from the public views of what the counting step keeps (``release_coverage``,
``counting_cells``), so the report costs little however many rows the releases hold. A
*disagreement* is an AOR-month in which the release that counts and another release holding
the same kind of records (the whole table, or the same subset or part) give different numbers
of events over the days both cover; a subset (CAP records only) disagrees only when it holds
*more* events than the release that counts. Both are caveats: the counting rule picks one
release, it does not make the other wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from icefacts.warehouse.engine import Engine


@dataclass
class Overlaps:
    summary: pa.Table  # per table and AOR: releases, rows counted and set aside, disagreements
    coverage: pa.Table  # per table, AOR and release: what it covers, holds and counts
    comparisons: pa.Table  # per table, AOR and pair of releases on the same days
    disagreements: pa.Table  # per table, AOR, month and pair where the counts differ


def _scope_sql() -> str:
    """Per release and table: its scope, and the comparison *group* it belongs to. Releases
    that each hold a part of one production (UW v. DHS expedited and other removals, as two
    files) are compared together, as the whole table they make once every part is loaded."""
    return """
        WITH r AS (
            SELECT release_id, table_name, any_value(family) AS family,
                   min(period_start) AS period_start, max(period_end) AS period_end,
                   bool_and(aors IS NULL) AS all_aors, max(subset) AS subset,
                   max(part) AS part, count(DISTINCT part) AS parts_held,
                   max(parts_total) AS parts_total
            FROM release_coverage GROUP BY release_id, table_name
        ), g AS (
            SELECT *, CASE WHEN part IS NULL THEN release_id
                           ELSE concat_ws('|', family, period_start, period_end) END AS grp
            FROM r
        )
        SELECT g.*, w.whole, w.members
        FROM g JOIN (
            SELECT table_name, grp, bool_and(part IS NULL) OR sum(parts_held) >= max(parts_total)
                       AS whole,
                   string_agg(release_id, '+' ORDER BY release_id) AS members
            FROM g GROUP BY table_name, grp
        ) w USING (table_name, grp)"""


def pairs_sql(where: str) -> str:
    """Pairs (release that counts C, other release O) with the AOR-days both cover, and the
    events each holds there, by month."""
    return f"""
        WITH scope AS ({_scope_sql()}),
        pairs AS (
            SELECT DISTINCT c.table_name, c.aor, c.counted_by AS counting, so.members AS other
            FROM counting_cells c
            JOIN scope so ON so.release_id = c.release_id AND so.table_name = c.table_name
            WHERE NOT c.counted AND c.counted_by <> c.release_id AND {where}
        ),
        spans AS (
            SELECT p.*, greatest(sc.period_start, min(so.period_start)) AS lo,
                   least(sc.period_end, max(so.period_end)) AS hi,
                   CASE WHEN any_value(so.part) IS NOT NULL AND any_value(so.whole)
                        THEN coalesce(sc.subset, '') <> ''
                        ELSE coalesce(any_value(so.subset), any_value(so.part), '')
                             <> coalesce(sc.subset, sc.part, '') END AS narrower,
                   CASE WHEN any_value(so.part) IS NOT NULL AND any_value(so.whole)
                        THEN 'every part: ' || string_agg(DISTINCT so.part, ' + ')
                        ELSE coalesce(any_value(so.subset), any_value(so.part)) END
                       AS other_holds
            FROM pairs p
            JOIN scope sc ON sc.release_id = p.counting AND sc.table_name = p.table_name
            JOIN scope so ON so.members = p.other AND so.table_name = p.table_name
            GROUP BY p.table_name, p.aor, p.counting, p.other, sc.period_start, sc.period_end,
                     sc.subset, sc.part
        ),
        monthly AS (
            SELECT s.table_name, s.aor, s.counting, s.other, s.narrower, s.other_holds,
                   date_trunc('month', c.day)::DATE AS month,
                   coalesce(sum(c.events) FILTER (WHERE c.release_id = s.counting), 0)::BIGINT
                       AS counting_events,
                   coalesce(sum(c.events) FILTER (WHERE c.release_id <> s.counting), 0)::BIGINT
                       AS other_events
            FROM spans s JOIN counting_cells c ON c.table_name = s.table_name
                AND c.aor IS NOT DISTINCT FROM s.aor
                AND (c.release_id = s.counting
                     OR list_contains(string_split(s.other, '+'), c.release_id))
                AND (c.day IS NULL
                     OR c.day BETWEEN coalesce(s.lo, c.day) AND coalesce(s.hi, c.day))
            GROUP BY ALL
        )
        -- rows without a date (month NULL) are shown, never compared: no day to compare on
        SELECT *, month IS NOT NULL AND CASE WHEN narrower THEN other_events > counting_events
                       ELSE other_events <> counting_events END AS disagrees
        FROM monthly"""


def overlaps(engine: Engine, table: str | None = None) -> Overlaps:
    where = "c.table_name = $1" if table else "true"
    params = [table] if table else []
    coverage = engine.query(
        f"""
        WITH scope AS ({_scope_sql()}),
        held AS (
            SELECT c.table_name, c.aor, c.release_id, sum(c.rows)::BIGINT AS rows,
                   sum(c.rows) FILTER (WHERE c.counted) AS counted_rows,
                   sum(c.rows) FILTER (WHERE NOT c.counted) AS shadowed_rows,
                   list(DISTINCT c.counted_by ORDER BY c.counted_by)
                       FILTER (WHERE NOT c.counted) AS shadowed_by
            FROM counting_cells c WHERE {where} GROUP BY ALL
        )
        SELECT h.table_name, coalesce(h.aor, '(none)') AS aor, h.release_id, r.file_name,
               r.family, s.period_start, s.period_end,
               coalesce(s.subset, s.part, 'every record') AS holds,
               h.rows, coalesce(h.counted_rows, 0)::BIGINT AS counted_rows,
               coalesce(h.shadowed_rows, 0)::BIGINT AS shadowed_rows,
               coalesce(h.shadowed_by, []) AS shadowed_by,
               CASE WHEN coalesce(h.shadowed_rows, 0) = 0 THEN 'all its rows'
                    WHEN coalesce(h.counted_rows, 0) = 0 THEN 'none (another release counts)'
                    ELSE 'some days' END AS counts
        FROM held h JOIN releases r USING (release_id)
        LEFT JOIN scope s ON s.release_id = h.release_id AND s.table_name = h.table_name
        ORDER BY h.table_name, aor, s.period_start NULLS LAST, r.file_name
        """,
        params,
    )
    monthly = f"({pairs_sql(where)})"
    comparisons = engine.query(
        f"""
        SELECT m.table_name, coalesce(m.aor, '(none)') AS aor, m.counting,
               rc.file_name AS counting_file, m.other, ro.file_name AS other_file,
               coalesce(m.other_holds, 'every record') AS other_holds,
               min(m.month) AS first_month, max(m.month) AS last_month,
               sum(m.counting_events)::BIGINT AS counting_events,
               sum(m.other_events)::BIGINT AS other_events,
               count(*) AS months, count(*) FILTER (WHERE m.disagrees) AS months_disagreeing
        FROM {monthly} m
        JOIN releases rc ON rc.release_id = m.counting
        JOIN (
            SELECT s.members, string_agg(DISTINCT r.file_name, ' + ' ORDER BY r.file_name)
                AS file_name
            FROM ({_scope_sql()}) s JOIN releases r USING (release_id) GROUP BY s.members
        ) ro ON ro.members = m.other
        GROUP BY ALL ORDER BY 1, 2, 3, 5
        """,
        params,
    )
    disagreements = engine.query(
        f"""
        SELECT table_name, coalesce(aor, '(none)') AS aor, month, counting, counting_events,
               other, other_events, other_events - counting_events AS difference,
               CASE WHEN narrower THEN 'subset holds more than the release that counts'
                    ELSE 'same kind of records, different counts' END AS why
        FROM {monthly} WHERE disagrees ORDER BY 1, 2, 3, 4, 6
        """,
        params,
    )
    summary = _summary(engine, coverage, comparisons)
    return Overlaps(summary, coverage, comparisons, disagreements)


def _summary(engine: Engine, coverage: pa.Table, comparisons: pa.Table) -> pa.Table:
    engine.register("_overlaps_coverage", coverage)
    engine.register("_overlaps_comparisons", comparisons)
    try:
        return engine.query(
            """
            SELECT c.table_name AS "table", c.aor, count(*) AS releases,
                   sum(c.counted_rows)::BIGINT AS counted,
                   sum(c.shadowed_rows)::BIGINT AS set_aside,
                   coalesce(any_value(d.months), 0)::BIGINT AS months_differ
            FROM _overlaps_coverage c LEFT JOIN (
                SELECT table_name, aor, sum(months_disagreeing) AS months
                FROM _overlaps_comparisons GROUP BY ALL
            ) d USING (table_name, aor)
            GROUP BY ALL ORDER BY 1, 2
            """
        )
    finally:
        engine.unregister("_overlaps_coverage")
        engine.unregister("_overlaps_comparisons")


def window_caveats(engine: Engine, table: str, start: date, end: date) -> list[str]:
    """What the counting rule did in a window: rows of other releases set aside, copies not
    loaded, releases that disagree on AOR-months of the window. Sentences for users, each
    starting with its caveat code (``overlap_shadowed: ...``)."""
    return [f"{code}: {text}" for code, text in counting_caveats(engine, table, start, end)]


def counting_caveats(
    engine: Engine, table: str, start: date, end: date, aors: list[str] | None = None
) -> list[tuple[str, str]]:
    """:func:`window_caveats` as (caveat code, sentence) pairs (``aors``: in those AORs only;
    codes as the release vocabularies give them, letters only)."""

    out: list[tuple[str, str]] = []
    in_aors = ""
    if aors is not None:
        codes = tuple(a for a in aors if a.isalpha())
        listed = ", ".join(f"'{a}'" for a in codes) or "NULL"
        in_aors = f" AND aor IN ({listed})"
    where = f"(day IS NULL OR day BETWEEN $2 AND $3){in_aors}"
    row = engine.query(
        "SELECT coalesce(sum(rows) FILTER (WHERE NOT counted), 0)::BIGINT AS shadowed, "
        "count(DISTINCT release_id) FILTER (WHERE NOT counted) AS releases, "
        "count(DISTINCT release_id) FILTER (WHERE counted) AS counting "
        f"FROM counting_cells WHERE table_name = $1 AND {where}",
        [table, start, end],
    ).to_pylist()[0]
    if row["shadowed"]:
        out.append(
            (
                "overlap_shadowed",
                f"{row['shadowed']:,} {table} rows of {row['releases']} other release(s) fall "
                f"on days another release counts; they are kept in {table}_all, not counted "
                "(see `icefacts releases --overlaps`)",
            )
        )
    bad = engine.query(
        "SELECT count(*) AS months, count(DISTINCT aor) AS aors "
        f"FROM ({pairs_sql('c.table_name = $1')}) "
        f"WHERE disagrees AND month BETWEEN date_trunc('month', $2::DATE) AND $3{in_aors}",
        [table, start, end],
    ).to_pylist()[0]
    if bad["months"]:
        out.append(
            (
                "overlap_disagrees",
                f"releases holding the same days give different {table} counts in "
                f"{bad['months']} AOR-month(s) of this window ({bad['aors']} AOR(s)); the "
                "numbers here come from the release that counts each day "
                "(see `icefacts releases --overlaps`)",
            )
        )
    subset = (
        engine.query(
            "SELECT DISTINCT s.subset FROM counting_cells c JOIN release_coverage s "
            "ON s.release_id = c.release_id AND s.sheet_index = c.sheet_index "
            "AND s.table_name = c.table_name WHERE c.table_name = $1 AND c.counted "
            "AND s.subset IS NOT NULL AND (c.day IS NULL OR c.day BETWEEN $2 AND $3)"
            + in_aors.replace(" aor ", " c.aor "),
            [table, start, end],
        )
        .column("subset")
        .to_pylist()
    )
    for text in subset:
        out.append(
            (
                "release_subset",
                f"some days are counted from a release that holds only part of the records "
                f"({text}); no release of every record covers them",
            )
        )
    return out
