"""Running a suite: (fixture × repeat) jobs expanded up front, one concurrency limit, one writer.

Jobs whose whole result the job cache holds are replayed first, straight to the writer, and jobs
whose model answer the response cache holds are scored without a model call. Workers take the
other jobs from a queue (at most `concurrency` generations in flight); assembling each brief from
its draft and scoring it happen beside them (in batches in a process pool for large runs), and the
rows, with what the caches keep, go to a single writer task that saves them in batches from a
thread of its own. The event loop's time goes to the requests first: work that can wait is done
in the lulls between trains of replies (`_Replies`). Nothing is lost on Ctrl-C or a crash:
finished rows are flushed before the run is marked `interrupted`, and `resume` runs exactly the
jobs that have no stored generation.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import multiprocessing
import os
import signal
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from harness.backends.base import (
    Backend,
    ErrorCategory,
    Generation,
    GenerationError,
    GenerationRequest,
    ModelSettings,
)
from harness.backends.cache import CachedBackend, IdentityMemo, generation_json, is_model_answer
from harness.brief import AssemblyOptions, BriefResult, brief_from
from harness.fixtures.model import Fixture
from harness.prompts import Prompt
from harness.scoring import score_generation, scorer_versions
from harness.scoring.base import RepeatSet, ScoreContext
from harness.scoring.consistency import CONSISTENCY_VERSION, consistency_scores
from harness.store.results import ResultsStore

# A flush is one bulk read in DuckDB with a fixed cost of a few milliseconds: batches are large,
# and the interval (twice it while replies never pause) bounds what a crash can lose.
WRITE_BATCH = 256
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


def _fixture_digest(fixture: Fixture) -> str:
    canonical = json.dumps(fixture.model_dump(mode="json", exclude_unset=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# A run hashes each fixture several times (its fixture set, its stored fixtures, every job's cache
# key) and a process may run the same fixtures again; fixtures are frozen, so once is enough.
fixture_hash = IdentityMemo(_fixture_digest)


def fixture_set_hash(fixtures: Sequence[Fixture]) -> str:
    pairs = sorted((f.id, fixture_hash(f)) for f in fixtures)
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]


def new_run_id(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def expand_jobs(fixtures: Sequence[Fixture], repeats: int, done: set[tuple[str, int]] = frozenset()) -> list[Job]:
    """Every (fixture, repeat) not yet done, fixture-major so one fixture's repeats finish together."""
    return [Job(f, r) for f in fixtures for r in range(repeats) if (f.id, r) not in done]


def generation_row(job: Job, result: BriefResult, created_at: str | None = None) -> dict:
    """A generations row without its run id (the writer supplies it); `created_at` defaults to now."""
    generation = result.generation
    return {
        "fixture_id": job.fixture.id,
        "repeat": job.repeat,
        "raw_output": generation.raw_output,
        # JSON columns take the objects themselves (the row is serialised once, as a JSON line)
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
        "created_at": created_at or datetime.now(UTC).isoformat(),
    }


def score_rows(fixture: Fixture, repeat: int, context: ScoreContext) -> list[dict]:
    """scores rows without their run id."""
    return [
        {"fixture_id": fixture.id, "repeat": repeat, "scorer": s.scorer, "version": s.version,
         "metric": s.metric, "value": s.value, "reason": s.reason}
        for s in score_generation(context)
    ]


def score_json(fixture: Fixture, row: dict, mask_transcript: bool) -> tuple[bytes, bool]:
    """Score one generation row: its score rows as the inside of a JSON array (objects joined by
    commas, one C-level dump instead of one per row) in UTF-8, the form the store and the job
    cache take, and whether it passed. Module level so a process pool can run it."""
    rows = score_rows(fixture, row["repeat"], context_for(fixture, row, mask_transcript))
    passed = any(r["metric"] == "pass" and r["value"] == 1.0 for r in rows)
    return json.dumps(rows, ensure_ascii=False)[1:-1].encode(), passed


def finish_json(fixture: Fixture, row: dict, mask_transcript: bool) -> tuple[bytes, bytes]:
    """A generations row without its call fields as UTF-8 JSON, and its score rows (as
    `score_json` gives them): all the serialising a finished job needs, done where it is scored."""
    return json.dumps(row, ensure_ascii=False).encode(), score_json(fixture, row, mask_transcript)[0]


