"""The caller's sentiment over the call: per-turn cues, a running state, the level at handoff.

A caller turn scores "heat" from cues that survive paraphrase: the VADER lexicon's negativity,
profanity, shouting (words in capitals), exclamations, insults and exasperation, complaints
repeated ("third time", "already told you"), demands for a human, threats (cancel, lawyer,
regulator) and sarcasm (praise words in a complaint). The running state keeps anger from
evaporating on a neutral "ok" but lets explicit thanks or relief bring it down, so the level
reported is the caller's state at the handoff, informed by the whole trajectory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from string import punctuation

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    normalize,
    scalar_inc_dec,
)

from harness import fastre
from harness.backends.rules.lexicon import Lexicon, tokens_of
from harness.backends.rules.text import CallView, MarkerFinding, Turn
from harness.contract import MarkerType, Role, SentimentLevel

# Heat at or above each bound reaches that level (calm below the first).
# Calibrated once on the corpus with round numbers (a finer fit only memorises it).
_LEVEL_BOUNDS = (
    (SentimentLevel.ESCALATED, 3.0),
    (SentimentLevel.ANGRY, 1.5),
    (SentimentLevel.FRUSTRATED, 0.8),
    (SentimentLevel.SLIGHTLY_FRUSTRATED, 0.3),
)
_CARRY_OVER = 0.9  # share of the previous state a neutral turn keeps: anger outlasts an "ok"
_CARRY_OVER_CALMED = 0.25  # ... and a turn of thanks or relief
FRUSTRATION_HEAT = 0.8
SHIFT_HEAT = 0.8

# Cue phrases by family (syntax in lexicon.py). Each family is a phenomenon, not a fixture's words:
# several phrasings of it, as callers say them.
CUES = Lexicon(
    {
        "asked for a human": [
            "real|live|actual person|human",
            "real|actual human",
            "a|an human",
            "human being",
            "humans",
            "a|an|your|the supervisor|manager|representative|rep|agent|operator",
            "operator",
            "representative",
            "someone|somebody real|else",
            "someone|somebody who can",
            "speak|talk to|with a|an|some|your|someone|somebody",
            "transfer me",
            "put me through",
            "escalate this|it|me",
            "get me a|someone|somebody",
        ],
        "urgent": ["right now", "now", "immediately", "today", "this minute", "asap"],
        "repeated complaint": [
            "again",
            "second|third|fourth|fifth|sixth|seventh|2nd|3rd|4th|5th|6th time",
            "# times",
            "how many times",
            "already told|said|gave|explained|called|did|tried",
            "keep asking|telling|saying|getting|calling",
            "kept asking|telling|saying|getting|calling",
            "still not|haven't|hasn't|no|nothing|waiting|don't|can't",
            "every time",
            "every single time",
            "for weeks|months|days|hours",
            "weeks|months|days now|already",
            "i already|just said",
            "as|like i said",
            "nobody|no one ever called|came|showed|fixed|helped",
            "nobody|no one called|came|showed|fixed|helped",
            "never called|came|showed|arrived|got|heard",
        ],
        "threat": [
            "cancel* my|the|everything|all|it|service",
            "close my|the account",
            "switch* to|provider*|carrier*|bank*",
            "take my business",
            "lawyer*",
            "attorney*",
            "solicitor*",
            "sue",
            "suing",
            "lawsuit",
            "legal action",
            "court",
            "small claims",
            "report you|this|it|them",
            "file|lodge|make a complaint",
            "file|lodge|make a formal complaint",
            "complain* to",
            "better business bureau",
            "bbb",
            "fcc",
            "cfpb",
            "ftc",
            "ombudsman",
            "regulator*",
            "attorney general",
            "never use|buy|fly|shop again",
            "chargeback",
            "go to the news|press|media",
            "social media",
        ],
        "insult": [
            "useless",
            "stupid",
            "idiot*",
            "incompetent",
            "pathetic",
            "garbage",
            "a joke",
            "ridiculous",
            "unbelievable",
            "unacceptable",
            "absurd",
            "insane",
            "outrageous",
            "scam*",
            "ripoff",
            "rip off",
            "robbery",
            "liar*",
            "lied",
            "lying",
            "disgrace*",
            "clown*",
            "worthless",
            "terrible",
            "horrible",
            "awful",
            "nonsense",
            "in circles",
            "runaround",
            "fed up",
            "sick of",
            "tired of",
            "had it",
            "done with",
        ],
        "exasperation": [
            "seriously",
            "are you kidding|serious|joking",
            "you're kidding",
            "kidding me",
            "got to be kidding",
            "come on",
            "oh my god",
            "omg",
            "ugh",
            "ugh*",
            "unreal",
            "give me a break",
            "what the",
            "for crying out loud",
            "i can't believe",
            "are|were you even listening",
            "are|were you listening",
            "not listening",
            "that's not what i asked|said",
            "no no",
            "listen to me",
            "you literally",
            "literally just",
            "do|did|don't you even hear|get|understand|realize|know",
            "do|did|don't you hear|get|understand|realize",
            "you understand that",
            "what more do you want",
            "how is that fair|ok|okay",
            "that's|this|it's not okay|ok|fair|right|acceptable",
            "is not okay|ok|fair|right|acceptable",
            "makes zero|no sense",
            "doesn't make sense",
            "doesn't make any sense",
            "i'm not doing|paying|going|gonna",
            "i don't want a|an|to|your|another",
            "i do not want a|an|to|your|another",
            "just put|get|transfer|give|connect me",
            "sigh*",
            "groan*",
        ],
        "dispute": [
            "i don't|never owe|ordered|signed|agreed|authorized|authorised|received|got",
            "i do not owe",
            "not mine",
            "that's|this|it's wrong",
            "that's|this|it's a mistake",
            "that's|this|it's an error",
            "that's|this|it's not right",
            "i|we can't pay|afford",
            "charged me twice",
            "charged twice",
            "double charged",
            "overcharged",
            "never showed|arrived|came|happened",
        ],
        "calming": [
            "thank you",
            "thanks",
            "appreciate*",
            "that helps",
            "that's helpful",
            "helpful",
            "sounds good",
            "that works",
            "that's fine",
            "that's great",
            "that's perfect",
            "perfect",
            "no worries",
            "okay good",
            "ok good",
            "good to know",
            "relieved",
            "a relief",
            "what a relief",
            "wonderful",
            "lovely",
            "brilliant",
            "fair enough",
            "i understand",
            "makes sense",
            "you've been great|helpful|lovely",
            "that's all i needed",
            "glad",
            "great",
        ],
        # The caller owning a slip ("oh, my bad") is not annoyance, though VADER scores "bad".
    "self apology": ["my bad", "my mistake", "my fault", "i apologize", "i apologise", "sorry about that"],
    "sarcasm": [
            "oh great|good|wonderful|perfect|joy|fantastic|lovely|brilliant",
            "love that",
            "love it when",
            "just what i needed",
            "thanks a lot",
            "thanks for nothing",
            "real helpful",
            "really helpful",
            "so helpful",
            "very helpful",
            "how nice|lovely|wonderful|convenient",
            "good one",
            "what a surprise|shock",
            "of course it is|does",
            "big surprise",
            "color me surprised",
            "fantastic|great job",
            "nice try",
            "yeah right",
            "oh sure",
            "sure you will|are|did|do",
            "so|how|very|real generous|kind|nice|thoughtful|convenient",
            "genius",
            "must be nice",
            "with a bow",
            "with a little bow",
            "brilliant|great|wonderful|fantastic system|service|policy|work",
        ],
        "complaint context": [
            "another",
            "again",
            "robot",
            "bot",
            "machine",
            "wait*",
            "hold",
            "minutes",
            "hours",
            "days",
            "weeks",
            "still",
            "nobody",
            "no one",
            "never",
            "not",
            "no",
            "didn't",
            "doesn't",
            "don't",
            "won't",
            "can't",
            "couldn't",
            "broken",
            "missing",
            "lost",
            "late",
            "wrong",
            "charged",
            "fee",
            "cancel*",
            "outage",
            "down",
            "nothing",
            "useless",
            "exactly what",
            "for me",
        ],
    }
)
# Praise that opens a sentence of a complaint is sarcasm: "fantastic. a text. to the phone with no data."
_PRAISE = frozenset(
    "great wonderful fantastic perfect brilliant lovely awesome terrific marvelous marvellous "
    "amazing excellent super splendid".split()
)
_OPENER_FILLERS = frozenset("oh wow well yeah sure just".split())
_SENTENCE_BREAK = fastre.compile(r"[.!?]+")


_KNOWN_ACRONYMS = frozenset(
    """
    ok id pin ssn zip usa uk us eu atm tv dvr sim apr pdf faq ceo dmv irs fcc ftc cfpb bbb hoa ach
    cvv cvc otp er icu mri ct gp nhs ev ups dhl fedex usps am pm llc
