"""DDL derived from ``icefacts.schema``: tables, views and bookkeeping tables."""

from __future__ import annotations

from icefacts.schema import (
    COUNTING,
    EVENT_TABLES,
    PLACE_KEY_COLUMNS,
    PLACEMENT,
    PROVENANCE,
    QUALITY,
    Field,
    TableDef,
)

SCHEMA_VERSION = 4  # 3: stored placements and counting columns, release scopes, copies;
# 4: public views of release coverage and counting cells (views only)

BOOKKEEPING = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS releases (
        release_id VARCHAR PRIMARY KEY,
        family VARCHAR, family_letter VARCHAR, foia VARCHAR,
        file_name VARCHAR, file_path VARCHAR, sha256 VARCHAR, bytes BIGINT,
        tables VARCHAR[], rows_per_sheet MAP(VARCHAR, BIGINT), rows BIGINT,
        title VARCHAR, period_start DATE, period_end DATE, maturity VARCHAR,
        synthetic BOOLEAN, load_id VARCHAR, ingested_at TIMESTAMP, tool_version VARCHAR,
        seconds DOUBLE, copy_of VARCHAR[])""",
    """CREATE TABLE IF NOT EXISTS raw_sheets (
        release_id VARCHAR, sheet_index INTEGER, sheet VARCHAR, status VARCHAR,
        table_name VARCHAR, header_row INTEGER, title VARCHAR, headers VARCHAR[],
        column_map MAP(VARCHAR, VARCHAR[]), unmapped VARCHAR[], rows BIGINT,
        blank_rows BIGINT, note VARCHAR, fingerprint VARCHAR, copy_of VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS validation (
        release_id VARCHAR, table_name VARCHAR, check_name VARCHAR, field VARCHAR,
        checked BIGINT, failed BIGINT, share DOUBLE, max_share DOUBLE, status VARCHAR,
        caveat VARCHAR, detail VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS field_stats (
        release_id VARCHAR, table_name VARCHAR, field VARCHAR, rows BIGINT,
        missing BIGINT, redacted BIGINT, unknown BIGINT, unparsed BIGINT)""",
    """CREATE TABLE IF NOT EXISTS unknown_values (
        release_id VARCHAR, table_name VARCHAR, field VARCHAR, value VARCHAR, n BIGINT)""",
    # what each release holds: per table and sheet, the AORs (NULL = every AOR), the period,
    # whether it is a subset (e.g. CAP arrests only) or one of the parts a table comes in;
    # the counting rule (link/counting.py) reads these
    """CREATE TABLE IF NOT EXISTS release_scope (
        release_id VARCHAR, family VARCHAR, table_name VARCHAR, sheet_index INTEGER,
        aors VARCHAR[], period_start DATE, period_end DATE, period_source VARCHAR,
        subset VARCHAR, part VARCHAR, parts_total INTEGER, has_aor BOOLEAN, maturity VARCHAR,
        rows BIGINT)""",
    # rows of each loaded sheet per AOR and counting day, and the release that counts there
    """CREATE TABLE IF NOT EXISTS link_cells (
        table_name VARCHAR, release_id VARCHAR, sheet_index INTEGER, aor VARCHAR, day DATE,
        rows BIGINT, events BIGINT, counted_by VARCHAR, counted BOOLEAN)""",
    # one row per distinct set of location fields of a table, and where it places events
    f"""CREATE TABLE IF NOT EXISTS link_places (
        place_id BIGINT, table_name VARCHAR,
        {", ".join(f"{c} VARCHAR" for c in PLACE_KEY_COLUMNS)},
        county_fips VARCHAR, place_state VARCHAR, place_method VARCHAR,
        place_confidence VARCHAR, place_note VARCHAR, placed_at TIMESTAMP)""",
    """CREATE OR REPLACE VIEW placements AS SELECT * FROM link_places""",
    # record linkage across releases that share no id (link/records.py): the pairs, with
    # their evidence, and each run (icefacts link)
    """CREATE TABLE IF NOT EXISTS link_pairs (
        run_id VARCHAR, table_name VARCHAR, left_release VARCHAR, left_event VARCHAR,
        right_release VARCHAR, right_event VARCHAR, match_probability DOUBLE,
        match_weight DOUBLE, agreement VARCHAR, assigned BOOLEAN, left_profile VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS link_runs (
        run_id VARCHAR, table_name VARCHAR, left_release VARCHAR, right_release VARCHAR,
        left_rows BIGINT, right_rows BIGINT, pairs BIGINT, assigned BIGINT,
        by_threshold VARCHAR, fields VARCHAR[], tool_version VARCHAR, linked_at TIMESTAMP,
        seconds DOUBLE)""",
    """CREATE OR REPLACE VIEW record_links AS SELECT run_id, table_name, left_release,
        left_event, right_release, right_event, match_probability, match_weight, agreement,
        assigned, left_profile FROM link_pairs""",
    """CREATE OR REPLACE VIEW link_summary AS SELECT * FROM link_runs""",
    # per event of a person-level release: its place in its person's chain within the
    # production (by the release's person id, which is not kept here), the step before, the
    # days since, and whether a removal came before (link/persons.py)
    """CREATE TABLE IF NOT EXISTS link_person_events (
        production VARCHAR, family VARCHAR, release_id VARCHAR, table_name VARCHAR,
        event_id VARCHAR, seq BIGINT, day DATE, previous_step VARCHAR,
        days_since_previous BIGINT, prior_removal BOOLEAN)""",
    # the chains in aggregate: how often one step follows another, and how long after
    """CREATE OR REPLACE VIEW chain_steps AS SELECT production, previous_step AS from_step,
        table_name AS to_step, count(*) AS events,
        median(days_since_previous) AS median_days,
        quantile_cont(days_since_previous, 0.25) AS days_p25,
        quantile_cont(days_since_previous, 0.75) AS days_p75
        FROM link_person_events GROUP BY ALL""",
    # the counting step's bookkeeping, read by analyses (which read public views only)
    """CREATE OR REPLACE VIEW release_coverage AS SELECT release_id, family, table_name,
        sheet_index, aors, period_start, period_end, period_source, subset, part, parts_total,
        has_aor, maturity, rows FROM release_scope""",
    """CREATE OR REPLACE VIEW counting_cells AS SELECT table_name, release_id, sheet_index,
        aor, day, rows, events, counted_by, counted FROM link_cells""",
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
        *(f"{f.name} {f.type}" for f in link_fields(tdef)),
    ]
    body = ",\n  ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {core_name(tdef.name, family)} (\n  {body}\n)"


def link_fields(tdef: TableDef) -> tuple[Field, ...]:
    """Columns the link steps keep on every row: placement (placed tables) and counting."""
    return (*(PLACEMENT if tdef.placed else ()), *COUNTING)


def count_day_sql(tdef: TableDef, columns: set[str], alias: str = "") -> str:
    """The day a row is counted on (``TableDef.count_dates``), from the columns it has."""
    p = f"{alias}." if alias else ""
    have = [f"{p}{c}" for c in tdef.count_dates if c in columns]
    if not have:
        return "NULL::DATE"
    return have[0] if len(have) == 1 else f"coalesce({', '.join(have)})"


def _mask_fields_expr(mask: str, bits: list[tuple[int, str]]) -> str:
    """The names of the fields whose bit is set in ``mask``: one constant list of names
    filtered by one lambda over (name, position) (every query through a view binds this, used
    or not: two lambdas over two lists cost 1.7 ms a query, this 0.6 ms)."""
    if not bits:
        return "[]::VARCHAR[]"
    names = "[" + ", ".join(f"'{name}'" for _, name in bits) + "]"
    if [i for i, _ in bits] == list(range(len(bits))):
        bit = "(i - 1)"
    else:
        bit = "[" + ", ".join(str(i) for i, _ in bits) + "][i]"
    return f"list_filter({names}, lambda f, i: ((e.{mask} >> {bit}) & 1) = 1)"


def redacted_fields_expr(tdef: TableDef) -> str:
    return _mask_fields_expr("redacted_mask", [(i, f.name) for i, f in enumerate(tdef.fields)])


def unknown_fields_expr(tdef: TableDef) -> str:
    bits = [(i, f.name) for i, f in enumerate(tdef.fields) if f.kind.startswith("code:")]
    return _mask_fields_expr("unknown_mask", bits)


def storage_columns(tdef: TableDef) -> list[tuple[str, str]]:
    """(name, type) of the full-width template table, in order."""
    return [
        *STORAGE_PROVENANCE_COLUMNS,
        *((f.name, f.type) for f in (*tdef.fields, *tdef.derived, *QUALITY)),
        ("extra", "MAP(VARCHAR, VARCHAR)"),
        *((f.name, f.type) for f in link_fields(tdef)),
    ]


def create_view(tdef: TableDef, family_tables: dict[str, set[str]] | None = None) -> list[str]:
    """Three views per table:

    ``_events_<table>``  the union of the family tables (internal: the link steps read it);
    ``<table>_all``      every row of every release, with ``counted`` (this row counts: its
                         release counts its table, AOR and day, and it is not a duplicate) and
                         ``shadowed_by`` (the release that counts instead);
    ``<table>``          the rows that count: each event once, whatever releases hold it.

    Placement and counting are stored columns, so the views join nothing: an aggregate over
    ``<table>`` costs what it costs over the family tables. ``family_tables`` maps each
    physical family table to the columns it has; the union names every column (NULL for those
    a family lacks)."""
    columns = storage_columns(tdef)
    # the empty full-width template only when no family table exists yet: in a union with
    # family tables it stops DuckDB simplifying expressions over columns a family lacks
    # (GROUP BY state over arrests took 10x as long)
    sources = (
        dict(family_tables) if family_tables else {core_name(tdef.name): {c for c, _ in columns}}
    )
    union = " UNION ALL ".join(
        "SELECT "
        + ", ".join(c if c in have else f"NULL::{t} AS {c}" for c, t in columns)
        + f" FROM {name}"
        for name, have in sources.items()
    )
    internal = f"CREATE OR REPLACE VIEW _events_{tdef.name} AS {union}"
    state_col = "state" if "state" in tdef.names else None

    def col(name: str) -> str:
        if tdef.placed and name == state_col:
            return "coalesce(e.state, e.place_state) AS state"
        return f"e.{name}"

    cols = [
        f"{event_id_sql('e')} AS event_id",
        *(f"e.{f.name}" for f in PROVENANCE if f.name != "event_id"),
        *(col(f.name) for f in tdef.fields),
        *(f"e.{f.name}" for f in tdef.derived),
    ]
    if tdef.placed:
        cols += [
            "e.county_fips",
            "e.place_state",
            *([] if state_col else ["e.place_state AS state"]),
            "coalesce(e.place_method, CASE WHEN e.aor IS NOT NULL THEN 'aor_only' END) "
            "AS place_method",
            "coalesce(e.place_confidence, CASE WHEN e.aor IS NOT NULL THEN 'none' END) "
            "AS place_confidence",
            "e.place_id",
        ]
    cols += [
        "e.duplicate_of",
        "e.out_of_period",
        f"{redacted_fields_expr(tdef)} AS redacted_fields",
        f"{unknown_fields_expr(tdef)} AS unknown_fields",
        "e.unparsed",
        "e.extra",
    ]
    everything = [
        *cols,
        "e.shadowed_by",
        "(e.shadowed_by IS NULL AND e.duplicate_of IS NULL) AS counted",
    ]
    body_all = f"SELECT {', '.join(everything)} FROM _events_{tdef.name} e"
    counted = (
        f"SELECT {', '.join(cols)} FROM _events_{tdef.name} e "
        "WHERE e.shadowed_by IS NULL AND e.duplicate_of IS NULL"
    )
    return [
        internal,
        f"CREATE OR REPLACE VIEW {tdef.name}_all AS {body_all}",
        f"CREATE OR REPLACE VIEW {tdef.name} AS {counted}",
    ]


def all_statements(
    family_tables: dict[str, dict[str, set[str]]] | None = None,
) -> list[str]:
    out = list(BOOKKEEPING)
    for tdef in EVENT_TABLES.values():
        out.append(create_core(tdef))
        out.extend(create_view(tdef, (family_tables or {}).get(tdef.name)))
    return out
