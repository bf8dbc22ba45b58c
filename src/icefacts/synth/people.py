"""Family C: a pool of synthetic people and their linked records in five tables.

Every person is arrested (``rows`` arrest records in all); some also have detainers (prepared
*before* the arrest), encounters (mostly before), detention stints (booked in *after* the
arrest) and a removal (departing when the last stint of the stay ends). Records of one person
carry the same random identifier, AOR, citizenship, gender, birth year and criminality.

Planted on purpose (each at least once, so small test releases have them too):

* arrests: ~5% of rows in multi-record *episodes* (same person, each record within 24 h of the
  previous one), some holding an ``ERO Reprocessed Arrest`` row that must rank last -- including
  one where the reprocessed row is the earliest, one where it ties the next record to the minute
  (and comes first in the file), one episode of reprocessed rows only, a gap of exactly 24 h (same
  episode), a 3-record chain longer than 24 h end to end (one episode), and repeat arrests of a
  person more than 24 h apart (a gap of exactly 24 h + 1 min among them: a new episode);
  ~0.2% rows without an identifier; a few rows dated just outside the stated period;
* other tables: same-person-same-calendar-day duplicates (detention transfers make more of them),
  rows without an identifier, rows dated outside the period;
* unknown vocabulary values: an AOR no vocabulary knows, an unknown apprehension method, an
  unknown criminality; blank AORs and ``HQ Area of Responsibility`` encounters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from icefacts.synth import layouts, values
from icefacts.synth.frame import (
    MINUTES_PER_DAY,
    Column,
    Table,
    blank,
    categorical,
    choose,
    const,
    day_weights,
    from_array,
    minute_of_day,
    pick,
    planted,
    serial,
    weights,
)
from icefacts.synth.lesa_national import _landmark, _landmark_kind

DETAINED_SHARE = 0.6
REMOVED_SHARE = 0.6  # of detained people whose stay ended within the period
DETAINER_SHARE = 0.45
SECOND_DETAINER_SHARE = 0.15
ENCOUNTERS_PER_PERSON = ((0, 1, 2, 3), (0.3, 0.5, 0.15, 0.05))
STINTS_PER_STAY = ((1, 2, 3, 4), (0.6, 0.28, 0.1, 0.02))
EPISODE_ROW_SHARE = 0.05
REPEAT_PERSON_SHARE = 0.04  # people arrested again (a separate episode) later in the year

AOR_NAMES = [values.aor_name(c) for c in values.AORS] + [values.HQ_NAME, values.UNKNOWN_AOR]
HQ, UNKNOWN = len(values.AORS), len(values.AORS) + 1


def period(fy: int) -> tuple[date, date]:
    return date(fy - 1, 10, 1), date(fy, 9, 30)


@dataclass
class People:
    """Per-person attributes (index = person). Ghosts (``ghost``) never show an identifier."""

    ids: np.ndarray  # object array of identifier strings
    ghost: np.ndarray  # bool
    aor: np.ndarray  # index into values.AORS
    crim: np.ndarray  # 0 convicted, 1 pending, 2 other
    cit: np.ndarray  # index into CIT
    gender: np.ndarray
    birth_year: np.ndarray
    site: np.ndarray  # 0..2, which office of the AOR
    case_status: np.ndarray  # index into CASE_STATUS keys
    case_category: np.ndarray
    final_order: np.ndarray  # 0 YES, 1 NO, -1 blank
    final_order_day: np.ndarray  # serial, -1 none
    msc: np.ndarray  # index into MSC_CHARGES, -1 none
    msc_conviction_day: np.ndarray
    msc_charge_day: np.ndarray
    entry_status: np.ndarray
    entry_day: np.ndarray  # -1 none
    threat: np.ndarray  # index into THREAT keys, -1 none
    anchor: np.ndarray  # minute of the person's first arrest record
    method: np.ndarray  # index into METHODS of the first arrest
    program: np.ndarray  # index into PROGRAMS
    removed: np.ndarray  # bool (set by the detention step)
    departed_day: np.ndarray  # serial, -1 none

    @property
    def n(self) -> int:
        return len(self.ids)


CIT = list(values.C_CITIZENSHIP)
CASE_STATUS = list(values.CASE_STATUS)
CASE_CATEGORY = list(values.CASE_CATEGORY)
METHODS = [*values.C_METHOD, values.REPROCESSED, values.UNKNOWN_METHOD]
REP_METHOD, UNKNOWN_METHOD = len(values.C_METHOD), len(values.C_METHOD) + 1
THREAT = list(values.THREAT_LEVEL)
ENTRY = list(values.ENTRY_STATUS)
CRIM_NAMES = [*values.CRIMINALITY, values.UNKNOWN_CRIMINALITY]


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Opaque 40-hex-digit identifiers (like a SHA-1), unique, drawn from the seed."""
    raw = rng.bytes(20 * n).hex()
    ids = np.array([raw[i : i + 40] for i in range(0, 40 * n, 40)], dtype=object)
    if len(set(ids.tolist())) != n:  # 160 random bits: never in practice
        raise RuntimeError("identifier collision; use another seed")
    return ids


def _sample(rng: np.random.Generator, n: int, spec: Mapping[str, float]) -> np.ndarray:
    _, p = weights(spec)
    return rng.choice(len(p), size=n, p=p).astype(np.int64)


# ---- arrests plan: episodes, people, times ---------------------------------------------------


@dataclass
class ArrestPlan:
    person: np.ndarray  # row -> person index (ghosts included)
    minute: np.ndarray
    reprocessed: np.ndarray  # bool
    episode: np.ndarray  # row -> planted episode number
    n_people: int  # real people (with identifiers); ghosts come after
    expected_flagged: int  # rows an exact episode_24h rule must flag
    out_of_period: int


