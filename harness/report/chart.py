"""An inline SVG of metric distributions: per metric, every fixture's mean over its repeats as a
dot, with a box (quartiles, median) and the run's mean; a baseline's box is drawn in grey above.

A mean over the corpus hides whether a metric is uniformly mediocre or bimodal (most fixtures
perfect, a few at zero); the dots show which. Shares only (0–100%): counts have no common scale.
"""

from __future__ import annotations

import zlib
from collections import defaultdict

from harness.report.data import ScoreRow
from harness.report.html import COUNT_METRICS, esc

LABEL_WIDTH, PLOT_WIDTH, ROW_HEIGHT, TOP = 230, 520, 30, 26


def fixture_means(rows: list[ScoreRow]) -> dict[str, dict[str, float]]:
    """metric -> fixture -> mean over the fixture's repeats (unlabelled values left out)."""
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for fixture_id, _, metric, value in rows:
        if value is not None and metric.count(".") <= 1 and metric not in COUNT_METRICS:
            sums[metric][fixture_id].append(value)
    return {metric: {f: sum(v) / len(v) for f, v in by_fixture.items()} for metric, by_fixture in sums.items()}


def quartiles(values: list[float]) -> tuple[float, float, float, float, float]:
    """min, Q1, median, Q3, max (linear interpolation between order statistics)."""
    ordered = sorted(values)

    def at(share: float) -> float:
        position = share * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return ordered[0], at(0.25), at(0.5), at(0.75), ordered[-1]


def distribution_chart(metrics: list[str], rows: list[ScoreRow], baseline_rows: list[ScoreRow] | None,
                       always: frozenset[str] = frozenset()) -> str:
    """Rows for `metrics` in order; a metric outside `always` whose every fixture has the same value
    (in the baseline too) is named under the chart instead of drawn: a column of dots at 100% says
    nothing the table does not."""
    means = fixture_means(rows)
    before = fixture_means(baseline_rows) if baseline_rows is not None else {}
    present = [m for m in metrics if m in means]
    shown = [m for m in present
             if m in always or len(set(means[m].values())) > 1 or set(before.get(m, means[m]).values()) != set(
                 means[m].values())]
    if not shown:
        return "<p>No share metrics to chart.</p>"
    constant = [f"{m} ({next(iter(means[m].values())):.0%})" for m in present if m not in shown]
    note = (f'<p class="chart-note">Same value for every fixture, not drawn: {esc(", ".join(constant))}.</p>'
            if constant else "")
    width = LABEL_WIDTH + PLOT_WIDTH + 20
    height = TOP + ROW_HEIGHT * len(shown) + 8
    parts = [f'<svg id="distribution-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="Distribution of each metric over fixtures">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = _x(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 4}"/>'
                     f'<text class="tick" x="{x:.1f}" y="{TOP - 10}">{tick:.0%}</text>')
    for position, metric in enumerate(shown):
        centre = TOP + ROW_HEIGHT * position + ROW_HEIGHT / 2
        parts.append(f'<text class="label" x="{LABEL_WIDTH - 8}" y="{centre + 4:.1f}">{esc(metric)}</text>')
        if metric in before:
            parts.append(_box(list(before[metric].values()), centre - 9, 3, "baseline"))
        values = means[metric]
        parts.append(_box(list(values.values()), centre, 7, "run"))
        for fixture_id, value in sorted(values.items()):
            # A fixed jitter per fixture (not random): the same run always draws the same picture.
            jitter = (zlib.crc32(fixture_id.encode()) % 1000) / 1000 * 12 - 6
            parts.append(f'<circle class="dot" cx="{_x(value):.1f}" cy="{centre + jitter:.1f}" r="2">'
                         f"<title>{esc(fixture_id)}: {value:.0%}</title></circle>")
        mean = sum(values.values()) / len(values)
        parts.append(f'<path class="mean" d="M{_x(mean):.1f} {centre - 6:.1f}l4 6-4 6-4-6z">'
                     f"<title>{esc(metric)} mean over fixtures {mean:.1%}</title></path>")
    parts.append("</svg>")
    return "".join(parts) + note


def _x(value: float) -> float:
    return LABEL_WIDTH + PLOT_WIDTH * min(max(value, 0.0), 1.0)


def _box(values: list[float], centre: float, half: float, css: str) -> str:
    low, q1, median, q3, high = quartiles(values)
    return (f'<g class="box {css}"><line x1="{_x(low):.1f}" y1="{centre:.1f}" x2="{_x(high):.1f}" y2="{centre:.1f}"/>'
            f'<rect x="{_x(q1):.1f}" y="{centre - half:.1f}" width="{max(_x(q3) - _x(q1), 1):.1f}" '
            f'height="{2 * half:.1f}"/><line class="median" x1="{_x(median):.1f}" y1="{centre - half:.1f}" '
            f'x2="{_x(median):.1f}" y2="{centre + half:.1f}"/></g>')
