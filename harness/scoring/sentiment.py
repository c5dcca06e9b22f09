"""sentiment: exact level, within one level, absolute ordinal error."""

from __future__ import annotations

from harness.contract import SentimentLevel
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext, unlabelled

_METRICS = ("sentiment.exact", "sentiment.within_one", "sentiment.abs_error")


@scorer("sentiment", version=1)
def sentiment_scores(context: ScoreContext) -> list[Score]:
    expected = context.fixture.expected
    if not expected.is_labelled("sentiment"):
        return [unlabelled(metric) for metric in _METRICS]
    gold = expected.sentiment
    level = ((context.brief or {}).get("header") or {}).get("sentiment", {}).get("level")
    try:
        predicted = SentimentLevel(level)
    except ValueError:
        reason = f"no valid level ({level!r}) vs gold {gold.value}"
        return [Score("sentiment.exact", 0.0, reason), Score("sentiment.within_one", 0.0, reason),
                Score("sentiment.abs_error", float(len(SentimentLevel) - 1), reason)]
    error = abs(predicted.rank - gold.rank)
    reason = f"{predicted.value} vs gold {gold.value}"
    return [Score("sentiment.exact", float(error == 0), reason),
            Score("sentiment.within_one", float(error <= 1), reason),
            Score("sentiment.abs_error", float(error), reason)]
