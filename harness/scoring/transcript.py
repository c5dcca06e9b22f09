"""transcript: the brief reproduces the source messages (role, order, content). When the
generator masks secrets in the transcript, the source is compared masked the same way."""

from __future__ import annotations

from harness.privacy import mask_sensitive
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext


@scorer("transcript", version=1)
def transcript_scores(context: ScoreContext) -> list[Score]:
    if context.brief is None:
        return [Score("transcript.match", 0.0, f"no brief ({context.error_category or 'no draft'})")]
    produced = context.brief.get("transcript") or []
    source = context.fixture.conversation.messages
    if len(produced) != len(source):
        return [Score("transcript.match", 0.0, f"{len(produced)} messages, source has {len(source)}")]
    for index, (message, original) in enumerate(zip(produced, source, strict=True)):
        content = mask_sensitive(original.content)[0] if context.mask_transcript else original.content
        if message.get("role") != original.role.value:
            return [Score("transcript.match", 0.0, f"message {index}: role {message.get('role')!r}")]
        if message.get("content") != content:
            return [Score("transcript.match", 0.0, f"message {index}: content differs")]
    return [Score("transcript.match", 1.0, f"{len(source)} messages reproduced")]
