"""SQL a user hands us (``icefacts sql``, ``api.sql``, claim files, the web): read the warehouse,
nothing else.

Layers, each enough on its own for what it guards:
1. The connection was opened with DuckDB's own sandbox (``warehouse.connect``): no file,
   network or extension access from SQL, and the configuration is locked.
2. The statement is parsed by DuckDB and must be exactly one ``SELECT`` (which includes
   ``VALUES``, ``FROM t``, ``TABLE t``, ``DESCRIBE``, ``SHOW`` and ``SUMMARIZE``) or an
   ``EXPLAIN`` of one. The check is on DuckDB's parsed statement type, never on the first word:
   ``WITH t AS (SELECT 1) INSERT ...`` parses as an INSERT and is refused.
3. It runs inside ``BEGIN TRANSACTION READ ONLY`` and is rolled back, so even a statement that
   slipped through could not write.
4. A row cap and a time limit (DuckDB's interrupt) bound what one query can cost.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from icefacts import interrupts
from icefacts.errors import QueryError

DEFAULT_MAX_ROWS = 100_000
DEFAULT_TIMEOUT = 120.0
_EXPLAIN = re.compile(r"^\s*EXPLAIN(\s+ANALY[SZ]E)?\b", re.IGNORECASE)


@dataclass
class UserResult:
    table: pa.Table
    truncated: bool  # more rows than ``max_rows`` existed; only the first are kept
    max_rows: int


def _flat(text: object, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def check_statement(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Raise unless ``query`` is exactly one read-only statement (by DuckDB's parser)."""
    if not query.strip():
        raise QueryError("empty query: give one SELECT statement")
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise QueryError(f"{_flat(exc)} [SQL: {_flat(query, 200)}]") from exc
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement (got {len(statements)})")
    kind = statements[0].type
    if kind == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.sub("", query, count=1)
        try:
            inner_statements = con.extract_statements(inner)
        except duckdb.Error as exc:
            raise QueryError(f"{_flat(exc)} [SQL: {_flat(query, 200)}]") from exc
        if len(inner_statements) == 1 and inner_statements[0].type == duckdb.StatementType.SELECT:
            return
        kind = inner_statements[0].type if inner_statements else kind
    elif kind == duckdb.StatementType.SELECT:
        _no_writes_inside(con, query)
        return
    name = str(kind).rsplit(".", 1)[-1]
    name = {"LOAD": "INSTALL or LOAD"}.get(name, name)  # DuckDB parses both as LOAD
    first = query.lstrip().split(None, 1)[0].upper().rstrip(";") if query.strip() else ""
    if name == "SET" and first in ("USE", "RESET"):  # DuckDB parses these as SET
        name = first
    raise QueryError(
        f"refused: {name} statement; only read queries are allowed here (SELECT, "
        "WITH ... SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)"
    )


_WRITE_NODES = re.compile(r'"type":"(INSERT|UPDATE|DELETE|MERGE_INTO)_QUERY_NODE"')


def _no_writes_inside(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """A SELECT may hide a write in a WITH (``WITH t AS (INSERT ... RETURNING *) SELECT``):
    its parse tree (``json_serialize_sql``, which reads nothing) must hold no write node. The
    read-only transaction would stop it too; this says why, in one line."""
    try:
        tree = con.execute("SELECT json_serialize_sql(?)", [query]).fetchall()[0][0]
    except duckdb.Error:
        return  # not serialisable: the read-only connection and transaction still hold
    if m := _WRITE_NODES.search(str(tree)):
        raise QueryError(
            f"refused: {m.group(1).replace('_', ' ')} inside a SELECT (a WITH that writes); "
            "only read queries are allowed here"
        )


MAX_RESULT_BYTES = 256 << 20  # a result held for printing: rows beyond it are cut (said)
MAX_TIMEOUT = 86_400.0  # a day: longer is a mistake (and overflows the timer)


def run_user_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> UserResult:
    """Run one read-only query; at most ``max_rows`` rows, stopped after ``timeout`` s."""
    if max_rows < 0:
        raise QueryError(f"--max-rows must be 0 or more, not {max_rows}")
    if timeout is not None and not (0 < timeout <= MAX_TIMEOUT):  # also NaN and inf
        raise QueryError(
            f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout:g}"
        )
    check_statement(con, query)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop) if timeout else None
    batches: list[pa.RecordBatch] = []
    truncated = False
    schema: pa.Schema | None = None
    try:
        con.execute("BEGIN TRANSACTION READ ONLY").fetchall()
    except duckdb.Error as exc:
        raise QueryError(f"cannot start a read-only transaction: {_flat(exc)}") from exc
    try:
        if timer:
            timer.start()
        reader = con.sql(query).to_arrow_reader(min(max(max_rows, 1), 10_000) + 1)
        schema = reader.schema
        have = held = 0
        for batch in reader:
            if held + batch.nbytes > MAX_RESULT_BYTES:  # too large to hold: cut here
                truncated, max_rows = True, have
                break
            if have + batch.num_rows > max_rows:
                batches.append(batch.slice(0, max_rows - have))
                truncated = True
                break
            batches.append(batch)
            have += batch.num_rows
            held += batch.nbytes
        reader.close()
    except duckdb.InterruptException as exc:
        if interrupts.requested():
            raise KeyboardInterrupt from exc
        if stopped.is_set():
            raise QueryError(
                f"query stopped after {timeout:g} s (the time limit; raise it with --timeout)"
            ) from exc
        raise
    except duckdb.PermissionException as exc:
        raise QueryError(
            f"refused: this query reaches outside the warehouse ({_flat(exc, 160)}); "
            "icefacts SQL reads the warehouse and nothing else"
        ) from exc
    except duckdb.Error as exc:
        raise QueryError(f"{_flat(exc)} [SQL: {_flat(query, 200)}]") from exc
    except (pa.ArrowException, OSError) as exc:  # the fetch: stopped, or a result too large
        if interrupts.requested():
            raise KeyboardInterrupt from exc
        if stopped.is_set() or "interrupt" in str(exc).lower():
            raise QueryError(
                f"query stopped after {timeout:g} s (the time limit; raise it with --timeout)"
            ) from exc
        raise QueryError(
            f"the result could not be fetched ({_flat(exc, 160)}); ask for fewer or smaller "
            "rows (--max-rows, or aggregate in the query)"
        ) from exc
    finally:
        if timer:
            timer.cancel()
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK").fetchall()
    assert schema is not None
    table = pa.Table.from_batches(batches, schema=schema)
    return UserResult(table, truncated, max_rows)
