"""Tell what kind of file a path is, from its bytes (never from its name alone)."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path
from typing import Literal

from icefacts.errors import InputError

FileKind = Literal["xlsx", "xls", "csv", "csv.gz"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_GZIP = b"\x1f\x8b"


def sniff(path: Path) -> FileKind:
    name = str(path)
    if not path.exists():
        raise InputError("no such file or directory", file=name)
    if path.is_dir():
        raise InputError("is a directory (ingest walks folders itself)", file=name)
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file (0 bytes)", file=name)
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}", file=name) from exc
    if head.startswith(_ZIP):
        return _check_xlsx(path)
    if head.startswith(_OLE):
        return _check_ole(path)
    if head.startswith(_GZIP):
        try:
            with gzip.open(path, "rb") as g:
                sample = g.read(65536)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"corrupt or truncated gzip file: {exc}", file=name) from exc
        _check_text(sample, name)
        return "csv.gz"
    with path.open("rb") as f:
        sample = f.read(65536)
    _check_text(sample, name)
    return "csv"


def _check_text(sample: bytes, name: str) -> None:
    if utf16_encoding(sample):  # UTF-16 text (Excel's "Unicode text"): read as such
        return
    if not sample.strip():
        raise InputError("empty file (no text)", file=name)
    if b"\x00" in sample:
        at = sample.index(b"\x00")
        line = sample.count(b"\n", 0, at) + 1
        binary = sum(b < 9 or 13 < b < 32 for b in sample[:4096]) > 0.1 * min(len(sample), 4096)
        if binary:
            raise InputError("not an Excel or CSV file (binary content)", file=name)
        raise InputError(
            f"a NUL byte (\\x00) at line {line:,}, byte {at + 1:,}: a damaged text file "
            "(save it again as CSV, or remove the NUL bytes)",
            file=name,
        )
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample boundary is fine; real binary is not.
        if exc.start < len(sample) - 4:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                raise InputError("not an Excel or CSV file (not text)", file=name) from exc


def _check_xlsx(path: Path) -> FileKind:
    name = str(path)
    # The central directory sits at the end of a zip: a truncated file fails here. Damaged
    # members are reported by the reader when it reaches them (no full decompression here).
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"corrupt or truncated workbook: {exc}", file=name) from exc
    if "xl/workbook.xml" not in names:
        raise InputError("not an Excel workbook (a zip without xl/workbook.xml)", file=name)
    return "xlsx"


def _check_ole(path: Path) -> FileKind:
    with path.open("rb") as f:
        blob = f.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in blob:
        raise InputError(
            "password-protected workbook; save an unprotected copy first", file=str(path)
        )
    return "xls"


def utf16_encoding(raw: bytes) -> str | None:
    """'utf-16' when the bytes start with a UTF-16 byte-order mark, 'utf-16-le'/'-be' when
    every other byte is NUL (UTF-16 text without one), else None."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = raw[:4096]
    if len(sample) >= 8:
        odd, even = sample[1::2], sample[0::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None
