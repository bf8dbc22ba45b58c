"""Shared fixtures: the real-data folder (skipped when absent) and throwaway warehouses."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from icefacts.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ICEFACTS_MIRROR") or ROOT.parent / "shared" / "data")


def shared_file(rel: str) -> Path:
    """A file of ../shared/data, or skip the test cleanly when it is not there."""
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"real data not available: {rel}")
    return path


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse.open(tmp_path / "w.duckdb") as w:
        yield w


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the icefacts CLI in-process: returns (exit code, stdout, stderr)."""
    from icefacts import cli

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["icefacts", *args])
        monkeypatch.setenv("COLUMNS", "80")  # narrow: messages must not wrap
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
