"""Which policies were in force in a place on a date.

A place is a state (2-digit FIPS or USPS code), a county (5-digit FIPS) or a city (7-digit
place FIPS). For a county the answer includes its state's instruments, its own, and those
of cities lying in it (``applies_as="city in county"``: they cover part of the county). For
a city: its state's, its counties', and its own. For a state: its own, and those of the
counties and cities in it (``county in state``, ``city in state``). :func:`area_policy_status`
answers for an area made of whole counties (an AOR): the instruments of its states, counties
and cities, each saying which part of the area it covers.

An instrument is in force on ``on`` when its start (effective date, else adoption date) is on
or before ``on`` and its ``end`` is after ``on`` (``end`` is the first day it no longer
applies). With month- or year-precision dates an instrument can be *possibly* in force:
returned with ``certain=False`` unless ``include_uncertain=False``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from icefacts.errors import InputError
from icefacts.places.states import state
from icefacts.policies.model import COURT_RULING, POLICY_TYPES, PolicyEntry
from icefacts.policies.policy_files import Registry, default_registry


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
    applies_as: str  # state | county | city | city in county | county of city |
    # county in state | city in state | (areas) state in AOR | part of state in AOR | ...
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

    def applies(e: PolicyEntry) -> str | None:
        if e.level == "state" and e.fips == fips[:2]:
            return "state"
        if kind == "state" and e.fips[:2] == fips:
            return f"{e.level} in state"
        if kind == "county" and e.level == "county" and e.fips == fips:
            return "county"
        if kind == "county" and e.level == "city" and fips in e.counties:
            return "city in county"
        if kind == "city" and e.level == "city" and e.fips == fips:
            return "city"
        if kind == "city" and e.level == "county" and e.fips in city_counties:
            return "county of city"
        return None

    return _in_force(reg, on, applies, include_uncertain)


def area_policy_status(
    counties: Collection[str],
    on: date,
    *,
    whole_states: Collection[str] = (),
    area: str = "AOR",
    registry: Registry | None = None,
    include_uncertain: bool = True,
) -> list[PolicyInForce]:
    """Instruments in force on ``on`` anywhere in an area made of whole ``counties`` (5-digit
    FIPS), e.g. an AOR: those of the counties' states, of the counties, and of the cities
    lying in them. ``applies_as`` says what each covers: ``state in AOR`` (a state in
    ``whole_states``, all of it in the area), ``part of state in AOR`` (a state split between
    areas), ``county in AOR``, ``city in AOR``, ``part of city in AOR`` (a city whose counties
    are not all in the area) and ``city of state partly in AOR`` (a city registered without
    its counties, in a split state: it may lie outside the area).
    """
    reg = registry or default_registry()
    inside = set(counties)
    states = {c[:2] for c in inside}
    whole = set(whole_states)

    def applies(e: PolicyEntry) -> str | None:
        if e.level == "state" and e.fips in states:
            return f"state in {area}" if e.fips in whole else f"part of state in {area}"
        if e.level == "county" and e.fips in inside:
            return f"county in {area}"
        if e.level == "city" and e.counties:
            shared = inside.intersection(e.counties)
            if not shared:
                return None
            return (
                f"city in {area}" if len(shared) == len(e.counties) else f"part of city in {area}"
            )
        if e.level == "city" and e.fips[:2] in states:
            return f"city in {area}" if e.fips[:2] in whole else f"city of state partly in {area}"
        return None

    return _in_force(reg, on, applies, include_uncertain)


LEVEL_ORDER = {"state": 0, "county": 1, "city": 2}


def _in_force(
    reg: Registry,
    on: date,
    applies: Callable[[PolicyEntry], str | None],
    include_uncertain: bool,
) -> list[PolicyInForce]:
    """The entries ``applies`` labels that are in force on ``on``: state instruments first,
    then county, then city ones (a city's counties' instruments rank as county ones)."""
    out: list[PolicyInForce] = []
    for e in reg:
        applies_as = applies(e)
        if applies_as is None:
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
                applies_as=applies_as,
                certain=status,
                confidence=e.confidence,
                sources=e.sources,
                entry=e,
            )
        )
    return sorted(out, key=lambda p: (LEVEL_ORDER[p.level], p.start, p.id))


def is_ruling(policy: PolicyInForce | PolicyEntry) -> bool:
    """A court ruling (whatever else its types say it does): shown apart from policies."""
    return COURT_RULING in policy.types


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