""".split()
)
# A word in capitals: `\b[A-Z]{3,}(?:'[A-Z]+)?\b`, written to start with its class (the boundary
# checked behind the first capital) so that `re` skips from capital to capital, at 2.5x the speed.
_CAPS_WORD = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{2,}(?:'[A-Z]+)?\b")


@dataclass(frozen=True)
class TurnMood:
    index: int
    heat: float
    state: float  # running state after this turn
    level: SentimentLevel
    cues: frozenset[str]


@dataclass(frozen=True)
class SentimentReading:
    level: SentimentLevel
    label: str
    turns: tuple[TurnMood, ...]
    peak: SentimentLevel


def read_sentiment(view: CallView) -> SentimentReading:
    moods: list[TurnMood] = []
    state = 0.0
    for turn in view.caller_turns:
        heat, cues = turn_heat(turn, view.previous_turn(turn.index, Role.ASSISTANT))
        calmed = "calming" in cues and heat < FRUSTRATION_HEAT
        state = max(heat, state * (_CARRY_OVER_CALMED if calmed else _CARRY_OVER))
        moods.append(TurnMood(turn.index, heat, state, level_for(state), cues))
    final = moods[-1].level if moods else SentimentLevel.CALM
    peak = max((m.level for m in moods), key=lambda level: level.rank, default=SentimentLevel.CALM)
    return SentimentReading(final, _label(final, peak, moods), tuple(moods), peak)


def level_for(heat: float) -> SentimentLevel:
    for level, bound in _LEVEL_BOUNDS:
        if heat >= bound:
            return level
    return SentimentLevel.CALM


def turn_heat(turn: Turn, previous_assistant: Turn | None = None) -> tuple[float, frozenset[str]]:
    """How heated one caller turn is, and which cues made it so."""
    text, lower = turn.text, turn.lower
    tokens = tokens_of(lower)
    found = CUES.find(tokens)
    cues: set[str] = set()
    heat = 0.0
    complaint = "complaint context" in found
    sarcastic = complaint and ("sarcasm" in found or _praise_opens_a_sentence(lower, tokens))
    if sarcastic:
        cues.add("sarcasm")
        heat += 1.2
    elif _may_be_negative(tokens, text) and "self apology" not in found:
        compound = _vader().compound(text)
        if compound < 0:
            heat += 1.6 * -compound
    if _echoes_assistant(turn, previous_assistant):
        cues.add("incredulous echo")
        heat += 0.9
    for name, weight in (("insult", 0.9), ("exasperation", 0.9), ("dispute", 0.6), ("threat", 1.4)):
        if name in found:
            cues.add(name)
            heat += weight
    repeats = len(found.get("repeated complaint", ()))
    if repeats:
        cues.add("repeated complaint")
        heat += 0.8 * min(repeats, 2)
    if "asked for a human" in found:
        cues.add("asked for a human")
        heat += 0.6 + (0.6 if "urgent" in found else 0.0)
    if _profane(lower, tokens):
        cues.add("profanity")
        heat += 1.5
    shouted = [w for w in _CAPS_WORD.findall(text) if w.lower() not in _KNOWN_ACRONYMS]
    if shouted:
        cues.add("shouting")
        heat += 0.8 * min(len(shouted), 3)
    if "!" in text:
        heat += 0.4
    if "calming" in found and not sarcastic:
        cues.add("calming")
        heat = max(0.0, heat - 0.8)
    return heat, frozenset(cues)


def _praise_opens_a_sentence(lower: str, tokens: list[str]) -> bool:
    if _PRAISE.isdisjoint(tokens):  # the turn's tokens are its sentences' tokens
        return False
    for sentence in _SENTENCE_BREAK.split(lower):
        words = [w for w in tokens_of(sentence)[:3] if w not in _OPENER_FILLERS]
        if words and words[0] in _PRAISE:
            return True
    return False


_SENTENCE = fastre.compile(r"[^.?!]+[.?!]?")
_WORDS = fastre.compile(r"[a-z0-9']+")


def _echoes_assistant(turn: Turn, previous_assistant: Turn | None) -> bool:
    """ "thirty days." / "a text?" / "standby. for my first day.": the caller repeats a short piece
    of what they were just told, in disbelief. Every word of a short opening fragment comes from
    the assistant's previous turn."""
    if previous_assistant is None:
        return False
    first = _SENTENCE.match(turn.lower)
    if not first or first.group().rstrip()[-1:] not in ".?!":
        return False
    words = _WORDS.findall(first.group())
    if not 1 <= len(words) <= 5 or words[0] in {"yes", "yeah", "ok", "okay", "no", "sure", "thanks", "right"}:
        return False
    told = previous_assistant.lower
    if not all(map(told.__contains__, words)):  # as text first: most fail that already, and it is
        return False  # a fraction of splitting the assistant's turn into words
    return set(words) <= set(_WORDS.findall(told))


