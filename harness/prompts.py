"""Prompt files: TOML front matter, a system and a user template, rendering, identity.

A prompt file (`prompts/<name>.prompt`) looks like::

    +++
    id = "handoff-brief"
    version = "1.2.0"
    description = "..."
    [settings]            # default model settings; flags override them
    temperature = 0.2
    +++
    === system ===
    You write handoff briefs ...
    === user ===
    Conversation:
    {{ transcript }}

Templates use `{{ name }}` placeholders from `TEMPLATE_VARIABLES`; an unknown name is an error
when the file is loaded, not when a model is called. A prompt's identity is the hash of its
templates plus the output schema, so any change to what the model sees gives a new hash.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import tomllib
from pathlib import Path

from harness.brief import Draft
from harness.conversations import ConversationRecord
from harness.structured import portable_schema

DEFAULT_PROMPT_DIR = Path("prompts")
DEFAULT_PROMPT_ID = "handoff-brief"
PROMPT_SUFFIX = ".prompt"
SETTING_KEYS = {"model", "temperature", "seed", "max_tokens", "top_p"}

TEMPLATE_VARIABLES = {
    "transcript": "the conversation, one line per message: [index] speaker: text",
    "message_count": "how many messages the conversation has",
    "last_index": "the index of the last message",
    "duration": "the call duration in seconds, or 'unknown'",
    "phone_number": "the caller's number in E.164",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SECTION = re.compile(r"^=== (system|user) ===[ \t]*$", re.M)


class PromptError(ValueError):
    """A prompt file that cannot be used; the message names the file and the problem."""


@dataclasses.dataclass(frozen=True)
class Prompt:
    id: str
    version: str
    description: str
    system_template: str
    user_template: str
    settings: dict = dataclasses.field(default_factory=dict)
    path: Path | None = None

    @property
    def output_schema(self) -> dict:
        return draft_output_schema()

    @functools.cached_property
    def hash(self) -> str:
        """Identity: templates plus output schema (12 hex digits of SHA-256)."""
        payload = json.dumps(
            [self.system_template, self.user_template, self.output_schema], sort_keys=True
        ).encode()
        return hashlib.sha256(payload).hexdigest()[:12]

    def render(self, conversation: ConversationRecord) -> list[dict[str, str]]:
        """Chat messages for a model: the system message and the user message."""
        values = template_values(conversation)
        return [
            {"role": "system", "content": _fill(self.system_template, values)},
            {"role": "user", "content": _fill(self.user_template, values)},
        ]


@functools.cache
def _draft_schema_text() -> str:
    # pydantic builds a JSON Schema in milliseconds; every request and cache key needs it.
    return json.dumps(portable_schema(Draft))


def draft_output_schema() -> dict:
    """The structured-output schema sent to models (a fresh copy: callers may modify it)."""
    return json.loads(_draft_schema_text())


def template_values(conversation: ConversationRecord) -> dict[str, str]:
    speaker = {"user": "caller", "assistant": "assistant"}
    lines = [
        f"[{i}] {speaker[message.role]}: {' '.join(message.content.split())}"
        for i, message in enumerate(conversation.messages)
    ]
    duration = conversation.duration_seconds
    return {
        "transcript": "\n".join(lines),
        "message_count": str(len(conversation.messages)),
        "last_index": str(len(conversation.messages) - 1),
        "duration": "unknown" if duration is None else str(duration),
        "phone_number": conversation.user_id,
    }


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def parse_prompt(text: str, source: str = "<prompt>") -> Prompt:
    if not text.startswith("+++\n"):
        raise PromptError(f"{source}: must start with a '+++' line opening the TOML front matter")
    try:
        front, body = text[4:].split("\n+++\n", 1)
    except ValueError:
        raise PromptError(f"{source}: the front matter is not closed by a '+++' line") from None
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{source}: front matter is not valid TOML: {exc}") from None
    for key in ("id", "version", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise PromptError(f"{source}: front matter needs a non-empty string {key!r}")
    unknown_meta = set(meta) - {"id", "version", "description", "settings"}
    if unknown_meta:
        raise PromptError(f"{source}: unknown front matter key(s) {sorted(unknown_meta)}")
    settings = meta.get("settings", {})
    unknown_settings = set(settings) - SETTING_KEYS
    if unknown_settings:
        raise PromptError(
            f"{source}: unknown setting(s) {sorted(unknown_settings)}; allowed: {sorted(SETTING_KEYS)}"
        )
    sections = _split_sections(body, source)
    for name, template in sections.items():
        for match in _PLACEHOLDER.finditer(template):
            if match.group(1) not in TEMPLATE_VARIABLES:
                raise PromptError(
                    f"{source}: the {name} template uses unknown variable {match.group(1)!r}; "
                    f"known: {', '.join(TEMPLATE_VARIABLES)}"
                )
    if "transcript" not in _PLACEHOLDER.findall(sections["system"] + sections["user"]):
        raise PromptError(
            f"{source}: no template uses {{{{ transcript }}}}; the model would not see the call"
        )
    return Prompt(
        id=meta["id"],
        version=meta["version"],
        description=meta["description"].strip(),
        system_template=sections["system"],
        user_template=sections["user"],
        settings=dict(settings),
    )


def _split_sections(body: str, source: str) -> dict[str, str]:
    parts = _SECTION.split(body)
    # parts: [before, name, text, name, text, ...]
    if parts[0].strip():
        raise PromptError(f"{source}: text before the first '=== system ===' line")
    sections: dict[str, str] = {}
    for name, text in zip(parts[1::2], parts[2::2], strict=True):
        if name in sections:
            raise PromptError(f"{source}: the {name} section appears twice")
        sections[name] = text.strip("\n")
    missing = {"system", "user"} - set(sections)
    if missing:
        raise PromptError(
            f"{source}: missing section(s) {sorted(missing)} ('=== system ===', '=== user ===')"
        )
    return sections


def load_prompt(path: Path) -> Prompt:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"{path}: cannot read: {exc.strerror}") from None
    return dataclasses.replace(parse_prompt(text, str(path)), path=path)


def list_prompts(directory: Path = DEFAULT_PROMPT_DIR) -> list[Prompt]:
    return [load_prompt(path) for path in sorted(directory.glob(f"*{PROMPT_SUFFIX}"))]


def find_prompt(reference: str, directory: Path = DEFAULT_PROMPT_DIR) -> Prompt:
    """A prompt by file path, or by id (optionally `id@version`) among the files in `directory`."""
    candidate = Path(reference)
    if candidate.suffix == PROMPT_SUFFIX or candidate.is_file():
        return load_prompt(candidate)
    wanted_id, _, wanted_version = reference.partition("@")
    matches = [
        p
        for p in list_prompts(directory)
        if p.id == wanted_id and (not wanted_version or p.version == wanted_version)
    ]
    if not matches:
        known = ", ".join(f"{p.id}@{p.version}" for p in list_prompts(directory)) or "none"
        raise PromptError(f"no prompt {reference!r} in {directory} (known: {known})")
    return max(matches, key=lambda p: _version_key(p.version))


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"[.\-]", version))
