"""Memory on hostile workbooks: small xlsx files that are huge to parse, ingested whole-process.

Target (the "bounded resources" work): every such input either loads or is refused with one
line, the ``icefacts ingest`` process peaking under 2 GiB, and a refused file leaves the
warehouse as it was.

The workbooks are well-formed OOXML written here with ``zipfile`` streaming (tens of MB of
memory to build), each with a national-layout (lesa-national) arrests sheet: the FOIA title
rows and the nine-column header of ``icefacts.synth.layouts``, rows drawn from
``icefacts.synth``'s national arrests (text in the shared-string table, dates as date-styled
numbers). Variants:

* ``styled_cells``: about 5.5 GB of sheet XML in about 24 MB: 300,000 rows (about a
  national fiscal year), each row's nine cells followed by about 1,800 styled empty cells
  (``<c s="2"/>``, a fill style; no cell reference: the ``r`` attribute is optional in
  SpreadsheetML, and a cell without one is the next column), so the sheet spans about 1,810
  columns; no ``<dimension>`` tag. Such a file comes from formatting applied to whole rows.
* ``shared_strings_1g``: the shared-string table inflates to about 1 GB (a million long,
  distinct strings, few used), beside a small sheet; over the shared-string limit (512 MB).
* ``shared_strings_500m``: the same at about 480 MiB, just under that limit, beside a full
  sheet (1,048,569 rows, about 320 MB of XML: parsed in parts, so each worker parses the
  table).
* ``shared_strings_short``: about 480 MiB of short distinct strings (``X0000001``: 21
  million of them), beside the same sheet: far more strings (each an allocation) in the same bytes.
* ``shared_strings_250m`` and ``shared_strings_short_250m``: the two above at 250 MiB, just
  under the default limit (256 MiB), beside the same sheet.
* ``far_reference``: a few hundred rows and one cell at ``XFD1048576`` (the last cell a
  worksheet has): parsed as a dense grid that is 17 billion cells.
* ``beyond_bounds``: one cell at ``XFE400``, a column no worksheet has.

Each variant is ingested with ``icefacts ingest FILE --db W.duckdb`` (as a user runs it; no
``-q``) into a copy of a small warehouse already holding one synthetic release. Recorded: exit
code, the lines printed, wall seconds, peak RSS (``ru_maxrss``, and a 20 ms sample of RSS plus
the memory files icefacts stages sheets in; bench/measure.py), and whether the warehouse's
tables and row counts are what they were (and its file bytes).

    python bench/memory_bench.py --work /tmp/memory-bench              # every variant, once
    python bench/memory_bench.py --work /tmp/memory-bench --variants far_reference beyond_bounds

Workbooks are cached in ``--work`` (about 150 MB in all). Results:
bench/results/memory-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb

from measure import measure, own_peak_mib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_MIB = 2048
GENERATOR_VERSION = 3  # bump when what a variant writes changes: cached files are rebuilt
MAX_ROWS = 1_048_576
POOL_ROWS = 1009  # distinct data rows, cycled (a prime: no alignment with anything)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STYLE_DATE, STYLE_FILL = 1, 2
STYLES = (
    f'{HEAD}<styleSheet xmlns="{NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


# --- writing workbooks ---------------------------------------------------------------------


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Strings:
    """The shared-string table: the strings the sheet uses, then any extra ones."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, s: str) -> int:
        if s not in self.index:
            self.index[s] = len(self.index)
        return self.index[s]

    def entries(self) -> Iterator[str]:
        for s in self.index:
            space = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
            yield f"<si><t{space}>{xml_text(s)}</t></si>"


def national_rows() -> tuple[list[str], list[str], list[list[Any]]]:
    """Title lines, header and ``POOL_ROWS`` rows of synthetic national arrests (values: str,
    an int Excel serial day for a date, or None for an empty cell)."""
    from icefacts.synth.release import build

    (arrests,) = [t for t in build(POOL_ROWS, seed=7, families=["A"]) if t.name == "arrests"]
    cols = [arrests.columns[h] for h in arrests.headers]
    cells = [c.cells() for c in cols]
    rows = [[cells[j][i] for j in range(len(cols))] for i in range(arrests.rows)]
    return list(arrests.title), list(arrests.headers), rows


def row_templates(rows: list[list[Any]], strings: Strings) -> list[str]:
    """One ``%(n)d``-templated cell run per data row (cells carry their references)."""
    out = []
    for row in rows:
        cs = []
        for j, v in enumerate(row):
            ref = f"{column_letter(j)}%(n)d"
            if v is None or v == "":
                continue
            if isinstance(v, str):
                cs.append(f'<c r="{ref}" t="s"><v>{strings.add(v)}</v></c>')
            else:
                cs.append(f'<c r="{ref}" s="{STYLE_DATE}"><v>{int(v)}</v></c>')
        out.append("".join(cs))
    return out


