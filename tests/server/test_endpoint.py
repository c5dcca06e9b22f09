"""GET /core/agent-assist/{phone_number}: selection, numbers, on-demand briefs, failures, the spec."""

import json
import logging

import jsonschema
import pytest

from harness.backends.base import ErrorCategory
from tests.server.conftest import CountingBackend, failing
from tests.server.world import NEWEST_A_DURATION, NUMBER, ROOT, file_digest

BRIEF = "/core/agent-assist/{}"


def brief(client, world, path_number, token="ak_alpha"):
    return client.get(BRIEF.format(path_number), headers=world.auth(token))


def test_the_newest_conversation_of_the_callers_organisation_is_served(client, world):
    # alpha has three calls with NUMBER (one with a +02:00 offset) and beta a newer one
    portal = brief(client, world, "%2B13125550142").json()
    assert portal["header"]["call_duration_seconds"] == NEWEST_A_DURATION
    assert portal["header"]["phone_number"] == NUMBER
    assert brief(client, world, "%2B13125550142", "ak_beta").json()["header"]["call_duration_seconds"] == 500


def test_the_response_is_a_valid_portal_and_never_cached(client, world):
    response = brief(client, world, "%2B13125550142")
    schema = json.loads((ROOT / "schemas" / "agent_assist_portal.schema.json").read_text())
    jsonschema.validate(response.json(), schema)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Server-Timing"].startswith("lookup;dur=")


@pytest.mark.parametrize(
    "path_number",
    ["%2B13125550142", "+13125550142", "%2B1%20312%20555%200142", "+1-312-555-0142", "%2B1%20(312)%20555-0142",
     "0013125550142"],
)
def test_numbers_are_normalised_to_e164(client, world, path_number):
    response = brief(client, world, path_number)
    assert response.status_code == 200
    assert response.json()["header"]["call_duration_seconds"] == NEWEST_A_DURATION


SHAPE = "expected '+' (or 00), the country code and the number, using only digits, spaces, dashes, dots and parentheses, e.g. +13125550142"


@pytest.mark.parametrize(
    ("path_number", "detail"),
    [
        ("abc", f"'abc' is not a phone number: {SHAPE}"),
        ("13125550142", f"'13125550142' is not a phone number: {SHAPE}"),
        ("%2B1-800-FLOWERS", f"'+1-800-FLOWERS' is not a phone number: {SHAPE}"),
        ("%2B13125550142%0A", f"'+13125550142\\n' is not a phone number: {SHAPE}"),
        ("%2B" + "1" * 45, f"'+{'1' * 36}...' is not a phone number: {SHAPE}"),
        ("%2B1555000", "'+1555000' is not a valid number for its country code; send an E.164 number such as +13125550142"),
        ("%2B999%20555%200142", "'+999 555 0142' is not a phone number: missing or unknown country code; send an E.164 number such as +13125550142"),
    ],
)
def test_a_malformed_number_is_422_with_a_clear_message(client, world, path_number, detail):
    response = brief(client, world, path_number)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_serving_changes_nothing_in_the_store_file(serve, world):
    before = file_digest(world.store_path)
    files_before = sorted(p.name for p in world.store_path.parent.iterdir())
    client = serve()
    for number in ("%2B13125550142", "%2B442079460123", "%2B13125550199", "abc"):
        brief(client, world, number)
    client.__exit__(None, None, None)
    assert file_digest(world.store_path) == before
    assert sorted(p.name for p in world.store_path.parent.iterdir()) == files_before  # no WAL or temp file


def test_every_request_runs_the_analysis_again(client, world):
    first = brief(client, world, "%2B13125550142")
    second = brief(client, world, "%2B13125550142")
    assert first.json() == second.json()
    assert client.backend.calls == 2
    brief(client, world, "%2B13125550199")  # no conversation: nothing to analyse
    assert client.backend.calls == 2


@pytest.mark.parametrize(
    ("category", "status"),
    [(ErrorCategory.TIMEOUT, 504), (ErrorCategory.RATE_LIMIT, 502), (ErrorCategory.INVALID_JSON, 502)],
)
def test_a_model_failure_is_a_clear_json_error(serve, world, category, status):
    client = serve(failing(category, "upstream said no"))
    response = brief(client, world, "%2B13125550142")
    assert response.status_code == status
    assert response.json() == {
        "detail": f"the model produced no brief ({category.value}): upstream said no",
        "category": category.value,
    }


def test_a_backend_that_raises_is_502_without_its_message_or_a_traceback(serve, world, caplog):
    client = serve(CountingBackend(raises=RuntimeError("maria lopez card 4111 1111 1111 1111")))
    with caplog.at_level(logging.WARNING):
        response = brief(client, world, "%2B13125550142")
    assert response.status_code == 502
    assert response.json() == {
        "detail": "the model produced no brief (backend): the backend failed (RuntimeError)",
        "category": "backend",
    }
    assert "4111" not in caplog.text and "Traceback" not in caplog.text
    assert "no brief for conversation conv_a_newest: backend" in caplog.text


def test_a_slow_backend_is_cut_off_with_504(serve, world):
    client = serve(CountingBackend(delay=1.0), brief_timeout_seconds=0.05)
    response = brief(client, world, "%2B13125550142")
    assert response.status_code == 504
    assert response.json()["category"] == "timeout"


def test_the_backend_is_closed_when_the_server_stops(serve):
    client = serve()
    client.__exit__(None, None, None)
    assert client.backend.closed


def test_openapi_describes_the_real_models_and_the_bearer_scheme(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/core/agent-assist/{phone_number}"]["get"]
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AgentAssistPortal"}
    assert {code: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for code, r in responses.items() if code != "200"} == {
        "401": "ErrorBody", "403": "ErrorBody", "404": "ErrorBody", "422": "ErrorBody",
        "502": "ModelFailure", "504": "ModelFailure",
    }
    assert operation["security"] == [{"BearerToken": []}]
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert [p["name"] for p in operation["parameters"]] == ["phone_number", "X-Anyreach-Org"]
    assert "/portal/agent-assist/{phone_number}" not in spec["paths"]  # a page, not an API
