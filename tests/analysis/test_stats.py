"""The scoreboard's interval stays within what a metric can be."""

from __future__ import annotations

from harness.analysis.scoreboard import build_scoreboard
from harness.analysis.stats import clustered_mean


def test_the_interval_is_symmetric_when_it_fits_and_clamped_when_it_does_not():
    rare = {f"f{i}": [1.0 if i == 0 else 0.0] for i in range(20)}  # one event in 20 fixtures
    free = clustered_mean(rare)
    assert free.low < 0 < free.high  # the plain t interval leaves the possible range
    clamped = clustered_mean(rare, (0.0, 1.0))
    assert (clamped.mean, clamped.low, clamped.high) == (free.mean, 0.0, free.high)
    almost_all = {f"f{i}": [0.0 if i == 0 else 1.0] for i in range(20)}
    assert clustered_mean(almost_all, (0.0, 1.0)).high == 1.0


def test_the_scoreboard_keeps_rates_within_0_and_1_and_counts_above_0():
    rows = [(f"f{i}", 0, metric, value)
            for i in range(20)
            for metric, value in (("privacy.leaks", 2.0 if i == 0 else 0.0), ("pass", 0.0 if i == 0 else 1.0))]
    board = {row.metric: row.estimate for row in build_scoreboard(rows).metrics}
    assert board["privacy.leaks"].low == 0.0 and board["privacy.leaks"].high > 0.1
    assert board["pass"].high == 1.0 and board["pass"].low < 0.95
