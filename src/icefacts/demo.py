"""The main job: ingest the real national FY2017 arrests (or a synthetic release) and summarise."""

from __future__ import annotations

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
    out = Path(tempfile.mkdtemp(prefix="icefacts-demo-"))
    make = synth or _synthetic_arrests
    path = make(out)
    return DemoSource(
        path,
        True,
        "NOTICE: the real FY2017 arrests file could not be had "
        f"({reason}); using a SYNTHETIC release instead: numbers below are not ICE's.",
    )


def _synthetic_arrests(out: Path) -> Path:
    from icefacts.synth import generate

    generate(out, rows=143_470, seed=2017, families=("A",))
    return next(out.glob("*Arrests*"))
