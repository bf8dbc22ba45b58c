"""County FIPS -> AOR crosswalk, one version per ``as_of`` date (``places/crosswalks.yaml``).

Sources: UWCHR's county table (county FIPS -> AOR) and ICE's AOR list (state, or county name in
split states -> office). Every county in the population table gets exactly one AOR per
version: a county the source does not list takes its state's AOR when the source puts the
whole state in one AOR (e.g. Connecticut's pre-2022 counties in UWCHR's 2024-geography
table); otherwise the build is refused. Harlingen is folded into SNA with a note.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from icefacts.errors import InputError, SpecError
from icefacts.places.names import county_key, plain_key
from icefacts.places.schema import COUNTY_AOR
from icefacts.places.states import State, state

CROSSWALKS_FILE = Path(__file__).parent / "crosswalks.yaml"
HARLINGEN_NOTE = "ICE lists this county under the Harlingen field office; icefacts counts it in SNA"


@dataclass(frozen=True)
class CrosswalkVersion:
    source: str
    as_of: date
    as_of_basis: str


@cache
def crosswalk_versions() -> tuple[CrosswalkVersion, ...]:
    data = yaml.safe_load(CROSSWALKS_FILE.read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(data or [], start=1):
        try:
            out.append(CrosswalkVersion(item["source"], item["as_of"], item["as_of_basis"]))
        except (KeyError, TypeError) as exc:
            raise SpecError(
                f"entry {i}: needs source, as_of, as_of_basis", file=str(CROSSWALKS_FILE)
            ) from exc
    return tuple(sorted(out, key=lambda v: v.as_of))


def crosswalk_for(on: date, versions: tuple[CrosswalkVersion, ...] | None = None) -> date:
    """``as_of`` of the crosswalk version to use for a record dated ``on``.

    The latest version dated on or before ``on``; the earliest one for older records.
    """
    versions = versions or crosswalk_versions()
    earlier = [v.as_of for v in versions if v.as_of <= on]
    return max(earlier) if earlier else min(v.as_of for v in versions)


@dataclass(frozen=True)
class _County:
    fips: str
    name: str
    state: State


def _universe(counties: pa.Table, uwchr: pa.Table | None) -> dict[str, _County]:
    """Counties of the population table, plus any county-equivalent UWCHR lists (PR, CT 2022)."""
    out: dict[str, _County] = {}
    for r in counties.select(["fips", "name", "state_fips"]).to_pylist():
        st = state(r["state_fips"])
        assert st is not None
        out[r["fips"]] = _County(r["fips"], r["name"], st)
    if uwchr is not None:
        for r in uwchr.select(["fips", "county_name", "state_fips"]).to_pylist():
            st = state(r["state_fips"])
            if r["fips"] not in out and st is not None:
                out[r["fips"]] = _County(r["fips"], str(r["county_name"]).title(), st)
    return out


def _rows(
    version: CrosswalkVersion,
    assigned: dict[str, tuple[str, str, str | None]],
    universe: dict[str, _County],
) -> dict[str, list[object]]:
    cols: dict[str, list[object]] = {n: [] for n in COUNTY_AOR.names}
    for fips in sorted(assigned):
        aor, method, note = assigned[fips]
        c = universe[fips]
        cols["fips"].append(fips)
        cols["county_name"].append(c.name)
        cols["state"].append(c.state.usps)
        cols["aor"].append(aor)
        cols["as_of"].append(version.as_of)
        cols["source"].append(version.source)
        cols["method"].append(method)
        cols["note"].append(note)
    return cols


def _from_uwchr(
    uwchr: pa.Table, universe: dict[str, _County]
) -> dict[str, tuple[str, str, str | None]]:
    assigned: dict[str, tuple[str, str, str | None]] = {}
    by_state: dict[str, set[str]] = defaultdict(set)
    for r in uwchr.select(["fips", "state_fips", "aor", "source_file", "source_row"]).to_pylist():
        if r["fips"] in assigned:
            raise InputError(
                f"county {r['fips']} listed twice",
                file=r["source_file"],
                row=r["source_row"],
                column="geoid",
            )
        assigned[r["fips"]] = (r["aor"], "county", None)
        by_state[r["state_fips"]].add(r["aor"])
    for fips, c in universe.items():
        if fips in assigned:
            continue
        aors = by_state.get(c.state.fips, set())
        if len(aors) != 1:
            raise InputError(
                f"county {fips} ({c.name}, {c.state.usps}) is not listed and its state is "
                f"{'split between ' + ', '.join(sorted(aors)) if aors else 'not listed'}",
                file=str(uwchr["source_file"][0]) if uwchr.num_rows else None,
            )
        assigned[fips] = (next(iter(aors)), "state", "county not listed; its state's only AOR")
    return assigned


def _from_ice_list(
    ice: pa.Table, universe: dict[str, _County]
) -> dict[str, tuple[str, str, str | None]]:
    whole: dict[str, tuple[str, str, int, str]] = {}  # state fips -> (aor, office, row, file)
    split: dict[tuple[str, str], tuple[str, str, int, str]] = {}  # (state fips, county key)
    for r in ice.to_pylist():
        st = state(r["state_name"])
        if st is None:
            raise InputError(
                f"unknown state {r['state_name']!r}",
                file=r["source_file"],
                row=r["source_row"],
                column="state_name",
            )
        value = (r["aor"], r["office_name"], r["source_row"], r["source_file"])
        if r["county_name"]:
            key = (st.fips, county_key(r["county_name"]))
            if key in split:
                raise InputError(
                    f"county {r['county_name']!r} ({st.usps}) listed twice",
                    file=r["source_file"],
                    row=r["source_row"],
                    column="county_name",
                )
            split[key] = value
        else:
            whole[st.fips] = value
    split_states = {k[0] for k in split}
    assigned: dict[str, tuple[str, str, str | None]] = {}
    used: set[tuple[str, str]] = set()
    for fips, c in universe.items():
        key = (c.state.fips, county_key(c.name))
        if c.state.fips in split_states:
            if key not in split:
                raise InputError(
                    f"county {fips} ({c.name}, {c.state.usps}) is in a split state but not listed",
                    file=str(ice["source_file"][0]),
                )
            aor, office, _, _ = split[key]
            used.add(key)
            method = "county"
        elif c.state.fips in whole:
            aor, office, _, _ = whole[c.state.fips]
            method = "state"
        else:
            raise InputError(
                f"state {c.state.name} (county {fips}) is not in the AOR list",
                file=str(ice["source_file"][0]),
            )
        folded = plain_key(office) == "harlingen"
        assigned[fips] = (aor, method, HARLINGEN_NOTE if folded else None)
    for key, (_, _, row, file) in split.items():
        if key not in used:
            raise InputError(
                f"listed county {key[1]!r} matches no county FIPS in state {key[0]}",
                file=file,
                row=row,
                column="county_name",
            )
    return assigned


def county_aor(
    counties: pa.Table,
    *,
    uwchr: pa.Table | None = None,
    ice_list: pa.Table | None = None,
) -> pa.Table:
    """The crosswalk: one row per county per ``as_of`` version whose source table is given.

    ``uwchr`` is ``load_reference("county-aor-uwchr")``, ``ice_list`` is
    ``load_reference("ice-aor-list")``; the versions come from ``places/crosswalks.yaml``.
    """
    universe = _universe(counties, uwchr)
    given = {"county-aor-uwchr": uwchr, "ice-aor-list": ice_list}
    parts = []
    for version in crosswalk_versions():
        table = given.get(version.source)
        if table is None:
            continue
        if version.source == "county-aor-uwchr":
            assigned = _from_uwchr(table, universe)
        else:
            assigned = _from_ice_list(table, universe)
        parts.append(pa.Table.from_pydict(_rows(version, assigned, universe), schema=COUNTY_AOR))
    if not parts:
        raise SpecError("no crosswalk source given (uwchr= and/or ice_list=)")
    return pa.concat_tables(parts)


def crosswalk_on(crosswalk: pa.Table, on: date) -> pa.Table:
    """The rows of the version to use for a record dated ``on`` (see :func:`crosswalk_for`)."""
    versions = sorted(set(crosswalk["as_of"].to_pylist()))
    earlier = [v for v in versions if v <= on]
    pick = max(earlier) if earlier else min(versions)
    return crosswalk.filter(pc.equal(crosswalk["as_of"], pa.scalar(pick, pa.date32())))
