"""Read a sheet (or a CSV file) into an Arrow table of strings, exactly as released.

Every cell is read as text so nothing is lost or guessed: typing happens in ``clean``.
Excel goes through calamine (fastexcel), CSV and gzip CSV through Arrow's CSV reader.
Memory stays bounded by one sheet: callers read, clean and load one sheet at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import fastexcel
import pyarrow as pa
import pyarrow.csv as pacsv

from icefacts.errors import InputError
from icefacts.ingest.sniff import FileKind

PEEK_ROWS = 30
DELIMITERS = ("|", ",", "\t", ";")


@dataclass
class RawSheet:
    """A sheet as released: strings by column position, and where each row sits."""

    headers: list[str]  # header cells as released (by position)
    table: pa.Table  # string columns c0..cN in header order
    first_row: int  # 1-based sheet row / file line of the first data row


class Workbook:
    """One file: a workbook with sheets, or a CSV file with a single unnamed sheet."""

    def __init__(self, path: Path, kind: FileKind) -> None:
        self.path = path
        self.kind = kind
        self.delimiter: str | None = None
        self.encoding = "utf-8"
        self._reader: fastexcel.ExcelReader | None = None
        if kind in ("xlsx", "xls"):
            self._reader = _open_excel(path)

    @property
    def sheet_names(self) -> list[str | None]:
        if self._reader is None:
            return [None]
        return list(self._reader.sheet_names)

    def peek(self, sheet: str | None, n: int = PEEK_ROWS) -> list[list[str]]:
        """The first ``n`` rows as lists of strings ('' for empty cells)."""
        if self._reader is None:
            return self._peek_csv(n)
        try:
            batch = self._reader.load_sheet(
                _sheet_key(sheet), header_row=None, n_rows=n, dtypes="string", skip_rows=0
            )
            rows = batch.to_arrow().to_pylist()
        except Exception as exc:  # calamine raises its own error types
            if "no data" in str(exc).lower() or "empty" in str(exc).lower():
                return []
            raise InputError(
                f"cannot read sheet: {_short(exc)}", file=self.path.name, sheet=sheet
            ) from exc
        return [["" if v is None else str(v) for v in r.values()] for r in rows]

    def read(self, sheet: str | None, header_row: int, headers: list[str]) -> RawSheet:
        """Read all data rows below ``header_row`` (0-based) as strings."""
        width = len(headers)
        if self._reader is None:
            return self._read_csv(header_row, headers)
        try:
            loaded = self._reader.load_sheet(
                _sheet_key(sheet),
                header_row=header_row,
                dtypes="string",
                skip_whitespace_tail_rows=True,
                use_columns=list(range(width)),
            )
            table = pa.table(loaded.to_arrow())
        except Exception as exc:
            raise InputError(
                f"cannot read sheet: {_short(exc)}",
                file=self.path.name,
                sheet=sheet,
                row=header_row + 1,
            ) from exc
        table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
        return RawSheet(headers=headers, table=table, first_row=header_row + 2)

    # -- CSV -------------------------------------------------------------------------------

    def _open_text(self) -> BinaryIO:
        if self.kind == "csv.gz":
            return cast(BinaryIO, gzip.open(self.path, "rb"))
        return self.path.open("rb")

    def _sample_text(self, limit: int = 1 << 18) -> str:
        with self._open_text() as f:
            raw = f.read(limit)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw[: len(raw) - 4].decode("utf-8-sig")
                text.encode()
            except UnicodeDecodeError:
                self.encoding = "cp1252"
                text = raw.decode("cp1252")
        return text

    def _peek_csv(self, n: int) -> list[list[str]]:
        text = self._sample_text()
        lines = text.splitlines()[: n + 1]
        if self.delimiter is None:
            self.delimiter = _guess_delimiter(lines)
        return [row for row in csv.reader(lines, delimiter=self.delimiter)][:n]

    def _read_csv(self, header_row: int, headers: list[str]) -> RawSheet:
        if self.delimiter is None:
            self._peek_csv(PEEK_ROWS)
        names = [f"c{i}" for i in range(len(headers))]
        try:
            with self._open_text() as f:
                table = pacsv.read_csv(
                    f,
                    read_options=pacsv.ReadOptions(
                        skip_rows=header_row + 1,
                        column_names=names,
                        encoding="utf8" if self.encoding == "utf-8" else self.encoding,
                        block_size=1 << 24,
                    ),
                    parse_options=pacsv.ParseOptions(delimiter=self.delimiter or ","),
                    convert_options=pacsv.ConvertOptions(
                        column_types={c: pa.string() for c in names},
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=True,
                        null_values=[""],
                    ),
                )
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise InputError(f"cannot parse CSV: {_short(exc)}", file=self.path.name) from exc
        return RawSheet(headers=headers, table=table, first_row=header_row + 2)


def _sheet_key(sheet: str | None) -> str | int:
    return 0 if sheet is None else sheet


def _guess_delimiter(lines: list[str]) -> str:
    """The delimiter that gives the most consistent, widest rows in the sample."""
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=d) if r]
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


def _open_excel(path: Path) -> fastexcel.ExcelReader:
    try:
        reader = fastexcel.read_excel(path)
        # Touch every sheet's range once: some producers write <dimension ref="1:1416"/>
        # (no column letters), which calamine refuses when loading the sheet.
        for name in reader.sheet_names:
            reader.load_sheet(name, header_row=None, n_rows=1, dtypes="string")
        return reader
    except Exception as exc:
        if "Range is missing" in str(exc) or "dimension" in str(exc).lower():
            return fastexcel.read_excel(_strip_dimensions(path))
        raise InputError(f"cannot open workbook: {_short(exc)}", file=path.name) from exc


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
