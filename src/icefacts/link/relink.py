"""Bring a warehouse's link tables up to date from the rows it already holds.

Run when a warehouse written by an earlier icefacts is upgraded (``icefacts upgrade``, or the
first writable open), or when DuckDB's hash function may have changed (fingerprints computed
with another DuckDB version). Everything here is computed from stored rows and bookkeeping,
so nothing needs the original files: place ids and placements, sheet fingerprints, release
scopes (periods from the stored title rows), cells and the counting.
"""

from __future__ import annotations

from icefacts.ingest.period import stated_period
from icefacts.link.counting import (
    content_fields,
    fingerprint_engine,
    record_cells,
    recount,
    sheet_fingerprint,
    subset_values,
)
from icefacts.link.placement import assign_missing
from icefacts.release_specs import SpecError, family
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import Warehouse
from icefacts.warehouse.ddl import core_name, count_day_sql, family_fields


def needs_relink(wh: Warehouse) -> bool:
    return bool(wh.meta("relink")) or (
        wh.meta("fingerprint_engine") not in (None, fingerprint_engine())
    )


def relink(wh: Warehouse) -> None:
    """Recompute what is missing or stale, in one transaction."""
    full = bool(wh.meta("relink"))
    with wh.load() as eng:
        tables = wh.family_tables()
        if full:
            assign_missing(
                eng, wh.core_tables(), {n: c for t in tables.values() for n, c in t.items()}
            )
        sheets = eng.query(
            "SELECT s.release_id, s.sheet_index, s.sheet, s.table_name, s.title, s.rows, "
            "s.status, s.copy_of, map_values(s.column_map) AS fields, r.family, r.file_name "
            "FROM raw_sheets s JOIN releases r USING (release_id) "
            "WHERE s.status IN ('loaded', 'copy') ORDER BY s.status DESC, s.release_id"
        ).to_pylist()
        fingerprints: dict[str, str] = {}
        have_scope = {
            (r["release_id"], r["table_name"])
            for r in eng.query(
                "SELECT DISTINCT release_id, table_name FROM release_scope"
            ).to_pylist()
        }
        for s in sheets:
            try:
                fam = family(s["family"])
            except SpecError:
                continue  # a family this icefacts no longer knows: its rows stay as they are
            table = s["table_name"]
            tdef = EVENT_TABLES[table]
            held = {f for fs in s["fields"] or [] for f in fs}
            held |= {k for k in fam.defaults if k in tdef.names}
            fields = content_fields(tdef, {f.name for f in family_fields(tdef, held)})
            key = f"{s['release_id']}:{s['sheet_index']}"
            if s["status"] == "loaded":
                core = core_name(table, fam.id)
                fp, _ = sheet_fingerprint(
                    eng,
                    core,
                    tdef,
                    fields,
                    "release_id = ? AND source_sheet_index = ?",
                    [s["release_id"], s["sheet_index"]],
                )
                fingerprints[key] = fp
            elif s["copy_of"] in fingerprints:
                fp = fingerprints[s["copy_of"]]
            else:
                continue
            eng.execute(
                "UPDATE raw_sheets SET fingerprint = ? WHERE release_id = ? AND sheet_index = ?",
                [fp, s["release_id"], s["sheet_index"]],
            )
            if s["status"] != "loaded" or (s["release_id"], table) in have_scope:
                continue
            core = core_name(table, fam.id)
            columns = tables[table][core]
            period = stated_period(fam, s["title"] or "", s["sheet"], s["file_name"])
            day = count_day_sql(tdef, columns)
            span = eng.query(
                f"SELECT min({day}) AS lo, max({day}) AS hi FROM {core} "
                "WHERE release_id = ? AND source_sheet_index = ?",
                [s["release_id"], s["sheet_index"]],
            ).to_pylist()[0]
            if period.start and period.end:
                start, end, source, maturity = period.start, period.end, "stated", period.maturity
            elif span["lo"]:
                start, end, source, maturity = span["lo"], span["hi"], "data", "unknown"
            else:
                start, end, source, maturity = None, None, "none", "unknown"
            subset = fam.scope.subset
            if fam.scope.subset_by:
                subset = subset_values(eng, core, fam.scope.subset_by, columns, s["release_id"])
            rule = fam.table_rule(table)
            eng.execute(
                "INSERT INTO release_scope VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    s["release_id"],
                    fam.id,
                    table,
                    s["sheet_index"],
                    None if fam.scope.aors == "all" else list(fam.scope.aors),
                    start,
                    end,
                    source,
                    subset,
                    rule.part_of(s["sheet"], s["title"], s["file_name"]),
                    len(rule.parts),
                    "aor" in held,
                    maturity,
                    s["rows"],
                ],
            )
        if full:
            for table, names in tables.items():
                for core, columns in names.items():
                    releases = (
                        eng.query(
                            f"SELECT DISTINCT release_id FROM {core} WHERE release_id NOT IN "
                            f"(SELECT release_id FROM link_cells WHERE table_name = '{table}')"
                        )
                        .column("release_id")
                        .to_pylist()
                    )
                    for rid in releases:
                        record_cells(eng, EVENT_TABLES[table], core, columns, rid)
                recount(eng, table, list(names), names)
        wh.set_meta("relink", None)
        wh.set_meta("fingerprint_engine", fingerprint_engine())
