"""Commands about places: a place's profile on a date, the jurisdictions with a policy in
force, events per 100,000 residents, and how well events were placed."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.cli.common import DbOpt, FormatOpt, RegistryOpt, emit, err, parse_date, say
from icefacts.errors import InputError

if TYPE_CHECKING:
    from icefacts import api, render
else:  # imported on first use
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")


def place(
    where: Annotated[str, typer.Argument(help="'King County, WA', a county FIPS, state or AOR")],
    on: Annotated[str | None, typer.Option("--on", help="date (default: today)")] = None,
    db: DbOpt = None,
    registry: RegistryOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """A place on a date: population, AOR, policies and 287(g) agreements, events by year."""
    day = parse_date(on, "--on") if on else date.today()
    with api.open_warehouse(db, read_only=True) as wh:
        rep = api.place_report(wh, where, day, registry_files=registry or [])
    policies, rulings = rep.policies_table(), rep.rulings_table()
    if fmt == "json":
        payload = rep.to_dict()
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    pop = f"{rep.population:,} ({rep.population_year})" if rep.population else "unknown"
    say(f"{rep.place.name} [{rep.place.kind} {rep.place.code}] on {day}")
    say(f"population: {pop}; AOR: {', '.join(rep.aors) or 'unknown'}")
    if policies.num_rows:
        emit(policies, fmt, "policies in force")
    else:
        say("no registered policy instrument in force on that date")
    if rulings.num_rows:
        emit(rulings, fmt, "court rulings in effect")
    else:
        say("no registered court ruling in effect on that date")
    if rep.agreements_287g.num_rows:
        emit(rep.agreements_287g, fmt, "287(g) agreements signed by that date")
    else:
        say("no 287(g) agreement in the published lists by that date")
    emit(rep.events_by_year, fmt, "events placed here, by year")
    for c in rep.caveats:
        say(f"caveat: {c}")


def places(
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            help="limits-detainers, bars-jail-access, "
            "limits-info-sharing, 287g, court-ruling, other",
        ),
    ],
    on: Annotated[str, typer.Option("--on", help="date, e.g. 2017-09-25")],
    registry: RegistryOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Jurisdictions with a policy of that type in force on a date."""
    found = api.jurisdictions_with_policy(
        policy, parse_date(on, "--on"), db=db, registry_files=registry or []
    )
    emit(found.table, fmt, f"{found.policy} in force on {found.on}")


def rates(
    start: Annotated[str, typer.Option("--from", help="first day of events to count")],
    end: Annotated[str, typer.Option("--to", help="last day of events to count")],
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="compare counties by policy type, e.g. limits-detainers"),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="with --policy: the date policies are taken on")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="instead of --policy: aor, state or county")
    ] = None,
    table: Annotated[str, typer.Option("--table")] = "arrests",
    db: DbOpt = None,
    registry: RegistryOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Events per 100,000 residents: by policy in force on a date, or by AOR/state/county."""
    if (policy is None) == (by is None):
        raise InputError("give either --policy TYPE --on DATE or --by aor|state|county")
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    day = parse_date(on, "--on") if policy is not None and on is not None else None
    with api.open_warehouse(db, read_only=True) as wh:
        res = api.rates(
            wh,
            start=first,
            end=last,
            table=table,
            policy=policy,
            on=day,
            by=by,
            registry_files=registry or [],
        )
    title = f"'{res.policy}' in force on {res.on}" if policy is not None else res.policy
    emit(
        res.table,
        fmt,
        f"{table} {first}..{last} per 100k, {title} (population {res.population_year})",
    )
    for c in res.caveats:  # stdout stays data for csv and json: caveats go to stderr
        if fmt == "table":
            say(f"caveat: {c}")
        else:
            err.print(f"caveat: {c}", highlight=False, markup=False, soft_wrap=True)


def coverage(
    table: Annotated[str, typer.Option("--table")] = "arrests",
    db: DbOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """How many events were placed in a county, per AOR and by method."""
    with api.open_warehouse(db, read_only=True) as wh:
        emit(api.placement_coverage(wh, table), fmt, f"{table}: placement per AOR")
