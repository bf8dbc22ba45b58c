"""What every request of the web app shares: the settings, the warehouse copies and a
cache of answers for the current copy."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icefacts.web import publishing
from icefacts.web.snapshot import Snapshots

MAX_UPLOAD = 1 << 20  # a claim file: the loader's own limit


@dataclass
class Settings:
    db: Path
    public: bool = False  # publish mode: small cells suppressed, no row-level tables
    k: int = 10  # the smallest count shown in publish mode
    # publish mode from the copy's one protected table (web/grid.py); False protects each
    # page on its own, as a report is (safe within a page, not across requests)
    grid: bool = True
    sql: bool = False  # /api/sql answers (sandboxed, capped) only when asked for
    max_rows: int = 10_000
    timeout: float = 10.0
    refresh_every: float = 2.0
    hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])


class Cache:
    """Answers already given for a copy of the warehouse: bounded, least recently used, but
    for the pages a visitor opens first (``pinned``: keys without the copy's id), which stay
    as long as their copy answers. Entries of a retired copy are dropped when it is."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.pinned: set[tuple[Any, ...]] = set()
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._kept: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            if key[1:] in self.pinned:
                self._kept[key] = value
                return
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def keep_only(self, snapshot_id: str) -> None:
        """Forget the answers of every other copy."""
        with self._lock:
            for store in (self._items, self._kept):
                for key in [k for k in store if k[0] != snapshot_id]:
                    del store[key]


class State:
    """What every request shares: the settings, the warehouse copies and the cache."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.snapshots = Snapshots(settings.db, every=settings.refresh_every)
        self.cache = Cache()
        self._locks: dict[tuple[Any, ...], tuple[threading.Lock, int]] = {}
        self._locks_lock = threading.Lock()
        self._warm_thread: threading.Thread | None = None
        self.warming = threading.Event()  # set while the first pages are being computed
        self.snapshots.on_new.append(self.warm)

    def warm(self) -> None:
        """Compute the pages a visitor opens first (the overview, the map, the explorer, the
        detected operations, the trend, each as it opens with no parameters), in the
        background, so that they come from the cache; a page that fails here fails again,
        with its message, when asked for."""
        from icefacts.web import views

        def run() -> None:
            self.warming.set()
            try:
                warm_all()
            finally:
                self.warming.clear()

        def warm_all() -> None:
            self.cache.keep_only(self.snapshots.current.id)
            none = self.params({})
            if self.gridded:  # the grid first: every page is read from it
                from icefacts.web.grid import TABLES, Grid

                with self.snapshots.reader() as (_snap, wh):
                    grid = Grid.of(wh, self.settings.k)
                    for table in TABLES:
                        with contextlib.suppress(Exception):  # said when a page asks
                            grid.warm(wh, (table,))
            first_pages: list[tuple[tuple[Any, ...], Callable[[Any], Any]]] = [
                (("overview",), views.overview),
                (
                    ("map", *sorted(none.items())),
                    lambda wh: views.county_map(wh, none, views.ATLAS_URL),
                ),
                (("operation", *sorted(none.items())), lambda wh: views.operation(wh, none)),
                (("detect",), lambda wh: views.detect(wh, {})),
                (("trend",), lambda wh: views.trend(wh, {})),
            ]
            for key, _make in first_pages:  # the page and its JSON twin stay cached
                self.cache.pinned.add(key)
                self.cache.pinned.add(("bytes", "json", None, False, *key))
            for key, make in first_pages:
                try:
                    self.view(key, make)
                except Exception:  # said again when the page is asked for
                    continue

        self._warm_thread = threading.Thread(target=run, name="warm", daemon=True)
        self._warm_thread.start()

    def close(self) -> None:
        """Stop the watcher, let the warm-up finish, close the copies (the app's shutdown):
        no thread is left inside DuckDB when the process exits."""
        self.snapshots.stop()
        if self._warm_thread is not None:
            self._warm_thread.join(timeout=120)
        self.snapshots.close()

    def answer(self, key: tuple[Any, ...], compute: Callable[[Any], Any]) -> Any:
        """``compute(warehouse)`` on the current copy, remembered for that copy. A hit opens
        no cursor; requests for the same answer at once wait for the first to compute it."""
        hit = self.cache.get((self.snapshots.current.id, *key))
        if hit is not None:
            return hit
        with self.snapshots.reader() as (snap, wh):
            full = (snap.id, *key)
            with self._key_lock(full):
                hit = self.cache.get(full)
                if hit is not None:
                    return hit
                value = compute(wh)
                self.cache.put(full, value)
                return value

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` (work on answers already read: encoding them) remembered for the
        current copy; it reads no warehouse, so it opens no cursor."""
        full = (self.snapshots.current.id, *key)
        hit = self.cache.get(full)
        if hit is not None:
            return hit
        with self._key_lock(full):
            hit = self.cache.get(full)
            if hit is None:
                hit = compute()
                self.cache.put(full, hit)
            return hit

    @contextlib.contextmanager
    def _key_lock(self, key: tuple[Any, ...]) -> Iterator[None]:
        with self._locks_lock:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._locks_lock:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def view(self, key: tuple[Any, ...], make: Callable[[Any], Any]) -> Any:
        """A page's view, published (``web/publishing.py``) and remembered for this copy."""
        s = self.settings
        return self.answer(
            key, lambda wh: publishing.prepare(make(wh), s.public, s.k, wh, grid=self.gridded)
        )

    @property
    def gridded(self) -> bool:
        """Whether pages are published from the copy's grid (a public server's)."""
        return self.settings.public and self.settings.grid

    def params(self, p: dict[str, str]) -> dict[str, str]:
        """A request's parameters as this server answers them (a public server's in its
        grid's terms: ``views.for_public``)."""
        from icefacts.web import views

        return views.for_public(p) if self.gridded else p
