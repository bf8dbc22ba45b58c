"""Declared limits: a workbook whose sheet XML, shared strings or cell count is over a limit
is refused with one line naming the file, sheet and limit, before anything is parsed, and
the warehouse is unchanged. The limits are settings (environment variables); a bad setting
is one clear error."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
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


def _with_cell(path: Path, ref: str) -> Path:
    """The workbook with one more cell, at ``ref``, in its first data row."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    xml = members[sheet].decode()
    at = xml.index("</row>", xml.index("<row", xml.index("<row") + 1))
    members[sheet] = (
        xml[:at] + f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>' + xml[at:]
    ).encode()
    out = path.with_name("far_" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out


def test_a_cell_beyond_a_worksheet_is_refused_not_a_crash(
    wh: Warehouse, tmp_path: Path, monkeypatch
) -> None:
    """calamine lays a sheet out as a grid to its farthest reference and aborts the process
    when that grid cannot be allocated: the reference is refused first, on both paths."""
    path = _book(tmp_path, rows=200)
    for ref in ("ZZZZZ7", "A99999999"):
        far = _with_cell(path, ref)
        msg = _refused(wh, far)
        assert "beyond what a worksheet can hold" in msg and ref in msg, msg
        monkeypatch.setenv("ICEFACTS_SPLIT_MIN_BYTES", "1")  # the two-core parts reader
        monkeypatch.setenv("ICEFACTS_PART_BYTES", "8000")
        msg = _refused(wh, far)
        assert "beyond what a worksheet can hold" in msg and ref in msg, msg
        monkeypatch.delenv("ICEFACTS_SPLIT_MIN_BYTES")
        monkeypatch.delenv("ICEFACTS_PART_BYTES")


def test_a_wide_grid_over_the_cell_limit(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    far = _with_cell(_book(tmp_path, rows=200), "XFD3")  # 16,384 columns x 202 rows
    monkeypatch.setenv("ICEFACTS_MAX_CELLS", "1000000")
    msg = _refused(wh, far)
    assert "cells" in msg and "ICEFACTS_MAX_CELLS" in msg
    monkeypatch.delenv("ICEFACTS_MAX_CELLS")
    (report,) = api.ingest(wh, [far])  # 3.3M cells: within the default limit, and read
    assert report.status == "loaded", report.message


def _unnumbered_rows(path: Path, extra: int) -> Path:
    """The workbook with ``extra`` more rows that carry no ``r`` number (allowed: each is the
    row after the one before), streamed into the zip."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    xml = members[sheet].decode()
    at = xml.index("</sheetData>")
    out = path.with_name("deep_" + path.name)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if name != sheet:
                z.writestr(name, data)
        with z.open(sheet, "w", force_zip64=True) as f:
            f.write(xml[:at].encode())
            for _ in range(extra // 1000):
                f.write(row)
            f.write(xml[at:].encode())
    return out


def test_more_rows_than_a_worksheet_holds_is_refused(
    wh: Warehouse, tmp_path: Path, monkeypatch
) -> None:
    """Rows need not be numbered: 1.1 million unnumbered rows are counted as they stream, and
    refused before calamine lays them out (8 million took 7.3 GB), on both read paths."""
    deep = _unnumbered_rows(_book(tmp_path, rows=100), 1_100_000)
    assert "more rows than a worksheet can hold" in _refused(wh, deep)
    monkeypatch.setenv("ICEFACTS_SPLIT_MIN_BYTES", "1")
    assert "more rows than a worksheet can hold" in _refused(wh, deep)


def _rezip(path: Path, name: str, edit: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the workbook, named ``name``, with its members (name -> bytes) edited."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    edit(members)
    out = path.with_name(name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return out


def _in_row(path: Path, row: int, cell: bytes, name: str) -> Path:
    """The workbook with ``cell`` (raw XML) at the end of row ``row`` (counted from its
    first ``<row``)."""

    def edit(members: dict[str, bytes]) -> None:
        sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
        xml, at = members[sheet], 0
        for _ in range(row):
            at = xml.index(b"<row", at) + 1
        at = xml.index(b"</row>", at)
        members[sheet] = xml[:at] + cell + xml[at:]

    return _rezip(path, name, edit)


def _with_text(path: Path, row: int, text_bytes: int) -> Path:
    """One more inline-string cell of ``text_bytes`` bytes in row ``row``: a few hundred KB
    that inflate to one huge cell."""
    cell = b'<c r="Z1" t="inlineStr"><is><t>' + b"x" * text_bytes + b"</t></is></c>"
    return _in_row(path, row, cell, f"huge{row}_{path.name}")


def test_a_row_of_one_huge_cell_is_refused_on_every_path(
    wh: Warehouse, tmp_path: Path, monkeypatch
) -> None:
    """A 300 MB cell in a 300 KB file once loaded with 2.9 GB of memory (and 600 MB ran DuckDB
    out of memory): a row's XML has a limit, checked while the XML streams, before the
    header sampler, calamine or the parts reader hold it."""
    monkeypatch.setenv("ICEFACTS_MAX_ROW_BYTES", str(1 << 20))
    path = _book(tmp_path, rows=200)
    for row in (1, 3, 150):  # the title row, the first data row, one far down
        huge = _with_text(path, row, 3 << 20)
        assert huge.stat().st_size < 100_000
        msg = _refused(wh, huge)
        assert "a row of more than 1 MiB of XML" in msg, msg
        assert "ICEFACTS_MAX_ROW_BYTES" in msg and huge.name in msg, msg
        monkeypatch.setenv("ICEFACTS_SPLIT_MIN_BYTES", "1")  # the two-core parts reader
        monkeypatch.setenv("ICEFACTS_PART_BYTES", "8000")
        msg = _refused(wh, huge)
        assert "a row of more than 1 MiB of XML" in msg, msg
        monkeypatch.delenv("ICEFACTS_SPLIT_MIN_BYTES")
        monkeypatch.delenv("ICEFACTS_PART_BYTES")
    (report,) = api.ingest(wh, [_with_text(path, 3, 100_000)])  # under the limit: loads
    assert report.status == "loaded", report.message


def test_markup_that_could_hide_a_row_start_is_refused(
    wh: Warehouse, tmp_path: Path, monkeypatch
) -> None:
    """The row limit counts row start tags. Rich-text runs with ``<rowx/>`` between them are
    not rows; CDATA, comments and processing instructions (which Excel never writes in a
    sheet) could hold a "<row " as text, so a sheet holding one is refused."""
    monkeypatch.setenv("ICEFACTS_MAX_ROW_BYTES", str(1 << 20))
    path = _book(tmp_path, rows=200)
    run = b"<r><t>" + b"x" * 100_000 + b"</t></r><rowx/>"
    runs = _in_row(path, 3, b'<c r="Z3" t="inlineStr"><is>' + run * 30 + b"</is></c>", "r.xlsx")
    assert "a row of more than 1 MiB of XML" in _refused(wh, runs)
    for mark, body in (
        ("<![CDATA[", b'<c r="Z3" t="inlineStr"><is><t><![CDATA[<row r="9">]]></t></is></c>'),
        ("<!--", b'<c r="Z3" t="inlineStr"><is><t>a</t></is></c><!-- <row r="9"> -->'),
        ("<?", b'<c r="Z3" t="inlineStr"><is><t>a</t></is></c><?x <row r="9"> ?>'),
    ):
        msg = _refused(wh, _in_row(path, 3, body, "m.xlsx"))
        assert mark in msg and "inside a sheet" in msg, msg


def test_a_huge_shared_string_is_refused(wh: Warehouse, tmp_path: Path, monkeypatch) -> None:
    """One shared string, referred to from several rows, is held once per row."""
    monkeypatch.setenv("ICEFACTS_MAX_ROW_BYTES", str(1 << 20))
    path = _book(tmp_path, rows=200)
    big = b"<si><t>" + b"y" * (3 << 20) + b"</t></si>"

    def edit(members: dict[str, bytes]) -> None:
        name = next((n for n in members if n.lower() == "xl/sharedstrings.xml"), None)
        if name is None:  # this writer uses inline strings: the part is checked by its name
            members["xl/sharedStrings.xml"] = (
                b'<sst xmlns="x"><si><t>a</t></si>' + big + b"<si><t>b</t></si></sst>"
            )
        else:
            at = members[name].index(b"<si>")
            members[name] = members[name][:at] + big + members[name][at:]

    out = _rezip(path, "sst.xlsx", edit)
    assert "a shared string of more than 1 MiB" in _refused(wh, out)