def sentiment_markers(view: CallView, reading: SentimentReading) -> list[MarkerFinding]:
    """frustration on heated turns; sentiment_shift where the mood jumps up from calm or settles
    after heat (a two-level move of the running state)."""
    markers: list[MarkerFinding] = []
    previous_state = 0.0
    settled = True  # a calming shift is marked once per heated episode
    for mood in reading.turns:
        heated = mood.heat >= FRUSTRATION_HEAT
        if heated or "sarcasm" in mood.cues:
            cues = ", ".join(sorted(mood.cues - {"calming"})) or "negative tone"
            markers.append(MarkerFinding(mood.index, MarkerType.FRUSTRATION, f"Caller frustrated ({cues})"))
        before, after = level_for(previous_state), mood.level
        # Only the turn where a calm caller turns heated, not every hotter turn after that.
        if previous_state < FRUSTRATION_HEAT and mood.heat - previous_state >= SHIFT_HEAT and after.rank > before.rank:
            markers.append(MarkerFinding(mood.index, MarkerType.SENTIMENT_SHIFT, f"Mood escalates to {_words(after)}"))
        elif "calming" in mood.cues and not heated and previous_state >= SHIFT_HEAT and not settled:
            markers.append(
                MarkerFinding(mood.index, MarkerType.SENTIMENT_SHIFT, f"Caller calms down from {_words(before)}")
            )
            settled = True
        if heated:
            settled = False
        previous_state = mood.state
    return markers


