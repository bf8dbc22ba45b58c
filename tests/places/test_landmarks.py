"""Landmark placement: rules on a small hand-made gazetteer, then accuracy on UWCHR's codings.

The accuracy test reads the hand codings in place (``uwchr-landmark-codings/``) and prints
coverage and precision; nothing from the codings is stored in the repository.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from icefacts.places import Gazetteer, build_gazetteer, place_landmark, place_landmarks
from icefacts.places.names import county_key

# A toy world, written for these tests (not copied from any data file).
TOY = [  # (fips, name, state, AOR)
    ("53033", "King County", "WA", "SEA"),
    ("53021", "Franklin County", "WA", "SEA"),
    ("53005", "Benton County", "WA", "SEA"),
    ("41003", "Benton County", "OR", "SEA"),
    ("53013", "Columbia County", "WA", "SEA"),
    ("41009", "Columbia County", "OR", "SEA"),
    ("53019", "Ferry County", "WA", "SEA"),
    ("41051", "Multnomah County", "OR", "SEA"),
    ("53063", "Spokane County", "WA", "SEA"),
    ("06111", "Ventura County", "CA", "LOS"),
    ("06037", "Los Angeles County", "CA", "LOS"),
    ("04013", "Maricopa County", "AZ", "PHO"),
    ("16021", "Boundary County", "ID", "SLC"),
]
COUNTIES = pa.table(
    {"fips": [t[0] for t in TOY], "name": [t[1] for t in TOY], "state": [t[2] for t in TOY]}
)
CROSSWALK = pa.table(
    {
        "fips": [t[0] for t in TOY],
        "aor": [t[3] for t in TOY],
        "as_of": pa.array([date(2019, 9, 30)] * len(TOY), pa.date32()),
    }
)
FACILITIES = pa.table(
    {
        "name": [
            "KING COUNTY CORRECTIONAL FACILITY",
            "BENTON COUNTY JAIL",
            "MARICOPA COUNTY FOURTH AVENUE JAIL",
            "TOY DETENTION CENTER",
            "BOUNDARY COUNTY JAIL",
        ],
        "city": ["SEATTLE", "KENNEWICK", "PHOENIX", "TACOMA", "BONNERS FERRY"],
        "state": ["WA", "WA", "AZ", "WA", "ID"],
        "county_fips": ["53033", "53005", "04013", None, "16021"],
        "aor": ["SEA", "SEA", "PHO", "SEA", "SLC"],
    }
)
CITIES = pa.table(
    {
        "city": ["SEATTLE", "KENNEWICK", "PHOENIX", "BONNERS FERRY"],
        "state": ["WA", "WA", "AZ", "ID"],
        "county_fips": ["53033", "53005", "04013", "16021"],
        "n_facilities": pa.array([1, 1, 1, 1], pa.int32()),
    }
)


@pytest.fixture(scope="module")
def toy() -> Gazetteer:
    return build_gazetteer(COUNTIES, CROSSWALK, FACILITIES, CITIES)


@pytest.mark.parametrize(
    ("landmark", "aor", "fips", "state", "method"),
    [
        ("KING COUNTY JAIL", "SEA", "53033", "WA", "county_name"),
        ("FRANKLIN CO. JAIL", "SEA", "53021", "WA", "county_name"),
        (
            "King Co.Sheriff Work Release",
            "Seattle Area of Responsibility",
            "53033",
            "WA",
            "county_name",
        ),
        ("VENTURA COUNTY JAIL, VENTURA CA", "LOS", "06111", "CA", "county_name"),
        ("CAP - PHOENIX POLICE DEPARTMENT", "PHO", "04013", "AZ", "city"),
        # two Benton counties in the AOR; only one has a listed facility
        ("BENTON CO. SHERIFF HOLDING", "SEA", "53005", "WA", "county_name"),
        # two Columbia counties and no facility to tell them apart
        ("COLUMBIA COUNTY SHERIFF HOLDING", "SEA", None, None, "ambiguous"),
        # ICE office / team and general-area landmarks stay in the AOR
        ("SEA CAP", "SEA", None, None, "aor_only"),
        ("SEATTLE FUGITIVE OPERATIONS TEAM", "SEA", None, "WA", "aor_only"),
        ("GENERAL AREA, NON-SPECIFIC", "PHO", None, "AZ", "aor_only"),
        ("MULTNOMAH COUNTY GENERAL AREA", "SEA", "41051", "OR", "county_name"),
        # a city that is not a county: no "Ferry County" guess
        ("BONNERS FERRY CO. HOLDING", "SEA", None, None, "unmatched"),
        ("TOY DETENTION CENTER", "SEA", None, None, "unmatched"),
        ("", "SEA", None, None, "empty"),
        ("NA", None, None, None, "empty"),
    ],
)
def test_rules(
    toy: Gazetteer, landmark: str, aor: str, fips: str | None, state: str | None, method: str
) -> None:
    p = place_landmark(landmark, aor, toy)
    assert (p.county_fips, p.state, p.method) == (fips, state, method), p


def test_confidence_levels(toy: Gazetteer) -> None:
    assert place_landmark("KING COUNTY JAIL", "SEA", toy).confidence == "high"
    assert place_landmark("BENTON CO. SHERIFF HOLDING", "SEA", toy).confidence == "medium"
    assert place_landmark("SEA CAP", "SEA", toy).confidence == "none"


def test_state_suffix_outside_the_aor(toy: Gazetteer) -> None:
    p = place_landmark("MARICOPA COUNTY JAIL, AZ", "SEA", toy)
    assert (p.county_fips, p.method, p.confidence) == ("04013", "county_name", "high")


def test_vectorised_matches_scalar(toy: Gazetteer) -> None:
    pairs = pa.table(
        {"landmark": ["KING COUNTY JAIL", "SEA CAP", None], "aor": ["SEA", "SEA", "SEA"]}
    )
    out = place_landmarks(pairs, toy).to_pylist()
    assert [r["county_fips"] for r in out] == ["53033", None, None]
    assert [r["method"] for r in out] == ["county_name", "aor_only", "empty"]
    assert out[0]["confidence"] == "high"


# --- accuracy on the real hand codings ---------------------------------------------------


def _codings(mirror: Path, name: str, delimiter: str = ",") -> list[dict[str, str]]:
    path = mirror / "uwchr-landmark-codings" / name
    if not path.exists():
        pytest.skip(f"{name} not available")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


@pytest.mark.realdata
def test_examples_on_real_data(gazetteer: Gazetteer) -> None:
    assert place_landmark("KING COUNTY JAIL", "SEA", gazetteer).county_fips == "53033"
    assert place_landmark("FRANKLIN CO. JAIL", "SEA", gazetteer).county_fips == "53021"
    assert (
        place_landmark("VENTURA COUNTY JAIL, VENTURA CA", "LOS", gazetteer).county_fips == "06111"
    )
    assert (
        place_landmark("CAP - PHOENIX POLICE DEPARTMENT", "PHO", gazetteer).county_fips == "04013"
    )
    for office in ("SEA CAP", "GENERAL AREA, NON-SPECIFIC"):
        assert place_landmark(office, "SEA", gazetteer).method == "aor_only"


@pytest.mark.realdata
def test_accuracy_against_uwchr_codings(
    mirror: Path, gazetteer: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {(st, key): f for (st, key), fs in gazetteer.county_index.items() for f in fs}

    # 1. landmark -> county (Seattle AOR)
    n = Counter()
    for r in _codings(mirror, "sea-locs.csv"):
        county = r.get("county") or ""
        if ", " not in county:
            continue
        cname, st = county.rsplit(", ", 1)
        truth = names.get((st.strip(), county_key(cname)))
        if truth is None:
            continue  # e.g. "unorganized borough": not a county
        w = int(r["n"] or 0)
        specific = (r.get("specificity") or "").strip() == "SPECIFIC"
        p = place_landmark(r["apprehension_landmark"], "SEA", gazetteer)
        for tag in ("all", "specific") if specific else ("all",):
            n[f"{tag}_rows"] += 1
            n[f"{tag}_w"] += w
            if not p.county_fips:
                n[f"{tag}_{p.method}_w"] += w
            if p.county_fips:
                n[f"{tag}_placed"] += 1
                n[f"{tag}_placed_w"] += w
                if p.county_fips == truth:
                    n[f"{tag}_ok"] += 1
                    n[f"{tag}_ok_w"] += w

    # 2. landmark -> state (Seattle AOR; OTHER = neither WA nor OR)
    s = Counter()
    for r in _codings(mirror, "arrest_locs.csv"):
        truth = r["state"]
        if truth not in {"WA", "OR", "OTHER"}:
            continue
        p = place_landmark(r["apprehension_landmark"], "SEA", gazetteer)
        s["rows"] += 1
        if p.state:
            s["placed"] += 1
            s["ok"] += (p.state == truth) if truth != "OTHER" else (p.state not in {"WA", "OR"})

    # 3. coverage of all FY2016-2019 arrests, by AOR, weighted by arrest counts
    cov: dict[str, Counter[str]] = defaultdict(Counter)
    for r in _codings(mirror, "national_arrest_landmark_counts_fy16-19.csv", "|"):
        aor = r["aor"] if r["aor"] not in {"", "NA"} else None
        p = place_landmark(r["apprehension_landmark"], aor, gazetteer)
        c = cov[aor or "(none)"]
        w = int(r["n"])
        c["n"] += w
        c["county"] += w if p.county_fips else 0
        c["state"] += w if p.state else 0
        c["aor_only"] += w if p.method == "aor_only" else 0
        c["high"] += w if p.confidence == "high" else 0

    def pct(a: float, b: float) -> str:
        return f"{100 * a / b:5.1f}%" if b else "  n/a"

    with capsys.disabled():
        print("\nlandmark placement vs UWCHR hand codings")
        for tag in ("all", "specific"):
            print(
                f"  sea-locs county ({tag}): coverage {pct(n[f'{tag}_placed'], n[f'{tag}_rows'])}"
                f" of {n[f'{tag}_rows']} landmarks ({pct(n[f'{tag}_placed_w'], n[f'{tag}_w'])}"
                f" of {n[f'{tag}_w']} arrests); precision {pct(n[f'{tag}_ok'], n[f'{tag}_placed'])}"
                f" ({pct(n[f'{tag}_ok_w'], n[f'{tag}_placed_w'])} weighted)"
            )
        print(
            "  sea-locs arrests left unplaced by design (ICE office / general area):"
            f" {pct(n['all_aor_only_w'], n['all_w'])}; not found in the gazetteer:"
            f" {pct(n['all_unmatched_w'] + n['all_ambiguous_w'], n['all_w'])}"
        )
        print(
            f"  arrest_locs state: coverage {pct(s['placed'], s['rows'])} of {s['rows']};"
            f" precision {pct(s['ok'], s['placed'])}"
        )
        tot = Counter()
        for c in cov.values():
            tot.update(c)
        print(
            f"  national FY16-19 arrests: county {pct(tot['county'], tot['n'])}, state"
            f" {pct(tot['state'], tot['n'])}, aor_only {pct(tot['aor_only'], tot['n'])},"
            f" high-confidence {pct(tot['high'], tot['n'])} of {tot['n']}"
        )
        for aor in sorted(cov):
            c = cov[aor]
            print(
                f"    {aor:6} n={c['n']:6}  county {pct(c['county'], c['n'])}  state"
                f" {pct(c['state'], c['n'])}  aor_only {pct(c['aor_only'], c['n'])}"
            )

    assert n["all_ok"] / n["all_placed"] >= 0.95
    assert n["specific_placed_w"] / n["specific_w"] >= 0.5
    assert s["ok"] / s["placed"] >= 0.95
    assert tot["county"] / tot["n"] >= 0.45
