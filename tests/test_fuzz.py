"""Fuzz `icefacts ingest` with mutated real and synthetic release files (hypothesis).

The rule for bad input, asserted for every mutated file: the ingest exits 0 or 2; never a
Python traceback, never "unexpected ... please report it" (the pipeline's marker of a bug);
on exit 2 the warehouse is unchanged (it already holds two good releases, so that means
something) and stderr is one line, "error <file>...", naming the file. A crash of the
interpreter (a native library aborting) and a hang are failures too, so the CLI runs in a
long-lived worker process (the same in-process `cli.main()` as the ``run_cli`` fixture, but
in a child that may die): a crash or a hang fails the example and a fresh worker takes over,
instead of taking the whole test session down.

Inputs (seeds): tiny hand-made and synthetic releases, always available -- the national-layout
fixture CSV (gzip and plain), a 300-row synthetic family A arrests .csv.gz (and plain), a
300-row synthetic family C arrests .xlsx -- plus, when ../shared/data is there, a few small
real files read in place (the first 3,000 lines of the national FY2017 arrests, written to a
temporary .csv.gz; two small non-release CSVs; the Seattle CAP workbook). Nothing of the real
data is written into the repository.

Mutations (each a list of operations drawn by hypothesis, so a failure prints its own
reproducer: feed the printed case to the ``apply_*`` function of its test): raw byte flips,
sets, inserts, deletes, repeats and truncation, of the file or of its inner bytes (the text
inside the gzip, one member of the workbook); structure-aware CSV edits (delimiters and quotes
dropped or doubled, NUL and invalid UTF-8 bytes, very long fields, CR-only or mixed line
endings, title and header lines shuffled, deleted, doubled or blanked, header cells renamed or
duplicated, dates replaced by garbage, UTF-16 and cp1252, gzip/plain swapped, gzip twice or in
two members); structure-aware xlsx edits of the members' XML (a tag or element deleted,
shared-string indexes, cell types, row and cell references, values, styles, the
``<dimension>``, sheet names, string counts, the date system, truncation, junk inserted) and
of the zip (a member dropped, renamed, duplicated or stored; its data, the central directory
or header fields corrupted; cut; junk before or after). Workbooks are also read through the
two-core parts reader (``ICEFACTS_SPLIT_MIN_BYTES``) so that path is fuzzed on small sheets.

Repeatable (``derandomize``); about a minute and a half on two cores. Hunting for bugs:
``ICEFACTS_FUZZ_EXAMPLES=1000`` spreads about that many examples over the tests (in the same
proportions); ``ICEFACTS_FUZZ_KEEP=/some/dir`` (outside the repository) keeps every failing
input there.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import multiprocessing
import os
import random
import re
import shutil
import signal
import sys
import time
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, composite

from tests.conftest import SHARED
from tests.fixtures import national_arrests, national_csv

pytestmark = pytest.mark.slow

# -- budget ---------------------------------------------------------------------------------

# examples per test at the committed settings (a parametrized test: per seed)
_DEFAULTS = {"bytes": 8, "csv": 18, "forms": 10, "xlsx_xml": 40, "xlsx_zip": 25, "cap": 2}
_N_SEEDS = {"bytes": 7, "csv": 6, "forms": 4, "xlsx_xml": 1, "xlsx_zip": 1, "cap": 1}
_TOTAL = sum(_DEFAULTS[k] * _N_SEEDS[k] for k in _DEFAULTS)
TIMEOUT = 60  # seconds for one ingest (these take well under 3 s): longer is a hang
WORKER_MEMORY = 8 << 30  # bytes of address space for the worker (an ingest here peaks near 3 GiB)


def _examples(test: str) -> int:
    wanted = os.environ.get("ICEFACTS_FUZZ_EXAMPLES", "").strip()
    if not wanted:
        return _DEFAULTS[test]
    return max(1, round(_DEFAULTS[test] * int(wanted) / _TOTAL))


def _settings(test: str) -> settings:
    # Shrinking re-runs ingests for minutes; a failing case is small and repeatable anyway,
    # so it is off unless ICEFACTS_FUZZ_SHRINK=1 (then a failure is minimised before it shows).
    phases = [Phase.explicit, Phase.generate]
    if os.environ.get("ICEFACTS_FUZZ_SHRINK", "").strip() == "1":
        phases.append(Phase.shrink)
    return settings(
        max_examples=_examples(test),
        deadline=None,
        derandomize=True,
        database=None,
        phases=phases,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# -- seeds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str  # the file name the mutated copies keep (detection reads file names too)
    path: Path


REAL_CSV = {
    "grant": "uwchr-wa-county-jail-detainers/grant_county_detainers.csv",
    "delano": "npr-ice-detainers-fy2008-2015-subsets/DELANO.csv",
}
REAL_NATIONAL = "uwchr-ero-lesa-national-fy2016-2019/EROArrests_FY2017.csv.gz"
REAL_CAP = "uwchr-seattle-aor-2012-2019/original_2018-ICFO-36170_Seattle_CAP_FY2017-2018.xlsx"
REAL_CUT_LINES = 3000

CSV_SEEDS = ["national", "synth_a", "real_cut", "grant", "delano", "synth_a_plain"]
BYTE_SEEDS = ["national", "national_plain", "synth_a", "real_cut", "grant", "delano", "synth_c"]


def make_seeds(d: Path) -> dict[str, Seed]:
    """The seed files, written into ``d`` (real files are read in place, or cut into ``d``)."""
    from icefacts.synth import generate

    out: dict[str, Seed] = {}
    nat = national_csv(d / "EROArrests_FY2017.csv.gz")
    out["national"] = Seed(nat.name, nat)
    plain = national_csv(d / "EROArrests_FY2017.csv", gz=False)
    out["national_plain"] = Seed(plain.name, plain)
    generate(d / "a", rows=300, seed=1, families=["A"], tables=["arrests"])
    (a,) = (d / "a").glob("*.csv.gz")
    out["synth_a"] = Seed(a.name, a)
    a_plain = d / "a" / a.name.removesuffix(".gz")
    a_plain.write_bytes(gzip.decompress(a.read_bytes()))
    out["synth_a_plain"] = Seed(a_plain.name, a_plain)
    generate(d / "c", rows=300, seed=1, families=["C"], tables=["arrests"])
    (c,) = (d / "c").glob("*.xlsx")
    out["synth_c"] = Seed(c.name, c)
    national = SHARED / REAL_NATIONAL
    if national.exists():
        with gzip.open(national, "rb") as f:
            head = b"".join(f.readline() for _ in range(REAL_CUT_LINES))
        (d / "real").mkdir()
        cut = d / "real" / national.name
        cut.write_bytes(gzip.compress(head, mtime=0))
        out["real_cut"] = Seed(cut.name, cut)
    for key, rel in REAL_CSV.items():
        if (SHARED / rel).exists():
            out[key] = Seed(Path(rel).name, SHARED / rel)
    if (SHARED / REAL_CAP).exists():
        out["cap"] = Seed(Path(REAL_CAP).name, SHARED / REAL_CAP)
    return out


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Seed]:
    return make_seeds(tmp_path_factory.mktemp("fuzz-seeds"))


def _seed(seeds: dict[str, Seed], key: str) -> Seed:
    if key not in seeds:
        pytest.skip(f"real data not available for fuzz seed {key!r}")
    return seeds[key]


# -- the warehouse --------------------------------------------------------------------------

SNAPSHOT_TABLES = (
    "releases",
    "raw_sheets",
    "validation",
    "field_stats",
    "unknown_values",
    "release_scope",
    "link_places",
    "link_cells",
    "arrests_all",
    "encounters_all",
    "detainers_all",
    "removals_all",
    "detentions_all",
)


def snapshot(db: Path) -> tuple[object, ...]:
    """Row counts of the bookkeeping tables and public views, the release ids, and how many
    cells count."""
    con = duckdb.connect(str(db), read_only=True)
    try:

        def one(sql: str) -> object:
            row = con.execute(sql).fetchone()
            assert row is not None
            return row[0]

        counts = tuple(one(f"SELECT count(*) FROM {t}") for t in SNAPSHOT_TABLES)
        ids = one("SELECT list(release_id ORDER BY release_id) FROM releases")
        return (*counts, ids, one("SELECT count(*) FILTER (WHERE counted) FROM link_cells"))
    finally:
        con.close()


@dataclass(frozen=True)
class Base:
    db: Path
    before: tuple[object, ...]


def make_base(d: Path) -> Base:
    """A warehouse holding two good releases (families A and C) whose days overlap the
    seeds': each example ingests into a fresh copy of it."""
    from icefacts import api
    from icefacts.synth import generate

    good_a = national_arrests(
        d / "EROArrests_FY2017_base.csv.gz",
        2017,
        {
            "Seattle Area of Responsibility": ["10/3/2016", "11/5/2016", "9/25/2017"],
            "Chicago Area of Responsibility": ["12/24/2016"],
        },
    )
    generate(d / "c", rows=40, seed=2, families=["C"], tables=["arrests"])
    (good_c,) = (d / "c").glob("*.xlsx")
    db = d / "base.duckdb"
    with api.open_warehouse(db) as wh:
        reports = api.ingest(wh, [good_a, good_c])
    assert [r.status for r in reports] == ["loaded", "loaded"], [r.message for r in reports]
    assert not Path(f"{db}.wal").exists()
    return Base(db, snapshot(db))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("fuzz-base"))


