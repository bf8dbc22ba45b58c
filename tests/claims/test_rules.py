"""The verdict rules one by one (roles of readings, intervals against at_least / at_most, a
claim of cause), the checks a file must pass whatever the data, hostile YAML, and the
bounds of a field carried from another release, on tiny hand-made releases."""

from __future__ import annotations

import shlex
from datetime import date, timedelta
from pathlib import Path

import pytest

from icefacts import api
from icefacts.claims.check import compare
from icefacts.claims.measure import Value
from icefacts.claims.readings import specs
from icefacts.errors import InputError
from icefacts.warehouse import Warehouse
from tests.fixtures import (
    NATIONAL_HEADER,
    NATIONAL_TITLE,
    UW_ARRESTS_HEADER,
    UW_PERIOD,
    UW_TITLE,
    national_csv,
    pipe_csv,
)

HEAD = """
version: 1
title: rules
thresholds: {most: 0.5}
defaults:
  window: {from: 2017-09-24, to: 2017-09-27}
  places: {aors: [SEA]}
  measure: count
claims:
"""


def _spec(text: str, tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + text)
    loaded = api.load_claims(path)
    return loaded, specs(loaded, 0, loaded.claims.claims[0])[0]


@pytest.mark.parametrize(
    ("kind", "low", "high", "op", "role", "want"),
    [
        # a 95% interval against a mark: the whole interval must be on one side
        ("95% interval", 10, 360, "at_most", "reading", "not checkable"),
        ("95% interval", 40, 360, "at_most", "reading", "contradicted"),
        ("95% interval", -5, 30, "at_least", "reading", "not checkable"),
        ("95% interval", 60, 90, "at_least", "reading", "supported"),
        ("95% interval", -5, 20, "at_least", "reading", "contradicted"),
        # an upper bound can refute, never confirm; a lower bound the other way round
        ("exact", 40, 40, "at_least", "upper_bound", "not checkable"),
        ("exact", 10, 10, "at_least", "upper_bound", "contradicted"),
        ("exact", 40, 40, "at_least", "lower_bound", "supported"),
        ("exact", 10, 10, "at_least", "lower_bound", "not checkable"),
        # bounds: supported only when all of them agree
        ("bounds", 20, 40, "at_least", "reading", "not checkable"),
        ("bounds", 30, 40, "at_least", "reading", "supported"),
    ],
)
def test_comparisons_and_roles(tmp_path, kind, low, high, op, role, want) -> None:
    loaded, s = _spec(
        f"""  - id: c
    text: t
    source: s
    published: 25
    comparison: {{op: {op}}}
    role: {role}
""",
        tmp_path,
    )
    value = Value(None if kind == "bounds" else (low + high) / 2, float(low), float(high), kind)
    verdict, reason = compare(value, s, {}, loaded, None)
    assert verdict == want, reason


def _national(tmp_path: Path, rows: list[list[str]]) -> Path:
    title = [*NATIONAL_TITLE[:4], "ERO Administrative Arrests for FY2017"]
    return national_csv(tmp_path / "EROArrests_FY2017.csv.gz", rows, NATIONAL_HEADER, title)


def _row(day: date, flag: bool, method: str = "Located", landmark: str = "SEA CAP") -> list[str]:
    return ["Seattle Area of Responsibility", f"{day.month}/{day.day}/{day.year}", method,
            landmark, "(B)(7)(E) " if flag else "", "", "(B)(6);(B)(7)(C) ", "MEXICO",
            "Male"]  # fmt: skip


def _uw(tmp_path: Path, rows: list[tuple[date, str, str]]) -> Path:
    title = [*UW_TITLE, f"{UW_PERIOD} ERO Administrative Arrests for the Seattle Area of "
             "Responsibility"]  # fmt: skip
    data = [[f"{d.month}/{d.day}/{d.year}", "(b)(6),(b)(7)c)", "Male", "MEXICO", "(b)(7)e)",
             landmark, "Located", msc] for d, landmark, msc in rows]  # fmt: skip
    return pipe_csv(tmp_path / "arrests.csv.gz", title, UW_ARRESTS_HEADER, data)


