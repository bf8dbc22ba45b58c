"""One definition of every canonical table and field; DDL and docs derive from it."""

from icefacts.schema.fields import (
    EVENT_TABLES,
    PROVENANCE,
    Field,
    TableDef,
    table_def,
)

__all__ = ["EVENT_TABLES", "PROVENANCE", "Field", "TableDef", "table_def"]
