"""Phrase lexicons matched on word tokens in one pass.

Cue lists ("a human being", "speak to a", "cancel* my") are what the rules look for in almost
every turn. As regexes they cost ~15 µs per turn each, because `re` tries every alternative at
every position; indexed by first word they all match together in a few microseconds, which is
what keeps a 400-message call inside its time budget. Phrase syntax, one phrase per string:

- words separated by spaces, matched against lower-case word tokens;
- `word*` matches any token starting with `word` ("cancel*" matches "cancelling");
- `#` matches a number token (digits or a number word);
- `a|an|the` matches any of the listed words.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness import fastre

TOKEN = fastre.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred thousand several multiple many".split()
)


def tokens_of(lower: str) -> list[str]:
    return TOKEN.findall(lower)


@dataclass(frozen=True)
class _Phrase:
    family: str
    words: tuple[tuple[str, ...], ...]  # per position: the alternatives


def _word_matches(token: str, alternatives: tuple[str, ...]) -> bool:
    for alternative in alternatives:
        if alternative == "#":
            if token.isdigit() or token in NUMBER_WORDS:
                return True
        elif alternative.endswith("*"):
            if token.startswith(alternative[:-1]):
                return True
        elif token == alternative:
            return True
    return False


class Lexicon:
    def __init__(self, families: Mapping[str, Iterable[str]]) -> None:
        self._single: dict[str, tuple[str, ...]] = {}  # one plain word -> its families: a dict lookup
        # Phrases of plain words, every spelling spelled out: a dict lookup of a token slice, tried
        # only where the first two tokens start one, and only at the lengths that start with them.
        self._ngrams: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._lengths: dict[tuple[str, str], tuple[int, ...]] = {}
        self._exact: dict[str, list[_Phrase]] = {}  # phrases with a stem or number after the first word
        stemmed: list[tuple[str, _Phrase]] = []  # first word a stem: (stem, phrase)
        numbered: list[_Phrase] = []  # first word a number
        for family, phrases in families.items():
            for text in phrases:
                phrase = _Phrase(family, tuple(tuple(word.split("|")) for word in text.split()))
                if all(_is_plain(word) for word in phrase.words):
                    self._add_plain(phrase)
                    continue
                for first in phrase.words[0]:
                    if first == "#":
                        numbered.append(phrase)
                    elif first.endswith("*"):
                        stemmed.append((first[:-1], phrase))
                    else:
                        self._exact.setdefault(first, []).append(phrase)
        self._numbered = tuple(numbered)
        self._stemmed = tuple(stemmed)
        self._stems = tuple(dict.fromkeys(stem for stem, _ in stemmed))  # str.startswith takes a tuple
        self._starters = (
            frozenset(self._single) | frozenset(pair[0] for pair in self._lengths) | frozenset(self._exact)
        )

    def _add_plain(self, phrase: _Phrase) -> None:
        if len(phrase.words) == 1:
            for word in phrase.words[0]:
                self._single[word] = (*self._single.get(word, ()), phrase.family)
            return
        size = len(phrase.words)
        for spelling in itertools.product(*phrase.words):
            self._ngrams[spelling] = (*self._ngrams.get(spelling, ()), phrase.family)
            lengths = self._lengths.get(spelling[:2], ())
            if size not in lengths:
                self._lengths[spelling[:2]] = tuple(sorted((*lengths, size)))

    def find(self, tokens: Sequence[str]) -> dict[str, list[int]]:
        """family -> token positions where one of its phrases starts."""
        hits: dict[str, list[int]] = {}
        single, ngrams, lengths, exact = self._single, self._ngrams, self._lengths, self._exact
        starters = self._starters
        if not starters.isdisjoint(tokens):  # most turns start no phrase of plain words at all
            count = len(tokens)
            for i, token in enumerate(tokens):
                if token not in starters:
                    continue
                for family in single.get(token, ()):
                    hits.setdefault(family, []).append(i)
                for size in lengths.get(tuple(tokens[i : i + 2]), ()):
                    if i + size > count:
                        break
                    for family in ngrams.get(tuple(tokens[i : i + size]), ()):
                        hits.setdefault(family, []).append(i)
                for phrase in exact.get(token, ()):
                    if self._matches_at(tokens, i, phrase):
                        hits.setdefault(phrase.family, []).append(i)
        stemmed, stems, numbered = self._stemmed, self._stems, self._numbered
        if stems or numbered:
            for i, token in enumerate(tokens):
                candidates = ()
                if stems and token.startswith(stems):  # one C call screens every stem at once
                    candidates = list(dict.fromkeys(phrase for stem, phrase in stemmed if token.startswith(stem)))
                if numbered and (token.isdigit() or token in NUMBER_WORDS):
                    candidates = [*candidates, *numbered]
                for phrase in candidates:
                    if self._matches_at(tokens, i, phrase):
                        hits.setdefault(phrase.family, []).append(i)
            for positions in hits.values():
                positions.sort()
        return hits

    @staticmethod
    def _matches_at(tokens: Sequence[str], i: int, phrase: _Phrase) -> bool:
        words = phrase.words
        if i + len(words) > len(tokens):
            return False
        # the first word matched to be in this bucket (exactly, or by stem or number: recheck those)
        start = 1 if len(words[0]) == 1 and words[0][0] == tokens[i] else 0
        return all(_word_matches(tokens[i + k], words[k]) for k in range(start, len(words)))


def _is_plain(alternatives: tuple[str, ...]) -> bool:
    return not any(word == "#" or word.endswith("*") for word in alternatives)
