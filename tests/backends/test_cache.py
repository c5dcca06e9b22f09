"""The response cache: unchanged re-runs are free, repeats are separate, transient errors retry."""

import asyncio

from harness.backends.base import (
    ErrorCategory,
    Generation,
    GenerationError,
    GenerationRequest,
    ModelSettings,
    Usage,
)
from harness.backends.cache import JOB_LOOKUP, CachedBackend, ResponseCache, cache_key, generation_json
from harness.brief import Draft
from harness.conversations import ConversationRecord
from harness.prompts import parse_prompt
from tests.factories import conversation_dict
from tests.test_brief_assembly import draft_dict
from tests.test_prompts import MINIMAL


class CountingBackend:
    name = "counting"
    model = "m1"
    base_url = "http://127.0.0.1:1/v1"

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    async def generate(self, request):
        self.calls += 1
        return self.outcomes.pop(0)

    async def aclose(self):
        pass


def request(repeat=0, **settings) -> GenerationRequest:
    return GenerationRequest(
        ConversationRecord.model_validate(conversation_dict()), parse_prompt(MINIMAL), ModelSettings(**settings), repeat
    )


GOOD = Generation(draft=Draft.model_validate(draft_dict()), raw_output="{}", latency_seconds=1.5, cost_usd=0.01)
TIMEOUT = Generation(draft=None, raw_output=None, error=GenerationError(ErrorCategory.TIMEOUT, "slow"))
BAD_JSON = Generation(draft=None, raw_output="{oops", error=GenerationError(ErrorCategory.INVALID_JSON, "bad"))


def run(backend, req):
    return asyncio.run(backend.generate(req))


def test_a_rerun_is_served_from_the_cache_with_no_cost(tmp_path):
    inner = CountingBackend([GOOD])
    cached = CachedBackend(inner, ResponseCache(tmp_path / "c.sqlite"))
    first, second = run(cached, request()), run(cached, request())
    assert inner.calls == 1
    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert second.draft == GOOD.draft and second.raw_output == "{}"
    assert (second.latency_seconds, second.cost_usd) == (0.0, 0.0)


def test_the_cache_survives_a_new_process(tmp_path):
    run(CachedBackend(CountingBackend([GOOD]), ResponseCache(tmp_path / "c.sqlite")), request())
    again = CountingBackend([])
    assert run(CachedBackend(again, ResponseCache(tmp_path / "c.sqlite")), request()).cache_hit
    assert again.calls == 0


def test_repeats_settings_and_prompts_are_separate_entries():
    ident = {"model": "m1"}
    keys = {
        cache_key("b", ident, request()),
        cache_key("b", ident, request(repeat=1)),
        cache_key("b", ident, request(temperature=0.9)),
        cache_key("b", {"model": "m2"}, request()),
        cache_key("other", ident, request()),
    }
    assert len(keys) == 5
    # a setting equal to the prompt's default is the same request
    assert cache_key("b", ident, request(temperature=0.5)) == cache_key("b", ident, request())


def test_transient_errors_are_retried_and_model_failures_are_kept(tmp_path):
    inner = CountingBackend([TIMEOUT, GOOD, BAD_JSON])
    cached = CachedBackend(inner, ResponseCache(tmp_path / "c.sqlite"))
    assert run(cached, request()).error.category is ErrorCategory.TIMEOUT
    assert run(cached, request()).draft is not None
    assert inner.calls == 2
    assert run(cached, request(repeat=1)).error.category is ErrorCategory.INVALID_JSON
    replay = run(cached, request(repeat=1))
    assert replay.cache_hit and replay.error.category is ErrorCategory.INVALID_JSON and replay.raw_output == "{oops"
    assert inner.calls == 3


def test_a_stored_generation_comes_back_field_for_field(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    truncated = Generation(draft=None, raw_output='{"caller', error=GenerationError(ErrorCategory.TRUNCATED, "cut"),
                           usage=Usage(1200, 900), cost_usd=0.002, latency_seconds=3.5, attempts=2, model="m1")
    good = Generation(draft=Draft.model_validate(draft_dict()), raw_output="{}", usage=Usage(10, 5), model="m1")
    cache.put("truncated", truncated)
    cache.put("good", good)
    assert (cache.get("truncated"), cache.get("good"), cache.get("missing")) == (truncated, good, None)


def test_job_results_are_written_in_one_batch_and_read_by_a_new_process(tmp_path):
    ResponseCache(tmp_path / "c.sqlite").put_many(jobs=[("a", b"0\n{}\n"), ("b", b"1\n{}\n{}"), ("a", b"0\n{} \n")])
    again = ResponseCache(tmp_path / "c.sqlite")
    assert again.get_jobs(["a", "b", "c"]) == {"a": b"0\n{} \n", "b": b"1\n{}\n{}"}
    # text, as versions before bytes wrote it, so those versions can still read the file
    assert again._db.execute("SELECT DISTINCT typeof(rows) FROM job_results").fetchall() == [("text",)]


def test_job_results_are_text_on_disk_utf8_bytes_in_hand_and_read_in_chunks(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    entry = '0\n{"r": "café — “ok”"}\n'
    cache.put_many(jobs=[(f"k{i}", f"{entry}{i}".encode()) for i in range(JOB_LOOKUP + 3)])  # more than one query
    found = cache.get_jobs(["missing"] + [f"k{i}" for i in range(JOB_LOOKUP + 3)])
    assert found == {f"k{i}": f"{entry}{i}".encode() for i in range(JOB_LOOKUP + 3)}
    assert cache._db.execute("SELECT rows FROM job_results WHERE key = 'k7'").fetchone() == (f"{entry}7",)


def test_the_remembered_conversation_hash_gives_the_documented_key(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    inner = CountingBackend([GOOD, BAD_JSON])
    cached = CachedBackend(inner, cache)
    changed = conversation_dict()
    changed["messages"][0]["content"] += " (and another thing)"  # a different call, equal in all else
    first = request()
    other = GenerationRequest(ConversationRecord.model_validate(changed), first.prompt, first.settings)
    assert not run(cached, first).cache_hit
    assert not run(cached, other).cache_hit
    assert run(cached, first).cache_hit and run(cached, request()).cache_hit  # a fresh but equal record hits too
    assert inner.calls == 2
    assert cache.get(cache_key("counting", {"model": "m1", "base_url": inner.base_url}, first)).draft == GOOD.draft
    assert cache.get(cache_key("counting", {"model": "m1", "base_url": inner.base_url}, other)).raw_output == "{oops"


def test_answers_and_job_results_are_written_in_one_commit_and_answers_read_many_at_once(tmp_path):
    ResponseCache(tmp_path / "c.sqlite").put_many([("good", generation_json(GOOD)), ("bad", generation_json(BAD_JSON))],
                                                  [("job", b"0\n{}\n")])
    again = ResponseCache(tmp_path / "c.sqlite")
    assert again.get_many(["good", "missing", "bad"]) == {"good": GOOD, "bad": BAD_JSON}
    assert again.get_jobs(["job"]) == {"job": b"0\n{}\n"}


def test_replays_are_what_generate_replays_read_for_many_requests_at_once(tmp_path):
    cached = CachedBackend(CountingBackend([GOOD, BAD_JSON]), ResponseCache(tmp_path / "c.sqlite"))
    run(cached, request())
    run(cached, request(repeat=1))
    keys = [cached.key(request(repeat)) for repeat in range(3)]
    assert cached.replays(keys) == {keys[0]: run(cached, request()), keys[1]: run(cached, request(repeat=1))}
    assert cached.replays(keys)[keys[0]].cache_hit and cached.inner.calls == 2
