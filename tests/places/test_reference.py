"""Reference dataset registry, header checks and checksum verification."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pytest

from icefacts.errors import InputError
from icefacts.fetch import load_catalog
from icefacts.reference import dataset, datasets, fetch_reference, load_reference
from icefacts.reference.parsers import aor_list_ddp, county_aor_uwchr, facilities_uwchr

EXPECTED = {
    "census-population-v2019",
    "census-population-v2024",
    "county-aor-uwchr",
    "ice-aor-list",
    "ice-offices",
    "facilities-uwchr",
    "facility-aor-2025",
    "agreements-287g-2025",
}


def test_registry_names_catalogued_files_and_importable_parsers() -> None:
    catalog = load_catalog()
    assert set(datasets()) >= EXPECTED
    for ds in datasets().values():
        assert ds.license and ds.title and ds.publisher
        for entry in ds.catalog_entries(catalog):
            assert entry.kind == "reference"
        assert callable(ds.parse_function())


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(Exception, match="unknown reference dataset 'nope'"):
        dataset("nope")


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    f = tmp_path / "county_aor.csv"
    f.write_text('geoid,geoid_state,name,aor\n01001,01,"x county, alabama",NOL\n')
    with pytest.raises(InputError) as err:
        county_aor_uwchr.parse(f)
    msg = str(err.value)
    assert str(f) in msg and "'geoid_county'" in msg and "missing column" in msg
    assert "\n" not in msg


def test_unexpected_column_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "aor.csv"
    f.write_text('"office_name", "state_name", "county_name", "notes", "extra"\n')
    with pytest.raises(InputError, match=r"column 'extra': unexpected column"):
        aor_list_ddp.parse(f)


def test_trailing_empty_header_cells_and_bom_are_tolerated(tmp_path: Path) -> None:
    f = tmp_path / "aor.csv"
    f.write_text(
        '\ufeff"office_name", "state_name", "county_name", "notes",,\n'
        '"Seattle", "Washington", "", "",,\n',
        encoding="utf-8",
    )
    t = aor_list_ddp.parse(f)
    assert t.to_pylist()[0]["aor"] == "SEA"
    assert t.to_pylist()[0]["county_name"] is None


def test_unknown_aor_names_row(tmp_path: Path) -> None:
    f = tmp_path / "fac.csv"
    header = "|".join(facilities_uwchr.HEADER)
    row = "|".join(
        ["X1", "A JAIL", "1 ST", "TOWN", "KING ", "WA", "98000", "9", "ZZZ"]
        + [""] * (len(facilities_uwchr.HEADER) - 9)
    )
    f.write_text(f"{header}\n{row}\n")
    with pytest.raises(InputError, match=r"row 2, column 'aor': unknown Area of Responsibility"):
        facilities_uwchr.parse(f)


def test_checksum_mismatch_is_refused(tmp_path: Path, maybe_mirror: Path | None) -> None:
    """A mirror copy whose bytes differ from the catalog's sha256 is refused, not parsed."""
    path = dataset("ice-aor-list").files[0].path
    fake = tmp_path / "mirror" / path
    fake.parent.mkdir(parents=True)
    if maybe_mirror is not None and (maybe_mirror / path).exists():  # a modified real copy
        fake.write_bytes((maybe_mirror / path).read_bytes().replace(b"Seattle", b"Seatle", 1))
    else:  # no mirror here: any bytes will do
        fake.write_text('"office_name", "state_name", "county_name", "notes"\n')
    assert hashlib.sha256(fake.read_bytes()).hexdigest() != load_catalog()[path].sha256
    with pytest.raises(InputError, match="checksum mismatch") as err:
        load_reference(
            "ice-aor-list", tmp_path / "mirror", tmp_path / "cache", allow_download=False
        )
    assert str(fake) in str(err.value)
    assert not (tmp_path / "cache" / path).exists()


def test_absent_file_without_download_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not in the mirror or cache"):
        fetch_reference("ice-offices", tmp_path / "empty", tmp_path / "cache", allow_download=False)


@pytest.mark.realdata
def test_every_dataset_parses_from_the_mirror(mirror: Path, empty_cache: Path) -> None:
    for name in sorted(EXPECTED):
        table = load_reference(name, mirror, empty_cache, allow_download=False)
        assert isinstance(table, pa.Table) and table.num_rows > 0, name
        assert "source_file" in table.column_names
