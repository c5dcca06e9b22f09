"""Compliance flags: one check per type of the closed taxonomy (DESIGN.md §1).

Each check reads the call (and the verification, third-party and commitment findings worked out
before it) and returns at most one `FlagFinding`, on the message that shows the problem best:
the first disclosure, the first card number, the assistant's evasive reply. Descriptions quote
their evidence with card numbers, CVVs, PINs and SSNs masked.

What the caller *says* (a data request, a vulnerability, a legal threat, a stop-contacting-me
request) is matched in `caller_signals`; this module decides what the assistant did about it.
"""

from __future__ import annotations

from collections.abc import Callable

from harness import fastre
from harness.backends.rules.caller_signals import (
    asks_if_human,
    data_rights_request,
    legal_threat,
    revokes_consent,
    vulnerability,
)
from harness.backends.rules.commitments import Commitment
from harness.backends.rules.parties import ThirdParty
from harness.backends.rules.sentences import cased_slice, safe_quote, split_sentences, words
from harness.backends.rules.text import CallView, FlagFinding, Turn
from harness.backends.rules.verification import Verification, VerificationState
from harness.contract import ComplianceType, Role
from harness.privacy import card_network, digit_runs, find_sensitive

Check = Callable[[CallView, Verification, ThirdParty | None, list[Commitment]], FlagFinding | None]


def compliance_flags(view: CallView, verification: Verification, third_party: ThirdParty | None,
                     commitments: list[Commitment]) -> list[FlagFinding]:
    """Every compliance problem the rules can see, at most one per type, in taxonomy order."""
    flags = []
    for check in _CHECKS:
        flag = check(view, verification, third_party, commitments)
        if flag is not None:
            flags.append(flag)
    return flags


def quote(turn: Turn, limit: int = 90) -> str:
    """A short, masked quote of a message for a flag description."""
    return safe_quote(turn.text, limit)


# --- sensitive data before verification ------------------------------------------------------------

# The assistant asking for payment or identity numbers outside a verification question.
_SOLICITS_SENSITIVE = fastre.compile(
    r"\b(card (number|details)|(read|give) me the (card|number)|how would you like to pay|payment (method|details)|"
    r"pay by (debit|credit|card)|debit or credit|social security number|full ssn|bank account (number|details)|"
    r"routing number|go ahead with the card)\b"
)


def _sensitive_data_unverified(view, verification, _third_party, _commitments) -> FlagFinding | None:
    if verification.disclosures_before_verification:
        turn = view.turns[verification.disclosures_before_verification[0]]
        why = ("after verification failed" if verification.state is VerificationState.FAILED
               else "before the caller's identity was verified")
        return FlagFinding(ComplianceType.SENSITIVE_DATA_UNVERIFIED, turn.index,
                           f"Assistant disclosed account details {why}: \"{quote(turn)}\"")
    if verification.state not in (VerificationState.FAILED, VerificationState.SKIPPED):
        return None
    taken = _sensitive_taken_unverified(view, verification)
    if taken is None:
        return None
    turn, what = taken
    why = "verification had failed" if verification.state is VerificationState.FAILED else "it was never verified"
    # No quote: the turn is the secret itself.
    return FlagFinding(ComplianceType.SENSITIVE_DATA_UNVERIFIED, turn.index,
                       f"Assistant asked for and took the caller's {what} although {why}.")


def _sensitive_taken_unverified(view: CallView, verification: Verification) -> tuple[Turn, str] | None:
    """The caller turn giving a card or SSN the assistant asked for outside a verification question."""
    previous_assistant: Turn | None = None
    for turn in view.turns:
        if not turn.is_caller:
            previous_assistant = turn
            continue
        if previous_assistant is None or previous_assistant.index in verification.asked_at:
            continue  # an answer to a verification question is the check itself
        if not _SOLICITS_SENSITIVE.search(previous_assistant.lower):
            continue
        card = _card_data_in(turn, previous_assistant)
        if card is not None and card[0] == "card_number":
            return turn, f"card number ({card[1]})"
        if any(finding.kind == "ssn" for finding in find_sensitive(turn.text)):
            return turn, "Social Security number"
    return None


# --- card data ---------------------------------------------------------------------------------------

_CARD_KINDS = {"card_number": "a full card number", "cvv": "a card security code (CVV)", "pin": "a card PIN"}
# Context that makes a long digit run a card number even when a digit was misread (Luhn fails).
_CARD_CONTEXT = fastre.compile(r"\b(card|visa|mastercard|master card|amex|american express|discover|debit|credit|"
                           r"expir\w*|exp date|cvv|cvc|security code|on the back|long number)\b")
