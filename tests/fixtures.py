"""Tiny hand-made release files written by our own code (never copies of real rows)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from icefacts.synth.layouts import A_ARRESTS, B_ARRESTS

NATIONAL_TITLE = [
    "ERO-LESA Statistical Tracking Unit",
    "For Official Use Only (FOUO)/Pre-decisional",
    "2019-ICFO-53623",
    "",
    "ERO Administrative Arrests for FY2017",
]
NATIONAL_HEADER = list(A_ARRESTS)  # the real national arrests layout
RED_DOB = "(B)(6);(B)(7)(C) "
RED_OP = "(B)(7)(E) "

NATIONAL_ROWS = [
    [
        "Seattle Area of Responsibility",
        "9/25/2017",
        "Located",
        "KING COUNTY JAIL",
        "",
        "Warrant of Arrest/Notice to Appear",
        RED_DOB,
        "MEXICO",
        "Male",
    ],
    [
        "Seattle Area of Responsibility",
        "9/26/2017",
        "CAP Local Incarceration",
        "SEA CAP",
        RED_OP,
        "REINSTATEMENT OF DEPORT ORDER I-871",
        RED_DOB,
        "GUATEMALA",
        "Female",
    ],
    [
        "Chicago Area of Responsibility",
        "9/27/2017",
        "Non-Custodial Arrest",
        "",
        "--",
        "Warrant of Arrest/Notice to Appear",
        RED_DOB,
        "MEXICO",
        "Male",
    ],
    ["", "10/1/2016", "ERO Reprocessed Arrest", "", "", "", RED_DOB, "INDIA", "Male"],
    [
        "Harlingen Area of Responsibility",
        "10/2/2017",
        "Located",
        "",
        "",
        "",
        RED_DOB,
        "MEXICO",
        "Male",
    ],
]


def national_csv(
    path: Path,
    rows: list[list[str]] | None = None,
    header: list[str] | None = None,
    title: list[str] | None = None,
    gz: bool = True,
) -> Path:
    header = header or NATIONAL_HEADER
    width = len(header)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="|", lineterminator="\n")
    for line in title if title is not None else NATIONAL_TITLE:
        w.writerow([line] + [""] * (width - 1) if line else [""] * width)
    w.writerow(header)
    for row in NATIONAL_ROWS if rows is None else rows:
        w.writerow(row)
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def current_arrests_rows(n_title: int = 6) -> list[list[object]]:
    """A small current-layout (family C) arrests sheet with one duplicate episode."""
    from datetime import datetime

    title: list[list[object]] = [
        ["SYNTHETIC test workbook"],
        ["2024-ICFO-39357"],
        ["10/1/2023 - 9/30/2024"],
    ]
    title += [[""]] * (n_title - len(title))
    header: list[object] = [
        "Apprehension Date",
        "Apprehension State",
        "Apprehension County",
        "TOA Current Duty AOR",
        "Apprehension Method",
        "Apprehension Criminality",
        "Birth Date",
        "Birth Year",
        "Citizenship Country",
        "Gender",
        "Apprehension Site Landmark",
        "Operation",
        "Anonymized Identifier",
    ]
    red = "(b)(6), (b)(7)(c)"
    data: list[list[object]] = [
        [
            datetime(2024, 1, 5, 8, 0),
            "WASHINGTON",
            "KING",
            "Seattle Area of Responsibility",
            "Located",
            "1 Convicted Criminal",
            red,
            1990,
            "MEXICO",
            "Male",
            "SEA GENERAL AREA",
            "",
            "P1",
        ],
        # same person 10 h later: same episode; reprocessed -> never the episode's first
        [
            datetime(2024, 1, 5, 18, 0),
            "WASHINGTON",
            "KING",
            "Seattle Area of Responsibility",
            "ERO Reprocessed Arrest",
            "1 Convicted Criminal",
            red,
            1990,
            "MEXICO",
            "Male",
            "",
            "",
            "P1",
        ],
        # 20 h after the previous record: still the same episode (chain)
        [
            datetime(2024, 1, 6, 14, 0),
            "WASHINGTON",
            "KING",
            "Seattle Area of Responsibility",
            "CAP Local Incarceration",
            "1 Convicted Criminal",
            red,
            1990,
            "MEXICO",
            "Male",
            "",
            "(b)(7)(E)",
            "P1",
        ],
        # three days later: a new episode
        [
            datetime(2024, 1, 9, 9, 0),
            "WASHINGTON",
            "KING",
            "Seattle Area of Responsibility",
            "Located",
            "1 Convicted Criminal",
            red,
            1990,
            "MEXICO",
            "Male",
            "",
            "",
            "P1",
        ],
        [
            datetime(2024, 2, 1, 9, 0),
            "OREGON",
            "MULTNOMAH",
            "Seattle Area of Responsibility",
            "Non-Custodial Arrest",
            "3 Other Immigration Violator",
            red,
            1985,
            "HONDURAS",
            "Female",
            "",
            "",
            "P2",
        ],
        [
            datetime(2024, 2, 2, 9, 0),
            "OREGON",
            "MULTNOMAH",
            "Atlantis Area of Responsibility",
            "Teleportation",
            "2 Pending Criminal Charges",
            red,
            1970,
            "CANADA",
            "Male",
            "",
            "",
            red,
        ],
    ]
    return [*title, header, *data]


def pipe_csv(path: Path, title: list[str], header: list[str], rows: list[list[str]]) -> Path:
    """A pipe-delimited release file (gzip when the name ends .gz), title lines first."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="|", lineterminator="\n")
    width = len(header)
    for line in title:
        w.writerow([line] + [""] * (width - 1) if line else [""] * width)
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


