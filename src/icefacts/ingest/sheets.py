"""One sheet at a time: read (the next one on a second thread), detect, check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from icefacts import interrupts
from icefacts.errors import InputError
from icefacts.ingest.detect import Detection, _glob_any, detect, is_skippable
from icefacts.ingest.readers import LoadedSheet, Workbook

PREFETCH = os.environ.get("ICEFACTS_PREFETCH", "1") != "0"


class NotARelease(InputError):
    """No sheet of the file matches any release spec."""


@dataclass
class SheetPlan:
    index: int
    sheet: str | None
    detection: Detection | None
    note: str = ""


def plan_sheet(
    index: int, loaded: LoadedSheet, path: Path, n_sheets: int, family: str | None
) -> SheetPlan:
    """Detect one sheet's family, table and header; raise on what cannot be read faithfully."""
    sheet, rows = loaded.sheet, loaded.head
    # (an Excel sheet read typed was detected from these rows already)
    det = loaded.detection or detect(rows, file_name=path.name, sheet=sheet)
    if det is None:
        if is_skippable(sheet):
            return SheetPlan(index, sheet, None, "not a data sheet (summary/footnotes)")
        if not any(any(c.strip() for c in r) for r in rows) and n_sheets > 1:
            return SheetPlan(index, sheet, None, "empty sheet")
        raise NotARelease(
            "no recognisable header in the first rows (no release spec matches)",
            file=path.name,
            sheet=sheet,
        )
    if family is not None and det.family.id != family:
        raise InputError(
            f"sheets belong to different release families ({family}, {det.family.id})",
            file=path.name,
            sheet=sheet,
        )
    seen: dict[str, int] = {}
    for j, fields in sorted(det.columns.items()):
        for f in fields:
            if f in seen:
                raise InputError(
                    f"two columns ({seen[f] + 1} and {j + 1}) are both {det.headers[j]!r}; "
                    "which one holds the data cannot be told",
                    file=path.name,
                    sheet=sheet,
                    row=det.header_row + 1,
                    column=det.headers[j],
                )
            seen[f] = j
    present = set(seen)
    for req in det.family.table_rule(det.table).required:
        if req not in present:
            raw = next(
                (
                    c.raw_header
                    for c in det.family.columns
                    if c.table == det.table and c.canonical == req
                ),
                req,
            )
            rule = det.family.table_rule(det.table)
            if rule.files and not _glob_any(path.name, rule.files):
                # headers like a release's, but neither its required columns nor a name its
                # files have: a derived table (a geocoded copy), passed over in a folder
                raise NotARelease(
                    f"headers like {det.family.id} {det.table} but no {raw!r} column and not "
                    "a file name its releases use: not a release table (a derived file?)",
                    file=path.name,
                    sheet=sheet,
                )
            raise InputError(
                f"required column missing for {det.family.id} {det.table} "
                f"(header found on row {det.header_row + 1})",
                file=path.name,
                sheet=sheet,
                row=det.header_row + 1,
                column=raw,
            )
    return SheetPlan(index, sheet, det)


class SheetReader:
    """Sheets in order, read ahead on background threads (calamine releases the GIL).

    By default (``parallel=False``) the next sheet starts reading only once the current one
    is cleaned and its raw cells are freed (``prefetch()``), so one calamine parse is in
    memory at a time: the memory target. With ``parallel=True`` two sheets are parsed at once
    on the two cores, which is faster for multi-sheet workbooks and costs a second parse's
    memory (about 0.9 GiB per 500,000 rows x 25 columns).
    """

    def __init__(self, wb: Workbook, parallel: bool = False) -> None:
        self.wb = wb
        self.names = wb.sheet_names
        self.ahead = 2 if parallel else 1
        self.pool = (
            ThreadPoolExecutor(max_workers=self.ahead, thread_name_prefix="icefacts-read")
            if PREFETCH and len(self.names) > 1
            else None
        )
        self.pending: dict[int, Future[LoadedSheet]] = {}
        self.current = -1

    def _submit(self, i: int) -> None:
        if self.pool and i < len(self.names) and i not in self.pending:
            self.pending[i] = self.pool.submit(self.wb.load, self.names[i])

    def __iter__(self) -> Iterator[tuple[int, LoadedSheet]]:
        try:
            for i, name in enumerate(self.names):
                self.current = i
                if self.ahead > 1:
                    for k in range(i, i + self.ahead):
                        self._submit(k)
                fut = self.pending.pop(i, None)
                yield i, (interrupts.result(fut) if fut else self.wb.load(name))
        finally:
            try:
                for fut in list(self.pending.values()):
                    if not fut.cancel():  # a sheet read ahead and never used: stop parsing it
                        fut.add_done_callback(_close_unused)
                if self.pool:  # (after Ctrl-C, a sheet being parsed is not waited for)
                    self.pool.shutdown(wait=not interrupts.requested(), cancel_futures=True)
            except KeyboardInterrupt:  # Ctrl-C again while closing: the process is exiting
                if not interrupts.requested():
                    raise

    def prefetch(self) -> None:
        """The current sheet is cleaned: start reading the next one."""
        self._submit(self.current + 1)


def _close_unused(fut: Future[LoadedSheet]) -> None:
    if not fut.cancelled() and fut.exception() is None:
        fut.result().close()
