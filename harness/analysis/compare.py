"""Paired comparison of two stored runs: per metric, both means and the candidate-minus-base
difference over the fixtures both runs scored, with a bootstrap 95% interval; then the fixtures
whose pass rate fell (regressed) or rose (improved), each with the metrics that moved most.

Pairing by fixture removes the between-fixture spread (hard calls stay hard in both runs), so a
paired interval is much narrower than two independent ones. It is only valid when both runs saw
the same fixture content, which the stored fixture hashes prove; otherwise the comparison is
refused. Pure: stored aggregates in (harness.store.aggregates), a `Comparison` out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.analysis.bootstrap import RESAMPLES, SEED, paired_bootstrap
from harness.analysis.scoreboard import HEADLINE
from harness.scoring.base import LOWER_IS_BETTER
from harness.store.aggregates import FixtureMeanRows, RunSummary

BETTER, WORSE, NO_CHANGE, TOO_FEW = "better", "worse", "no significant change", "too few fixtures"
# The pass verdict itself is what "regressed" means; listing it as "what moved" would say nothing.
_VERDICTS = frozenset({"pass", "consistency.pass_all_k", "consistency.pass_at_k"})
_MOVED_SHOWN = 3
# Differences this small are float noise from averaging, not change.
EPSILON = 1e-9


class CompareError(Exception):
    """The two runs cannot be paired (no shared fixtures, or different content under one id)."""


@dataclass(frozen=True)
class MetricChange:
    metric: str
    base: float | None  # mean over the paired fixtures (each fixture weighs the same)
    candidate: float | None
    difference: float | None  # candidate - base
    low: float | None  # 95% bootstrap interval of the difference
    high: float | None
    fixtures: int  # fixtures with a value in both runs
    verdict: str

    @property
    def lower_is_better(self) -> bool:
        return self.metric in LOWER_IS_BETTER


@dataclass(frozen=True)
class Moved:
    metric: str
    base: float
    candidate: float


@dataclass(frozen=True)
class FixtureChange:
    fixture_id: str
    base_passes: int
    base_repeats: int
    candidate_passes: int
    candidate_repeats: int
    moved: tuple[Moved, ...]  # the metrics that moved most in the same direction, worst (or best) first
    reason: str  # the failing side's pass-rule reason: the candidate's for a regression, the base's otherwise


@dataclass(frozen=True)
class Comparison:
    base_run: str
    candidate_run: str
    fixtures: int  # shared fixtures
    only_in_base: tuple[str, ...]
    only_in_candidate: tuple[str, ...]
    metrics: tuple[MetricChange, ...]
    regressed: tuple[FixtureChange, ...]
    improved: tuple[FixtureChange, ...]
    resamples: int
    seed: int

    def metric(self, name: str) -> MetricChange | None:
        return next((row for row in self.metrics if row.metric == name), None)


def shared_fixtures(base: RunSummary, candidate: RunSummary) -> list[str]:
    """The fixture ids both runs used with identical content; refuses anything else."""
    shared = sorted(set(base.fixture_hashes) & set(candidate.fixture_hashes))
    if not shared:
        sizes = f"{len(base.fixture_hashes)} and {len(candidate.fixture_hashes)} fixtures"
        raise CompareError(f"runs {base.run_id} and {candidate.run_id} share no fixtures ({sizes}): nothing to pair")
    changed = [f for f in shared if base.fixture_hashes[f] != candidate.fixture_hashes[f]]
    if changed:
        listed = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        raise CompareError(f"runs {base.run_id} and {candidate.run_id} used different content for {len(changed)} "
                           f"fixture id(s) ({listed}): a paired comparison needs identical fixtures")
    return shared


def compare_runs(base: RunSummary, candidate: RunSummary, resamples: int = RESAMPLES, seed: int = SEED) -> Comparison:
    fixtures = shared_fixtures(base, candidate)
    metrics = ordered_metrics(set(base.means.metric) | set(candidate.means.metric))
    base_means, base_counts = _matrix(base.means, fixtures, metrics)
    cand_means, cand_counts = _matrix(candidate.means, fixtures, metrics)
    differences = cand_means - base_means  # NaN wherever either run lacks the value
    if np.isnan(differences).all():
        raise CompareError(f"runs {base.run_id} and {candidate.run_id} have no scores on a shared fixture")
    intervals = paired_bootstrap(differences, resamples=resamples, seed=seed)
    paired = ~np.isnan(differences)
    with np.errstate(invalid="ignore", divide="ignore"):
        base_mean = np.where(paired, base_means, 0).sum(axis=0) / paired.sum(axis=0)
        cand_mean = np.where(paired, cand_means, 0).sum(axis=0) / paired.sum(axis=0)
    rows = tuple(
        _metric_change(name, base_mean[i], cand_mean[i], intervals.mean[i], intervals.low[i], intervals.high[i],
                       int(intervals.fixtures[i]))
        for i, name in enumerate(metrics)
    )
    regressed, improved = _fixture_changes(fixtures, metrics, base_means, base_counts, cand_means, cand_counts,
                                           base.failure_reasons, candidate.failure_reasons)
    only_base = tuple(sorted(set(base.fixture_hashes) - set(candidate.fixture_hashes)))
    only_cand = tuple(sorted(set(candidate.fixture_hashes) - set(base.fixture_hashes)))
    return Comparison(base.run_id, candidate.run_id, len(fixtures), only_base, only_cand, rows, regressed, improved,
                      resamples, seed)


def ordered_metrics(names: set[str]) -> list[str]:
    """The scoreboard's headline metrics first, in its order, then the rest by name."""
    head = [m for m in HEADLINE if m in names]
    return head + sorted(names - set(head))


