"""Duplicate rules, as SQL the warehouse runs over one release's rows. Flag, never delete.

Rules (a family declares one per table in ``family.yaml``; callers may override):

``episode_24h``  Current-layout arrests. Per person, records sorted by time (reprocessed
    arrests last among equal times) form a chain; a record more than 24 hours after the
    previous one starts a new episode. The episode's first row is its earliest record that is
    not an ``ERO Reprocessed Arrest`` (else its earliest record); every other row gets
    ``duplicate_of`` = that row's ``event_id``.
``same_person_date``  Same person and the same calendar date of the table's main date: all
    rows but the first in source order are flagged.
``exact_row``  Rows identical in every canonical field (provenance aside).
``none``  Nothing is flagged. The national LESA extracts use it: with birth dates redacted and
    no person id, identical rows are separate arrests as often as not.
"""

from __future__ import annotations

from icefacts.release_specs import vocab
from icefacts.schema import TableDef
from icefacts.warehouse.ddl import event_id_sql

RULES = ("none", "episode_24h", "same_person_date", "exact_row")


def _reprocessed_sql(column: str) -> str:
    """TRUE for methods the method vocabulary classes as ``reprocessed`` (re-entries of an
    existing arrest), compared the way vocabulary lookups are (case and spacing folded)."""
    voc = vocab("method")
    values = sorted(raw for raw, custody in voc.mapping.items() if custody == "reprocessed")
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"coalesce(lower(trim(regexp_replace({column}, '\\s+', ' ', 'g'))) IN ({listed}), false)"


EVENT_ID = event_id_sql()


def _update(core: str, firsts_sql: str) -> str:
    return (
        f"UPDATE {core} SET duplicate_of = f.first_id "
        f"FROM ({firsts_sql} QUALIFY first_id <> event_id) f "
        f"WHERE {core}.release_id = f.release_id "
        f"AND {core}.source_sheet_index = f.source_sheet_index "
        f"AND {core}.source_row = f.source_row"
    )


def _people_seen_twice(core: str) -> str:
    """Rows of release ``$1`` whose person has more than one row in it (only those can be
    duplicates; skipping the rest makes the windows below a fraction of the work)."""
    return (
        f"FROM {core} SEMI JOIN (SELECT person_id FROM {core} WHERE release_id = $1 "
        "AND person_id IS NOT NULL GROUP BY person_id HAVING count(*) > 1) m USING (person_id) "
        "WHERE release_id = $1"
    )


def _time_expr(tdef: TableDef, columns: set[str]) -> str:
    date_field, ts_field = tdef.date_field, tdef.time_field
    if ts_field and ts_field in columns:
        return f"coalesce({ts_field}, CAST({date_field} AS TIMESTAMP))"
    return f"CAST({date_field} AS TIMESTAMP)"


def flag_sql(
    rule: str, tdef: TableDef, core: str, columns: set[str], date_field: str | None = None
) -> str | None:
    """SQL flagging duplicates among the rows of release ``$1`` (one parameter), or None.
    ``columns`` are the physical table's columns (a release may lack times or methods)."""
    if rule == "none":
        return None
    if "person_id" not in columns and rule in ("episode_24h", "same_person_date"):
        return None
    ids = f"release_id, source_sheet_index, source_row, {EVENT_ID} AS event_id"
    if rule == "episode_24h":
        ts = _time_expr(tdef, columns)
        reproc = _reprocessed_sql("method") if "method" in columns else "false"
        order = "ts, reproc, source_sheet_index, source_row"
        firsts = f"""
            WITH base AS (
                SELECT {ids}, person_id, {ts} AS ts, {reproc} AS reproc
                {_people_seen_twice(core)}
            ), chained AS (
                SELECT *, CASE WHEN lag(ts) OVER w IS NULL
                               OR ts - lag(ts) OVER w > INTERVAL 24 HOUR THEN 1 ELSE 0 END AS new_ep
                FROM base WHERE ts IS NOT NULL
                WINDOW w AS (PARTITION BY person_id ORDER BY {order})
            ), episodes AS (
                SELECT *, sum(new_ep) OVER (PARTITION BY person_id ORDER BY {order}
                                            ROWS UNBOUNDED PRECEDING) AS episode
                FROM chained
            )
            SELECT release_id, source_sheet_index, source_row, event_id,
                   first_value(event_id) OVER (
                       PARTITION BY person_id, episode
                       ORDER BY reproc, ts, source_sheet_index, source_row
                   ) AS first_id
            FROM episodes"""
        return _update(core, firsts)
    if rule == "same_person_date":
        d = date_field or tdef.date_field
        firsts = f"""
            SELECT *, first_value(event_id) OVER (
                PARTITION BY person_id, CAST({d} AS DATE) ORDER BY source_sheet_index, source_row
            ) AS first_id
            FROM (SELECT {ids}, person_id, {d} {_people_seen_twice(core)} AND {d} IS NOT NULL)"""
        return _update(core, firsts)
    if rule == "exact_row":
        cols = ", ".join(f.name for f in tdef.fields if f.name in columns)
        firsts = f"""
            SELECT {ids}, first_value({EVENT_ID}) OVER (
                PARTITION BY {cols} ORDER BY source_sheet_index, source_row
            ) AS first_id
            FROM {core} WHERE release_id = $1"""
        return _update(core, firsts)
    raise ValueError(f"unknown duplicate rule {rule!r}; known: {', '.join(RULES)}")
