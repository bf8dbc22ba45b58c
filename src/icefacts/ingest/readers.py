"""Read a sheet (or a CSV file) into an Arrow table, exactly as released.

CSV and gzip CSV go through Arrow's CSV reader with every column as text. Excel goes through
calamine (fastexcel): the header row is found from the sheet's first rows (streamed from the
XML), then the rows below it are read typed, with the type of each column inferred from *all*
its cells, so a column is a datetime or number column only if every cell is one; any other
column comes back as text and nothing is coerced away. When anything does not line up (an
old .xls, a header that calamine sees elsewhere), the sheet is read whole as text instead.
Typing of text happens in ``clean``. Memory stays bounded by one sheet (plus the next one
being read): callers read, clean and load one sheet at a time.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import fastexcel
import pyarrow as pa

from icefacts import interrupts
from icefacts.errors import InputError
from icefacts.ingest import limits, xlsx_parts
from icefacts.ingest.csv_chunks import CsvChunks, CsvProblem
from icefacts.ingest.detect import Detection, detect
from icefacts.ingest.gzip_io import GZIP_ERRORS, READ_ERRORS, open_gzip
from icefacts.ingest.sniff import FileKind, utf16_encoding
from icefacts.ingest.xlsx_head import sheet_paths, xlsx_head
from icefacts.ingest.xlsx_parts import Part, PartReadError, PartsMismatch, SheetParts

PEEK_ROWS = 30
T = TypeVar("T")
_EMPTY = pa.table({})

# calamine logs a warning for every column whose type it cannot settle (mostly empty
# columns), and of a <dimension> tag that does not fit the cells (it reads the cells); both
# are expected here and not for users' eyes.
logging.getLogger("fastexcel").setLevel(logging.ERROR)
logging.getLogger("calamine").setLevel(logging.ERROR)
DELIMITERS = ("|", ",", "\t", ";")


@dataclass
class RawSheet:
    """A sheet as released: strings by column position, and where each row sits."""

    headers: list[str]  # header cells as released (by position)
    table: pa.Table  # string columns c0..cN in header order
    first_row: int  # 1-based sheet row / file line of the first data row
    blank_tail: int = 0  # rows of this piece's span below its last row read (all blank)
    last: bool = True  # no piece of the sheet comes after this one
    index: int = 0  # the piece's place in the sheet
    staged: bool = False  # one of several pieces parsed in the background (xlsx_parts)


@dataclass
class LoadedSheet:
    """A sheet's first rows (for header detection) and the means to get its data rows."""

    workbook: Workbook
    sheet: str | None
    head: list[list[str]]
    table: pa.Table | None = None  # Excel: every row of the sheet, as strings
    typed: pa.Table | None = None  # Excel: the rows below ``typed_header``, typed
    typed_header: int | None = None
    detection: Detection | None = None  # Excel: found from ``head`` while reading
    parts: SheetParts | None = None  # Excel: a large sheet, parsed in parts on two cores

    def close(self) -> None:
        """Stop parsing this sheet in the background (it will not be read)."""
        parts, self.parts = self.parts, None
        if parts is not None:
            parts.close()

    def pieces(
        self, header_row: int, headers: list[str], work: Callable[[RawSheet], T]
    ) -> Generator[tuple[T, RawSheet], None, None]:
        """``work`` done on the data rows below ``header_row``, in one or more pieces in sheet
        order, with each piece's description (its ``table`` emptied). A large sheet is parsed
        in parts on background threads, which also run ``work``; otherwise it runs here."""
        parts, self.parts = self.parts, None
        if parts is not None and header_row != self.typed_header:
            parts.close()
            parts = None
        if parts is not None:

            def on_part(part: Part, table: pa.Table) -> tuple[T, RawSheet]:
                first = header_row + 2 if part.index == 0 else part.first_row
                span = None if part.next_row is None else part.next_row - first
                raw = RawSheet(
                    headers=headers,
                    table=table,
                    first_row=first,
                    blank_tail=max(0, span - table.num_rows) if span is not None else 0,
                    last=False,  # set as the pieces come out
                    staged=True,
                )
                done = work(raw)
                raw.table = _EMPTY
                return done, raw

            given = 0
            try:
                for part, (done, raw), last in parts.results(on_part):
                    given += 1
                    raw.index, raw.last = part.index, last
                    yield done, raw
                return
            except PartsMismatch:
                if given:
                    raise
            except PartReadError as exc:
                raise InputError(
                    f"cannot read sheet: {_short(exc)}",
                    file=self.workbook.path.name,
                    sheet=self.sheet,
                ) from exc
        if self.typed is None and self.table is None and self.workbook.kind in ("csv", "csv.gz"):
            # CSV streams in blocks: memory is bounded by a few blocks, not by the file. Each
            # block is worked on a thread of its own while the caller loads the one before
            # (and the reader's thread parses the one after): three stages on two cores.
            yield from _worked_ahead(self.workbook.csv_pieces(header_row, headers), work)
            return
        raw = self.data(header_row, headers)
        self.typed = self.table = None  # the cells now live in ``raw`` only
        done = work(raw)
        raw.table = _EMPTY
        yield done, raw

    def data(self, header_row: int, headers: list[str]) -> RawSheet:
        if self.typed is not None and header_row == self.typed_header:
            typed = self.typed.rename_columns([f"c{i}" for i in range(self.typed.num_columns)])
            return RawSheet(headers=headers, table=typed, first_row=header_row + 2)
        if self.table is None and self.workbook.kind in ("xlsx", "xls"):
            self.table = self.workbook._load_excel(self.sheet)
        if self.table is None:
            raise InputError("nothing read", file=self.workbook.path.name, sheet=self.sheet)
        width = len(headers)
        body = self.table.slice(header_row + 1)
        cols = [
            body.column(i) if i < body.num_columns else pa.nulls(body.num_rows, pa.string())
            for i in range(width)
        ]
        table = pa.table(cols, names=[f"c{i}" for i in range(width)])
        return RawSheet(headers=headers, table=table, first_row=header_row + 2)


