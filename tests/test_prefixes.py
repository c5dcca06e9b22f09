"""Factoring a choice of words into a prefix tree must never change a match or a group."""

from __future__ import annotations

import random
import re

import pytest

from harness.prefixes import factor_choices


@pytest.mark.parametrize(
    ("pattern", "flags", "factored"),
    [
        (r"\b(refund|Refuse|return)\b", re.I, r"\b(re(?:fu(?:nd|se)|turn))\b"),
        ("ab|a|ac", re.I, "a(?:b||c)"),  # "a" keeps its place between "ab" and "ac"
        ("one|ones|two", re.I, "one(?:|s)|two"),
        (r"(?i:thanks|thank you|got it)", 0, "(?i:thank(?:s| you)|got it)"),
        (r"(?P<kin>mom|mum|dad)'s", re.I, r"(?P<kin>m(?:om|um)|dad)'s"),
        (r"\b(cvv2?|cvc2?|cid)\b", re.I, r"\b(cvv2?|cvc2?|cid)\b"),  # not plain: left as written
    ],
)
def test_choices_are_factored_by_shared_prefix(pattern, flags, factored):
    assert factor_choices(pattern, flags) == factored


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [
        ("abc|abd", 0),  # case-sensitive: `re` already skips alternatives by their first letter
        ("(?i)abc|abd", 0),  # a global inline flag: left alone rather than half understood
        ("abc|abd", re.I | re.VERBOSE),  # spaces are not literal in verbose mode
        (r"[(|]abc|abd", re.I),
        (r"\(abc|abd\)", re.I),
    ],
)
def test_patterns_it_does_not_understand_are_left_alone(pattern, flags):
    factored = factor_choices(pattern, flags)
    assert factored == pattern or re.compile(factored, flags).pattern == factored
    if flags & re.VERBOSE or pattern.startswith("(?i)") or not flags & re.I:
        assert factored == pattern


def test_random_choices_match_exactly_as_written():
    """Words that are prefixes of each other, in every order, before a continuation that forces
    backtracking: the factored pattern finds the same spans and groups on random text."""
    rng = random.Random(7)
    letters = "abAB"
    for _ in range(400):
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(2, 7))]
        tail = rng.choice(["", "b", "a?b", r"\b", "(?!a)"])
        pattern = f"({'|'.join(words)}){tail}"
        text = "".join(rng.choice(letters + " ") for _ in range(60))
        plain, factored = re.compile(pattern, re.I), re.compile(factor_choices(pattern, re.I), re.I)
        assert [(m.span(), m.groups()) for m in plain.finditer(text)] == [
            (m.span(), m.groups()) for m in factored.finditer(text)
        ], (pattern, factored.pattern, text)
