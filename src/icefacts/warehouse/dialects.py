"""What truly differs between the engines' SQL, in one small class.

Analyses write their SQL once, in a portable subset of DuckDB's dialect (``PORTABLE``): named
steps (CTEs), ``count(*) FILTER (WHERE ...)``, ``GROUPING SETS`` with ``grouping()``, ``GROUP
BY ALL``, ``::`` casts, ``list()``, ``date_trunc``, ``make_date``, ``year``/``month``, date
plus days, date literals and ``?`` parameters (docs/spark.md lists it, and what to avoid).
DuckDB runs it as written; for Spark, sqlglot translates it (``list`` -> ``collect_list``,
``::`` -> ``CAST``, ``ORDER BY x`` -> ``ORDER BY x NULLS LAST`` because DuckDB sorts NULLs
last, ``VALUES`` in a CTE -> ``SELECT * FROM VALUES``). What sqlglot refuses is an error naming
the SQL; what it translates wrongly (``isodow``: Sunday becomes 2) or not at all (``ASOF``
joins pass through) stays out of the subset, and the parity tests
(``tests/analysis/test_spark_parity.py``) hold the analyses to it.

sqlglot is imported on first translation, so ``icefacts --help`` and every DuckDB command
never load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from icefacts.errors import QueryError

PORTABLE = "duckdb"  # the dialect the analyses' SQL is written in (sqlglot's name)


@dataclass(frozen=True)
class Dialect:
    name: str  # the engine: "duckdb" or "spark"
    sqlglot: str  # sqlglot's name for the engine's SQL

    def translate(self, sql: str) -> str:
        """Portable SQL -> this engine's SQL (unchanged for DuckDB)."""
        if self.sqlglot == PORTABLE:
            return sql
        return _translate(sql, self.sqlglot)[0]

    def relations(self, sql: str) -> frozenset[str]:
        """The tables and views ``sql`` names (CTE names too: callers look up what they
        know), from the same parse as :meth:`translate`."""
        return _translate(sql, self.sqlglot)[1]


@lru_cache(maxsize=512)
def _translate(sql: str, write: str) -> tuple[str, frozenset[str]]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel, SqlglotError

    flat = " ".join(sql.split())
    try:
        trees = [t for t in sqlglot.parse(sql, read=PORTABLE) if t is not None]
        if len(trees) != 1:
            raise QueryError(f"one statement at a time, not {len(trees)} [SQL: {flat[:400]}]")
        tree = trees[0]
        out = sql if write == PORTABLE else tree.sql(write, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        first = " ".join(str(exc).split())[:200]
        raise QueryError(f"cannot translate to {write} SQL: {first} [SQL: {flat[:400]}]") from exc
    return out, frozenset(t.name for t in tree.find_all(exp.Table))


DUCKDB = Dialect("duckdb", "duckdb")
SPARK = Dialect("spark", "spark")
