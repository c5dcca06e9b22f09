"""The first-character screen must never change what a pattern matches."""

from __future__ import annotations

import random
import re
import string

import pytest

from harness import fastre, privacy
from harness.backends.rules import (
    caller_signals,
    commitments,
    escalation,
    information,
    names,
    parties,
    regulatory,
    sentences,
    sentiment,
    verification,
)
from harness.fixtures.load import load_corpus
from harness.needles import ScreenedPattern

_ALPHABET = string.ascii_letters + string.digits + "$£ -"


@pytest.mark.parametrize(
    ("pattern", "flags", "starts"),
    [
        (r"\b(refund|charge)\b", 0, "cr"),
        (r"(?<!not )\bfee", 0, "f"),
        (r"\d+|[$£]", 0, "0123456789$£"),
        (r"(?:a|b)?c", 0, "abc"),
        (r"x*y+", 0, "xy"),
        (r"\b[a-c]z", re.I, "abcABC"),
    ],
)
def test_the_screen_is_read_from_the_pattern(pattern, flags, starts):
    screen = fastre.first_characters(re.compile(pattern, flags))
    assert {c for c in _ALPHABET if re.fullmatch(screen, c, flags)} == set(starts)


@pytest.mark.parametrize(
    "pattern",
    [r"a*", r"(?:x|)", r".bc", r"[^a]b", r"(a)?\1", r"(?-i:abc)", r"\b", r"[a-c]z", r"abc|abd", r"[a-z0-9]+x"],
)
def test_no_screen_when_the_first_character_is_open(pattern):
    assert fastre.first_characters(re.compile(pattern)) is None
    assert not fastre.compile(pattern).pattern.startswith("(?=")


@pytest.mark.parametrize("pattern", [r"a*", r"(?:x|)", r".bc", r"[^a]b", r"(a)?\1", r"(?-i:abc)", r"\b"])
def test_nothing_to_skip_to_when_the_first_character_is_open(pattern):
    assert fastre.skips_to(fastre.compile(pattern)) is None


@pytest.mark.parametrize(
    ("pattern", "flags", "starts"),
    [
        (r"[.!?]+(?=\s|$)|\n+", 0, "\n!.?"),  # a repeat first: `re` alone tries every position
        (r"\b(refund|charge)\b", 0, "cr"),
        (r"\b(refund|charge)\b", re.I, "crCR"),
        (r"\b[a-c]z", 0, "abc"),
        (r"\b\d+|\$", 0, "0123456789$"),
    ],
)
def test_the_search_skips_to_the_first_characters(pattern, flags, starts):
    skips_to = fastre.skips_to(fastre.compile(pattern, flags))
    assert {c for c in _ALPHABET + "\n!.?" if re.fullmatch(skips_to, c, flags)} == set(starts)


@pytest.mark.parametrize("pattern", [r"[a-c]z", r"abc|abd", r"x"])
def test_nothing_added_where_re_scans_for_a_class_or_literal_itself(pattern):
    assert fastre.skips_to(fastre.compile(pattern)) is None


@pytest.mark.parametrize(
    ("pattern", "flags", "text"),
    [
        (r"\b(refund|charge)s?\b", re.I, "A REFUND and Charges"),
        (r"\b\d+", 0, "order ٣٤ and 12"),  # Unicode digits are digits for \d, and for the screen
        (r"\b\w+@\w+", 0, "é@x and ab@cd"),
        (r"\b[a-c]z", re.I, "AZ bz Cz dz"),
        (r"(?<![a-z])one|two", 0, "someone one two"),
        (r"\b(?i:thanks|ok),? ([A-Z]\w+)", 0, "OK Bob, thanks Ann, Thanks Zed, ok ann"),
    ],
)
def test_screened_patterns_match_exactly_like_plain_ones(pattern, flags, text):
    plain, screened = re.compile(pattern, flags), fastre.compile(pattern, flags)
    assert fastre.skips_to(screened) is not None
    assert [m.span() for m in plain.finditer(text)] == [m.span() for m in screened.finditer(text)]
    assert [m.groups() for m in plain.finditer(text)] == [m.groups() for m in screened.finditer(text)]


