"""API tokens: their shape, minting and verification. Pure; no web framework.

A token reads `pat_<id>_<secret>` (a user's personal access token) or `ak_<id>_<secret>` (an
organisation's API key): `id` is 12 hex digits that find the stored row, `secret` is 32 random
bytes (base64url). The store keeps only the SHA-256 of the whole token. A fast unsalted hash is
right here because the secret is 256 bits from `secrets`: salts and slow hashes defend guessable
passwords against dictionary attacks, and no dictionary covers 2^256 values; a slow hash would
only make every request slower. The row is found by its public id, and the hash is compared with
`hmac.compare_digest`, so response time says nothing about how much of a secret was right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from harness.store.conversations import TokenRecord

READ_SENSITIVE = "conversations:read_sensitive"
TOKEN_KINDS = ("pat", "ak")
SCOPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*$")
_TOKEN = re.compile(r"^(pat|ak)_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# Compared against when no row exists, so an unknown id costs the same work as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class ParsedToken:
    kind: str
    id: str
    text: str


@dataclass(frozen=True)
class MintedToken:
    """A new token: `text` is shown to its owner once; `record` is what the store keeps."""

    text: str
    record: TokenRecord


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def mint_token(
    kind: str, scopes: tuple[str, ...], *, org_id: str | None = None, user_id: str | None = None
) -> MintedToken:
    """A fresh random token of `kind`; an `ak` carries `org_id`, a `pat` belongs to `user_id`."""
    if kind not in TOKEN_KINDS:
        raise ValueError(f"token kind must be one of {', '.join(TOKEN_KINDS)}, not {kind!r}")
    if kind == "ak" and (not org_id or user_id):
        raise ValueError("an organisation key (ak) needs exactly one organisation and no user")
    if kind == "pat" and (not user_id or org_id):
        raise ValueError("a user token (pat) needs a user; its organisations are the user's memberships")
    bad = [scope for scope in scopes if not SCOPE_PATTERN.match(scope)]
    if not scopes or bad:
        raise ValueError(f"scopes look like {READ_SENSITIVE!r}; got {', '.join(bad) or 'none'}")
    token_id = secrets.token_hex(6)
    text = f"{kind}_{token_id}_{secrets.token_urlsafe(32)}"
    record = TokenRecord(token_id, kind, hash_token(text), tuple(dict.fromkeys(scopes)), org_id, user_id)
    return MintedToken(text, record)


def parse_token(text: str) -> ParsedToken | None:
    """The token's kind and id, or None when `text` is not shaped like a token at all."""
    match = _TOKEN.match(text)
    if match is None:
        return None
    return ParsedToken(kind=match.group(1), id=match.group(2), text=text)


def token_matches(presented: ParsedToken, stored: TokenRecord | None) -> bool:
    """Constant-time check that `presented` is the token whose hash `stored` keeps."""
    expected = stored.secret_sha256 if stored is not None else _DUMMY_HASH
    same = hmac.compare_digest(hash_token(presented.text), expected)
    return same and stored is not None and stored.kind == presented.kind
