"""Policy registry entries: a frozen pydantic model and partial dates.

A date in a registry may be known to the day (``2019-05-21``), the month (``2012-03``) or
the year (``1987``); :class:`FuzzyDate` keeps the earliest and latest day it can mean.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from icefacts.places.states import state_fips_set
from icefacts.reference.plausible import implausible

PolicyType = Literal[
    "limits detainer compliance",
    "bars ICE jail access",
    "limits information sharing",
    "287(g) agreement",
    "court ruling",
    "other",
]
POLICY_TYPES: tuple[str, ...] = PolicyType.__args__  # type: ignore[attr-defined]
COURT_RULING = "court ruling"  # the type shown apart from policies ("rulings in effect")
Level = Literal["state", "county", "city"]
FIPS_WIDTH = {"state": 2, "county": 5, "city": 7}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FuzzyDate(Frozen):
    """A day, a month or a year: ``earliest`` and ``latest`` are the days it may mean."""

    earliest: date
    latest: date
    precision: Literal["day", "month", "year"]

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, dict | FuzzyDate):
            return value
        if isinstance(value, date):
            return {"earliest": value, "latest": value, "precision": "day"}
        text = str(value).strip()
        try:
            return cls._from_text(text)
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD, YYYY-MM or YYYY): {value!r}") from None

    @staticmethod
    def _from_text(text: str) -> dict[str, Any]:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return {"earliest": d, "latest": d, "precision": "day"}
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            y, mo = int(m[1]), int(m[2])
            last = calendar.monthrange(y, mo)[1]
            return {"earliest": date(y, mo, 1), "latest": date(y, mo, last), "precision": "month"}
        if m := re.fullmatch(r"(\d{4})", text):
            y = int(m[1])
            return {"earliest": date(y, 1, 1), "latest": date(y, 12, 31), "precision": "year"}
        raise ValueError(text)

    def __str__(self) -> str:
        if self.precision == "day":
            return self.earliest.isoformat()
        if self.precision == "month":
            return self.earliest.isoformat()[:7]
        return str(self.earliest.year)


class PolicyEntry(Frozen):
    """One instrument (law, ordinance, order, agreement, ruling) of one jurisdiction.

    The instrument is in force from ``effective`` (or ``adopted`` when the effective date is
    unknown) up to, not including, ``end``. ``counties`` lists the counties a city lies in.
    ``in_force: false`` marks an instrument adopted but blocked before it took effect.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    jurisdiction: str = Field(min_length=1)
    level: Level
    fips: str
    counties: tuple[str, ...] = ()
    instrument: str = Field(min_length=1)
    types: tuple[PolicyType, ...] = Field(min_length=1)
    adopted: FuzzyDate | None = None
    effective: FuzzyDate | None = None
    end: FuzzyDate | None = None
    sources: tuple[str, ...]
    confidence: Literal["high", "medium", "low"]
    in_force: bool = True
    notes: str = ""

    @field_validator("fips", mode="before")
    @classmethod
    def _fips_text(cls, value: Any) -> str:
        return str(value).strip()

    @field_validator("fips")
    @classmethod
    def _fips(cls, value: str, info: ValidationInfo) -> str:
        level = info.data.get("level")
        width = FIPS_WIDTH.get(str(level), 0)
        if width and not (value.isdigit() and len(value) == width):
            raise ValueError(f"a {level} needs a {width}-digit FIPS code, not {value!r}")
        if value[:2] not in state_fips_set():
            raise ValueError(f"unknown state FIPS {value[:2]!r} in {value!r}")
        return value

    @field_validator("counties")
    @classmethod
    def _counties(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        fips = str(info.data.get("fips", ""))
        if value and info.data.get("level") != "city":
            raise ValueError("only city entries list counties (the counties the city lies in)")
        for county in value:
            if not (county.isdigit() and len(county) == 5 and county[:2] == fips[:2]):
                raise ValueError(f"{county!r} is not a county FIPS of state {fips[:2]!r}")
        return value

    @field_validator("adopted", "effective", "end")
    @classmethod
    def _plausible(cls, value: FuzzyDate | None) -> FuzzyDate | None:
        if value is not None and (why := implausible(value.earliest, value.latest)):
            raise ValueError(f"implausible date {value} ({why})")
        return value

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        urls = tuple(v.strip() for v in value if v and v.strip())
        if not urls:
            raise ValueError("needs at least one source URL")
        for url in urls:
            if not re.match(r"^https?://\S+$", url):
                raise ValueError(f"source is not an http(s) URL: {url!r}")
        return urls

    @model_validator(mode="after")
    def _check(self) -> PolicyEntry:
        # messages start with the field they are about: the loader reports that field's line
        start = self.start
        if start is None:
            raise ValueError("needs an adopted or an effective date")
        if self.adopted and self.effective and self.effective.latest < self.adopted.earliest:
            raise ValueError(f"effective ({self.effective}) is before adopted ({self.adopted})")
        if self.end is not None and self.end.latest < start.earliest:
            raise ValueError(f"end ({self.end}) is before the start ({start})")
        return self

    @property
    def start(self) -> FuzzyDate | None:
        return self.effective or self.adopted

    @property
    def start_basis(self) -> str:
        return "effective" if self.effective else "adopted"
