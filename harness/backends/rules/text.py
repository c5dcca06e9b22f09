"""A read-only view of a call for the rules: turns with normalised text, and finding records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness import fastre
from harness.contract import ComplianceType, MarkerType, Role
from harness.conversations import ConversationRecord

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - "})
_ALNUM = fastre.compile(r"[a-z0-9]+")
# Every byte but a-z and 0-9 becomes a space: on ASCII text, splitting what `translate` leaves gives
# the runs `_ALNUM` finds, for half the cost of the regex (bytes.translate is a table lookup a byte).
_ALNUM_ONLY = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))


class computed_once:
    """`functools.cached_property` without its lock: Python 3.11's takes one on every first read,
    which doubled the cost of the per-turn values every rule reads (the lock was dropped in 3.12).
    Computed once per object and kept in its `__dict__`, which later reads find first."""

    def __init__(self, compute: Callable) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: what every rule pattern is written against."""
    if not text.isascii():  # curly quotes and dashes are not ASCII: most turns need no translation
        text = text.translate(_QUOTES)
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Turn:
    index: int
    role: Role
    text: str  # as transcribed

    @computed_once
    def lower(self) -> str:
        return normalise(self.text)

    @computed_once
    def alnum_runs(self) -> frozenset[str]:
        """The maximal runs of letters and digits in `lower`. A pattern `\\bword\\b` can only match
        where `word` is one of them, so a set test screens out turns before any regex runs."""
        lower = self.lower
        if lower.isascii():
            return frozenset(lower.encode().translate(_ALNUM_ONLY).decode().split())
        return frozenset(_ALNUM.findall(lower))

    @property
    def is_caller(self) -> bool:
        return self.role is Role.USER


@dataclass(frozen=True)
class CallView:
    turns: tuple[Turn, ...]

    @classmethod
    def of(cls, conversation: ConversationRecord) -> CallView:
        return cls(tuple(Turn(i, m.role, m.content) for i, m in enumerate(conversation.messages)))

    @computed_once
    def caller_turns(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.role is Role.USER)

    @computed_once
    def assistant_turns(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.role is Role.ASSISTANT)

    def next_turn(self, index: int, role: Role) -> Turn | None:
        """The first turn by `role` after message `index`."""
        position = self._next_by_role[role][index]
        return None if position is None else self.turns[position]

    def previous_turn(self, index: int, role: Role) -> Turn | None:
        """The last turn by `role` before message `index`."""
        position = self._previous_by_role[role][index]
        return None if position is None else self.turns[position]

    # Neighbour tables, built once: rules ask for "the assistant turn before this one" for every
    # turn, and a scan per question would make a 400-message call quadratic.
    @computed_once
    def _previous_by_role(self) -> dict[Role, list[int | None]]:
        tables: dict[Role, list[int | None]] = {}
        for role in Role:
            last, table = None, []
            for turn in self.turns:
                table.append(last)
                if turn.role is role:
                    last = turn.index
            tables[role] = table
        return tables

    @computed_once
    def _next_by_role(self) -> dict[Role, list[int | None]]:
        tables: dict[Role, list[int | None]] = {}
        for role in Role:
            following, table = None, []
            for turn in reversed(self.turns):
                table.append(following)
                if turn.role is role:
                    following = turn.index
            tables[role] = table[::-1]
        return tables


@dataclass(frozen=True)
class MarkerFinding:
    message: int
    type: MarkerType
    description: str


@dataclass(frozen=True)
class FlagFinding:
    type: ComplianceType
    message: int | None
    description: str
