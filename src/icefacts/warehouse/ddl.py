"""DDL derived from ``icefacts.schema``: tables, views and bookkeeping tables."""

from __future__ import annotations

from icefacts.schema import EVENT_TABLES, PROVENANCE, TableDef
from icefacts.schema.fields import QUALITY

SCHEMA_VERSION = 1

BOOKKEEPING = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS releases (
        release_id VARCHAR PRIMARY KEY,
        family VARCHAR, family_letter VARCHAR, foia VARCHAR,
        file_name VARCHAR, file_path VARCHAR, sha256 VARCHAR, bytes BIGINT,
        tables VARCHAR[], rows_per_sheet MAP(VARCHAR, BIGINT), rows BIGINT,
        title VARCHAR, period_start DATE, period_end DATE, maturity VARCHAR,
        synthetic BOOLEAN, load_id VARCHAR, ingested_at TIMESTAMP, tool_version VARCHAR,
        seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS raw_sheets (
        release_id VARCHAR, sheet_index INTEGER, sheet VARCHAR, status VARCHAR,
        table_name VARCHAR, header_row INTEGER, title VARCHAR, headers VARCHAR[],
        column_map MAP(VARCHAR, VARCHAR[]), unmapped VARCHAR[], rows BIGINT,
        blank_rows BIGINT, note VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS validation (
        release_id VARCHAR, table_name VARCHAR, check_name VARCHAR, field VARCHAR,
        checked BIGINT, failed BIGINT, share DOUBLE, max_share DOUBLE, status VARCHAR,
        caveat VARCHAR, detail VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS field_stats (
        release_id VARCHAR, table_name VARCHAR, field VARCHAR, rows BIGINT,
        missing BIGINT, redacted BIGINT, unknown BIGINT, unparsed BIGINT)""",
    """CREATE TABLE IF NOT EXISTS unknown_values (
        release_id VARCHAR, table_name VARCHAR, field VARCHAR, value VARCHAR, n BIGINT)""",
]


def core_name(table: str) -> str:
    return f"core_{table}"


def create_core(tdef: TableDef) -> str:
    cols = [
        *(f"{f.name} {f.type}" for f in PROVENANCE),
        *(f"{f.name} {f.type}" for f in tdef.fields),
        *(f"{f.name} {f.type}" for f in tdef.derived),
        *(f"{f.name} {f.type}" for f in QUALITY),
        "extra MAP(VARCHAR, VARCHAR)",
    ]
    body = ",\n  ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {core_name(tdef.name)} (\n  {body}\n)"


def redacted_fields_expr(tdef: TableDef) -> str:
    parts = [
        f"CASE WHEN (redacted_mask >> {i}) & 1 = 1 THEN '{f.name}' END"
        for i, f in enumerate(tdef.fields)
    ]
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)"


def unknown_fields_expr(tdef: TableDef) -> str:
    parts = [
        f"CASE WHEN (unknown_mask >> {i}) & 1 = 1 THEN '{f.name}' END"
        for i, f in enumerate(tdef.fields)
        if f.kind.startswith("code:")
    ]
    if not parts:
        return "[]::VARCHAR[]"
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)"


def create_view(tdef: TableDef) -> str:
    cols = [
        *(f.name for f in PROVENANCE),
        *(f.name for f in tdef.fields),
        *(f.name for f in tdef.derived),
        "duplicate_of",
        "out_of_period",
        f"{redacted_fields_expr(tdef)} AS redacted_fields",
        f"{unknown_fields_expr(tdef)} AS unknown_fields",
        "unparsed",
        "extra",
    ]
    return (
        f"CREATE OR REPLACE VIEW {tdef.name} AS SELECT {', '.join(cols)} "
        f"FROM {core_name(tdef.name)}"
    )


def all_statements() -> list[str]:
    out = list(BOOKKEEPING)
    for tdef in EVENT_TABLES.values():
        out.append(create_core(tdef))
        out.append(create_view(tdef))
    return out