def _words(level: SentimentLevel) -> str:
    return level.value.replace("_", " ")


_LEVEL_WORDS = {
    SentimentLevel.CALM: "Calm",
    SentimentLevel.SLIGHTLY_FRUSTRATED: "Slightly frustrated",
    SentimentLevel.FRUSTRATED: "Frustrated",
    SentimentLevel.ANGRY: "Angry",
    SentimentLevel.ESCALATED: "Escalated",
}


def _label(final: SentimentLevel, peak: SentimentLevel, moods: list[TurnMood]) -> str:
    seen = set().union(*(m.cues for m in moods)) if moods else set()
    reasons = [
        cue
        for cue in (
            "threat",
            "profanity",
            "shouting",
            "repeated complaint",
            "sarcasm",
            "asked for a human",
            "insult",
        )
        if cue in seen
    ][:3]
    label = _LEVEL_WORDS[final]
    if peak.rank - final.rank >= 2:
        label += f" (calmed down from {peak.value.replace('_', ' ')})"
    if reasons:
        label += " — " + ", ".join(reasons)
    return label


def _may_be_negative(tokens: list[str], text: str) -> bool:
    """VADER's compound is negative only with a negative lexicon word, or a negation ("not good")
    turning a positive one; a turn with neither cannot add heat, so VADER is not run on it.
    (Emoji become words inside VADER: a turn with any non-ASCII character keeps the looser test.)"""
    negative, positive, negations = _vader_vocabulary()
    words = set(tokens)
    if not negative.isdisjoint(words):
        return True
    if negations.isdisjoint(words):
        return False
    return not text.isascii() or not positive.isdisjoint(words)


