"""Value vocabularies and weights the synthetic releases draw from.

The weights are round numbers typed in from published aggregates and from value counts of the
public releases (never copied rows): e.g. the family-A arrest weights per AOR and method are the
FY2017 national counts rounded to tens. Landmark, facility and site strings are generated from
patterns (``"{code} GENERAL AREA, NON-SPECIFIC"``); none is a list copied from a release.
Values marked *synthetic* stand in for vocabularies no public file showed us.
"""

from __future__ import annotations

# ---- Areas of Responsibility -------------------------------------------------------------

AOR_CITY: dict[str, str] = {
    "ATL": "Atlanta",
    "BAL": "Baltimore",
    "BOS": "Boston",
    "BUF": "Buffalo",
    "CHI": "Chicago",
    "DAL": "Dallas",
    "DEN": "Denver",
    "DET": "Detroit",
    "ELP": "El Paso",
    "HOU": "Houston",
    "LOS": "Los Angeles",
    "MIA": "Miami",
    "NEW": "Newark",
    "NOL": "New Orleans",
    "NYC": "New York City",
    "PHI": "Philadelphia",
    "PHO": "Phoenix",
    "SEA": "Seattle",
    "SFR": "San Francisco",
    "SLC": "Salt Lake City",
    "SNA": "San Antonio",
    "SND": "San Diego",
    "SPM": "St. Paul",
    "WAS": "Washington",
}
AORS: tuple[str, ...] = tuple(AOR_CITY)
HQ_NAME = "HQ Area of Responsibility"
UNKNOWN_AOR = "Atlantis Area of Responsibility"  # no vocabulary knows it (planted)


def aor_name(code: str) -> str:
    return HQ_NAME if code == "HQ" else f"{AOR_CITY[code]} Area of Responsibility"


# States each AOR covers (first = the field office's state), upper case as releases write them.
AOR_STATES: dict[str, tuple[str, ...]] = {
    "ATL": ("GEORGIA", "NORTH CAROLINA", "SOUTH CAROLINA"),
    "BAL": ("MARYLAND",),
    "BOS": ("MASSACHUSETTS", "CONNECTICUT", "RHODE ISLAND", "MAINE", "NEW HAMPSHIRE", "VERMONT"),
    "BUF": ("NEW YORK",),
    "CHI": ("ILLINOIS", "INDIANA", "WISCONSIN", "MISSOURI", "KENTUCKY", "KANSAS"),
    "DAL": ("TEXAS", "OKLAHOMA"),
    "DEN": ("COLORADO", "WYOMING"),
    "DET": ("MICHIGAN", "OHIO"),
    "ELP": ("TEXAS", "NEW MEXICO"),
    "HOU": ("TEXAS",),
    "LOS": ("CALIFORNIA",),
    "MIA": ("FLORIDA",),
    "NEW": ("NEW JERSEY",),
    "NOL": ("LOUISIANA", "ALABAMA", "ARKANSAS", "MISSISSIPPI", "TENNESSEE"),
    "NYC": ("NEW YORK",),
    "PHI": ("PENNSYLVANIA", "DELAWARE", "WEST VIRGINIA"),
    "PHO": ("ARIZONA",),
    "SEA": ("WASHINGTON", "OREGON", "ALASKA"),
    "SFR": ("CALIFORNIA", "HAWAII"),
    "SLC": ("UTAH", "IDAHO", "MONTANA", "NEVADA"),
    "SNA": ("TEXAS",),
    "SND": ("CALIFORNIA",),
    "SPM": ("MINNESOTA", "IOWA", "NEBRASKA", "NORTH DAKOTA", "SOUTH DAKOTA"),
    "WAS": ("VIRGINIA", "DISTRICT OF COLUMBIA"),
}

