"""Dates as releases spell them (table-driven) and parse properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icefacts.clean.dates import parse_timestamps, to_date

FORMATS = ("%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/1/2016", datetime(2016, 10, 1)),  # national CSV: no zero padding
        ("09/25/2017", datetime(2017, 9, 25)),
        ("2017-09-25 00:00:00", datetime(2017, 9, 25)),  # Excel datetime read as text
        ("2024-01-05 08:30:15.250", datetime(2024, 1, 5, 8, 30, 15)),  # fractional seconds
        ("2024-01-05T08:30:15", datetime(2024, 1, 5, 8, 30, 15)),  # ISO 'T'
        ("7/2/0999", datetime(999, 7, 2)),  # impossible but released: kept, flagged later
        ("0001-01-01", datetime(1, 1, 1)),  # CAP removals placeholder
        ("43003", datetime(2017, 9, 25)),  # Excel serial day number
        ("not a date", None),
        ("13/45/2017", None),
        (None, None),
    ],
)
def test_parse(text: str | None, expected: datetime | None) -> None:
    out = parse_timestamps(pa.array([text], pa.string()), FORMATS)
    assert out.to_pylist() == [expected]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_us_dates_round_trip(d: date) -> None:
    text = f"{d.month}/{d.day}/{d.year}"
    assert to_date(parse_timestamps(pa.array([text]), FORMATS)).to_pylist() == [d]


@given(st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=50))
def test_parse_keeps_every_row(values: list[str | None]) -> None:
    out = parse_timestamps(pa.array(values, pa.string()), FORMATS)
    assert len(out) == len(values)


def test_many_rows_few_distinct_values_are_cheap() -> None:
    base = datetime(2017, 1, 1)
    texts = [f"{(base + timedelta(days=i % 365)):%m/%d/%Y}" for i in range(200_000)]
    out = parse_timestamps(pa.array(texts), FORMATS)
    assert out.null_count == 0