_THREE_DIGITS = fastre.compile(r"\d[\d\s,.-]{0,3}\d[\d\s,.-]{0,3}\d")
_DIGIT = fastre.compile(r"\d")
_SPOKEN_DIGIT = fastre.compile(r"\b(zero|oh|one|two|three|four|five|six|seven|eight|nine)\b")
_SHORTEST_CARD = 13
# Words of card talk: with one of these near, a short number may be a CVV or PIN.
_CARD_WORDS = frozenset("""card visa mastercard master amex american discover debit credit expires expiry expiration
    exp cvv cvc cid security back long pin""".split())
# "one" and "oh" are too common in speech to say a number is being read.
_SPOKEN_DIGITS = frozenset("zero two three four five six seven eight nine double triple".split())
_ASKS_FOR_CVV = fastre.compile(r"\b(security code|cvv|cvc|cid|code on the back|(three|3|four|4)[- ]digit code|"
                           r"numbers? on the back)\b")
_ASKS_FOR_CARD_PIN = fastre.compile(r"\b(card|debit|atm) pin\b|\bpin (number )?(for|on) (the|your) card\b")


def _payment_card_data_exposed(view, _verification, _third_party, _commitments) -> FlagFinding | None:
    previous_assistant: Turn | None = None
    for turn in view.turns:
        found = _card_data_in(turn, previous_assistant if turn.is_caller else None)
        if turn.role is Role.ASSISTANT:
            previous_assistant = turn
        if found is None:
            continue
        kind, masked = found
        who = "Caller read" if turn.is_caller else "Assistant said"
        shown = f" ({masked})" if masked else ""
        return FlagFinding(ComplianceType.PAYMENT_CARD_DATA_EXPOSED, turn.index,
                           f"{who} {_CARD_KINDS[kind]}{shown} aloud in the AI channel.")
    return None


def _may_hold_card_data(turn: Turn, question: Turn | None) -> bool:
    """A cheap screen: card talk in the turn or the question it answers, or enough digits for a card."""
    vocabulary = words(turn.lower)
    asked_about_card = question is not None and not _CARD_WORDS.isdisjoint(words(question.lower))
    if asked_about_card or not _CARD_WORDS.isdisjoint(vocabulary):
        return bool(_THREE_DIGITS.search(turn.text)) or not _SPOKEN_DIGITS.isdisjoint(vocabulary)
    written = len(_DIGIT.findall(turn.text))
    if written >= _SHORTEST_CARD:
        return True
    return not _SPOKEN_DIGITS.isdisjoint(vocabulary) and (
        written + len(_SPOKEN_DIGIT.findall(turn.lower)) >= _SHORTEST_CARD)


def _card_data_in(turn: Turn, question: Turn | None) -> tuple[str, str | None] | None:
    """(kind, masked value) of card data spoken in `turn`; `question` is the assistant turn it answers."""
    if not _may_hold_card_data(turn, question):
        return None
    for finding in find_sensitive(turn.text):
        if finding.kind in _CARD_KINDS:
            return finding.kind, finding.masked if finding.kind == "card_number" else None
    in_context = bool(_CARD_CONTEXT.search(turn.lower) or (question and _CARD_CONTEXT.search(question.lower)))
    runs = digit_runs(turn.text)
    for run in runs:
        # A caller who misreads one digit has still read the card out; a spoken "one" before it
        # ("the debit one. 4921 ...") can glue an extra digit on, hence up to 20.
        if 13 <= len(run.digits) <= 20 and (in_context or card_network(run.digits)):
            return "card_number", f"****{run.digits[-4:]}"
    if question is not None and turn.is_caller:
        if _ASKS_FOR_CVV.search(question.lower) and any(len(run.digits) in (3, 4) for run in runs):
            return "cvv", None
        if _ASKS_FOR_CARD_PIN.search(question.lower) and any(4 <= len(run.digits) <= 6 for run in runs):
            return "pin", None
    return None


# --- third parties -----------------------------------------------------------------------------------


def _third_party_disclosure(view, verification, third_party, _commitments) -> FlagFinding | None:
    if third_party is None or not verification.disclosures:
        return None
    first = verification.disclosures[0]
    if third_party.authorised_at is not None and third_party.authorised_at <= first:
        return None
    holder = third_party.relationship or "someone else"
    if third_party.holder_name:
        holder += f", {third_party.holder_name}"
    turn = view.turns[first]
    return FlagFinding(ComplianceType.THIRD_PARTY_DISCLOSURE, first,
                       f"Caller is acting for the account holder ({holder}) and the assistant disclosed account "
                       f"details to them: \"{quote(turn)}\"")


