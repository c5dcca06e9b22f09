"""The shortcuts that make privacy, information and assembly cheaper answer exactly as the plain
computation they replace, on every corpus text (in several casings) and on texts built to reach
their edges."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from harness import privacy
from harness.backends.rules import _MARKER_PRIORITY, _capped
from harness.backends.rules.information import _LABEL, _LABELS, _key_for
from harness.backends.rules.text import MarkerFinding
from harness.brief import MAX_MARKERS, Draft, DraftMarker, assemble_portal
from harness.contract import AgentAssistPortal, Marker, MarkerType, TranscriptMessage
from harness.fixtures.load import load_corpus
from tests.backends.rules.calls import record

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [
    message.content
    for fixture in load_corpus([ROOT / "fixtures" / "conversations", ROOT / "fixtures" / "holdout"]).fixtures
    for message in fixture.conversation.messages
]
EDGES = [
    "",
    "Nine",
    "NINE one one",
    "26",
    "double",  # a repeater with nothing to repeat
    "double five",
    "one2 three",
    "someone phoned; no one else",
    "oh, I see",
    "five oh two",
    "it’s 4111 1111 1111 1111 — twelve twenty-seven",  # curly quote and dash: not ASCII
    "code ٣٤٥٦ please",  # digits that are not ASCII
    "order ٣٤٥ and 12",
    "İstanbul office, nine nine",  # a letter whose lower case is longer
    "\u212a is a Kelvin sign, one",
    "my password is hunter22",
    "the passcode was tangerine",  # a secret without a digit
    "cvv one two three, pin 4321, ssn 123-45-6789",
    "security code is 7 7 3, verification code 482913",
]


def cased(text: str) -> list[str]:
    return [text, text.upper(), text.lower(), text.title()]


TEXTS = [variant for text in [*MESSAGES, *EDGES] for variant in cased(text)]


def test_the_corpus_is_loaded():
    assert len(MESSAGES) > 1000


# --- digit runs ------------------------------------------------------------------------------

_PLAIN_HINT = re.compile("|".join([r"\d", *privacy._HINT_WORDS]))


def plain_digit_runs(text: str) -> tuple[privacy.DigitRun, ...]:
    """`digit_runs` without its shortcuts: `\\d` in the hint, every candidate tokenised."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    runs: list[privacy.DigitRun] = []
    position = 0
    while (hint := _PLAIN_HINT.search(lower, position)) is not None:
        candidate = privacy._CANDIDATE.match(lower, hint.start())
        if candidate is None:
            position = hint.start() + 1
            continue
        runs.extend(privacy._runs_in(list(privacy._TOKEN.finditer(text, candidate.start(), candidate.end()))))
        position = candidate.end()
    return tuple(runs)


def test_digit_runs_match_the_plain_reading_on_every_text():
    differing = [text for text in TEXTS if privacy.digit_runs(text) != plain_digit_runs(text)]
    assert differing == []


def test_digits_that_are_not_ascii_are_still_read():
    assert privacy.digit_runs("code ٣٤٥٦ please") == (privacy.DigitRun("٣٤٥٦", 5, 9),)


# --- sensitive findings ----------------------------------------------------------------------


