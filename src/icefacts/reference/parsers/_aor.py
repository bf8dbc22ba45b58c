"""AOR names as reference files write them -> 3-letter codes (``releases/vocab/aor.csv``)."""

from __future__ import annotations

from icefacts.errors import InputError
from icefacts.release_specs import vocab

# Spellings the release vocabulary does not carry (reference files only).
EXTRA = {"st paul": "SPM", "st paul field office": "SPM", "hal": "SNA", "miramar sub office": "MIA"}


def aor_code(raw: str, *, file: str, row: int, column: str) -> str:
    text = raw.strip()
    code = vocab("aor").lookup(text) or EXTRA.get(text.casefold().replace(".", ""))
    if code is None:
        raise InputError(
            f"unknown Area of Responsibility {raw!r}", file=file, row=row, column=column
        )
    return code
