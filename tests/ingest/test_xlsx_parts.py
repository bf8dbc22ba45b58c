"""A large sheet parsed in parts on two cores loads exactly what reading it whole loads.

Parts are forced on small workbooks by shrinking ``SPLIT_MIN_BYTES`` and ``PART_BYTES``, so
every test cuts sheets into many parts and crosses many part boundaries.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import fastexcel
import pytest

from icefacts import api
from icefacts.ingest import xlsx_parts
from icefacts.ingest.report import FileReport
from icefacts.synth import generate
from icefacts.warehouse import Warehouse
from tests.conftest import shared_file
from tests.fixtures import workbook

# columns that differ between two loads of the same file by design (clock, timings)
VOLATILE = {"ingested_at", "seconds", "load_id", "placed_at", "file_path"}


def _ingest(
    path: Path, db: Path, split: bool, part_bytes: int = 150_000, group_bytes: int | None = None
) -> FileReport:
    mp = pytest.MonkeyPatch()
    try:
        if split:
            mp.setattr(xlsx_parts, "SPLIT_MIN_BYTES", 1)
            mp.setattr(xlsx_parts, "PART_BYTES", part_bytes)
            if group_bytes is not None:
                mp.setattr(xlsx_parts, "GROUP_BYTES", group_bytes)
        else:
            mp.setattr(xlsx_parts, "SPLIT_MIN_BYTES", 1 << 62)
        with Warehouse.open(db) as wh:
            (report,) = api.ingest(wh, [path])
        return report
    finally:
        mp.undo()


def _differences(a: Path, b: Path) -> dict[str, tuple[int, int, int]]:
    """Per table of ``a``: (rows, rows only in a, rows only in b), for tables that differ."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    out: dict[str, tuple[int, int, int]] = {}
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a'"
    ).fetchall()
    for (table,) in tables:
        cols = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ?",
            [table],
        ).fetchall()
        sel = ", ".join(f'"{c}"' for (c,) in cols if c not in VOLATILE)
        n = con.execute(f"SELECT count(*) FROM a.{table}").fetchone()
        only_a = con.execute(
            f"SELECT count(*) FROM (SELECT {sel} FROM a.{table} EXCEPT ALL "
            f"SELECT {sel} FROM b.{table})"
        ).fetchone()
        only_b = con.execute(
            f"SELECT count(*) FROM (SELECT {sel} FROM b.{table} EXCEPT ALL "
            f"SELECT {sel} FROM a.{table})"
        ).fetchone()
        assert n and only_a and only_b
        if only_a[0] or only_b[0]:
            out[table] = (n[0], only_a[0], only_b[0])
    return out


def _same_both_ways(
    path: Path, tmp_path: Path, part_bytes: int = 150_000, group_bytes: int | None = None
) -> FileReport:
    whole = _ingest(path, tmp_path / "whole.duckdb", split=False)
    parts = _ingest(
        path, tmp_path / "parts.duckdb", split=True, part_bytes=part_bytes, group_bytes=group_bytes
    )
    assert whole.status == parts.status == "loaded", (whole.message, parts.message)
    assert (whole.rows, whole.redacted_cells, whole.unknown_values) == (
        parts.rows,
        parts.redacted_cells,
        parts.unknown_values,
    )
    assert whole.duplicates_flagged == parts.duplicates_flagged
    assert _differences(tmp_path / "whole.duckdb", tmp_path / "parts.duckdb") == {}
    return parts


def test_synthetic_two_sheet_workbook_loads_the_same_in_parts(tmp_path: Path) -> None:
    generate(tmp_path / "in", rows=8_000, seed=11, families=["C"], sheet_rows=4_000,
             tables=["arrests"])  # fmt: skip
    (path,) = (tmp_path / "in").glob("*.xlsx")
    report = _same_both_ways(path, tmp_path)
    assert report.rows == 8_000
    assert report.duplicates_flagged > 0  # episodes cross part (and sheet) boundaries


