"""CLI commands about places: reference data, a place's profile, policy filters, rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from icefacts._lazy import lazy_import
from icefacts.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from icefacts import api, render
else:  # imported on first use
    pa = lazy_import("pyarrow")
    api = lazy_import("icefacts.api")
    render = lazy_import("icefacts.render")

if TYPE_CHECKING:
    from icefacts.policies import PolicyInForce

reference_app = typer.Typer(
    no_args_is_help=True, help="Reference data: census, crosswalks, facilities, 287(g), policies."
)

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="warehouse file (env ICEFACTS_DB, default ./icefacts.duckdb)"),
]
MirrorOpt = Annotated[
    Path | None,
    typer.Option("--mirror", help="local mirror folder (env ICEFACTS_MIRROR)"),
]
RegistryOpt = Annotated[
    list[Path] | None,
    typer.Option("--registry", help="extra policy registry file(s) (YAML or CSV)"),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json")]


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date like 2017-09-25, not {value!r}") from None


@reference_app.command("list")
def reference_list(fmt: FormatOpt = "table") -> None:
    """The reference datasets, their files, publishers and licenses."""
    from icefacts.cli import emit
    from icefacts.reference import dataset, datasets

    rows = [
        {
            "dataset": d.name,
            "title": d.title,
            "publisher": d.publisher,
            "license": d.license,
            "files": len(d.files),
        }
        for d in map(dataset, datasets())
    ]
    emit(pa.Table.from_pylist(rows), fmt, "reference datasets")


@reference_app.command("fetch")
def reference_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="datasets (default: all)")] = None,
    mirror: MirrorOpt = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="cache folder")] = None,
) -> None:
    """Download (or read from the mirror) and verify reference files by sha256."""
    from icefacts.cli import out
    from icefacts.reference import datasets, fetch_reference

    chosen = names or list(datasets())
    for name in chosen:
        paths = fetch_reference(name, mirror, cache)
        for rel, path in paths.items():
            out.print(
                f"{name}: {rel} -> {path} (sha256 verified)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


@reference_app.command("load")
def reference_load(
    db: DbOpt = None,
    mirror: MirrorOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Build the places tables and policy registry into the warehouse; place every event."""
    from icefacts.analysis.place_report import agreement_date_caveats
    from icefacts.cli import err, out

    with api.open_warehouse(db) as wh, err.status("building places and placing events..."):
        counts = api.load_reference(wh, mirror=mirror, registry_files=registry or [])
        caveats = agreement_date_caveats(wh.engine)
    for name, n in counts.items():
        out.print(f"{name}: {n:,} rows", highlight=False, markup=False, soft_wrap=True)
    for c in caveats:
        out.print(f"caveat: {c}", highlight=False, markup=False, soft_wrap=True)


