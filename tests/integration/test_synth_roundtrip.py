"""A whole synthetic release (families A and C, multi-sheet workbooks) ingested: every count
planted in truth.json is recovered exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from icefacts import api
from icefacts.synth import generate
from icefacts.warehouse import Warehouse

SEED = 11


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, dict]]:
    out = tmp_path_factory.mktemp("synth")
    truth = generate(out, rows=3_000, seed=SEED, sheet_rows=1_000)
    with Warehouse.open(out / "w.duckdb") as wh:
        reports = api.ingest(wh, sorted(out.glob("SYNTHETIC_*")))
        bad = [(r.path, r.message) for r in reports if r.status != "loaded"]
        assert not bad
        yield wh, truth


def _q(wh: Warehouse, sql: str, *params: Any) -> list[dict[str, Any]]:
    return api.sql(wh, sql.replace("?", "{}").format(*(repr(p) for p in params))).to_pylist()


def _tables(truth: dict) -> list[tuple[str, str, dict]]:
    return [(fam, t, spec) for fam, ts in truth["tables"].items() for t, spec in ts.items()]


def test_files_sheets_and_rows(release: tuple[Warehouse, dict]) -> None:
    wh, truth = release
    for name, spec in truth["files"].items():
        (rel,) = _q(
            wh, "SELECT release_id, rows, synthetic FROM releases WHERE file_name = ?", name
        )
        assert rel["rows"] == spec["rows"], name
        assert rel["synthetic"] is True
        sheets = _q(
            wh,
            "SELECT sheet, rows, header_row FROM raw_sheets WHERE release_id = ? "
            "AND status = 'loaded' ORDER BY sheet_index",
            rel["release_id"],
        )
        if spec["sheets"]:
            assert {s["sheet"]: s["rows"] for s in sheets} == spec["sheets"], name
        assert {s["header_row"] for s in sheets} == {spec["header_row"]}, name


@pytest.mark.parametrize("key", ["by_aor", "criminality"])
def test_value_counts(release: tuple[Warehouse, dict], key: str) -> None:
    wh, truth = release
    col = "aor" if key == "by_aor" else "criminality"
    for _fam, table, spec in _tables(truth):
        if key not in spec:
            continue
        rows = _q(
            wh,
            f"SELECT coalesce({col}, 'null') AS k, count(*) AS n FROM {table}_all "
            "WHERE source_file = ? GROUP BY 1",
            spec["file"],
        )
        assert {r["k"]: r["n"] for r in rows} == spec[key], (table, key)


def test_custody_operations_periods_persons(release: tuple[Warehouse, dict]) -> None:
    wh, truth = release
    for _fam, table, spec in _tables(truth):
        (got,) = _q(
            wh,
            f"SELECT count(*) AS rows, count(*) FILTER (WHERE out_of_period) AS oop, "
            f"count(DISTINCT person_id) AS persons, "
            f"count(*) FILTER (WHERE person_id IS NULL) AS no_person, "
            f"count(duplicate_of) AS dups FROM {table}_all WHERE source_file = ?",
            spec["file"],
        )
        assert got["rows"] == spec["rows"], table
        assert got["oop"] == spec["out_of_period"], table
        assert got["dups"] == spec["duplicates"]["flagged"], table
        if spec.get("persons") is not None:
            assert got["persons"] == spec["persons"], table
            assert got["no_person"] == spec["rows_without_person"], table
        if table == "arrests":
            (c,) = _q(
                wh,
                "SELECT count(*) FILTER (WHERE at_large) AS al, "
                "count(*) FILTER (WHERE NOT at_large) AS cu, "
                "count(*) FILTER (WHERE operation_flag) AS op FROM arrests_all "
                "WHERE source_file = ?",
                spec["file"],
            )
            assert (c["al"], c["cu"]) == (spec["at_large"], spec["custodial"])
            assert c["op"] == spec["operation_flag"]
        for sheet, row in spec["duplicates"]["sample"]:
            (d,) = _q(
                wh,
                f"SELECT duplicate_of FROM {table}_all WHERE source_file = ? AND "
                "coalesce(source_sheet, '') = ? AND source_row = ?",
                spec["file"],
                sheet or "",
                row,
            )
            assert d["duplicate_of"] is not None, (table, sheet, row)


def test_redactions_missing_and_unknown_values(release: tuple[Warehouse, dict]) -> None:
    wh, truth = release
    for _fam, table, spec in _tables(truth):
        stats = {
            r["field"]: r
            for r in _q(
                wh,
                "SELECT s.* FROM field_stats s JOIN releases r USING (release_id) "
                "WHERE r.file_name = ? AND s.table_name = ?",
                spec["file"],
                table,
            )
        }
        for field, n in spec["redacted"].items():
            assert stats[field]["redacted"] == n, (table, field)
        for field, n in spec["missing"].items():
            assert stats[field]["missing"] == n, (table, field)
        for field, n in spec["unknown"].items():
            if field == "method":  # free text field; unknown against the method vocabulary
                (v,) = _q(
                    wh,
                    "SELECT failed FROM validation v JOIN releases r USING "
                    "(release_id) WHERE r.file_name = ? AND check_name = 'known_values' "
                    "AND field = 'method'",
                    spec["file"],
                )
                assert v["failed"] == n, table
            else:
                assert stats[field]["unknown"] == n, (table, field)


def test_implausible_dates_are_kept_and_counted(release: tuple[Warehouse, dict]) -> None:
    wh, truth = release
    for _fam, table, spec in _tables(truth):
        lo = spec["before_plausible_min"]["min"]
        for field, n in spec["before_plausible_min"]["fields"].items():
            (got,) = _q(
                wh,
                f"SELECT count(*) AS n FROM {table}_all WHERE source_file = ? AND "
                f"{field} < DATE '{lo}'",
                spec["file"],
            )
            assert got["n"] == n, (table, field)


def test_persons_across_tables(release: tuple[Warehouse, dict]) -> None:
    wh, truth = release
    union = " UNION ".join(
        f"SELECT person_id FROM {t}_all WHERE person_id IS NOT NULL AND source_file LIKE "
        "'SYNTHETIC_ICE_%'"
        for t in truth["persons"]["C"]["by_table"]
    )
    (got,) = _q(wh, f"SELECT count(DISTINCT person_id) AS n FROM ({union})")
    assert got["n"] == truth["persons"]["C"]["distinct"]


def test_parallel_sheet_reading_gives_the_same_warehouse(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    truth = generate(out, rows=2_000, seed=5, families=["C"], sheet_rows=400, tables=["arrests"])
    (spec,) = truth["tables"]["C"].values()
    counts = []
    for parallel in (False, True):
        with Warehouse.open(tmp_path / f"w{parallel}.duckdb") as wh:
            (report,) = api.ingest(wh, [out / spec["file"]], parallel_sheets=parallel)
            assert report.status == "loaded", report.message
            assert report.sheets == truth["files"][spec["file"]]["sheets"]
            assert report.duplicates_flagged == spec["duplicates"]["flagged"]
            counts.append(
                _q(
                    wh,
                    "SELECT source_sheet, count(*) AS n, count(duplicate_of) AS d, "
                    "count(DISTINCT person_id) AS p FROM arrests_all GROUP BY 1 ORDER BY 1",
                )
            )
    assert counts[0] == counts[1]
