"""A comparison as text for a terminal, and as plain data for --json. Pure."""

from __future__ import annotations

from harness.analysis.compare import LOWER_IS_BETTER, Comparison, FixtureChange, MetricChange


def format_value(metric: str, value: float | None) -> str:
    """Rates as percentages; counts and errors (the lower-is-better metrics) as plain numbers."""
    if value is None:
        return "-"
    return f"{value:.3f}" if metric in LOWER_IS_BETTER else f"{value:.1%}"


def format_difference(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+.3f}" if metric in LOWER_IS_BETTER else f"{value * 100:+.1f} pp"


def format_interval(metric: str, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "-"
    if metric in LOWER_IS_BETTER:
        return f"[{low:+.3f}, {high:+.3f}]"
    return f"[{low * 100:+.1f}, {high * 100:+.1f}]"


def comparison_text(comparison: Comparison, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"base {comparison.base_run} vs candidate {comparison.candidate_run}: {comparison.fixtures} shared "
                 f"fixtures; paired differences (candidate - base), bootstrap 95% CI over fixtures "
                 f"({comparison.resamples} resamples, seed {comparison.seed})")
    for side, ids in (("base", comparison.only_in_base), ("candidate", comparison.only_in_candidate)):
        if ids:
            lines.append(f"left out: {len(ids)} fixture(s) only in the {side} run")
    lines += ["", f"{'metric':<34} {'base':>8} {'cand.':>8} {'diff':>10}  {'95% CI':<18} {'n':>5}  verdict"]
    for row in comparison.metrics:
        lines.append(_metric_line(row))
    lines += ["", *_fixture_lines("regressed", comparison.regressed)]
    lines += ["", *_fixture_lines("improved", comparison.improved)]
    return "\n".join(lines)


def _metric_line(row: MetricChange) -> str:
    m = row.metric
    return (f"{m:<34} {format_value(m, row.base):>8} {format_value(m, row.candidate):>8} "
            f"{format_difference(m, row.difference):>10}  {format_interval(m, row.low, row.high):<18} "
            f"{row.fixtures:>5}  {row.verdict}")


def _fixture_lines(kind: str, changes: tuple[FixtureChange, ...]) -> list[str]:
    meaning = "pass rate fell" if kind == "regressed" else "pass rate rose"
    lines = [f"{kind} fixtures ({meaning}): {len(changes)}"]
    for change in changes:
        moved = ", ".join(f"{m.metric} {format_value(m.metric, m.base)} → {format_value(m.metric, m.candidate)}"
                          for m in change.moved)
        lines.append(f"  {change.fixture_id}: passes {change.base_passes}/{change.base_repeats} → "
                     f"{change.candidate_passes}/{change.candidate_repeats}"
                     + (f"; moved: {moved}" if moved else "")
                     + (f"; {'now' if kind == 'regressed' else 'was'}: {change.reason}" if change.reason else ""))
    return lines


def comparison_data(comparison: Comparison) -> dict:
    return {
        "base": comparison.base_run,
        "candidate": comparison.candidate_run,
        "fixtures": comparison.fixtures,
        "only_in_base": list(comparison.only_in_base),
        "only_in_candidate": list(comparison.only_in_candidate),
        "bootstrap": {"resamples": comparison.resamples, "seed": comparison.seed, "level": 0.95},
        "metrics": {row.metric: {"base": row.base, "candidate": row.candidate, "difference": row.difference,
                                 "ci95": None if row.low is None else [row.low, row.high], "fixtures": row.fixtures,
                                 "lower_is_better": row.lower_is_better, "verdict": row.verdict}
                    for row in comparison.metrics},
        "regressed": [_change_data(c) for c in comparison.regressed],
        "improved": [_change_data(c) for c in comparison.improved],
    }


def _change_data(change: FixtureChange) -> dict:
    return {"fixture": change.fixture_id,
            "base_passes": change.base_passes, "base_repeats": change.base_repeats,
            "candidate_passes": change.candidate_passes, "candidate_repeats": change.candidate_repeats,
            "moved": [{"metric": m.metric, "base": m.base, "candidate": m.candidate} for m in change.moved],
            "reason": change.reason}
