"""Load the places and policy tables into the warehouse and place every event.

Places tables are reference data: each load replaces them whole (``core_place_*``) behind
stable public views. Event placements live in ``link_places``, one row per distinct place
key per event table, and join back to events in the public views.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from icefacts.places.events import PLACE_KEY_FIELDS, PlaceIndex, place_key_sql, place_keys
from icefacts.places.landmarks import build_gazetteer
from icefacts.warehouse.store import Warehouse

# public view name -> physical table
PLACE_TABLES = {
    "states": "core_place_states",
    "counties": "core_place_counties",
    "county_population": "core_place_county_population",
    "aors": "core_place_aors",
    "county_aor": "core_place_county_aor",
    "aor_population": "core_place_aor_population",
    "facilities": "core_place_facilities",
    "city_counties": "core_place_city_counties",
    "agreements_287g": "core_place_agreements_287g",
    "ice_offices": "core_place_ice_offices",
    "policies": "core_policies",
}


def has_places(wh: Warehouse) -> bool:
    return bool(wh.columns("core_place_counties"))


def load_places(wh: Warehouse, tables: dict[str, pa.Table], sources: pa.Table) -> dict[str, int]:
    """Replace the places tables (one transaction) and re-place every event."""
    missing = set(PLACE_TABLES) - set(tables)
    if missing:
        raise ValueError(f"places tables missing: {sorted(missing)}")
    counts: dict[str, int] = {}
    with wh.load() as eng:
        for view, physical in PLACE_TABLES.items():
            eng.execute(f"DROP VIEW IF EXISTS {view}")
            eng.execute(f"DROP TABLE IF EXISTS {physical}")
            _create_from_arrow(wh, physical, tables[view])
            eng.execute(f"CREATE VIEW {view} AS SELECT * FROM {physical}")
            counts[view] = tables[view].num_rows
        eng.execute("DROP TABLE IF EXISTS reference_sources")
        _create_from_arrow(wh, "reference_sources", sources)
        eng.execute("DELETE FROM link_places")
        counts["link_places"] = _place_events(wh)
    return counts


def _create_from_arrow(wh: Warehouse, name: str, data: pa.Table) -> None:
    rel = wh.con.from_arrow(data)
    rel.create(name)


def index_from_warehouse(wh: Warehouse) -> PlaceIndex:
    q = wh.engine.query
    counties = q("SELECT * FROM core_place_counties")
    county_aor = q("SELECT * FROM core_place_county_aor")
    facilities = q("SELECT * FROM core_place_facilities")
    cities = q("SELECT * FROM core_place_city_counties")
    offices = q("SELECT * FROM core_place_ice_offices")
    population = q("SELECT * FROM core_place_county_population")
    gaz = build_gazetteer(counties, county_aor, facilities, cities, offices, population)
    return PlaceIndex.build(gaz, counties, facilities, cities)


def place_new_events(wh: Warehouse) -> int:
    """Place the distinct place keys no placement covers yet (after an ingest)."""
    if not has_places(wh):
        return 0
    return _place_events(wh)


def _place_events(wh: Warehouse) -> int:
    index: PlaceIndex | None = None
    added = 0
    for table, fields in PLACE_KEY_FIELDS.items():
        cols = ", ".join(fields)
        keys = wh.engine.query(
            f"SELECT DISTINCT {cols} FROM _events_{table} e "
            f"WHERE NOT EXISTS (SELECT 1 FROM link_places p "
            f"WHERE p.place_key = {place_key_sql(table, 'e')})"
        )
        if keys.num_rows == 0:
            continue
        index = index or index_from_warehouse(wh)
        placed = place_keys(table, keys, index)
        placed = placed.append_column(
            "placed_at", pa.array([datetime.now(UTC).replace(tzinfo=None)] * placed.num_rows)
        )
        # distinct fields can still give one key twice ('' vs NULL): keep one
        placed = placed.group_by(["table_name", "place_key"], use_threads=False).aggregate(
            [(c, "first") for c in placed.column_names if c not in ("table_name", "place_key")]
        )
        placed = placed.rename_columns([c.removesuffix("_first") for c in placed.column_names])
        wh.engine.load_arrow("link_places", placed)
        added += placed.num_rows
    return added
