"""Load the reference tables (places, 287(g) lists, the policy registry) into the warehouse.

They are reference data: each load replaces them whole (``core_place_*``, ``core_policies``)
behind stable public views (``counties``, ``county_aor``, ``agreements_287g``, ...), which are
what analyses read. Placing the events with them is a link step (``link/placement.py``).
"""

from __future__ import annotations

import pyarrow as pa

from icefacts.warehouse.engine import Engine

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


def replace_places(eng: Engine, tables: dict[str, pa.Table], sources: pa.Table) -> dict[str, int]:
    """Replace the places tables (inside the caller's transaction). Returns rows per table."""
    missing = set(PLACE_TABLES) - set(tables)
    if missing:
        raise ValueError(f"places tables missing: {sorted(missing)}")
    counts: dict[str, int] = {}
    for view, physical in PLACE_TABLES.items():
        eng.execute(f"DROP VIEW IF EXISTS {view}")
        eng.execute(f"DROP TABLE IF EXISTS {physical}")
        eng.create_table(physical, tables[view])
        eng.execute(f"CREATE VIEW {view} AS SELECT * FROM {physical}")
        counts[view] = tables[view].num_rows
    eng.execute("DROP TABLE IF EXISTS reference_sources")
    eng.create_table("reference_sources", sources)
    return counts