def plain_find_sensitive(text: str) -> tuple[privacy.Finding, ...]:
    """`find_sensitive` without its shortcuts: no early return, every context tried on every run."""
    findings = list(privacy.find_card_numbers(text))
    taken = [(f.start, f.end) for f in findings]
    for match in privacy._SSN_WRITTEN.finditer(text):
        findings.append(privacy.Finding("ssn", "".join(match.groups()), match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for run in plain_digit_runs(text):
        if any(s < run.end and run.start < e for s, e in taken):
            continue
        before = text[max(0, run.start - privacy._CONTEXT_WINDOW) : run.start]
        for kind, context in privacy._CONTEXTS.items():
            if len(run.digits) in privacy._CODE_LENGTHS[kind] and context.search(before):
                findings.append(privacy.Finding(kind, run.digits, run.start, run.end))
                break
    for match in privacy._PASSWORD.finditer(text):
        findings.append(privacy.Finding("password", match.group(3), match.start(3), match.end(3)))
    return tuple(sorted(findings, key=lambda f: f.start))


def test_find_sensitive_matches_the_plain_search_on_every_text():
    differing = [text for text in TEXTS if privacy.find_sensitive(text) != plain_find_sensitive(text)]
    assert differing == []


def test_a_password_without_digits_is_still_found():
    assert privacy.find_sensitive("the passcode was tangerine") == (
        privacy.Finding("password", "tangerine", 17, 26),
    )


# --- identifier labels -----------------------------------------------------------------------


def plain_key_for(label: str) -> str:
    for pattern, key in _LABELS:
        if re.fullmatch(pattern, label, re.I):
            return key
    return "reference_number"


def test_label_keys_match_the_first_pattern_that_fits():
    labels = {match.group(1) for text in TEXTS for match in _LABEL.finditer(text)}
    labels |= {"Membership ID", "RX", "record locator", "medical record id", "License Plate", "nothing"}
    assert len(labels) > 40
    assert {label: _key_for(label) for label in labels} == {label: plain_key_for(label) for label in labels}


# --- markers capped before they are built ----------------------------------------------------


def plain_capped(markers: list[MarkerFinding]) -> list[DraftMarker]:
    """The draft's markers as they were: every finding built, then deduplicated and capped."""
    built = {(m.message, m.type): DraftMarker(message=m.message, type=m.type, description=m.description)
             for m in markers}.values()
    kept = sorted(built, key=lambda m: (_MARKER_PRIORITY[m.type], m.message))[:MAX_MARKERS]
    return sorted(kept, key=lambda m: (m.message, m.type.value))


def test_markers_are_capped_as_before_with_the_last_finding_of_a_kind_kept():
    types = [MarkerType.FRUSTRATION, MarkerType.KEY_INFO, MarkerType.SENTIMENT_SHIFT, MarkerType.ESCALATION_TRIGGER]
    markers = [MarkerFinding(i % 70, types[i % 4], f"finding {i}") for i in range(300)]
    kept = [DraftMarker(message=m.message, type=m.type, description=m.description) for m in _capped(markers)]
    assert len(kept) == MAX_MARKERS
    assert kept == plain_capped(markers)


# --- the portal is validated as a whole ------------------------------------------------------


def test_the_assembled_portal_holds_contract_models():
    conversation = record(("a", "Hi, how can I help?"), ("u", "my card is 4111 1111 1111 1111"))
    draft = Draft.model_validate({
        "caller_name": None,
        "sentiment": {"label": "Calm", "level": "calm"},
        "transfer_reason": "Card question.",
        "call_summary": ["One.", "Two.", "Three."],
        "information_collected": [],
        "suggested_next_steps": [{"action": "Help", "confidence": "low"}],
        "markers": [{"message": 1, "type": "key_info", "description": "Gives card 4111 1111 1111 1111"}],
        "compliance_flags": [],
    })
    portal = assemble_portal(conversation, draft).portal
    assert isinstance(portal, AgentAssistPortal)
    assert [type(m) for m in portal.transcript] == [TranscriptMessage, TranscriptMessage]
    assert portal.transcript[1].markers == [Marker(type=MarkerType.KEY_INFO, description="Gives card ****1111")]
    assert portal.transcript[1].content == "my card is ****1111"


def test_nothing_reaches_the_portal_unvalidated():
    conversation = record(("a", "Hi"), ("u", "hello"))
    valid = Draft.model_validate({
        "caller_name": None,
        "sentiment": {"label": "Calm", "level": "calm"},
        "transfer_reason": "Asked for a person.",
        "call_summary": ["One.", "Two.", "Three."],
        "information_collected": [],
        "suggested_next_steps": [{"action": "Help", "confidence": "low"}],
        "markers": [],
        "compliance_flags": [],
    })
    # a draft that skipped its own validation, with an empty marker description
    unchecked = valid.model_copy(update={"markers": [DraftMarker.model_construct(
        message=1, type=MarkerType.KEY_INFO, description="")]})
    with pytest.raises(ValidationError) as caught:
        assemble_portal(conversation, unchecked)
    assert "transcript.1.markers.0.description" in str(caught.value)
