"""The same answers on Spark: ``operation``, ``operations detect`` and ``trend`` run on PySpark
(local mode) over a Parquet export of a synthetic warehouse, compared row for row with DuckDB
over the warehouse itself: every table of the answer, its caveats, the releases used and set
aside, and the further tables (episodes, baseline periods, policy dates).

The warehouse holds a year of Poisson arrests in five AORs with planted operations (national
layout: no criminality), a second national file holding some of the same days again (so the
count-once rule sets rows aside), and a synthetic current-layout release of FY2024 (criminality,
flagged duplicates). One SparkSession serves the module. Skipped only where there is no Java
(PySpark is in the dev group, so it is always installed).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from icefacts import api
from icefacts.errors import IcefactsError
from icefacts.warehouse import Warehouse
from tests.analysis.test_detect import _series
from tests.analysis.test_operation import _file, _row
from tests.conftest import SHARED

PLANTS = [  # (start, days, AORs, extra arrests per AOR per day)
    (date(2017, 2, 5), 4, ("NYC", "CHI", "LOS"), 8),
    (date(2017, 6, 11), 3, ("SEA", "DAL"), 10),
]


WINDOW = {"start": date(2017, 9, 24), "end": date(2017, 9, 27)}
# the reference files the places tables are built from (absent: the --policy cases skip)
PLACES = (SHARED / "census-county-population").exists()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from icefacts.warehouse import spark_engine

    try:
        spark_engine.check_java()
    except IcefactsError as exc:
        pytest.skip(f"no Java for Spark: {exc}")
    yield spark_engine.spark_session()
    spark_engine.stop_session()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> Iterator[tuple[Path, Path]]:
    """(the DuckDB warehouse, its Parquet export)."""
    base = tmp_path_factory.mktemp("parity")
    plants = {}
    for start, days, aors, extra in PLANTS:
        for i in range(days):
            for aor in aors:
                plants[(aor, start + timedelta(days=i))] = extra
    (base / "a").mkdir()
    (base / "b").mkdir()
    files = [
        _file(
            base / "a" / "EROArrests_FY2017.csv.gz", _series(np.random.default_rng(7), 2.0, plants)
        )
    ]
    # the same days again in a second national file: only one of the two counts per AOR-day
    again = [
        _row("SEA", date(2017, 9, d), "Located", "(B)(7)(E) " * (d % 2))
        for d in range(10, 28)
        for _ in range(d % 4)
    ]
    files.append(_file(base / "b" / "EROArrests_FY2017.csv.gz", again))
    api.synth(base / "c", rows=2_000, seed=5, families=("C",), tables=["arrests"])
    files += sorted((base / "c").glob("SYNTHETIC_*"))
    db = base / "w.duckdb"
    with Warehouse.open(db) as wh:
        for r in api.ingest(wh, files):
            assert r.status == "loaded", r.message
        if PLACES:  # counties and policies, for --policy (placement then compared too)
            api.load_reference(wh, mirror=SHARED, allow_download=False)
        api.export_parquet(wh, base / "export")
    yield db, base / "export"


def _both(stores: tuple[Path, Path], ask: Any) -> tuple[Any, Any]:
    db, export = stores
    with api.open_source(db) as wh:
        duck = ask(wh)
    with api.open_source(engine="spark", parquet=export) as src:
        spark = ask(src)
    return duck, spark


def _same_table(a: pa.Table, b: pa.Table, what: str) -> None:
    assert a.schema == b.schema, (what, a.schema, b.schema)
    rows_a, rows_b = a.to_pylist(), b.to_pylist()
    assert len(rows_a) == len(rows_b), (what, len(rows_a), len(rows_b))
    for i, (x, y) in enumerate(zip(rows_a, rows_b, strict=True)):
        for col in x:
            u, v = x[col], y[col]
            if isinstance(u, float) and isinstance(v, float):
                assert math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-9), (what, i, col, u, v)
            else:
                assert u == v, (what, i, col, u, v)


def _same_answer(duck: Any, spark: Any) -> None:
    _same_table(duck.table, spark.table, "table")
    assert duck.table.num_rows, "an empty answer compares nothing"
    d, s = duck.to_dict(), spark.to_dict()
    for key in d:  # the question, caveats, releases, definitions: the same on both engines
        if key != "sql":
            assert json.dumps(d[key], default=str) == json.dumps(s[key], default=str), (
                key,
                d[key],
                s[key],
            )
    assert duck.tables.keys() == spark.tables.keys()
    for name in duck.tables:
        _same_table(duck.tables[name], spark.tables[name], name)


@pytest.mark.parametrize(
    "fields",
    [
        {**WINDOW},  # by AOR, six-week baseline
        {**WINDOW, "by": "day", "aors": ("SEA", "NYC")},
        {**WINDOW, "by": "total", "baseline_weeks": 3},
        {  # criminality, flagged duplicates; the baseline periods between two dates
            "start": date(2024, 3, 3),
            "end": date(2024, 3, 9),
            "by": "citizenship",
            "baseline_start": date(2024, 1, 1),
            "baseline_end": date(2024, 2, 29),
        },
    ],
    ids=["aor", "day", "total", "fy2024"],
)
def test_operation(stores: tuple[Path, Path], fields: dict) -> None:
    q = api.operation_question(**fields)
    _same_answer(*_both(stores, lambda s: api.operation(s, q)))


@pytest.mark.skipif(not PLACES, reason="reference files (../shared/data) not available")
@pytest.mark.parametrize("policy", ["limits-detainers", "287g"])
def test_operation_by_policy(stores: tuple[Path, Path], policy: str) -> None:
    """Counties where a policy is in force on a day: the registry, the places views of the
    export and the county filter give the same answer on Spark."""
    q = api.operation_question(
        start=date(2024, 3, 3),
        end=date(2024, 3, 30),
        by="total",
        baseline_start=date(2023, 12, 3),
        baseline_end=date(2024, 2, 24),
        policy=policy,
        policy_on=date(2024, 3, 3),
    )
    duck, spark = _both(stores, lambda s: api.operation(s, q))
    _same_answer(duck, spark)
    assert {c.code for c in duck.caveats} >= {"policy_counties", "policy_registry_scope"}
    assert duck.table.column("arrests")[0].as_py() > 0  # rows in those counties compared


def test_detect(stores: tuple[Path, Path]) -> None:
    # every day the releases cover: FY2017 and FY2024, and the years between covered by none
    q = api.detect_question(measure="arrests", min_days=2)
    duck, spark = _both(stores, lambda s: api.detect(s, q))
    _same_answer(duck, spark)
    assert duck.tables["episodes"].num_rows


@pytest.mark.parametrize(
    "fields",
    [
        {"measure": "at_large_share", "by": "month", "per": "aor"},
        {"measure": "convicted", "by": "week", "start": date(2017, 9, 1), "end": date(2024, 1, 31)},
    ],
    ids=["month-share-per-aor", "week-convicted"],
)
def test_trend(stores: tuple[Path, Path], fields: dict) -> None:
    q = api.trend_question(**fields)
    _same_answer(*_both(stores, lambda s: api.trend(s, q)))


def test_the_cli_on_spark(stores: tuple[Path, Path], run_cli) -> None:
    db, export = stores
    args = ["operation", "--from", "2017-09-24", "--to", "2017-09-27", "-f", "json"]
    code, duck, err = run_cli(*args, "--db", str(db))
    assert code == 0, err
    code, spark, err = run_cli(*args, "--engine", "spark", "--parquet", str(export))
    assert code == 0, err
    assert json.loads(duck)["rows"] == json.loads(spark)["rows"]
    code, out, err = run_cli(
        "trend", "--engine", "spark", "--parquet", str(export), "--by", "fiscal_year"
    )
    assert code == 0 and "FY2017" in out, err


def test_translation_errors_name_the_sql(stores: tuple[Path, Path]) -> None:
    with api.open_source(engine="spark", parquet=stores[1]) as src:
        with pytest.raises(IcefactsError, match="SQL: SELECT nope"):
            src.engine.query("SELECT nope FROM releases")
        assert src.engine.has_table("arrests") and not src.engine.has_table("nosuch")
        src.engine.register("_asked", pa.table({"aor": ["SEA", "NYC"]}))
        n = src.engine.scalar("SELECT count(*) FROM arrests a JOIN _asked USING (aor)")
        src.engine.unregister("_asked")
    with api.open_source(stores[0]) as wh:
        wh.engine.register("_asked", pa.table({"aor": ["SEA", "NYC"]}))
        assert n == wh.engine.scalar("SELECT count(*) FROM arrests a JOIN _asked USING (aor)") > 0


# -- an engine that cannot start: one line naming the argument, exit 2 ------------------------

ASK = ["operation", "--from", "2017-09-24", "--to", "2017-09-27"]


@pytest.fixture
def fake_export(tmp_path: Path) -> Path:
    """A folder with a valid manifest and no tables: enough to get as far as starting Spark."""
    from icefacts.warehouse import export

    out = tmp_path / "export"
    out.mkdir()
    manifest = {
        "format": export.FORMAT,
        "format_version": export.FORMAT_VERSION,
        "schema_version": 4,
        "tables": {},
        "views": {},
    }
    (out / export.MANIFEST).write_text(json.dumps(manifest))
    return out


def _one_line(code: int, out: str, err: str, words: str) -> None:
    assert code == 2, out + err
    assert words in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--engine", "spark"], "--engine spark needs --parquet DIR"),
        (["--engine", "spark", "--parquet", "/nonexistent/export"], "no such folder"),
        (["--engine", "sparky", "--parquet", "x"], "--engine 'sparky': one of duckdb, spark"),
        (["--parquet", "x"], "--parquet is read by --engine spark"),
        (["--spark-master", "local[1]"], "--spark-master is for --engine spark"),
    ],
)
def test_engine_arguments(run_cli, args: list[str], words: str) -> None:
    _one_line(*run_cli(*ASK, *args), words)


def test_not_an_export(run_cli, tmp_path: Path, fake_export: Path) -> None:
    from icefacts.warehouse.export import MANIFEST

    (tmp_path / "empty").mkdir()
    (tmp_path / "file.parquet").write_bytes(b"PAR1")
    for target, words in (
        (tmp_path / "empty", "is not an icefacts Parquet export"),
        (tmp_path / "file.parquet", "is a file"),
    ):
        for command in (ASK, ["trend"], ["operations", "detect"]):
            _one_line(*run_cli(*command, "--engine", "spark", "--parquet", str(target)), words)
    body = json.loads((fake_export / MANIFEST).read_text())
    (fake_export / MANIFEST).write_text(json.dumps({**body, "schema_version": 99}))
    _one_line(*run_cli(*ASK, "--engine", "spark", "--parquet", str(fake_export)), "newer icefacts")
    (fake_export / MANIFEST).write_text("{not json")
    _one_line(*run_cli(*ASK, "--engine", "spark", "--parquet", str(fake_export)), "not an icefacts")


NO_PYSPARK = """
import sys
sys.modules["pyspark"] = None  # as if it were not installed
sys.argv = ["icefacts", *sys.argv[1:]]
from icefacts._entry import main
main()
"""


def _subprocess(args: list[str], env: dict[str, str | None], code: str | None = None) -> tuple:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", **env}
    full = {k: v for k, v in full.items() if v is not None}
    argv = [sys.executable, "-c", code or NO_PYSPARK.replace('sys.modules["pyspark"] = None', "")]
    run = subprocess.run(
        [*argv, *args], capture_output=True, text=True, env=full, timeout=120, check=False
    )
    return run.returncode, run.stdout, run.stderr


def test_no_java_and_no_pyspark(fake_export: Path, tmp_path: Path) -> None:
    import sys

    args = [*ASK, "--engine", "spark", "--parquet", str(fake_export)]
    _one_line(*_subprocess(args, {"JAVA_HOME": str(tmp_path / "nojdk")}), "JAVA_HOME=")
    # no JAVA_HOME and no java on PATH (only the Python that runs icefacts)
    env: dict[str, str | None] = {"JAVA_HOME": None, "PATH": str(Path(sys.executable).parent)}
    _one_line(*_subprocess(args, env), "needs Java 17 or later, and there is none")
    _one_line(*_subprocess(args, {}, NO_PYSPARK), "needs PySpark, which is not installed")


def test_java_versions() -> None:
    from icefacts.warehouse.spark_engine import java_major

    assert java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert java_major('java version "1.8.0_292"') == 8
    assert java_major('openjdk version "21" 2023-09-19') == 21
    assert java_major("no version here") is None
