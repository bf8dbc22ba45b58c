"""Checking claims: each reading measured on the public views, compared with the published
figure, and the readings of a claim summed up in one verdict (docs/claims.md).

A reading is ``supported`` when the records' value agrees with the published one (an exact
count within the tolerance; a 95% interval that meets the tolerance band; bounds lying
wholly inside it), ``contradicted`` when no value the records allow agrees, and ``not
checkable`` when the records cannot say (a field no loaded release holds, a window or places
not covered, bounds holding values that agree and values that do not). A claim is
``supported`` when all its readings are, ``contradicted`` when all are, ``partly supported``
when some are, and ``not checkable`` otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from icefacts.analysis.selection import remembered
from icefacts.claims.measure import (
    Planned,
    Scope,
    Value,
    count,
    distinct,
    joined,
    plan,
    predicates,
    reproduce,
    run,
    unrecorded,
)
from icefacts.claims.model import ClaimFile, Comparison, Filters, Group, Window
from icefacts.claims.places import NoPlacesTables, Where, aor_code, resolve
from icefacts.claims.readings import Spec, validate
from icefacts.claims.wording import number
from icefacts.errors import InputError

if TYPE_CHECKING:
    from icefacts.claims.loader import LoadedFile
    from icefacts.policies import Registry
    from icefacts.warehouse.engine import Reader

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
PARTLY = "partly supported"
NOT_CHECKABLE = "not checkable"
VERDICTS = (SUPPORTED, CONTRADICTED, PARTLY, NOT_CHECKABLE)

DEFINITIONS = {
    "arrests": "administrative arrests in the count-once view `arrests` (docs/counting.md)",
    "operation_flag": "the record names an operation (its name is redacted, its presence is not)",
    "method_class": "at large: Located or Non-Custodial Arrest; custodial: jail, prison, "
    "287(g), probation and parole",
    "criminality": "convicted: criminality 'convicted criminal', or a most serious conviction "
    "given (UW v. DHS)",
    "citizenship": "country of citizenship as released",
    "excess": "the window's count minus the mean of the same weekdays in the weeks before; "
    "95% interval as in `icefacts operation` (docs/analysis.md)",
    "bounds": "the least and the most the records allow, where a row's place or a field is "
    "not known",
}


@dataclass
class ReadingVerdict:
    id: str
    label: str
    verdict: str
    reason: str
    measure: str
    places: str
    level: str
    window: str
    value: float | None
    low: float | None
    high: float | None
    interval: str
    published: float | None
    target: float | None
    difference: float | None
    comparison: str
    definitions: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    reproduce: str = ""
    note: str | None = None
    parts: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ClaimVerdict:
    id: str
    text: str
    source: str
    published: float | None
    verdict: str
    reason: str
    readings: list[ReadingVerdict]
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "readings"}
        out["readings"] = [r.to_dict() for r in self.readings]
        return out


@dataclass
class CheckResult:
    path: str
    title: str
    claims: list[ClaimVerdict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "title": self.title,
            "claims": [c.to_dict() for c in self.claims],
        }

    def table(self) -> pa.Table:
        """One row per reading, with its claim's verdict (Arrow)."""
        rows = []
        for c in self.claims:
            for r in c.readings:
                rows.append(
                    {
                        "file": self.path,
                        "claim": c.id,
                        "claim_verdict": c.verdict,
                        "reading": r.id,
                        "label": r.label,
                        "verdict": r.verdict,
                        "reason": r.reason,
                        "measure": r.measure,
                        "places": r.places,
                        "window": r.window,
                        "value": r.value,
                        "low": r.low,
                        "high": r.high,
                        "interval": r.interval,
                        "published": r.published,
                        "difference": r.difference,
                        "comparison": r.comparison,
                        "rows": r.rows,
                        "releases": ", ".join(r.releases),
                        "caveats": " | ".join([*r.notes, *r.caveats]),
                        "reproduce": r.reproduce,
                        "source": c.source,
                    }
                )
        return pa.Table.from_pylist(rows, schema=TABLE_SCHEMA)


