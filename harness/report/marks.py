"""Which predicted and expected markers hit, miss or raise a false alarm, one by one.

`harness.scoring.markers.match` counts; a report needs to colour each marker, so this pairs them
with the same rule (type equal, message index within ±1, exact positions paired first so a
marker one message off never steals another's exact match). A test checks that the counts of
this pairing equal the scorer's on the whole corpus, so the page and the scores cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.fixtures.model import Expected
from harness.scoring.markers import TOLERANCE

HIT, MISS, FALSE_ALARM, UNJUDGED = "hit", "miss", "false-alarm", "unjudged"


@dataclass(frozen=True)
class MarkerMark:
    message: int
    type: str
    status: str  # hit | miss | false-alarm | unjudged (a type the gold does not label)
    predicted: bool  # from the brief (True) or from the gold labels (False)
    description: str = ""
    paired_with: int | None = None  # the other side's message index when a hit is one message off


def brief_markers(brief: dict | None) -> list[tuple[int, str, str]]:
    """(message index, type, description) of every marker in a brief's transcript."""
    return [
        (index, marker.get("type") or "", marker.get("description") or "")
        for index, message in enumerate((brief or {}).get("transcript") or [])
        for marker in message.get("markers") or []
    ]


def classify_markers(predicted: list[tuple[int, str, str]], expected: Expected) -> list[MarkerMark]:
    """Every predicted marker and every unmatched or off-by-one expected marker, with its status."""
    labelled = {kind.value for kind in expected.marker_types_labelled()}
    gold = [(m.message, m.type.value) for m in expected.markers or [] if m.type.value in labelled]
    judged = [i for i, (_, kind, _) in enumerate(predicted) if kind in labelled]
    pair_of_gold: dict[int, int] = {}  # gold position -> predicted position
    free = list(judged)
    pending = []
    for g, (index, kind) in enumerate(gold):
        exact = next((p for p in free if predicted[p][:2] == (index, kind)), None)
        if exact is None:
            pending.append(g)
        else:
            free.remove(exact)
            pair_of_gold[g] = exact
    for g in pending:
        index, kind = gold[g]
        near = next((p for p in free if predicted[p][1] == kind and abs(predicted[p][0] - index) <= TOLERANCE), None)
        if near is not None:
            free.remove(near)
            pair_of_gold[g] = near
    gold_of_pair = {p: g for g, p in pair_of_gold.items()}
    marks = []
    for p, (index, kind, description) in enumerate(predicted):
        if p in gold_of_pair:
            gold_index = gold[gold_of_pair[p]][0]
            marks.append(MarkerMark(index, kind, HIT, True, description,
                                    gold_index if gold_index != index else None))
        else:
            marks.append(MarkerMark(index, kind, FALSE_ALARM if kind in labelled else UNJUDGED, True, description))
    for g, (index, kind) in enumerate(gold):
        if g not in pair_of_gold:
            marks.append(MarkerMark(index, kind, MISS, False))
        elif predicted[pair_of_gold[g]][0] != index:
            marks.append(MarkerMark(index, kind, HIT, False, paired_with=predicted[pair_of_gold[g]][0]))
    return marks
