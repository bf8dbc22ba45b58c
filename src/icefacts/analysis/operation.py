"""What happened in a window and where, against the same weekdays of the weeks before.

``operation(engine, OperationQuestion(...))`` counts the arrests of a window (each event once:
the ``arrests`` view, or the releases asked for) per place or per value, and for ``arrests``,
``at_large`` and ``operation_flagged`` sets them against a baseline: the same days of the
week in each of the N periods before the window (a period is the window's length rounded up
to whole weeks, so a four-day window Sunday..Wednesday is compared with the Sundays..Wednesdays
of the N weeks before). See ``docs/analysis.md`` for the definitions and the interval.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
from pydantic import Field, model_validator

from icefacts.analysis.base import Answer, Definition, sql_date
from icefacts.analysis.intervals import excess_interval
from icefacts.analysis.selection import (
    MEASURE_SQL,
    NEEDS,
    Selection,
    aors_covering,
    candidates,
    check_releases,
    conviction_unrecorded,
    convictions_only,
    counted_measure,
    counting,
    coverage,
    donor_releases,
    fields_held,
    from_releases,
    lack_columns,
    lacking,
    place_filter,
    policy_counties,
    quoted,
    uncovered,
    unplaced,
)
from icefacts.caveats import Caveat
from icefacts.errors import InputError
from icefacts.warehouse.engine import Reader

if TYPE_CHECKING:
    from icefacts.policies import Registry

BY = ("total", "aor", "state", "county", "day", "method", "citizenship")
BASELINED = ("arrests", "at_large", "operation_flagged")
COUNTS = (
    "arrests",
    "at_large",
    "custodial",
    "other_method",
    "operation_flagged",
    "convicted",
    "pending",
    "other_criminality",
    "criminality_unknown",
    "countries",
    "duplicates_excluded",
)
_KEY_SQL = {
    "total": "'all'",
    "aor": "aor",
    "state": "state",
    "county": "county_fips",
    "method": "method",
    "citizenship": "citizenship",
}
DEFINITIONS = (
    Definition("arrests", "administrative arrests counted once (docs/counting.md)"),
    Definition("at_large", "apprehension method Located or Non-Custodial Arrest"),
    Definition("custodial", "custodial methods (CAP jail and prison, 287(g), probation ...)"),
    Definition("other_method", "no method, or one that is neither at-large nor custodial"),
    Definition("operation_flagged", "the record names an operation (even a redacted one)"),
    Definition(
        "convicted / pending / other_criminality",
        "the criminality the release gives: convicted criminal, pending criminal charges, "
        "other immigration violator",
    ),
    Definition("countries", "distinct countries of citizenship"),
    Definition("duplicates_excluded", "rows of the counting release flagged as likely duplicates"),
    Definition(
        "<m>_baseline",
        "mean count of the same weekdays over the baseline periods before the window",
    ),
    Definition("<m>_excess", "observed minus baseline"),
    Definition(
        "<m>_excess_low / _high",
        "95% interval of the excess: the observed count minus a prediction interval for a "
        "normal period (Student t over the baseline periods, variance at least the mean)",
    ),
)


class OperationQuestion(Selection):
    """A window, the places to count in, how to break it down, and the baseline."""

    start: date
    end: date
    by: Literal["total", "aor", "state", "county", "day", "method", "citizenship"] = "aor"
    baseline_weeks: int = Field(default=6, ge=0, le=104)
    baseline_start: date | None = None
    baseline_end: date | None = None

    @model_validator(mode="after")
    def _check(self) -> OperationQuestion:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        if (self.baseline_start is None) != (self.baseline_end is None):
            raise ValueError("give both --baseline-from and --baseline-to, or neither")
        if self.baseline_start and self.baseline_end and self.baseline_end < self.baseline_start:
            raise ValueError(
                f"--baseline-to {self.baseline_end} is before --baseline-from {self.baseline_start}"
            )
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def period_days(self) -> int:
        """The window's length rounded up to whole weeks: each baseline period holds the
        same days of the week as the window."""
        return 7 * math.ceil(self.days / 7)

    def baseline_periods(self) -> list[tuple[int, date, date]]:
        """(k, first day, last day) of each baseline period, k = 1 nearest the window."""
        p = timedelta(days=self.period_days)
        if self.baseline_start is not None and self.baseline_end is not None:
            out, k = [], 1
            while True:
                lo, hi = self.start - k * p, self.end - k * p
                if lo < self.baseline_start:
                    break
                if hi <= self.baseline_end:
                    out.append((k, lo, hi))
                k += 1
            return out
        return [
            (k, self.start - k * p, self.end - k * p) for k in range(1, self.baseline_weeks + 1)
        ]


def operation(engine: Reader, q: OperationQuestion, registry: Registry | None = None) -> Answer:
    """The window's counts per place (or value) and in total, against the baseline."""
    check_releases(engine, q)
    scopes = coverage(engine, q)
    caveats: list[Caveat] = []
    if not scopes:
        raise InputError("no loaded release holds arrests (load one with `icefacts ingest`)")
    # every AOR (no --aor): a day counts as covered when a release of every AOR covers it;
    # a window only releases of some AORs cover (Seattle before FY2016) is answered for them,
    # with a caveat, and its baseline must be covered the same way
    loose = not q.aors and bool(uncovered(scopes, q.aors, q.start, q.end))
    gaps = uncovered(scopes, q.aors, q.start, q.end, any_aor=loose)
    if loose:
        covering = aors_covering(scopes, q.start, q.end)
        caveats.append(
            Caveat(
                "window_partly_covered",
                {
                    "days": max(uncovered(scopes, (), q.start, q.end).values(), default=0),
                    "places": "every AOR",
                    "covered": "the AORs of the releases that cover it ("
                    + ", ".join(covering)
                    + ")",
                },
            )
        )
    if gaps and all(n == q.days for n in gaps.values()):
        first = min(a for a, _, _ in scopes)
        last = max(b for _, b, _ in scopes)
        raise InputError(
            f"--from {q.start} --to {q.end}: no loaded release of arrests covers this window"
            + (f" for {', '.join(a for a in gaps if a)}" if any(gaps) else "")
            + f" (the loaded arrests run {first} to {last})"
        )
    if gaps:
        caveats.append(
            Caveat(
                "window_partly_covered",
                {
                    "days": max(gaps.values()),
                    "places": ", ".join(a or "the places asked" for a in gaps),
                    "covered": "the days the loaded releases hold",
                },
            )
        )
    periods = q.baseline_periods()
    usable = [
        (k, lo, hi) for k, lo, hi in periods if not uncovered(scopes, q.aors, lo, hi, any_aor=loose)
    ]
    if len(usable) < len(periods):
        caveats.append(
            Caveat(
                "baseline_weeks_dropped",
                {"dropped": len(periods) - len(usable), "asked": len(periods), "used": len(usable)},
            )
        )
    if periods and len(usable) < 2:
        caveats.append(Caveat("baseline_too_short"))
        usable = []
    # --by aor: each AOR's baseline runs over the periods covered for it (Seattle's weeks
    # before the national files), the total's over those covered for every AOR asked
    own: dict[str, list[int]] = {}
    if q.by == "aor" and len(q.aors) > 1:
        for aor in q.aors:
            ks = [k for k, lo, hi in periods if not uncovered(scopes, (aor,), lo, hi)]
            own[aor] = ks if len(ks) >= 2 else []
        differ = sorted(a for a, ks in own.items() if ks != [k for k, _, _ in usable])
        if differ:
            caveats.append(Caveat("baseline_per_place", {"places": ", ".join(differ)}))
    counted_periods = sorted(
        {(k, lo, hi) for k, lo, hi in periods if any(k in ks for ks in own.values())} | set(usable)
    )

    in_policy = None
    if q.policy is not None:
        in_policy = policy_counties(engine, q, registry)
        caveats.append(Caveat("policy_registry_scope"))
        caveats.append(Caveat("policy_counties", {"n": len(in_policy)}))
    where = place_filter(q, in_policy)
    shift = q.period_days
    key = (
        (f"(a.apprehension_date + p.k * {shift})" if q.by == "day" else "a." + _KEY_SQL[q.by])
        if q.by != "total"
        else "'all'"
    )  # a baseline day is keyed by the window day it stands for
    windows = [(0, q.start, q.end), *counted_periods]
    values = ", ".join(f"({k}, {sql_date(lo)}, {sql_date(hi)})" for k, lo, hi in windows)
    measures = ", ".join(f"{counted_measure(name)} AS {name}" for name in MEASURE_SQL)
    # the releases whose rows the answer counts: in the window and in every baseline period
    # (a baseline from a release without the operation flag is unknown there, not zero)
    cnt = counting(engine, q, q.start, q.end, tuple((lo, hi) for _, lo, hi in counted_periods))
    used = cnt.used
    held = fields_held(engine)
    sets = "GROUPING SETS ((k, key), (k))" if q.by != "total" else "k, key"
    aside = cnt.set_aside
    donors = criminality_donors(engine, q, held, used, aside)
    lacking_ids = [r for r in used if "criminality" not in held.get(r, set())]
    borrow = ""
    if donors and lacking_ids:
        borrow = (
            f", count(*) FILTER (WHERE ok AND release_id IN ({quoted(tuple(lacking_ids))}) "
            f"AND {_donor_places(donors)}) AS lacks_covered"
        )
    # grouping() outside grouping sets is DuckDB's alone: the one group of --by total is no
    # total row
    is_total = "grouping(key)" if q.by != "total" else "0"
    # one scan: the counted rows and the duplicates set aside beside them (ok = counted)
    sql = f"""
        WITH periods(k, lo, hi) AS (VALUES {values}),
        picked AS (
            SELECT p.k, {key} AS key, a.*, a.duplicate_of IS NULL AS ok
            FROM {candidates(q)} a JOIN periods p
              ON a.apprehension_date BETWEEN p.lo AND p.hi
            WHERE {where}
        )
        SELECT k, key, {is_total} AS is_total, {measures},
               count(*) FILTER (WHERE NOT ok) AS duplicates_excluded,
               {lack_columns(held, "ok", used=used)}{borrow}
        FROM picked e
        GROUP BY {sets}
    """
    counts = engine.query(sql).to_pylist()
    missing_fields = lacking(held, used)
    # a field no release used holds is NULL also where a group has no rows in the window
    absent = {f for f, rels in missing_fields.items() if used and set(rels) >= set(used)}
    sqls = [" ".join(sql.split())]
    if borrow:
        notes, donor_sql = _borrow_criminality(engine, q, where, counts, donors, held)
        sqls.append(" ".join(donor_sql.split()))
        if notes:
            caveats += notes
            if not any(c["lacks_criminality"] for c in counts if c["k"] == 0):
                missing_fields.pop("criminality", None)
    if cnt.synthetic is not None:
        caveats.append(cnt.synthetic)
    table = _assemble(q, counts, [k for k, _, _ in usable], absent, own)
    for f, rels in sorted(missing_fields.items()):
        if f == "conviction" and set(rels) <= set(missing_fields.get("criminality", [])):
            continue  # said by criminality's
        caveats.append(Caveat("field_missing_in_release", {"field": f, "releases": rels}))
    if (msc := convictions_only(held, used)) and not any(
        c.code == "criminality_convictions_only" for c in caveats
    ):
        caveats.append(Caveat("criminality_convictions_only", {"releases": msc}))
    caveats += cnt.caveats
    if (note := unplaced(engine, q, q.by, q.start, q.end)) is not None:
        caveats.append(note)
    n_dup = sum(
        c["duplicates_excluded"]
        for c in counts
        if c["k"] == 0 and (c["is_total"] or q.by == "total")
    )
    if n_dup:
        caveats.append(
            Caveat("duplicates_excluded", {"rows": n_dup, "rule": "the duplicate rule in force"})
        )
    return Answer(
        question=q,
        table=table,
        caveats=caveats,
        releases_used=used,
        releases_set_aside=aside,
        definitions=list(DEFINITIONS),
        sql=sqls,
        tables={
            "baseline_periods": pa.table(
                {
                    "k": [k for k, _, _ in usable],
                    "first_day": [lo for _, lo, _ in usable],
                    "last_day": [hi for _, _, hi in usable],
                },
                schema=pa.schema(
                    [("k", pa.int32()), ("first_day", pa.date32()), ("last_day", pa.date32())]
                ),
            )
        },
    )


