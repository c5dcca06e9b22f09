"""The `rules` backend: a deterministic, offline draft of the handoff brief, no model involved.

One module per phenomenon (names, sentiment, verification, third parties, commitments,
regulatory checks, information, escalation) feeds `draft_for`, which only composes. It is the
embedded default and the baseline every prompt has to beat.
"""

from __future__ import annotations

import json
import time

from harness.backends import register_backend
from harness.backends.base import Generation, GenerationRequest
from harness.backends.rules.commitments import commitment_markers, find_commitments
from harness.backends.rules.escalation import escalation_markers, find_escalation
from harness.backends.rules.information import extract_information, key_info_markers
from harness.backends.rules.names import caller_name
from harness.backends.rules.parties import detect_third_party
from harness.backends.rules.regulatory import compliance_flags
from harness.backends.rules.sentiment import read_sentiment, sentiment_markers
from harness.backends.rules.summary import Findings, call_summary, next_steps, transfer_reason
from harness.backends.rules.text import CallView, MarkerFinding
from harness.backends.rules.verification import identity_markers, track_verification
from harness.brief import MAX_INFORMATION, MAX_MARKERS, Draft
from harness.contract import MarkerType
from harness.conversations import ConversationRecord

RULES_MODEL = "rules"


def draft_for(conversation: ConversationRecord) -> Draft:
    view = CallView.of(conversation)
    verification = track_verification(view)
    third_party = detect_third_party(view)
    commitments = find_commitments(view)
    flags = compliance_flags(view, verification, third_party, commitments)
    facts = extract_information(view)
    sentiment = read_sentiment(view)
    escalation = find_escalation(view)
    findings = Findings(
        issue=next((f for f in facts if f.kind == "issue"), None),
        facts=facts,
        verification=verification,
        third_party=third_party,
        commitments=commitments,
        escalation=escalation,
        flags=flags,
        sentiment=sentiment,
    )
    markers = [
        *sentiment_markers(view, sentiment),
        *identity_markers(verification),
        *commitment_markers(commitments),
        *escalation_markers(escalation),
        *key_info_markers(facts, view),
    ]
    information = [{"key": f.key, "value": f.value} for f in _most_useful(facts)]
    if third_party is not None and third_party.holder_name:
        information.insert(0, {"key": "account_holder", "value": third_party.holder_name})
    # Written as data and validated once: pydantic-core builds the nested models in one call, in
    # about half the time of a constructor per marker and item.
    return Draft.model_validate(
        {
            "caller_name": caller_name(view),
            "sentiment": {"label": sentiment.label, "level": sentiment.level},
            "transfer_reason": transfer_reason(findings),
            "call_summary": call_summary(findings),
            "information_collected": information[:MAX_INFORMATION],
            "suggested_next_steps": next_steps(findings),
            "markers": [
                {"message": m.message, "type": m.type, "description": m.description} for m in _capped(markers)
            ],
            "compliance_flags": [
                {"type": f.type, "description": f.description, "message": f.message} for f in flags
            ],
        }
    )


# On a long call the draft's lists are capped (the same bounds a model gets): the markers a human
# agent needs most, and the identifiers before amounts, dates and contact details.
_MARKER_PRIORITY = {
    MarkerType.ESCALATION_TRIGGER: 0,
    MarkerType.IDENTITY_VERIFIED: 1,
    MarkerType.AI_COMMITMENT: 2,
    MarkerType.SENTIMENT_SHIFT: 3,
    MarkerType.KEY_INFO: 4,
    MarkerType.FRUSTRATION: 5,
}
_FACT_PRIORITY = {"issue": 0, "identifier": 1, "card_last4": 2, "amount": 3, "date": 4, "email": 5, "phone": 6}


def _capped(markers: list[MarkerFinding]) -> list[MarkerFinding]:
    """One marker per message and type (the last found), the most needed up to the cap, in message
    order. Capped before they become `DraftMarker`s: a long call finds several times the cap."""
    latest = {(m.message, m.type): m for m in markers}.values()
    kept = sorted(latest, key=lambda m: (_MARKER_PRIORITY[m.type], m.message))[:MAX_MARKERS]
    return sorted(kept, key=lambda m: (m.message, m.type.value))


def _most_useful(facts):
    ranked = sorted(enumerate(facts), key=lambda item: (_FACT_PRIORITY.get(item[1].kind, 9), item[0]))
    keep = {index for index, _ in ranked[:MAX_INFORMATION]}
    return [fact for index, fact in enumerate(facts) if index in keep]


@register_backend("rules")
class RulesBackend:
    """Deterministic and offline: the same conversation always gives the same draft."""

    def __init__(self, **options: object) -> None:
        if options:
            # --model/--base-url mean nothing here; saying so beats silently ignoring them.
            from harness.backends.base import BackendError

            raise BackendError(f"the rules backend takes no options (got {', '.join(sorted(options))})")

    async def generate(self, request: GenerationRequest) -> Generation:
        started = time.perf_counter()
        draft = draft_for(request.conversation)
        return Generation(
            draft=draft,
            raw_output=json.dumps(draft.model_dump(mode="json"), ensure_ascii=False),
            latency_seconds=time.perf_counter() - started,
            model=RULES_MODEL,
        )

    async def aclose(self) -> None:
        return None
