"""Canonical event tables.

Each field has a storage type, a *kind* that tells the cleaning steps how to turn released
cells into typed values, and a description used for the codebook and web labels.

Kinds:
  text        trimmed string as released (redaction markers become NULL + redacted flag)
  code:VOCAB  mapped through ``releases/vocab/VOCAB.csv``; unknown values kept verbatim
  date        DATE parsed from the formats the family declares (or an Excel datetime)
  datetime    TIMESTAMP, same parsing; the DATE part is also derived where declared
  int         integer (thousands separators allowed)
  yesno       BOOLEAN from Yes/No/Y/N/1/0
  year        birth year: an INTEGER, also derived from a birth date when only that is given
  present     BOOLEAN: TRUE when the cell held anything (even a redaction marker)
  withheld    a direct identifier: only whether it was redacted is kept, never the value
  person      anonymized person identifier (links tables within one release)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    kind: str
    description: str


@dataclass(frozen=True)
class TableDef:
    name: str
    description: str
    fields: tuple[Field, ...]
    date_field: str
    derived: tuple[Field, ...] = field(default_factory=tuple)
    time_field: str | None = None  # the same moment with its time of day, where released
    # the location fields a record of this table can carry, in the order placement reads them
    # (empty: the table is not placed in counties)
    place_fields: tuple[str, ...] = ()
    # the day an event of this table is counted on when releases overlap (first one present)
    count_date: tuple[str, ...] = ()

    @property
    def placed(self) -> bool:
        return bool(self.place_fields)

    @property
    def count_dates(self) -> tuple[str, ...]:
        return self.count_date or (self.date_field,)

    def field(self, name: str) -> Field:
        for f in (*self.fields, *self.derived):
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def F(name: str, type_: str, kind: str, description: str) -> Field:
    return Field(name, type_, kind, description)


PROVENANCE: tuple[Field, ...] = (
    F("event_id", "VARCHAR", "id", "stable id: hash of release, file, sheet and row"),
    F("release_id", "VARCHAR", "id", "the ingested file this row came from (releases table)"),
    F("source_file", "VARCHAR", "id", "file name as ingested"),
    F("source_sheet", "VARCHAR", "id", "sheet name (NULL for CSV files)"),
    F("source_row", "INTEGER", "id", "1-based row (line) number in the sheet or file"),
)

# Columns every event table gets after cleaning (besides its own fields).
QUALITY: tuple[Field, ...] = (
    F("redacted_mask", "UBIGINT", "mask", "bit i set when field i was redacted (see codebook)"),
    F("out_of_period", "BOOLEAN", "flag", "event date outside the period the release states"),
    F("unparsed", "MAP(VARCHAR, VARCHAR)", "map", "cells that could not be typed, verbatim"),
    F("unknown_mask", "UBIGINT", "mask", "bit i set when field i held a value no vocab knows"),
    F("duplicate_of", "VARCHAR", "link", "event_id of the first row of a likely duplicate"),
)

# Columns the link steps add to every row of a placed table (``link/placement.py``): where the
# event happened, as far as the records tell, and how we know.
PLACEMENT: tuple[Field, ...] = (
    F(
        "place_id",
        "BIGINT",
        "link",
        "the distinct location fields this row was placed from (a hash of them; placements)",
    ),
    F("county_fips", "VARCHAR", "link", "county the event is placed in (5-digit FIPS), if any"),
    F("place_state", "VARCHAR", "link", "state (USPS): as released, else as placed"),
    F(
        "place_method",
        "VARCHAR",
        "link",
        "how it was placed: release_county, facility, landmark, aor_only or state_only",
    ),
    F("place_confidence", "VARCHAR", "link", "high, medium, low or none"),
)

# Each event counted once (``link/counting.py``): for every table, AOR and day one release
# counts; the rows of other releases there name it.
COUNTING: tuple[Field, ...] = (
    F(
        "shadowed_by",
        "VARCHAR",
        "link",
        "release that counts this row's table, AOR and day instead (NULL: its own release)",
    ),
)

_PERSON = F("person_id", "VARCHAR", "person", "anonymized identifier, NULL if none/redacted")
_AOR = F("aor", "VARCHAR", "code:aor", "ICE Area of Responsibility, 3-letter code")
_CIT = F("citizenship", "VARCHAR", "text", "country of citizenship as released")
_GENDER = F("gender", "VARCHAR", "code:gender", "Male / Female / Unknown")
_BYEAR = F("birth_year", "INTEGER", "year", "birth year (never the full birth date)")
_BDATE = F("birth_date", "BOOLEAN", "withheld", "birth date: only whether it was released")
_CRIM = F("criminality", "VARCHAR", "code:criminality", "convicted / pending / other")
_MSC = F("most_serious_conviction", "VARCHAR", "text", "most serious conviction as released")
_DISP = F("processing_disposition", "VARCHAR", "text", "processing disposition as released")
_LANDMARK = F("landmark", "VARCHAR", "text", "apprehension / event landmark, free text")
_OP = F("operation_flag", "BOOLEAN", "present", "an operation code was present (even redacted)")
_CASE_STATUS = F("case_status", "VARCHAR", "text", "case status as released")
_CASE_CAT = F("case_category", "VARCHAR", "text", "case category as released")
_DEP_COUNTRY = F("departure_country", "VARCHAR", "text", "country of departure")
_DEPARTED = F("departed_date", "DATE", "date", "date of departure (removal)")
_FINAL_ORDER = F("final_order", "BOOLEAN", "yesno", "a final order exists")
_FINAL_ORDER_DATE = F("final_order_date", "DATE", "date", "date of the final order")
_PROGRAM = F("program", "VARCHAR", "text", "ICE program (final / current program)")
_EVENT_NO = F("event_number", "BOOLEAN", "withheld", "event number: only whether released")
_THREAT = F("threat_level", "VARCHAR", "text", "threat level / removal case COL as released")
_METHOD = F("method", "VARCHAR", "text", "apprehension method as released, trimmed")
_AT_LARGE = F(
    "at_large",
    "BOOLEAN",
    "derived",
    "TRUE for Located / Non-Custodial Arrest, FALSE for custodial methods, else NULL",
)

ARRESTS = TableDef(
    "arrests",
    "ICE ERO administrative arrests, one row per released record",
    (
        F("apprehension_date", "DATE", "date", "date of the arrest"),
        F("apprehension_at", "TIMESTAMP", "datetime", "date and time, where released"),
        _AOR,
        F("state", "VARCHAR", "code:state", "state (USPS code): as released, else as placed"),
        F("county", "VARCHAR", "text", "county of apprehension, where released"),
        _METHOD,
        F("operation", "VARCHAR", "text", "operation code when not redacted"),
        _OP,
        _CRIM,
        _MSC,
        _CIT,
        _GENDER,
        _LANDMARK,
        _DISP,
        _PERSON,
        _BDATE,
        _BYEAR,
        F("apprehension_type", "VARCHAR", "text", "apprehension type"),
        _PROGRAM,
        F("arresting_agency", "VARCHAR", "text", "arresting agency"),
        _CASE_STATUS,
        _CASE_CAT,
        _DEP_COUNTRY,
        _FINAL_ORDER,
        _DEPARTED,
        _FINAL_ORDER_DATE,
        F("site", "VARCHAR", "text", "duty site of the arresting officer"),
        F("case_criminality", "VARCHAR", "code:criminality", "case criminality"),
        _THREAT,
        _EVENT_NO,
        F("arrest_created_by", "VARCHAR", "text", "who created the arrest record"),
        F("case_id", "BOOLEAN", "withheld", "case id: only whether released"),
        F("subject_id", "BOOLEAN", "withheld", "subject id: only whether released"),
        F("alien_file_number", "BOOLEAN", "withheld", "A-number: only whether released"),
    ),
    date_field="apprehension_date",
    time_field="apprehension_at",
    derived=(_AT_LARGE,),
    place_fields=("aor", "state", "county", "landmark"),
)

ENCOUNTERS = TableDef(
    "encounters",
    "ICE ERO encounters (ICE learns of a person), one row per released record",
    (
        F("event_date", "DATE", "date", "date of the encounter"),
        F("event_at", "TIMESTAMP", "datetime", "date and time, where released"),
        _AOR,
        F("site", "VARCHAR", "text", "responsible site"),
        F("lead_event_type", "VARCHAR", "text", "lead event type"),
        F("lead_source", "VARCHAR", "text", "lead source"),
        F("event_type", "VARCHAR", "text", "event type"),
        _PROGRAM,
        F("program_group", "VARCHAR", "text", "final program group"),
        _CRIM,
        _DISP,
        _CASE_STATUS,
        _CASE_CAT,
        _DEPARTED,
        _DEP_COUNTRY,
        _FINAL_ORDER,
        _FINAL_ORDER_DATE,
        _BDATE,
        _BYEAR,
        _CIT,
        _GENDER,
        _LANDMARK,
        F("operation", "VARCHAR", "text", "operation code when not redacted"),
        _OP,
        _EVENT_NO,
        F("alien_file_number", "BOOLEAN", "withheld", "A-number: only whether released"),
        F("eid_case_id", "BOOLEAN", "withheld", "EID case id: only whether released"),
        F("eid_subject_id", "BOOLEAN", "withheld", "EID subject id: only whether released"),
        _PERSON,
    ),
    date_field="event_date",
    time_field="event_at",
    place_fields=("aor", "landmark"),
)

REMOVALS = TableDef(
    "removals",
    "ICE removals (departures), one row per released record",
    (
        F("removal_date", "DATE", "date", "date of removal"),
        _DEPARTED,
        F("apprehension_date", "DATE", "date", "date of the underlying apprehension"),
        _AOR,
        _DISP,
        _CIT,
        _GENDER,
        _THREAT,
        F("final_charge_section", "VARCHAR", "text", "final charge section (INA)"),
        _CASE_CAT,
        _CASE_STATUS,
        _MSC,
        _CRIM,
        F("port_of_departure", "VARCHAR", "text", "port of departure"),
        _DEP_COUNTRY,
        _PROGRAM,
        _BDATE,
        _BYEAR,
        _EVENT_NO,
        _PERSON,
    ),
    date_field="departed_date",
    # national extracts give the removal date (their stated period is about it); the Seattle
    # productions give only the departure date, the same day for most removals
    count_date=("removal_date", "departed_date"),
)

DETAINERS = TableDef(
    "detainers",
    "ICE detainers (requests that a jail hold a person), one row per released record",
    (
        F("prepared_date", "DATE", "date", "date the detainer was prepared / issued"),
        F("prepared_at", "TIMESTAMP", "datetime", "date and time, where released"),
        F("facility_state", "VARCHAR", "code:state", "state of the facility (USPS code)"),
        _AOR,
        F("facility", "VARCHAR", "text", "facility the detainer was lodged with"),
        F("facility_code", "VARCHAR", "text", "facility code (DETLOC)"),
        F("facility_city", "VARCHAR", "text", "facility city"),
        F("port_of_departure", "VARCHAR", "text", "port of departure"),
        _DEP_COUNTRY,
        _DEPARTED,
        _CASE_STATUS,
        _CRIM,
        _THREAT,
        _GENDER,
        _CIT,
        F("birth_country", "VARCHAR", "text", "country of birth"),
        _BDATE,
        _BYEAR,
        F("entry_status", "VARCHAR", "text", "entry status"),
        F("msc_charge", "VARCHAR", "text", "most serious criminal charge"),
        F("msc_charge_code", "VARCHAR", "text", "MSC charge code"),
        F("msc_charge_date", "DATE", "date", "MSC charge date"),
        F("msc_conviction_date", "DATE", "date", "MSC conviction date"),
        F("msc_sentence_days", "INTEGER", "int", "MSC sentence, days part"),
        F("msc_sentence_months", "INTEGER", "int", "MSC sentence, months part"),
        F("msc_sentence_years", "INTEGER", "int", "MSC sentence, years part"),
        F("aggravated_felon", "VARCHAR", "text", "aggravated felon category as released"),
        _DISP,
        _CASE_CAT,
        F("toa_case_category", "VARCHAR", "text", "TOA case category"),
        _PROGRAM,
        _METHOD,
        _FINAL_ORDER,
        _FINAL_ORDER_DATE,
        F("apprehension_date", "DATE", "date", "apprehension date"),
        F("entry_date", "DATE", "date", "entry date"),
        F("lift_reason", "VARCHAR", "text", "why the detainer was lifted, as released"),
        F("lift_reason_code", "VARCHAR", "text", "lift reason code"),
        F("active_investigation", "BOOLEAN", "yesno", "active investigation"),
        F("arrest_warrant_served_date", "DATE", "date", "arrest warrant served date"),
        F("detainer_type", "VARCHAR", "text", "detainer form / type"),
        F("notify_release_request", "BOOLEAN", "yesno", "request for notification of release"),
        F("site", "VARCHAR", "text", "TOD current duty site"),
        F("eid_dta_id", "BOOLEAN", "withheld", "EID detainer id: only whether released"),
        _PERSON,
    ),
    date_field="prepared_date",
    time_field="prepared_at",
    place_fields=("aor", "facility_state", "facility_city", "facility_code", "facility"),
)

DETENTIONS = TableDef(
    "detentions",
    "ICE detention book-ins / stints, one row per released record",
    (
        F("book_in_date", "DATE", "date", "date of book-in"),
        F("book_in_at", "TIMESTAMP", "datetime", "book-in date and time"),
        F("book_out_at", "TIMESTAMP", "datetime", "book-out date and time"),
        F("stay_book_in_at", "TIMESTAMP", "datetime", "book-in of the whole stay"),
        F("stay_book_out_at", "TIMESTAMP", "datetime", "book-out of the whole stay"),
        F("facility", "VARCHAR", "text", "detention facility"),
        F("facility_code", "VARCHAR", "text", "detention facility code (DETLOC)"),
        F("release_reason", "VARCHAR", "text", "detention release reason"),
        _CRIM,
        _MSC,
        _PROGRAM,
        _AOR,
        _METHOD,
        _CIT,
        _GENDER,
        _BDATE,
        _BYEAR,
        _PERSON,
    ),
    date_field="book_in_date",
    time_field="book_in_at",
    place_fields=("aor", "facility_code", "facility"),
)

EVENT_TABLES: dict[str, TableDef] = {
    t.name: t for t in (ARRESTS, ENCOUNTERS, REMOVALS, DETAINERS, DETENTIONS)
}


PLACED_TABLES: tuple[str, ...] = tuple(t.name for t in EVENT_TABLES.values() if t.placed)
# every location field any table carries (the columns of ``link_places``)
PLACE_KEY_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(f for t in EVENT_TABLES.values() for f in t.place_fields)
)


def table_def(name: str) -> TableDef:
    try:
        return EVENT_TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(EVENT_TABLES)}") from None