def _current_rows(tmp_path: Path, n: int) -> tuple[list[str], list[list[object]]]:
    """Header and typed rows of a synthetic current-layout arrests sheet."""
    generate(tmp_path / "src", rows=n, seed=5, families=["C"], tables=["arrests"])
    (src,) = (tmp_path / "src").glob("*.xlsx")
    reader = fastexcel.read_excel(src)
    batch = reader.load_sheet(0, header_row=6, eager=True, schema_sample_rows=None)
    return list(batch.schema.names), [list(r.values()) for r in batch.to_pylist()]


def _write(path: Path, rows: list[list[object]], epoch: object = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.create_sheet("Arrests")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_blank_rows_extra_columns_and_1904_dates_survive_part_boundaries(
    tmp_path: Path,
) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    header, rows = _current_rows(tmp_path, 2_000)
    body: list[list[object]] = [["SYNTHETIC test release: ICE arrests"], [], header]
    for i, row in enumerate(rows):
        if i % 97 == 0:
            body.append([])  # a blank row (some will sit exactly at part boundaries)
        if i % 500 == 7:
            row = [*row, None, "note in an unlabelled column"]
        body.append(row)
    name = "SYNTHETIC_ICE_Arrests_FY2024.xlsx"
    # the same rows dated on the 1904 system (old Mac Excel): dates must not move
    for sub, epoch in (("plain", None), ("mac", CALENDAR_MAC_1904)):
        (tmp_path / sub).mkdir()
        path = _write(tmp_path / sub / name, body, epoch)
        report = _same_both_ways(path, tmp_path / sub, part_bytes=40_000)
        assert report.rows == 2_000
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'plain' / 'parts.duckdb'}' AS p (READ_ONLY)")
    con.execute(f"ATTACH '{tmp_path / 'mac' / 'parts.duckdb'}' AS m (READ_ONLY)")
    same = con.execute(
        "SELECT count(*) FROM p.core_arrests__ddp_current x JOIN m.core_arrests__ddp_current y "
        "USING (source_row) WHERE x.apprehension_at IS NOT DISTINCT FROM y.apprehension_at"
    ).fetchone()
    assert same == (2_000,)
    blank = con.execute("SELECT sum(blank_rows) FROM p.raw_sheets").fetchone()
    assert blank == (len(range(0, 2_000, 97)),)


def test_xml_with_a_namespace_prefix_is_cut_at_its_own_row_tags(tmp_path: Path) -> None:
    generate(tmp_path / "in", rows=3_000, seed=2, families=["C"], tables=["arrests"])
    (src,) = (tmp_path / "in").glob("*.xlsx")
    path = tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                # what the .NET Open XML SDK writes: <x:worksheet xmlns:x="..."><x:row ...>
                text = data.decode()
                text = re.sub(r"<(/?)(?!\?)([A-Za-z]+)", r"<\1x:\2", text)
                text = text.replace("<x:worksheet xmlns=", "<x:worksheet xmlns:x=")
                data = text.encode()
            zout.writestr(item, data)
    report = _same_both_ways(path, tmp_path, part_bytes=60_000)
    assert report.rows == 3_000


