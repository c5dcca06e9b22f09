"""sections: the structural rules of the brief (3–5 summary points, 1–3 next steps, a transfer
reason, one transcript message per source message)."""

from __future__ import annotations

from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext


@scorer("sections", version=1)
def section_scores(context: ScoreContext) -> list[Score]:
    brief = context.brief
    if brief is None:
        reason = f"no brief ({context.error_category or 'no draft'})"
        return [Score(m, 0.0, reason) for m in ("sections.summary", "sections.next_steps",
                                                 "sections.transfer_reason", "sections.transcript_length",
                                                 "sections.ok")]
    summary = len(brief.get("call_summary") or [])
    steps = len(brief.get("suggested_next_steps") or [])
    reason_text = (brief.get("transfer_reason") or "").strip()
    transcript = len(brief.get("transcript") or [])
    source = len(context.fixture.conversation.messages)
    checks = [
        Score("sections.summary", float(3 <= summary <= 5), f"{summary} summary points (3–5)"),
        Score("sections.next_steps", float(1 <= steps <= 3), f"{steps} next steps (1–3)"),
        Score("sections.transfer_reason", float(bool(reason_text)), "transfer reason present" if reason_text
              else "transfer reason empty"),
        Score("sections.transcript_length", float(transcript == source), f"{transcript} of {source} messages"),
    ]
    failed = [c.metric for c in checks if c.value == 0.0]
    return [*checks, Score("sections.ok", float(not failed), "all sections sound" if not failed
                           else "failed: " + ", ".join(failed))]
