"""`render.to_rich`: a Rich table when the columns fit whole, one block per record otherwise."""

from __future__ import annotations

import io

import pyarrow as pa
import pytest
from rich.console import Console

from icefacts import render

SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
URL = (
    "https://www.ice.gov/doclib/detention/FY2024_detentionStats_08292024_"
    "with_a_name_long_enough_to_pass_eighty.xlsx"
)
LONG_TOKENS = (SHA, URL)
NOTE = "a longer note with several words that should wrap nicely, at spaces only"


def show(
    table: pa.Table, width: int, title: str | None = None, max_rows: int = 200, crop: bool = True
) -> str:
    """What `console.print(render.to_rich(table, title))` prints, as plain text.

    `crop=False` lets a token wider than the console overflow instead of being cut
    by `Console.print`, which crops every line at the console width by default.
    """
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(render.to_rich(table, title, max_rows=max_rows), crop=crop)
    return console.export_text()


def wide(rows: int = 1) -> pa.Table:
    """Twelve columns of the kind a release listing has, one sha256 and one long URL."""
    return pa.table(
        {
            "release_id": [20240829 + i for i in range(rows)],
            "fiscal_year": [2024] * rows,
            "sha256": [SHA] * rows,
            "source_url": [URL] * rows,
            "row": [1234567] * rows,
            "county_fips": [6037] * rows,
            "n_arrests": [98765] * rows,
            "aor": ["Los Angeles"] * rows,
            "note": [NOTE] * rows,
            "tags": [["a", "b"]] * rows,
            "missing": pa.array([None] * rows, pa.string()),
            "ingested_at": ["2024-09-01T12:00:00"] * rows,
        }
    )


def narrow(rows: int = 2) -> pa.Table:
    return pa.table(
        {
            "aor": ["Los Angeles", "Miami"][:rows] + ["Chicago"] * (rows - 2),
            "year": [2024] * rows,
            "arrests": [12345] * rows,
        }
    )


def is_table(text: str) -> bool:
    return "┏" in text and "└" in text


def lines_with(text: str, token: str) -> list[str]:
    return [line for line in text.splitlines() if token in line]


def check_widths(text: str, width: int) -> None:
    """No line is wider than `width` unless it holds one long token (after its label)."""
    for line in text.splitlines():
        if len(line) > width:
            words = line.split()
            assert words[-1] in LONG_TOKENS and len(words) <= 2, line


@pytest.mark.parametrize("width", [40, 80, 200])
def test_a_narrow_table_stays_a_table(width: int) -> None:
    text = show(narrow(), width, "arrests by AOR")
    assert is_table(text)
    assert "arrests by AOR" in text
    assert [c.strip() for c in lines_with(text, "aor")[0].split("┃")[1:4]] == [
        "aor",
        "year",
        "arrests",
    ]
    assert lines_with(text, "Los Angeles")[0].split()[-2:] == ["12,345", "│"]
    check_widths(text, width)


@pytest.mark.parametrize("width", [40, 80])
def test_a_wide_table_becomes_one_block_per_record(width: int) -> None:
    text = show(wide(2), width, "releases", crop=False)
    assert not is_table(text)
    assert text.count("releases") == 1 and text.startswith("releases\n")
    for token in (SHA, URL):
        assert len(lines_with(text, token)) == 2  # whole, on one line, once per record
    assert text.count("\n\n") == 2  # title, record, record: apart by blank lines
    assert lines_with(text, "aor")[0].split() == ["aor", "Los", "Angeles"]
    check_widths(text, width)
    assert max(len(line) for line in text.splitlines()) > width  # the URL did overflow


def test_tokens_that_fit_the_console_survive_its_default_cropping() -> None:
    assert lines_with(show(wide(), 80), SHA) == ["sha256       " + SHA]  # beside its name
    assert lines_with(show(wide(), 66), SHA) == ["  " + SHA]  # under `sha256:`
    assert lines_with(show(wide(), 65), SHA) == [SHA]  # not indented, so not cut


