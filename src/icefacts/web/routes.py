"""The JSON API: ``/api/...``, one endpoint per page, each table also as CSV, Parquet or
xlsx (``?format=``). Parameters are strings as a user types them; :mod:`icefacts.web.views`
checks them and says which one is wrong."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from icefacts._lazy import lazy_import
from icefacts.errors import InputError
from icefacts.web import downloads, publishing, views

if TYPE_CHECKING:
    from icefacts import api
    from icefacts.web.state import State
else:
    api = lazy_import("icefacts.api")

FORMAT_HELP = "json (default), csv, parquet or xlsx: the page's main table as a file"
TABLE_HELP = "with format=csv|parquet|xlsx: which of the page's tables"

Str = Annotated[str | None, Query(max_length=200)]
Fmt = Annotated[str | None, Query(max_length=10, description=FORMAT_HELP)]
Tbl = Annotated[str | None, Query(max_length=40, description=TABLE_HELP)]
Charts = Annotated[bool, Query(description="also the page's Vega-Lite chart specs")]


def respond(
    state: State,
    key: tuple[Any, ...],
    make: Any,
    fmt: str | None,
    table: str | None,
    charts: bool = False,
) -> Response:
    """The view ``make(wh)`` as JSON (everything) or one of its tables as a file; the
    encoded bytes are remembered for this copy of the warehouse, like the view."""
    fmt = views.choice(fmt, "format", tuple(downloads.FORMATS), "json")

    view: views.View = state.view(key, make)

    def build() -> tuple[bytes, str, dict[str, str]]:
        if fmt == "json" and not table:
            payload = {
                "title": view.title,
                **view.data,
                "tables": {k: downloads.rows(t) for k, t in view.tables.items()},
                **({"charts": view.charts} if charts else {}),
                "published": publishing.note(
                    state.settings.public, state.settings.k, state.gridded
                ),
            }
            body = json.dumps(
                downloads.jsonable(payload), separators=(",", ":"), allow_nan=False
            ).encode()
            return body, "application/json", {}
        name = table or view.main
        if name not in view.tables:
            raise InputError(
                f"table must be one of {', '.join(view.tables) or 'none here'}, not {name[:40]!r}"
            )
        return downloads.encode(view.tables[name], fmt, f"icefacts-{view.kind or 'table'}-{name}")

    body, media, headers = state.memo(("bytes", fmt, table, charts, *key), build)
    return Response(body, media_type=media, headers=headers)


# a claim file is a question: in publish mode, many of them would ask for any count
PUBLIC_CLAIMS = (
    "publish mode checks only the claim files icefacts ships (?shipped=NAME); check your own "
    "with `icefacts check FILE.yaml` or a server without --public"
)


def params(request: Request) -> dict[str, str]:
    """The parameters a view reads (the output ones, ``format``, ``table`` and ``charts``,
    and any unknown one left out: they neither change an answer nor its cache key)."""
    return {k: v for k, v in request.query_params.items() if k in views.PARAMETERS}


def register(app: FastAPI, state: State) -> None:
    @app.get("/api/status", tags=["meta"])
    def status() -> dict[str, Any]:
        """Which copy of the warehouse answers, and whether newer data is being loaded."""
        snaps = state.snapshots
        snap = snaps.current
        return {
            "snapshot": snap.id,
            "fingerprint": snap.fingerprint,
            "taken_at": snap.taken_at,
            "loading": snaps.loading,
            "warming": state.warming.is_set(),
            "public": state.settings.public,
            "k": state.settings.k if state.settings.public else None,
        }

    @app.get("/api/overview", tags=["pages"])
    def overview(format: Fmt = None, table: Tbl = None, charts: Charts = False) -> Response:
        """What is loaded: releases, fiscal years, tables and rows, coverage, validation."""
        return respond(state, ("overview",), views.overview, format, table, charts)

    @app.get("/api/releases", tags=["pages"])
    def releases(format: Fmt = None) -> Response:
        """Every release loaded: file, sha256, rows, rows counted, period, copies."""

        def make(wh: Any) -> views.View:
            view = views.provenance(wh)
            tables = {"releases": view.tables["releases"]}
            return views.View("Releases", {}, tables, main="releases", kind="releases")

        return respond(state, ("releases",), make, format, None)

    @app.get("/api/provenance", tags=["pages"])
    def provenance(format: Fmt = None, table: Tbl = None, charts: Charts = False) -> Response:
        """Releases, overlaps, validation, reference datasets and licenses, record links."""
        return respond(state, ("provenance",), views.provenance, format, table, charts)

    @app.get("/api/place/{place}", tags=["pages"])
    def place(
        request: Request,
        place: str,
        on: Str = None,
        format: Fmt = None,
        table: Tbl = None,
        charts: Charts = False,
    ) -> Response:
        """A county (FIPS or "King County, WA"), state or AOR on a date (``on``)."""
        p = state.params(params(request))
        return respond(
            state, ("place", place, on), lambda wh: views.place(wh, place, p), format, table, charts
        )

    @app.get("/api/operation", tags=["pages"])
    def operation(
        request: Request,
        from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
        to: Annotated[str | None, Query(max_length=20)] = None,
        aor: Str = None,
        state_: Annotated[str | None, Query(alias="state", max_length=200)] = None,
        county: Str = None,
        policy: Str = None,
        on: Str = None,
        by: Str = None,
        measure: Str = None,
        baseline_weeks: Str = None,
        format: Fmt = None,
        table: Tbl = None,
        charts: Charts = False,
    ) -> Response:
        """Arrests in a window and places against the same weekdays of the weeks before:
        counts, baseline, excess with 95% intervals, and the daily series."""
        p = state.params(params(request))
        key = ("operation", *sorted(p.items()))
        return respond(state, key, lambda wh: views.operation(wh, p), format, table, charts)

    @app.get("/api/operations/detect", tags=["pages"])
    def detect(
        request: Request,
        from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
        to: Annotated[str | None, Query(max_length=20)] = None,
        measure: Str = None,
        format: Fmt = None,
        table: Tbl = None,
        charts: Charts = False,
    ) -> Response:
        """Surges per AOR and day, merged into operations across AORs."""
        p = state.params(params(request))
        key = ("detect", *sorted(p.items()))
        return respond(state, key, lambda wh: views.detect(wh, p), format, table, charts)

    @app.get("/api/trend", tags=["pages"])
    def trend(
        request: Request,
        measure: Str = None,
        by: Str = None,
        per: Str = None,
        from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
        to: Annotated[str | None, Query(max_length=20)] = None,
        aor: Str = None,
        state_: Annotated[str | None, Query(alias="state", max_length=200)] = None,
        county: Str = None,
        format: Fmt = None,
        table: Tbl = None,
        charts: Charts = False,
    ) -> Response:
        """A measure per day, week, month or fiscal year, with policy dates to mark."""
        p = state.params(params(request))
        key = ("trend", *sorted(p.items()))
        return respond(state, key, lambda wh: views.trend(wh, p), format, table, charts)

    @app.get("/api/map", tags=["pages"])
    def county_map(
        request: Request,
        from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
        to: Annotated[str | None, Query(max_length=20)] = None,
        table_: Annotated[str | None, Query(alias="events", max_length=20)] = None,
        measure: Str = None,
        per: Str = None,
        policy: Str = None,
        on: Str = None,
        format: Fmt = None,
        table: Tbl = None,
        charts: Charts = False,
    ) -> Response:
        """Per county: events in a window per 100,000 (or raw, or a share), the AOR's placed
        share, and the policy in force on a date."""
        p = state.params(params(request))
        key = ("map", *sorted(p.items()))
        return respond(
            state,
            key,
            lambda wh: views.county_map(wh, p, views.ATLAS_URL),
            format,
            table,
            charts,
        )

    @app.get("/api/claims", tags=["claims"])
    def claim_files() -> dict[str, Any]:
        """The claim files icefacts ships."""
        return {"shipped": sorted(api.shipped_claim_files())}

    @app.post("/api/check", tags=["claims"])
    async def check(request: Request, shipped: Str = None, format: Fmt = None) -> Response:
        """Check a claim file: the body is its YAML (as text, or a multipart form with a
        ``file`` or ``text`` field), or ``?shipped=NAME`` checks a shipped one."""
        name, text = await claim_text(request, shipped)
        if text is not None and state.settings.public:
            raise InputError(PUBLIC_CLAIMS)
        key = ("check", name, text)
        return respond(state, key, lambda wh: views.claims(wh, name, text), format, None)

    @app.get("/api/codebook", tags=["meta"])
    def codebook() -> dict[str, Any]:
        """Every table and field, generated from the schema (Markdown)."""
        return views.codebook().data

    if state.settings.sql:

        @app.get("/api/sql", tags=["sql"])
        def sql(q: Annotated[str, Query(max_length=20_000)], format: Fmt = None) -> Response:
            """One read-only statement, sandboxed, with the row cap and time limit of
            ``icefacts sql`` (only when the server was started with ``--sql``)."""
            s = state.settings

            def run(wh: Any) -> views.View:
                res = api.sql_result(wh, q, max_rows=s.max_rows, timeout=s.timeout)
                return views.View(
                    "SQL", {"truncated": res.truncated}, {"result": res.table}, main="result",
                    kind="sql",
                )  # fmt: skip

            return respond(state, ("sql", q), run, format, None)


async def claim_text(request: Request, shipped: str | None) -> tuple[str, str | None]:
    """(name, text): a shipped file's name and None, or an upload's name and its text."""
    from icefacts.web.state import MAX_UPLOAD

    if shipped:
        return shipped, None
    await _read_capped(request, MAX_UPLOAD + 64 * 1024)  # a form's fields and boundaries too
    kind = request.headers.get("content-type", "")
    form_fields = (b"text=", b"shipped=", b"file=")
    urlencoded = kind.startswith("application/x-www-form-urlencoded")
    if urlencoded and not request._body.startswith(form_fields):
        kind = "text/yaml"  # `curl --data-binary @f.yaml` sends YAML under the form's type
    if kind.startswith("multipart/form-data") or kind.startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_UPLOAD)
        if (
            form.get("shipped")
            and not form.get("text")
            and not getattr(form.get("file"), "filename", None)
        ):
            return str(form["shipped"]), None
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            raw = await upload.read(MAX_UPLOAD + 1)
            name = _safe_name(upload.filename)
        else:
            raw = str(form.get("text") or "").encode()
            name = "pasted.yaml"
    else:
        raw = await request.body()
        name = "posted.yaml"
    if len(raw) > MAX_UPLOAD:
        raise InputError(f"{name}: a claim file is at most {MAX_UPLOAD // 1024} KiB")
    if not raw.strip():
        raise InputError("give a claim file: paste its YAML, upload it, or pick a shipped one")
    try:
        return name, raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None


async def _read_capped(request: Request, limit: int) -> None:
    """Read the body, refusing it once it passes ``limit`` bytes, whatever Content-Length
    says (a chunked upload has none); what was read is what ``form()`` then parses."""
    from starlette.exceptions import HTTPException

    got = bytearray()
    async for chunk in request.stream():
        got += chunk
        if len(got) > limit:
            raise HTTPException(413, f"the upload is over {limit // 1024} KiB")
    request._body = bytes(got)  # Starlette reads a body it already has from here


def _safe_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    keep = "".join(c for c in base if c.isalnum() or c in "._- ")[:80]
    return keep or "uploaded.yaml"
