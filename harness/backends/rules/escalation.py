"""Why the call reaches a human: the caller's request, an ultimatum, or the assistant giving up.

The trigger is the caller turn that sets off the handoff: the first explicit request for a person
(however it is phrased: "operator", "someone who can actually do something", "a human being"),
else a threat to leave, else the caller turn just before the assistant announces the transfer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import fastre
from harness.backends.rules.sentences import short_quote
from harness.backends.rules.text import CallView, MarkerFinding, Turn
from harness.contract import MarkerType, Role

_ASKS_FOR_HUMAN = fastre.compile(
    r"\b(?:(?:real|live|actual|human) (?:person|human|agent|being|representative)|a human\b|human being|"
    r"(?:a|an|your|the|to a) (?:supervisor|manager|representative|rep|agent|operator|specialist|nurse|"
    r"pharmacist|doctor|adjuster|person)\b|someone (?:real|else|who can|in|from)|somebody (?:real|else|who can|"
    r"in|from)|speak (?:to|with) (?:a|an|some|your|the)|talk (?:to|with) (?:a|an|some|your|the|them)|"
    r"transfer me|put me (?:through|on to|onto)|connect me|escalate (?:this|it|me)|\boperator\b|"
    r"representative|get me (?:a|someone|somebody))",
    re.I,
)
_NEGATED_REQUEST = fastre.compile(
    r"\b(?:don't|do not|no need to|not) (?:need|want|have) to (?:speak|talk)\b", re.I
)
_LEAVING = fastre.compile(
    r"\b(?:cancel(?:ling|ing)? (?:my|the|everything|all)|close (?:my|the) account|switch(?:ing)? (?:to|providers?|"
    r"carriers?|banks?)|take my business|i'm done with you)\b",
    re.I,
)
_TRANSFER_ANNOUNCED = fastre.compile(
    r"\b(?:transfer(?:ring)? you|connect(?:ing)? you|put(?:ting)? you through|hand(?:ing)? you (?:over|off)|"
    r"get(?:ting)? you (?:to|over to) (?:a|an|someone|somebody|the)|pass(?:ing)? you (?:to|over)|"
    r"a (?:colleague|specialist|team member|human|person|agent|representative) will (?:take|pick|be with|join)|"
    r"someone will be with you|bring(?:ing)? in a)\b",
    re.I,
)


@dataclass(frozen=True)
class Escalation:
    trigger: int | None  # caller message that triggered the handoff
    kind: str  # "asked for a human" | "threatened to leave" | "assistant transferred" | "none"
    quote: str | None
    transfer_announced_at: int | None


def find_escalation(view: CallView) -> Escalation:
    announced = next((t.index for t in view.assistant_turns if _TRANSFER_ANNOUNCED.search(t.lower)), None)
    for turn in view.caller_turns:
        if _ASKS_FOR_HUMAN.search(turn.lower) and not _NEGATED_REQUEST.search(turn.lower):
            return Escalation(turn.index, "asked for a human", _quote(turn), announced)
    for turn in view.caller_turns:
        if _LEAVING.search(turn.lower):
            return Escalation(turn.index, "threatened to leave", _quote(turn), announced)
    if announced is not None:
        before = view.previous_turn(announced, Role.USER)
        if before is not None:
            return Escalation(before.index, "assistant transferred", _quote(before), announced)
    return Escalation(None, "none", None, announced)


def escalation_markers(escalation: Escalation) -> list[MarkerFinding]:
    if escalation.trigger is None:
        return []
    return [MarkerFinding(escalation.trigger, MarkerType.ESCALATION_TRIGGER, escalation.kind.capitalize())]


def _quote(turn: Turn, limit: int = 120) -> str:
    from harness.privacy import mask_sensitive

    return short_quote(" ".join(mask_sensitive(turn.text)[0].split()), limit)
