"""Declared limits: a workbook whose sheet XML, shared strings or cell count is over a limit
is refused with one line naming the file, sheet and limit, before anything is parsed, and
the warehouse is unchanged. The limits are settings (environment variables); a bad setting
is one clear error."""

from __future__ import annotations

import zipfile
from pathlib import Path

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS, workbook


def _book(tmp_path: Path, rows: int = 2_000) -> Path:
    body: list[list[object]] = [["ERO Administrative Arrests for FY2017"], NATIONAL_HEADER]
    body += [list(NATIONAL_ROWS[i % 3]) for i in range(rows)]
    return workbook(tmp_path / "EROArrests_FY2017.xlsx", {"Arrests": body})


def _refused(wh: Warehouse, path: Path) -> str:
    (report,) = api.ingest(wh, [path])
    assert report.status == "error", report.message
    assert wh.engine.scalar("SELECT count(*) FROM releases") == 0
    return report.message


def test_sheet_xml_over_the_limit(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    path = _book(tmp_path)
    monkeypatch.setenv("ICEFACTS_MAX_SHEET_XML_BYTES", "100000")
    msg = _refused(wh, path)
    assert msg.startswith("EROArrests_FY2017.xlsx, sheet 'Arrests': too large to read safely")
    assert "sheet XML" in msg and "ICEFACTS_MAX_SHEET_XML_BYTES" in msg
    monkeypatch.delenv("ICEFACTS_MAX_SHEET_XML_BYTES")
    (report,) = api.ingest(wh, [path])
    assert report.status == "loaded"


def test_shared_strings_over_the_limit(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    from icefacts.synth import generate

    generate(tmp_path / "in", rows=300, seed=3, families=["C"], tables=["arrests"])
    (path,) = (tmp_path / "in").glob("*.xlsx")
    with zipfile.ZipFile(path) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    monkeypatch.setenv("ICEFACTS_MAX_SHARED_STRINGS_BYTES", "100")
    msg = _refused(wh, path)
    assert msg.startswith(path.name) and "shared strings" in msg
    assert "ICEFACTS_MAX_SHARED_STRINGS_BYTES" in msg


def test_cells_over_the_limit(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    path = _book(tmp_path)
    monkeypatch.setenv("ICEFACTS_MAX_CELLS", "1000")
    msg = _refused(wh, path)
    assert "cells" in msg and "sheet 'Arrests'" in msg


def test_a_sheet_read_whole_over_the_limit(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    # a table that does not start in column A cannot be parsed in parts: it is read whole
    body: list[list[object]] = [["", "ERO Administrative Arrests for FY2017"]]
    body += [["", *NATIONAL_HEADER]] + [["", *NATIONAL_ROWS[i % 3]] for i in range(2_000)]
    path = workbook(tmp_path / "EROArrests_FY2017.xlsx", {"Arrests": body})
    monkeypatch.setenv("ICEFACTS_MAX_WHOLE_SHEET_BYTES", "50000")
    msg = _refused(wh, path)
    assert "sheet read whole" in msg and "ICEFACTS_MAX_WHOLE_SHEET_BYTES" in msg


def test_a_bad_limit_setting(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ICEFACTS_MAX_CELLS", "lots")
    msg = _refused(wh, _book(tmp_path, rows=10))
    assert "ICEFACTS_MAX_CELLS must be a whole number" in msg