def top_rows(title: list[str], header: list[str], strings: Strings) -> tuple[str, int]:
    """Title rows (one cell each, blank lines as empty rows) and the header row."""
    out = []
    for r, cells in enumerate([[t] for t in title] + [header], start=1):
        cs = "".join(
            f'<c r="{column_letter(j)}{r}" t="s"><v>{strings.add(v)}</v></c>'
            for j, v in enumerate(cells)
            if v
        )
        out.append(f'<row r="{r}">{cs}</row>')
    return "".join(out), len(title) + 1


class Counter:
    """Wraps a zip member being written: counts the bytes written."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.n = fh, 0

    def write(self, s: str) -> None:
        b = s.encode("utf-8")
        self.fh.write(b)
        self.n += len(b)


def write_workbook(
    path: Path,
    strings: Strings,
    sheet: Callable[[Counter], None],
    extra_strings: Callable[[Counter], None] | None = None,
    level: int = 9,
) -> dict[str, int]:
    """A one-sheet workbook; the sheet's XML (and optional extra shared strings) streamed."""
    tmp = path.with_suffix(".partial")
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'{HEAD}<Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
            "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'{HEAD}<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/workbook.xml",
            f'{HEAD}<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Arrests" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{HEAD}<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        zf.writestr("xl/styles.xml", STYLES)
        # the sheet's strings are all in the table already (the row templates are built
        # when the sheet writer is made), so the table goes first and the sheet streams after
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            c = Counter(fh)
            c.write(f'{HEAD}<sst xmlns="{NS}">')
            buf: list[str] = []
            for e in strings.entries():
                buf.append(e)
                if len(buf) >= 10_000:
                    c.write("".join(buf))
                    buf.clear()
            c.write("".join(buf))
            if extra_strings is not None:
                extra_strings(c)
            c.write("</sst>")
            sizes["shared_strings_xml_bytes"] = c.n
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            c = Counter(fh)
            sheet(c)
            sizes["sheet_xml_bytes"] = c.n
    tmp.rename(path)
    sizes["file_bytes"] = path.stat().st_size
    return sizes


def data_sheet(
    strings: Strings,
    n_rows: int,
    filler_cells: int = 0,
    tail: str = "",
) -> Callable[[Counter], None]:
    """A sheet of the title rows, header and ``n_rows`` national rows; each row followed by
    ``filler_cells`` styled empty cells without references; ``tail`` rows appended."""
    title, header, pool = national_rows()
    top, n_top = top_rows(title, header, strings)
    templates = row_templates(pool, strings)
    filler = f'<c s="{STYLE_FILL}"/>' * filler_cells
    rows = [f'<row r="%(n)d">{t}{filler}</row>' for t in templates]

    def write(out: Counter) -> None:
        out.write(f'{HEAD}<worksheet xmlns="{NS}"><sheetData>{top}')
        buf: list[str] = []
        size = 0
        for i in range(n_rows):
            s = rows[i % POOL_ROWS] % {"n": n_top + 1 + i}
            buf.append(s)
            size += len(s)
            if size >= 8 << 20:
                out.write("".join(buf))
                buf.clear()
                size = 0
        out.write("".join(buf))
        out.write(f"{tail}</sheetData></worksheet>")

    return write


def long_strings(total_bytes: int, length: int = 1000) -> Callable[[Counter], None]:
    """Distinct strings of about ``length`` characters until ``total_bytes`` of XML."""
    stem = ("FACILITY " + "NAME WITH A LONG DESCRIPTION ") * (length // 38 + 1)
    stem = stem[: length - 12]

    def write(out: Counter) -> None:
        buf: list[str] = []
        i = 0
        start = out.n
        while out.n - start < total_bytes:
            buf.append(f"<si><t>{stem} {i:011d}</t></si>")
            i += 1
            if len(buf) >= 4096:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))

    return write


def short_strings(total_bytes: int) -> Callable[[Counter], None]:
    """Distinct eight-character strings until ``total_bytes`` of XML: many strings (each one
    an allocation for the parser) in the bytes a table under the limit may hold."""

    def write(out: Counter) -> None:
        buf: list[str] = []
        i = 0
        start = out.n
        while out.n - start < total_bytes:
            buf.append(f"<si><t>X{i:07d}</t></si>")
            i += 1
            if len(buf) >= 65536:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))

    return write


