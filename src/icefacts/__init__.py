"""icefacts: make ICE enforcement records answerable."""

__version__ = "0.1.0"

from icefacts.api import (
    field_stats,
    ingest,
    open_warehouse,
    releases,
    sql,
    validation_report,
)

__all__ = [
    "__version__",
    "field_stats",
    "ingest",
    "open_warehouse",
    "releases",
    "sql",
    "validation_report",
]