# --- commitments -------------------------------------------------------------------------------------


def _unfulfillable_commitment(_view, _verification, _third_party, commitments) -> FlagFinding | None:
    for commitment in commitments:
        if commitment.exceeds_authority:
            return FlagFinding(ComplianceType.UNFULFILLABLE_COMMITMENT, commitment.message, commitment.description)
    return None


# --- debt collection: the mini-Miranda ---------------------------------------------------------------

# Signs that the business is collecting a debt for someone (FDCPA covers third-party collectors).
_DEBT_COLLECTION = fastre.compile(
    r"\b(collection agency|collections? (agency|department|team|firm|account|notice|letter)|debt collect(or|ion)|"
    r"placed (with|at) (us|our (office|agency|company|firm))|original(ly)? (creditor|owed to)|charged[- ]off|"
    r"charge[- ]off|attempt(ing)? to collect|collect(ing)? (on )?(a|the|this|your) debt|deficiency balance|"
    r"(dispute|validat\w+) (of )?(the|this|a|that) debt|debt validation|recovery (services|group|solutions|"
    r"associates|partners|agency|bureau))\b"
)
_DEBT_WORDS = frozenset({"debt", "debts"})
_COLLECTION_WORDS = _DEBT_WORDS | frozenset("""collection collections collector placed original originally
    creditor charged charge attempt attempting collect collecting deficiency recovery""".split())
_MINI_MIRANDA = fastre.compile(
    r"\b(attempt(ing)? to collect (a |the |this )?debt|(is|are|am|i'm|we're|from) (a|an) (licensed )?debt collector|"
    r"communication (is )?from a debt collector|information (obtained|we obtain|you provide|collected|gathered)"
    r"( will| may)? be used for (that|this) purpose)\b"
)


def _missing_mini_miranda(view, _verification, _third_party, _commitments) -> FlagFinding | None:
    assistant = view.assistant_turns
    if not assistant or not _is_debt_collection(view):
        return None
    if any(_MINI_MIRANDA.search(turn.lower) for turn in assistant):
        return None
    return FlagFinding(ComplianceType.MISSING_MINI_MIRANDA, assistant[0].index,
                       "Debt-collection call without the disclosure that this is an attempt to collect a debt "
                       "and that information obtained will be used for that purpose.")


def _is_debt_collection(view: CallView) -> bool:
    """A collector's call: its vocabulary anywhere, or the assistant itself talking about a debt."""
    for turn in view.turns:
        vocabulary = words(turn.lower)
        if _COLLECTION_WORDS.isdisjoint(vocabulary):
            continue
        if _DEBT_COLLECTION.search(turn.lower) or (not turn.is_caller and not _DEBT_WORDS.isdisjoint(vocabulary)):
            return True
    return False


# --- recording notice --------------------------------------------------------------------------------

# A notice: the call is (or may be) recorded. Only counts as notice in the opening.
_RECORDING_NOTICE = fastre.compile(
    r"\b((call|calls|conversation|line|this|it)( is| are| was| will be| may be| might be| can be)?( being)? "
    r"(monitored (and|or|&) )?recorded|recorded line|we record (all |our |your |the )?(calls|this)|"
    r"record(ing)? (all )?calls)\b"
)
# A use of the recording: evidence the call is recorded, never a notice of it.
_RECORDING_USE = fastre.compile(
    r"\b(recording (of )?(this|the|our|your) (call|conversation)|(this|the) call'?s? recording|on (the|this) "
    r"recording|on tape|(attach|keep|save|review|add|send|pull)\w* (up )?the recording|the recording (goes|is|will))\b"
)
_ASKS_IF_RECORDED = fastre.compile(
    r"\b(is|are) (this|the|you|we|it)( call)? (being )?record(ed|ing)|\bam i being recorded|\bbeing recorded\?|"
    r"\bare you recording"
)
_AFFIRMS = fastre.compile(r"^(yes|yeah|yep|correct|it is|that'?s right|that is right|we do|it does|calls are|"
                      r"this call is)\b")
_DENIES_RECORDING = fastre.compile(r"\b(isn'?t|is not|aren'?t|are not|not being|never|don'?t|do not) (being )?record")
_CALLER_OWN_RECORDING = fastre.compile(r"\bi'?m (also )?recording\b|\bi (am|have been) recording\b")