def assemble(fixture: Fixture, generation: Generation, options: AssemblyOptions) -> BriefResult:
    """`brief_from` (the second half of `build_brief`), where the brief is scored. An exception in
    assembly (a bug) costs its job, not the run, and is recorded as a backend failure, like an
    exception in the backend."""
    try:
        return brief_from(fixture.conversation, generation, options)
    except Exception as exc:
        return BriefResult(None, _failed_generation(exc, generation.latency_seconds))


def finish_generation(fixture: Fixture, repeat: int, generation: Generation, options: AssemblyOptions,
                      created_at: str, cached: bool = False) -> _Scored:
    """Everything a generated job needs before the writer and the caches: its brief assembled,
    its row and scores serialised (`finish_json`), and, for a run with caches (`cached`), what
    they keep. The same code runs in the event loop for small runs and in a scoring process for
    large ones."""
    result = assemble(fixture, generation, options)
    row = generation_row(Job(fixture, repeat), result, created_at)
    call = {name: row.pop(name) for name in _CALL_FIELDS}
    answer_json, scores_json = finish_json(fixture, row, options.mask_transcript)
    final = result.generation  # not `generation` if assembly failed
    fresh_answer = cached and is_model_answer(generation) and not generation.cache_hit
    return _Scored(_Finished(answer_json, call, scores_json, final.error is not None),
                   cached and is_model_answer(final), generation_json(generation) if fresh_answer else None)


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


# The fields of a generations row that describe this run's call rather than the answer: a
# replayed answer gets its own values appended to the stored JSON, no parsing needed.
_CALL_FIELDS = ("cache_hit", "latency_seconds", "cost_usd")
_REPLAYED = {"cache_hit": True, "latency_seconds": 0.0, "cost_usd": 0.0}
_REPLAYED_JSON = (", " + json.dumps(_REPLAYED)[1:]).encode()  # the same for every replay: made once
JOB_FORMAT = 2


@dataclass(frozen=True)
class _Finished:
    answer_json: bytes  # the generations row without its call fields, UTF-8 JSON
    call: dict  # cache_hit, latency_seconds, cost_usd
    scores_json: bytes  # score rows, comma-joined UTF-8 JSON objects
    failed: bool

    @property
    def generation_json(self) -> bytes:
        call = _REPLAYED_JSON if self.call is _REPLAYED else (", " + json.dumps(self.call)[1:]).encode()
        return self.answer_json[:-1] + call

    @property
    def cache_hit(self) -> bool:
        return bool(self.call["cache_hit"])


@dataclass(frozen=True)
class _Scored:
    """A generated job, finished: its result, and what the caches keep of it."""

    finished: _Finished
    job_cacheable: bool  # the job cache may keep `finished`
    response_json: str | None  # a new model answer, as the response cache keeps it (`generation_json`)


# Assembly and scoring cost a few milliseconds a brief: beyond this many jobs they go to other
# processes, so the event loop keeps requests flowing and a second core does the rest.
POOL_THRESHOLD = 32
# A trip to a scoring process costs the event loop thread hand-offs and pipe writes whatever it
# carries, so briefs go in batches: gathered for SCORE_GATHER_SECONDS, then sent in the next lull
# between replies (`_Replies`), or at SCORE_WAIT_SECONDS when replies never pause.
SCORE_BATCH = 64
SCORE_GATHER_SECONDS = 0.02
SCORE_WAIT_SECONDS = 0.1
# Replies come in trains (requests sent together come back together), and each reply's next
# request waits for whatever the event loop does before it: work that can wait (sending briefs
# to be scored, writing rows) waits until no reply has come for this long.
LULL_SECONDS = 0.005


def scoring_pool(jobs: int, workers: int | None = None,
                 fixtures: Sequence[Fixture] = ()) -> ProcessPoolExecutor | None:
    """Processes for scoring: by default one core is left to the event loop and the writer.
    `fixtures` reach the processes as they fork (no pickling), so work can name one by index."""
    cores = os.cpu_count() or 1
    if jobs < POOL_THRESHOLD or cores < 2:
        return None
    count = workers if workers is not None else max(1, cores - 1)
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_scoring_process, initargs=(tuple(fixtures),))


# The fixtures of the run a scoring process serves; set in that process only, by its initializer.
_POOL_FIXTURES: tuple[Fixture, ...] = ()


