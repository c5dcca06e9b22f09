"""Third parties: is the caller someone other than the account holder?

People call for a parent, a spouse, a partner, a client: "I'm calling about my mom's account",
"the lease is in her name", "I'm her daughter", "she's a patient there", "on behalf of". Each of
these puts the caller beside the account, not on it. A joint account ("our account") or a relative
merely mentioned ("my sister's wedding", "my son says ...") does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import fastre
from harness.backends.rules.sentences import split_sentences, words
from harness.backends.rules.text import CallView, Turn

_RELATION_WORDS = (
    r"mother|mom|mum|mommy|mama|father|dad|daddy|papa|husband|wife|partner|spouse|son|daughter|"
    r"brother|sister|grandmother|grandma|granny|gran|nan|grandfather|grandpa|granddad|grandson|granddaughter|"
    r"aunt|auntie|uncle|niece|nephew|friend|neighbou?r|boss|client|employer|tenant|boyfriend|girlfriend|"
    r"fianc[ée]e?|child|kid|parent|mother-in-law|father-in-law|relative|cousin"
)
_RELATION = r"(?P<rel>" + _RELATION_WORDS + ")"  # captured: the signal reports which relation
_ANY_RELATION = r"(?:" + _RELATION_WORDS + ")"
# What a caller can hold on someone else's behalf. Not "phone", "line" or "plan": a parent often
# holds the family plan ("my daughter's phone is on my plan").
_HELD = (
    r"(account|policy|claim|case|bill|bills|card|loan|benefits?|food stamps|ebt|appointments?|prescriptions?|"
    r"medications?|meds|pills|records?|order|booking|reservation|lease|insurance|mortgage|rent|statement|"
    r"debt|balance|file|chart|treatment|results?|membership|subscription|pension)"
)



_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "I'm calling for my dad", "it's about my mum actually, not me" - not "it's for my wife" (a gift)
    ("calling for a relative", fastre.compile(
        r"\b((calling|ringing|phoning|call|phoned|rang)( \w+){0,2} (about|for|regarding|on behalf of)|(it'?s|it is|"
        r"this is)( \w+)? (about|regarding|on behalf of)) (my|our) " + _RELATION
        + r"\b(?!'s? (birthday|wedding|party|graduation|funeral|present|gift))")),
    # "my mom's account", "my husband's prescription"
    ("relative's account",
     fastre.screened(("my ", "our "), r"\b(my|our) " + _RELATION + r"'?s( \w+){0,2} " + _HELD + r"\b")),
    ("on behalf of", fastre.compile(r"\bon behalf of (?!myself|me\b|us\b)")),
    # "the account's in her name", "the case is under my mother", "it's in my husband's name"
    ("held in another's name", fastre.screened((
        "in his name", "in her name", "in their name", "under his name", "under her name", "under their name", "in my ",
        "under my "),
        r"\b(account|policy|lease|case|claim|card|plan|loan|reservation|booking|bill|it|everything|that)"
        r"('s| is| was| are)"
        r" (all )?(in|under) ((his|her|their) name|my " + _RELATION + r"\b)")),
    ("held in another's name", fastre.compile(r"\b(in|under) (my )?" + _RELATION + r"'s name\b")),
    # "I'm her daughter", "I'm his carer"
    ("relation to the holder", fastre.screened(("m his ", "m her ", "m their "),
        r"\b(i'?m|i am) (his|her|their) (" + _RELATION + r"|carer|caregiver|care giver|guardian|"
        r"conservator|executor|power of attorney|poa|representative|rep)\b")),
    ("carer or attorney", fastre.compile(
        r"\b(i|we) (have|hold|got|'ve got) (the )?(power of attorney|poa|guardianship|conservatorship)\b|"
        r"\bi'?m (the |a |an )?(carer|caregiver|care giver|legal guardian|executor) (for|of)\b")),
    # "she's a patient there", "he's a customer of yours"
    ("holder is someone else", fastre.compile(
        r"\b(she|he|they)('s| is| are) (a |an )?(patient|customer|member|client|policyholder|policy holder|tenant|"
        r"account holder|cardholder|subscriber)( (there|here|with you|of yours|at your))?\b")),
    ("letter for someone else", fastre.compile(r"\b((addressed|sent) to|letter for) my " + _RELATION + r"\b")),
    # Not "told me to call": the front desk or a technician tells people to call, too.
    ("asked to call", fastre.compile(r"\b(she|he|they) (asked|wanted) me to (call|ring|phone|sort)")),
    # "I do all his bills", "I manage my mum's finances"
    ("manages their affairs", fastre.compile(
        r"\b(i|we) (handle|manage|do|pay|look after|take care of|sort out|deal with)( all)? (of )?(his|her|their|"
        r"my " + _ANY_RELATION + r"'s) (bills|finances|accounts?|affairs|money|paperwork|medications?|pills|meds)\b")),
    # "it's my grandma's, she doesn't do phones" - but not "it's my son's birthday present"
    ("relative's account", fastre.screened(("s my ", "s our "), r"\b(it'?s|it is|this is|that'?s) (my|our) " + _RELATION
                                      + r"'s(?=[,.;!?]| -|$| " + _HELD + r"\b)")),
)
# Every signal above needs one of these words (a relation, "behalf", "name", a holder noun ...).
_SIGNAL_WORDS = frozenset(_RELATION_WORDS.replace("fianc[ée]e?", "fiance fiancee fiancé fiancée").split("|")) | {
    "behalf", "name", "carer", "caregiver", "care", "guardian", "conservator", "executor", "attorney", "poa",
    "representative", "rep", "guardianship", "conservatorship", "patient", "customer", "member", "policyholder",
    "policy", "account", "cardholder", "subscriber", "asked", "wanted", "told", "bills", "finances", "affairs",
    "money", "paperwork", "medication", "medications", "pills", "meds"}
# Stated names: "my wife, Lorraine", "her name is Anjali Raman", "in her name, Tasha Greene".
# The relation is matched in any case, the name only when capitalised ("my wife, Lorraine").
_NAME_AFTER_RELATION = fastre.compile(r"(?i:" + _RELATION + r"),? (?P<name>[A-Z][a-z'\-]+(?: [A-Z][a-z'\-]+)?)")
_FILLER = r"(?:(?:uh|um|er|erm),?\s+)?"
_NAME_STATED = fastre.compile(
    r"\b(?:her|his|their) name(?:'s| is|,)\s+" + _FILLER + r"(?P<name>[A-Za-z'\-]+(?: [A-Za-z'\-]+)?)|"
    r"\b(?:in|under) (?:her|his|their) name,\s+" + _FILLER + r"(?P<name2>[A-Za-z'\-]+(?: [A-Za-z'\-]+)?)|"
    r"\b(?:patient|customer|member|account holder|policyholder)(?: there| here)?,\s+" + _FILLER
    + r"(?P<name3>[A-Za-z'\-]+(?: [A-Za-z'\-]+)?)",
    re.I,
)
_NOT_NAME_WORDS = frozenset("""a an the and but so um uh er is was she he they it it's that this my her his
    actually not just same last first no yes ok okay like""".split())
# How many caller turns after the signal to look for the holder's name.
_NAME_LOOKAHEAD = 3

_AUTHORISED = fastre.compile(
    r"\b(you'?re|you are) (listed |set up |on file |registered )?(as )?(an? )?(authori[sz]ed|joint|secondary)"
    r"( (user|contact|caller|representative|signer|party|account holder))?|\b(power of attorney|poa|"
    r"third[- ]party authori[sz]ation) (is |that'?s )?on (file|the account)|\bi (can )?see (you|your name) "
    r"(listed|on the account|as an authori[sz]ed)"
)
# "Without being an authorized signer ...", "once you're authorized ...": not a confirmation.
_NOT_CONFIRMED = fastre.compile(r"\b(not|without|unless|if|once|until|need|needs|would|have to|has to)\b|n't\b|\?")


@dataclass(frozen=True)
class ThirdParty:
    message: int  # the caller turn where it shows
    evidence: str  # which kind of signal ("relative's account", "on behalf of", ...)
    relationship: str | None = None  # "mother", "husband"... as the caller said it
    holder_name: str | None = None
    authorised_at: int | None = None  # an assistant turn confirming the caller may act on the account


def detect_third_party(view: CallView) -> ThirdParty | None:
    """The first sign that the caller is acting for someone else's account, or None."""
    callers = view.caller_turns
    for position, turn in enumerate(callers):
        found = _signal(turn.lower)
        if found is None:
            continue
        evidence, relationship = found
        name = _holder_name(callers[position : position + _NAME_LOOKAHEAD])
        if relationship is None:
            relationship = _relation_near(callers[position : position + _NAME_LOOKAHEAD])
        return ThirdParty(turn.index, evidence, relationship, name, _authorised_at(view))
    return None