@cache
def _vader_vocabulary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """VADER's negative words, its positive ones with the parts of hyphenated ones (our tokens
    split "well-being" where VADER does not: the screen must not miss one), and its negations."""
    from vaderSentiment.vaderSentiment import NEGATE

    def with_parts(words):
        return frozenset(words) | {part for word in words if "-" in word for part in word.split("-")}

    lexicon = _vader().lexicon
    negative = frozenset(word for word, valence in lexicon.items() if valence < 0)
    positive = with_parts([word for word, valence in lexicon.items() if valence > 0])
    return negative, positive, frozenset(NEGATE) | {"n't", "never", "nothing", "nobody", "none", "nowhere"}


@cache
def _vader() -> _Vader:
    return _Vader()


class _Vader(SentimentIntensityAnalyzer):
    """VADER's compound score without its per-call waste, which made it the costliest step of a
    brief: its helpers lower-case the whole word list again for every lexicon word they look at
    (quadratic in the turn's length), the emoji pass rebuilds the text a character at a time, and
    it computes three more scores the rules do not read. VADER's rules are followed in VADER's
    order on the same words, lower-cased once (tests compare the score to the bit with VADER's on
    every corpus text and on random texts of the words its rules look at)."""

    def __init__(self) -> None:
        super().__init__()
        # VADER scores 0 for a booster without looking around it: only the other lexicon words count.
        self._scored = frozenset(self.lexicon.keys() - BOOSTER_DICT.keys())

    def compound(self, text: str) -> float:
        """`polarity_scores(text)["compound"]`."""
        text = self._describe_emoji(text)
        words = [word if len(stripped := word.strip(punctuation)) <= 2 else stripped for word in text.split()]
        lowers = list(map(str.lower, words))
        scored = self._scored
        # A word outside the lexicon scores 0, as does the "kind" of "kind of": most of a turn's words.
        positions = [
            i for i, lower in enumerate(lowers) if lower in scored and not (lower == "kind" and _next_is_of(lowers, i))
        ]
        if not positions:
            return 0.0  # VADER's sum of zeros, normalised and rounded (or its score of no words)
        capitals = sum(map(str.isupper, words))
        is_cap_diff = 0 < capitals < len(words)  # VADER's allcap_differential: some words, not all
        sentiments: list[float] = [0] * len(words)
        lexicon = self.lexicon
        for i in positions:
            # A lexicon word with none of the words VADER's rules look for within three words
            # around it (any word with "n't" is a negation to VADER), and not in capitals, keeps
            # its lexicon valence (the rules add 0.0 and scale by nothing): most of them.
            around = lowers[max(0, i - 3) : i + 3]
            if (
                _RULE_WORDS.isdisjoint(around)
                and "n't" not in " ".join(around)
                and not (is_cap_diff and words[i].isupper())
            ):
                sentiments[i] = lexicon[lowers[i]]
            else:
                sentiments[i] = self._valence(words, lowers, i, is_cap_diff)
        if "but" in lowers:
            sentiments = self._but_check(words, sentiments)
        total = float(sum(sentiments))
        emphasis = self._punctuation_emphasis(text)
        if total > 0:
            total += emphasis
        elif total < 0:
            total -= emphasis
        return round(normalize(total), 4)

    def _valence(self, words: list[str], lowers: list[str], i: int, is_cap_diff: bool) -> float:
        """VADER's `sentiment_valence` for the lexicon word `i`, reading the lower-cased words."""
        lexicon = self.lexicon
        lower = lowers[i]
        valence = lexicon[lower]
        if lower == "no" and i != len(words) - 1 and lowers[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowers[i - 1] == "no")
            or (i > 1 and lowers[i - 2] == "no")
            or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[lower] * N_SCALAR
        if words[i].isupper() and is_cap_diff:
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        for start_i in range(min(i, 3)):  # the (up to) three words before it that are not lexicon words
            before = i - (start_i + 1)
            if lowers[before] in lexicon:
                continue
            scalar = scalar_inc_dec(words[before], valence, is_cap_diff) if lowers[before] in BOOSTER_DICT else 0.0
            if scalar != 0 and start_i:  # a booster two or three words back counts less
                scalar = scalar * (0.95 if start_i == 1 else 0.9)
            valence = _negation_check(valence + scalar, lowers, start_i, i)
            if start_i == 2:
                valence = _special_idioms_check(valence, lowers, i)
        # VADER's _least_check: "least" before it negates, but not "at least" or "very least"
        if i > 0 and lowers[i - 1] == "least" and "least" not in lexicon and (
            i == 1 or lowers[i - 2] not in ("at", "very")
        ):
            valence = valence * N_SCALAR
        return valence

    def _describe_emoji(self, text: str) -> str:
        """VADER's emoji pass: each emoji character becomes its description, after a space (the
        text goes on unspaced after it). VADER adds the space only where there is none, but it
        splits the text at spaces next, so one more changes nothing."""
        emojis = self.emojis  # VADER looks up one character at a time; no emoji is ASCII
        if text.isascii() or emojis.keys().isdisjoint(text):
            return text.strip()
        return "".join(" " + emojis[c] if c in emojis else c for c in text).strip()


