"""The caller's own name: introductions, answers to "what's your name", spellings, corrections.

Evidence is collected in call order and the latest strong mention wins, so a name the assistant
misheard and the caller corrected or spelled out ends up in its corrected form. A candidate must
look like a name: a known given name (gender-guesser's international list), or, where the
context says a name is coming (an answer to a name question, an opening introduction), any
capitalised or otherwise non-common word. Names introduced as someone else's ("my mother, Ruth",
"his name's Vincent") are never the caller's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from harness import fastre
from harness.backends.rules.text import CallView, Turn
from harness.contract import Role

# Words that follow "this is" / "I'm" / "it's" in speech, or sit next to a name, but are not names.
_NOT_NAMES = frozenset(
    """
    a an the and or but so just not no yes yeah yep ok okay um uh er erm hi hello hey well oh ah
    i me my mine you your we our us they them he she him her his it its this that there here
    is am are was were be been being do does did have has had will would can could should shall
    may might must calling call called trying try going gonna wanna about for from with without
    to of in on at by as if then than too very really actually again still also only even like
    ridiculous unbelievable unacceptable insane crazy sorry fine good great sure kinda sorta
    terrible awful frustrated frustrating annoyed angry upset worried confused phoning speaking
    ringing looking wondering hoping waiting sitting stuck done tired sick happy glad afraid
    right wrong correct true real human person robot bot machine customer member client owner
    account holder patient policyholder mister mr mrs ms miss dr doctor sir madam maam
    what who why when where how which whatever something nothing anything everything
    one two three four five six seven eight nine ten zero first last
    mom mum dad mother father wife husband son daughter brother sister partner friend
    nurse manager supervisor agent representative operator please thanks thank
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    january february march july september october november december
    name names spelled spelling last-name surname number account card order dot com gmail email
    """.split()
)
_RELATION = (
    r"(?:mother|mom|mum|father|dad|wife|husband|son|daughter|brother|sister|partner|grandmother|grandma|"
    r"grandfather|grandpa|aunt|uncle|friend|neighbou?r|boss|client|tenant|boyfriend|girlfriend|spouse|"
    r"child|kid|parent|fianc[ée]e?)"
)
_TOKEN = fastre.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\-]*|[.,;:!?]")
_NUMBER_WORDS = frozenset(
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand".split()
)
_FILLERS = frozenset(
    {
        "uh",
        "um",
        "er",
        "erm",
        "oh",
        "yeah",
        "yes",
        "yep",
        "sure",
        "hi",
        "hello",
        "hey",
        "ok",
        "okay",
        "so",
        "well",
        "and",
        "it's",
        "its",
        "this",
        "is",
        "that's",
        "me",
        "i'm",
    }
)

_INTRODUCTION_PATTERN = (  # in lower case: matched case-blind, or as it is on lower-cased text
    # the longer alternatives first: "i'm his son, X" must not stop at "i'm"
    rf"\b(?:i'?m (?:his|her|their|the) {_RELATION}|my (?:full |first |last |legal )?name(?:'s| is| was)|"
    r"(?:the )?name(?:'s| is)|this is|it's|it is|call me|i'm|i am|(?:last|first|sur) ?name(?:'s| is)?|"
    r"that's me|(?:it's|it'd be|it should be) under(?: the name)?)"
    r",?\s+(?:(?:uh|um|er),?\s+)?"
)
_INTRODUCTION = fastre.CaseBlind(_INTRODUCTION_PATTERN)
# Within a turn that already gave a name: "Bex, well, Rebecca", "Jon, I mean John".
_SELF_CORRECTION = fastre.compile(r"\b(?:well|i mean|or rather|actually|sorry)[,]?\s+", re.I)
_OTHER_PERSON = fastre.compile(
    rf"\b(?:my {_RELATION}(?:'s)?(?: name is| name's| is)?|(?:his|her|their) name(?:'s| is))[ ,]*$", re.I
)
_NAME_QUESTION = fastre.compile(
    r"\bname\b[^.!]*\?|\b(?:who (?:am i|i'm) (?:speaking|talking) (?:with|to)|who's calling|who is calling)",
    re.I,
)
_QUESTION_WORDS = frozenset({"name", "who"})
_CORRECTION_CUE = fastre.compile(
    r"\b(?:not|no|actually|sorry|it's spelled|spelled|with an?|wrong|misspelled|correct(?:ion)?)\b", re.I
)
# Spelled-out letters are transcribed as capitals: "T O M A S Z", "M-C-A-L-I-S-T-E-R", "K. O. E."
_SPELLED = fastre.compile(r"(?<![A-Za-z'])(?:[A-Z][\s,\-]+){2,}[A-Z](?![A-Za-z'])|(?:[A-Z]\.\s?){3,}")
_CAPITAL = re.compile(r"[A-Z]")
_SPOKEN_WORD = re.compile(r"[A-Za-z'\-]+")
_SURNAME_CUE = fastre.compile(r"\b(?:last name|surname|family name)\b", re.I)
# The greeting in any case ("Thank you, Raymond"); the name itself must be capitalised.
_ADDRESS = fastre.compile(
    r"\b(?i:thanks|thank you|got it|great|perfect|okay|ok|alright|hi|hello|sorry|of course|welcome)"
    r",?\s+(?:(?i:mr|mrs|ms|miss|dr)\.?\s+)?([A-Z][a-zà-ÿ'\-]+)"
)


@dataclass(frozen=True)
class NameEvidence:
    name: str
    message: int
    strength: int  # 1 weak (an "I'm X" mid-call) .. 4 a correction or spelling


def caller_name(view: CallView) -> str | None:
    """The caller's own name in its final form, or None when they never gave one."""
    evidence = collect_name_evidence(view)
    if not evidence:
        return None
    chosen = evidence[0]
    for later in evidence[1:]:
        if _replaces(later, chosen):
            chosen = later
    return _with_assistant_spelling(view, chosen)


