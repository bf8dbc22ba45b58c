"""One large xlsx sheet read on two cores: staged in parts that calamine parses in parallel.

calamine parses a sheet on one core, and that parse is most of an ingest's time. A sheet's XML
is one deflate stream, so it is inflated here once, cut at row boundaries into parts of about
``PART_BYTES`` and written into ``WORKERS`` stored (uncompressed) workbooks, each holding its
parts as sheets beside the original's styles (date formats), shared strings and date system.
Worker ``g`` opens its workbook as soon as it is written and parses its parts in order, while
the caller cleans and loads the parts already parsed, so memory is bounded by a few parts, not
by the sheet.

Every part after the first starts with a sentinel row just above its first row, with a cell in
column A and one in the header's last column: calamine's range starts at the first cell it
sees, so the sentinel keeps each part's columns, and its row numbers those of the sheet. The
staged workbooks are anonymous memory files (Linux ``memfd``: gone when closed, even after a
kill -9) or, elsewhere, temporary files removed once parsed.

No library parses one sheet on several cores, which is why this is written here; anything it
does not expect (no ``r`` attribute on rows, an empty sheet) leaves the sheet in one part.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import re
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast
from xml.sax.saxutils import quoteattr

import fastexcel
import pyarrow as pa

from icefacts import interrupts
from icefacts.errors import InputError
from icefacts.ingest import limits
from icefacts.ingest.xlsx_head import sheet_paths

T = TypeVar("T")

PART_BYTES = 64 << 20  # XML bytes per part (about 80,000 rows of a 25-column release)
SPLIT_MIN_BYTES = 48 << 20  # sheets with less XML than this are read whole
WORKERS = 2
# Staged workbooks hold at most this much sheet XML each, and at most STAGES of them exist at
# once (the next is staged when the first's parts have all been taken): memory stays bounded
# however large the sheet. A sheet of up to WORKERS x GROUP_BYTES is staged in WORKERS
# workbooks, as before (each workbook's shared strings are parsed once per workbook).
GROUP_BYTES = 512 << 20
STAGES = 2
# Every staged workbook carries a copy of the shared strings, and calamine decodes each copy:
# past this size one workbook is staged at a time (measured: 504 MB of short strings took a
# sheet to 3.1 GiB of RSS with two)
ONE_STAGE_SHARED_BYTES = 64 << 20
CHUNK = 4 << 20
_OVERLAP = 4096  # bytes kept back when no row starts in a chunk (a tag may straddle it)

_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_SHEET_DATA = re.compile(rb"<(" + _NAME + rb")sheetData\b[^>]*?(/?)>")
_WORKSHEET = re.compile(rb"<(" + _NAME + rb")worksheet\b")
_DIMENSION = re.compile(rb"<" + _NAME + rb"dimension\b[^>]*/>")
_DATE1904 = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?workbookPr\b[^>]*date1904=["'](1|true)["']""")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _shared_bytes(source: Path) -> int:
    """Bytes of the workbook's shared strings (as its zip directory declares them)."""
    try:
        with zipfile.ZipFile(source) as z:
            return sum(
                i.file_size for i in z.infolist() if i.filename.lower() == "xl/sharedstrings.xml"
            )
    except (OSError, zipfile.BadZipFile):
        return 0  # the staging thread reports what is wrong with the file


class PartsMismatch(Exception):
    """The first part's header is not where detection put it: read the sheet whole."""


class PartReadError(Exception):
    """calamine could not read a part (the message is calamine's)."""


@dataclass
class Part:
    index: int
    sheet: str  # the part's sheet in its staged workbook
    first_row: int  # 1-based sheet row of its first row (the first data row after part 0)
    next_row: int | None  # 1-based first row of the next part; None for the last part
    future: Future[object] = field(default_factory=Future)

    @property
    def last(self) -> bool:
        return self.next_row is None


