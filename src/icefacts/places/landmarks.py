"""Place free-text apprehension landmarks in counties.

``"KING COUNTY JAIL"`` (AOR SEA) -> 53033; ``"FRANKLIN CO. JAIL"`` -> 53021 (the only Franklin
County in the Seattle AOR); ``"VENTURA COUNTY JAIL, VENTURA CA"`` -> 06111; ``"CAP - PHOENIX
POLICE DEPARTMENT"`` -> Maricopa via the city table. ICE office and "general area" landmarks
(``"SEA CAP"``, ``"<CITY> FUGITIVE OPERATIONS"``, ``"<OFFICE> GENERAL AREA, NON-SPECIFIC"``)
are left unplaced: method ``aor_only`` (the arrest happened somewhere in the office's area).

Steps, first hit wins (each with the method it reports):

1. ``empty``: blank / ``NA``.
2. ICE office / general area: ``aor_only`` -- unless it names a county explicitly
   (``"<NAME> COUNTY GENERAL AREA"``), then ``county_name`` (medium).
3. ``facility_name``: the landmark is a facility's name in the facility lists (high).
4. ``county_name``: ``X COUNTY`` / ``X CO.`` / ``X PARISH`` / ``X BOROUGH`` / ``X CITY`` (an
   independent city) matching one county of the record's AOR, or of the state a suffix names
   (``", WA"``, ``" - VA"``, ``"NY STATE"``) (high); several matches in the AOR are broken by the
   facility lists when only one of them has a listed facility (medium), or by population when
   one is ten times as populous (low); no match in the AOR but exactly one county of that name
   nationally (low).
5. ``facility_name``: the landmark's distinctive words match one facility's (medium).
6. ``city``: a city of the AOR whose facilities all lie in one county (medium).
7. ``ambiguous`` (several counties fit) or ``unmatched``.

``state`` is filled whenever it is known: from the county, a state suffix, the AOR when it
covers one state, or the office city for ``aor_only`` landmarks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa

from icefacts.places.aors import aor_names
from icefacts.places.names import city_key, county_key, plain_key
from icefacts.places.states import state as lookup_state
from icefacts.places.states import usps_codes
from icefacts.release_specs import vocab

METHODS = (
    "facility_name", "county_name", "city", "aor_only", "ambiguous", "unmatched", "empty",
)  # fmt: skip
CONFIDENCES = ("high", "medium", "low", "none")

PLACEMENTS = pa.schema(
    [
        ("landmark", pa.string()),
        ("aor", pa.string()),
        ("county_fips", pa.string()),
        ("state", pa.string()),
        ("method", pa.string()),
        ("confidence", pa.string()),
        ("note", pa.string()),
    ]
)


@dataclass(frozen=True)
class Placement:
    county_fips: str | None
    state: str | None
    method: str
    confidence: str
    note: str | None = None


@dataclass(frozen=True)
class _Facility:
    name_key: str
    tokens: frozenset[str]
    state: str | None
    fips: str | None
    aor: str | None


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Lookup tables for placement, built once by :func:`build_gazetteer`."""

    county_state: dict[str, str]  # fips -> USPS
    county_index: dict[tuple[str, str], tuple[str, ...]]  # (USPS, name key) -> fips
    national_index: dict[str, tuple[str, ...]]  # name key -> fips
    state_counties: dict[str, frozenset[str]]  # USPS -> fips
    aor_counties: dict[str, frozenset[str]]  # AOR -> fips (every crosswalk version)
    aor_states: dict[str, frozenset[str]]
    cities: dict[tuple[str, str], str]  # (USPS, city key) -> fips
    city_states: dict[str, frozenset[str]]  # city key -> USPS where a facility/office is
    facilities: tuple[_Facility, ...]
    facility_names: dict[str, tuple[_Facility, ...]]
    facility_counties: frozenset[str]
    facility_tokens: dict[str, tuple[int, ...]] = field(default_factory=dict)  # word -> facilities
    state_names: dict[str, str] = field(default_factory=dict)  # name key -> USPS
    population: dict[str, int] = field(default_factory=dict)  # fips -> latest estimate
    aor_names: dict[str, str] = field(default_factory=dict)  # AOR code -> office city

    def __hash__(self) -> int:
        return id(self)


