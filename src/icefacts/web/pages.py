"""The HTML pages: the same views as the JSON API, rendered with Jinja2 (autoescaped).

Pages work without script: every form is a plain GET (or POST for a claim file) and every
table is HTML. Script only draws the charts (the Vega bundle and ``app.js``, both served from
here) and turns a drag on the explorer's daily chart into a new window.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from icefacts._lazy import lazy_import
from icefacts.errors import IcefactsError, InputError, NotFound
from icefacts.web import views
from icefacts.web.templating import HERE, env, table_html

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.web.state import State
else:
    api = lazy_import("icefacts.api")


def render(request: Request, state: State, template: str, **context: Any) -> HTMLResponse:
    snaps = state.snapshots
    html = (
        env()
        .get_template(template)
        .render(
            request=request,
            path=request.url.path,
            query=str(request.url.query),
            loading=snaps.loading,
            public=state.settings.public,
            gridded=state.gridded,
            k=state.settings.k,
            sql=state.settings.sql,
            **context,
        )
    )
    return HTMLResponse(html)


@cache
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed as one script, from the vl-convert package."""
    import vl_convert

    return str(vl_convert.javascript_bundle()).encode()  # type: ignore[call-arg]


def error_page(request: Request, status: int, message: str, settings: Any = None) -> str:
    return (
        env()
        .get_template("error.html")
        .render(
            request=request,
            path=request.url.path,
            status=status,
            message=message,
            loading=False,
            public=bool(settings and settings.public),
            k=settings.k if settings else 10,
            sql=False,
        )
    )


