"""The `openai` backend: any OpenAI-compatible chat-completions server (DESIGN.md §3).

OpenAI, vLLM and Ollama take `response_format` of type `json_schema` (strict); llama.cpp's server
takes `json_object` with a `schema` beside it; `request_shape` picks one. Retries are ours, not the
SDK's: every attempt is counted, a 429's Retry-After is honoured, and every failure ends as a
categorised `GenerationError` in the returned `Generation` instead of an exception.

The SDK is imported when a backend is created, not when this module is, so modules that only
subclass or inspect this one (the `local` backend, the CLI's help) stay light.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import random
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import ValidationError

from harness.backends import register_backend
from harness.backends.base import (
    BackendError,
    ErrorCategory,
    Generation,
    GenerationError,
    GenerationRequest,
    Usage,
)
from harness.backends.cache import IdentityMemo
from harness.backends.prices import load_prices, parse_prices, price_for
from harness.brief import Draft

REQUEST_SHAPES = ("json_schema", "json_object")
CHAT_PATH = "/chat/completions"
OPENAI_BASE_URL = "https://api.openai.com/v1"
# OpenAI-compatible servers on loopback ignore the key, but the SDK refuses to start without one.
PLACEHOLDER_API_KEY = "not-needed"
MAX_RETRY_DELAY_SECONDS = 30.0
SCHEMA_ERRORS_SHOWN = 3
# Rendered conversations remembered for their repeats: runs go fixture by fixture, so a few
# hundred cover any run's repeats while bounding the memory (a transcript is ~10 kB of JSON).
MESSAGES_REMEMBERED = 256
_FENCED_JSON = re.compile(r"\A\s*```[A-Za-z]*[ \t]*\n(.*?)\n?[ \t]*```\s*\Z", re.S)


@dataclass(frozen=True)
class _Attempt:
    """What one request produced: a draft, or an error and whatever output came with it."""

    draft: Draft | None = None
    raw_output: str | None = None
    error: GenerationError | None = None
    usage: Usage | None = None
    retry_after: float | None = None  # seconds the server asked us to wait before the next try


@register_backend("openai")
class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        request_shape: str = "json_schema",
        timeout_seconds: float = 60,
        max_retries: int = 3,
        retry_delay_seconds: float = 0.5,
        prices: dict | None = None,
    ) -> None:
        """`retry_delay_seconds` is the first backoff wait; it doubles with each retry."""
        if request_shape not in REQUEST_SHAPES:
            shapes = ", ".join(REQUEST_SHAPES)
            raise BackendError(f"request_shape must be one of {shapes}, not {request_shape!r}")
        if max_retries < 0:
            raise BackendError(f"max_retries must be 0 or more, not {max_retries}")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL
        self.request_shape = request_shape
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.retry_delay_seconds = retry_delay_seconds
        self._prices = load_prices() | parse_prices(prices or {}, "the prices option")
        api_key = _resolve_api_key(api_key, self.base_url)
        self._client = _create_client(self.base_url, api_key, timeout_seconds)
        self._response_class = _http_response_class()
        # SDKs from before `post(content=...)` take only a body to serialise themselves.
        self._posts_bytes = "content" in inspect.signature(self._client.post).parameters
        # A request body is mostly the same for every repeat of a conversation (its messages) or
        # for every request (the response format and its schema): those parts are serialised
        # once, and each body is put together from them (`_request_content`).
        self._messages_json = IdentityMemo(lambda prompt, conversation: _json_bytes(prompt.render(conversation)),
                                           limit=MESSAGES_REMEMBERED)
        self._format_json = IdentityMemo(lambda prompt: _json_bytes(self._response_format(prompt.output_schema)))

    async def generate(self, request: GenerationRequest) -> Generation:
        model = self._model_for(request)
        content, max_tokens = self._request_content(request, model)
        started = time.perf_counter()
        outcome, attempts = await self._attempt_with_retries(content, max_tokens)
        return Generation(
            draft=outcome.draft,
            raw_output=outcome.raw_output,
            error=outcome.error,
            usage=outcome.usage,
            cost_usd=self._cost_usd(model, outcome.usage),
            latency_seconds=time.perf_counter() - started,
            attempts=attempts,
            model=model,
        )

    async def aclose(self) -> None:
        await self._client.close()

    def _model_for(self, request: GenerationRequest) -> str:
        # A flag beats the backend's option, which beats the prompt's default.
        model = request.settings.model or self.model or request.prompt.settings.get("model")
        if not model:
            raise BackendError(
                "the openai backend needs a model: pass --model or set model in the prompt's settings"
            )
        return model

    def _request_content(self, request: GenerationRequest, model: str) -> tuple[bytes, int | None]:
        """The request body as JSON bytes, as the SDK would serialise it, and its max_tokens."""
        settings = request.settings.merged_over(request.prompt.settings)
        head = {"model": model}
        for key in ("temperature", "top_p", "max_tokens"):
            if getattr(settings, key) is not None:
                head[key] = getattr(settings, key)
        if settings.seed is not None:
            # Same seed on every repeat would make the repeats one sample counted k times.
            head["seed"] = settings.seed + request.repeat
        messages = self._messages_json(request.prompt, request.conversation)
        response_format = self._format_json(request.prompt)
        content = b"%b,\"messages\":%b,\"response_format\":%b}" % (_json_bytes(head)[:-1], messages, response_format)
        return content, settings.max_tokens

    def _response_format(self, schema: dict) -> dict:
        if self.request_shape == "json_object":
            return {"type": "json_object", "schema": schema}
        json_schema = {"name": "handoff_draft", "strict": True, "schema": schema}
        return {"type": "json_schema", "json_schema": json_schema}

    async def _attempt_with_retries(self, content: bytes, max_tokens: int | None) -> tuple[_Attempt, int]:
        attempts = 0
        while True:
            attempts += 1
            outcome = await self._attempt(content, max_tokens)
            if outcome.error is None or not outcome.error.retryable or attempts > self.max_retries:
                return outcome, attempts
            await asyncio.sleep(retry_delay(attempts, self.retry_delay_seconds, outcome.retry_after))

    async def _attempt(self, content: bytes, max_tokens: int | None) -> _Attempt:
        import openai

        try:
            # The SDK's generic POST of the serialised body, with the raw response, parsed here:
            # `chat.completions.create` walks the whole body (every message) through its TypedDict
            # transform, which is the identity for plain JSON like ours, and builds a pydantic
            # ChatCompletion of which a few fields are read. Together about 1.5 ms of event-loop
            # time a call; auth, base URL, timeouts and the SDK's error classes are the same.
            body = {"content": content} if self._posts_bytes else {"body": json.loads(content)}
            response = await self._client.post(CHAT_PATH, cast_to=self._response_class, **body)
        except openai.OpenAIError as exc:
            return self._failed_request(exc)
        text = response.text
        try:
            completion = json.loads(text)
        except json.JSONDecodeError:  # a proxy's error page, or a body cut short
            return self._not_a_completion(text)
        if not isinstance(completion, dict) or "choices" not in completion:
            return self._not_a_completion(json.dumps(completion))
        return _read_completion(completion, max_tokens)

    def _not_a_completion(self, body: str) -> _Attempt:
        # A 200 that is not a chat completion comes from the infrastructure (a proxy's error page, a
        # misrouted URL), not from the model, so it is a server error and is retried like one.
        text = f"HTTP 200 from {self.base_url} is not a chat completion: {_one_line(body, 200)}"
        return _failure(ErrorCategory.SERVER_ERROR, text)

    def _failed_request(self, exc: Exception) -> _Attempt:
        import openai

        # APITimeoutError is a kind of APIConnectionError, so it is tested first.
        if isinstance(exc, openai.APITimeoutError):
            waited = f"{self.timeout_seconds:g} s"
            return _failure(ErrorCategory.TIMEOUT, f"no response from {self.base_url} within {waited}")
        if isinstance(exc, openai.APIConnectionError):
            return _failure(ErrorCategory.CONNECTION, f"cannot reach {self.base_url}: {_root_cause(exc)}")
        if isinstance(exc, openai.APIStatusError):
            return _failure(
                _status_category(exc.status_code),
                f"HTTP {exc.status_code} from {self.base_url}: {_server_message(exc)}",
                retry_after=retry_after_seconds(exc.response.headers),
            )
        return _failure(ErrorCategory.BACKEND, f"{type(exc).__name__}: {exc}")

    def _cost_usd(self, model: str, usage: Usage | None) -> float | None:
        price = price_for(model, self._prices)
        return None if price is None or usage is None else price.cost_usd(usage)


def _read_completion(completion: dict, max_tokens: int | None = None) -> _Attempt:
    """The draft in a chat completion (its JSON), or why there is none; output and usage are kept
    either way."""
    usage = _usage_of(completion)
    choices = completion.get("choices") or []
    if not choices:
        return _failure(ErrorCategory.EMPTY, "the response has no choices", usage=usage)
    choice = _object(choices[0])
    message = _object(choice.get("message"))
    content = message.get("content")
    refusal = message.get("refusal")
    finish_reason = choice.get("finish_reason")

    def fail(category: ErrorCategory, text: str, raw_output: str | None = content) -> _Attempt:
        return _failure(category, text, raw_output=raw_output, usage=usage)

    if refusal:
        return fail(ErrorCategory.REFUSAL, f"the model refused: {_one_line(refusal)}", content or refusal)
    if finish_reason == "content_filter":
        return fail(ErrorCategory.REFUSAL, "the server's content filter stopped the output")
    if finish_reason == "length":
        limit = f" ({max_tokens} tokens)" if max_tokens else ""
        return fail(ErrorCategory.TRUNCATED, f"the output reached the max_tokens limit{limit} unfinished")
    if not content or not content.strip():
        return fail(ErrorCategory.EMPTY, "the response has no content")
    try:
        data = parse_json_output(content)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return fail(ErrorCategory.INVALID_JSON, f"the output is not JSON: {exc.msg} at {where}")
    try:
        draft = Draft.model_validate(data)
    except ValidationError as exc:
        return fail(ErrorCategory.SCHEMA_VIOLATION, describe_schema_errors(exc))
    return _Attempt(draft=draft, raw_output=content, usage=usage)


def parse_json_output(content: str) -> object:
    """JSON from a model's output; a ```json fence around it is tolerated (small models add one),
    and so are raw newlines or tabs inside strings (grammar-constrained llama.cpp output has them;
    the meaning is unambiguous)."""
    try:
        return json.loads(content, strict=False)
    except json.JSONDecodeError:
        fenced = _FENCED_JSON.match(content)
        if fenced is None:
            raise
        return json.loads(fenced.group(1), strict=False)


def describe_schema_errors(exc: ValidationError) -> str:
    errors = exc.errors()
    shown = "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(top level)'}: {error['msg']}"
        for error in errors[:SCHEMA_ERRORS_SHOWN]
    )
    more = f"; and {len(errors) - SCHEMA_ERRORS_SHOWN} more" if len(errors) > SCHEMA_ERRORS_SHOWN else ""
    counted = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
    return f"the output does not match the draft schema ({counted}): {shown}{more}"


def retry_after_seconds(headers) -> float | None:
    """The wait a 429 or 503 asks for: OpenAI's `retry-after-ms`, else `Retry-After` in seconds."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue  # the HTTP-date form; backoff is good enough for it
        if seconds >= 0:
            return seconds
    return None


