"""Sentence splitting for the rules: most phenomena (a promise, a disclosure, a verification
question) live in one sentence of a turn, and a turn often mixes them ("you're verified. Your
balance is ..."), so rules look at sentences in order rather than at whole turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, partial
from typing import NamedTuple

from harness import fastre
from harness.privacy import digit_runs, mask_sensitive

# A full stop after these is part of the word, not the end of a sentence ("Dr. Patel", "10 a.m.").
_ABBREVIATIONS = frozenset("mr mrs ms dr st sr jr no vs etc inc ltd co apt ave approx a.m p.m".split())
_BOUNDARY = fastre.compile(r"[.!?]+(?=\s|$)|\n+")
_WORD = fastre.compile(r"[a-z0-9$£€]+(?:['.-][a-z0-9]+)*")


class Sentence(NamedTuple):
    text: str  # as in the turn's normalised text
    start: int
    end: int

    @property
    def is_question(self) -> bool:
        return self.text.endswith("?")


# A Sentence made straight from its tuple: NamedTuple's own constructor is a Python function that
# does the same, for every sentence of every turn.
_sentence = partial(tuple.__new__, Sentence)


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[Sentence, ...]:
    """`text` cut at sentence ends; the pieces keep their offsets so evidence can be quoted.

    Cached: verification and commitments both read every assistant turn sentence by sentence.
    """
    sentences: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.end()
        if boundary.group() == "." and _is_abbreviation(text, start, boundary.start()):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(_sentence((piece, start, end)))
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(_sentence((tail, start, len(text))))
    return tuple(sentences)


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    word = text[max(start, text.rfind(" ", start, dot) + 1) : dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


@lru_cache(maxsize=8192)
def words(text: str) -> frozenset[str]:
    """The word tokens of normalised text; rules use them as a cheap screen before a regex runs.

    Hyphenated tokens count whole and by parts ("charged-off", "charged", "off"), and a possessive
    also as its stem ("husband's", "husband").
    """
    tokens = _WORD.findall(text)
    found = frozenset(tokens)
    # most sentences have neither a hyphen nor an apostrophe: one substring test skips each loop
    if "-" in text:
        found = found.union(part for token in tokens if "-" in token for part in token.split("-"))
    if "'" in text:
        found = found.union(token.split("'", 1)[0] for token in tokens if "'" in token)
    return found


def mentions_any(text: str, screen_words: Iterable[str]) -> bool:
    """Whether any of `screen_words` occurs in `text`, as a substring: a cheap test before a
    costly regex.

    A sentence's words are among its turn's (no word spans a sentence end), so the screen words a
    turn has screen each of its sentences: more loosely than the sentence's own words would,
    never wrongly, and without tokenising every sentence.
    """
    for word in screen_words:  # noqa: SIM110 - a plain loop: `any` over a generator costs a third more
        if word in text:
            return True
    return False


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - "})


def cased_slice(original: str, start: int, end: int) -> str:
    """The span [start, end) of `Turn.lower`, taken from the turn as transcribed (case kept).

    `Turn.lower` only lower-cases, straightens quotes and collapses spaces, so the same steps
    without lower-casing line up character for character; if they do not, the lower text is used.
    """
    cased = " ".join((original if original.isascii() else original.translate(_QUOTES)).split())
    if len(cased) != len(cased.lower()):
        return cased.lower()[start:end]
    return cased[start:end]


# A run this long is a card, account or similar number whatever Luhn says: never quote it whole.
_LONG_NUMBER = 12


def safe_quote(text: str, limit: int = 90) -> str:
    """`text` as one line of evidence: secrets masked, long numbers cut to their last four, shortened.

    `mask_sensitive` masks what is provably a card number (Luhn, issuer range); a caller who
    misreads one digit still said a card number, so any remaining long digit run is masked too.
    """
    masked, _ = mask_sensitive(" ".join(text.split()))
    for run in reversed(digit_runs(masked)):
        if len(run.digits) >= _LONG_NUMBER:
            masked = masked[: run.start] + f"****{run.digits[-4:]}" + masked[run.end :]
    return short_quote(masked, limit)


def short_quote(text: str, limit: int = 90) -> str:
    """`text` cut to about `limit` characters at a word boundary, for one-line evidence."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:- ") + "…"
