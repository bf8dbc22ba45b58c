"""Open a DuckDB warehouse file: checked, sandboxed, and with a plain answer when it is busy.

Every connection icefacts opens has DuckDB's own guards set before any SQL runs:
``enable_external_access = false`` (no file, network or extension access from SQL: DuckDB can
read and write its own database file and spill to its temporary folder, nothing else),
``lock_configuration = true`` (no ``SET`` can undo that) and no extension auto-loading. icefacts
itself never asks DuckDB to read files (Arrow and calamine read releases), so nothing is lost.
The one connection that writes files, the Parquet export's (:func:`export_connection`), is an
in-memory DuckDB under the same guards that may write into one folder only.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from icefacts import interrupts
from icefacts.errors import IcefactsError, WarehouseBusy

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def default_db_path() -> Path:
    return Path(os.environ.get("ICEFACTS_DB", "icefacts.duckdb"))


def memory_limit() -> str:
    """DuckDB's memory limit (it spills to disk above it): ``ICEFACTS_MEMORY_LIMIT``."""
    value = os.environ.get("ICEFACTS_MEMORY_LIMIT", "1GB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.I):
        raise IcefactsError(
            f"ICEFACTS_MEMORY_LIMIT must be a size such as 1GB or 512MB, not {value!r}"
        )
    return value


def sandbox_config() -> dict[str, str | bool | int | float | list[str]]:
    return {
        "enable_external_access": False,
        "lock_configuration": True,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "memory_limit": memory_limit(),
    }


def check_db_path(db: Path) -> None:
    """``--db`` must be a DuckDB file or a path where one can be created."""
    if db.is_dir():
        raise IcefactsError(f"--db {db} is a folder; give a warehouse file such as {db}/w.duckdb")
    if not db.exists():
        return
    if not db.is_file():  # a FIFO would block the read below; /dev/null is no warehouse
        raise IcefactsError(
            f"--db {db} is not a regular file; give an icefacts .duckdb file or a new path"
        )
    try:
        with db.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise IcefactsError(f"--db {db}: cannot read it ({exc.strerror or exc})") from exc
    if not head:
        raise IcefactsError(
            f"--db {db} is an empty file, not a warehouse; remove it, or give an icefacts "
            ".duckdb file or a new path"
        )
    if head[8:12] != DUCKDB_MAGIC:
        raise IcefactsError(
            f"--db {db} is not a DuckDB warehouse (its first bytes say otherwise); "
            "give an icefacts .duckdb file or a new path"
        )


def connect(db: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    check_db_path(db)
    if read_only and not db.exists():
        raise IcefactsError(f"no warehouse at {db} (run `icefacts ingest` first)")
    if not read_only and db.parent and not db.parent.exists():
        if not db.parent.parent.exists():  # one new folder is a choice; a chain is a typo
            raise IcefactsError(
                f"--db {db}: the folder {db.parent.parent} does not exist (create it first)"
            )
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IcefactsError(f"cannot create folder {db.parent}: {exc.strerror}") from exc
    try:
        config = sandbox_config()
        if not read_only:
            # Loads stream a sheet's rows through one INSERT; without an order to keep, DuckDB
            # compresses and writes its row groups on every core (a 10M-row CSV: 7.8 s against
            # 12.0 s). Rows are never read in insertion order: every answer sorts or groups.
            config["preserve_insertion_order"] = False
        con = _connect_waiting(db, read_only, config)
        interrupts.register(con)
        return con
    except duckdb.IOException as exc:
        text = " ".join(str(exc).split())
        if "lock" in text.lower():
            raise WarehouseBusy(busy_message(db, text, read_only)) from exc
        raise IcefactsError(f"cannot open warehouse {db}: {text[:300]}") from exc
    except duckdb.Error as exc:
        text = " ".join(str(exc).split())
        if "different configuration" in text:
            raise WarehouseBusy(
                f"warehouse {db} is already open in this process "
                f"{'for writing' if read_only else 'read-only'}; close it first"
            ) from exc
        raise IcefactsError(f"cannot open warehouse {db}: {text[:300]}") from exc


def lock_wait() -> float:
    """Seconds a writer waits for readers to let go (``ICEFACTS_LOCK_WAIT``, default 3): a
    reader such as ``icefacts serve`` copying the warehouse holds it for a moment only."""
    try:
        return max(0.0, float(os.environ.get("ICEFACTS_LOCK_WAIT", "3")))
    except ValueError:
        return 3.0


def _connect_waiting(
    db: Path, read_only: bool, config: dict[str, str | bool | int | float | list[str]]
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``; a writer kept out by a reader's lock tries again for a few
    seconds (a writer's lock is an ingest: waiting would not help)."""
    deadline = time.monotonic() + (0.0 if read_only else lock_wait())
    while True:
        try:
            return duckdb.connect(str(db), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            holder = lock_holder(db) if "lock" in str(exc).lower() else None
            if holder is None or holder[1] != "read" or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def export_connection(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may write files into ``folder`` and nowhere else (the
    Parquet export): the warehouse's sandbox with one allowed directory. DuckDB takes
    ``allowed_directories`` only while external access is still on, so the guards are set by
    ``SET`` in that order, before any other statement, and then locked."""
    config = sandbox_config()
    del config["enable_external_access"], config["lock_configuration"]
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute("SET allowed_directories = ?", [[str(folder.resolve()) + os.sep]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    interrupts.register(con)
    return con


def busy_message(db: Path, duckdb_text: str, wanted_read_only: bool) -> str:
    """Who holds the file and how (from /proc/locks where the system has it)."""
    holder = lock_holder(db)
    pid = holder[0] if holder else _pid_in(duckdb_text)
    mode = holder[1] if holder else None
    who = f"process {pid}" if pid else "another process"
    command = _command(pid) if pid else None
    if command:
        who += f" ({command})"
    if mode == "read":
        how = f"has {db} open for reading (a reader blocks writers until it exits)"
    elif mode == "write" or wanted_read_only:
        how = f"is writing to {db}"
    else:
        how = f"has {db} open"
    return f"warehouse is busy: {who} {how}; try again when it has finished"


def lock_holder(db: Path) -> tuple[int, str] | None:
    """(pid, 'read' | 'write') of a POSIX lock on ``db``, from /proc/locks (Linux)."""
    try:
        st = db.stat()
        text = Path("/proc/locks").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        parts = line.split()
        # "1: POSIX  ADVISORY  WRITE 12345 08:01:1234567 0 EOF" (a "->" marks blocked waiters)
        if len(parts) < 6 or "->" in parts[1]:
            continue
        try:
            _maj, _min, inode = parts[5].split(":")
            pid = int(parts[4])
        except ValueError:
            continue
        if int(inode) == st.st_ino and pid != os.getpid():
            return pid, parts[3].lower()
    return None


def _pid_in(text: str) -> int | None:
    m = re.search(r"PID (\d+)", text)
    return int(m.group(1)) if m else None


def _command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    args = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
    if not args:
        return None
    # "python .../bin/icefacts ingest x" reads better as "icefacts ingest x"
    for i, a in enumerate(args):
        if a.endswith("/icefacts") or a == "icefacts":
            args = ["icefacts", *args[i + 1 :]]
            break
    else:
        args[0] = Path(args[0]).name
    shown = " ".join(" ".join(args).split())
    return shown if len(shown) <= 80 else shown[:77] + "..."
