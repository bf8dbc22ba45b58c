"""The web app in a real browser: Debian's Chromium (never a downloaded one) driven by
Playwright, against the app served by uvicorn on 127.0.0.1. Each page loads without console
errors, the map draws its counties, charts render, the explorer answers a new window (typed,
and dragged on the daily chart), the claim checker shows verdicts, downloads arrive.

Screenshots go to build/screenshots/ (CI keeps them as artifacts). Without Chromium the tests
skip and say how to get it (`make test` installs it where it can)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from icefacts.web.reports import BROWSER_FLAGS
from tests.conftest import PLANTS, ROOT

SHOTS = ROOT / "build" / "screenshots"
FLAGS = list(BROWSER_FLAGS)
OP_FROM, OP_TO, OP_AORS = PLANTS[0].split(":")[:3]


def _chromium() -> str | None:
    named = os.environ.get("ICEFACTS_CHROMIUM")
    if named and Path(named).is_file():
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    import uvicorn

    from icefacts.web.app import create_app
    from icefacts.web.state import Settings

    port = _free_port()
    app = create_app(Settings(db=web_db, hosts=["127.0.0.1", "localhost"]))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_page(server: str, tmp_path_factory: pytest.TempPathFactory):
    exe = _chromium()
    if exe is None and os.environ.get("ICEFACTS_REQUIRE_BROWSER"):
        pytest.fail("ICEFACTS_REQUIRE_BROWSER is set and no Chromium is installed")
    if exe is None:
        pytest.skip(
            "no Chromium: install Debian's chromium (apt install chromium), or set "
            "ICEFACTS_CHROMIUM; `make test` installs it where it runs as root"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=exe,
            headless=True,
            args=FLAGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.problems = []  # type: ignore[attr-defined]
        page.on(
            "console",
            lambda m: (
                page.problems.append(f"console {m.type}: {m.text}")  # type: ignore[attr-defined]
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))  # type: ignore[attr-defined]
        yield page
        context.close()


def _open(page, url: str, shot: str, charts: int = 0) -> None:
    page.problems.clear()
    page.goto(url, wait_until="networkidle")
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('.chart[data-drawn=\"yes\"]').length >= {charts}",
            timeout=15000,
        )
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    assert page.problems == [], page.problems


PAGES = [
    ("/", "overview", 0),
    ("/map", "map", 1),
    ("/trend", "trend", 1),
    (f"/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}", "operation", 2),
    ("/operations", "operations", 0),
    ("/claims", "claims", 0),
    ("/codebook", "codebook", 0),
    ("/provenance", "provenance", 0),
    ("/place/NYC", "place", 1),
]


@pytest.mark.parametrize(("path", "shot", "charts"), PAGES)
def test_each_page_loads_without_console_errors(browser_page, server, path, shot, charts) -> None:
    _open(browser_page, server + path, shot, charts)
    assert browser_page.locator("h1").count() == 1


def test_the_map_draws_its_counties(browser_page, server) -> None:
    _open(browser_page, f"{server}/map?from={OP_FROM}&to={OP_TO}", "map-window", 1)
    paths = browser_page.locator("#chart-map svg path").count()
    assert paths > 3000, paths  # every county, the grey (mostly unplaced) ones too


def test_a_chart_renders_marks(browser_page, server) -> None:
    _open(browser_page, f"{server}/trend?by=week", "trend-week", 1)
    assert browser_page.locator("#chart-trend svg path").count() > 0


def test_the_explorer_answers_a_new_window(browser_page, server) -> None:
    page = browser_page
    _open(page, f"{server}/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}", "explorer", 2)
    first = page.locator("#window-summary").inner_text()
    page.fill("input[name=from]", "2017-03-05")
    page.fill("input[name=to]", "2017-03-08")
    page.click("#explorer button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('.chart[data-drawn=\"yes\"]').length >= 2", timeout=15000
    )
    second = page.locator("#window-summary").inner_text()
    assert "2017-03-05 to 2017-03-08" in second and second != first
    page.screenshot(path=str(SHOTS / "explorer-typed.png"), full_page=True)
    # a drag across the daily chart picks a window and reloads the explorer with it
    box = page.locator("#chart-daily svg").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.30, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=8)
    with page.expect_navigation(timeout=15000):
        page.mouse.up()
    page.wait_for_function(
        "document.querySelectorAll('.chart[data-drawn=\"yes\"]').length >= 2", timeout=15000
    )
    dragged = page.locator("#window-summary").inner_text()
    assert dragged != second, dragged
    page.screenshot(path=str(SHOTS / "explorer-dragged.png"), full_page=True)
    assert page.problems == [], page.problems


def test_the_claim_checker_shows_verdicts(browser_page, server) -> None:
    page = browser_page
    _open(page, f"{server}/claims", "claims-form")
    page.select_option("select[name=shipped]", "operation-safe-city-2017")
    page.click("form[method=get] button[type=submit]")
    page.wait_for_selector("article.claim .verdict", timeout=30000)
    assert page.locator("article.claim").count() > 10
    page.screenshot(path=str(SHOTS / "claims-checked.png"), full_page=True)
    assert page.problems == [], page.problems


def test_downloads_work(browser_page, server, tmp_path: Path) -> None:
    page = browser_page
    _open(page, f"{server}/operation?from={OP_FROM}&to={OP_TO}&aor={OP_AORS}", "downloads", 2)
    for fmt in ("csv", "xlsx", "parquet"):
        with page.expect_download() as info:
            page.locator(f"p.downloads a[href*='format={fmt}&table=report']").first.click()
        target = tmp_path / f"report.{fmt}"
        info.value.save_as(target)
        data = target.read_bytes()
        assert data, fmt
        if fmt == "csv":
            assert data.decode().startswith("aor,arrests,")
        elif fmt == "xlsx":
            assert data[:2] == b"PK"
        else:
            assert data[:4] == b"PAR1"