def _recording_consent_missing(view, _verification, _third_party, _commitments) -> FlagFinding | None:
    assistant = view.assistant_turns
    if not assistant:
        return None
    opening = _opening_turns(view)
    if any(_RECORDING_NOTICE.search(turn.lower) and not _RECORDING_USE.search(turn.lower) for turn in opening):
        return None
    # The opening holds no notice, so anything said about the recording, there or later, is evidence.
    evidence = _recording_evidence(view)
    if evidence is None:
        return None
    return FlagFinding(ComplianceType.RECORDING_CONSENT_MISSING, assistant[0].index,
                       f"The call is recorded (message {evidence.index}: \"{quote(evidence, 70)}\") but no "
                       f"recording notice was given at the start.")


def _opening_turns(view: CallView) -> list[Turn]:
    """The assistant's greeting: its turns before the caller first speaks, and its first reply
    (unless the caller's first words asked about recording: an answer is not a notice)."""
    opening, caller_spoke = [], False
    for turn in view.turns:
        if turn.is_caller:
            if caller_spoke or _ASKS_IF_RECORDED.search(turn.lower):
                break
            caller_spoke = True
        else:
            opening.append(turn)
            if caller_spoke:
                break
    return opening


def _recording_evidence(view: CallView) -> Turn | None:
    for position, turn in enumerate(view.turns):
        if turn.is_caller:
            if _ASKS_IF_RECORDED.search(turn.lower):
                reply = _next_assistant(view, position)
                if reply is not None and not _DENIES_RECORDING.search(reply.lower) and (
                        _AFFIRMS.search(reply.lower) or _mentions_recording(reply.lower)):
                    return reply
            elif _mentions_recording(turn.lower) and not _CALLER_OWN_RECORDING.search(turn.lower) \
                    and "?" not in turn.lower:
                return turn
        elif _mentions_recording(turn.lower) and not _DENIES_RECORDING.search(turn.lower):
            return turn
    return None


def _mentions_recording(text: str) -> bool:
    if "record" not in text and "tape" not in text:
        return False  # a cheap screen: both patterns need one of these
    return bool(_RECORDING_NOTICE.search(text) or _RECORDING_USE.search(text))


def _next_assistant(view: CallView, position: int) -> Turn | None:
    for turn in view.turns[position + 1 : position + 4]:
        if turn.role is Role.ASSISTANT:
            return turn
    return None


# --- AI identity -------------------------------------------------------------------------------------

_HONEST = fastre.compile(
    r"(?<!not )(?<!n't )\b((automated|virtual|digital|ai|a\.i\.|artificial intelligence|computeri[sz]ed|voice)"
    r"( [\w-]+){0,2} (assistant|agent|system|program|bot|service)|i'?m (an? )?(ai|bot|robot|chatbot|computer|"
    r"machine|automated|virtual|program)\b|i am (an? )?(ai|bot|automated|virtual|computer)|artificial intelligence|"
    r"not (a |an )?(real |live |actual )?(person|human)|chatbot)"
)
# Claiming to be human outright outweighs any AI word in the same reply ("I'm not a bot, I'm real").
_CLAIMS_HUMAN = fastre.compile(
    r"\b((i'?m|i am) (a |an )?(real|live|actual) (person|human)|(i'?m|i am) (a )?human\b|i'?m not (a |an )?(bot|robot|"
    r"machine|computer|ai|chatbot|recording|automated))"
)
# A job title or team in place of an answer, when no AI word was said.
_CLAIMS_ROLE = fastre.compile(
    r"\b((i'?m|i am) (a |an |one of )(the )?[\w\s]{0,30}(specialist|representative|agent|advisor|adviser|"
    r"team member|rep|associate|person)\b|part of [\w\s']{0,40}team)"
)


def _ai_identity_not_disclosed(view, _verification, _third_party, _commitments) -> FlagFinding | None:
    for turn in view.caller_turns:  # a turn's index is its position in the call
        if not asks_if_human(turn.lower):
            continue
        reply = _next_assistant(view, turn.index)
        if reply is None:
            continue
        text = reply.lower
        if _CLAIMS_HUMAN.search(text):
            verdict = "claimed to be human"
        elif _HONEST.search(text):
            continue
        else:
            verdict = "claimed to be human" if _CLAIMS_ROLE.search(text) else "evaded the question"
        return FlagFinding(ComplianceType.AI_IDENTITY_NOT_DISCLOSED, reply.index,
                           f"Caller asked whether they were talking to a person and the assistant {verdict}: "
                           f"\"{quote(reply, 80)}\"")
    return None


# --- consent to contact ------------------------------------------------------------------------------

