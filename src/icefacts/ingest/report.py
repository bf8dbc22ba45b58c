"""What an ingest reports: one FileReport per file, and the progress protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Progress(Protocol):
    def file_started(self, name: str, sheets: int) -> None: ...
    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None: ...


class QuietProgress:
    def file_started(self, name: str, sheets: int) -> None:
        pass

    def sheet_done(self, name: str, sheet: str | None, rows: int) -> None:
        pass


@dataclass
class FileReport:
    path: str
    status: str  # loaded | copy | already | skipped | error
    release_id: str | None = None
    family: str | None = None
    tables: list[str] = field(default_factory=list)
    sheets: dict[str, int] = field(default_factory=dict)
    skipped_sheets: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    redacted_cells: int = 0
    unknown_values: int = 0
    duplicates_flagged: int = 0
    out_of_period: int = 0
    failed_checks: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    # sheets whose rows are those of a sheet already loaded ("release_id:sheet_index"): not kept
    copies: dict[str, str] = field(default_factory=dict)
    copy_rows: int = 0
    # rows of this file on days another release counts, and rows of other releases this one
    # now counts instead (see `icefacts releases --overlaps`)
    shadowed_rows: int = 0
    shadows_rows: int = 0