def _start_scoring_process(fixtures: tuple[Fixture, ...]) -> None:
    global _POOL_FIXTURES
    _POOL_FIXTURES = fixtures
    # Ctrl-C in a terminal signals the whole process group; only the parent decides what an
    # interrupt means (flush, mark the run interrupted). A scorer process dying mid-job could
    # leave the parent waiting on a result that never comes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _finish_batch(items: list[tuple[int, int, Generation, str]], options: AssemblyOptions,
                  cached: bool) -> list[_Scored]:
    """In a scoring process: `finish_generation` of each (fixture index, repeat, generation,
    created_at). A generation carries its draft, smaller to send than the brief it assembles into
    (no transcript)."""
    return [finish_generation(_POOL_FIXTURES[index], repeat, generation, options, created_at, cached)
            for index, repeat, generation, created_at in items]


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
    results: asyncio.Queue[_Finished | None] = asyncio.Queue()
    assembly = AssemblyOptions(mask_transcript=options.mask_transcript)
    job_cache = _JobCache.for_backend(backend, options.mask_transcript)
    # With caches, the runner does the response cache's reads and writes itself, in batches, and
    # calls the model behind it directly.
    model = backend if job_cache is None else job_cache.backend.inner
    pending: asyncio.Queue[tuple[Job, _Keys | None]] = asyncio.Queue()
    replies = _Replies()
    scoring: _Scoring | None = None

    async def worker() -> None:
        while True:
            try:
                job, keys = pending.get_nowait()
            except asyncio.QueueEmpty:
                return
            generation = await _generate(job, model, prompt, options.settings)
            replies.arrived()
            # The next request goes out now: briefs are assembled and scored beside the requests,
            # here too once no request is left to send.
            scoring.add(job, keys, generation, loop_is_free=pending.empty())

    writer = asyncio.create_task(_write(run_id, results, store, progress, on_progress, replies, job_cache))
    workers: list[asyncio.Task] = []
    try:
        if job_cache is None:
            misses = [(job, None) for job in jobs]
        else:
            misses = await _replay(jobs, job_cache.keys(jobs, prompt, options.settings), job_cache, results)
        # Only misses are scored: a run that is all replays starts no scoring processes.
        scoring = _Scoring([job for job, _ in misses], assembly, job_cache, results, replies)
        if job_cache is not None:
            misses = await _replay_responses(misses, job_cache.backend, scoring)
        for miss in misses:
            pending.put_nowait(miss)
        workers = [asyncio.create_task(worker()) for _ in range(min(max(1, options.concurrency), len(misses)))]
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        try:
            # Briefs generated before a Ctrl-C are scored and stored too; shielded like the writer.
            if scoring is not None:
                await asyncio.shield(scoring.drain())
        finally:
            await results.put(None)
            # The writer must finish even when this coroutine is being cancelled: shield it.
            await asyncio.shield(writer)
            if scoring is not None:
                scoring.close()
    return progress


async def _replay(jobs: Sequence[Job], keys: list[_Keys], job_cache: _JobCache,
                  results: asyncio.Queue) -> list[tuple[Job, _Keys]]:
    """Hand the writer every job the job cache holds, reading it one query per WRITE_BATCH jobs
    (a query per job cost more than its entry); return the other jobs with their keys."""
    misses = []
    for start in range(0, len(jobs), WRITE_BATCH):
        chunk = keys[start:start + WRITE_BATCH]
        found = job_cache.get_many([key.job for key in chunk])
        for job, key in zip(jobs[start:start + WRITE_BATCH], chunk, strict=True):
            if key.job in found:
                results.put_nowait(found[key.job])
            else:
                misses.append((job, key))
        await asyncio.sleep(0)  # the writer takes this chunk before the next is read
    return misses


async def _replay_responses(misses: list[tuple[Job, _Keys]], backend: CachedBackend,
                            scoring: _Scoring) -> list[tuple[Job, _Keys]]:
    """Score every job whose model answer the response cache holds (a scorer changed, say),
    reading it one query per WRITE_BATCH jobs; return the jobs that need the model."""
    to_generate = []
    for start in range(0, len(misses), WRITE_BATCH):
        chunk = misses[start:start + WRITE_BATCH]
        found = backend.replays([keys.response for _, keys in chunk])
        for job, keys in chunk:
            if keys.response in found:
                scoring.add(job, keys, found[keys.response])
            else:
                to_generate.append((job, keys))
        await asyncio.sleep(0)
    return to_generate