# The county of each field office (in the AOR's first state).
AOR_COUNTY: dict[str, str] = {
    "ATL": "FULTON",
    "BAL": "BALTIMORE",
    "BOS": "SUFFOLK",
    "BUF": "ERIE",
    "CHI": "COOK",
    "DAL": "DALLAS",
    "DEN": "DENVER",
    "DET": "WAYNE",
    "ELP": "EL PASO",
    "HOU": "HARRIS",
    "LOS": "LOS ANGELES",
    "MIA": "MIAMI-DADE",
    "NEW": "ESSEX",
    "NOL": "ORLEANS",
    "NYC": "NEW YORK",
    "PHI": "PHILADELPHIA",
    "PHO": "MARICOPA",
    "SEA": "KING",
    "SFR": "SAN FRANCISCO",
    "SLC": "SALT LAKE",
    "SNA": "BEXAR",
    "SND": "SAN DIEGO",
    "SPM": "HENNEPIN",
    "WAS": "FAIRFAX",
}

# Family A: FY2017 national counts per AOR, rounded to tens (arrests / encounters / removals).
A_ARREST_AOR: dict[str, int] = {
    "DAL": 16520, "HOU": 13570, "ATL": 13550, "CHI": 8600, "SNA": 8510, "LOS": 8420,
    "NOL": 7970, "SFR": 7230, "PHO": 6460, "MIA": 6190, "SLC": 5180, "PHI": 4940,
    "SND": 4550, "SPM": 4180, "WAS": 4160, "DET": 3410, "SEA": 3380, "NEW": 3190,
    "BOS": 2830, "DEN": 2750, "NYC": 2580, "ELP": 1890, "BAL": 1670, "BUF": 1490,
}  # fmt: skip
A_ENCOUNTER_AOR: dict[str, int] = {
    "NYC": 49880, "LOS": 38260, "DAL": 33310, "MIA": 31630, "ATL": 28260, "SFR": 23290,
    "SNA": 19750, "PHO": 19700, "HOU": 18400, "SPM": 17700, "NEW": 15110, "NOL": 13380,
    "SEA": 13270, "CHI": 12810, "SLC": 12250, "PHI": 11390, "WAS": 10280, "DET": 9770,
    "DEN": 9660, "BOS": 9490, "SND": 9170, "BAL": 4800, "BUF": 4340, "ELP": 3210,
}  # fmt: skip
A_REMOVAL_AOR: dict[str, int] = {
    "SNA": 55310, "ELP": 21420, "SND": 20950, "PHO": 20790, "DAL": 14030, "HOU": 13600,
    "ATL": 12570, "NOL": 9470, "LOS": 7970, "MIA": 7080, "SFR": 6290, "CHI": 5330,
    "SEA": 4000, "PHI": 3830, "SLC": 3550, "DET": 3200, "SPM": 2840, "NEW": 2540,
    "DEN": 2540, "WAS": 2340, "NYC": 2010, "BOS": 1940, "BUF": 1740, "BAL": 800,
}  # fmt: skip

# Family C (FY2024-like): more weight on the southern border AORs than FY2017 arrests had.
C_AOR: dict[str, int] = {
    "DAL": 120, "HOU": 110, "ATL": 105, "SNA": 95, "MIA": 80, "CHI": 70, "LOS": 60,
    "NOL": 75, "PHO": 55, "SFR": 45, "SLC": 45, "PHI": 40, "NYC": 35, "NEW": 35, "SPM": 35,
    "WAS": 35, "BOS": 30, "ELP": 40, "SND": 30, "DEN": 30, "DET": 30, "SEA": 25,
    "BAL": 15, "BUF": 12,
}  # fmt: skip

# ---- Apprehension methods -----------------------------------------------------------------

REPROCESSED = "ERO Reprocessed Arrest"
UNKNOWN_METHOD = "Unlisted Method (synthetic)"  # no vocabulary knows it (planted)