# -- the CLI, in a worker process -----------------------------------------------------------


def _serve(conn: Any, native: str) -> None:
    """The worker: run `icefacts` in-process for each request (argv, environment), reply
    (exit code, stdout, stderr, traceback of an exception that escaped). Native output (a
    library writing to fd 1/2, a Rust panic) goes to the file ``native``, cleared per request;
    SIGUSR1 dumps every thread's stack there."""
    import faulthandler
    import resource

    # A small file that makes a library allocate more than this is a bug of its own; the
    # cap makes it fail at once instead of taking the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    fd = os.open(native, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    os.environ["COLUMNS"] = "80"  # narrow: messages must not wrap
    from icefacts import cli

    while True:
        try:
            args, env = conn.recv()
        except EOFError:
            return
        os.ftruncate(fd, 0)
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        sys.argv = ["icefacts", *args]
        out, err = io.StringIO(), io.StringIO()
        code, tb = 0, None
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:
            code, tb = 1, traceback.format_exc()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        conn.send((code, out.getvalue(), err.getvalue(), tb))


@dataclass
class Outcome:
    code: int | None  # None: no answer (the worker died or hung)
    out: str = ""
    err: str = ""
    traceback: str | None = None
    native: str = ""  # what native code wrote to fd 1/2
    died: int | None = None  # the worker's exit code (negative: killed by that signal)
    hung: bool = False


@dataclass
class Worker:
    """A long-lived child process running the CLI; restarted after a crash or a hang."""

    scratch: Path
    proc: Any = None
    conn: Any = None
    starts: int = 0
    native: Path = field(default_factory=Path)

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited threads
        self.conn, child = ctx.Pipe()
        self.starts += 1
        self.native = self.scratch / f"native-{self.starts}.txt"
        self.proc = ctx.Process(
            target=_serve, args=(child, str(self.native)), daemon=True, name="icefacts-fuzz"
        )
        self.proc.start()
        child.close()

    def _native(self) -> str:
        with contextlib.suppress(OSError):
            return self.native.read_bytes().replace(b"\0", b"").decode("utf-8", "replace")
        return ""

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(10)
            self.conn.close()
        self.proc = self.conn = None

    def run(self, args: list[str], env: dict[str, str], timeout: float = TIMEOUT) -> Outcome:
        if self.proc is None or not self.proc.is_alive():
            self.stop()
            self._start()
        self.conn.send((args, env))
        if not self.conn.poll(timeout):
            os.kill(self.proc.pid, signal.SIGUSR1)  # every thread's stack, into the native file
            time.sleep(1.0)
            native = self._native()
            self.stop()
            return Outcome(None, native=native, hung=True)
        try:
            code, out, err, tb = self.conn.recv()
        except (EOFError, OSError):
            self.proc.join(10)
            died = self.proc.exitcode
            native = self._native()
            self.stop()
            return Outcome(None, native=native, died=died)
        return Outcome(code, out, err, tb, self._native())


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(tmp_path_factory.mktemp("fuzz-worker"))
    yield w
    w.stop()


