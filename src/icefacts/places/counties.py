"""Counties and county population (long format) from the Census population reference files.

Input is the parsed Census reference data (``census-population-v2019`` and
``census-population-v2024``, concatenated or given as a list). The Vintage 2024 state tables
carry no FIPS codes: their counties get FIPS by name from the other vintage(s) of the same
state, and a name no vintage knows is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from icefacts.errors import InputError
from icefacts.places.names import county_key
from icefacts.places.schema import COUNTIES, COUNTY_POPULATION
from icefacts.places.states import state


@dataclass
class _Row:
    fips: str | None
    state_fips: str
    state_name: str
    name: str
    year: int
    population: int
    vintage: int
    source_file: str
    source_row: int


def concat(raw: pa.Table | Iterable[pa.Table]) -> pa.Table:
    if isinstance(raw, pa.Table):
        return raw
    return pa.concat_tables(list(raw), promote_options="default")


def _county_rows(raw: pa.Table | Iterable[pa.Table]) -> list[_Row]:
    """County rows of the raw population tables, each with a FIPS code."""
    table = concat(raw)
    table = table.filter(pc.equal(table["level"], "county"))
    rows = [_Row(**{k: r[k] for k in _Row.__dataclass_fields__}) for r in table.to_pylist()]
    known: dict[tuple[str, str], str] = {}  # (state, name key) -> fips, latest vintage first
    for r in sorted(rows, key=lambda r: -r.vintage):
        if r.fips:
            known.setdefault((r.state_fips, county_key(r.name)), r.fips)
    for r in rows:
        if r.fips:
            continue
        r.fips = known.get((r.state_fips, county_key(r.name)))
        if r.fips is None:
            raise InputError(
                f"county {r.name!r} ({r.state_name}) has no FIPS code in any other vintage: "
                "load a vintage that lists it",
                file=r.source_file,
                row=r.source_row,
                column="Geographic Area",
            )
    return rows


def counties(raw: pa.Table | Iterable[pa.Table]) -> pa.Table:
    """One row per county FIPS in the population files (name from the latest vintage)."""
    latest: dict[str, _Row] = {}
    for r in _county_rows(raw):
        assert r.fips is not None
        if r.fips not in latest or r.vintage > latest[r.fips].vintage:
            latest[r.fips] = r
    cols: dict[str, list[object]] = {n: [] for n in COUNTIES.names}
    for fips in sorted(latest):
        r = latest[fips]
        st = state(r.state_fips)
        if st is None:
            raise InputError(
                f"unknown state FIPS {r.state_fips!r}", file=r.source_file, row=r.source_row
            )
        cols["fips"].append(fips)
        cols["name"].append(r.name)
        cols["state_fips"].append(st.fips)
        cols["state"].append(st.usps)
        cols["state_name"].append(st.name)
    return pa.Table.from_pydict(cols, schema=COUNTIES)


def county_population(raw: pa.Table | Iterable[pa.Table]) -> pa.Table:
    """Long table fips, year, population, vintage: the latest vintage's figure per county-year."""
    best: dict[tuple[str, int], _Row] = {}
    for r in _county_rows(raw):
        assert r.fips is not None
        key = (r.fips, r.year)
        if key not in best or r.vintage > best[key].vintage:
            best[key] = r
    cols: dict[str, list[object]] = {n: [] for n in COUNTY_POPULATION.names}
    for (fips, year), r in sorted(best.items()):
        cols["fips"].append(fips)
        cols["year"].append(year)
        cols["population"].append(r.population)
        cols["vintage"].append(r.vintage)
        cols["source_file"].append(r.source_file)
    return pa.Table.from_pydict(cols, schema=COUNTY_POPULATION)
