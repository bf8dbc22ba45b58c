"""Release specs: the data under ``releases/`` read into frozen pydantic models.

A family folder holds ``family.yaml`` (identity, formats, tables, validation) and
``columns.csv`` (canonical field x raw header). ``releases/vocab/*.csv`` map raw values to
canonical codes. Users can point ``ICEFACTS_RELEASES`` at extra folders of their own.
"""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from icefacts.errors import SpecError
from icefacts.schema import EVENT_TABLES

RELEASES_DIR = Path(__file__).parent / "releases"

DuplicateRule = Literal["none", "episode_24h", "same_person_date", "exact_row"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def normalize_header(text: str) -> str:
    """Compare headers case-, space- and punctuation-insensitively."""
    return re.sub(r"[^a-z0-9()]+", " ", str(text).casefold()).strip()


# (family id, table) -> header map; ids are unique across loaded families (checked)
_HEADER_MAPS: dict[tuple[str, str], dict[str, list[str]]] = {}


class Part(Frozen):
    """One of the disjoint parts a release gives a table in (UW v. DHS: expedited and other
    removals, on two sheets). ``match`` is a case-insensitive regular expression searched in
    the sheet name, its title rows and the file name. Parts never set each other aside; all of
    them together are the whole table."""

    name: str
    match: str

    @model_validator(mode="after")
    def _check(self) -> Part:
        try:
            re.compile(self.match)
        except re.error as exc:
            raise ValueError(f"part {self.name!r}: bad pattern {self.match!r}: {exc}") from exc
        return self


class TableRule(Frozen):
    files: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    duplicates: DuplicateRule = "none"
    date_field: str | None = None
    # the date the release's stated period is about (default: date_field); a field the
    # table does not have means "no row can be checked against the period"
    period_field: str | None = None
    parts: tuple[Part, ...] = ()

    def part_of(self, *texts: str | None) -> str | None:
        """The part a sheet holds (from its name, title rows or file name), if any."""
        for part in self.parts:
            if any(t and re.search(part.match, t, re.IGNORECASE) for t in texts):
                return part.name
        return None


class Check(Frozen):
    check: Literal["not_null", "known_values", "in_period", "plausible_dates"]
    field: str | None = None
    table: str | None = None
    vocab: str | None = None
    min: date | None = None
    max_share: float = Field(0.0, ge=0.0, le=1.0)


class PeriodRule(Frozen):
    range: str | None = None
    fiscal_year: str | None = None


class CsvRule(Frozen):
    delimiter: str = ","


class Scope(Frozen):
    """What a release holds, for the counting rule (``link/counting.py``): the AORs it covers
    (``all``, or a list of codes), and whether it is a subset of the records of those AORs and
    days (``subset``: a sentence, e.g. "Criminal Alien Program records only"; ``subset_by``: a
    field whose values the file holds, e.g. the one state of a state extract). The period is the
    one each sheet's title rows state (else the range of its dates)."""

    aors: Literal["all"] | tuple[str, ...] = "all"
    subset: str | None = None
    subset_by: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Scope:
        if self.subset and self.subset_by:
            raise ValueError("scope: give subset or subset_by, not both")
        return self


class ColumnMap(Frozen):
    table: str
    canonical: str
    raw_header: str


class Family(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,40}$")  # becomes part of table names
    letter: str
    label: str
    foia: str
    agency: str
    license: str
    source: str
    markers: tuple[str, ...] = ()
    formats: tuple[Literal["csv", "xlsx"], ...] = ("csv", "xlsx")
    csv: CsvRule = CsvRule()
    date_formats: tuple[str, ...]
    missing_markers: tuple[str, ...] = ()
    person_level: bool = False
    skip_sheets: tuple[str, ...] = ()
    period: PeriodRule = PeriodRule()
    tables: dict[str, TableRule]
    validation: tuple[Check, ...] = ()
    columns: tuple[ColumnMap, ...] = ()
    # Values a release states once for every row (e.g. "for the Seattle Area of
    # Responsibility" in its title) rather than in a column: field -> value, used only when
    # the sheet has no column for that field.
    defaults: dict[str, str] = {}
    scope: Scope = Scope()

    @model_validator(mode="after")
    def _check(self) -> Family:
        for name, rule in self.tables.items():
            if name not in EVENT_TABLES:
                raise ValueError(f"table {name!r} is not a canonical table")
            tdef = EVENT_TABLES[name]
            for req in rule.required:
                tdef.field(req)
        for name in self.defaults:
            if not any(name in EVENT_TABLES[t].names for t in self.tables):
                raise ValueError(f"default for unknown field {name!r}")
        if self.scope.aors != "all":
            known = set(vocab("aor").mapping.values())
            for code in self.scope.aors:
                if code not in known:
                    raise ValueError(f"scope: unknown AOR code {code!r}")
        if self.scope.subset_by and not any(
            self.scope.subset_by in EVENT_TABLES[t].names for t in self.tables
        ):
            raise ValueError(f"scope: subset_by names an unknown field {self.scope.subset_by!r}")
        for col in self.columns:
            if col.table not in self.tables:
                raise ValueError(f"columns.csv maps table {col.table!r} not declared")
            EVENT_TABLES[col.table].field(col.canonical)
        return self

    def header_map(self, table: str) -> dict[str, list[str]]:
        """normalized raw header -> canonical fields it feeds (built once per table)."""
        key = (self.id, table)
        if key not in _HEADER_MAPS:
            out: dict[str, list[str]] = {}
            for col in self.columns:
                if col.table == table:
                    out.setdefault(normalize_header(col.raw_header), []).append(col.canonical)
            _HEADER_MAPS[key] = out
        return _HEADER_MAPS[key]

    def raw_headers(self, table: str) -> list[str]:
        """Raw headers of a table in the order the release writes them (first spelling)."""
        seen: dict[str, str] = {}
        for col in self.columns:
            if col.table == table:
                seen.setdefault(col.canonical, col.raw_header)
        return list(dict.fromkeys(seen.values()))

    def table_rule(self, table: str) -> TableRule:
        return self.tables[table]

    def date_field(self, table: str) -> str:
        return self.tables[table].date_field or EVENT_TABLES[table].date_field

    def period_field(self, table: str) -> str:
        return self.tables[table].period_field or self.date_field(table)


class Vocab(Frozen):
    name: str
    mapping: dict[str, str]  # normalized raw -> code
    notes: dict[str, str] = {}

    def lookup(self, value: str) -> str | None:
        return self.mapping.get(normalize_value(value))


def normalize_value(value: str) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_family(folder: Path) -> Family:
    fam_file = folder / "family.yaml"
    try:
        data = yaml.safe_load(fam_file.read_text(encoding="utf-8"))
        cols = (
            [ColumnMap(**row) for row in _read_csv(folder / "columns.csv")]
            if (folder / "columns.csv").exists()
            else []
        )
        return Family(**data, columns=tuple(cols))
    except (ValidationError, yaml.YAMLError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()
        raise SpecError(f"{fam_file}: invalid release spec: {' '.join(first[:3])}") from exc


def _spec_dirs() -> list[Path]:
    dirs = [RELEASES_DIR]
    extra = os.environ.get("ICEFACTS_RELEASES")
    if extra:
        dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    return dirs


@cache
def families() -> tuple[Family, ...]:
    out: list[Family] = []
    for base in _spec_dirs():
        for folder in sorted(base.iterdir()):
            if (folder / "family.yaml").exists():
                out.append(load_family(folder))
    ids = [f.id for f in out]
    if len(set(ids)) != len(ids):
        raise SpecError(f"duplicate release family ids: {ids}")
    return tuple(out)


def family(family_id: str) -> Family:
    for fam in families():
        if fam.id == family_id or fam.letter == family_id:
            return fam
    raise SpecError(f"unknown release family {family_id!r}")


@cache
def vocab(name: str) -> Vocab:
    path = RELEASES_DIR / "vocab" / f"{name}.csv"
    if not path.exists():
        raise SpecError(f"no vocabulary {name!r} ({path})")
    rows = _read_csv(path)
    value_col = "code" if rows and "code" in rows[0] else "custody"
    mapping = {normalize_value(r["raw"]): r[value_col] for r in rows}
    notes = {r[value_col]: r["note"] for r in rows if r.get("note")}
    return Vocab(name=name, mapping=mapping, notes=notes)


@cache
def redaction_markers() -> tuple[str, ...]:
    return tuple(r["marker"] for r in _read_csv(RELEASES_DIR / "vocab" / "redaction.csv"))
