"""What callers say that compliance cares about, matched on one normalised caller turn.

Callers are disfluent and rarely say the textbook sentence, so each detector matches the
phenomenon in several shapes ("take me off your list", "quit texting me", "don't ever call this
number again") and guards the obvious look-alikes ("power of attorney" is not a lawyer, "my court
date" is not a lawsuit, "I can't remember my zip" is not confusion). Detectors that label what they
found return the label, used in the flag description.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from harness import fastre
from harness.backends.rules.sentences import words

# Each detector first checks that the turn has one of its trigger words (every alternative of
# its patterns contains one), so a long call costs a set lookup per turn, not a dozen regexes.

# --- "am I talking to a person?" ---------------------------------------------------------------------

_WHAT = (r"(real |actual |live |human |an actual |a real |even a |actually a |really a )?(person|human|human being|"
         r"people|bot|robot|machine|computer|ai|a\.i\.|chatbot|chat bot|automated|lady|woman|man|guy|"
         r"operator|agent|someone real)")
_ASKS_IF_HUMAN = fastre.screened((
    "re you", "r you", "re u ", "r u ", "re ya ", "r ya ", "talking ", "speaking ", "chatting ", "is this ", "is that ",
    "is it ", "is there ", "human or", "person or", "bot or", "machine or", "computer or", "ai or", "who am i ",
    "you're ", "youre "),
    r"\b(are|r) (you|u|ya)( even| actually| really| like| just)? (a |an |one of (those|them|these) )?"
    r"(real|human|alive|a person|" + _WHAT + r")\b|"
    r"\b(am i|are we)( even| actually| really)? (talking|speaking|chatting) (to|with) (a |an |the |some )?"
    + _WHAT + r"\b|"
    r"\bis (this|that|it) (a |an |one of (those|them|these) |even a |actually a )?(real |actual |live )?(person|human|"
    r"bot|robot|machine|computer|ai|chatbot|automated)\b|"
    r"\bis there (a |an )?(real |actual |live )?(person|human)( being)? (typing|on the (other end|line)|there|"
    r"talking)\b|"
    r"\b(human|person) or (a |an )?(bot|robot|machine|computer|ai)\b|\b(bot|robot|machine|computer|ai) or (a |an )?"
    r"(human|person|real)\b|"
    r"\bwho am i (speaking|talking) (to|with)\b|"
    r"\byou'?re (a |an |one of (those|them|these) )?(\w+ )?(bot|robot|machine|computer|ai|automated)\b[^.!]*"
    r"(aren'?t (you|ya)|ain'?t (you|ya)|right\?|\?)"
)
# "Is there a real person I can talk to?" asks for a human, not what the assistant is.
_ASKS_FOR_HUMAN = fastre.compile(r"\b(is there|can i (talk|speak) to|get me|put me through to) "
                                 r"(a |an )?(real |actual )?(person|human)\b(?! (typing|on the other end))")


_HUMAN_WORDS = frozenset("""person human people bot robot machine computer ai a.i chatbot chat automated lady woman
    man guy operator agent real alive someone who""".split())


def asks_if_human(text: str) -> bool:
    if _HUMAN_WORDS.isdisjoint(words(text)):
        return False
    match = _ASKS_IF_HUMAN.search(text)
    if not match:
        return False
    return not (_ASKS_FOR_HUMAN.search(text) and _ASKS_FOR_HUMAN.search(text).start() <= match.start())


# --- stop contacting me ------------------------------------------------------------------------------

_CHANNEL = r"(call|calling|calls|ring|ringing|text|texting|texts|text messages|messages|messaging|email|emails|" \
           r"emailing|contact|contacting|robocalls?|voicemails?|letters|mail|mailers|notifications)"
_REVOKES = fastre.screened((
    "stop", "quit", "cease", "no more", "enough with the", "knock off the", "lay off the", "don't ", "dont ", "do not ",
    "never ", "take me", "take my", "take this number", "remove me", "remove my", "remove this number", "get me",
    "get my", "get this number", "not call", "not-call", "dnc", "opt ", "unsubscribe", "rather", "prefer", " consent",
    "to end", "ended", "leave me alone"),
    r"\b(stop|quit|cease|no more|enough with the|quit with the|stop with the|knock off the|lay off the)( \w+){0,2} "
    + _CHANNEL + r"\b|"
    r"\b(don'?t|do not|never) (ever )?(call|text|contact|email|ring|message) (me|us|this number|here|there|my \w+|"
    r"again|anymore|at)\b|"
    r"\b(take|remove|get) (me|my (name|number|details|info|information|email)|this number)( \w+){0,3} (off|from) "
    r"(your|the|this|that|whatever|every|all|any)( \w+){0,2} (list|lists|database|system)\b|"
    r"\b(do[- ]not[- ]call|dnc) (list|registry)\b|\b(opt (me |us )?out|unsubscribe)\b|"
    r"\b(rather|prefer) you (didn'?t|did not|don'?t|not) (call|contact|text|email|ring)\b|"
    r"\b(don'?t|do not) want (any |to get any |to receive any )?(more|further|these|those|your|the|any) (\w+ )?"
    + _CHANNEL + r"\b|\b((don'?t|do not|no longer) consent|withdraw (my )?consent) to (being |be )?(contacted|called|"
    r"texted|emailed|contact|calls|texts)\b|"
    r"\b(want|need) (it|them|this|these|those|that|all of (it|them|this)|the \w+)( all)? (to )?(stop|stopped|"
    r"to end|ended)\b|\bleave me alone\b"
)
_MENTIONS_CONTACT = fastre.compile(r"\b" + _CHANNEL + r"\b|\bphone\b|\bnumber\b")
_NOT_CONTACT = fastre.compile(r"\bdon'?t call me (sir|ma'?am|that|names|a liar|honey|buddy|dear|stupid)\b")


_CONTACT_WORDS = frozenset("""call calling calls ring ringing text texting texts messages messaging email emails
    emailing contact contacting robocall robocalls voicemail voicemails letters mail mailers notifications list
    lists database system registry opt unsubscribe leave stop stopped consent contacted called texted""".split())


def revokes_consent(text: str) -> bool:
    """The caller withdraws consent to be called, texted, emailed or otherwise contacted."""
    if _CONTACT_WORDS.isdisjoint(words(text)) or _NOT_CONTACT.search(text):
        return False
    match = _REVOKES.search(text)
    if not match:
        return False
    # "I want it stopped", "opt me out" only count when the turn is about calls, texts or messages
    # ("can I opt out of all that" may be about selling data).
    if match.group().startswith(("want", "need", "opt", "unsubscribe")):
        return bool(_MENTIONS_CONTACT.search(text))
    return True


# --- data rights -------------------------------------------------------------------------------------

_DATA = r"(data|info|information|details|personal (data|info|information|details)|everything|all of it|records|" \
        r"account|profile)"
_DATA_RIGHTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "delete my info", "I want all my data deleted" - not "everything was destroyed in the fire"
    # or "my account was deleted by mistake", which report what happened instead of asking.
    ("deletion", fastre.compile(
        r"\b(delete|erase|wipe|purge)( \w+){0,2} (my |all my |all of my |the |your )?" + _DATA + r"\b|"
        r"\b(want|need|like|please|have|get)\b[^.?!]{0,40}\b(data|info|information|details|records|account|profile)"
        r"( \w+){0,3} (deleted|erased|wiped|purged|removed from your (system|records|database))\b|"
        r"\bdelete (it all|everything|all of it)\b|\bright to (be forgotten|erasure|delete|deletion)\b|"
        r"\b(remove|take) (all )?(of )?my (personal )?(data|info|information|details) (from|off|out of) (your|the) "
        r"(records|system|systems|database|files)\b|"
        r"\bforget me\b")),
    ("access", fastre.screened((
        "what data", "what info", "what details", "what personal", "who have you", "who did you", "on me", "about me",
        "who you", "copy of", "record of", "subject access", "right to ", "data access", "data subject"),
        r"\bwhat (data|info|information|details|personal (data|information)) (you|y'all|your company|you guys|you "
        r"people)('ve| have)? (have|hold|keep|got|store|collect)\b|\bwhat (data|info|information|details|personal "
        r"(data|information)) (do|does|did) (you|y'all|your company|you guys|you people) (have|hold|keep|store|"
        r"collect)\b|\bwho (have|did) you (shared|share|sold|sell|passed|pass|given|give|sent|send) (it|my \w+|them|"
        r"that|this) (to|with)\b|\bwhat you('ve| have)? (actually |even )?(got|have|"
        r"hold|keep) on me\b|\b(what|everything) (you|y'all)('ve| have)? (got|have|hold) (on|about) me\b|"
        r"\bwho (you'?ve|you have|you) (shared|sold|passed|given|sent) (it|my \w+|them|that|this) (to|with)\b|"
        r"\b(copy|record) of (all )?(my|the) (personal )?(data|information|info) (you|that you)\b|"
        r"\bcopy of (all )?(the )?(personal )?(data|information|info) (you|that you)( \w+)? (hold|have|keep|store)\b|"
        r"\bsubject access( request)?\b|\bright to (access|know)\b|\bdata (access|subject) request\b")),
    ("stop sale or sharing", fastre.screened(("sold", "sell", "shar", "opt "),
        r"\b(don'?t|do not) (want )?(it |my (data|info|information|details) )?(to be )?(sold|shared|sell|share)\b|"
        r"\b(stop|quit) (selling|sharing) (my|our)\b|\bopt (me )?out of (the )?(sale|sharing|selling|data)\b|"
        r"\bdo not sell\b")),
    ("privacy law", fastre.compile(r"\b(ccpa|cpra|gdpr|data protection act|privacy rights?)\b")),
)


_DATA_RIGHTS_WORDS = frozenset("""delete erase wipe purge destroy deleted erased wiped purged destroyed removed remove
    take
    forgotten erasure deletion forget what who copy record subject access know sold shared sell share selling
    sharing opt sale ccpa cpra gdpr privacy""".split())


def data_rights_request(text: str) -> str | None:
    if _DATA_RIGHTS_WORDS.isdisjoint(words(text)):
        return None
    for label, pattern in _DATA_RIGHTS:
        if pattern.search(text):
            return label
    return None


def _triggers(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- vulnerability -----------------------------------------------------------------------------------

_FAMILY = r"(my |our |his |her )?(husband|wife|mom|mum|mother|dad|father|son|daughter|partner|brother|sister|" \
          r"grandma|grandmother|grandpa|grandfather|child|kid|baby|he|she|i)"
class _Kind(NamedTuple):
    """One kind of vulnerability: its label, the words that screen a turn for it, its pattern."""

    label: str
    triggers: frozenset[str]
    pattern: re.Pattern[str]


# What every "financial hardship" match holds, one for each of its shapes: rarer than "pay " or "home",
# which `fastre` would pick for "can't pay it" and "losing our home".
_HARDSHIP_NEEDLES = (
    "laid off", "lost ", "got fired", "out of work", "unemploy", "can't ", "cant ", "cannot ", "can not ",
    "fixed income", "on benefits", "social security", "disability", "ssi", "ssdi", "welfare", "food stamps",
    "hardship", "behind on ", "evict", "bank", "paycheck to paycheck", "nothing coming in", "between", "choosing",
    "picking", "left", "to my name", "account", " is due and", "lose the", "lose our", "lose my", "losing the",
    "losing our", "losing my", "foreclos", "repossess", "single ",
)
# What every "older caller" match holds: an age's first digit or word, or a word for old age.
_AGE_NEEDLES = ("7", "8", "9", "seventy", "eighty", "ninety", "elderly", "pensioner", "senior citizen")
_VULNERABILITY: tuple[_Kind, ...] = (
    _Kind("distress or self-harm", _triggers("kill end suicide suicidal live here hurt self harm point"),
          fastre.compile(
        r"\b(kill myself|end it all|end my life|suicid\w*|don'?t want to (live|be here) anymore|hurt myself|"
        r"self[- ]harm|no point (in )?(living|going on))\b")),
    _Kind("bereavement", _triggers("passed died funeral bereavement bereaved widow widowed widower death lost late"),
          fastre.compile(
        r"\b(passed away|passed on|" + _FAMILY + r" (has |just |recently )?(died|passed)|funeral|bereave\w*|"
        r"widow(ed|er)?|death of|lost my (husband|wife|mom|mum|mother|dad|father|son|daughter|partner|baby)|"
        r"my late (husband|wife|mother|father|partner))\b")),
    _Kind("serious illness", _triggers(
        "stroke heart cancer chemo chemotherapy radiation dialysis terminal terminally hospice intensive icu life "
        "oxygen concentrator ventilator hospitalized hospitalised hospital admitted seizure seizures diagnosed keep "
        "surgery operation als gehrig's parkinson's parkinsons multiple sclerosis copd failure leukemia lymphoma "
        "tumor tumour transplant paralyzed paralysed coma"), fastre.compile(
        r"\b(stroke|heart attack|cancer|chemo\w*|radiation (therapy|treatment)|dialysis|terminal(ly)? ill|hospice|"
        r"intensive care|icu|life support|oxygen|concentrator|ventilator|hospitali[sz]ed|in (the )?hospital|"
        r"hospital bed|admitted to (the )?(hospital|icu|er)|seizures?|diagnosed with|can'?t keep (water|food|"
        r"anything) down|" + _FAMILY + r"('s| is| was| had| has| have|'ve)( \w+){0,3} (surgery|an operation)|"
        r"in and out of (the )?hospital|als|lou gehrig'?s|parkinson'?s|multiple sclerosis|copd|(kidney|renal|heart) "
        r"failure|leukemia|lymphoma|tumou?r|transplant|paraly[sz]ed|coma)\b")),
    _Kind("confusion or dementia", _triggers(
        "dementia alzheimer alzheimer's alzheimers memory confused muddled mixed disoriented remember cognitive"),
          fastre.compile(
        r"\b(dementia|alzheimer\w*|memory (loss|problems|issues)|(he|she|they)('s| is| was| has been|'s been| gets|"
        r" keeps getting)( really| very| so| pretty)? (confused|muddled|mixed up|disoriented)|i (get|got|'ve been) "
        r"(really |very )?(confused|disoriented) (easily|a lot|lately)|(doesn'?t|don'?t|can'?t) remember "
        r"(anything|things|booking|who|where)|cognitive (decline|impairment))\b")),
    _Kind("financial hardship", _triggers(
        "laid job fired work unemployed unemployment afford pay make fixed benefits social disability ssi ssdi "
        "welfare stamps hardship behind evicted eviction evict evicting bankrupt bankruptcy paycheck coming "
        "groceries food rent electric dollars bucks mortgage lose losing foreclosure foreclosed foreclosing "
        "repossessed repossession single"), fastre.screened(_HARDSHIP_NEEDLES,
        r"\b(laid off|lost (my|his|her) job|got fired|out of work|unemploy(ed|ment)|(can'?t|cannot|can not) "
        r"(afford|pay (it|that|this|the (bill|rent))|make (rent|ends meet))|fixed income|on benefits|on (social "
        r"security|disability|ssi|ssdi|welfare|food stamps)|(social security|disability) (check|checks|income|"
        r"payments?)|hardship|behind on (rent|bills|my)|evict\w*|bankrupt\w*|paycheck to paycheck|nothing coming in|"
        r"(between|choosing|picking) .{0,30}(groceries|food|rent|electric)|(\$\d+|(\d+|forty|fifty|twenty|thirty|ten) "
        r"(dollars|bucks)) (left|to my name|in (my|the) (account|bank))|(rent|mortgage) is due and|(lose|losing) "
        r"(the|our|my) (house|home|apartment|flat)|foreclos\w+|repossess\w+|single (mom|mum|mother|dad|parent))\b")),
    _Kind("disability or mental health", _triggers(
        "disabled disability wheelchair blind deaf hard hearing learning see hear autism autistic down cerebral "
        "special care mental depression depressed anxiety ptsd bipolar schizophrenia"), fastre.compile(
        r"\b(disabled|disability|wheelchair|(i'?m|i am|he'?s|she'?s) (blind|deaf)|hard of hearing|hearing aid|"
        r"learning disabilit\w*|can'?t (see|hear) (well|very well)|autis\w+|down syndrome|cerebral palsy|"
        r"special needs|care for (him|her|them) full[- ]time|mental health|depress(ed|ion)|anxiety|ptsd|bipolar|"
        r"schizophren\w+)\b")),
    # Its triggers ("i", "he") are in most turns: the needles screen the regex too.
    _Kind("older caller", _triggers(
        "i'm i he's she's he she elderly pensioner senior"), fastre.screened(_AGE_NEEDLES,
        r"\b((i'?m|i am|he'?s|he is|she'?s|she is) (7[5-9]|8\d|9\d|seventy[- ](five|six|seven|eight|nine)|eighty"
        r"[\w-]*|ninety[\w-]*)( years old)?(?! (dollars|bucks|pounds|percent|minutes|days|miles|short|over))|elderly|"
        r"pensioner|senior citizen)\b")),
    _Kind("distress", _triggers(
        "crying tears cope deal handle cannot falling breaking rope wits overwhelmed panicking scared terrified "
        "frightened"), fastre.compile(
        r"\b(crying|in tears|can'?t cope|cannot cope|can'?t (deal|handle) (with )?(this|it|any of this|all this)|"
        r"cannot deal|falling apart|breaking down|at the end of my rope|at my wits'? end|overwhelmed|panicking|"
        r"i'?m (so |really |pretty |honestly )?(scared|terrified|frightened))\b")),
)
# "Social Security number", "I'm calling from the hospital where I work", "the ER visit" on a bill.
_VULNERABILITY_LOOKALIKES = fastre.compile(
    r"\b(social security number|social security (card|office)|on the ward|(work|works|working) (at|in) (the |a )?"
    r"hospital)\b"
)


_VULNERABILITY_TRIGGERS = frozenset().union(*(kind.triggers for kind in _VULNERABILITY))


def vulnerability(text: str) -> str | None:
    # One set test for the many turns without a trigger of any kind; the few a turn has then
    # screen each kind more cheaply than its whole vocabulary would.
    triggers = _VULNERABILITY_TRIGGERS & words(text)
    if not triggers:
        return None
    candidates = [kind for kind in _VULNERABILITY if not kind.triggers.isdisjoint(triggers)]
    cleaned = _VULNERABILITY_LOOKALIKES.sub(" ", text)
    for kind in candidates:
        if kind.pattern.search(cleaned):
            return kind.label
    return None


# --- legal threats -----------------------------------------------------------------------------------

_REGULATORS = (
    r"cfpb|consumer financial protection|fcc|federal communications commission|ftc|federal trade commission|"
    r"attorney general|ombudsman|ombudsperson|better business bureau|bbb|insurance (commissioner|department|"
    r"regulator)|department of insurance|(public )?(utility|utilities|service|corporation) commission|puc|"
    r"\bico\b|information commissioner|fca|financial conduct authority|ofcom|ofgem|ofwat|trading standards|"
    r"department of transportation|consumer protection|regulators?|state board|hhs|office for civil rights|"
    r"department of labor|department of justice|fdic|finra"
)
_LEGAL: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lawyer", fastre.compile(r"\b(lawyers?|attorneys?(?! general)|solicitors?|legal aid|paralegal|legal counsel|"
                          r"my counsel)\b")),
    ("lawsuit", fastre.compile(
        r"\b(sue|suing|sued|lawsuit|law suit|legal action|take (you|y'all|them|this|it|this company) to court|"
        r"see you in court|small claims|class action|court case|file a claim against|bad faith)\b")),
    ("regulator", fastre.compile(r"\b(" + _REGULATORS + r")\b")),
    ("formal complaint", fastre.compile(
        r"\b(formal complaint|(file|filing|filed|lodge|lodging|lodged|submit|submitting|put in) (a |an )?"
        r"(formal |official )?complaint|complain(ed|ing)? to (the )?(" + _REGULATORS + r")|report (you|y'all|this|"
        r"them|your company|you people)( all)? to|reporting (you|y'all|this|them) to)\b")),
)
# Not threats: "power of attorney", "attorney-in-fact", "no, I'm not a lawyer", a traffic court date.
_LEGAL_LOOKALIKES = fastre.compile(
    r"\b(power of attorney|attorney[- ]in[- ]fact|(not|n't|never) (a |an )?(lawyer|attorney|solicitor)|"
    r"(i|he|she) (work|works) (as|for) (a |an )?(lawyer|attorney|law firm)|court date|traffic court)\b"
)


_LEGAL_WORDS = frozenset("""lawyer lawyers attorney attorneys solicitor solicitors legal paralegal counsel sue
    suing sued lawsuit law court small class claim faith cfpb consumer fcc federal ftc general ombudsman
    ombudsperson better bbb insurance department commission puc ico information fca financial ofcom ofgem ofwat
    trading transportation regulator regulators state hhs office labor justice fdic finra formal complaint file
    filing filed lodge lodging lodged submit submitting put complain complained complaining report reporting""".split())


def legal_threat(text: str) -> str | None:
    if _LEGAL_WORDS.isdisjoint(words(text)):
        return None
    cleaned = _LEGAL_LOOKALIKES.sub(" ", text)
    for label, pattern in _LEGAL:
        if pattern.search(cleaned):
            return label
    return None