def _assemble(
    q: OperationQuestion,
    counts: list[dict],
    baseline_ks: list[int],
    absent: set[str],
    own: dict[str, list[int]] | None = None,
) -> pa.Table:
    """Rows per key (every day of the window with ``--by day``), then the total row (from
    the grouping set over all keys: its distinct countries and its baseline are its own,
    not sums)."""
    window: dict = {}
    base: dict = {}
    total_key = object()
    for r in counts:
        key = total_key if r.get("is_total") else r["key"]
        if r["k"] == 0:
            window[key] = r
        else:
            base.setdefault(key, {})[r["k"]] = r
    keys = sorted(
        (k for k in set(window) | set(base) if k is not total_key),
        key=lambda v: (v is None, str(v)),
    )
    if q.by == "day":  # every day of the window, with or without arrests
        keys = [q.start + timedelta(days=i) for i in range(q.days)]
    if q.by == "total":
        keys = ["all"]
    own = own or {}
    rows = [
        _row(q, key, window.get(key), base.get(key, {}), own.get(str(key), baseline_ks), absent)
        for key in keys
    ]
    if q.by != "total" and len(keys) > 1:
        total = _row(q, None, window.get(total_key), base.get(total_key, {}), baseline_ks, absent)
        total[q.by] = "total" if q.by != "day" else None
        rows.append(total)
    return pa.Table.from_pylist(rows, schema=_schema(q))


