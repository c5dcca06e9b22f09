"""The draft a backend returns, and its assembly into the full `AgentAssistPortal` (DESIGN.md §3).

A model never retypes the transcript: it returns a compact `Draft` with markers addressed by
message index. `assemble_portal` copies the transcript from the source record, attaches the
markers, fills the header from the record, and masks secrets in every generated field. What it
had to repair is returned as `AssemblyNote`s, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from harness.contract import (
    UNKNOWN_CALLER,
    AgentAssistPortal,
    ComplianceType,
    InformationItem,
    MarkerType,
    NextStep,
    NonEmptyText,
    Sentiment,
)
from harness.conversations import ConversationRecord
from harness.privacy import mask_sensitive

if TYPE_CHECKING:  # backends import this module for `Draft`; the names are only for annotations
    from harness.backends.base import Backend, Generation, ModelSettings
    from harness.prompts import Prompt


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MAX_INFORMATION = 20
MAX_MARKERS = 60


class DraftMarker(_Strict):
    message: int = Field(description="0-based index of the transcript message the marker belongs to.")
    type: MarkerType
    description: str = Field(min_length=1)


class DraftFlag(_Strict):
    type: ComplianceType
    description: str = Field(min_length=1)
    message: int | None = Field(description="Index of the message that shows the issue, or null.")


class Draft(_Strict):
    """Everything of the brief but the transcript; what a backend (or a model) writes."""

    model_config = ConfigDict(extra="forbid", title="HandoffDraft")

    caller_name: str | None = Field(description="The caller's own name as finally given; null if never said.")
    sentiment: Sentiment
    transfer_reason: str = Field(min_length=1)
    # Non-empty items, as in the portal: SmolLM2 wrote "" bullets, which the draft accepted and
    # assembly then failed on (a crash recorded as a backend error instead of a schema violation).
    call_summary: list[NonEmptyText] = Field(min_length=3, max_length=5)
    # Upper bounds are for the grammar a server builds from the schema: without one a small model
    # can repeat a list item until it runs out of tokens. They sit well above what a call needs.
    information_collected: list[InformationItem] = Field(max_length=MAX_INFORMATION)
    suggested_next_steps: list[NextStep] = Field(min_length=1, max_length=3)
    markers: list[DraftMarker] = Field(max_length=MAX_MARKERS)
    compliance_flags: list[DraftFlag] = Field(max_length=len(ComplianceType))


@dataclass(frozen=True)
class AssemblyNote:
    """Something assembly repaired: `kind` is a stable identifier, `detail` says what and where."""

    kind: str  # marker_out_of_range | duplicate_marker | flag_message_out_of_range | masked
    detail: str


@dataclass(frozen=True)
class AssemblyOptions:
    # The human agent reads the transcript too; PCI DSS says card data must not be displayed,
    # so masking it there is the default. Scorers compare against the source masked alike.
    mask_transcript: bool = True


@dataclass(frozen=True)
class Assembled:
    portal: AgentAssistPortal
    notes: tuple[AssemblyNote, ...]


def assemble_portal(
    conversation: ConversationRecord, draft: Draft, options: AssemblyOptions = AssemblyOptions()
) -> Assembled:
    notes: list[AssemblyNote] = []

    def clean(text: str, where: str) -> str:
        masked, findings = mask_sensitive(text)
        for finding in findings:
            notes.append(AssemblyNote("masked", f"{finding.kind} masked in {where}"))
        return masked

    # The portal is written as plain data and validated once, as a whole: pydantic-core builds
    # every nested model in one call, where a constructor per message and marker costs twice that
    # on a long call. Nothing reaches the portal unvalidated.
    markers_by_message = _attach_markers(conversation, draft.markers, notes, clean)
    transcript = [
        {
            "role": message.role,
            "content": mask_sensitive(message.content)[0] if options.mask_transcript else message.content,
            "markers": markers_by_message.get(index, []),
        }
        for index, message in enumerate(conversation.messages)
    ]
    last = len(conversation.messages) - 1
    flags = []
    for i, flag in enumerate(draft.compliance_flags):
        if flag.message is not None and not 0 <= flag.message <= last:
            notes.append(
                AssemblyNote(
                    "flag_message_out_of_range",
                    f"compliance_flags[{i}] ({flag.type}) cites message {flag.message}; "
                    f"the conversation has 0..{last}",
                )
            )
        flags.append({"type": flag.type, "description": clean(flag.description, f"compliance_flags[{i}]")})

    name = (draft.caller_name or "").strip()
    portal = AgentAssistPortal.model_validate(
        {
            "header": {
                "caller_name": clean(name, "header.caller_name") if name else UNKNOWN_CALLER,
                "phone_number": conversation.user_id,
                "call_duration_seconds": conversation.duration_seconds,
                "sentiment": {
                    "label": clean(draft.sentiment.label, "header.sentiment.label"),
                    "level": draft.sentiment.level,
                },
            },
            "transfer_reason": clean(draft.transfer_reason, "transfer_reason"),
            "call_summary": [clean(item, f"call_summary[{i}]") for i, item in enumerate(draft.call_summary)],
            "information_collected": [
                {"key": item.key, "value": clean(item.value, f"information_collected[{i}]")}
                for i, item in enumerate(draft.information_collected)
            ],
            "suggested_next_steps": [
                {"action": clean(step.action, f"suggested_next_steps[{i}]"), "confidence": step.confidence}
                for i, step in enumerate(draft.suggested_next_steps)
            ],
            "transcript": transcript,
            "compliance_flags": flags,
        }
    )
    return Assembled(portal, tuple(notes))


def _attach_markers(conversation, draft_markers, notes, clean) -> dict[int, list[dict]]:
    """The draft's markers by message, as portal `Marker` data; out-of-range and repeated ones noted."""
    last = len(conversation.messages) - 1
    attached: dict[int, list[dict]] = {}
    seen: set[tuple[int, MarkerType]] = set()
    for i, marker in enumerate(draft_markers):
        if not 0 <= marker.message <= last:
            notes.append(
                AssemblyNote(
                    "marker_out_of_range",
                    f"markers[{i}] ({marker.type}) points at message {marker.message}; "
                    f"the conversation has 0..{last}; dropped",
                )
            )
            continue
        if (marker.message, marker.type) in seen:
            notes.append(
                AssemblyNote(
                    "duplicate_marker",
                    f"markers[{i}] repeats {marker.type} on message {marker.message}; kept the first",
                )
            )
            continue
        seen.add((marker.message, marker.type))
        description = clean(marker.description, f"markers[{i}]")
        attached.setdefault(marker.message, []).append({"type": marker.type, "description": description})
    return attached


@dataclass(frozen=True)
class BriefResult:
    """A built brief, or why there is none; the generation record is kept either way."""

    portal: AgentAssistPortal | None
    generation: Generation
    notes: tuple[AssemblyNote, ...] = ()


async def build_brief(
    conversation: ConversationRecord,
    backend: Backend,
    prompt: Prompt,
    settings: ModelSettings | None = None,
    repeat: int = 0,
    options: AssemblyOptions = AssemblyOptions(),
) -> BriefResult:
    """Ask `backend` for a draft of `conversation` with `prompt`, then assemble the portal."""
    from harness.backends.base import GenerationRequest, ModelSettings

    request = GenerationRequest(conversation, prompt, settings or ModelSettings(), repeat)
    return brief_from(conversation, await backend.generate(request), options)


def brief_from(
    conversation: ConversationRecord, generation: Generation, options: AssemblyOptions = AssemblyOptions()
) -> BriefResult:
    """The portal assembled from a generation's draft (none if the backend gave no draft)."""
    if generation.draft is None:
        return BriefResult(None, generation)
    assembled = assemble_portal(conversation, generation.draft, options)
    return BriefResult(assembled.portal, generation, assembled.notes)
