"""Claim files: a published statement, what it measures, and how to compare (docs/claims.md).

A claim file is YAML read into :class:`ClaimFile` (pydantic, frozen, unknown keys refused);
``claim_file_schema()`` is the JSON Schema the model generates (``claims/claim-file.schema.json``
is that output, kept current by a test). Every claim is one or more *readings*: the claim
itself when it gives none, else each alternative reading, with the claim's keys as defaults
(``defaults`` of the file come first, then the claim, then the reading).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from icefacts.days import FIRST_DAY, LAST_DAY

# the fields of the public views a filter may name, and those no public release holds
Criminality = Literal["convicted", "pending", "other"]
MethodClass = Literal["at_large", "custodial", "other"]
Kind = Literal["count", "distinct", "share", "difference", "ratio", "excess", "rank"]
Op = Literal["equals", "at_least", "at_most"]
# what a reading's number is to the claim (docs/claims.md, "Readings and their roles"):
# the claim itself; a value that can only be larger than the claim's (a whole AOR for a
# county): it can contradict, never confirm; one that can only be smaller (the share
# convicted for "convicted or deported"): it can confirm, never contradict; or context,
# shown and not counted in the claim's verdict
Role = Literal["reading", "upper_bound", "lower_bound", "context"]
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_TOLERANCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


class Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )


EARLIEST, LATEST = FIRST_DAY, LAST_DAY  # the days any input may name


class Window(Frozen):
    """The days counted, both included (between 1990 and 2100: no release is older)."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"'to' {self.end} is before 'from' {self.start}")
        for d in (self.start, self.end):
            if not EARLIEST <= d <= LATEST:
                raise ValueError(f"{d} is outside {EARLIEST}..{LATEST}")
        return self


class Places(Frozen):
    """Where: AOR codes, states and counties (names or codes, resolved through the places
    tables), every AOR but some, or the counties where a policy is (or is not) in force on a
    day. ``city`` says the claim names a city inside the counties given: the counties' count
    then only bounds it."""

    label: str | None = None
    aors: tuple[str, ...] = ()
    exclude_aors: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    city: str | None = None
    policy: str | None = None
    policy_on: date | None = None
    policy_in_force: bool = True

    @model_validator(mode="after")
    def _check(self) -> Places:
        if (self.policy is None) != (self.policy_on is None):
            raise ValueError("'policy' needs 'policy_on' (and 'policy_on' needs 'policy')")
        if self.city and not self.counties:
            raise ValueError("'city' needs the 'counties' it lies in")
        if self.exclude_aors and self.aors:
            raise ValueError("give 'aors' or 'exclude_aors', not both")
        named = [k for k in ("aors", "exclude_aors", "states", "counties") if getattr(self, k)]
        if self.policy is not None:
            named.append("policy")
        if len(named) > 1 and not set(named) <= {"states", "counties"}:
            raise ValueError(
                f"give one way of naming places, not {' and '.join(named)} (a state and its "
                "counties may go together)"
            )
        return self


class Filters(Frozen):
    """Which rows count, on the fields of the public views. ``prior_removal``, ``fugitive``
    and ``gang_member`` name facts ICE reports that no public arrests release records: a
    reading that needs them is not checkable, and says so."""

    operation_flag: bool | None = None
    method_class: MethodClass | None = None
    criminality: tuple[Criminality, ...] = ()
    citizenship: tuple[str, ...] = ()
    gender: Literal["male", "female"] | None = None
    prior_removal: bool | None = None
    fugitive: bool | None = None
    gang_member: bool | None = None


class Group(Frozen):
    """What is counted: a table, a window, places and filters. In a reading or the
    ``versus`` side of a difference, only the keys given change."""

    table: Literal["arrests"] | None = None
    window: Window | None = None
    places: Places | None = None
    filters: Filters | None = None


