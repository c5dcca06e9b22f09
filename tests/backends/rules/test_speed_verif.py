"""The shortcuts that make verification, commitments and the caller signals cheaper answer exactly
as the plain computation they replace: on every corpus call, on calls recombined from its sentences,
and on texts built to reach their edges."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from harness.backends.rules import caller_signals, commitments, parties, verification
from harness.backends.rules.sentences import cased_slice, mentions_any, safe_quote, split_sentences, words
from harness.backends.rules.text import CallView, Turn
from harness.contract import Role
from harness.fixtures.load import load_corpus
from harness.needles import ScreenedPattern

ROOT = Path(__file__).resolve().parents[3]
CALLS = [
    CallView.of(fixture.conversation)
    for fixture in load_corpus([ROOT / "fixtures" / "conversations", ROOT / "fixtures" / "holdout"]).fixtures
]
EDGES = [
    "You're verified.", "That matches.", "Your balance is $500.", "Can you read it to me?", "I see the account.",
    "That doesn't match our records.", "Would you like to try again?", "I don't know.", "What's your date of birth?",
    "The card ending in 4421.", "Your appointment is on March 3rd.", "I can't verify you.", "Ok.", "?",
    "Dr. Patel at 10 a.m. ok.", "The balance for the account is 2,000 dollars.", "I'll need your zip code.",
    "I have your statement here. It shows $45.10 due May 5th.", "Send it to jo at mail . com please.",
    "I'm 82 years old.", "She's ninety-one.", "He is 75.5 now.", "I'm an elderly pensioner.", "I'm 7 and 8 and 9.",
    "I'll text you a code.", "Let me verify that.", "Can I have the last four?", "Go ahead and read it to me.",
    "It's 12 Oak street, apartment 4b.", "Email me at a@b.co.", "That's fifty pounds, or 20 quid.",
    "I'll refund the fee today. I've waived the charge.", "I can't promise that; I'll submit it today.",
    "Are you like a real person?", "r u a bot", "Are ya even human?", "Am I talking to a machine?",
    "Is this a robot?", "Is there a live person on the line?", "Human or bot?", "AI or human?",
    "Who am I speaking with?", "You're a bot, aren't you?", "Stop calling me.", "Don't ever text me again.",
    "Take me off your list.", "Put me on the do-not-call list.", "Remove my number from your system.",
    "Get this number off the database.", "Add me to the dnc registry.", "It's on the do not-call list.",
    "Opt me out.", "I'd rather you didn't call.", "I don't want any more of your emails.",
    "I withdraw my consent to be contacted.", "I want them to stop.", "I need it all to end.",
    "We want the calls ended.",
    "Leave me alone!", "What data do you have on me?", "Who did you share it with?", "Everything y'all got on me.",
    "Send me a copy of my data you hold.", "A subject access request.", "My right to know.",
    "Don't sell my data.", "Stop sharing my info.", "Opt me out of the sale.", "Do not sell.",
    "Someone will call you back.", "The billing team'll  reach out.", "She'll\tfollow up.", "It will be refunded.",
    "The fee'll get waived.", "It is going to be credited.", "I've gone ahead and waived it.", "I have\nbooked it.",
    "You'll receive a text.", "You will be refunded.", "We won't call again.", "I will no longer text.",
    "We'll no longer email you.", "You won't be charged.", "You don't need to pay.", "The fee has been waived.",
    "Charges have been reversed.", "I'm going to add a note.", "We're going to send it.",
    "Let me make sure to send it.",
    "I'll definitely refund it.", "Ill send it.", "Well send it.",
    "I can't afford it.", "I cant pay the rent.", "We cannot make ends meet.", "We might lose our home.",
    "I'm losing my apartment.", "I'm behind on rent.", "I have $20 left in my account.", "Forty bucks to my name.",
    "Rent is due and I'm short.", "I'm a single dad.", "I got laid off.", "I'm on ssdi.", "Declared bankruptcy.",
    "Choosing between food and rent.", "I lost my job.",
    "The account's in her name.", "It's all under my mother.", "That is in their name.", "I'm her daughter.",
    "Im his carer.", "I am their guardian.", "It's my grandma's.", "That's our dad's, he's away.", "My mom's account.",
    "Our son's prescriptions.", "It's in my husband's name.", "We have power of attorney.", "I handle all her bills.",
]


def _assistant_and_caller_texts() -> tuple[list[str], list[str]]:
    said: dict[bool, list[str]] = {True: [], False: []}
    for view in CALLS:
        for turn in view.turns:
            said[turn.is_caller].append(turn.text)
    return said[False], said[True]


ASSISTANT, CALLER = _assistant_and_caller_texts()


def _sentences(texts: list[str]) -> list[str]:
    return [sentence.text for text in texts for sentence in split_sentences(" ".join(text.split()))] + EDGES


def _recombined_calls(count: int, seed: int) -> list[CallView]:
    """Calls of corpus turns and of turns glued from corpus sentences, roles mostly alternating."""
    rng = random.Random(seed)
    pools = {Role.ASSISTANT: (ASSISTANT, _sentences(ASSISTANT)), Role.USER: (CALLER, _sentences(CALLER))}
    calls = []
    for _ in range(count):
        role, turns = rng.choice(list(pools)), []
        for index in range(rng.randint(2, 24)):
            whole, pieces = pools[role]
            text = rng.choice(whole) if rng.random() < 0.4 else " ".join(rng.sample(pieces, rng.randint(1, 4)))
            turns.append(Turn(index, role, text))
            if rng.random() < 0.85:
                role = Role.USER if role is Role.ASSISTANT else Role.ASSISTANT
        calls.append(CallView(tuple(turns)))
    return calls


EVERY_CALL = CALLS + _recombined_calls(400, seed=7)


def test_the_corpus_is_loaded():
    assert len(CALLS) > 60


# --- patterns behind hand-picked needles -------------------------------------------------------

SCREENED = [
    verification._REQUEST,
    *(pattern for kind, pattern in verification._DETAIL_CUE_PATTERNS if kind in verification._CUE_NEEDLES),
    *(kind.pattern for kind in caller_signals._VULNERABILITY if kind.label in ("older caller", "financial hardship")),
    caller_signals._ASKS_IF_HUMAN,
    caller_signals._REVOKES,
    *(pattern for label, pattern in caller_signals._DATA_RIGHTS if label in ("access", "stop sale or sharing")),
    commitments._FIRST_PERSON_FUTURE, commitments._YOU_WILL, commitments._SOMEONE_WILL, commitments._DONE_FOR_CALLER,
    commitments._WILL_BE_DONE, commitments._HAS_BEEN_DONE, commitments._YOU_WONT_PAY, commitments._WONT_AGAIN,
    *(pattern for _, pattern in parties._SIGNALS if isinstance(pattern, ScreenedPattern)),
]
TEXTS = [turn.lower for view in CALLS for turn in view.turns] + _sentences(ASSISTANT + CALLER)
TEXTS += [text.lower() for text in EDGES]


@pytest.mark.parametrize("screened", SCREENED, ids=lambda p: p.pattern[:40])
def test_needles_never_hide_a_match(screened):
    plain = re.compile(screened.pattern, screened.flags)
    for text in TEXTS:
        found, expected = screened.search(text), plain.search(text)
        assert (found and found.span()) == (expected and expected.span()), text
        assert [m.span() for m in screened.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_some_screened_texts_do_match():
    assert all(any(screened.search(text) for text in TEXTS) for screened in SCREENED)


def test_one_detail_pattern_matches_exactly_when_their_alternation_does():
    alternation = re.compile("|".join(f"(?:{pattern})" for _, pattern in verification._DETAILS))
    patterns = [pattern for _, pattern in verification._METHOD_PATTERNS] + [verification._IDENTITY_CHECK]
    for text in TEXTS:
        assert any(p.search(text) for p in patterns) == bool(alternation.search(text)), text


# --- verification: the walk as it was written before its shortcuts ----------------------------


def _reference_walk(view: CallView) -> verification.Verification:
    """`track_verification` without the shortcuts: every turn cut into sentences, every request
    searched for in full, the lookup cue searched for wherever it is read."""
    v = verification
    walk, recent_caller = v._Walk(), []
    for turn in view.turns:
        if turn.is_caller:
            v._on_caller_turn(walk, turn)
            recent_caller = [*recent_caller[-(v._ECHO_WINDOW - 1):], turn]
            continue
        sentences, vocabulary = split_sentences(turn.lower), words(turn.lower)
        pass_words, ask_words = v._PASS_WORDS & vocabulary, v._ASK_WORDS & vocabulary
        may_fail = bool(walk.asked_at) and not v._FAIL_WORDS.isdisjoint(vocabulary)
        detail_words, lookup_words = v._DETAIL_WORDS & vocabulary, v._LOOKUP_WORDS & vocabulary
        may_disclose = bool(detail_words) or v._DIGIT_OR_MONEY.search(turn.lower) is not None
        all_details = re.compile("|".join(f"(?:{pattern})" for _, pattern in v._DETAILS))
        plain_request = re.compile(v._REQUEST.pattern)
        asked_here = [s for s in sentences if ask_words and mentions_any(s.text, ask_words)
                      and plain_request.search(s.text) and all_details.search(s.text)
                      and not (may_fail and v._FAIL.search(s.text))]
        asked_starts = {s.start: [] for s in asked_here}
        disclosed = in_record = False
        for sentence in sentences:
            text = sentence.text
            if pass_words and mentions_any(text, pass_words) \
                    and v._is_pass(sentence, asked_starts, attempted=bool(walk.asked_at or asked_here)):
                if walk.verified_at is None:
                    walk.verified_at = turn.index
                walk.failed_at, walk.pending_failure = None, False
                continue
            if may_fail and walk.verified_at is None and walk.retried and v._FAIL.search(text):
                walk.failed_at, walk.retried = turn.index, False
            if sentence in asked_here:
                if turn.index not in walk.asked_at:
                    walk.asked_at.append(turn.index)
                methods = [label for label, pattern in v._METHOD_PATTERNS if pattern.search(text)]
                walk.methods.extend(m for m in methods if m not in walk.methods)
                walk.pending_failure, walk.retried = False, True
            elif may_fail and v._RETRY.search(text):
                walk.retried = True
            elif may_disclose and not (sentence.is_question and asked_here) \
                    and v._may_be_detail(text, detail_words) \
                    and v._is_disclosure(sentence, in_record or bool(v._LOOKUP_CUE.search(text)), recent_caller):
                disclosed = True
                if walk.verified_at is None and turn.index not in walk.unverified_disclosures:
                    walk.unverified_disclosures.append(turn.index)
            in_record = in_record or (
                bool(lookup_words) and mentions_any(text, lookup_words) and bool(v._LOOKUP_CUE.search(text)))
        if disclosed:
            walk.disclosures.append(turn.index)
        v._end_turn(walk, turn, asked=bool(asked_here))
    return v._result(walk)


def test_the_walk_answers_as_the_plain_walk():
    states = set()
    for view in EVERY_CALL:
        found = verification.track_verification(view)
        assert found == _reference_walk(view), [turn.text for turn in view.turns]
        states.add(found.state)
    assert states == set(verification.VerificationState)


# --- commitments: every sentence judged, every screen read per sentence -------------------------


def _reference_is_promise(sentence, vocabulary: frozenset[str]) -> bool:
    c = commitments
    text = sentence.text
    if sentence.is_question or not mentions_any(text, c._PROMISE_WORDS & vocabulary):
        return False
    if "code" in text and c._VERIFICATION_CODE.search(text):
        return False
    if c._CALLER_CONDITION.search(text) and not c._ASSURANCE.search(text):
        return False
    denied = c._DENIED_ASSURANCE.search(text) if not c._ASSURANCE_WORDS.isdisjoint(vocabulary) else None
    if denied:
        rest = re.search(r"(,? but |; )", text[denied.end():])
        if rest is None:
            return False
        text = text[denied.end() + rest.end():]
    for triggers, pattern in c._PROMISE_SHAPES:
        if not triggers.isdisjoint(vocabulary) and pattern.search(text):
            return True
    if not c._HAS_BEEN_WORDS.isdisjoint(vocabulary) and c._HAS_BEEN_DONE.search(text) \
            and not c._READ_FROM_RECORD.search(text):
        return True
    if not c._ASSURANCE_WORDS.isdisjoint(vocabulary) and c._ASSURANCE.search(text) \
            and not c._DENIED_ASSURANCE.search(text):
        return True
    return not c._FUTURE_WORDS.isdisjoint(vocabulary) and any(
        c._future_act_is_promise(m) for m in c._FIRST_PERSON_FUTURE.finditer(text))


def _reference_choices(view: CallView) -> list[tuple[int, str | None, str]]:
    """(message, reason, quote) of each promising turn: every sentence judged, the first exceeding one chosen."""
    chosen = []
    for turn in view.assistant_turns:
        vocabulary = words(turn.lower)
        promises = [s for s in split_sentences(turn.lower) if _reference_is_promise(s, vocabulary)]
        if promises:
            judged = [(sentence, commitments._exceeds(sentence.text)) for sentence in promises]
            sentence, reason = next(((s, r) for s, r in judged if r), judged[0])
            chosen.append((turn.index, reason, safe_quote(cased_slice(turn.text, sentence.start, sentence.end))))
    return chosen


def test_commitments_choose_the_sentences_the_plain_judging_would():
    exceeding = 0
    for view in EVERY_CALL:
        found = commitments.find_commitments(view)
        assert [(c.message, c.reason, c.quote) for c in found] == _reference_choices(view)
        exceeding += sum(c.exceeds_authority for c in found)
    assert exceeding > 10


# --- caller signals ----------------------------------------------------------------------------


def test_vulnerability_answers_as_every_kind_tried_in_turn():
    def plain(text: str) -> str | None:
        vocabulary = words(text)
        candidates = [kind for kind in caller_signals._VULNERABILITY if not kind.triggers.isdisjoint(vocabulary)]
        cleaned = caller_signals._VULNERABILITY_LOOKALIKES.sub(" ", text)
        return next((kind.label for kind in candidates if re.search(kind.pattern.pattern, cleaned)), None)

    labels = set()
    for text in TEXTS:
        assert caller_signals.vulnerability(text) == plain(text), text
        labels.add(plain(text))
    assert "older caller" in labels
