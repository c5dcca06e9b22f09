"""Response cache: an unchanged re-run costs nothing, and repeats stay independent samples.

The key is (backend, backend identity such as model and base URL, effective settings, prompt
hash, conversation hash, repeat index). Drafts and the model's own failed answers (invalid JSON,
schema violations, truncation, refusals, empty output) are kept; transient failures (timeouts,
rate limits, 5xx, refused connections), client errors and backend failures are not, so a re-run
retries them. One SQLite file (stdlib,
safe for concurrent readers and one writer) holds the entries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.backends.base import (
    Backend,
    ErrorCategory,
    Generation,
    GenerationError,
    GenerationRequest,
    Usage,
)
from harness.brief import Draft
from harness.conversations import ConversationRecord

DEFAULT_CACHE_PATH = Path("reports/cache.sqlite")
MAX_REMEMBERED_DIGESTS = 4096
# Keys per job-cache query: under SQLite's oldest limit of 999 bound variables.
JOB_LOOKUP = 500
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, generation TEXT NOT NULL)",
    # Whole job results (a generation and its scores, as stored rows) for the runner: a re-run
    # with the same inputs and scorer versions needs no model call and no scoring either.
    "CREATE TABLE IF NOT EXISTS job_results (key TEXT PRIMARY KEY, rows TEXT NOT NULL)",
)


class IdentityMemo:
    """`compute(*objs)` remembered per combination of objects, for frozen records hashed or
    serialised again and again (every repeat of a fixture). Keyed by identity (records are not
    hashable), holding the objects so their ids are not reused; forgotten wholesale past `limit`,
    since a long-lived process sees new ones."""

    def __init__(self, compute: Callable[..., str], limit: int = MAX_REMEMBERED_DIGESTS) -> None:
        self._compute, self._limit = compute, limit
        self._known: dict[tuple[int, ...], tuple[tuple[object, ...], str]] = {}

    def __call__(self, *objs: object) -> str:
        ids = tuple(map(id, objs))
        known = self._known.get(ids)
        if known is not None and all(a is b for a, b in zip(known[0], objs, strict=True)):
            return known[1]
        if len(self._known) >= self._limit:
            self._known.clear()
        value = self._compute(*objs)
        self._known[ids] = (objs, value)
        return value


def conversation_hash(conversation: ConversationRecord) -> str:
    canonical = json.dumps(conversation.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def cache_key(
    backend_name: str, identity: dict, request: GenerationRequest, conversation_digest: str | None = None
) -> str:
    """The response's key; a caller that hashes the same conversation for every repeat may pass
    its digest in."""
    settings = request.settings.merged_over(request.prompt.settings).as_dict()
    parts = {
        "backend": backend_name,
        "identity": identity,
        "settings": settings,
        "prompt": request.prompt.hash,
        "conversation": conversation_digest or conversation_hash(request.conversation),
        "repeat": request.repeat,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: Path = DEFAULT_CACHE_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL survives a crash of this process; only a power cut can
        # lose the last entries, and a lost entry is just a cache miss. Saves an fsync per put.
        self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def get(self, key: str) -> Generation | None:
        with self._lock:
            row = self._db.execute("SELECT generation FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else _generation_from_json(row[0])

    def put(self, key: str, generation: Generation) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, generation) VALUES (?, ?)",
                (key, generation_json(generation)),
            )

    def get_many(self, keys: Sequence[str]) -> dict[str, Generation]:
        """The stored generations of those `keys` that have an entry."""
        return {key: _generation_from_json(text) for key, text in self._select("responses", "generation", keys)}

    def get_jobs(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored rows of those `keys` that have an entry, as UTF-8 bytes: a replay writes them
        to the results store as they are, so decoding them to str would be undone at once."""
        # rows are text on disk; CAST AS BLOB hands over their UTF-8 bytes without a decode
        return dict(self._select("job_results", "CAST(rows AS BLOB)", keys))

    def put_many(self, responses: Sequence[tuple[str, str]] = (), jobs: Sequence[tuple[str, bytes]] = ()) -> None:
        """Response entries (key, `generation_json`) and job results (key, rows as UTF-8 bytes) in
        one transaction: a commit per entry cost more than the entry. Rows are stored as text, as
        before bytes (SQLite converts), so any version reads them."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO responses (key, generation) VALUES (?, ?)", responses)
                self._db.executemany("INSERT OR REPLACE INTO job_results (key, rows) VALUES (?, CAST(? AS TEXT))",
                                     jobs)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _select(self, table: str, column: str, keys: Sequence[str]) -> list[tuple[str, object]]:
        # One query per JOB_LOOKUP keys: a query per key cost more than reading its entry.
        found = []
        with self._lock:
            for start in range(0, len(keys), JOB_LOOKUP):
                chunk = keys[start:start + JOB_LOOKUP]
                found += self._db.execute(
                    f"SELECT key, {column} FROM {table} WHERE key IN ({', '.join('?' * len(chunk))})", chunk
                ).fetchall()
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedBackend:
    """Wraps any backend; a hit returns the stored generation marked `cache_hit` with no latency."""

    def __init__(self, inner: Backend, cache: ResponseCache, identity: dict | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache = cache
        self.identity = identity if identity is not None else backend_identity(inner)
        # A run asks for each conversation once per repeat; hashing it once is enough.
        self.conversation_digest = IdentityMemo(conversation_hash)

    def key(self, request: GenerationRequest) -> str:
        return cache_key(self.name, self.identity, request, self.conversation_digest(request.conversation))

    def replays(self, keys: Sequence[str]) -> dict[str, Generation]:
        """What `generate` would replay for those `keys` the cache holds, read in one go (the
        runner looks up a whole run's requests before sending any)."""
        return {key: _replayed(stored) for key, stored in self.cache.get_many(keys).items()}

    async def generate(self, request: GenerationRequest) -> Generation:
        key = self.key(request)
        stored = self.cache.get(key)
        if stored is not None:
            return _replayed(stored)
        generation = await self.inner.generate(request)
        if is_model_answer(generation):
            self.cache.put(key, generation)
        return generation

    async def aclose(self) -> None:
        await self.inner.aclose()


# What the model itself answered: a replay gives the same sample. Transient failures, client
# errors (a wrong key, an unknown model) and backend failures say nothing about the model.
MODEL_ANSWERS = frozenset(
    {
        ErrorCategory.TRUNCATED,
        ErrorCategory.INVALID_JSON,
        ErrorCategory.SCHEMA_VIOLATION,
        ErrorCategory.REFUSAL,
        ErrorCategory.EMPTY,
    }
)


def is_model_answer(generation: Generation) -> bool:
    return generation.error is None or generation.error.category in MODEL_ANSWERS


def backend_identity(backend: Backend) -> dict:
    """What besides the request decides a backend's output (model, server), for the cache key."""
    identity = getattr(backend, "identity", None)
    if callable(identity):
        return identity()
    return {key: getattr(backend, key) for key in ("model", "base_url", "request_shape") if hasattr(backend, key)}


def _replayed(stored: Generation) -> Generation:
    return dataclasses.replace(stored, cache_hit=True, latency_seconds=0.0, cost_usd=0.0)


def generation_json(generation: Generation) -> str:
    """A generation as a response entry holds it (the runner makes these where it scores)."""
    # Field by field, not dataclasses.asdict: asdict deep-copies the pydantic draft only for the
    # copy to be thrown away, which cost more than the rest of a cache write.
    data = {f.name: getattr(generation, f.name) for f in dataclasses.fields(generation)}
    data["draft"] = generation.draft.model_dump(mode="json") if generation.draft else None
    data["error"] = dataclasses.asdict(generation.error) if generation.error else None
    data["usage"] = dataclasses.asdict(generation.usage) if generation.usage else None
    return json.dumps(data, ensure_ascii=False)


def _generation_from_json(text: str) -> Generation:
    data = json.loads(text)
    error = data.pop("error")
    usage = data.pop("usage")
    draft = data.pop("draft")
    return Generation(
        draft=Draft.model_validate(draft) if draft is not None else None,
        error=GenerationError(ErrorCategory(error["category"]), error["message"]) if error else None,
        usage=Usage(**usage) if usage else None,
        **data,
    )
