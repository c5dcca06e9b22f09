"""schema: the brief validates against the AgentAssistPortal JSON Schema; the raw output parsed."""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from harness.contract import AgentAssistPortal
from harness.schemas import build_schema
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext


@cache
def portal_validator() -> jsonschema.Draft202012Validator:
    # Built from the models, which `harness schema check` keeps identical to the checked-in file.
    return jsonschema.Draft202012Validator(build_schema(AgentAssistPortal, "agent_assist_portal.schema.json"))


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
    errors = sorted(portal_validator().iter_errors(context.brief), key=lambda e: e.json_path)
    if errors:
        first = errors[0]
        return Score("schema.valid", 0.0, f"{len(errors)} error(s), first at {first.json_path}: {first.message}")
    return Score("schema.valid", 1.0, "valid AgentAssistPortal")


def _strip_fence(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped.strip("`")
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else stripped
    return stripped
