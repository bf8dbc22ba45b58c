"""The only place SQL runs: open the warehouse, migrate it, load atomically, query."""

from icefacts.warehouse.engine import DuckDBEngine, Engine
from icefacts.warehouse.store import Warehouse, default_db_path

__all__ = ["DuckDBEngine", "Engine", "Warehouse", "default_db_path"]
