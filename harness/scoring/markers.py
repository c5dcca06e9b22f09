"""markers: precision, recall and F1 overall and per type, matched on type and message index
within ±1, one prediction per gold marker; and markers on the wrong speaker (an `ai_commitment`
on a caller turn), which needs no gold at all.

Per type the scorer also stores tp/fp/fn counts, so the scoreboard can pool them over the corpus
(micro P/R/F1) instead of averaging per-brief ratios that are undefined for empty sets.
"""

from __future__ import annotations

from collections import Counter

from harness.contract import MARKER_SPEAKER, MarkerType, Role
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext, f1, ratio, unlabelled

TOLERANCE = 1


def predicted_markers(brief: dict) -> list[tuple[int, str]]:
    return [
        (index, marker.get("type"))
        for index, message in enumerate(brief.get("transcript") or [])
        for marker in message.get("markers") or []
    ]


def match(gold: list[tuple[int, str]], predicted: list[tuple[int, str]], tolerance: int = TOLERANCE) -> Counter:
    """tp/fp/fn per type. Exact positions are matched first, then neighbours, so a marker one
    message off never steals the exact match of another."""
    counts: Counter = Counter()
    unmatched = list(predicted)
    pending = []
    for g in gold:
        if g in unmatched:
            unmatched.remove(g)
            counts[(g[1], "tp")] += 1
        else:
            pending.append(g)
    for index, kind in pending:
        near = next((p for p in unmatched if p[1] == kind and abs(p[0] - index) <= tolerance), None)
        if near is None:
            counts[(kind, "fn")] += 1
        else:
            unmatched.remove(near)
            counts[(kind, "tp")] += 1
    for _, kind in unmatched:
        counts[(kind, "fp")] += 1
    return counts


def prf_scores(prefix: str, counts: Counter, kinds: list[str]) -> list[Score]:
    """Overall and per-kind precision/recall/F1 plus raw counts, from `match` counts."""
    scores = []
    total = {part: sum(counts[(k, part)] for k in kinds) for part in ("tp", "fp", "fn")}
    scores += _prf(prefix, total)
    for kind in kinds:
        # Zero counts are implied: a labelled type with no row pools as 0 (keeps runs small).
        part = {name: counts[(kind, name)] for name in ("tp", "fp", "fn")}
        scores += [Score(f"{prefix}.{kind}.{name}", float(value), "count") for name, value in part.items() if value]
    return scores


def _prf(prefix: str, part: dict[str, int]) -> list[Score]:
    tp, fp, fn = part["tp"], part["fp"], part["fn"]
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    # Nothing expected and nothing predicted is full agreement, not an undefined score.
    value = 1.0 if tp + fp + fn == 0 else f1(precision or 0.0, recall or 0.0)
    reason = f"tp={tp} fp={fp} fn={fn}"
    return [Score(f"{prefix}.precision", precision, reason), Score(f"{prefix}.recall", recall, reason),
            Score(f"{prefix}.f1", value, reason)]


@scorer("markers", version=1)
def marker_scores(context: ScoreContext) -> list[Score]:
    brief = context.brief
    expected = context.fixture.expected
    predicted = predicted_markers(brief) if brief else []
    scores = [_wrong_speaker(context, predicted)] if brief else [Score("markers.wrong_speaker", None, "no brief")]
    if not expected.is_labelled("markers"):
        return [*scores, *(unlabelled(f"markers.{m}") for m in ("precision", "recall", "f1"))]
    labelled = sorted(t.value for t in expected.marker_types_labelled())
    gold = [(m.message, m.type.value) for m in expected.markers if m.type.value in labelled]
    considered = [p for p in predicted if p[1] in labelled]  # other types are not false alarms
    return [*scores, *prf_scores("markers", match(gold, considered), labelled)]


def _wrong_speaker(context: ScoreContext, predicted: list[tuple[int, str]]) -> Score:
    messages = context.fixture.conversation.messages
    wrong = []
    for index, kind in predicted:
        try:
            speaker = MARKER_SPEAKER[MarkerType(kind)]
        except ValueError:
            continue
        if index < len(messages) and messages[index].role is not speaker:
            wrong.append(f"{kind}@{index} on a {'caller' if speaker is Role.ASSISTANT else 'assistant'} turn")
    return Score("markers.wrong_speaker", float(len(wrong)), "; ".join(wrong[:3]) or "none")
