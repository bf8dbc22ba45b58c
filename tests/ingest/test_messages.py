"""Every error a sentence (issue: numbers a user can trust). Each case: one line naming the
file (and line, sheet, column where they apply), exit code 2, the warehouse unchanged, never
'unexpected ... please report it'."""

from __future__ import annotations

import codecs
import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from icefacts import api
from icefacts.warehouse import Warehouse
from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS, national_csv, pipe_csv

TITLE = ["ERO-LESA Statistical Tracking Unit", "", "2019-ICFO-53623", "", "ERO Arrests for FY2017"]


def _ingest_one(run_cli, db: Path, path: Path) -> tuple[int, str]:
    code, out, err = run_cli("ingest", "-q", "--db", str(db), str(path))
    text = out + err
    assert "Traceback" not in text and "please report it" not in text, text
    return code, text


def _releases(db: Path) -> int:
    if not db.exists():
        return 0
    with Warehouse.open(db, read_only=True) as wh:
        return int(wh.engine.scalar("SELECT count(*) FROM releases") or 0)


def _lines(n: int, fill: int = 0) -> list[list[str]]:
    return [list(NATIONAL_ROWS[i % 3]) for i in range(n)]


def test_nul_bytes_name_the_line(tmp_path: Path, run_cli) -> None:
    path = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, _lines(20))
    data = path.read_bytes().split(b"\n")
    data[12] = data[12][:5] + b"\x00" + data[12][5:]
    path.write_bytes(b"\n".join(data))
    code, text = _ingest_one(run_cli, tmp_path / "w.duckdb", path)
    assert code == 2
    assert "EROArrests_FY2017.csv" in text and "NUL byte" in text and "line 13" in text
    assert _releases(tmp_path / "w.duckdb") == 0
    # past the 64 KiB the sniffer reads (a NUL at line 400 once loaded as 'Ma\x00le'),
    # plain and gzip
    long = pipe_csv(tmp_path / "EROArrests_FY2016.csv", TITLE, NATIONAL_HEADER, _lines(3000))
    data = long.read_bytes().split(b"\n")
    assert len(b"\n".join(data[:2500])) > 65536
    data[2499] = data[2499][:5] + b"\x00" + data[2499][5:]
    long.write_bytes(b"\n".join(data))
    gz = tmp_path / "EROArrests_FY2018.csv.gz"
    gz.write_bytes(gzip.compress(long.read_bytes()))
    # in a title line past the first 64 KiB (a 70,000-character title, then the NUL)
    title = pipe_csv(
        tmp_path / "EROArrests_FY2019.csv", ["x" * 70_000, *TITLE], NATIONAL_HEADER, _lines(20)
    )
    lines = title.read_bytes().split(b"\n")
    lines[1] = b"Ti\x00tle"
    title.write_bytes(b"\n".join(lines))
    code, text = _ingest_one(run_cli, tmp_path / "t.duckdb", title)
    assert code == 2 and "NUL byte" in text and "row 2" in text, text
    for path in (long, gz):
        db = tmp_path / f"{path.name}.duckdb"
        code, text = _ingest_one(run_cli, db, path)
        assert code == 2, text
        assert path.name in text and "row 2500" in text and "NUL byte" in text, text
        assert _releases(db) == 0


def test_utf16_is_read_as_utf16(tmp_path: Path, run_cli) -> None:
    utf8 = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, _lines(30))
    for name, data in (
        ("bom.csv", codecs.BOM_UTF16_LE + utf8.read_text().encode("utf-16-le")),
        ("nobom.csv", utf8.read_text().encode("utf-16-le")),
    ):
        path = tmp_path / f"EROArrests_FY2017_{name}"
        path.write_bytes(data)
        db = tmp_path / f"{name}.duckdb"
        code, text = _ingest_one(run_cli, db, path)
        assert code == 0, text
        with Warehouse.open(db, read_only=True) as wh:
            assert wh.engine.scalar("SELECT count(*) FROM arrests") == 30
            assert wh.engine.scalar("SELECT count(*) FROM arrests WHERE aor = 'SEA'") == 20


def test_a_late_windows_1252_byte(tmp_path: Path, run_cli) -> None:
    rows = _lines(300_000)
    rows[-1][7] = "MÉXICO"
    path = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, rows)
    raw = path.read_bytes().replace("MÉXICO".encode(), "MÉXICO".encode("cp1252"))
    path.write_bytes(raw)
    db = tmp_path / "w.duckdb"
    code, text = _ingest_one(run_cli, db, path)
    assert code == 0, text
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.engine.scalar("SELECT count(*) FROM arrests WHERE citizenship = 'MÉXICO'") == 1