def _replaces(new: NameEvidence, current: NameEvidence) -> bool:
    """A later mention replaces the current name when it is stronger evidence, or when it
    revises the same name (a fuller form, a correction, a spelling). Repeating part of the name
    ("Fiona" after "Fiona Haldane") confirms it; an unrelated name of equal strength (a
    practice, a street) does not replace the caller's."""
    new_words, current_words = set(new.name.lower().split()), set(current.name.lower().split())
    if new_words <= current_words:
        return False
    if new.strength > current.strength:
        return True
    related = bool(new_words & current_words) or new.name[0].lower() == current.name[0].lower()
    return related and new.strength >= current.strength


def collect_name_evidence(view: CallView) -> list[NameEvidence]:
    evidence: list[NameEvidence] = []
    for position, turn in enumerate(view.caller_turns):
        asked = _asked_for_name(view, turn)
        opening = position < 2
        found = _names_in_turn(turn.text, asked=asked, opening=opening)
        if found:
            strength = 3 if asked or opening else 2
            name = _longest_consistent(found)
            if evidence and _CORRECTION_CUE.search(turn.text) and _differs(name, evidence[-1].name):
                name, strength = _merge_correction(evidence[-1].name, name), 4
            evidence.append(NameEvidence(name, turn.index, strength))
        if evidence and (spelled := _spellings(turn.text)):
            evidence.append(_apply_spellings(evidence[-1], spelled, turn))
    return evidence


def _asked_for_name(view: CallView, turn: Turn) -> bool:
    # the assistant's last turn before this one, if it is the turn just before (turns are in order)
    previous = view.turns[turn.index - 1] if turn.index > 0 else None
    return (
        previous is not None
        and previous.role is Role.ASSISTANT
        # every question the pattern knows has "name" or "who" as a word: most turns have neither
        and not _QUESTION_WORDS.isdisjoint(previous.alnum_runs)
        and bool(_NAME_QUESTION.search(previous.text))
    )


