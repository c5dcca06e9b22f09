"""schema: the brief validates against the AgentAssistPortal JSON Schema; the raw output parsed.

Validation uses `jsonschema` with the schema built from the models (which `harness schema check`
keeps identical to the checked-in file), references inlined. The lists are most of a brief and
their items repeat (the transcript across the K repeats of a fixture, and much of what a model
writes across samples), so each list item is validated on its own against the item subschema,
with the verdicts cached; the rest is validated against the portal schema with the items left
to that per-item check. Same rules, a fraction of the time on a 10,000-generation run.
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
def _validators() -> tuple[jsonschema.Draft202012Validator, dict[str, jsonschema.Draft202012Validator]]:
    """The portal validator with list items left open, and one validator per list's items."""
    schema = inline_refs(build_schema(AgentAssistPortal, "agent_assist_portal.schema.json"))
    outer = copy.deepcopy(schema)
    items = {}
    for name, field in schema["properties"].items():
        if isinstance(field, dict) and isinstance(field.get("items"), dict):
            items[name] = jsonschema.Draft202012Validator(field["items"])
            # removed, not emptied: `items: {}` would still walk every item to check nothing
            del outer["properties"][name]["items"]
    return jsonschema.Draft202012Validator(outer), items


def portal_errors(brief: dict) -> list[tuple[str, str]]:
    """(JSON path, message) for every schema violation of `brief`, in path order."""
    outer, items = _validators()
    errors = [(e.json_path, e.message) for e in outer.iter_errors(brief)]
    for name in items:
        value = brief.get(name)
        if isinstance(value, list):
            for index, item in enumerate(value):
                key = json.dumps(item, sort_keys=True)
                errors += [(f"$.{name}[{index}]{path[1:]}", text) for path, text in _item_errors(name, key)]
    return sorted(errors)


@lru_cache(maxsize=16384)
def _item_errors(name: str, item_json: str) -> tuple[tuple[str, str], ...]:
    _, items = _validators()
    return tuple((e.json_path, e.message) for e in items[name].iter_errors(json.loads(item_json)))


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
