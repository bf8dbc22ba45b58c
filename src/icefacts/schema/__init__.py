"""One definition of every canonical table and field; DDL and docs derive from it."""

from icefacts.schema.fields import (
    COUNTING,
    EVENT_TABLES,
    PLACE_KEY_COLUMNS,
    PLACED_TABLES,
    PLACEMENT,
    PROVENANCE,
    QUALITY,
    Field,
    TableDef,
    table_def,
)

__all__ = [
    "COUNTING",
    "EVENT_TABLES",
    "PLACED_TABLES",
    "PLACEMENT",
    "PLACE_KEY_COLUMNS",
    "PROVENANCE",
    "QUALITY",
    "Field",
    "TableDef",
    "table_def",
]
