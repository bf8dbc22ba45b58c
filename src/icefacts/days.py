"""A day a user typed (an option on the command line, a parameter on the web): ISO dates
from 1990 to 2100, the range claim files take too; and the calendar of federal fiscal years
and months. Tiny on purpose: the command and the web app both read days before anything
heavy is imported."""

from __future__ import annotations

from datetime import date, timedelta

from icefacts.errors import InputError

FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)


def parse_day(value: str, name: str, example: str = "2017-09-24") -> date:
    """``value`` as a date, or one :class:`InputError` naming ``name``."""
    try:
        got = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be a date like {example}, not {value[:40]!r}") from None
    if not FIRST_DAY <= got <= LAST_DAY:
        raise InputError(f"{name} {got}: a date from {FIRST_DAY} to {LAST_DAY}")
    return got


def fiscal_year_of(d: date) -> int:
    """The federal fiscal year of ``d`` (it starts on 1 October of the year before)."""
    return d.year + (1 if d.month >= 10 else 0)


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    return date(fy - 1, 10, 1), date(fy, 9, 30)


def month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return date(d.year + d.month // 12, d.month % 12 + 1, 1) - timedelta(days=1)
