"""Needles: substrings every match contains, so screening on them never changes a result."""

from __future__ import annotations

import re

import pytest

from harness.needles import ScreenedPattern, needles_of


@pytest.mark.parametrize(
    ("pattern", "flags", "needles"),
    [
        (r"\b(?:transfer(?:ring)? you|connect(?:ing)? me)\b", 0, ("connect", "transfer")),
        (r"\bdate of birth|\bbirthday|\bdob\b", 0, ("birthday", "date of birth", "dob")),
        (r"\bbirth|\bbirthday", 0, ("birth",)),  # "birthday" contains "birth": redundant
        (r"REFUND(s)?", re.I, ("refund",)),  # case-blind: screened on lower-case text
        (r"\$\d+|\d+ dollars", 0, (" dollars", "$")),
        (r"(?:the|a) (?:supervisor|manager)", 0, ("manager", "supervisor")),  # not "the"
    ],
)
def test_needles_are_read_from_the_pattern(pattern, flags, needles):
    assert needles_of(pattern, flags) == needles


@pytest.mark.parametrize(
    "pattern",
    [r"\d+", r"[a-z]+in", r"(?:the|refund)", r"ab?", r"(?i:refund)", r"x*refund|y"],
)
def test_no_needles_without_a_rare_necessary_substring(pattern):
    assert needles_of(pattern) is None


def _screened(pattern: str, flags: int = 0) -> ScreenedPattern:
    needles = needles_of(pattern, flags)
    assert needles is not None
    return ScreenedPattern(re.compile(pattern, flags), needles)


@pytest.mark.parametrize(
    ("pattern", "flags", "text"),
    [
        (r"\brefund(s)?\b", 0, "two refunds and a refund"),
        (r"\brefund(s)?\b", 0, "no money back here"),
        (r"REFUND", re.I, "a Refund, a REFUND"),
        (r"kelvin", re.I, "\u212aelvin"),  # the Kelvin sign matches k case-blind: non-ASCII is not screened
    ],
)
def test_a_screened_pattern_answers_like_the_pattern(pattern, flags, text):
    plain, screened = re.compile(pattern, flags), _screened(pattern, flags)
    assert [m.span() for m in plain.finditer(text)] == [m.span() for m in screened.finditer(text)]
    assert bool(plain.search(text)) == bool(screened.search(text))
    assert bool(plain.match(text)) == bool(screened.match(text))
    assert plain.findall(text) == screened.findall(text)
    assert plain.sub("#", text) == screened.sub("#", text)
    assert plain.subn("#", text) == screened.subn("#", text)
    assert plain.split(text) == screened.split(text)
    assert screened.pattern == pattern and screened.flags == plain.flags
