"""A small synthetic release shared by the synth tests (written once per test session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from icefacts.synth import generate

ROWS = 300
SHEET_ROWS = 100  # arrests (300 rows) span three sheets


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth")
    truth = generate(out, rows=ROWS, seed=11, sheet_rows=SHEET_ROWS)
    return out, truth
