"""The codebook in docs/ is generated from the schema; this keeps them in step."""

from __future__ import annotations

from icefacts.release_specs import families
from icefacts.schema.codebook import codebook_markdown
from icefacts.schema.fields import EVENT_TABLES
from tests.conftest import ROOT


def test_docs_codebook_is_current() -> None:
    on_disk = (ROOT / "docs" / "codebook.md").read_text()
    assert on_disk == codebook_markdown(), "run: icefacts codebook > docs/codebook.md"


def test_every_table_fits_the_64_bit_masks() -> None:
    for tdef in EVENT_TABLES.values():
        assert len(tdef.fields) <= 64, tdef.name


def test_every_spec_column_maps_to_a_schema_field() -> None:
    # Family models validate this on load; loading them all is the test.
    assert {f.letter for f in families()} >= {"A", "B", "C", "D", "E"}