def judge(metric: str, low: float, high: float) -> str:
    """better / worse when the whole interval lies on one side of zero, given the metric's direction."""
    if low > EPSILON:
        return WORSE if metric in LOWER_IS_BETTER else BETTER
    if high < -EPSILON:
        return BETTER if metric in LOWER_IS_BETTER else WORSE
    return NO_CHANGE


def _metric_change(name, base, candidate, difference, low, high, fixtures) -> MetricChange:
    if fixtures == 0:
        return MetricChange(name, None, None, None, None, None, 0, TOO_FEW)
    # One fixture cannot be resampled into an interval: its difference is not evidence of a trend.
    verdict = judge(name, float(low), float(high)) if fixtures >= 2 else TOO_FEW
    return MetricChange(name, float(base), float(candidate), float(difference), float(low), float(high), fixtures,
                        verdict)


def _matrix(rows: FixtureMeanRows, fixtures: list[str], metrics: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """fixtures × metrics matrices of means (NaN when absent) and value counts (0 when absent)."""
    row_of = {fixture: i for i, fixture in enumerate(fixtures)}
    column_of = {metric: j for j, metric in enumerate(metrics)}
    r = np.fromiter((row_of.get(f, -1) for f in rows.fixture_id), dtype=np.int64, count=len(rows.fixture_id))
    c = np.fromiter((column_of[m] for m in rows.metric), dtype=np.int64, count=len(rows.metric))
    keep = r >= 0
    means = np.full((len(fixtures), len(metrics)), np.nan)
    counts = np.zeros((len(fixtures), len(metrics)), dtype=np.int64)
    means[r[keep], c[keep]] = rows.mean[keep]
    counts[r[keep], c[keep]] = rows.count[keep]
    return means, counts


def _fixture_changes(fixtures, metrics, base_means, base_counts, cand_means, cand_counts, base_reasons,
                     cand_reasons) -> tuple[tuple[FixtureChange, ...], tuple[FixtureChange, ...]]:
    """Fixtures whose pass rate (share of repeats passing the pass rule) fell or rose."""
    if "pass" not in metrics:
        return (), ()
    p = metrics.index("pass")
    before, after = base_means[:, p], cand_means[:, p]
    scored = ~np.isnan(before) & ~np.isnan(after)
    # Direction-adjusted differences: positive is better for every metric.
    signs = np.array([-1.0 if m in LOWER_IS_BETTER else 1.0 for m in metrics])
    adjusted = np.nan_to_num((cand_means - base_means) * signs, nan=0.0)
    movable = np.array([m not in _VERDICTS for m in metrics])
    regressed, improved = [], []
    for i in np.flatnonzero(scored & (np.abs(after - before) > EPSILON)):
        worse = after[i] < before[i]
        gains = adjusted[i] if not worse else -adjusted[i]  # how far each metric moved the same way
        order = [j for j in np.argsort(-gains, kind="stable")
                 if movable[j] and gains[j] > EPSILON][:_MOVED_SHOWN]
        change = FixtureChange(
            fixtures[i],
            round(before[i] * base_counts[i, p]), int(base_counts[i, p]),
            round(after[i] * cand_counts[i, p]), int(cand_counts[i, p]),
            tuple(Moved(metrics[j], float(base_means[i, j]), float(cand_means[i, j])) for j in order),
            (cand_reasons if worse else base_reasons).get(fixtures[i], ""),
        )
        (regressed if worse else improved).append((before[i] - after[i] if worse else after[i] - before[i], change))
    return _biggest_first(regressed), _biggest_first(improved)


def _biggest_first(items: list[tuple[float, FixtureChange]]) -> tuple[FixtureChange, ...]:
    return tuple(change for _, change in sorted(items, key=lambda item: (-item[0], item[1].fixture_id)))
