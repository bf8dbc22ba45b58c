"""`icefacts synth --families` takes the families' letters or their ids (from the release
specs), in any case; anything else is one line naming it and the families that have a
synthetic layout, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icefacts.release_specs import family

ROWS = "40"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_ids_and_letters_write_the_same_release(tmp_path: Path, run_cli) -> None:
    assert (family("A").id, family("C").id) == ("lesa-national", "ddp-current")
    written = {}
    for families in ("A,C", "lesa-national,ddp-current", "ddp-current, a"):
        out = tmp_path / families.replace(",", "_").replace(" ", "")
        code, stdout, err = run_cli(
            "synth", "--out", str(out), "--rows", ROWS, "--seed", "5", "--families", families
        )
        assert code == 0, err
        assert f"and truth.json to {out}" in stdout
        written[families] = _files(out)
    first, *others = written.values()
    assert all(o == first for o in others)
    truth = json.loads(first["truth.json"])
    assert truth["generator"]["families"] == ["A", "C"]


def test_one_family_by_id(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli(
        "synth", "--out", str(tmp_path), "--rows", ROWS, "--families", "lesa-national"
    )
    assert code == 0, err
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["generator"]["families"] == ["A"]


@pytest.mark.parametrize(
    ("families", "named", "why"),
    [
        ("X", "'X'", "unknown family"),  # neither a letter nor an id
        ("A,national", "'national'", "unknown family"),  # one bad among good ones
        ("cap-seattle", "'cap-seattle'", "no synthetic layout for family"),  # real, no layout
    ],
)
def test_an_unknown_family_is_one_line(
    tmp_path: Path, run_cli, families: str, named: str, why: str
) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli("synth", "--out", str(out), "--rows", ROWS, "--families", families)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == (
        f"icefacts: {why} {named}; use one of A (lesa-national), B (uw-v-dhs-seattle), "
        "C (ddp-current)"
    )
    assert "Traceback" not in err and not stdout
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_family_b_needs_the_national_arrests_it_copies(tmp_path: Path, run_cli) -> None:
    for families, tables in (("B", []), ("A,B", ["--tables", "removals"])):
        out = tmp_path / families.replace(",", "")
        code, stdout, err = run_cli(
            "synth", "--out", str(out), "--rows", ROWS, "--families", families, *tables
        )
        assert code == 2 and not stdout
        assert err.strip() == (
            "icefacts: family B (uw-v-dhs-seattle) is written from family A's arrests: "
            "give --families A,B (and the arrests table)"
        ), err
        assert not out.exists()
