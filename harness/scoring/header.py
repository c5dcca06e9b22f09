"""header: caller name (normalised; Unknown Caller when gold is null), phone and duration exactly."""

from __future__ import annotations

import unicodedata

from harness.contract import UNKNOWN_CALLER
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext, unlabelled


def normalise_name(name: str | None) -> str:
    """Case, spacing and accents do not make a name wrong: "josé  GARCÍA" == "Jose Garcia"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace(".", " ").split())


@scorer("header", version=1)
def header_scores(context: ScoreContext) -> list[Score]:
    record = context.fixture.conversation
    header = (context.brief or {}).get("header")
    if header is None:
        reason = f"no brief ({context.error_category or 'no draft'})"
        name = Score("header.caller_name", 0.0, reason) if context.fixture.expected.is_labelled("caller_name") \
            else unlabelled("header.caller_name")
        return [name, Score("header.phone", 0.0, reason), Score("header.duration", 0.0, reason)]
    return [
        _caller_name(context, header.get("caller_name")),
        Score("header.phone", float(header.get("phone_number") == record.user_id),
              f"{header.get('phone_number')!r} vs record {record.user_id!r}"),
        Score("header.duration", float(header.get("call_duration_seconds") == record.duration_seconds),
              f"{header.get('call_duration_seconds')!r} vs record {record.duration_seconds!r}"),
    ]


def _caller_name(context: ScoreContext, predicted: str | None) -> Score:
    expected = context.fixture.expected
    if not expected.is_labelled("caller_name"):
        return unlabelled("header.caller_name")
    gold = expected.caller_name if expected.caller_name is not None else UNKNOWN_CALLER
    right = normalise_name(predicted) == normalise_name(gold)
    return Score("header.caller_name", float(right), f"{predicted!r} vs gold {gold!r}")