def build_variant(name: str, path: Path, xml_bytes: float) -> dict[str, Any]:
    strings = Strings()
    data_rows = MAX_ROWS - 7  # under six title rows and the header
    if name == "styled_cells":
        # bytes per row: the data cells (about 250) plus 10 per filler cell
        rows = 300_000
        filler = max(0, round((xml_bytes / rows - 250) / 10))
        sizes = write_workbook(path, strings, data_sheet(strings, rows, filler))
        return {**sizes, "data_rows": rows, "filler_cells_per_row": filler}
    if name == "shared_strings_1g":
        sheet = data_sheet(strings, 500)
        sizes = write_workbook(path, strings, sheet, long_strings(1_000_000_000))
        return {**sizes, "data_rows": 500}
    if name == "shared_strings_500m":
        sheet = data_sheet(strings, data_rows)
        sizes = write_workbook(path, strings, sheet, long_strings(480 << 20))
        return {**sizes, "data_rows": data_rows}
    if name == "shared_strings_short":
        sheet = data_sheet(strings, data_rows)
        sizes = write_workbook(path, strings, sheet, short_strings(480 << 20))
        return {**sizes, "data_rows": data_rows}
    if name in ("shared_strings_250m", "shared_strings_short_250m"):  # under the 256 MiB limit
        sheet = data_sheet(strings, data_rows)
        make = short_strings if "short" in name else long_strings
        sizes = write_workbook(path, strings, sheet, make(250 << 20))
        return {**sizes, "data_rows": data_rows}
    if name == "far_reference":
        tail = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        sizes = write_workbook(path, strings, data_sheet(strings, 300, tail=tail))
        return {**sizes, "data_rows": 300, "far_cell": "XFD1048576"}
    if name == "beyond_bounds":
        tail = '<row r="400"><c r="XFE400"><v>1</v></c></row>'
        sizes = write_workbook(path, strings, data_sheet(strings, 300, tail=tail))
        return {**sizes, "data_rows": 300, "far_cell": "XFE400"}
    raise SystemExit(f"unknown variant {name}")


VARIANTS = (
    "styled_cells",
    "shared_strings_1g",
    "shared_strings_500m",
    "shared_strings_short",
    "shared_strings_250m",
    "shared_strings_short_250m",
    "far_reference",
    "beyond_bounds",
)


def workbook(name: str, work: Path, xml_bytes: float) -> tuple[Path, dict[str, Any]]:
    path = work / f"hostile-{name}.xlsx"
    marker = work / f"hostile-{name}.json"
    want = {"variant": name, "generator": GENERATOR_VERSION, "xml_bytes_asked": xml_bytes}
    if path.exists() and marker.exists():
        info = json.loads(marker.read_text())
        if {k: info.get(k) for k in want} == want and info.get("file_bytes") == (
            path.stat().st_size
        ):
            return path, {**info, "cached": True}
    t0 = time.perf_counter()
    info = {**want, **build_variant(name, path, xml_bytes)}
    info["build_seconds"] = round(time.perf_counter() - t0, 1)
    marker.write_text(json.dumps(info, indent=2) + "\n")
    return path, {**info, "cached": False}


# --- the warehouse -------------------------------------------------------------------------


def seed_warehouse(icefacts: Path, work: Path) -> Path:
    """A small warehouse holding one synthetic national release (built once)."""
    db = work / "seed.duckdb"
    if db.exists():
        return db
    src = work / "seed-release"
    shutil.rmtree(src, ignore_errors=True)
    for cmd in (
        [str(icefacts), "synth", "--out", str(src), "--rows", "20000", "--families", "A",
         "--tables", "arrests", "--seed", "3"],
        [str(icefacts), "ingest", "-q", "--db", str(work / "seed.building.duckdb"), str(src)],
    ):  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    (work / "seed.building.duckdb").rename(db)
    return db


def warehouse_state(db: Path) -> dict[str, Any]:
    """Every table and its row count, and a hash of the releases table; and the file's hash."""
    h = hashlib.sha256()
    with db.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
            ).fetchall()
        ]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]
        releases = con.execute("SELECT * FROM releases ORDER BY ALL").fetchall()
    finally:
        con.close()
    return {
        "tables": counts,
        "releases_sha256": hashlib.sha256(repr(releases).encode()).hexdigest()[:16],
        "file_sha256": h.hexdigest()[:16],
    }


# --- running -------------------------------------------------------------------------------


