"""The screens that make sentiment, escalation and names cheaper answer exactly as the plain
patterns they stand for, on every corpus text (in several casings) and on random texts of the
words the patterns are made of."""

import random
import re
import re._constants as sre
import re._parser as sre_parse

import pytest

from harness import fastre
from harness.backends.rules import escalation, names, sentiment
from harness.backends.rules.text import Turn
from harness.contract import Role

from .test_speed_sentiment_names import MESSAGES, TEXTS


def word_soups(vocabulary: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = [*vocabulary.split(), *",.?!-'_", "é", "ſ", "İ"]
    texts = []
    for _ in range(count):
        words = [rng.choice(pool) for _ in range(rng.randint(1, 12))]
        joins = [rng.choice(["", " ", " ", " ", "  ", "\n"]) for _ in words]
        texts.append("".join(j + w for j, w in zip(joins, words, strict=True)))
    return texts


def samples(pattern: str, count: int, seed: int) -> list[str]:
    """Random texts the pattern's parts spell out (its alternatives, with or without their optional
    parts), with random text around them: each alternative matches somewhere, or nearly does."""
    rng = random.Random(seed)

    def spell(sequence) -> str:
        out = []
        for op, av in sequence:
            if op is sre.LITERAL:
                out.append(chr(av))
            elif op is sre.IN:
                out.append(next((chr(v) for o, v in av if o is sre.LITERAL), "a"))
            elif op is sre.BRANCH:
                out.append(spell(rng.choice(av[1])))
            elif op is sre.SUBPATTERN:
                out.append(spell(av[3]))
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                out.append("".join(spell(av[2]) for _ in range(rng.randint(av[0], min(av[1], 2)))))
        return "".join(out)

    parsed = sre_parse.parse(pattern)
    around = ["", "", " ", "x", "_", "s", ".", "é", "ſ"]
    return [rng.choice(around) + spell(parsed) + rng.choice(around) + rng.choice(around) for _ in range(count)]


# --- escalation's screened patterns ---------------------------------------------------------------

ESCALATION_WORDS = """
    real live actual human humans person persons agent being representative representatives rep reps a an your
    the to supervisor manager operator specialist nurse pharmacist doctor adjuster someone somebody else who can
    in from speak talk with some them transfer transferring me put putting through on onto connect connecting
    escalate this it get getting me you hand handing over off pass passing colleague team member will take pick
    be join bring bringing xrepresentative rep_ human_
"""


@pytest.mark.parametrize("name", ["_ASKS_FOR_HUMAN", "_TRANSFER_ANNOUNCED"])
def test_a_turn_pattern_finds_what_its_case_blind_pattern_finds(name):
    screened = getattr(escalation, name)
    authored = fastre.authored(screened.pattern.case_blind)
    plain = re.compile(authored, re.I)
    for text in [*TEXTS, *word_soups(ESCALATION_WORDS, 20000, 11), *samples(authored, 20000, 13)]:
        turn = Turn(0, Role.USER, text)
        assert screened.in_turn(turn) == (plain.search(turn.lower) is not None), text


# --- sentiment's profanity phrases ------------------------------------------------------------------


def test_the_phrase_pattern_finds_a_phrase_wherever_it_is_a_substring():
    _words, pattern = sentiment._profanity_words()
    phrases = [line.strip().lower() for line in pattern_phrases() if " " in line.strip()]
    vocabulary = " ".join(word for phrase in phrases for word in phrase.split()) + " ab a1 bullshit xjob"
    for text in [*(m.lower() for m in MESSAGES), *word_soups(vocabulary, 20000, 5)]:
        assert (pattern.search(text) is not None) == any(phrase in text for phrase in phrases), text


def pattern_phrases() -> list[str]:
    from importlib.resources import files

    return files("better_profanity").joinpath("profanity_wordlist.txt").read_text(encoding="utf-8").split("\n")


# --- names' cheaper tests ----------------------------------------------------------------------------


def test_unasked_a_turn_without_a_word_that_can_start_a_name_after_an_introduction_has_no_name():
    extra = ["it's Ray", "i'm in, Bob. Bob Smith", "this is   Jörg", "my name is\nTom", "it's 4716, Tom", "im Al"]
    for text in [*TEXTS, *extra]:
        intros = names._introductions(text)
        if not intros:
            continue  # unasked and no introduction: no span can start
        for opening in (True, False):
            if not any(names._may_start_a_name(text, end, opening) for end in intros):
                assert names._name_spans(text, intros, asked=False, opening=opening) == [], text


def test_a_lower_case_text_has_no_upper_case_character():
    # _capitalise's shortcut: str.islower() is False as soon as one character is upper case
    assert not any(chr(c).isupper() and chr(c).islower() for c in range(0x110000))
    rng = random.Random(2)
    alphabet = [chr(c) for c in range(0x2000) if chr(c).isprintable()]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert not (text.islower() and any(c.isupper() for c in text)), text


def test_the_consonant_skeleton_drops_what_the_pattern_drops():
    for text in [*MESSAGES, "Siobhan", "Shivon", "YHÉAé"]:
        assert text.lower().translate(names._NOT_SKELETON) == re.sub(r"[aeiouyh]", "", text.lower())
