"""The `openai` backend against a real HTTP server on loopback that answers from a script."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import pytest

from harness.backends import create_backend
from harness.backends.base import BackendError, ErrorCategory, GenerationRequest, ModelSettings, Usage
from harness.backends.openai import (
    MAX_RETRY_DELAY_SECONDS,
    OpenAIBackend,
    parse_json_output,
    retry_after_seconds,
    retry_delay,
)
from harness.backends.prices import ModelPrice, load_prices, price_for
from harness.brief import Draft
from harness.conversations import ConversationRecord
from harness.prompts import parse_prompt
from tests.backends.scripted_server import Reply, ScriptedServer, completion_body, error_body
from tests.factories import conversation_dict

PROMPT_TEXT = """+++
id = "test-prompt"
version = "0.1.0"
description = "A small prompt for backend tests."
[settings]
temperature = 0.2
seed = 7
max_tokens = 900
+++
=== system ===
Write the handoff draft as JSON.
=== user ===
{{ transcript }}
"""
PROMPT = parse_prompt(PROMPT_TEXT)
CONVERSATION = ConversationRecord.model_validate(conversation_dict())
FAST_RETRIES = {"retry_delay_seconds": 0.01}


def draft_dict() -> dict:
    return {
        "caller_name": "Maria Lopez",
        "sentiment": {"label": "Fed up with the double charge", "level": "frustrated"},
        "transfer_reason": "Caller was charged twice and wants a refund only a human can approve.",
        "call_summary": [
            "Caller reports being charged twice.",
            "Identity verified with date of birth.",
            "Assistant guaranteed a refund, then the caller asked for a person.",
        ],
        "information_collected": [{"key": "issue", "value": "charged twice"}],
        "suggested_next_steps": [{"action": "Review the duplicate charge and refund it", "confidence": "high"}],
        "markers": [{"message": 5, "type": "escalation_trigger", "description": "Asks for a person"}],
        "compliance_flags": [
            {"type": "unfulfillable_commitment", "description": "Refund guaranteed by the AI", "message": 4}
        ],
    }


DRAFT_JSON = json.dumps(draft_dict())


@pytest.fixture(autouse=True)
def _no_proxy_or_key_from_the_developer(monkeypatch):
    # A proxy would intercept loopback requests; a developer's key or base URL must not leak in.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "OPENAI_API_KEY", "OPENAI_BASE_URL", "HARNESS_PRICES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    running = ScriptedServer().start()
    yield running
    running.stop()


def generate(server: ScriptedServer, *replies: Reply, prompt=PROMPT, settings=None, repeat=0, **options):
    """Script the server, run one generation with a fresh backend, and close it."""
    server.script(*replies)
    options = {"model": "gpt-4o-mini", "base_url": server.base_url, **FAST_RETRIES, **options}
    request = GenerationRequest(CONVERSATION, prompt, settings or ModelSettings(), repeat)
    return asyncio.run(generate_with(OpenAIBackend(**options), request))


async def generate_with(backend: OpenAIBackend, request: GenerationRequest):
    try:
        return await backend.generate(request)
    finally:
        await backend.aclose()


def ok(content: str = DRAFT_JSON, **fields) -> Reply:
    return Reply(200, completion_body(content, **fields))


# --- a valid draft and the request that produced it --------------------------------------------


def test_valid_draft_is_parsed_with_usage_cost_and_one_attempt(server):
    generation = generate(server, ok(prompt_tokens=1000, completion_tokens=250))

    assert generation.ok
    assert generation.error is None
    assert generation.draft == Draft.model_validate(draft_dict())
    assert generation.raw_output == DRAFT_JSON
    assert generation.usage == Usage(1000, 250)
    # gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    assert generation.cost_usd == 0.0003
    assert generation.attempts == 1
    assert generation.model == "gpt-4o-mini"
    assert 0 < generation.latency_seconds < 5
    assert len(server.requests) == 1


def test_json_schema_request_carries_strict_schema_messages_and_front_matter_settings(server):
    generate(server, ok())

    body = server.requests[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == PROMPT.render(CONVERSATION)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "handoff_draft", "strict": True, "schema": PROMPT.output_schema},
    }
    assert (body["temperature"], body["seed"], body["max_tokens"]) == (0.2, 7, 900)
    assert "top_p" not in body


def test_json_object_request_shape_sends_the_schema_beside_the_type(server):
    generate(server, ok(), request_shape="json_object")

    assert server.requests[0]["response_format"] == {"type": "json_object", "schema": PROMPT.output_schema}


def test_settings_override_front_matter_and_model_option(server):
    settings = ModelSettings(model="my-finetune", temperature=0.9, seed=100, top_p=0.5)
    generation = generate(server, ok(), settings=settings)

    body = server.requests[0]
    assert (body["model"], body["temperature"], body["seed"], body["top_p"]) == ("my-finetune", 0.9, 100, 0.5)
    assert body["max_tokens"] == 900  # not overridden, so the prompt's
    assert generation.model == "my-finetune"


def test_repeat_index_is_added_to_the_seed(server):
    generate(server, ok(), repeat=3)
    generate(server, ok(), settings=ModelSettings(seed=100), repeat=2)

    assert [body["seed"] for body in server.requests] == [10, 102]


def test_no_seed_is_sent_when_neither_prompt_nor_settings_set_one(server):
    unseeded = parse_prompt(PROMPT_TEXT.replace("seed = 7\n", ""))

    assert generate(server, ok(), prompt=unseeded, repeat=4).ok
    assert "seed" not in server.requests[0]


def test_repeats_share_the_serialised_messages_and_each_conversation_and_prompt_gets_its_own(server, monkeypatch):
    renders = []
    original = type(PROMPT).render
    monkeypatch.setattr(type(PROMPT), "render", lambda self, conversation: renders.append(1) or original(self, conversation))
    changed = conversation_dict()
    changed["messages"][0]["content"] = "Hi, it's Maria again about the refund."
    other = ConversationRecord.model_validate(changed)
    shorter = parse_prompt(PROMPT_TEXT.replace("Write the handoff draft as JSON.", "Write JSON."))
    requests = [GenerationRequest(CONVERSATION, PROMPT, ModelSettings(), 0), GenerationRequest(CONVERSATION, PROMPT, ModelSettings(), 1),
                GenerationRequest(other, PROMPT, ModelSettings(), 0), GenerationRequest(CONVERSATION, shorter, ModelSettings(), 0)]
    server.script(*[ok() for _ in requests])

    async def generate_all(backend: OpenAIBackend):
        try:
            return [await backend.generate(request) for request in requests]
        finally:
            await backend.aclose()

    generations = asyncio.run(generate_all(OpenAIBackend(model="m", base_url=server.base_url, **FAST_RETRIES)))
    assert all(generation.ok for generation in generations)
    assert [body["messages"] for body in server.requests] == [
        original(PROMPT, CONVERSATION), original(PROMPT, CONVERSATION), original(PROMPT, other), original(shorter, CONVERSATION)]
    assert [body["seed"] for body in server.requests] == [7, 8, 7, 7]
    assert len(renders) == 3  # the repeat reused its conversation's


def test_an_sdk_without_raw_bodies_is_sent_the_same_request(server):
    server.script(ok(), ok())
    request = GenerationRequest(CONVERSATION, PROMPT, ModelSettings(), 1)
    raw, data = (OpenAIBackend(model="m", base_url=server.base_url) for _ in range(2))
    data._posts_bytes = False  # as openai releases before `post(content=...)`
    assert asyncio.run(generate_with(raw, request)).ok and asyncio.run(generate_with(data, request)).ok
    assert server.requests[0] == server.requests[1]


def test_fenced_json_output_is_accepted(server):
    generation = generate(server, ok(f"```json\n{DRAFT_JSON}\n```\n"))

    assert generation.ok
    assert generation.draft == Draft.model_validate(draft_dict())


def test_parse_json_output_only_unwraps_a_fence_around_the_whole_output():
    assert parse_json_output('```\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(json.JSONDecodeError):
        parse_json_output('Here you go:\n```json\n{"a": 1}\n```')


# --- failures in the response: categorised, not retried, output kept ---------------------------


def four_next_steps() -> str:
    draft = draft_dict()
    draft["suggested_next_steps"] = [{"action": f"Step {i}", "confidence": "low"} for i in range(4)]
    return json.dumps(draft)


@pytest.mark.parametrize(
    ("reply", "category", "raw_output", "message_part"),
    [
        (ok(DRAFT_JSON[:80], finish_reason="length"), ErrorCategory.TRUNCATED, DRAFT_JSON[:80],
         "max_tokens limit (900 tokens)"),
        (ok("I think the caller was upset."), ErrorCategory.INVALID_JSON, "I think the caller was upset.",
         "not JSON: Expecting value at line 1 column 1"),
        (ok(four_next_steps()), ErrorCategory.SCHEMA_VIOLATION, four_next_steps(), "suggested_next_steps"),
        (ok(None, refusal="I can't help with that."), ErrorCategory.REFUSAL, "I can't help with that.",
         "the model refused: I can't help with that."),
        (ok("", finish_reason="content_filter"), ErrorCategory.REFUSAL, "", "content filter"),
        (ok(""), ErrorCategory.EMPTY, "", "no content"),
        (ok("  \n"), ErrorCategory.EMPTY, "  \n", "no content"),
        (Reply(200, completion_body(DRAFT_JSON) | {"choices": []}), ErrorCategory.EMPTY, None, "no choices"),
    ],
    ids=["truncated", "invalid_json", "schema_violation", "refusal", "content_filter", "empty_content",
         "blank_content", "no_choices"],
)
def test_response_failures_are_categorised_and_keep_the_output(server, reply, category, raw_output, message_part):
    generation = generate(server, reply)

    assert generation.draft is None
    assert generation.error.category is category
    assert message_part in generation.error.message
    assert generation.raw_output == raw_output
    assert generation.usage == Usage(1000, 250)  # the tokens were spent, so they are counted
    assert generation.cost_usd == 0.0003
    assert generation.attempts == 1
    assert len(server.requests) == 1


def test_schema_violation_names_the_first_error_locations(server):
    draft = draft_dict()
    draft["suggested_next_steps"] *= 4
    draft["sentiment"]["level"] = "livid"
    draft["call_summary"] = []
    draft["markers"][0]["message"] = "five"
    generation = generate(server, ok(json.dumps(draft)))

    assert generation.error.category is ErrorCategory.SCHEMA_VIOLATION
    assert generation.error.message.startswith("the output does not match the draft schema (4 errors): ")
    assert [part.split(":")[0] for part in generation.error.message.split(": ", 1)[1].split("; ")] == [
        "sentiment.level", "call_summary", "suggested_next_steps", "and 1 more"
    ]


# --- failures of the request: retried when retryable, counted ------------------------------------


def test_429_waits_as_long_as_retry_after_says_then_succeeds(server):
    generation = generate(server, Reply(429, error_body("slow down"), {"Retry-After": "1"}), ok())

    assert generation.ok
    assert generation.attempts == 2
    # The backoff alone would be about 0.01 s; the wait is the server's one second.
    assert 1.0 <= generation.latency_seconds < 1.8


def test_two_server_errors_then_success_takes_three_attempts(server):
    generation = generate(server, Reply(500, error_body("oops")), Reply(500, error_body("oops")), ok())

    assert generation.ok
    assert generation.attempts == 3
    assert len(server.requests) == 3


def test_persistent_503_gives_up_after_max_retries_plus_one_attempts(server):
    server_down = Reply(503, error_body("overloaded", "server_error"))
    generation = generate(server, *[server_down] * 5, max_retries=2)

    assert generation.error.category is ErrorCategory.SERVER_ERROR
    assert generation.error.message == f"HTTP 503 from {server.base_url}: overloaded"
    assert generation.attempts == 3
    assert len(server.requests) == 3
    assert generation.draft is None and generation.raw_output is None and generation.usage is None


def test_a_200_that_is_not_a_chat_completion_is_a_server_error_and_retried(server):
    proxy_page = Reply(200, "<html>upstream unavailable</html>", {"Content-Type": "text/html"})
    generation = generate(server, proxy_page, ok(), max_retries=1)
    assert generation.ok
    assert generation.attempts == 2

    generation = generate(server, Reply(200, "<html>oops</html>"), Reply(200, {"object": "error"}), max_retries=1)
    assert generation.error.category is ErrorCategory.SERVER_ERROR
    assert generation.error.message == (
        f'HTTP 200 from {server.base_url} is not a chat completion: {{"object": "error"}}'
    )
    assert generation.attempts == 2


def test_json_that_is_not_a_completion_object_is_a_server_error(server):
    generation = generate(server, Reply(200, "[1, 2]"), Reply(200, '{"choices": [1], "usage": "many"}'),
                          max_retries=1)
    assert generation.error.category is ErrorCategory.EMPTY  # the second: choices, but no message in them
    assert (generation.attempts, generation.usage) == (2, None)

    generation = generate(server, Reply(200, "[1, 2]"), max_retries=0)
    assert generation.error.category is ErrorCategory.SERVER_ERROR
    assert generation.error.message == f"HTTP 200 from {server.base_url} is not a chat completion: [1, 2]"


def test_one_client_keeps_its_connections_alive_across_requests(server):
    server.script(*[ok() for _ in range(24)])
    backend = OpenAIBackend(model="gpt-4o-mini", base_url=server.base_url)
    request = GenerationRequest(CONVERSATION, PROMPT)

    async def three_rounds_of_eight():
        try:
            return [g for _ in range(3) for g in await asyncio.gather(*[backend.generate(request) for _ in range(8)])]
        finally:
            await backend.aclose()

    generations = asyncio.run(three_rounds_of_eight())
    assert [g.ok for g in generations] == [True] * 24
    assert len(server.requests) == 24
    assert server.connections <= 8


def test_a_reply_on_a_kept_alive_connection_takes_no_nagle_stall(server):
    # With Nagle's algorithm on in the server, each of these waited ~40 ms for a delayed ACK.
    server.script(*[ok() for _ in range(20)])
    backend = OpenAIBackend(model="gpt-4o-mini", base_url=server.base_url)
    request = GenerationRequest(CONVERSATION, PROMPT)

    async def one_after_another():
        try:
            await backend.generate(request)
            started = time.perf_counter()
            for _ in range(19):
                assert (await backend.generate(request)).ok
            return time.perf_counter() - started
        finally:
            await backend.aclose()

    assert asyncio.run(one_after_another()) < 0.3


def test_rate_limit_that_never_clears_is_recorded_as_rate_limit(server):
    generation = generate(server, *[Reply(429, error_body("quota"))] * 2, max_retries=1)

    assert generation.error.category is ErrorCategory.RATE_LIMIT
    assert generation.attempts == 2


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_not_retried(server, status):
    generation = generate(server, Reply(status, error_body("Incorrect API key provided")), ok())

    assert generation.error.category is ErrorCategory.CLIENT_ERROR
    assert generation.error.message == f"HTTP {status} from {server.base_url}: Incorrect API key provided"
    assert generation.attempts == 1
    assert len(server.requests) == 1


def test_slow_server_times_out_and_the_timeout_is_retried(server):
    slow = Reply(200, completion_body(DRAFT_JSON), delay_seconds=2)
    generation = generate(server, slow, slow, timeout_seconds=0.2, max_retries=1)

    assert generation.error.category is ErrorCategory.TIMEOUT
    assert "within 0.2 s" in generation.error.message
    assert generation.attempts == 2
    assert len(server.requests) == 2
    assert 0.4 <= generation.latency_seconds < 1.5


def test_connection_refused_is_a_connection_error_after_retries():
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    backend = OpenAIBackend(model="gpt-4o-mini", base_url=f"http://127.0.0.1:{port}/v1", max_retries=2,
                            **FAST_RETRIES)
    generation = asyncio.run(generate_with(backend, GenerationRequest(CONVERSATION, PROMPT)))
    assert generation.error.category is ErrorCategory.CONNECTION
    assert generation.error.message.startswith(f"cannot reach http://127.0.0.1:{port}/v1: ")
    assert generation.attempts == 3


def test_retry_delay_follows_retry_after_capped_else_doubles_with_jitter():
    assert retry_delay(1, 0.5, retry_after=2.0) == 2.0
    assert retry_delay(1, 0.5, retry_after=600.0) == MAX_RETRY_DELAY_SECONDS
    for retry_number, low, high in [(1, 0.25, 0.5), (2, 0.5, 1.0), (3, 1.0, 2.0)]:
        delays = {retry_delay(retry_number, 0.5) for _ in range(50)}
        assert all(low <= delay <= high for delay in delays)
        assert len(delays) > 1  # jittered
    assert retry_delay(20, 0.5) <= MAX_RETRY_DELAY_SECONDS


def test_retry_after_reads_milliseconds_then_seconds_and_ignores_dates():
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert retry_after_seconds({}) is None


# --- options, keys and prices ------------------------------------------------------------------


def test_unknown_model_has_usage_but_no_cost(server):
    generation = generate(server, ok(), model="someones-own-model")

    assert generation.usage == Usage(1000, 250)
    assert generation.cost_usd is None


def test_prices_option_overrides_the_table(server):
    prices = {"gpt-4o-mini": {"input_per_million": 2, "output_per_million": 8}}
    generation = generate(server, ok(prompt_tokens=1000, completion_tokens=500), prices=prices)

    assert generation.cost_usd == 0.006


def test_prices_file_named_by_environment_is_layered_over_the_shipped_table(tmp_path, monkeypatch):
    table = tmp_path / "prices.toml"
    table.write_text('["house-model"]\ninput_per_million = 1\noutput_per_million = 3\n')
    monkeypatch.setenv("HARNESS_PRICES", str(table))

    prices = load_prices()
    assert prices["house-model"] == ModelPrice(1.0, 3.0)
    assert prices["gpt-4o"] == ModelPrice(2.5, 10.0)


def test_bad_prices_file_is_one_clear_error(tmp_path):
    table = tmp_path / "prices.toml"
    table.write_text('["house-model"]\ninput_per_million = "cheap"\noutput_per_million = 3\n')

    with pytest.raises(BackendError, match=r"prices.toml: prices of 'house-model' must be numbers"):
        load_prices(table)


def test_shipped_prices_cover_openai_and_local_models():
    prices = load_prices()
    assert prices["gpt-4o-mini"] == ModelPrice(0.15, 0.60)
    assert price_for("gpt-4o-mini-2024-07-18", prices) == ModelPrice(0.15, 0.60)
    assert price_for("smollm2-135m-instruct", prices) == ModelPrice(0.0, 0.0)
    assert price_for("gpt-unknown", prices) is None


def test_real_openai_without_a_key_is_refused_in_one_line():
    with pytest.raises(BackendError, match=r"^the openai backend needs an API key for api.openai.com: set OPENAI"):
        OpenAIBackend(model="gpt-4o-mini")


def test_local_server_without_a_key_gets_a_placeholder(server):
    assert generate(server, ok()).ok  # no key anywhere; the fixture removed OPENAI_API_KEY


def test_a_model_is_required_somewhere(server):
    with pytest.raises(BackendError, match="needs a model"):
        generate(server, ok(), model=None)


def test_unknown_request_shape_is_refused():
    with pytest.raises(BackendError, match="request_shape must be one of json_schema, json_object"):
        OpenAIBackend(base_url="http://127.0.0.1:9/v1", request_shape="grammar")


def test_registered_by_name_and_the_sdk_is_not_imported_by_the_registry(server):
    backend = create_backend("openai", model="gpt-4o-mini", base_url=server.base_url)
    assert isinstance(backend, OpenAIBackend) and backend.name == "openai"
    asyncio.run(backend.aclose())

    code = "import sys, harness.backends; assert 'openai' not in sys.modules, 'openai SDK imported'"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    assert time.perf_counter() - started < 5
