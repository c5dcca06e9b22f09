"""schema: the brief validates against the AgentAssistPortal JSON Schema; the raw output parsed.

Validation uses `jsonschema` with the schema built from the models (which `harness schema check`
keeps identical to the checked-in file), references inlined. The transcript is most of a brief
and repeats across the K repeats of a fixture, so its messages are validated one by one against
the transcript-message subschema with the verdicts cached; everything else is validated against
the portal schema with the transcript items left to that per-message check. Same rules, a
fraction of the time on a 10,000-generation run.
"""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache

import jsonschema

from harness.contract import AgentAssistPortal
from harness.schemas import build_schema, inline_refs
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext


@cache
def _validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    schema = inline_refs(build_schema(AgentAssistPortal, "agent_assist_portal.schema.json"))
    message_schema = schema["properties"]["transcript"]["items"]
    outer = copy.deepcopy(schema)
    outer["properties"]["transcript"]["items"] = {}
    return jsonschema.Draft202012Validator(outer), jsonschema.Draft202012Validator(message_schema)


def portal_errors(brief: dict) -> list[tuple[str, str]]:
    """(JSON path, message) for every schema violation of `brief`, in path order."""
    outer, _ = _validators()
    errors = [(e.json_path, e.message) for e in outer.iter_errors(brief)]
    transcript = brief.get("transcript")
    if isinstance(transcript, list):
        for index, message in enumerate(transcript):
            key = json.dumps(message, sort_keys=True) if isinstance(message, dict) else repr(message)
            errors += [(f"$.transcript[{index}]{path[1:]}", text) for path, text in _message_errors(key)]
    return sorted(errors)


@lru_cache(maxsize=16384)
def _message_errors(message_json: str) -> tuple[tuple[str, str], ...]:
    _, validator = _validators()
    try:
        message = json.loads(message_json)
    except json.JSONDecodeError:
        message = message_json
    return tuple((e.json_path, e.message) for e in validator.iter_errors(message))


@scorer("schema", version=1)
def schema_scores(context: ScoreContext) -> list[Score]:
    return [_parsed(context), _valid(context)]


def _parsed(context: ScoreContext) -> Score:
    if context.raw_output is None:
        return Score("schema.parsed", 0.0, f"no output ({context.error_category or 'no draft'})")
    try:
        json.loads(_strip_fence(context.raw_output))
    except json.JSONDecodeError as exc:
        return Score("schema.parsed", 0.0, f"raw output is not JSON: {exc.msg} at {exc.pos}")
    return Score("schema.parsed", 1.0, "raw output is JSON")


def _valid(context: ScoreContext) -> Score:
    if context.brief is None:
        return Score("schema.valid", 0.0, f"no brief ({context.error_category or 'no draft'})")
    errors = portal_errors(context.brief)
    if errors:
        path, message = errors[0]
        return Score("schema.valid", 0.0, f"{len(errors)} error(s), first at {path}: {message}")
    return Score("schema.valid", 1.0, "valid AgentAssistPortal")


def _strip_fence(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped.strip("`")
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else stripped
    return stripped
