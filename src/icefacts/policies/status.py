"""Which policies were in force in a place on a date.

A place is a state (2-digit FIPS or USPS code), a county (5-digit FIPS) or a city (7-digit
place FIPS). For a county the answer includes its state's instruments, its own, and those
of cities lying in it (``applies_as="city in county"``: they cover part of the county). For
a city: its state's, its counties', and its own.

An instrument is in force on ``on`` when its start (effective date, else adoption date) is on
or before ``on`` and its ``end`` is after ``on`` (``end`` is the first day it no longer
applies). With month- or year-precision dates an instrument can be *possibly* in force:
returned with ``certain=False`` unless ``include_uncertain=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from icefacts.errors import InputError
from icefacts.places.states import state
from icefacts.policies.model import POLICY_TYPES, PolicyEntry
from icefacts.policies.registry import Registry, default_registry


@dataclass(frozen=True)
class PolicyInForce:
    id: str
    jurisdiction: str
    level: str
    fips: str
    instrument: str
    types: tuple[str, ...]
    start: date  # earliest day it may have applied
    start_basis: str  # effective | adopted
    end: date | None
    applies_as: str  # state | county | city | city in county | county of city
    certain: bool  # False when an imprecise date makes it only possibly in force
    confidence: str
    sources: tuple[str, ...]
    entry: PolicyEntry


def _status(entry: PolicyEntry, on: date) -> bool | None:
    """True: in force; False: possibly (imprecise dates); None: not in force."""
    start = entry.start
    if not entry.in_force or start is None or start.earliest > on:
        return None
    if entry.end is not None and entry.end.latest <= on:
        return None
    certain = start.latest <= on and (entry.end is None or entry.end.earliest > on)
    return certain


def _resolve(place: str) -> tuple[str, str]:
    text = place.strip()
    if text.isdigit() and len(text) in (5, 7):
        if state(text[:2]) is None:
            raise InputError(f"unknown state FIPS in {place!r}")
        return ("county" if len(text) == 5 else "city"), text
    st = state(text) if (text.isdigit() and len(text) <= 2) or len(text) == 2 else None
    if st is None:
        raise InputError(
            f"not a place: {place!r} (use a state FIPS/USPS code, 5-digit county or 7-digit "
            "place FIPS)"
        )
    return "state", st.fips


def policy_status(
    place: str,
    on: date,
    *,
    registry: Registry | None = None,
    include_uncertain: bool = True,
    counties: tuple[str, ...] = (),
) -> list[PolicyInForce]:
    """Instruments in force in ``place`` on ``on``, state level first, then by start date.

    For a city, ``counties`` (the county FIPS it lies in) adds county instruments when the
    registry does not already record the city's counties.
    """
    reg = registry or default_registry()
    kind, fips = _resolve(place)
    city_counties = set(counties)
    if kind == "city":
        for e in reg:
            if e.level == "city" and e.fips == fips:
                city_counties.update(e.counties)
    out: list[PolicyInForce] = []
    for e in reg:
        applies: str | None = None
        if e.level == "state" and e.fips == fips[:2]:
            applies = "state"
        elif kind == "county" and e.level == "county" and e.fips == fips:
            applies = "county"
        elif kind == "county" and e.level == "city" and fips in e.counties:
            applies = "city in county"
        elif kind == "city" and e.level == "city" and e.fips == fips:
            applies = "city"
        elif kind == "city" and e.level == "county" and e.fips in city_counties:
            applies = "county of city"
        if applies is None:
            continue
        status = _status(e, on)
        if status is None or (status is False and not include_uncertain):
            continue
        start = e.start
        assert start is not None
        out.append(
            PolicyInForce(
                id=e.id,
                jurisdiction=e.jurisdiction,
                level=e.level,
                fips=e.fips,
                instrument=e.instrument,
                types=tuple(e.types),
                start=start.earliest,
                start_basis=e.start_basis,
                end=e.end.earliest if e.end else None,
                applies_as=applies,
                certain=status,
                confidence=e.confidence,
                sources=e.sources,
                entry=e,
            )
        )
    order = {"state": 0, "county": 1, "county of city": 1, "city": 2, "city in county": 2}
    return sorted(out, key=lambda p: (order[p.applies_as], p.start, p.id))


@dataclass(frozen=True)
class JurisdictionMatch:
    fips: str
    level: str
    jurisdiction: str
    policy_ids: tuple[str, ...]
    certain: bool  # at least one matching instrument is certainly in force


def jurisdictions_matching(
    policy_type: str,
    on: date,
    *,
    registry: Registry | None = None,
    include_uncertain: bool = True,
) -> list[JurisdictionMatch]:
    """Jurisdictions with an instrument of ``policy_type`` in force on ``on``.

    Jurisdictions are returned as registered (a state-level law is one match for the state;
    expand to counties with the counties table if needed).
    """
    if policy_type not in POLICY_TYPES:
        raise InputError(f"unknown policy type {policy_type!r}; one of: {', '.join(POLICY_TYPES)}")
    reg = registry or default_registry()
    found: dict[tuple[str, str], list[tuple[PolicyEntry, bool]]] = {}
    for e in reg:
        if policy_type not in e.types:
            continue
        status = _status(e, on)
        if status is None or (status is False and not include_uncertain):
            continue
        found.setdefault((e.level, e.fips), []).append((e, status))
    out = [
        JurisdictionMatch(
            fips=fips,
            level=level,
            jurisdiction=hits[0][0].jurisdiction,
            policy_ids=tuple(e.id for e, _ in hits),
            certain=any(c for _, c in hits),
        )
        for (level, fips), hits in found.items()
    ]
    return sorted(out, key=lambda m: (len(m.fips), m.fips))
