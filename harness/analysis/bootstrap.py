"""Paired bootstrap confidence intervals, fixtures as the resampling unit. Pure numpy.

The input is one row per fixture and one column per metric: the fixture's candidate mean minus
its base mean (repeats are already averaged inside the fixture, so they stay nested), NaN where
either run has no value (partial gold). Every metric is resampled with the SAME draws of fixtures,
as one weight matrix: a resample is a row of counts (how often each fixture was drawn), so all
metrics' resampled sums are one matrix product instead of a Python loop over resamples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEED = 20_240_917  # fixed: the same two runs always give the same interval
RESAMPLES = 4_000
# Draws per block (resamples × fixtures): bounds memory at ~16 MB of weights whatever the corpus size.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class PairedIntervals:
    mean: np.ndarray  # per metric: mean over the fixtures that have it
    low: np.ndarray
    high: np.ndarray
    fixtures: np.ndarray  # per metric: how many fixtures have it


def paired_bootstrap(differences: np.ndarray, level: float = 0.95, resamples: int = RESAMPLES,
                     seed: int = SEED) -> PairedIntervals:
    """Percentile intervals of the mean difference per column of `differences` (fixtures × metrics)."""
    n, m = differences.shape
    present = ~np.isnan(differences)
    counts = present.sum(axis=0)
    values = np.where(present, differences, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = values.sum(axis=0) / counts
    if n == 0 or m == 0:
        return PairedIntervals(mean, mean.copy(), mean.copy(), counts)
    # One matrix product gives both the resampled sums and how many drawn fixtures have each metric.
    columns = np.hstack([values, present.astype(np.float64)])
    rng = np.random.default_rng(seed)
    totals = np.empty((resamples, 2 * m))
    block = max(1, min(resamples, _BLOCK_CELLS // n))
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        # Draw n fixtures with replacement per resample, then count the draws of each fixture
        # (offsetting each resample's indices so one bincount counts the whole block).
        picks = rng.integers(0, n, size=(size, n), dtype=np.int32)
        picks += (np.arange(size, dtype=np.int32) * n)[:, None]
        weights = np.bincount(picks.ravel(), minlength=size * n).reshape(size, n).astype(np.float64)
        totals[start : start + size] = weights @ columns
    sums, drawn = totals[:, :m], totals[:, m:]
    with np.errstate(invalid="ignore", divide="ignore"):
        # A resample that drew no fixture with this metric has no mean (NaN): it is left out.
        resampled = sums / drawn
    tail = (1 - level) / 2 * 100
    low, high = _nan_percentiles(resampled, tail, 100 - tail)
    return PairedIntervals(mean, low, high, counts)


def _nan_percentiles(samples: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column, ignoring NaN; nanpercentile is several times slower, so only where NaN occurs."""
    lows = np.full(samples.shape[1], np.nan)
    highs = np.full(samples.shape[1], np.nan)
    missing = np.isnan(samples)
    whole = ~missing.any(axis=0)
    if whole.any():
        lows[whole], highs[whole] = np.percentile(samples[:, whole], [low, high], axis=0)
    partial = missing.any(axis=0) & ~missing.all(axis=0)
    if partial.any():
        lows[partial], highs[partial] = np.nanpercentile(samples[:, partial], [low, high], axis=0)
    return lows, highs
