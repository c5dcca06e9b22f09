"""Who is asking, and for which organisation (DESIGN.md §5).

`Authorization: Bearer <token>` with scope `conversations:read_sensitive`. A user token (`pat_…`)
also needs `X-Anyreach-Org` naming an organisation its user belongs to; an organisation key
(`ak_…`) carries its organisation, and a header naming another one is refused rather than
ignored, so a caller never believes it reads org B while reading org A.

401 (with `WWW-Authenticate: Bearer`): no token, a malformed one, an unknown one.
403: a token without the scope, a user token without or outside an organisation, a key with a
conflicting header. `authorise` is the pure decision; `require_caller` adapts it to FastAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Header, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from harness.server.tokens import READ_SENSITIVE, parse_token, token_matches
from harness.store.conversations import TokenRecord

ORG_HEADER = "X-Anyreach-Org"
REALM = 'Bearer realm="handoff-harness"'


class TokenDirectory(Protocol):
    def token(self, token_id: str) -> TokenRecord | None: ...

    def is_member(self, user_id: str, org_id: str) -> bool: ...


class TokenSnapshot:
    """Every token and membership, read once when the server starts.

    Safe because the server holds the store read-only and DuckDB locks writers out meanwhile:
    the tables cannot change under it (a new token needs a restart either way). It saves a
    DuckDB query on every request (~1 ms, measured)."""

    def __init__(self, tokens: list[TokenRecord], memberships: list[tuple[str, str]]) -> None:
        self._tokens = {token.id: token for token in tokens}
        self._memberships = frozenset(memberships)

    @classmethod
    def of(cls, store) -> TokenSnapshot:
        return cls(store.all_tokens(), store.all_memberships())

    def token(self, token_id: str) -> TokenRecord | None:
        return self._tokens.get(token_id)

    def is_member(self, user_id: str, org_id: str) -> bool:
        return (user_id, org_id) in self._memberships


@dataclass(frozen=True)
class Caller:
    """An authorised request: the organisation whose conversations it may read."""

    org_id: str
    token_kind: str
    token_id: str


@dataclass(frozen=True)
class Denial:
    status: int
    detail: str
    challenge: str | None  # the WWW-Authenticate value: every 401, and a 403 for a missing scope


def _unauthenticated(detail: str, error: str | None = "invalid_token") -> Denial:
    challenge = f'{REALM}, error="{error}"' if error else REALM
    return Denial(401, detail, challenge)


def _forbidden(detail: str, scope_missing: bool = False) -> Denial:
    # RFC 6750 §3.1: a token that lacks a scope is told which; an org refusal is no token problem.
    challenge = f'{REALM}, error="insufficient_scope", scope="{READ_SENSITIVE}"' if scope_missing else None
    return Denial(403, detail, challenge)


def authorise(authorization: str | None, org_header: str | None, directory: TokenDirectory) -> Caller | Denial:
    if authorization is None or not authorization.strip():
        return _unauthenticated("missing Authorization header; send 'Authorization: Bearer <token>'", error=None)
    scheme, _, credentials = authorization.strip().partition(" ")
    presented = parse_token(credentials.strip()) if scheme.lower() == "bearer" else None
    if presented is None:
        return _unauthenticated("malformed Authorization header; expected 'Bearer pat_…' or 'Bearer ak_…'")
    stored = directory.token(presented.id)
    if not token_matches(presented, stored):
        return _unauthenticated("unknown or revoked token")
    if READ_SENSITIVE not in stored.scopes:
        return _forbidden(f"the token lacks the scope {READ_SENSITIVE}", scope_missing=True)
    org = (org_header or "").strip() or None
    if stored.kind == "ak":
        if org is not None and org != stored.org_id:
            return _forbidden(f"this organisation key cannot act for another organisation; drop {ORG_HEADER}")
        return Caller(stored.org_id, stored.kind, stored.id)
    if org is None:
        return _forbidden(f"a user token (pat_…) needs the {ORG_HEADER} header naming one of the user's organisations")
    if not directory.is_member(stored.user_id, org):
        return _forbidden(f"the token's user does not belong to organisation {org!r}")
    return Caller(org, stored.kind, stored.id)


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="BearerToken",
    bearerFormat="pat_<id>_<secret> or ak_<id>_<secret>",
    description=f"A user token (pat_…, with {ORG_HEADER}) or an organisation key (ak_…); "
    f"scope {READ_SENSITIVE} required.",
)


async def require_caller(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    org: Annotated[
        str | None,
        Header(
            alias=ORG_HEADER,
            description="The organisation to act for: required with a user token (pat_…); with an "
            "organisation key (ak_…) it may only repeat the key's own organisation.",
        ),
    ] = None,
) -> Caller:
    # The raw header, not `_credentials`: HTTPBearer folds "malformed" into "missing".
    outcome = authorise(request.headers.get("authorization"), org, request.app.state.tokens)
    if isinstance(outcome, Denial):
        headers = {"WWW-Authenticate": outcome.challenge} if outcome.challenge else None
        raise HTTPException(outcome.status, outcome.detail, headers=headers)
    return outcome