def _names_in_turn(text: str, *, asked: bool, opening: bool) -> list[str]:
    """Name spans the caller gives as their own in one turn, in order."""
    intros = _introductions(text)
    if not asked and not any(_may_start_a_name(text, end, opening) for end in intros):
        # Unasked, the first name starts at an introduction (and later ones need a first): where
        # no introduction is followed by a word that can start a name (most: "it's 4716", "i'm
        # in"), nothing here is a name, and the turn's words are not even read.
        return []
    return _name_spans(text, intros, asked=asked, opening=opening)


def _name_spans(text: str, intros: dict[int, str], *, asked: bool, opening: bool) -> list[str]:
    """The spans, word by word from the first place one can start (`intros`: the text's introductions)."""
    spans: list[str] = []
    first_names: list[str] = []  # spans introduced as "first name X"
    # Unasked, nothing before the first introduction can start a name (and no span exists yet):
    # the tokens before it are not even read.
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text, 0 if asked else min(intros))]
    corrections = {m.end() for m in _SELF_CORRECTION.finditer(text)}
    first = 0 if asked else next((i for i, (_w, start) in enumerate(tokens) if start in intros), len(tokens))
    # An answer's name can lead it, after nothing but fillers ("uh, yeah, it's"): the words up to
    # the first other one, found once rather than re-read for every later word.
    last_leading = _first_not_filler(tokens) if asked else -1
    for i in range(first, len(tokens)):
        start = tokens[i][1]
        introduced = start in intros or (bool(spans) and start in corrections)
        leading = i <= last_leading
        after_break = bool(spans) and i > 0 and tokens[i - 1][0] in ".,;"
        if not (introduced or leading or after_break):
            continue
        span = _name_span(tokens, i, expected=asked or (introduced and opening), leading=leading)
        if not span:
            continue
        # Tested after the span: it rules out few words, each at the cost of reading the whole
        # text before it, where the span test rules out most at once.
        if _OTHER_PERSON.search(text[:start]):
            continue
        if after_break and not (introduced or leading) and not _shares_a_word(span, spans):
            continue  # "Lucia. Lucia Ferraro", "Campbell. Marcia Campbell": the same name again, fuller
        spans.append(span)
        if "first" in intros.get(start, ""):
            first_names.append(span)
    return spans + _first_and_family(first_names, spans)


def _may_start_a_name(text: str, introduction_end: int, opening: bool) -> bool:
    """Whether the word after an introduction passes the first test of a name span, as
    `_name_spans` would test it: an introduction ends with white space, so its end is where the
    word starts when the text is read a token at a time."""
    word = _TOKEN.match(text, introduction_end)
    return word is not None and _first_name_like(word.group().removesuffix("'s"), expected=opening, leading=False)


def _introductions(text: str) -> dict[int, str]:
    """Where each introduction ends -> its words in lower case (`fastre.CaseBlind`: lower-casing
    an ASCII text keeps its offsets)."""
    return {m.end(): m.group().lower() for m in _INTRODUCTION.finditer(text)}


def _shares_a_word(span: str, spans: list[str]) -> bool:
    words = {w.lower() for w in span.split()}
    return any(words & {w.lower() for w in other.split()} for other in spans)


def _first_and_family(first_names: list[str], spans: list[str]) -> list[str]:
    """ "Tran. first name Dustin": a given name and a lone family name in one turn make one name."""
    if len(first_names) != 1 or len(first_names[0].split()) != 1:
        return []
    family = [s for s in spans if len(s.split()) == 1 and s != first_names[0]]
    return [f"{first_names[0]} {family[0]}"] if family else []


def _first_not_filler(tokens: list[tuple[str, int]]) -> int:
    """The position of the first word that is not a filler or a pause: only the tokens up to it
    have nothing but fillers before them."""
    return next((i for i, (w, _) in enumerate(tokens) if not (w.lower() in _FILLERS or w in ".,;:")), len(tokens))