UW_TITLE = [
    "ERO-LESA Statistical Tracking Unit",
    "For Official Use Only (FOUO)/Pre-decisional",
    "UW v. DHS - ICE Productions",
    "Please review the last tab for footnotes.",
    "",
]
UW_PERIOD = "FY2012 - FY2019 YTD (01/01/2012 - 07/06/2019)"
UW_ARRESTS_HEADER = list(B_ARRESTS)  # the UW v. DHS arrests layout
UW_REMOVALS_HEADER = [
    "Departed Date",
    "Date of Birth",
    "Gender",
    "Country of Citizenship",
    "Event Number",
    "Most Serious Conviction",
    "Case Category",
]
CAP_TITLE = [
    "ERO-LESA Statistical Tracking Unit",
    "For Official Use Only (FOUO)/Pre-decisional",
    "Criminal Alien Program Encounters, Arrests, and Removals in the Seattle Area of "
    "Responsibility",
    "",
]
CAP_ARRESTS_HEADER = [
    "Event Number",
    "Area of Responsibility",
    "Apprehension Landmark",
    "Operation",
    "Processing Disposition",
    "Date of Birth",
    "Country of Citizenship",
    "Gender",
    "Arrest Method",
    "Arrest Date",
]
CAP_REMOVALS_HEADER = [
    "Event Number",
    "Area of Responsibility",
    "Date of Birth",
    "Country of Citizenship",
    "Gender",
    "Removal Case COL",
    "Final Charge Section",
    "Arrest Date",
]


def uw_arrests(path: Path, days: list[str]) -> Path:
    """UW v. DHS arrests (Seattle AOR, no AOR column): one row per day given (M/D/YYYY)."""
    rows = [
        [d, "(b)(6),(b)(7)c)", "Male", "MEXICO", "(b)(7)e)", "KING COUNTY JAIL", "Located", ""]
        for d in days
    ]
    title = [
        *UW_TITLE,
        f"{UW_PERIOD} ERO Administrative Arrests for the Seattle Area of Responsibility",
    ]
    return pipe_csv(path, title, UW_ARRESTS_HEADER, rows)


def uw_removals(path: Path, days: list[str], part: str) -> Path:
    """UW v. DHS removals, ``part`` = 'Expedited' or 'Other': one row per departure day."""
    rows = [[d, "(b)(6),(b)(7)c)", "Male", "FRANCE", "(b)(7)e)", "", "[8F]"] for d in days]
    what = "ICE Expedited Removals" if part == "Expedited" else "Other ICE Removals"
    title = [*UW_TITLE, f"{UW_PERIOD} {what} for the Seattle Area of Responsibility"]
    return pipe_csv(path, title, UW_REMOVALS_HEADER, rows)


def cap_arrests(path: Path, fy: int, days: list[str]) -> Path:
    rows = [
        [
            "(b)(7)(E )",
            "Seattle Area of Responsibility",
            "KING COUNTY JAIL",
            "",
            "",
            "(b)(6),(b)(7)(c )",
            "MEXICO",
            "Male",
            "CAP Local Incarceration",
            d,
        ]
        for d in days
    ]
    title = [*CAP_TITLE, f"FY{fy} ICE Arrests by the Criminal Alien Program in the Seattle AOR"]
    return pipe_csv(path, title, CAP_ARRESTS_HEADER, rows)


def cap_removals(path: Path, fy: int, n: int) -> Path:
    """CAP removals carry no removal date (only the earlier arrest date)."""
    rows = [
        [
            "(b)(7)(E )",
            "Seattle Area of Responsibility",
            "(b)(6),(b)(7)(c )",
            "MEXICO",
            "Male",
            "1",
            "237a2Aiii",
            f"2/{i % 27 + 1}/{fy - 1}",
        ]
        for i in range(n)
    ]
    title = [*CAP_TITLE, f"FY{fy} ICE Removals by the Criminal Alien Program in the Seattle AOR"]
    return pipe_csv(path, title, CAP_REMOVALS_HEADER, rows)


def national_arrests(path: Path, fy: int, rows_by_aor: dict[str, list[str]]) -> Path:
    """A national arrests file for ``fy`` with, per AOR name, one Located arrest per day."""
    rows = [
        [aor, d, "Located", "", "", "", RED_DOB, "MEXICO", "Male"]
        for aor, days in rows_by_aor.items()
        for d in days
    ]
    title = [*NATIONAL_TITLE[:4], f"ERO Administrative Arrests for FY{fy}"]
    return national_csv(path, rows=rows, title=title)
