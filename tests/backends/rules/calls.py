"""Hand-written calls for the rules' tests: a list of (speaker, text) pairs to a `CallView`."""

from __future__ import annotations

from harness.backends.rules.text import CallView
from harness.conversations import ConversationRecord

_ROLES = {"a": "assistant", "u": "user", "assistant": "assistant", "user": "user"}


def record(*turns: tuple[str, str]) -> ConversationRecord:
    """A valid conversation record; speakers are "a"/"assistant" and "u"/"user"."""
    return ConversationRecord.model_validate({
        "id": "conv_rules_test",
        "org_id": "org_test",
        "user_id": "+13125550142",
        "created_at": "2026-10-02T14:03:00Z",
        "duration_seconds": None,
        "messages": [{"role": _ROLES[speaker], "content": text} for speaker, text in turns],
    })


def call(*turns: tuple[str, str]) -> CallView:
    return CallView.of(record(*turns))
