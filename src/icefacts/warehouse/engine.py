"""The narrow engine seam: what every backend provides, with no driver imported here.

Analyses build SQL text and hand it to an engine; they never import a driver. A
:class:`Reader` answers queries (DuckDB over the warehouse, Spark over a Parquet export); an
:class:`Engine` also writes (loads, transactions: DuckDB only). SQL is written once, in the
portable subset of ``dialects.PORTABLE``; each engine's ``Dialect`` translates it where
needed. Errors carry the SQL that failed.

The drivers live beside this module: ``duckdb_engine.py`` (``DuckDBEngine``) and
``spark_engine.py`` (``SparkEngine``, imported only when ``--engine spark`` asks for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from icefacts import interrupts
from icefacts.errors import QueryError

if TYPE_CHECKING:
    import pyarrow as pa

    from icefacts.warehouse.dialects import Dialect


class Reader(Protocol):
    """The read side: what the analyses need."""

    dialect: Dialect
    read_only: bool  # the data cannot change while this reader is open
    memo: dict[Any, Any]  # what analyses remember of it meanwhile (read-only readers only)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement for its effect (on a reader: a read, fetched to the end)."""
        ...

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table: ...

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row (None when there is no row)."""
        ...

    def register(self, name: str, data: pa.Table) -> None:
        """Make ``data`` queryable as ``name`` (until :meth:`unregister`)."""
        ...

    def unregister(self, name: str) -> None: ...

    def has_table(self, name: str) -> bool:
        """Whether a table or view ``name`` can be queried (the places views exist only
        once ``icefacts reference load`` ran)."""
        ...


class Engine(Reader, Protocol):
    """A reader that also writes: loads, tables and transactions (the warehouse's DuckDB)."""

    def create_table(self, name: str, data: pa.Table) -> None: ...

    def load_arrow(
        self, table: str, data: pa.Table | list[pa.Table], extra: dict[str, str] | None = None
    ) -> int:
        """Append ``data`` (one table, or several appended as one) to ``table`` matching
        columns by name; ``extra`` are SQL expressions for further columns (they may refer
        to the data's columns)."""
        ...

    def append_stream(
        self, table: str, pieces: Iterable[pa.Table], extra: dict[str, str] | None = None
    ) -> int:
        """Append each table ``pieces`` yields to ``table`` as it comes (one statement reads
        them as a stream); ``pieces`` must not use the engine meanwhile."""
        ...

    def transaction(self) -> Any: ...


def sql_error(exc: Exception, sql: str) -> QueryError:
    """A driver's error as one line, with the SQL that failed (or ``KeyboardInterrupt`` if
    Ctrl-C interrupted the statement)."""
    if interrupts.requested():  # Ctrl-C: the statement was interrupted (or failed because of it)
        raise KeyboardInterrupt from exc
    first = " ".join(str(exc).split())[:300]
    flat = " ".join(sql.split())
    return QueryError(f"{first} [SQL: {flat[:400]}]")
