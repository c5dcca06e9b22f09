"""Choices of plain words rewritten as prefix trees: `refund|refuse|return` -> `re(?:fu(?:nd|se)|turn)`.

`re` tries the alternatives of a choice one after another. Case-sensitive ones that start with a
different letter are skipped quickly, but case-blind ones (the rules' usual `re.I`) are entered one
by one, so `\\b(account|order|policy|...)` with thirty words costs thirty attempts at every
position where a word may start. Factored by shared prefixes, the same choice costs a few.

The rewrite keeps what matches and in which order alternatives are preferred, so results and
groups are unchanged:

- only case-blind choices are rewritten, and in them only runs of plain literal alternatives
  (letters, digits, spaces, apostrophes); any other alternative, and an empty one, stays where
  it is and splits the run around it;
- within a run, alternatives that start with different characters can never match at the same
  position, so grouping the ones that share a first character keeps the order that matters:
  theirs among themselves;
- the new groups are non-capturing, so group numbers do not move.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9 ']+")


def factor_choices(pattern: str, flags: int = 0) -> str:
    """`pattern` with every run of plain literal alternatives factored into a prefix tree."""
    if flags & re.VERBOSE:
        return pattern  # spaces would not be literal: leave such patterns alone
    folded = bool(flags & re.IGNORECASE)
    try:
        return _rewrite(pattern, 0, folded)[0]
    except _Unsupported:
        return pattern


class _Unsupported(Exception):
    pass


def _rewrite(pattern: str, position: int, folded: bool) -> tuple[str, int]:
    """The body from `position` up to its closing parenthesis (or the end), rewritten, and where
    it ended. Alternatives are split at this depth; nested groups are rewritten recursively."""
    alternatives: list[str] = []
    current: list[str] = []
    i = position
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current.append(pattern[i : i + 2])
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            current.append(pattern[i:end])
            i = end
        elif char == "(":
            opener, inner_folded = _group_opener(pattern, i, folded)
            body, i = _rewrite(pattern, i + len(opener), inner_folded)
            current.append(f"{opener}{body})")
            i += 1  # the closing parenthesis
        elif char == ")":
            break
        elif char == "|":
            alternatives.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    alternatives.append("".join(current))
    return "|".join(_factored(alternatives, folded)), i


def _group_opener(pattern: str, start: int, folded: bool) -> tuple[str, bool]:
    """The text that opens the group at `start` (`(`, `(?:`, `(?P<name>`, `(?=`, `(?i:` ...), and
    whether its body is case-blind."""
    if not pattern.startswith("(?", start):
        return "(", folded
    if pattern.startswith("(?P<", start):
        return pattern[start : pattern.index(">", start) + 1], folded
    for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
        if pattern.startswith(opener, start):
            return opener, folded
    scoped = re.match(r"\(\?([aiLmsu]+):", pattern[start:])
    if scoped:  # (?i:...) and the like; a flag switched off (-i) or verbose mode is left alone
        return scoped.group(), folded or "i" in scoped.group(1)
    raise _Unsupported(pattern[start : start + 6])  # global flags, conditionals, comments


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _factored(alternatives: list[str], folded: bool) -> list[str]:
    """Runs of plain alternatives as prefix trees; other alternatives stay in place, as barriers.
    Case-sensitive choices stay as written: there `re` already skips an alternative whose first
    letter differs, and the rewrite measured slower."""
    if not folded:
        return alternatives
    result: list[str] = []
    run: list[str] = []
    for alternative in alternatives:
        if _PLAIN.fullmatch(alternative):
            run.append(alternative)
            continue
        result.extend(_tree(run))
        run = []
        result.append(alternative)
    result.extend(_tree(run))
    return result


def _tree(words: list[str]) -> list[str]:
    """Plain, non-empty, case-blind words grouped by first letter (order kept within each group),
    each group as its longest shared prefix and a choice of the rests."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word)
    branches = []
    for members in groups.values():
        if len(members) == 1:
            branches.append(members[0])
            continue
        shared = _shared_prefix_length([word.lower() for word in members])
        # an empty rest ("one" in "one|ones") matches anywhere: `_factored` keeps it in its place
        rests = _factored([word[shared:] for word in members], folded=True)
        branches.append(f"{members[0][:shared]}(?:{'|'.join(rests)})")
    return branches


def _shared_prefix_length(words: list[str]) -> int:
    shortest = min(words, key=len)
    for i, char in enumerate(shortest):
        if any(word[i] != char for word in words):
            return i
    return len(shortest)
