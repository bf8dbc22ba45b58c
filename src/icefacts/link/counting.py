"""Count each event once, however many releases and formats hold it.

Two mechanisms (docs/counting.md says why and how, with the real releases as examples):

**Copies.** A sheet whose rows are, value for value, the rows of a sheet already loaded (the
same release as gzip or plain CSV, as xlsx, or per-sheet CSV files of a workbook) is a *copy*:
its fingerprint, a hash over the canonical values of every row (order does not matter;
provenance, layout, title rows and unmapped columns do not count), equals that sheet's. A copy
is registered in ``raw_sheets`` / ``releases.copy_of`` and its rows are not kept.

**Overlaps.** Releases that differ still overlap: the national FY2016-2019 extracts, the UW v.
DHS production and the CAP extract all hold Seattle-AOR arrests. Each release declares its
scope (``scope:`` in ``family.yaml``: AORs, a subset such as "CAP records only"; the period
its title rows state). For every table, AOR and day one release counts, by this precedence:

0. a real release before a synthetic one (``icefacts synth``): made-up rows never stand in
   for ICE's where a real release covers the cell, whatever their size;
1. a release covering every AOR before one covering a list of AORs;
2. a release holding every record before a subset (CAP only);
3. a release whose rows carry the AOR before one whose rows do not;
4. final before year-to-date before unknown maturity;
5. the more recent (later end of its period), then the longer period;
6. more rows in the table, then the release id (so the order of loading never matters).

A release counts a cell when it *covers* it (scope: AOR and period); a release with rows in a
cell that no release's scope covers counts there by the same order. A narrower release never
adds rows to a cell a wider one covers. Some releases give a table in disjoint *parts* (UW v.
DHS: expedited and other removals, on two sheets or in two files): parts never set each other
aside, and all the parts of one production together count as the whole table. So for the rows
of a release in a cell, the release that counts is the first of:

1. the best release holding every record whose scope covers the cell;
2. the best release holding every record with rows in the cell;
3. for a subset (CAP): the best complete set of parts of one production covering the cell;
4. the best release of the same subset or part whose scope covers the cell;
5. the best release of the same subset or part with rows in the cell;
6. beside the one chosen, every other piece of the same production whose rows do not overlap
   its (one release in several files: per-sheet CSVs, a file cut in two; ``find_mates``).

Rows without a date count unless every day of their sheet's period is covered by a release
that would set them aside. The rows of a release that does not count a cell stay in
``<table>_all`` with ``shadowed_by`` naming the one that does.
"""

from __future__ import annotations

import hashlib

import duckdb

from icefacts import release_specs
from icefacts.schema import EVENT_TABLES, TableDef
from icefacts.warehouse.ddl import core_name, count_day_sql
from icefacts.warehouse.engine import Engine

FINGERPRINT_VERSION = "1"
MATURITY_ORDER = {"final": 0, "ytd": 1}


def fingerprint_engine() -> str:
    """What the fingerprints depend on: DuckDB's hash function may change between versions,
    so a warehouse written with another version has its fingerprints computed again."""
    return f"{FINGERPRINT_VERSION}:duckdb-{duckdb.__version__}"


def content_fields(tdef: TableDef, columns: set[str]) -> list[str]:
    """The canonical fields of a sheet's rows that its fingerprint covers (what it holds)."""
    return sorted(f.name for f in tdef.fields if f.name in columns)