# -- the check ------------------------------------------------------------------------------

_UNEXPECTED = re.compile(r"unexpected .*please report", re.IGNORECASE | re.DOTALL)


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _note(text: str, how: Any = note) -> None:
    """``note`` (or ``event``) inside a hypothesis example; nothing outside one."""
    with contextlib.suppress(InvalidArgument):
        how(text)


def _outcome_kind(name: str, r: Outcome) -> str:
    """The report without names and numbers: 'loaded', 'copy', 'error: ... no data rows'."""
    if r.code == 0:
        first = r.out.split(":", 2)[1] if r.out.count(":") >= 1 else r.out
        return "exit 0: " + " ".join(first.split()[:2])
    text = r.err.replace(name, "FILE")
    text = re.sub(r"'[^']*'|\d[\d,.]*", "_", text)
    return "exit 2: " + " ".join(text.split())[:70]


def check_ingest(
    worker: Worker, work: Path, base: Base, name: str, data: bytes, env: dict[str, str]
) -> Outcome:
    """Ingest ``data`` (a file called ``name``) into a copy of the base warehouse; assert the
    rule for bad input."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    path = work / name
    path.write_bytes(data)
    db = work / "w.duckdb"
    shutil.copyfile(base.db, db)
    _note(f"{len(data):,} bytes as {name!r}; env {env}")
    try:
        r = worker.run(["ingest", "-q", "--db", str(db), str(path)], env)
        _note(f"exit {r.code}\nstdout: {r.out}\nstderr: {r.err}\nnative output: {r.native}")
        assert not r.hung, f"no result after {TIMEOUT} s (a hang); stacks:\n{r.native}"
        if r.code is None:
            try:
                kept = "unchanged" if snapshot(db) == base.before else "CHANGED"
            except Exception as exc:
                kept = f"unreadable ({exc})"
            raise AssertionError(
                f"the process died ({_signal_name(r.died)}; the warehouse is {kept}):\n{r.native}"
            )
        assert r.traceback is None, f"traceback from `icefacts ingest`:\n{r.traceback}"
        text = r.out + r.err
        assert r.code in (0, 2), f"exit code {r.code}: {text}"
        assert "Traceback" not in text + r.native, text + r.native
        assert not _UNEXPECTED.search(text), f"a bug by the pipeline's own account: {text}"
        lines = [ln for ln in r.err.splitlines() if ln.strip()]
        _note(_outcome_kind(name, r), event)  # --hypothesis-show-statistics: what inputs reach
        if r.code == 2:
            assert len(lines) == 1, f"not one line on stderr: {r.err!r}"
            assert lines[0].startswith("error "), f"not an error line: {r.err!r}"
            assert name in lines[0], f"the message does not name the file: {r.err!r}"
            assert snapshot(db) == base.before, f"a failed ingest changed the warehouse: {r.err}"
        else:
            assert not lines, f"exit 0 but stderr: {r.err!r}"
            assert r.out.strip(), "exit 0 but no report line"
    except BaseException:
        keep = os.environ.get("ICEFACTS_FUZZ_KEEP")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(keep) / f"{len(list(Path(keep).iterdir())):04d}-{name}")
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return r


def _w(words: str) -> list[str]:
    return words.split()


# -- byte mutations -------------------------------------------------------------------------

POS = st.integers(0, 2**31 - 1)  # taken modulo the length (shrinks towards the start)
BYTE_OP = st.one_of(
    st.tuples(st.just("flip"), POS, st.integers(0, 7)),
    st.tuples(st.just("set"), POS, st.integers(0, 255)),
    st.tuples(st.just("insert"), POS, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), POS, st.integers(1, 256)),
    st.tuples(st.just("truncate"), POS),
    st.tuples(st.just("repeat"), POS, st.integers(1, 512), st.integers(2, 50)),
)


def apply_bytes(data: bytes, ops: list[tuple]) -> bytes:
    buf = bytearray(data)
    for op in ops:
        if not buf:
            break
        at = op[1] % len(buf)
        if op[0] == "flip":
            buf[at] ^= 1 << op[2]
        elif op[0] == "set":
            buf[at] = op[2]
        elif op[0] == "insert":
            buf[at:at] = op[2]
        elif op[0] == "delete":
            del buf[at : at + op[2]]
        elif op[0] == "truncate":
            del buf[at:]
        elif op[0] == "repeat":
            buf[at:at] = bytes(buf[at : at + op[2]]) * op[3]
    return bytes(buf)


# -- CSV text mutations ---------------------------------------------------------------------

PAYLOADS = [  # NUL, invalid UTF-8 (a lone lead byte, an encoded surrogate), a BOM, cp1252 ...
    *b'\x00 \xff \xc3 \xed\xa0\x80 \xef\xbb\xbf \xe9 " "" | , ; \\ \x1a (b)(6)'.split(b" "),
    *(b"\r", b"\n", b"\r\n", b"\t", b"=cmd|' /C calc'!A0"),
    "\u00c1rea de Responsabilidad".encode(),
    "\u2028".encode(),
]
GARBAGE_DATES = [
    *_w("soon 13/45/2017 0/0/0 2/30/2017 2017-02-30 9/25/17 25/09/2017 1/1/1 12/31/9999"),
    "1/1/0001",
    *_w("99999999 45182 45182.5 1e308 NaN -1 -- 2017-09-25T08:00:00"),
    "",
    " ",
    "(b)(6), (b)(7)(c)",
    "2017-09-25 25:61:61",
    "9/25/2017 8:00 AM",
    "\u0661/\u0662/\u0662\u0660\u0661\u0667",  # Arabic-Indic digits
]
HEADER_EDITS = ["upper", "lower", "spaces", "empty", "dup", "suffix", "quote", "bom", "nbsp"]

LINE = st.integers(0, 10_000)
CSV_OP = st.one_of(
    st.tuples(st.just("drop_delim"), LINE, st.integers(0, 30)),
    st.tuples(st.just("dup_delim"), LINE, st.integers(0, 30)),
    st.tuples(st.just("insert"), LINE, POS, st.sampled_from(PAYLOADS)),
    st.tuples(st.just("drop_quotes"), LINE),
    st.tuples(
        st.just("long_field"), LINE, st.integers(0, 30), st.sampled_from([5_000, 70_000, 140_000])
    ),
    st.tuples(st.just("endings"), st.sampled_from(["cr", "crlf", "mixed", "none_at_end", "lf_cr"])),
    st.tuples(st.just("shuffle_head"), st.integers(0, 2**16)),
    st.tuples(st.just("delete_line"), LINE),
    st.tuples(st.just("dup_line"), LINE),
    st.tuples(st.just("blank_lines"), LINE, st.integers(1, 40)),
    st.tuples(st.just("delete_head"), st.integers(1, 8)),
    st.tuples(st.just("blank_header")),
    st.tuples(st.just("header_cell"), st.integers(0, 30), st.sampled_from(HEADER_EDITS)),
    st.tuples(st.just("dates"), st.integers(1, 7), st.sampled_from(GARBAGE_DATES)),
    st.tuples(st.just("date_cell"), LINE, st.sampled_from(GARBAGE_DATES)),
    st.tuples(st.just("swap_delim"), LINE, st.sampled_from([b",", b"\t", b";", b"|", b"||"])),
    st.tuples(st.just("truncate"), POS),
    st.tuples(st.just("total_line"), st.sampled_from(["Total: 5", "Grand Total|3", "TOTAL"])),
    st.tuples(st.just("trailing_delim")),
    st.tuples(st.just("header_only")),
)
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]


def _header_index(lines: list[bytes]) -> int:
    """The first line of the first 12 with three or more filled cells (else 0)."""
    for i, line in enumerate(lines[:12]):
        d = _delimiter(line)
        if sum(1 for c in line.split(d) if c.strip(b'" \r\n')) >= 3:
            return i
    return 0


def _delimiter(line: bytes) -> bytes:
    return max((b"|", b",", b"\t", b";"), key=line.count)


def _nth(line: bytes, needle: bytes, n: int) -> int:
    """Offset of the ``n``-th occurrence (modulo how many there are), or -1."""
    hits = [m.start() for m in re.finditer(re.escape(needle), line)]
    return hits[n % len(hits)] if hits else -1


def apply_csv(data: bytes, ops: list[tuple]) -> bytes:
    text = data
    lines = text.splitlines(keepends=True) or [b""]
    header = _header_index(lines)
    delim = _delimiter(lines[header])
    width = len(lines[header].split(delim))
    date_cols = [j for j, c in enumerate(lines[header].split(delim)) if b"date" in c.lower()] or [0]
    endings: str | None = None
    for op in ops:
        kind = op[0]
        if not lines:
            lines = [b""]
        i = op[1] % len(lines) if len(op) > 1 and isinstance(op[1], int) else 0
        if kind == "drop_delim":
            at = _nth(lines[i], delim, op[2])
            if at >= 0:
                lines[i] = lines[i][:at] + lines[i][at + len(delim) :]
        elif kind == "dup_delim":
            at = _nth(lines[i], delim, op[2])
            if at >= 0:
                lines[i] = lines[i][:at] + delim + lines[i][at:]
        elif kind == "insert":
            at = op[2] % (len(lines[i]) + 1)
            lines[i] = lines[i][:at] + op[3] + lines[i][at:]
        elif kind == "drop_quotes":
            lines[i] = lines[i].replace(b'"', b"")
        elif kind == "long_field":
            cells = lines[i].split(delim)
            cells[op[2] % len(cells)] = b"x" * op[3]
            lines[i] = delim.join(cells)
        elif kind == "endings":
            endings = op[1]
        elif kind == "shuffle_head":
            k = min(len(lines), header + 2)
            head = lines[:k]
            random.Random(op[1]).shuffle(head)
            lines[:k] = head
        elif kind == "delete_line":
            del lines[i]
        elif kind == "dup_line":
            lines.insert(i, lines[i])
        elif kind == "blank_lines":
            lines[i:i] = [b"\n"] * op[2]
        elif kind == "blank_below":  # blank lines among the data rows (dropped as layout)
            at = header + 1 + op[1] % max(len(lines) - header - 1, 1)
            lines[at:at] = [b"\n"] * op[2]
        elif kind == "delete_head":
            del lines[: min(op[1], header + 1)]
        elif kind == "blank_header" and header < len(lines):
            lines[header] = delim * (width - 1) + b"\n"
        elif kind == "header_cell" and header < len(lines):
            cells = lines[header].rstrip(b"\r\n").split(delim)
            j = op[1] % len(cells)
            how = op[2]
            if how == "upper":
                cells[j] = cells[j].upper()
            elif how == "lower":
                cells[j] = cells[j].lower()
            elif how == "spaces":
                cells[j] = b"  " + cells[j].replace(b" ", b"   ") + b" "
            elif how == "empty":
                cells[j] = b""
            elif how == "dup":
                cells[j] = cells[(j + 1) % len(cells)]
            elif how == "suffix":
                cells[j] = cells[j] + b" (2)"
            elif how == "quote":
                cells[j] = b'"' + cells[j].strip(b'"') + b'"""'
            elif how == "bom":
                cells[j] = b"\xef\xbb\xbf" + cells[j]
            elif how == "nbsp":
                cells[j] = cells[j].replace(b" ", "\u00a0".encode())
            lines[header] = delim.join(cells) + b"\n"
        elif kind == "dates":
            every, value = op[1], op[2].encode()
            for r in range(header + 1, len(lines), every):
                lines[r] = _set_cell(lines[r], delim, date_cols[r % len(date_cols)], value)
        elif kind == "date_cell":
            r = header + 1 + (op[1] % max(len(lines) - header - 1, 1))
            if r < len(lines):
                lines[r] = _set_cell(lines[r], delim, date_cols[0], op[2].encode())
        elif kind == "swap_delim":
            lines[i] = lines[i].replace(delim, op[2])
        elif kind == "truncate":
            joined = b"".join(lines)
            joined = joined[: op[1] % (len(joined) + 1)]
            lines = joined.splitlines(keepends=True)
        elif kind == "total_line":
            lines.append(op[1].replace("|", delim.decode()).encode() + b"\n")
        elif kind == "trailing_delim":
            # a writer that ends every record with a delimiter leaves a blank line blank
            lines = [ln.rstrip(b"\r\n") + (delim if ln.strip() else b"") + b"\n" for ln in lines]
        elif kind == "header_only":
            lines = lines[: header + 1]
    out = b"".join(lines)
    if endings == "cr":
        out = out.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    elif endings == "crlf":
        out = out.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    elif endings == "mixed":
        parts = out.split(b"\n")
        out = b"".join(p + (b"\r\n", b"\n", b"\r")[k % 3] for k, p in enumerate(parts[:-1]))
        out += parts[-1]
    elif endings == "none_at_end":
        out = out.rstrip(b"\r\n")
    elif endings == "lf_cr":
        out = out.replace(b"\n", b"\n\r")
    return out


