"""Statistics for scores: means with 95% confidence intervals, with fixtures as the unit.

Repeats of one fixture are not independent samples of the corpus, so a metric's interval is
computed over per-fixture means (repeats nested inside fixtures): a Student t interval on the
cluster means. Pure Python; no numpy needed for corpus-sized data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Two-sided 95% critical values of Student's t for small degrees of freedom; 1.96 beyond.
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
        20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
        29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t_critical(df: int) -> float:
    if df <= 0:
        return math.inf
    for bound in sorted(_T95):
        if df <= bound:
            return _T95[bound]
    return 1.96


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    fixtures: int
    values: int


def clustered_mean(
    values_by_fixture: Mapping[str, Sequence[float]], bounds: tuple[float, float] = (-math.inf, math.inf)
) -> Estimate | None:
    """Mean over all values, with a t interval over the per-fixture means, kept within `bounds`
    (the metric's possible values: a rate's interval cannot leave [0, 1], a count's cannot go
    below 0, which the symmetric t interval does for rare events)."""
    clusters = [list(values) for values in values_by_fixture.values() if values]
    if not clusters:
        return None
    all_values = [v for cluster in clusters for v in cluster]
    mean = sum(all_values) / len(all_values)
    cluster_means = [sum(c) / len(c) for c in clusters]
    n = len(cluster_means)
    if n < 2:
        return Estimate(mean, mean, mean, n, len(all_values))
    centre = sum(cluster_means) / n
    variance = sum((m - centre) ** 2 for m in cluster_means) / (n - 1)
    half = t_critical(n - 1) * math.sqrt(variance / n)
    low, high = bounds
    return Estimate(mean, max(low, mean - half), min(high, mean + half), n, len(all_values))
