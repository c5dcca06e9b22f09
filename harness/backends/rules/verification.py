"""Identity verification: did the assistant check who it was talking to before discussing the account?

A small state machine walks the assistant's sentences in call order. It knows four events:

- an *ask*: a request for a verification detail (date of birth, ZIP/postcode, last four of an SSN,
  a security answer, PIN, password, a one-time code, "verify your identity" ...);
- a *pass*: the assistant says the check succeeded ("you're verified", "that matches");
- a *fail*: the assistant says it did not ("that doesn't match our records", "I'm unable to
  verify you"), or the caller could not answer and no pass followed;
- a *disclosure*: the assistant states an account-specific fact (a balance, an appointment date,
  a medication, an address, "the card ending in ...") that the caller did not just say.

Disclosures made while the caller is not verified are what `sensitive_data_unverified` is about.
Sentences are walked in order, so "you're verified. Your balance is ..." in one turn is a pass
followed by a disclosure, and the disclosure is not counted against the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from harness import fastre
from harness.backends.rules.sentences import Sentence, mentions_any, split_sentences, words
from harness.backends.rules.text import CallView, MarkerFinding, Turn
from harness.contract import MarkerType
from harness.privacy import digit_runs


class VerificationState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # account-specific details came up, no verification was completed
    NOT_NEEDED = "not_needed"  # nothing account-specific happened


@dataclass(frozen=True)
class Verification:
    state: VerificationState
    verified_at: int | None = None  # the assistant message confirming success
    failed_at: int | None = None  # the assistant message where verification finally failed
    asked_at: list[int] = field(default_factory=list)
    disclosures_before_verification: list[int] = field(default_factory=list)
    # Every assistant message that discloses account details, verified or not: a third party on
    # the line makes even post-verification disclosures a problem.
    disclosures: list[int] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # the details asked for, in order ("date of birth")


# What an assistant asks for to verify, with the label used in descriptions. Lookup keys (an
# order or claim number) are not here: they find a record, they do not prove who is calling.
_DETAILS: tuple[tuple[str, str], ...] = (
    ("date of birth", r"date of birth|\bdob\b|birth ?date|birthday|\bborn\b"),
    ("ZIP/postcode", r"\bzip\b|zip ?code|post ?code|postal code"),
    ("SSN", r"social security|\bssn\b|\bsocial\b|\bsin\b|national insurance"),
    ("security question", r"security (question|answer)|mother'?s maiden|first (pet|school|car)|"
                          r"secret (question|answer)"),
    ("PIN", r"\bpin\b|passcode|pass code"),
    ("password", r"\bpassword\b|pass ?phrase"),
    # Not "security code": on a card that is the CVV, asked for a payment, not for verification.
    ("one-time code", r"(one[- ]time|verification|six[- ]digit|6[- ]digit) code|"
                      r"(texted|sent|send|text) (you |a )?(a )?[\w-]* ?code|read (it|the code|that) (back )?to me"),
    ("address", r"(street|home|mailing|billing|service|property|current) address|address (on|we have on) "
                r"(file|the account)|first line of (your|the) address"),
    ("last four digits", r"last (four|4)( digits)?"),
    ("email on file", r"email( address)? (on|for|associated with|linked to) (the|your) (account|order|booking|"
                      r"policy|profile|file|reservation)"),
    ("phone on file", r"phone number (on|for) (the|your) (account|order|rental|file|profile|agreement|booking)"),
    ("member ID", r"member (id|number)|policy ?holder'?s full name"),
    ("identity check", r"verify (your|his|her|the account ?holder'?s|the policy ?holder'?s)? ?identity|"
                       r"confirm (your|his|her) identity|verify (you|it's you)|confirm (it's|that it's) you|"
                       r"(for|as a) security (check|purposes|reasons)?|for verification|to verify|"
                       r"make sure i'?m speaking (with|to)|confirm who i'?m speaking|to protect your "
                       r"(information|account|identity|privacy)"),
)
# The details that name a verification method; the last one, a general identity check, names none.
_METHOD_PATTERNS = tuple((label, fastre.compile(pattern)) for label, pattern in _DETAILS if label != "identity check")
_IDENTITY_CHECK = fastre.compile(dict(_DETAILS)["identity check"])



# A request, as opposed to a statement that merely mentions a detail ("born June 2nd, 1945").
_REQUEST = fastre.screened((
    "?", "can you", "could you", "would you", "will you", "please ", "what's", "whats", "what is", "may i ", "can i ",
    "need", "have to ", "let ", "go ahead and ", "to me", "last step", "to protect your", "text you", "send you",
    "email you"),
    r"\?|\b(can|could|would|will) you\b|\bplease (tell|give|confirm|provide|read|say|spell)|\bwhat'?s\b|"
    r"\bwhat is\b|\bmay i (have|get|take)|\bcan i (have|get|take)|\bi'?ll need\b|\bi need\b|\bi'?d need\b|"
    r"\bi (need|have) to (verify|confirm)|\blet (me|'?s) (verify|confirm)|\bgo ahead and (give|read|tell)|"
    r"\bread (it|that) to me|"
    r"\blast step\b|\bto protect your\b|\bi'?ll (text|send|email) you\b"
)

_NEGATION = r"(?<!\bnot )(?<!n't )(?<!\bnever )"
# An explicit statement that verification succeeded; stands even when another question follows.
_STRONG_PASS = fastre.compile(
    _NEGATION + r"\b(you'?re (all |now |fully )?(verified|confirmed|authenticated)|you(?: have|'ve) been "
    r"(successfully )?(verified|authenticated)|(got|have) you (all )?(verified|confirmed|authenticated)|"
    r"authenticat(ed|ion) (complete|successful|done)|(identity|account) (verified|confirmed|authenticated)\b|"
    r"that'?s you (verified|confirmed)|"
    r"you are (now )?verified|(your )?(identity|account) (has been |is |'s )(now )?(verified|confirmed)|"
    r"(i'?ve|i have) (been able to )?(verified|verify|confirmed) (you|your identity|your account|that it'?s you)|"
    r"verification (is |was )?(complete|successful|passed|done)|successfully verified|"
    r"that'?s (all )?(verified|confirmed)|(all|everything)'?s? (is )?(verified|confirmed))"
)
# A softer success ("that matches") only counts when no further verification step follows it.
_SOFT_PASS = fastre.compile(
    r"\b(that|this|everything|it all|all of that|those|both)( all| one)? (all )?(matches|match|checks out)\b|"
    r"(?<!n't )(?<!\bnot )\b(matches|match) (what we have|our records|the (account|order|booking|policy|file|"
    r"record|reservation|claim|case))|\bperfect,? (that'?s|you'?re) (all )?(set|good|confirmed)|"
    r"(?<!n't )(?<!\bnot )\bthat'?s (all )?(correct|right)\b|\bthat is (correct|right)\b"
)
# The assistant offers the caller another go at verification within this call.
_RETRY = fastre.compile(r"\btry(ing)? (again|once more|one more (time|way)|another (way|question|option)|"
                        r"a different)\b|"
                        r"\b(different|another) (security )?question\b|\bwould you like to try\b")
_CONDITION = fastre.compile(r"\b(once|when|after|until|if|unless|as soon as|before|can't|cannot|not)\b")
_FAIL = fastre.compile(
    r"\b(doesn'?t|does not|didn'?t|did not|don'?t|do not) (seem to )?(match|line up|check out|agree)|\bno match\b|"
    r"\b(isn'?t|is not|not) (matching|correct|right|what (we|i) have)|\bthat'?s (incorrect|not correct|not right|"
    r"wrong)|\bnot the (\w+ ){0,2}(we|i) have\b|\b(verification|authentication) (was )?(unsuccessful|not successful)|"
    r"\bwithout a match\b|"
    r"\b(not able|unable|wasn'?t able|was not able|couldn'?t|could not|can'?t|cannot) (to )?(verify|confirm) "
    r"(you|your identity|your account|the account|who|it'?s you|that|with)|"
    r"\b(verification|identity) (failed|was unsuccessful|couldn'?t be (completed|confirmed)|could not be completed)|"
    r"\b(unsuccessful|failed) (verification )?attempts?\b|\bcan'?t (access|discuss|go into|share) (the|your|this) "
    r"(account|claim|order|policy|details)[^.]*\b(without|until|after)\b|\bwithout verif(ying|ication)\b|"
    r"\bsince i (wasn'?t|was not|couldn'?t) (able to )?verify"
)
# A caller who cannot answer a verification question.
_CANNOT_ANSWER = fastre.compile(
    r"\b(i )?(don'?t|do not) (know|remember|have (it|that|one))\b|\bno idea\b|\bcan'?t remember\b|"
    r"\bnever (set|made|had) (up )?(a|any|one|it|that)\b|\bforgot\b"
)

# --- disclosures -------------------------------------------------------------------------------

def _any(words: str) -> str:
    """A non-capturing alternation of space-separated words ("a b_c" -> "(?:a|b c)")."""
    return "(?:" + "|".join(word.replace("_", " ") for word in words.split()) + ")"


_RECORDS = _any("account balance bill statement policy claim order booking reservation case record appointment "
                "prescription card loan plan line benefits? deposit payment refund lease unit rent mortgage visit "
                "test results? labs? membership subscription license licence vehicle registration flight delivery "
                "shipment package credit medication dose file ledger")
# The assistant looked something up: what follows in the same turn comes from the record too.
_LOOKUP_CUE = fastre.compile(
    r"\b(i (can )?see (?!what|why|how|where|if|whether|you|it's|that's|this is)\w+|i'?m (seeing|showing)|"
    r"i('ve| have)? (found|"
    r"located|pulled up)|(it|that|this|the system|our system|the \w+) (shows|showed|says)|showing|according to|"
    r"our records|records show|(on|in) (the )?file|ledger|placed with (us|our)|regarding a|"
    r"i have (the |your |an? )?(\w+ )?" + _RECORDS + r"|the " + _RECORDS + r" (for|shows|has|is|was|of|under|ending))\b"
)
_LOOKUP_WORDS = frozenset("""see seeing showing found located pulled shows showed says according records file
    ledger placed regarding have""".split())
# A fact about this caller's (or the holder's) record, recognisable within one sentence.
_FACT_CUE = fastre.compile(
    r"\b((your|his|her|their) (\w+ )?" + _RECORDS + r"|balance (is|of|was)|(this|the) account (is|was|has)|"
    r"is an? [\w\s'-]{0,40}(account|card|loan)|(she|he) (missed|had|has|was|is) |"
    r"(she's|he's|she is|he is|you're|you are) (on|taking|prescribed|scheduled|booked|due|overdue|enrolled)|"
    r"(you|she|he) (have|had|has|owe|owes|owed|missed|made|paid|were charged|was charged) (an?|the|two|three|"
    r"\d|[$£€])|(was|were) " + _any(
        "seen declined denied cancelled canceled issued closed charged placed sold received mailed shipped "
        "delivered picked_up booked rebooked increased lowered prescribed filled paid approved charged_off") + r")\b"
)
_MONTH = (r"(january|february|march|april|june|july|august|september|october|november|december|"
          r"(?:in|on|since|of|by) may|may (?=\d|\w+(th|st|nd|rd)\b)|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b")
_SPOKEN_DIGITS = r"(?:\d[\d\s,.-]*\d|\d|(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)[\s,-]*)+)"
_DETAIL_CUES: tuple[tuple[str, str], ...] = (
    ("amount", r"[$£€]\s?\d[\d,.]*|\b\d[\d,.]*\s?(dollars|pounds|euros|bucks|quid)\b|\b(dollars|pounds|euros|"
               r"cents|pence|bucks|quid)\b"),
    ("date", r"\b" + _MONTH + r"|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday)\b|"
             r"\b\d{1,2}(st|nd|rd|th)\b|\b\d{1,2}/\d{1,2}\b|\b\d{1,2}:\d{2}\b|\b[ap]\.m\.|\b(19|20)\d\d\b"),
    ("address", r"\b[a-z]+ (street|avenue|road|lane|drive|court|terrace|boulevard|crescent|parkway)\b|"
                r"\b(apartment|apt|unit|suite) [\w-]+\b|\b\w+ (at|@) [\w.]+ (dot|\.) (com|net|org|co)\b|\S+@\S+\.\w+"),
    ("ending digits", r"\b(ending|ends)( in| with)? " + _SPOKEN_DIGITS),
    ("health", r"\b(milligrams?|mg|mcg|dose|dosage|prescriptions?|medications?|refills?|diagnos\w+|lab (draw|work|"
               r"result)|blood (test|work|pressure|count|cells?)|white blood|labs?|chemo\w*|infusion|dialysis|"
               r"dr\. \w+|test results?|a1c|potassium|cholesterol|follow-?up|cardiology|"
               r"seen by|mri|x-ray|scan|surgery|therapy|treatment)\b"),
    ("account", r"\b(balance|past[- ]due|overdue|last payment|credit limit|transactions?|charges?|deposit|"
                r"premium|declined|denied|charged off|late fee|fee|benefits?|status|pending|no-show|settlement|"
                r"license|licence|rent|placed with)\b"),
)
# What every match of these cues holds (`fastre` finds no screen for them).
_CUE_NEEDLES = {
    "amount": ("$", "£", "€", "dollars", "pounds", "euros", "cents", "pence", "bucks", "quid"),
    "address": ("street", "avenue", "road", "lane", "drive", "court", "terrace", "boulevard", "crescent", "parkway",
                "apartment", "apt", "unit", "suite", "@", " dot ", " . "),
}
_DETAIL_CUE_PATTERNS = tuple(
    (kind, fastre.screened(_CUE_NEEDLES[kind], pattern) if kind in _CUE_NEEDLES else fastre.compile(pattern))
    for kind, pattern in _DETAIL_CUES
)
# Every detail cue contains a digit, a currency sign or one of these words.
_DETAIL_WORDS = frozenset("""dollars pounds euros cents pence bucks quid january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday
    wednesday thursday friday saturday sunday yesterday a.m p.m street avenue road lane drive court terrace
    boulevard crescent parkway apartment apt unit suite at dot ending ends milligrams milligram mg mcg dose dosage
    prescription prescriptions medication medications refill refills lab labs blood white chemo chemotherapy
    infusion dialysis dr test results result a1c potassium cholesterol follow-up followup cardiology seen mri x-ray
    scan surgery therapy treatment balance past-due past overdue last credit transaction transactions charge
    charges deposit premium declined denied charged late fee benefit benefits status pending no-show settlement
    license licence rent placed diagnosis diagnosed""".split())
_DIGIT_OR_MONEY = fastre.compile(r"[\d$£€@]")
# The details that make a question disclose something.
_QUESTION_DETAIL_KINDS = frozenset({"amount", "address", "ending digits", "health"})
# General statements about how things work are not about this caller's account.
_GENERAL = fastre.compile(r"\b(customers|people|members|usually|typically|generally|in general|normally|"
                      r"our (policy|process)|policies|can be|may be able|if you)\b")
_ECHO_WINDOW = 3  # caller turns back that an assistant "disclosure" may merely repeat


# Screens: a sentence can only pass, fail or ask if its turn has one of these words (each
# alternative of the patterns above contains at least one of them).
_PASS_WORDS = frozenset("""verified verify verification confirmed match matches checks check perfect authenticated
    authentication correct right""".split())
_FAIL_WORDS = frozenset("""match matches matched matching verify verified verification confirm line check agree
    unsuccessful successful failed attempt attempts without until try trying question not incorrect correct right
    wrong authentication""".split())
_ASK_WORDS = frozenset("""birth dob born birthday birthdate zip postcode post postal social ssn sin insurance
    security secret maiden first pin passcode pass password passphrase code address last four 4 email phone member
    id policyholder policy verify identity confirm sure speaking protect verification read""".split())

_SCREEN_WORDS = _PASS_WORDS | _FAIL_WORDS | _ASK_WORDS | _DETAIL_WORDS | _LOOKUP_WORDS


@dataclass
class _Walk:
    """Mutable state of one pass over the call; frozen into a `Verification` at the end."""

    verified_at: int | None = None
    failed_at: int | None = None
    pending_failure: bool = False
    last_assistant_asked: bool = False
    retried: bool = False  # a verification question came after the last failure
    caller_answered: bool = False
    asked_at: list[int] = field(default_factory=list)
    disclosures: list[int] = field(default_factory=list)
    unverified_disclosures: list[int] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)


def track_verification(view: CallView) -> Verification:
    """Walk the call and say whether, where and how the caller was verified."""
    walk = _Walk()
    recent_caller: list[Turn] = []
    for turn in view.turns:
        if turn.is_caller:
            _on_caller_turn(walk, turn)
            recent_caller = [*recent_caller[-(_ECHO_WINDOW - 1):], turn]
        else:
            _on_assistant_turn(walk, turn, recent_caller)
    return _result(walk)


def _on_caller_turn(walk: _Walk, turn: Turn) -> None:
    if walk.last_assistant_asked and walk.verified_at is None:
        walk.caller_answered = True
        if _CANNOT_ANSWER.search(turn.lower):
            walk.pending_failure = True


def _on_assistant_turn(walk: _Walk, turn: Turn, recent_caller: list[Turn]) -> None:
    # Cheap screens: most turns contain none of the words a pass, a failure or a request needs,
    # and the screen words a turn has then screen its sentences (`mentions_any`). A turn has few
    # of them: each screen is cut from those, not from its whole vocabulary.
    screen_words = _SCREEN_WORDS & words(turn.lower)
    pass_words = _PASS_WORDS & screen_words
    may_fail = bool(walk.asked_at) and not _FAIL_WORDS.isdisjoint(screen_words)
    ask_words = _ASK_WORDS & screen_words
    detail_words = _DETAIL_WORDS & screen_words
    may_disclose = bool(detail_words) or _DIGIT_OR_MONEY.search(turn.lower) is not None
    if not (pass_words or may_fail or ask_words or may_disclose):
        # Nothing in the turn can pass, fail, ask or disclose: it is not even cut into sentences.
        _end_turn(walk, turn, asked=False)
        return
    sentences = split_sentences(turn.lower)
    lookup_words = _LOOKUP_WORDS & screen_words
    asked = _asking_sentences(sentences, ask_words, may_fail) if ask_words else {}
    disclosed = in_record = False
    # Earlier sentences whose lookup cue, if they have one, puts the rest of the turn in the record:
    # searched only when a later sentence may disclose (most never need it).
    unsearched: list[str] = []
    for sentence in sentences:
        text = sentence.text
        if pass_words and mentions_any(text, pass_words) \
                and _is_pass(sentence, asked, attempted=bool(walk.asked_at or asked)):
            if walk.verified_at is None:
                walk.verified_at = turn.index
            walk.failed_at, walk.pending_failure = None, False
            continue
        # "I can't discuss the account without verifying you" before any question is a policy
        # statement, not a failed attempt.
        if may_fail and walk.verified_at is None and walk.retried and _FAIL.search(text):
            walk.failed_at, walk.retried = turn.index, False
        looks_up = None  # whether the sentence has a lookup cue: searched for once, when first needed
        if sentence.start in asked:
            if turn.index not in walk.asked_at:
                walk.asked_at.append(turn.index)
            walk.methods.extend(m for m in asked[sentence.start] if m not in walk.methods)
            walk.pending_failure, walk.retried = False, True  # a retry: the last answer is not final yet
        elif may_fail and _RETRY.search(text):
            walk.retried = True
        elif may_disclose and not (asked and sentence.is_question) and _may_be_detail(text, detail_words):
            if not in_record and unsearched:
                in_record = any(_LOOKUP_CUE.search(earlier) for earlier in unsearched)
                unsearched = []
            if not in_record:
                looks_up = _LOOKUP_CUE.search(text) is not None
            if _is_disclosure(sentence, in_record or looks_up, recent_caller):
                disclosed = True
                if walk.verified_at is None and turn.index not in walk.unverified_disclosures:
                    walk.unverified_disclosures.append(turn.index)
        # "I've found the account. The balance is ..." - the lookup carries to the next sentences.
        if not in_record and lookup_words and mentions_any(text, lookup_words):
            if looks_up is None:
                unsearched.append(text)
            else:
                in_record = looks_up
    if disclosed:
        walk.disclosures.append(turn.index)
    _end_turn(walk, turn, asked=bool(asked))


def _asking_sentences(
    sentences: tuple[Sentence, ...], ask_words: frozenset[str], may_fail: bool
) -> dict[int, list[str]]:
    """The sentences asking for verification details, by start (unique in a turn), each with the
    details it names for `Verification.methods`. `ask_words`: the ask words of their turn."""
    asked = {}
    for sentence in sentences:
        text = sentence.text
        # "?" is one of the request's alternatives: a question is a request without a search
        if mentions_any(text, ask_words) and ("?" in text or _REQUEST.search(text)):
            methods = [label for label, pattern in _METHOD_PATTERNS if pattern.search(text)]
            # a request for any detail (one of them matches exactly when their alternation would)
            if (methods or _IDENTITY_CHECK.search(text)) and not (may_fail and _FAIL.search(text)):
                asked[sentence.start] = methods
    return asked


def _end_turn(walk: _Walk, turn: Turn, asked: bool) -> None:
    if walk.pending_failure and walk.verified_at is None and not asked and walk.retried:
        # The caller could not answer and the assistant moved on without a pass or a retry.
        walk.failed_at, walk.pending_failure, walk.retried = turn.index, False, False
    walk.last_assistant_asked = asked


def _is_pass(sentence: Sentence, asked: dict[int, list[str]], attempted: bool) -> bool:
    text = sentence.text
    strong = _STRONG_PASS.search(text)
    if strong:
        # "Once your identity is verified I can ..." is a condition, not a result.
        return not _CONDITION.search(text[max(0, strong.start() - 30) : strong.start()])
    # A soft "that matches" needs a verification question before it and none after it in the turn.
    return (attempted and bool(_SOFT_PASS.search(text)) and not _FAIL.search(text)
            and not any(start > sentence.start for start in asked))


def _may_be_detail(text: str, detail_words: frozenset[str]) -> bool:
    """The screen before `_is_disclosure`; `detail_words`: the detail words of the sentence's turn."""
    return mentions_any(text, detail_words) or _DIGIT_OR_MONEY.search(text) is not None


