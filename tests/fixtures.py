"""Tiny hand-made release files written by our own code (never copies of real rows)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from icefacts.synth.layouts import A_ARRESTS

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
