"""One portable JSON Schema for structured output that every OpenAI-compatible server accepts.

OpenAI's strict mode, vLLM (outlines/xgrammar), Ollama and llama.cpp's grammar converter agree on
a common subset: every property required, `additionalProperties: false`, nullable written as
`anyOf` with null, enums inline, `minItems`/`maxItems`, no `$ref`. Length limits, patterns and
formats are dropped here and checked after parsing (the pydantic model still enforces them).
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel

_DROPPED = {"title", "default", "minLength", "maxLength", "pattern", "format", "examples"}


def portable_schema(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _portable(schema, definitions)


def _portable(node: object, definitions: dict) -> object:
    if isinstance(node, list):
        return [_portable(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _portable(merged, definitions)
    result = {key: _portable(value, definitions) for key, value in node.items() if key not in _DROPPED}
    if result.get("type") == "object" and "properties" in result:
        result["required"] = list(result["properties"])
        result["additionalProperties"] = False
    return result


def schema_fingerprint(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