DAY = date(2017, 9, 25)


def _weeks(flagged_day: list[list[str]]) -> list[list[str]]:
    """Seven weeks of background (for baselines) and the window's rows."""
    rows = []
    for k in range(1, 8):
        for i in range(4):
            rows.append(_row(date(2017, 9, 24) - timedelta(days=7 * k) + timedelta(days=i), False))
    return rows + flagged_day


def _warehouse(tmp_path: Path, *files: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, list(files))
    return db


def _claim(tmp_path: Path, body: str) -> Path:
    """A claim file of one claim ``c`` (its keys after ``source``) under HEAD's defaults."""
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + "  - id: c\n    text: t\n    source: s\n" + body)
    return path


def test_a_field_carried_day_by_day_counts_the_rows_the_donor_lacks(tmp_path: Path) -> None:
    """10 counted rows on a day (6 flagged), the donor has 6 of them, all convicted: the
    flagged and convicted are 2 to 6 when the totals agreed; with the donor short of rows,
    0 to 6 (it may lack convicted flagged ones)."""
    rows = _weeks([_row(DAY, i < 6) for i in range(10)])
    db = _warehouse(
        tmp_path, _national(tmp_path, rows), _uw(tmp_path, [(DAY, "SEA CAP", "Assault")] * 6)
    )
    claims = _claim(
        tmp_path,
        "    published: 3\n    filters: {operation_flag: true, criminality: [convicted]}\n",
    )
    with api.open_warehouse(db, read_only=True) as wh:
        (r,) = api.check(wh, claims).claims[0].readings
    assert (r.low, r.high) == (0.0, 6.0), r.notes


def test_a_claim_of_cause_is_never_more_than_partly_supported(tmp_path: Path) -> None:
    rows = _weeks([_row(DAY, True) for _ in range(5)])
    db = _warehouse(tmp_path, _national(tmp_path, rows))
    claims = _claim(
        tmp_path,
        "    published: 5\n    causal: true\n"
        "    assumes: every flagged arrest was the operation's\n"
        "    filters: {operation_flag: true}\n",
    )
    with api.open_warehouse(db, read_only=True) as wh:
        (claim,) = api.check(wh, claims).claims
    assert claim.readings[0].verdict == "supported"
    assert claim.verdict == "partly supported"
    assert "association" in claim.reason and "every flagged arrest" in claim.reason


@pytest.mark.parametrize(
    ("body", "words"),
    [
        # checked whatever the data: the window here holds none
        ("    comparison: {threshold: nosuch}\n", "unknown threshold 'nosuch'"),
        ("    comparison: {threshold: most}\n", "a named threshold is a share"),
        ("    measure: {kind: count, named: [SEA]}\n", "named: not a key of a count measure"),
        (
            "    measure: {kind: share, of: {operation_flag: false}}\n"
            "    filters: {operation_flag: true}\n",
            "cannot change the whole's filter",
        ),
        ("    published: .nan\n", "published"),
        ("    comparison: {op: equals, tolerance: .inf}\n", "tolerance"),
        ("    window: {from: 0001-01-01, to: 2017-01-01}\n", "outside 1990-01-01..2100-12-31"),
        (
            "    published: 7.5\n    measure: {kind: share, of: {method_class: at_large}}\n",
            "give it as a share, 0 to 1",
        ),
        ("    published: -5\n", "below zero"),
        ("    published: 123456789012345678901234567890\n", "at most 1e12"),
        ('    places: {aors: [NYC], counties: ["Kings County, NY"]}\n', "one way of naming places"),
    ],
)
def test_a_file_is_checked_whatever_the_data(tmp_path: Path, body: str, words: str) -> None:
    text = HEAD + "  - id: c\n    text: t\n    source: s\n"
    if "published" not in body:
        text += "    published: 0.5\n" if "share" in body else "    published: 5\n"
    path = tmp_path / "c.yaml"
    path.write_text(text + body)
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")) as exc:
        api.load_claims(path)
    assert str(exc.value).startswith(f"{path}:")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("? [a, b]\n: 1\n", "a key must be a plain word"),
        ("title: !!python/object:os.system x\nclaims: []\n", "not allowed in a claim file"),
        (
            "title: t\nclaims:\n  - id: a\n    text: t\n    source: s\n    published: "
            + "9" * 5000
            + "\n",
            "cannot hold",
        ),
        ("title: t\nclaims: []\n", "claims"),
    ],
)
def test_hostile_yaml_is_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=words) as exc:
        api.load_claims(path)
    assert "\n" not in str(exc.value)


