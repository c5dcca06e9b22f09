"""The data every server test stands on: two organisations, one shared number, known tokens.

Org alpha has three conversations with NUMBER (the newest is `conv_a_newest`, duration 300);
org beta has a newer one with the same number and the only one with UK_NUMBER, so a lookup
that forgot the organisation, or the order, returns the wrong call. The bundled fixture corpus
is loaded too, for the portal test.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from harness.conversations import ConversationRecord
from harness.server.tokens import READ_SENSITIVE, mint_token
from harness.store.conversations import ConversationStore, LocatedRecord, read_sources
from tests.factories import conversation_dict

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = ROOT / "fixtures" / "conversations"
PORTAL_FIXTURE = FIXTURE_DIR / "banking-duplicate-hotel-charge-card-read-aloud.json"

ORG_A, ORG_B = "org_alpha", "org_beta"
NUMBER = "+13125550142"
UK_NUMBER = "+442079460123"
UNKNOWN_NUMBER = "+13125550199"
NEWEST_A_DURATION = 300


def record(conversation_id: str, org_id: str, number: str, created_at: str, duration: int) -> ConversationRecord:
    data = conversation_dict() | {
        "id": conversation_id,
        "org_id": org_id,
        "user_id": number,
        "created_at": created_at,
        "duration_seconds": duration,
    }
    return ConversationRecord.model_validate(data)


RECORDS = (
    record("conv_a_old", ORG_A, NUMBER, "2026-10-01T09:00:00Z", 100),
    record("conv_a_newest", ORG_A, NUMBER, "2026-10-03T09:00:00Z", NEWEST_A_DURATION),
    # 10:30 local is 08:30Z: later on the wall clock than the newest, earlier in time
    record("conv_a_offset", ORG_A, NUMBER, "2026-10-03T10:30:00+02:00", 200),
    record("conv_b_newer", ORG_B, NUMBER, "2026-10-05T09:00:00Z", 500),
    record("conv_b_uk", ORG_B, UK_NUMBER, "2026-10-04T09:00:00Z", 600),
)


@dataclass
class World:
    store_path: Path
    tokens: dict[str, str] = field(default_factory=dict)
    portal_org: str = ""
    portal_number: str = ""

    def auth(self, token_name: str, org: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[token_name]}"}
        if org is not None:
            headers["X-Anyreach-Org"] = org
        return headers


def build_world(directory: Path) -> World:
    """A fresh store file under `directory` with RECORDS, the fixture corpus and the tokens."""
    world = World(directory / "conversations.duckdb")
    fixtures, problems = read_sources([FIXTURE_DIR])
    assert not problems, problems
    portal = next(item.record for item in fixtures if item.where == str(PORTAL_FIXTURE))
    world.portal_org, world.portal_number = portal.org_id, portal.user_id
    specs = {
        "ak_alpha": ("ak", ORG_A, None, (READ_SENSITIVE,)),
        "ak_beta": ("ak", ORG_B, None, (READ_SENSITIVE,)),
        "ak_alpha_no_scope": ("ak", ORG_A, None, ("conversations:read",)),
        "ak_portal": ("ak", portal.org_id, None, (READ_SENSITIVE,)),
        "pat_alice": ("pat", None, "alice", (READ_SENSITIVE,)),
    }
    with ConversationStore.open(world.store_path) as store:
        assert store.load([*fixtures, *(LocatedRecord(f"world:{r.id}", r) for r in RECORDS)]) == []
        for name, (kind, org, user, scopes) in specs.items():
            minted = mint_token(kind, scopes, org_id=org, user_id=user)
            store.add_token(minted.record, memberships=[ORG_A] if kind == "pat" else [])
            world.tokens[name] = minted.text
    return world


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
