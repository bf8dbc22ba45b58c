"""Ctrl-C stops within a second, whatever is running.

Python runs its SIGINT handler only in the main thread and only between bytecodes, so a long
DuckDB statement (an insert, a scan) would finish before ``KeyboardInterrupt`` is raised, and at
exit Python waits for worker threads still parsing a sheet. So the CLI installs a watcher
(:func:`install`): the interpreter's C-level handler writes each signal to a pipe, and a
thread reading it interrupts every open DuckDB connection at once (the statement raises, the
load's transaction rolls back). Code that would wait for background work checks
:func:`requested` and lets it go; the CLI then exits at once (``os._exit``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import weakref
from typing import Any

_connections: weakref.WeakSet[Any] = weakref.WeakSet()
_commits = [0]  # transactions committed by this process (what a Ctrl-C cannot undo)
_requested = threading.Event()
_installed = False
_deadline: list[tuple[float, str]] = []  # (monotonic time, message) of a time limit in force


def requested() -> bool:
    """Ctrl-C was pressed: stop, do not wait for background work."""
    return _requested.is_set()


def committed() -> None:
    _commits[0] += 1


def commits() -> int:
    """Transactions committed so far by this process."""
    return _commits[0]


def request() -> None:
    """Note a Ctrl-C seen in the main thread (``KeyboardInterrupt``). From here on, errors
    Python can only report as "Exception ignored in ..." (a generator or object closed while
    the process exits) are not printed: the user asked it to stop and is told it did."""
    _requested.set()
    sys.unraisablehook = _quiet_unraisable


def _quiet_unraisable(unraisable: Any) -> None:
    return None


def register(con: Any) -> None:
    """A DuckDB connection to interrupt on Ctrl-C (kept weakly)."""
    with contextlib.suppress(TypeError):
        _connections.add(con)


def install() -> None:
    """Watch for SIGINT from a thread (call once, from the main thread)."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        # a no-op handler: the watcher sends it to the main thread to wake a blocking wait
        # (the kernel delivers SIGINT to any thread; only the main thread raises on it)
        signal.signal(signal.SIGUSR1, lambda *_: None)
    except (ValueError, OSError, AttributeError):
        os.close(read_fd)
        os.close(write_fd)
        return
    _installed = True
    main = threading.main_thread().ident

    def watch() -> None:
        while True:
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
            if not data:
                return
            if signal.SIGINT in data:
                _requested.set()
                if main is not None:
                    with contextlib.suppress(Exception):
                        signal.pthread_kill(main, signal.SIGUSR1)
                # again and again: a statement that starts just after an interrupt would run
                # to its end (the process exits as soon as the main thread sees the request)
                for _ in range(200):
                    for con in list(_connections):
                        with contextlib.suppress(Exception):
                            con.interrupt()
                    time.sleep(0.05)

    threading.Thread(target=watch, name="icefacts-interrupt", daemon=True).start()


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed (for loops that wait), or the
    time-limit error once a deadline set by :func:`deadline` has passed."""
    if _requested.is_set():
        raise KeyboardInterrupt
    if _deadline and time.monotonic() > _deadline[0][0]:
        from icefacts.errors import IcefactsError

        raise IcefactsError(_deadline[0][1])


def deadline(at: float | None, message: str = "") -> None:
    """Set (``at``: a ``time.monotonic()`` value) or clear (None) the time limit that
    :func:`check` enforces: output written after a query counts against its ``--timeout``."""
    _deadline.clear()
    if at is not None:
        _deadline.append((at, message))


def result(future: Any, poll: float = 0.1) -> Any:
    """``future.result()``, but Ctrl-C ends the wait within ``poll`` seconds (a signal that
    the kernel delivers to another thread does not wake a wait in the main thread)."""
    try:
        while True:
            check()
            try:  # wakes as soon as the result is there
                return future.result(timeout=poll)
            except TimeoutError:
                continue
    except KeyboardInterrupt:
        request()  # raised in this thread before the watcher saw it: say so at once
        raise


def get(q: Any, poll: float = 0.1) -> Any:
    """``q.get()``, but Ctrl-C ends the wait within ``poll`` seconds."""
    import queue

    try:
        while True:
            try:
                return q.get(timeout=poll)
            except queue.Empty:
                check()
    except KeyboardInterrupt:
        request()
        raise