def setting(name: str) -> int:
    """``PART_BYTES`` or ``SPLIT_MIN_BYTES``, unless the environment sets
    ``ICEFACTS_PART_BYTES`` / ``ICEFACTS_SPLIT_MIN_BYTES`` (smaller parts use less memory; a
    very large minimum reads every sheet whole)."""
    default: int = globals()[name]
    text = os.environ.get(f"ICEFACTS_{name}", "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"ICEFACTS_{name} must be a whole number of bytes, not {text!r}")
    return int(text)


def should_split(source: Path, sheet: str) -> bool:
    """Whether the sheet is large enough to be parsed in parts (settings checked here)."""
    setting("PART_BYTES")
    return split_size(source, sheet) >= setting("SPLIT_MIN_BYTES")


def split_size(source: Path, sheet: str) -> int:
    """Bytes of the sheet's XML (0 when it is not a plain xlsx sheet)."""
    try:
        with zipfile.ZipFile(source) as z:
            return z.getinfo(sheet_paths(z)[sheet]).file_size
    except (KeyError, OSError, zipfile.BadZipFile, ValueError, SyntaxError):
        return 0


def _letters(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _libc_fallocate() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.fallocate
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    fn.restype = ctypes.c_int
    return cast(Callable[[int, int, int, int], int], fn)


_fallocate = _libc_fallocate()
_KEEP_SIZE, _PUNCH_HOLE = 0x01, 0x02  # FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE


class _Staged:
    """A stored workbook being written, in an anonymous memory file when the OS has them."""

    def __init__(self, shared: dict[str, bytes], date1904: bool) -> None:
        self.shared, self.date1904 = shared, date1904
        self.unlink: str | None = None
        fd = os.memfd_create("icefacts-part") if hasattr(os, "memfd_create") else -1
        if fd >= 0 and os.path.exists(f"/proc/{os.getpid()}/fd/{fd}"):
            self.fd, self.path = fd, f"/proc/{os.getpid()}/fd/{fd}"
        else:  # not Linux, or no /proc to open the memory file by: a temporary file
            if fd >= 0:
                os.close(fd)
            self.fd, self.path = tempfile.mkstemp(prefix="icefacts-part-", suffix=".xlsx")
            self.unlink = self.path
        try:
            self.file = open(self.fd, "w+b", closefd=False)  # noqa: SIM115 - see close()
            self.zip = zipfile.ZipFile(self.file, "w", zipfile.ZIP_STORED, allowZip64=True)
        except BaseException:
            os.close(self.fd)
            if self.unlink:
                os.unlink(self.unlink)
            raise
        self.sheets: list[str] = []
        self.parts: list[Part] = []
        self.started = False  # a worker is parsing it

    def finish(self) -> None:
        n = len(self.sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(s)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, s in enumerate(self.sheets)
        )
        pr = '<workbookPr date1904="1"/>' if self.date1904 else ""
        z = self.zip
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}">{pr}<sheets>{sheets}</sheets></workbook>',
        )
        rels = [
            (f"rId{i + 1}", "worksheet", f"worksheets/{s}.xml") for i, s in enumerate(self.sheets)
        ]
        rels.append((f"rId{n + 1}", "styles", "styles.xml"))
        if "xl/sharedStrings.xml" in self.shared:
            rels.append((f"rId{n + 2}", "sharedStrings", "sharedStrings.xml"))
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="{i}" Type="{_REL}/{t}" Target="{p}"/>' for i, t, p in rels
            )
            + "</Relationships>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = [("/xl/workbook.xml", f"{_CT}.sheet.main+xml")]
        overrides += [(f"/xl/worksheets/{s}.xml", f"{_CT}.worksheet+xml") for s in self.sheets]
        overrides += [("/xl/styles.xml", f"{_CT}.styles+xml")]
        if "xl/sharedStrings.xml" in self.shared:
            overrides += [("/xl/sharedStrings.xml", f"{_CT}.sharedStrings+xml")]
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns='
            '"http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
            + "</Types>",
        )
        for name, data in self.shared.items():
            z.writestr(name, data)
        z.close()
        self.file.close()

    def release(self, sheet: str) -> None:
        """Give a parsed part's bytes back to the OS (Linux: punch a hole in the memory
        file; the workbook keeps its layout, and calamine does not read a sheet twice)."""
        if self.unlink is not None or _fallocate is None:
            return
        with contextlib.suppress(KeyError, OSError, ValueError):
            info = self.zip.getinfo(f"xl/worksheets/{sheet}.xml")
            # the data starts after the local header, whose name and extra field lengths are
            # its last four bytes (the extra field differs from the central directory's)
            local = os.pread(self.fd, 30, info.header_offset)
            names = int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
            start = info.header_offset + 30 + names
            _fallocate(self.fd, _PUNCH_HOLE | _KEEP_SIZE, start, info.compress_size)

    def close(self) -> None:
        """Idempotent: a second close must not close a file descriptor number the OS has
        since handed to another file."""
        fd, self.fd = self.fd, -1
        if fd < 0:
            return
        with contextlib.suppress(Exception):  # not finished (staging stopped or failed)
            self.zip.close()
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.close(fd)
        if self.unlink:
            with contextlib.suppress(OSError):
                os.unlink(self.unlink)


