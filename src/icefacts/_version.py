"""The icefacts version (one place; the package, the CLI and the ledger read it here)."""

__version__ = "0.1.0"
