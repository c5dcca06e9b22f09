"""Running a suite: (fixture × repeat) jobs expanded up front, one concurrency limit, one writer.

Workers take jobs from a queue (at most `concurrency` generations in flight), build and score
each brief, and hand the rows to a single writer task that saves them in batches. Nothing is
lost on Ctrl-C or a crash: finished rows are flushed before the run is marked `interrupted`,
and `resume` runs exactly the jobs that have no stored generation.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness.backends.base import Backend, ModelSettings
from harness.brief import AssemblyOptions, BriefResult, build_brief
from harness.fixtures.model import Fixture
from harness.prompts import Prompt
from harness.scoring import score_generation
from harness.scoring.base import RepeatSet, ScoreContext
from harness.scoring.consistency import CONSISTENCY_VERSION, consistency_scores
from harness.store.results import ResultsStore

WRITE_BATCH = 64
WRITE_INTERVAL_SECONDS = 0.5


@dataclass(frozen=True)
class Job:
    fixture: Fixture
    repeat: int


@dataclass
class RunProgress:
    total: int
    done: int = 0
    failed: int = 0
    cache_hits: int = 0


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 4
    mask_transcript: bool = True
    settings: ModelSettings = field(default_factory=ModelSettings)


def fixture_hash(fixture: Fixture) -> str:
    canonical = json.dumps(fixture.model_dump(mode="json", exclude_unset=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def fixture_set_hash(fixtures: Sequence[Fixture]) -> str:
    pairs = sorted((f.id, fixture_hash(f)) for f in fixtures)
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]


def new_run_id(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def expand_jobs(fixtures: Sequence[Fixture], repeats: int, done: set[tuple[str, int]] = frozenset()) -> list[Job]:
    """Every (fixture, repeat) not yet done, fixture-major so one fixture's repeats finish together."""
    return [Job(f, r) for f in fixtures for r in range(repeats) if (f.id, r) not in done]


def generation_row(run_id: str, job: Job, result: BriefResult) -> dict:
    generation = result.generation
    return {
        "run_id": run_id,
        "fixture_id": job.fixture.id,
        "repeat": job.repeat,
        "raw_output": generation.raw_output,
        # JSON columns take the objects themselves (the bulk loader serialises the row once)
        "brief": result.portal.model_dump(mode="json") if result.portal else None,
        "error_category": generation.error.category.value if generation.error else None,
        "error_message": generation.error.message if generation.error else None,
        "notes": [{"kind": n.kind, "detail": n.detail} for n in result.notes],
        "latency_seconds": generation.latency_seconds,
        "prompt_tokens": generation.usage.prompt_tokens if generation.usage else None,
        "completion_tokens": generation.usage.completion_tokens if generation.usage else None,
        "cost_usd": generation.cost_usd,
        "cache_hit": generation.cache_hit,
        "attempts": generation.attempts,
        "model": generation.model,
        "created_at": datetime.now(UTC).isoformat(),
    }


def score_rows(run_id: str, fixture: Fixture, repeat: int, context: ScoreContext) -> list[dict]:
    return [
        {"run_id": run_id, "fixture_id": fixture.id, "repeat": repeat, "scorer": s.scorer, "version": s.version,
         "metric": s.metric, "value": s.value, "reason": s.reason}
        for s in score_generation(context)
    ]


def context_for(fixture: Fixture, generation: dict, mask_transcript: bool) -> ScoreContext:
    brief = generation.get("brief")
    return ScoreContext(
        fixture=fixture,
        brief=json.loads(brief) if isinstance(brief, str) else brief,
        raw_output=generation.get("raw_output"),
        error_category=generation.get("error_category"),
        error_message=generation.get("error_message"),
        repeat=generation.get("repeat", 0),
        mask_transcript=mask_transcript,
    )