def build_gazetteer(
    counties: pa.Table,
    county_aor: pa.Table,
    facilities: pa.Table,
    city_counties: pa.Table | None = None,
    ice_offices: pa.Table | None = None,
    county_population: pa.Table | None = None,
) -> Gazetteer:
    """Index counties, AOR membership (all crosswalk versions), facilities and cities.

    ``city_counties`` (from :func:`icefacts.places.city_counties`) enables city placement;
    ``ice_offices`` adds office cities (state only, for ``aor_only`` landmarks);
    ``county_population`` enables the population tie-break between same-named counties.
    """
    county_state: dict[str, str] = {}
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    national: dict[str, list[str]] = defaultdict(list)
    by_state: dict[str, set[str]] = defaultdict(set)
    for r in counties.select(["fips", "name", "state"]).to_pylist():
        county_state[r["fips"]] = r["state"]
        index[(r["state"], county_key(r["name"]))].append(r["fips"])
        national[county_key(r["name"])].append(r["fips"])
        by_state[r["state"]].add(r["fips"])
    aor_counties: dict[str, set[str]] = defaultdict(set)
    for r in county_aor.select(["fips", "aor"]).to_pylist():
        if r["fips"] in county_state:
            aor_counties[r["aor"]].add(r["fips"])
    cities: dict[tuple[str, str], str] = {}
    city_states: dict[str, set[str]] = defaultdict(set)
    if city_counties is not None:
        for r in city_counties.to_pylist():
            cities[(r["state"], city_key(r["city"]))] = r["county_fips"]
            city_states[city_key(r["city"])].add(r["state"])
    if ice_offices is not None:
        for r in ice_offices.select(["city", "state"]).to_pylist():
            if r["city"] and r["state"]:
                city_states[city_key(r["city"])].add(r["state"])
    facs = []
    for r in facilities.select(["name", "state", "county_fips", "aor"]).to_pylist():
        if r["name"]:
            facs.append(
                _Facility(
                    plain_key(r["name"]), _sig(r["name"]), r["state"], r["county_fips"], r["aor"]
                )
            )
    names: dict[str, list[_Facility]] = defaultdict(list)
    for fac in facs:
        names[fac.name_key].append(fac)
    tokens: dict[str, list[int]] = defaultdict(list)
    for i, fac in enumerate(facs):
        for w in fac.tokens:
            tokens[w].append(i)
    pops: dict[str, tuple[int, int]] = {}
    if county_population is not None:
        for f, y, p in zip(
            county_population["fips"].to_pylist(),
            county_population["year"].to_pylist(),
            county_population["population"].to_pylist(),
            strict=True,
        ):
            if f not in pops or y > pops[f][0]:
                pops[f] = (y, p)
    states: dict[str, str] = {}
    for code in usps_codes():
        st = lookup_state(code)
        if st is not None:
            states[plain_key(st.name)] = st.usps
    return Gazetteer(
        county_state=county_state,
        county_index={k: tuple(v) for k, v in index.items()},
        national_index={k: tuple(v) for k, v in national.items()},
        state_counties={k: frozenset(v) for k, v in by_state.items()},
        aor_counties={k: frozenset(v) for k, v in aor_counties.items()},
        aor_states={k: frozenset(county_state[f] for f in v) for k, v in aor_counties.items()},
        cities=cities,
        city_states={k: frozenset(v) for k, v in city_states.items()},
        facilities=tuple(facs),
        facility_names={k: tuple(v) for k, v in names.items()},
        facility_counties=frozenset(f.fips for f in facs if f.fips),
        facility_tokens={k: tuple(v) for k, v in tokens.items()},
        state_names=states,
        population={f: p for f, (_, p) in pops.items()},
        aor_names={code: name.upper() for code, name in aor_names().items()},
    )


# --- text helpers ------------------------------------------------------------------------

