"""Find the header row of a sheet and the release family and table it belongs to.

Nothing is hard-coded per file: every family's ``columns.csv`` is a vocabulary of raw headers.
For each of the first rows of a sheet we count how many cells are headers some (family, table)
knows; the best-scoring row wins, with title-row markers (e.g. the FOIA number), sheet names and
file-name patterns breaking ties. Column order does not matter and optional columns may be
missing; required ones are checked by the caller.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from icefacts.release_specs import Family, families, normalize_header

MIN_MATCHED = 3


@dataclass
class Detection:
    family: Family
    table: str
    header_row: int  # 0-based index within the sheet
    headers: list[str]  # header cells as released (trailing empties dropped)
    columns: dict[int, list[str]]  # column index -> canonical fields it feeds
    unmapped: dict[int, str] = field(default_factory=dict)  # column index -> raw header
    title_lines: list[str] = field(default_factory=list)
    score: tuple[float, ...] = ()


def _glob_any(name: str, patterns: tuple[str, ...]) -> bool:
    low = name.casefold()
    return any(fnmatch.fnmatch(low, p.casefold()) for p in patterns)


def _trim(row: list[str]) -> list[str]:
    cells = [c.strip() for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def detect(rows: list[list[str]], *, file_name: str, sheet: str | None) -> Detection | None:
    """Best (family, table, header row) for a sheet, or None if no row looks like a header."""
    best: Detection | None = None
    for i, row in enumerate(rows):
        cells = _trim(row)
        if len(cells) < 2:
            continue
        normalized = [normalize_header(c) for c in cells]
        title_lines = [" ".join(c for c in _trim(r) if c) for r in rows[:i]]
        title_text = " ".join(t for t in title_lines if t)
        for fam in families():
            marker = any(m.casefold() in title_text.casefold() for m in fam.markers)
            for table, rule in fam.tables.items():
                hmap = fam.header_map(table)
                columns = {j: hmap[n] for j, n in enumerate(normalized) if n in hmap}
                matched = len(columns)
                if matched < min(MIN_MATCHED, len(hmap)):
                    continue
                nonempty = sum(1 for c in cells if c)
                share = matched / max(nonempty, 1)
                sheet_ok = bool(rule.sheets) and sheet is not None and _glob_any(sheet, rule.sheets)
                file_ok = bool(rule.files) and _glob_any(file_name, rule.files)
                # A candidate whose required fields are all present outranks one that lacks
                # some: the detention-stint header shares most of its columns with the
                # detainer header, but only detentions has "Book In Date Time".
                present = {f for fs in columns.values() for f in fs}
                complete = float(all(r in present for r in rule.required))
                score = (complete, share, matched, float(marker), float(sheet_ok), float(file_ok))
                if best is None or score > best.score:
                    unmapped = {
                        j: cells[j]
                        for j, n in enumerate(normalized)
                        if j not in columns and cells[j]
                    }
                    best = Detection(
                        family=fam,
                        table=table,
                        header_row=i,
                        headers=cells,
                        columns=columns,
                        unmapped=unmapped,
                        title_lines=[t for t in title_lines if t],
                        score=score,
                    )
    return best


def is_skippable(sheet: str | None) -> bool:
    """Sheets every family declares as non-data (summaries, footnotes, headers)."""
    if sheet is None:
        return False
    return any(_glob_any(sheet.strip(), fam.skip_sheets) for fam in families() if fam.skip_sheets)
