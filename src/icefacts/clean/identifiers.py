"""Which column headers name a direct identifier, however they are spelled.

A release's spec maps the identifying columns it knows (A-numbers, birth dates, case ids) to
``withheld`` fields. Any *other* column is kept in ``extra``; if its header names an identifier
it keeps only whether a value was released, never the value (``docs/privacy.md``).

Headers are compared after normalising case, spaces, underscores, punctuation, camelCase and
digits, and folding accents (``EID_Subject_ID``, ``FirstName``, ``DOB_1``,
``birth_date.detainer``, ``Dirección`` and ``A#`` all count), against the vocabulary
``releases/vocab/identifying_headers.csv``: phrases of one or more words, matched as whole
words or run together (``dateofbirth``). Phrases of kind
``not_identifying`` (``facility name``, ``facility address``) cover what would otherwise match.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCAB = Path(__file__).resolve().parents[1] / "releases" / "vocab" / "identifying_headers.csv"
NOT_IDENTIFYING = "not_identifying"

_CAMEL_1 = re.compile(r"([a-z])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_DIGITS = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


# Letters of other scripts drawn like Latin ones ("Nаme" with a Cyrillic а): read as Latin.
_LOOKALIKES = str.maketrans(
    "аеорсуххіјѕԁһԛԝАВЕКМНОРСТУХІЈЅԌαβεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aeopcyxxijsdhqwABEKMHOPCTYXIJSGabeiknoptuxABEHIKMNOPTYXZ",
)


def header_tokens(header: str) -> list[str]:
    """Words of a header: ``"EID_Subject_ID2"`` -> ``["eid", "subject", "id"]``."""
    text = unicodedata.normalize("NFKD", str(header).replace("#", " number "))
    text = text.translate(_LOOKALIKES)
    text = "".join(c for c in text if not unicodedata.combining(c))  # Dirección -> Direccion
    text = _CAMEL_2.sub(r"\1 \2", _CAMEL_1.sub(r"\1 \2", text))
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    text = _DIGITS.sub(" ", text)
    return [t for t in text.split() if not t.isdigit()]


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    kind: str

    @property
    def squashed(self) -> str:
        return "".join(self.words)


@cache
def vocabulary(path: Path = VOCAB) -> tuple[Phrase, ...]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        words = tuple(header_tokens(row["phrase"]))
        if not words:
            raise ValueError(f"{path}: empty phrase {row['phrase']!r}")
        out.append(Phrase(words, row["kind"].strip()))
    return tuple(out)


def _matches(tokens: list[str], phrases: tuple[Phrase, ...]) -> list[tuple[int, int, str]]:
    """(first word, last word + 1, kind) of every phrase found in ``tokens``."""
    by_squash: dict[str, str] = {}
    for p in phrases:
        # a not_identifying phrase wins over an identifying one spelled the same
        if by_squash.get(p.squashed) != NOT_IDENTIFYING:
            by_squash[p.squashed] = p.kind
    found = []
    for i in range(len(tokens)):
        run = ""
        for j in range(i, len(tokens)):
            run += tokens[j]
            kind = by_squash.get(run)
            if kind is not None:
                found.append((i, j + 1, kind))
    return found


def identifier_kind(header: str) -> str | None:
    """The kind of identifier a header names (``name``, ``birth_date``, ``a_number``, ...),
    or None when it names none."""
    tokens = header_tokens(header)
    found = _matches(tokens, vocabulary())
    covered = [(a, b) for a, b, kind in found if kind == NOT_IDENTIFYING]
    for a, b, kind in found:
        if kind == NOT_IDENTIFYING:
            continue
        if any(ca <= a and b <= cb for ca, cb in covered):
            continue
        return kind
    return _inside_a_word(tokens)


def _inside_a_word(tokens: list[str]) -> str | None:
    """Headers written as one word in capitals (``EIDSUBJECTID``, ``EMAILADDRESS``) have no
    word breaks to find: look for an identifying phrase of five letters or more inside the
    squashed header, unless a not-identifying phrase (``FACILITYADDRESS``) holds it."""
    squashed = "".join(tokens)
    phrases = vocabulary()
    safe = [
        (m.start(), m.start() + len(p.squashed))
        for p in phrases
        if p.kind == NOT_IDENTIFYING
        for m in re.finditer(re.escape(p.squashed), squashed)
    ]
    for p in phrases:
        if p.kind == NOT_IDENTIFYING or len(p.squashed) < 5:
            continue
        for m in re.finditer(re.escape(p.squashed), squashed):
            a, b = m.start(), m.end()
            if not any(sa <= a and b <= sb for sa, sb in safe):
                return p.kind
    return None


def withheld_name(header: str) -> str | None:
    """``"<header> (withheld)"`` for an identifying header, else None."""
    return f"{header} (withheld)" if identifier_kind(header) else None
