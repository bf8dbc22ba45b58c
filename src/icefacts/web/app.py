"""The web app: every page and its JSON twin under ``/api/``, from one read-only copy of the
warehouse (``web/snapshot.py``).

FastAPI (on Starlette) because it gives typed query parameters, the OpenAPI schema the fuzz
tests run against, and a test client, with Jinja2 templates for pages that work without
script; uvicorn serves it. Every page's numbers come from :mod:`icefacts.web.views`, which
asks the API: the app adds no analysis.

Safety: the app reads a private copy, opened read-only under DuckDB's sandbox; no endpoint
runs SQL unless the server was started with ``--sql`` (then with the row cap and time limit
of ``icefacts sql``). Uploads are read as data, at most ``MAX_UPLOAD`` bytes. Errors are one
line of JSON or an inline message, never a traceback. Responses carry a content security
policy (scripts from this server only), no-sniff and frame denial.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from icefacts._lazy import lazy_import
from icefacts.errors import IcefactsError
from icefacts.web import pages, routes
from icefacts.web.state import MAX_UPLOAD, Settings, State

if TYPE_CHECKING:
    from icefacts import api
else:
    api = lazy_import("icefacts.api")

log = logging.getLogger("icefacts.web")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def create_app(settings: Settings) -> FastAPI:
    from icefacts._version import __version__

    state = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()  # no thread left inside DuckDB when the process exits

    app = FastAPI(
        lifespan=lifespan,
        title="icefacts",
        version=__version__,
        description="What ICE's own records say: the JSON twin of every page.",
        docs_url=None,  # the interactive docs load script from a CDN
        redoc_url=None,
    )
    app.state.icefacts = state

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Response:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if settings.hosts and host not in settings.hosts:
            # a page on another site cannot reach this server through a name it controls
            # (DNS rebinding)
            resp: Response = JSONResponse(
                {"error": f"host {host[:60]!r} not served", "status": 400}, 400
            )
        else:
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_UPLOAD + 64 * 1024:
                resp = _error(request, 413, f"the upload is over {MAX_UPLOAD // 1024} KiB")
            else:
                resp = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    @app.exception_handler(IcefactsError)
    async def user_error(request: Request, exc: IcefactsError) -> Response:
        status = 404 if getattr(exc, "not_found", False) else 400
        # the API's messages name command-line options (--from); here they are parameters
        return _error(request, status, re.sub(r"(?<![\w-])--(?=[a-z])", "", exc.one_line()))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body"))
        return _error(request, 422, f"{where}: {first.get('msg', 'invalid')}".strip(": "))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, "unexpected error (the server log has the details)")

    routes.register(app, state)
    pages.register(app, state)
    # the Vega bundle takes vl-convert a second or so to build: built now, not on first view
    # not a daemon: the process waits for it to finish rather than end inside vl-convert
    threading.Thread(target=pages.vega_bundle, name="vega-bundle", daemon=False).start()
    return app


def _error(request: Request, status: int, message: str) -> Response:
    """One line as JSON (or an inline page), with the security headers: a 500 is answered
    outside the middleware that adds them to everything else."""
    if request.url.path.startswith("/api/") or "html" not in request.headers.get("accept", ""):
        resp: Response = JSONResponse({"error": message, "status": status}, status_code=status)
    else:
        state = request.app.state.icefacts
        page = pages.error_page(request, status, message, state.settings)
        resp = HTMLResponse(page, status_code=status)
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    return resp
