"""Stored runs for report tests and the report benchmark: fixtures and briefs in, a run in the
results store out, scored by the real scorers (as the runner scores them)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.backends.rules import draft_for
from harness.brief import AssemblyOptions, assemble_portal
from harness.fixtures.load import load_corpus
from harness.fixtures.model import Fixture
from harness.runner import context_for, finalise_consistency, fixture_hash, score_rows
from harness.store.results import ResultsStore, RunRecord

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "conversations"

BriefMaker = Callable[[Fixture, int], dict | None]  # (fixture, repeat) -> brief, None for a failed generation


def corpus() -> list[Fixture]:
    loaded = load_corpus([CORPUS])
    assert loaded.ok, loaded.problems
    return loaded.fixtures


def rules_brief(fixture: Fixture, repeat: int = 0) -> dict:
    return assemble_portal(fixture.conversation, draft_for(fixture.conversation), AssemblyOptions()).portal.model_dump(
        mode="json")


def store_run(store: ResultsStore, run_id: str, fixtures: list[Fixture], repeats: int = 1,
              make_brief: BriefMaker = rules_brief, minutes: int = 0, label: str | None = None) -> str:
    """Store a completed run of `fixtures` × `repeats` with the briefs `make_brief` returns, scored."""
    record = RunRecord(
        id=run_id, label=label, backend="rules", model=None, prompt_id="handoff-brief", prompt_version="1.0.0",
        prompt_hash="0123456789ab", settings={}, repeats=repeats, fixture_set_hash="test", git_revision="abc1234",
        harness_version="0.1.0", scorer_versions={}, mask_transcript=True,
        started_at=datetime(2026, 10, 2, 14, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        finished_at=None, status="completed")
    store.create_run(record, [(f.id, fixture_hash(f), f.model_dump(mode="json", exclude_unset=True))
                              for f in fixtures])
    generations, scores = [], []
    for fixture in fixtures:
        for repeat in range(repeats):
            brief = make_brief(fixture, repeat)
            row = {"run_id": run_id, "fixture_id": fixture.id, "repeat": repeat,
                   "raw_output": None if brief is None else json.dumps(brief),
                   "brief": copy.deepcopy(brief), "error_category": None if brief else "timeout",
                   "error_message": None if brief else "no answer in 60 s", "notes": [], "latency_seconds": 0.01,
                   "prompt_tokens": None, "completion_tokens": None, "cost_usd": None, "cache_hit": False,
                   "attempts": 1, "model": None, "created_at": record.started_at.isoformat()}
            generations.append(row)
            scores += [{"run_id": run_id, **score} for score in score_rows(fixture, repeat,
                                                                             context_for(fixture, row, True))]
    store.add_generations(generations)
    store.add_scores(scores)
    finalise_consistency(store, run_id, {f.id: f for f in fixtures})
    return run_id