class _Scoring:
    """Assembles and scores generated briefs and hands them to the writer and the job cache.
    Small runs do it in the event loop; large ones send batches to a process pool and do not
    wait for them."""

    def __init__(self, jobs: Sequence[Job], assembly: AssemblyOptions, job_cache: _JobCache | None,
                 results: asyncio.Queue, replies: _Replies) -> None:
        self.assembly, self.job_cache, self.results, self.replies = assembly, job_cache, results, replies
        self.cached = job_cache is not None
        self._index: dict[int, int] = {}  # id(fixture) -> its place in the pool's fixtures
        fixtures: list[Fixture] = []
        for job in jobs:
            if id(job.fixture) not in self._index:
                self._index[id(job.fixture)] = len(fixtures)
                fixtures.append(job.fixture)
        self.pool = scoring_pool(len(jobs), fixtures=fixtures)
        if self.pool is not None:
            # The processes start with the first task: forking holds the event loop for several
            # milliseconds, better spent now than among the first replies.
            self.pool.submit(int)
        self._keys: list[_Keys | None] = []
        self._batch: list[tuple[int, int, Generation, str]] = []
        self._batch_started = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._trips: set[asyncio.Future] = set()

    def add(self, job: Job, keys: _Keys | None, generation: Generation, loop_is_free: bool = False) -> None:
        """`loop_is_free`: no request waits to be sent, so the event loop may score too. The last
        replies of a run then go to the pool only while it is idle and are scored here otherwise,
        instead of all waiting behind one process at the end."""
        # stamped now, when the generation finished, wherever it is assembled
        created_at = datetime.now(UTC).isoformat()
        if self.pool is None or (loop_is_free and self._trips):
            self._finish([keys], [finish_generation(job.fixture, job.repeat, generation, self.assembly, created_at,
                                                    self.cached)])
            return
        self._keys.append(keys)
        self._batch.append((self._index[id(job.fixture)], job.repeat, generation, created_at))
        if loop_is_free or len(self._batch) >= SCORE_BATCH:
            self._send()
        elif self._timer is None:
            self._batch_started = time.monotonic()
            self._timer = asyncio.get_running_loop().call_later(SCORE_GATHER_SECONDS, self._send_in_lull)

    async def drain(self) -> None:
        """Returns once every brief added so far is scored and handed on."""
        self._send()
        while self._trips:
            await asyncio.gather(*self._trips)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def _send_in_lull(self) -> None:
        self._timer = None
        wait = self.replies.wait_for_lull(self._batch_started + SCORE_WAIT_SECONDS)
        if wait > 0:
            self._timer = asyncio.get_running_loop().call_later(wait, self._send_in_lull)
        else:
            self._send()

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._batch:
            return
        (keys, self._keys), (batch, self._batch) = (self._keys, []), (self._batch, [])
        finished = asyncio.get_running_loop().run_in_executor(self.pool, _finish_batch, batch, self.assembly,
                                                              self.cached)
        trip = asyncio.ensure_future(self._receive(keys, finished))
        self._trips.add(trip)
        trip.add_done_callback(self._trips.discard)

    async def _receive(self, keys: list[_Keys | None], finished: asyncio.Future) -> None:
        self._finish(keys, await finished)

    def _finish(self, keys: list[_Keys | None], scored: list[_Scored]) -> None:
        responses, jobs = [], []
        for job_keys, done in zip(keys, scored, strict=True):
            if done.response_json is not None:
                responses.append((job_keys.response, done.response_json))
            if done.job_cacheable:
                jobs.append((job_keys.job, done.finished))
            self.results.put_nowait(done.finished)
        if responses or jobs:
            self.job_cache.hold(responses, jobs)


class _Replies:
    """When the last reply came, for work that waits for a lull between trains of replies."""

    def __init__(self) -> None:
        self.last = -math.inf

    def arrived(self) -> None:
        self.last = time.monotonic()

    def wait_for_lull(self, deadline: float) -> float:
        """Seconds until a lull (LULL_SECONDS without a reply) or `deadline`, whichever is first;
        0 when it is now."""
        now = time.monotonic()
        return max(0.0, min(self.last + LULL_SECONDS, deadline) - now)

    async def lull(self, deadline: float) -> None:
        while (wait := self.wait_for_lull(deadline)) > 0:
            await asyncio.sleep(wait)


