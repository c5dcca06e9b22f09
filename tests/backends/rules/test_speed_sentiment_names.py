"""The shortcuts that make sentiment and names cheaper answer exactly as the plain computation
they replace, on every corpus text (also in other cases) and on texts built to reach their edges."""

import random
import re
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES, SentimentIntensityAnalyzer

from harness.backends.rules import names, sentiment
from harness.backends.rules.lexicon import NUMBER_WORDS, Lexicon, tokens_of
from harness.backends.rules.text import Turn
from harness.contract import Role
from harness.fixtures.load import load_corpus

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = [
    message.content
    for fixture in load_corpus([ROOT / "fixtures" / "conversations", ROOT / "fixtures" / "holdout"]).fixtures
    for message in fixture.conversation.messages
]


def cased(text: str) -> list[str]:
    """The text as transcribed, and as a transcript in capitals, lower case, title case or mixed."""
    shouted = " ".join(word.upper() if i % 3 == 0 else word for i, word in enumerate(text.split()))
    return [text, text.upper(), text.lower(), text.title(), text.swapcase(), shouted]


TEXTS = [variant for message in MESSAGES for variant in cased(message)]


def test_the_corpus_is_loaded():
    assert len(MESSAGES) > 1000


# --- VADER without its waste -------------------------------------------------------------------

VADER = SentimentIntensityAnalyzer()
EDGES = [
    "I am 😡😡 so mad",  # emoji, spaced and not
    "great😁 service",
    " 💘 and 💋 and 😁 ",
    "so 😁service\n😡!",  # the text goes on unspaced after a description
    "Not bad at all",
    "Not such a badass after all.",
    "It was never so good, never this bad",
    "Without a doubt, excellent idea.",
    "The book was only kind of good.",
    "it isn't the least bit good, at least not",
    "no, no good. NO GOOD AT ALL but ok",
    "yeah right, the kiss of death",
    "well I mean a kiss of death it is",  # a three-word idiom from the lexicon word on
    "oh wow the kiss of death",
    "it ain't'nt n't good",
    "good",  # one word: nothing before it to look at
    "so good",
]


def random_vader_texts(count: int) -> list[str]:
    """Texts of the words VADER's rules look at (negations, boosters, idioms, "but", "least", capitals)."""
    rng = random.Random(7)
    pool = [
        *list(VADER.lexicon)[::50],
        *NEGATE,
        *BOOSTER_DICT,
        *(word for idiom in SPECIAL_CASES for word in idiom.split()),
        *SPECIAL_CASES,  # whole, so that idioms occur at every distance from a turn's start
        "n't",  # negations VADER knows only by their "n't"
        "needn't've",
        *"so this never without doubt least at very kind of no nor or but".split() * 4,
        "😡",
        "😁",
    ]
    texts = []
    for _ in range(count):
        words = [rng.choice(pool) for _ in range(rng.randint(1, 14))]
        words = [word.upper() if rng.random() < 0.15 else word for word in words]
        texts.append(" ".join(words) + rng.choice(["", "!", "!!", "??", "."]))
    return texts


@pytest.mark.parametrize("texts", [TEXTS, EDGES, random_vader_texts(4000)], ids=["corpus", "edges", "random"])
def test_vader_scores_are_vaders_to_the_bit(texts):
    ours = sentiment._vader()
    different = [t for t in texts if repr(ours.compound(t)) != repr(VADER.polarity_scores(t)["compound"])]
    assert different == []


# --- cue lexicon ---------------------------------------------------------------------------------


