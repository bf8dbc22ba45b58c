"""One pattern for every analysis: a frozen question in, an :class:`Answer` out.

An analysis is a function ``analysis(engine, question) -> Answer``. It reads the public views
only (``arrests``, ``arrests_all``, ``releases``, ``release_coverage``, the places views) and
reaches them only through the engine seam, with SQL written once in a portable dialect (named
steps, no driver-specific functions; translated for Spark by ``warehouse/dialects.py``).
Python-side inputs (a set of AORs or counties) go in as registered Arrow tables, never as
string-built lists. The CLI, the web app and reports render the same ``Answer`` and compute
nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from icefacts.caveats import Caveat


class Question(BaseModel):
    """What an analysis is asked: frozen, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Definition:
    term: str
    meaning: str


@dataclass
class Answer:
    question: Question
    table: pa.Table
    caveats: list[Caveat] = field(default_factory=list)
    releases_used: list[str] = field(default_factory=list)
    releases_set_aside: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    # further tables an answer carries (a daily series, policy dates to draw, episodes)
    tables: dict[str, pa.Table] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the tables, JSON-ready (the renderers add the tables)."""
        return {
            "question": _plain(self.question.model_dump()),
            "caveats": [c.to_dict() for c in self.caveats],
            "releases_used": self.releases_used,
            "releases_set_aside": self.releases_set_aside,
            "definitions": [{"term": d.term, "meaning": d.meaning} for d in self.definitions],
            "sql": self.sql,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain_rows(table: pa.Table) -> list[dict[str, Any]]:
    """A table's rows, JSON-ready (dates as ISO strings, NaN as None)."""
    return [_plain_value(r) for r in table.to_pylist()]


def _plain_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_value(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def sql_date(d: date) -> str:
    """A date literal (dates are the only values written into analysis SQL; anything a
    user types goes in through registered tables)."""
    return f"DATE '{d.isoformat()}'"