def test_a_huge_single_line(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "EROArrests_FY2017.csv"
    path.write_bytes(b"a" * (50 << 20))
    code, text = _ingest_one(run_cli, tmp_path / "w.duckdb", path)
    assert code == 2
    assert "EROArrests_FY2017.csv" in text and "field of more than" in text


def test_a_garbage_date_late_in_the_file_fails_not_null(tmp_path: Path) -> None:
    rows = _lines(100_000)
    rows[99_999][1] = "13/45/2017"
    path = national_csv(tmp_path / "EROArrests_FY2017.csv.gz", rows=rows, title=TITLE)
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        (r,) = api.ingest(wh, [path])
        assert r.status == "loaded", r.message
        assert "arrests.not_null(apprehension_date)" in r.failed_checks
        checks = api.validation_report(wh).to_pylist()
    (check,) = [
        c for c in checks if (c["check_name"], c["field"]) == ("not_null", "apprehension_date")
    ]
    assert check["failed"] == 1 and check["status"] == "fail"
    assert "row 100,006" in check["detail"] and "13/45/2017" in check["detail"]


def test_unreadable_folder_and_file_are_listed(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    good = national_csv(folder / "EROArrests_FY2017.csv.gz")
    secret = national_csv(folder / "EROArrests_FY2016.csv.gz", title=[*TITLE[:4], "FY2016"])
    real_scandir, real_open = os.scandir, Path.open

    def scandir(path: object = "."):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    def open_(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == secret:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "open", open_)
    code, text = _ingest_one(run_cli, tmp_path / "w.duckdb", folder)
    assert code == 2
    assert "locked: cannot read this folder (Permission denied)" in text
    assert "EROArrests_FY2016.csv.gz" in text and "Permission denied" in text
    assert f"{good.name}: loaded" in text


def test_a_file_that_changes_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icefacts.fetch import sha256_file
    from icefacts.ingest import pipeline

    path = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    calls = []

    def changing(p: Path) -> str:
        calls.append(p)
        return sha256_file(p) if len(calls) == 1 else "0" * 64

    monkeypatch.setattr(pipeline, "sha256_file", changing)
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        (r,) = api.ingest(wh, [path])
        assert r.status == "error" and "changed while it was being read" in r.message
        assert wh.engine.scalar("SELECT count(*) FROM releases") == 0
        monkeypatch.setattr(pipeline, "sha256_file", sha256_file)
        (r,) = api.ingest(wh, [path])  # the file is not "already ingested" under a wrong hash
        assert r.status == "loaded"


def test_command_line_mistakes(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "w.duckdb"
    national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    run_cli("ingest", "-q", "--db", str(db), str(tmp_path / "EROArrests_FY2017.csv.gz"))
    for args, fragment in (
        (["validate", "--db", str(db), "--release", "nosuch"], "no such release"),
        (["synth", "--out", "/proc/x", "--rows", "10"], "cannot write there"),
        (["sql", "--db", str(db), "SELECT * FROM nowhere"], "nowhere"),
        (["releases", "--db", str(tmp_path / "missing.duckdb")], "no warehouse at"),
    ):
        code, _out, err = run_cli(*args)
        assert code == 2, args
        assert fragment in err and "Traceback" not in err, (args, err)
        assert len([ln for ln in err.splitlines() if ln.strip()]) == 1, err


def _interrupt(args: list[str], after: float, env: dict[str, str]) -> tuple[int, float, str]:
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    time.sleep(after)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, time.monotonic() - sent, err


def test_ctrl_c_stops_at_once_and_keeps_nothing(tmp_path: Path) -> None:
    from icefacts.synth import generate

    generate(tmp_path / "in", rows=300_000, seed=4, families=["C"], tables=["arrests"])
    db = tmp_path / "w.duckdb"
    cli = [sys.executable, "-m", "icefacts._entry", "ingest", "-q", "--db", str(db)]
    for after in (0.8, 2.0):  # a first ingest: the new warehouse file is not kept
        code, took, err = _interrupt([*cli, str(tmp_path / "in")], after, dict(os.environ))
        assert code == 130, err
        assert "interrupted; nothing was loaded" in err and "was not kept" in err, err
        assert "Traceback" not in err
        assert took < 1.0, took  # within a second, as the issue asks (about 0.1 s here)
        assert not db.exists() and not db.with_name(db.name + ".wal").exists()
    with Warehouse.open(db):  # a warehouse that was there stays, unchanged
        pass
    for after in (0.8,):
        code, took, err = _interrupt([*cli, str(tmp_path / "in")], after, dict(os.environ))
        assert code == 130 and "interrupted; the warehouse is unchanged" in err, err
        assert _releases(db) == 0
    # a file held at the commit (everything loaded, nothing committed): rolled back
    csv = national_csv(tmp_path / "EROArrests_FY2017.csv.gz")
    env = {**os.environ, "ICEFACTS_TEST_HOOK": "pause_before_commit"}
    code, took, err = _interrupt([*cli, str(csv)], 3.0, env)
    assert code == 130 and took < 1.0 and "unchanged" in err
    assert _releases(db) == 0


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"mixed"])
def test_any_line_ends_load_the_same_rows(tmp_path: Path, run_cli, ending: bytes) -> None:
    """CR-only, CRLF and a mix of LF, CRLF and CR (old Mac exports, files pasted together)
    end lines alike: the same rows load, none lost under the title."""
    path = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, _lines(40))
    lines = path.read_bytes().split(b"\n")
    ends = [b"\r\n", b"\n", b"\r"]
    if ending == b"mixed":
        data = b"".join(ln + ends[k % 3] for k, ln in enumerate(lines[:-1])) + lines[-1]
    else:
        data = ending.join(lines)
    path.write_bytes(data)
    db = tmp_path / "w.duckdb"
    code, text = _ingest_one(run_cli, db, path)
    assert code == 0, text
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.engine.scalar("SELECT count(*) FROM arrests_all") == 40