def _set_cell(line: bytes, delim: bytes, j: int, value: bytes) -> bytes:
    end = line[len(line.rstrip(b"\r\n")) :]
    cells = line[: len(line) - len(end)].split(delim)
    if j < len(cells):
        cells[j] = value
    return delim.join(cells) + end


def encode_as(data: bytes, encoding: str) -> bytes:
    if encoding == "utf-8":
        return data
    text = data.decode("utf-8", errors="replace")
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + data
    return text.encode(encoding, errors="replace")


def _text_of(raw: bytes) -> tuple[bytes, bool]:
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw), True
    return raw, False


def _contain(text: bytes, gz: bool, container: str) -> bytes:
    """Wrap the mutated text: as the seed was, or swapped (gzip <-> plain), or gzip twice."""
    if container == "swap":
        gz = not gz
    if container == "double":
        return gzip.compress(gzip.compress(text, mtime=0), mtime=0)
    if container == "concat" and gz:  # a multi-member gzip
        half = len(text) // 2
        return gzip.compress(text[:half], mtime=0) + gzip.compress(text[half:], mtime=0)
    return gzip.compress(text, mtime=0) if gz else text


# -- xlsx mutations -------------------------------------------------------------------------

ROLES = ["sheet", "sheet", "sheet", "sst", "sst", "workbook", "rels", "styles", "types", "any"]
_PATTERNS = {
    "tag": rb"<[^>]*>",
    "c": rb"<c\b[^>]*?(?:/>|>.*?</c>)",
    "row": rb"<row\b[^>]*?(?:/>|>.*?</row>)",
    "si": rb"<si>.*?</si>",
    "v": rb"<v>[^<]*</v>",
    "sheet": rb"<sheet\b[^>]*/>",
    "rel": rb"<Relationship\b[^>]*/>",
    "xf": rb"<xf\b[^>]*?(?:/>|>.*?</xf>)",
    "numFmt": rb"<numFmt\b[^>]*/>",
    "sheetData": rb"<sheetData>",
}
_ELEMENTS = list(_PATTERNS)
S_CELL = re.compile(rb'<c\b[^>]*\bt="s"[^>]*>\s*<v>([^<]*)</v>')
ROW_R = re.compile(rb'<row\b[^>]*?\br="([^"]*)"')
CELL_R = re.compile(rb'<c\b[^>]*?\br="([^"]*)"')
CELL_T = re.compile(rb"<c\b([^>]*?)(/?)>")
V_TEXT = re.compile(rb"<v>([^<]*)</v>")
STYLE = re.compile(rb'<c\b[^>]*?\bs="([^"]*)"')

