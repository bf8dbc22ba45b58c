"""Find surges nobody announced: days far above a robust expected count, merged into
episodes per AOR, and episodes that start together in several AORs grouped into one
coordinated operation.

The expected count of an AOR on a day is a slow trend times a day-of-week factor, both fit
so that the surges being looked for do not pull the fit up: the trend is the running mean of
the weekday-adjusted counts over 57 days centred on the day with the highest and the lowest
15% of those days left out (a four-day operation is 7% of the window), the factor of a
weekday the likewise trimmed mean ratio of its counts to the trend (two rounds). A running
median would resist surges as well but is coarse on small integer counts and biased low for
them. The day-to-day spread is estimated from the
data too: the dispersion ``phi`` is the squared robust scale (1.4826 x the median absolute
deviation) of the Pearson residuals ``(count - expected) / sqrt(expected)``, at least 1 (the
Poisson spread). A run of 1 to 7 days, each above its expectation, is flagged when its
total exceeds the expectation by at least
``min_excess`` events and a total that high is less likely than a normal deviate ``z``
standard deviations up (``z`` = 3.5 by default: p = 0.00023, one-sided) under a
quasi-Poisson law (count and mean divided by ``phi``; the exact Poisson tail, since normal
tails mislead for the small daily means of most AORs). See docs/analysis.md.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, model_validator

from icefacts.analysis.base import Answer, Definition, sql_date
from icefacts.analysis.selection import (
    MEASURE_SQL,
    NEEDS,
    Selection,
    counting,
    covered_span,
    fields_held,
    lacking,
    outside_caveat,
    place_filter,
    source,
)
from icefacts.caveats import Caveat
from icefacts.warehouse.engine import Reader

HALF_WINDOW = 28  # days each side of the day: the trend runs over 57 days
MAX_RUN = 7  # the longest run of days tested as one
TRIM = 0.15  # share of the highest (and of the lowest) days left out of each trend window
_Z95 = 1.959964


class DetectQuestion(Selection):
    start: date | None = None  # default: what the loaded releases cover
    end: date | None = None
    measure: Literal["operation_flagged", "at_large", "arrests"] = "operation_flagged"
    min_days: int = Field(default=1, ge=1, le=60)
    threshold: float = Field(default=3.5, gt=0, le=20)  # z, one-sided
    min_excess: int = Field(default=3, ge=1)
    group_days: int = Field(default=2, ge=0, le=14)  # starts this close: one operation

    @model_validator(mode="after")
    def _check(self) -> DetectQuestion:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        return self


def running_trimmed_mean(x: np.ndarray, half: int, trim: float = TRIM) -> np.ndarray:
    """The mean of each day's window of ``2 * half + 1`` days (NaN days left out) after
    dropping its ``trim`` share of highest and of lowest values: a surge of a few days in
    the window is dropped, and unlike a median of small integer counts it is not coarse.
    ``x`` is one series or a row of days per AOR (every row at once)."""
    x2 = np.atleast_2d(x)
    pad = np.full((x2.shape[0], half), np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([pad, x2, pad], axis=1), 2 * half + 1, axis=1
    )
    ordered = np.sort(windows, axis=2)  # NaN sort last
    n = (~np.isnan(ordered)).sum(axis=2)
    k = np.floor(trim * n).astype(int)
    zeros = np.zeros((*ordered.shape[:2], 1))
    # NaN sort last, so the sums taken (of the first n - k and k values) hold none
    sums = np.concatenate([zeros, np.cumsum(ordered, axis=2)], axis=2)
    kept = n - 2 * k
    total = (
        np.take_along_axis(sums, (n - k)[..., None], axis=2)[..., 0]
        - np.take_along_axis(sums, k[..., None], axis=2)[..., 0]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(kept > 0, total / np.maximum(kept, 1), np.nan)
    return out if x.ndim == 2 else out[0]


def _trimmed_rows(values: np.ndarray, trim: float = TRIM) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the mean of its values (NaN: none) without its ``trim`` share of highest and
    of lowest (:func:`_trimmed` of every row at once), and how many values it has."""
    ordered = np.sort(values, axis=1)  # NaN last
    n = (~np.isnan(ordered)).sum(axis=1)
    k = (trim * n).astype(int)
    k = np.where(n > 2 * k, k, 0)
    cols = np.arange(values.shape[1])[None, :]
    inside = (cols >= k[:, None]) & (cols < (n - k)[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(inside, ordered, 0.0).sum(axis=1) / np.maximum(n - 2 * k, 1)
    return mean, n


def poisson_tail(k: float, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam) (k rounded down; quasi-Poisson callers pass count and
    mean divided by the dispersion). Exact for the small means where normal tails mislead."""
    n = math.floor(k)
    if n <= 0:
        return 1.0
    if n > lam and lam <= 1000:
        return float(poisson_tails(np.array([k]), np.array([lam]))[0])
    # normal approximation, continuity corrected: past a mean of 1000, and for k at or below
    # a mean of over 700 (its first term, e^-lam, is below what a float holds)
    if lam > 700:
        return 0.5 * math.erfc((n - 0.5 - lam) / math.sqrt(2 * lam))
    term = math.exp(-lam)
    below = term
    for i in range(1, n):
        term *= lam / i
        below += term
    return max(0.0, 1.0 - below)


_LOG_FACTORIALS = np.zeros(1)


def _log_factorials(n: int) -> np.ndarray:
    """log(i!) for i = 0..n at least (a table grown as needed)."""
    global _LOG_FACTORIALS
    if len(_LOG_FACTORIALS) <= n:
        size = max(n + 1, 2 * len(_LOG_FACTORIALS))
        _LOG_FACTORIALS = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, size)))])
    return _LOG_FACTORIALS


def poisson_tails(k: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """:func:`poisson_tail` of each pair, at once. Where k is above lam (every candidate run:
    it is above its expectation) the tail is summed upward in log space, one row of terms per
    pair, until the terms vanish; other pairs go one by one. Hand-written (scipy's
    ``pdtrc`` does this) because it is the one special function icefacts needs: scipy would
    add 40 MB to the install and its import to every detection."""
    k = np.asarray(k, dtype=float)
    lam = np.asarray(lam, dtype=float)
    out = np.ones(k.shape, dtype=float)
    n = np.floor(k)
    upward = (n > lam) & (lam > 0) & (lam <= 1000)
    for i in np.flatnonzero(~upward & (n > 0)):
        out[i] = poisson_tail(float(k[i]), float(lam[i]))  # (not upward: no recursion)
    if upward.any():
        nu, lu = n[upward], lam[upward]
        steps = int(10 * math.sqrt(float(lu.max())) + 60)
        j = np.arange(1, steps)
        # log of term n, then of each next term's ratio to the one before: lam / (n + j)
        first = -lu + nu * np.log(lu) - _log_factorials(int(nu.max()))[nu.astype(np.int64)]
        ratios = np.log(lu)[:, None] - np.log(nu[:, None] + j[None, :])
        logs = np.concatenate([np.zeros((len(nu), 1)), np.cumsum(ratios, axis=1)], axis=1)
        out[upward] = np.minimum(1.0, np.exp(first) * np.exp(logs).sum(axis=1))
    return out


def _trimmed(values: np.ndarray, trim: float = TRIM) -> float:
    v = np.sort(values)
    k = int(trim * len(v))
    return float(v[k : len(v) - k].mean()) if len(v) > 2 * k else float(v.mean())


def expected_counts(counts: np.ndarray, weekdays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(expected count per day, dispersion phi) of each AOR's daily series, a row per AOR
    (NaN: a day no release covers): every AOR at once."""
    rows = counts.shape[0]
    dow = np.ones((rows, 7))
    trend = running_trimmed_mean(counts, HALF_WINDOW)
    for _ in range(2):
        for k in range(7):
            day = weekdays == k
            c, t = counts[:, day], trend[:, day]
            sel = (t > 0) & ~np.isnan(c)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(sel, c / np.where(sel, t, 1.0), np.nan)
            mean, n = _trimmed_rows(ratio)
            dow[:, k] = np.where(n >= 3, mean, dow[:, k])
        mean = dow.mean(axis=1, keepdims=True)
        dow = np.where(mean > 0, dow / np.where(mean > 0, mean, 1.0), 1.0)
        factor = np.take_along_axis(dow, np.broadcast_to(weekdays, counts.shape), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            adjusted = np.where(factor > 0, counts / np.where(factor > 0, factor, 1), np.nan)
        trend = running_trimmed_mean(adjusted, HALF_WINDOW)
    covered = ~np.isnan(counts)
    level = np.where(
        covered.any(axis=1),
        np.nansum(np.where(covered, counts, 0.0), axis=1) / np.maximum(covered.sum(axis=1), 1),
        0.0,
    )
    factor = np.take_along_axis(dow, np.broadcast_to(weekdays, counts.shape), axis=1)
    # a floor: a day of an AOR whose medians are zero still expects a little
    floor = np.maximum(0.1 * level, 0.05)[:, None]
    expected = np.maximum(np.nan_to_num(trend) * factor, floor)
    phi = np.array(
        [dispersion(counts[i], expected[i], covered[i]) for i in range(rows)], dtype=float
    )
    return expected, phi


def calibrated(
    counts: np.ndarray, expected: np.ndarray, flagged: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(expected, support): the robust fit rescaled so that over the unflagged days of each
    57-day window it expects what was observed there, and the events it rests on per day.
    Trimming the highest and lowest days alike is biased low for the skewed counts of small
    AORs (at a mean of 0.6 a day it expects about two-thirds of it), which overstates every
    excess; the surge days themselves (flagged) stay out of the calibration."""
    use = ~np.isnan(counts) & ~flagged
    c = np.where(use, counts, 0.0)
    e = np.where(use, expected, 0.0)
    width = 2 * HALF_WINDOW + 1
    kernel = np.ones(width)
    seen = np.convolve(c, kernel, mode="same")
    fitted = np.convolve(e, kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(fitted > 0, seen / np.maximum(fitted, 1e-12), 1.0)
    ratio = np.clip(ratio, 0.5, 2.0)
    floor = float(expected.min()) if expected.size else 0.0
    return np.maximum(expected * ratio, floor), seen


def dispersion(counts: np.ndarray, expected: np.ndarray, use: np.ndarray) -> float:
    """``phi``: the squared robust scale (1.4826 x MAD) of the Pearson residuals of the days
    in ``use``, at least 1 (the Poisson spread)."""
    sel = use & ~np.isnan(counts)
    r = (counts[sel] - expected[sel]) / np.sqrt(expected[sel])
    if r.size < 14:
        return 1.0
    mad = float(np.median(np.abs(r - np.median(r))))
    return max(1.0, (1.4826 * mad) ** 2)


def flag_days(
    counts: np.ndarray, expected: np.ndarray, phi: float | np.ndarray, z: float, min_excess: int
) -> np.ndarray:
    """Days inside a run of 1 to ``MAX_RUN`` days, each above its expectation, whose total is
    improbably high (a scan over run lengths: a four-day operation that adds a third to
    each day is clear over the four days though no single day is). One series, or a row per
    AOR with a ``phi`` each (every row at once)."""
    alpha = 0.5 * math.erfc(z / math.sqrt(2))  # one-sided, as a normal deviate z
    one = counts.ndim == 1
    counts2, expected2 = np.atleast_2d(counts), np.atleast_2d(expected)
    rows, n = counts2.shape
    phis = np.broadcast_to(np.asarray(phi, dtype=float).reshape(-1), (rows,))
    c = np.where(np.isnan(counts2), 0.0, counts2)
    above = (c > expected2) & ~np.isnan(counts2)
    flagged = np.zeros((rows, n), dtype=bool)
    zero = np.zeros((rows, 1))
    cs = np.concatenate([zero, np.cumsum(c, axis=1)], axis=1)
    ms = np.concatenate([zero, np.cumsum(expected2, axis=1)], axis=1)
    ok = np.concatenate([zero.astype(int), np.cumsum(above, axis=1)], axis=1)
    found_rows: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    observed: list[np.ndarray] = []
    expects: list[np.ndarray] = []
    for run in range(1, MAX_RUN + 1):
        if run > n:
            break
        obs = cs[:, run:] - cs[:, :-run]
        exp = ms[:, run:] - ms[:, :-run]
        all_above = (ok[:, run:] - ok[:, :-run]) == run
        # a normal bound first: a run whose excess is not even z - 1.5 spreads up cannot
        # pass the exact test (the Poisson tail is not that much heavier)
        near = obs - exp >= np.maximum(min_excess, (z - 1.5) * np.sqrt(phis[:, None] * exp))
        r, t = np.nonzero(all_above & near)  # the few candidates
        found_rows.append(r)
        starts.append(t)
        lengths.append(np.full(t.size, run))
        observed.append(obs[r, t])
        expects.append(exp[r, t])
    if starts and sum(a.size for a in starts):
        row, where, runs = (np.concatenate(x) for x in (found_rows, starts, lengths))
        scale = phis[row]
        p = poisson_tails(np.concatenate(observed) / scale, np.concatenate(expects) / scale)
        keep = p < alpha
        found = sorted(
            zip(
                row[keep].tolist(),
                p[keep].tolist(),
                where[keep].tolist(),
                runs[keep].tolist(),
                strict=True,
            )
        )
        # per row, the most improbable runs first, each kept only where no kept run lies: a
        # surge is marked by its tightest run, not by every longer run that contains it
        for i, _, t0, length in found:
            if not flagged[i, t0 : t0 + length].any():
                flagged[i, t0 : t0 + length] = True
    return flagged[0] if one else flagged


def coverage_mask(scopes: list, aor: str, first: date, n: int) -> np.ndarray:
    """Per day from ``first``, whether a loaded release covers ``aor`` that day."""
    mask = np.zeros(n, dtype=bool)
    for a, b, held in scopes:
        if held is None or aor in held:
            lo, hi = max((a - first).days, 0), min((b - first).days, n - 1)
            if hi >= lo:
                mask[lo : hi + 1] = True
    return mask


def detect(engine: Reader, q: DetectQuestion) -> Answer:
    scopes, first, last = covered_span(engine, q, q.start, q.end)
    where = place_filter(q)
    src = source(q)
    sql = f"""
        SELECT aor, apprehension_date AS day, {MEASURE_SQL[q.measure]} AS n
        FROM {src} e
        WHERE apprehension_date BETWEEN {sql_date(first)} AND {sql_date(last)}
          AND aor IS NOT NULL AND {where}
        GROUP BY ALL
    """
    data = engine.query(sql)
    cnt = counting(engine, q, first, last)
    used = cnt.used
    caveats = [Caveat("detection_model", {"threshold": f"{q.threshold:g} x the spread"})]
    if cnt.synthetic is not None:
        caveats.append(cnt.synthetic)
    caveats += cnt.caveats
    if (q.start is None or q.end is None) and (
        note := outside_caveat(cnt, q, first, last)
    ) is not None:
        caveats.append(note)
    need = NEEDS.get(q.measure)
    missing = lacking(fields_held(engine), used).get(need or "", [])
    if missing:
        caveats.append(Caveat("field_missing_in_release", {"field": need, "releases": missing}))
    n_days = (last - first).days + 1
    days = [first + timedelta(days=i) for i in range(n_days)]
    weekdays = np.array([d.weekday() for d in days])
    # the daily series of every AOR at once: a row per AOR, a column per day
    codes = pc.dictionary_encode(data.column("aor").combine_chunks())
    names = codes.dictionary.to_pylist()
    aors = sorted(set(names) | set(q.aors))
    row_of = {a: i for i, a in enumerate(aors)}
    rows = np.array([row_of[a] for a in names], dtype=np.int64)[
        codes.indices.to_numpy(zero_copy_only=False)
    ]
    epoch = (first - date(1970, 1, 1)).days
    cols = data.column("day").combine_chunks().cast(pa.int32()).to_numpy() - epoch
    series = np.zeros((len(aors), n_days))
    np.add.at(series, (rows, cols), data.column("n").to_numpy().astype(float))
    for aor in aors:
        series[row_of[aor], ~coverage_mask(scopes, aor, first, n_days)] = np.nan
    fitted = [i for i in range(len(aors)) if not np.isnan(series[i]).all()]
    fit = series[fitted]
    expected_all, phi_all = expected_counts(fit, weekdays)
    first_pass = flag_days(fit, expected_all, phi_all, q.threshold, q.min_excess)
    supports = np.zeros_like(fit)
    for at in range(len(fitted)):
        expected_all[at], supports[at] = calibrated(fit[at], expected_all[at], first_pass[at])
        phi_all[at] = dispersion(fit[at], expected_all[at], ~first_pass[at])
    second_pass = flag_days(fit, expected_all, phi_all, q.threshold, q.min_excess)
    episodes: list[dict] = []
    for at, i in enumerate(fitted):
        aor, counts = aors[i], fit[at]
        expected, phi, support = expected_all[at], float(phi_all[at]), supports[at]
        flagged = second_pass[at]
        i = 0
        while i < n_days:
            if not flagged[i]:
                i += 1
                continue
            j = i
            while j + 1 < n_days and flagged[j + 1]:
                j += 1
            if j - i + 1 >= q.min_days:
                obs = float(np.nansum(counts[i : j + 1]))
                exp = float(expected[i : j + 1].sum())
                # the count's own spread, and the expectation's: it is estimated from about
                # ``support`` events of the days around (a relative variance of phi / n)
                n_fit = float(np.nanmin(support[i : j + 1]))
                episodes.append(
                    {
                        "aor": aor,
                        "start": days[i],
                        "end": days[j],
                        "days": j - i + 1,
                        "observed": int(obs),
                        "expected": exp,
                        "var": phi * exp + exp * exp * phi / max(n_fit, 1.0),
                    }
                )
            i = j + 1
    operations = _group(episodes, q.group_days)
    table = _operations_table(operations)
    ep_table = _episodes_table(episodes)
    return Answer(
        question=q,
        table=table,
        caveats=caveats,
        releases_used=used,
        releases_set_aside=cnt.set_aside,
        definitions=[
            Definition("expected", "robust fit: 57-day trimmed running mean x weekday factor"),
            Definition("excess", "observed minus expected over the episode's days"),
            Definition(
                "excess_low / excess_high",
                "95% interval: observed minus expected +/- 1.96 sqrt(phi x expected)",
            ),
            Definition(
                "operation",
                f"episodes of several AORs starting within {q.group_days} day(s) of the "
                "first, or while one of them runs",
            ),
        ],
        sql=[" ".join(sql.split())],
        tables={"episodes": ep_table},
    )


def _group(episodes: list[dict], within: int) -> list[list[dict]]:
    """Episodes of different AORs form one operation when each starts within ``within``
    days of the operation's first start, or while an episode of it is still running."""
    groups: list[list[dict]] = []
    for ep in sorted(episodes, key=lambda e: (e["start"], e["aor"])):
        for g in groups:
            first, last = g[0]["start"], max(e["end"] for e in g)
            near = (ep["start"] - first).days <= within or ep["start"] <= last
            if near and ep["aor"] not in {e["aor"] for e in g}:
                g.append(ep)
                break
        else:
            groups.append([ep])
    return groups


def _interval(observed: float, expected: float, var: float) -> tuple[float, float, float]:
    half = _Z95 * math.sqrt(var)
    return observed - expected, observed - (expected + half), observed - max(expected - half, 0)


def _operations_table(groups: list[list[dict]]) -> pa.Table:
    rows = []
    for g in groups:
        obs = sum(e["observed"] for e in g)
        exp = sum(e["expected"] for e in g)
        ex, lo, hi = _interval(obs, exp, sum(e["var"] for e in g))
        rows.append(
            {
                "_group": g,
                "start": min(e["start"] for e in g),
                "end": max(e["end"] for e in g),
                "aors": sorted(e["aor"] for e in g),
                "n_aors": len(g),
                "observed": obs,
                "expected": round(exp, 1),
                "excess": round(ex, 1),
                "excess_low": round(lo, 1),
                "excess_high": round(hi, 1),
            }
        )
    rows.sort(key=lambda r: (-r["excess"], r["start"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
        for e in r.pop("_group"):
            e["operation"] = rank  # the episode's operation, by rank
    schema = pa.schema(
        [
            ("rank", pa.int32()),
            ("start", pa.date32()),
            ("end", pa.date32()),
            ("aors", pa.list_(pa.string())),
            ("n_aors", pa.int32()),
            ("observed", pa.int64()),
            ("expected", pa.float64()),
            ("excess", pa.float64()),
            ("excess_low", pa.float64()),
            ("excess_high", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _episodes_table(episodes: list[dict]) -> pa.Table:
    rows = []
    for e in episodes:
        ex, lo, hi = _interval(e["observed"], e["expected"], e["var"])
        rows.append(
            {
                "aor": e["aor"],
                "start": e["start"],
                "end": e["end"],
                "days": e["days"],
                "observed": e["observed"],
                "expected": round(e["expected"], 1),
                "excess": round(ex, 1),
                "excess_low": round(lo, 1),
                "excess_high": round(hi, 1),
                "operation": e.get("operation"),
            }
        )
    schema = pa.schema(
        [
            ("aor", pa.string()),
            ("start", pa.date32()),
            ("end", pa.date32()),
            ("days", pa.int32()),
            ("observed", pa.int64()),
            ("expected", pa.float64()),
            ("excess", pa.float64()),
            ("excess_low", pa.float64()),
            ("excess_high", pa.float64()),
            ("operation", pa.int32()),  # the rank of the operation it is part of
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)
