"""Fixtures for the places / reference / policies tests.

Real public files are read in place from ``../shared/data`` (relative to the repository root)
or ``ICEFACTS_MIRROR``; tests that need them skip cleanly when they are absent. Nothing is
downloaded: ``allow_download=False`` and a throw-away cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from icefacts.places import Gazetteer, Places, build_places, load_gazetteer

REPO = Path(__file__).resolve().parents[2]


def mirror_dir() -> Path | None:
    env = os.environ.get("ICEFACTS_MIRROR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO / ".." / "shared" / "data")
    for c in candidates:
        if (c / "MANIFEST.md").exists() or (c / "census-county-population").is_dir():
            return c.resolve()
    return None


@pytest.fixture(scope="session")
def maybe_mirror() -> Path | None:
    """The mirror when present, else None (for tests that also run without it)."""
    return mirror_dir()


@pytest.fixture(scope="session")
def mirror() -> Path:
    m = mirror_dir()
    if m is None:
        pytest.skip("real data mirror (../shared/data or ICEFACTS_MIRROR) not available")
    return m


@pytest.fixture(scope="session")
def empty_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("icefacts-cache")


@pytest.fixture(scope="session")
def places(mirror: Path, empty_cache: Path) -> Places:
    return build_places(mirror, empty_cache, allow_download=False)


@pytest.fixture(scope="session")
def gazetteer(places: Places, mirror: Path, empty_cache: Path) -> Gazetteer:
    return load_gazetteer(mirror, empty_cache, allow_download=False, places=places)
