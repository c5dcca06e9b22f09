"""The auth matrix of DESIGN.md §5, over HTTP, and the token format."""

import pytest

from harness.server.auth import Denial, authorise
from harness.server.tokens import hash_token, mint_token, parse_token, token_matches
from tests.server.world import NEWEST_A_DURATION, NUMBER, ORG_A, ORG_B, UK_NUMBER, UNKNOWN_NUMBER

BRIEF = "/core/agent-assist/{}"
WELL_FORMED_UNKNOWN = "ak_0123456789ab_" + "A" * 43


def get(client, number=NUMBER, headers=None):
    return client.get(BRIEF.format(number.replace("+", "%2B")), headers=headers or {})


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = get(client)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="handoff-harness"'
    assert response.json() == {"detail": "missing Authorization header; send 'Authorization: Bearer <token>'"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Token ak_0123456789ab_" + "A" * 43, "Bearer ak_short_x"],
)
def test_malformed_authorization_is_401(client, authorization):
    response = get(client, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="handoff-harness", error="invalid_token"'
    assert response.json()["detail"] == "malformed Authorization header; expected 'Bearer pat_…' or 'Bearer ak_…'"


def test_unknown_token_is_401(client, world):
    known = world.tokens["ak_alpha"]
    wrong_secret = known[:-1] + ("A" if known[-1] != "A" else "B")
    for token in (WELL_FORMED_UNKNOWN, wrong_secret, "pat" + known[2:]):
        response = get(client, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json() == {"detail": "unknown or revoked token"}
        assert "WWW-Authenticate" in response.headers


def test_token_without_the_scope_is_403_insufficient_scope(client, world):
    response = get(client, headers=world.auth("ak_alpha_no_scope"))
    assert response.status_code == 403
    assert response.json() == {"detail": "the token lacks the scope conversations:read_sensitive"}
    assert 'error="insufficient_scope", scope="conversations:read_sensitive"' in response.headers["WWW-Authenticate"]


def test_user_token_without_org_header_is_403(client, world):
    response = get(client, headers=world.auth("pat_alice"))
    assert response.status_code == 403
    assert "needs the X-Anyreach-Org header" in response.json()["detail"]


def test_user_token_for_an_organisation_of_someone_else_is_403(client, world):
    response = get(client, headers=world.auth("pat_alice", org=ORG_B))
    assert response.status_code == 403
    assert response.json() == {"detail": "the token's user does not belong to organisation 'org_beta'"}
    assert "WWW-Authenticate" not in response.headers


def test_org_key_with_a_conflicting_org_header_is_403(client, world):
    response = get(client, headers=world.auth("ak_alpha", org=ORG_B))
    assert response.status_code == 403
    assert "cannot act for another organisation" in response.json()["detail"]


def test_org_key_asking_for_another_orgs_number_looks_exactly_like_no_conversation(client, world):
    foreign = get(client, UK_NUMBER, headers=world.auth("ak_alpha"))
    absent = get(client, UNKNOWN_NUMBER, headers=world.auth("ak_alpha"))
    assert foreign.status_code == absent.status_code == 404
    assert foreign.content == absent.content == b'{"detail":"Not Found"}'
    assert dict(foreign.headers) == dict(absent.headers)
    assert get(client, UK_NUMBER, headers=world.auth("ak_beta")).status_code == 200


def test_valid_user_token_reads_its_organisations_newest_conversation(client, world):
    response = get(client, headers=world.auth("pat_alice", org=ORG_A))
    assert response.status_code == 200
    assert response.json()["header"]["call_duration_seconds"] == NEWEST_A_DURATION


@pytest.mark.parametrize("org_header", [None, ORG_A])
def test_valid_org_key_reads_its_organisations_newest_conversation(client, world, org_header):
    response = get(client, headers=world.auth("ak_alpha", org=org_header))
    assert response.status_code == 200
    assert response.json()["header"]["call_duration_seconds"] == NEWEST_A_DURATION


def test_auth_is_checked_before_the_number(client, world):
    assert get(client, "not-a-number").status_code == 401
    assert get(client, "not-a-number", headers=world.auth("pat_alice")).status_code == 403
    assert get(client, "not-a-number", headers=world.auth("ak_alpha")).status_code == 422


class Directory:
    def __init__(self, *records, members=()):
        self.records = {record.id: record for record in records}
        self.members = set(members)

    def token(self, token_id):
        return self.records.get(token_id)

    def is_member(self, user_id, org_id):
        return (user_id, org_id) in self.members


def test_authorise_decides_without_a_web_framework():
    key = mint_token("ak", ("conversations:read_sensitive",), org_id="org_x")
    user = mint_token("pat", ("conversations:read_sensitive",), user_id="u1")
    directory = Directory(key.record, user.record, members=[("u1", "org_y")])
    assert authorise(f"bearer {key.text}", None, directory).org_id == "org_x"  # the scheme is case-insensitive
    assert authorise(f"Bearer {user.text}", " org_y ", directory).org_id == "org_y"
    assert authorise(f"Bearer {user.text}", "", directory) == Denial(
        403,
        "a user token (pat_…) needs the X-Anyreach-Org header naming one of the user's organisations",
        None,
    )


def test_tokens_are_random_shaped_and_stored_only_as_a_hash():
    minted = mint_token("pat", ("conversations:read_sensitive",), user_id="alice")
    parsed = parse_token(minted.text)
    assert (parsed.kind, parsed.id) == ("pat", minted.record.id)
    assert minted.record.secret_sha256 == hash_token(minted.text) != minted.text
    assert minted.text not in repr(minted.record)
    assert token_matches(parsed, minted.record)
    assert not token_matches(parsed, None)
    assert mint_token("pat", ("a:b",), user_id="alice").text != minted.text


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("ak", {"user_id": "u"}, "an organisation key (ak) needs exactly one organisation and no user"),
        ("pat", {"org_id": "o"}, "a user token (pat) needs a user; its organisations are the user's memberships"),
        ("xx", {"org_id": "o"}, "token kind must be one of pat, ak, not 'xx'"),
    ],
)
def test_minting_refuses_inconsistent_tokens(kind, options, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        mint_token(kind, ("a:b",), **options)
