"""The period a sheet says it covers, read from its title rows, sheet name or file name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from icefacts.clean.dates import parse_us_date
from icefacts.days import fiscal_year_bounds
from icefacts.release_specs import Family

_THROUGH = re.compile(r"(?:through|thru|as of)\s+(\d{1,2}/\d{1,2}/\d{2,4})", re.I)
_FOIA = re.compile(r"\b(\d{4}-IC[A-Z]{2}-\d{3,6})\b")


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    maturity: str  # final | ytd | unknown

    @classmethod
    def unknown(cls) -> Period:
        return cls(None, None, "unknown")


def stated_period(family: Family, title: str, sheet: str | None, file_name: str) -> Period:
    texts = [title, sheet or "", file_name]
    if family.period.range:
        for text in texts:
            m = re.search(family.period.range, text)
            if m:
                start, end = parse_us_date(m.group(1)), parse_us_date(m.group(2))
                if start and end:
                    ytd = "ytd" in text.casefold() or _ends_early(start, end)
                    return Period(start, end, "ytd" if ytd else "final")
    if family.period.fiscal_year:
        for text in texts:
            m = re.search(family.period.fiscal_year, text)
            if m and len(m.group(1)) == 4:
                start, end = fiscal_year_bounds(int(m.group(1)))
                through = _THROUGH.search(title)
                if through and (d := parse_us_date(through.group(1))) and start <= d < end:
                    return Period(start, d, "ytd")
                ytd = "ytd" in text.casefold()
                return Period(start, end, "ytd" if ytd else "final")
    return Period.unknown()


def _ends_early(start: date, end: date) -> bool:
    """A range that stops before the end of its fiscal year is a year-to-date release."""
    fy_end = date(end.year + (1 if end.month >= 10 else 0), 9, 30)
    return end < fy_end and (end - start).days < 366


def foia_number(title: str) -> str | None:
    m = _FOIA.search(title)
    return m.group(1) if m else None
