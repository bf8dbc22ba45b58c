"""What the server reads: a private copy of the warehouse, taken when no one is writing.

A DuckDB file is locked while it is open: a reader blocks writers (an ingest) and a writer
blocks readers. The server therefore never keeps the user's warehouse open. It copies the
file (a few hundred milliseconds for a 10-million-arrest warehouse) while holding DuckDB's
shared lock for just that long, closes it, and answers every request from the copy, opened
read-only and sandboxed. A watcher thread looks at the warehouse every few seconds:

* unchanged: nothing to do;
* changed, and a writer holds it (``/proc/locks``): the pages say newer data is being loaded,
  and keep answering from the last copy;
* changed and free: a new copy is taken and swapped in; requests already running finish on
  the old one, which is closed and deleted when the last of them is done.

Each copy has an id (the file's size and modification time) that the response cache and the
reports' warehouse fingerprint key on.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icefacts._lazy import lazy_import
from icefacts.errors import IcefactsError

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.warehouse import Warehouse
else:
    api = lazy_import("icefacts.api")


@dataclass
class Snapshot:
    """One copy of the warehouse, open read-only; readers count who still uses it."""

    id: str
    path: Path
    wh: Warehouse
    taken_at: float
    fingerprint: str
    readers: int = 0
    retired: bool = False
    closed: bool = False
    memo: dict[Any, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close_if_done(self) -> None:
        if self.retired and self.readers == 0 and not self.closed:
            self.closed = True
            self.wh.close()
            with contextlib.suppress(OSError):
                shutil.rmtree(self.path.parent)


def _stamp(path: Path) -> str:
    """The file's size and time, and its write-ahead log's (committed work lands there
    first)."""
    st = path.stat()
    wal = path.with_name(path.name + ".wal")
    w = wal.stat() if wal.exists() else None
    tail = f"+{w.st_size}.{w.st_mtime_ns}" if w else ""
    return f"{st.st_size}.{st.st_mtime_ns}{tail}"


class Snapshots:
    """The server's copies of ``db``; :meth:`reader` gives a warehouse to answer one request."""

    def __init__(self, db: Path, *, every: float = 2.0, workdir: Path | None = None) -> None:
        self.db = Path(db)
        self.every = every
        self.workdir = workdir
        self.loading = False  # a writer holds the warehouse: newer data is on its way
        self.error: str | None = None  # why the last refresh failed, if it did
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._counter = itertools.count(1)
        self._stamps: dict[Path, str] = {}  # each copy's source stamp (size, times)
        self.on_new: list[Callable[[], None]] = []  # called after a new copy is swapped in
        self.current = self._take()

    # -- taking copies ------------------------------------------------------------------

    def _take(self) -> Snapshot:
        from icefacts.warehouse.connect import lock_holder

        if not self.db.exists():
            raise IcefactsError(f"--db {self.db}: no warehouse there (run `icefacts demo` first)")
        holder = lock_holder(self.db)
        if holder and holder[1] == "write":
            raise IcefactsError(
                f"--db {self.db}: another process is writing to it; start the server when the "
                "load has finished"
            )
        stamp = _stamp(self.db)
        folder = Path(tempfile.mkdtemp(prefix="icefacts-serve-", dir=self.workdir))
        copy = folder / "warehouse.duckdb"
        try:
            # DuckDB's shared lock, held for the copy only: no writer can change the file
            # while its bytes are read
            with api.open_warehouse(self.db, read_only=True) as src:
                fingerprint = api.warehouse_fingerprint(src)
                shutil.copyfile(self.db, copy)
                wal = self.db.with_name(self.db.name + ".wal")
                if wal.exists():  # committed work not yet checkpointed into the file
                    shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
            wh = api.open_warehouse(copy, read_only=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._stamps[copy] = stamp
        return Snapshot(
            id=f"{next(self._counter)}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}",
            path=copy,
            wh=wh,
            taken_at=time.time(),
            fingerprint=fingerprint,
        )

    def refresh(self) -> bool:
        """Take a new copy if the warehouse changed and no one is writing; True if taken."""
        from icefacts.warehouse.connect import lock_holder

        holder = lock_holder(self.db)
        if holder and holder[1] == "write":  # an ingest (or any writer) is at work
            self.loading = True
            return False
        try:
            stamp = _stamp(self.db)
        except OSError as exc:
            self.error = f"cannot read {self.db}: {exc.strerror or exc}"
            return False
        if self._stamps.get(self.current.path) == stamp:
            self.loading = False
            return False
        try:
            new = self._take()
        except IcefactsError as exc:  # busy, or mid-write: try again at the next look
            self.loading = True
            self.error = exc.one_line()
            return False
        with self._lock:
            old, self.current = self.current, new
            old.retired = True
        self.loading = False
        self.error = None
        with old.lock:
            old.close_if_done()
        for hook in self.on_new:
            hook()
        return True

    # -- reading -------------------------------------------------------------------------

    @contextlib.contextmanager
    def reader(self) -> Iterator[tuple[Snapshot, Warehouse]]:
        """The current copy and a warehouse on its own cursor (DuckDB connections are not
        shared between threads; cursors of one connection are)."""
        from icefacts.warehouse import Warehouse

        with self._lock:
            snap = self.current
            with snap.lock:
                snap.readers += 1
        try:
            cursor = snap.wh.con.cursor()
            wh = Warehouse(snap.path, cursor, read_only=True)
            wh.engine.memo = snap.memo  # what one copy's bookkeeping says, learnt once
            try:
                yield snap, wh
            finally:
                cursor.close()
        finally:
            with snap.lock:
                snap.readers -= 1
                snap.close_if_done()

    # -- the watcher ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="snapshots", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            with contextlib.suppress(Exception):  # a failed look is retried at the next one
                self.refresh()

    def stop(self) -> None:
        """Stop looking for a newer warehouse (the copies stay open)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every + 60)
            self._thread = None

    def close(self) -> None:
        self.stop()
        with self._lock:
            self.current.retired = True
            with self.current.lock:
                self.current.close_if_done()
