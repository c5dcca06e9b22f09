"""Assistant commitments, and which of them promise more than a voice bot can deliver.

A commitment is the assistant binding the business to something: a future act ("I'll add a
note", "someone will call you back"), an act done on the caller's behalf ("I've opened a
dispute", "I've waived the fee") or an assurance ("you'll get a confirmation text"). Offers
("I can submit a request"), questions ("would you like me to ...?"), hedges ("it may take") and
the handoff itself ("I'll transfer you") are not: every handoff call ends with a transfer, so
marking it would tell the human agent nothing.

A commitment exceeds the assistant's authority when it asserts an outcome that only a person or
another team can grant: a refund, credit or reimbursement, a fee or charge removed, an approval,
a credit-report change, a debt settled, service guaranteed not to be cut off, or a guarantee or
deadline on such an outcome. Acts the assistant can really do (transfer, note, text, book an
open slot, submit or escalate a request) stay within authority even when they mention a refund
("I'll add a note so the team can review a refund").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import fastre
from harness.backends.rules.sentences import Sentence, cased_slice, mentions_any, safe_quote, split_sentences, words
from harness.backends.rules.text import CallView, MarkerFinding
from harness.contract import MarkerType


@dataclass(frozen=True)
class Commitment:
    message: int
    description: str  # one line, quoting the promise (sensitive values masked)
    exceeds_authority: bool
    reason: str | None = None  # why it exceeds: "guarantees a refund", ...
    quote: str = ""  # the promising sentence as said (masked, shortened), for callers that word their own text


_ADVERBS = r"(?:also |now |just |then |personally |definitely |certainly |go ahead and |make sure to |right away )*"
# "I'll <verb>", "we will <verb>": the verb decides whether it is a promise.
_FIRST_PERSON_FUTURE = fastre.screened(("ll", "going to", "make sure"),
    r"\b(?:i'?ll|i will|i'?m going to|i am going to|we'?ll|we will|we'?re going to|let me make sure)\s+"
    + _ADVERBS + r"(?P<verb>[a-z]+)(?P<rest>(?: [\w$£€'.,-]+){0,3})"
)
# Verbs that after "I'll" describe talk, not a promise ("I'll need your date of birth").
_TALK_VERBS = frozenset("""need check look see try repeat read explain walk start begin stay wait verify
    go just be confirm double-check recap summarize summarise quickly transfer connect patch forward""".split())
# The handoff itself, or a continuation of the conversation, after an otherwise promising verb.
_NOT_A_PROMISE_AFTER = fastre.compile(
    r"^ (you|this|that) (through|over|to|on hold)\b|^ (a|another) (look|moment|second|minute)\b|^ to\b|"
    r"^ (you|someone|somebody) (on the line|through)|^ my best\b|^ happy|^ glad|^ able\b|^ you a (few|couple|quick)"
)
_HANDOFF_AFTER = fastre.compile(r"^ (you|this call) (through|over|to)\b")
_CAUSATIVE_OK = fastre.compile(r"^ (the|that|those|your|it|them|someone|somebody|a|an)\b")
_YOU_WILL = fastre.screened(("you'll", "you will"),
    r"\byou(?:'ll| will)\s+(?:also |now |still |definitely |then )*(?P<verb>get|receive|have|see|be (?:refunded|"
    r"credited|reimbursed|contacted|called|notified|sent|receiving|getting|hearing)|hear back|no longer)\b"
)
_SOMEONE_WILL = fastre.screened(("'ll", " will"),
    r"\b(?:someone|somebody|a (?:\w+ )?(?:nurse|representative|rep|specialist|agent|technician|adjuster|manager|"
    r"supervisor|member of (?:our|the) team|caseworker|coordinator)|(?:the|our|your) (?:\w+ ){0,2}(?:team|office|"
    r"department|desk|adjuster|doctor|provider)|they|he|she)(?: (?:from|in|at|on) (?:the |our )?[\w-]+(?: [\w-]+)?)?"
    r"(?:'ll| will)\s+(?:also |then |personally )?"
    r"(?:call|contact|reach out|follow up|get back|email|text|review|be in touch|send|look into|come out|visit|"
    r"have|handle|process|mail|ring|respond|reply|get in touch|reach you)\b"
)
_DONE_FOR_CALLER = fastre.screened(("i've", "i have"),
    r"\bi(?:'ve| have)\s+(?:gone ahead and |just |now |also |already )*(?:applied|waived|refunded|credited|removed|"
    r"placed|booked|scheduled|rescheduled|submitted|opened|extended|cancell?ed|canceled|taken|set|blocked|raised|"
    r"logged|escalated|reversed|adjusted|arranged|requested|filed|marked|reinstated|approved|issued|processed|"
    r"emailed|texted|sent|put|flagged|ordered|reserved|held|stopped|paused|closed|released|unlocked|reset|"
    r"frozen|froze|locked|lifted|added (?:you|your|a (?:credit|hold|discount))|updated (?:your|the) "
    r"(?:address|contact|preferences?|number|email))\b"
)
# "your claim will be approved", "the fee will be waived": an outcome stated as settled.
_WILL_BE_DONE = fastre.screened(("will be", "will get", "'ll be", "'ll get", "going to be", "going to get"),
    r"\b(?:will|'ll|is going to|are going to) (?:be|get) (?:fully |definitely |completely |all )?(?:refunded|credited|"
    r"reimbursed|waived|removed|reversed|approved|covered|paid|fixed|resolved|restored|processed|cancell?ed|"
    r"applied|adjusted|dropped|wiped|cleared|closed|deleted|back|settled|forgiven|taken off|sent|mailed|"
    r"delivered|shipped|sorted|extended|lifted|reinstated|issued|posted)\b"
)
_YOU_ARE_BOOKED = fastre.compile(r"\byou'?re (?:all )?(?:booked|scheduled|rebooked|set up for)\b")
_ASSURANCE = fastre.compile(
    r"(?<!not )(?<!n't )(?<!\bno )\b(?:i (?:can |do )?(?:promise|guarantee)|guaranteed?|rest assured|i assure you|"
    r"(?:will|'ll) definitely|definitely (?:be|get|receive|have|see)|(?:a )?100 ?(?:%|percent)|for sure|"
    r"consider it done)\b"
)
# "That charge has been removed": an outcome reported as done, unless read off the record ("I see ...").
_HAS_BEEN_DONE = fastre.screened(("has been", "have been"),
    r"\b(?:has|have) been (?:fully )?(?:refunded|credited|reimbursed|waived|removed|reversed|approved|cancell?ed|"
    r"taken off|wiped|cleared|forgiven|adjusted|applied)\b"
)
_READ_FROM_RECORD = fastre.compile(r"\b(?:i (?:can )?see|it (?:looks|shows|says)|according to|shows|showing|records)\b")
# "You won't be charged for this."
_YOU_WONT_PAY = fastre.screened(("you won't", "you wont", "you will not", "you don't", "you dont", "you do not"),
                                r"\byou (?:won'?t|will not|don'?t|do not) (?:be (?:charged|billed|liable|responsible)|"
                                r"(?:need|have) to pay|owe)\b")
# "We won't contact you there again": a promise to refrain.
_WONT_AGAIN = fastre.screened((" won't ", " wont ", " will not ", " will no longer", "'ll no longer"),
                              r"\b(?:we|i)(?: won'?t| will not| will no longer|'ll no longer) "
                              r"(?:call|contact|text|email|message|charge|bill|send|ring)\b")
# Sending the caller a verification code is part of the check, not a promise to them.
_VERIFICATION_CODE = fastre.compile(r"\b(?:text\w*|sen[dt]\w*|email\w*)\b[^.]*\bcode\b|\bcode\b[^.]*\b(?:text|sent)\b")
# "If you can tell me the time, I'll add it": an offer that waits on the caller.
_CALLER_CONDITION = fastre.compile(r"^(?:\w+, )?if you(?:'d| would)? (?:can |could )?(?:like|prefer|want|tell|give|"
                               r"read|send|provide|share|let me know)\b")
_BUT = re.compile(r"(,? but |; )")
_DENIED_ASSURANCE = fastre.compile(
    r"\b(?:can'?t|cannot|can not|unable to|not able to|won'?t be able to|couldn'?t|don'?t want to|isn'?t|"
    r"is not|aren'?t|no) (?:\w+ ){0,2}(?:promise|guarantee|guaranteed|confirm)"
)


def _triggers(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The shapes of a promise, each with the words that must be in the sentence for it to match.
_WILL = "will i'll we'll you'll they'll he'll she'll someone'll won't going"
_PROMISE_SHAPES: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = (
    (_triggers("won't will we'll i'll"), _WONT_AGAIN),
    (_triggers("you'll will"), _YOU_WILL),
    (_triggers(_WILL), _SOMEONE_WILL),
    (_triggers("i've have"), _DONE_FOR_CALLER),
    (_triggers("you're"), _YOU_ARE_BOOKED),
    (_triggers(_WILL), _WILL_BE_DONE),
    (_triggers("charged billed liable responsible pay owe"), _YOU_WONT_PAY),
)
_HAS_BEEN_WORDS = _triggers("been")
_ASSURANCE_WORDS = _triggers("promise guarantee guaranteed assure assured definitely 100 sure consider confirm")
_FUTURE_WORDS = _triggers("i'll will i'm going we'll we're make")
# Every promise shape contains one of these words; a turn without any is skipped unread.
_PROMISE_WORDS = frozenset().union(*(t for t, _ in _PROMISE_SHAPES), _HAS_BEEN_WORDS, _ASSURANCE_WORDS,
                                   _FUTURE_WORDS)

# Outcomes a voice bot cannot grant, with the reason used in descriptions.
_OUTCOMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, fastre.compile(pattern))
    for reason, pattern in (
        ("a refund or reimbursement", r"\b(refund(?:ed|s)?|reimburs\w+|money back|(?:back|returned) (?:on|to) your "
                                      r"(?:card|account))\b"),
        ("a credit-report change", r"\b(credit (?:report|bureaus?|file|score|history|reporting)|bureaus)\b"),
        ("a fee waiver or charge removal", r"\b(waiv(?:e|ed|er|ing)|won'?t be (?:charged|billed)|"
                                           r"(?:fee|charge|charges|penalty)(?: is| are|'s| will be) (?:gone|off)|"
                                           r"(?:fees?|charges?|overage|penalty|penalties|"
                                           r"interest|etf|late mark) (?:will be |is |are |get |has been |have been )?"
                                           r"(?:removed|"
                                           r"reversed|dropped|taken off|wiped|cleared|forgiven|cancell?ed)|"
                                           r"(?:remove|reverse|drop|take off|wipe|clear|forgive|cancel)"
                                           r"(?: [\w$.,'-]+){0,5} (?:fees?|charges?|overage|penalty|interest))\b"),
        ("a credit", r"\b(credited|(?:full|a|the|your|this|that|\$[\d,.]+|[\w-]+ dollars?)(?: [\w$.,'-]+){0,3} "
                     r"credit(?:ed)?|"
                     r"credit(?:ed)? (?:of|for|to|on)|service credit)\b(?! (?:card|report|union|bureau|score|check|"
                     r"limit|history|rating))"),
        ("an account adjustment", r"\b(appl(?:y|ied) (?:the |a |an )?(?:\w+ )?(?:adjustment|discount|credit|rate)|"
                                  r"(?:credit|adjustment|discount|refund|waiver) (?:gets|is|will be|has been) "
                                  r"(?:applied|processed|issued|posted)|"
                                  r"bill (?:will )?(?:come|go|be) (?:down|back)|won'?t (?:need|have) to pay|"
                                  r"(?:rate|apr|interest) (?:goes|will go|is going) back|back to your (?:usual|regular|"
                                  r"normal|old))\b"),
        ("an approval", r"\b(approv(?:e|ed|al)|fully covered|will be covered|(?:extend|increase) (?:your )?(?:\w+ )?"
                        r"coverage|(?:cover|pay for|reimburse) (?:the|your|all|that|those)(?: \w+){0,2} (?:cost|costs|"
                        r"repairs?|damage|bill|expenses?|replacement))\b"),
        ("a debt settlement", r"\b(settled in full|closed as (?:settled|paid)|(?:debt|balance) (?:will be |is )?"
                              r"(?:forgiven|wiped|cleared|written off|cancell?ed)|(?:collection|account) "
                              r"(?:is |will be )?removed|(?:wipe|clear|forgive|cancel|write off|zero out) "
                              r"(?:the |your |that |this )?(?:remaining |whole |entire )?(?:debt|balance)|"
                              r"won'?t owe (?:anything|a thing|a cent))\b"),
        ("compensation", r"\b(compensation|you'?ll (?:definitely )?receive [£$€])"),
        ("service kept on", r"\b((?:won'?t|will not) be (?:shut off|disconnected|cut off|turned off)|medical hold|"
                            r"(?:shut ?off|disconnection) (?:is|has been|will be) (?:stopped|cancell?ed|postponed))\b"),
    )
)
_DEADLINE = fastre.compile(
    r"\b((?:by|before) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the end of|"
    r"end of|this|next|your|the \w+)(?: \w+)?|within (?:the )?(?:\w+ )?(?:\d+ )?(?:hours?|days?|business days|weeks?)|"
    r"today|tomorrow|in (?:\w+ )?(?:hours|days)|on your next (?:bill|statement))\b"
)
# Attached to an outcome, these make it a request, a possibility or someone else's decision.
_HEDGE = fastre.compile(
    r"\b(request(?:ed|s)?|submit\w*|ask(?:ed)?|review\w*|note|noted|flag\w*|escalat\w*|recommend\w*|pass (?:it|this|"
    r"that|them|along|on)|may|might|could|usually|typically|normally|should|hopefully|possibl\w*|likely|eligible|"
    r"if (?:approved|eligible|they|it'?s|the)|so (?:that )?(?:the|a|an|our|your) \w+ (?:\w+ )?can|"
    r"for (?:the|a|our) (?:\w+ ){0,2}(?:team|department|office) to|once|whether|forms?|paperwork|"
    r"policy|polic(?:ies)|information|info|details|options|process)\b"
)
_WITHIN_AUTHORITY_OBJECT = fastre.compile(
    r"\b(text|email|e-mail|confirmation|link|letter|reminder|call you back|callback|notice|receipt|label|note)\b"
)


def find_commitments(view: CallView) -> list[Commitment]:
    """One `Commitment` per assistant message that promises something, in call order."""
    found = []
    for turn in view.assistant_turns:
        promise_words = _PROMISE_WORDS & words(turn.lower)
        if not promise_words:
            continue
        chosen = _chosen_promise(split_sentences(turn.lower), promise_words)
        if chosen is None:
            continue
        sentence, reason = chosen
        quote = safe_quote(cased_slice(turn.text, sentence.start, sentence.end))
        if reason:
            description = f"Assistant {reason}, which it cannot grant itself: \"{quote}\""
        else:
            description = f"Committed: \"{quote}\""
        found.append(Commitment(turn.index, description, bool(reason), reason, quote))
    return found


def _chosen_promise(
    sentences: tuple[Sentence, ...], promise_words: frozenset[str]
) -> tuple[Sentence, str | None] | None:
    """The promise a turn is described by: its first one exceeding authority (with why), else its first.
    `promise_words`: the turn's words among `_PROMISE_WORDS`."""
    first = None
    for sentence in sentences:
        if _is_promise(sentence, promise_words):
            reason = _exceeds(sentence.text)
            if reason:
                return sentence, reason  # the sentences after it cannot change the choice
            if first is None:
                first = sentence, None
    return first