def retry_delay(retry_number: int, base_seconds: float, retry_after: float | None = None) -> float:
    """Seconds to wait before retry `retry_number` (1 for the first): the server's word, else backoff."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_DELAY_SECONDS)
    backoff = min(base_seconds * 2 ** (retry_number - 1), MAX_RETRY_DELAY_SECONDS)
    # Jitter keeps jobs that failed together (one 429 burst) from all retrying at the same instant.
    return backoff * random.uniform(0.5, 1.0)


def _status_category(status: int) -> ErrorCategory:
    if status == 429:
        return ErrorCategory.RATE_LIMIT
    if status == 408:  # the server gave up waiting: a timeout, and worth retrying like one
        return ErrorCategory.TIMEOUT
    if status >= 500:
        return ErrorCategory.SERVER_ERROR
    return ErrorCategory.CLIENT_ERROR


def _server_message(exc) -> str:
    """The server's own explanation: OpenAI-style {"error": {"message": ...}} bodies, else the SDK's text."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict) and body.get("message"):
        return _one_line(str(body["message"]))
    return _one_line(str(body or exc.message))


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return _one_line(str(exc) or type(exc).__name__)


def _usage_of(completion: dict) -> Usage | None:
    usage = _object(completion.get("usage"))
    prompt_tokens = usage.get("prompt_tokens")
    completion_tokens = usage.get("completion_tokens")
    if not isinstance(prompt_tokens, int) or not isinstance(completion_tokens, int):
        return None
    return Usage(prompt_tokens, completion_tokens)


