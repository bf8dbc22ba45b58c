"""A one-slot background writer: compress chunk ``k`` while the caller builds chunk ``k+1``.

zlib (behind gzip and zipfile) releases the GIL while it deflates, so on two cores building the
text of the next chunk in the main thread and compressing the previous one here roughly halves
the wall time of writing a large file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class Pipe:
    def __init__(self, write: Callable[[bytes], object], depth: int = 2) -> None:
        self._write = write
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="icefacts-synth-writer")
        self._thread.daemon = True
        self._thread.start()

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self._error is None:
                try:
                    self._write(chunk)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc

    def put(self, chunk: bytes) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(chunk)

    def close(self) -> None:
        """Wait for everything queued to be written; raise what the writer raised."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> Pipe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
