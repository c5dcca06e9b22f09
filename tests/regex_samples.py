"""Random texts a regular expression matches, written from its parse tree: for tests that must hold
for every match of a pattern (a screen that skips the regex must never skip a text it matches)."""

from __future__ import annotations

import random
import re
import re._constants as sre
import re._parser as sre_parse

_WORD = "abcdefghijklmnopqrstuvwxyz"
_CATEGORY_SAMPLES = {
    sre.CATEGORY_DIGIT: "0123456789",
    sre.CATEGORY_NOT_DIGIT: _WORD + " .,'-",
    sre.CATEGORY_WORD: _WORD + "0123456789_",
    sre.CATEGORY_NOT_WORD: " .,'-?!$",
    sre.CATEGORY_SPACE: " \t\n",
    sre.CATEGORY_NOT_SPACE: _WORD + "0123456789.,'-$",
}
_ANY = _WORD + "0123456789 .,'-?!$£@"
_MOST_REPEATS = 3  # beyond its minimum, a repeat is written at most this many more times


def sample(pattern: re.Pattern, rng: random.Random) -> str:
    """A text written by following `pattern`'s tree with random choices. Look-arounds and anchors
    are ignored, so the text may not match: keep those that `pattern.search` accepts."""
    groups: dict[int, str] = {}
    text = _sequence(sre_parse.parse(pattern.pattern, pattern.flags), rng, groups)
    if pattern.flags & re.IGNORECASE:
        text = "".join(c.upper() if rng.random() < 0.3 else c for c in text)
    return text


def _sequence(sequence, rng: random.Random, groups: dict[int, str]) -> str:
    return "".join(_node(op, av, rng, groups) for op, av in sequence)


def _node(op, av, rng: random.Random, groups: dict[int, str]) -> str:
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.NOT_LITERAL:
        return rng.choice([c for c in _ANY if c != chr(av)])
    if op is sre.ANY:
        return rng.choice(_ANY)
    if op is sre.IN:
        return _in_class(av, rng)
    if op is sre.BRANCH:
        return _sequence(rng.choice(av[1]), rng, groups)
    if op is sre.SUBPATTERN:
        group, _add, _del, body = av
        text = _sequence(body, rng, groups)
        if group is not None:
            groups[group] = text
        return text
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, body = av
        count = rng.randint(low, min(high, low + _MOST_REPEATS))
        return "".join(_sequence(body, rng, groups) for _ in range(count))
    if op is sre.ATOMIC_GROUP:
        return _sequence(av, rng, groups)
    if op is sre.GROUPREF:
        return groups.get(av, "")
    return ""  # anchors and look-arounds take no text


def _in_class(items, rng: random.Random) -> str:
    if items and items[0][0] is sre.NEGATE:
        candidates = [c for c in _ANY if not _class_admits(items[1:], c)]
        return rng.choice(candidates) if candidates else ""
    op, av = rng.choice(items)
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.RANGE:
        return chr(rng.randint(av[0], av[1]))
    if op is sre.CATEGORY:
        return rng.choice(_CATEGORY_SAMPLES.get(av, _WORD))
    return rng.choice(_WORD)


def _class_admits(items, character: str) -> bool:
    for op, av in items:
        if op is sre.LITERAL and chr(av) == character:
            return True
        if op is sre.RANGE and av[0] <= ord(character) <= av[1]:
            return True
        if op is sre.CATEGORY and character in _CATEGORY_SAMPLES.get(av, ""):
            return True
    return False
