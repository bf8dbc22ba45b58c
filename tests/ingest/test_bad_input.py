"""Bad input: a one-line message naming file/sheet/row/column, exit 2, warehouse unchanged."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS, national_csv, workbook


def _snapshot(db: Path) -> tuple[int, ...]:
    if not db.exists():
        return ()
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("releases", "arrests", "validation", "raw_sheets", "field_stats")
        )
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path, run_cli) -> Path:
    """A warehouse that already holds one good file, so 'unchanged' is meaningful."""
    path = tmp_path / "w.duckdb"
    good = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    code, _, err = run_cli("ingest", "-q", "--db", str(path), str(good))
    assert code == 0, err
    return path


def _bad_cases(tmp: Path) -> list[tuple[str, Path, list[str]]]:
    """(case, file, fragments the one-line error must contain)."""
    cases: list[tuple[str, Path, list[str]]] = []
    png = tmp / "picture.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    cases.append(("not excel/csv", png, ["picture.xlsx", "not an Excel or CSV file"]))

    good = workbook(tmp / "good.xlsx", {"Arrests": [NATIONAL_HEADER, NATIONAL_ROWS[0]]})
    trunc = tmp / "truncated.xlsx"
    trunc.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cases.append(("truncated xlsx", trunc, ["truncated.xlsx", "corrupt or truncated"]))

    corrupt = tmp / "corrupt.xlsx"
    with zipfile.ZipFile(corrupt, "w") as z:
        z.writestr("hello.txt", "no workbook in here")
    cases.append(("zip without workbook", corrupt, ["corrupt.xlsx", "not an Excel workbook"]))

    enc = tmp / "protected.xlsx"
    # The start of an OLE compound file holding an encrypted OOXML package.
    enc.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 512
    )
    cases.append(("password-protected", enc, ["protected.xlsx", "password-protected"]))

    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    cases.append(("empty file", empty, ["empty.csv", "empty file"]))

    nohdr = workbook(tmp / "noheader.xlsx", {"Data": [["Name", "Address"], ["a", "b"]]})
    cases.append(("no header", nohdr, ["noheader.xlsx", "sheet 'Data'", "no recognisable header"]))

    header = [h for h in NATIONAL_HEADER if h != "Apprehension Method"]
    rows = [
        [c for h, c in zip(NATIONAL_HEADER, r, strict=True) if h != "Apprehension Method"]
        for r in NATIONAL_ROWS
    ]
    missing = national_csv(tmp / "EROArrests_missing.csv.gz", rows=rows, header=header)
    cases.append(
        (
            "required column missing",
            missing,
            [
                "EROArrests_missing.csv.gz",
                "row 6",
                "column 'Apprehension Method'",
                "required column missing",
            ],
        )
    )

    garbage = [list(r) for r in NATIONAL_ROWS]
    for r in garbage:
        r[1] = "soon"
    bad_dates = national_csv(tmp / "EROArrests_garbage.csv.gz", rows=garbage)
    cases.append(
        (
            "date column of garbage",
            bad_dates,
            [
                "EROArrests_garbage.csv.gz",
                "row 7",
                "column 'Apprehension Date'",
                "not a valid date",
                "'soon'",
            ],
        )
    )

    zero = workbook(
        tmp / "zero.xlsx", {"Arrests": [["ERO Administrative Arrests"], NATIONAL_HEADER]}
    )
    cases.append(("0-row sheet", zero, ["zero.xlsx", "sheet 'Arrests'", "no data rows"]))

    # a gzip whose damage lies past what the sniffer and the sampler read (1.4 MB of good
    # rows, then a member of garbage): the inflater of the reading thread refuses it
    long = national_csv(tmp / "EROArrests_long.csv.gz", rows=[*NATIONAL_ROWS] * 3000)
    damaged = tmp / "EROArrests_damaged.csv.gz"
    damaged.write_bytes(long.read_bytes() + b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"\xff" * 200)
    cases.append(("damaged deflate stream", damaged, ["EROArrests_damaged.csv.gz", "cannot read"]))

    cases.append(("no such path", tmp / "nope.csv", ["nope.csv", "no such file"]))
    return cases


def test_bad_inputs(tmp_path: Path, db: Path, run_cli) -> None:
    before = _snapshot(db)
    file_bytes = db.read_bytes()  # not even the file's bytes change
    for case, path, fragments in _bad_cases(tmp_path):
        code, _out, err = run_cli("ingest", "-q", "--db", str(db), str(path))
        assert code == 2, case
        lines = [ln for ln in err.splitlines() if ln.strip()]
        message = next((ln for ln in lines if "error" in ln), "")
        assert "Traceback" not in err, case
        for fragment in fragments:
            assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
        assert _snapshot(db) == before, case
        assert db.read_bytes() == file_bytes, case
        assert not Path(f"{db}.wal").exists(), case


def test_reingest_same_bytes_is_a_noop(tmp_path: Path, db: Path, run_cli) -> None:
    before = _snapshot(db)
    code, out, _ = run_cli(
        "ingest", "-q", "--db", str(db), str(tmp_path / "EROArrests_FY2017.csv.gz")
    )
    assert code == 0
    assert "already ingested" in out
    assert _snapshot(db) == before
