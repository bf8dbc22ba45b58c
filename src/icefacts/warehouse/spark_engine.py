"""The Spark driver of the engine seam: PySpark over a Parquet export (docs/spark.md).

``open_export(DIR)`` starts (or reuses) a SparkSession, registers every table of the export
as a temporary view under its warehouse name, rebuilds the count-once views from the
manifest, and returns a :class:`SparkSource` whose ``engine`` the analyses use as they use
DuckDB's: the same SQL, translated by ``dialects.SPARK``. It reads; it never writes.

Local mode (``local[2]``) unless ``--spark-master`` or ``ICEFACTS_SPARK_MASTER`` names a
cluster. PySpark and the JVM are started only here, on first use: ``icefacts --help`` and
every DuckDB command never import them. Spark's own log output (and the JVM's start-up
chatter) goes to a log file, named in the error when Spark does not start.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icefacts import interrupts
from icefacts.errors import IcefactsError
from icefacts.warehouse.dialects import SPARK
from icefacts.warehouse.engine import sql_error
from icefacts.warehouse.export import MANIFEST, check_manifest, read_manifest

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

MASTER_ENV = "ICEFACTS_SPARK_MASTER"
DEFAULT_MASTER = "local[2]"
MIN_JAVA = 17
# a local session: few shuffle partitions (Spark's default of 200 is for clusters: on two
# cores each tiny aggregate would run 200 tasks)
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
CONF = {
    "spark.app.name": "icefacts",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",  # dates are dates: no local time zone shifts them
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

_session: list[Any] = []  # the process's SparkSession, once started
_log: list[Path] = []


class SparkEngine:
    """The read side of the seam on a SparkSession: SQL in, Arrow tables out.

    ``lazy`` maps view names to what makes them: each is registered the first time a query
    names it (reading a Parquet folder's schema costs a Spark job; an answer reads six of an
    export's 17 or more views)."""

    dialect = SPARK

    def __init__(
        self, session: SparkSession, lazy: dict[str, Callable[[], Any]] | None = None
    ) -> None:
        self.session = session
        self.read_only = True  # an export is read, never written (see DuckDBEngine.memo)
        self.memo: dict[Any, Any] = {}
        self.views: set[str] = set()
        self.lazy = dict(lazy or {})
        interrupts.register(self)  # Ctrl-C cancels the running Spark jobs

    def _ensure(self, names: Iterable[str]) -> None:
        for name in sorted(names):
            make = self.lazy.pop(name, None)
            if make is not None:
                make().createOrReplaceTempView(name)
                self.views.add(name)

    def _df(self, sql: str, params: Sequence[Any] | None) -> Any:
        from pyspark.errors import PySparkException

        interrupts.check()
        spark_sql = self.dialect.translate(sql)
        try:
            self._ensure(self.dialect.relations(sql))
            return self.session.sql(spark_sql, args=list(params) if params else None)
        except PySparkException as exc:
            raise sql_error(exc, spark_sql) from exc

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        from pyspark.errors import PySparkException

        df = self._df(sql, params)
        try:
            return df.toArrow()
        except PySparkException as exc:
            raise sql_error(exc, self.dialect.translate(sql)) from exc

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """A read, run to its end (the Spark engine writes nothing)."""
        self.query(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        table = self.query(sql, params)
        return table.column(0)[0].as_py() if table.num_rows else None

    def register(self, name: str, data: pa.Table) -> None:
        self.lazy.pop(name, None)  # the table given wins over an export's view of that name
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        self.views.add(name)

    def unregister(self, name: str) -> None:
        self.session.catalog.dropTempView(name)
        self.views.discard(name)

    def has_table(self, name: str) -> bool:
        return name in self.lazy or bool(self.session.catalog.tableExists(name))

    def interrupt(self) -> None:
        self.session.sparkContext.cancelAllJobs()

    def close(self) -> None:
        """Drop the views this engine registered (the session lives on for the process)."""
        for name in sorted(self.views):
            with contextlib.suppress(Exception):
                self.session.catalog.dropTempView(name)
        self.views.clear()


class SparkSource:
    """A Parquet export opened on Spark: what the answer commands read instead of a
    warehouse (``engine`` as on :class:`~icefacts.warehouse.Warehouse`)."""

    def __init__(self, path: str, manifest: dict[str, Any], engine: SparkEngine) -> None:
        self.path = path
        self.manifest = manifest
        self.engine = engine

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> SparkSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_export(parquet: str | Path, master: str | None = None) -> SparkSource:
    """The export at ``parquet`` (a folder, or a URI such as ``hdfs://`` or ``s3a://`` that
    the cluster reads) as temporary views of a SparkSession."""
    text = str(parquet)
    uri = "://" in text
    manifest = None if uri else read_manifest(Path(text))
    location = text.rstrip("/") if uri else str(Path(text).resolve())
    session = spark_session(master)
    if manifest is None:
        manifest = _remote_manifest(session, location)
    engine = SparkEngine(session)

    def table(name: str) -> Callable[[], Any]:
        def make() -> Any:
            try:
                return session.read.parquet(f"{location}/{name}")
            except Exception as exc:
                first = " ".join(str(exc).split())[:300]
                raise IcefactsError(
                    f"--parquet {text}: Spark cannot read {name} of the export: {first}"
                ) from exc

        return make

    def view(of: str, where: str, drop: list[str]) -> Callable[[], Any]:
        def make() -> Any:
            engine._ensure([of])
            base = session.table(of)
            return base.where(where).select(*(c for c in base.columns if c not in drop))

        return make

    engine.lazy = {name: table(name) for name in manifest["tables"]}
    for name, v in manifest["views"].items():
        engine.lazy[name] = view(v["of"], v["where"], list(v["drop"]))
    return SparkSource(location, manifest, engine)


def _remote_manifest(session: SparkSession, location: str) -> dict[str, Any]:
    try:
        rows = session.read.text(f"{location}/{MANIFEST}", wholetext=True).collect()
    except Exception as exc:
        raise IcefactsError(
            f"--parquet {location}: Spark cannot read {MANIFEST} there (not an icefacts "
            "export, or not reachable from this machine)"
        ) from exc
    return check_manifest(rows[0][0] if rows else "", f"--parquet {location}")


def spark_session(master: str | None = None) -> SparkSession:
    """The process's SparkSession, started on first use (PySpark and Java checked first,
    each with a one-line error). Once started it serves every later call, whatever
    ``master`` they name: a process talks to one Spark."""
    if _session and _session[0].sparkContext._jsc is not None:
        return _session[0]
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise IcefactsError(
            "--engine spark needs PySpark, which is not installed: pip install "
            "'icefacts[spark]' (or uv sync --extra spark)"
        ) from None
    check_java()
    master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    conf = SparkConf().setMaster(master)
    for key, value in {**CONF, **(LOCAL_CONF if master.startswith("local") else {})}.items():
        conf.set(key, value)
    folder = Path(tempfile.mkdtemp(prefix="icefacts-spark-"))
    log_path = folder / "spark.log"
    try:
        with log_path.open("ab") as log:
            # the JVM's output (its start-up warnings, Spark's log) goes to the log file
            gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        context = SparkContext(conf=conf, gateway=gateway)
        context.setLogLevel("ERROR")
        session = SparkSession(context)
    except Exception as exc:
        first = " ".join(str(exc).split())[:200]
        raise IcefactsError(
            f"--engine spark: Spark did not start with master {master} ({first}); its log "
            f"is {log_path}"
        ) from exc
    _quiet_python_loggers()
    _session[:] = [session]
    _log[:] = [log_path]
    atexit.register(shutil.rmtree, folder, True)  # the log of a session that started fine
    return session


def _quiet_python_loggers() -> None:
    """PySpark logs every failed query as a JSON blob on stderr; the error it raises says
    the same (and icefacts prints it as one line)."""
    import logging

    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


def stop_session() -> None:
    """Stop the process's SparkSession (tests; a command's process simply exits)."""
    if _session:
        with contextlib.suppress(Exception):
            _session[0].stop()
        _session.clear()
    for path in _log:
        shutil.rmtree(path.parent, ignore_errors=True)
    _log.clear()


def check_java() -> str:
    """The ``java`` Spark will start with (``JAVA_HOME``'s, else the one on PATH), checked:
    a one-line error when there is none, or one older than 17."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not java.is_file():
            raise IcefactsError(
                f"--engine spark needs Java {MIN_JAVA} or later: JAVA_HOME={home} holds no "
                "bin/java (set JAVA_HOME to a JDK, or unset it to use java on PATH)"
            )
        found = str(java)
    else:
        which = shutil.which("java")
        if which is None:
            raise IcefactsError(
                f"--engine spark needs Java {MIN_JAVA} or later, and there is none: install "
                "one, then set JAVA_HOME or put java on PATH"
            )
        found = which
    try:
        run = subprocess.run(
            [found, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise IcefactsError(f"--engine spark: cannot run {found} ({exc})") from exc
    major = java_major(run.stderr + run.stdout)
    if major is None or major < MIN_JAVA:
        raise IcefactsError(
            f"--engine spark needs Java {MIN_JAVA} or later; {found} is "
            f"{'version ' + str(major) if major else 'of an unknown version'} (set JAVA_HOME)"
        )
    return found


def java_major(text: str) -> int | None:
    """The major version in ``java -version`` output: 'version "17.0.15"' -> 17,
    'version "1.8.0_292"' -> 8."""
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not m:
        return None
    first = int(m.group(1))
    return int(m.group(2) or 0) if first == 1 else first
