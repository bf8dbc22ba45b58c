"""Publication safety: small-cell suppression so no count from 1 to k-1 can be read or worked
out from what a report shows (see :mod:`icefacts.publish.suppress`)."""

from icefacts.publish.suppress import (
    FLAG_SUFFIX,
    SUPPRESSED_MARKER,
    Exposure,
    Grid,
    GridProtection,
    Protection,
    Status,
    as_matrix,
    audit,
    format_suppressed,
    primary_marker,
    protect,
    protect_column,
    protect_grid,
    protect_tables,
    protect_windows,
    suppress_table,
)

__all__ = [
    "FLAG_SUFFIX",
    "SUPPRESSED_MARKER",
    "Exposure",
    "Grid",
    "GridProtection",
    "Protection",
    "Status",
    "as_matrix",
    "audit",
    "format_suppressed",
    "primary_marker",
    "protect",
    "protect_column",
    "protect_grid",
    "protect_tables",
    "protect_windows",
    "suppress_table",
]