def test_the_reproduce_command_is_shell_quoted_and_a_misspelt_country_refused(
    tmp_path: Path,
) -> None:
    from icefacts.claims.measure import reproduce

    sql = "SELECT count(*) FROM arrests WHERE citizenship IN ('$(touch /tmp/x) O''HARA \"X\"')"
    argv = shlex.split(reproduce(sql))
    assert argv == ["icefacts", "sql", sql]
    rows = _weeks([_row(DAY, True) for _ in range(3)])
    db = _warehouse(tmp_path, _national(tmp_path, rows))
    claims = _claim(tmp_path, "    published: 0\n    filters: {citizenship: [MEXCIO]}\n")
    with api.open_warehouse(db, read_only=True) as wh, pytest.raises(InputError) as exc:
        api.check(wh, claims)
    assert f"{claims}:14: claims[0].filters.citizenship: 'MEXCIO' is in no loaded release" in str(
        exc.value
    )
    assert "did you mean MEXICO" in str(exc.value)


def test_links_between_identical_rows_give_bounds_not_the_assignment(tmp_path: Path) -> None:
    """Two national rows alike on every compared field, one flagged; their two UW partners,
    one with a conviction, linked flagged-to-unconvicted. Which partner is whose no linkage
    can tell: 0 to 1 flagged arrests with a conviction, not the 0 the assignment made. Rows
    that differ (another profile) are taken as linked."""
    rows = _weeks([_row(DAY, True), _row(DAY, False)])
    uw = [(DAY, "SEA CAP", ""), (DAY, "SEA CAP", "Assault")]
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        api.ingest(wh, [_national(tmp_path, rows), _uw(tmp_path, uw)])
        eng = wh.engine
        left = eng.query(
            "SELECT event_id, release_id, operation_flag FROM arrests_all a JOIN releases r "
            "USING (release_id) WHERE r.family = 'lesa-national' AND apprehension_date = ? "
            "ORDER BY operation_flag DESC",
            [DAY],
        ).to_pylist()
        right = eng.query(
            "SELECT event_id, release_id FROM arrests_all a JOIN releases r USING (release_id) "
            "WHERE r.family = 'uw-v-dhs-seattle' ORDER BY most_serious_conviction NULLS FIRST"
        ).to_pylist()

        def links(profiles: tuple[str, str]) -> None:
            eng.execute("DELETE FROM link_pairs")
            eng.execute("DELETE FROM link_runs")
            for lrow, rrow, prof in zip(left, right, profiles, strict=True):
                eng.execute(
                    "INSERT INTO link_pairs VALUES ('r', 'arrests', ?, ?, ?, ?, 0.99, 9.0, "
                    "'{}', true, ?)",
                    [lrow["release_id"], lrow["event_id"], rrow["release_id"], rrow["event_id"],
                     prof],
                )  # fmt: skip
            eng.execute(
                "INSERT INTO link_runs VALUES ('r', 'arrests', ?, ?, 2, 2, 2, 2, "
                "'{\"0.9\": 2}', ['method'], 'test', now(), 0.1)",
                [left[0]["release_id"], right[0]["release_id"]],
            )

        claims = _claim(
            tmp_path,
            "    published: 1\n    window: {from: 2017-09-25, to: 2017-09-25}\n"
            "    filters: {operation_flag: true, criminality: [convicted]}\n",
        )
        got = {}
        for name, profiles in (("alike", ("p", "p")), ("unlike", ("p", "q"))):
            links(profiles)
            (r,) = api.check(wh, claims).claims[0].readings
            assert any("record links" in n for n in r.notes), r.notes
            got[name] = (r.low, r.high)
    assert got == {"alike": (0.0, 1.0), "unlike": (0.0, 0.0)}