def test_long_values_wrap_at_spaces_only() -> None:
    lines = show(wide(), 80).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("note "))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    assert end - start == 2  # two lines, the second under the first value
    assert lines[start + 1].startswith(" " * len("ingested_at  "))
    assert " ".join(" ".join(lines[start:end]).split()) == "note " + NOTE


def test_the_same_wide_table_is_a_table_when_there_is_room() -> None:
    text = show(wide(2), 400, "releases")
    assert is_table(text)
    header = lines_with(text, "release_id")[0]
    assert all(name in header for name in wide().column_names)
    assert len(lines_with(text, SHA)) == 2 and len(lines_with(text, URL)) == 2
    assert all(len(line) <= 400 for line in text.splitlines())


def test_a_table_short_of_its_natural_width_wraps_cells_at_spaces_not_in_tokens() -> None:
    table = pa.table({"release_id": ["2024-08-29"], "sha256": [SHA], "note": [NOTE]})
    text = show(table, 110)
    assert is_table(text)
    assert len(lines_with(text, SHA)) == 1
    assert all(len(line) <= 110 for line in text.splitlines())
    cells = [line.split("│")[3].strip() for line in text.splitlines() if line.count("│") == 4]
    assert " ".join(c for c in cells if c) == NOTE


def test_names_go_above_values_when_they_would_take_over_half_the_width() -> None:
    table = pa.table({"a_rather_long_field_name": [1234567], "another_long_name": ["x y"]})
    assert show(table, 40).splitlines() == [
        "a_rather_long_field_name:",
        "  1,234,567",
        "another_long_name:",
        "  x y",
    ]


def test_numbers_lists_and_nulls_keep_their_formatting() -> None:
    for width in (80, 400):
        text = show(wide(), width)
        assert "1,234,567" not in text and "1234567" in text  # a `row` column: plain
        assert "98,765" in text and "98765" not in text
        assert "20240829" in text and "20,240,829" not in text  # release_id
        assert "6037" in text and "6,037" not in text  # county_fips
        assert "2024" in text and "2,024" not in text  # fiscal_year
        assert '["a", "b"]' in text
        assert "None" not in text
    assert "missing" in show(wide(), 80).splitlines()  # an empty value, no trailing blanks


def test_values_are_not_read_as_markup() -> None:
    table = pa.table({"name": ["[bold]x[/bold] [/y] :smile:"]})
    assert "[bold]x[/bold] [/y] :smile:" in show(table, 80)


@pytest.mark.parametrize("width", [40, 400])
def test_the_caption_says_how_many_rows_were_left_out(width: int) -> None:
    text = show(wide(5), width, max_rows=2, crop=False)
    assert "2 of 5 rows shown (use --format csv for all)" in " ".join(text.split())
    assert text.count(SHA) == 2


def test_an_empty_table_prints_its_title_and_column_names() -> None:
    text = show(narrow().slice(0, 0), 80, "arrests by AOR")
    assert is_table(text) and "arrests by AOR" in text and "(no rows)" in text
    assert all(name in lines_with(text, "aor")[0] for name in ("aor", "year", "arrests"))
    text = show(wide().slice(0, 0), 40, "releases")
    assert text.startswith("releases\ncolumns: release_id,") and "(no rows)" in text
    assert all(name in " ".join(text.split()) for name in wide().column_names)


def test_a_table_without_columns() -> None:
    assert show(pa.table({}), 80, "nothing") == "nothing\n(no columns)\n"


def test_a_release_both_used_and_set_aside_says_why() -> None:
    """A release counts some days of a span and is shadowed on others: both lists name it,
    the second saying on which days."""
    from types import SimpleNamespace

    answer = SimpleNamespace(releases_used=["a", "b"], releases_set_aside=["b", "c"], caveats=[])
    lines = render.answer_notes(answer)
    assert lines == [
        "releases used: a, b",
        "set aside (rows kept in *_all): b (on the days another release counts), c",
    ]
