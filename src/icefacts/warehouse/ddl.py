"""DDL derived from ``icefacts.schema``: tables, views and bookkeeping tables."""

from __future__ import annotations

from icefacts.schema import EVENT_TABLES, PROVENANCE, Field, TableDef
from icefacts.schema.fields import QUALITY

SCHEMA_VERSION = 2  # 2: link_places keys start with the table name

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
    """CREATE TABLE IF NOT EXISTS link_places (
        table_name VARCHAR, place_key VARCHAR, county_fips VARCHAR, state VARCHAR,
        place_method VARCHAR, place_confidence VARCHAR, place_note VARCHAR,
        placed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS unknown_values (
        release_id VARCHAR, table_name VARCHAR, field VARCHAR, value VARCHAR, n BIGINT)""",
]


# event_id: a stable function of (release, sheet position, row). release_id is the file's
# content hash, so the same bytes always give the same ids, on any machine.
def event_id_sql(alias: str = "") -> str:
    p = f"{alias}." if alias else ""
    return f"{p}release_id || '-' || {p}source_sheet_index || '-' || {p}source_row"


STORAGE_PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("release_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_sheet", "VARCHAR"),
    ("source_sheet_index", "SMALLINT"),
    ("source_row", "INTEGER"),
)
STORAGE_PROVENANCE = tuple(f"{n} {t}" for n, t in STORAGE_PROVENANCE_COLUMNS)


def core_name(table: str, family: str | None = None) -> str:
    """``core_<table>`` is the full-width template; ``core_<table>__<family>`` holds rows."""
    if family is None:
        return f"core_{table}"
    return f"core_{table}__{family.replace('-', '_')}"


def family_fields(tdef: TableDef, mapped: set[str]) -> list[Field]:
    """The canonical fields a family's physical table stores (what its releases can fill)."""
    if "birth_date" in mapped and "birth_year" in tdef.names:
        mapped = mapped | {"birth_year"}
    out = [f for f in tdef.fields if f.name in mapped]
    if "method" in mapped:
        out += list(tdef.derived)
    return out


def create_core(tdef: TableDef, family: str | None = None, mapped: set[str] | None = None) -> str:
    """Physical table. Each family gets its own narrow table: DuckDB pays for every column
    it writes, NULL or not, so a 9-column release should not write 40 empty columns."""
    fields = (
        [*tdef.fields, *tdef.derived] if family is None else family_fields(tdef, mapped or set())
    )
    cols = [
        *STORAGE_PROVENANCE,
        *(f"{f.name} {f.type}" for f in fields),
        *(f"{f.name} {f.type}" for f in QUALITY),
        "extra MAP(VARCHAR, VARCHAR)",
    ]
    body = ",\n  ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {core_name(tdef.name, family)} (\n  {body}\n)"


def redacted_fields_expr(tdef: TableDef) -> str:
    parts = [
        f"CASE WHEN (e.redacted_mask >> {i}) & 1 = 1 THEN '{f.name}' END"
        for i, f in enumerate(tdef.fields)
    ]
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)"


def unknown_fields_expr(tdef: TableDef) -> str:
    parts = [
        f"CASE WHEN (e.unknown_mask >> {i}) & 1 = 1 THEN '{f.name}' END"
        for i, f in enumerate(tdef.fields)
        if f.kind.startswith("code:")
    ]
    if not parts:
        return "[]::VARCHAR[]"
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)"


def storage_columns(tdef: TableDef) -> list[tuple[str, str]]:
    """(name, type) of the full-width template table, in order."""
    return [
        *STORAGE_PROVENANCE_COLUMNS,
        *((f.name, f.type) for f in (*tdef.fields, *tdef.derived, *QUALITY)),
        ("extra", "MAP(VARCHAR, VARCHAR)"),
    ]


def create_view(tdef: TableDef, family_tables: dict[str, set[str]] | None = None) -> list[str]:
    """``_events_<table>``: the union of family tables; ``<table>``: the public view with
    every canonical column and, for placed tables, where each event happened and how we know.

    ``family_tables`` maps each physical family table to the columns it has; the union names
    every column explicitly (NULL for those a family lacks)."""
    from icefacts.places.events import PLACE_KEY_FIELDS, place_key_sql

    columns = storage_columns(tdef)
    sources = {core_name(tdef.name): {c for c, _ in columns}, **(family_tables or {})}
    union = " UNION ALL ".join(
        "SELECT "
        + ", ".join(c if c in have else f"NULL::{t} AS {c}" for c, t in columns)
        + f" FROM {name}"
        for name, have in sources.items()
    )
    internal = f"CREATE OR REPLACE VIEW _events_{tdef.name} AS {union}"
    placed = tdef.name in PLACE_KEY_FIELDS
    state_col = "state" if "state" in tdef.names else None

    def col(name: str) -> str:
        if placed and name == state_col:
            return "coalesce(e.state, p.state) AS state"
        return f"e.{name}"

    cols = [
        f"{event_id_sql('e')} AS event_id",
        *(f"e.{f.name}" for f in PROVENANCE if f.name != "event_id"),
        *(col(f.name) for f in tdef.fields),
        *(f"e.{f.name}" for f in tdef.derived),
    ]
    if placed:
        released = [f for f in ("state", "facility_state") if f in tdef.names]
        placed_state = (
            f"coalesce({', '.join(f'e.{f}' for f in released)}, p.state)" if released else "p.state"
        )
        cols += [
            "p.county_fips",
            f"{placed_state} AS place_state",
            *([] if state_col else [f"{placed_state} AS state"]),
            "coalesce(p.place_method, CASE WHEN e.aor IS NOT NULL THEN 'aor_only' END) "
            "AS place_method",
            "coalesce(p.place_confidence, CASE WHEN e.aor IS NOT NULL THEN 'none' END) "
            "AS place_confidence",
            "p.place_note",
        ]
    cols += [
        "e.duplicate_of",
        "e.out_of_period",
        f"{redacted_fields_expr(tdef)} AS redacted_fields",
        f"{unknown_fields_expr(tdef)} AS unknown_fields",
        "e.unparsed",
        "e.extra",
    ]
    body = f"SELECT {', '.join(cols)} FROM _events_{tdef.name} e"
    if placed:
        # the key carries the table name: no constant predicate in ON (see place_key_sql)
        body += f" LEFT JOIN link_places p ON p.place_key = {place_key_sql(tdef.name, 'e')}"
    return [internal, f"CREATE OR REPLACE VIEW {tdef.name} AS {body}"]


def all_statements(
    family_tables: dict[str, dict[str, set[str]]] | None = None,
) -> list[str]:
    out = list(BOOKKEEPING)
    for tdef in EVENT_TABLES.values():
        out.append(create_core(tdef))
        out.extend(create_view(tdef, (family_tables or {}).get(tdef.name)))
    return out