def _row(
    q: OperationQuestion, key: object, w: dict | None, base: dict, ks: list[int], absent: set[str]
) -> dict:
    row: dict = {q.by if q.by != "total" else "place": key}
    for m in COUNTS:
        need = NEEDS.get(m)
        if w is None:
            row[m] = None if need in absent else 0
        elif (need and w[f"lacks_{need}"]) or (
            need == "conviction"
            and conviction_unrecorded(w[m], w["lacks_criminality"], w["arrests"])
        ):
            row[m] = None
        else:
            row[m] = w[m]
    for m in BASELINED:
        need = NEEDS.get(m)
        series = []
        lacks = bool(need and w is not None and w[f"lacks_{need}"])
        for k in ks:
            b = base.get(k)
            if b is not None and need and b[f"lacks_{need}"]:
                lacks = True
            series.append(0 if b is None else b[m])
        if not ks or lacks or row[m] is None:
            row[f"{m}_baseline"] = row[f"{m}_excess"] = None
            row[f"{m}_excess_low"] = row[f"{m}_excess_high"] = None
            continue
        mean, low, high = excess_interval(row[m], series)
        row[f"{m}_baseline"] = round(mean, 2)
        row[f"{m}_excess"] = round(row[m] - mean, 2)
        row[f"{m}_excess_low"] = round(low, 2)
        row[f"{m}_excess_high"] = round(high, 2)
    return row