def _module_patterns():
    for module in (caller_signals, commitments, escalation, information, names, parties, regulatory, sentences,
                   sentiment, verification, privacy):
        for value in vars(module).values():
            if isinstance(value, re.Pattern | ScreenedPattern):
                yield value
            elif isinstance(value, tuple):
                yield from (v for item in value for v in (item if isinstance(item, tuple) else (item,))
                            if isinstance(v, re.Pattern | ScreenedPattern))


def test_every_rules_pattern_finds_the_same_matches_on_the_corpus():
    texts = [m.content for f in load_corpus().fixtures for m in f.conversation.messages]
    texts += [t.lower() for t in texts]
    patterns = list(_module_patterns())
    assert len(patterns) > 100
    screened = 0
    for compiled in patterns:
        original = fastre.authored(compiled)
        screened += fastre.skips_to(compiled) is not None
        plain = re.compile(original, compiled.flags)
        for text in texts:
            assert [m.span() for m in plain.finditer(text)] == [m.span() for m in compiled.finditer(text)], original
            assert bool(plain.search(text)) == bool(compiled.search(text)), original
            assert plain.sub("#", text) == compiled.sub("#", text), original
    assert screened > 50


def test_a_screen_of_many_needles_behind_few_first_characters_is_left_out():
    verbs = "approved refunded credited waived removed cancelled booked scheduled sent issued fixed reset"
    narrow = rf"\b(?:i|we) (?:{'|'.join(verbs.split())})\b"  # 12 needles, two first characters
    wide = rf"\b(?:{'|'.join(verbs.split())})\b"  # the same needles, nine first characters
    assert not isinstance(fastre.compile(narrow), ScreenedPattern)
    assert isinstance(fastre.compile(wide), ScreenedPattern)
    for pattern in (narrow, wide):
        text = "so i refunded it, and we approved it: approved"
        assert [m.span() for m in fastre.compile(pattern).finditer(text)] == [
            m.span() for m in re.finditer(pattern, text)
        ]


def test_the_case_folds_into_ascii_are_complete():
    """Every character that matches an ASCII character case-blind is ASCII or listed."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    listed = set(map(chr, range(128))) | set(fastre._FOLDS_INTO_ASCII)
    for code in range(128):
        found = set(re.compile(re.escape(chr(code)), re.IGNORECASE).findall(everything))
        assert found <= listed, chr(code)


_TRICKY = "aAbBcCkKsSiIzZ09 \n.!?$£-'@_éÉ٣\u0130\u0131\u017f\u212a"


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [
        (r"\b(refund|charge)s?\b", re.I),
        (r"\b(?i:thanks|ok),? ([A-Z]\w+)", 0),
        (r"\b[a-c]z|\bs", re.I),
        (r"[.!?]+(?=\s|$)|\n+", 0),
        (r"\b\d+|[$£]\s?\d", 0),
        (r"\b\w+@\w+", 0),
        (r"(?<![a-z])(?:one|two|kiss)(?![a-z])", 0),
        (r"\b(?:is|ski)\b", re.I | re.ASCII),
        (r"(?:'s)?\s*(?:number|no|id|#)\b", re.I),
    ],
)
def test_skipping_ahead_never_changes_a_match_on_random_text(pattern, flags):
    rng = random.Random(pattern)
    plain, fast = re.compile(pattern, flags), fastre.compile(pattern, flags)
    assert fastre.skips_to(fast) is not None
    for _ in range(400):
        text = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 30)))
        assert [(m.span(), m.groups()) for m in plain.finditer(text)] == [
            (m.span(), m.groups()) for m in fast.finditer(text)
        ], text
        position = rng.randint(0, len(text))
        assert _span(plain.search(text, position)) == _span(fast.search(text, position)), text
        assert _span(plain.match(text, position)) == _span(fast.match(text, position)), text
        assert plain.sub("#", text) == fast.sub("#", text), text


def _span(match):
    return None if match is None else (match.span(), match.groups())


def test_a_pattern_behind_needles_picked_by_hand_matches_like_plain_re():
    pattern = r"\b(?:i|we) (?:refunded|waived)\b"
    compiled = fastre.screened(("refunded", "waived"), pattern)
    assert isinstance(compiled, ScreenedPattern) and fastre.authored(compiled) == pattern
    assert fastre.skips_to(compiled) is not None
    for text in ("so i refunded it", "we waived it", "i refund", "", "waived"):
        assert [m.span() for m in compiled.finditer(text)] == [m.span() for m in re.finditer(pattern, text)]