class Measure(Frozen):
    """What number the claim states.

    - ``count``: rows; ``distinct``: distinct values of ``field`` (countries of citizenship);
    - ``share``: rows meeting ``of`` (more filters) among the rows counted;
    - ``difference`` / ``ratio``: this group's ``of`` share (or count, without ``of``) minus
      or over the ``versus`` group's;
    - ``excess``: the window's count beyond the baseline of the same weekdays in
      ``baseline_weeks`` weeks before (``icefacts operation``);
    - ``rank``: the ``named`` AORs among the places counted: ``test: largest`` counts how
      many of them are the largest (published: all of them), ``test: share`` gives the share
      of the count they hold.
    """

    kind: Kind
    field: Literal["citizenship"] | None = None
    of: Filters | None = None
    versus: Group | None = None
    baseline_weeks: int = Field(default=6, ge=2, le=104)
    named: tuple[str, ...] = ()
    test: Literal["largest", "share"] = "largest"

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Measure:
        allowed = {
            "count": set(),
            "distinct": {"field"},
            "share": {"of"},
            "difference": {"of", "versus"},
            "ratio": {"of", "versus"},
            "excess": {"baseline_weeks"},
            "rank": {"named", "test"},
        }[self.kind]
        stray = sorted(self.model_fields_set - allowed - {"kind"})
        if stray:
            raise ValueError(f"{', '.join(stray)}: not a key of a {self.kind} measure")
        if self.kind == "distinct" and self.field is None:
            raise ValueError("'distinct' needs 'field' (citizenship)")
        if self.kind == "share" and self.of is None:
            raise ValueError("'share' needs 'of': the filters of the part")
        if self.kind in ("difference", "ratio") and self.versus is None:
            raise ValueError(f"'{self.kind}' needs 'versus': the group it is compared with")
        if self.kind == "rank" and not self.named:
            raise ValueError("'rank' needs 'named': the AORs the claim names")
        return self


class Comparison(Frozen):
    """How the computed value is held against the published one (or ``value``):
    ``equals`` within ``tolerance`` (a number, or a percentage of the value such as "5%"),
    ``at_least`` or ``at_most``; or a named ``threshold`` of the file (``at_least`` its
    value), so that "vast majority" means what the file says it means."""

    op: Op = "equals"
    value: float | None = None
    tolerance: float | str = 0
    threshold: str | None = None

    @field_validator("tolerance")
    @classmethod
    def _tolerance(cls, v: float | str) -> float | str:
        if isinstance(v, str) and not _TOLERANCE.match(v):
            raise ValueError(f"tolerance {v!r} is not a number or a percentage such as '5%'")
        if isinstance(v, (int, float)) and v < 0:
            raise ValueError("tolerance cannot be negative")
        return v

    def band(self, target: float) -> tuple[float, float]:
        """The values that agree with ``target`` under ``equals``."""
        tol = self.tolerance
        if isinstance(tol, str):
            m = _TOLERANCE.match(tol)
            assert m is not None
            amount = float(m.group(1))
            tol = abs(target) * amount / 100 if m.group(2) else amount
        return target - float(tol), target + float(tol)


def _plausible(v: float | None) -> float | None:
    if v is not None and abs(v) > 1e12:
        raise ValueError(f"{v:g} is not a published count or share (at most 1e12)")
    return v


class Reading(Group):
    """One way to read an ambiguous claim, or one part of a claim with several."""

    id: Annotated[str, Field(pattern=_ID.pattern)]
    label: str
    published: float | None = None
    measure: Measure | None = None
    comparison: Comparison | None = None
    role: Role = "reading"
    note: str | None = None

    _published = field_validator("published")(_plausible)


class Claim(Group):
    id: Annotated[str, Field(pattern=_ID.pattern)]
    text: str
    source: str
    published: float | None = None
    measure: Measure | None = None
    comparison: Comparison | None = None
    readings: tuple[Reading, ...] = ()
    role: Role = "reading"
    # a claim of cause: the records can show an association at most, so its verdict is
    # never more than "partly supported"
    causal: bool = False
    # what a verdict rests on, said with it (e.g. that every operation arrest is flagged)
    assumes: str | None = None
    note: str | None = None

    _published = field_validator("published")(_plausible)

    @model_validator(mode="after")
    def _unique_readings(self) -> Claim:
        seen: set[str] = set()
        for r in self.readings:
            if r.id in seen:
                raise ValueError(f"reading id {r.id!r} is given twice")
            seen.add(r.id)
        return self


class Defaults(Group):
    measure: Measure | None = None
    comparison: Comparison | None = None
    assumes: str | None = None


class ClaimFile(Frozen):
    version: Literal[1] = 1
    title: str
    source: str | None = None
    thresholds: dict[str, float] = {}
    defaults: Defaults = Defaults()
    claims: tuple[Claim, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ClaimFile:
        for name, v in self.thresholds.items():
            if not 0 <= v <= 1:
                raise ValueError(f"threshold {name!r} is {v}: a share from 0 to 1")
        return self


def claim_file_schema() -> dict[str, Any]:
    """The JSON Schema of a claim file (the model's own, by alias)."""
    schema = ClaimFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "icefacts claim file"
    return schema
