"""Draft -> AgentAssistPortal: transcript from the source, markers by index, header from the record."""

import pytest
from pydantic import ValidationError

from harness.brief import AssemblyOptions, Draft, assemble_portal
from harness.conversations import ConversationRecord
from tests.factories import conversation_dict


def draft_dict(**changes) -> dict:
    base = {
        "caller_name": "Maria Lopez",
        "sentiment": {"label": "Frustrated", "level": "frustrated"},
        "transfer_reason": "Wants a refund for a duplicate charge.",
        "call_summary": ["Charged twice.", "Verified.", "Asked for a person."],
        "information_collected": [{"key": "issue", "value": "charged twice"}],
        "suggested_next_steps": [{"action": "Refund the duplicate", "confidence": "high"}],
        "markers": [{"message": 5, "type": "escalation_trigger", "description": "asks for a person"}],
        "compliance_flags": [{"type": "unfulfillable_commitment", "description": "guaranteed refund", "message": 4}],
    }
    return base | changes


def assemble(draft: dict, conversation: dict | None = None, **options):
    record = ConversationRecord.model_validate(conversation or conversation_dict())
    return assemble_portal(record, Draft.model_validate(draft), AssemblyOptions(**options))


def test_the_portal_takes_transcript_and_header_from_the_record():
    assembled = assemble(draft_dict())
    portal = assembled.portal
    source = conversation_dict()
    assert [(m.role, m.content) for m in portal.transcript] == [(m["role"], m["content"]) for m in source["messages"]]
    assert portal.header.phone_number == "+13125550142"
    assert portal.header.call_duration_seconds == 95
    assert portal.header.caller_name == "Maria Lopez"
    assert [m.type for m in portal.transcript[5].markers] == ["escalation_trigger"]
    assert all(not m.markers for i, m in enumerate(portal.transcript) if i != 5)
    assert assembled.notes == ()


def test_no_name_becomes_unknown_caller_and_null_duration_stays_null():
    conversation = conversation_dict() | {"duration_seconds": None}
    portal = assemble(draft_dict(caller_name=None), conversation).portal
    assert portal.header.caller_name == "Unknown Caller"
    assert portal.header.call_duration_seconds is None
    assert assemble(draft_dict(caller_name="  ")).portal.header.caller_name == "Unknown Caller"


def test_out_of_range_and_duplicate_markers_are_reported_not_silently_lost():
    markers = [
        {"message": 5, "type": "frustration", "description": "a"},
        {"message": 5, "type": "frustration", "description": "again"},
        {"message": 6, "type": "key_info", "description": "past the end"},
        {"message": -1, "type": "key_info", "description": "before the start"},
    ]
    flags = [{"type": "legal_threat", "description": "mentions a lawyer", "message": 99}]
    assembled = assemble(draft_dict(markers=markers, compliance_flags=flags))
    assert [m.description for m in assembled.portal.transcript[5].markers] == ["a"]
    assert [(n.kind, n.detail) for n in assembled.notes] == [
        ("duplicate_marker", "markers[1] repeats frustration on message 5; kept the first"),
        ("marker_out_of_range", "markers[2] (key_info) points at message 6; the conversation has 0..5; dropped"),
        ("marker_out_of_range", "markers[3] (key_info) points at message -1; the conversation has 0..5; dropped"),
        ("flag_message_out_of_range", "compliance_flags[0] (legal_threat) cites message 99; the conversation has 0..5"),
    ]
    assert [f.type for f in assembled.portal.compliance_flags] == ["legal_threat"]


def test_secrets_in_generated_fields_are_masked_and_reported():
    draft = draft_dict(
        transfer_reason="Caller read card 4111 1111 1111 1111 and CVV 123 aloud",
        information_collected=[{"key": "ssn", "value": "123-45-6789"}],
    )
    assembled = assemble(draft)
    assert assembled.portal.transfer_reason == "Caller read card ****1111 and CVV [CVV] aloud"
    assert assembled.portal.information_collected[0].value == "***-**-6789"
    assert sorted(n.detail for n in assembled.notes) == [
        "card_number masked in transfer_reason",
        "cvv masked in transfer_reason",
        "ssn masked in information_collected[0]",
    ]


def test_transcript_masking_is_a_setting():
    conversation = conversation_dict()
    conversation["messages"][3]["content"] = "my card is 4111 1111 1111 1111"
    masked = assemble(draft_dict(), conversation).portal.transcript[3].content
    raw = assemble(draft_dict(), conversation, mask_transcript=False).portal.transcript[3].content
    assert masked == "my card is ****1111"
    assert raw == "my card is 4111 1111 1111 1111"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"call_summary": ["one", "two"]}, "call_summary"),
        ({"suggested_next_steps": [{"action": f"s{i}", "confidence": "low"} for i in range(4)]}, "suggested_next_steps"),
        ({"markers": [{"message": 1, "type": "anger", "description": "x"}]}, "markers.0.type"),
        # an empty bullet (SmolLM2 writes them) is a schema violation here, not a crash in assembly
        ({"call_summary": ["one", "", "three"]}, "call_summary.1"),
    ],
)
def test_a_draft_outside_the_contract_is_rejected(change, where):
    with pytest.raises(ValidationError) as caught:
        Draft.model_validate(draft_dict(**change))
    assert where in str(caught.value)
