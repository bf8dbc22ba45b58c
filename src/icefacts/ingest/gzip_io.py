"""Reading gzip files with ISA-L's inflate (``isal.igzip``, a drop-in for the standard
``gzip`` module).

A national FY file inflates to 1.7 GB; ``igzip`` does it in a third of the CPU time of
``gzip`` (1.0 s against 3.0 s for the 10M-row synthetic file, docs/performance.md). Both
raise ``EOFError`` for a stream cut short and ``gzip.BadGzipFile`` for a bad header; a
damaged deflate stream raises ``zlib.error`` from one and ``IsalError`` from the other, so
callers catch :data:`GZIP_ERRORS` (or :data:`READ_ERRORS`, with ``OSError``).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO, cast

from isal import igzip, isal_zlib

GZIP_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    zlib.error,
    gzip.BadGzipFile,
    cast(type[BaseException], isal_zlib.error),
)
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, *GZIP_ERRORS)


def open_gzip(path: Path) -> BinaryIO:
    """``path`` inflated, for reading bytes."""
    return cast(BinaryIO, igzip.open(path, "rb"))
