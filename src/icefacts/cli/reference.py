"""The ``icefacts reference`` commands: list, fetch and load the reference datasets (census,
crosswalks, facilities, 287(g) lists) and the policy registry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, FormatOpt, MirrorOpt, RegistryOpt, emit, err, say

if TYPE_CHECKING:
    from icefacts import api
else:  # imported on first use
    api = lazy_import("icefacts.api")

reference_app = typer.Typer(
    no_args_is_help=True, help="Reference data: census, crosswalks, facilities, 287(g), policies."
)


@reference_app.command("list")
def reference_list(fmt: FormatOpt = "table") -> None:
    """The reference datasets, their files, publishers and licenses."""
    emit(api.reference_datasets(), fmt, "reference datasets")


@reference_app.command("fetch")
def reference_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="datasets (default: all)")] = None,
    mirror: MirrorOpt = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="cache folder")] = None,
) -> None:
    """Download (or read from the mirror) and verify reference files by sha256."""
    for name, rel, path in api.fetch_reference_files(names, mirror=mirror, cache=cache):
        say(f"{name}: {rel} -> {path} (sha256 verified)")


@reference_app.command("load")
def reference_load(
    db: DbOpt = None,
    mirror: MirrorOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Build the places tables and policy registry into the warehouse; place every event."""
    with api.open_warehouse(db) as wh, err.status("building places and placing events..."):
        counts = api.load_reference(wh, mirror=mirror, registry_files=registry or [])
        caveats = api.reference_caveats(wh)
    for name, n in counts.items():
        say(f"{name}: {n:,} rows")
    for c in caveats:
        say(f"caveat: {c}")