SST_INDEXES = [*_w("1000000000 4294967296 18446744073709551616 -1 651 652 x 1.5 0"), "", " 3"]
ROW_NUMBERS = [*_w("0 1 2 6 7 8 9 1048576 1048577 4294967297 -1 x 7.5"), ""]
CELL_REFS = [*_w("A0 A 1 XFD7 XFE7 ZZZZZ7 a7 B1 A8 A7 Y1048577 A-1 $A$7"), ""]
CELL_TYPES = [*_w("n s str inlineStr b e d x"), None]
VALUES = [
    *_w("-1 1e308 -1e308 NaN inf 99999999 2958466 2958465.99999999 -693594 0 abc 1,5 60 0.5"),
    *_w("1e-320 (b)(6) TRUE #N/A"),
    "",
]
DIMENSIONS = [None, *_w("A1:XFD1048576 1:1416 A1 Z9:A1 A1:A1 !! A1:Y7 A1:Y100000000 A7:B8")]
XML_JUNK = [
    *b"\x00 \xff\xfe < & &bogus; ]]> <x> \x01 &#0; &#xD800; </row> <row>".split(b" "),
    b'<c r="A1"/>',
]
SHEET_NAMES = [
    "",
    " ",
    "Summary",
    "Footnotes",
    "x" * 40,
    "Arrests (2)",
    "a'b",
    "&amp;",
    "Arrests",
    "Sheet1",
    "\u00e9t\u00e9",
]