def place(
    where: Annotated[str, typer.Argument(help="'King County, WA', a county FIPS, state or AOR")],
    on: Annotated[str | None, typer.Option("--on", help="date (default: today)")] = None,
    db: DbOpt = None,
    registry: RegistryOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """A place on a date: population, AOR, policies and 287(g) agreements, events by year."""
    from icefacts.analysis.place_report import place_report
    from icefacts.cli import emit, out

    day = _date(on, "--on") if on else date.today()
    with api.open_warehouse(db, read_only=True) as wh:
        rep = place_report(wh.engine, api.registry(wh, registry or []), where, day)
    policies, rulings = _instruments(rep.policies), _instruments(rep.rulings)
    if fmt == "json":
        import json

        payload = {
            "place": rep.place.__dict__,
            "on": day.isoformat(),
            "population": rep.population,
            "population_year": rep.population_year,
            "aors": rep.aors,
            "policies": json.loads(render.to_json(policies)) if policies.num_rows else [],
            "rulings": json.loads(render.to_json(rulings)) if rulings.num_rows else [],
            "agreements_287g": json.loads(render.to_json(rep.agreements_287g)),
            "events_by_year": json.loads(render.to_json(rep.events_by_year)),
            "caveats": rep.caveats,
        }
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    pop = f"{rep.population:,} ({rep.population_year})" if rep.population else "unknown"
    out.print(
        f"{rep.place.name} [{rep.place.kind} {rep.place.code}] on {day}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    out.print(
        f"population: {pop}; AOR: {', '.join(rep.aors) or 'unknown'}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if policies.num_rows:
        emit(policies, fmt, "policies in force")
    else:
        out.print(
            "no registered policy instrument in force on that date",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if rulings.num_rows:
        emit(rulings, fmt, "court rulings in effect")
    else:
        out.print(
            "no registered court ruling in effect on that date",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if rep.agreements_287g.num_rows:
        emit(rep.agreements_287g, fmt, "287(g) agreements signed by that date")
    else:
        out.print(
            "no 287(g) agreement in the published lists by that date",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    emit(rep.events_by_year, fmt, "events placed here, by year")
    for c in rep.caveats:
        out.print(f"caveat: {c}", highlight=False, markup=False, soft_wrap=True)


def _instruments(found: list[PolicyInForce]) -> pa.Table:
    """Registry instruments as rows: what, whose, which part of the place it covers."""
    return pa.Table.from_pylist(
        [
            {
                "instrument": p.instrument,
                "jurisdiction": p.jurisdiction,
                "fips": p.fips,
                "applies_as": p.applies_as,
                "types": ", ".join(p.types),
                "in_force_from": p.start,
                "until": p.end,
                "certain": p.certain,
                "confidence": p.confidence,
                "source": p.sources[0],
            }
            for p in found
        ]
    )


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
    from icefacts.analysis.place_report import policy_type
    from icefacts.cli import emit
    from icefacts.policies import jurisdictions_matching

    day = _date(on, "--on")
    wh_path = db or api.default_db()
    if wh_path.exists():
        with api.open_warehouse(wh_path, read_only=True) as wh:
            reg = api.registry(wh, registry or [])
    else:
        reg = api.registry(None, registry or [])
    ptype = policy_type(policy)
    matches = jurisdictions_matching(ptype, day, registry=reg)
    rows = [
        {
            "fips": m.fips,
            "level": m.level,
            "jurisdiction": m.jurisdiction,
            "instruments": ", ".join(m.policy_ids),
            "certain": m.certain,
            "source": "policy registry",
        }
        for m in matches
    ]
    if ptype == "287(g) agreement" and wh_path.exists():
        from icefacts.analysis.rates import agreements_in_force

        with api.open_warehouse(wh_path, read_only=True) as wh:
            if wh.columns("core_place_agreements_287g"):
                for fips, agreements in sorted(agreements_in_force(wh.engine, day).items()):
                    rows.append(
                        {
                            "fips": fips,
                            "level": "county",
                            "jurisdiction": agreements[0].split(" (")[0],
                            "instruments": "; ".join(agreements),
                            "certain": True,
                            "source": "ICE 287(g) list (2025 snapshot)",
                        }
                    )
    emit(
        pa.Table.from_pylist(rows) if rows else pa.table({"fips": pa.array([], pa.string())}),
        fmt,
        f"{policy_type(policy)} in force on {day}",
    )


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
    from icefacts.analysis.rates import place_rates, policy_rates
    from icefacts.cli import emit, out

    if (policy is None) == (by is None):
        raise InputError("give either --policy TYPE --on DATE or --by aor|state|county")
    first, last = _date(start, "--from"), _date(end, "--to")
    with api.open_warehouse(db, read_only=True) as wh:
        if policy is not None:
            if on is None:
                raise InputError("--policy needs --on DATE (the day the policies are taken on)")
            res = policy_rates(
                wh.engine,
                api.registry(wh, registry or []),
                table=table,
                policy=policy,
                on=_date(on, "--on"),
                start=first,
                end=last,
            )
            title = f"'{res.policy}' in force on {res.on}"
        else:
            assert by is not None
            res = place_rates(wh.engine, table=table, by=by, start=first, end=last)
            title = res.policy
    emit(
        res.table,
        fmt,
        f"{table} {first}..{last} per 100k, {title} (population {res.population_year})",
    )
    if fmt == "table":
        for c in res.caveats:
            out.print(f"caveat: {c}", highlight=False, markup=False, soft_wrap=True)


def coverage(
    table: Annotated[str, typer.Option("--table")] = "arrests",
    db: DbOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """How many events were placed in a county, per AOR and by method."""
    from icefacts.analysis.place_report import placement_coverage
    from icefacts.cli import emit

    with api.open_warehouse(db, read_only=True) as wh:
        emit(placement_coverage(wh.engine, table), fmt, f"{table}: placement per AOR")