def commitment_markers(commitments: list[Commitment]) -> list[MarkerFinding]:
    """An `ai_commitment` marker on every message with a promise."""
    return [MarkerFinding(c.message, MarkerType.AI_COMMITMENT, c.description) for c in commitments]


def _is_promise(sentence: Sentence, promise_words: frozenset[str]) -> bool:
    """`promise_words`: the words of the sentence's turn among `_PROMISE_WORDS`, which screen the
    sentence (`mentions_any`) and, as they hold every trigger word, each shape of a promise."""
    text = sentence.text
    if sentence.is_question or not mentions_any(text, promise_words):
        return False  # "would you like me to ...?", "shall I ...?"
    if "code" in text and _VERIFICATION_CODE.search(text):
        return False
    if _CALLER_CONDITION.search(text) and not _ASSURANCE.search(text):
        return False
    assurance_words = not _ASSURANCE_WORDS.isdisjoint(promise_words)
    denied = _DENIED_ASSURANCE.search(text) if assurance_words else None
    if denied:
        # "I can't promise it'll be approved, but I'll submit it today": only the rest can promise.
        rest = _BUT.search(text[denied.end():])
        if rest is None:
            return False
        text = text[denied.end() + rest.end():]
    for triggers, pattern in _PROMISE_SHAPES:
        if not triggers.isdisjoint(promise_words) and pattern.search(text):
            return True
    if not _HAS_BEEN_WORDS.isdisjoint(promise_words) and _HAS_BEEN_DONE.search(text) \
            and not _READ_FROM_RECORD.search(text):
        return True
    if assurance_words and _ASSURANCE.search(text) and not _DENIED_ASSURANCE.search(text):
        return True
    return not _FUTURE_WORDS.isdisjoint(promise_words) and any(
        _future_act_is_promise(m) for m in _FIRST_PERSON_FUTURE.finditer(text))