_ACKNOWLEDGES_STOP = fastre.compile(
    r"\b((removed|remove|taken|take|took) (you|your (number|name|details|phone|email)|this number|it)( \w+){0,3} "
    r"(off|from)|opt(ed|ing)?[- ]?out|unsubscrib\w+|do[- ]not[- ](call|contact|text|email)|\bdnc\b|"
    r"(won'?t|will not|will no longer|no longer|not) (be )?(call|contact|text|email|messag|reach)\w*|"
    r"(won'?t|will not|no longer|not) (receive|get|be sent) (any )?(more |further )?(calls|texts|messages|emails|"
    r"contact|marketing)|no (more|further) (calls|texts|text messages|messages|emails|contact)|"
    r"(stop|cease|end|block) (all |the |any |these |those |further )*(calls|texts|text messages|messages|contact|"
    r"marketing|emails|robocalls|notifications)|(only|just) (contact|reach|write to) you (in writing|by (mail|"
    r"letter|email|post))|contact (preference|permission)s?|(noted|updated|recorded|added|flagged|logged)( that)? "
    r"(your |the |a )?(request|preference|note)[^.]{0,60}\b(call|text|contact|messag)\w*)"
)
# Questions that only identify the caller or clarify the request do not ignore it.
_IDENTIFIES = fastre.compile(
    r"\b(name|number|account|zip|post ?code|date of birth|email|address|which (calls|texts))\b"
)
_KEEPS_CONTACTING = fastre.compile(r"\b(text you|call you|email you|send you|offers|promotions?|reminders?|updates)\b")
_REPLIES_CHECKED = 3


def _consent_revoked_ignored(view, verification, _third_party, _commitments) -> FlagFinding | None:
    asked = set(verification.asked_at)
    for turn in view.caller_turns:  # a turn's index is its position in the call
        if not revokes_consent(turn.lower):
            continue
        ignored = _first_reply_ignoring(view, turn.index, asked)
        if ignored is not None:
            _, request = _evidence(turn, lambda text: "stop" if revokes_consent(text) else None)
            return FlagFinding(ComplianceType.CONSENT_REVOKED_IGNORED, ignored.index,
                               f"Caller asked to stop being contacted (\"{request}\") and the assistant went on "
                               f"without acknowledging it: \"{quote(ignored, 70)}\"")
    return None


def _first_reply_ignoring(view: CallView, position: int, asked: set[int]) -> Turn | None:
    """The first assistant reply that moves on without acknowledging the request, if none acknowledged it."""
    replies = 0
    for turn in view.turns[position + 1 :]:
        if turn.is_caller:
            continue
        replies += 1
        if replies > _REPLIES_CHECKED:
            return None
        if _ACKNOWLEDGES_STOP.search(turn.lower):
            return None
        if turn.index in asked:
            continue  # verifying the caller first is fine
        if turn.lower.rstrip().endswith("?") and _IDENTIFIES.search(turn.lower) \
                and not _KEEPS_CONTACTING.search(turn.lower):
            continue
        return turn
    return None


# --- what the caller says ----------------------------------------------------------------------------


def _caller_statement_check(kind: ComplianceType, detect: Callable[[str], str | None], lead: str) -> Check:
    def check(view, _verification, _third_party, _commitments) -> FlagFinding | None:
        for turn in view.caller_turns:
            if detect(turn.lower):
                label, evidence = _evidence(turn, detect)
                return FlagFinding(kind, turn.index, f"{lead} ({label}): \"{evidence}\"")
        return None

    return check


def _evidence(turn: Turn, detect: Callable[[str], str | None]) -> tuple[str, str]:
    """What `detect` found in `turn` and the sentence showing it (the turn, if it spans sentences)."""
    for sentence in split_sentences(turn.lower):
        label = detect(sentence.text)
        if label:
            return label, safe_quote(cased_slice(turn.text, sentence.start, sentence.end), 100)
    return detect(turn.lower) or "", quote(turn, 100)


_CHECKS: tuple[Check, ...] = (
    _sensitive_data_unverified,
    _payment_card_data_exposed,
    _third_party_disclosure,
    _unfulfillable_commitment,
    _missing_mini_miranda,
    _recording_consent_missing,
    _ai_identity_not_disclosed,
    _consent_revoked_ignored,
    _caller_statement_check(ComplianceType.DATA_RIGHTS_REQUEST, data_rights_request,
                            "Caller made a data-rights request"),
    _caller_statement_check(ComplianceType.VULNERABILITY_INDICATOR, vulnerability, "Caller may be vulnerable"),
    _caller_statement_check(ComplianceType.LEGAL_THREAT, legal_threat, "Caller raised legal or regulatory action"),
)