XLSX_OP = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(ROLES), st.sampled_from(_ELEMENTS), POS),
    st.tuples(st.just("sst_index"), POS, st.sampled_from(SST_INDEXES)),
    st.tuples(st.just("row_r"), POS, st.sampled_from(ROW_NUMBERS)),
    st.tuples(st.just("cell_r"), POS, st.sampled_from(CELL_REFS)),
    st.tuples(st.just("cell_t"), POS, st.sampled_from(CELL_TYPES)),
    st.tuples(st.just("v_value"), POS, st.sampled_from(VALUES)),
    st.tuples(st.just("style"), POS, st.sampled_from(_w("0 1 2 3 999 -1 x"))),
    st.tuples(st.just("dimension"), st.sampled_from(DIMENSIONS)),
    st.tuples(st.just("truncate"), st.sampled_from(ROLES), POS),
    st.tuples(st.just("insert"), st.sampled_from(ROLES), POS, st.sampled_from(XML_JUNK)),
    st.tuples(st.just("flip"), st.sampled_from(ROLES), POS, st.integers(0, 7)),
    st.tuples(
        st.just("namespace"), st.sampled_from(ROLES), st.sampled_from(["drop", "other", "prefix"])
    ),
    st.tuples(st.just("sheet_name"), st.sampled_from(SHEET_NAMES)),
    st.tuples(st.just("sst_count"), st.sampled_from(_w("0 1 -1 99999999999 x"))),
    st.tuples(st.just("date1904")),
    st.tuples(st.just("dup_row"), POS),
    st.tuples(st.just("big_string"), POS, st.sampled_from([40_000, 400_000, 3_000_000])),
    st.tuples(st.just("inline_head"), POS),
)
ZIP_OP = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 30)),
    st.tuples(
        st.just("rename"), st.integers(0, 30), st.sampled_from(["upper", "lower", "slash", "other"])
    ),
    st.tuples(st.just("dup"), st.integers(0, 30)),
    st.tuples(st.just("stored")),
    st.tuples(st.just("corrupt_data"), st.integers(0, 30), POS, st.integers(0, 7)),
    st.tuples(st.just("corrupt_dir"), POS, st.integers(1, 255)),
    st.tuples(st.just("method"), st.integers(0, 30), st.sampled_from([1, 12, 14, 93, 99])),
    st.tuples(st.just("size"), st.integers(0, 30), st.sampled_from([0, 1, 2**31, 2**32 - 1])),
    st.tuples(st.just("truncate"), POS),
    st.tuples(st.just("prepend"), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("encrypt_flag"), st.integers(0, 30)),
)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def _role_member(members: dict[str, bytes], role: str, pos: int) -> str | None:
    names = list(members)
    if role == "sheet":
        pool = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    elif role == "sst":
        pool = [n for n in names if n.lower() == "xl/sharedstrings.xml"]
    elif role == "workbook":
        pool = [n for n in names if n == "xl/workbook.xml"]
    elif role == "rels":
        pool = [n for n in names if n.endswith(".rels")]
    elif role == "styles":
        pool = [n for n in names if n == "xl/styles.xml"]
    elif role == "types":
        pool = [n for n in names if n == "[Content_Types].xml"]
    else:
        pool = names
    return pool[pos % len(pool)] if pool else None


def _search(pattern: bytes | re.Pattern[bytes], data: bytes, pos: int) -> re.Match[bytes] | None:
    """The first match at or after ``pos`` (modulo the length), wrapping to the start."""
    rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.DOTALL)
    start = pos % (len(data) + 1)
    return rx.search(data, start) or rx.search(data, 0)


def _sub_group(data: bytes, m: re.Match[bytes] | None, value: bytes, group: int = 1) -> bytes:
    if m is None:
        return data
    return data[: m.start(group)] + value + data[m.end(group) :]


def apply_xlsx_xml(members: dict[str, bytes], ops: list[tuple]) -> dict[str, bytes]:
    m = dict(members)
    for op in ops:
        kind = op[0]
        if kind in (
            "sst_index",
            "row_r",
            "cell_r",
            "cell_t",
            "v_value",
            "style",
            "dup_row",
            "inline_head",
        ):
            name = _role_member(m, "sheet", op[1])
        elif kind in ("delete", "truncate", "insert", "flip", "namespace"):
            name = _role_member(m, op[1], op[2] if len(op) > 2 and isinstance(op[2], int) else 0)
        elif kind in ("sheet_name", "date1904"):
            name = _role_member(m, "workbook", 0)
        elif kind in ("sst_count", "big_string"):
            name = _role_member(m, "sst", 0)
        else:  # dimension
            name = _role_member(m, "sheet", 0)
        if name is None:
            continue
        x = m[name]
        if kind == "delete":
            hit = _search(_PATTERNS[op[2]], x, op[3])
            if hit:
                x = x[: hit.start()] + x[hit.end() :]
        elif kind == "sst_index":
            x = _sub_group(x, _search(S_CELL, x, op[1]), op[2].encode())
        elif kind == "row_r":
            x = _sub_group(x, _search(ROW_R, x, op[1]), op[2].encode())
        elif kind == "cell_r":
            x = _sub_group(x, _search(CELL_R, x, op[1]), op[2].encode())
        elif kind == "cell_t":
            hit = _search(CELL_T, x, op[1])
            if hit:
                attrs = re.sub(rb'\s+t="[^"]*"', b"", hit.group(1))
                if op[2] is not None:
                    attrs += f' t="{op[2]}"'.encode()
                x = x[: hit.start(1)] + attrs + x[hit.end(1) :]
        elif kind == "v_value":
            x = _sub_group(x, _search(V_TEXT, x, op[1]), op[2].encode())
        elif kind == "style":
            x = _sub_group(x, _search(STYLE, x, op[1]), op[2].encode())
        elif kind == "dimension":
            dim = re.search(rb"<dimension\b[^>]*/>", x)
            new = b"" if op[1] is None else f'<dimension ref="{op[1]}"/>'.encode()
            if dim:
                x = x[: dim.start()] + new + x[dim.end() :]
        elif kind == "truncate":
            x = x[: op[2] % (len(x) + 1)]
        elif kind == "insert":
            at = op[2] % (len(x) + 1)
            x = x[:at] + op[3] + x[at:]
        elif kind == "flip" and x:
            at = op[2] % len(x)
            x = x[:at] + bytes([x[at] ^ (1 << op[3])]) + x[at + 1 :]
        elif kind == "namespace":
            main = rb'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            if op[2] == "drop":
                x = re.sub(rb'\sxmlns="[^"]*"', b"", x, count=1)
            elif op[2] == "other":
                x = x.replace(main, b'xmlns="urn:example:not-ooxml"', 1)
            else:  # the same namespace under a prefix the elements do not use
                x = x.replace(main, main.replace(b"xmlns=", b"xmlns:x="), 1)
        elif kind == "sheet_name":
            hit = re.search(rb'<sheet\b[^>]*\bname="([^"]*)"', x)
            x = _sub_group(x, hit, op[1].replace("'", "&apos;").encode())
        elif kind == "sst_count":
            x = re.sub(rb'(uniqueCount|count)="[^"]*"', rb'\1="' + op[1].encode() + b'"', x)
        elif kind == "date1904":
            x = re.sub(rb"(<workbook\b[^>]*>)", rb'\1<workbookPr date1904="1"/>', x, count=1)
        elif kind == "dup_row":
            hit = _search(_PATTERNS["row"], x, op[1])
            if hit:
                x = x[: hit.end()] + hit.group(0) + x[hit.end() :]
        elif kind == "big_string":
            hit = _search(rb"<si><t[^>]*>", x, op[1])
            if hit:
                x = x[: hit.end()] + b"y" * op[2] + x[hit.end() :]
        elif kind == "inline_head":
            # a shared-string cell rewritten as an inline string holding its index
            hit = _search(S_CELL, x, op[1])
            if hit:
                cell = hit.group(0)
                idx = hit.group(1)
                new = cell.replace(b't="s"', b't="inlineStr"').replace(
                    b"<v>" + idx + b"</v>", b"<is><t>" + idx + b"</t></is>"
                )
                x = x[: hit.start()] + new + x[hit.end() :]
        m[name] = x
    return m


