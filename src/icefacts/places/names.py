"""Name keys for matching counties, cities and states across files that spell them differently."""

from __future__ import annotations

import re
import unicodedata

_SUFFIX = re.compile(
    r"\b(county|parish|borough|census area|city and borough|municipality|municipio|"
    r"planning region)\b"
)


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def county_key(name: str) -> str:
    """``"St. Louis County"``, ``"SAINT LOUIS"``, ``"Saint Louis county"`` -> ``"stlouis"``.

    Keeps the word ``city`` (Baltimore city and Baltimore County are different counties).
    """
    text = ascii_fold(name).casefold()
    text = _SUFFIX.sub(" ", text)
    text = re.sub(r"\bsaint\b", "st", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def city_key(name: str) -> str:
    text = ascii_fold(name).casefold()
    text = re.sub(r"\bsaint\b", "st", text)
    text = re.sub(r"\bfort\b", "ft", text)
    text = re.sub(r"\bmount\b", "mt", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def plain_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", ascii_fold(name).casefold())
