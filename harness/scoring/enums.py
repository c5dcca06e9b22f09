"""enums: every closed-vocabulary value in the brief is one the contract knows."""

from __future__ import annotations

from harness.contract import ComplianceType, Confidence, MarkerType, Role, SentimentLevel
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext

_VALID = {
    "sentiment level": {v.value for v in SentimentLevel},
    "confidence": {v.value for v in Confidence},
    "role": {v.value for v in Role},
    "marker type": {v.value for v in MarkerType},
    "compliance type": {v.value for v in ComplianceType},
}


@scorer("enums", version=1)
def enum_scores(context: ScoreContext) -> list[Score]:
    brief = context.brief
    if brief is None:
        return [Score("enums.valid", 0.0, f"no brief ({context.error_category or 'no draft'})")]
    level = (brief.get("header") or {}).get("sentiment", {}).get("level")
    found: list[tuple[str, object]] = [("sentiment level", level)]
    found += [("confidence", step.get("confidence")) for step in brief.get("suggested_next_steps") or []]
    for message in brief.get("transcript") or []:
        found.append(("role", message.get("role")))
        found += [("marker type", marker.get("type")) for marker in message.get("markers") or []]
    found += [("compliance type", flag.get("type")) for flag in brief.get("compliance_flags") or []]
    invalid = [f"{kind} {value!r}" for kind, value in found if value not in _VALID[kind]]
    if invalid:
        return [Score("enums.valid", 0.0, f"{len(invalid)} invalid: " + ", ".join(invalid[:3]))]
    return [Score("enums.valid", 1.0, f"{len(found)} values valid")]
