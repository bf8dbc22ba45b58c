"""The DuckDB driver of the engine seam: the warehouse's own connection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from icefacts import interrupts
from icefacts.warehouse.dialects import DUCKDB
from icefacts.warehouse.engine import sql_error as _sql_error

# One INSERT reads a stream of at most about this many bytes of Arrow data (then another
# starts): DuckDB holds a statement's rows in memory until their row groups fill, so rows of
# 120 KB (a free-text column of a derived file) would otherwise gather the whole file there
# (a 1.9 GB CSV of such rows: 3.5 GB RSS). National rows: 10 million are three statements.
STREAM_BYTES = 256 << 20


class DuckDBEngine:
    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection, read_only: bool = False) -> None:
        self.con = con
        self._staged = 0
        # a read-only connection sees one state of the warehouse for as long as it is open
        # (DuckDB's file lock keeps writers out): what analyses read of the counting step's
        # bookkeeping is remembered here (see ``analysis.selection.remembered``)
        self.read_only = read_only
        self.memo: dict[Any, Any] = {}

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        interrupts.check()  # after Ctrl-C no new statement starts
        try:
            # fetched to the end: DuckDB 2 refuses other work on a connection while a result
            # from execute() is unfinished
            self.con.execute(sql, params or []).fetchall()
        except duckdb.Error as exc:
            raise _sql_error(exc, sql) from exc

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        interrupts.check()
        try:
            return self.con.sql(sql, params=list(params) if params else None).to_arrow_table()
        except duckdb.Error as exc:
            raise _sql_error(exc, sql) from exc

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row (None when there is no row)."""
        table = self.query(sql, params)
        return table.column(0)[0].as_py() if table.num_rows else None

    def register(self, name: str, data: pa.Table) -> None:
        """Make ``data`` queryable as ``name`` (until :meth:`unregister`)."""
        self.con.register(name, data)

    def unregister(self, name: str) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.unregister(name)

    def has_table(self, name: str) -> bool:
        key = ("has_table", name)
        if self.read_only and key in self.memo:  # a read-only warehouse cannot gain tables
            return bool(self.memo[key])
        sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        try:
            found = bool(self.con.execute(sql, [name]).fetchall()[0][0])
        except duckdb.Error as exc:
            raise _sql_error(exc, sql) from exc
        if self.read_only:
            self.memo[key] = found
        return found

    def create_table(self, name: str, data: pa.Table) -> None:
        """A new table holding ``data`` (its columns and types)."""
        try:
            self.con.from_arrow(data).create(name)
        except duckdb.Error as exc:
            raise _sql_error(exc, f"CREATE TABLE {name} AS <arrow>") from exc

    def load_arrow(
        self, table: str, data: pa.Table | list[pa.Table], extra: dict[str, str] | None = None
    ) -> int:
        tables = data if isinstance(data, list) else [data]
        names = []
        for piece in tables:
            self._staged += 1
            names.append(f"_staged_{self._staged}")
            # As a stream, not a table: DuckDB keeps the Arrow buffers of a scanned *table*
            # alive until the transaction commits (measured: 1.1 GB held by the end of a
            # 10M-row CSV loaded in one transaction), but lets a stream's go batch by batch.
            stream = pa.RecordBatchReader.from_batches(piece.schema, piece.to_batches())
            self.con.register(names[-1], stream)
        try:
            cols = ", ".join(f"{expr} AS {col}" for col, expr in (extra or {}).items())
            # pieces may differ in columns and encodings: union them by name
            source = " UNION ALL BY NAME ".join(f"SELECT * FROM {n}" for n in names)
            if len(names) > 1:
                source = f"SELECT * FROM ({source})"
            select = f"SELECT *{', ' + cols if cols else ''} FROM ({source})"
            self.execute(f"INSERT INTO {table} BY NAME {select}")
        finally:
            # after a failed statement the transaction is aborted and unregister fails too;
            # that second error must not hide the first
            for name in names:
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister(name)
        return sum(t.num_rows for t in tables)

    def append_stream(
        self,
        table: str,
        pieces: Iterable[pa.Table],
        extra: dict[str, str] | None = None,
        max_bytes: int = STREAM_BYTES,
    ) -> int:
        """Append every table ``pieces`` yields to ``table`` (matching columns by name), as
        they come: one INSERT reads them as a stream, in as few statements as their columns
        allow (one, normally; a piece whose columns do not fit the first's starts another).
        An INSERT per piece costs a statement's worth of row-group writing each: 10M rows in
        pieces of 100,000 took 23 s that way, 7.8 s as one stream.

        ``pieces`` is consumed while the statement runs (on DuckDB's threads), so it must not
        use this connection; an error it raises is raised here as itself."""
        it = iter(pieces)
        first = next(it, None)
        rows = 0
        cols = ", ".join(f"{expr} AS {col}" for col, expr in (extra or {}).items())
        while first is not None:
            schema = first.schema
            state: dict[str, Any] = {"next": None, "error": None, "rows": 0}

            def batches(
                first: pa.Table = first, schema: pa.Schema = schema, state: dict = state
            ) -> Iterator[pa.RecordBatch]:
                try:
                    yield from first.to_batches()
                    state["rows"] += first.num_rows
                    size = first.nbytes
                    for piece in it:
                        if size >= max_bytes:  # enough for one statement: the next one
                            state["next"] = piece  # starts with this piece
                            return
                        size += piece.nbytes
                        fitted = _fit(piece, schema)
                        if fitted is None:
                            state["next"] = piece
                            return
                        yield from fitted.to_batches()
                        state["rows"] += piece.num_rows
                except BaseException as exc:
                    state["error"] = exc
                    raise

            self._staged += 1
            name = f"_staged_{self._staged}"
            self.con.register(name, pa.RecordBatchReader.from_batches(schema, batches()))
            try:
                select = f"SELECT *{', ' + cols if cols else ''} FROM {name}"
                self.execute(f"INSERT INTO {table} BY NAME {select}")
            except BaseException:
                if state["error"] is not None:
                    raise state["error"] from None
                raise
            finally:
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister(name)
            rows += state["rows"]
            first = state["next"]
        return rows

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK").fetchall()
            raise
        else:
            try:
                self.execute("COMMIT")
            except BaseException:
                # Ctrl-C can land after the commit is done: then it counts as kept (the
                # message must not say a committed file was undone)
                if self._no_transaction():
                    interrupts.committed()
                raise
            interrupts.committed()

    def _no_transaction(self) -> bool:
        """Whether no transaction is open (a COMMIT went through), rolling back one that is."""
        try:
            self.con.execute("ROLLBACK").fetchall()
        except duckdb.Error as exc:
            return "no transaction" in str(exc).lower()
        return False


def _fit(piece: pa.Table, schema: pa.Schema) -> pa.Table | None:
    """``piece`` with ``schema``'s columns and types (a column it lacks is NULL), or None when
    it holds a column ``schema`` does not or one that does not cast."""
    if piece.schema.equals(schema):
        return piece
    names = set(piece.column_names)
    if not names <= set(schema.names):
        return None
    columns = []
    for f in schema:
        if f.name not in names:
            columns.append(pa.nulls(piece.num_rows, f.type))
            continue
        column = piece.column(f.name)
        if column.type != f.type:
            try:
                column = column.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                return None
        columns.append(column)
    return pa.table(columns, schema=schema)
