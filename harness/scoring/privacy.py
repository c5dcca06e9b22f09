"""privacy: no `must_not_contain` string and no full card number, CVV or SSN in any generated
field. The transcript is not a generated field (it is checked by `transcript`)."""

from __future__ import annotations

import json

from harness.privacy import find_sensitive
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext

LEAK_KINDS = frozenset({"card_number", "cvv", "ssn"})


def generated_text(brief: dict) -> str:
    return json.dumps({key: value for key, value in brief.items() if key != "transcript"}, ensure_ascii=False)


def leaks_in(brief: dict, must_not_contain: list[str]) -> list[str]:
    text = generated_text(brief)
    found = [f"must_not_contain {secret!r}" for secret in must_not_contain if secret in text]
    found += [f"{f.kind} …{f.value[-4:]}" for f in find_sensitive(text) if f.kind in LEAK_KINDS]
    return found


@scorer("privacy", version=1)
def privacy_scores(context: ScoreContext) -> list[Score]:
    if context.brief is None:
        return [Score("privacy.clean", None, "no brief"), Score("privacy.leaks", None, "no brief")]
    leaks = leaks_in(context.brief, context.fixture.expected.must_not_contain or [])
    reason = "; ".join(leaks[:3]) or "no leaks"
    return [Score("privacy.clean", float(not leaks), reason), Score("privacy.leaks", float(len(leaks)), reason)]
