"""The regression gate: a stored run against thresholds from a checked-in TOML file.

    [absolute]            # the run's mean (as `harness show` prints it) must lie within bounds
    "schema.valid" = { min = 1.0 }
    "compliance.missed_critical" = { max = 0 }

    [regression]          # with a baseline run: the largest allowed worsening of the paired difference
    "pass" = { max_regression = 0.05 }

    [fixtures]            # with a baseline run: how many fixtures may see their pass rate fall
    max_regressed = 0

A regression threshold is judged on the 95% bootstrap interval of the paired difference, not on
its point estimate: it fails only when the whole interval lies beyond the allowed worsening (the
data show, with 95% confidence, a larger drop than allowed), so sampling noise between two runs of
a model does not fail a build. "Worsening" follows the metric's direction (a rise of
`compliance.missed_critical` is a regression). Pure: parsed config and stored aggregates in.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass

import numpy as np

from harness.analysis.compare import EPSILON, LOWER_IS_BETTER, TOO_FEW, Comparison
from harness.analysis.compare_text import format_difference, format_interval, format_value
from harness.store.aggregates import RunSummary

PASS, FAIL, SKIP = "pass", "fail", "skip"
_SECTIONS = {"absolute": ("min", "max"), "regression": ("max_regression",), "fixtures": ("max_regressed",)}


class GateConfigError(Exception):
    """The thresholds file cannot be used: one line naming the file, the entry and what was expected."""


@dataclass(frozen=True)
class Bound:
    metric: str
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class RegressionLimit:
    metric: str
    max_regression: float


@dataclass(frozen=True)
class GateConfig:
    source: str
    absolute: tuple[Bound, ...] = ()
    regression: tuple[RegressionLimit, ...] = ()
    max_regressed_fixtures: int | None = None

    @property
    def needs_baseline(self) -> bool:
        return bool(self.regression) or self.max_regressed_fixtures is not None


@dataclass(frozen=True)
class Check:
    kind: str  # absolute | regression | fixtures | run
    name: str  # "schema.valid ≥ 1"
    status: str  # pass | fail | skip
    detail: str  # the measured value, and why it failed or was skipped


@dataclass(frozen=True)
class FixtureOutcome:
    fixture_id: str
    passes: int
    repeats: int
    reason: str

    @property
    def passed(self) -> bool:
        return self.repeats > 0 and self.passes == self.repeats


@dataclass(frozen=True)
class GateResult:
    run_id: str
    baseline_id: str | None
    source: str
    checks: tuple[Check, ...]
    fixtures: tuple[FixtureOutcome, ...]
    comparison: Comparison | None

    @property
    def passed(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if check.status == FAIL]


# -- the thresholds file ------------------------------------------------------------------------
def parse_config(text: str, source: str) -> GateConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GateConfigError(f"{source}: not valid TOML: {exc}") from None
    for section in data:
        if section not in _SECTIONS:
            raise GateConfigError(f"{source}: unknown section [{section}] (expected {_listed(_SECTIONS, '[', ']')})")
        if not isinstance(data[section], dict):
            raise GateConfigError(f"{source}: {section} must be a table ([{section}])")
    absolute = tuple(_bound(source, metric, entry) for metric, entry in data.get("absolute", {}).items())
    regression = tuple(_limit(source, metric, entry) for metric, entry in data.get("regression", {}).items())
    fixtures = data.get("fixtures", {})
    for key in fixtures:
        if key != "max_regressed":
            raise GateConfigError(f"{source}: [fixtures] unknown key {key!r} (expected max_regressed)")
    max_regressed = fixtures.get("max_regressed")
    if max_regressed is not None and (not isinstance(max_regressed, int) or isinstance(max_regressed, bool)
                                      or max_regressed < 0):
        raise GateConfigError(f"{source}: [fixtures] max_regressed must be a whole number ≥ 0, "
                              f"got {max_regressed!r}")
    if not absolute and not regression and max_regressed is None:
        raise GateConfigError(f"{source}: defines no threshold (add [absolute] or [regression] entries)")
    return GateConfig(source, absolute, regression, max_regressed)


def _bound(source: str, metric: str, entry) -> Bound:
    where = f"{source}: [absolute] {metric!r}"
    entry = _entry(where, entry, _SECTIONS["absolute"])
    if not entry:
        raise GateConfigError(f"{where}: give min, max or both, e.g. {{ min = 1.0 }}")
    low, high = entry.get("min"), entry.get("max")
    if low is not None and high is not None and low > high:
        raise GateConfigError(f"{where}: min {low} is above max {high}")
    return Bound(metric, low, high)


def _limit(source: str, metric: str, entry) -> RegressionLimit:
    where = f"{source}: [regression] {metric!r}"
    entry = _entry(where, entry, _SECTIONS["regression"])
    if "max_regression" not in entry or entry["max_regression"] < 0:
        raise GateConfigError(f"{where}: expected {{ max_regression = <number ≥ 0> }}")
    return RegressionLimit(metric, entry["max_regression"])


def _entry(where: str, entry, keys: tuple[str, ...]) -> dict[str, float]:
    if not isinstance(entry, dict):
        raise GateConfigError(f"{where}: expected a table such as {{ {keys[0]} = 1.0 }}, got {entry!r}")
    for key, value in entry.items():
        if key not in keys:
            raise GateConfigError(f"{where}: unknown key {key!r} (expected {_listed(keys)})")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise GateConfigError(f"{where}: {key} must be a number, got {value!r}")
    return {key: float(value) for key, value in entry.items()}


def check_metric_names(config: GateConfig, run_id: str, known: set[str], baseline_known: set[str] | None) -> None:
    """Every metric the file names must be one the run scored (a typo must not pass silently)."""
    named = [("absolute", b.metric, known) for b in config.absolute]
    named += [("regression", r.metric, known & (baseline_known if baseline_known is not None else known))
              for r in config.regression]
    for section, metric, names in named:
        if metric not in names:
            close = difflib.get_close_matches(metric, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (see `harness show RUN --detail`)"
            raise GateConfigError(f"{config.source}: [{section}] {metric!r}: unknown metric, not scored in run "
                                  f"{run_id}{' or its baseline' if section == 'regression' else ''}{hint}")


def _listed(keys, before: str = "", after: str = "") -> str:
    return ", ".join(f"{before}{key}{after}" for key in keys)


# -- evaluation ---------------------------------------------------------------------------------
def evaluate_gate(config: GateConfig, run: RunSummary, generations: tuple[int, int],
                  comparison: Comparison | None = None) -> GateResult:
    """generations: (stored, expected) for the run; comparison: the run against its baseline."""
    stored, expected = generations
    checks = [Check("run", "every generation stored", PASS if stored >= expected else FAIL,
                    f"{stored} of {expected} generations" + ("" if stored >= expected else
                                                             " (an interrupted run: resume it first)"))]
    means = run_means(run)
    checks += [_absolute_check(bound, means.get(bound.metric)) for bound in config.absolute]
    if comparison is not None:
        checks += [_regression_check(limit, comparison) for limit in config.regression]
        if config.max_regressed_fixtures is not None:
            checks.append(_fixtures_check(config.max_regressed_fixtures, comparison))
    return GateResult(run.run_id, comparison.base_run if comparison else None, config.source, tuple(checks),
                      fixture_outcomes(run), comparison)


def run_means(run: RunSummary) -> dict[str, tuple[float, int]]:
    """Each metric's mean over all its values (the scoreboard's mean) and the number of values."""
    rows = run.means
    if len(rows.metric) == 0:
        return {}
    names, index = np.unique(rows.metric.astype(str), return_inverse=True)
    totals = np.bincount(index, weights=rows.mean * rows.count)
    counts = np.bincount(index, weights=rows.count)
    return {str(name): (float(total / count), int(count)) for name, total, count in zip(names, totals, counts,
                                                                                         strict=True)}


def fixture_outcomes(run: RunSummary) -> tuple[FixtureOutcome, ...]:
    """Every fixture of the run with its passing repeats; one without a stored verdict fails."""
    rows = run.means
    is_pass = rows.metric == "pass"
    verdicts = {str(f): (round(m * n), int(n)) for f, m, n in zip(rows.fixture_id[is_pass], rows.mean[is_pass],
                                                                  rows.count[is_pass], strict=True)}
    outcomes = []
    for fixture_id in sorted(run.fixture_hashes):
        passes, repeats = verdicts.get(fixture_id, (0, 0))
        reason = run.failure_reasons.get(fixture_id, "") if repeats else "no generation stored"
        outcomes.append(FixtureOutcome(fixture_id, passes, repeats, reason))
    return tuple(outcomes)


def _absolute_check(bound: Bound, measured: tuple[float, int] | None) -> Check:
    parts = ([f"≥ {bound.min:g}"] if bound.min is not None else []) + (
        [f"≤ {bound.max:g}"] if bound.max is not None else [])
    name = f"{bound.metric} {' and '.join(parts)}"
    if measured is None:
        return Check("absolute", name, SKIP, "not measured: no fixture of the run labels it")
    value, count = measured
    too_low = bound.min is not None and value < bound.min - EPSILON
    too_high = bound.max is not None and value > bound.max + EPSILON
    detail = f"{format_value(bound.metric, value)} over {count} values"
    if too_low or too_high:
        limit = format_value(bound.metric, bound.min if too_low else bound.max)
        return Check("absolute", name, FAIL, f"{detail}: {'below the minimum' if too_low else 'above the maximum'} "
                                             f"{limit}")
    return Check("absolute", name, PASS, detail)


def _regression_check(limit: RegressionLimit, comparison: Comparison) -> Check:
    metric = limit.metric
    allowed = format_difference(metric, limit.max_regression).lstrip("+")
    name = f"{metric} {'rises' if metric in LOWER_IS_BETTER else 'falls'} by at most {allowed} vs baseline"
    row = comparison.metric(metric)
    if row is None or row.verdict == TOO_FEW or row.low is None or row.high is None:
        return Check("regression", name, SKIP, "not measured: fewer than 2 fixtures have it in both runs")
    # In "higher is better" terms, so that one rule serves both directions.
    best = -row.low if metric in LOWER_IS_BETTER else row.high
    detail = (f"difference {format_difference(metric, row.difference)}, 95% CI "
              f"{format_interval(metric, row.low, row.high)} over {row.fixtures} fixtures")
    if best < -limit.max_regression - EPSILON:
        return Check("regression", name, FAIL, f"{detail}: the whole interval is worse than the allowed {allowed}")
    return Check("regression", name, PASS, detail)


def _fixtures_check(allowed: int, comparison: Comparison) -> Check:
    regressed = comparison.regressed
    name = f"at most {allowed} fixture(s) regress vs baseline"
    listed = ", ".join(change.fixture_id for change in regressed[:5]) + (" …" if len(regressed) > 5 else "")
    detail = f"{len(regressed)} regressed" + (f": {listed}" if regressed else "")
    return Check("fixtures", name, FAIL if len(regressed) > allowed else PASS, detail)