def register(app: FastAPI, state: State) -> None:
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    @app.get("/static/atlas/{feature}.json", include_in_schema=False)
    def atlas(feature: str) -> Response:
        # the verified us-atlas file (mirror, cache or its pinned URL), never committed here
        path = api.atlas_file(feature, allow_download=False)  # fetched when the server started
        return FileResponse(path, media_type="application/json")

    @app.get("/static/vega.js", include_in_schema=False)
    def vega_script() -> Response:
        return Response(
            vega_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
        )

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(
        request: Request, template: str, make: Any, cache_key: tuple[Any, ...], **extra: Any
    ) -> HTMLResponse:
        """Render ``template`` with the view ``make(wh)``; a user's mistake is an inline
        message on the same page (status 400), with the form kept."""
        try:
            view = state.view(cache_key, make)
        except IcefactsError as exc:
            resp = render(
                request,
                state,
                template,
                view=None,
                error=exc.one_line(),
                p=dict(request.query_params),
                **extra,
            )
            resp.status_code = 400
            return resp
        tables = {k: table_html(t) for k, t in view.tables.items()}
        return render(
            request,
            state,
            template,
            view=view,
            tables=tables,
            error=None,
            p=dict(request.query_params),
            **extra,
        )

    def p_of(request: Request) -> dict[str, str]:
        return state.params(
            {k: v for k, v in request.query_params.items() if k in views.PARAMETERS}
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        return page(request, "overview.html", views.overview, ("overview",))

    @app.get("/provenance", response_class=HTMLResponse, include_in_schema=False)
    def provenance(request: Request) -> Response:
        return page(request, "provenance.html", views.provenance, ("provenance",))

    @app.get("/codebook", response_class=HTMLResponse, include_in_schema=False)
    def codebook(request: Request) -> Response:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        text = api.codebook()
        if text.startswith("# "):  # the page has its own heading
            text = text.split("\n", 1)[1]
        body = Markup(md.render(text))
        return render(request, state, "codebook.html", body=body, view=None, error=None)

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def county_map(request: Request) -> Response:
        p = p_of(request)
        key = ("map", *sorted(p.items()))
        return page(
            request,
            "map.html",
            lambda wh: views.county_map(wh, p, views.ATLAS_URL),
            key,
        )

    @app.get("/place/{place}", response_class=HTMLResponse, include_in_schema=False)
    def place(request: Request, place: str) -> Response:
        p = p_of(request)
        return page(
            request,
            "place.html",
            lambda wh: views.place(wh, place, p),
            ("place", place, p.get("on")),
            key=place,
        )

    @app.get("/operation", response_class=HTMLResponse, include_in_schema=False)
    def operation(request: Request) -> Response:
        p = p_of(request)
        key = ("operation", *sorted(p.items()))
        return page(
            request,
            "operation.html",
            lambda wh: views.operation(wh, p),
            key,
            safe_city=views.SAFE_CITY_AORS,
            detected=_detected(),
        )

    def _detected() -> list[dict[str, Any]]:
        """The largest detected operations, for the explorer's list (none if it fails)."""
        try:
            view = state.view(("detect",), lambda wh: views.detect(wh, {}))
        except IcefactsError:
            return []
        return view.tables["operations"].slice(0, 8).to_pylist() if view.tables else []

    @app.get("/report/{kind}.{fmt}", include_in_schema=False)
    def report(request: Request, kind: str, fmt: str) -> Response:
        """A published report of the explorer's window or of a shipped claim file."""
        from icefacts.web import reports

        if kind not in ("operation", "claims") or fmt not in ("html", "pdf", "md"):
            raise NotFound(f"no report {kind[:20]}.{fmt[:8]} (operation or claims; html, pdf, md)")
        p = p_of(request)
        k, public = state.settings.k, state.gridded

        def build(wh: Any) -> tuple[bytes, str]:
            if kind == "operation":
                rep = reports.build_operation(wh, p, publish=True, k=k, grid=public)
            else:
                shipped = p.get("shipped", "")
                rep = reports.build_claims(wh, shipped, None, publish=True, k=k, grid=public)
            return reports.render_bytes(rep, kind, reports.FORMATS["." + fmt])

        body, media = state.answer(("report", kind, fmt, *sorted(p.items())), build)
        name = f"icefacts-{kind}.{fmt}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/report/claims.{fmt}", include_in_schema=False)
    async def report_posted(request: Request, fmt: str) -> Response:
        """A published report of a claim file checked from the form (pasted or uploaded)."""
        from icefacts.web import reports
        from icefacts.web.routes import PUBLIC_CLAIMS, claim_text

        if fmt not in ("html", "pdf", "md"):
            raise NotFound(f"no report claims.{fmt[:8]} (html, pdf or md)")
        name, text = await claim_text(request, None)
        if text is not None and state.settings.public:
            raise InputError(PUBLIC_CLAIMS)
        k, gridded = state.settings.k, state.gridded

        def build(wh: Any) -> tuple[bytes, str]:
            rep = reports.build_claims(wh, name, text, publish=True, k=k, grid=gridded)
            return reports.render_bytes(rep, "claims", reports.FORMATS["." + fmt])

        body, media = await run_in_threadpool(
            state.answer, ("report", "claims", fmt, name, text), build
        )
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="icefacts-claims.{fmt}"'},
        )

    @app.get("/operations", response_class=HTMLResponse, include_in_schema=False)
    def operations(request: Request) -> Response:
        p = p_of(request)
        key = ("detect", *sorted(p.items()))
        return page(request, "operations.html", lambda wh: views.detect(wh, p), key)

    @app.get("/trend", response_class=HTMLResponse, include_in_schema=False)
    def trend(request: Request) -> Response:
        p = p_of(request)
        key = ("trend", *sorted(p.items()))
        return page(request, "trend.html", lambda wh: views.trend(wh, p), key)

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_form(request: Request) -> Response:
        shipped = request.query_params.get("shipped")
        files = sorted(api.shipped_claim_files())
        if not shipped:
            return render(
                request, state, "claims.html", view=None, error=None, shipped=files, chosen=None
            )
        return page(
            request,
            "claims.html",
            lambda wh: views.claims(wh, shipped, None),
            ("check", shipped, None),
            shipped=files,
            chosen=shipped,
        )

    @app.post("/claims", response_class=HTMLResponse, include_in_schema=False)
    async def claims_post(request: Request) -> Response:
        from icefacts.web.routes import PUBLIC_CLAIMS, claim_text

        files = sorted(api.shipped_claim_files())
        try:
            name, text = await claim_text(request, None)
            if text is not None and state.settings.public:
                raise InputError(PUBLIC_CLAIMS)
        except IcefactsError as exc:
            resp = render(
                request,
                state,
                "claims.html",
                view=None,
                error=exc.one_line(),
                shipped=files,
                chosen=None,
            )
            resp.status_code = 400
            return resp
        return await run_in_threadpool(  # checking takes a second or two: off the event loop
            page,
            request,
            "claims.html",
            lambda wh: views.claims(wh, name, text),
            ("check", name, text),
            shipped=files,
            chosen=name,
            pasted=text,
        )