def run_variant(
    icefacts: Path, path: Path, seed: Path, work: Path, timeout: float
) -> dict[str, Any]:
    scratch = work / "run"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    db = scratch / "w.duckdb"
    shutil.copyfile(seed, db)
    before = warehouse_state(db)
    r = measure([str(icefacts), "ingest", str(path), "--db", str(db)], scratch, timeout)
    lines = [ln for ln in (r.pop("stdout") + r.pop("stderr")).splitlines() if ln.strip()]
    after = warehouse_state(db)
    loaded = r["exit_code"] == 0 and any(": loaded " in ln for ln in lines)
    r.update(
        lines=lines,
        one_line=len(lines) == 1,
        outcome="loaded" if loaded else "refused" if r["exit_code"] != 0 else "other",
        warehouse_before=before,
        warehouse_after=after,
        warehouse_unchanged=before["tables"] == after["tables"]
        and before["releases_sha256"] == after["releases_sha256"],
        warehouse_file_unchanged=before["file_sha256"] == after["file_sha256"],
        rows_added={
            t: after["tables"].get(t, 0) - n
            for t, n in before["tables"].items()
            if after["tables"].get(t, 0) != n
        },
        wal_left=Path(f"{db}.wal").exists(),
    )
    worst = max(r["maxrss_mib"], r["sampled_memory_once_mib"])
    r["peak_mib"] = round(worst, 1)
    r["within_target"] = worst < TARGET_MIB and (
        r["outcome"] == "loaded" or (r["one_line"] and r["warehouse_unchanged"])
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/icefacts-memory-bench"))
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--runs", type=int, default=1, help="runs of each variant")
    ap.add_argument("--xml-gb", type=float, default=5.5, help="styled_cells sheet XML, GB")
    ap.add_argument("--current", type=Path, default=ROOT, help="the checkout to measure")
    ap.add_argument("--timeout", type=float, default=1800, help="per ingest process")
    args = ap.parse_args()
    icefacts = args.current / ".venv" / "bin" / "icefacts"
    if not icefacts.exists():
        raise SystemExit(f"{icefacts} is missing: make -C {args.current} bytecode")
    args.work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "-C", str(args.current), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    t_start = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cores": len(os.sched_getaffinity(0)),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "icefacts": str(icefacts),
        "commit": commit,
        "command": "icefacts ingest FILE --db W.duckdb (a copy of a warehouse with one release)",
        "target": f"loads, or refused in one line with the warehouse unchanged; peak < "
        f"{TARGET_MIB} MiB",
        "variants": {},
    }
    seed = seed_warehouse(icefacts, args.work)
    for name in args.variants:
        path, info = workbook(name, args.work, args.xml_gb * 1e9)
        print(
            f"\n{name}: {info['file_bytes'] / 1e6:,.1f} MB on disk, sheet XML "
            f"{info['sheet_xml_bytes'] / 1e9:,.2f} GB, shared strings "
            f"{info['shared_strings_xml_bytes'] / 1e6:,.1f} MB "
            f"({'cached' if info['cached'] else 'built in {} s'.format(info['build_seconds'])})",
            flush=True,
        )
        runs = []
        for _ in range(max(args.runs, 1)):
            r = run_variant(icefacts, path, seed, args.work, args.timeout)
            runs.append(r)
            print(
                f"  exit {r['exit_code']}, {r['wall_s']:.1f} s, peak RSS {r['maxrss_mib']:,.0f} "
                f"MiB (sampled RSS + memory files {r['sampled_rss_plus_memfd_mib']:,.0f} MiB, "
                f"counted once {r['sampled_memory_once_mib']:,.0f} MiB), "
                f"{r['outcome']}, warehouse "
                f"{'unchanged' if r['warehouse_unchanged'] else 'changed: ' + str(r['rows_added'])}"
                f"\n  {len(r['lines'])} line(s): " + " | ".join(r["lines"])[:600],
                flush=True,
            )
        results["variants"][name] = {"workbook": info, "runs": runs}
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    results["bench_process_peak_mib"] = round(own_peak_mib(), 1)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dest = HERE / "results" / f"memory-{stamp}.json"
    dest.write_text(json.dumps(results, indent=2) + "\n")
    print("\n| variant | on disk | sheet XML | shared strings | exit | outcome | wall | peak RSS "
          "| RSS + memory files (once) | warehouse |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for name, v in results["variants"].items():
        w = v["workbook"]
        for r in v["runs"]:
            print(
                f"| {name} | {w['file_bytes'] / 1e6:,.1f} MB | {w['sheet_xml_bytes'] / 1e9:,.2f} "
                f"GB | {w['shared_strings_xml_bytes'] / 1e6:,.0f} MB | {r['exit_code']} | "
                f"{r['outcome']} | {r['wall_s']:.1f} s | {r['maxrss_mib']:,.0f} MiB | "
                f"{r['sampled_memory_once_mib']:,.0f} MiB | "
                f"{'unchanged' if r['warehouse_unchanged'] else 'changed'} |"
            )
    print(f"\nwhole run: {results['seconds']:.0f} s; wrote {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
