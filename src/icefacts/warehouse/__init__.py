"""The only place SQL runs: open the warehouse, migrate it, load atomically, query."""

from icefacts.warehouse.duckdb_engine import DuckDBEngine
from icefacts.warehouse.engine import Engine, Reader
from icefacts.warehouse.store import Warehouse, default_db_path

__all__ = ["DuckDBEngine", "Engine", "Reader", "Warehouse", "default_db_path"]
