"""Every needle screen of the rules, whether read from its pattern or picked by hand, lets through
every text its pattern matches: checked on texts written from each pattern's own tree."""

from __future__ import annotations

import gc
import random

from harness.backends.rules import (  # noqa: F401 - imported for the screens they build
    caller_signals,
    commitments,
    escalation,
    information,
    names,
    parties,
    regulatory,
    sentiment,
    verification,
)
from harness.needles import ScreenedPattern
from tests.regex_samples import sample

_SAMPLES_PER_PATTERN = 300
_SURROUNDINGS = ("", " ", "so ", " ok", "x", ".")


def _screens() -> list[ScreenedPattern]:
    return [o for o in gc.get_objects() if isinstance(o, ScreenedPattern)]


def test_the_rules_have_screens():
    assert len(_screens()) > 60


def test_no_screen_skips_a_text_its_pattern_matches():
    rng = random.Random(7)
    matched = 0
    for screened in _screens():
        plain = screened._pattern
        for _ in range(_SAMPLES_PER_PATTERN):
            text = rng.choice(_SURROUNDINGS) + sample(plain, rng) + rng.choice(_SURROUNDINGS)
            if plain.search(text) is not None:
                matched += 1
                assert screened.may_match(text), (plain.pattern, screened._needles, text)
    assert matched > len(_screens()) * _SAMPLES_PER_PATTERN // 4  # the samples reach the patterns
