"""``icefacts serve``: the web app under uvicorn, on 127.0.0.1 unless asked otherwise."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from icefacts.errors import IcefactsError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Say in one line why the server cannot listen, before it starts."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise IcefactsError(f"--host {host}: no such address on this machine") from None
    family, kind, proto, _name, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise IcefactsError(
                f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); "
                "is another server on that port?"
            ) from None


def serve(
    db: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    public: bool = False,
    sql: bool = False,
    k: int = 10,
    warn: bool = True,
) -> None:
    import uvicorn

    from icefacts.web.app import create_app
    from icefacts.web.state import Settings

    if not 1 <= port <= 65535:
        raise IcefactsError(f"--port {port}: a port from 1 to 65535")
    if k < 2:
        raise IcefactsError(f"--k {k}: the smallest count shown must be at least 2")
    if public and sql:
        raise IcefactsError("--sql cannot be used with --public: publish mode shows no rows")
    if k != 10 and not public:
        raise IcefactsError(f"--k {k} applies in publish mode: add --public")
    _check_port(host, port)
    loop = is_loopback(host)
    if not loop and warn:
        print(
            f"warning: serving on {host}, reachable from other machines; "
            + ("publish mode is on" if public else "add --public to suppress small counts"),
            file=sys.stderr,
        )
    hosts = [host, *LOOPBACK] if loop else []
    from icefacts import api

    settings = Settings(db=db, public=public, sql=sql, k=k, hosts=hosts)
    app = create_app(settings)
    app.state.icefacts.snapshots.start()  # a --db that is no warehouse is said first
    for feature in ("counties", "states"):  # the map's boundaries: here, before any request
        try:
            api.atlas_file(feature)
        except IcefactsError as exc:  # said once: the other file fails the same way
            print(f"note: the map cannot be drawn: {exc.one_line()}", file=sys.stderr)
            break
    app.state.icefacts.warm()
    shown = f"[{host}]" if ":" in host else host
    mode = f"publish mode, counts below {k} suppressed" if public else "read-only"
    print(
        f"icefacts: serving {db} on http://{shown}:{port}/ ({mode}; Ctrl-C stops)",
        file=sys.stderr,
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        app.state.icefacts.snapshots.close()
