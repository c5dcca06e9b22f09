"""Substrings every match of a pattern contains: a screen that skips the regex on most texts.

`\\b(?:transfer(?:ring)? you|connect(?:ing)? you|put(?:ting)? you through)` cannot match a
sentence without "transfer", "connect" or "put" in it. Reading those needles from the parsed
pattern and testing them with `in` (a fast C substring search) costs about a microsecond, where
running the pattern over a sentence costs 5-40. A rule module runs dozens of such patterns over
every turn of a call and almost all of them find nothing, so the screen is where its time goes.

The needles are exact: every match of the pattern contains one of them, so screening first never
changes a result. Case-blind patterns are screened on the lower-cased text, and only when it is
ASCII (a few non-ASCII letters match ASCII ones case-blind in ways lower-casing does not mirror).
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterator

# A screen is worth it when each needle is rare: at least this many characters besides spaces,
# and not one of the words in almost every sentence. A rare sign ("?", "$", "@") counts as strong.
MIN_NEEDLE = 3
_COMMON_WORDS = frozenset(
    """the a an and or of to in on at for is it its it's you your you're i i'm me my we our he she his her him
    they their them this that with be are was were have has had do does not no yes so but if as by from see can
    will what how who all just get got one out up""".split()
)
_RARE_SIGNS = frozenset("?$£€@#%&;:!")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def needles_of(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Substrings one of which every match contains, or None when no useful set exists."""
    folded = bool(flags & re.IGNORECASE)
    found = _needles(sre_parse.parse(pattern, flags), folded)
    if not found or _weakest(found) < MIN_NEEDLE:
        return None
    # a needle containing another is redundant: "birth" already screens "date of birth"
    return tuple(sorted(n for n in found if not any(other != n and other in n for other in found)))


def _strength(needle: str) -> int:
    core = needle.strip()
    if core in _RARE_SIGNS:
        return MIN_NEEDLE
    return 0 if core in _COMMON_WORDS else len(core)


def _weakest(needles: frozenset[str]) -> int:
    return min(map(_strength, needles))


class ScreenedPattern:
    """A compiled pattern behind its needles: the `re.Pattern` methods the rules use, same results."""

    __slots__ = ("_folded", "_needles", "_pattern")

    def __init__(self, pattern: re.Pattern, needles: tuple[str, ...]) -> None:
        self._pattern = pattern
        self._needles = needles
        self._folded = bool(pattern.flags & re.IGNORECASE)

    def may_match(self, text: str) -> bool:
        if self._folded:
            if not text.isascii():
                return True
            text = text.lower()
        for needle in self._needles:  # noqa: SIM110 - a plain loop: `any` over a generator costs a third more
            if needle in text:
                return True
        return False

    def search(self, string: str, *args) -> re.Match | None:
        # the hottest call of the rules: the screen is inlined rather than a call to may_match
        text = string
        if self._folded:
            if not text.isascii():
                return self._pattern.search(string, *args)
            text = text.lower()
        for needle in self._needles:
            if needle in text:
                return self._pattern.search(string, *args)
        return None

    def match(self, string: str, *args) -> re.Match | None:
        return self._pattern.match(string, *args) if self.may_match(string) else None

    def fullmatch(self, string: str, *args) -> re.Match | None:
        return self._pattern.fullmatch(string, *args) if self.may_match(string) else None

    def finditer(self, string: str, *args) -> Iterator[re.Match]:
        return self._pattern.finditer(string, *args) if self.may_match(string) else iter(())

    def findall(self, string: str, *args) -> list:
        return self._pattern.findall(string, *args) if self.may_match(string) else []

    def sub(self, repl, string: str, count: int = 0) -> str:
        return self._pattern.sub(repl, string, count) if self.may_match(string) else string

    def subn(self, repl, string: str, count: int = 0) -> tuple[str, int]:
        return self._pattern.subn(repl, string, count) if self.may_match(string) else (string, 0)

    def split(self, string: str, maxsplit: int = 0) -> list:
        return self._pattern.split(string, maxsplit) if self.may_match(string) else [string]

    def __getattr__(self, name: str):  # pattern, flags, groups, groupindex
        return getattr(self._pattern, name)

    def __repr__(self) -> str:
        return f"ScreenedPattern({self._pattern!r}, needles={self._needles!r})"


def _needles(sequence, folded: bool) -> frozenset[str] | None:
    """The best necessary set of a sequence: each of its literal runs and parts is necessary, so
    take the one whose weakest needle is strongest (ties: fewer needles)."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, av in sequence:
        if op is sre.LITERAL:
            character = chr(av)
            if folded and not (character.isascii()):
                return None  # case-blind non-ASCII: lower-casing may not mirror `re`
            run += character.lower() if folded else character
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        part = _needles_of_node(op, av, folded)
        if part:
            candidates.append(part)
    if run:
        candidates.append(frozenset({run}))
    if not candidates:
        return None
    return max(candidates, key=lambda needles: (_weakest(needles), -len(needles)))


def _needles_of_node(op, av, folded: bool) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            return None
        return _needles(body, folded)
    if op is sre.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            part = _needles(alternative, folded)
            if not part:
                return None  # one alternative without a necessary substring: the choice has none
            union |= part
        return frozenset(union)
    if op in _REPEATS and av[0] >= 1:
        return _needles(av[2], folded)
    return None  # classes, anchors, look-arounds, optional parts: nothing necessary here
