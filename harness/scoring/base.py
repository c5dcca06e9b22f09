"""What every scorer takes and returns.

A scorer is a pure function of one `ScoreContext` (the fixture, the stored brief or the error,
the raw model output) returning `Score`s. A metric whose gold label is absent is returned with
`value=None` and reason "not labelled": it is left out of means and of the pass rule, never
counted as a failure (partial gold, DESIGN.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.fixtures.model import Fixture

NOT_LABELLED = "not labelled"

# Metrics that count things or errors: lower is better, and they are not shares in [0, 1]. Every
# other metric is a rate where higher is better. Scoreboards, comparisons, gates, the report and
# the DeepEval metrics all read this one list.
LOWER_IS_BETTER = frozenset({"compliance.missed_critical", "compliance.false_alarms", "markers.wrong_speaker",
                             "privacy.leaks", "sentiment.abs_error"})


@dataclass(frozen=True)
class ScoreContext:
    fixture: Fixture
    brief: dict | None  # the assembled AgentAssistPortal as JSON, None when generation failed
    raw_output: str | None = None
    error_category: str | None = None
    error_message: str | None = None
    repeat: int = 0
    mask_transcript: bool = True  # how the generator rendered the transcript (brief.AssemblyOptions)


@dataclass(frozen=True)
class Score:
    metric: str  # "markers.f1", "compliance.legal_threat.recall"
    value: float | None  # None: not applicable / not labelled
    reason: str = ""
    scorer: str = ""
    version: int = 0

    @property
    def counted(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class RepeatSet:
    """The K repeats of one fixture, for the consistency scorer."""

    fixture: Fixture
    briefs: list[dict | None] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)


def unlabelled(metric: str) -> Score:
    return Score(metric, None, NOT_LABELLED)


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