TABLE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("claim", pa.string()),
        ("claim_verdict", pa.string()),
        ("reading", pa.string()),
        ("label", pa.string()),
        ("verdict", pa.string()),
        ("reason", pa.string()),
        ("measure", pa.string()),
        ("places", pa.string()),
        ("window", pa.string()),
        ("value", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("interval", pa.string()),
        ("published", pa.float64()),
        ("difference", pa.float64()),
        ("comparison", pa.string()),
        ("rows", pa.int64()),
        ("releases", pa.string()),
        ("caveats", pa.string()),
        ("reproduce", pa.string()),
        ("source", pa.string()),
    ]
)


def check(engine: Reader, loaded: LoadedFile, registry: Registry | None = None) -> CheckResult:
    """Every claim of the file, every reading of each."""
    every = validate(loaded)  # refused whole, before any number is computed
    _known_values(engine, loaded, every)
    batches = prepare_batches(engine, every)
    verdicts = []
    default_assumes = loaded.claims.defaults.assumes
    for claim, claim_specs in zip(loaded.claims.claims, every, strict=True):
        readings = [_reading(engine, loaded, s, registry, batches) for s in claim_specs]
        roles: list[str] = [s.role for s in claim_specs]
        verdict, reason = _sum_up(readings, roles)
        if claim.causal and verdict == SUPPORTED:
            verdict = PARTLY
            reason += "; a claim of cause: the records can show an association, not a cause"
        assumes = claim.assumes or default_assumes
        if assumes and verdict != NOT_CHECKABLE:
            reason += f"; this rests on: {assumes}"
        verdicts.append(
            ClaimVerdict(
                claim.id,
                claim.text,
                claim.source,
                claim.published,
                verdict,
                reason,
                readings,
                claim.note,
            )
        )
    return CheckResult(loaded.path, loaded.claims.title, verdicts)


def _known_values(engine: Reader, loaded: LoadedFile, every: list[list[Spec]]) -> None:
    """A citizenship a filter names must be one some loaded release holds: a misspelt
    country would count nothing, and a claim of none would look supported."""
    asked: dict[str, tuple[Any, ...]] = {}
    for claim_specs in every:
        for s in claim_specs:
            groups = [s.filters, s.measure.of]
            if s.measure.versus is not None:
                groups.append(s.measure.versus.filters)
            for f in groups:
                for v in f.citizenship if f is not None else ():
                    asked.setdefault(v.strip().upper(), s.loc.get("filters", s.loc["reading"]))
    if not asked:
        return
    held = set(
        remembered(
            engine,
            ("claim_citizenships",),
            lambda: (
                engine.query(
                    "SELECT DISTINCT upper(citizenship) AS c FROM arrests_all "
                    "WHERE citizenship IS NOT NULL"
                )
                .column(0)
                .to_pylist()
            ),
        )
    )
    if not held:
        return  # no release holds the field: the readings say so
    import difflib

    for value, loc in asked.items():
        if value not in held:
            close = difflib.get_close_matches(value, sorted(held), n=2)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise loaded.error((*loc, "citizenship"), f"{value!r} is in no loaded release{hint}")


def uses_policy(claims: ClaimFile) -> bool:
    """Whether any reading picks places by a policy in force (the registry is read then)."""
    groups: list[Group] = [claims.defaults]
    for c in claims.claims:
        groups += [c, *c.readings]
    for g in list(groups):
        m = getattr(g, "measure", None)
        if m is not None and m.versus is not None:
            groups.append(m.versus)
    return any(g.places is not None and g.places.policy is not None for g in groups)


# how a reading that does not decide the claim is named in its summary
_ROLE_NOTE = {
    "context": " (context, does not decide)",
    "upper_bound": " (an upper bound: can only refute)",
    "lower_bound": " (a lower bound: can only confirm)",
}


