"""`icefacts export --format sqlite|csv|xlsx DIR`: the count-once views and the bookkeeping
as one SQLite file or a file per view, formulas neutralised, counts equal to the warehouse's;
`--publish` refused (publish mode exports no rows)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from icefacts import api
from icefacts.warehouse import Warehouse
from icefacts.warehouse.export import MANIFEST
from tests.warehouse.test_export import db  # noqa: F401 (the fixture)


def _counts(path: Path) -> dict[str, int]:
    with Warehouse.open(path, read_only=True) as wh:
        return {
            t: int(api.sql(wh, f"SELECT count(*) AS n FROM {t}").column(0)[0].as_py())
            for t in ("arrests", "releases")
        }


def test_sqlite_for_datasette(db: Path, tmp_path: Path, run_cli) -> None:  # noqa: F811
    out = tmp_path / "sq"
    code, _stdout, err = run_cli("export", str(out), "--format", "sqlite", "--db", str(db))
    assert code == 0, err
    con = sqlite3.connect(out / "icefacts.sqlite")
    want = _counts(db)
    assert con.execute("SELECT count(*) FROM arrests").fetchone()[0] == want["arrests"]
    assert con.execute("SELECT count(*) FROM releases").fetchone()[0] == want["releases"]
    assert con.execute("SELECT count(*) FROM counties").fetchone()[0] == 1
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["format"] == "icefacts-sqlite-export"
    assert manifest["tables"]["arrests"]["rows"] == want["arrests"]


def test_csv_and_xlsx_neutralise_formulas(db: Path, tmp_path: Path, run_cli) -> None:  # noqa: F811
    with Warehouse.open(db) as wh:  # a released landmark that a spreadsheet would run
        fam = next(iter(wh.core_tables()["arrests"]))
        wh.engine.execute(f"UPDATE {fam} SET landmark = '=HYPERLINK(\"http://x\")'")
    for fmt in ("csv", "xlsx"):
        out = tmp_path / fmt
        code, _stdout, err = run_cli("export", str(out), "--format", fmt, "--db", str(db))
        assert code == 0, err
        if fmt == "csv":
            with (out / "arrests.csv").open(newline="") as f:
                rows = list(csv.DictReader(f))
            values = [r["landmark"] for r in rows]
        else:
            ws = load_workbook(out / "arrests.xlsx", read_only=True).active
            header = [c.value for c in next(ws.iter_rows(max_row=1))]
            i = header.index("landmark")
            values = [r[i] for r in ws.iter_rows(min_row=2, values_only=True)]
        assert len(values) == _counts(db)["arrests"]
        assert values and all(v == '\'=HYPERLINK("http://x")' for v in values), values[:3]


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--publish"], "publish mode exports no rows"), (["--format", "orc"], "--format 'orc'")],
)
def test_refused(db: Path, tmp_path: Path, run_cli, args: list[str], says: str) -> None:  # noqa: F811
    code, _out, err = run_cli("export", str(tmp_path / "x"), *args, "--db", str(db))
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "x").exists()
