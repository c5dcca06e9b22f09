"""The prose of the brief, assembled from what the other rules found: an extractive summary in
call order, a transfer reason and the next steps, most urgent first. Pure and deterministic."""

from __future__ import annotations

from dataclasses import dataclass

from harness.backends.rules.commitments import Commitment
from harness.backends.rules.escalation import Escalation
from harness.backends.rules.information import Fact
from harness.backends.rules.parties import ThirdParty
from harness.backends.rules.sentences import short_quote
from harness.backends.rules.sentiment import SentimentReading
from harness.backends.rules.text import FlagFinding
from harness.backends.rules.verification import Verification, VerificationState
from harness.contract import ComplianceType, Confidence, NextStep

_MAX_SUMMARY = 5


@dataclass(frozen=True)
class Findings:
    """Everything the rules found in one call, handed to the writers below."""

    issue: Fact | None
    facts: list[Fact]
    verification: Verification
    third_party: ThirdParty | None
    commitments: list[Commitment]
    escalation: Escalation
    flags: list[FlagFinding]
    sentiment: SentimentReading


def call_summary(found: Findings) -> list[str]:
    points: list[tuple[int, str]] = []
    if found.issue is not None:
        points.append((found.issue.message, f"Caller: “{found.issue.value}”"))
    if found.third_party is not None:
        who = found.third_party.relationship or "someone else"
        holder = f" ({found.third_party.holder_name})" if found.third_party.holder_name else ""
        points.append(
            (found.third_party.message, f"Caller is acting for the account holder, their {who}{holder}.")
        )
    verification = _verification_sentence(found.verification)
    if verification:
        points.append(verification)
    # Promises beyond authority first: those are what the agent must deal with.
    for commitment in sorted(found.commitments, key=lambda c: not c.exceeds_authority)[:2]:
        points.append((commitment.message, f"Assistant: {commitment.description.rstrip('.')}."))
    if found.escalation.trigger is not None and found.escalation.quote:
        points.append(
            (found.escalation.trigger, f"Caller {found.escalation.kind}: “{found.escalation.quote}”")
        )
    points.sort(key=lambda point: point[0])
    summary = [text for _, text in points][:_MAX_SUMMARY]
    for filler in _fillers(found):
        if len(summary) >= 3:
            break
        if filler not in summary:
            summary.append(filler)
    return summary


def _verification_sentence(verification: Verification) -> tuple[int, str] | None:
    state = verification.state
    if state is VerificationState.PASSED and verification.verified_at is not None:
        return verification.verified_at, "Identity verified by the assistant."
    if state is VerificationState.FAILED:
        at = (
            verification.failed_at
            if verification.failed_at is not None
            else (verification.asked_at or [0])[-1]
        )
        return at, "Identity verification failed."
    if state is VerificationState.SKIPPED:
        at = (verification.disclosures_before_verification or verification.disclosures or [0])[0]
        return at, "Account details were discussed without verifying the caller's identity."
    return None


def _fillers(found: Findings) -> list[str]:
    """Points that keep the summary at three items when the call had little in it."""
    fillers = []
    identifiers = [f for f in found.facts if f.kind in {"identifier", "amount", "date"}][:3]
    if identifiers:
        fillers.append(
            "Details given: " + "; ".join(f"{f.key.replace('_', ' ')} {f.value}" for f in identifiers) + "."
        )
    fillers.append(f"Caller sentiment at handoff: {found.sentiment.label}.")
    if found.flags:
        fillers.append(
            "Compliance concerns: "
            + ", ".join(sorted({f.type.value.replace("_", " ") for f in found.flags}))
            + "."
        )
    if found.issue is None:
        fillers.append("The caller said very little; the reason for the call is unclear.")
    fillers.append("No resolution was reached before the handoff.")
    return fillers


def transfer_reason(found: Findings) -> str:
    issue = _short_issue(found.issue)
    escalation = found.escalation
    if escalation.kind == "asked for a human":
        reason = f"Caller asked for a human agent about {issue}"
    elif escalation.kind == "threatened to leave":
        reason = f"Caller threatened to leave over {issue}"
    elif escalation.kind == "assistant transferred":
        reason = f"The assistant could not resolve {issue} and transferred the call"
    else:
        reason = f"Needs a human to resolve {issue}"
    risks = _critical_risks(found)
    if risks:
        reason += "; " + ", ".join(risks)
    return reason + "."


