from pathlib import Path

import pytest

from harness.contract import ComplianceType, MarkerType, SentimentLevel
from harness.prompts import PromptError, find_prompt, list_prompts, parse_prompt
from tests.factories import conversation_dict

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts"

MINIMAL = """+++
id = "tiny"
version = "0.1.0"
description = "test"
[settings]
temperature = 0.5
+++
=== system ===
Write JSON.
=== user ===
{{ transcript }}
"""


def test_the_production_prompt_explains_every_vocabulary_item():
    prompt = find_prompt("handoff-brief", PROMPTS)
    text = prompt.system_template + prompt.user_template
    for item in [*MarkerType, *ComplianceType, *SentimentLevel]:
        assert item.value in text, item
    for section in ("caller_name", "transfer_reason", "call_summary", "information_collected",
                    "suggested_next_steps", "markers", "compliance_flags"):
        assert section in text
    assert "card" in text and "CVV" in text and "SSN" in text  # masking rules


def test_rendering_numbers_the_transcript_and_fills_every_placeholder():
    from harness.conversations import ConversationRecord

    prompt = find_prompt("handoff-brief", PROMPTS)
    messages = prompt.render(ConversationRecord.model_validate(conversation_dict()))
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "{{" not in messages[0]["content"] + messages[1]["content"]
    assert "[0] assistant: Thanks for calling Acme" in messages[1]["content"]
    assert "[5] caller: ugh just put me through to a person" in messages[1]["content"]
    assert "0 to 5" in messages[0]["content"]


def test_identity_changes_with_the_template_not_with_the_description():
    base = parse_prompt(MINIMAL)
    assert base.hash == parse_prompt(MINIMAL.replace('description = "test"', 'description = "other"')).hash
    assert base.hash != parse_prompt(MINIMAL.replace("Write JSON.", "Write JSON only.")).hash
    assert len(base.hash) == 12 and base.settings == {"temperature": 0.5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "must start with a '+++' line"),
        (MINIMAL.replace('id = "tiny"\n', ""), "needs a non-empty string 'id'"),
        (MINIMAL.replace("temperature", "temprature"), "unknown setting(s) ['temprature']"),
        (MINIMAL.replace("{{ transcript }}", "{{ transcrpt }}"), "unknown variable 'transcrpt'"),
        (MINIMAL.replace("{{ transcript }}", "nothing"), "no template uses {{ transcript }}"),
        (MINIMAL.replace("=== user ===\n", ""), "missing section(s) ['user']"),
        (MINIMAL.replace("+++\n===", "===", 1).replace("\n+++\n", "\n", 1), "not closed"),
    ],
)
def test_bad_prompt_files_get_one_clear_message(text, message):
    with pytest.raises(PromptError) as caught:
        parse_prompt(text, "bad.prompt")
    assert message in str(caught.value)
    assert str(caught.value).startswith("bad.prompt: ")


def test_find_by_id_version_or_path(tmp_path):
    (tmp_path / "a.prompt").write_text(MINIMAL)
    (tmp_path / "b.prompt").write_text(MINIMAL.replace("0.1.0", "0.2.0"))
    assert find_prompt("tiny", tmp_path).version == "0.2.0"
    assert find_prompt("tiny@0.1.0", tmp_path).version == "0.1.0"
    assert find_prompt(str(tmp_path / "a.prompt")).path == tmp_path / "a.prompt"
    with pytest.raises(PromptError, match=r"no prompt 'nope' in .* \(known: tiny@0.1.0, tiny@0.2.0\)"):
        find_prompt("nope", tmp_path)
    assert [p.id for p in list_prompts(tmp_path)] == ["tiny", "tiny"]