def _schema(q: OperationQuestion) -> pa.Schema:
    first = q.by if q.by != "total" else "place"
    fields = [pa.field(first, pa.date32() if q.by == "day" else pa.string())]
    fields += [pa.field(m, pa.int64()) for m in COUNTS]
    for m in BASELINED:
        fields += [
            pa.field(f"{m}_baseline", pa.float64()),
            pa.field(f"{m}_excess", pa.float64()),
            pa.field(f"{m}_excess_low", pa.float64()),
            pa.field(f"{m}_excess_high", pa.float64()),
        ]
    return pa.schema(fields)


CRIMINALITY = ("convicted", "pending", "other_criminality", "criminality_unknown")


def criminality_donors(
    engine: Reader,
    q: OperationQuestion,
    held: dict[str, set[str]],
    used: list[str],
    aside: list[str],
) -> dict[str, tuple[str, ...] | None]:
    """Releases set aside in the window that hold criminality where a counting release does
    not (``selection.donor_releases``)."""
    if q.releases or not any("criminality" not in held.get(r, set()) for r in used):
        return {}
    holders = [r for r in aside if "conviction" in held.get(r, set())]
    return donor_releases(engine, holders, q.start, q.end, q.aors)


def _donor_places(donors: dict[str, tuple[str, ...] | None]) -> str:
    """Where the donors answer, as a condition on a row's AOR."""
    named = sorted({a for aors in donors.values() if aors for a in aors})
    if any(aors is None for aors in donors.values()):
        return "TRUE"
    return f"aor IN ({quoted(tuple(named))})"


