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
import re
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
        self.families = {family: tuple(phrases) for family, phrases in families.items()}  # as written
        self._single: dict[str, tuple[str, ...]] = {}  # one plain word -> its families: a dict lookup
        # Phrases of plain words, every spelling spelled out: a dict lookup of a token slice, tried
        # only where the first two tokens start one, and only at the lengths that start with them.
        self._ngrams: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._lengths: dict[tuple[str, str], tuple[int, ...]] = {}
        self._exact: dict[str, list[_Phrase]] = {}  # phrases with a stem or number after the first word
        stemmed: list[tuple[str, _Phrase]] = []  # first word a stem: (stem, phrase)
        numbered: list[_Phrase] = []  # first word a number
        for family, phrases in self.families.items():
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
        self._numbered = tuple((phrase, _needed_words(phrase)) for phrase in numbered)
        self._stemmed = tuple(stemmed)
        self._stems = tuple(dict.fromkeys(stem for stem, _ in stemmed))  # str.startswith takes a tuple
        self._stem_starts = re.compile(rf" (?:{'|'.join(map(re.escape, self._stems))})")
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
        # Phrases starting with a stem or a number: tried only at the tokens that can start one.
        stemmed, stems = self._stemmed, self._stems
        numbered = self._numbered_in(tokens)
        starts = self._stem_starts_in(tokens) if stems else []
        if numbered and (not NUMBER_WORDS.isdisjoint(tokens) or any(map(str.isdigit, tokens))):
            starts += [i for i, token in enumerate(tokens) if token.isdigit() or token in NUMBER_WORDS]
        if starts:
            for i in sorted(set(starts)):
                token = tokens[i]
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

    def _stem_starts_in(self, tokens: Sequence[str]) -> list[int]:
        """Positions of the tokens that start with a stem: one regex scan of the joined tokens
        instead of a `startswith` per token (most turns have none)."""
        joined = " " + " ".join(tokens)  # tokens hold no spaces: the space before token n is the n-th
        return [joined.count(" ", 0, match.start()) for match in self._stem_starts.finditer(joined)]

    def _numbered_in(self, tokens: Sequence[str]) -> list[_Phrase]:
        """The numbered phrases the turn could hold: "# times" needs a "times" in it. Numbers are
        common ("one", "many", a date); a number followed by a phrase's words is rare."""
        return [phrase for phrase, needed in self._numbered if needed is None or not needed.isdisjoint(tokens)]

    @staticmethod
    def _matches_at(tokens: Sequence[str], i: int, phrase: _Phrase) -> bool:
        words = phrase.words
        if i + len(words) > len(tokens):
            return False
        # the first word matched to be in this bucket (exactly, or by stem or number: recheck those)
        start = 1 if len(words[0]) == 1 and words[0][0] == tokens[i] else 0
        return all(_word_matches(tokens[i + k], words[k]) for k in range(start, len(words)))


def _needed_words(phrase: _Phrase) -> frozenset[str] | None:
    """The alternatives of the phrase's first plain word after its first: a turn that holds the
    phrase holds one of them. None when no later word is plain."""
    return next((frozenset(word) for word in phrase.words[1:] if _is_plain(word)), None)


def _is_plain(alternatives: tuple[str, ...]) -> bool:
    return not any(word == "#" or word.endswith("*") for word in alternatives)