def _object(value: object) -> dict:
    # A server that sends a list or a string where an object belongs has sent no such fields.
    return value if isinstance(value, dict) else {}


def _failure(category: ErrorCategory, message: str, **found) -> _Attempt:
    return _Attempt(error=GenerationError(category, message), **found)


def _json_bytes(value: object) -> bytes:
    # as the SDK serialises a request body (openai._utils._json.openapi_dumps)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _resolve_api_key(api_key: str | None, base_url: str) -> str:
    key = api_key or os.environ.get("OPENAI_API_KEY")
    if key:
        return key
    host = urlsplit(base_url).hostname or ""
    if host == "openai.com" or host.endswith(".openai.com"):
        raise BackendError(
            "the openai backend needs an API key for api.openai.com: set OPENAI_API_KEY "
            "(or pass base_url for a local server)"
        )
    # Local servers (llama.cpp, Ollama, vLLM on loopback) want no key; one that does answers 401,
    # which is recorded as a client_error rather than guessed at here.
    return PLACEHOLDER_API_KEY


def _create_client(base_url: str, api_key: str, timeout_seconds: float):
    try:
        import openai
    except ImportError:
        needed = "the openai backend needs the openai package: pip install 'openai>=1.40'"
        raise BackendError(needed) from None
    # max_retries=0: the SDK's own retries would hide attempts from `Generation.attempts`.
    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_seconds, max_retries=0)


def _http_response_class() -> type:
    # The SDK returns its HTTP library's own response when asked for that class: httpx2 since
    # openai 3, httpx before.
    try:
        from httpx2 import Response
    except ImportError:
        from httpx import Response
    return Response
