"""The main job: ingest the real national FY2017 arrests (or a synthetic release) and summarise."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from icefacts.errors import IcefactsError
from icefacts.fetch import fetch, load_catalog

DEMO_FILE = "uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz"


@dataclass
class DemoSource:
    path: Path
    synthetic: bool
    notice: str


def demo_source(
    allow_download: bool = True,
    synth: Callable[[Path], Path] | None = None,
) -> DemoSource:
    """The real file from the mirror/cache/URL, else a freshly generated synthetic release."""
    entry = load_catalog()[DEMO_FILE]
    try:
        path = fetch(entry, allow_download=allow_download)
        return DemoSource(path, False, f"real release {entry.path} (sha256 verified)")
    except IcefactsError as exc:
        reason = exc.one_line()
    path = synth(Path(tempfile.mkdtemp(prefix="icefacts-demo-"))) if synth else _cached_synthetic()
    return DemoSource(
        path,
        True,
        "NOTICE: the real FY2017 arrests file could not be had "
        f"({reason}); using a SYNTHETIC release instead: numbers below are not ICE's.",
    )


def _cached_synthetic() -> Path:
    """The synthetic release, generated once per icefacts version into the cache (it is the
    same file every time: seed 2017), so a second demo finds it already ingested and leaves
    no folder behind; a temporary folder when the cache cannot be written."""
    from icefacts._version import __version__
    from icefacts.fetch import default_cache

    home = default_cache() / f"demo-synthetic-{__version__}"
    found = _intact(home)
    if found:
        return found
    shutil.rmtree(home, ignore_errors=True)  # damaged or partial: made again
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="demo-synthetic-", dir=home.parent))
    except OSError:
        return _synthetic_arrests(Path(tempfile.mkdtemp(prefix="icefacts-demo-")))
    made = _synthetic_arrests(work)
    (work / "SHA256").write_text(f"{_sha256(made)}  {made.name}\n")
    try:
        work.rename(home)
    except OSError:  # another demo got there first, or the rename is refused
        found = _intact(home)
        if not found:
            return made
        shutil.rmtree(work, ignore_errors=True)
        return found
    return home / made.name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _intact(home: Path) -> Path | None:
    """The cached synthetic file, if its bytes are still those it was made with."""
    try:
        digest, name = (home / "SHA256").read_text().split()
        path = home / name
        return path if _sha256(path) == digest else None
    except (OSError, ValueError):
        return None


def _synthetic_arrests(out: Path) -> Path:
    from icefacts.synth import generate

    generate(out, rows=143_470, seed=2017, families=("A",))
    return next(out.glob("*Arrests*"))
