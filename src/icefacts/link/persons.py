"""Linking a person's events within one production, by the person id it gives (docs/linking.md).

The current person-level releases (family C: arrests, detainers, encounters, detention stints,
removals, one file each) carry an anonymized identifier that is the same person across the
tables of one production (family and FOIA number). For every production this builds
``link_person_events``: each event of a person in date order (encounter, arrest, detainer,
book-in, removal on the same day in that order), the step before it and the days since, and
``prior_removal``: a removal or departure of the same person dated before the event.

What is stored is per event (its place in its person's chain, the step before, the days since,
whether a removal came first): no id and no key joining a person's events, so this table
cannot retell what happened to one person; answers count events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icefacts.release_specs import families
from icefacts.schema import EVENT_TABLES

if TYPE_CHECKING:
    from icefacts.warehouse.engine import Engine, Reader

# the order of steps on one day
STEPS = ("encounters", "arrests", "detainers", "detentions", "removals")


def _person_families() -> list[str]:
    return sorted(f.id for f in families() if f.person_level)


def _sources(engine: Reader) -> list[str]:
    """One SELECT per table holding person ids: event, release, person, day, departure."""
    out = []
    fams = ", ".join(f"'{f}'" for f in _person_families()) or "NULL"
    for step, table in enumerate(STEPS):
        tdef = EVENT_TABLES[table]
        if not engine.has_table(f"{table}_all"):
            continue
        cols = {
            r["column_name"]
            for r in engine.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [f"{table}_all"],
            ).to_pylist()
        }
        if "person_id" not in cols:
            continue
        departed = "departed_date" if "departed_date" in cols else "NULL::DATE"
        out.append(
            f"""
            SELECT e.event_id, e.release_id, r.family, r.foia, e.person_id,
                   e.{tdef.date_field} AS day, {departed} AS departed, '{table}' AS table_name,
                   {step} AS step
            FROM {table}_all e JOIN releases r USING (release_id)
            WHERE e.duplicate_of IS NULL AND e.person_id IS NOT NULL
              AND r.family IN ({fams})
            """
        )
    return out


def build_person_links(engine: Engine) -> dict[str, int]:
    """Rebuild ``link_person_events`` from the stored rows (the caller's transaction):
    productions, people and events linked."""
    engine.execute("DELETE FROM link_person_events")
    sources = _sources(engine)
    if not sources:
        return {"productions": 0, "people": 0, "events": 0}
    union = " UNION ALL ".join(sources)
    engine.execute(
        f"""
        INSERT INTO link_person_events BY NAME
        WITH ev AS ({union}),
        keyed AS (
            SELECT *, family || '|' || coalesce(foia, '') AS production,
                   min(CASE WHEN table_name = 'removals' THEN day END)
                       OVER (PARTITION BY family, foia, person_id) AS first_removal,
                   min(departed) OVER (PARTITION BY family, foia, person_id) AS first_departure
            FROM ev
        ),
        ordered AS (
            SELECT *,
                   row_number() OVER w AS seq,
                   lag(table_name) OVER w AS previous_step,
                   day - lag(day) OVER w AS days_since_previous
            FROM keyed
            WINDOW w AS (PARTITION BY production, person_id ORDER BY day NULLS LAST, step,
                         event_id)
        )
        SELECT production, family, release_id, table_name, event_id, seq, day,
               previous_step, days_since_previous,
               coalesce(first_removal < day OR first_departure < day, false) AS prior_removal
        FROM ordered
        """
    )
    row = engine.query(
        "SELECT count(DISTINCT production) AS productions, "
        "count(*) FILTER (WHERE seq = 1) AS people, count(*) AS events "
        "FROM link_person_events"
    ).to_pylist()[0]
    return {k: int(v) for k, v in row.items()}


def releases_with_chains(engine: Reader) -> set[str]:
    """The releases whose events are in ``link_person_events`` (prior removal is known)."""
    if not engine.has_table("link_person_events"):
        return set()
    if engine.read_only and "releases_with_chains" in engine.memo:
        return set(engine.memo["releases_with_chains"])
    found = set(
        engine.query("SELECT DISTINCT release_id FROM link_person_events").column(0).to_pylist()
    )
    if engine.read_only:  # it cannot change while the reader is open
        engine.memo["releases_with_chains"] = found
    return found
