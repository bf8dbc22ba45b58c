"""Family B from family A: a synthetic UW v. DHS arrests file holding the same Seattle-AOR
events as the national arrests, written in the other layout, with the true pairs.

The national file has the operation flag and no criminality; the UW v. DHS production has the
most serious conviction and no flag, and no id is shared. That is the linkage problem of the
real releases (docs/linking.md), so the copy is written as a second production would be:

* about 3% of the national Seattle rows are left out, and 2% more rows are only in the copy;
* 4% of the landmarks are misspelt (a letter swapped or dropped, a suffix changed),
  2% of the methods recoded, 1% of the dates a day later;
* Date of Birth and Event Number are redaction markers, as in the real production;
* a most serious conviction is given to 80% of custodial arrests and 45% of the others.

Rows are sorted by date, in a shuffled order within a day. ``truth["pairs"]`` lists the true
pairs as (national file line, UW file line), the lines ``source_row`` holds once ingested.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from icefacts.release_specs import vocab
from icefacts.synth.frame import Column, Table, categorical, from_array, serial
from icefacts.synth.layouts import B_ARRESTS

FILE_NAME = "SYNTHETIC_UW_v_DHS_arrests.csv.gz"
_DOB = "(b)(6),(b)(7)c)"
_EVENT = "(b)(7)e)"
_CRIMES = (
    "Driving Under Influence Liquor",
    "Assault",
    "Burglary",
    "Illegal Entry",
    "Traffic Offense",
    "Domestic Violence",
    "Larceny",
    "Dangerous Drugs",
)
LEFT_OUT = 0.03
ONLY_IN_COPY = 0.02
MISSPELT = 0.04
RECODED = 0.02
DAY_LATER = 0.01


def title(start: date, end: date) -> list[str]:
    period = f"FY{start.year + 1 - 2000:02d}"  # only for the wording of the title
    return [
        "ERO-LESA Statistical Tracking Unit - SYNTHETIC DATA, NOT A REAL RELEASE",
        "For Official Use Only (FOUO)/Pre-decisional",
        "UW v. DHS - ICE Productions",
        "Please review the last tab for footnotes.",
        "",
        f"{period} ({start.month:02d}/{start.day:02d}/{start.year} - {end.month:02d}/"
        f"{end.day:02d}/{end.year}) ERO Administrative Arrests for the Seattle Area of "
        "Responsibility",
    ]


def _misspell(text: str, rng: np.random.Generator) -> str:
    if len(text) < 4:
        return text + "S"
    i = int(rng.integers(1, len(text) - 2))
    how = int(rng.integers(0, 3))
    if how == 0:  # two letters swapped
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if how == 1:  # a letter dropped
        return text[:i] + text[i + 1 :]
    return text.replace("COUNTY", "CO.") if "COUNTY" in text else text + " JAIL"


def uw_arrests(national: Table, rng: np.random.Generator) -> tuple[Table, dict[str, Any]]:
    """The copy of ``national``'s Seattle rows (a family-A arrests table) and its truth."""
    cells = {h: national.columns[h].cells() for h in national.headers}
    n = national.rows
    aor = vocab("aor")  # the release's spellings, read as ingest reads them
    seattle = [i for i in range(n) if aor.lookup(cells["Area of Responsibility"][i] or "") == "SEA"]
    kept = [i for i in seattle if rng.random() >= LEFT_OUT]
    methods = sorted({m for m in cells["Apprehension Method"] if m})
    custody = vocab("method")  # custodial or at large, as the vocabulary classes each method
    rows: list[dict[str, Any]] = []
    for i in kept:
        day = cells["Apprehension Date"][i]
        landmark = cells["Apprehension Landmark"][i]
        method = cells["Apprehension Method"][i]
        if landmark and rng.random() < MISSPELT:
            landmark = _misspell(landmark, rng)
        if method and rng.random() < RECODED:
            method = methods[int(rng.integers(0, len(methods)))]
        if isinstance(day, int) and rng.random() < DAY_LATER:
            day += 1
        custodial = custody.lookup(method or "") == "custodial"
        rows.append(
            {
                "source": i,
                "day": day,
                "gender": cells["Gender"][i],
                "citizenship": cells["Citizenship"][i],
                "landmark": landmark,
                "method": method,
                "convicted": rng.random() < (0.8 if custodial else 0.45),
            }
        )
    extra = rng.integers(0, max(1, len(rows)), int(len(rows) * ONLY_IN_COPY) if rows else 0)
    for k in extra.tolist():  # rows only in the copy: like its others, matched by none
        rows.append({**rows[int(k)], "source": None, "convicted": rng.random() < 0.5})
    start, end = national.period
    order = sorted(
        range(len(rows)),
        key=lambda k: (rows[k]["day"] if isinstance(rows[k]["day"], int) else 0, rng.random()),
    )
    rows = [rows[k] for k in order]
    crimes = rng.integers(0, len(_CRIMES), len(rows))
    m = len(rows)

    def text(values: list[Any]) -> Column:
        arr = np.array([v if v else "" for v in values], dtype=object)
        return from_array(arr.astype(str), "text", empty=arr == "")

    columns = {
        "Arrest Date": from_array(
            np.array([r["day"] if isinstance(r["day"], int) else serial(start) for r in rows]),
            "date",
        ),
        "Date of Birth": categorical([_DOB], np.zeros(m, dtype=np.int64)),
        "Gender": text([r["gender"] for r in rows]),
        "Country of Citizenship": text([r["citizenship"] for r in rows]),
        "Event Number": categorical([_EVENT], np.zeros(m, dtype=np.int64)),
        "Apprehension Landmark": text([r["landmark"] for r in rows]),
        "Arrest Method": text([r["method"] for r in rows]),
        "Most Serious Conviction": text(
            [_CRIMES[int(c)] if r["convicted"] else "" for r, c in zip(rows, crimes, strict=True)]
        ),
    }
    table = Table(
        family="B",
        name="arrests",
        file_name=FILE_NAME,
        headers=B_ARRESTS,
        title=title(start, end),
        columns=columns,
        period=(start, end),
    )
    # the line of a data row: the title lines, the header, then the rows
    first_national = len(national.title) + 2
    first_copy = len(table.title) + 2
    pairs = [
        [first_national + r["source"], first_copy + k]
        for k, r in enumerate(rows)
        if r["source"] is not None
    ]
    truth = {
        "national_file": national.file_name,
        "copy_file": FILE_NAME,
        "national_seattle_rows": len(seattle),
        "copy_rows": m,
        "pairs": pairs,
        "only_national": len(seattle) - len(kept),
        "only_copy": m - len(pairs),
        "convicted_pairs": sum(
            1 for k, r in enumerate(rows) if r["source"] is not None and r["convicted"]
        ),
    }
    return table, truth