def _borrow_criminality(
    engine: Reader,
    q: OperationQuestion,
    where: str,
    counts: list[dict],
    donors: dict[str, tuple[str, ...] | None],
    held: dict[str, set[str]],
) -> tuple[list[Caveat], str]:
    """Fill the window's criminality, for every group whose rows lacking it all fall where
    a donor answers, from the donor's own rows of those days and places. The counts are the
    donor's: they may differ from the counting release's by what the two releases disagree
    on, and the caveat gives both."""
    key = {"day": "a.apprehension_date", "total": "'all'"}.get(q.by, f"a.{_KEY_SQL.get(q.by, '')}")
    sets = "GROUPING SETS ((key), ())" if q.by != "total" else "key"
    total = "grouping(key)" if q.by != "total" else "0"
    # (convicted counts a most serious conviction given: all UW v. DHS tells)
    measures = ", ".join(f"{MEASURE_SQL[m]} AS {m}" for m in CRIMINALITY)
    only_msc = sorted(r for r in donors if "criminality" not in held.get(r, set()))
    sql = f"""
        WITH picked AS (
            SELECT {key} AS key, a.* FROM arrests_all a
            WHERE a.duplicate_of IS NULL
              AND a.apprehension_date BETWEEN {sql_date(q.start)} AND {sql_date(q.end)}
              AND {from_releases(donors)} AND {where}
        )
        SELECT key, {total} AS is_total, count(*) AS arrests, {measures}
        FROM picked GROUP BY {sets}
    """
    donated = {("total" if r["is_total"] else r["key"]): r for r in engine.query(sql).to_pylist()}
    filled = source_rows = counting_rows = 0
    for c in counts:
        if c["k"] != 0 or not c["lacks_criminality"]:
            continue
        if c.get("lacks_covered") != c["lacks_criminality"]:
            continue  # some of its rows lie where no donor answers: stays NULL
        d = donated.get("total" if c["is_total"] and q.by != "total" else c["key"])
        lacking_rows = c["lacks_criminality"]
        for m in CRIMINALITY:
            own = c[m] - (lacking_rows if m == "criminality_unknown" else 0)
            c[m] = None if only_msc and m != "convicted" else own + (d[m] if d else 0)
        c["lacks_criminality"] = c["lacks_conviction"] = 0
        filled += 1
        if not c["is_total"]:  # the rows answered for, once (not again in the total)
            source_rows += d["arrests"] if d else 0
            counting_rows += lacking_rows
    if not filled:
        return [], sql
    agreement = (
        "exactly"
        if source_rows == counting_rows
        else f"to within {abs(source_rows - counting_rows):,} row(s)"
    )
    places = sorted({a for aors in donors.values() if aors for a in aors}) or ["every AOR"]
    note = Caveat(
        "field_from_other_release",
        {
            "field": "criminality",
            "source": ", ".join(sorted(donors)) + f" (set aside for counting; {', '.join(places)})",
            "source_rows": f"{source_rows:,}",
            "counting_rows": f"{counting_rows:,}",
            "agreement": agreement,
        },
    )
    notes = [note]
    if only_msc:
        notes.append(Caveat("criminality_convictions_only", {"releases": only_msc}))
    return notes, sql