def _short_issue(issue: Fact | None, limit: int = 120) -> str:
    if issue is None:
        return "an unclear request"
    return f"“{short_quote(issue.value.rstrip(' .…'), limit)}”"


_RISK_WORDS = {
    ComplianceType.UNFULFILLABLE_COMMITMENT: "a promise the assistant could not make must be reviewed",
    ComplianceType.PAYMENT_CARD_DATA_EXPOSED: "card data was spoken in the AI channel",
    ComplianceType.SENSITIVE_DATA_UNVERIFIED: "details were shared before verification",
    ComplianceType.THIRD_PARTY_DISCLOSURE: "account details were discussed with a third party",
    ComplianceType.MISSING_MINI_MIRANDA: "the debt-collection disclosure was not given",
    ComplianceType.LEGAL_THREAT: "the caller raised legal action or a formal complaint",
    ComplianceType.CONSENT_REVOKED_IGNORED: "the caller's request to stop contact was not acknowledged",
    ComplianceType.DATA_RIGHTS_REQUEST: "the caller made a data-rights request",
    ComplianceType.VULNERABILITY_INDICATOR: "the caller may be vulnerable",
}


def _critical_risks(found: Findings) -> list[str]:
    present = {flag.type for flag in found.flags}
    return [words for flag_type, words in _RISK_WORDS.items() if flag_type in present][:2]


# (flag or condition, action, confidence), most urgent first
_STEPS: tuple[tuple[ComplianceType | str, str, Confidence], ...] = (
    ("verification_missing", "Verify the caller's identity before discussing the account.", Confidence.HIGH),
    (
        ComplianceType.PAYMENT_CARD_DATA_EXPOSED,
        "Do not repeat the card details; take any payment through the secure channel and log the exposure.",
        Confidence.HIGH,
    ),
    (
        ComplianceType.THIRD_PARTY_DISCLOSURE,
        "Confirm the caller's authority to act for the account holder before sharing more.",
        Confidence.HIGH,
    ),
    (
        ComplianceType.UNFULFILLABLE_COMMITMENT,
        "Review the assistant's promise and tell the caller honestly what can be offered.",
        Confidence.HIGH,
    ),
    (ComplianceType.CONSENT_REVOKED_IGNORED, "Record the caller's request to stop contact.", Confidence.HIGH),
    (
        ComplianceType.MISSING_MINI_MIRANDA,
        "Give the debt-collection disclosure before continuing.",
        Confidence.HIGH,
    ),
    (
        ComplianceType.DATA_RIGHTS_REQUEST,
        "Log the data request and route it to the privacy team.",
        Confidence.HIGH,
    ),
    (
        ComplianceType.VULNERABILITY_INDICATOR,
        "Handle with care: the caller may be vulnerable; offer support options.",
        Confidence.MEDIUM,
    ),
    (
        ComplianceType.LEGAL_THREAT,
        "Treat as a formal complaint and follow the complaints procedure.",
        Confidence.MEDIUM,
    ),
    (
        ComplianceType.AI_IDENTITY_NOT_DISCLOSED,
        "Tell the caller they are now speaking with a person; the assistant's identity was unclear.",
        Confidence.MEDIUM,
    ),
)


def next_steps(found: Findings) -> list[NextStep]:
    present: set[object] = {flag.type for flag in found.flags}
    if found.verification.state in (VerificationState.FAILED, VerificationState.SKIPPED):
        present.add("verification_missing")
    steps = [
        NextStep(action=action, confidence=confidence) for key, action, confidence in _STEPS if key in present
    ]
    issue = _short_issue(found.issue, limit=80)
    resolve = NextStep(
        action=f"Resolve the caller's issue: {issue}." if found.issue else "Ask the caller how you can help.",
        confidence=Confidence.MEDIUM if found.issue else Confidence.LOW,
    )
    # The caller's own problem always makes the list; compliance steps come first.
    return [*steps[:2], resolve]