def _worked_ahead(
    raws: Iterator[RawSheet], work: Callable[[RawSheet], T]
) -> Generator[tuple[T, RawSheet], None, None]:
    """``work`` on each piece on a background thread, one piece ahead of the caller, results
    in order. An error in ``work`` is raised here, in the caller's thread."""
    pending: deque[tuple[Future[T], RawSheet]] = deque()
    pool = ThreadPoolExecutor(1, thread_name_prefix="icefacts-clean")
    try:
        for raw in raws:
            pending.append((pool.submit(work, raw), raw))
            if len(pending) > 1:
                yield _take(pending)
        while pending:
            yield _take(pending)
    finally:
        for future, _ in pending:
            future.cancel()
        pool.shutdown(wait=not interrupts.requested(), cancel_futures=True)


def _take(pending: deque[tuple[Future[T], RawSheet]]) -> tuple[T, RawSheet]:
    future, raw = pending.popleft()
    done = interrupts.result(future)
    raw.table = _EMPTY
    return done, raw


class Workbook:
    """One file: a workbook with sheets, or a CSV file with a single unnamed sheet.

    calamine parses a whole sheet even to return its first rows, so each Excel sheet is
    parsed once: typed below a header found by streaming the first rows, or whole as text.
    Sheets may be loaded from several threads; each thread gets its own calamine reader.
    """

    def __init__(self, path: Path, kind: FileKind) -> None:
        self.path = path
        self.kind = kind
        self._refs_checked: set[str] = set()
        self.delimiter: str | None = None
        self.encoding = "utf-8"
        self._source: Path | bytes = path
        self._local = threading.local()
        self._names: list[str | None] = [None]
        self._xml_bytes: dict[str, int] = {}  # sheet -> bytes of its XML (checked)
        if kind == "xls" and path.stat().st_size > limits.XLS_FILE.value():
            raise limits.refuse(limits.XLS_FILE, path.stat().st_size, path.name)
        if kind == "xlsx":
            try:
                with zipfile.ZipFile(path) as z:
                    limits.check_shared_strings(z, path.name)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(f"cannot open workbook: {_short(exc)}", file=path.name) from exc
        if kind in ("xlsx", "xls"):
            # the sheet list of an xlsx is in workbook.xml: reading it there spares opening
            # calamine (which parses all shared strings) before any sheet is read
            listed = _xlsx_sheet_names(path) if kind == "xlsx" else []
            try:
                self._names = list(listed or self._reader().sheet_names)
            except Exception as exc:
                raise InputError(f"cannot open workbook: {_short(exc)}", file=path.name) from exc

    def _reader(self) -> fastexcel.ExcelReader:
        reader = getattr(self._local, "reader", None)
        if reader is None or getattr(self._local, "source", None) is not self._source:
            reader = fastexcel.read_excel(self._source)
            self._local.reader, self._local.source = reader, self._source
        return reader

    @property
    def sheet_names(self) -> list[str | None]:
        return self._names

    def xml_bytes(self, sheet: str) -> int:
        """Bytes of a sheet's XML; a sheet over the declared limits is refused here."""
        if sheet not in self._xml_bytes:
            try:
                with zipfile.ZipFile(self.path) as z:
                    member = sheet_paths(z).get(sheet)
                    size = limits.check_sheet(z, member, self.path.name, sheet) if member else 0
            except (zipfile.BadZipFile, OSError, KeyError, ValueError):
                size = 0
            self._xml_bytes[sheet] = size
        return self._xml_bytes[sheet]

    def _whole_ok(self, sheet: str | None) -> None:
        """A sheet parsed whole must fit in memory several times over."""
        if self.kind == "xlsx" and sheet is not None:
            size = self.xml_bytes(sheet)
            if size > limits.WHOLE_SHEET.value():
                raise limits.refuse(limits.WHOLE_SHEET, size, self.path.name, sheet)
            if sheet not in self._refs_checked:
                try:
                    with zipfile.ZipFile(self.path) as z:
                        member = sheet_paths(z).get(sheet)
                        if member:
                            limits.check_refs(z, member, self.path.name, sheet)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                    raise InputError(
                        f"cannot read sheet: {_short(exc)}", file=self.path.name, sheet=sheet
                    ) from exc
                self._refs_checked.add(sheet)

    def load(self, sheet: str | None) -> LoadedSheet:
        if self.kind not in ("xlsx", "xls"):
            return LoadedSheet(self, sheet, self._peek_csv(PEEK_ROWS))
        if self.kind == "xlsx" and sheet is not None:
            self.xml_bytes(sheet)  # refuses a sheet over the limits before it is read
            fast = self._load_typed(sheet)
            if fast is not None:
                return fast
        table = self._load_excel(sheet)
        head = table.slice(0, PEEK_ROWS).to_pylist()
        rows = [["" if v is None else str(v) for v in r.values()] for r in head]
        return LoadedSheet(self, sheet, rows, table)

    def _load_typed(self, sheet: str) -> LoadedSheet | None:
        """Find the header from the sheet's first rows (streamed XML), then read the rows
        below it typed. A column is typed only when every cell fits the type (the whole
        column is sampled), so no cell is coerced away; mixed columns come back as text.
        None when anything does not line up: the caller then reads every cell as text."""
        try:
            got = xlsx_head(self._source, sheet, PEEK_ROWS)
            det = detect(got.rows, file_name=self.path.name, sheet=sheet)
            upto = det.header_row if det else len(got.rows)
            late = [m for r, m in got.unresolved.items() if r <= upto]
            if late:  # a title or header cell uses a shared string far down the table
                got = xlsx_head(self._source, sheet, PEEK_ROWS, max_shared=max(late))
                det = detect(got.rows, file_name=self.path.name, sheet=sheet)
        except InputError:
            raise  # over a declared limit: refused, not read again another way
        except Exception:
            return None
        if det is None:
            return None
        head, first = got.rows, got.first
        width = len(det.headers)
        if (
            isinstance(self._source, Path)
            and det.headers
            and det.headers[0].strip()
            and xlsx_parts.should_split(self._source, sheet)
        ):
            parts = SheetParts(self._source, sheet, det.headers, det.header_row, first)
            return LoadedSheet(
                self, sheet, head, typed_header=det.header_row, detection=det, parts=parts
            )
        self._whole_ok(sheet)
        try:
            batch = self._reader().load_sheet(
                sheet,
                header_row=det.header_row - first,
                eager=True,
                schema_sample_rows=None,
                dtype_coercion="coerce",
                skip_whitespace_tail_rows=True,
            )
        except Exception:
            return None
        names = batch.schema.names
        for name, header in zip(names, det.headers, strict=False):
            if header and name != header and not name.startswith(f"{header}_"):
                return None
        if len(names) < width:
            return None
        return LoadedSheet(
            self,
            sheet,
            head,
            typed=pa.Table.from_batches([batch]),
            typed_header=det.header_row,
            detection=det,
        )

    def _load_excel(self, sheet: str | None) -> pa.Table:
        self._whole_ok(sheet)

        def load() -> pa.Table:
            batch = self._reader().load_sheet(
                _sheet_key(sheet),
                header_row=None,
                skip_rows=0,
                dtypes="string",
                eager=True,
                skip_whitespace_tail_rows=True,
            )
            return pa.Table.from_batches([batch])

        try:
            return load()
        except Exception as exc:
            text = str(exc)
            if "no data" in text.lower() or "empty" in text.lower():
                return pa.table({})
            if "Range is missing" in text and isinstance(self._source, Path):
                # Some producers write <dimension ref="1:1416"/> (no column letters), which
                # calamine refuses; the tag is optional, so read a copy without it.
                self._source = _strip_dimensions(self.path)
                return self._load_excel(sheet)
            raise InputError(
                f"cannot read sheet: {_short(exc)}", file=self.path.name, sheet=sheet
            ) from exc

    # -- CSV -------------------------------------------------------------------------------

    def _open_text(self) -> BinaryIO:
        if self.kind == "csv.gz":
            return open_gzip(self.path)
        return self.path.open("rb")

    def _sample_text(self, limit: int = 1 << 18) -> str:
        try:
            with self._open_text() as f:
                raw = f.read(limit)
        except GZIP_ERRORS as exc:  # cut short or damaged
            raise InputError(f"cannot read: {_short(exc)}", file=self.path.name) from exc
        utf16 = utf16_encoding(raw)
        if utf16:
            self.encoding = utf16
            text = raw[: len(raw) - len(raw) % 2].decode(utf16, errors="ignore").lstrip("\ufeff")
            self._sample = text
            return text
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw[: len(raw) - 4].decode("utf-8-sig")
                text.encode()
            except UnicodeDecodeError:
                self.encoding = "cp1252"
                text = raw.decode("cp1252", errors="replace")
        self._sample = text
        return text

    def _peek_csv(self, n: int) -> list[list[str]]:
        """The first ``n`` records; ``self._record_end[i]`` is the physical line record i
        ends on (a quoted title may span lines, and Arrow skips physical lines)."""
        text = self._sample_text()
        first = text.split("\n", 1)[0].split("\r", 1)[0]
        if len(first) > csv.field_size_limit():
            raise InputError(
                f"line 1 holds a field of more than {csv.field_size_limit() // 1024:,} KiB "
                f"({len(first):,}+ characters without a line break): no release has cells this "
                "large (a damaged file, or not a release table)",
                file=self.path.name,
            )
        if self.delimiter is None:
            self.delimiter = _guess_delimiter(text.splitlines()[: n + 1])
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        rows: list[list[str]] = []
        self._record_end: list[int] = []
        try:
            for row in reader:
                rows.append(row)
                self._record_end.append(reader.line_num)
                if len(rows) >= n:
                    break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(
                    f"line {reader.line_num + 1} holds a field of more than "
                    f"{csv.field_size_limit() // 1024:,} KiB: no release has cells this large "
                    "(a damaged file, or not a release table)",
                    file=self.path.name,
                ) from exc
            # otherwise a record cut by the sample's end: the rows read so far are enough
        return rows

    def csv_pieces(self, header_row: int, headers: list[str]) -> Iterator[RawSheet]:
        """The data rows below ``header_row``, in chunks (``ingest/csv_chunks.py``), every
        column as text. As wide as the widest of the first rows: a trailing delimiter on every
        line, or a data column with no header, must not break the read (extra columns are
        kept). Row numbers are physical lines."""
        peeked = self._peek_csv(PEEK_ROWS)
        width = max([len(headers), *(len(r) for r in peeked[header_row:])])
        names = [f"c{i}" for i in range(width)]
        header_end = self._record_end[header_row]  # physical lines through the header
        newline = b"\n" if "\n" in self._sample else b"\r"
        chunks = CsvChunks(
            self._open_text,
            encoding=self.encoding,
            delimiter=self.delimiter or ",",
            names=names,
            skip_lines=header_end,
            newline=newline,
        )
        index = 0
        try:
            for chunk in chunks:
                yield RawSheet(
                    headers=headers,
                    table=chunk.table,
                    first_row=chunk.first_line,
                    last=chunk.last,
                    index=index,
                )
                index += 1
        except CsvProblem as exc:
            raise InputError(str(exc), file=self.path.name, row=exc.line) from exc
        except READ_ERRORS as exc:
            raise InputError(f"cannot read: {_short(exc)}", file=self.path.name) from exc


def _xlsx_sheet_names(path: Path) -> list[str | None]:
    """Worksheet names in workbook order ([] when the file is not a plain xlsx)."""
    try:
        with zipfile.ZipFile(path) as z:
            return [name for name, target in sheet_paths(z).items() if "/worksheets/" in target]
    except Exception:
        return []


def _sheet_key(sheet: str | None) -> str | int:
    return 0 if sheet is None else sheet


def _guess_delimiter(lines: list[str]) -> str:
    """The delimiter that gives the most consistent, widest rows in the sample."""
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d) if r]
        except csv.Error:  # a field over the limit: the read below says where
            continue
        if not widths:
            continue
        top = max(widths)
        if top < 2:
            continue
        score = top * sum(1 for w in widths if w == top) / len(widths)
        if score > best_score:
            best, best_score = d, score
    return best


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


_DIMENSION = re.compile(rb"<dimension [^>]*/>")


def _strip_dimensions(path: Path) -> bytes:
    """Rewrite the workbook in memory without <dimension> tags (they are optional)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                data = _DIMENSION.sub(b"", data, count=1)
            dst.writestr(item, data)
    return out.getvalue()
