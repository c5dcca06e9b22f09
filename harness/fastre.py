"""`re.compile` that tells the engine which characters a match can start with.

Python's `re` skips ahead quickly only when a pattern starts with a literal or a character class:
its compiled code then carries a set of first characters, and the search loop tests each position
against that set in C before it tries a match there. A pattern like `\\b(refund|charge|fee|...)`
starts with a word boundary, and `[.!?]+` with a repeat, so the engine tries the whole pattern at
every position of the text: 20-40 µs for one sentence.

Here the first characters are read from the parsed pattern and written into the compiled code's
info block, the same block `re` fills for a pattern that starts with a class. Only the search
loop reads that block, to skip positions no match can start at; what matches, and every group, is
unchanged. Where the block cannot be written (a case-blind pattern whose first characters are not
ASCII), the pattern gets the look-ahead `(?=[cfr...])` instead: it rejects a wrong position with
one class test, half the cost of trying the pattern there. A pattern whose first character cannot
be pinned down (it may match empty, or start with `.`, a negated class or a back-reference)
compiles as is.
"""

from __future__ import annotations

import _sre
import re
import re._compiler as sre_compile
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterator

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
        start_class = _start_class(pattern, flags)
        compiled = _scanning(body, start_class, flags)
        if compiled is None:
            compiled = re.compile(body if screen is None else f"(?={screen})(?:{body})", flags)
            start_class = screen
    except Exception:  # re._parser and _sre are private API: should they change, patterns still work
        compiled, needles, start_class = re.compile(pattern, flags), None, None
    result = compiled if needles is None else ScreenedPattern(compiled, needles)
    _AUTHORED[id(result)] = (result, pattern, start_class)
    return result


def screened(needles: tuple[str, ...], pattern: str, flags: int = 0) -> ScreenedPattern:
    """`compile(pattern)` behind needles picked by hand, where the pattern yields none or only common
    ones ("call", "my"): every match must hold one of them, which tests/test_needles_sampled.py
    checks on texts written from the pattern itself."""
    compiled = compile(pattern, flags)
    result = ScreenedPattern(compiled._pattern if isinstance(compiled, ScreenedPattern) else compiled, needles)
    _AUTHORED[id(result)] = (result, pattern, skips_to(compiled))
    return result


class CaseBlind:
    """A case-blind pattern whose letters are all lower case. On ASCII text it runs as its
    case-exact twin over the lower-cased text, which matches the same spans (case-blind matching of
    ASCII letters compares their lower cases) in half to two thirds of the time; the groups of such
    a match come lower-cased. Other text gets the case-blind pattern: `re` folds letters such as
    "ſ" onto ASCII ones, which lower-casing does not mirror."""

    __slots__ = ("case_blind", "lower_case")

    def __init__(self, pattern: str) -> None:
        self.case_blind = compile(pattern, re.IGNORECASE)
        self.lower_case = compile(pattern)

    def search(self, text: str) -> re.Match | None:
        return self.lower_case.search(text.lower()) if text.isascii() else self.case_blind.search(text)

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.lower_case.finditer(text.lower()) if text.isascii() else self.case_blind.finditer(text)


# What each compiled pattern was written as, and the start class it was given, for the tests that
# compare it with plain `re`. Patterns are compiled once, at import: this holds a few hundred.
_AUTHORED: dict[int, tuple[object, str, str | None]] = {}


def authored(compiled: re.Pattern | ScreenedPattern) -> str:
    """The pattern as its author wrote it, before screens and factoring."""
    entry = _AUTHORED.get(id(compiled))
    return entry[1] if entry is not None and entry[0] is compiled else compiled.pattern


def skips_to(compiled: re.Pattern | ScreenedPattern) -> str | None:
    """The class of first characters the search skips to (in the info block or a look-ahead),
    or None where the pattern was compiled as is."""
    entry = _AUTHORED.get(id(compiled))
    return entry[2] if entry is not None and entry[0] is compiled else None


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


def _scanning(body: str, start_class: str | None, flags: int) -> re.Pattern | None:
    """`body` compiled with `start_class` in its info block, as the characters the search loop
    scans for; None where `re` already scans for something or the class cannot be written."""
    if start_class is None:
        return None
    parsed = sre_parse.parse(body, flags)
    code = sre_compile._code(parsed, flags)
    # INFO <skip> <flags> <min> <max> ...: flags 0 means no prefix or charset of its own; a pattern
    # of minimum width 0 can match where no first character is
    if code[0] != sre.INFO or code[2] != 0 or code[3] == 0:
        return None
    charset = _charset_code(start_class, flags)
    if charset is None:
        return None
    info = [sre.INFO, 4 + len(charset), sre.SRE_INFO_CHARSET, code[3], code[4], *charset]
    indexgroup = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    # what re._compiler.compile does, with the info block replaced (`_sre.compile` validates it);
    # should a later Python change the code's layout, the look-ahead takes over
    try:
        return _sre.compile(
            body,
            flags | parsed.state.flags,
            info + code[1 + code[1] :],
            parsed.state.groups - 1,
            parsed.state.groupdict,
            tuple(indexgroup),
        )
    except Exception:
        return None


# The characters that match an ASCII character case-blind, besides its two cases: re's Unicode
# case folding takes "İ" and "ı" for i, "ſ" for s and the Kelvin sign for k (a test checks the list
# against every code point).
_FOLDS_INTO_ASCII = "\u0130\u0131\u017f\u212a"
_ASCII_AND_FOLDS = "".join(map(chr, range(128))) + _FOLDS_INTO_ASCII
_CATEGORY = re.compile(r"\\[A-Za-z]")  # \d, \w, \s and their negations (re.escape leaves letters alone)


def _charset_code(start_class: str, flags: int) -> list[int] | None:
    """The compiled character set of `start_class`, as the case-sensitive test the search loop
    makes: a case-blind class is written out as every character it admits."""
    if flags & re.LOCALE:
        return None
    if flags & re.IGNORECASE or "(?i:" in start_class:
        if not start_class.isascii() or _CATEGORY.search(start_class):
            return None  # a category or non-ASCII letters: too many characters to list
        admitted = set(re.compile(start_class, flags).findall(_ASCII_AND_FOLDS))
        items = [(sre.LITERAL, ord(character)) for character in sorted(admitted)]
    else:
        parsed = sre_parse.parse(start_class, flags)
        if len(parsed) != 1 or parsed[0][0] not in (sre.IN, sre.LITERAL):
            return None
        op, av = parsed[0]
        items = av if op is sre.IN else [(sre.LITERAL, av)]
    charset, _ = sre_compile._optimize_charset(items)
    code: list[int] = []
    # the parser's flags say UNICODE for a str pattern: \d then means every Unicode digit
    sre_compile._compile_charset(charset, sre_parse.parse(start_class, flags).state.flags & ~re.IGNORECASE, code)
    return code


def first_characters(pattern: re.Pattern) -> str | None:
    """The class a match of `pattern` starts with, as a pattern, or None (for tests and curiosity)."""
    return _screen(pattern.pattern, pattern.flags)


def _screen(pattern: str, flags: int) -> str | None:
    """The look-ahead for `pattern`, or None where `re` already skips ahead as fast."""
    if _engine_skips_ahead(sre_parse.parse(pattern, flags), flags):
        return None
    return _start_class(pattern, flags)


def _start_class(pattern: str, flags: int) -> str | None:
    """The characters a match of `pattern` can start with, as a class, or None if unknown."""
    parsed = sre_parse.parse(pattern, flags)
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