def plan_arrests(rows: int, rng: np.random.Generator, start: date, end: date) -> ArrestPlan:
    t0 = serial(start) * MINUTES_PER_DAY
    t1 = (serial(end) + 1) * MINUTES_PER_DAY - 1
    n_noid = planted(rows, 0.002) if rows >= 20 else 0
    target = round(rows * EPISODE_ROW_SHARE)
    if rows >= 12:
        target = max(target, 8)
    draws = rng.choice([2, 3], size=target // 2 + 1, p=[0.8, 0.2]).tolist()
    total = np.cumsum(draws)
    sizes: list[int] = draws[: int(np.searchsorted(total, target)) + 1] if target else []
    if len(sizes) >= 3 and 3 not in sizes[2:]:
        sizes[2] = 3  # the planted chain needs a 3-record episode
    while sizes and sum(sizes) > rows - n_noid:
        sizes.pop()
    singles = rows - n_noid - sum(sizes)
    n_multi = len(sizes)
    ep_size = np.array(sizes + [1] * singles, dtype=np.int64)
    n_ep = len(ep_size)
    n_repeat = round(REPEAT_PERSON_SHARE * n_ep) if n_ep >= 25 else 0
    n_people = n_ep - n_repeat
    # episodes [0, n_people) are first episodes of person i; the last n_repeat (singles) are
    # second episodes of people drawn at random
    ep_person = np.arange(n_ep, dtype=np.int64)
    owners = rng.choice(n_people, size=n_repeat, replace=False) if n_repeat else np.array([], int)
    ep_person[n_people:] = owners

    days, p = day_weights(start, end)
    ep_day = rng.choice(days, size=n_ep, p=p)
    if n_repeat:
        early = days[: int(len(days) * 0.6)]
        pe = p[: len(early)] / p[: len(early)].sum()
        ep_day[owners] = rng.choice(early, size=n_repeat, p=pe)
    ep_start = ep_day.astype(np.int64) * MINUTES_PER_DAY + minute_of_day(rng, n_ep)

    # gaps inside episodes: each record at most 24 h after the previous one
    size_arr = np.array(sizes, dtype=np.int64)
    n_gaps = size_arr - 1
    gap_ep = np.repeat(np.arange(n_multi), n_gaps)
    gap_pos = np.arange(len(gap_ep)) - np.repeat(np.cumsum(n_gaps) - n_gaps, n_gaps)
    band = rng.integers(0, 3, len(gap_ep))
    lo_b, hi_b = np.array([0, 181, 1381])[band], np.array([181, 1381, 1441])[band]
    first_gap = lo_b + (rng.random(len(gap_ep)) * (hi_b - lo_b)).astype(np.int64)
    gap = np.where(gap_pos == 0, first_gap, rng.integers(5, 1380, len(gap_ep)))
    if n_multi > 0:
        gap[(gap_ep == 0) & (gap_pos == 0)] = 1440  # exactly 24 h: still the same episode
    if n_multi > 1:
        gap[(gap_ep == 1) & (gap_pos == 0)] = 0  # a tie to the minute
    threes = np.flatnonzero(size_arr == 3)
    chain = int(threes[threes >= 2][0]) if np.any(threes >= 2) else -1
    if chain >= 0:
        gap[gap_ep == chain] = 1200  # 40 h end to end, every step within 24 h: one episode
    ep_len = np.zeros(n_ep, dtype=np.int64)
    ep_len[:n_multi] = np.bincount(gap_ep, weights=gap, minlength=n_multi).astype(np.int64)

    # second episodes start more than 24 h after the owner's first episode ends
    if n_repeat:
        span = int(0.35 * len(days)) * MINUTES_PER_DAY
        apart = 1441 + (rng.random(n_repeat) * span).astype(np.int64)
        apart[0] = 1441  # 24 h + 1 min: a new episode
        ep_start[n_people:] = ep_start[owners] + ep_len[owners] + apart

    # a few single-episode people dated just outside the period
    is_candidate = np.zeros(n_ep, dtype=bool)
    is_candidate[n_multi:n_people] = True
    is_candidate[owners] = False
    candidates = np.flatnonzero(is_candidate)
    n_oop = min(planted(rows, 0.002), len(candidates)) if rows >= 10 else 0
    oop = rng.choice(candidates, size=n_oop, replace=False) if n_oop else np.array([], int)
    for j, e in enumerate(oop.tolist()):
        shift = int(rng.integers(1, 21)) * MINUTES_PER_DAY
        ep_start[e] = t0 - shift if j % 2 == 0 else t1 + shift

    # reprocessed records among the multi-record episodes
    rep_pos = np.where(rng.random(n_multi) < 0.35, (rng.random(n_multi) * size_arr).astype(int), -1)
    both = np.zeros(n_multi, dtype=bool)
    if n_multi > 1:
        rep_pos[1] = 0  # tied with the next record, first in the file: must rank after it
    if n_multi > 2:
        rep_pos[2] = 0  # the earliest record is reprocessed
    if n_multi > 3 and sizes[3] == 2:
        both[3] = True  # reprocessed only: the earliest is the first

    # expand episodes to rows
    row_ep = np.repeat(np.arange(n_ep), ep_size)
    pos_in_ep = np.arange(len(row_ep)) - np.repeat(np.cumsum(ep_size) - ep_size, ep_size)
    # offset of record j > 0 of multi-record episode e = the sum of its first j gaps
    gap_cum = np.cumsum(gap)
    gap_base = gap_cum - gap  # sum of all gaps before this one
    ep_gap_start = np.cumsum(n_gaps) - n_gaps
    multi = row_ep < n_multi
    offsets = np.zeros(len(row_ep), dtype=np.int64)
    rows_m = np.flatnonzero(multi & (pos_in_ep > 0))
    last_gap = ep_gap_start[row_ep[rows_m]] + pos_in_ep[rows_m] - 1
    offsets[rows_m] = gap_cum[last_gap] - (gap_base[ep_gap_start[row_ep[rows_m]]])
    reproc = np.zeros(len(row_ep), dtype=bool)
    reproc[multi] = (pos_in_ep[multi] == rep_pos[row_ep[multi]]) | both[row_ep[multi]]
    reproc[~multi] = rng.random(int(np.count_nonzero(~multi))) < 0.02
    minute = ep_start[row_ep] + offsets
    person = ep_person[row_ep]
    episode = row_ep

    # rows without an identifier: ghosts (people of their own, never linked)
    if n_noid:
        ghost_days = rng.choice(days, size=n_noid, p=p)
        gm = ghost_days.astype(np.int64) * MINUTES_PER_DAY + minute_of_day(rng, n_noid)
        minute = np.concatenate([minute, gm])
        person = np.concatenate([person, n_people + np.arange(n_noid)])
        reproc = np.concatenate([reproc, rng.random(n_noid) < 0.02])
        episode = np.concatenate([episode, -1 - np.arange(n_noid)])

    # file order: by time; ties broken at random, but the planted tie lists its reprocessed row
    # first so that "reprocessed last" has to beat the file order
    tiebreak = rng.random(rows)
    if n_multi > 1:
        tie_rows = np.flatnonzero(episode == 1)
        tiebreak[tie_rows] = np.where(reproc[tie_rows], -2.0, -1.0)
    order = np.lexsort((tiebreak, minute))
    return ArrestPlan(
        person=person[order],
        minute=minute[order],
        reprocessed=reproc[order],
        episode=episode[order],
        n_people=n_people,
        expected_flagged=int(sum(s - 1 for s in sizes)),
        out_of_period=n_oop,
    )


# ---- people -----------------------------------------------------------------------------------


def make_people(rng: np.random.Generator, n_people: int, n_ghost: int, fy_start: date) -> People:
    n = n_people + n_ghost
    ids = _ids(rng, n)
    ghost = np.zeros(n, dtype=bool)
    ghost[n_people:] = True
    crim = rng.choice(3, size=n, p=values.ARREST_CRIMINALITY_P).astype(np.int64)
    age = np.clip(rng.normal(33, 10, n), 17, 80).astype(np.int64)
    final_order = rng.choice([0, 1, -1], size=n, p=[0.62, 0.33, 0.05]).astype(np.int64)
    start_day = serial(fy_start)
    y2001 = serial(date(2001, 1, 1))
    fo_day = np.where(final_order == 0, rng.integers(y2001, start_day + 300, n), -1)
    msc = np.where(
        (crim == 0) | ((crim == 1) & (rng.random(n) < 0.4)),
        rng.integers(0, len(values.MSC_CHARGES), n),
        -1,
    )
    conv = np.where(msc >= 0, start_day - rng.integers(30, 365 * 15, n), -1)
    conv = np.where(conv >= 0, np.maximum(conv, serial(date(2000, 6, 1))), -1)
    charge = np.where(conv >= 0, conv - rng.integers(0, 300, n), -1)
    entry = np.where(rng.random(n) < 0.3, rng.integers(serial(date(2000, 1, 1)), start_day, n), -1)
    threat = np.where(crim == 0, _sample(rng, n, values.THREAT_LEVEL), -1)
    return People(
        ids=ids,
        ghost=ghost,
        aor=_sample(rng, n, {c: float(values.C_AOR[c]) for c in values.AORS}),
        crim=crim,
        cit=_sample(rng, n, values.C_CITIZENSHIP),
        gender=_sample(rng, n, values.C_GENDER),
        birth_year=2024 - age,
        site=rng.integers(0, 3, n),
        case_status=_sample(rng, n, values.CASE_STATUS),
        case_category=_sample(rng, n, values.CASE_CATEGORY),
        final_order=final_order,
        final_order_day=fo_day,
        msc=msc,
        msc_conviction_day=conv,
        msc_charge_day=charge,
        entry_status=_sample(rng, n, values.ENTRY_STATUS),
        entry_day=entry,
        threat=threat,
        anchor=np.zeros(n, dtype=np.int64),
        method=np.zeros(n, dtype=np.int64),
        program=np.zeros(n, dtype=np.int64),
        removed=np.zeros(n, dtype=bool),
        departed_day=np.full(n, -1, dtype=np.int64),
    )


# ---- column helpers -------------------------------------------------------------------------


def _person_col(people: People, person: np.ndarray, no_id: np.ndarray | None = None) -> Column:
    codes = np.where(people.ghost[person], -1, person)
    if no_id is not None:
        codes = codes.copy()
        codes[no_id] = -1
    return Column("text", codes.astype(np.int64), people.ids, opaque=True)


def _by_person(names: list[str], attr: np.ndarray, person: np.ndarray) -> Column:
    codes = attr[person]
    return Column("text", np.where(codes >= 0, codes, -1).astype(np.int64), names)


def _days(day: np.ndarray) -> Column:
    return from_array(day, "date", empty=day < 0)


def _minutes(minute: np.ndarray, empty: np.ndarray | None = None) -> Column:
    return from_array(minute, "datetime", empty=empty)


def _aor_col(
    rng: np.random.Generator, aor: np.ndarray, *, blank_share: float, hq_share: float = 0.0
) -> Column:
    codes = aor.astype(np.int64).copy()
    n = len(codes)
    taken: list[np.ndarray] = []
    if hq_share:
        rows = pick(rng, n, planted(n, hq_share))
        codes[rows] = HQ
        taken.append(rows)
    if blank_share:
        rows = pick(rng, n, planted(n, blank_share), exclude=_cat(taken))
        codes[rows] = -1
        taken.append(rows)
    rows = pick(rng, n, planted(n, 0.0003), exclude=_cat(taken))
    codes[rows] = UNKNOWN
    return Column("text", codes, AOR_NAMES)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.array([], dtype=np.int64)


def _crim_col(rng: np.random.Generator, crim: np.ndarray) -> Column:
    codes = crim.astype(np.int64).copy()
    codes[pick(rng, len(codes), planted(len(codes), 0.0003))] = 3
    return Column("text", codes, CRIM_NAMES)


def _yes_no(rng: np.random.Generator, n: int, yes: float, no: float) -> Column:
    u = rng.random(n)
    codes = np.where(u < yes, 0, np.where(u < yes + no, 1, -1))
    return categorical(["YES", "NO"], codes)


def _redacted(n: int, empty: np.ndarray | None = None) -> Column:
    col = const(n, values.C_REDACTED)
    if empty is not None:
        col = Column("text", np.where(empty, -1, 0).astype(np.int64), col.values)
    return col


def _sites(prefix: str = "ERO") -> list[str]:
    out = []
    for c in values.AORS:
        city = values.AOR_CITY[c].upper()
        out += [
            f"{prefix} {city} FIELD OFFICE",
            f"{prefix} {city} SUB-OFFICE 1",
            f"{prefix} {city} SUB-OFFICE 2",
        ]
    return out


SITES = _sites()


def _site_col(people: People, person: np.ndarray) -> Column:
    codes = people.aor[person] * 3 + people.site[person]
    return Column("text", codes.astype(np.int64), SITES)


def _program_of(rng: np.random.Generator, method: np.ndarray) -> np.ndarray:
    """Program index (values.PROGRAMS) given method index (METHODS)."""
    n = len(method)
    out = np.zeros(n, dtype=np.int64)
    cap, fug, nddc, ddc, g287, atd = range(6)
    table = {
        "CAP Local Incarceration": {cap: 0.9, fug: 0.05, ddc: 0.05},
        "CAP State Incarceration": {cap: 0.9, fug: 0.05, ddc: 0.05},
        "CAP Federal Incarceration": {cap: 0.95, ddc: 0.05},
        "287(g) Program": {g287: 0.85, cap: 0.15},
        "Located": {fug: 0.7, nddc: 0.2, atd: 0.1},
        "Non-Custodial Arrest": {fug: 0.6, nddc: 0.25, atd: 0.15},
        "Probation and Parole": {cap: 0.6, fug: 0.4},
        values.REPROCESSED: {ddc: 0.5, nddc: 0.3, cap: 0.2},
    }
    for m in np.unique(method).tolist():
        rows = np.flatnonzero(method == m)
        dist = table.get(METHODS[m], {cap: 0.4, fug: 0.3, nddc: 0.2, ddc: 0.1})
        keys = list(dist)
        p = np.array([dist[k] for k in keys])
        out[rows] = np.array(keys)[rng.choice(len(keys), size=len(rows), p=p / p.sum())]
    return out


# ---- the five tables --------------------------------------------------------------------------


def tables(
    rows: int, rng: np.random.Generator, seed: int, fy: int = layouts.C_FISCAL_YEAR
) -> list[Table]:
    start, end = period(fy)
    plan = plan_arrests(rows, rng, start, end)
    n_ghost = int(np.count_nonzero(plan.episode < 0))
    people = make_people(rng, plan.n_people, n_ghost, start)
    # each person's first arrest record anchors the other tables
    first = np.full(people.n, rows, dtype=np.int64)
    np.minimum.at(first, plan.person, np.arange(rows))  # rows are in time order
    people.anchor = plan.minute[first]

    fresh = _sample(rng, rows, {m: float(w) for m, w in values.C_METHOD.items()})
    method = np.where(plan.reprocessed, REP_METHOD, fresh)
    people.method = method[first]
    program = _program_of(rng, method)
    people.program = program[first]

    t0 = serial(start) * MINUTES_PER_DAY
    t1 = (serial(end) + 1) * MINUTES_PER_DAY - 1
    stints = _detention_plan(rng, people, t0, t1)
    out = [
        _arrests(rng, people, plan, method, program, fy, start, end, seed),
        _detainers(rng, people, t0, t1, fy, start, end, seed),
        _encounters(rng, people, t0, t1, fy, start, end, seed),
        _detentions(rng, people, stints, t1, fy, start, end, seed),
        _removals(rng, people, t1, fy, start, end, seed),
    ]
    return out


def _table(name: str, fy: int, start: date, end: date, seed: int, cols: dict[str, Column]) -> Table:
    headers = layouts.c_layout(name, fy)
    return Table(
        family="C",
        name=name,
        file_name=layouts.C_FILE_NAMES[name].format(fy=fy),
        headers=headers,
        title=layouts.c_title_rows(name, fy, start, end, seed),
        columns={h: cols[h] for h in headers},
        period=(start, end),
        sheet_name=layouts.C_SHEET_NAMES[name],
    )


def _arrests(
    rng: np.random.Generator,
    people: People,
    plan: ArrestPlan,
    method: np.ndarray,
    program: np.ndarray,
    fy: int,
    start: date,
    end: date,
    seed: int,
) -> Table:
    p = plan.person
    n = len(p)
    # planted unknown methods on rows that are not reprocessed (keeps the episode truth simple)
    method = method.copy()
    method[pick(rng, n, planted(n, 0.0003), exclude=np.flatnonzero(plan.reprocessed))] = (
        UNKNOWN_METHOD
    )
    states = sorted({s for ss in values.AOR_STATES.values() for s in ss})
    first_state = np.array([states.index(values.AOR_STATES[c][0]) for c in values.AORS])
    state = first_state[people.aor[p]]
    other = rng.random(n) < 0.3
    state = np.where(other, rng.integers(0, len(states), n), state)
    state[rng.random(n) < 0.03] = -1
    counties = [values.AOR_COUNTY[c] for c in values.AORS]
    county = np.where((~other) & (rng.random(n) < 0.6), people.aor[p], -1)
    landmark_kinds = [_landmark_kind(m) for m in METHODS]
    lm_strings = sorted({_landmark(k, c) for k in set(landmark_kinds) for c in values.AORS})
    lm_index = {s: i for i, s in enumerate(lm_strings)}
    lm_table = np.array([[lm_index[_landmark(k, c)] for k in landmark_kinds] for c in values.AORS])
    landmark = lm_table[people.aor[p], method]
    landmark[rng.random(n) < 0.05] = -1
    op = rng.random(n)
    operation = np.where(op < 0.15, 0, np.where(op < 0.17, 1 + rng.integers(0, 5, n), -1))
    op_names = [values.C_REDACTED_OPERATION] + [f"SYNTHETIC OPERATION {k:02d}" for k in range(1, 6)]
    case_crim = np.where(rng.random(n) < 0.9, people.crim[p], rng.integers(0, 3, n))
    fo_day = people.final_order_day[p].copy()
    fo_day[pick(rng, n, planted(n, 0.0001))] = serial(date(1996, 5, 14))  # implausible (<2000)
    status = _case_status(people, p)
    cols = {
        "Apprehension Date": _minutes(plan.minute),
        "Apprehension Type": choose(rng, n, values.APPREHENSION_TYPE),
        "State": categorical(states, state),
        "County": categorical(counties, county),
        "TOA Current Duty AOR": _aor_col(rng, people.aor[p], blank_share=0.001),
        "Apprehension Final Program": categorical(values.PROGRAMS, program),
        "Arresting Agency": choose(rng, n, values.ARRESTING_AGENCY),
        "Apprehension Method": categorical(METHODS, method),
        "Apprehension Criminality": _crim_col(rng, people.crim[p]),
        "Case Status": status,
        "Case Category": _by_person(CASE_CATEGORY, people.case_category, p),
        "Departure Country": _departure_country(people, p),
        "Final Order Yes No": _by_person(["YES", "NO"], people.final_order, p),
        "Birth Date": _redacted(n),
        "Birth Year": _birth_year(rng, people, p),
        "Citizenship Country": _by_person(CIT, people.cit, p),
        "Gender": _by_person(list(values.C_GENDER), people.gender, p),
        "Departed Date": _days(people.departed_day[p]),
        "Final Order Date": _days(fo_day),
        "Apprehension Site Landmark": categorical(lm_strings, landmark),
        "Operation": categorical(op_names, operation),
        "TOA Current Duty Site": _site_col(people, p),
        "Case Criminality": categorical(values.CRIMINALITY, case_crim),
        "Case Threat Level": _by_person(THREAT, people.threat, p),
        "Anonymized Identifier": _person_col(people, p),
    }
    t = _table("arrests", fy, start, end, seed, cols)
    t.notes.update(
        expected_flagged=plan.expected_flagged,
        planted_out_of_period=plan.out_of_period,
        episode=plan.episode,
    )
    return t


def _case_status(people: People, p: np.ndarray) -> Column:
    removed = [CASE_STATUS.index(s) for s in values.REMOVED_CASE_STATUS]
    codes = np.where(people.removed[p], np.where(people.crim[p] == 2, removed[0], removed[1]), -1)
    codes = np.where(codes >= 0, codes, people.case_status[p])
    return categorical(CASE_STATUS, codes)


def _departure_country(people: People, p: np.ndarray) -> Column:
    return categorical(CIT, np.where(people.removed[p], people.cit[p], -1))


def _birth_year(rng: np.random.Generator, people: People, p: np.ndarray) -> Column:
    years = people.birth_year[p]
    return from_array(years, "int", empty=rng.random(len(p)) < 0.005)


def _dup_rows(
    rng: np.random.Generator, minute: np.ndarray, share: float, spread: int = 240
) -> tuple[np.ndarray, np.ndarray]:
    """Rows to duplicate (same person, same calendar day) and the copies' minutes."""
    n = len(minute)
    src = pick(rng, n, planted(n, share)) if n else np.array([], dtype=np.int64)
    delta = rng.integers(5, spread, len(src))
    day0 = (minute[src] // MINUTES_PER_DAY) * MINUTES_PER_DAY
    later = minute[src] + delta
    copy = np.where(later < day0 + MINUTES_PER_DAY, later, np.maximum(day0, minute[src] - delta))
    return src, copy


def _detainers(
    rng: np.random.Generator,
    people: People,
    t0: int,
    t1: int,
    fy: int,
    start: date,
    end: date,
    seed: int,
) -> Table:
    real = np.flatnonzero(~people.ghost)
    has = real[rng.random(len(real)) < DETAINER_SHARE]
    lag = (rng.gamma(1.3, 25.0, len(has)) * MINUTES_PER_DAY).astype(np.int64) + 60
    person = has
    minute = people.anchor[has] - lag
    second = has[rng.random(len(has)) < SECOND_DETAINER_SHARE]
    lag2 = (rng.gamma(1.5, 40.0, len(second)) * MINUTES_PER_DAY).astype(np.int64) + 1440
    first_of = dict(zip(has.tolist(), minute.tolist(), strict=True))
    m2 = np.array([first_of[s] for s in second.tolist()], dtype=np.int64) - lag2
    person = np.concatenate([person, second])
    minute = np.concatenate([minute, m2])
    keep = (minute >= t0) & (minute <= t1)
    person, minute = person[keep], minute[keep]
    person, minute = _plant_common(rng, person, minute, t0, t1, before=True, dup_share=0.02)
    order = np.lexsort((rng.random(len(minute)), minute))
    p, minute = person[order], minute[order]
    n = len(p)
    no_id = pick(rng, n, planted(n, 0.003)) if n else np.array([], int)
    crim = people.crim[p].copy()
    crim = np.where(crim == 2, np.where(rng.random(n) < 0.94, 1, 2), crim)
    jail = ["COUNTY JAIL", "COUNTY CORRECTIONAL CENTER", "STATE PRISON"]
    fac_names = [
        f"{values.AOR_COUNTY[c]} {kind}" if k < 2 else f"{values.AOR_STATES[c][0]} {kind} {c}"
        for c in values.AORS
        for k, kind in enumerate(jail)
    ]
    fac_codes = [f"{c}{s}" for c in values.AORS for s in ("JAIL", "CORR", "STPR")]
    fac = people.aor[p] * 3 + rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    cities = [values.AOR_CITY[c].upper() for c in values.AORS]
    states = [values.AOR_STATES[c][0] for c in values.AORS]
    lift = list(values.LIFT_REASON)
    lift_codes = [values.LIFT_REASON[k][0] for k in lift]
    lifted = np.where(
        people.removed[p],
        0,
        np.where(rng.random(n) < 0.5, 1 + _sample(rng, n, {k: 1.0 for k in lift[1:]}), -1),
    )
    method_known = rng.random(n) < 0.6
    sentence = _sentences(rng, people, p)
    cols: dict[str, Column] = {
        "Detainer Prepare Date": _minutes(minute),
        "Facility State": categorical(states, people.aor[p]),
        "Facility AOR": _aor_col(rng, people.aor[p], blank_share=0.001),
        "Port of Departure": _ports(people, p),
        "Departure Country": _departure_country(people, p),
        "Departed Date": _days(people.departed_day[p]),
        "Case Status": _case_status(people, p),
        "Detainer Criminality": _crim_col(rng, crim),
        "Detainer Facility": categorical(fac_names, fac),
        "Detainer Facility Code": categorical(fac_codes, fac),
        "Facility City": categorical(cities, people.aor[p]),
        "Detainer Threat Level": _by_person(THREAT, people.threat, p),
        "Gender": _by_person(list(values.C_GENDER), people.gender, p),
        "Citizenship Country": _by_person(CIT, people.cit, p),
        "Birth Country": _birth_country(rng, people, p),
        "Birth Date": _redacted(n),
        "Birth Year": _birth_year(rng, people, p),
        "Entry Status": _by_person(ENTRY, people.entry_status, p),
        "MSC Charge": categorical([c for c, _ in values.MSC_CHARGES], people.msc[p]),
        "MSC Sentence Days": sentence[0],
        "MSC Sentence Months": sentence[1],
        "MSC Sentence Years": sentence[2],
        "MSC Charge Code": categorical([k for _, k in values.MSC_CHARGES], people.msc[p]),
        "MSC Charge Date": _days(people.msc_charge_day[p]),
        "MSC Conviction Date": _days(people.msc_conviction_day[p]),
        "Aggravated Felon Yes No": _yes_no(rng, n, 0.03, 0.9),
        "Processing Disposition": choose(rng, n, values.ENCOUNTER_DISPOSITION, 0.01),
        "Case Category": _by_person(CASE_CATEGORY, people.case_category, p),
        "TOA Case Category": categorical(
            CASE_CATEGORY, np.where(rng.random(n) < 0.15, people.case_category[p], -1)
        ),
        "TOA Current Program": categorical(
            values.PROGRAMS, np.where(method_known, people.program[p], -1)
        ),
        "Apprehension Method": categorical(METHODS, np.where(method_known, people.method[p], -1)),
        "Final Order Yes No": _by_person(["YES", "NO"], people.final_order, p),
        "Final Order Date": _days(people.final_order_day[p]),
        "Apprehension Date": _minutes(people.anchor[p], empty=~method_known),
        "Entry Date": _days(people.entry_day[p]),
        "Other Removal Reason": blank(n),
        "Order to Show Cause Served Date": blank(n, "date"),
        "Detainer Lift Reason": categorical(lift, lifted),
        "Detainer Lift Reason Code": categorical(lift_codes, lifted),
        "Active Investigation Yes No": _yes_no(rng, n, 0.02, 0.9),
        "Arrest Warrant Served Date": _days(
            np.where(rng.random(n) < 0.1, minute // MINUTES_PER_DAY, -1)
        ),
        "Detainer Type": choose(rng, n, values.DETAINER_TYPE),
        "Notify Release Request Yes No": _yes_no(rng, n, 0.1, 0.85),
        "TOD Current Duty Site": _site_col(people, p),
        "EID DTA ID": _redacted(n),
        "Anonymized Identifier": _person_col(people, p, no_id),
    }
    flag_share = {
        "Prior Felony Yes No": (0.15, 0.0),
        "Multiple Prior MISD Yes No": (0.07, 0.0),
        "Violent Misdemeanor Yes No": (0.3, 0.0),
        "Aggravated Felony Yes No": (0.03, 0.0),
        "Deportation Ordered Yes No": (0.3, 0.7),
        "Order to Show Cause Served Yes No": (0.08, 0.92),
        "Biometric Match Yes No": (0.97, 0.03),
        "Statements Made Yes No": (0.27, 0.73),
        "Resume Custody Yes No": (0.0, 1.0),
    }
    for h in layouts.C_DETAINERS:
        if h.endswith("Yes No") and h not in cols:
            yes, no = flag_share.get(h, (0.0, 0.0))
            cols[h] = _yes_no(rng, n, yes, no) if yes or no else blank(n)
    return _table("detainers", fy, start, end, seed, cols)


def _plant_common(
    rng: np.random.Generator,
    person: np.ndarray,
    minute: np.ndarray,
    t0: int,
    t1: int,
    *,
    before: bool,
    dup_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Add same-person-same-day copies, then move a few rows outside the period."""
    src, copy = _dup_rows(rng, minute, dup_share)
    person = np.concatenate([person, person[src]])
    minute = np.concatenate([minute, copy])
    n = len(minute)
    if n:
        oop = pick(rng, n, planted(n, 0.002))
        shift = rng.integers(1, 30, len(oop)) * MINUTES_PER_DAY
        minute[oop] = (t0 - shift) if before else (t1 + shift)
    return person, minute


def _ports(people: People, p: np.ndarray) -> Column:
    ports = list(values.PORTS_LAND) + list(values.PORTS_AIR)
    mexico = CIT.index("MEXICO")
    h = (p * 2654435761) % 997  # a fixed port per person
    land = h % len(values.PORTS_LAND)
    air = len(values.PORTS_LAND) + h % len(values.PORTS_AIR)
    codes = np.where(people.cit[p] == mexico, land, air)
    return categorical(ports, np.where(people.removed[p], codes, -1))


def _birth_country(rng: np.random.Generator, people: People, p: np.ndarray) -> Column:
    codes = np.where(rng.random(len(p)) < 0.97, people.cit[p], rng.integers(0, len(CIT), len(p)))
    return categorical(CIT, codes)


def _sentences(
    rng: np.random.Generator, people: People, p: np.ndarray
) -> tuple[Column, Column, Column]:
    n = len(p)
    has = people.msc[p] >= 0
    days = np.where(has, rng.choice([0, 1, 30, 90, 180, 364], size=n), -1)
    months = np.where(has & (rng.random(n) < 0.6), rng.choice([0, 2, 6, 12, 18, 24], size=n), -1)
    years = np.where(has & (rng.random(n) < 0.5), rng.choice([0, 0, 0, 1, 2, 5], size=n), -1)
    return (
        from_array(days, "int", empty=days < 0),
        from_array(months, "int", empty=months < 0),
        from_array(years, "int", empty=years < 0),
    )


def _encounters(
    rng: np.random.Generator,
    people: People,
    t0: int,
    t1: int,
    fy: int,
    start: date,
    end: date,
    seed: int,
) -> Table:
    real = np.flatnonzero(~people.ghost)
    k, pk = ENCOUNTERS_PER_PERSON
    count = rng.choice(k, size=len(real), p=pk)
    person = np.repeat(real, count)
    m = len(person)
    before = (rng.gamma(1.1, 8.0, m) * MINUTES_PER_DAY).astype(np.int64) + 30
    after = rng.integers(60, 30 * MINUTES_PER_DAY, m)
    minute = np.where(
        rng.random(m) < 0.9, people.anchor[person] - before, people.anchor[person] + after
    )
    keep = (minute >= t0) & (minute <= t1)
    person, minute = person[keep], minute[keep]
    person, minute = _plant_common(rng, person, minute, t0, t1, before=True, dup_share=0.03)
    order = np.lexsort((rng.random(len(minute)), minute))
    p, minute = person[order], minute[order]
    n = len(p)
    no_id = pick(rng, n, planted(n, 0.002)) if n else np.array([], int)
    crim = np.where(rng.random(n) < 0.85, people.crim[p], rng.choice(3, size=n, p=[0.3, 0.2, 0.5]))
    kinds = ["general", "jail", "interop", "state"]
    lm_strings = [_landmark(kd, c) for c in values.AORS for kd in kinds]
    landmark = people.aor[p] * len(kinds) + rng.choice(len(kinds), size=n, p=[0.3, 0.4, 0.2, 0.1])
    landmark = np.where(rng.random(n) < 0.4, -1, landmark)
    cols = {
        "Event Date": _minutes(minute),
        "Responsible AOR": _aor_col(rng, people.aor[p], blank_share=0.003, hq_share=0.01),
        "Responsible Site": _site_col(people, p),
        "Lead Event Type": choose(rng, n, values.LEAD_EVENT_TYPE, 0.03),
        "Lead Source": choose(rng, n, values.LEAD_SOURCE, 0.95),
        "Event Type": choose(rng, n, values.EVENT_TYPE, 0.01),
        "Final Program": categorical(values.PROGRAMS, people.program[p]),
        "Final Program Group": const(n, "ICE"),
        "Encounter Criminality": _crim_col(rng, crim),
        "Processing Disposition": choose(rng, n, values.ENCOUNTER_DISPOSITION, 0.005),
        "Case Status": _case_status(people, p),
        "Case Category": _by_person(CASE_CATEGORY, people.case_category, p),
        "Departed Date": _days(people.departed_day[p]),
        "Departure Country": _departure_country(people, p),
        "Final Order Yes No": _by_person(["YES", "NO"], people.final_order, p),
        "Final Order Date": _days(people.final_order_day[p]),
        "Birth Date": _redacted(n),
        "Birth Year": _birth_year(rng, people, p),
        "Citizenship Country": _by_person(CIT, people.cit, p),
        "Gender": _by_person(list(values.C_GENDER), people.gender, p),
        "Event Landmark": categorical(lm_strings, landmark),
        "Alien File Number": _redacted(n),
        "EID Case ID": _redacted(n),
        "EID Subject ID": _redacted(n),
        "Unique Identifier": _person_col(people, p, no_id),
    }
    return _table("encounters", fy, start, end, seed, cols)


@dataclass
class Stints:
    person: np.ndarray
    book_in: np.ndarray
    book_out: np.ndarray  # -1 = still detained at the end of the period
    stay_in: np.ndarray
    stay_out: np.ndarray  # -1 = stay not over
    position: np.ndarray  # 0 = first stint of the stay
    last: np.ndarray  # bool


def _detention_plan(rng: np.random.Generator, people: People, t0: int, t1: int) -> Stints:
    """Stays (and their stints) after the first arrest; decides who is removed and when."""
    real = np.flatnonzero(~people.ghost & (people.anchor >= t0) & (people.anchor <= t1))
    held = real[rng.random(len(real)) < DETAINED_SHARE]
    k, pk = STINTS_PER_STAY
    count = rng.choice(k, size=len(held), p=pk)
    stay_in = people.anchor[held] + rng.integers(30, 36 * 60, len(held))
    person = np.repeat(held, count)
    m = len(person)
    position = np.arange(m) - np.repeat(np.cumsum(count) - count, count)
    first_len = rng.integers(120, 3 * MINUTES_PER_DAY, m)
    later_len = (rng.gamma(2.0, 10.0, m) * MINUTES_PER_DAY).astype(np.int64) + 60
    length = np.where(position == 0, first_len, later_len)
    # book-in of each stint = stay start + lengths of the earlier stints of the same stay
    starts = np.repeat(stay_in, count)
    csum = np.cumsum(length)
    stay_first = np.repeat(np.cumsum(count) - count, count)
    before = csum - length - np.where(stay_first > 0, csum[stay_first - 1], 0)
    book_in = starts + before
    book_out = book_in + length
    last = np.zeros(m, dtype=bool)
    if m:
        last[np.cumsum(count)[count > 0] - 1] = True
    stay_end = np.zeros(people.n, dtype=np.int64) - 1
    stay_end[person[last]] = book_out[last]
    # removal: some whose stay ended within the period
    ended = (stay_end >= 0) & (stay_end <= t1)
    removed = ended & (rng.random(people.n) < REMOVED_SHARE)
    people.removed = removed
    people.departed_day = np.where(removed, stay_end // MINUTES_PER_DAY, -1)
    # the release shows what was known at the end of the period
    keep = book_in <= t1
    ongoing = book_out > t1
    book_out = np.where(ongoing, -1, book_out)
    stay_out = stay_end[person]
    stay_out = np.where(stay_out > t1, -1, stay_out)
    return Stints(
        person=person[keep],
        book_in=book_in[keep],
        book_out=book_out[keep],
        stay_in=starts[keep],
        stay_out=stay_out[keep],
        position=position[keep],
        last=last[keep],
    )


def _detentions(
    rng: np.random.Generator,
    people: People,
    s: Stints,
    t1: int,
    fy: int,
    start: date,
    end: date,
    seed: int,
) -> Table:
    idx = np.arange(len(s.person))
    # exact copies of a few stints (same person, same book-in day), then a few booked in late
    dup = pick(rng, len(idx), planted(len(idx), 0.01)) if len(idx) else np.array([], int)
    idx = np.concatenate([idx, dup])
    book_in = s.book_in[idx].copy()
    book_out = s.book_out[idx].copy()
    stay_out = s.stay_out[idx].copy()
    oop = pick(rng, len(idx), planted(len(idx), 0.002)) if len(idx) else np.array([], int)
    book_in[oop] = t1 + rng.integers(1, 20, len(oop)) * MINUTES_PER_DAY
    book_out[oop] = -1
    stay_out[oop] = -1
    order = np.lexsort((idx, book_in))
    idx, book_in, book_out, stay_out = idx[order], book_in[order], book_out[order], stay_out[order]
    p = s.person[idx]
    n = len(p)
    last = s.last[idx]
    removed = people.removed[p]
    reasons = ["Transferred", "Removed", *values.RELEASE_REASONS]
    reason_of = 2 + _sample(rng, people.n, {k: float(w) for k, w in values.RELEASE_REASONS.items()})
    other = reason_of[p]
    reason = np.where(~last, 0, np.where(removed, 1, other))
    reason = np.where(book_out < 0, -1, reason)
    stay_reason = np.where(removed, 1, other)
    stay_reason = np.where(stay_out < 0, -1, stay_reason)
    kinds = [
        ("HOLD ROOM", "HOLD"),
        ("ICE PROCESSING CENTER", "PROC"),
        ("COUNTY DETENTION FACILITY", "CODF"),
    ]
    fac_names = [
        f"{values.AOR_CITY[c].upper()} {k}" if j < 2 else f"{values.AOR_COUNTY[c]} {k}"
        for c in values.AORS
        for j, (k, _) in enumerate(kinds)
    ]
    fac_codes = [f"{c}{code}" for c in values.AORS for _, code in kinds]
    kind = np.where(s.position[idx] == 0, 0, np.where(rng.random(n) < 0.6, 1, 2))
    fac = people.aor[p] * 3 + kind
    sentence = _sentences(rng, people, p)
    bond = np.where(~removed & (rng.random(n) < 0.1), rng.choice([1500, 5000, 10000, 25000], n), -1)
    bond_day = np.where(bond > 0, book_in // MINUTES_PER_DAY + rng.integers(0, 20, n), -1)
    posted = np.where((bond > 0) & (rng.random(n) < 0.5), bond, -1)
    posted_day = np.where(posted > 0, bond_day + rng.integers(0, 10, n), -1)
    sites = _sites("ERO")
    status_cols = list(values.MSC_CHARGE_STATUS)
    status = np.where(people.msc[p] >= 0, np.where(people.crim[p] == 0, 0, 1), -1)
    cols = {
        "Stay Book In Date Time": _minutes(s.stay_in[idx]),
        "Book In Date Time": _minutes(book_in),
        "Detention Facility": categorical(fac_names, fac),
        "Book Out Date Time": _minutes(np.maximum(book_out, 0), empty=book_out < 0),
        "Stay Book Out Date Time": _minutes(np.maximum(stay_out, 0), empty=stay_out < 0),
        "Detention Release Reason": categorical(reasons, reason),
        "Stay Book Out Date": _days(np.where(stay_out >= 0, stay_out // MINUTES_PER_DAY, -1)),
        "Stay Release Reason": categorical(reasons, stay_reason),
        "Religion": choose(rng, n, {"Catholic": 2, "Christian": 1}, 0.97),
        "Gender": _by_person(list(values.C_GENDER), people.gender, p),
        "Marital Status": choose(rng, n, values.MARITAL_STATUS, 0.02),
        "Ethnicity": choose(rng, n, values.ETHNICITY, 0.02),
        "Birth Country": _birth_country(rng, people, p),
        "Citizenship Country": _by_person(CIT, people.cit, p),
        "Entry Status": _by_person(ENTRY, people.entry_status, p),
        "Known Terrorist Yes No": _yes_no(rng, n, 0.0, 0.98),
        "Suspected Gang Yes No": _yes_no(rng, n, 0.02, 0.96),
        "MSC Charge": categorical([c for c, _ in values.MSC_CHARGES], people.msc[p]),
        "MSC Sentence Days": sentence[0],
        "MSC Sentence Months": sentence[1],
        "MSC Sentence Years": sentence[2],
        "MSC Charge Code": categorical([k for _, k in values.MSC_CHARGES], people.msc[p]),
        "Aggravated Felon Yes No": choose(rng, n, values.AGGRAVATED_FELON_TYPE, 0.05),
        "Offense INA 236C Yes No": _yes_no(rng, n, 0.1, 0.85),
        "Case INA 236C Yes No": _yes_no(rng, n, 0.1, 0.85),
        "Bond Posted Date": _days(posted_day),
        "Bond Posted Amount": from_array(posted, "int", empty=posted < 0),
        "Case Status": _case_status(people, p),
        "Case Category": _by_person(CASE_CATEGORY, people.case_category, p),
        "Final Order Yes No": _by_person(["YES", "NO"], people.final_order, p),
        "Final Order Date": _days(people.final_order_day[p]),
        "Case Threat Level": _by_person(THREAT, people.threat, p),
        "Detainee Classification": choose(rng, n, values.DETAINEE_CLASSIFICATION, 0.1),
        "Final Charge": choose(rng, n, values.FINAL_CHARGE, 0.4),
        "Departed Date": _days(people.departed_day[p]),
        "Departure Country": _departure_country(people, p),
        "Initial Bond Set Amount": from_array(bond, "int", empty=bond < 0),
        "Initial Bond Set Date": _days(bond_day),
        "Detention Facility Code": categorical(fac_codes, fac),
        "Birth Date": _redacted(n),
        "Birth Year": _birth_year(rng, people, p),
        "Book In Criminality": _crim_col(rng, people.crim[p]),
        "Race": choose(rng, n, values.RACE, 0.02),
        "Entry Date": _days(people.entry_day[p]),
        "Apprehension Final Program": categorical(values.PROGRAMS, people.program[p]),
        "MSC Charge Date": _days(people.msc_charge_day[p]),
        "MSC Conviction Date": _days(people.msc_conviction_day[p]),
        "MSC Criminal Charge Status": categorical(status_cols, status),
        "MSC Criminal Charge Status Code": categorical(
            [values.MSC_CHARGE_STATUS[k][0] for k in status_cols], status
        ),
        "MSC Crime Class": choose(rng, n, values.CRIME_CLASS, 0.3),
        "Book In Site": categorical(sites, people.aor[p] * 3 + np.minimum(kind, 2)),
        "Book In AOR": _aor_col(rng, people.aor[p], blank_share=0.0),
        "Anonymized Identifier": _person_col(people, p),
    }
    return _table("detentions", fy, start, end, seed, cols)


def _removals(
    rng: np.random.Generator, people: People, t1: int, fy: int, start: date, end: date, seed: int
) -> Table:
    person = np.flatnonzero(people.removed)
    day = people.departed_day[person]
    minute = day * MINUTES_PER_DAY
    src, copy = _dup_rows(rng, minute, 0.01)
    person = np.concatenate([person, person[src]])
    day = np.concatenate([day, copy // MINUTES_PER_DAY])
    n = len(person)
    if n:
        oop = pick(rng, n, planted(n, 0.002))
        day[oop] = t1 // MINUTES_PER_DAY + rng.integers(1, 20, len(oop))
    order = np.lexsort((rng.random(n), day))
    p, day = person[order], day[order]
    no_id = pick(rng, n, planted(n, 0.001)) if n else np.array([], int)
    removal_day = np.where(rng.random(n) < 0.95, day, day + rng.integers(1, 6, n))
    states = sorted({s for ss in values.AOR_STATES.values() for s in ss})
    first_state = np.array([states.index(values.AOR_STATES[c][0]) for c in values.AORS])
    cols = {
        "Departed Date": _days(day),
        "Removal Date": _days(removal_day),
        "Port of Departure": _ports(people, p),
        "Departure Country": categorical(CIT, people.cit[p]),
        "Area of Responsibility": _aor_col(rng, people.aor[p], blank_share=0.0),
        "Apprehension State": categorical(states, first_state[people.aor[p]]),
        "Case Status": _case_status(people, p),
        "Gender": _by_person(list(values.C_GENDER), people.gender, p),
        "Birth Country": _birth_country(rng, people, p),
        "Citizenship Country": _by_person(CIT, people.cit, p),
        "Birth Date": _redacted(n),
        "Birth Year": _birth_year(rng, people, p),
        "Entry Date": _days(people.entry_day[p]),
        "Entry Status": _by_person(ENTRY, people.entry_status, p),
        "MSC Charge": categorical([c for c, _ in values.MSC_CHARGES], people.msc[p]),
        "MSC Charge Code": categorical([k for _, k in values.MSC_CHARGES], people.msc[p]),
        "MSC Conviction Date": _days(people.msc_conviction_day[p]),
        "Case Threat Level": _by_person(THREAT, people.threat, p),
        "Removal Criminality": _crim_col(rng, people.crim[p]),
        "Processing Disposition": choose(rng, n, values.A_ARREST_DISPOSITION, 0.005),
        "Case Category": _by_person(CASE_CATEGORY, people.case_category, p),
        "Final Program": categorical(values.PROGRAMS, people.program[p]),
        "Final Charge Section": choose(rng, n, values.FINAL_CHARGE_SECTION, 0.003),
        "Apprehension Date": _days(people.anchor[p] // MINUTES_PER_DAY),
        "Final Order Yes No": const(n, "YES"),
        "Final Order Date": _days(people.final_order_day[p]),
        "Anonymized Identifier": _person_col(people, p, no_id),
    }
    return _table("removals", fy, start, end, seed, cols)
