"""compliance: per flag type precision/recall/F1 (a type raised or not per call), the number of
missed critical flags, and false alarms. Types outside `labelled_flag_types` are not judged."""

from __future__ import annotations

from collections import Counter

from harness.contract import ComplianceType, Severity, severity_of
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext, unlabelled
from harness.scoring.markers import prf_scores

_LABEL_ONLY = ("precision", "recall", "f1", "missed_critical", "false_alarms")


def predicted_flag_types(brief: dict) -> set[str]:
    return {flag.get("type") for flag in brief.get("compliance_flags") or []}


@scorer("compliance", version=1)
def compliance_scores(context: ScoreContext) -> list[Score]:
    expected = context.fixture.expected
    if not expected.is_labelled("compliance_flags"):
        return [unlabelled(f"compliance.{m}") for m in _LABEL_ONLY]
    labelled = sorted(t.value for t in expected.flag_types_labelled())
    gold = {f.type.value for f in expected.compliance_flags if f.type.value in labelled}
    predicted = predicted_flag_types(context.brief) & set(labelled) if context.brief else set()
    counts: Counter = Counter()
    for kind in gold & predicted:
        counts[(kind, "tp")] += 1
    for kind in predicted - gold:
        counts[(kind, "fp")] += 1
    for kind in gold - predicted:
        counts[(kind, "fn")] += 1
    missed_critical = sorted(k for k in gold - predicted if severity_of(ComplianceType(k)) is Severity.CRITICAL)
    false_alarms = sorted(predicted - gold)
    return [
        *prf_scores("compliance", counts, labelled),
        Score("compliance.missed_critical", float(len(missed_critical)), ", ".join(missed_critical) or "none"),
        Score("compliance.false_alarms", float(len(false_alarms)), ", ".join(false_alarms) or "none"),
    ]
