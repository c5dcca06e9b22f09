"""The scoreboard section: each metric's mean with its 95% interval (from `build_scoreboard`),
pooled P/R/F1 per marker and flag type, and with a baseline the change per metric and the
fixtures whose outcome changed."""

from __future__ import annotations

from dataclasses import dataclass

from harness.analysis.scoreboard import Scoreboard
from harness.report.data import RunResults
from harness.report.html import (
    COUNT_METRICS,
    delta_class,
    esc,
    metric_interval,
    metric_value,
    signed_delta,
)


def scoreboard_table(board: Scoreboard, baseline: Scoreboard | None) -> str:
    head = "<th>metric</th><th class=num>mean</th><th>95% CI</th><th class=num>n</th>"
    if baseline is not None:
        head += "<th class=num>baseline</th><th class=num>change</th>"
    rows = []
    for row in board.metrics:
        estimate = row.estimate
        cells = (f"<td>{esc(row.metric)}</td><td class=num>{metric_value(row.metric, estimate.mean)}</td>"
                 f"<td>{_interval_cell(row.metric, estimate.low, estimate.high, estimate.mean)}</td>"
                 f"<td class=num>{estimate.values}</td>")
        if baseline is not None:
            cells += _delta_cells(row.metric, estimate.mean, baseline.metric(row.metric))
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="scoreboard" id="scoreboard"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _interval_cell(metric: str, low: float, high: float, mean: float) -> str:
    text = metric_interval(metric, low, high)
    if metric in COUNT_METRICS:
        return esc(text)
    left, right = max(low, 0.0), min(high, 1.0)
    # The interval as a bar on a 0–100% track: wide bars say "not enough fixtures to tell".
    return (f'<span class="ci-text">{esc(text)}</span><span class="ci-track" aria-hidden="true">'
            f'<span class="ci-bar" style="left:{left:.1%};width:{max(right - left, 0.004):.1%}"></span>'
            f'<span class="ci-mean" style="left:{min(max(mean, 0.0), 1.0):.1%}"></span></span>')


def _delta_cells(metric: str, mean: float, before) -> str:
    if before is None:
        return "<td class=num>–</td><td class=num>new</td>"
    delta = mean - before.mean
    return (f"<td class=num>{metric_value(metric, before.mean)}</td>"
            f'<td class="num delta {delta_class(metric, delta)}">{signed_delta(metric, delta)}</td>')


def pooled_table(board: Scoreboard) -> str:
    if not board.pooled:
        return ""
    rows = "".join(
        f"<tr><td>{esc(row.family)}.{esc(row.kind)}</td><td class=num>{metric_value('', row.precision)}</td>"
        f"<td class=num>{metric_value('', row.recall)}</td><td class=num>{metric_value('', row.f1)}</td>"
        f"<td class=num>{row.tp}/{row.fp}/{row.fn}</td></tr>"
        for row in board.pooled)
    return ('<table class="pooled"><thead><tr><th>pooled over the corpus</th><th class=num>P</th>'
            f'<th class=num>R</th><th class=num>F1</th><th class=num>tp/fp/fn</th></tr></thead><tbody>{rows}'
            "</tbody></table>")


@dataclass(frozen=True)
class PassChange:
    fixture_id: str
    before: tuple[int, int]  # (passing repeats, repeats) in the baseline
    after: tuple[int, int]
    fixture_changed: bool  # the fixture's content (gold or conversation) differs between the runs

    @property
    def kind(self) -> str:
        before, after = _rate(self.before), _rate(self.after)
        if after < before:
            return "regressed"
        return "improved" if after > before else "same"


def _rate(counts: tuple[int, int]) -> float:
    return counts[0] / counts[1] if counts[1] else 0.0


def pass_changes(run: RunResults, baseline: RunResults) -> dict[str, PassChange]:
    """Per shared fixture, the share of passing repeats before and after."""
    changes = {}
    for result in run.fixtures:
        before = baseline.fixture(result.fixture.id)
        if before is None:
            continue
        changes[result.fixture.id] = PassChange(
            result.fixture.id, (before.passes, len(before.attempts)), (result.passes, len(result.attempts)),
            before.fixture_hash != result.fixture_hash)
    return changes


def pass_change_list(changes: dict[str, PassChange], run: RunResults, baseline: RunResults) -> str:
    regressed = [c for c in changes.values() if c.kind == "regressed"]
    improved = [c for c in changes.values() if c.kind == "improved"]
    only_new = [f.fixture.id for f in run.fixtures if f.fixture.id not in changes]
    dropped = [f.fixture.id for f in baseline.fixtures if run.fixture(f.fixture.id) is None]
    parts = [f"<p>{len(changes)} shared fixtures: {len(regressed)} regressed, {len(improved)} improved, "
             f"{len(changes) - len(regressed) - len(improved)} unchanged.</p>"]
    for title, items, css in (("Regressed (fewer repeats pass)", regressed, "worse"),
                              ("Improved (more repeats pass)", improved, "better")):
        if items:
            links = "".join(
                f'<li class="{css}"><a href="#fx-{esc(c.fixture_id)}">{esc(c.fixture_id)}</a> '
                f"{c.before[0]}/{c.before[1]} → {c.after[0]}/{c.after[1]} pass"
                f"{' <em>(fixture changed since the baseline)</em>' if c.fixture_changed else ''}</li>"
                for c in sorted(items, key=lambda c: c.fixture_id))
            parts.append(f'<h3>{esc(title)}</h3><ul class="changes">{links}</ul>')
    if only_new:
        parts.append(f"<p>Not in the baseline: {esc(', '.join(only_new))}</p>")
    if dropped:
        parts.append(f"<p>Only in the baseline: {esc(', '.join(dropped))}</p>")
    return f'<div id="pass-changes">{"".join(parts)}</div>'