def _signal(text: str) -> tuple[str, str | None] | None:
    if _SIGNAL_WORDS.isdisjoint(words(text)):
        return None
    for evidence, pattern in _SIGNALS:
        match = pattern.search(text)
        if match:
            relation = match.groupdict().get("rel")
            return evidence, _canonical(relation)
    return None


def _canonical(relation: str | None) -> str | None:
    if relation is None:
        return None
    return {"mom": "mother", "mum": "mother", "mommy": "mother", "mama": "mother", "dad": "father",
            "daddy": "father", "papa": "father", "grandma": "grandmother", "granny": "grandmother",
            "gran": "grandmother", "nan": "grandmother", "grandpa": "grandfather", "granddad": "grandfather",
            "auntie": "aunt", "neighbor": "neighbour", "kid": "child"}.get(relation, relation)


def _relation_near(turns: tuple[Turn, ...]) -> str | None:
    """A relation word said around the signal ("I'm her daughter" two turns later)."""
    for turn in turns:
        match = re.search(r"\b(my|her|his) " + _RELATION + r"\b", turn.lower)
        if match:
            return _canonical(match.group("rel"))
    return None


def _holder_name(turns: tuple[Turn, ...]) -> str | None:
    # An explicit "her name is ..." usually gives the full name; "my wife, Lorraine" often the first only.
    for turn in turns:
        for match in _NAME_STATED.finditer(turn.text):
            name = _clean_name(match.group("name") or match.group("name2") or match.group("name3"))
            if name:
                return name
    for turn in turns:
        for match in _NAME_AFTER_RELATION.finditer(turn.text):
            name = _clean_name(match.group("name"))
            if name:
                return name
    return None


def _clean_name(raw: str | None) -> str | None:
    if not raw:
        return None
    kept = []
    for word in raw.split():
        if word.lower() in _NOT_NAME_WORDS:
            break
        word = re.sub(r"'s$", "", word)  # "my girlfriend Tasha's lease"
        kept.append(word[:1].upper() + word[1:])
    return " ".join(kept) or None


def _authorised_at(view: CallView) -> int | None:
    for turn in view.assistant_turns:
        if not _AUTHORISED.search(turn.lower):
            continue
        for sentence in split_sentences(turn.lower):
            if _AUTHORISED.search(sentence.text) and not _NOT_CONFIRMED.search(sentence.text):
                return turn.index
    return None
