"""Claim files: the model, its JSON Schema, and every mistake as one line naming the file,
the line and the key (exit code 2, nothing checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icefacts import api
from icefacts.errors import InputError
from tests.conftest import ROOT

SHIPPED = ROOT / "claims" / "operation-safe-city-2017.yaml"
SCHEMA = ROOT / "claims" / "claim-file.schema.json"

GOOD = """\
version: 1
title: a test file
thresholds: {most: 0.5}
defaults:
  window: {from: 2017-09-24, to: 2017-09-27}
  measure: count
claims:
  - id: one
    text: "ten arrests"
    source: a test
    published: 10
    places: {aors: [SEA]}
"""


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "claims.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        api.load_claims(path)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_the_shipped_file_and_a_small_one_load() -> None:
    shipped = api.load_claims(SHIPPED)
    assert len(shipped.claims.claims) >= 20
    ids = [c.id for c in shipped.claims.claims]
    assert len(ids) == len(set(ids))
    small = api.load_claims("inline.yaml", GOOD)
    assert small.claims.claims[0].published == 10


def test_the_committed_schema_is_the_models() -> None:
    """claims/claim-file.schema.json is what the model generates (regenerate it with
    `icefacts check --schema > claims/claim-file.schema.json`)."""
    assert json.loads(SCHEMA.read_text()) == api.claim_file_schema()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            ("    published: 10\n", "    published: 10\n    colour: red\n"),
            ":12: claims[0].colour: unknown key",
        ),
        (("measure: count", "measure: median"), ":6: defaults.measure.kind:"),
        (("{from: 2017-09-24,", "{from: 2017-13-24,"), ":5: defaults.window.from:"),
        (("to: 2017-09-27}", "to: 2017-09-01}"), ":5: defaults.window:"),
        (
            ("    published: 10\n", "    published: 10\n    comparison: {op: roughly}\n"),
            ":12: claims[0].comparison.op:",
        ),
        (("    published: 10\n", "    published: ten\n"), ":11: claims[0].published:"),
        (("  - id: one\n", "  - id: One Claim\n"), ":8: claims[0].id:"),
        (('    text: "ten arrests"\n', ""), ":8: claims[0].text: missing"),
        (("thresholds: {most: 0.5}", "thresholds: {most: 5}"), "threshold 'most' is 5"),
        (
            ("    published: 10\n", "    published: 10\n    published: 11\n"),
            ":12: claims[0].published: key given twice",
        ),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], where: str
) -> None:
    old, new = change
    assert old in GOOD
    message = _bad(tmp_path, GOOD.replace(old, new, 1))
    assert message.startswith(str(tmp_path / "claims.yaml") + ":"), message
    assert where in message, message


def test_a_duplicate_id_and_not_yaml(tmp_path: Path) -> None:
    twice = GOOD + GOOD[GOOD.index("  - id: one") :]
    assert ":13: claims[1].id: id 'one' is given twice" in _bad(tmp_path, twice)
    assert ":2: not valid YAML" in _bad(tmp_path, "title: [x\nclaims: ]\n")
    assert "a claim file is a mapping" in _bad(tmp_path, "- just\n- a list\n")
    assert "anchors" in _bad(
        tmp_path, GOOD.replace("places: {aors: [SEA]}", "places: &p {aors: [SEA]}\n    note: *p")
    )


def test_files_that_are_not_claim_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        api.load_claims(tmp_path / "nope.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00title")
    with pytest.raises(InputError, match="not UTF-8"):
        api.load_claims(tmp_path / "bin.yaml")
    with pytest.raises(InputError, match="a folder"):
        api.load_claims(tmp_path)


def test_the_command_refuses_a_malformed_file_with_exit_2(tmp_path: Path, run_cli, wh) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("measure: count", "measure: median"))
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code, out, err = run_cli("check", str(good), str(bad), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2 and out == ""
    assert err.startswith(f"icefacts: {bad}:6: defaults.measure.kind:"), err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run_cli("check", "--schema")
    assert code == 0 and json.loads(out)["title"] == "icefacts claim file"
    code, _, err = run_cli("check", str(good), "--format", "yaml")
    assert code == 2 and "--format" in err


def test_an_unknown_aor_or_table_names_its_line(tmp_path: Path, wh) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.replace("places: {aors: [SEA]}", "places: {aors: [ZZZ]}"))
    with pytest.raises(InputError) as exc:
        api.check(wh, path)
    assert f"{path}:12: claims[0].places:" in str(exc.value) and "ZZZ" in str(exc.value)
    path.write_text(GOOD.replace("    published: 10\n", "    published: 10\n    table: jails\n"))
    with pytest.raises(InputError, match=r":12: claims\[0\].table: .*'jails'"):
        api.load_claims(path)


def test_a_device_is_not_read_and_link_makes_no_warehouse(tmp_path: Path, run_cli) -> None:
    """/dev/zero never ends: refused before reading; `icefacts link` on a path that holds
    no warehouse says so and leaves nothing behind."""
    with pytest.raises(InputError, match="not a regular file"):
        api.load_claims("/dev/zero")
    missing = tmp_path / "none" / "w.duckdb"
    code, out, err = run_cli("link", "--db", str(missing))
    assert code == 2 and out == "" and "no warehouse there" in err
    assert len(err.strip().splitlines()) == 1
    assert not missing.parent.exists()
