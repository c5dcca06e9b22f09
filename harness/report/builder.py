"""`build_report(data) -> str`: the whole report as one self-contained HTML page. Pure.

The template, its CSS and its script ship as package data and are inlined, so the file works
offline and from any folder. The Content-Security-Policy allows no network at all and only the
one script whose hash it names: transcripts are untrusted text, and even a missed escape could
not run code or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources

from harness.analysis.scoreboard import HEADLINE, build_scoreboard
from harness.report.cards import fixture_card
from harness.report.chart import distribution_chart
from harness.report.data import ReportData, RunResults
from harness.report.html import COUNT_METRICS, esc
from harness.report.tables import pass_change_list, pass_changes, pooled_table, scoreboard_table

_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")
_STATUS_ORDER = {"fail": 0, "flaky": 1, "pass": 2}


@cache
def _asset(name: str) -> str:
    return resources.files("harness.report").joinpath("templates", name).read_text(encoding="utf-8")


def build_report(data: ReportData) -> str:
    run, baseline = data.run, data.baseline
    board = build_scoreboard(run.score_rows)
    baseline_board = build_scoreboard(baseline.score_rows) if baseline is not None else None
    changes = pass_changes(run, baseline) if baseline is not None else {}
    script = _asset("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    chart_metrics = [row.metric for row in board.metrics if row.metric not in COUNT_METRICS]
    values = {
        "csp": (f"default-src 'none'; script-src 'sha256-{script_hash}'; style-src 'unsafe-inline'; "
                "img-src data:; base-uri 'none'; form-action 'none'"),
        "title": esc(f"Handoff brief report · run {run.record.id}"),
        "style": _asset("report.css"),
        "script": script,
        "run_summary": _run_summary(run, "Run") + (_run_summary(baseline, "Baseline") if baseline else ""),
        "headline": _headline(run, board),
        "scoreboard": scoreboard_table(board, baseline_board) + pooled_table(board),
        "baseline_changes": pass_change_list(changes, run, baseline) if baseline is not None else "",
        "chart": distribution_chart(_chart_order(chart_metrics), run.score_rows,
                                    baseline.score_rows if baseline is not None else None, frozenset(HEADLINE)),
        "fixture_count": str(len(run.fixtures)),
        "cards": "".join(
            fixture_card(result, run.record.mask_transcript, changes.get(result.fixture.id), baseline is not None)
            for result in _card_order(run, changes)),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _asset("report.html"))


def _card_order(run: RunResults, changes: dict) -> list:
    """Regressions first, then failing, flaky and passing fixtures; by id within each group."""
    def key(result):
        change = changes.get(result.fixture.id)
        return (0 if change is not None and change.kind == "regressed" else 1, _STATUS_ORDER[result.status],
                result.fixture.id)

    return sorted(run.fixtures, key=key)


def _chart_order(metrics: list[str]) -> list[str]:
    head = [m for m in HEADLINE if m in metrics]
    return head + [m for m in metrics if m not in head]


def _run_summary(run: RunResults, title: str) -> str:
    record = run.record
    errors: dict[str, int] = {}
    for result in run.fixtures:
        for attempt in result.attempts:
            if attempt.error_category:
                errors[attempt.error_category] = errors.get(attempt.error_category, 0) + 1
    facts = [
        ("run", record.id + (f" ({record.label})" if record.label else "")),
        ("status", record.status),
        ("backend", record.backend + (f" · {record.model}" if record.model else "")),
        ("prompt", f"{record.prompt_id}@{record.prompt_version} ({record.prompt_hash})"),
        ("fixtures × repeats", f"{len(run.fixtures)} × {record.repeats}"),
        ("started", str(record.started_at)),
        ("revision", f"{record.git_revision or 'unknown'} · harness {record.harness_version}"),
        ("transcript", "masked" if record.mask_transcript else "verbatim"),
        ("failed generations", ", ".join(f"{k}: {n}" for k, n in sorted(errors.items())) or "none"),
    ]
    rows = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts)
    return f'<section class="run-summary"><h2>{esc(title)}</h2><dl>{rows}</dl></section>'


def _headline(run: RunResults, board) -> str:
    counts = {"pass": 0, "flaky": 0, "fail": 0}
    for result in run.fixtures:
        counts[result.status] += 1
    passed = board.metric("pass")
    rate = f"{passed.mean:.1%} of generations pass" if passed is not None else "no pass verdicts"
    return (f'<p class="headline">{esc(rate)} · <span class="status status-pass">{counts["pass"]} pass every repeat'
            f'</span> <span class="status status-flaky">{counts["flaky"]} flaky</span> '
            f'<span class="status status-fail">{counts["fail"]} fail every repeat</span> · '
            f"{board.fixtures} fixtures, {board.generations} generations</p>")
