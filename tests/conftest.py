"""Shared fixtures: the real-data folder (skipped when absent), throwaway warehouses, and a
synthetic national release with planted operations (``planted``): the operation report, the
detector and the claim checker are tested against what its ``truth.json`` says was planted
(see ``icefacts.synth.operations``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# A fiscal year of background arrests (the detector needs one: about 2 to 11 a weekday per
# AOR at this size) and two operations: five AORs over four days (Sunday to Wednesday, as in
# ICE's 2017 one), and one AOR over three days.
PLANTED_ROWS = 60_000
PLANTED_SEED = 2
PLANTS = (
    "2017-02-05:2017-02-08:NYC,CHI,LOS,DEN,PHI:300:FIVE CITIES (SYNTHETIC)",
    "2017-06-13:2017-06-15:SEA:45:ONE CITY (SYNTHETIC)",
)


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(warehouse file, truth) of the planted release."""
    from icefacts import api

    out = tmp_path_factory.mktemp("planted")
    truth = api.synth(
        out, rows=PLANTED_ROWS, seed=PLANTED_SEED, families=["A"], tables=["arrests"],
        operations=PLANTS,
    )  # fmt: skip
    db = out / "w.duckdb"
    with api.open_warehouse(db) as wh:
        (report,) = api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
        assert report.status == "loaded", report.message
    return db, truth