def _name_span(tokens: list[tuple[str, int]], i: int, *, expected: bool, leading: bool) -> str | None:
    """Up to three name words starting at token `i`, stopping at punctuation or a common word."""
    first = tokens[i][0].removesuffix("'s")
    if not _first_name_like(first, expected=expected, leading=leading):
        return None
    following = tokens[i + 1][0].lower() if i + 1 < len(tokens) else "."
    if first.islower() and following in _NOT_NAMES and _word_frequency(first) >= _COMMON_WORD:
        return None  # "hang on", "will do": an everyday word used as one, not a name
    words = [first]
    for word, _ in tokens[i + 1 : i + 3]:
        if not word[0].isalpha() or word.lower() in _NOT_NAMES or word.lower().endswith("'s"):
            break
        if any(part in _NUMBER_WORDS for part in word.lower().split("-")):
            break
        words.append(word)
    return " ".join(_capitalise(w) for w in words)


def _first_name_like(word: str, *, expected: bool, leading: bool) -> bool:
    """Could `word` start the caller's name? Stricter where nothing says a name is coming."""
    lower = word.lower()
    if len(word) < 2 or lower in _NOT_NAMES or lower in _FILLERS or not word.replace("-", "").isalpha():
        return False
    capitalised = word[0].isupper() and not word.isupper()
    if capitalised:
        # Sentence-initial capitals are everyday words too ("Hang on"); a name outside the
        # given-name list is rarely an everyday word.
        return _known_given_name(lower) or (expected and _word_frequency(lower) < _UNCOMMON_WORD)
    # Lower-case transcripts: a known given name that is not also an everyday word ("hope",
    # "will", "june"), or a rare word given as the answer to "what's your name".
    # (a frequency lookup costs ~25 µs for a word wordfreq has not seen yet: only where it decides)
    if _known_given_name(lower):
        return leading or _word_frequency(lower) < _EVERYDAY_WORD
    return leading and _word_frequency(lower) < _RARE_WORD


def _longest_consistent(names: list[str]) -> str:
    """The fullest name of the turn ("Bex, well, Rebecca Okonkwo"), the first on a tie: a later
    name of the same length is more often a relative's ("Priya Raman ... my mom, Lakshmi Raman")."""
    return max(names, key=lambda n: len(n.split()))


def _differs(new: str, old: str) -> bool:
    return new.lower() != old.lower() and new.lower() not in old.lower()


def _merge_correction(old: str, new: str) -> str:
    """A corrected first name keeps the surname, a corrected surname keeps the first name."""
    old_parts, new_parts = old.split(), new.split()
    if len(new_parts) == 1 and len(old_parts) == 2:
        if new_parts[0][0].lower() == old_parts[0][0].lower():
            return f"{new_parts[0]} {old_parts[1]}"
        if new_parts[0][0].lower() == old_parts[1][0].lower():
            return f"{old_parts[0]} {new_parts[0]}"
    return new


def _spellings(text: str) -> list[tuple[str, bool]]:
    """Letter-by-letter spellings ("T O M A S Z"), each with whether it was given as a surname."""
    if text.islower():  # no capital letters, so none spelled (a lower-case transcript)
        return []
    found = []
    for match in _SPELLED.finditer(text):
        letters = "".join(_CAPITAL.findall(match.group()))
        if len(letters) >= 3:
            before = text[max(0, match.start() - 30) : match.start()]
            found.append((letters, bool(_SURNAME_CUE.search(before))))
    return found


