"""``generate``: write a synthetic release (families A, B and C) and its ``truth.json``."""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from icefacts import release_specs
from icefacts.synth import layouts, lesa_national, paired, people, truth, writers
from icefacts.synth.frame import Table
from icefacts.synth.operations import PlantedOperation, PlantError, named, plant

TRUTH_FILE = "truth.json"
_SALT = {"A": 0xA, "B": 0xB, "C": 0xC}  # each family draws from its own stream of the seed
# family B is written from family A's Seattle arrests (synth.paired): the UW v. DHS layout
_B_FAMILY = "uw-v-dhs-seattle"
_PLANT_SALT = 0x0B  # planted operations: a stream of their own (the background is unchanged)
# Above this many cells, files are written by two forked worker processes (Linux): building the
# sheet XML is GIL-bound Python, so two processes use both cores. Output bytes do not change.
PARALLEL_MIN_CELLS = 20_000_000
WORKERS = 2

Progress = Callable[[str, int], None]
_JOBS: list[tuple[Table, Path, int]] = []  # read by forked workers (inherited memory)


def _letters(families: Sequence[str]) -> list[str]:
    """The letters of the families asked for, each given by its letter (``A``) or its id
    (``lesa-national``), in any case; one with no synthetic layout is a ValueError naming it
    and listing those that have one."""
    have: dict[str, str] = {}  # casefolded letter or id -> letter
    choices: dict[str, str] = {}  # letter -> "A (lesa-national)"
    for fam in release_specs.families():
        letter = fam.letter.upper()
        if letter == "B" and fam.id != _B_FAMILY:
            continue  # the CAP extract shares the letter; its layout is not written
        if letter in _SALT:
            have.setdefault(fam.letter.casefold(), letter)
            have.setdefault(fam.id.casefold(), letter)
            choices.setdefault(letter, f"{letter} ({fam.id})")
    out: list[str] = []
    for f in families:
        name = f.strip()
        found = have.get(name.casefold())
        if found is None:
            known = any(
                name.casefold() in (fam.letter.casefold(), fam.id.casefold())
                for fam in release_specs.families()
            )
            what = "no synthetic layout for family" if known else "unknown family"
            raise ValueError(f"{what} {name!r}; use one of {', '.join(sorted(choices.values()))}")
        if found not in out:
            out.append(found)
    return sorted(out)


def build(
    rows: int,
    seed: int,
    families: Sequence[str],
    operations: Sequence[PlantedOperation | str] = (),
) -> list[Table]:
    """The synthetic tables, in memory (what ``generate`` writes); ``operations`` planted in
    family A's arrests (``synth.operations``)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    ops = operations_of(operations, families)
    tables: list[Table] = []
    for letter in _letters(families):
        rng = np.random.default_rng(np.random.SeedSequence([seed % 2**64, _SALT[letter]]))
        if letter == "B":
            continue  # written from A's arrests by generate (synth.paired)
        if letter == "A":
            built = lesa_national.tables(rows, rng)
            if ops:
                plant_rng = np.random.default_rng(
                    np.random.SeedSequence([seed % 2**64, _SALT[letter], _PLANT_SALT])
                )
                built = [plant(t, ops, plant_rng) if t.name == "arrests" else t for t in built]
            tables += built
        else:
            tables += people.tables(rows, rng, seed)
    return tables


def operations_of(
    given: Sequence[PlantedOperation | str],
    families: Sequence[str],
    tables: Sequence[str] | None = None,
) -> list[PlantedOperation]:
    """The operations to plant (strings parsed, then named); a PlantError when the national
    arrests (family A) they go into are not asked for or do not cover their days."""
    ops = [PlantedOperation.parse(op) if isinstance(op, str) else op for op in given]
    if not ops:
        return []
    if "A" not in _letters(families):
        raise PlantError(
            ops[0].spec(), "operations are planted in the national arrests: add A to --families"
        )
    if tables is not None and "arrests" not in tables:
        raise PlantError(
            ops[0].spec(), "operations are planted in the arrests, and --tables leaves them out"
        )
    fy = layouts.A_FISCAL_YEAR
    lo, hi = lesa_national.period(fy)
    for op in ops:
        if op.start < lo or op.end > hi:
            raise PlantError(
                op.spec(),
                f"{op.start}..{op.end} is not inside the national arrests' FY{fy}, {lo}..{hi}",
            )
    return named(ops)


def _write_one(table: Table, path: Path, sheet_rows: int, progress: Progress | None) -> None:
    if table.family == "A":
        writers.write_csv_gz(table, path, progress)
    else:
        writers.write_xlsx(table, path, sheet_rows, progress)


def _job(i: int) -> int:
    table, path, sheet_rows = _JOBS[i]
    _write_one(table, path, sheet_rows, None)
    return i


def write_files(
    tables: Sequence[Table], out: Path, sheet_rows: int, progress: Progress | None = None
) -> None:
    """Write each table's file; big releases on two processes (largest files first)."""
    cells = [t.rows * len(t.headers) for t in tables]
    order = sorted(range(len(tables)), key=lambda i: -cells[i])
    parallel = (
        sys.platform == "linux"
        and sum(cells) >= PARALLEL_MIN_CELLS
        and len(tables) > 1
        and multiprocessing.current_process().name == "MainProcess"
    )
    if not parallel:
        for t in tables:
            _write_one(t, out / t.file_name, sheet_rows, progress)
        return
    global _JOBS
    _JOBS = [(t, out / t.file_name, sheet_rows) for t in tables]
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
            futures = [pool.submit(_job, i) for i in order]
            for f in as_completed(futures):
                t = tables[f.result()]
                if progress is not None:
                    progress(t.file_name, t.rows)
    finally:
        _JOBS = []


