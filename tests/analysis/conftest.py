"""A synthetic national release with planted operations, ingested once per test session:
the operation report and the detector are tested against what ``truth.json`` says was
planted (see ``icefacts.synth.operations``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from icefacts import api

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