COUNTY_WORDS = frozenset({"COUNTY", "CO", "CNTY", "CTY", "PARISH", "PARRISH", "BOROUGH"})
SEPARATORS = frozenset({",", "(", ")", "/", "-", "&", ":", ";", "@"})
GENERAL = re.compile(r"GENERAL AREA|NON-?SPECIFIC|NONSPECIFIC")
OFFICE = re.compile(
    r"\b(ERO|CAP|VCAS|FOT|FUGOPS|FUG ?OPS?|FUGITIVE|NON[- ]?DETAINED|DOCKET|SUB[- ]?OFFICE|"
    r"FIELD OFFICE|STREET ARREST|NON[- ]?CUSTODIAL|AT[- ]LARGE|DO NOT USE|INSPECTIONS?|"
    r"HEADQUARTERS|FEDERAL PLAZA|NDD|ICE OFFICE|CHECK[- ]?IN)\b"
)
# A CAP (Criminal Alien Program) site: "CAP - PHOENIX POLICE DEPARTMENT", "CAP <STATE DOC> <CITY>".
CAP_SITE = re.compile(r"^CAP\b\s*-?\s*(?P<site>.+)$")
# Words that say what kind of place it is, not where: ignored when matching facility names
# and never taken for a city name.
# fmt: off
GENERIC = frozenset([
    "JAIL", "JAILS", "COUNTY", "CO", "CNTY", "CITY", "TOWN", "OF", "THE", "AND", "AT", "IN",
    "ON", "FOR", "A", "DETENTION", "DET", "CENTER", "CENTRE", "CTR", "FACILITY", "FACILITIES",
    "CORRECTIONAL", "CORRECTIONS", "CORRECTION", "CORR", "INSTITUTION", "INSTITUTE", "INST",
    "FCI", "FDC", "FPC", "USP", "BOP", "USBOP", "BOPFCI", "CI", "MDC", "MCC", "SPC", "CDF",
    "IGSA", "PRISON", "PENITENTIARY", "STATE", "REGIONAL", "DEPARTMENT", "DEPT", "SHERIFF",
    "SHERIFFS", "SHERIFF'S", "OFFICE", "POLICE", "PD", "PUBLIC", "SAFETY", "UNIT", "COMPLEX",
    "SERVICES", "SERVICE", "JUSTICE", "CRIMINAL", "ADULT", "JUVENILE", "YOUTH", "WORK",
    "RELEASE", "MEDICAL", "HOSPITAL", "PROBATION", "PAROLE", "COURT", "COURTS", "HOLD", "ROOM",
    "HOLDROOM", "PROCESSING", "DIVISION", "FEDERAL", "US", "U", "S", "UNITED", "STATES",
    "MARSHALS", "MARSHALLS", "MARSHAL", "USMS", "INTAKE", "MINIMUM", "MEDIUM", "MAXIMUM", "LOW",
    "HIGH", "SECURITY", "SPECIAL", "OFFENDER", "OFFENDERS", "MEN", "WOMEN", "WOMENS", "MENS",
    "NORTH", "SOUTH", "EAST", "WEST", "NORTHERN", "SOUTHERN", "EASTERN", "WESTERN", "CENTRAL",
    "NEW", "OLD", "ARREST", "ARRESTS", "LOCAL", "CAP", "DOC", "DOCS", "ADOC", "TDCJ", "IDOC",
    "RESIDENTIAL", "HOUSE", "HOME", "TREATMENT", "PROGRAM", "PRETRIAL", "PRE", "TRIAL", "ANNEX",
    "MAIN", "BUILDING", "DETAINED", "AREA", "METRO", "ICE", "ERO", "CONTRACT", "DIV", "DIST",
    "DISTRICT",
])
# fmt: on


def _norm(text: str) -> str:
    return " ".join(str(text).replace("’", "'").upper().split())


def _tokens(text: str) -> list[str]:
    """Words and separators; dots dropped (``CO.`` -> ``CO``, ``ST. LOUIS`` -> ``ST LOUIS``)."""
    return re.findall(r"[A-Z0-9']+|[,()/\-&:;@]", text)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9']+", text)


@lru_cache(maxsize=1)
def _state_words() -> frozenset[str]:
    out: set[str] = set()
    for code in usps_codes():
        st = lookup_state(code)
        if st is not None:
            out.update(_words(st.name.upper()))
    return frozenset(out)


def _sig(name: str) -> frozenset[str]:
    """Distinctive words of a facility name (no generic words, numbers or state names)."""
    skip = GENERIC | _state_words()
    return frozenset(w for w in _words(_norm(name)) if w not in skip and not w.isdigit())


def _state_hint(text: str, gaz: Gazetteer) -> str | None:
    """A state the landmark names: ``", WA"``, ``" - VA"``, ``", GA (..."``, ``"NY STATE"``,
    ``"... IOWA"``, ``"OREGON STATE ..."``, ``"TEXAS DEPT ..."``."""
    codes = usps_codes()
    m = re.search(r"(,|-|\s)\s*([A-Z]{2})\s*$", text)
    if m and m.group(2) in codes and not (m.group(2) == "CO" and m.group(1) != ","):
        return m.group(2)
    for m in re.finditer(r",\s*([A-Z]{2})\s*(?=[(\-,]|$)", text):
        if m.group(1) in codes:
            return m.group(1)
    m = re.search(r"\b([A-Z]{2}) STATE\b", text)
    if m and m.group(1) in codes:
        return m.group(1)
    words = _words(text)
    for n in (3, 2, 1):
        if len(words) > n:
            tail = plain_key(" ".join(words[-n:]))
            if tail in gaz.state_names:
                return gaz.state_names[tail]
        for i in range(len(words) - n):
            if words[i + n] in {"STATE", "DEPT", "DEPARTMENT", "DOC"}:
                name = plain_key(" ".join(words[i : i + n]))
                if name in gaz.state_names:
                    return gaz.state_names[name]
    return None