class _Keys(NamedTuple):
    response: str  # the response cache's key for the job's model request
    job: str  # the job cache's key for its whole result


class _JobCache:
    """Whole job results keyed by everything that decides them: the model request (backend,
    identity, settings, prompt, conversation, repeat), the fixture's gold, the scorer versions
    and the transcript setting. Only for backends that cache responses (model backends)."""

    def __init__(self, backend: CachedBackend, mask_transcript: bool) -> None:
        self.backend, self.cache = backend, backend.cache
        self._held = _Held([], [])
        # JOB_FORMAT changes whenever the stored text changes shape, so old entries are misses
        self.context = json.dumps([JOB_FORMAT, scorer_versions(), mask_transcript], sort_keys=True)

    @classmethod
    def for_backend(cls, backend: Backend, mask_transcript: bool) -> _JobCache | None:
        if not isinstance(backend, CachedBackend):
            return None
        return cls(backend, mask_transcript)

    def keys(self, jobs: Sequence[Job], prompt: Prompt, settings: ModelSettings) -> list[_Keys]:
        return [self.key(job, prompt, settings) for job in jobs]

    def key(self, job: Job, prompt: Prompt, settings: ModelSettings) -> _Keys:
        # Both digests are remembered per object, by the backend and by fixture_hash: every
        # repeat of a fixture, and every run of it in this process, serialises it once.
        response = self.backend.key(GenerationRequest(job.fixture.conversation, prompt, settings, job.repeat))
        parts = [response, fixture_hash(job.fixture), self.context]
        return _Keys(response, hashlib.sha256(json.dumps(parts).encode()).hexdigest())

    def get_many(self, keys: Sequence[str]) -> dict[str, _Finished]:
        """The stored results of those `keys` the cache holds."""
        found = {}
        for key, stored in self.cache.get_jobs(keys).items():
            failed, answer_json, scores_json = stored.split(b"\n", 2)
            found[key] = _Finished(answer_json, _REPLAYED, scores_json, failed == b"1")
        return found

    def hold(self, responses: list[tuple[str, str]], jobs: list[tuple[str, _Finished]]) -> None:
        """New model answers (response key, `generation_json`) and job results, held for the
        writer, which saves them with its next flush from its own thread: a commit can take
        milliseconds (a WAL checkpoint, tens), too long to hold the event loop for."""
        self._held.responses.extend(responses)
        # json.dumps escapes newlines inside strings, so newlines separate the parts
        self._held.jobs.extend((key, b"%d\n%b\n%b" % (f.failed, f.answer_json, f.scores_json)) for key, f in jobs)

    def take_held(self) -> _Held:
        held, self._held = self._held, _Held([], [])
        return held

    def save(self, held: _Held) -> None:
        self.cache.put_many(held.responses, held.jobs)


class _Held(NamedTuple):
    """Cache entries waiting for the writer's thread (`_JobCache.hold`)."""

    responses: list[tuple[str, str]]
    jobs: list[tuple[str, bytes]]

    def __bool__(self) -> bool:
        return bool(self.responses or self.jobs)


async def _generate(job: Job, backend: Backend, prompt: Prompt, settings: ModelSettings) -> Generation:
    """`build_brief`'s first half: the model call (the brief is assembled where it is scored)."""
    started = time.perf_counter()
    try:
        return await backend.generate(GenerationRequest(job.fixture.conversation, prompt, settings, job.repeat))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a backend bug must cost one job, not the run
        return _failed_generation(exc, time.perf_counter() - started)


def _failed_generation(exc: Exception, latency_seconds: float) -> Generation:
    error = GenerationError(ErrorCategory.BACKEND, f"{type(exc).__name__}: {exc}")
    return Generation(None, None, error, latency_seconds=latency_seconds)


