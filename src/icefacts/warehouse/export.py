"""The public views as Parquet, partitioned by table and fiscal year, for other engines.

``icefacts export --format parquet DIR`` writes what the analyses read (docs/spark.md)::

    DIR/icefacts-export.json                    the manifest (and the mark of an export)
    DIR/arrests_all/fiscal_year=2017/*.parquet  an event table, by fiscal year (Oct-Sep) of
    DIR/arrests_all/fiscal_year=__HIVE_DEFAULT_PARTITION__/...   its date (none: no date)
    DIR/releases/*.parquet                      a small table: one folder, no partitions

An event table goes out once, as its ``<table>_all`` view (every row, with ``counted`` and
``shadowed_by``); the manifest says how its count-once view ``<table>`` is derived from it
(the rows where ``counted``, without those two columns), so a reader rebuilds the same view
without the rows being written twice.

DuckDB writes the files (``COPY ... (FORMAT parquet)``, one per table and fiscal year, in the
Hive layout ``PARTITION_BY`` would write) on a connection of its own that may write into the
export's temporary folder and nowhere else; the rows come from the warehouse's sandboxed
connection as an Arrow stream. The export is written beside ``DIR`` and renamed into place
when complete, so ``DIR`` holds the old export or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icefacts._version import __version__
from icefacts.errors import IcefactsError
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import ddl
from icefacts.warehouse.reference_tables import PLACE_TABLES

if TYPE_CHECKING:
    from icefacts.warehouse.store import Warehouse

MANIFEST = "icefacts-export.json"
FORMAT = "icefacts-parquet-export"
FORMAT_VERSION = 1
PARTITION = "fiscal_year"
# the bookkeeping views analyses read, beside the event tables and the places views
BOOKKEEPING = (
    "releases",
    "field_stats",
    "validation",
    "unknown_values",
    "release_coverage",
    "counting_cells",
    "placements",
)
_BATCH = 122_880  # rows per Arrow batch handed from the warehouse to the writer


@dataclass(frozen=True)
class ExportTable:
    name: str
    date_field: str | None = None  # partitioned by the fiscal year of this column


def export_tables(wh: Warehouse) -> list[ExportTable]:
    """What an export holds: every event table's ``_all`` view (by fiscal year), the
    bookkeeping views, and the places views once ``icefacts reference load`` made them."""
    out = [ExportTable(f"{t.name}_all", t.date_field) for t in EVENT_TABLES.values()]
    out += [ExportTable(name) for name in BOOKKEEPING]
    out += [ExportTable(name) for name in PLACE_TABLES if wh.engine.has_table(name)]
    return out


def derived_views() -> dict[str, dict[str, Any]]:
    """How each count-once view is rebuilt from its ``_all`` view (``ddl.create_view``)."""
    return {
        t.name: {"of": f"{t.name}_all", "where": "counted", "drop": ["shadowed_by", "counted"]}
        for t in EVENT_TABLES.values()
    }


def fiscal_year_sql(column: str) -> str:
    """The federal fiscal year of a date: FY2017 runs 2016-10-01 to 2017-09-30."""
    return f"year({column}) + CASE WHEN month({column}) >= 10 THEN 1 ELSE 0 END"


def export_parquet(wh: Warehouse, out: Path) -> dict[str, Any]:
    """Write the public views of ``wh`` as Parquet into the folder ``out`` (new, empty, or
    an earlier export, which is replaced); returns the manifest."""
    out = Path(out)
    _check_target(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        manifest = _write(wh, tmp, out)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _check_target(out: Path) -> None:
    if not out.parent.is_dir():
        raise IcefactsError(f"DIR {out}: the folder {out.parent} does not exist (create it first)")
    if out.exists() and not out.is_dir():
        raise IcefactsError(f"DIR {out} is a file; give a folder to export into")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise IcefactsError(
            f"DIR {out} is not empty and holds no icefacts export (no {MANIFEST}); give a new "
            "or empty folder, or an earlier export to replace"
        )


def _write(wh: Warehouse, tmp: Path, out: Path) -> dict[str, Any]:
    from icefacts.warehouse.connect import export_connection

    tables: dict[str, dict[str, Any]] = {}
    con = export_connection(tmp)
    try:
        for spec in export_tables(wh):
            target = tmp / spec.name
            target.mkdir()
            parts = _partitions(wh, spec) if spec.date_field else {}
            rows = 0
            for folder, where in parts.items():
                (target / folder).mkdir()
                rows += _copy(wh, con, spec.name, where, target / folder / "data_0.parquet")
            if not parts:  # a small table, or no rows: one file (with the columns, if empty)
                rows = _copy(wh, con, spec.name, "TRUE", target / "data_0.parquet")
            tables[spec.name] = {
                "rows": rows,
                "partitioned_by": PARTITION if parts else None,
                "fiscal_year_of": spec.date_field,
            }
    except OSError as exc:
        raise IcefactsError(f"DIR {out}: cannot write there ({exc.strerror or exc})") from exc
    finally:
        con.close()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": ddl.SCHEMA_VERSION,
        "tool_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": Path(wh.path).name,  # the file name only: never a local absolute path
        "tables": tables,
        "views": derived_views(),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _partitions(wh: Warehouse, spec: ExportTable) -> dict[str, str]:
    """Hive partition folder -> the rows it holds, one per fiscal year the table's date
    falls in (``__HIVE_DEFAULT_PARTITION__``: no date, as Spark and DuckDB name it)."""
    d = spec.date_field
    assert d is not None
    years = wh.con.execute(f"SELECT DISTINCT {fiscal_year_sql(d)} FROM {spec.name}").fetchall()
    out = {}
    for (fy,) in sorted(years, key=lambda r: (r[0] is None, r[0] or 0)):
        if fy is None:
            out[f"{PARTITION}=__HIVE_DEFAULT_PARTITION__"] = f"{d} IS NULL"
        else:  # a range on the date itself: DuckDB skips row groups outside it
            fy = int(fy)
            out[f"{PARTITION}={fy}"] = f"{d} >= DATE '{fy - 1}-10-01' AND {d} < DATE '{fy}-10-01'"
    return out


def _copy(wh: Warehouse, con: Any, view: str, where: str, path: Path) -> int:
    """Rows of ``view`` where ``where`` into one Parquet file: the warehouse streams them
    (Arrow batches), the export connection writes them. One COPY per fiscal year rather than
    COPY ... PARTITION_BY: that buffers every partition's rows, and under the warehouse's 1 GB
    memory limit it took 13.4 s for 1,000,000 arrests (3.4 s this way) and 204 s for 10 M."""
    reader = wh.con.sql(f"SELECT * FROM {view} WHERE {where}").to_arrow_reader(_BATCH)
    con.register("_export_rows", reader)
    try:
        return int(con.execute(f"COPY _export_rows TO '{path}' (FORMAT parquet)").fetchall()[0][0])
    finally:
        con.unregister("_export_rows")


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished export at ``out``; an earlier export there goes only once the new
    one is in place."""
    if not out.exists():
        tmp.rename(out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        tmp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(path: Path, option: str = "--parquet") -> dict[str, Any]:
    """The manifest of the export at ``path``, checked; one-line errors naming ``option``."""
    if not path.exists():
        raise IcefactsError(
            f"{option} {path}: no such folder (write one with `icefacts export --format "
            f"parquet {path}`)"
        )
    if not path.is_dir():
        raise IcefactsError(f"{option} {path} is a file; give the folder of a Parquet export")
    text = None
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = (path / MANIFEST).read_text(encoding="utf-8")
    if text is None:
        raise IcefactsError(
            f"{option} {path} is not an icefacts Parquet export (no {MANIFEST}; write one "
            f"with `icefacts export --format parquet {path}`)"
        )
    return check_manifest(text, f"{option} {path}")


def check_manifest(text: str, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(text)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IcefactsError(f"{where}: {MANIFEST} is not an icefacts export manifest")
    version = manifest.get("format_version")
    schema = manifest.get("schema_version")
    if not isinstance(version, int) or not isinstance(schema, int):
        raise IcefactsError(f"{where}: {MANIFEST} has no format or schema version")
    if version > FORMAT_VERSION or schema > ddl.SCHEMA_VERSION:
        raise IcefactsError(
            f"{where} was written by a newer icefacts (export format {version}, schema "
            f"{schema}; this one reads {FORMAT_VERSION} and {ddl.SCHEMA_VERSION}): upgrade "
            "icefacts"
        )
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("views"), dict):
        raise IcefactsError(f"{where}: {MANIFEST} lists no tables")
    return manifest