def _apply_spellings(last: NameEvidence, spellings: list[tuple[str, bool]], turn: Turn) -> NameEvidence:
    parts = last.name.split()
    for letters, is_surname in spellings:
        spelled = _capitalise(letters.lower())
        target = _closest_part(parts, spelled)
        if target is not None:
            parts[target] = spelled
        elif len(parts) == 1 and (is_surname or letters.lower() in _words_said(turn)):
            # a family name said and spelled out ("Adeyemi. A, D, E, Y, E, M, I."): not a code
            parts.append(spelled)
    if parts == last.name.split():
        return last  # the letters spelled something else: a plate, a code
    return NameEvidence(" ".join(parts), turn.index, max(last.strength, 4))


def _words_said(turn: Turn) -> set[str]:
    return {w.lower() for w in _SPOKEN_WORD.findall(turn.text)}


def _closest_part(parts: list[str], spelled: str) -> int | None:
    """The name part a spelling spells: same initial and a similar length, or alike in sound."""
    candidates = [
        (abs(len(part) - len(spelled)), i)
        for i, part in enumerate(parts)
        if (part[0].lower() == spelled[0].lower() and abs(len(part) - len(spelled)) <= 2)
        or _sounds_alike(part, spelled)
    ]
    return min(candidates)[1] if candidates else None


def _sounds_alike(heard: str, spelled: str) -> bool:
    # "Shivon" for "Siobhan": speech-to-text keeps the consonant skeleton's tail, not the initial.
    skeleton = lambda word: word.lower().translate(_NOT_SKELETON)  # noqa: E731
    return abs(len(heard) - len(spelled)) <= 3 and skeleton(heard)[-2:] == skeleton(spelled)[-2:]


_NOT_SKELETON = str.maketrans("", "", "aeiouyh")  # translate() deletes them: re.sub's work, a third the cost


@cache
def _given_names():
    import gender_guesser.detector as detector  # loads a 40k-name table once

    return detector.Detector(case_sensitive=False)


def _known_given_name(word: str) -> bool:
    # What `get_gender(word) != "unknown"` answers (it says "unknown" only for a name not in its
    # table), without the call: one dictionary lookup.
    return word.lower() in _given_names().names


# Zipf scale (log10 of uses per billion words): 5 ~ "hope", "june"; 3.5 ~ "siobhan"-rare.
_EVERYDAY_WORD = 5.0
_COMMON_WORD = 4.5
_UNCOMMON_WORD = 4.0
_RARE_WORD = 3.5


def _word_frequency(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _capitalise(word: str) -> str:
    rest = word[1:]
    # (a text that is lower case has no upper-case character: most names, at one call)
    if not rest.islower() and any(c.isupper() for c in rest):
        return word  # keep McAlister, DeShawn as written
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _with_assistant_spelling(view: CallView, chosen: NameEvidence) -> str:
    """Adopt the assistant's capitalisation when it later addresses the caller by the same name,
    and complete a lone first name or surname from a full name the assistant reads back."""
    parts = chosen.name.split()
    later = [turn for turn in view.assistant_turns if turn.index > chosen.message]
    for turn in later:
        # Either reading below finds the caller's name (or its fuller form) in the turn: a turn
        # that does not hold it as text is skipped before any pattern runs over it.
        if parts[0].lower() not in turn.lower:
            continue
        for match in _ADDRESS.finditer(turn.text):
            addressed = match.group(1)
            # the same name, or the full form of a short one the caller used ("Ray" -> "Raymond")
            if addressed.lower() == parts[0].lower() or (
                len(parts[0]) >= 3 and addressed.lower().startswith(parts[0].lower()) and _known_given_name(
                    addressed.lower())
            ):
                parts[0] = addressed
    if len(parts) == 1:
        for turn in view.assistant_turns:
            if parts[0].lower() not in turn.lower:
                continue
            for first, last in _FULL_NAME.findall(turn.text):
                if parts[0].lower() in (first.lower(), last.lower()) and _known_given_name(first.lower()):
                    return f"{first} {last}"
    return " ".join(parts)


_FULL_NAME = fastre.compile(r"\b([A-Z][a-z]+) ((?:Mc|Mac|O')?[A-Z][a-z]+)\b")