def _name_before(tokens: list[str], i: int, limit: int) -> list[str]:
    words: list[str] = []
    j = i - 1
    while j >= 0 and tokens[j] not in SEPARATORS and len(words) < limit:
        words.insert(0, tokens[j])
        j -= 1
    return words


def _candidates(words: list[str], suffix: str = "") -> list[str]:
    """``["SOUTH", "KING"]`` -> ``["SOUTH KING", "KING"]``: longest name first."""
    return [" ".join(words[k:]) + suffix for k in range(len(words))]


def _county_mentions(tokens: list[str]) -> list[list[str]]:
    """Name candidates before each county word (``X COUNTY``, ``X CO.``, ``X PARISH``)."""
    out = []
    for i, tok in enumerate(tokens):
        if tok not in COUNTY_WORDS:
            continue
        if tok == "CO" and i > 0 and tokens[i - 1] == ",":
            continue  # ", CO" is Colorado
        words = _name_before(tokens, i, 4)
        if words:
            out.append(_candidates(words))
    return out


def _city_mentions(tokens: list[str]) -> list[list[str]]:
    """Independent-city candidates (Baltimore city, St. Louis city): ``X CITY``, ``CITY OF X``."""
    out = []
    for i, tok in enumerate(tokens):
        if tok != "CITY":
            continue
        words = _name_before(tokens, i, 3)
        if words:
            out.append(_candidates(words, " CITY"))
        if i + 2 < len(tokens) and tokens[i + 1] == "OF":
            after: list[str] = []
            for t in tokens[i + 2 : i + 5]:
                if t in SEPARATORS:
                    break
                after.append(t)
            if after:
                out.append([" ".join(after[:k]) + " CITY" for k in range(len(after), 0, -1)])
    return out


# --- placement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    aor: str | None
    hint: str | None  # a state the landmark names
    fips: frozenset[str] | None  # counties of the AOR (None = anywhere)
    states: frozenset[str] | None  # states of the AOR

    def single_state(self) -> str | None:
        if self.hint:
            return self.hint
        return next(iter(self.states)) if self.states and len(self.states) == 1 else None


def _aor_code(aor: str | None) -> str | None:
    if aor is None or not str(aor).strip() or str(aor).strip().upper() in {"NA", "N/A"}:
        return None
    text = str(aor).strip()
    return vocab("aor").lookup(text) or text.upper()


def _allowed(gaz: Gazetteer, scope: _Scope) -> frozenset[str] | None:
    """Counties a placement may land in: the named state's, else the AOR's (None = any)."""
    if scope.hint:
        return gaz.state_counties.get(scope.hint, frozenset())
    return scope.fips


def _lookup_county(gaz: Gazetteer, scope: _Scope, name: str) -> list[str]:
    key = county_key(name)
    if not key:
        return []
    states = {scope.hint} if scope.hint else (scope.states or set(gaz.state_counties))
    allowed = _allowed(gaz, scope)
    hits = {f for st in states for f in gaz.county_index.get((st, key), ())}
    return sorted(f for f in hits if allowed is None or f in allowed)


def _placed(
    gaz: Gazetteer, fips: str, method: str, confidence: str, note: str | None = None
) -> Placement:
    return Placement(fips, gaz.county_state.get(fips), method, confidence, note)


def _ambiguous(gaz: Gazetteer, scope: _Scope, fips: list[str], what: str) -> Placement:
    states = {gaz.county_state[f] for f in fips}
    st = next(iter(states)) if len(states) == 1 else scope.single_state()
    return Placement(None, st, "ambiguous", "none", f"{what} fits {', '.join(fips)}")


