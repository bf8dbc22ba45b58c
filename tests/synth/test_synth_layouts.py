"""Header lists: the real layouts, and every family-C header mapped or deliberately unmapped."""

from __future__ import annotations

import pytest

from icefacts import release_specs
from icefacts.synth import layouts

C_LAYOUTS = {
    "arrests": [layouts.C_ARRESTS],
    "detainers": [layouts.C_DETAINERS, layouts.C_DETAINERS_WITHOUT_BIRTH_DATE],
    "encounters": [layouts.C_ENCOUNTERS],
    "detentions": [layouts.C_DETENTIONS],
    "removals": [layouts.C_REMOVALS],
}


@pytest.mark.parametrize("table", sorted(C_LAYOUTS))
def test_every_c_header_is_mapped_or_listed_unmapped(table: str) -> None:
    hmap = release_specs.family("C").header_map(table)
    for layout in C_LAYOUTS[table]:
        assert len(set(layout)) == len(layout), "duplicate header"
        for header in layout:
            mapped = release_specs.normalize_header(header) in hmap
            assert mapped or (table, header) in layouts.UNMAPPED_OK, (table, header)


def test_unmapped_ok_names_only_headers_of_its_table() -> None:
    for table, header in layouts.UNMAPPED_OK:
        assert any(header in layout for layout in C_LAYOUTS[table]), (table, header)


@pytest.mark.parametrize("table", sorted(layouts.A_LAYOUTS))
def test_every_a_header_is_mapped(table: str) -> None:
    hmap = release_specs.family("A").header_map(table)
    for header in layouts.A_LAYOUTS[table]:
        assert release_specs.normalize_header(header) in hmap, (table, header)


def test_layout_sizes_and_orders() -> None:
    assert len(layouts.C_ARRESTS) == 25
    assert layouts.C_ARRESTS[0] == "Apprehension Date"
    assert layouts.C_ARRESTS[-1] == "Anonymized Identifier"
    assert len(layouts.C_ENCOUNTERS) == 25
    assert layouts.C_ENCOUNTERS[-1] == "Unique Identifier"
    assert len(layouts.C_DETENTIONS) == 53
    assert layouts.C_DETENTIONS[:3] == (
        "Stay Book In Date Time",
        "Book In Date Time",
        "Detention Facility",
    )
    assert len(layouts.C_DETAINERS) == 65
    assert "Birth Date" not in layouts.C_DETAINERS_WITHOUT_BIRTH_DATE
    assert len(layouts.C_DETAINERS_WITHOUT_BIRTH_DATE) == 64
    flags = [h for h in layouts.C_DETAINERS if h.endswith("Yes No")]
    assert len(flags) >= 20
    assert layouts.A_ARRESTS == (
        "Area of Responsibility",
        "Apprehension Date",
        "Apprehension Method",
        "Apprehension Landmark",
        "Operation",
        "Processing Disposition",
        "Birth Date",
        "Citizenship",
        "Gender",
    )


def test_title_rows_state_the_period_and_foia_number() -> None:
    from datetime import date

    rows = layouts.c_title_rows("arrests", 2024, date(2023, 10, 1), date(2024, 9, 30), 0)
    assert len(rows) == layouts.TITLE_ROWS == 6
    assert "SYNTHETIC" in rows[0]
    assert any("2024-ICFO-39357" in r for r in rows)
    assert any("10/1/2023 - 9/30/2024" in r for r in rows)
    lines = layouts.a_title_lines("arrests", 2019, end=date(2019, 8, 31))
    assert lines[-1] == "ERO Administrative Arrests for FY2019 (10/1/2018 - 8/31/2019)"
