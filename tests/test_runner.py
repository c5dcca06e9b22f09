"""`run_jobs` in-process: large runs assemble and score in a process pool, off the requests' path,
and store exactly what a small run doing it in the event loop stores, failures and repairs
included; the job cache replays them, and answers the response cache holds are scored without a
model call; a cancelled run still stores and caches every brief it generated; the writer saves
batches from a thread of its own, one at a time and in order; work that can wait waits for a lull
between replies."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pytest

import harness.runner as runner
from harness.backends import create_backend
from harness.backends.base import ErrorCategory, Generation, GenerationError
from harness.backends.cache import CachedBackend, ResponseCache
from harness.brief import DraftMarker
from harness.contract import MarkerType
from harness.fixtures.load import load_corpus
from harness.prompts import find_prompt
from harness.runner import Job, RunOptions, run_jobs
from harness.store.results import ResultsStore

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = load_corpus([ROOT / "fixtures" / "conversations"]).fixtures[:8]
PROMPT = find_prompt("handoff-brief", ROOT / "prompts")
# 8 fixtures x 5 repeats: above POOL_THRESHOLD, and more than one scoring batch
JOBS = [Job(fixture, repeat) for fixture in FIXTURES for repeat in range(5)]
# The run and what describes the call rather than the answer differ between any two runs.
CALL_COLUMNS = ("run_id", "created_at", "latency_seconds", "cache_hit", "cost_usd")


@pytest.fixture
def pools(monkeypatch) -> list:
    """The scoring pools the runner makes (a one-core machine would get none)."""
    made = []
    original = runner.scoring_pool
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)

    def recording(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(runner, "scoring_pool", recording)
    return made


def run(store: ResultsStore, run_id: str, backend, jobs=JOBS, concurrency: int = 8) -> runner.RunProgress:
    return asyncio.run(run_jobs(run_id, jobs, backend, PROMPT, store, RunOptions(concurrency=concurrency)))


def stored(store: ResultsStore, run_id: str) -> tuple[list[dict], list[tuple]]:
    generations = [{k: v for k, v in row.items() if k not in CALL_COLUMNS} for row in store.generations(run_id)]
    scores = store.db.execute("SELECT fixture_id, repeat, scorer, version, metric, value, reason FROM scores "
                              "WHERE run_id = ? ORDER BY ALL", [run_id]).fetchall()
    return generations, scores


def test_pool_scoring_stores_what_event_loop_scoring_stores(tmp_path, pools, monkeypatch):
    store = ResultsStore(tmp_path / "r.duckdb")
    progress = run(store, "pooled", create_backend("rules"))
    assert [pool is not None for pool in pools] == [True]
    monkeypatch.setattr(runner, "POOL_THRESHOLD", len(JOBS) + 1)
    run(store, "inline", create_backend("rules"))
    assert pools[1] is None

    (generations, scores), (inline_generations, inline_scores) = stored(store, "pooled"), stored(store, "inline")
    assert (progress.done, progress.failed, progress.cache_hits) == (40, 0, 0)
    assert len(generations) == 40 and len(scores) > 40 * 10
    assert {(g["fixture_id"], g["repeat"]) for g in generations} == {(j.fixture.id, j.repeat) for j in JOBS}
    assert (generations, scores) == (inline_generations, inline_scores)


class TroubledBackend:
    """The rules backend, with each of the first four fixtures' answers spoiled in one way: the
    backend raises, the model's answer is not JSON, a marker needs repairing (an assembly note),
    and a draft that assembly itself chokes on."""

    name = "troubled"

    def __init__(self) -> None:
        self.inner = create_backend("rules")

    async def generate(self, request):
        generation = await self.inner.generate(request)
        place = next(i for i, f in enumerate(FIXTURES) if f.conversation is request.conversation)
        if place == 0:
            raise RuntimeError(f"backend bug on repeat {request.repeat}")
        if place == 1:
            error = GenerationError(ErrorCategory.INVALID_JSON, "the output is not JSON")
            return Generation(None, "{not json", error, attempts=2, model="m")
        if place == 2:
            stray = DraftMarker(message=999, type=MarkerType.KEY_INFO, description="nowhere")
            draft = generation.draft.model_copy(update={"markers": [stray, *generation.draft.markers]})
            return Generation(draft, generation.raw_output, model="m")
        if place == 3:  # unvalidated, as a buggy backend could build it
            return Generation(generation.draft.model_copy(update={"transfer_reason": None}), "{}", model="m")
        return generation

    async def aclose(self) -> None:
        pass


def test_failures_and_repairs_are_stored_alike_when_assembled_in_the_pool(tmp_path, pools, monkeypatch):
    store = ResultsStore(tmp_path / "r.duckdb")
    progress = run(store, "pooled", TroubledBackend())
    monkeypatch.setattr(runner, "POOL_THRESHOLD", len(JOBS) + 1)
    run(store, "inline", TroubledBackend())
    assert pools[0] is not None and pools[1] is None

    assert stored(store, "pooled") == stored(store, "inline")
    assert (progress.done, progress.failed) == (40, 15)
    rows = {(g["fixture_id"], g["repeat"]): g for g in store.generations("pooled")}
    first, second, third, fourth = (rows[(f.id, 4)] for f in FIXTURES[:4])
    assert (first["error_category"], first["error_message"], first["raw_output"]) == (
        "backend", "RuntimeError: backend bug on repeat 4", None)
    assert (second["error_category"], second["raw_output"], second["attempts"], second["brief"]) == (
        "invalid_json", "{not json", 2, None)
    assert third["error_category"] is None and json.loads(third["brief"])["transcript"]
    last = len(FIXTURES[2].conversation.messages) - 1
    assert [n for n in json.loads(third["notes"]) if n["kind"] == "marker_out_of_range"] == [
        {"kind": "marker_out_of_range",
         "detail": f"markers[0] (key_info) points at message 999; the conversation has 0..{last}; dropped"}]
    assert (fourth["error_category"], fourth["error_message"], fourth["brief"], fourth["raw_output"]) == (
        "backend", "AttributeError: 'NoneType' object has no attribute 'lower'", None, None)


def test_pool_scored_jobs_are_replayed_from_the_job_cache(tmp_path, pools):
    store = ResultsStore(tmp_path / "r.duckdb")
    backend = CachedBackend(create_backend("rules"), ResponseCache(tmp_path / "cache.sqlite"))
    first = run(store, "first", backend)
    second = run(store, "second", backend)

    assert pools[0] is not None and pools[1] is None  # nothing to score: no processes started
    assert (first.cache_hits, second.cache_hits, second.done) == (0, 40, 40)
    assert stored(store, "second") == stored(store, "first")
    assert {row["cache_hit"] for row in store.generations("second")} == {True}


def test_a_run_partly_in_the_job_cache_stores_what_a_fresh_run_stores(tmp_path, pools):
    store = ResultsStore(tmp_path / "r.duckdb")
    backend = CachedBackend(create_backend("rules"), ResponseCache(tmp_path / "cache.sqlite"))
    cached = JOBS[::3]
    run(store, "some", backend, jobs=cached)
    mixed = run(store, "mixed", backend)
    run(store, "fresh", create_backend("rules"))

    assert (mixed.done, mixed.cache_hits, mixed.failed) == (40, len(cached), 0)
    assert stored(store, "mixed") == stored(store, "fresh")
    assert {(g["fixture_id"], g["repeat"]) for g in store.generations("mixed") if g["cache_hit"]} == {
        (j.fixture.id, j.repeat) for j in cached}


class CountingRules:
    """The rules backend, counting its calls."""

    name = "counting"

    def __init__(self) -> None:
        self.inner = create_backend("rules")
        self.calls = 0

    async def generate(self, request):
        self.calls += 1
        return await self.inner.generate(request)

    async def aclose(self) -> None:
        pass


def test_answers_the_response_cache_holds_are_scored_without_calling_the_model(tmp_path, pools):
    # Another transcript setting is another job-cache entry, but the same model request.
    store = ResultsStore(tmp_path / "r.duckdb")
    model = CountingRules()
    backend = CachedBackend(model, ResponseCache(tmp_path / "cache.sqlite"))
    run(store, "masked", backend)
    unmasked = asyncio.run(run_jobs("unmasked", JOBS, backend, PROMPT, store,
                                    RunOptions(concurrency=8, mask_transcript=False)))
    asyncio.run(run_jobs("fresh", JOBS, create_backend("rules"), PROMPT, store,
                         RunOptions(concurrency=8, mask_transcript=False)))

    assert model.calls == 40 and unmasked.cache_hits == 40
    assert stored(store, "unmasked") == stored(store, "fresh") != stored(store, "masked")


class StallingBackend:
    """The rules backend for `answers` calls, then never answering (a model server gone quiet)."""

    name = "stalling"

    def __init__(self, answers: int) -> None:
        self.inner = create_backend("rules")
        self.left = answers
        self.generated = 0

    async def generate(self, request):
        if self.left == 0:
            await asyncio.Event().wait()
        self.left -= 1
        generation = await self.inner.generate(request)
        self.generated += 1
        return generation

    async def aclose(self) -> None:
        pass


def test_a_cancelled_run_scores_and_stores_every_brief_it_generated(tmp_path, pools, monkeypatch):
    # No batch is sent on a timer, so only the cancelled run's own drain can send the 11 briefs.
    monkeypatch.setattr(runner, "SCORE_WAIT_SECONDS", 600)
    store = ResultsStore(tmp_path / "r.duckdb")
    backend = StallingBackend(answers=11)

    async def interrupted() -> None:
        task = asyncio.create_task(run_jobs("cut", JOBS, backend, PROMPT, store, RunOptions(concurrency=4)))
        while backend.generated < 11:
            await asyncio.sleep(0.005)
        task.cancel()  # what Ctrl-C does to `asyncio.run`'s task
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    generations, scores = stored(store, "cut")
    assert pools[0] is not None
    assert len(generations) == 11
    assert {(fixture_id, repeat) for fixture_id, repeat, *_ in scores} == {
        (g["fixture_id"], g["repeat"]) for g in generations}


def test_the_writer_saves_batches_off_the_event_loop_one_at_a_time_in_order(tmp_path, monkeypatch):
    # 16 jobs scored in the event loop reach the writer in the order they finished; in batches of 4
    # that take 0.2 s each to save, the event loop must keep turning meanwhile.
    monkeypatch.setattr(runner, "WRITE_BATCH", 4)
    monkeypatch.setattr(runner, "WRITE_INTERVAL_SECONDS", 600)
    store = ResultsStore(tmp_path / "r.duckdb")
    batches, saving = [], []
    original = ResultsStore.add_lines

    def slow_add_lines(self, run_id, generations, scores):
        saving.append(threading.current_thread())
        assert len(saving) == 1 and self.db is not store.db  # alone, and on a connection of its own
        time.sleep(0.2)
        batches.append([json.loads(line)["created_at"] for line in generations])
        saving.pop()
        original(self, run_id, generations, scores)

    monkeypatch.setattr(ResultsStore, "add_lines", slow_add_lines)
    writers, gaps_while_saving = set(), []

    async def watched() -> None:
        async def tick() -> None:
            while True:
                began, was_saving = time.monotonic(), bool(saving)
                await asyncio.sleep(0.01)
                if was_saving and saving:
                    gaps_while_saving.append(time.monotonic() - began)
                writers.update(t for t in threading.enumerate() if t.name.startswith("harness-writer"))

        ticker = asyncio.create_task(tick())
        await run_jobs("slow", JOBS[:16], create_backend("rules"), PROMPT, store, RunOptions(concurrency=4))
        ticker.cancel()

    asyncio.run(watched())
    assert [len(batch) for batch in batches] == [4, 4, 4, 4]
    created = [stamp for batch in batches for stamp in batch]
    assert created == sorted(created)
    assert len(store.generations("slow")) == 16
    # a blocked event loop would show gaps of 0.2 s; a turning one, a few per save
    assert len(gaps_while_saving) >= 8 and max(gaps_while_saving) < 0.1
    assert len(writers) == 1
    assert not any(t.name.startswith("harness-writer") for t in threading.enumerate())  # no thread outlives the run


def test_a_cancelled_run_caches_what_it_stored_from_the_writers_thread(tmp_path, pools, monkeypatch):
    monkeypatch.setattr(runner, "SCORE_WAIT_SECONDS", 600)
    monkeypatch.setattr(runner, "SCORE_GATHER_SECONDS", 600)
    savers = []
    original = ResponseCache.put_many

    def recording(self, responses=(), jobs=()):
        savers.append(threading.current_thread().name)
        original(self, responses, jobs)

    monkeypatch.setattr(ResponseCache, "put_many", recording)
    store, cache = ResultsStore(tmp_path / "r.duckdb"), ResponseCache(tmp_path / "cache.sqlite")
    backend = CachedBackend(StallingBackend(answers=11), cache)

    async def interrupted() -> None:
        task = asyncio.create_task(run_jobs("cut", JOBS, backend, PROMPT, store, RunOptions(concurrency=4)))
        while backend.inner.generated < 11:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert len(store.generations("cut")) == 11
    assert [cache._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("responses", "job_results")] == [11, 11]
    assert savers and all(name.startswith("harness-writer") for name in savers)


def test_work_that_can_wait_waits_for_a_lull_between_replies_or_for_its_deadline(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    replies = runner._Replies()
    assert replies.wait_for_lull(deadline=101.0) == 0  # no reply yet
    replies.arrived()
    now[0] += 0.001
    assert replies.wait_for_lull(deadline=101.0) == pytest.approx(runner.LULL_SECONDS - 0.001)
    assert replies.wait_for_lull(deadline=100.0005) == 0  # the deadline has passed
    now[0] += runner.LULL_SECONDS
    assert replies.wait_for_lull(deadline=101.0) == 0
