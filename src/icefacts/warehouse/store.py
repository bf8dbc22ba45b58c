"""Open the DuckDB warehouse (one writer at a time), migrate it, and load files atomically."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import ddl
from icefacts.warehouse.connect import connect, default_db_path
from icefacts.warehouse.engine import DuckDBEngine
from icefacts.warehouse.user_sql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, UserResult

__all__ = ["Warehouse", "default_db_path"]


class Warehouse:
    """A DuckDB file holding every layer. Use as a context manager."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self.engine = DuckDBEngine(con)

    @classmethod
    def open(cls, path: Path | str | None = None, *, read_only: bool = False) -> Warehouse:
        db = Path(path) if path is not None else default_db_path()
        con = connect(db, read_only)
        wh = cls(db, con, read_only)
        try:
            if not read_only:
                wh.migrate()
        except BaseException:
            con.close()
            raise
        return wh

    def user_query(
        self,
        query: str,
        *,
        max_rows: int = DEFAULT_MAX_ROWS,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> UserResult:
        """A user's SQL: one read-only statement, sandboxed, capped (``warehouse.user_sql``)."""
        from icefacts.warehouse.user_sql import run_user_query

        return run_user_query(self.con, query, max_rows=max_rows, timeout=timeout)

    def family_tables(self) -> dict[str, dict[str, set[str]]]:
        """Physical per-family tables behind each public view, with their columns."""
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_name LIKE 'core\\_%\\_\\_%' ESCAPE '\\' "
            "ORDER BY table_name"
        ).fetchall()
        out: dict[str, dict[str, set[str]]] = {}
        for (name,) in rows:
            table = name.removeprefix("core_").split("__", 1)[0]
            out.setdefault(table, {})[name] = self.columns(name)
        return out

    def columns(self, table: str) -> set[str]:
        return {
            r[0]
            for r in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [table],
            ).fetchall()
        }

    def ensure_core(self, table: str, family: str, mapped: set[str]) -> str:
        """Create the family's physical table (and widen it if a release maps new fields);
        re-point the public view. Runs inside the caller's load transaction."""
        tdef = EVENT_TABLES[table]
        name = ddl.core_name(table, family)
        self.engine.execute(ddl.create_core(tdef, family, mapped))
        have = self.columns(name)
        for f in ddl.family_fields(tdef, mapped):
            if f.name not in have:
                self.engine.execute(f"ALTER TABLE {name} ADD COLUMN {f.name} {f.type}")
        for stmt in ddl.create_view(tdef, self.family_tables().get(table)):
            self.engine.execute(stmt)
        return name

    def migrate(self) -> None:
        with self.engine.transaction():
            for stmt in ddl.all_statements(self.family_tables()):
                self.engine.execute(stmt)
            # schema 1 keyed placements without the table name: drop them; the next ingest
            # or `icefacts reference load` places those events again
            self.engine.execute(
                "DELETE FROM link_places WHERE NOT starts_with(place_key, table_name || '|')"
            )
            self.engine.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                [str(ddl.SCHEMA_VERSION)],
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def load(self) -> Iterator[DuckDBEngine]:
        """One atomic load: everything inside commits together or not at all."""
        with self.engine.transaction():
            yield self.engine

    def has_release(self, sha256: str) -> str | None:
        rows = self.con.execute(
            "SELECT release_id FROM releases WHERE sha256 = ?", [sha256]
        ).fetchall()
        return str(rows[0][0]) if rows else None
