"""Redaction markers, blanks and missing markers: table-driven, plus properties."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icefacts.clean.cells import CellSplit, is_redaction
from icefacts.release_specs import redaction_markers


@pytest.mark.parametrize("marker", redaction_markers())
def test_every_released_spelling_is_a_redaction(marker: str) -> None:
    assert is_redaction(marker)


@pytest.mark.parametrize(
    "value",
    [
        "MEXICO",  # an ordinary value
        "Located",
        "287(g) Program",  # parentheses but not an exemption
        "(B)",  # an exemption letter alone is not a marker
        "b6",  # no parentheses at all: too ambiguous to treat as redacted
        "212a6Ai",  # a charge section
        "",
    ],
)
def test_ordinary_values_are_not_redactions(value: str) -> None:
    assert not is_redaction(value)


def test_split_distinguishes_blank_missing_marker_and_redaction() -> None:
    col = pa.array(["MEXICO", "  MEXICO  ", "", None, "--", "(b)(6), (b)(7)(c)", "(B)(7)(E) "])
    split = CellSplit(col, missing_markers=("--",))
    assert split.text.to_pylist() == ["MEXICO", "MEXICO", None, None, None, None, None]
    assert split.redacted.to_pylist() == [False, False, False, False, False, True, True]
    # present = anything released, even redacted; blanks and '--' are not present
    assert split.present.to_pylist() == [True, True, False, False, False, True, True]


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=60))
def test_split_never_drops_rows_and_is_idempotent(values: list[str | None]) -> None:
    col = pa.array(values, pa.string())
    once = CellSplit(col, ("--",))
    assert len(once.text) == len(values)
    twice = CellSplit(once.text, ("--",))
    assert twice.text.to_pylist() == once.text.to_pylist()