def _sum_up(readings: list[ReadingVerdict], roles: list[str]) -> tuple[str, str]:
    """The claim's verdict from its readings' (docs/claims.md, "Readings and their roles").

    A bound holds for every reading of the claim: an upper bound that contradicts refutes
    the claim, a lower bound that supports confirms it. Otherwise the readings proper
    decide: supported if all are, contradicted if all are, partly supported if some are
    supported (the claim holds as some read it), not checkable otherwise. Context readings
    never count."""
    says = "; ".join(
        f"{r.id}: {r.verdict}{_ROLE_NOTE.get(role, '')}"
        for r, role in zip(readings, roles, strict=True)
    )
    pairs = list(zip(readings, roles, strict=True))
    refuted = [r for r, role in pairs if role == "upper_bound" and r.verdict == CONTRADICTED]
    confirmed = [r for r, role in pairs if role == "lower_bound" and r.verdict == SUPPORTED]
    if refuted and confirmed:
        return NOT_CHECKABLE, f"its bounds disagree with each other ({says})"
    if refuted:
        return CONTRADICTED, (
            f"{refuted[0].id}, an upper bound of what the claim counts under every reading, "
            f"holds less than it needs: {refuted[0].reason} ({says})"
        )
    if confirmed:
        return SUPPORTED, (
            f"{confirmed[0].id}, a lower bound of what the claim counts, already reaches it: "
            f"{confirmed[0].reason} ({says})"
        )
    proper = [r for r, role in pairs if role == "reading"]
    got = [r.verdict for r in proper]
    if len(readings) == 1 and proper:
        return got[0], readings[0].reason
    if not proper:
        return NOT_CHECKABLE, (
            readings[0].reason if len(readings) == 1 else f"no reading decides ({says})"
        )
    deciding = "its deciding reading is" if len(proper) == 1 else "its deciding readings are all"
    if all(v == SUPPORTED for v in got):
        return SUPPORTED, f"{deciding} supported ({says})"
    if all(v == CONTRADICTED for v in got):
        return CONTRADICTED, f"{deciding} contradicted ({says})"
    if SUPPORTED in got:
        return PARTLY, f"supported as some read it ({says})"
    return NOT_CHECKABLE, (
        f"no reading is supported, and the records cannot decide every one ({says})"
    )


def _reading(
    engine: Reader,
    loaded: LoadedFile,
    s: Spec,
    registry: Registry | None,
    batches: dict[tuple, Any] | None = None,
) -> ReadingVerdict:
    from icefacts.claims.model import Places

    places = s.places or Places()
    what = ".".join(str(p) for p in s.loc.get("places", ("places",)))
    try:
        where = resolve(engine, places, s.window.start, registry, what)
    except NoPlacesTables as exc:
        why = str(exc).split(": ", 1)[1]
        return _verdict(s, None, Value.cannot(why), NOT_CHECKABLE, why)
    except InputError as exc:
        raise loaded.error(s.loc.get("places", ()), str(exc).split(": ", 1)[-1]) from None
    try:
        value = _measure(engine, s, where, registry, batches)
    except _FileError as exc:
        raise loaded.error(s.loc.get(exc.key, ()), exc.message) from None
    if value.unanswerable:
        return _verdict(s, where, value, NOT_CHECKABLE, value.unanswerable)
    verdict, reason = compare(value, s, loaded.claims.thresholds, loaded, where)
    return _verdict(s, where, value, verdict, reason)


