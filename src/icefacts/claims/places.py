"""A claim's places as rows of the public views: the AORs to read, and, for a state, a
county or a city, which rows lie in it for certain and which only may (rows placed only to
their AOR, in an AOR holding the place).

Names ("Cook County, IL", "Massachusetts", "District of Columbia, DC") resolve through the
places tables (``counties``, ``county_aor``), as ``icefacts place`` resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from icefacts.analysis.place_report import CROSSWALK_ON, policy_type, resolve_place
from icefacts.analysis.selection import policy_counties, quoted, remembered
from icefacts.errors import IcefactsError, InputError
from icefacts.places.states import state as lookup_state
from icefacts.release_specs import vocab

if TYPE_CHECKING:
    from icefacts.claims.model import Places
    from icefacts.policies import Registry
    from icefacts.warehouse.engine import Reader

# registered county lists by name, so that a reproduce command can write them out
# (the SQL a reproduce command writes instead: the shorter of the list and its complement)
COUNTY_SETS: dict[str, str] = {}


@dataclass(frozen=True)
class Where:
    """``level``: the finest geography the claim names (aor, state, county or city).
    ``aors``: the AORs read (empty: every AOR; ``exclude``: every AOR but these).
    ``sure``/``maybe``: SQL predicates, over the rows of those AORs, for the rows certainly
    in the place and those that may be (placed only to the AOR)."""

    label: str
    level: str
    aors: tuple[str, ...]
    exclude: bool
    sure: str
    maybe: str
    city: str | None = None

    @property
    def aor_sql(self) -> str:
        if not self.aors:
            return "TRUE"
        return f"aor {'NOT IN' if self.exclude else 'IN'} ({quoted(self.aors)})"

    @property
    def finer_than_aor(self) -> bool:
        return self.level != "aor"


def aor_code(text: str) -> str | None:
    """An AOR code (HQ, ICE headquarters, is one the releases use) or None."""
    return vocab("aor").lookup(text.strip())


def resolve(
    engine: Reader, places: Places, on: date, registry: Registry | None, what: str
) -> Where:
    """``places`` as a :class:`Where`; ``what`` names the key in errors. A name the places
    tables do not know is an :class:`InputError`."""
    aors: list[str] = []
    for text in places.aors or places.exclude_aors:
        code = aor_code(text)
        if code is None:
            raise InputError(f"{what}: {text!r} is not an AOR (codes such as SEA, NYC, LOS)")
        aors.append(code)
    if not (places.states or places.counties or places.policy):
        label = places.label or (
            ("every AOR but " if places.exclude_aors else "") + ", ".join(aors)
            if aors
            else "every AOR"
        )
        return Where(label, "aor", tuple(aors), bool(places.exclude_aors), "TRUE", "FALSE")
    if not engine.has_table("counties") or not engine.has_table("county_aor"):
        raise NoPlacesTables(what)
    fips: list[str] = []
    states: list[str] = []
    for text in places.counties:
        try:
            p = remembered(engine, ("claim_place", text), partial(resolve_place, engine, text))
        except IcefactsError as exc:
            raise InputError(f"{what}: {exc}") from None
        if p.kind != "county":
            raise InputError(f"{what}: {text!r} is a {p.kind}, not a county")
        fips.append(p.code)
    for text in places.states:
        st = lookup_state(text)
        if st is None:
            raise InputError(f"{what}: {text!r} is not a state (a name or code: MA, Massachusetts)")
        states.append(st.usps)
    aor_of: dict[str, str] = remembered(
        engine,
        ("claim_crosswalk", on),
        lambda: {
            r["fips"]: r["aor"]
            for r in engine.query(
                f"SELECT fips, aor FROM county_aor WHERE {CROSSWALK_ON}", [on]
            ).to_pylist()
        },
    )
    level = "county" if fips else "state"
    sure_parts, holding = [], set(aors)
    if fips:
        sure_parts.append(f"county_fips IN ({quoted(tuple(fips))})")
        holding |= {aor_of[f] for f in fips if f in aor_of}
    if states:
        sure_parts.append(f"place_state IN ({quoted(tuple(states))})")
        holding |= {a for f, a in aor_of.items() if _usps(f) in states}
    if places.policy is not None:
        assert places.policy_on is not None
        from icefacts.analysis.selection import Selection

        try:
            ptype = policy_type(places.policy)
        except InputError as exc:
            raise InputError(f"{what}.policy: {exc}") from None
        q = Selection(policy=ptype, policy_on=places.policy_on)
        in_force = set(
            remembered(
                engine,
                ("claim_policy", ptype, places.policy_on),
                lambda: policy_counties(engine, q, registry),
            )
        )
        chosen = in_force if places.policy_in_force else set(aor_of) - in_force
        level = "county"
        sure_parts.append(_county_set(engine, sorted(chosen), set(aor_of)))
        holding |= {aor_of[f] for f in chosen if f in aor_of}
    sure = " AND ".join(f"({p})" for p in sure_parts) if len(sure_parts) > 1 else sure_parts[0]
    # rows placed only to their AOR may lie in the place when their AOR holds any of it
    maybe = "county_fips IS NULL" if level == "county" else "place_state IS NULL"
    if places.city:
        level = "city"
    label = places.label or ", ".join([*places.counties, *places.states]) or str(places.policy)
    return Where(label, level, tuple(sorted(holding)), False, sure, maybe, places.city)


def _county_set(engine: Reader, fips: list[str], every: set[str] | None = None) -> str:
    """SQL: the row lies in one of ``fips`` (of ``every`` county). A long list goes in as a
    registered table (a literal IN list of thousands is tested row by row: seconds a
    query); a reproduce command writes the shorter of the list and its complement."""
    if not fips:
        return "FALSE"
    if len(fips) <= 50:
        return f"county_fips IN ({quoted(tuple(fips))})"
    import hashlib

    import pyarrow as pa

    name = "claim_counties_" + hashlib.md5(",".join(fips).encode()).hexdigest()[:12]
    engine.register(name, pa.table({"fips": pa.array(fips, pa.string())}))
    rest = sorted((every or set()) - set(fips))
    if every is not None and len(rest) < len(fips):
        COUNTY_SETS[name] = (
            f"(county_fips IS NOT NULL AND county_fips NOT IN ({quoted(tuple(rest))}))"
            if rest
            else "county_fips IS NOT NULL"
        )
    else:
        COUNTY_SETS[name] = f"county_fips IN ({quoted(tuple(fips))})"
    return f"county_fips IN (SELECT fips FROM {name})"


def _usps(fips: str) -> str | None:
    st = lookup_state(fips[:2])
    return st.usps if st else None


class NoPlacesTables(InputError):
    """Places named, and the places tables not loaded: a reading not checkable, not a
    malformed file."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what}: places by name need the places tables: run `icefacts reference load`"
        )