def write_zip(members: dict[str, bytes], stored: bool = False) -> bytes:
    return write_zip_items(list(members.items()), stored)


def apply_zip(members: dict[str, bytes], ops: list[tuple]) -> bytes:
    """Member-level ops first (drop, rename, duplicate, store), then byte-level ones on the
    written archive (data, central directory, header fields, truncation, junk)."""
    items = list(members.items())
    stored = False
    for op in ops:
        if not items:
            break
        k = op[1] % len(items) if len(op) > 1 and isinstance(op[1], int) else 0
        if op[0] == "drop":
            del items[k]
        elif op[0] == "rename":
            name, data = items[k]
            new = {
                "upper": name.upper(),
                "lower": name.lower(),
                "slash": "/" + name,
                "other": name + ".bak",
            }[op[2]]
            items[k] = (new, data)
        elif op[0] == "dup":
            items.append(items[k])
        elif op[0] == "stored":
            stored = True
    with warnings_ignored():
        data = bytearray(write_zip_items(items, stored))
    for op in ops:
        if not data:
            break
        if op[0] == "corrupt_data":
            spans = _data_spans(bytes(data))
            if spans:
                start, size = spans[op[1] % len(spans)]
                if size:
                    at = start + op[2] % size
                    data[at] ^= 1 << op[3]
        elif op[0] == "corrupt_dir":
            cd = bytes(data).rfind(b"PK\x01\x02")
            first = bytes(data).find(b"PK\x01\x02")
            if cd >= 0:
                span = len(data) - first
                at = first + op[1] % span
                data[at] ^= op[2]
        elif op[0] in ("method", "size", "encrypt_flag"):
            headers = [mm.start() for mm in re.finditer(rb"PK\x01\x02", bytes(data))]
            if headers:
                h = headers[op[1] % len(headers)]
                if op[0] == "method":
                    data[h + 10 : h + 12] = op[2].to_bytes(2, "little")
                elif op[0] == "size":
                    data[h + 24 : h + 28] = op[2].to_bytes(4, "little")
                else:
                    data[h + 8] |= 0x01
        elif op[0] == "truncate":
            del data[op[1] % len(data) :]
        elif op[0] == "prepend":
            data[0:0] = op[1]
        elif op[0] == "append":
            data += op[1]
    return bytes(data)


@contextlib.contextmanager
def warnings_ignored() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" from zipfile, on purpose
        yield


def write_zip_items(items: list[tuple[str, bytes]], stored: bool) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in items:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, method)
    return out.getvalue()