def phrase_patterns(lexicon: Lexicon) -> list[tuple[str, re.Pattern]]:
    """Each phrase as a regex over the space-joined tokens, matched at every token start: an
    independent reading of the phrase syntax."""

    def word(alternative: str) -> str:
        if alternative == "#":
            return "(?:[0-9]+|" + "|".join(sorted(NUMBER_WORDS)) + ")"
        if alternative.endswith("*"):
            return re.escape(alternative[:-1]) + "[^ ]*"
        return re.escape(alternative)

    def pattern(phrase: str) -> re.Pattern:
        words = ["(?:" + "|".join(map(word, w.split("|"))) + ")" for w in phrase.split()]
        return re.compile("(?<![^ ])(?=" + " ".join(words) + "(?![^ ]))")  # a look-ahead: overlaps count

    return [(family, pattern(phrase)) for family, phrases in lexicon.families.items() for phrase in phrases]


CUE_PATTERNS = phrase_patterns(sentiment.CUES)


def every_phrase_everywhere(tokens: list[str]) -> dict[str, list[int]]:
    joined = " ".join(tokens)
    hits: dict[str, list[int]] = {}
    for family, pattern in CUE_PATTERNS:
        for match in pattern.finditer(joined):
            hits.setdefault(family, []).append(joined.count(" ", 0, match.start()))
    return {family: sorted(positions) for family, positions in hits.items()}


def test_the_cue_lexicon_finds_what_trying_every_phrase_everywhere_finds():
    edges = [
        "cancelling my account, cancel it, cancellation",  # stems, with and without their next word
        "this is the 3 times. three times. many times. 12 times 4",  # a number, with "times" or not
        "lawyer",  # a stem as the whole turn
        "i want my lawyers",  # ... and as its last word
        "sighhh ugh",
        "one two three",  # numbers without "times"
    ]
    for text in [*MESSAGES, *edges]:
        tokens = tokens_of(text.lower())
        assert sentiment.CUES.find(tokens) == every_phrase_everywhere(tokens), text


# --- sentiment's cheaper tests ---------------------------------------------------------------------

SHOUTING = re.compile(r"\b[A-Z]{3,}(?:'[A-Z]+)?\b")  # the pattern as first written


def test_words_in_capitals_are_found_as_by_the_plain_pattern():
    rng = random.Random(3)
    noise = ["".join(rng.choice("AB Cx'_1éÉ.,!") for _ in range(rng.randint(0, 20))) for _ in range(20000)]
    for text in [*TEXTS, *noise]:
        assert sentiment._CAPS_WORD.findall(text) == SHOUTING.findall(text), text


def test_an_echo_must_repeat_the_assistants_words_not_just_their_letters():
    said = Turn(0, Role.ASSISTANT, "It tends to take thirty dayss.")
    # "ten", "days" are inside what was said, but not words of it
    assert not sentiment._echoes_assistant(Turn(1, Role.USER, "ten days. really"), said)
    assert sentiment._echoes_assistant(Turn(1, Role.USER, "thirty dayss. really"), said)


# --- names' cheaper tests ----------------------------------------------------------------------------


def test_introductions_are_found_as_by_the_case_blind_pattern():
    for text in [*TEXTS, "İ'M his son, Tobias", "It’s Ray", "THIS IS Jörg"]:
        expected = {m.end(): m.group().lower() for m in names._INTRODUCTION.case_blind.finditer(text)}
        assert names._introductions(text) == expected, text


def test_the_leading_fillers_end_where_the_first_other_word_starts():
    for text in [*MESSAGES, "uh, yeah, it's me", "", "okay."]:
        tokens = [(m.group(), m.start()) for m in names._TOKEN.finditer(text)]
        last = names._first_not_filler(tokens)
        for i in range(len(tokens) + 1):
            only_fillers = all(w.lower() in names._FILLERS or w in ".,;:" for w, _ in tokens[:i])
            assert (i <= last) == only_fillers, (text, i)


def test_a_name_question_always_has_name_or_who_as_a_word():
    for text in TEXTS:
        if names._NAME_QUESTION.search(text):
            turn = Turn(0, Role.ASSISTANT, text)
            assert not names._QUESTION_WORDS.isdisjoint(turn.alnum_runs), text
