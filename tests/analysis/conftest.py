"""The planted synthetic release (``planted``, in ``tests/conftest.py``) is shared with the
claim checker's tests; its constants are re-exported here for the analysis tests."""

from __future__ import annotations

from tests.conftest import PLANTED_ROWS, PLANTED_SEED, PLANTS

__all__ = ["PLANTED_ROWS", "PLANTED_SEED", "PLANTS"]