def _future_act_is_promise(match: re.Match[str]) -> bool:
    verb, rest = match.group("verb"), match.group("rest")
    if verb in _TALK_VERBS or _NOT_A_PROMISE_AFTER.search(rest):
        return False
    if verb == "have":
        return bool(_CAUSATIVE_OK.search(rest))  # "I'll have the charges removed", not "I'll have to"
    # "I'll put you through", "I'll pass you to billing"
    return not (verb in {"put", "get", "pass", "hand", "send"} and _HANDOFF_AFTER.match(rest))


def _exceeds(text: str) -> str | None:
    """Why a promise sentence exceeds the assistant's authority, or None when it does not."""
    assured = bool(_ASSURANCE.search(text)) and not _DENIED_ASSURANCE.search(text)
    for reason, pattern in _OUTCOMES:
        # "I'll submit a refund request, and I'll refund the fee today": any unhedged mention counts.
        if any(assured or not _hedged(text, match) for match in pattern.finditer(text)):
            deadline = _DEADLINE.search(text)
            verb = "guarantees" if assured else "promises"
            return f"{verb} {reason}" + (f" ({deadline.group()})" if deadline else "")
    if assured and not _WITHIN_AUTHORITY_OBJECT.search(text) and _DEADLINE.search(text):
        return f"guarantees an outcome by a deadline ({_DEADLINE.search(text).group()})"
    return None


def _hedged(text: str, outcome: re.Match[str]) -> bool:
    """A hedge in the clause of the outcome ("I'll submit a refund request", "it may be waived")."""
    clause_start = max(text.rfind(",", 0, outcome.start()), text.rfind(" and ", 0, outcome.start()),
                       text.rfind(" but ", 0, outcome.start()))
    clause_end_candidates = [i for i in (text.find(",", outcome.end()), text.find(" and ", outcome.end()))
                             if i != -1]
    clause_end = min(clause_end_candidates) if clause_end_candidates else len(text)
    clause = text[clause_start + 1 : clause_end]
    return bool(_HEDGE.search(clause) or _DENIED_ASSURANCE.search(text))

