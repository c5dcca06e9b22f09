"""Detectors and masking for what a brief must never leak (DESIGN.md §1).

Everything here is pure text processing. Call transcripts say numbers aloud ("four one one one,
double two ..."), so every detector works on *digit runs*: maximal stretches of digits and digit
words with their character span in the original text, whichever way they were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from harness import fastre

DIGIT_WORDS = {
    "zero": "0", "nought": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
REPEATERS = {"double": 2, "triple": 3}
# Between the digits of one spoken number people pause, hyphenate or say a filler.
JOINERS = {"-", ",", ".", "/", "–", "—", "uh", "um", "er", "erm"}
ZERO_LETTERS = {"oh", "o"}

_TOKEN = fastre.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")


@dataclass(frozen=True)
class DigitRun:
    digits: str
    start: int
    end: int


# Where runs can be: digits or digit words, chained by spaces, joiners and fillers. One regex scan
# finds these stretches; only they are tokenised (most of a call is words, not numbers).
_NUMBER_WORDS_BY_LENGTH = sorted([*DIGIT_WORDS, *REPEATERS], key=len, reverse=True)
_DIGITISH = r"(?:\d+|(?<![a-z])(?:" + "|".join(_NUMBER_WORDS_BY_LENGTH) + r")(?![a-z]))"
_SEPARATOR = r"(?:[\s\-,./–—]|(?<![a-z])(?:uh|um|erm|er)(?![a-z]))*"
# Matched on lower-case text, with a look-ahead for the first characters a number can start
# with: twice as fast as the same pattern with IGNORECASE, and it runs on every turn.
_FIRST_CHARACTERS = "".join(sorted({word[0] for word in _NUMBER_WORDS_BY_LENGTH}))
_CANDIDATE = fastre.compile(rf"(?=[\d{_FIRST_CHARACTERS}]){_DIGITISH}(?:{_SEPARATOR}{_DIGITISH})*")


# Where a run may start: a digit or a digit word, found by a plain choice of literals, which `re`
# scans for in a tight loop (2x faster than searching for _CANDIDATE itself, which starts with a
# look-behind). "o" and "oh" are left out: they are zero only inside a run, never its first digit.
# The loop skips, in C, every position whose character starts no alternative, but only when each
# alternative starts with a literal: one class such as `\d` turns it off (1.8x slower). So the
# ASCII digits are listed one by one, and only a text with other digits ("٣") is searched with `\d`.
_HINT_WORDS = [word for word in _NUMBER_WORDS_BY_LENGTH if word not in ZERO_LETTERS]
_HINT = re.compile("|".join([*"0123456789", *_HINT_WORDS]))
_HINT_ANY_DIGIT = re.compile("|".join([r"\d", *_HINT_WORDS]))
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a digit but not an ASCII one


@lru_cache(maxsize=8192)  # several detectors read the same turn; the runs are computed once
def digit_runs(text: str) -> tuple[DigitRun, ...]:
    """Every maximal run of digits in `text`, spoken ("four one one") or written ("4111")."""
    lower = text.lower()
    if len(lower) != len(text):  # a few non-ASCII letters change length: keep offsets exact
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    hints = _HINT if lower.isascii() or _OTHER_DIGIT.search(lower) is None else _HINT_ANY_DIGIT
    runs: list[DigitRun] = []
    position = 0
    while (hint := hints.search(lower, position)) is not None:
        candidate = _CANDIDATE.match(lower, hint.start())
        if candidate is None:  # "one" in "someone"
            position = hint.start() + 1
            continue
        # Most candidates are one digit word or one number ("nine", "26"): their run is the value
        # `_runs_in` would read from that single token, found without tokenising.
        single = _digit_value(candidate.group(), in_run=False)
        if single is not None:
            runs.append(DigitRun(single, candidate.start(), candidate.end()))
        else:
            runs.extend(_runs_in(list(_TOKEN.finditer(text, candidate.start(), candidate.end()))))
        position = candidate.end()
    return tuple(runs)


def _runs_in(tokens: list[re.Match]) -> list[DigitRun]:
    runs: list[DigitRun] = []
    digits, start, end = "", -1, -1
    pending_repeat = 1
    for i, token in enumerate(tokens):
        word = token.group().lower()
        value = _digit_value(word, bool(digits))
        if value is not None:
            if not digits:
                start = token.start()
            digits += value * pending_repeat
            pending_repeat, end = 1, token.end()
        elif word in REPEATERS and _next_is_digit(tokens[i + 1 : i + 2]):
            if not digits:
                start = token.start()
            pending_repeat = REPEATERS[word]
        elif digits and word in JOINERS:
            continue
        else:
            if digits:
                runs.append(DigitRun(digits, start, end))
            digits, pending_repeat = "", 1
    if digits:
        runs.append(DigitRun(digits, start, end))
    return runs


def _digit_value(word: str, in_run: bool) -> str | None:
    if word.isdigit():
        return word
    if word in ZERO_LETTERS:
        # "oh" is zero only inside a number ("five oh two"), not "oh, I see".
        return "0" if in_run else None
    return DIGIT_WORDS.get(word)


def _next_is_digit(following: list[re.Match]) -> bool:
    if not following:
        return False
    word = following[0].group().lower()
    return word.isdigit() or (word in DIGIT_WORDS and word not in ZERO_LETTERS)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# Issuer ranges (IIN prefixes) of the card networks, with the lengths they issue. Many account
# numbers pass Luhn too; a card number must also fall in a network's range.
_NETWORKS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("visa", ((4, 4),), frozenset({13, 16, 19})),
    ("mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("amex", ((34, 34), (37, 37)), frozenset({15})),
    ("discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), frozenset({16, 17, 18, 19})),
    ("diners", ((300, 305), (36, 36), (38, 39)), frozenset({14, 15, 16, 17, 18, 19})),
    ("jcb", ((3528, 3589),), frozenset({16, 17, 18, 19})),
    ("unionpay", ((62, 62),), frozenset({16, 17, 18, 19})),
    ("maestro", ((50, 50), (56, 58), (6304, 6304), (6759, 6759), (676770, 676774)),
     frozenset(range(12, 20))),
)


def card_network(digits: str) -> str | None:
    """The network whose range and length `digits` fits, or None."""
    for name, ranges, lengths in _NETWORKS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(digits[:width]) <= high:
                return name
    return None


def is_card_number(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_valid(digits) and card_network(digits) is not None


@dataclass(frozen=True)
class Finding:
    kind: str  # card_number | cvv | ssn | pin | one_time_code | password
    value: str  # the digits (or the secret word) found
    start: int
    end: int

    @property
    def masked(self) -> str:
        if self.kind == "card_number":
            return f"****{self.value[-4:]}"
        if self.kind == "ssn":
            return f"***-**-{self.value[-4:]}"
        return f"[{self.kind.upper().replace('_', ' ')}]"


@lru_cache(maxsize=8192)
def find_card_numbers(text: str) -> tuple[Finding, ...]:
    findings = []
    for run in digit_runs(text):
        card = _card_within(run.digits)
        if card is not None:
            findings.append(Finding("card_number", card, run.start, run.end))
    return tuple(findings)


def _card_within(digits: str) -> str | None:
    """A card number at the start of a run, allowing trailing digits (an expiry read straight on)."""
    if len(digits) < 13:
        return None
    for length in range(min(19, len(digits)), 12, -1):
        if is_card_number(digits[:length]):
            return digits[:length]
    return None


_DIGIT = re.compile(r"\d")
_SSN_WRITTEN = fastre.compile(r"\b(\d{3})[- ](\d{2})[- ](\d{4})\b")
_CONTEXTS = {
    "ssn": fastre.compile(r"\b(social security|social|ssn|s\.s\.n\.?)\b", re.I),
    "cvv": fastre.compile(r"\b(cvv2?|cvc2?|cid|security code|three digits?|3 digits?|code on the back)\b", re.I),
    "pin": fastre.compile(r"\bpin\b", re.I),
    "one_time_code": fastre.compile(
        r"\b(one[- ]time|verification|confirmation|security|passcode|otp|6[- ]digit|six[- ]digit)"
        r"\s*(code|pin|number)?\b|\bcode (i|that) (got|received)\b|\btexted me\b",
        re.I,
    ),
}
_CODE_LENGTHS = {"ssn": {9}, "cvv": {3, 4}, "pin": {4, 5, 6}, "one_time_code": {4, 5, 6, 7, 8}}
# The kinds a run of each length may be, in the order of _CONTEXTS: most runs ("one", "26") are
# none, and skip the context search altogether.
_KINDS_BY_LENGTH = {
    length: [(kind, context) for kind, context in _CONTEXTS.items() if length in _CODE_LENGTHS[kind]]
    for length in set().union(*_CODE_LENGTHS.values())
}
_PASSWORD = fastre.compile(r"\b(password|passcode|passphrase)\s+(is|was|it's|its)\s+[\"']?([^\s\"',.]{4,})", re.I)
# How far (characters) a context word may precede the digits it introduces.
_CONTEXT_WINDOW = 60


@lru_cache(maxsize=8192)
def find_sensitive(text: str) -> tuple[Finding, ...]:
    """Card numbers, CVVs, SSNs, PINs, one-time codes and passwords in `text`."""
    # Every finding but a password is digits, and every digit is in a run: a text without runs
    # (most sentences) can hold only a password.
    if not digit_runs(text):
        return tuple(_passwords(text))
    findings = list(find_card_numbers(text))
    taken = [(f.start, f.end) for f in findings]
    has_digit = _DIGIT.search(text) is not None
    for match in _SSN_WRITTEN.finditer(text) if has_digit else ():
        findings.append(Finding("ssn", "".join(match.groups()), match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for run in digit_runs(text):
        kinds = _KINDS_BY_LENGTH.get(len(run.digits))
        if kinds is None or any(s < run.end and run.start < e for s, e in taken):
            continue
        before = text[max(0, run.start - _CONTEXT_WINDOW) : run.start]
        for kind, context in kinds:
            if context.search(before):
                findings.append(Finding(kind, run.digits, run.start, run.end))
                break
    findings.extend(_passwords(text))
    return tuple(sorted(findings, key=lambda f: f.start))


def _passwords(text: str) -> list[Finding]:
    if "pass" not in text.casefold():
        return []
    return [Finding("password", m.group(3), m.start(3), m.end(3)) for m in _PASSWORD.finditer(text)]


def mask_sensitive(text: str) -> tuple[str, tuple[Finding, ...]]:
    """`text` with every finding replaced by its masked form, and the findings."""
    findings = find_sensitive(text)
    masked = text
    for finding in reversed(findings):
        masked = masked[: finding.start] + finding.masked + masked[finding.end :]
    return masked, findings


def contains_full_card(text: str) -> bool:
    return bool(find_card_numbers(text))
