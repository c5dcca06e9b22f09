"""What a report shows, read from the results store: the run, its fixtures exactly as scored,
every repeat's brief or error with its scores and reasons, and optionally a baseline run.

Loading is the only effectful part of the report; `build_report` takes a `ReportData` and is pure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from harness.fixtures.model import Fixture
from harness.store.results import ResultsStore, RunRecord

ScoreRow = tuple[str, int, str, float | None]  # (fixture_id, repeat, metric, value), as build_scoreboard reads them


@dataclass(frozen=True)
class Attempt:
    """One repeat of one fixture: the assembled brief (or the error instead) and its scores."""

    repeat: int
    brief: dict | None
    error_category: str | None = None
    error_message: str | None = None
    scores: dict[str, tuple[float | None, str]] = field(default_factory=dict)  # metric -> (value, reason)

    @property
    def passed(self) -> bool | None:
        value = self.scores.get("pass", (None, ""))[0]
        return None if value is None else value == 1.0

    @property
    def pass_reason(self) -> str:
        return self.scores.get("pass", (None, ""))[1]


@dataclass(frozen=True)
class FixtureResult:
    fixture: Fixture
    fixture_hash: str
    attempts: list[Attempt]
    fixture_scores: dict[str, tuple[float | None, str]] = field(default_factory=dict)  # repeat -1: consistency

    @property
    def passes(self) -> int:
        return sum(1 for attempt in self.attempts if attempt.passed)

    @property
    def status(self) -> str:
        """pass (every repeat passes), fail (none does) or flaky (some do)."""
        if self.attempts and self.passes == len(self.attempts):
            return "pass"
        return "flaky" if self.passes else "fail"


@dataclass(frozen=True)
class RunResults:
    record: RunRecord
    fixtures: list[FixtureResult]
    score_rows: list[ScoreRow]

    def fixture(self, fixture_id: str) -> FixtureResult | None:
        return next((f for f in self.fixtures if f.fixture.id == fixture_id), None)


@dataclass(frozen=True)
class ReportData:
    run: RunResults
    baseline: RunResults | None = None


def load_report_data(store: ResultsStore, run_id: str, baseline_id: str | None = None) -> ReportData:
    """The run (with briefs) and the baseline (scores only: the report shows its deltas, not its briefs).
    Raises StoreError for an unknown run id."""
    run = load_run(store, run_id, with_briefs=True)
    baseline = load_run(store, baseline_id, with_briefs=False) if baseline_id else None
    return ReportData(run, baseline)


def load_run(store: ResultsStore, run_id: str, with_briefs: bool = True) -> RunResults:
    record = store.run(run_id)
    brief_column = "brief" if with_briefs else "NULL"
    generations = store.db.execute(
        f"SELECT fixture_id, repeat, {brief_column}, error_category, error_message FROM generations "
        "WHERE run_id = ? ORDER BY fixture_id, repeat", [record.id]).fetchall()
    scores = store.db.execute("SELECT fixture_id, repeat, metric, value, reason FROM scores WHERE run_id = ?",
                              [record.id]).fetchall()
    by_attempt: dict[tuple[str, int], dict[str, tuple[float | None, str]]] = defaultdict(dict)
    for fixture_id, repeat, metric, value, reason in scores:
        by_attempt[(fixture_id, repeat)][metric] = (value, reason or "")
    attempts: dict[str, list[Attempt]] = defaultdict(list)
    for fixture_id, repeat, brief, error_category, error_message in generations:
        attempts[fixture_id].append(Attempt(
            repeat=repeat, brief=json.loads(brief) if isinstance(brief, str) else brief,
            error_category=error_category, error_message=error_message,
            scores=by_attempt.get((fixture_id, repeat), {})))
    fixtures = [
        FixtureResult(Fixture.model_validate(data), digest, attempts.get(fixture_id, []),
                      by_attempt.get((fixture_id, -1), {}))
        for fixture_id, digest, data in store.run_fixtures(record.id)
    ]
    rows = [(fixture_id, repeat, metric, value) for fixture_id, repeat, metric, value, _ in scores]
    return RunResults(record, fixtures, rows)
