"""287(g) agreements: ICE's participating / pending agency lists, normalised."""

from __future__ import annotations

import re

import pyarrow as pa

from icefacts.places.facilities import county_index
from icefacts.places.names import city_key, county_key
from icefacts.places.schema import AGREEMENTS_287G
from icefacts.places.states import state

SCHEMA = AGREEMENTS_287G
MODELS = ("jail enforcement", "task force", "warrant service officer", "other")
_COUNTY_AGENCY = re.compile(
    r"^(?P<name>.+?)\s+(county|parish|borough)\b.*(sheriff|jail|correction|detention|police)",
    re.IGNORECASE,
)
_CITY_AGENCY = re.compile(
    r"^(city of\s+|town of\s+|village of\s+)?(?P<name>.+?)\s+"
    r"(police( services)? department|police|department of public safety|public safety)\b",
    re.IGNORECASE,
)


def model(support_type: str | None) -> str:
    """``Jail Enforcement Model`` -> ``jail enforcement``; unknown types -> ``other``."""
    text = (support_type or "").casefold()
    if "jail enforcement" in text:
        return "jail enforcement"
    if "task force" in text:
        return "task force"
    if "warrant service" in text:
        return "warrant service officer"
    return "other"


def agreements_287g(
    raw: pa.Table, counties: pa.Table, city_counties: pa.Table | None = None
) -> pa.Table:
    """One row per (list snapshot, agency, support type) row of ICE's 287(g) lists.

    County FIPS comes from the COUNTY column, else from a ``<Name> County Sheriff's Office``
    agency name, else (municipal agencies) from the facility lists' city -> county table.
    ``end_date`` is NULL: the lists say nothing about when an agreement ends. A SIGNED cell
    the parser could not use keeps ``signed_date`` NULL and says why in ``signed_problem``.
    """
    index = county_index(counties)
    cities: dict[tuple[str, str], str] = {}
    if city_counties is not None:
        for r in city_counties.to_pylist():
            cities[(city_key(r["city"]), r["state"])] = r["county_fips"]
    cols: dict[str, list[object]] = {n: [] for n in SCHEMA.names}
    for r in raw.to_pylist():
        st = state(str(r["state_name"]))
        usps = st.usps if st else None
        fips: str | None = None
        method: str | None = None
        if usps and r["county_name"]:
            hits = index.get((usps, county_key(r["county_name"])), [])
            fips, method = (hits[0], "county column") if len(hits) == 1 else (None, None)
        if usps and fips is None and (m := _COUNTY_AGENCY.match(r["agency"])):
            hits = index.get((usps, county_key(m["name"])), [])
            fips, method = (hits[0], "agency name") if len(hits) == 1 else (None, None)
        if usps and fips is None and (m := _CITY_AGENCY.match(r["agency"])):
            hit = cities.get((city_key(m["name"]), usps))
            fips, method = (hit, "city") if hit else (None, None)
        cols["agency"].append(r["agency"])
        cols["agency_type"].append(r["agency_type"])
        cols["state"].append(usps)
        cols["state_fips"].append(st.fips if st else None)
        cols["county_name"].append(r["county_name"])
        cols["county_fips"].append(fips)
        cols["county_method"].append(method)
        cols["model"].append(model(r["support_type"]))
        cols["support_type"].append(r["support_type"])
        cols["signed_date"].append(r["signed_date"])
        cols["signed_raw"].append(r["signed_raw"])
        cols["signed_problem"].append(r.get("signed_problem"))
        cols["end_date"].append(None)
        cols["listing"].append(r["listing"])
        cols["snapshot_date"].append(r["snapshot_date"])
        cols["source"].append(r["source_file"])
        cols["source_row"].append(r["source_row"])
    return pa.Table.from_pydict(cols, schema=SCHEMA)


def signed_date_caveat(problems: list[tuple[str | None, str]]) -> list[str]:
    """Caveat lines for list rows loaded without their signing date: ``problems`` holds
    (signed_raw, signed_problem) per row. One line for implausible dates, one for unreadable."""
    out = []
    for kind in ("implausible", "unreadable"):
        raws = [raw or "" for raw, why in problems if why.startswith(kind)]
        if not raws:
            continue
        n = len(raws)
        shown = ", ".join(sorted(set(raws))[:5]) + (", ..." if len(set(raws)) > 5 else "")
        out.append(
            f"{n} 287(g) agreement{'s' if n > 1 else ''} with an {kind} signing date "
            f"({shown}) {'were' if n > 1 else 'was'} loaded without it"
        )
    return out
