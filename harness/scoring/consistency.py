"""consistency across the K repeats of a fixture: do the samples agree, and do they all pass?

sentiment and caller-name agreement (share of repeats giving the most common answer), mean
pairwise Jaccard of the marker sets and of the flag-type sets, pass@k (any repeat passes) and
pass^k (all K pass). Agreement needs two repeats; pass@k and pass^k are defined for any K.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from harness.scoring.base import RepeatSet, Score
from harness.scoring.compliance import predicted_flag_types
from harness.scoring.header import normalise_name
from harness.scoring.markers import predicted_markers

CONSISTENCY_VERSION = 1


def consistency_scores(repeats: RepeatSet) -> list[Score]:
    k = len(repeats.passed)
    scores = [
        Score("consistency.pass_at_k", float(any(repeats.passed)), f"{sum(repeats.passed)}/{k} repeats pass"),
        Score("consistency.pass_all_k", float(all(repeats.passed) and k > 0), f"{sum(repeats.passed)}/{k} pass"),
    ]
    briefs = [b for b in repeats.briefs if b is not None]
    metrics = ("sentiment_agreement", "name_agreement", "marker_jaccard", "flag_jaccard")
    if len(repeats.briefs) < 2:
        return [*scores, *(Score(f"consistency.{m}", None, "needs 2 or more repeats") for m in metrics)]
    if len(briefs) < len(repeats.briefs):
        failed = len(repeats.briefs) - len(briefs)
        # A repeat without a brief disagrees with every other one.
        briefs = briefs + [None] * failed
    levels = [_level(b) for b in briefs]
    names = [normalise_name((b or {}).get("header", {}).get("caller_name")) if b else None for b in briefs]
    markers = [frozenset(predicted_markers(b)) if b else None for b in briefs]
    flags = [frozenset(predicted_flag_types(b)) if b else None for b in briefs]
    return [
        *scores,
        _agreement("consistency.sentiment_agreement", levels),
        _agreement("consistency.name_agreement", names),
        _jaccard("consistency.marker_jaccard", markers),
        _jaccard("consistency.flag_jaccard", flags),
    ]


def _level(brief: dict | None) -> str | None:
    return ((brief or {}).get("header") or {}).get("sentiment", {}).get("level") if brief else None


def _agreement(metric: str, answers: list) -> Score:
    counted = Counter(a for a in answers if a is not None)
    top = counted.most_common(1)[0][1] if counted else 0
    return Score(metric, top / len(answers), f"{top}/{len(answers)} agree")


def _jaccard(metric: str, sets: list) -> Score:
    values = []
    for a, b in combinations(sets, 2):
        if a is None or b is None:
            values.append(0.0)
        else:
            union = a | b
            values.append(1.0 if not union else len(a & b) / len(union))
    return Score(metric, sum(values) / len(values), f"mean over {len(values)} pairs")
