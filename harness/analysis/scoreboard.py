"""The scoreboard of a run: each metric's mean with its 95% interval, pooled P/R/F1 per marker
and flag type, the pass rate and pass^k. Built from stored score rows only."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from harness.analysis.stats import Estimate, clustered_mean
from harness.scoring.base import LOWER_IS_BETTER

_COUNT = re.compile(r"^(markers|compliance)\.([a-z_]+)\.(tp|fp|fn)$")
HEADLINE = ("pass", "consistency.pass_all_k", "consistency.pass_at_k", "schema.valid", "sections.ok",
            "header.caller_name", "sentiment.exact", "sentiment.within_one", "markers.f1", "compliance.f1",
            "compliance.missed_critical", "information.recall", "information.grounding", "privacy.clean")


@dataclass(frozen=True)
class MetricRow:
    metric: str
    estimate: Estimate


@dataclass(frozen=True)
class PooledRow:
    family: str  # markers | compliance
    kind: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None


@dataclass(frozen=True)
class Scoreboard:
    metrics: list[MetricRow]
    pooled: list[PooledRow]
    generations: int
    fixtures: int

    def metric(self, name: str) -> Estimate | None:
        return next((row.estimate for row in self.metrics if row.metric == name), None)


def build_scoreboard(rows: Iterable[tuple[str, int, str, float | None]]) -> Scoreboard:
    """rows: (fixture_id, repeat, metric, value) as stored."""
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    pooled: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    generations, fixtures = set(), set()
    for fixture_id, repeat, metric, value in rows:
        fixtures.add(fixture_id)
        if repeat >= 0:
            generations.add((fixture_id, repeat))
        count = _COUNT.match(metric)
        if count:
            pooled[(count[1], count[2])][count[3]] += int(value or 0)
            continue
        if value is not None:
            values[metric][fixture_id].append(value)
    metric_rows = [MetricRow(metric, estimate) for metric in _ordered(values)
                   if (estimate := clustered_mean(values[metric], _bounds(metric))) is not None]
    pooled_rows = [PooledRow(family, kind, **counts) for (family, kind), counts in sorted(pooled.items())]
    return Scoreboard(metric_rows, pooled_rows, len(generations), len(fixtures))


def _bounds(metric: str) -> tuple[float, float]:
    """Counts and errors (the lower-is-better metrics) are non-negative; every other metric is a rate."""
    return (0.0, math.inf) if metric in LOWER_IS_BETTER else (0.0, 1.0)


def _ordered(values: dict) -> list[str]:
    head = [m for m in HEADLINE if m in values]
    return head + sorted(m for m in values if m not in head)
