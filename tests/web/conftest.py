"""Fixtures for the web app: the planted synthetic warehouse with the reference tables (the
map, places and policy pages need them), and a test client on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from icefacts import api
from tests.conftest import SHARED


@pytest.fixture(scope="session", autouse=True)
def grid_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A public server's protected blocks cached for this run only (``web/grid.py``): the
    test modules that start one on the same warehouse share them, and nothing is left in
    the user's cache."""
    import os

    path = tmp_path_factory.mktemp("cache")
    old = os.environ.get("ICEFACTS_CACHE")
    os.environ["ICEFACTS_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("ICEFACTS_CACHE", None)
    else:
        os.environ["ICEFACTS_CACHE"] = old


@pytest.fixture(scope="session")
def web_db(planted: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the planted warehouse with places loaded from the mirror."""
    if not (SHARED / "census-county-population").is_dir():
        pytest.skip("the reference files (../shared/data or ICEFACTS_MIRROR) are not available")
    src, _truth = planted
    db = tmp_path_factory.mktemp("web") / "w.duckdb"
    shutil.copyfile(src, db)
    with api.open_warehouse(db) as wh:
        api.load_reference(wh, mirror=SHARED, allow_download=False)
    return db


def make_client(db: Path, **settings: object):
    from fastapi.testclient import TestClient

    from icefacts.web.app import create_app
    from icefacts.web.state import Settings

    app = create_app(Settings(db=db, hosts=["testserver"], **settings))  # type: ignore[arg-type]
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client(web_db: Path) -> Iterator[object]:
    with make_client(web_db) as c:
        yield c