def _break_tie(gaz: Gazetteer, hits: list[str], label: str) -> Placement | None:
    """Same-named counties in one AOR: the only one with a listed facility (medium), else one
    ten times as populous as each other (low)."""
    with_fac = [f for f in hits if f in gaz.facility_counties]
    if len(with_fac) == 1:
        return _placed(
            gaz,
            with_fac[0],
            "county_name",
            "medium",
            f"{label} fits {len(hits)} counties; the only one with a listed facility",
        )
    pops = sorted(((gaz.population.get(f, 0), f) for f in hits), reverse=True)
    if len(pops) > 1 and pops[0][0] >= 10 * max(pops[1][0], 1):
        return _placed(
            gaz,
            pops[0][1],
            "county_name",
            "low",
            f"{label} fits {len(hits)} counties; by far the most populous",
        )
    return None


def _walk(gaz: Gazetteer, cands: list[str]) -> list[str]:
    """Longest name first; stop shortening at a known city (Bonners Ferry is not Ferry County)."""
    out = []
    for cand in cands:
        out.append(cand)
        if " " in cand and city_key(cand) in gaz.city_states:
            break
    return out


def _by_county_name(
    gaz: Gazetteer, scope: _Scope, groups: list[list[str]], label: str
) -> Placement | None:
    """The first mention that names a county of the scope; longer names first."""
    for cands in groups:
        for cand in _walk(gaz, cands):
            hits = _lookup_county(gaz, scope, cand)
            if len(hits) == 1:
                return _placed(gaz, hits[0], "county_name", "high")
            if hits:
                return _break_tie(gaz, hits, f"{label} {cand!r}") or _ambiguous(
                    gaz, scope, hits, f"{label} {cand!r}"
                )
    return None


def _national(gaz: Gazetteer, scope: _Scope, groups: list[list[str]]) -> Placement | None:
    """No county of that name in the AOR: the only county of that name anywhere (low)."""
    if scope.hint or scope.fips is None:
        return None
    for cands in groups:
        for cand in _walk(gaz, cands):
            hits = gaz.national_index.get(county_key(cand), ())
            if len(hits) == 1:
                return _placed(
                    gaz,
                    hits[0],
                    "county_name",
                    "low",
                    "outside the record's AOR; the only county of that name",
                )
    return None


def _fits(fac: _Facility, scope: _Scope) -> bool:
    if scope.hint:
        return fac.state == scope.hint
    if scope.aor is None:
        return True
    return fac.aor == scope.aor or (
        scope.states is not None and fac.state in scope.states
        and (fac.fips is None or scope.fips is None or fac.fips in scope.fips)
    )  # fmt: skip


def _by_facility_name(gaz: Gazetteer, scope: _Scope, text: str) -> Placement | None:
    exact = [f for f in gaz.facility_names.get(plain_key(text), ()) if _fits(f, scope)]
    fips = sorted({f.fips for f in exact if f.fips})
    if len(fips) == 1:
        return _placed(gaz, fips[0], "facility_name", "high")
    sig = _sig(text)
    if not sig or not any(len(w) >= 4 for w in sig):
        return None
    pool = {i for w in sig for i in gaz.facility_tokens.get(w, ())}
    cands = [gaz.facilities[i] for i in sorted(pool)]
    cands = [f for f in cands if f.fips and f.tokens and _fits(f, scope)]
    matches = [
        f for f in cands
        if f.tokens == sig
        or (len(sig) >= 2 and sig <= f.tokens)
        or (len(f.tokens) >= 2 and f.tokens <= sig)
    ]  # fmt: skip
    if not matches:  # one rare distinctive word shared with one facility name
        for w in sorted(sig, key=len, reverse=True):
            if _lookup_county(gaz, scope, w):
                continue  # a county's name inside a longer name is not that county
            having = [f for f in cands if w in f.tokens]
            if len(w) >= 5 and len(having) == 1 and len(having[0].tokens) == 1:
                matches = having
                break
    fips = sorted({f.fips for f in matches if f.fips})
    if len(fips) == 1:
        return _placed(
            gaz,
            fips[0],
            "facility_name",
            "medium",
            "matched on the facility name's distinctive words",
        )
    return None


def _by_city(gaz: Gazetteer, scope: _Scope, text: str) -> Placement | None:
    words = _words(text)
    states = {scope.hint} if scope.hint else (scope.states or {s for s, _ in gaz.cities})
    allowed = _allowed(gaz, scope)
    for n in (3, 2, 1):
        hits: set[str] = set()
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if n == 1 and (gram[0] in GENERIC or len(gram[0]) < 4):
                continue
            if all(w in GENERIC for w in gram):
                continue
            key = city_key(" ".join(gram))
            if key in gaz.state_names:
                continue
            hits.update(gaz.cities[(st, key)] for st in states if (st, key) in gaz.cities)
        found = sorted(f for f in hits if allowed is None or f in allowed)
        if len(found) == 1:
            return _placed(gaz, found[0], "city", "medium")
        if found:
            return _ambiguous(gaz, scope, found, "city")
    return None