# FY2017 national arrest counts per method (RELEASES.md plus the rarer ones, rounded).
A_METHOD: dict[str, int] = {
    "CAP Local Incarceration": 56890,
    "CAP Federal Incarceration": 22010,
    "Located": 18830,
    "Non-Custodial Arrest": 16660,
    "CAP State Incarceration": 10280,
    "287(g) Program": 7160,
    "Probation and Parole": 4580,
    REPROCESSED: 3370,
    "Other efforts": 1730,
    "Other Agency (turned over to INS)": 600,
    "Law Enforcement Agency Response Unit": 580,
    "Organized Crime Drug Enforcement Task Force": 210,
    "Patrol Border": 160,
    "Other Task Force": 150,
    "Inspections": 120,
    "Anti-Smuggling": 60,
    "Patrol Interior": 40,
    "Worksite Enforcement": 20,
    "Boat Patrol": 15,
    "Traffic Check": 13,
    "Crewman/Stowaway": 12,
    "Transportation Check Aircraft": 8,
    "Criminal Alien Program": 7,
    "Transportation Check Freight Train": 1,
    "Transportation Check Passenger Train": 1,
}

# Share of arrests with an operation code (redacted "(B)(7)(E) "), per method (FY2017 shape).
OPERATION_SHARE: dict[str, float] = {
    "287(g) Program": 0.93,
    "CAP State Incarceration": 0.41,
    "CAP Federal Incarceration": 0.22,
    "Located": 0.17,
    "Non-Custodial Arrest": 0.17,
    "CAP Local Incarceration": 0.14,
    "Probation and Parole": 0.15,
    "Organized Crime Drug Enforcement Task Force": 0.6,
    REPROCESSED: 0.04,
}
OPERATION_SHARE_OTHER = 0.12

# Family C methods (FY2024-like, same vocabulary).
C_METHOD: dict[str, int] = {
    "CAP Local Incarceration": 480,
    "CAP Federal Incarceration": 95,
    "Located": 150,
    "Non-Custodial Arrest": 160,
    "CAP State Incarceration": 80,
    "287(g) Program": 60,
    "Probation and Parole": 30,
    "Other efforts": 15,
    "Law Enforcement Agency Response Unit": 8,
    "Other Agency (turned over to INS)": 5,
    "Other Task Force": 3,
    "Inspections": 2,
    "Worksite Enforcement": 1,
}

# ---- Processing dispositions ----------------------------------------------------------------

A_ARREST_DISPOSITION: dict[str, int] = {
    "Warrant of Arrest/Notice to Appear": 61010,
    "REINSTATEMENT OF DEPORT ORDER I-871": 29430,
    "Other": 25740,
    "Bag and Baggage": 11610,
    "ADMINISTRATIVE DEPORTATION I-851/I-851A": 4470,
    "Voluntary Return": 2850,
    "Expedited Removal (I-860)": 2350,
    "Detainer": 1530,
    "Reinstatement of Deportation Reasonable Fear": 800,
    "Notice to Appear Released (I-862)": 700,
    "Prosecutorial Discretion": 630,
    "VWPP Removal": 580,
    "Expedited Removal with Credible Fear": 460,
    "Notice to Appear Detained (I-862)": 350,
    "TURNED OVER TO": 340,
    "Not Amenable to Removal": 290,
    "Not in Custody": 150,
    "Paroled": 50,
    "Foreign Born USC": 30,
}
ENCOUNTER_DISPOSITION: dict[str, int] = {
    "Not Amenable to Removal": 107260,
    "Detainer": 72500,
    "Warrant of Arrest/Notice to Appear": 67300,
    "Other": 56450,
    "REINSTATEMENT OF DEPORT ORDER I-871": 31560,
    "Not in Custody": 30610,
    "Notice to Appear Released (I-862)": 17870,
    "Prosecutorial Discretion": 14780,
    "Foreign Born USC": 14130,
    "Bag and Baggage": 12980,
    "ADMINISTRATIVE DEPORTATION I-851/I-851A": 5030,
    "Voluntary Return": 2840,
    "Expedited Removal (I-860)": 2540,
    "Reinstatement of Deportation Reasonable Fear": 900,
    "VWPP Removal": 770,
    "TURNED OVER TO": 620,
    "Expedited Removal with Credible Fear": 490,
    "Notice to Appear Detained (I-862)": 370,
    "Paroled": 100,
}
REMOVAL_DISPOSITION_CODE: dict[str, int] = {
    "REINST": 95240, "ER": 36920, "WA/NTA": 35450, "T": 19100, "ER/CF": 13260, "B": 9100,
    "ADMDPT": 4670, "V": 2950, "NTA/DT": 2840, "REINRF": 1610, "NTA": 980, "DTNR": 890,
    "VWPPRM": 610, "WD": 390,
}  # fmt: skip
FINAL_CHARGE_SECTION: dict[str, int] = {
    "212a6Ai": 56670, "212a7AiI": 55140, "212a9Aii": 53230, "212a9CiII": 26260,
    "212a9Ai": 9890, "237a2Aiii": 9410, "237a1B": 4210, "212a2AiI": 2050, "212a2AiII": 1690,
    "237a2Bi": 1040, "212a2C": 750, "237a1Ci": 700, "237a1A": 660, "212a6Ci": 580,
}  # fmt: skip

