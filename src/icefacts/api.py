"""The small public Python surface. The CLI and the web app call these, and so can you.

>>> import icefacts
>>> with icefacts.open_warehouse("icefacts.duckdb") as wh:
...     reports = icefacts.ingest(wh, ["EROArrests_FY2017.csv.gz"])
...     table = icefacts.sql(wh, "SELECT aor, count(*) FROM arrests GROUP BY aor")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from icefacts.errors import IcefactsError, InputError
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import Warehouse
from icefacts.warehouse.user_sql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, UserResult

# Heavier parts (the ingest pipeline, the policy registry, Arrow) are imported by the
# functions that use them: a query need not load the ingest machinery.
if TYPE_CHECKING:
    import pyarrow as pa

    from icefacts.analysis.base import Answer
    from icefacts.analysis.county_map import MapQuestion
    from icefacts.analysis.detect import DetectQuestion
    from icefacts.analysis.operation import OperationQuestion
    from icefacts.analysis.overlaps import Overlaps
    from icefacts.analysis.place_report import PlaceReport, PolicyJurisdictions
    from icefacts.analysis.rates import RateResult
    from icefacts.analysis.summary import ArrestSummary
    from icefacts.analysis.trend import TrendQuestion
    from icefacts.claims.check import CheckResult
    from icefacts.claims.loader import LoadedFile
    from icefacts.demo import DemoSource
    from icefacts.ingest.report import FileReport, Progress
    from icefacts.link.records import LinkRun
    from icefacts.policies import Registry
    from icefacts.synth.operations import PlantedOperation
    from icefacts.warehouse.spark_engine import SparkSource

    # what the answers (operation, trend, detect) read: the warehouse, or its Parquet export
    # on Spark (:func:`open_source`)
    Source = Warehouse | SparkSource


Q = TypeVar("Q")
ENGINES = ("duckdb", "spark")


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


def open_source(
    db: str | Path | None = None,
    *,
    engine: str = "duckdb",
    parquet: str | Path | None = None,
    spark_master: str | None = None,
) -> Source:
    """What :func:`operation`, :func:`trend` and :func:`detect` read: the DuckDB warehouse
    ``db`` (read-only), or with ``engine="spark"`` the Parquet export ``parquet`` (written by
    :func:`export_parquet`; a folder, or a URI a cluster reads) on PySpark, in local mode
    unless ``spark_master`` (or ``ICEFACTS_SPARK_MASTER``) names a cluster. Use it as a
    context manager; the answers are the same on both engines (docs/spark.md)."""
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r}: one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        if parquet is not None:
            raise InputError(
                "--parquet is read by --engine spark; --engine duckdb reads the warehouse (--db)"
            )
        if spark_master is not None:
            raise InputError("--spark-master is for --engine spark")
        return open_warehouse(db, read_only=True)
    if parquet is None:
        raise InputError(
            "--engine spark needs --parquet DIR: a Parquet export of the warehouse, written "
            "by `icefacts export --format parquet DIR`"
        )
    from icefacts.warehouse.spark_engine import open_export

    return open_export(parquet, spark_master)


def export_parquet(wh: Warehouse, out: str | Path) -> dict[str, Any]:
    """Write the public views of ``wh`` as Parquet into the folder ``out``, partitioned by
    table and fiscal year (``warehouse/export.py``); ``out`` must be new, empty or an earlier
    export (replaced whole once the new one is complete). Returns the manifest (tables,
    row counts, schema version), also written as ``out/icefacts-export.json``."""
    from icefacts.warehouse.export import export_parquet as write

    return write(wh, Path(out))


def export_files(wh: Warehouse, out: str | Path, fmt: str) -> dict[str, Any]:
    """Write the public views of ``wh`` into the folder ``out`` as ``sqlite`` (one
    ``icefacts.sqlite``, for Datasette), ``csv`` or ``xlsx`` (a file per view), formulas
    neutralised (``warehouse/export_files.py``). Returns the manifest."""
    from icefacts.warehouse.export_files import export_files as write

    return write(wh, Path(out), fmt)


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
    from icefacts.ingest.pipeline import ingest_paths

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
    import pyarrow as pa

    from icefacts.link.placement import index_from_warehouse, replace_all
    from icefacts.places import build_places
    from icefacts.policies import load_registry, registry_table
    from icefacts.policies.policy_files import default_paths
    from icefacts.reference import dataset, datasets
    from icefacts.warehouse.reference_tables import replace_places

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


def registry(wh: Source | None = None, files: Iterable[Path] = ()) -> Registry:
    """The curated policy registry plus any user registry files (``ICEFACTS_POLICIES`` too).
    With a warehouse that holds the counties table, county FIPS codes are checked to exist."""
    from icefacts.policies import load_registry
    from icefacts.policies.policy_files import default_paths

    counties = None
    if wh is not None and wh.engine.has_table("counties"):
        counties = wh.engine.query("SELECT fips FROM counties")
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
    """One row per ingested file. ``copy_of``: the releases whose rows a file repeats in
    another format (its own rows are not kept); ``counted_rows``: rows that count (each event
    once: not a copy, not on days another release counts, not a flagged duplicate)."""
    return wh.engine.query(
        "SELECT r.release_id, r.family, r.family_letter AS letter, r.foia, r.file_name, "
        "r.file_path, r.tables, r.rows, coalesce(c.counted, 0)::BIGINT AS counted_rows, "
        "coalesce(r.copy_of, []) AS copy_of, r.period_start, r.period_end, r.maturity, "
        "r.synthetic, r.sha256, r.bytes, r.ingested_at, r.tool_version, r.seconds "
        "FROM releases r LEFT JOIN (SELECT release_id, sum(events) FILTER (WHERE counted) "
        "AS counted FROM counting_cells GROUP BY 1) c USING (release_id) ORDER BY r.ingested_at"
    )


def overlaps(wh: Warehouse, table: str | None = None) -> Overlaps:
    """Per table and AOR: which releases cover which periods, which counts, and how the row
    counts of releases holding the same days compare (``analysis/overlaps.py``)."""
    from icefacts.analysis.overlaps import overlaps as compute

    if table is not None and table not in EVENT_TABLES:
        raise InputError(f"--table must be one of {', '.join(EVENT_TABLES)}, not {table!r}")
    return compute(wh.engine, table)


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


def _pairs_sql(where: str) -> str:
    from icefacts.analysis.overlaps import pairs_sql

    return pairs_sql(where)


def validation_report(wh: Warehouse, release_id: str | None = None) -> pa.Table:
    """The declared checks of each release, and what counting each event once did to it:
    ``copy`` (a file holding the rows of another release, not loaded again),
    ``overlap`` (rows on days another release counts: kept, not counted) and
    ``overlap_agrees`` (AOR-months where releases holding the same days disagree)."""
    if release_id:
        release_id = resolve_release(wh, release_id)
    where = "WHERE v.release_id = $1" if release_id else ""
    counting = f"""
        SELECT r.release_id, r.file_name, array_to_string(r.tables, ',') AS table_name,
               'copy' AS check_name, NULL AS field, r.rows AS checked, r.rows AS failed,
               1.0 AS share, NULL::DOUBLE AS max_share, 'info' AS status, 'copy' AS caveat,
               'the same rows as release ' || array_to_string(r.copy_of, ', ') AS detail
        FROM releases r WHERE len(coalesce(r.copy_of, [])) > 0 AND NOT EXISTS (
            SELECT 1 FROM counting_cells c WHERE c.release_id = r.release_id)
        UNION ALL
        SELECT c.release_id, any_value(r.file_name), c.table_name, 'overlap', NULL,
               sum(c.rows)::BIGINT, (sum(c.rows) FILTER (WHERE NOT c.counted))::BIGINT,
               (sum(c.rows) FILTER (WHERE NOT c.counted)) / sum(c.rows), NULL, 'info',
               'overlap_shadowed',
               'kept in ' || c.table_name || '_all, counted under release ' ||
               string_agg(DISTINCT c.counted_by, ', ') FILTER (WHERE NOT c.counted)
        FROM counting_cells c JOIN releases r USING (release_id)
        GROUP BY c.release_id, c.table_name HAVING bool_or(NOT c.counted)
        UNION ALL
        SELECT m.other, any_value(r.file_name), m.table_name, 'overlap_agrees', m.aor,
               count(*), count(*) FILTER (WHERE m.disagrees),
               count(*) FILTER (WHERE m.disagrees) / count(*), 0.0,
               CASE WHEN bool_or(m.disagrees) THEN 'fail' ELSE 'pass' END,
               CASE WHEN bool_or(m.disagrees) THEN 'overlap_disagrees' END,
               'AOR-months compared with release ' || m.counting
        FROM ({_pairs_sql("true")}) m JOIN releases r ON r.release_id = m.other
        WHERE m.month IS NOT NULL
        GROUP BY m.other, m.table_name, m.aor, m.counting
    """
    reference = _reference_checks(wh)
    return wh.engine.query(
        "SELECT file_name, table_name, check_name, field, checked, failed, "
        "round(share, 6) AS share, max_share, status, caveat, detail FROM ("
        "SELECT v.release_id, r.file_name, v.table_name, v.check_name, v.field, v.checked, "
        "v.failed, v.share, v.max_share, v.status, v.caveat, v.detail "
        "FROM validation v JOIN releases r USING (release_id) "
        f"UNION ALL {counting}{reference}) v {where} "
        "ORDER BY file_name, table_name, status DESC, check_name, field",
        [release_id] if release_id else None,
    )


def _reference_checks(wh: Warehouse) -> str:
    """Checks of the reference tables, as a ``UNION ALL`` branch of the validation report (empty
    when none is loaded): a 287(g) signing date that is implausible (before 1900 or over a year
    after the load) or unreadable fails, and its row was loaded without the date."""
    engine = wh.engine
    if not engine.has_table("agreements_287g"):
        return ""
    if "signed_problem" not in engine.query("SELECT * FROM agreements_287g LIMIT 0").schema.names:
        return ""
    branches = []
    for kind, check in (("implausible", "plausible_date"), ("unreadable", "readable_date")):
        bad = f"starts_with(signed_problem, '{kind}')"
        branches.append(f"""
        SELECT NULL AS release_id, source, 'agreements_287g', '{check}', 'signed_date',
               count(signed_raw), count(*) FILTER (WHERE {bad}),
               count(*) FILTER (WHERE {bad}) / greatest(count(signed_raw), 1), 0.0,
               CASE WHEN bool_or({bad}) THEN 'fail' ELSE 'pass' END,
               CASE WHEN bool_or({bad}) THEN '{kind}_date' END,
               CASE WHEN bool_or({bad}) THEN 'loaded without the date: ' || array_to_string(
                   list_sort(list_distinct(list(signed_raw) FILTER (WHERE {bad})))[1:5], ', ')
                   ELSE 'reference list (icefacts reference load)' END
        FROM agreements_287g GROUP BY source HAVING count(signed_raw) > 0""")
    return "".join(f" UNION ALL {b}" for b in branches)


def field_stats(wh: Warehouse, release_id: str | None = None) -> pa.Table:
    where = "WHERE release_id = ?" if release_id else ""
    return wh.engine.query(
        f"SELECT * FROM field_stats {where} ORDER BY release_id, table_name, field",
        [release_id] if release_id else None,
    )


def operation(
    wh: Source, question: OperationQuestion, *, registry_files: Iterable[Path] = ()
) -> Answer:
    """Arrests in a window and places, each event once, against the same weekdays of the
    weeks before (``icefacts.analysis.operation``). Build the question with
    :func:`operation_question` or ``OperationQuestion(start=..., end=..., aors=(...))``;
    ``wh`` is a warehouse or a Parquet export on Spark (:func:`open_source`)."""
    from icefacts.analysis.operation import operation as run

    reg = registry(wh, registry_files) if question.policy else None
    return run(wh.engine, question, reg)


def operation_question(**fields: object) -> OperationQuestion:
    """An :class:`OperationQuestion`; a field that does not fit is one InputError naming it."""
    from icefacts.analysis.operation import OperationQuestion

    return _question(OperationQuestion, fields)


def trend(wh: Source, question: TrendQuestion, *, registry_files: Iterable[Path] = ()) -> Answer:
    """A measure per day, week, month or fiscal year (``icefacts.analysis.trend``), in total
    or per place, with the policy dates of those places in ``answer.tables["policy_dates"]``."""
    from icefacts.analysis.trend import trend as run
    from icefacts.policies import default_registry

    files = list(registry_files)
    return run(wh.engine, question, registry(wh, files) if files else default_registry())


def detect(wh: Source, question: DetectQuestion) -> Answer:
    """Surges per AOR and day, merged into episodes and grouped into operations across AORs
    (``icefacts.analysis.detect``); episodes in ``answer.tables["episodes"]``."""
    from icefacts.analysis.detect import detect as run

    return run(wh.engine, question)


def county_map(
    wh: Warehouse, question: MapQuestion, *, registry_files: Iterable[Path] = ()
) -> Answer:
    """Per county: events in a window (or the at-large or operation-flagged among them), per
    100,000 residents, raw or as a share, with the AOR's placed share; counties of an AOR
    whose events are mostly not placed in a county are not drawn
    (``icefacts.analysis.county_map``). With ``policy``/``policy_on``: each county's policy
    group in ``answer.tables["policy"]``."""
    from icefacts.analysis.county_map import county_map as run

    reg = registry(wh, registry_files) if question.policy else None
    return run(wh.engine, question, reg)


def count_cells(wh: Warehouse, **fields: object) -> pa.Table:
    """Events counted once per combination of ``dims`` (``icefacts.analysis.cells``): the
    finest counts behind a published answer, which publish mode protects together."""
    from icefacts.analysis.cells import CellsQuestion
    from icefacts.analysis.cells import count_cells as run

    q = _question(CellsQuestion, fields)
    reg = registry(wh) if q.policy else None
    return run(wh.engine, q, reg)


def map_question(**fields: object) -> MapQuestion:
    from icefacts.analysis.county_map import MapQuestion

    return _question(MapQuestion, fields)


def detect_question(**fields: object) -> DetectQuestion:
    from icefacts.analysis.detect import DetectQuestion

    return _question(DetectQuestion, fields)


def trend_question(**fields: object) -> TrendQuestion:
    from icefacts.analysis.trend import TrendQuestion

    return _question(TrendQuestion, fields)


def _question(cls: type[Q], fields: dict[str, object]) -> Q:
    from pydantic import ValidationError

    try:
        return cls(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        where = _OPTION.get(field, "--" + field.replace("_", "-")) if field else ""
        msg = first["msg"].removeprefix("Value error, ")
        if where and first.get("input") is not None and first["type"] != "value_error":
            msg = f"{msg}, not {first['input']!r}"
        raise InputError(f"{where}: {msg}" if where else msg) from None


# question field -> the command-line option that sets it (others: --field-name)
_OPTION = {
    "start": "--from",
    "end": "--to",
    "aors": "--aor",
    "states": "--state",
    "counties": "--county",
    "releases": "--release",
    "baseline_start": "--baseline-from",
    "baseline_end": "--baseline-to",
    "policy_on": "--on",
}


def fiscal_year(fy: int) -> tuple[date, date]:
    """Federal fiscal year ``fy``: 1 October of the year before to 30 September."""
    from icefacts.days import fiscal_year_bounds

    if not 1990 <= fy <= 2100:
        raise InputError(f"--fy {fy}: a fiscal year such as 2017")
    return fiscal_year_bounds(fy)


@dataclass(frozen=True)
class WarehouseInfo:
    path: Path
    schema_version: str | None
    releases: int


def upgrade(path: str | Path | None = None) -> WarehouseInfo:
    """Open the warehouse for writing, which upgrades one written by an earlier icefacts in
    place (nothing is lost, the release files are not needed again); say what it holds."""
    db = Path(path) if path is not None else default_db()
    if not db.exists():
        raise InputError(f"--db {db}: no warehouse there to upgrade")
    with open_warehouse(db) as wh:
        version = wh.meta("schema_version")
        n = int(wh.engine.scalar("SELECT count(*) FROM releases") or 0)
    return WarehouseInfo(wh.path, version, n)


def synth(
    out_dir: str | Path,
    *,
    rows: int = 10_000,
    seed: int = 0,
    families: Sequence[str] = ("A", "C"),
    sheet_rows: int = 1_048_575,
    tables: Sequence[str] | None = None,
    operations: Sequence[PlantedOperation | str] = (),
) -> dict[str, Any]:
    """Write synthetic releases in the real layouts and their ``truth.json`` into ``out_dir``
    (``icefacts.synth.generate``); returns the truth. ``families`` are letters or ids of the
    release families with a synthetic layout (``A`` or ``lesa-national``, ``C`` or
    ``ddp-current``); anything else is one IcefactsError naming it and listing those.
    ``operations`` are planted in the national arrests, on top of their ``rows``: each a
    ``PlantedOperation`` or ``"START:END:AOR[,AOR...]:SIZE[:NAME]"``
    (``icefacts.synth.operations``); one that cannot be planted is one IcefactsError naming
    ``--plant-operation`` and the value."""
    from icefacts.synth import generate

    try:
        return generate(
            Path(out_dir),
            rows=rows,
            seed=seed,
            families=tuple(families),
            sheet_rows=sheet_rows,
            tables=tables,
            operations=tuple(operations),
        )
    except ValueError as exc:
        raise IcefactsError(str(exc)) from exc
    except OSError as exc:
        raise IcefactsError(f"--out {out_dir}: cannot write there ({exc.strerror or exc})") from exc


def demo_source(*, allow_download: bool = True) -> DemoSource:
    """The demo's release: the real national FY2017 arrests (mirror, cache or download,
    sha256 verified), else a freshly generated synthetic release, with a notice saying which."""
    from icefacts.demo import demo_source as find

    return find(allow_download=allow_download)


def arrest_summary(wh: Warehouse, release_ids: Sequence[str] | None = None) -> ArrestSummary:
    """Arrests by AOR, at large vs custodial, operations, and the validation and counting
    caveats, over the rows that count (of ``release_ids`` only, when given)."""
    from icefacts.analysis.summary import arrest_summary as summarise

    return summarise(wh.engine, list(release_ids) if release_ids else None)


def codebook() -> str:
    """The codebook (every table and field) as Markdown, generated from the schema."""
    from icefacts.schema.codebook import codebook_markdown

    return codebook_markdown()


def reference_datasets() -> pa.Table:
    """The reference datasets: name, title, publisher, license and number of files."""
    import pyarrow as pa

    from icefacts.reference import dataset, datasets

    return pa.Table.from_pylist(
        [
            {
                "dataset": d.name,
                "title": d.title,
                "publisher": d.publisher,
                "license": d.license,
                "files": len(d.files),
            }
            for d in map(dataset, datasets())
        ]
    )


def fetch_reference_files(
    names: Iterable[str] | None = None,
    *,
    mirror: Path | None = None,
    cache: Path | None = None,
) -> Iterator[tuple[str, str, Path]]:
    """Fetch (mirror, cache, then the pinned URL) and verify by sha256 the files of the
    reference datasets named (default: all). Yields (dataset, file, local path) as each
    dataset is fetched."""
    from icefacts.reference import datasets, fetch_reference

    for name in list(names or []) or list(datasets()):
        for rel, path in fetch_reference(name, mirror, cache).items():
            yield name, rel, path


def cache_dir() -> Path:
    """Where icefacts keeps what it fetched or worked out once (``ICEFACTS_CACHE``, default
    ``~/.cache/icefacts``)."""
    from icefacts.fetch import default_cache

    return default_cache()


def warehouse_fingerprint(wh: Warehouse) -> str:
    """Sixteen hex digits that name what the warehouse holds: its schema version, every
    release (id, sha256, rows), the reference datasets and the record-link runs. Two
    warehouses with the same fingerprint give the same answers; a report states it."""
    import hashlib

    eng = wh.engine
    h = hashlib.sha256(f"schema {wh.meta('schema_version')}\n".encode())
    for sql in (
        "SELECT release_id, sha256, rows FROM releases ORDER BY release_id",
        "SELECT dataset, CAST(files AS VARCHAR) FROM reference_sources ORDER BY dataset",
        "SELECT table_name, left_release, right_release, pairs, assigned, by_threshold "
        "FROM link_runs ORDER BY ALL",
    ):
        table = sql.split(" FROM ")[1].split()[0]
        if not eng.has_table(table):
            continue
        for row in eng.query(sql).to_pylist():
            h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()[:16]


def atlas_file(
    feature: str = "counties", *, mirror: Path | None = None, allow_download: bool = True
) -> Path:
    """The verified local copy of the us-atlas boundaries the map draws (``counties`` or
    ``states``, pre-projected to Albers USA): from the mirror, the cache, or its pinned URL,
    checked by sha256 (reference dataset ``us-atlas``)."""
    from icefacts.reference import fetch_reference

    if feature not in ("counties", "states"):
        raise InputError(f"the atlas has counties and states, not {feature!r}")
    wanted = f"us-atlas/{feature}-albers-10m.json"
    return fetch_reference("us-atlas", mirror, allow_download=allow_download)[wanted]


def has_places(wh: Warehouse) -> bool:
    """Whether ``icefacts reference load`` has built the places tables in ``wh``."""
    return bool(wh.engine.has_table("counties") and wh.engine.has_table("link_places"))


def reference_caveats(wh: Warehouse) -> list[str]:
    """What the loaded reference tables cannot say (287(g) rows without a usable signing
    date)."""
    from icefacts.analysis.place_report import agreement_date_caveats

    return agreement_date_caveats(wh.engine)


def place_report(
    wh: Warehouse, where: str, on: date, *, registry_files: Iterable[Path] = ()
) -> PlaceReport:
    """A place ("King County, WA", a county FIPS, a state or an AOR) on a date: population,
    AORs, policies and court rulings in force, 287(g) agreements, events placed there by year."""
    from icefacts.analysis.place_report import place_report as report

    return report(wh.engine, registry(wh, registry_files), where, on)


def jurisdictions_with_policy(
    policy: str,
    on: date,
    *,
    db: str | Path | None = None,
    registry_files: Iterable[Path] = (),
) -> PolicyJurisdictions:
    """Jurisdictions with a policy of type ``policy`` (a slug such as ``limits-detainers`` or
    its full name) in force on ``on``: the policy registry's, and for 287(g) the counties of
    ICE's published lists too when the warehouse ``db`` holds them. Works without a
    warehouse (the registry alone)."""
    from icefacts.analysis.place_report import policy_jurisdictions

    path = Path(db) if db is not None else default_db()
    if not path.exists():
        return policy_jurisdictions(None, registry(None, registry_files), policy, on)
    with open_warehouse(path, read_only=True) as wh:
        return policy_jurisdictions(wh.engine, registry(wh, registry_files), policy, on)


def rates(
    wh: Warehouse,
    *,
    start: date,
    end: date,
    table: str = "arrests",
    policy: str | None = None,
    on: date | None = None,
    by: str | None = None,
    registry_files: Iterable[Path] = (),
) -> RateResult:
    """Events in [start, end] per 100,000 residents: in counties grouped by the policy of type
    ``policy`` in force ``on`` a date, or ``by`` AOR, state or county."""
    from icefacts.analysis.rates import place_rates, policy_rates

    if (policy is None) == (by is None):
        raise InputError("give either --policy TYPE --on DATE or --by aor|state|county")
    if policy is not None:
        if on is None:
            raise InputError("--policy needs --on DATE (the day the policies are taken on)")
        return policy_rates(
            wh.engine,
            registry(wh, registry_files),
            table=table,
            policy=policy,
            on=on,
            start=start,
            end=end,
        )
    assert by is not None
    return place_rates(wh.engine, table=table, by=by, start=start, end=end)


def placement_coverage(wh: Warehouse, table: str = "arrests") -> pa.Table:
    """Per AOR: events, how many were placed in a county, and by which method."""
    from icefacts.analysis.place_report import placement_coverage as coverage

    return coverage(wh.engine, table)


def load_claims(path: str | Path, text: str | None = None) -> LoadedFile:
    """Read and validate a claim file (docs/claims.md): a mistake in it is one
    :class:`InputError` naming the file, the line and the key."""
    from icefacts.claims.loader import load_claims as load
    from icefacts.claims.readings import validate

    loaded = load(path, text)
    validate(loaded)
    return loaded


def shipped_claim_files() -> dict[str, Path]:
    """The claim files icefacts ships (``claims/*.yaml``): name -> path."""
    here = Path(__file__).resolve().parent
    for folder in (here / "shipped_claims", here.parents[1] / "claims"):
        if folder.is_dir():
            return {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    return {}


def shipped_claim_file(name: str) -> Path:
    files = shipped_claim_files()
    if name not in files:
        raise InputError(
            f"no shipped claim file {name[:60]!r} (shipped: {', '.join(files) or 'none'})"
        )
    return files[name]


def claim_file_schema() -> dict[str, Any]:
    """The JSON Schema of claim files, generated from the model."""
    from icefacts.claims.model import claim_file_schema as schema

    return schema()


def check(
    wh: Warehouse,
    path_or_claims: str | Path | LoadedFile,
    *,
    registry_files: Iterable[Path] = (),
) -> CheckResult:
    """Check every claim of a claim file against the warehouse. The result holds the
    verdicts as objects (``result.claims``, each with its ``readings``) and as Arrow
    (``result.table()``, one row per reading); ``result.to_dict()`` is JSON-ready.

    A claim the loaded releases cannot answer gets ``not checkable`` with its reason; a
    malformed file (or a place the places tables do not know) is an :class:`InputError`."""
    from icefacts.claims.check import check as run
    from icefacts.claims.loader import LoadedFile
    from icefacts.claims.loader import load_claims as load

    loaded = path_or_claims if isinstance(path_or_claims, LoadedFile) else load(path_or_claims)
    files = list(registry_files)
    from icefacts.claims.check import uses_policy

    wanted = files or uses_policy(loaded.claims)
    return run(wh.engine, loaded, registry(wh, files) if wanted else None)


def link(
    wh: Warehouse,
    releases: Sequence[str] | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[LinkRun]:
    """Build (or rebuild) the record links between releases holding the same arrests
    without a shared id (``icefacts.link.records``): one run per pair of overlapping
    releases, stored in ``link_pairs`` / ``link_runs`` (views ``record_links``,
    ``link_summary``) in one transaction. ``releases`` (ids or unique prefixes) limits it to
    the pairs naming them. Returns the runs, with rows, pairs and links per threshold."""
    from icefacts.link.records import link_all

    wanted = [resolve_release(wh, r) for r in releases] if releases else None
    with wh.load() as eng:
        return link_all(eng, wanted, progress)


def link_persons(wh: Warehouse) -> dict[str, int]:
    """Rebuild each person's events in date order within each production of the person-level
    releases (``icefacts.link.persons``): productions, people and events linked. Aggregates
    are in the view ``chain_steps``; ``prior_removal`` answers claims' filter of that name."""
    from icefacts.link.persons import build_person_links

    with wh.load() as eng:
        return build_person_links(eng)
