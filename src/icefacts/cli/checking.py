"""``icefacts check``: claim files in, a verdict per claim out (docs/claims.md); ``icefacts
link``: the record links that carry a field from one release to another (docs/linking.md)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, emit, err, out, say
from icefacts.errors import IcefactsError

if TYPE_CHECKING:
    from icefacts import api, render, render_claims
else:  # imported on first use: --version and --help stay fast
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")
    render_claims = lazy_import("icefacts.render_claims")


def check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="claim files (YAML), e.g. claims/*.yaml")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, markdown or csv")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to a file")] = None,
    db: DbOpt = None,
    registry: Annotated[
        list[Path] | None, typer.Option("--registry", help="extra policy registry files")
    ] = None,
    schema: Annotated[
        bool, typer.Option("--schema", help="print the claim files' JSON Schema and exit")
    ] = False,
) -> None:
    """Check published claims against the records: a verdict per claim (supported,
    contradicted, partly supported, not checkable), with numbers, intervals, sources,
    caveats and the command that reproduces each number."""
    if schema:
        _write(json.dumps(api.claim_file_schema(), indent=2) + "\n", output, "the JSON Schema")
        return
    if not files:
        raise IcefactsError(
            "give one or more claim files, e.g. claims/operation-safe-city-2017.yaml"
        )
    if fmt not in render_claims.FORMATS:
        raise IcefactsError(
            f"unknown --format {fmt!r}; use one of {', '.join(render_claims.FORMATS)}"
        )
    loaded = [api.load_claims(f) for f in files]  # every file valid before any is checked
    with api.open_warehouse(db, read_only=True) as wh:
        results = [api.check(wh, f, registry_files=registry or ()) for f in loaded]
    if fmt == "table" and output is None:
        _print(results)
        return
    if fmt == "table":
        text = "\n\n".join(
            "\n".join(render_claims.summary_text(res))
            + "\n\n"
            + "\n\n".join("\n".join(render_claims.blocks(c)) for c in res.claims)
            for res in results
        )
    elif fmt == "json":
        text = render_claims.to_json(results)
    elif fmt == "markdown":
        text = render_claims.to_markdown(results)
    else:
        text = render_claims.to_csv(results)
    _write(
        text + ("" if text.endswith("\n") else "\n"),
        output,
        f"{sum(len(r.claims) for r in results)} verdicts",
    )


def _write(text: str, output: Path | None, what: str) -> None:
    """``text`` to stdout, or to ``output`` (a mistake there is one line, exit 2)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise IcefactsError(f"--output {output}: cannot write it ({exc.strerror})") from None
    say(f"wrote {what} to {output}")


def _print(results: list) -> None:
    import pyarrow as pa

    for res in results:
        rows = render_claims.summary_rows([res])
        out.print(
            render.to_rich(pa.Table.from_pylist(rows), f"{res.title} ({res.path})"), crop=False
        )
        width = max(40, out.width)
        for c in res.claims:
            say("")
            for line in render_claims.blocks(c):
                # wrapped to the terminal with a hanging indent; a command stays one line
                # (so that it can be copied whole)
                if "reproduce: " in line or len(line) <= width:
                    say(line)
                    continue
                indent = " " * (len(line) - len(line.lstrip()) + 2)
                say(
                    textwrap.fill(
                        line, width, subsequent_indent=indent, break_long_words=False,
                        break_on_hyphens=False,
                    )
                )  # fmt: skip


def link(
    release: Annotated[
        list[str] | None,
        typer.Option("--release", help="only the pairs naming this release (id or prefix)"),
    ] = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
) -> None:
    """Link the same arrests across releases that share no id (probabilistic record
    linkage, one to one), store the links with their evidence, and report match rates."""
    path = db if db is not None else api.default_db()
    if not path.exists():  # links are of loaded releases: never make an empty warehouse
        raise IcefactsError(
            f"--db {path}: no warehouse there; load releases first with `icefacts ingest`"
        )
    with api.open_warehouse(path) as wh:
        with err.status("linking releases...") as status:
            runs = api.link(wh, release, progress=lambda s: status.update(f"linking {s}"))
            status.update("linking each person's events within a production...")
            persons = api.link_persons(wh)
        names = {
            r["release_id"]: r["file_name"]
            for r in wh.engine.query("SELECT release_id, file_name FROM releases").to_pylist()
        }
    if persons["events"]:
        say(
            f"person-level releases: {persons['events']:,} events of {persons['people']:,} "
            f"people in {persons['productions']} production(s) in date order "
            "(view chain_steps; claims can filter on prior_removal)"
        )
    if not runs:
        say("no two loaded releases hold arrests of the same AOR and days: no record links")
        return
    rows = []
    for r in runs:
        row: dict[str, object] = {
            "counting release": f"{r.left} ({names.get(r.left, '?')})",
            "set-aside release": f"{r.right} ({names.get(r.right, '?')})",
            "rows": f"{r.left_rows:,} / {r.right_rows:,}",
            "compared": ", ".join(["day", *r.fields]),
        }
        for t, n in r.by_threshold.items():
            share = n / r.right_rows if r.right_rows else 0
            row[f"linked p>={t}"] = f"{n:,} ({share:.0%})"
        row["seconds"] = round(r.seconds, 1)
        rows.append(row)
    import pyarrow as pa

    emit(pa.Table.from_pylist(rows), fmt, "record links (one to one; share of the set-aside rows)")