async def run_jobs(
    run_id: str,
    jobs: Sequence[Job],
    backend: Backend,
    prompt: Prompt,
    store: ResultsStore,
    options: RunOptions,
    on_progress: Callable[[RunProgress], None] = lambda progress: None,
) -> RunProgress:
    """Generate, score and store every job. Cancellation (Ctrl-C) flushes what finished first."""
    progress = RunProgress(total=len(jobs))
    pending: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        pending.put_nowait(job)
    results: asyncio.Queue[tuple[dict, list[dict]] | None] = asyncio.Queue()
    assembly = AssemblyOptions(mask_transcript=options.mask_transcript)

    async def worker() -> None:
        while True:
            try:
                job = pending.get_nowait()
            except asyncio.QueueEmpty:
                return
            result = await _generate(job, backend, prompt, options.settings, assembly)
            row = generation_row(run_id, job, result)
            scores = score_rows(run_id, job.fixture, job.repeat, context_for(job.fixture, row, options.mask_transcript))
            await results.put((row, scores))

    writer = asyncio.create_task(_write(results, store, progress, on_progress))
    workers = [asyncio.create_task(worker()) for _ in range(max(1, min(options.concurrency, len(jobs) or 1)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await results.put(None)
        # The writer must finish even when this coroutine is being cancelled: shield it.
        await asyncio.shield(writer)
    return progress


async def _generate(job: Job, backend: Backend, prompt: Prompt, settings: ModelSettings,
                    assembly: AssemblyOptions) -> BriefResult:
    from harness.backends.base import ErrorCategory, Generation, GenerationError

    started = time.perf_counter()
    try:
        return await build_brief(job.fixture.conversation, backend, prompt, settings, job.repeat, assembly)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a backend bug must cost one job, not the run
        error = GenerationError(ErrorCategory.BACKEND, f"{type(exc).__name__}: {exc}")
        return BriefResult(None, Generation(None, None, error, latency_seconds=time.perf_counter() - started))


async def _write(results: asyncio.Queue, store: ResultsStore, progress: RunProgress,
                 on_progress: Callable[[RunProgress], None]) -> None:
    generations: list[dict] = []
    scores: list[dict] = []
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal last_flush
        if generations:
            store.add_generations(generations)
            store.add_scores(scores)
            generations.clear()
            scores.clear()
        last_flush = time.monotonic()

    while True:
        item = await results.get()
        if item is None:
            flush()
            return
        row, rows = item
        generations.append(row)
        scores.extend(rows)
        progress.done += 1
        progress.failed += row["error_category"] is not None
        progress.cache_hits += bool(row["cache_hit"])
        on_progress(progress)
        if len(generations) >= WRITE_BATCH or time.monotonic() - last_flush >= WRITE_INTERVAL_SECONDS:
            flush()


def consistency_rows(run_id: str, fixtures: dict[str, Fixture], generations: list[dict],
                     passed: dict[tuple[str, int], bool]) -> list[dict]:
    """Fixture-level scores across repeats (stored with repeat = -1)."""
    by_fixture: dict[str, list[dict]] = defaultdict(list)
    for generation in generations:
        by_fixture[generation["fixture_id"]].append(generation)
    rows = []
    for fixture_id, items in sorted(by_fixture.items()):
        items.sort(key=lambda g: g["repeat"])
        briefs = [json.loads(g["brief"]) if isinstance(g["brief"], str) else g["brief"] for g in items]
        repeat_set = RepeatSet(fixtures[fixture_id], briefs, [passed.get((fixture_id, g["repeat"]), False)
                                                                for g in items])
        rows += [{"run_id": run_id, "fixture_id": fixture_id, "repeat": -1, "scorer": "consistency",
                  "version": CONSISTENCY_VERSION, "metric": s.metric, "value": s.value, "reason": s.reason}
                 for s in consistency_scores(repeat_set)]
    return rows


def rescore(run_id: str, fixtures: dict[str, Fixture], generations: list[dict], mask_transcript: bool) -> list[dict]:
    """Every score of a run recomputed from its stored generations (no model is called)."""
    rows: list[dict] = []
    passed: dict[tuple[str, int], bool] = {}
    for generation in generations:
        fixture = fixtures[generation["fixture_id"]]
        scored = score_rows(run_id, fixture, generation["repeat"], context_for(fixture, generation, mask_transcript))
        rows += scored
        passed[(fixture.id, generation["repeat"])] = any(r["metric"] == "pass" and r["value"] == 1.0 for r in scored)
    return rows + consistency_rows(run_id, fixtures, generations, passed)


def finalise_consistency(store: ResultsStore, run_id: str, fixtures: dict[str, Fixture]) -> None:
    """(Re)compute the across-repeat scores once every generation of the run is stored."""
    generations = store.generations(run_id)
    passed = {(f, r): v == 1.0 for f, r, m, v in store.scores(run_id) if m == "pass"}
    store.db.execute("DELETE FROM scores WHERE run_id = ? AND repeat = -1", [run_id])
    store.add_scores(consistency_rows(run_id, fixtures, generations, passed))