def _is_disclosure(sentence: Sentence, looks_up: bool, recent_caller: list[Turn]) -> bool:
    """An account-specific fact, in a sentence that looks something up (or follows one that did):
    `looks_up` says whether it does."""
    text = sentence.text
    if not (looks_up or _FACT_CUE.search(text)) or _GENERAL.search(text):
        return False
    # "Which card was declined?" discloses nothing; "is this about the $500 charge?" does.
    kinds = _QUESTION_DETAIL_KINDS if sentence.is_question else None
    for kind, pattern in _DETAIL_CUE_PATTERNS:
        if kinds is not None and kind not in kinds:
            continue
        for match in pattern.finditer(text):
            if not _echoes_caller(match.group(), recent_caller):
                return True
    return False


def _echoes_caller(detail: str, recent_caller: list[Turn]) -> bool:
    """True when the detail only repeats what the caller just said (a read-back, not a disclosure)."""
    digits = _digits(detail)
    for turn in recent_caller:
        if len(digits) >= 3:
            if digits in _digits(turn.text):
                return True
        elif detail in turn.lower:
            return True
    return False


@lru_cache(maxsize=4096)
def _digits(text: str) -> str:
    """Every digit said in `text`, spoken or written, run together (for read-back comparison)."""
    return "".join(run.digits for run in digit_runs(text))


def _result(walk: _Walk) -> Verification:
    if walk.verified_at is not None:
        state, failed_at = VerificationState.PASSED, None
    elif walk.failed_at is not None:
        state, failed_at = VerificationState.FAILED, walk.failed_at
    elif walk.unverified_disclosures or (walk.asked_at and walk.caller_answered):
        state, failed_at = VerificationState.SKIPPED, None
    else:
        state, failed_at = VerificationState.NOT_NEEDED, None
    return Verification(
        state=state,
        verified_at=walk.verified_at,
        failed_at=failed_at,
        asked_at=walk.asked_at,
        disclosures_before_verification=walk.unverified_disclosures,
        disclosures=walk.disclosures,
        methods=walk.methods,
    )


def identity_markers(verification: Verification) -> list[MarkerFinding]:
    """The `identity_verified` marker, on the message where the assistant confirmed success."""
    if verification.verified_at is None:
        return []
    how = f" with {', '.join(verification.methods[:3])}" if verification.methods else ""
    return [MarkerFinding(verification.verified_at, MarkerType.IDENTITY_VERIFIED, f"Caller's identity verified{how}.")]