def test_a_table_not_starting_in_column_a_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = _current_rows(tmp_path, 500)
    body = [["", "SYNTHETIC test release"], [], ["", *header], *[["", *r] for r in rows]]
    path = workbook(tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx", {"Arrests": body})
    made: list[object] = []
    real = xlsx_parts.SheetParts.__init__

    def spy(self: xlsx_parts.SheetParts, *args: object, **kwargs: object) -> None:
        made.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(xlsx_parts.SheetParts, "__init__", spy)
    report = _same_both_ways(path, tmp_path, part_bytes=20_000)
    assert report.rows == 500
    assert made == []  # a sentinel in column A would shift its columns: never split


def test_garbage_dates_in_a_late_part_are_refused_with_the_same_message(
    tmp_path: Path,
) -> None:
    header, rows = _current_rows(tmp_path, 2_000)
    date_col = header.index("Apprehension Date")
    for i in range(1_900, 2_000):  # 5% of the dates, all in the last part
        rows[i][date_col] = "not a date"
    body: list[list[object]] = [["SYNTHETIC test release"], header, *rows]
    path = workbook(tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx", {"Arrests": body})
    whole = _ingest(path, tmp_path / "whole.duckdb", split=False)
    parts = _ingest(path, tmp_path / "parts.duckdb", split=True, part_bytes=40_000)
    assert whole.status == parts.status == "error"
    assert whole.message == parts.message
    assert "row 1903" in parts.message and "Apprehension Date" in parts.message
    with Warehouse.open(tmp_path / "parts.duckdb") as wh:
        assert api.sql(wh, "SELECT count(*) AS n FROM arrests").column("n")[0].as_py() == 0


def test_a_failure_while_staging_is_one_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "in", rows=3_000, seed=4, families=["C"], tables=["arrests"])
    (path,) = (tmp_path / "in").glob("*.xlsx")

    def broken(self: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(xlsx_parts._Staged, "finish", broken)
    got: list[FileReport] = []
    worker = threading.Thread(
        target=lambda: got.append(_ingest(path, tmp_path / "w.duckdb", True, 60_000)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "ingest hung after a staging failure"
    (report,) = got
    assert report.status == "error"
    assert "cannot read sheet" in report.message and "No space left" in report.message
    assert "\n" not in report.message
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        assert api.sql(wh, "SELECT count(*) AS n FROM releases").column("n")[0].as_py() == 0


def test_column_letters() -> None:
    assert [xlsx_parts._letters(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
    ]


@pytest.mark.parametrize(
    "rel",
    [
        "uwchr-seattle-aor-2012-2019/original_UWvDHS_ICE_Productions_LESA-STU_Seattle_2012-2019.xlsx",
        "uwchr-seattle-aor-2012-2019/original_2018-ICFO-36170_Seattle_CAP_FY2017-2018.xlsx",
    ],
)
def test_real_seattle_workbooks_load_the_same_in_parts(rel: str, tmp_path: Path) -> None:
    path = shared_file(rel)
    report = _same_both_ways(path, tmp_path, part_bytes=1_000_000)
    assert report.rows > 0


def test_dates_advance_across_parts(tmp_path: Path) -> None:
    """Row numbers in parts are the sheet's: the n-th data row is sheet row n + header + 1."""
    header, rows = _current_rows(tmp_path, 1_500)
    date_col = header.index("Apprehension Date")
    start = datetime(2024, 1, 1)
    for i, row in enumerate(rows):
        row[date_col] = start + timedelta(hours=i)
    body: list[list[object]] = [["SYNTHETIC test release"], ["by hour"], header, *rows]
    path = workbook(tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx", {"Arrests": body})
    report = _ingest(path, tmp_path / "p.duckdb", split=True, part_bytes=30_000)
    assert report.status == "loaded", report.message
    with Warehouse.open(tmp_path / "p.duckdb") as wh:
        bad = api.sql(
            wh,
            "SELECT count(*) AS n FROM core_arrests__ddp_current "
            "WHERE apprehension_at <> TIMESTAMP '2024-01-01' + (source_row - 4) * INTERVAL 1 HOUR",
        )
        assert bad.column("n")[0].as_py() == 0


def test_a_bad_part_size_setting_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    generate(tmp_path / "in", rows=500, seed=1, families=["C"], tables=["arrests"])
    (path,) = (tmp_path / "in").glob("*.xlsx")
    monkeypatch.setenv("ICEFACTS_PART_BYTES", "64MB")
    code, _, err = run_cli("ingest", "-q", "--db", str(tmp_path / "w.duckdb"), str(path))
    assert code == 2
    assert "ICEFACTS_PART_BYTES must be a whole number of bytes, not '64MB'" in err
    assert "Traceback" not in err


@pytest.mark.skipif(xlsx_parts._fallocate is None, reason="hole punching is Linux-only")
def test_a_parsed_part_gives_its_memory_back_and_the_rest_stays_readable() -> None:
    stage = xlsx_parts._Staged({"xl/styles.xml": b"<styleSheet/>"}, date1904=False)
    try:
        for name in ("p0", "p1"):
            stage.sheets.append(name)
            with stage.zip.open(f"xl/worksheets/{name}.xml", "w", force_zip64=True) as out:
                out.write(b"<worksheet>" + b"<row/>" * 400_000 + b"</worksheet>")
        stage.finish()
        before = os.fstat(stage.fd).st_blocks * 512
        stage.release("p0")
        after = os.fstat(stage.fd).st_blocks * 512
        assert before - after > 2_000_000  # p0 was 2.4 MB
        with zipfile.ZipFile(stage.path) as z:
            assert z.read("xl/worksheets/p1.xml").count(b"<row/>") == 400_000
            assert b"p1" in z.read("xl/workbook.xml")
    finally:
        stage.close()
        stage.close()  # twice is harmless (no descriptor closed twice)


def test_white_space_rows_at_the_end_and_unlabelled_columns_agree_with_a_whole_read(
    tmp_path: Path,
) -> None:
    header, rows = _current_rows(tmp_path, 2_000)
    body: list[list[object]] = [["SYNTHETIC test release"], [], header]
    for i, row in enumerate(rows):
        # a value in an unlabelled column early on, another one further right late on
        extra = [None, None, None, None, "late"] if i > 1_900 else []
        extra = [None, None, "early"] if i < 100 else extra
        body.append([*row, *extra])
    body += [[" "] for _ in range(600)]  # layout: cells holding only a space
    path = _write(tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx", body)
    report = _same_both_ways(path, tmp_path, part_bytes=40_000)
    assert report.rows == 2_000
    con = duckdb.connect(str(tmp_path / "parts.duckdb"), read_only=True)
    got = con.execute("SELECT blank_rows, unmapped FROM raw_sheets").fetchall()
    assert got == [
        (
            600,
            [f"(column {len(header) + 3}) (withheld)", f"(column {len(header) + 5}) (withheld)"],
        )
    ]


def _staged_files() -> list[str]:
    """This process's open staging memory files (Linux)."""
    fds = Path("/proc/self/fd")
    if not fds.exists():
        return []
    out = []
    for fd in fds.iterdir():
        try:
            if "icefacts-part" in os.readlink(fd):
                out.append(fd.name)
        except OSError:
            continue
    return out


def test_a_sheet_refused_before_it_is_read_stops_its_background_parsing(
    tmp_path: Path,
) -> None:
    header, rows = _current_rows(tmp_path, 1_500)
    header = [*header, header[0]]  # two columns for one field: refused when planned
    body: list[list[object]] = [["SYNTHETIC test release"], header, *[[*r, r[0]] for r in rows]]
    path = _write(tmp_path / "SYNTHETIC_ICE_Arrests_FY2024.xlsx", body)
    before = {t for t in threading.enumerate() if t.name.startswith("icefacts-")}
    report = _ingest(path, tmp_path / "w.duckdb", split=True, part_bytes=40_000)
    assert report.status == "error" and "both" in report.message
    left = {t for t in threading.enumerate() if t.name.startswith("icefacts-")} - before
    assert not [t for t in left if t.is_alive()]
    assert _staged_files() == []


def test_many_staged_workbooks_in_turn_give_the_same_rows(tmp_path: Path) -> None:
    """A sheet larger than two staged workbooks hold is staged in several, at most two at a
    time (memory stays bounded whatever the sheet's size): the rows are the same."""
    generate(tmp_path / "in", rows=3_000, seed=11, families=["C"], tables=["arrests"])
    (path,) = (tmp_path / "in").glob("*.xlsx")
    report = _same_both_ways(path, tmp_path, part_bytes=60_000, group_bytes=120_000)
    assert report.rows == 3_000
