"""Arrow schemas of the places tables, each field with its meaning (defined once, here).

The warehouse layer can derive DDL and codebook entries from these: every field carries a
``description`` in its metadata.
"""

from __future__ import annotations

import pyarrow as pa


def _f(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


S, I16, I32, I64, D, F64, B = (
    pa.string(), pa.int16(), pa.int32(), pa.int64(), pa.date32(), pa.float64(), pa.bool_(),
)  # fmt: skip

STATES = pa.schema(
    [
        _f("fips", S, "2-digit state FIPS code", False),
        _f("usps", S, "USPS 2-letter abbreviation", False),
        _f("name", S, "state name", False),
        _f("kind", S, "state / district / territory", False),
    ]
)

COUNTIES = pa.schema(
    [
        _f("fips", S, "5-digit county FIPS code (state + county)", False),
        _f("name", S, "county name as Census writes it (latest vintage)", False),
        _f("state_fips", S, "2-digit state FIPS code", False),
        _f("state", S, "USPS state abbreviation", False),
        _f("state_name", S, "state name", False),
    ]
)

COUNTY_POPULATION = pa.schema(
    [
        _f("fips", S, "5-digit county FIPS code", False),
        _f("year", I16, "calendar year of the July 1 estimate", False),
        _f("population", I64, "resident population estimate, July 1", False),
        _f("vintage", I16, "Census estimates vintage the figure comes from", False),
        _f("source_file", S, "catalog path of the Census file", False),
    ]
)

AORS = pa.schema(
    [
        _f("code", S, "3-letter ICE ERO Area of Responsibility code", False),
        _f("name", S, "field office city the AOR is named for", False),
        _f("folded_into", S, "code this office's area is counted under (Harlingen -> SNA)"),
        _f("field_office", S, "field office name in ICE's office list"),
        _f("address", S, "field office street address"),
        _f("city", S, "field office city"),
        _f("state", S, "field office state (USPS)"),
        _f("latitude", F64, "field office latitude"),
        _f("longitude", F64, "field office longitude"),
        _f("address_as_of", S, "when the office list was compiled"),
        _f("note", S, "caveats"),
    ]
)

COUNTY_AOR = pa.schema(
    [
        _f("fips", S, "5-digit county FIPS code", False),
        _f("county_name", S, "county name", False),
        _f("state", S, "USPS state abbreviation", False),
        _f("aor", S, "3-letter AOR code (Harlingen folded into SNA)", False),
        _f("as_of", D, "date the AOR map this row comes from describes", False),
        _f("source", S, "reference dataset the assignment comes from", False),
        _f("method", S, "county: the source lists the county; state: the whole state", False),
        _f("note", S, "caveats (e.g. Harlingen folded into SNA)"),
    ]
)

FACILITIES = pa.schema(
    [
        _f("detloc", S, "ICE detention facility code (DETLOC)", False),
        _f("name", S, "facility name", False),
        _f("address", S, "street address"),
        _f("city", S, "city"),
        _f("state", S, "USPS state abbreviation"),
        _f("county_name", S, "county as the facility list writes it"),
        _f("county_fips", S, "5-digit county FIPS where derivable (county column or name)"),
        _f("county_method", S, "how county_fips was found: county column / facility name"),
        _f("aor", S, "AOR code in the facility list"),
        _f("aor_2025", S, "AOR code in the DDP-era (2023-2025) facility code list"),
        _f("type", S, "facility type (IGSA, SPC, CDF, USMS, BOP, ...)"),
        _f("type_detailed", S, "detailed facility type"),
        _f("date_first_use", D, "first use by ICE"),
        _f("date_last_use", D, "last use by ICE (as of the list)"),
        _f("source", S, "reference dataset(s) the row comes from", False),
    ]
)

CITY_COUNTIES = pa.schema(
    [
        _f("city", S, "city as the facility lists write it (upper case)", False),
        _f("state", S, "USPS state abbreviation", False),
        _f("county_fips", S, "the one county all facilities in this city are in", False),
        _f("n_facilities", I32, "facilities supporting the pair", False),
    ]
)

AGREEMENTS_287G = pa.schema(
    [
        _f("agency", S, "law enforcement agency", False),
        _f("agency_type", S, "County / Municipality / State Agency"),
        _f("state", S, "USPS state abbreviation"),
        _f("state_fips", S, "2-digit state FIPS"),
        _f("county_name", S, "county as listed"),
        _f("county_fips", S, "5-digit county FIPS where derivable"),
        _f("county_method", S, "how county_fips was found: county column / agency name / city"),
        _f("model", S, "jail enforcement / task force / warrant service officer / other", False),
        _f("support_type", S, "support type as listed"),
        _f("signed_date", D, "date the agreement was signed (participating list)"),
        _f("signed_raw", S, "SIGNED cell as written"),
        _f(
            "signed_problem",
            S,
            "why signed_date is NULL though SIGNED has a value: unreadable date, or implausible "
            "date (before 1900 or over a year after the load)",
        ),
        _f("end_date", D, "end of the agreement; NULL when unknown (the lists give none)"),
        _f("listing", S, "participating or pending", False),
        _f("snapshot_date", D, "date the list was captured", False),
        _f("source", S, "catalog path of the list", False),
        _f("source_row", I32, "row in that file", False),
    ]
)

AOR_POPULATION = pa.schema(
    [
        _f("aor", S, "AOR code", False),
        _f("as_of", D, "crosswalk version used", False),
        _f("year", I16, "year of the estimate", False),
        _f("population", I64, "sum of the AOR's counties (NULL if any county lacks the year)"),
        _f("counties", I32, "counties of the AOR in the population table", False),
        _f("complete", B, "every county of the AOR has an estimate for the year", False),
    ]
)


def description(schema: pa.Schema, name: str) -> str:
    meta = schema.field(name).metadata or {}
    return str(meta.get(b"description", b"").decode())
