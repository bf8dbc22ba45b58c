"""Census population files: the 2019 CSV (BOM, stripped FIPS zeros) and the 2024 report layout."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from icefacts.errors import InputError
from icefacts.places import counties, county_population
from icefacts.reference import load_reference
from icefacts.reference.parsers import census_2019, census_2024


def _report(rows: list[str]) -> str:
    pad = "," * 12
    head = [
        "\ufefftable with row headers in column A and column headers in rows 3 through 4 "
        "(leading dots indicate sub-parts)" + pad,
        '"Annual Estimates of the Resident Population for Counties in Oregon: April 1, 2020 to '
        'July 1, 2024"' + pad,
        'Geographic Area,"April 1, 2020 Estimates Base",Population Estimate (as of July 1)' + pad,
        ",,2020,2021,2022,2023,2024" + pad,
    ]
    foot = ['"Source: U.S. Census Bureau, Population Division"' + pad]
    return "\n".join([*head, *(r + pad for r in rows), *foot]) + "\n"


def test_census_2024_report_layout(tmp_path: Path) -> None:
    f = tmp_path / "co-est2024-pop-41.csv"
    f.write_text(
        _report(
            [
                'Oregon,"4,237,224","4,243,779","4,254,280","4,247,372","4,253,653","4,272,371"',
                '".Baker County, Oregon","16,669","16,731","16,884","16,933","16,904","16,750"',
            ]
        ),
        encoding="utf-8",
    )
    t = census_2024.parse(f, state_fips="41")
    rows = t.to_pylist()
    assert len(rows) == 10  # 2 geographies x 5 years, the estimates base is not a year
    baker = [r for r in rows if r["name"] == "Baker County"]
    assert [r["year"] for r in baker] == [2020, 2021, 2022, 2023, 2024]
    assert baker[0]["population"] == 16731 and baker[0]["fips"] is None
    assert baker[0]["vintage"] == 2024 and baker[0]["level"] == "county"


def test_census_2024_refuses_label_of_another_state(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text(
        _report(
            [
                'Oregon,"1","1","1","1","1","1"',
                '".Adams County, Washington","1","1","1","1","1","1"',
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"row 6, column 'Geographic Area'"):
        census_2024.parse(f, state_fips="41")


def test_census_2024_refuses_changed_header(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text(_report([]).replace("Population Estimate (as of July 1)", "Estimate"))
    with pytest.raises(InputError, match="missing column 'Population Estimate"):
        census_2024.parse(f, state_fips="41")


def test_census_2019_header_check(tmp_path: Path) -> None:
    f = tmp_path / "co.csv"
    f.write_text("SUMLEV,STATE,COUNTY,STNAME,CTYNAME\n50,1,1,Alabama,Autauga County\n")
    with pytest.raises(InputError, match="missing column 'REGION'"):
        census_2019.parse(f)


@pytest.mark.realdata
def test_real_population_tables(mirror: Path, empty_cache: Path) -> None:
    v2019 = load_reference("census-population-v2019", mirror, empty_cache, allow_download=False)
    v2024 = load_reference("census-population-v2024", mirror, empty_cache, allow_download=False)
    c = counties([v2019, v2024])
    assert c.num_rows == 3142
    assert all(len(f) == 5 for f in c["fips"].to_pylist())  # zeros restored
    names = dict(zip(c["fips"].to_pylist(), c["name"].to_pylist(), strict=True))
    assert names["01001"] == "Autauga County" and names["35013"] == "Doña Ana County"
    pop = county_population([v2019, v2024])
    king = pop.filter(pc.equal(pop["fips"], "53033")).to_pylist()
    assert [r["year"] for r in king] == list(range(2010, 2025))
    assert {r["vintage"] for r in king if r["year"] >= 2020} == {2024}
    # every 2024-vintage county got a FIPS by name
    assert pop.filter(pc.equal(pop["vintage"], 2024)).num_rows == (39 + 36) * 5