def generate(
    out_dir: Path,
    *,
    rows: int = 10_000,
    seed: int = 0,
    families: Sequence[str] = ("A", "C"),
    sheet_rows: int = 1_048_575,
    progress: Callable[[str, int], None] | None = None,
    tables: Sequence[str] | None = None,
    operations: Sequence[PlantedOperation | str] = (),
) -> dict[str, Any]:
    """Write synthetic release files and ``truth.json`` into ``out_dir``; return the truth.

    ``rows`` is the number of arrest rows per family; the other tables scale from it (family A:
    2x encounters, 1.5x removals; family C: linked to the arrested people, see ``people``).
    ``operations`` (``PlantedOperation`` or ``START:END:AOR,AOR:SIZE[:NAME]``) add their
    ``size`` arrests to family A's ``rows`` (``synth.operations``); ``truth.json`` then says
    what was planted (``"operations"``). Without them the bytes are those of a release
    written before operations could be planted.
    ``sheet_rows`` caps the data rows per sheet of a family-C workbook (never above what Excel
    allows under the seven title/header rows); longer tables continue on ``"<name> (2)"`` ...
    ``progress(file_name, rows_written)`` is called as each file is written (for big releases,
    written by two worker processes, once per file when it is done). Same arguments, same bytes.
    ``tables`` (e.g. ``["arrests"]``) writes only those tables; the people behind them, and so
    every count in the truth, are the same as in the full release.
    """
    if sheet_rows < 1:
        raise ValueError("sheet_rows must be at least 1")
    ops = operations_of(operations, families, tables)  # refused before anything is written
    letters = _letters(families)
    if "B" in letters and ("A" not in letters or (tables is not None and "arrests" not in tables)):
        raise ValueError(
            "family B (uw-v-dhs-seattle) is written from family A's arrests: give "
            "--families A,B (and the arrests table)"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    built = build(rows, seed, families, ops)
    if tables is not None:
        unknown = set(tables) - {t.name for t in built}
        if unknown:
            raise ValueError(f"no synthetic table {sorted(unknown)}")
        built = [t for t in built if t.name in set(tables)]
    copy: tuple[Table, dict[str, Any]] | None = None
    if "B" in letters:
        national = next(t for t in built if t.family == "A" and t.name == "arrests")
        rng_b = np.random.default_rng(np.random.SeedSequence([seed % 2**64, _SALT["B"]]))
        copy = paired.uw_arrests(national, rng_b)
    write_files(built, out, sheet_rows, progress)
    if copy is not None:
        writers.write_csv_gz(copy[0], out / copy[0].file_name, progress)
    generator: dict[str, Any] = {
        "package": "icefacts.synth",
        "seed": seed,
        "rows": rows,
        "families": _letters(families),
        "sheet_rows": sheet_rows,
        "tables": sorted({t.name for t in built}),
    }
    if ops:
        generator["operations"] = [op.model_dump(mode="json") for op in ops]
    result = truth.compute(built, sheet_rows=sheet_rows, generator=generator)
    if copy is not None:
        result["pairs"] = copy[1]
    (out / TRUTH_FILE).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result
