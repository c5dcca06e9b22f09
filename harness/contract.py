"""The brief contract: `AgentAssistPortal`, its parts, and the closed vocabularies.

This module is the single source of truth for DESIGN.md §1. It imports nothing from the
package so that every other part may import it. The JSON Schema in `schemas/` is generated
from these models (`harness schema export`) and a test fails when the two drift apart.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

UNKNOWN_CALLER = "Unknown Caller"

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)]


class SentimentLevel(StrEnum):
    """Caller sentiment, declared in ordinal order (calm is lowest)."""

    CALM = "calm"
    SLIGHTLY_FRUSTRATED = "slightly_frustrated"
    FRUSTRATED = "frustrated"
    ANGRY = "angry"
    ESCALATED = "escalated"

    @property
    def rank(self) -> int:
        return SENTIMENT_ORDER.index(self)


SENTIMENT_ORDER: tuple[SentimentLevel, ...] = tuple(SentimentLevel)


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class MarkerType(StrEnum):
    FRUSTRATION = "frustration"
    IDENTITY_VERIFIED = "identity_verified"
    AI_COMMITMENT = "ai_commitment"
    ESCALATION_TRIGGER = "escalation_trigger"
    KEY_INFO = "key_info"
    SENTIMENT_SHIFT = "sentiment_shift"


# Who normally says the message a marker sits on; a marker on the other speaker's message
# (an `ai_commitment` on a caller turn) is a labelling error the scorers count.
MARKER_SPEAKER: dict[MarkerType, Role] = {
    MarkerType.FRUSTRATION: Role.USER,
    MarkerType.IDENTITY_VERIFIED: Role.ASSISTANT,
    MarkerType.AI_COMMITMENT: Role.ASSISTANT,
    MarkerType.ESCALATION_TRIGGER: Role.USER,
    MarkerType.KEY_INFO: Role.USER,
    MarkerType.SENTIMENT_SHIFT: Role.USER,
}


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class ComplianceType(StrEnum):
    SENSITIVE_DATA_UNVERIFIED = "sensitive_data_unverified"
    PAYMENT_CARD_DATA_EXPOSED = "payment_card_data_exposed"
    THIRD_PARTY_DISCLOSURE = "third_party_disclosure"
    UNFULFILLABLE_COMMITMENT = "unfulfillable_commitment"
    MISSING_MINI_MIRANDA = "missing_mini_miranda"
    RECORDING_CONSENT_MISSING = "recording_consent_missing"
    AI_IDENTITY_NOT_DISCLOSED = "ai_identity_not_disclosed"
    CONSENT_REVOKED_IGNORED = "consent_revoked_ignored"
    DATA_RIGHTS_REQUEST = "data_rights_request"
    VULNERABILITY_INDICATOR = "vulnerability_indicator"
    LEGAL_THREAT = "legal_threat"


class ComplianceRule(NamedTuple):
    severity: Severity
    raise_when: str


COMPLIANCE_TAXONOMY: dict[ComplianceType, ComplianceRule] = {
    ComplianceType.SENSITIVE_DATA_UNVERIFIED: ComplianceRule(
        Severity.CRITICAL,
        "account, balance, health or personal details are disclosed, or sensitive data is taken, "
        "before the caller's identity is verified",
    ),
    ComplianceType.PAYMENT_CARD_DATA_EXPOSED: ComplianceRule(
        Severity.CRITICAL,
        "a full card number, CVV/CVC or PIN is spoken or typed in the AI channel (PCI DSS)",
    ),
    ComplianceType.THIRD_PARTY_DISCLOSURE: ComplianceRule(
        Severity.CRITICAL,
        "account details are discussed with someone who is not the verified account holder",
    ),
    ComplianceType.UNFULFILLABLE_COMMITMENT: ComplianceRule(
        Severity.CRITICAL,
        "the AI promises an outcome beyond its authority: a guaranteed refund, fee waiver, "
        "approval, deadline, credit-report change",
    ),
    ComplianceType.MISSING_MINI_MIRANDA: ComplianceRule(
        Severity.CRITICAL,
        'a debt-collection call lacks the "attempt to collect a debt" disclosure (FDCPA)',
    ),
    ComplianceType.RECORDING_CONSENT_MISSING: ComplianceRule(
        Severity.MAJOR,
        "the call is recorded and no recording notice or consent is given",
    ),
    ComplianceType.AI_IDENTITY_NOT_DISCLOSED: ComplianceRule(
        Severity.MAJOR,
        "the caller asks whether they are talking to a person and the AI denies or evades",
    ),
    ComplianceType.CONSENT_REVOKED_IGNORED: ComplianceRule(
        Severity.MAJOR,
        "the caller says stop calling/texting/contacting and the AI does not acknowledge it",
    ),
    ComplianceType.DATA_RIGHTS_REQUEST: ComplianceRule(
        Severity.MAJOR,
        "the caller asks to access, delete or stop the sale of their data",
    ),
    ComplianceType.VULNERABILITY_INDICATOR: ComplianceRule(
        Severity.MAJOR,
        "bereavement, serious illness, financial hardship, distress or confusion that needs careful handling",
    ),
    ComplianceType.LEGAL_THREAT: ComplianceRule(
        Severity.MINOR,
        "the caller mentions a lawyer, lawsuit, regulator or formal complaint",
    ),
}


def severity_of(flag_type: ComplianceType) -> Severity:
    return COMPLIANCE_TAXONOMY[flag_type].severity


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must never silently drop a field."""

    model_config = ConfigDict(extra="forbid")


class Sentiment(_Strict):
    label: NonEmptyText = Field(description="Human-readable sentiment, e.g. 'Angry about a double charge'.")
    level: SentimentLevel


class Header(_Strict):
    caller_name: NonEmptyText = Field(
        default=UNKNOWN_CALLER, description=f"The caller's name, '{UNKNOWN_CALLER}' when not found."
    )
    phone_number: NonEmptyText
    call_duration_seconds: int | None = Field(ge=0, description="Null when the record has none.")
    sentiment: Sentiment


class InformationItem(_Strict):
    key: NonEmptyText
    value: NonEmptyText


class NextStep(_Strict):
    action: NonEmptyText
    confidence: Confidence


class Marker(_Strict):
    type: MarkerType
    description: NonEmptyText


class TranscriptMessage(_Strict):
    role: Role
    content: str
    markers: list[Marker] = Field(default_factory=list)


class ComplianceFlag(_Strict):
    type: ComplianceType
    description: NonEmptyText


class AgentAssistPortal(_Strict):
    """The one-screen handoff brief a human agent receives (DESIGN.md §1)."""

    model_config = ConfigDict(extra="forbid", title="AgentAssistPortal")

    header: Header
    transfer_reason: NonEmptyText = Field(description="Concise reason the call needs a human.")
    call_summary: list[NonEmptyText] = Field(min_length=3, max_length=5)
    information_collected: list[InformationItem]
    suggested_next_steps: list[NextStep] = Field(min_length=1, max_length=3)
    transcript: list[TranscriptMessage]
    compliance_flags: list[ComplianceFlag]
