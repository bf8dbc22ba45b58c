"""Plausible dates for reference data and policy registries.

A date before 1900-01-01 or more than one year after today is a typo (``5025-07-07`` for
``2025-07-07``), not a fact to count with: registry files are refused, published lists keep
the row without the date and say so.
"""

from __future__ import annotations

from datetime import date

EARLIEST = date(1900, 1, 1)


def latest_plausible(today: date | None = None) -> date:
    """One year after ``today`` (default: the current day); 29 February -> 28 February."""
    t = today or date.today()
    try:
        return t.replace(year=t.year + 1)
    except ValueError:
        return t.replace(year=t.year + 1, day=28)


def implausible(
    earliest: date, latest: date | None = None, *, today: date | None = None
) -> str | None:
    """Why a date (or the span of days an imprecise date may mean) is implausible, as a short
    phrase; None when it is plausible. A span is implausible only if every day of it is."""
    last = latest or earliest
    if last < EARLIEST:
        return f"before {EARLIEST}"
    limit = latest_plausible(today)
    if earliest > limit:
        return f"more than one year after today, {(today or date.today()).isoformat()}"
    return None