class SheetParts:
    """Stage one sheet in parts on a background thread and parse them on ``WORKERS`` more.

    ``header_row`` and ``first`` are 0-based sheet rows (the header, the first row holding a
    value). Iterate :meth:`results` for each part's rows, worked on by the workers, in sheet
    order; :meth:`close` stops everything and frees the staged files.
    """

    def __init__(
        self, source: Path, sheet: str, headers: list[str], header_row: int, first: int
    ) -> None:
        self.source, self.sheet, self.headers = source, sheet, headers
        self.header_row, self.first = header_row, first
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.work: Callable[[Part, pa.Table], object] | None = None
        self.parts: queue.Queue[Part | BaseException | None] = queue.Queue()
        self.staged: list[_Staged] = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.slots = threading.Semaphore(
            1 if _shared_bytes(source) > ONE_STAGE_SHARED_BYTES else STAGES
        )
        self.stager = threading.Thread(target=self._stage, name="icefacts-stage", daemon=True)
        self.stager.start()

    # -- staging (background thread) -------------------------------------------------------

    def _stage(self) -> None:
        try:
            self._split()
        except BaseException as exc:  # handed to the reader, raised there
            with self.lock:
                unstarted = [st for st in self.staged if not st.started]
            for stage in unstarted:
                for part in stage.parts:
                    part.future.set_exception(PartReadError(f"staging failed: {exc}"))
                stage.close()
            self.parts.put(exc)
        finally:
            self.parts.put(None)

    def _shared(self, z: zipfile.ZipFile) -> tuple[dict[str, bytes], bool]:
        names = {n.lower(): n for n in z.namelist()}
        shared: dict[str, bytes] = {}
        for want in ("xl/styles.xml", "xl/sharedStrings.xml"):
            if want.lower() in names:
                shared[want] = z.read(names[want.lower()])
        if "xl/styles.xml" not in shared:
            shared["xl/styles.xml"] = (
                f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"/>'.encode()
            )
        date1904 = bool(_DATE1904.search(z.read("xl/workbook.xml")))
        return shared, date1904

    def _split(self) -> None:
        with zipfile.ZipFile(self.source) as z:
            info = z.getinfo(sheet_paths(z)[self.sheet])
            shared, date1904 = self._shared(z)
            part_bytes = setting("PART_BYTES")
            n_parts = max(2, -(-info.file_size // part_bytes))
            n_parts += -n_parts % WORKERS  # the same number of parts for every worker
            per_group = max(1, min(n_parts // WORKERS, GROUP_BYTES // part_bytes))
            target = info.file_size / n_parts
            guard = limits.RefGuard(self.source.name, self.sheet)
            with z.open(info) as f:
                pending = b""
                while True:
                    data = f.read(CHUNK)
                    guard.feed(data)
                    pending += data
                    m = _SHEET_DATA.search(pending)
                    if m or not data or len(pending) > 4 * CHUNK:
                        break
                head_end = m.end() if m and not m.group(2) else None
                if head_end is None:  # no rows, or not a worksheet we understand: one part
                    rest = f.read()
                    guard.feed(rest)
                    pending += rest
                    self._one_part(shared, date1904, pending)
                    return
                assert m is not None
                prefix = m.group(1)
                ws = _WORKSHEET.search(pending, 0, head_end)
                ws_prefix = ws.group(1) if ws else prefix
                head = _DIMENSION.sub(b"", pending[:head_end], count=1)
                tail = b"</" + prefix + b"sheetData></" + ws_prefix + b"worksheet>"
                row_start = re.compile(rb"<" + re.escape(prefix) + rb'row\b[^>]*?\sr="(\d+)"')
                consumed = head_end  # bytes of the sheet XML passed to a part (or the head)
                pending = pending[head_end:]
                k, first_row = 0, 1
                stage = self._new_stage(shared, date1904)
                out = stage.zip.open(f"xl/worksheets/{self._name(0)}.xml", "w", force_zip64=True)
                stage.sheets.append(self._name(0))
                out.write(head)
                eof = False
                while True:
                    if self.stop.is_set():
                        out.close()
                        return
                    boundary = target * (k + 1) if k < n_parts - 1 else None
                    hit = None
                    if boundary is not None and consumed + len(pending) >= boundary:
                        start = max(0, int(boundary - consumed))
                        for hit in row_start.finditer(pending, start):
                            if int(hit.group(1)) - 1 > self.header_row + 1:
                                break
                        else:
                            hit = None
                    if hit is not None:
                        out.write(pending[: hit.start()])
                        out.write(tail)
                        out.close()
                        row = int(hit.group(1))
                        self._emit(k, stage, first_row, row)
                        consumed += hit.start()
                        pending = pending[hit.start() :]
                        k, first_row = k + 1, row
                        if k % per_group == 0:
                            stage = self._finish_group(stage, shared, date1904)
                        name = self._name(k)
                        stage.sheets.append(name)
                        out = stage.zip.open(f"xl/worksheets/{name}.xml", "w", force_zip64=True)
                        out.write(head)
                        out.write(self._sentinel(prefix, row - 1))
                        continue
                    if eof:
                        out.write(pending)
                        out.close()
                        self._emit(k, stage, first_row, None)
                        self._finish_group(stage, None, date1904)
                        return
                    keep = min(len(pending), _OVERLAP) if boundary is not None else 0
                    out.write(pending[: len(pending) - keep])
                    consumed += len(pending) - keep
                    pending = pending[len(pending) - keep :]
                    data = f.read(CHUNK)
                    try:
                        guard.feed(data)
                    except BaseException:
                        out.close()  # else the staged zip complains as it is collected
                        raise
                    eof = not data
                    pending += data

    def _name(self, k: int) -> str:
        return f"p{k}"

    def _sentinel(self, prefix: bytes, row: int) -> bytes:
        p = prefix.decode()
        last = _letters(max(len(self.headers) - 1, 0))
        cell = '<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>s</{p}t></{p}is></{p}c>'
        cells = cell.format(p=p, ref=f"A{row}")
        if last != "A":
            cells += cell.format(p=p, ref=f"{last}{row}")
        return f'<{p}row r="{row}">{cells}</{p}row>'.encode()

    def _new_stage(self, shared: dict[str, bytes], date1904: bool) -> _Staged:
        while not self.slots.acquire(timeout=0.1):  # wait until an earlier stage is taken
            if self.stop.is_set():
                raise PartReadError("stopped")
        stage = _Staged(shared, date1904)
        with self.lock:
            self.staged.append(stage)
        return stage

    def _one_part(self, shared: dict[str, bytes], date1904: bool, xml: bytes) -> None:
        stage = self._new_stage(shared, date1904)
        stage.sheets.append(self._name(0))
        stage.zip.writestr(f"xl/worksheets/{self._name(0)}.xml", xml)
        self._emit(0, stage, 1, None)
        self._finish_group(stage, None, date1904)

    def _emit(self, k: int, stage: _Staged, first_row: int, next_row: int | None) -> None:
        part = Part(k, self._name(k), first_row, next_row)
        stage.parts.append(part)
        self.parts.put(part)

    def _finish_group(
        self, stage: _Staged, shared: dict[str, bytes] | None, date1904: bool
    ) -> _Staged:
        """Close the staged workbook, start its worker, open the next one (``shared`` given)."""
        stage.finish()
        worker = threading.Thread(
            target=self._parse, args=(stage,), name="icefacts-parse", daemon=True
        )
        worker.start()
        stage.started = True  # its worker resolves its parts (else a failure here does)
        with self.lock:
            self.threads.append(worker)
        return self._new_stage(shared, date1904) if shared is not None else stage

    # -- parsing (worker threads) ----------------------------------------------------------

    def _parse(self, stage: _Staged) -> None:
        parts = stage.parts
        try:
            reader = fastexcel.read_excel(stage.path)
            for part in parts:
                try:
                    table = self._load(reader, part)
                    stage.release(part.sheet)
                except PartsMismatch as exc:
                    part.future.set_exception(exc)
                    continue
                except Exception as exc:
                    part.future.set_exception(PartReadError(str(exc)))
                    continue
                # the caller's work on the part (cleaning) runs here too, once it is given
                while not self.ready.wait(0.1):
                    if self.stop.is_set():
                        break
                if self.stop.is_set() or self.work is None:
                    part.future.cancel()
                    continue
                try:
                    part.future.set_result(self.work(part, table))
                except BaseException as exc:
                    part.future.set_exception(exc)
                del table
            del reader
        except BaseException as exc:
            for part in parts:
                if not part.future.done():
                    part.future.set_exception(PartReadError(str(exc)))
        finally:
            stage.close()

    def _load(self, reader: fastexcel.ExcelReader, part: Part) -> pa.Table:
        header = self.header_row - self.first if part.index == 0 else 0
        batch = reader.load_sheet(
            part.sheet,
            header_row=header,
            eager=True,
            schema_sample_rows=None,
            dtype_coercion="coerce",
            skip_whitespace_tail_rows=part.last,
        )
        if part.index == 0:
            names = batch.schema.names
            for name, want in zip(names, self.headers, strict=False):
                if want and name != want and not name.startswith(f"{want}_"):
                    raise PartsMismatch(f"column {name!r} where the header has {want!r}")
            if len(names) < len(self.headers):
                raise PartsMismatch("fewer columns than the header")
        table = pa.Table.from_batches([batch])
        return table.rename_columns([f"c{i}" for i in range(table.num_columns)])

    # -- the caller's side -----------------------------------------------------------------

    def results(self, work: Callable[[Part, pa.Table], T]) -> Iterator[tuple[Part, T, bool]]:
        """(part, ``work(part, rows)``, whether it is the sheet's last part) in sheet order;
        ``work`` runs on the worker threads (rows: an Arrow table with columns c0..cN).
        Raises PartsMismatch (before the first result) when the header is not where
        detection put it, PartReadError when calamine cannot read a part. (Taking parts as
        the workers finish them was tried: no faster here, and rows would land in the
        warehouse in an order that changes from run to run.)"""
        self.work = work
        self.ready.set()
        try:
            while True:
                item = interrupts.get(self.parts)
                if item is None:
                    return
                if isinstance(item, InputError):  # the sheet refused (a declared limit)
                    raise item
                if isinstance(item, BaseException):
                    raise PartReadError(str(item)) from item
                result = cast(T, interrupts.result(item.future))
                with self.lock:
                    stage = next(
                        (st for st in self.staged if any(q is item for q in st.parts)), None
                    )
                if stage is not None and item is stage.parts[-1] and stage.started:
                    self.slots.release()  # every part of that stage taken: stage the next
                yield item, result, item.last
        finally:
            self.close()

    def close(self) -> None:
        self.stop.set()
        self.ready.set()
        if interrupts.requested():  # Ctrl-C: the process exits at once, nothing to wait for
            return
        # unblock and wait for the stager, then the workers (each finishes its part)
        self.stager.join()
        with self.lock:
            threads = list(self.threads)
        for t in threads:
            t.join()
        with self.lock:
            for stage in self.staged:
                stage.close()
