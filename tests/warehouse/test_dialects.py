"""The dialects: every statement the analyses send translates to Spark SQL and names only
public views (a cheap check without Java; tests/analysis/test_spark_parity.py runs them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icefacts import api
from icefacts.errors import QueryError
from icefacts.warehouse import DuckDBEngine
from icefacts.warehouse.dialects import DUCKDB, SPARK
from icefacts.warehouse.export import derived_views
from tests.analysis.test_operation import weeks  # noqa: F401  (the fixture)

PUBLIC = {
    "arrests_all",
    "releases",
    "field_stats",
    "release_coverage",
    "counting_cells",
    "counties",
    "county_aor",
    "agreements_287g",
    *derived_views(),
}


def test_translations() -> None:
    sql = "SELECT x::BIGINT AS n, list(y) AS ys FROM t GROUP BY ALL ORDER BY 1"
    assert DUCKDB.translate(sql) == sql
    assert SPARK.translate(sql) == (
        "SELECT CAST(x AS BIGINT) AS n, COLLECT_LIST(y) AS ys FROM t GROUP BY ALL "
        "ORDER BY 1 NULLS LAST"  # DuckDB sorts NULLs last, Spark first
    )
    assert SPARK.relations("WITH p AS (SELECT 1) SELECT * FROM p JOIN arrests USING (k)") == {
        "p",
        "arrests",
    }
    with pytest.raises(QueryError, match="one statement at a time"):
        SPARK.translate("SELECT 1; SELECT 2")
    with pytest.raises(QueryError, match="cannot translate"):
        SPARK.translate("SELECT FROM WHERE (")


def test_every_analysis_statement_translates(weeks: Path, monkeypatch) -> None:  # noqa: F811
    seen: list[str] = []
    query = DuckDBEngine.query

    def record(self, sql, params=None):
        seen.append(sql)
        return query(self, sql, params)

    monkeypatch.setattr(DuckDBEngine, "query", record)
    window = {"start": date(2017, 9, 24), "end": date(2017, 9, 27)}
    with api.open_warehouse(weeks, read_only=True) as wh:
        for by in ("total", "aor", "state", "county", "day", "method", "citizenship"):
            api.operation(wh, api.operation_question(**window, by=by, aors=("SEA",)))
        for measure in ("operation_flagged", "at_large", "arrests"):
            api.detect(wh, api.detect_question(measure=measure))
        for by in ("day", "week", "month", "fiscal_year"):
            api.trend(wh, api.trend_question(by=by, per="aor", measure="convicted_share"))
    assert len(set(seen)) >= 15  # every analysis ran its statements (not a count to keep)
    for sql in set(seen):
        spark = SPARK.translate(sql)
        assert "information_schema" not in spark, sql
        ctes = {name for name in SPARK.relations(sql) if f"{name}(" in sql or f"{name} AS (" in sql}
        assert SPARK.relations(sql) - ctes <= PUBLIC, sql