def test_a_short_record_names_its_own_line(tmp_path: Path, run_cli) -> None:
    path = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, _lines(40))
    lines = path.read_bytes().split(b"\n")
    lines[30] = b"Seattle Area of Responsibility|9/25/2017"
    path.write_bytes(b"\n".join(lines))
    code, text = _ingest_one(run_cli, tmp_path / "w.duckdb", path)
    assert code == 2
    assert "row 31" in text and "Expected" in text, text


def test_a_long_short_record_names_its_own_line(tmp_path: Path, run_cli) -> None:
    """Arrow quotes a long refused record cut short ("... "): the line is still found."""
    path = pipe_csv(tmp_path / "EROArrests_FY2017.csv", TITLE, NATIONAL_HEADER, _lines(40))
    lines = path.read_bytes().split(b"\n")
    lines[21] = lines[21].rsplit(b"|", 3)[0]  # three fields short, still a long line
    path.write_bytes(b"\n".join(lines))
    code, text = _ingest_one(run_cli, tmp_path / "w.duckdb", path)
    assert code == 2 and "row 22" in text, text


def test_a_first_ingest_that_loads_nothing_leaves_no_warehouse(tmp_path: Path, run_cli) -> None:
    """Every file refused on a first ingest: the folder is as it was (no empty warehouse
    file beside them); an existing warehouse given the same refusal stays, byte for byte."""
    bad = tmp_path / "EROArrests_FY2017.csv"
    bad.write_bytes(b"\x00\x01binary\x00" * 100)
    db = tmp_path / "new.duckdb"
    code, _out, err = run_cli("ingest", "-q", "--db", str(db), str(bad))
    assert code == 2 and "Traceback" not in err, err
    assert not db.exists() and not db.with_name(db.name + ".wal").exists()
    (tmp_path / "good").mkdir()
    good = national_csv(tmp_path / "good" / "EROArrests_FY2017.csv.gz")
    code, _out, err = run_cli("ingest", "-q", "--db", str(db), str(good))
    assert code == 0 and db.exists(), err
    before = db.read_bytes()
    code, _out, err = run_cli("ingest", "-q", "--db", str(db), str(bad))
    assert code == 2 and db.read_bytes() == before, err


def test_a_derived_table_in_a_folder_is_passed_over(tmp_path: Path, run_cli) -> None:
    """A table with a release's headers but without a required column, under a name no
    release of that family uses (a geocoded copy beside the data), is skipped when a folder
    is walked (exit 0, said), and refused when named (exit 2); a release's own name missing
    the column is still an error."""
    from tests.fixtures import NATIONAL_HEADER, NATIONAL_ROWS

    drop = NATIONAL_HEADER.index("Apprehension Date")
    header = [h for i, h in enumerate(NATIONAL_HEADER) if i != drop]
    rows = [[v for i, v in enumerate(r) if i != drop] for r in NATIONAL_ROWS]
    folder = tmp_path / "in"
    folder.mkdir()
    derived = national_csv(folder / "geocoded_output.csv.gz", rows=rows, header=header)
    db = tmp_path / "w.duckdb"
    code, out, err = run_cli("ingest", "-q", "--db", str(db), str(folder))
    assert code == 0 and "not a release table" in out + err, out + err
    code, out, err = run_cli("ingest", "-q", "--db", str(db), str(derived))
    assert code == 2 and "not a release table" in err, err
    named = national_csv(tmp_path / "EROArrests_FY2017.csv.gz", rows=rows, header=header)
    code, out, err = run_cli("ingest", "-q", "--db", str(db), str(named))
    assert code == 2 and "required column missing" in err, err


def test_a_linked_folder_is_walked_and_a_loop_once(tmp_path: Path) -> None:
    """A folder linked into the one ingested was once skipped without a word."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    national_csv(elsewhere / "EROArrests_FY2017.csv.gz")
    top = tmp_path / "top"
    top.mkdir()
    (top / "linked").symlink_to(elsewhere, target_is_directory=True)
    (top / "loop").symlink_to(top, target_is_directory=True)  # back up the tree
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        reports = api.ingest(wh, [top])
        assert [(r.status, Path(r.path).name) for r in reports] == [
            ("loaded", "EROArrests_FY2017.csv.gz")
        ]
        stored = wh.engine.scalar("SELECT file_path FROM releases")
        assert stored == "linked/EROArrests_FY2017.csv.gz"
