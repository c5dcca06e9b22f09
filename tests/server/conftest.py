"""Fixtures for the endpoint: one store per session (the server only reads it) and apps over it."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from harness.backends import create_backend
from harness.backends.base import ErrorCategory, Generation, GenerationError, GenerationRequest
from harness.prompts import find_prompt
from harness.server.app import create_app
from tests.server.world import ROOT, World, build_world

PROMPT = find_prompt("handoff-brief", ROOT / "prompts")


class CountingBackend:
    """The rules backend, counting its calls; or a scripted failure instead of a draft."""

    name = "counting"

    def __init__(
        self, failure: GenerationError | None = None, raises: Exception | None = None, delay: float = 0.0
    ) -> None:
        self.calls = 0
        self.closed = False
        self._rules = create_backend("rules")
        self._failure, self._raises, self._delay = failure, raises, delay

    async def generate(self, request: GenerationRequest) -> Generation:
        self.calls += 1
        if self._delay:
            await asyncio.sleep(self._delay)
        if self._raises is not None:
            raise self._raises
        if self._failure is not None:
            return Generation(draft=None, raw_output=None, error=self._failure)
        return await self._rules.generate(request)

    async def aclose(self) -> None:
        self.closed = True


def failing(category: ErrorCategory, message: str) -> CountingBackend:
    return CountingBackend(failure=GenerationError(category, message))


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def serve(world):
    """`serve(backend, **options)` -> a started TestClient over the session's store."""
    clients: list[TestClient] = []

    def start(backend: CountingBackend | None = None, **options) -> TestClient:
        backend = backend or CountingBackend()
        client = TestClient(create_app(world.store_path, lambda: backend, PROMPT, **options))
        client.__enter__()
        client.backend = backend
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(serve) -> TestClient:
    return serve()


@pytest.fixture(scope="session")
def live(world):
    """Base URL of a real uvicorn server over the session's store, with the rules backend."""
    from tests.server.live import live_server

    with live_server(create_app(world.store_path, lambda: create_backend("rules"), PROMPT)) as url:
        yield url
