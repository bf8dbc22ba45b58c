"""Detention facilities (DETLOC -> name, city, county FIPS, state, AOR); city -> county."""

from __future__ import annotations

import re
from collections import defaultdict

import pyarrow as pa

from icefacts.places.names import city_key, county_key
from icefacts.places.schema import CITY_COUNTIES, FACILITIES


def county_index(counties: pa.Table) -> dict[tuple[str, str], list[str]]:
    """(USPS state, county name key) -> county FIPS codes (one, unless names collide)."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in counties.select(["fips", "name", "state"]).to_pylist():
        out[(r["state"], county_key(r["name"]))].append(r["fips"])
    return dict(out)


def _county_fips(
    index: dict[tuple[str, str], list[str]], state: str | None, name: str | None
) -> str | None:
    if not state or not name:
        return None
    hits = index.get((state, county_key(name)), [])
    if not hits and not county_key(name).endswith("city"):
        hits = index.get((state, county_key(name) + "city"), [])  # independent cities
    return hits[0] if len(hits) == 1 else None


_NAMED_COUNTY = re.compile(r"^(?P<name>[A-Z .'-]+?)\s+(COUNTY|CO\.?|PARISH)\b")


def _locate(
    index: dict[tuple[str, str], list[str]], row: dict[str, object]
) -> tuple[str | None, str | None]:
    """County FIPS of a facility row and how it was found (county column, else its name)."""
    state = row["state"] if isinstance(row["state"], str) else None
    county = row["county_name"] if isinstance(row["county_name"], str) else None
    fips = _county_fips(index, state, county)
    if fips:
        return fips, "county column"
    m = _NAMED_COUNTY.match(str(row["name"] or "").upper())
    if m:  # the county column is sometimes a city: use "<X> COUNTY ..."
        fips = _county_fips(index, state, m["name"])
        if fips:
            return fips, "facility name"
    return None, None


def facilities(raw: pa.Table, counties: pa.Table, detloc_2025: pa.Table | None = None) -> pa.Table:
    """One row per DETLOC code.

    ``raw`` is ``load_reference("facilities-uwchr")``; ``detloc_2025`` (optional) is
    ``load_reference("facility-aor-2025")``: it adds the 2023-2025 AOR of known codes and the
    codes the older lists lack (name and AOR only). ``county_fips`` is set when the listed
    county name matches exactly one county of the listed state, else when the facility's name
    starts with ``<X> COUNTY`` naming one (``county_method`` says which).
    """
    index = county_index(counties)
    later: dict[str, dict[str, object]] = {}
    if detloc_2025 is not None:
        for r in detloc_2025.to_pylist():
            later.setdefault(str(r["detloc"]), r)
    cols: dict[str, list[object]] = {n: [] for n in FACILITIES.names}
    seen: set[str] = set()
    for r in raw.to_pylist():
        code = str(r["detloc"])
        if code in seen:
            continue
        seen.add(code)
        new = later.get(code)
        cols["detloc"].append(code)
        cols["name"].append(r["name"])
        cols["address"].append(r["address"])
        cols["city"].append(r["city"])
        cols["state"].append(r["state"])
        cols["county_name"].append(r["county_name"])
        fips, method = _locate(index, r)
        cols["county_fips"].append(fips)
        cols["county_method"].append(method)
        cols["aor"].append(r["aor"])
        cols["aor_2025"].append(new["aor"] if new else None)
        cols["type"].append(r["type"])
        cols["type_detailed"].append(r["type_detailed"])
        cols["date_first_use"].append(r["date_first_use"])
        cols["date_last_use"].append(r["date_last_use"])
        cols["source"].append("facilities-uwchr" + (", facility-aor-2025" if new else ""))
    for code, r in later.items():
        if code in seen:
            continue
        seen.add(code)
        for name in FACILITIES.names:
            cols[name].append(None)
        cols["detloc"][-1] = code
        cols["name"][-1] = r["name"]
        cols["aor_2025"][-1] = r["aor"]
        cols["source"][-1] = "facility-aor-2025"
    return pa.Table.from_pydict(cols, schema=FACILITIES)


def city_counties(facilities_table: pa.Table) -> pa.Table:
    """(city, state) -> county FIPS where every facility of that city lies in one county.

    Built from the facility lists' city/county columns; cities whose facilities sit in
    different counties are left out (ambiguous).
    """
    seen: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[tuple[str, str], str] = {}
    for r in facilities_table.select(["city", "state", "county_fips"]).to_pylist():
        if not (r["city"] and r["state"] and r["county_fips"]):
            continue
        key = (city_key(r["city"]), r["state"])
        seen[key][r["county_fips"]] += 1
        names.setdefault(key, str(r["city"]).upper())
    cols: dict[str, list[object]] = {n: [] for n in CITY_COUNTIES.names}
    for key in sorted(seen):
        fips = seen[key]
        if len(fips) != 1:
            continue
        ((only, n),) = fips.items()
        cols["city"].append(names[key])
        cols["state"].append(key[1])
        cols["county_fips"].append(only)
        cols["n_facilities"].append(n)
    return pa.Table.from_pydict(cols, schema=CITY_COUNTIES)