# ---- People ----------------------------------------------------------------------------------

A_ARREST_CITIZENSHIP: dict[str, int] = {
    "MEXICO": 87490, "GUATEMALA": 14240, "HONDURAS": 11850, "EL SALVADOR": 9260,
    "DOMINICAN REPUBLIC": 2020, "CUBA": 1710, "ECUADOR": 1020, "COLOMBIA": 1020,
    "HAITI": 1010, "JAMAICA": 960, "BRAZIL": 900, "CHINA, PEOPLES REPUBLIC OF": 710,
    "NICARAGUA": 600, "INDIA": 500, "VIETNAM": 460, "PERU": 420, "IRAQ": 400,
    "ROMANIA": 340, "NIGERIA": 300, "CANADA": 290, "SOMALIA": 290, "PHILIPPINES": 240,
    "LIBERIA": 230, "VENEZUELA": 220, "LAOS": 190, "GHANA": 180, "PAKISTAN": 170,
    "UNITED KINGDOM": 150, "GUYANA": 140, "KENYA": 120,
}  # fmt: skip
A_REMOVAL_CITIZENSHIP: dict[str, int] = {
    "MEXICO": 128770, "GUATEMALA": 33570, "HONDURAS": 22380, "EL SALVADOR": 18840,
    "HAITI": 5580, "DOMINICAN REPUBLIC": 1990, "BRAZIL": 1410, "ECUADOR": 1150,
    "COLOMBIA": 1080, "NICARAGUA": 830, "JAMAICA": 780, "CHINA, PEOPLES REPUBLIC OF": 530,
    "SOMALIA": 520, "INDIA": 460, "PERU": 460, "CANADA": 350, "NIGERIA": 310, "GHANA": 310,
    "ROMANIA": 290, "VENEZUELA": 250, "BANGLADESH": 200, "SENEGAL": 200, "PHILIPPINES": 180,
    "PAKISTAN": 180, "SPAIN": 170, "CUBA": 160, "COSTA RICA": 150, "UNITED KINGDOM": 150,
}  # fmt: skip
C_CITIZENSHIP: dict[str, int] = {
    "MEXICO": 450, "GUATEMALA": 120, "HONDURAS": 110, "EL SALVADOR": 55, "VENEZUELA": 50,
    "COLOMBIA": 40, "ECUADOR": 30, "DOMINICAN REPUBLIC": 20, "NICARAGUA": 18, "BRAZIL": 15,
    "CUBA": 12, "HAITI": 12, "PERU": 10, "INDIA": 10, "CHINA, PEOPLES REPUBLIC OF": 8,
    "JAMAICA": 6, "ROMANIA": 4, "NIGERIA": 4, "CANADA": 3, "VIETNAM": 3, "PAKISTAN": 3,
    "TONGA": 1,
}  # fmt: skip

A_ARREST_GENDER = {"Male": 132920, "Female": 10540, "Unknown": 6}
A_ENCOUNTER_GENDER = {"Male": 385130, "Female": 53110, "Unknown": 1650}
A_REMOVAL_GENDER = {"Male": 204240, "Female": 21870, "Unknown": 12}
C_GENDER = {"Male": 880, "Female": 119, "Unknown": 1}

