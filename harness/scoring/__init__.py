"""Scorers: small pure functions registered by name with a version (DESIGN.md §4).

`@scorer("markers", version=1)` registers a function `ScoreContext -> list[Score]`; adding a
scorer is one module and one decorator. `score_generation` runs them all on one context and
stamps each score with its scorer's name and version, so stored scores say which code made them.
Scorers never import backends, the runner, the store, the server or the CLI.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from harness.scoring.base import RepeatSet, Score, ScoreContext

ScorerFunction = Callable[[ScoreContext], list[Score]]


@dataclass(frozen=True)
class RegisteredScorer:
    name: str
    version: int
    function: ScorerFunction


SCORERS: dict[str, RegisteredScorer] = {}
_MODULES = ("schema", "sections", "enums", "header", "sentiment", "markers", "compliance", "information",
            "transcript", "privacy")


def scorer(name: str, version: int) -> Callable[[ScorerFunction], ScorerFunction]:
    def register(function: ScorerFunction) -> ScorerFunction:
        SCORERS[name] = RegisteredScorer(name, version, function)
        return function

    return register


def load_scorers() -> dict[str, RegisteredScorer]:
    for module in _MODULES:
        importlib.import_module(f"harness.scoring.{module}")
    return SCORERS


def score_generation(context: ScoreContext) -> list[Score]:
    """Every registered scorer on one fixture-repeat, then the pass verdict."""
    from harness.scoring.verdict import verdict

    scores: list[Score] = []
    for registered in load_scorers().values():
        name, version = registered.name, registered.version
        # built directly: dataclasses.replace re-reads the fields on every call (~40 scores a brief)
        scores.extend(Score(s.metric, s.value, s.reason, name, version) for s in registered.function(context))
    scores.append(verdict(scores))
    return scores


def scorer_versions() -> dict[str, int]:
    from harness.scoring.consistency import CONSISTENCY_VERSION
    from harness.scoring.verdict import VERDICT_VERSION

    versions = {name: registered.version for name, registered in load_scorers().items()}
    return versions | {"consistency": CONSISTENCY_VERSION, "verdict": VERDICT_VERSION}


__all__ = ["SCORERS", "RepeatSet", "Score", "ScoreContext", "load_scorers", "score_generation", "scorer",
           "scorer_versions"]