def _next_is_of(lowers: list[str], i: int) -> bool:
    return i + 1 < len(lowers) and lowers[i + 1] == "of"


_NEGATIONS = frozenset(NEGATE)


def _negation_check(valence: float, lowers: list[str], start_i: int, i: int) -> float:
    """VADER's rule for the word `start_i + 1` places before word `i`, as VADER writes it, but on
    words lower-cased once, and testing for a negation with a set lookup where `negated([word])`
    scans its list of negations."""
    if start_i == 1:
        if lowers[i - 2] == "never" and lowers[i - 1] in ("so", "this"):
            return valence * 1.25
        if lowers[i - 2] == "without" and lowers[i - 1] == "doubt":
            return valence
    elif start_i == 2:
        if (lowers[i - 3] == "never" and lowers[i - 2] in ("so", "this")) or lowers[i - 1] in ("so", "this"):
            return valence * 1.25
        if lowers[i - 3] == "without" and (lowers[i - 2] == "doubt" or lowers[i - 1] == "doubt"):
            return valence
    word = lowers[i - (start_i + 1)]
    return valence * N_SCALAR if word in _NEGATIONS or "n't" in word else valence


# Every phrase VADER's idiom rule looks up has two or three words; a window of words none of which
# is a word of such a phrase cannot hold one.
_IDIOM_WORDS = frozenset(
    word for phrase in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in phrase for word in phrase.split(" ")
)


# The words VADER's rules look for around a lexicon word: negations (with "never so" and "without
# doubt"), boosters, the idioms' words, "no" (itself one too), "so", "this" and "least".
_RULE_WORDS = frozenset({*_NEGATIONS, *BOOSTER_DICT, *_IDIOM_WORDS, "no", "so", "this", "least"})


def _special_idioms_check(valence: float, lowers: list[str], i: int) -> float:
    """VADER's idiom rule, which spans three words back and two ahead of word `i` (i >= 3): given just
    that window (and `i` within it), VADER's own code lower-cases six words, not the whole turn."""
    window = lowers[i - 3 : i + 3]
    if _IDIOM_WORDS.isdisjoint(window):
        return valence
    return SentimentIntensityAnalyzer._special_idioms_check(valence, window, 3)


@cache
def _profanity_words() -> tuple[frozenset[str], re.Pattern]:
    """better-profanity's curated word list, matched by word lookup: the library's own matcher
    tries every spelling variant and costs ~90 ms a sentence, far too slow for a 400-turn call."""
    from importlib.resources import files

    entries = (
        files("better_profanity").joinpath("profanity_wordlist.txt").read_text(encoding="utf-8").split("\n")
    )
    words = frozenset(e.strip().lower() for e in entries if e.strip() and " " not in e.strip())
    phrases = [e.strip().lower() for e in entries if " " in e.strip()]
    return words, _anywhere(phrases)


def _anywhere(phrases: list[str]) -> re.Pattern:
    """A pattern that finds any of the phrases (of two words or more) anywhere in a text, as a
    substring. Each is written from its first space: the space, the rest of the phrase, then its
    first word checked behind. Starting with a literal, `re` jumps from space to space: half the
    time of testing the phrases one by one as substrings, less than half their plain alternation."""
    alternatives = []
    for phrase in phrases:
        first, rest = phrase.split(" ", 1)
        alternatives.append(f"{re.escape(rest)}(?<={re.escape(first)} {re.escape(rest)})")
    return re.compile(f" (?:{'|'.join(alternatives)})" if alternatives else "(?!)")


def _profane(lower: str, tokens: list[str]) -> bool:
    words, phrases = _profanity_words()
    return not words.isdisjoint(tokens) or phrases.search(lower) is not None
