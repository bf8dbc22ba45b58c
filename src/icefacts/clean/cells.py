"""Cell-level normalisation: trimming, blanks, missing markers and FOIA redaction markers.

Work is done once per *distinct* value (dictionary encoding), then spread back to the rows,
so a 1M-row column with a few hundred distinct values costs a few hundred evaluations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

# A FOIA exemption marker: "(b)(6)", "(B)(7)(C)", "b(6)", "(b)(7)c)", "(b)(7)(c )" ... joined by
# ";" or "," and spaces. Released spellings are listed in releases/vocab/redaction.csv and a
# test checks each is recognised; this pattern also accepts unseen combinations of the parts.
_TOKEN = r"\(?b\)?\(\d\)(?:\(?[a-f]\)?)?"
REDACTION = re.compile(rf"^(?:{_TOKEN}[;,]?)+$")


def is_redaction(value: str | None) -> bool:
    if value is None:
        return False
    squeezed = re.sub(r"\s+", "", value).casefold()
    return bool(squeezed) and REDACTION.match(squeezed) is not None


def squeeze(value: str) -> str:
    """Trim and collapse inner runs of white space."""
    return re.sub(r"\s+", " ", value).strip()


def per_distinct(
    column: pa.Array | pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """Apply ``fn`` to the distinct values of ``column`` and spread results to every row."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    result = fn(arr.dictionary)
    return pc.take(result, arr.indices)


def map_distinct(
    column: pa.Array | pa.ChunkedArray, fn: Callable[[str], Any], type_: pa.DataType
) -> pa.Array:
    """Python function over distinct values (for small vocabularies), spread to rows."""
    return per_distinct(column, lambda d: pa.array([fn(v) for v in d.to_pylist()], type_))


class CellSplit:
    """One raw column split into: cleaned text, redacted flag, present flag.

    Vectorised over the distinct values, so a column of a million unique identifiers costs
    one pass of Arrow kernels, not a Python loop.
    """

    def __init__(self, column: pa.Array | pa.ChunkedArray, missing_markers: tuple[str, ...]):
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        enc = pc.dictionary_encode(arr)
        distinct = enc.dictionary
        squeezed = pc.utf8_trim_whitespace(pc.replace_substring_regex(distinct, r"\s+", " "))
        folded = pc.utf8_lower(squeezed)
        markers = pa.array(sorted({squeeze(m).casefold() for m in missing_markers}), pa.string())
        blank = pc.or_(pc.equal(squeezed, ""), pc.is_in(folded, value_set=markers))
        compact = pc.replace_substring_regex(folded, r"\s+", "")
        red = pc.and_(pc.invert(blank), pc.match_substring_regex(compact, REDACTION.pattern))
        red = pc.fill_null(red, False)
        text = pc.if_else(pc.or_(blank, red), pa.scalar(None, pa.string()), squeezed)
        idx = enc.indices
        self.text: pa.Array = pc.take(text, idx)
        self.redacted: pa.Array = pc.fill_null(pc.take(red, idx), False)
        # present = the cell held anything that is not a missing marker (redactions included)
        self.present: pa.Array = pc.or_(pc.is_valid(self.text), self.redacted)
        self.raw = arr
