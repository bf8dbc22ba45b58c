"""States: the shipped table of state FIPS codes, USPS abbreviations and names."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from icefacts.places.names import plain_key
from icefacts.places.schema import STATES

STATES_FILE = Path(__file__).parent / "data" / "states.csv"


@dataclass(frozen=True)
class State:
    fips: str
    usps: str
    name: str
    kind: str


@cache
def _rows() -> tuple[tuple[State, tuple[str, ...]], ...]:
    with STATES_FILE.open(encoding="utf-8", newline="") as f:
        return tuple(
            (
                State(r["fips"], r["usps"], r["name"], r["kind"]),
                tuple(a.strip() for a in r["alt_names"].split(";") if a.strip()),
            )
            for r in csv.DictReader(f)
        )


def states() -> pa.Table:
    """One row per state, DC, Puerto Rico and territory: fips, usps, name, kind."""
    rows = [s for s, _ in _rows()]
    return pa.Table.from_pydict(
        {
            "fips": [s.fips for s in rows],
            "usps": [s.usps for s in rows],
            "name": [s.name for s in rows],
            "kind": [s.kind for s in rows],
        },
        schema=STATES,
    )


@cache
def _index() -> dict[str, State]:
    out: dict[str, State] = {}
    for s, alts in _rows():
        for key in (s.fips, s.usps.casefold(), plain_key(s.name), *(plain_key(a) for a in alts)):
            out[key] = s
    return out


def state(value: str) -> State | None:
    """Look a state up by FIPS (``"53"``), USPS (``"WA"``) or name (``"WASHINGTON"``)."""
    text = value.strip()
    if text.isdigit():
        return _index().get(text.zfill(2))
    return _index().get(text.casefold()) or _index().get(plain_key(text))


def state_fips_set() -> frozenset[str]:
    return frozenset(s.fips for s, _ in _rows())


def usps_codes() -> frozenset[str]:
    return frozenset(s.usps for s, _ in _rows())
