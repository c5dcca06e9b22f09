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


class _TurnPattern:
    """A case-blind pattern searched in a turn's lower-cased text, behind the words every match
    holds. An ASCII turn (almost every one) without any of them as a word (`Turn.alnum_runs`,
    which the rules compute once per turn), or one of `substrings` as text, is skipped with one
    set test; on the others the pattern matches case exactly (`fastre.CaseBlind`). Another turn
    gets the pattern as written: the word screen holds for ASCII text only."""

    def __init__(self, pattern: str, words: str, substrings: tuple[str, ...] = ()) -> None:
        self.pattern = fastre.CaseBlind(pattern)
        self._words = frozenset(words.split())
        self._substrings = substrings

    def in_turn(self, turn: Turn) -> bool:
        lower = turn.lower
        screened_out = self._words.isdisjoint(turn.alnum_runs) and not any(s in lower for s in self._substrings)
        if screened_out and lower.isascii():
            return False
        return self.pattern.search(lower) is not None


_ASKS_FOR_HUMAN = _TurnPattern(
    r"\b(?:(?:real|live|actual|human) (?:person|human|agent|being|representative)|a human\b|human being|"
    r"(?:a|an|your|the|to a) (?:supervisor|manager|representative|rep|agent|operator|specialist|nurse|"
    r"pharmacist|doctor|adjuster|person)\b|someone (?:real|else|who can|in|from)|somebody (?:real|else|who can|"
    r"in|from)|speak (?:to|with) (?:a|an|some|your|the)|talk (?:to|with) (?:a|an|some|your|the|them)|"
    r"transfer me|put me (?:through|on to|onto)|connect me|escalate (?:this|it|me)|\boperator\b|"
    r"representative|get me (?:a|someone|somebody))",
    # a word each alternative starts with, or ends with before a word boundary; the bare
    # "representative" may go on ("representatives"): that one is looked for as text
    "real live actual human supervisor manager representative rep agent operator specialist nurse pharmacist "
    "doctor adjuster person someone somebody speak talk transfer put connect escalate get",
    substrings=("representative",),
)
_NEGATED_REQUEST = fastre.compile(
    r"\b(?:don't|do not|no need to|not) (?:need|want|have) to (?:speak|talk)\b", re.I
)
_LEAVING = fastre.compile(
    r"\b(?:cancel(?:ling|ing)? (?:my|the|everything|all)|close (?:my|the) account|switch(?:ing)? (?:to|providers?|"
    r"carriers?|banks?)|take my business|i'm done with you)\b",
    re.I,
)
_TRANSFER_ANNOUNCED = _TurnPattern(
    r"\b(?:transfer(?:ring)? you|connect(?:ing)? you|put(?:ting)? you through|hand(?:ing)? you (?:over|off)|"
    r"get(?:ting)? you (?:to|over to) (?:a|an|someone|somebody|the)|pass(?:ing)? you (?:to|over)|"
    r"a (?:colleague|specialist|team member|human|person|agent|representative) will (?:take|pick|be with|join)|"
    r"someone will be with you|bring(?:ing)? in a)\b",
    # each alternative's first word, or for "a ... will" the word after "a"
    "transfer transferring connect connecting put putting hand handing get getting pass passing colleague "
    "specialist team human person agent representative someone bring bringing",
)


@dataclass(frozen=True)
class Escalation:
    trigger: int | None  # caller message that triggered the handoff
    kind: str  # "asked for a human" | "threatened to leave" | "assistant transferred" | "none"
    quote: str | None
    transfer_announced_at: int | None


def find_escalation(view: CallView) -> Escalation:
    announced = next((t.index for t in view.assistant_turns if _TRANSFER_ANNOUNCED.in_turn(t)), None)
    for turn in view.caller_turns:
        if _ASKS_FOR_HUMAN.in_turn(turn) and not _NEGATED_REQUEST.search(turn.lower):
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
