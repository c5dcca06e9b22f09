"""The rules backend over the whole corpus: valid, deterministic, and honest about what it finds."""

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from harness.backends import create_backend
from harness.backends.base import BackendError, GenerationRequest
from harness.backends.rules import draft_for
from harness.brief import assemble_portal, build_brief
from harness.fixtures.load import load_corpus
from harness.prompts import find_prompt

ROOT = Path(__file__).resolve().parents[2]
CORPUS = load_corpus([ROOT / "fixtures" / "conversations"]).fixtures
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "agent_assist_portal.schema.json").read_text())
)


@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_every_fixture_yields_a_schema_valid_brief_identical_run_to_run(fixture):
    first = assemble_portal(fixture.conversation, draft_for(fixture.conversation)).portal.model_dump(mode="json")
    second = assemble_portal(fixture.conversation, draft_for(fixture.conversation)).portal.model_dump(mode="json")
    assert list(VALIDATOR.iter_errors(first)) == []
    assert first == second
    for must_not in fixture.expected.must_not_contain or []:
        generated = json.dumps({k: v for k, v in first.items() if k != "transcript"})
        assert must_not not in generated


def test_the_backend_runs_through_build_brief_with_the_registry():
    backend = create_backend("rules")
    prompt = find_prompt("handoff-brief", ROOT / "prompts")
    result = asyncio.run(build_brief(CORPUS[0].conversation, backend, prompt))
    assert result.portal is not None and result.generation.model == "rules"
    assert json.loads(result.generation.raw_output)["call_summary"] == result.portal.call_summary
    request = GenerationRequest(CORPUS[0].conversation, prompt)
    assert asyncio.run(backend.generate(request)).draft == result.generation.draft


def test_options_the_rules_backend_does_not_take_are_refused():
    with pytest.raises(BackendError, match=r"the rules backend takes no options \(got model\)"):
        create_backend("rules", model="gpt-4o")


def test_an_unknown_backend_names_the_choices():
    with pytest.raises(BackendError, match=r"unknown backend 'gpt'; choose one of: local, openai, rules"):
        create_backend("gpt")


def test_a_very_long_call_keeps_the_drafts_lists_within_their_bounds():
    from harness.brief import MAX_INFORMATION, MAX_MARKERS

    messages = [m for fixture in CORPUS for m in fixture.conversation.messages][:400]
    long_call = CORPUS[0].conversation.model_copy(update={"messages": messages})
    draft = draft_for(long_call)
    assert len(draft.markers) == MAX_MARKERS and len(draft.information_collected) == MAX_INFORMATION
    assert any(m.type == "escalation_trigger" for m in draft.markers)
    assert list(VALIDATOR.iter_errors(assemble_portal(long_call, draft).portal.model_dump(mode="json"))) == []
