"""The backend protocol and the records every backend returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from harness.brief import Draft
from harness.conversations import ConversationRecord
from harness.prompts import Prompt


class BackendError(Exception):
    """A backend that cannot be created or started (bad options, missing extra, no model file)."""


class ErrorCategory(StrEnum):
    """Why a generation produced no draft. Stored with the result; scorers see the category."""

    TIMEOUT = "timeout"
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"  # HTTP 5xx
    CONNECTION = "connection"  # refused, reset, DNS
    CLIENT_ERROR = "client_error"  # HTTP 4xx other than 429: bad request, auth, unknown model
    TRUNCATED = "truncated"  # finish_reason == "length"
    INVALID_JSON = "invalid_json"
    SCHEMA_VIOLATION = "schema_violation"
    REFUSAL = "refusal"
    EMPTY = "empty"  # no choices or no content
    BACKEND = "backend"  # the backend itself failed (e.g. the local server did not start)


RETRYABLE = frozenset(
    {ErrorCategory.TIMEOUT, ErrorCategory.RATE_LIMIT, ErrorCategory.SERVER_ERROR, ErrorCategory.CONNECTION}
)


@dataclass(frozen=True)
class GenerationError:
    category: ErrorCategory
    message: str

    @property
    def retryable(self) -> bool:
        return self.category in RETRYABLE


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ModelSettings:
    """What a backend is asked to use; None means "the backend's or the prompt's default"."""

    model: str | None = None
    temperature: float | None = None
    seed: int | None = None
    max_tokens: int | None = None
    top_p: float | None = None

    def merged_over(self, defaults: dict) -> ModelSettings:
        """These settings, falling back to `defaults` (a prompt's front matter) where unset."""
        values = {key: getattr(self, key) for key in self.__dataclass_fields__}
        return ModelSettings(
            **{key: defaults.get(key) if value is None else value for key, value in values.items()}
        )

    def as_dict(self) -> dict:
        return {
            key: getattr(self, key) for key in self.__dataclass_fields__ if getattr(self, key) is not None
        }


@dataclass(frozen=True)
class GenerationRequest:
    conversation: ConversationRecord
    prompt: Prompt
    settings: ModelSettings = field(default_factory=ModelSettings)
    # Repeats are independent samples: the index is part of the cache key and, where the
    # backend supports it, varies the seed.
    repeat: int = 0


@dataclass(frozen=True)
class Generation:
    draft: Draft | None
    raw_output: str | None
    error: GenerationError | None = None
    usage: Usage | None = None
    cost_usd: float | None = None
    latency_seconds: float = 0.0
    attempts: int = 1
    cache_hit: bool = False
    model: str | None = None

    @property
    def ok(self) -> bool:
        return self.draft is not None and self.error is None


@runtime_checkable
class Backend(Protocol):
    name: str

    async def generate(self, request: GenerationRequest) -> Generation: ...

    async def aclose(self) -> None: ...