async def _write(run_id: str, results: asyncio.Queue, store: ResultsStore, progress: RunProgress,
                 on_progress: Callable[[RunProgress], None], replies: _Replies, job_cache: _JobCache | None) -> None:
    # A flush runs in a thread of the writer's own: DuckDB releases the interpreter lock while it
    # reads a batch in, so the event loop keeps serving requests meanwhile. That thread alone uses
    # its connection, and each flush is awaited before the next, so batches land one at a time
    # and in order. The thread closes the connection last, after any flush a cancel cut short
    # (the event loop waits for that one: a run must not end while its rows are being written).
    connection = store.writer()
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-writer")
    loop = asyncio.get_running_loop()
    generations: list[bytes] = []
    scores: list[bytes] = []
    last_flush = time.monotonic()

    def save(batch: list[bytes], batch_scores: list[bytes], held: _Held | None) -> None:
        if batch:
            connection.add_lines(run_id, batch, batch_scores)
        if held:
            job_cache.save(held)

    async def flush() -> None:
        nonlocal generations, scores, last_flush
        held = job_cache.take_held() if job_cache else None
        if generations or held:
            (batch, generations), (batch_scores, scores) = (generations, []), (scores, [])
            await loop.run_in_executor(thread, save, batch, batch_scores, held)
        last_flush = time.monotonic()

    try:
        while True:
            item = await results.get()
            if item is None:
                await flush()
                return
            generations.append(item.generation_json)
            scores.append(item.scores_json)
            progress.done += 1
            progress.failed += item.failed
            progress.cache_hits += item.cache_hit
            on_progress(progress)
            if len(generations) >= WRITE_BATCH or time.monotonic() - last_flush >= WRITE_INTERVAL_SECONDS:
                # A flush takes a core for milliseconds: it starts between trains of replies, or
                # once a second has passed without one.
                await replies.lull(last_flush + 2 * WRITE_INTERVAL_SECONDS)
                await flush()
    finally:
        thread.submit(connection.close)
        thread.shutdown(wait=True)


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


def _score_chunk(chunk: list[tuple[Fixture, dict]], mask_transcript: bool) -> list[tuple[bytes, bool]]:
    return [score_json(fixture, generation, mask_transcript) for fixture, generation in chunk]


# The work of a re-score, set before the pool forks: children read it from their copy-on-write
# memory and receive only index ranges, instead of every brief pickled through a pipe.
_RESCORE_WORK: list[tuple[Fixture, dict]] = []


def _score_range(start: int, end: int, mask_transcript: bool) -> list[tuple[bytes, bool]]:
    return _score_chunk(_RESCORE_WORK[start:end], mask_transcript)


@dataclass(frozen=True)
class Rescored:
    scores_json: list[bytes]  # per generation, comma-joined UTF-8 score objects without run id
    consistency: list[dict]

    @property
    def rows(self) -> int:
        return sum(part.count(b'"metric"') for part in self.scores_json) + len(self.consistency)


def rescore(run_id: str, fixtures: dict[str, Fixture], generations: list[dict], mask_transcript: bool) -> Rescored:
    """Every score of a run recomputed from its stored generations (no model is called).
    Large runs are scored on every core: scorers are pure functions of their inputs."""
    global _RESCORE_WORK
    work = [(fixtures[g["fixture_id"]], g) for g in generations]
    _RESCORE_WORK = work
    try:
        pool = scoring_pool(len(work), workers=os.cpu_count() or 1)  # nothing else runs meanwhile
        if pool is None:
            scored = _score_chunk(work, mask_transcript)
        else:
            with pool:
                size = max(1, len(work) // (4 * (os.cpu_count() or 1)))
                starts = list(range(0, len(work), size))
                ends = [min(start + size, len(work)) for start in starts]
                parts = pool.map(_score_range, starts, ends, [mask_transcript] * len(starts))
                scored = [item for part in parts for item in part]
    finally:
        _RESCORE_WORK = []
    passed = {(fixture.id, generation["repeat"]): ok for (fixture, generation), (_, ok) in zip(work, scored,
                                                                                               strict=True)}
    return Rescored([body for body, _ in scored], consistency_rows(run_id, fixtures, generations, passed))


def finalise_consistency(store: ResultsStore, run_id: str, fixtures: dict[str, Fixture]) -> None:
    """(Re)compute the across-repeat scores once every generation of the run is stored."""
    generations = store.generations(run_id)
    passed = {(f, r): v == 1.0 for f, r, m, v in store.scores(run_id) if m == "pass"}
    store.db.execute("DELETE FROM scores WHERE run_id = ? AND repeat = -1", [run_id])
    store.add_scores(consistency_rows(run_id, fixtures, generations, passed))