def sheet_fingerprint(
    engine: Engine,
    core: str,
    tdef: TableDef,
    fields: list[str],
    where: str,
    params: list[object],
) -> tuple[str, int]:
    """(fingerprint, rows) of the rows of ``core`` selected by ``where``: two 64-bit hashes of
    every row's canonical values (redaction flags and unparsed cells included) summed, so the
    order of rows does not matter, plus the row count and the list of fields."""
    values = ", ".join([*fields, "redacted_mask", "unparsed"])
    backwards = ", ".join([*reversed(fields), "unparsed", "redacted_mask", "'icefacts'"])
    row = engine.query(
        f"SELECT count(*) AS n, coalesce(sum(hash({values})), 0)::VARCHAR AS h1, "
        f"coalesce(sum(hash({backwards})), 0)::VARCHAR AS h2 FROM {core} WHERE {where}",
        params,
    ).to_pylist()[0]
    text = (
        f"{FINGERPRINT_VERSION}|{tdef.name}|{','.join(fields)}|{row['n']}|{row['h1']}|{row['h2']}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32], int(row["n"])


def find_copy(engine: Engine, fingerprint: str) -> str | None:
    """``release_id:sheet_index`` of a loaded sheet with this fingerprint, if any."""
    rows = engine.query(
        "SELECT release_id, sheet_index FROM raw_sheets WHERE fingerprint = ? "
        "AND status = 'loaded' ORDER BY release_id, sheet_index LIMIT 1",
        [fingerprint],
    ).to_pylist()
    return f"{rows[0]['release_id']}:{rows[0]['sheet_index']}" if rows else None


def record_cells(
    engine: Engine, tdef: TableDef, core: str, columns: set[str], release_id: str
) -> None:
    """Rows of one release per sheet, AOR and counting day, into ``link_cells``."""
    aor = "aor" if "aor" in columns else "NULL::VARCHAR"
    day = count_day_sql(tdef, columns)
    engine.execute(
        "DELETE FROM link_cells WHERE table_name = ? AND release_id = ?", [tdef.name, release_id]
    )
    engine.execute(
        f"INSERT INTO link_cells SELECT '{tdef.name}', release_id, source_sheet_index, "
        f"{aor} AS aor, {day} AS day, count(*), count(*) FILTER (WHERE duplicate_of IS NULL), "
        f"release_id, true FROM {core} WHERE release_id = ? GROUP BY ALL",
        [release_id],
    )


def _units(table: str) -> str:
    """The units that compete for cells: a release's whole table, or one part of it (UW v.
    DHS removals come as expedited and other removals), in precedence order (``rank`` 1
    first), with their scope facts."""
    return f"""
        SELECT *, subset IS NULL AND part IS NULL AS unf, subset IS NOT NULL AS is_subset,
               coalesce(subset, part, '') AS grp,
               row_number() OVER (ORDER BY synthetic ASC, all_aors DESC,
                   (subset IS NULL AND part IS NULL) DESC,
                   subset IS NULL DESC, has_aor DESC, maturity_order,
                   period_end DESC NULLS LAST, (period_end - period_start) DESC NULLS LAST,
                   rows DESC, release_id, part NULLS FIRST) AS rank
        FROM (
            SELECT release_id, part, bool_and(aors IS NULL) AS all_aors, max(subset) AS subset,
                   bool_or(has_aor) AS has_aor,
                   max(CASE maturity WHEN 'final' THEN 0 WHEN 'ytd' THEN 1 ELSE 2 END)
                       AS maturity_order,
                   max(period_end) AS period_end, min(period_start) AS period_start,
                   sum(rows) AS rows,
                   coalesce(bool_or(synthetic), FALSE) AS synthetic
            FROM release_scope LEFT JOIN (SELECT release_id, synthetic FROM releases)
                USING (release_id)
            WHERE table_name = '{table}' GROUP BY release_id, part
        )"""


def _productions(table: str) -> str:
    """Each unit of ``table`` with its *production key*: units with the same key are pieces
    of one production (the same family, stated period, scope, subset or part, fields and
    realness), as when one release comes in several files (per-sheet CSVs of a workbook, a
    national file cut in two). A period found from the data is not part of the key: pieces
    cut by date each span only their own days. Units whose sheets differ in fields get no key
    (their rows cannot be compared value for value)."""
    return f"""
        SELECT struct_pack(r := s.release_id, p := s.part) AS unit,
            CASE WHEN min(f.fields) = max(f.fields) THEN concat_ws('|',
                any_value(s.family), coalesce(max(s.subset), ''), coalesce(s.part, ''),
                CASE WHEN bool_and(s.period_source = 'stated')
                     THEN min(s.period_start)::VARCHAR || '..' || max(s.period_end)::VARCHAR
                     ELSE '' END,
                coalesce(array_to_string(list_sort(any_value(s.aors)), ','), '*'),
                coalesce(any_value(r.synthetic), FALSE)::VARCHAR, min(f.fields)) END AS pkey
        FROM release_scope s
        LEFT JOIN (SELECT release_id, synthetic FROM releases) r USING (release_id)
        LEFT JOIN (
            SELECT release_id, sheet_index, array_to_string(
                list_sort(list_distinct(flatten(map_values(column_map)))), ',') AS fields
            FROM raw_sheets) f ON f.release_id = s.release_id AND f.sheet_index = s.sheet_index
        WHERE s.table_name = '{table}'
        GROUP BY s.release_id, s.part"""


def find_mates(
    engine: Engine, table: str, physical: list[str], columns: dict[str, set[str]]
) -> None:
    """``_mates``: the cells (AOR, day) that two *overlapping* pieces of one production both
    have rows in. Two pieces overlap when, over all the cells they share, more than half of
    the smaller one's rows there are also the other's, value for value (counted as
    multisets): a copy of some days, a re-release. Pieces that do not are parts of one
    release (a national file cut in two, per-sheet CSVs of a workbook cut by row count) and
    count together, even where a day was cut in two or a row happens to repeat (FOIA files
    hold identical rows). Where two overlapping pieces share a cell, the one with more rows
    there counts it (then the better ranked)."""
    tdef = EVENT_TABLES[table]
    engine.execute("DROP TABLE IF EXISTS _mates")
    engine.execute(
        "CREATE TEMP TABLE _mates (aor VARCHAR, day DATE, "
        "a STRUCT(r VARCHAR, p VARCHAR), b STRUCT(r VARCHAR, p VARCHAR), common BIGINT, "
        "na BIGINT, nb BIGINT)"
    )
    pieces = f"""
        SELECT s.release_id, s.sheet_index, p.unit, p.pkey
        FROM release_scope s JOIN ({_productions(table)}) p ON p.unit.r = s.release_id
            AND p.unit.p IS NOT DISTINCT FROM s.part
        WHERE s.table_name = '{table}' AND p.pkey IS NOT NULL"""
    engine.execute("DROP TABLE IF EXISTS _mate_cells")
    engine.execute(
        "CREATE TEMP TABLE _mate_cells AS "
        f"WITH pc AS ({pieces}) "
        "SELECT c.aor, c.day, pc.pkey FROM link_cells c JOIN pc ON pc.release_id = c.release_id "
        f"AND pc.sheet_index = c.sheet_index WHERE c.table_name = '{table}' "
        "GROUP BY ALL HAVING count(DISTINCT pc.unit) >= 2"
    )
    if not int(engine.scalar("SELECT count(*) FROM _mate_cells") or 0):
        engine.execute("DROP TABLE IF EXISTS _mate_cells")
        return
    for core in physical:
        have = columns[core]
        values = ", ".join([*content_fields(tdef, have), "redacted_mask", "unparsed"])
        aor = "x.aor" if "aor" in have else "NULL::VARCHAR"
        day = count_day_sql(tdef, have, "x")
        engine.execute(
            f"""INSERT INTO _mates
            WITH pc AS ({pieces}),
            h AS (
                SELECT pc.unit, pc.pkey, {aor} AS aor, {day} AS day, hash({values}) AS h,
                       count(*) AS n
                FROM {core} x JOIN pc ON pc.release_id = x.release_id
                    AND pc.sheet_index = x.source_sheet_index
                SEMI JOIN _mate_cells m ON m.pkey = pc.pkey
                    AND m.aor IS NOT DISTINCT FROM {aor} AND m.day IS NOT DISTINCT FROM {day}
                GROUP BY ALL
            ),
            per_cell AS (SELECT unit, pkey, aor, day, sum(n) AS n FROM h GROUP BY ALL),
            common AS (
                SELECT a.aor, a.day, a.unit AS a, b.unit AS b, sum(least(a.n, b.n)) AS n
                FROM h a JOIN h b ON a.pkey = b.pkey AND a.h = b.h
                    AND a.aor IS NOT DISTINCT FROM b.aor AND a.day IS NOT DISTINCT FROM b.day
                    AND a.unit <> b.unit
                GROUP BY ALL
            ),
            shared AS (
                SELECT a.aor, a.day, a.unit AS a, b.unit AS b, a.n AS na, b.n AS nb,
                       coalesce(c.n, 0) AS common
                FROM per_cell a JOIN per_cell b ON a.pkey = b.pkey AND a.unit <> b.unit
                    AND a.aor IS NOT DISTINCT FROM b.aor AND a.day IS NOT DISTINCT FROM b.day
                LEFT JOIN common c ON c.a = a.unit AND c.b = b.unit
                    AND c.aor IS NOT DISTINCT FROM a.aor AND c.day IS NOT DISTINCT FROM a.day
            ),
            overlapping AS (
                SELECT a, b FROM shared GROUP BY a, b
                HAVING 2 * sum(common) > least(sum(na), sum(nb))
            )
            SELECT s.aor, s.day, s.a, s.b, s.common, s.na, s.nb
            FROM shared s SEMI JOIN overlapping o ON o.a = s.a AND o.b = s.b"""
        )
    engine.execute("DROP TABLE IF EXISTS _mate_cells")


def winners_sql(table: str) -> str:
    """For every (release, sheet, AOR, day) cell of ``table`` in ``link_cells``: the release
    that counts it and whether that is the cell's own (see the module docstring for the rule;
    the steps are numbered as there)."""
    t = f"'{table}'"
    covers = (
        "{d} BETWEEN cov.period_start AND cov.period_end "
        "AND (cov.aors IS NULL OR list_contains(cov.aors, {a}))"
    )
    return f"""
    WITH rk AS ({_units(table)}),
    sc AS (
        SELECT s.release_id, s.sheet_index, s.part, s.aors, s.period_start, s.period_end,
               s.parts_total, s.family || '|' || s.period_start || '|' || s.period_end AS prod,
               rk.rank, rk.unf, rk.is_subset, rk.grp,
               struct_pack(r := s.release_id, p := s.part) AS unit
        FROM release_scope s JOIN rk ON rk.release_id = s.release_id
            AND rk.part IS NOT DISTINCT FROM s.part
        WHERE s.table_name = {t}
    ),
    cov AS (SELECT * FROM sc WHERE period_start IS NOT NULL AND period_end IS NOT NULL),
    cells AS (
        SELECT c.release_id, c.sheet_index, c.aor, c.day, sc.rank, sc.unf, sc.is_subset,
               sc.grp, sc.unit
        FROM link_cells c JOIN sc ON sc.release_id = c.release_id
            AND sc.sheet_index = c.sheet_index
        WHERE c.table_name = {t}
    ),
    dated AS (SELECT * FROM cells WHERE day IS NOT NULL),
    keys AS (SELECT DISTINCT aor, day FROM dated),
    scov AS (
        SELECT k.aor, k.day, cov.unit, cov.rank, cov.unf, cov.grp, cov.part, cov.prod,
               cov.parts_total
        FROM keys k JOIN cov ON {covers.format(d="k.day", a="k.aor")}
    ),
    u_scope AS (SELECT aor, day, arg_min(unit, rank) AS w FROM scov WHERE unf GROUP BY ALL),
    u_hold AS (SELECT aor, day, arg_min(unit, rank) AS w FROM dated WHERE unf GROUP BY ALL),
    p_scope AS (
        SELECT aor, day, arg_min(w, rank) AS w FROM (
            SELECT aor, day, prod, arg_min(unit, rank) AS w, min(rank) AS rank,
                   count(DISTINCT part) AS n, max(parts_total) AS total
            FROM scov WHERE part IS NOT NULL GROUP BY aor, day, prod
        ) WHERE n >= total GROUP BY ALL
    ),
    g_scope AS (
        SELECT aor, day, grp, arg_min(unit, rank) AS w FROM scov WHERE NOT unf GROUP BY ALL
    ),
    g_hold AS (
        SELECT aor, day, grp, arg_min(unit, rank) AS w FROM dated WHERE NOT unf GROUP BY ALL
    ),
    dated_winners AS (
        SELECT c.release_id, c.sheet_index, c.aor, c.day, c.unit, c.rank,
               coalesce(us.w, uh.w, CASE WHEN c.is_subset THEN ps.w END, gs.w, gh.w) AS w
        FROM dated c
        LEFT JOIN u_scope us ON us.aor IS NOT DISTINCT FROM c.aor AND us.day = c.day
        LEFT JOIN u_hold uh ON uh.aor IS NOT DISTINCT FROM c.aor AND uh.day = c.day
        LEFT JOIN p_scope ps ON ps.aor IS NOT DISTINCT FROM c.aor AND ps.day = c.day
        LEFT JOIN g_scope gs ON gs.aor IS NOT DISTINCT FROM c.aor AND gs.day = c.day
            AND gs.grp = c.grp
        LEFT JOIN g_hold gh ON gh.aor IS NOT DISTINCT FROM c.aor AND gh.day = c.day
            AND gh.grp = c.grp
    ),
    undated AS (SELECT * FROM cells WHERE day IS NULL),
    spans AS (
        SELECT u.release_id, u.sheet_index, u.aor, u.rank, u.unf, u.is_subset, u.grp, u.unit,
               s.period_start AS lo, s.period_end AS hi
        FROM undated u JOIN release_scope s ON s.release_id = u.release_id
            AND s.sheet_index = u.sheet_index AND s.table_name = {t}
            AND s.period_start IS NOT NULL AND s.period_end IS NOT NULL
        UNION ALL
        SELECT u.release_id, u.sheet_index, u.aor, u.rank, u.unf, u.is_subset, u.grp, u.unit,
               min(d.day), max(d.day)
        FROM undated u JOIN dated d ON d.release_id = u.release_id
            AND d.sheet_index = u.sheet_index
        WHERE NOT EXISTS (
            SELECT 1 FROM release_scope s WHERE s.release_id = u.release_id
            AND s.sheet_index = u.sheet_index AND s.table_name = {t}
            AND s.period_start IS NOT NULL AND s.period_end IS NOT NULL)
        GROUP BY ALL
    ),
    span_days AS (
        SELECT DISTINCT release_id, sheet_index, aor, rank, unf, is_subset, grp, unit,
               unnest(generate_series(lo, hi, INTERVAL 1 DAY))::DATE AS d
        FROM spans
    ),
    better AS (
        SELECT sd.release_id, sd.sheet_index, sd.aor, sd.d, arg_min(cov.unit, cov.rank) AS w
        FROM span_days sd JOIN cov ON cov.unit IS DISTINCT FROM sd.unit
            AND {covers.format(d="sd.d", a="sd.aor")}
            AND ((cov.unf AND (NOT sd.unf OR cov.rank < sd.rank))
                 OR (NOT cov.unf AND cov.grp = sd.grp AND cov.rank < sd.rank))
        GROUP BY ALL
    ),
    p_days AS (
        SELECT release_id, sheet_index, aor, d, arg_min(w, rank) AS w FROM (
            SELECT sd.release_id, sd.sheet_index, sd.aor, sd.d, cov.prod,
                   arg_min(cov.unit, cov.rank) AS w, min(cov.rank) AS rank,
                   count(DISTINCT cov.part) AS n, max(cov.parts_total) AS total
            FROM span_days sd JOIN cov ON sd.is_subset AND cov.part IS NOT NULL
                AND {covers.format(d="sd.d", a="sd.aor")}
            GROUP BY ALL
        ) WHERE n >= total GROUP BY ALL
    ),
    undated_winners AS (
        SELECT u.release_id, u.sheet_index, u.aor, NULL::DATE AS day, u.unit, u.rank,
               CASE WHEN count(sd.d) > 0 AND count(coalesce(b.w, p.w)) = count(sd.d)
                    THEN arg_min(coalesce(b.w, p.w), sd.d) ELSE u.unit END AS w
        FROM undated u
        LEFT JOIN span_days sd ON sd.release_id = u.release_id
            AND sd.sheet_index = u.sheet_index AND sd.aor IS NOT DISTINCT FROM u.aor
        LEFT JOIN better b ON b.release_id = sd.release_id AND b.sheet_index = sd.sheet_index
            AND b.aor IS NOT DISTINCT FROM sd.aor AND b.d = sd.d
        LEFT JOIN p_days p ON p.release_id = sd.release_id AND p.sheet_index = sd.sheet_index
            AND p.aor IS NOT DISTINCT FROM sd.aor AND p.d = sd.d
        GROUP BY u.release_id, u.sheet_index, u.aor, u.unit, u.rank
    ),
    everything AS (SELECT * FROM dated_winners UNION ALL SELECT * FROM undated_winners),
    pk AS ({_productions(table)}),
    -- where two overlapping pieces of one production share a cell, the one with more rows
    -- there counts it (then the better ranked): a piece cut inside a day holds less of it
    beaten AS (
        SELECT m.a AS unit, m.aor, m.day, arg_max(m.b, m.nb) AS by
        FROM _mates m JOIN rk ra ON ra.release_id = m.a.r AND ra.part IS NOT DISTINCT FROM m.a.p
        JOIN rk rb ON rb.release_id = m.b.r AND rb.part IS NOT DISTINCT FROM m.b.p
        WHERE m.nb > m.na OR (m.nb = m.na AND rb.rank < ra.rank)
        GROUP BY ALL
    ),
    judged AS (
        SELECT e.*, pw.pkey = pu.pkey AS same_production, b.by AS beaten_by
        FROM everything e
        LEFT JOIN pk pu ON pu.unit = e.unit
        LEFT JOIN pk pw ON pw.unit = e.w
        LEFT JOIN beaten b ON b.unit = e.unit AND b.aor IS NOT DISTINCT FROM e.aor
            AND b.day IS NOT DISTINCT FROM e.day
    ),
    decided AS (
        SELECT *, beaten_by IS NULL AND (w IS NOT DISTINCT FROM unit OR same_production)
                      AS counts
        FROM judged
    )
    SELECT release_id, sheet_index, aor, day,
           CASE WHEN counts THEN unit.r WHEN beaten_by IS NOT NULL THEN beaten_by.r
                ELSE w.r END AS counted_by,
           counts AS counted
    FROM decided"""


def overlaps_others(engine: Engine, table: str, release_id: str) -> bool:
    """Whether a newly loaded release could share a cell with another release of the table:
    their spans (scope periods and dated rows) meet. When none does, every cell it holds is its
    own and nothing needs recounting (yearly national files, one after another)."""
    return bool(
        engine.scalar(
            """
            WITH spans AS (
                SELECT release_id, min(period_start) AS lo, max(period_end) AS hi
                FROM release_scope WHERE table_name = $1 GROUP BY release_id
                UNION ALL
                SELECT release_id, min(day), max(day) FROM link_cells
                WHERE table_name = $1 GROUP BY release_id
            ), mine AS (SELECT min(lo) AS lo, max(hi) AS hi FROM spans WHERE release_id = $2)
            SELECT count(*) FROM spans s, mine m
            WHERE s.release_id <> $2 AND (
                s.lo IS NULL OR m.lo IS NULL OR (s.lo <= m.hi AND m.lo <= s.hi))
            """,
            [table, release_id],
        )
    )


def recount(engine: Engine, table: str, physical: list[str], columns: dict[str, set[str]]) -> int:
    """Decide again which release counts each cell of ``table`` and update the rows whose
    answer changed (``shadowed_by``). Runs inside the caller's transaction. Returns the
    number of cells that changed."""
    tdef = EVENT_TABLES[table]
    find_mates(engine, table, physical, columns)
    engine.execute("DROP TABLE IF EXISTS _recount")
    engine.execute(
        "CREATE TEMP TABLE _recount AS SELECT w.*, "
        "CASE WHEN w.counted THEN NULL ELSE w.counted_by END AS shadow, "
        "CASE WHEN c.counted THEN NULL ELSE c.counted_by END AS before "
        f"FROM ({winners_sql(table)}) w JOIN link_cells c ON c.table_name = '{table}' "
        "AND c.release_id = w.release_id AND c.sheet_index = w.sheet_index "
        "AND c.aor IS NOT DISTINCT FROM w.aor AND c.day IS NOT DISTINCT FROM w.day"
    )
    changed = int(
        engine.scalar("SELECT count(*) FROM _recount WHERE shadow IS DISTINCT FROM before") or 0
    )
    if changed:
        for core in physical:
            have = columns[core]
            aor = "c.aor" if "aor" in have else "NULL::VARCHAR"
            day = count_day_sql(tdef, have, "c")
            engine.execute(
                f"UPDATE {core} c SET shadowed_by = n.shadow FROM _recount n "
                "WHERE n.shadow IS DISTINCT FROM n.before AND n.release_id = c.release_id "
                "AND n.sheet_index = c.source_sheet_index "
                f"AND n.aor IS NOT DISTINCT FROM {aor} AND n.day IS NOT DISTINCT FROM {day}"
            )
        engine.execute(
            "UPDATE link_cells c SET counted_by = n.counted_by, counted = n.counted "
            f"FROM _recount n WHERE c.table_name = '{table}' AND n.release_id = c.release_id "
            "AND n.sheet_index = c.sheet_index AND n.aor IS NOT DISTINCT FROM c.aor "
            "AND n.day IS NOT DISTINCT FROM c.day AND n.shadow IS DISTINCT FROM n.before"
        )
    engine.execute("DROP TABLE IF EXISTS _recount")
    engine.execute("DROP TABLE IF EXISTS _mates")
    shadow_slices(engine, table, physical, columns)
    return changed


def shadow_slices(
    engine: Engine, table: str, physical: list[str], columns: dict[str, set[str]]
) -> None:
    """Extracts of one database cut by a field (``subset_by``; records without an AOR, such
    as detainers): an extract whose field holds one value (every Pennsylvania detainer) is
    complete for that value, so where another extract of the family (the detainers lifted
    because the person was a U.S. citizen, from every state) holds rows with that value, those
    rows are the slice's too: they stay in ``<table>_all``, shadowed by the slice (the largest,
    when several). Rows, not cells: the cut runs across days."""
    for fam in release_specs.families():
        field = fam.scope.subset_by
        core = core_name(table, fam.id)
        if not field or core not in physical or field not in columns[core]:
            continue
        slices = (
            f"SELECT release_id, min({field}) AS v, count(*) AS n FROM {core} "
            f"GROUP BY release_id HAVING count(DISTINCT {field}) = 1"
        )
        engine.execute(
            f"""UPDATE {core} c SET shadowed_by = b.r
            FROM (SELECT v, first(release_id ORDER BY n DESC, release_id) AS r
                  FROM ({slices}) GROUP BY v) b
            WHERE c.{field} = b.v AND c.shadowed_by IS DISTINCT FROM b.r
                AND c.release_id NOT IN (SELECT release_id FROM ({slices}) WHERE v = b.v)
                AND (c.shadowed_by IS NULL
                     OR c.shadowed_by IN (SELECT release_id FROM ({slices}) WHERE v = b.v))"""
        )


def forget_release(engine: Engine, release_id: str) -> None:
    """Remove a release's cells and scope (before it is loaded again, or when it is a copy)."""
    engine.execute("DELETE FROM link_cells WHERE release_id = ?", [release_id])
    engine.execute("DELETE FROM release_scope WHERE release_id = ?", [release_id])


def subset_values(
    engine: Engine, core: str, field: str, columns: set[str], release_id: str
) -> str | None:
    """For a release spec'd as a subset by a field (``subset_by``): the values it holds."""
    if field not in columns:
        return None
    values = (
        engine.query(
            f"SELECT DISTINCT {field} AS v FROM {core} "
            f"WHERE release_id = ? AND {field} IS NOT NULL ORDER BY 1",
            [release_id],
        )
        .column("v")
        .to_pylist()
    )
    if not values:
        return None
    shown = ",".join(str(v) for v in values[:20]) + (",..." if len(values) > 20 else "")
    return f"{field}={shown}"
