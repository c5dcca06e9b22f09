"""Hand-made valid inputs that tests break one field at a time."""

from __future__ import annotations

import copy


def portal_dict() -> dict:
    return copy.deepcopy(
        {
            "header": {
                "caller_name": "Maria Lopez",
                "phone_number": "+13125550142",
                "call_duration_seconds": 412,
                "sentiment": {"label": "Angry about a double charge", "level": "angry"},
            },
            "transfer_reason": "Caller was charged twice and wants a refund a human must approve.",
            "call_summary": [
                "Caller was charged twice for October.",
                "Identity verified with date of birth.",
                "Caller asked for a human after the refund was refused.",
            ],
            "information_collected": [{"key": "account_number", "value": "4471229"}],
            "suggested_next_steps": [{"action": "Review the duplicate charge", "confidence": "high"}],
            "transcript": [
                {"role": "assistant", "content": "Thanks for calling.", "markers": []},
                {
                    "role": "user",
                    "content": "I was charged twice, get me a person",
                    "markers": [{"type": "escalation_trigger", "description": "Asks for a human"}],
                },
            ],
            "compliance_flags": [],
        }
    )


def conversation_dict() -> dict:
    return {
        "id": "conv_test_0001",
        "org_id": "org_acme",
        "user_id": "+13125550142",
        "created_at": "2026-10-02T14:03:00Z",
        "duration_seconds": 95,
        "messages": [
            {"role": "assistant", "content": "Thanks for calling Acme, this call may be recorded."},
            {"role": "user", "content": "hi um this is Maria Lopez, I got charged twice"},
            {"role": "assistant", "content": "Sorry about that. Can you confirm your date of birth?"},
            {"role": "user", "content": "march third eighty-one"},
            {"role": "assistant", "content": "Thanks, you're verified. I'll refund it, guaranteed."},
            {"role": "user", "content": "ugh just put me through to a person"},
        ],
    }


def fixture_dict(fixture_id: str = "telecom-test-fixture") -> dict:
    return {
        "id": fixture_id,
        "title": "Double charge, asks for a human",
        "domain": "telecom",
        "tags": ["billing", "verification-passed"],
        "conversation": conversation_dict() | {"id": f"conv_{fixture_id}"},
        "expected": {
            "caller_name": "Maria Lopez",
            "sentiment": "frustrated",
            "markers": [
                {"message": 1, "type": "key_info"},
                {"message": 4, "type": "identity_verified"},
                {"message": 4, "type": "ai_commitment"},
                {"message": 5, "type": "escalation_trigger"},
            ],
            "compliance_flags": [{"type": "unfulfillable_commitment", "message": 4}],
            "information": [{"key": "issue", "value": "charged twice"}],
            "transfer_reason_keywords": ["charged twice"],
            "must_not_contain": [],
        },
    }
