"""Vocabularies: every value maps into the controlled codes; normalisation is stable."""

from __future__ import annotations

import csv

from hypothesis import given
from hypothesis import strategies as st

from icefacts.release_specs import RELEASES_DIR, normalize_value, vocab

AOR_CODES = set(
    [
        "ATL",
        "BAL",
        "BOS",
        "BUF",
        "CHI",
        "DAL",
        "DEN",
        "DET",
        "ELP",
        "HOU",
        "LOS",
        "MIA",
        "NEW",
        "NOL",
        "NYC",
        "PHI",
        "PHO",
        "SEA",
        "SFR",
        "SLC",
        "SNA",
        "SND",
        "SPM",
        "WAS",
        "HQ",
    ]
)


def test_aor_vocab_maps_only_to_known_codes() -> None:
    with (RELEASES_DIR / "vocab" / "aor.csv").open() as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    assert codes == AOR_CODES


def test_harlingen_is_folded_into_san_antonio_with_a_note() -> None:
    v = vocab("aor")
    assert v.lookup("Harlingen Area of Responsibility") == "SNA"
    assert "Harlingen" in v.notes["SNA"]


def test_method_custody_classes() -> None:
    v = vocab("method")
    assert v.lookup("Located") == "at_large"
    assert v.lookup("Non-Custodial Arrest") == "at_large"
    assert v.lookup("CAP Local Incarceration") == "custodial"
    assert v.lookup("287(g) Program") == "custodial"
    assert v.lookup("ERO Reprocessed Arrest") == "reprocessed"
    assert set(v.mapping.values()) <= {"at_large", "custodial", "reprocessed", "other"}


def test_lookup_ignores_case_and_spacing() -> None:
    v = vocab("aor")
    assert v.lookup("  los angeles   area of responsibility ") == "LOS"


@given(st.text(max_size=40))
def test_normalize_value_is_idempotent(text: str) -> None:
    assert normalize_value(normalize_value(text)) == normalize_value(text)


def test_state_vocab_agrees_with_the_places_state_table() -> None:
    """releases/vocab/state.csv (release values -> USPS) is derived from places/data/
    states.csv; the two must name the same states."""
    from icefacts.places.states import STATES_FILE

    with STATES_FILE.open() as f:
        places = list(csv.DictReader(f))
    v = vocab("state")
    for row in places:
        assert v.lookup(row["usps"]) == row["usps"]
        assert v.lookup(row["name"]) == row["usps"]
        for alt in filter(None, (a.strip() for a in row["alt_names"].split(";"))):
            assert v.lookup(alt) == row["usps"], alt
    assert set(v.mapping.values()) == {r["usps"] for r in places}
