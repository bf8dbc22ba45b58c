"""Planted operations: a surge of arrests in some AORs over some days, with its truth.

``PlantedOperation(start, end, aors, size)`` adds ``size`` arrests to the national arrests
(family A) on the days ``start..end`` in the AORs ``aors``, on top of the ``rows`` of the
background. They look like the arrests of a real operation (ICE's 2017 "Safe City" one, see
RELEASES.md): mostly at large (``at_large_share``, default 0.8, of them Located or
Non-Custodial Arrest, drawn by those methods' national weights; the rest a custodial method,
likewise), every one naming an operation -- in family A the Operation cell is always the
redaction marker ``"(B)(7)(E) "``, so the operation's ``name`` is written to ``truth.json``
only -- and with landmarks, dispositions, citizenship and gender drawn as for the background.

The size is spread as evenly as it divides over the cells (AOR x day): each cell gets
``size // cells`` arrests and ``size % cells`` cells drawn at random one more. Each planted
row is put at a random place among the background rows of its day (the files are sorted by
date), and the background rows keep their order: take the planted rows out and the file is
the one written without them. The planted rows are drawn from a stream of their own, so the
background, the encounters and the removals are the same bytes with or without operations.

On the command line an operation is ``START:END:AOR[,AOR...]:SIZE[:NAME]``
(``icefacts synth --plant-operation 2017-09-24:2017-09-27:LOS,NYC,SEA:300``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from icefacts import release_specs
from icefacts.synth import values
from icefacts.synth.frame import Column, Table, categorical, concat, const, serial
from icefacts.synth.lesa_national import arrest_columns

OPTION = "--plant-operation"
FORMAT = "START:END:AOR[,AOR...]:SIZE[:NAME]"
EXAMPLE = "2017-09-24:2017-09-27:LOS,NYC,SEA:300"
DEFAULT_AT_LARGE_SHARE = 0.8
ROW_NOTE = "operation"  # Table.notes key: per row, the planted operation's index (-1: none)
OPS_NOTE = "operations"  # Table.notes key: the operations planted, names resolved


class PlantError(ValueError):
    """A planted operation that cannot be planted: one line naming the option and value."""

    def __init__(self, spec: str, why: str) -> None:
        super().__init__(f"{OPTION} {spec!r}: {why}")


class PlantedOperation(BaseModel):
    """An operation to plant: ``size`` extra arrests over ``start..end`` in ``aors``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    aors: tuple[str, ...]  # AOR codes (SEA, NYC, ...), each once, in the order given
    size: int = Field(ge=1)  # extra arrests in all
    name: str | None = None  # default "SYNTHETIC OPERATION <k>", k = its place in the list
    at_large_share: float = Field(default=DEFAULT_AT_LARGE_SHARE, ge=0.0, le=1.0)

    @field_validator("aors", mode="before")
    @classmethod
    def _codes(cls, given: object) -> tuple[str, ...]:
        items = given.split(",") if isinstance(given, str) else list(given)  # type: ignore[call-overload]
        out: list[str] = []
        for item in items:
            code = str(item).strip().upper()
            if not code:
                continue
            if code not in values.AORS:
                raise ValueError(
                    f"unknown AOR {str(item).strip()!r}; use AOR codes: {', '.join(values.AORS)}"
                )
            if code not in out:
                out.append(code)
        if not out:
            raise ValueError("no AOR given")
        return tuple(out)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str | None) -> str | None:
        if name is None:
            return None
        name = " ".join(name.split())
        return name or None

    @model_validator(mode="after")
    def _dates(self) -> PlantedOperation:
        if self.end < self.start:
            raise ValueError(f"it ends {self.end}, before it starts ({self.start})")
        return self

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def spec(self) -> str:
        """The command-line form, ``START:END:AOR,AOR:SIZE[:NAME]``."""
        text = f"{self.start}:{self.end}:{','.join(self.aors)}:{self.size}"
        return f"{text}:{self.name}" if self.name else text

    @classmethod
    def parse(cls, text: str) -> PlantedOperation:
        """``START:END:AOR[,AOR...]:SIZE[:NAME]``; anything else is one PlantError line."""
        parts = text.strip().split(":", 4)
        if len(parts) < 4:
            raise PlantError(text, f"use {FORMAT}, e.g. {EXAMPLE}")
        start_s, end_s, aors, size_s = (p.strip() for p in parts[:4])
        name = parts[4] if len(parts) == 5 else None
        days = []
        for what, s in (("START", start_s), ("END", end_s)):
            try:
                days.append(date.fromisoformat(s))
            except ValueError:
                raise PlantError(
                    text, f"{what} must be a date like 2017-09-24, not {s!r}"
                ) from None
        if not re.fullmatch(r"[0-9]+", size_s) or int(size_s) < 1:
            raise PlantError(
                text, f"SIZE must be a whole number of arrests, at least 1, not {size_s!r}"
            )
        size = int(size_s)
        try:
            return cls(start=days[0], end=days[1], aors=aors, size=size, name=name)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise PlantError(text, _first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")


def named(operations: Sequence[PlantedOperation | str]) -> list[PlantedOperation]:
    """The operations (strings parsed), each with a name: unnamed ones get
    ``SYNTHETIC OPERATION <k>`` (``k`` counting from 1 in the order given)."""
    out: list[PlantedOperation] = []
    for k, op in enumerate(operations, 1):
        if isinstance(op, str):
            op = PlantedOperation.parse(op)
        if not op.name:
            op = op.model_copy(update={"name": f"SYNTHETIC OPERATION {k}"})
        out.append(op)
    return out


def _methods(custody: str) -> tuple[list[str], np.ndarray]:
    """Family A's methods of one custody class (``vocab/method.csv``) and their weights."""
    voc = release_specs.vocab("method")
    names = [m for m in values.A_METHOD if voc.lookup(m) == custody]
    w = np.array([float(values.A_METHOD[m]) for m in names])
    return names, w / w.sum()


def planted_rows(
    operations: Sequence[PlantedOperation], rng: np.random.Generator
) -> tuple[dict[str, Column], np.ndarray, np.ndarray]:
    """The planted arrests' columns (family A's layout), each row's operation index and its
    serial day."""
    aor_index = {c: i for i, c in enumerate(values.AORS)}
    aor_of: list[np.ndarray] = []
    day_of: list[np.ndarray] = []
    op_of: list[np.ndarray] = []
    for k, op in enumerate(operations):
        days = np.array([serial(d) for d in op.days], dtype=np.int64)
        cells = len(op.aors) * len(days)
        per_cell = np.full(cells, op.size // cells, dtype=np.int64)
        per_cell[rng.choice(cells, size=op.size % cells, replace=False)] += 1
        cell_aor = np.repeat([aor_index[a] for a in op.aors], len(days))
        cell_day = np.tile(days, len(op.aors))
        aor_of.append(np.repeat(cell_aor, per_cell))
        day_of.append(np.repeat(cell_day, per_cell))
        op_of.append(np.full(op.size, k, dtype=np.int64))
    aor = np.concatenate(aor_of)
    day = np.concatenate(day_of)
    op_row = np.concatenate(op_of)
    n = len(op_row)
    share = np.array([op.at_large_share for op in operations])[op_row]
    at_large = rng.random(n) < share
    free, p_free = _methods("at_large")
    held, p_held = _methods("custodial")
    codes = np.where(
        at_large,
        rng.choice(len(free), size=n, p=p_free),
        len(free) + rng.choice(len(held), size=n, p=p_held),
    )
    aor_col = categorical([values.aor_name(c) for c in values.AORS], aor)
    method_col = categorical([*free, *held], codes)
    cols = arrest_columns(
        rng, day, aor_col, method_col, lambda m: const(len(m), values.A_REDACTED_OPERATION)
    )
    return cols, op_row, day


def plant(table: Table, operations: Sequence[PlantedOperation], rng: np.random.Generator) -> Table:
    """``table`` (family A's arrests, sorted by date) with the operations' arrests put among
    its rows; ``notes["operation"]`` gives each row's operation (-1: background) and
    ``notes["operations"]`` the operations."""
    if table.family != "A" or table.name != "arrests":
        raise ValueError("operations are planted in family A's arrests only")
    lo, hi = table.period
    for op in operations:
        if op.start < lo or op.end > hi:
            raise PlantError(
                op.spec(),
                f"{op.start}..{op.end} is not inside the period of {table.file_name}, {lo}..{hi}",
            )
    cols, op_row, day = planted_rows(operations, rng)
    dates = table.columns["Apprehension Date"]
    background = np.asarray(dates.values, dtype=np.int64)[dates.codes]  # every row is dated
    # a planted row goes into a random gap among the background rows of its day
    first = np.searchsorted(background, day, side="left")
    last = np.searchsorted(background, day, side="right")
    gap = first + (rng.random(len(day)) * (last - first + 1)).astype(np.int64)
    position = np.concatenate([np.arange(table.rows, dtype=np.float64), gap - 0.5])
    tiebreak = np.concatenate([np.zeros(table.rows), rng.random(len(day))])
    # by day first: the gap between two days' rows is open to the planted rows of both
    order = np.lexsort((tiebreak, position, np.concatenate([background, day])))
    columns = {h: concat(table.columns[h], cols[h]).take(order) for h in table.headers}
    row_op = np.concatenate([np.full(table.rows, -1, dtype=np.int64), op_row])[order]
    notes = {**table.notes, ROW_NOTE: row_op, OPS_NOTE: list(operations)}
    return replace(table, columns=columns, notes=notes)