def _office_state(gaz: Gazetteer, scope: _Scope, text: str) -> str | None:
    """State of an office landmark: the named/only state, else the office city's state."""
    if scope.single_state():
        return scope.single_state()
    words = _words(text)
    for n in (2, 1):
        found: set[str] = set()
        for i in range(len(words) - n + 1):
            key = city_key(" ".join(words[i : i + n]))
            if len(key) >= 4 and key not in gaz.state_names:
                found |= set(gaz.city_states.get(key, ())) & set(scope.states or ())
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def place_landmark(
    landmark: str | None, aor: str | None, gazetteer: Gazetteer, state: str | None = None
) -> Placement:
    """Place one landmark recorded in AOR ``aor`` (code or name; None if unknown). ``state``
    (USPS), when the record names one, binds the search to that state's counties."""
    return _place(_norm(landmark or ""), _aor_code(aor), gazetteer, state)


@lru_cache(maxsize=65536)
def _place(text: str, aor: str | None, gaz: Gazetteer, state: str | None = None) -> Placement:
    if not text or text in {"NA", "N/A", "NULL", "NONE", "UNKNOWN", "--"}:
        return Placement(None, None, "empty", "none")
    site = CAP_SITE.match(text)
    if site and not (GENERAL.search(site["site"]) or OFFICE.search(site["site"])):
        text = site["site"]
    tokens = _tokens(text)
    if aor and tokens and tokens[0] == aor and len(tokens) > 1 and tokens[1] in COUNTY_WORDS:
        # "<AOR code> COUNTY JAIL": the county of the city the AOR is named for
        tokens[0:1] = _words(gaz.aor_names.get(aor, aor))
    scope = _Scope(
        aor,
        state or _state_hint(text, gaz),
        gaz.aor_counties.get(aor) if aor else None,
        gaz.aor_states.get(aor) if aor else None,
    )
    counties = _county_mentions(tokens)
    general, office = GENERAL.search(text), OFFICE.search(text)

    if general or office:
        kind = "general area" if general else "ICE office / team"
        named = _by_county_name(gaz, scope, counties, "county")
        if named and named.county_fips:
            note = f"{kind} landmark naming a county"
            return Placement(named.county_fips, named.state, "county_name", "medium", note)
        return Placement(None, _office_state(gaz, scope, text), "aor_only", "none", kind)

    facility = _by_facility_name(gaz, scope, text)
    named = _by_county_name(gaz, scope, counties, "county")
    if facility and facility.confidence == "high":
        if named and named.confidence != "high":  # the county name fits several counties
            return Placement(
                facility.county_fips,
                facility.state,
                "facility_name",
                "medium",
                "a listed facility's name, but the county name fits several",
            )
        return facility
    if named and named.county_fips:
        return named
    city_named = _by_county_name(gaz, scope, _city_mentions(tokens), "independent city")
    if city_named and city_named.county_fips:
        return city_named
    if named is None:
        national = _national(gaz, scope, counties)
        if national:
            return national
    if facility:
        return facility
    city = _by_city(gaz, scope, text)
    if named:  # several counties of that name and no facility settles it; a city does not
        return named
    if city:
        return city
    return Placement(None, scope.single_state(), "unmatched", "none")


def place_landmarks(pairs: pa.Table, gazetteer: Gazetteer) -> pa.Table:
    """Place distinct (landmark, aor) pairs: input columns ``landmark`` and ``aor``.

    Returns the input pairs with ``county_fips, state, method, confidence, note``; place the
    distinct pairs of a release once and join the result back on (landmark, aor).
    """
    landmarks = pairs["landmark"].to_pylist()
    aors = pairs["aor"].to_pylist() if "aor" in pairs.column_names else [None] * len(landmarks)
    cols: dict[str, list[object]] = {n: [] for n in PLACEMENTS.names}
    for lm, a in zip(landmarks, aors, strict=True):
        p = place_landmark(lm, a, gazetteer)
        cols["landmark"].append(lm)
        cols["aor"].append(a)
        cols["county_fips"].append(p.county_fips)
        cols["state"].append(p.state)
        cols["method"].append(p.method)
        cols["confidence"].append(p.confidence)
        cols["note"].append(p.note)
    return pa.Table.from_pydict(cols, schema=PLACEMENTS)