RC_THREAT_LEVEL = {"(B)(7)(E) ": 127700, "NA": 98420}

# ---- Redaction markers as each family spells them (all listed in vocab/redaction.csv) --------

A_REDACTED_DOB = "(B)(6);(B)(7)(C) "
A_REDACTED_OPERATION = "(B)(7)(E) "
C_REDACTED = "(b)(6), (b)(7)(c)"
C_REDACTED_OPERATION = "(b)(7)(e)"
A_MISSING = "--"

# ---- Family C vocabularies -------------------------------------------------------------------

CONVICTED = "1 Convicted Criminal"
PENDING = "2 Pending Criminal Charges"
OTHER_IV = "3 Other Immigration Violator"
UNKNOWN_CRIMINALITY = "4 Unclassified (synthetic)"  # no vocabulary knows it (planted)
CRIMINALITY = (CONVICTED, PENDING, OTHER_IV)
ARREST_CRIMINALITY_P = (0.47, 0.24, 0.29)
DETAINER_CRIMINALITY_P = (0.62, 0.36, 0.02)
ENCOUNTER_CRIMINALITY_P = (0.45, 0.22, 0.33)

CASE_STATUS: dict[str, int] = {
    "ACTIVE": 560,
    "8-Excluded/Removed - Inadmissibility": 200,
    "6-Deported/Removed - Deportability": 120,
    "A-Proceedings Terminated": 30,
    "3-Voluntary Departure Confirmed": 20,
    "B-Relief Granted": 20,
    "E-Charging Document Canceled by ICE": 10,
    "9-VR Witnessed": 5,
    "7-Died": 1,
}
REMOVED_CASE_STATUS = (
    "8-Excluded/Removed - Inadmissibility",
    "6-Deported/Removed - Deportability",
)
CASE_CATEGORY: dict[str, int] = {
    "[16] Reinstated Final Order": 250,
    "[8C] Excludable / Inadmissible - Administrative Final Order Issued": 180,
    "[2A] Deportable - Under Adjudication by IJ": 120,
    "[8B] Excludable / Inadmissible - Under Adjudication by IJ": 100,
    "[3] Deportable - Administratively Final Order": 80,
    "[8F] Expedited Removal": 60,
    "[11] Administrative Deportation / Removal": 40,
    "[5B] Removable - ICE Fugitive": 30,
    "[8A] Excludable / Inadmissible - Hearing Not Commenced": 30,
    "[8G] Expedited Removal - Credible Fear Referral": 30,
    "[1A] Voluntary Departure - Un-Expired and Un-Extended Departure Period": 10,
    "[12] Judicial Deportation / Removal": 10,
    "[8D] Excludable / Inadmissible - Under Adjudication by BIA": 10,
    "[5D] Final Order of Deportation / Removal - Deferred Action Granted": 10,
    "[10] Visa Waiver Deportation / Removal": 10,
}
PROGRAMS = (
    "ERO Criminal Alien Program",
    "Fugitive Operations",
    "Non-Detained Docket Control",
    "Detained Docket Control",
    "287(g) Program",
    "Alternatives to Detention",
)
APPREHENSION_TYPE = {"Administrative Arrest": 97, "Criminal Arrest": 3}  # synthetic
ARRESTING_AGENCY = {"ICE": 96, "CBP": 2, "Other Agency": 2}  # synthetic
THREAT_LEVEL = {"1": 38, "2": 30, "3": 17}  # text cells; the rest blank
PORTS_LAND = (
    "SAN YSIDRO, CA, POE",
    "EL PASO, TX, POE",
    "BROWNSVILLE, TX, POE",
    "NOGALES, AZ, POE",
    "LAREDO, TX, POE",
)
PORTS_AIR = (
    "ALEXANDRIA INTERNATIONAL AIRPORT, POE",
    "MIAMI INTERNATIONAL AIRPORT, POE",
    "HOUSTON INTERCONTINENTAL AIRPORT, POE",
    "MESA GATEWAY AIRPORT, POE",
)
ENTRY_STATUS = {
    "Not  Applicable": 80,  # sic: two spaces, as released
    "PWA Present Without Admission": 12,
    "B2 Visitor for Pleasure": 4,
    "F1 Student": 1,
    "PWA Canada": 1,
}
# Generic offence categories with NCIC-style codes.
MSC_CHARGES: tuple[tuple[str, str], ...] = (
    ("Driving Under Influence Liquor", "5404"),
    ("Assault", "1399"),
    ("Simple Assault", "1313"),
    ("Domestic Violence", "13AB"),
    ("Dangerous Drugs", "3599"),
    ("Traffic Offense", "5499"),
    ("Larceny", "2399"),
    ("Burglary", "2299"),
    ("Weapon Offense", "5299"),
    ("Fraudulent Activities", "2699"),
    ("Illegal Entry (INA SEC.101(a)(43)(O), 8USC1325 and 8USC1326)", "0399"),
    ("Obstructing the Police", "4801"),
    ("Vehicle Theft", "2404"),
)
DETAINER_TYPE = {  # synthetic spellings of the three detainer forms
    "Immigration Detainer - Notice of Action (I-247A)": 90,
    "Request for Voluntary Notification of Release (I-247N)": 7,
    "Detainer - Notice of Action (I-247D)": 3,
}
LIFT_REASON = {  # synthetic
    "Removed": ("RMV", 40),
    "Subject in ICE custody": ("ICE", 35),
    "Detainer declined by facility": ("DEC", 10),
    "Released by facility": ("REL", 10),
    "Cancelled - lodged in error": ("ERR", 5),
}
LEAD_EVENT_TYPE = {"Not applicable": 90, "CAP Local": 6, "CAP State": 2, "Fugitive Lead": 2}
LEAD_SOURCE = {"Priority Enforcement Program": 2, "Law Enforcement Support Center": 3}
EVENT_TYPE = {
    "CAP Local": 50,
    "Fugitive Operations (Event)": 12,
    "ERO Criminal Alien Program": 10,
    "CAP State": 8,
    "CAP Federal": 6,
    "287(g) Program Activities": 6,
    "Fugitive Operations (Lead)": 4,
    "Administrative Non-Criminal Individual": 4,
}
RELEASE_REASONS = {  # last stint of a stay that did not end in removal
    "Bonded Out": 30,
    "Order of Recognizance": 25,
    "Paroled": 15,
    "Order of Supervision": 15,
    "Prosecutorial Discretion": 5,
    "U.S. Marshals or other agency": 10,
}
MARITAL_STATUS = {
    "Single": 70,
    "Married": 12,
    "Unknown": 8,
    "Divorced": 5,
    "Separated": 2,
    "Widowed": 1,
}
ETHNICITY = {"Hispanic Origin": 65, "Unknown": 25, "Not of Hispanic Origin": 8}
RACE = {"White": 60, "Unknown": 30, "Black": 6, "Asian": 3, "American Indian": 1}
AGGRAVATED_FELON_TYPE = {  # as the detention files spell it (header unmapped there)
    "Not an Aggravated Felon": 93,
    "Other": 4,
    "Drugs": 2,
    "Both (drug and other agg felon convictions)": 1,
}
DETAINEE_CLASSIFICATION = {"Level 1": 25, "Level 2": 35, "Level 3": 40}  # synthetic
FINAL_CHARGE = {
    "ALIEN PRESENT WITHOUT ADMISSION OR PAROLE - (PWAs)": 45,
    "ALIEN PREVIOUSLY REMOVED ONCE, NOT AS AN ARRIVING ALIEN": 20,
    "ALIEN PREVIOUSLY REMOVED TWO OR MORE TIMES, NOT AS AN ARRIVING ALIEN": 12,
    "IMMIGRANT WITHOUT AN IMMIGRANT VISA": 10,
    "Aggravated Felony": 5,
    "Controlled Substance Violation": 8,
}
MSC_CHARGE_STATUS = {"Convicted": ("C", 70), "Pending": ("P", 30)}
CRIME_CLASS = {"Misdemeanor": 60, "Felony": 40}
