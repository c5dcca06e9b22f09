"""The shortcuts of the shared text helpers give what the plain computation gives, for any text."""

from __future__ import annotations

import random
import re

from harness.backends.rules.text import Turn
from harness.contract import Role

_ALPHABET = "abcxyz019 .,'-$_\n\tAZ~@éß’—"


def test_alnum_runs_are_the_runs_the_regex_finds():
    rng = random.Random(3)
    texts = ["", " ", "it's 4,111-2 a.m.", "ok_then", "x" * 50, "no—dash", "ﬁne ǆ"]
    texts += ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    for text in texts:
        turn = Turn(0, Role.USER, text)
        assert turn.alnum_runs == frozenset(re.findall(r"[a-z0-9]+", turn.lower)), text
