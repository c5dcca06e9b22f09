"""The reference endpoint: `GET /core/agent-assist/{phone_number}` and the portal page.

The brief is built on demand from the caller organisation's newest conversation with that
number, with the configured backend, and returned; nothing is stored or cached (two requests run
the analysis twice, responses say `Cache-Control: no-store`). The store is opened read-only.
A backend that produces no brief answers 502 (504 for a timeout) with a JSON body; its message
goes to the client that may read the call, and only the conversation id and error category go
to the log.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness import __version__
from harness.backends.base import Backend, ErrorCategory, ModelSettings
from harness.brief import AssemblyOptions, build_brief
from harness.contract import AgentAssistPortal
from harness.phone import InvalidPhoneNumber, normalise_phone
from harness.prompts import Prompt
from harness.server.auth import Caller, TokenSnapshot, require_caller
from harness.server.logs import install_access_log_masking, mask_path
from harness.server.portal import add_portal
from harness.store.conversations import ConversationStore, lookup_key

log = logging.getLogger("harness.server")

BRIEF_PATH = "/core/agent-assist/{phone_number}"
# The shape the spec documents and the server enforces before libphonenumber judges validity:
# '+' or '00', then digits with the separators people type. Letters (vanity numbers), which
# libphonenumber would read, are refused: a caller's number arrives from a phone system as digits.
NUMBER_PATTERN = r"^(\+|00)[0-9][0-9 ().\-]{5,30}$"
_NUMBER_SHAPE = re.compile(NUMBER_PATTERN)
MAX_ERROR_MESSAGE = 300
DEFAULT_ASSEMBLY = AssemblyOptions()  # the transcript is masked, as for `harness brief`


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong, in one sentence.")


class ModelFailure(BaseModel):
    detail: str = Field(description="Why no brief could be built.")
    category: str = Field(description="The backend's error category (timeout, rate_limit, invalid_json, ...).")


_ERRORS = {
    401: {"model": ErrorBody, "description": "Missing, malformed or unknown token (see WWW-Authenticate)."},
    403: {"model": ErrorBody, "description": "Token without the scope, or an organisation it may not act for."},
    404: {"model": ErrorBody, "description": "No conversation with this number in the caller's organisation."},
    422: {"model": ErrorBody, "description": "Not a valid phone number."},
    502: {"model": ModelFailure, "description": "The backend produced no brief."},
    504: {"model": ModelFailure, "description": "The backend timed out."},
}


def create_app(
    store_path: FilePath,
    backend_factory: Callable[[], Backend],
    prompt: Prompt,
    *,
    settings: ModelSettings | None = None,
    assembly: AssemblyOptions = DEFAULT_ASSEMBLY,
    brief_timeout_seconds: float = 120.0,
) -> FastAPI:
    """The app; the store is opened read-only and the backend created when it starts serving."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_access_log_masking()
        app.state.store = ConversationStore.open(store_path, read_only=True)
        try:
            app.state.tokens = TokenSnapshot.of(app.state.store)
            # Which conversation is each line's newest, read once: like the tokens, it cannot change
            # while the server holds the store (DuckDB keeps writers out), and it spares a join per
            # request (see harness/store/conversations.py). The conversation itself is read each time.
            app.state.newest_ids = app.state.store.newest_conversation_ids()
            app.state.backend = backend_factory()
            try:
                yield
            finally:
                await app.state.backend.aclose()
        finally:
            app.state.store.close()

    app = FastAPI(
        title="handoff-harness reference endpoint",
        version=__version__,
        description="Serves the AgentAssistPortal handoff brief for a caller's newest conversation.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads assets from a CDN; the spec is at /openapi.json
        redoc_url=None,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)

    @app.get(
        BRIEF_PATH,
        response_model=AgentAssistPortal,
        responses=_ERRORS,
        summary="The handoff brief of the caller's newest conversation",
        operation_id="get_agent_assist_brief",
        tags=["agent-assist"],
    )
    async def agent_assist_brief(
        phone_number: Annotated[
            str,
            Path(
                description="The caller's number: '+' (URL-encoded as %2B, or '00') and the country code, "
                "then the number; spaces, dashes, dots and parentheses are allowed. It must also be a valid "
                "number for its country, else 422.",
                examples=["+13125550142"],
                json_schema_extra={"pattern": NUMBER_PATTERN},
            ),
        ],
        caller: Annotated[Caller, Depends(require_caller)],
        request: Request,
    ) -> Response:
        number = _normalised(phone_number)
        started = time.perf_counter()
        conversation_id = request.app.state.newest_ids.get(lookup_key(caller.org_id, number))
        conversation = request.app.state.store.conversation(conversation_id) if conversation_id else None
        looked_up = time.perf_counter()
        if conversation is None:
            raise HTTPException(404, "Not Found")
        try:
            async with asyncio.timeout(brief_timeout_seconds):
                result = await build_brief(
                    conversation, request.app.state.backend, prompt, settings, options=assembly
                )
        except TimeoutError:
            return _model_failure(504, ErrorCategory.TIMEOUT, "no brief within the server's time limit",
                                  conversation.id)
        except Exception as exc:  # a backend bug must not become a stack trace for the client
            return _model_failure(502, ErrorCategory.BACKEND, f"the backend failed ({type(exc).__name__})",
                                  conversation.id)
        if result.portal is None:
            error = result.generation.error
            category = error.category if error else ErrorCategory.EMPTY
            status = 504 if category is ErrorCategory.TIMEOUT else 502
            return _model_failure(status, category, error.message if error else "no draft", conversation.id)
        built = time.perf_counter()
        timing = f"lookup;dur={(looked_up - started) * 1000:.2f}, brief;dur={(built - looked_up) * 1000:.2f}"
        return Response(
            result.portal.model_dump_json(),
            media_type="application/json",
            headers={"Server-Timing": timing},
        )

    add_portal(app)

    app.add_middleware(PrivateResponses)
    return app


def _normalised(raw: str) -> str:
    if not _NUMBER_SHAPE.fullmatch(raw):  # fullmatch: "$" would let a trailing newline through
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise HTTPException(
            422,
            f"{shown!r} is not a phone number: expected '+' (or 00), the country code and the number, "
            "using only digits, spaces, dashes, dots and parentheses, e.g. +13125550142",
        )
    try:
        return normalise_phone(raw)
    except InvalidPhoneNumber as exc:
        raise HTTPException(422, f"{exc}; send an E.164 number such as +13125550142") from None


def _model_failure(status: int, category: ErrorCategory, message: str, conversation_id: str) -> JSONResponse:
    log.warning("no brief for conversation %s: %s", conversation_id, category.value)
    message = message if len(message) <= MAX_ERROR_MESSAGE else message[: MAX_ERROR_MESSAGE - 1] + "…"
    body = ModelFailure(detail=f"the model produced no brief ({category.value}): {message}", category=category.value)
    return JSONResponse(body.model_dump(), status_code=status)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # One sentence like every other error body, not pydantic's list (the spec says ErrorBody).
    reasons = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
    return JSONResponse({"detail": reasons or "invalid request"}, status_code=422)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error on %s %s: %s", request.method, mask_path(request.url.path), type(exc).__name__)
    return JSONResponse({"detail": "internal error"}, status_code=500)


class PrivateResponses:
    """Headers on every response: a brief is sensitive and built fresh, so nothing may keep it."""

    HEADERS = (("cache-control", "no-store"), ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