class _FileError(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def _measure(
    engine: Reader,
    s: Spec,
    where: Where,
    registry: Registry | None,
    batches: dict[tuple, Any] | None = None,
) -> Value:
    m = s.measure
    if m.kind == "excess":
        return _excess(engine, s, where, batches)
    if m.kind == "rank":
        return _rank(engine, s, where)
    scope = Scope(engine, s.window.start, s.window.end, where)
    if (gap := scope.gaps()) is not None:
        return Value.cannot(gap)
    if m.kind == "count":
        return count(scope, s.filters)
    if m.kind == "distinct":
        assert m.field is not None
        return distinct(scope, s.filters, m.field)
    if m.kind == "share":
        assert m.of is not None
        return share(scope, s.filters, m.of)
    assert m.versus is not None
    other = _versus(engine, s, m.versus, registry)
    oscope = Scope(engine, other.window.start, other.window.end, other.where)
    if (gap := oscope.gaps()) is not None:
        return Value.cannot(f"versus: {gap}")
    sides = [(scope, s.filters), (oscope, other.filters)]
    plans: list[Planned] = []
    for sc, flt in sides:
        for f in [_with(flt, m.of), flt] if m.of else [flt]:
            p = plan(sc, f)
            if isinstance(p, str):
                return Value.cannot(p if sc is scope else f"versus: {p}")
            plans.append(p)
    row = run(plans)
    values = [p.read(row, f"t{k}_") for k, p in enumerate(plans)]
    if m.of:
        a, b = _share(values[0], values[1]), _share(values[2], values[3])
        for side, v in (("", a), ("versus: ", b)):
            if v.unanswerable:
                return Value.cannot(side + v.unanswerable)
    else:
        a, b = values
    out = combine(a, b, m.kind)
    out.sql = [joined(plans)]
    out.reproduce = reproduce(out.sql[0])
    out.notes.append(
        "the command gives the counts (t0, t1, ...: "
        + (
            "this group's part and whole, then the other's"
            if m.of
            else "this group, then the other"
        )
        + f"); the {m.kind} is worked from them"
    )
    return out


def _with(filters: Filters, more: Filters) -> Filters:
    return Filters.model_validate(
        {**filters.model_dump(exclude_unset=True), **more.model_dump(exclude_unset=True)}
    )


@dataclass(frozen=True)
class _Other:
    window: Window
    where: Where
    filters: Filters


def _versus(engine: Reader, s: Spec, g: Group, registry: Registry | None) -> _Other:
    from icefacts.claims.model import Places

    window = g.window or s.window
    places = g.places or s.places or Places()
    flt = s.filters.model_dump(exclude_unset=True)
    if g.filters is not None:
        flt.update(g.filters.model_dump(exclude_unset=True))
    try:
        where = resolve(engine, places, window.start, registry, "versus.places")
    except InputError as exc:
        raise _FileError("measure", str(exc)) from None
    return _Other(window, where, Filters.model_validate(flt))


def share(scope: Scope, filters: Filters, of: Filters) -> Value:
    """The part meeting ``of`` among the rows meeting ``filters``."""
    plans = [plan(scope, _with(filters, of)), plan(scope, filters)]
    for p in plans:
        if isinstance(p, str):
            return Value.cannot(p)
    ready = [p for p in plans if isinstance(p, Planned)]
    row = run(ready)
    out = _share(ready[0].read(row, "t0_"), ready[1].read(row, "t1_"))
    out.sql = [joined(ready)]
    out.reproduce = reproduce(out.sql[0])
    if not out.unanswerable:
        out.notes.append("the command gives the part (t0) and the whole (t1)")
    return out


def _share(num: Value, den: Value) -> Value:
    assert num.low is not None and num.high is not None
    assert den.low is not None and den.high is not None
    if not den.high:
        return Value.cannot("no arrests meet the reading's filters here: no share to give")
    low = num.low / den.high
    high = min(1.0, num.high / den.low) if den.low else 1.0
    exact = num.kind == den.kind == "exact"
    return Value(
        num.low / den.low if exact else None,
        low,
        high,
        "exact" if exact else "bounds",
        releases=sorted(set(num.releases) | set(den.releases)),
        rows=den.rows,
        notes=[
            *_unique(num.notes + den.notes),
            f"part: {_show_value(num)}; whole: {_show_value(den)}",
        ],
        causes=_unique(num.causes + den.causes),
        caveats=_unique(num.caveats + den.caveats),
    )


def combine(a: Value, b: Value, kind: str) -> Value:
    """``a - b`` or ``a / b`` with the interval the two allow."""
    assert a.low is not None and a.high is not None and b.low is not None and b.high is not None
    if kind == "difference":
        low, high = a.low - b.high, a.high - b.low
        value = a.value - b.value if a.value is not None and b.value is not None else None
    else:
        if not b.high:
            return Value.cannot("the group compared with holds no arrests: no ratio")
        low = a.low / b.high
        high = a.high / b.low if b.low else math.inf
        value = a.value / b.value if a.value is not None and b.value else None
    exact = a.kind == b.kind == "exact"
    return Value(
        value,
        low,
        high if math.isfinite(high) else None,
        "exact" if exact else "bounds",
        releases=sorted(set(a.releases) | set(b.releases)),
        rows=a.rows + b.rows,
        notes=_unique(
            [f"this group: {_show_value(a)}", f"versus: {_show_value(b)}", *a.notes, *b.notes]
        ),
        causes=_unique(a.causes + b.causes),
        caveats=_unique(a.caveats + b.caveats),
    )


_EXCESS_METRIC = {
    (): "arrests",
    (("operation_flag", True),): "operation_flagged",
    (("method_class", "at_large"),): "at_large",
}


_METRIC_WORDS = {
    "arrests": "arrests",
    "operation_flagged": "operation-flagged arrests",
    "at_large": "at-large arrests",
}
# caveats of a batch answer that are about the batch (all its AORs), not one AOR's
_BATCH_ONLY = {
    "baseline_per_place",
    "duplicates_excluded",
    "overlap_shadowed",
    "release_subset",
    "synthetic_rows",
}


def prepare_batches(engine: Reader, every: list[list[Spec]]) -> dict[tuple, Any]:
    """One operation report per (window, baseline) for the single-AOR excess readings that
    share it (a claim file asks the same four days of ten AORs): their rows are the ones a
    question of each AOR alone gives (its own baseline periods, ``baseline_per_place``)."""
    from icefacts.analysis.operation import OperationQuestion, operation

    groups: dict[tuple, set[str]] = {}
    for claim_specs in every:
        for sp in claim_specs:
            p = sp.places
            if sp.measure.kind != "excess" or p is None or len(p.aors) != 1:
                continue
            if p.states or p.counties or p.policy or p.exclude_aors:
                continue
            code = aor_code(p.aors[0])
            if code is not None:
                key = (sp.window.start, sp.window.end, sp.measure.baseline_weeks)
                groups.setdefault(key, set()).add(code)
    out: dict[tuple, Any] = {}
    for (start, end, weeks), aors in groups.items():
        if len(aors) < 3:
            continue
        q = OperationQuestion(
            start=start, end=end, aors=tuple(sorted(aors)), by="aor", baseline_weeks=weeks
        )
        try:
            ans = operation(engine, q)
        except InputError:
            continue  # each reading then asks alone, and says why
        rows = {r["aor"]: r for r in ans.table.to_pylist()}
        out[(start, end, weeks)] = (ans, rows)
    return out


def _batched(engine: Reader, q: Any, batches: dict[tuple, Any]) -> tuple[Any, dict] | None:
    """A one-AOR question's answer and row from a batch, with that AOR's own counting
    caveats; None when no batch holds it."""
    from icefacts.analysis.base import Answer
    from icefacts.analysis.selection import Selection, counting
    from icefacts.caveats import Caveat

    if len(q.aors) != 1 or q.by != "total":
        return None
    found = batches.get((q.start, q.end, q.baseline_weeks))
    if found is None or q.aors[0] not in found[1]:
        return None
    ans, rows = found
    row = rows[q.aors[0]]
    periods = tuple(
        (r["first_day"], r["last_day"]) for r in ans.tables["baseline_periods"].to_pylist()
    )
    cnt = counting(engine, Selection(aors=q.aors), q.start, q.end, periods)
    caveats = [c for c in ans.caveats if c.code not in _BATCH_ONLY] + list(cnt.caveats)
    if cnt.synthetic is not None:
        caveats.append(cnt.synthetic)
    if row.get("duplicates_excluded"):
        caveats.append(
            Caveat(
                "duplicates_excluded",
                {"rows": row["duplicates_excluded"], "rule": "the duplicate rule in force"},
            )
        )
    one = Answer(
        question=q,
        table=ans.table,
        caveats=caveats,
        releases_used=cnt.used,
        releases_set_aside=cnt.set_aside,
        definitions=ans.definitions,
        sql=ans.sql,
        tables=ans.tables,
    )
    return one, row


# the operation report's caveats about fields an excess of counts does not read
_NOT_THIS_MEASURE = {
    "field_missing_in_release",
    "field_from_other_release",
    "criminality_convictions_only",
}


def _excess(
    engine: Reader, s: Spec, where: Where, batches: dict[tuple, Any] | None = None
) -> Value:
    from icefacts.analysis.operation import OperationQuestion, operation

    if (why := unrecorded(s.filters)) is not None:
        return Value.cannot(why)
    key = tuple(
        sorted(
            (k, v)
            for k, v in s.filters.model_dump(exclude_unset=True).items()
            if v not in (None, ())
        )
    )
    metric = _EXCESS_METRIC.get(key)
    if metric is None:
        raise _FileError(
            "filters",
            "an excess is measured on all arrests, operation_flag: true or method_class: "
            f"at_large, not on {dict(key)}",
        )
    if where.exclude:
        raise _FileError("places", "an excess needs the AORs named (not exclude_aors)")
    try:
        q = OperationQuestion(
            start=s.window.start, end=s.window.end, aors=where.aors, by="total",
            baseline_weeks=s.measure.baseline_weeks,
        )  # fmt: skip
        batched = _batched(engine, q, batches or {})
        if batched is not None:
            ans, row = batched
        else:
            # the same question asked by several readings is answered once per reader
            ans = remembered(engine, ("claim_excess", q), lambda: operation(engine, q))
            row = ans.table.to_pylist()[0]
    except InputError as exc:
        return Value.cannot(str(exc))
    base = row.get(f"{metric}_baseline")
    if base is None:
        why = "; ".join(c.text for c in ans.caveats if c.code.startswith("baseline")) or (
            f"no baseline for {metric} (a release counted in the baseline weeks lacks the field)"
        )
        return Value.cannot(why)
    aors = ",".join(where.aors) or "every AOR"
    value = Value(
        row[f"{metric}_excess"],
        row[f"{metric}_excess_low"],
        row[f"{metric}_excess_high"],
        "95% interval",
        sql=ans.sql,
        releases=ans.releases_used,
        rows=row["arrests"] or 0,
        notes=[
            f"{row[metric]:,} {_METRIC_WORDS[metric]} in the window, baseline "
            f"{base:g} per period over {ans.tables['baseline_periods'].num_rows} periods"
        ],
        caveats=[c.text for c in ans.caveats if c.code not in _NOT_THIS_MEASURE],
        reproduce=(
            f"icefacts operation --from {s.window.start} --to {s.window.end}"
            + (f" --aor {','.join(where.aors)}" if where.aors else "")
            + f" --by total --baseline-weeks {s.measure.baseline_weeks} --format csv"
            + f"  # columns {metric}_excess, {metric}_excess_low, {metric}_excess_high"
        ),
    )
    if where.finer_than_aor:
        # a county's surge can exceed its AOR's (the rest of the AOR below its baseline):
        # the AOR's excess bounds nothing finer
        why = (
            f"an excess is measured per AOR, and {where.label} is a {where.level}: the AOR(s) "
            f"{aors} show {_show_value(value)} beyond the baseline, which does not bound a "
            "part of them"
        )
        return replace(value, value=None, low=None, high=None, kind="exact", unanswerable=why)
    return value


def _rank(engine: Reader, s: Spec, where: Where) -> Value:
    m = s.measure
    if where.finer_than_aor or where.exclude:
        raise _FileError("places", "a rank is over AORs: give 'aors' (or no places: every AOR)")
    named = []
    for text in m.named:
        code = aor_code(text)
        if code is None:
            raise _FileError("measure", f"named: {text!r} is not an AOR (codes such as LOS, BOS)")
        named.append(code)
    scope = Scope(engine, s.window.start, s.window.end, where)
    if (gap := scope.gaps()) is not None:
        return Value.cannot(gap)
    preds = predicates(s.filters)
    lacking = [n for n in preds if scope.knows(n) != "TRUE"]
    if (why := unrecorded(s.filters)) is not None:
        return Value.cannot(why)
    if lacking:
        return Value.cannot(f"{', '.join(lacking)} not in every release counted here")
    cond = " AND ".join(preds.values()) or "TRUE"
    sql = (
        f"SELECT aor, count(*) FILTER (WHERE {cond}) AS n FROM arrests WHERE "
        f"{scope.window_sql} AND {where.aor_sql} AND aor IS NOT NULL GROUP BY aor "
        "ORDER BY n DESC, aor"
    )
    counts = {r["aor"]: r["n"] for r in engine.query(sql).to_pylist()}
    total = sum(counts.values())
    for a in named:
        counts.setdefault(a, 0)
    k = len(named)
    ordered = sorted(counts.values(), reverse=True)
    kth = ordered[k - 1] if len(ordered) >= k else 0
    top = sorted(a for a in named if counts[a] >= kth and counts[a] > 0)
    held = sum(counts[a] for a in named)
    rank = {a: 1 + sum(1 for v in counts.values() if v > counts[a]) for a in counts}
    listing = ", ".join(
        f"{a} {counts[a]:,} (#{rank[a]})" for a in sorted(counts, key=lambda a: (rank[a], a))
    )
    if m.test == "largest":
        value = float(len(top))
    else:
        if not total:
            return Value.cannot("no arrests meet the reading's filters here")
        value = held / total
    return Value(
        value,
        value,
        value,
        "exact",
        sql=[sql],
        releases=list(scope.counting.used),
        rows=total,
        notes=[
            f"named {', '.join(named)} hold {held:,} of {total:,}; by count: {listing}",
            *(
                [f"among the {k} largest: {', '.join(top) or 'none'} of the {k} named"]
                if m.test == "largest"
                else []
            ),
        ],
        caveats=[c.text for c in scope.counting.caveats],
        reproduce=reproduce(sql),
        parts={a: counts[a] for a in counts},
    )


def compare(
    value: Value, s: Spec, thresholds: dict[str, float], loaded: LoadedFile, where: Where | None
) -> tuple[str, str]:
    """The reading's verdict and its reason (the file was validated: it has a target)."""
    cmp = s.comparison
    op, target = s.target(thresholds)
    assert target is not None
    lo = value.low if value.low is not None else -math.inf
    hi = value.high if value.high is not None else math.inf
    if op == "equals":
        # every value the records allow (bounds), or the whole 95% interval of an estimate
        # (an equivalence test), within the tolerance band: a wider interval never makes
        # agreement easier
        b_lo, b_hi = cmp.band(target)
        agree = b_lo <= lo and hi <= b_hi
        disagree = hi < b_lo or lo > b_hi
    elif op == "at_least":
        t = cmp.band(target)[0]
        agree, disagree = lo >= t, hi < t  # the whole interval (or range) on one side
    else:
        t = cmp.band(target)[1]
        agree, disagree = hi <= t, lo > t
    shown = _show_value(value)
    wanted = _show_target(op, target, cmp)
    if s.role == "upper_bound" and agree:
        return NOT_CHECKABLE, (
            f"consistent: records give {shown}, and the claim needs {wanted}; this is an "
            "upper bound of what the claim counts, which can refute it, never confirm it"
        )
    if s.role == "lower_bound" and disagree:
        return NOT_CHECKABLE, (
            f"consistent: records give {shown}, short of {wanted}; this is a lower bound of "
            "what the claim counts, which can confirm it, never refute it"
        )
    if agree:
        return SUPPORTED, f"records give {shown}; the claim needs {wanted}"
    if disagree:
        return CONTRADICTED, f"records give {shown}; the claim needs {wanted}"
    why = "the records bound it" if value.kind == "bounds" else "the interval spans"
    shown = shown if value.kind == "bounds" else f"from {shown}"
    if value.causes:
        why = f"{why} ({'; '.join(value.causes)})"
    finer = (
        f"; geography finer than the records ({where.city or where.label} is a {where.level})"
        if where is not None
        and where.finer_than_aor
        and any("placed only" in n or "bounds it" in n for n in value.notes)
        else ""
    )
    return (
        NOT_CHECKABLE,
        f"{why} {shown}, which holds values that agree with {wanted} and values that do not{finer}",
    )


def _show_target(op: str, target: float, cmp: Comparison) -> str:
    if op == "equals":
        lo, hi = cmp.band(target)
        return f"{number(target)}" + (f" ({number(lo)} to {number(hi)})" if hi > lo else "")
    lo, hi = cmp.band(target)
    mark = lo if op == "at_least" else hi
    return (
        ("at least " if op == "at_least" else "at most ")
        + number(target)
        + (f" (with the tolerance, {number(mark)})" if mark != target else "")
    )


def _show_value(v: Value) -> str:
    if v.kind == "exact" and v.value is not None:
        return number(v.value)
    lo = "-inf" if v.low is None else number(v.low)
    hi = "+inf" if v.high is None else number(v.high)
    if v.kind == "95% interval" and v.value is not None:
        return f"{number(v.value)} (95% {lo} to {hi})"
    return f"between {lo} and {hi}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _verdict(
    s: Spec, where: Where | None, value: Value, verdict: str, reason: str | None = None
) -> ReadingVerdict:
    cmp = s.comparison
    target = s.published
    difference = None
    if value.value is not None and target is not None and s.measure.kind not in ("rank",):
        difference = round(value.value - target, 4)
    used_defs = ["arrests"] + [k for k in predicates(s.filters) if k in DEFINITIONS]
    if s.filters.method_class:
        used_defs.append("method_class")
    if s.filters.criminality:
        used_defs.append("criminality")
    if s.measure.kind == "excess":
        used_defs.append("excess")
    if value.kind == "bounds":
        used_defs.append("bounds")
    comparison = cmp.op + (
        f" within {cmp.tolerance}" if cmp.op == "equals" and cmp.tolerance else ""
    )
    if cmp.threshold:
        comparison = f"threshold {cmp.threshold!r}"
    return ReadingVerdict(
        id=s.id,
        label=s.label,
        verdict=verdict,
        reason=reason or "",
        measure=_describe(s),
        places=where.label if where else "",
        level=where.level if where else "",
        window=f"{s.window.start}..{s.window.end}",
        value=value.value,
        low=value.low,
        high=value.high,
        interval=value.kind,
        published=s.published,
        target=target,
        difference=difference,
        comparison=comparison,
        definitions=[f"{k}: {DEFINITIONS[k]}" for k in _unique(used_defs) if k in DEFINITIONS],
        sql=value.sql,
        releases=value.releases,
        rows=value.rows,
        notes=value.notes,
        caveats=value.caveats,
        reproduce=value.reproduce,
        note=s.note,
        parts=value.parts,
    )


def _describe(s: Spec) -> str:
    m = s.measure
    flt = ", ".join(
        f"{k}={v}"
        for k, v in s.filters.model_dump(exclude_unset=True).items()
        if v not in (None, ())
    )
    text: str = m.kind
    if m.kind == "share" and m.of is not None:
        text += " of " + ", ".join(
            f"{k}={v}" for k, v in m.of.model_dump(exclude_unset=True).items()
        )
    if m.kind == "distinct":
        text += f" {m.field}"
    if m.kind == "rank":
        text += f" ({m.test}) of {', '.join(m.named)}"
    return text + (f" [{flt}]" if flt else "")
