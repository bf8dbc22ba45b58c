"""Cell-level normalisation: trimming, blanks, missing markers and FOIA redaction markers.

Work is done once per *distinct* value (dictionary encoding), then spread back to the rows,
so a 1M-row column with a few hundred distinct values costs a few hundred evaluations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
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


def encoded(column: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """The column as one dictionary array (distinct values + an index per row)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)


def per_distinct(
    column: pa.Array | pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """Apply ``fn`` to the distinct values of ``column`` and spread results to every row."""
    arr = encoded(column)
    return pc.take(fn(arr.dictionary), arr.indices)


def as_text(arr: pa.Array) -> pa.Array:
    """Typed Excel cells as the text a string read gives: datetimes as 'YYYY-MM-DD HH:MM:SS',
    whole numbers without a decimal point."""
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
        return arr
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_floating(t):
        whole = pc.and_(pc.equal(arr, pc.floor(arr)), pc.less(pc.abs(arr), 2.0**53))
        if pc.all(pc.fill_null(whole, True)).as_py():
            return pc.cast(pc.cast(arr, pa.int64()), pa.string())
    return pc.cast(arr, pa.string())


def with_dictionary(indices: pa.Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """A dictionary array whose index is NULL wherever the dictionary value is NULL."""
    null_at = pc.fill_null(pc.take(pc.is_null(dictionary), indices), True)
    clean = pc.if_else(null_at, pa.scalar(None, indices.type), indices)
    return pa.DictionaryArray.from_arrays(clean, dictionary)


def map_distinct_dict(
    column: pa.Array | pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array]
) -> pa.DictionaryArray:
    """Like :func:`per_distinct` for string results, but the result stays dictionary-encoded."""
    arr = encoded(column)
    return with_dictionary(arr.indices, fn(arr.dictionary))


def map_distinct(
    column: pa.Array | pa.ChunkedArray, fn: Callable[[str], Any], type_: pa.DataType
) -> pa.Array:
    """Python function over distinct values (for small vocabularies), spread to rows."""
    return per_distinct(column, lambda d: pa.array([fn(v) for v in d.to_pylist()], type_))


def _redacted(values: pa.Array) -> pa.Array:
    """Which values are FOIA redaction markers. The pattern runs only on values holding a
    parenthesis (every marker does), so a column of a million identifiers costs one scan."""
    candidate = pc.fill_null(pc.match_substring(values, "("), False)
    out = pa.array(np.zeros(len(values), dtype=bool))
    if not pc.any(candidate).as_py():
        return out
    subset = pc.filter(values, candidate)
    compact = pc.replace_substring_regex(pc.utf8_lower(subset), r"\s+", "")
    hits = pc.fill_null(pc.match_substring_regex(compact, REDACTION.pattern), False)
    return pc.replace_with_mask(out, candidate, hits)


class CellSplit:
    """One raw column split into: cleaned text, redacted flag, present flag.

    Vectorised over the distinct values, so a column of a million unique identifiers costs
    one pass of Arrow kernels, not a Python loop.
    """

    def __init__(self, column: pa.Array | pa.ChunkedArray, missing_markers: tuple[str, ...]):
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        arr = as_text(arr)
        enc = pc.dictionary_encode(arr)
        distinct = enc.dictionary
        # Values are trimmed, not otherwise rewritten (vocabulary lookups normalise spacing
        # and case themselves).
        trimmed = pc.utf8_trim_whitespace(distinct)
        markers = sorted(
            {v for m in missing_markers for v in (m.strip(), m.strip().upper(), m.strip().lower())}
        )
        blank = pc.or_(
            pc.equal(trimmed, ""), pc.is_in(trimmed, value_set=pa.array(markers, pa.string()))
        )
        red = _redacted(trimmed)
        text = pc.if_else(pc.or_(blank, red), pa.scalar(None, pa.string()), trimmed)
        idx = enc.indices
        # Text stays dictionary-encoded (indices into the cleaned distinct values): nothing is
        # materialised per row, and DuckDB loads dictionary vectors cheaply.
        self.text: pa.Array = with_dictionary(idx, text)
        self.redacted: pa.Array = pc.fill_null(pc.take(red, idx), False)
        # present = the cell held anything that is not a missing marker (redactions included)
        self.present: pa.Array = pc.or_(pc.is_valid(self.text), self.redacted)
        self.raw = arr

    @classmethod
    def typed(cls, column: pa.Array | pa.ChunkedArray) -> CellSplit:
        """A column whose every cell is a typed value (no text, so no markers)."""
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        split = cls.__new__(cls)
        split.text = arr
        split.redacted = pa.array(np.zeros(len(arr), dtype=bool))
        split.present = pc.is_valid(arr)
        split.raw = arr
        return split
