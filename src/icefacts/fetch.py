"""Fetch pinned public files: from a local mirror directory, a cache, or their public URL.

Every catalogued file has a relative path, a public URL, a byte size and a sha256. Lookup order:
1. ``ICEFACTS_MIRROR`` (or ``mirror=``): a directory laid out with the same relative paths;
2. the cache directory (``ICEFACTS_CACHE``, default ``~/.cache/icefacts``);
3. the URL (only when ``allow_download``), written to the cache.
A file whose sha256 differs from the catalog is refused and nothing is returned.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from icefacts.errors import InputError

CATALOG = Path(__file__).parent / "releases" / "catalog.csv"


@dataclass(frozen=True)
class CatalogEntry:
    path: str  # relative path, the same under a mirror and in the cache
    url: str
    bytes: int
    sha256: str
    license: str = ""
    kind: str = "release"  # release | reference


def load_catalog(path: Path = CATALOG) -> dict[str, CatalogEntry]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        r["path"]: CatalogEntry(
            path=r["path"],
            url=r["url"],
            bytes=int(r["bytes"]),
            sha256=r["sha256"].lower(),
            license=r.get("license", ""),
            kind=r.get("kind", "release") or "release",
        )
        for r in rows
    }


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def default_cache() -> Path:
    return Path(os.environ.get("ICEFACTS_CACHE", Path.home() / ".cache" / "icefacts"))


def default_mirror() -> Path | None:
    """``ICEFACTS_MIRROR``; else, as ``make`` does, the folder ``shared/data`` beside the
    project's checkout (when icefacts runs from one and that folder exists)."""
    value = os.environ.get("ICEFACTS_MIRROR")
    if value:
        return Path(value)
    root = Path(__file__).resolve().parents[2]  # src/icefacts/fetch.py -> the checkout
    beside = root.parent / "shared" / "data"
    if (root / "pyproject.toml").exists() and beside.is_dir():
        return beside
    return None


def _urlopen(timeout: float) -> Callable[[str], BinaryIO]:
    return lambda url: cast(BinaryIO, urllib.request.urlopen(url, timeout=timeout))


def _verify(entry: CatalogEntry, path: Path) -> None:
    digest = sha256_file(path)
    if digest != entry.sha256:
        raise InputError(
            f"checksum mismatch: expected sha256 {entry.sha256[:16]}..., got {digest[:16]}...;"
            " refusing to use it",
            file=str(path),
        )


def fetch(
    entry: CatalogEntry,
    *,
    mirror: Path | None = None,
    cache: Path | None = None,
    allow_download: bool = True,
    opener: Callable[[str], BinaryIO] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Return a verified local path for ``entry``; raise InputError if none can be had."""
    mirror = mirror if mirror is not None else default_mirror()
    cache = cache if cache is not None else default_cache()
    if mirror is not None:
        candidate = mirror / entry.path
        if candidate.exists():
            _verify(entry, candidate)
            return candidate
    cached = cache / entry.path
    if cached.exists():
        _verify(entry, cached)
        return cached
    if not allow_download:
        raise InputError(f"{entry.path} is not in the mirror or cache and downloads are off")
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cached.parent, prefix=".part-")
    tmp = Path(tmp_name)
    try:
        open_url = opener or _urlopen(timeout)
        with os.fdopen(fd, "wb") as out, open_url(entry.url) as resp:
            shutil.copyfileobj(resp, out)
        _verify(entry, tmp)
        tmp.replace(cached)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise InputError(
            f"could not download {entry.url}: {exc} (offline? point ICEFACTS_MIRROR, or "
            "--mirror, at a local copy laid out as the catalog's paths)"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return cached
