"""The small public Python surface. The CLI and the web app call these, and so can you.

>>> import icefacts
>>> with icefacts.open_warehouse("icefacts.duckdb") as wh:
...     reports = icefacts.ingest(wh, ["EROArrests_FY2017.csv.gz"])
...     table = icefacts.sql(wh, "SELECT aor, count(*) FROM arrests GROUP BY aor")
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from icefacts.ingest.pipeline import ingest_paths
from icefacts.ingest.report import FileReport, Progress
from icefacts.policies import Registry
from icefacts.warehouse import Warehouse
from icefacts.warehouse.user_sql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, UserResult


def default_db() -> Path:
    from icefacts.warehouse import default_db_path

    return default_db_path()


def open_warehouse(path: str | Path | None = None, *, read_only: bool = False) -> Warehouse:
    """Open (and create/migrate unless ``read_only``) the DuckDB warehouse. A warehouse
    written by an earlier icefacts is upgraded in place when opened for writing."""
    wh = Warehouse.open(path, read_only=read_only)
    if not read_only:
        from icefacts.link.relink import needs_relink, relink

        try:
            if needs_relink(wh):
                relink(wh)
        except BaseException:
            wh.close()
            raise
    return wh


def ingest(
    wh: Warehouse,
    paths: Iterable[str | Path],
    *,
    progress: Progress | None = None,
    duplicate_rule: str | None = None,
    parallel_sheets: bool = False,
) -> list[FileReport]:
    """Ingest files or folders; each file loads atomically. Returns one report per file.
    ``parallel_sheets`` reads two sheets of a workbook at once (more memory; a large sheet
    is parsed in parts on two cores either way)."""
    return ingest_paths(wh, [Path(p) for p in paths], progress, duplicate_rule, parallel_sheets)


def load_reference(
    wh: Warehouse,
    *,
    mirror: Path | None = None,
    cache: Path | None = None,
    allow_download: bool = True,
    registry_files: Iterable[Path] = (),
) -> dict[str, int]:
    """Fetch (checksum-verified) and load places, 287(g) lists and the policy registry;
    place every event again. Returns row counts per table."""
    from icefacts.link.placement import index_from_warehouse, replace_all
    from icefacts.places import build_places
    from icefacts.policies import load_registry, registry_table
    from icefacts.policies.registry import default_paths
    from icefacts.reference import dataset, datasets
    from icefacts.warehouse.places import replace_places

    places = build_places(mirror, cache, allow_download=allow_download)
    tables = places.tables()
    registry = load_registry([*default_paths(), *registry_files], counties=places.counties)
    tables["policies"] = registry_table(registry)
    sources = pa.Table.from_pylist(
        [
            {
                "dataset": name,
                "files": [f.path for f in dataset(name).files],
                "license": dataset(name).license,
            }
            for name in datasets()
        ]
    )
    with wh.load() as eng:
        counts = replace_places(eng, tables, sources)
        counts["link_places"] = replace_all(eng, index_from_warehouse(eng), wh.core_tables())
    return counts


def registry(wh: Warehouse | None = None, files: Iterable[Path] = ()) -> Registry:
    """The curated policy registry plus any user registry files (``ICEFACTS_POLICIES`` too).
    With a warehouse that holds the counties table, county FIPS codes are checked to exist."""
    from icefacts.policies import load_registry
    from icefacts.policies.registry import default_paths

    counties = None
    if wh is not None and wh.columns("core_place_counties"):
        counties = wh.engine.query("SELECT fips FROM core_place_counties")
    return load_registry([*default_paths(), *files], counties=counties)


def sql(
    wh: Warehouse,
    query: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> pa.Table:
    """Run one read-only query and return an Arrow table (at most ``max_rows`` rows; see
    :func:`sql_result` to know whether rows were cut). The query can read the warehouse and
    nothing else: no files, no writes, no extensions, whatever the SQL says."""
    return sql_result(wh, query, max_rows=max_rows, timeout=timeout).table


def sql_result(
    wh: Warehouse,
    query: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> UserResult:
    """Like :func:`sql`, with whether the row cap cut the result."""
    return wh.user_query(query, max_rows=max_rows, timeout=timeout)


def releases(wh: Warehouse) -> pa.Table:
    return wh.engine.query(
        "SELECT release_id, family, family_letter AS letter, foia, file_name, tables, rows, "
        "period_start, period_end, maturity, synthetic, sha256, bytes, ingested_at, "
        "tool_version, seconds FROM releases ORDER BY ingested_at"
    )


def resolve_release(wh: Warehouse, text: str) -> str:
    """A release id from its id, a unique prefix of it, or its file name."""
    from icefacts.errors import InputError

    rows = (
        wh.engine.query(
            "SELECT release_id FROM releases WHERE release_id = ? OR file_name = ? "
            "OR (length(?) >= 4 AND starts_with(release_id, ?)) ORDER BY release_id",
            [text, text, text, text],
        )
        .column("release_id")
        .to_pylist()
    )
    if len(rows) == 1:
        return str(rows[0])
    if not rows:
        raise InputError(
            f"--release {text!r}: no such release in {wh.path} (see `icefacts releases`)"
        )
    raise InputError(f"--release {text!r} matches {len(rows)} releases: {', '.join(rows[:5])}")


def validation_report(wh: Warehouse, release_id: str | None = None) -> pa.Table:
    if release_id:
        release_id = resolve_release(wh, release_id)
    where = "WHERE v.release_id = ?" if release_id else ""
    return wh.engine.query(
        "SELECT r.file_name, v.table_name, v.check_name, v.field, v.checked, v.failed, "
        "round(v.share, 6) AS share, v.max_share, v.status, v.caveat "
        f"FROM validation v JOIN releases r USING (release_id) {where} "
        "ORDER BY r.file_name, v.table_name, v.status DESC, v.check_name, v.field",
        [release_id] if release_id else None,
    )


def field_stats(wh: Warehouse, release_id: str | None = None) -> pa.Table:
    where = "WHERE release_id = ?" if release_id else ""
    return wh.engine.query(
        f"SELECT * FROM field_stats {where} ORDER BY release_id, table_name, field",
        [release_id] if release_id else None,
    )
