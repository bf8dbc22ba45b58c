"""The release layouts the synthetic generator writes: file names, title rows, header lists.

Every header list is the exact ordered list of a real release (sources noted per list), except
``C_REMOVALS``, which is *approximate* (see there). ``UNMAPPED_OK`` names the headers of the
family-C layouts that ``releases/ddp-current/columns.csv`` deliberately does not map to a
canonical field; a test checks that every other header is mapped.
"""

from __future__ import annotations

from datetime import date

# --------------------------------------------------------------------------------------------
# Family A: national LESA statistical extracts, FOIA 2019-ICFO-53623 (pipe-delimited gzip CSV)
# --------------------------------------------------------------------------------------------

A_FOIA = "2019-ICFO-53623"
A_FISCAL_YEAR = 2017

A_ARRESTS: tuple[str, ...] = (
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

A_ENCOUNTERS: tuple[str, ...] = (
    "Event Area of Responsibility",
    "Event Date",
    "Landmark",
    "Operation",
    "Processing Disposition",
    "Birth Date",
    "Citizenship",
    "Gender",
)

A_REMOVALS: tuple[str, ...] = (
    "Area of Responsibility",
    "Apprehension Date",
    "Processing Disposition Code",
    "Birth Date",
    "Citizenship",
    "Gender",
    "RC Threat Level",
    "Final Charge Section",
    "Departed Date",
    "Removal Date",
)

A_TABLE_TITLES = {
    "arrests": "ERO Administrative Arrests",
    "encounters": "ERO Encounters",
    "removals": "ICE Removals",
}

A_FILE_NAMES = {
    "arrests": "SYNTHETIC_EROArrests_FY{fy}.csv.gz",
    "encounters": "SYNTHETIC_EROEncounters_FY{fy}.csv.gz",
    "removals": "SYNTHETIC_ICERemovals_FY{fy}.csv.gz",
}

A_LAYOUTS = {"arrests": A_ARRESTS, "encounters": A_ENCOUNTERS, "removals": A_REMOVALS}

# --------------------------------------------------------------------------------------------
# Family B: the UW v. DHS production's arrests (pipe CSV, six title lines), written from A's
# Seattle rows by ``synth.paired``
# --------------------------------------------------------------------------------------------

B_ARRESTS: tuple[str, ...] = (
    "Arrest Date",
    "Date of Birth",
    "Gender",
    "Country of Citizenship",
    "Event Number",
    "Apprehension Landmark",
    "Arrest Method",
    "Most Serious Conviction",
)


def a_title_lines(table: str, fy: int, end: date | None = None) -> list[str]:
    """The five lines above the header. ``end`` set = a partial year, stated in the title."""
    title = f"{A_TABLE_TITLES[table]} for FY{fy}"
    if end is not None:
        title += f" (10/1/{fy - 1} - {end.month}/{end.day}/{end.year})"
    return [
        "ERO-LESA Statistical Tracking Unit - SYNTHETIC DATA, NOT A REAL RELEASE",
        "For Official Use Only (FOUO)/Pre-decisional",
        A_FOIA,
        "",
        title,
    ]


# --------------------------------------------------------------------------------------------
# Family C: current person-level releases (xlsx, six title rows, header on row 7)
# --------------------------------------------------------------------------------------------

C_FOIA = "2024-ICFO-39357"
C_FISCAL_YEAR = 2024
TITLE_ROWS = 6  # the header is on sheet row TITLE_ROWS + 1

# Arrests: the 25 columns of the current releases, in release order (RELEASES.md; the same
# order the Deportation Data Project's readers declare for these files).
C_ARRESTS: tuple[str, ...] = (
    "Apprehension Date",
    "Apprehension Type",
    "State",
    "County",
    "TOA Current Duty AOR",
    "Apprehension Final Program",
    "Arresting Agency",
    "Apprehension Method",
    "Apprehension Criminality",
    "Case Status",
    "Case Category",
    "Departure Country",
    "Final Order Yes No",
    "Birth Date",
    "Birth Year",
    "Citizenship Country",
    "Gender",
    "Departed Date",
    "Final Order Date",
    "Apprehension Site Landmark",
    "Operation",
    "TOA Current Duty Site",
    "Case Criminality",
    "Case Threat Level",
    "Anonymized Identifier",
)

# Detainers: the current spelling (RELEASES.md), 65 columns with Birth Date. Older releases spell
# some headers differently (the joined WA file's ``.detainer`` columns: Detainer Prepared
# Criminality, Detention Facility, Detainer Prep Threat Level, Most Serious Conviction (MSC)
# Charge, Felon, Time of Apprehension ..., Unique Identifier); columns.csv maps both spellings.
C_DETAINERS: tuple[str, ...] = (
    "Detainer Prepare Date",
    "Facility State",
    "Facility AOR",
    "Port of Departure",
    "Departure Country",
    "Departed Date",
    "Case Status",
    "Detainer Criminality",
    "Detainer Facility",
    "Detainer Facility Code",
    "Facility City",
    "Detainer Threat Level",
    "Gender",
    "Citizenship Country",
    "Birth Country",
    "Birth Date",
    "Birth Year",
    "Entry Status",
    "MSC Charge",
    "MSC Sentence Days",
    "MSC Sentence Months",
    "MSC Sentence Years",
    "MSC Charge Code",
    "MSC Charge Date",
    "MSC Conviction Date",
    "Aggravated Felon Yes No",
    "Processing Disposition",
    "Case Category",
    "TOA Case Category",
    "TOA Current Program",
    "Apprehension Method",
    "Final Order Yes No",
    "Final Order Date",
    "Apprehension Date",
    "Entry Date",
    "Prior Felony Yes No",
    "Multiple Prior MISD Yes No",
    "Violent Misdemeanor Yes No",
    "Illegal Entry Yes No",
    "Illegal Reentry Yes No",
    "Immigration Fraud Yes No",
    "Significant Risk Yes No",
    "Other Removal Reason Yes No",
    "Other Removal Reason",
    "Criminal Street Gang Yes No",
    "Aggravated Felony Yes No",
    "Deportation Ordered Yes No",
    "Order to Show Cause Served Yes No",
    "Order to Show Cause Served Date",
    "Biometric Match Yes No",
    "Statements Made Yes No",
    "Unlawful Attempt Yes No",
    "Unlawful Entry Yes No",
    "Visa Yes No",
    "Federal Register Notice Yes No",
    "Resume Custody Yes No",
    "Detainer Lift Reason",
    "Detainer Lift Reason Code",
    "Active Investigation Yes No",
    "Arrest Warrant Served Date",
    "Detainer Type",
    "Notify Release Request Yes No",
    "TOD Current Duty Site",
    "EID DTA ID",
    "Anonymized Identifier",
)

# The FY2023 / FY2024 detainer files lack the Birth Date column (everything else the same).
C_DETAINERS_WITHOUT_BIRTH_DATE: tuple[str, ...] = tuple(h for h in C_DETAINERS if h != "Birth Date")

C_ENCOUNTERS: tuple[str, ...] = (
    "Event Date",
    "Responsible AOR",
    "Responsible Site",
    "Lead Event Type",
    "Lead Source",
    "Event Type",
    "Final Program",
    "Final Program Group",
    "Encounter Criminality",
    "Processing Disposition",
    "Case Status",
    "Case Category",
    "Departed Date",
    "Departure Country",
    "Final Order Yes No",
    "Final Order Date",
    "Birth Date",
    "Birth Year",
    "Citizenship Country",
    "Gender",
    "Event Landmark",
    "Alien File Number",
    "EID Case ID",
    "EID Subject ID",
    "Unique Identifier",
)

# Detention stints: the 53 columns of the current releases (RELEASES.md names the first six and
# the last five; the joined WA file's ``.detention`` columns give most of the rest under older
# spellings, e.g. Detention Book Out Date Time for Book Out Date Time, Felon for Aggravated Felon
# Yes No).
C_DETENTIONS: tuple[str, ...] = (
    "Stay Book In Date Time",
    "Book In Date Time",
    "Detention Facility",
    "Book Out Date Time",
    "Stay Book Out Date Time",
    "Detention Release Reason",
    "Stay Book Out Date",
    "Stay Release Reason",
    "Religion",
    "Gender",
    "Marital Status",
    "Ethnicity",
    "Birth Country",
    "Citizenship Country",
    "Entry Status",
    "Known Terrorist Yes No",
    "Suspected Gang Yes No",
    "MSC Charge",
    "MSC Sentence Days",
    "MSC Sentence Months",
    "MSC Sentence Years",
    "MSC Charge Code",
    "Aggravated Felon Yes No",
    "Offense INA 236C Yes No",
    "Case INA 236C Yes No",
    "Bond Posted Date",
    "Bond Posted Amount",
    "Case Status",
    "Case Category",
    "Final Order Yes No",
    "Final Order Date",
    "Case Threat Level",
    "Detainee Classification",
    "Final Charge",
    "Departed Date",
    "Departure Country",
    "Initial Bond Set Amount",
    "Initial Bond Set Date",
    "Detention Facility Code",
    "Birth Date",
    "Birth Year",
    "Book In Criminality",
    "Race",
    "Entry Date",
    "Apprehension Final Program",
    "MSC Charge Date",
    "MSC Conviction Date",
    "MSC Criminal Charge Status",
    "MSC Criminal Charge Status Code",
    "MSC Crime Class",
    "Book In Site",
    "Book In AOR",
    "Anonymized Identifier",
)

# Removals: APPROXIMATE. No current-release removals header list was available to copy, so this
# layout is assembled from columns the other current tables and an older person-level removals
# release share (Departed Date, Port of Departure, Departure Country, Case Status, Birth Country,
# Entry Date / Status, MSC Charge, Case Threat Level, Processing Disposition, Case Category,
# Final Program, Final Order ...), with the AOR under a header columns.csv maps ("Area of
# Responsibility") and a Removal Date as in the national extracts. Expect the real order and
# spellings to differ.
C_REMOVALS: tuple[str, ...] = (
    "Departed Date",
    "Removal Date",
    "Port of Departure",
    "Departure Country",
    "Area of Responsibility",
    "Apprehension State",
    "Case Status",
    "Gender",
    "Birth Country",
    "Citizenship Country",
    "Birth Date",
    "Birth Year",
    "Entry Date",
    "Entry Status",
    "MSC Charge",
    "MSC Charge Code",
    "MSC Conviction Date",
    "Case Threat Level",
    "Removal Criminality",
    "Processing Disposition",
    "Case Category",
    "Final Program",
    "Final Charge Section",
    "Apprehension Date",
    "Final Order Yes No",
    "Final Order Date",
    "Anonymized Identifier",
)

# Which detainer layout each fiscal year's file uses.
C_DETAINER_LAYOUT_BY_FY = {
    2023: C_DETAINERS_WITHOUT_BIRTH_DATE,
    2024: C_DETAINERS_WITHOUT_BIRTH_DATE,
}

C_TABLE_TITLES = {
    "arrests": "ERO Administrative Arrests",
    "detainers": "ERO Detainers",
    "encounters": "ERO Encounters",
    "detentions": "ICE Detention Stints",
    "removals": "ICE Removals",
}

C_FILE_NAMES = {
    "arrests": "SYNTHETIC_ICE_Arrests_FY{fy}.xlsx",
    "detainers": "SYNTHETIC_ICE_Detainers_FY{fy}.xlsx",
    "encounters": "SYNTHETIC_ICE_Encounters_FY{fy}.xlsx",
    "detentions": "SYNTHETIC_ICE_Detention_Stints_FY{fy}.xlsx",
    "removals": "SYNTHETIC_ICE_Removals_FY{fy}.xlsx",
}

# First sheet's name; continuation sheets are "<name> (2)", "<name> (3)", ...
C_SHEET_NAMES = {
    "arrests": "Arrests",
    "detainers": "Detainers",
    "encounters": "Encounters",
    "detentions": "Detention Stints",
    "removals": "Removals",
}


def c_layout(table: str, fy: int = C_FISCAL_YEAR) -> tuple[str, ...]:
    if table == "detainers":
        return C_DETAINER_LAYOUT_BY_FY.get(fy, C_DETAINERS)
    return {
        "arrests": C_ARRESTS,
        "encounters": C_ENCOUNTERS,
        "detentions": C_DETENTIONS,
        "removals": C_REMOVALS,
    }[table]


def c_title_rows(table: str, fy: int, start: date, end: date, seed: int) -> list[str]:
    """The six rows above the header (one text cell each)."""

    def us(d: date) -> str:
        return f"{d.month}/{d.day}/{d.year}"

    return [
        "SYNTHETIC DATA - NOT A REAL RELEASE. Every row was made up by icefacts.synth.",
        "U.S. Immigration and Customs Enforcement - ERO LESA Statistical Tracking Unit",
        f"{C_TABLE_TITLES[table]} FY{fy}",
        f"FOIA {C_FOIA}",
        f"Data period: {us(start)} - {us(end)}",
        f"Generator seed {seed}; identifiers are random keys linking one person's records.",
    ]


# Headers of the family-C layouts that columns.csv does not map on purpose: fields the canonical
# schema does not keep (the detainer screening flags, religion, bond amounts ...). Ingest keeps
# them verbatim in ``extra``. Listed per table: a header mapped in one table (Case Status) may be
# unmapped in another (detentions).
_UNMAPPED_DETAINERS = (
    "Prior Felony Yes No",
    "Multiple Prior MISD Yes No",
    "Violent Misdemeanor Yes No",
    "Illegal Entry Yes No",
    "Illegal Reentry Yes No",
    "Immigration Fraud Yes No",
    "Significant Risk Yes No",
    "Other Removal Reason Yes No",
    "Other Removal Reason",
    "Criminal Street Gang Yes No",
    "Aggravated Felony Yes No",
    "Deportation Ordered Yes No",
    "Order to Show Cause Served Yes No",
    "Order to Show Cause Served Date",
    "Biometric Match Yes No",
    "Statements Made Yes No",
    "Unlawful Attempt Yes No",
    "Unlawful Entry Yes No",
    "Visa Yes No",
    "Federal Register Notice Yes No",
    "Resume Custody Yes No",
)
_UNMAPPED_DETENTIONS = (
    "Stay Book Out Date",
    "Stay Release Reason",
    "Religion",
    "Marital Status",
    "Ethnicity",
    "Birth Country",
    "Entry Status",
    "Known Terrorist Yes No",
    "Suspected Gang Yes No",
    "MSC Charge",
    "MSC Sentence Days",
    "MSC Sentence Months",
    "MSC Sentence Years",
    "MSC Charge Code",
    "Aggravated Felon Yes No",
    "Offense INA 236C Yes No",
    "Case INA 236C Yes No",
    "Bond Posted Date",
    "Bond Posted Amount",
    "Case Status",
    "Case Category",
    "Final Order Yes No",
    "Final Order Date",
    "Case Threat Level",
    "Detainee Classification",
    "Final Charge",
    "Departed Date",
    "Departure Country",
    "Initial Bond Set Amount",
    "Initial Bond Set Date",
    "Race",
    "Entry Date",
    "MSC Charge Date",
    "MSC Conviction Date",
    "MSC Criminal Charge Status",
    "MSC Criminal Charge Status Code",
    "MSC Crime Class",
    "Book In Site",
)
_UNMAPPED_REMOVALS = (
    "Apprehension State",
    "Birth Country",
    "Entry Date",
    "Entry Status",
    "MSC Charge",
    "MSC Charge Code",
    "MSC Conviction Date",
    "Final Order Yes No",
    "Final Order Date",
)

# (table, header) pairs.
UNMAPPED_OK: frozenset[tuple[str, str]] = frozenset(
    [("detainers", h) for h in _UNMAPPED_DETAINERS]
    + [("detentions", h) for h in _UNMAPPED_DETENTIONS]
    + [("removals", h) for h in _UNMAPPED_REMOVALS]
)
