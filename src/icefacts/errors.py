"""User-facing errors: one line, naming file, sheet, row and column where they apply."""

from __future__ import annotations


class IcefactsError(Exception):
    """An error in the user's input or environment (exit code 2, no traceback)."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class NotFound(IcefactsError):
    """A place, release or file that is not there (404 on the web)."""

    not_found = True


class InputError(IcefactsError):
    """A file that cannot be read or does not fit any release spec."""


class SpecError(IcefactsError):
    """A release spec or registry file that is invalid."""


class WarehouseBusy(IcefactsError):
    """Another process holds the warehouse for writing."""


class QueryError(IcefactsError):
    """SQL that failed; carries the SQL text."""
