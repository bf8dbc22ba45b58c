"""The interval around an excess over a baseline (docs/analysis.md, "The baseline").

The observed count of the window is what the records say; what is uncertain is what a normal
window would have held. The baseline periods (the same weekdays in N earlier weeks) are N
draws of that. A 95% prediction interval for one more normal period is

    mean +/- t(0.975, N-1) * sqrt(v * (1 + 1/N)),   v = max(sample variance, mean)

Student t because the spread is estimated from N periods; ``1 + 1/N`` because both a new
period's own variation and the error of the estimated mean count; the variance is kept at
least the mean (the Poisson variance of a count) so that a few unusually even weeks cannot
make the interval narrower than counting noise allows. The excess interval is the observed
count minus that prediction interval (its lower end floored at zero: no period holds fewer
than no arrests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# t(0.975, df) for df = 1..30 (standard tables)
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959964


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975  # Cornish-Fisher expansion: within 1e-4 of the exact value from df = 31
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def excess_interval(observed: float, baseline: Sequence[float]) -> tuple[float, float, float]:
    """(baseline mean, excess low, excess high) for ``observed`` against ``baseline``
    (two or more periods)."""
    n = len(baseline)
    if n < 2:
        raise ValueError("a baseline needs at least two periods")
    mean = sum(baseline) / n
    var = sum((x - mean) ** 2 for x in baseline) / (n - 1)
    half = t975(n - 1) * math.sqrt(max(var, mean) * (1 + 1 / n))
    return mean, observed - (mean + half), observed - max(mean - half, 0.0)
