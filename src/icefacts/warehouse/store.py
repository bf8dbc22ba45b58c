"""Open the DuckDB warehouse (one writer at a time), migrate it, and load files atomically."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from icefacts.errors import IcefactsError
from icefacts.schema import EVENT_TABLES
from icefacts.warehouse import ddl
from icefacts.warehouse.connect import connect, default_db_path
from icefacts.warehouse.duckdb_engine import DuckDBEngine
from icefacts.warehouse.user_sql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, UserResult

__all__ = ["Warehouse", "default_db_path"]


class Warehouse:
    """A DuckDB file holding every layer. Use as a context manager."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self.engine = DuckDBEngine(con, read_only=read_only)

    @classmethod
    def open(cls, path: Path | str | None = None, *, read_only: bool = False) -> Warehouse:
        db = Path(path) if path is not None else default_db_path()
        created = not read_only and not db.exists()
        con = connect(db, read_only)
        wh = cls(db, con, read_only)
        try:
            version = wh.schema_version()
            if version is not None and version > ddl.SCHEMA_VERSION:
                raise IcefactsError(
                    f"warehouse {db} was written by a newer icefacts (schema {version}; this "
                    f"one reads schema {ddl.SCHEMA_VERSION}): upgrade icefacts"
                )
            if not read_only:
                wh.migrate(version)
            elif version is not None and (version < ddl.SCHEMA_VERSION or wh.meta("relink")):
                raise IcefactsError(
                    f"warehouse {db} was written by an earlier icefacts: upgrade it once with "
                    f"`icefacts upgrade --db {db}`"
                )
            elif version is None:
                raise IcefactsError(
                    f"{db} holds no icefacts tables yet (an ingest stopped before it made "
                    "them): run `icefacts ingest` again"
                )
        except BaseException:
            con.close()
            if created:  # a file this call made and could not finish: leave nothing behind
                for leftover in (db, Path(f"{db}.wal")):
                    leftover.unlink(missing_ok=True)
            raise
        return wh

    def schema_version(self) -> int | None:
        """The warehouse's schema version; None for a new (empty) file. A DuckDB file holding
        other tables but no icefacts bookkeeping is refused (it is someone else's database)."""
        tables = {
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        if "meta" not in tables:
            if tables:
                raise IcefactsError(
                    f"{self.path} is a DuckDB database but not an icefacts warehouse "
                    f"(it holds {', '.join(sorted(tables)[:3])}...); give another --db"
                )
            return None
        value = self.meta("schema_version")
        return int(value) if value and value.isdigit() else 1

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.engine.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            self.engine.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def core_tables(self) -> dict[str, list[str]]:
        """Event table -> its physical family tables."""
        return {t: list(names) for t, names in self.family_tables().items()}

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
            "SELECT table_name, list(column_name) FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name LIKE 'core\\_%\\_\\_%' ESCAPE '\\' "
            "GROUP BY table_name ORDER BY table_name"
        ).fetchall()
        out: dict[str, dict[str, set[str]]] = {}
        for name, columns in rows:
            table = name.removeprefix("core_").split("__", 1)[0]
            out.setdefault(table, {})[name] = set(columns)
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
        have = self.columns(name)
        changed = not have
        if changed:
            self.engine.execute(ddl.create_core(tdef, family, mapped))
        for f in (*ddl.family_fields(tdef, mapped), *ddl.link_fields(tdef)):
            if have and f.name not in have:
                self.engine.execute(f"ALTER TABLE {name} ADD COLUMN {f.name} {f.type}")
                changed = True
        if changed:  # re-point the views at the new or wider table
            for stmt in ddl.create_view(tdef, self.family_tables().get(table)):
                self.engine.execute(stmt)
            self._note_ddl()
        return name

    def migrate(self, version: int | None = None) -> None:
        """Create what is missing; upgrade an earlier schema in place. Upgrading from schema 1
        or 2 adds the stored placement and counting columns and marks the warehouse for a
        relink (placement ids, fingerprints, scopes, counting), which the API runs next."""
        statements = ddl.all_statements(self.family_tables())
        if version == ddl.SCHEMA_VERSION and self.meta("ddl_digest") == _digest(statements):
            return  # nothing to do: opening a warehouse must not touch its file
        with self.engine.transaction():
            if version is not None and version < 3:
                self._upgrade_to_3()
            for stmt in ddl.all_statements(self.family_tables()):
                self.engine.execute(stmt)
            self.set_meta("schema_version", str(ddl.SCHEMA_VERSION))
            self._note_ddl()

    def _note_ddl(self) -> None:
        """Record what the tables and views were made from (see :meth:`migrate`)."""
        self.set_meta("ddl_digest", _digest(ddl.all_statements(self.family_tables())))

    def _upgrade_to_3(self) -> None:
        eng = self.engine
        for tdef in EVENT_TABLES.values():
            for view in (tdef.name, f"{tdef.name}_all", f"_events_{tdef.name}"):
                eng.execute(f"DROP VIEW IF EXISTS {view}")
        eng.execute("ALTER TABLE releases ADD COLUMN IF NOT EXISTS copy_of VARCHAR[]")
        eng.execute("ALTER TABLE raw_sheets ADD COLUMN IF NOT EXISTS fingerprint VARCHAR")
        eng.execute("ALTER TABLE raw_sheets ADD COLUMN IF NOT EXISTS copy_of VARCHAR")
        eng.execute("DROP TABLE IF EXISTS link_places")  # keyed by strings before schema 3
        physical = {t: dict(names) for t, names in self.family_tables().items()}
        for tdef in EVENT_TABLES.values():  # the full-width templates too
            template = ddl.core_name(tdef.name)
            if self.columns(template):
                physical.setdefault(tdef.name, {})[template] = self.columns(template)
        for table, names in physical.items():
            for name, have in names.items():
                for f in ddl.link_fields(EVENT_TABLES[table]):
                    if f.name not in have:
                        eng.execute(f"ALTER TABLE {name} ADD COLUMN {f.name} {f.type}")
        self.set_meta("relink", "all")

    def close(self) -> None:
        from icefacts import interrupts

        if interrupts.requested():
            return  # Ctrl-C: the process exits now; an open transaction is simply not kept
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is KeyboardInterrupt:
            from icefacts import interrupts

            interrupts.request()  # the process exits now; closing would wait for DuckDB
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


def _digest(statements: list[str]) -> str:
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:32]