def _data_spans(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of each member's compressed data in a freshly written zip."""
    spans = []
    with (
        contextlib.suppress(zipfile.BadZipFile, OSError, ValueError),
        zipfile.ZipFile(io.BytesIO(data)) as z,
    ):
        for info in z.infolist():
            h = info.header_offset
            n = int.from_bytes(data[h + 26 : h + 28], "little")
            e = int.from_bytes(data[h + 28 : h + 30], "little")
            spans.append((h + 30 + n + e, info.compress_size))
    return spans


SPLIT_ENV = {"ICEFACTS_SPLIT_MIN_BYTES": "1", "ICEFACTS_PART_BYTES": "40000"}


# -- the tests ------------------------------------------------------------------------------


@composite
def byte_case(draw: DrawFn) -> tuple[str, list[tuple]]:
    layer = draw(st.sampled_from(["file", "file", "inner"]))
    return layer, draw(st.lists(BYTE_OP, min_size=1, max_size=4))


def mutate_bytes(raw: bytes, case: tuple[str, list[tuple]]) -> bytes:
    """The file's bytes, or its inner bytes (the gzip's text; one member of a workbook)."""
    layer, ops = case
    if layer == "inner" and raw[:2] == b"\x1f\x8b":
        return gzip.compress(apply_bytes(gzip.decompress(raw), ops), mtime=0)
    if layer == "inner" and raw[:4] == b"PK\x03\x04":
        members = _members(raw)
        target = list(members)[ops[0][1] % len(members)]
        members[target] = apply_bytes(members[target], ops)
        return write_zip(members)
    return apply_bytes(raw, ops)


@pytest.mark.parametrize("key", BYTE_SEEDS)
def test_byte_mutations(key: str, seeds, base, worker, tmp_path: Path) -> None:
    """Raw bytes flipped, set, inserted, deleted, repeated or cut: of the file as it is, or
    of its inner bytes (the text inside a gzip; one member of a workbook, re-zipped)."""
    seed = _seed(seeds, key)
    raw = seed.path.read_bytes()

    @_settings("bytes")
    @given(byte_case())
    def run(case: tuple[str, list[tuple]]) -> None:
        check_ingest(worker, tmp_path / "case", base, seed.name, mutate_bytes(raw, case), {})

    run()


@composite
def csv_case(draw: DrawFn) -> tuple[list[tuple], str, str]:
    ops = draw(st.lists(CSV_OP, min_size=1, max_size=5))
    encoding = draw(st.sampled_from(ENCODINGS))
    container = draw(st.sampled_from(["same", "same", "same", "swap", "double", "concat"]))
    return ops, encoding, container


def mutate_csv(raw: bytes, case: tuple[list[tuple], str, str]) -> bytes:
    ops, encoding, container = case
    text, gz = _text_of(raw)
    return _contain(encode_as(apply_csv(text, ops), encoding), gz, container)


@pytest.mark.parametrize("key", CSV_SEEDS)
def test_csv_mutations(key: str, seeds, base, worker, tmp_path: Path) -> None:
    """Structure-aware edits of the text of a CSV release (inside its gzip, recompressed)."""
    seed = _seed(seeds, key)
    raw = seed.path.read_bytes()

    @_settings("csv")
    @given(csv_case())
    def run(case: tuple[list[tuple], str, str]) -> None:
        check_ingest(worker, tmp_path / "case", base, seed.name, mutate_csv(raw, case), {})

    run()


@composite
def csv_form(draw: DrawFn) -> tuple[list[tuple], str, str]:
    """Another form of the same rows: line ends, encoding, gzip or not, blank lines among
    the rows, a trailing delimiter on every line."""
    ops: list[tuple] = []
    endings = draw(st.sampled_from([None, "crlf", "cr", "mixed", "none_at_end"]))
    if endings:
        ops.append(("endings", endings))
    for at, n in draw(st.lists(st.tuples(LINE, st.integers(1, 3)), max_size=2)):
        ops.append(("blank_below", at, n))
    if draw(st.booleans()):
        ops.append(("trailing_delim",))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
    return ops, encoding, draw(st.sampled_from(["same", "swap", "concat"]))


_ROWS = re.compile(r"\bloaded .* sheets?, ([\d,]+) rows?,")


@pytest.mark.parametrize("key", ["national", "synth_a", "synth_a_plain", "real_cut"])
def test_csv_same_rows_in_any_form(key: str, seeds, base, worker, tmp_path: Path) -> None:
    """A release written another way (CRLF, CR-only or mixed line ends, no final newline,
    UTF-8 with a BOM or UTF-16, gzip or plain, blank lines among the rows, a trailing
    delimiter) loads exactly the rows of the original: not one row more or less."""
    seed = _seed(seeds, key)
    raw = seed.path.read_bytes()
    first = check_ingest(worker, tmp_path / "case", base, seed.name, raw, {})
    expected = _ROWS.search(first.out)
    assert first.code == 0 and expected, first.out + first.err

    @_settings("forms")
    @given(csv_form())
    def run(case: tuple[list[tuple], str, str]) -> None:
        r = check_ingest(worker, tmp_path / "case", base, seed.name, mutate_csv(raw, case), {})
        got = _ROWS.search(r.out)
        assert r.code == 0 and got, f"the original loads, this form does not: {r.err}"
        assert got.group(1) == expected.group(1), (
            f"{got.group(1)} rows loaded, the original has {expected.group(1)}: {r.out}"
        )

    run()


@composite
def xlsx_case(draw: DrawFn) -> tuple[list[tuple], bool, bool]:
    """(XML edits, read through the parts reader, members stored rather than deflated)."""
    return draw(st.lists(XLSX_OP, min_size=1, max_size=4)), draw(st.booleans()), draw(st.booleans())


def mutate_xlsx(members: dict[str, bytes], case: tuple[list[tuple], bool, bool]) -> bytes:
    ops, _split, stored = case
    return write_zip(apply_xlsx_xml(members, ops), stored=stored)


def test_xlsx_xml_mutations(seeds, base, worker, tmp_path: Path) -> None:
    """Edits of the XML of the synthetic family C workbook, re-zipped; read whole or through
    the two-core parts reader."""
    seed = seeds["synth_c"]
    members = _members(seed.path.read_bytes())

    @_settings("xlsx_xml")
    @given(xlsx_case())
    def run(case: tuple[list[tuple], bool, bool]) -> None:
        env = SPLIT_ENV if case[1] else {}
        check_ingest(worker, tmp_path / "case", base, seed.name, mutate_xlsx(members, case), env)

    run()


@composite
def zip_case(draw: DrawFn) -> tuple[list[tuple], list[tuple], bool]:
    """(at most one XML edit, zip edits, read through the parts reader)."""
    xml = draw(st.lists(XLSX_OP, max_size=1))
    return xml, draw(st.lists(ZIP_OP, min_size=1, max_size=3)), draw(st.booleans())


def mutate_zip(members: dict[str, bytes], case: tuple[list[tuple], list[tuple], bool]) -> bytes:
    xml, zops, _split = case
    return apply_zip(apply_xlsx_xml(members, xml), zops)


def test_xlsx_zip_mutations(seeds, base, worker, tmp_path: Path) -> None:
    """The synthetic workbook's zip damaged: members dropped, renamed, duplicated or stored;
    compressed data, central directory or header fields corrupted; cut; junk around it."""
    seed = seeds["synth_c"]
    members = _members(seed.path.read_bytes())

    @_settings("xlsx_zip")
    @given(zip_case())
    def run(case: tuple[list[tuple], list[tuple], bool]) -> None:
        env = SPLIT_ENV if case[2] else {}
        check_ingest(worker, tmp_path / "case", base, seed.name, mutate_zip(members, case), env)

    run()


def test_cap_workbook_mutations(seeds, base, worker, tmp_path: Path) -> None:
    """The real Seattle CAP workbook (six sheets) with its XML edited (slow: few examples)."""
    seed = _seed(seeds, "cap")
    members = _members(seed.path.read_bytes())

    @_settings("cap")
    @given(xlsx_case())
    def run(case: tuple[list[tuple], bool, bool]) -> None:
        env = SPLIT_ENV if case[1] else {}
        check_ingest(worker, tmp_path / "case", base, seed.name, mutate_xlsx(members, case), env)

    run()
