import pytest
from pydantic import ValidationError

from harness.contract import (
    COMPLIANCE_TAXONOMY,
    SENTIMENT_ORDER,
    UNKNOWN_CALLER,
    AgentAssistPortal,
    ComplianceType,
    SentimentLevel,
    Severity,
    severity_of,
)
from tests.factories import portal_dict


def rejection(data: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        AgentAssistPortal.model_validate(data)
    return str(caught.value)


def test_a_complete_brief_validates():
    portal = AgentAssistPortal.model_validate(portal_dict())
    assert portal.header.sentiment.level is SentimentLevel.ANGRY
    assert portal.transcript[1].markers[0].type == "escalation_trigger"


def test_two_summary_points_are_rejected():
    data = portal_dict()
    data["call_summary"] = data["call_summary"][:2]
    message = rejection(data)
    assert "call_summary" in message
    assert "at least 3 items" in message


def test_six_summary_points_are_rejected():
    data = portal_dict()
    data["call_summary"] = ["point"] * 6
    assert "at most 5 items" in rejection(data)


def test_four_next_steps_are_rejected():
    data = portal_dict()
    data["suggested_next_steps"] = [{"action": f"step {i}", "confidence": "low"} for i in range(4)]
    message = rejection(data)
    assert "suggested_next_steps" in message
    assert "at most 3 items" in message


def test_no_next_step_is_rejected():
    data = portal_dict()
    data["suggested_next_steps"] = []
    assert "at least 1 item" in rejection(data)


def test_unknown_sentiment_level_is_rejected():
    data = portal_dict()
    data["header"]["sentiment"]["level"] = "furious"
    message = rejection(data)
    assert "header.sentiment.level" in message
    assert "'calm', 'slightly_frustrated', 'frustrated', 'angry' or 'escalated'" in message


def test_marker_type_outside_the_enum_is_rejected():
    data = portal_dict()
    data["transcript"][1]["markers"][0]["type"] = "anger"
    message = rejection(data)
    assert "transcript.1.markers.0.type" in message
    assert "'frustration'" in message and "'sentiment_shift'" in message


def test_unknown_compliance_type_and_confidence_are_rejected():
    data = portal_dict()
    data["compliance_flags"] = [{"type": "gdpr", "description": "x"}]
    data["suggested_next_steps"][0]["confidence"] = "certain"
    message = rejection(data)
    assert "compliance_flags.0.type" in message
    assert "suggested_next_steps.0.confidence" in message


def test_unknown_keys_are_rejected_not_dropped():
    data = portal_dict()
    data["header"]["caller"] = "Maria"
    assert "header.caller" in rejection(data)


def test_empty_transfer_reason_is_rejected():
    data = portal_dict()
    data["transfer_reason"] = ""
    assert "transfer_reason" in rejection(data)


def test_caller_name_defaults_to_unknown_caller_and_duration_may_be_null():
    data = portal_dict()
    del data["header"]["caller_name"]
    data["header"]["call_duration_seconds"] = None
    header = AgentAssistPortal.model_validate(data).header
    assert header.caller_name == UNKNOWN_CALLER == "Unknown Caller"
    assert header.call_duration_seconds is None


def test_negative_duration_is_rejected():
    data = portal_dict()
    data["header"]["call_duration_seconds"] = -1
    assert "call_duration_seconds" in rejection(data)


def test_sentiment_levels_are_ordinal():
    assert [level.value for level in SENTIMENT_ORDER] == [
        "calm", "slightly_frustrated", "frustrated", "angry", "escalated",
    ]
    assert SentimentLevel.CALM.rank == 0 and SentimentLevel.ESCALATED.rank == 4


def test_taxonomy_severities_follow_the_design():
    critical = {t for t in ComplianceType if severity_of(t) is Severity.CRITICAL}
    assert critical == {
        ComplianceType.SENSITIVE_DATA_UNVERIFIED,
        ComplianceType.PAYMENT_CARD_DATA_EXPOSED,
        ComplianceType.THIRD_PARTY_DISCLOSURE,
        ComplianceType.UNFULFILLABLE_COMMITMENT,
        ComplianceType.MISSING_MINI_MIRANDA,
    }
    assert severity_of(ComplianceType.LEGAL_THREAT) is Severity.MINOR
    assert set(COMPLIANCE_TAXONOMY) == set(ComplianceType) and len(ComplianceType) == 11
