"""`re.compile` with a first-character screen, for the many alternation-heavy patterns of the rules.

Python's `re` skips ahead quickly only when a pattern starts with a literal or a character class.
A pattern like `\\b(refund|charge|fee|...)` starts with a word boundary, so the engine tries every
alternative at every position of the text: 20-40 µs for one sentence. Prefixing the look-ahead
`(?=[cfr...])` - the characters a match can start with, read from the parsed pattern - rejects
most positions with one class test and halves that. The look-ahead is implied by the pattern, so
what matches, and every group, is unchanged. A pattern whose first character cannot be pinned
down (it may match empty, or start with `.`, a negated class or a back-reference), or that `re`
already scans for (it starts with a class or a literal), compiles as is.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse

from harness.needles import ScreenedPattern, needles_of
from harness.prefixes import factor_choices

_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _Unknown(Exception):
    """The first character of a match cannot be described by a character class."""


def compile(pattern: str, flags: int = 0) -> re.Pattern | ScreenedPattern:  # a drop-in for re.compile
    """The pattern with its first-character look-ahead and its choices of words factored
    (`harness.prefixes`), behind its needles (`harness.needles`)."""
    try:
        screen, needles = _screen(pattern, flags), needles_of(pattern, flags)
        if needles is not None and screen is not None and _needles_cost_more(len(needles), pattern, flags):
            needles = None
        body = factor_choices(pattern, flags)
        compiled = re.compile(body if screen is None else f"(?={screen})(?:{body})", flags)
    except Exception:  # re._parser is private API: should it ever change, patterns still work, unscreened
        compiled, needles = re.compile(pattern, flags), None
    result = compiled if needles is None else ScreenedPattern(compiled, needles)
    _AUTHORED[id(result)] = (result, pattern)
    return result


# What each compiled pattern was written as, for the tests that compare it with plain `re`.
# Patterns are compiled once, at import: this holds a few hundred strings.
_AUTHORED: dict[int, tuple[object, str]] = {}


def authored(compiled: re.Pattern | ScreenedPattern) -> str:
    """The pattern as its author wrote it, before screens and factoring."""
    entry = _AUTHORED.get(id(compiled))
    return entry[1] if entry is not None and entry[0] is compiled else compiled.pattern


def _needles_cost_more(count: int, pattern: str, flags: int) -> bool:
    """Each needle is one scan of the text, while the look-ahead lets `re` try only positions with
    one of the first characters. Measured on the corpus, a dozen needles or more at 3.5 or more
    per first character - `\\bi(?:'ve| have) ...` and its 44 verbs, `\\b(my|our) (mother|mom|...)`
    - cost 1.3-4x the pattern alone; every other screen paid for itself or broke even."""
    return count >= 12 and count >= 3.5 * _screen_width(pattern, flags)


def _screen_width(pattern: str, flags: int) -> int:
    """How many characters the first-character look-ahead lets through (a category counts as many)."""
    items, _ = _first_of(sre_parse.parse(pattern, flags))
    width = 0
    for item in items:
        item = item.removeprefix(_FOLDED)
        if item.startswith("\\") and len(item) == 2 and item[1].isalpha():
            width += 26  # \d, \w, \s and their negations: wide enough to keep any screen
        elif len(item) == 3 and item[1] == "-":
            width += ord(item[2]) - ord(item[0]) + 1
        else:
            width += 1
    return width


def first_characters(pattern: re.Pattern) -> str | None:
    """The class a match of `pattern` starts with, as a pattern, or None (for tests and curiosity)."""
    return _screen(pattern.pattern, pattern.flags)


def _screen(pattern: str, flags: int) -> str | None:
    parsed = sre_parse.parse(pattern, flags)
    if _engine_skips_ahead(parsed, flags):
        return None
    try:
        items, may_be_empty = _first_of(parsed)
    except _Unknown:
        return None
    if may_be_empty or not items:
        return None
    # The look-ahead sits inside the same pattern, so it inherits IGNORECASE, ASCII and so on; the
    # first characters of a scoped (?i:...) group are tested case-blind by the same scoping.
    plain = "".join(sorted(item for item in items if not item.startswith(_FOLDED)))
    folded = "".join(sorted(item[len(_FOLDED):] for item in items if item.startswith(_FOLDED)))
    alternatives = ([f"[{plain}]"] if plain else []) + ([f"(?i:[{folded}])"] if folded else [])
    return "|".join(alternatives)


_FOLDED = "\x00folded:"  # marks class items that came from inside a (?i:...) group


def _engine_skips_ahead(parsed, flags: int) -> bool:
    """Whether `re` already scans for the first character itself, or fails at it as fast: a pattern
    that starts with a class, a repeated class, a literal or a choice of literals (case-sensitive),
    where a look-ahead only adds work."""
    sequence = parsed
    while sequence and sequence[0][0] is sre.SUBPATTERN:
        _group, add_flags, del_flags, sequence = sequence[0][1]
        flags = (flags | add_flags) & ~del_flags
    if not sequence:
        return False
    op, av = sequence[0]
    if op is sre.IN:
        return True
    if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] in (sre.IN, sre.LITERAL):
        return True  # `[a-z0-9]+`: the repeat fails at a wrong first character as fast as a look-ahead
    if flags & re.IGNORECASE:
        return False
    if op is sre.LITERAL:
        return True
    return op is sre.BRANCH and all(alternative and alternative[0][0] is sre.LITERAL for alternative in av[1])


def _first_of(sequence) -> tuple[set[str], bool]:
    """Class items a match of `sequence` may start with, and whether it may match nothing."""
    items: set[str] = set()
    for op, av in sequence:
        found, may_be_empty = _first_of_node(op, av)
        items |= found
        if not may_be_empty:
            return items, False
    return items, True


def _first_of_node(op, av) -> tuple[set[str], bool]:
    if op is sre.LITERAL:
        return {re.escape(chr(av))}, False
    if op is sre.IN:
        return _class_items(av), False
    if op in _ZERO_WIDTH:
        return set(), True
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if del_flags or add_flags & ~re.IGNORECASE:
            raise _Unknown(op)
        found, may_be_empty = _first_of(body)
        if add_flags:  # (?i:...): its first characters are compared case-blind
            found = {item if item.startswith(_FOLDED) else _FOLDED + item for item in found}
        return found, may_be_empty
    if op is sre.BRANCH:
        items: set[str] = set()
        may_be_empty = False
        for alternative in av[1]:
            found, empty = _first_of(alternative)
            items |= found
            may_be_empty = may_be_empty or empty
        return items, may_be_empty
    if op in _REPEATS:
        low, _high, body = av
        found, empty = _first_of(body)
        return found, empty or low == 0
    raise _Unknown(op)


def _class_items(av) -> set[str]:
    items: set[str] = set()
    for op, value in av:
        if op is sre.LITERAL:
            items.add(re.escape(chr(value)))
        elif op is sre.RANGE:
            items.add(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif op is sre.CATEGORY and value in _CATEGORIES:
            items.add(_CATEGORIES[value])
        else:  # NEGATE, or anything unusual: no screen rather than a wrong one
            raise _Unknown(op)
    return items
