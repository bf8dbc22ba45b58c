"""Family A: the national LESA extracts (arrests, encounters, removals), FOIA 2019-ICFO-53623.

No person identifier exists in these releases, so each table is drawn independently. The real
files' quirks are planted at about their real rates (each at least once):

* arrests: blank AOR (~0.2%), ``HQ Area of Responsibility`` rows, ``--`` in Operation, Operation
  redacted as ``"(B)(7)(E) "`` (an operation existed) on ~20%, Birth Date always
  ``"(B)(6);(B)(7)(C) "``, a few rows dated the day after the stated end of the period;
* encounters: the same, with ~4% blank Event AOR and ~40% blank Landmark;
* removals: ~1.5% blank Apprehension Date, apprehension dates in 1970 and one in year 0999
  (written as the quoted text ``"MM/DD/0999"``, as in the real FY2019 file), RC Threat Level
  redacted or ``NA``.

Rows are sorted by the table's date, as the real files are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from icefacts.synth import layouts, values
from icefacts.synth.frame import (
    Column,
    Table,
    categorical,
    choose,
    const,
    day_weights,
    emptied,
    from_array,
    pick,
    planted,
    serial,
    with_values,
)

ENCOUNTERS_PER_ARREST = 2.0
REMOVALS_PER_ARREST = 1.5


def period(fy: int) -> tuple[date, date]:
    return date(fy - 1, 10, 1), date(fy, 9, 30)


def tables(rows: int, rng: np.random.Generator, fy: int = layouts.A_FISCAL_YEAR) -> list[Table]:
    start, end = period(fy)
    return [
        _arrests(rows, rng, fy, start, end),
        _encounters(max(1, round(rows * ENCOUNTERS_PER_ARREST)), rng, fy, start, end),
        _removals(max(1, round(rows * REMOVALS_PER_ARREST)), rng, fy, start, end),
    ]


def _table(name: str, fy: int, start: date, end: date, cols: dict[str, Column]) -> Table:
    return Table(
        family="A",
        name=name,
        file_name=layouts.A_FILE_NAMES[name].format(fy=fy),
        headers=layouts.A_LAYOUTS[name],
        title=layouts.a_title_lines(name, fy),
        columns=cols,
        period=(start, end),
    )


def _sorted_days(rng: np.random.Generator, n: int, start: date, end: date, late: int) -> np.ndarray:
    """Serial days (ascending: the files are sorted by date), ``late`` of them after ``end``."""
    days, p = day_weights(start, end)
    out = rng.choice(days, size=n, p=p)
    if late:
        out[rng.choice(n, size=late, replace=False)] = serial(end) + 1
    return np.sort(out)


def _aor(rng: np.random.Generator, n: int, spec: dict[str, int], blank: float, hq: float) -> Column:
    col = choose(rng, n, {values.aor_name(k): w for k, w in spec.items()})
    taken = np.array([], dtype=np.int64)
    if blank:
        rows = pick(rng, n, planted(n, blank))
        col = emptied(col, rows)
        taken = rows
    if hq:
        col = with_values(col, pick(rng, n, planted(n, hq), exclude=taken), values.HQ_NAME)
    return col


LANDMARK_KINDS = ("general", "jail", "287g", "state", "federal", "probation", "office", "interop")


def _landmarks(
    rng: np.random.Generator, aor: Column, method: Column | None, empty_share: float
) -> Column:
    """Generic landmark strings built from the AOR code and the kind of arrest."""
    n = len(aor)
    codes = [_code_of(v) for v in aor.values] + ["NSV"]  # last: blank AOR
    if method is not None:
        kind_of_cat = [LANDMARK_KINDS.index(_landmark_kind(m)) for m in method.values]
        kind = np.array([*kind_of_cat, 0])[method.codes]
    else:
        kind = np.array([0, 1, 0, 7])[rng.integers(0, 4, n)]
    k = len(LANDMARK_KINDS)
    strings = [_landmark(kd, c) for c in codes for kd in LANDMARK_KINDS]
    combo = np.where(aor.codes >= 0, aor.codes, len(codes) - 1) * k + kind
    combo[rng.random(n) < empty_share] = -1
    return categorical(strings, combo)


def _code_of(aor_value: str) -> str:
    for code, city in values.AOR_CITY.items():
        if aor_value.startswith(city + " "):
            return code
    return "HQ"


def _landmark_kind(method: str) -> str:
    if method in ("CAP Local Incarceration", "287(g) Program"):
        return "jail" if method.startswith("CAP") else "287g"
    if method == "CAP State Incarceration":
        return "state"
    if method == "CAP Federal Incarceration":
        return "federal"
    if method in ("Located", "Non-Custodial Arrest"):
        return "general"
    if method == "Probation and Parole":
        return "probation"
    return "office"


def _landmark(kind: str, code: str) -> str:
    county = values.AOR_COUNTY.get(code, "NATIONAL")
    state = values.AOR_STATES.get(code, ("DISTRICT OF COLUMBIA",))[0]
    return {
        "jail": f"{county} COUNTY JAIL",
        "287g": f"{county} COUNTY JAIL - 287(G)",
        "state": f"{state} DEPT OF CORRECTIONS",
        "federal": f"BOP FEDERAL CORRECTIONAL INSTITUTION {code}",
        "general": f"{code} GENERAL AREA, NON-SPECIFIC",
        "probation": f"{code} PROBATION AND PAROLE OFFICE",
        "office": f"{code} ERO FIELD OFFICE",
        "interop": f"SC INTEROPERABILITY {code}",
    }[kind]


def _operation(rng: np.random.Generator, method: Column) -> Column:
    """Redacted operation marker where an operation existed (by method), ``--`` on a few rows."""
    per_cat = np.array(
        [values.OPERATION_SHARE.get(m, values.OPERATION_SHARE_OTHER) for m in method.values]
    )
    n = len(method)
    has = rng.random(n) < per_cat[method.codes]
    col = categorical([values.A_REDACTED_OPERATION], np.where(has, 0, -1))
    return with_values(col, pick(rng, n, planted(n, 0.0002)), values.A_MISSING)


def _operation_flat(rng: np.random.Generator, n: int, share: float) -> Column:
    col = categorical([values.A_REDACTED_OPERATION], np.where(rng.random(n) < share, 0, -1))
    return with_values(col, pick(rng, n, planted(n, 0.0001)), values.A_MISSING)


def _days_column(days: np.ndarray) -> Column:
    return from_array(days, "date")


def arrest_columns(
    rng: np.random.Generator,
    days: np.ndarray,
    aor: Column,
    method: Column,
    operation: Callable[[Column], Column],
) -> dict[str, Column]:
    """An arrests table's columns, given each row's serial day, AOR and method;
    ``operation(method)`` makes the Operation column. The rest is drawn from ``rng`` in
    layout order (the same draws for the same seed)."""
    n = len(days)
    return {
        "Area of Responsibility": aor,
        "Apprehension Date": _days_column(days),
        "Apprehension Method": method,
        "Apprehension Landmark": _landmarks(rng, aor, method, empty_share=0.022),
        "Operation": operation(method),
        "Processing Disposition": choose(rng, n, values.A_ARREST_DISPOSITION, 0.0004),
        "Birth Date": const(n, values.A_REDACTED_DOB),
        "Citizenship": choose(rng, n, values.A_ARREST_CITIZENSHIP),
        "Gender": choose(rng, n, values.A_ARREST_GENDER),
    }


def _arrests(n: int, rng: np.random.Generator, fy: int, start: date, end: date) -> Table:
    days = _sorted_days(rng, n, start, end, late=planted(n, 0.00003))
    aor = _aor(rng, n, values.A_ARREST_AOR, blank=0.0017, hq=0.00014)
    method = choose(rng, n, values.A_METHOD)
    cols = arrest_columns(rng, days, aor, method, lambda m: _operation(rng, m))
    t = _table("arrests", fy, start, end, cols)
    t.notes["late_rows"] = planted(n, 0.00003)
    return t


def _encounters(n: int, rng: np.random.Generator, fy: int, start: date, end: date) -> Table:
    days = _sorted_days(rng, n, start, end, late=planted(n, 0.00003))
    aor = _aor(rng, n, values.A_ENCOUNTER_AOR, blank=0.04, hq=0.0076)
    cols = {
        "Event Area of Responsibility": aor,
        "Event Date": _days_column(days),
        "Landmark": _landmarks(rng, aor, None, empty_share=0.41),
        "Operation": _operation_flat(rng, n, 0.168),
        "Processing Disposition": choose(rng, n, values.ENCOUNTER_DISPOSITION, 0.0017),
        "Birth Date": const(n, values.A_REDACTED_DOB),
        "Citizenship": choose(rng, n, values.A_ARREST_CITIZENSHIP),
        "Gender": choose(rng, n, values.A_ENCOUNTER_GENDER, 0.00001),
    }
    return _table("encounters", fy, start, end, cols)


def _removals(n: int, rng: np.random.Generator, fy: int, start: date, end: date) -> Table:
    removal = _sorted_days(rng, n, start, end, late=0)
    # departed the same day for most, else up to a year before the removal was recorded
    lag = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 366, n))
    departed = removal - lag
    # apprehended days to years before departure (median ~16 days, long tail)
    app_lag = np.clip(np.exp(rng.normal(2.8, 1.6, n)), 0, 365 * 25).astype(np.int64)
    apprehended = departed - app_lag
    app_col = from_array(apprehended, "date")
    empty_rows = pick(rng, n, planted(n, 0.015))
    app_col = emptied(app_col, empty_rows)
    # impossible apprehension dates: a day in 1970, and one in year 0999 kept as text
    y1970 = pick(rng, n, planted(n, 0.00001), exclude=empty_rows)
    d1970 = serial(date(1970, 1, 1)) + int(rng.integers(0, 365))
    app_col = with_values(app_col, y1970, d1970)
    y999 = pick(rng, n, 1, exclude=np.concatenate([empty_rows, y1970]))
    m, d = int(rng.integers(1, 13)), int(rng.integers(1, 29))
    app_col = with_values(app_col, y999, f"{m:02d}/{d:02d}/0999")
    cols = {
        "Area of Responsibility": _aor(rng, n, values.A_REMOVAL_AOR, blank=0.0, hq=0.00002),
        "Apprehension Date": app_col,
        "Processing Disposition Code": choose(rng, n, values.REMOVAL_DISPOSITION_CODE, 0.0058),
        "Birth Date": const(n, values.A_REDACTED_DOB),
        "Citizenship": choose(rng, n, values.A_REMOVAL_CITIZENSHIP),
        "Gender": choose(rng, n, values.A_REMOVAL_GENDER),
        "RC Threat Level": choose(rng, n, values.RC_THREAT_LEVEL),
        "Final Charge Section": choose(rng, n, values.FINAL_CHARGE_SECTION, 0.0033),
        "Departed Date": from_array(departed, "date"),
        "Removal Date": from_array(removal, "date"),
    }
    return _table("removals", fy, start, end, cols)
