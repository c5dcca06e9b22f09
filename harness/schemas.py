"""JSON Schemas generated from the pydantic models: the checked-in copies must never drift."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from pydantic import BaseModel

from harness.contract import AgentAssistPortal
from harness.fixtures.model import Fixture

DEFAULT_SCHEMA_DIR = Path("schemas")
DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "agent_assist_portal.schema.json": AgentAssistPortal,
    "fixture.schema.json": Fixture,
}


def build_schema(model: type[BaseModel], file_name: str) -> dict:
    schema = model.model_json_schema()
    return {"$schema": DIALECT, "$id": f"urn:handoff-harness:schema:{file_name}", **schema}


def render_schema(model: type[BaseModel], file_name: str) -> str:
    return json.dumps(build_schema(model, file_name), indent=2, ensure_ascii=False) + "\n"


def export_schemas(directory: Path = DEFAULT_SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_MODELS.items():
        path = directory / name
        path.write_text(render_schema(model, name), encoding="utf-8")
        written.append(path)
    return written


def schema_drift(directory: Path = DEFAULT_SCHEMA_DIR) -> list[str]:
    """One message per checked-in schema that differs from the models (empty when in sync)."""
    drift = []
    for name, model in SCHEMA_MODELS.items():
        path = directory / name
        wanted = render_schema(model, name)
        if not path.is_file():
            drift.append(f"{path}: missing; run `harness schema export`")
            continue
        current = path.read_text(encoding="utf-8")
        if current != wanted:
            diff = difflib.unified_diff(
                current.splitlines(), wanted.splitlines(), str(path), "models", n=0, lineterm=""
            )
            changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            drift.append(
                f"{path}: differs from the models ({len(changed)} changed lines, first: "
                f"{changed[0].strip() if changed else '?'}); run `harness schema export`"
            )
    return drift


def load_schema(file_name: str, directory: Path = DEFAULT_SCHEMA_DIR) -> dict:
    return json.loads((directory / file_name).read_text(encoding="utf-8"))


def inline_refs(schema: dict) -> dict:
    """The same schema with every local `$ref` replaced by its definition (no `$defs` left).
    Validators resolve references on every visit; a self-contained schema validates ~2x faster."""
    definitions = schema.get("$defs", {})

    def inline(node: object) -> object:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and node["$ref"].startswith("#/$defs/"):
            target = definitions[node["$ref"].removeprefix("#/$defs/")]
            return inline({**target, **{k: v for k, v in node.items() if k != "$ref"}})
        return {key: inline(value) for key, value in node.items() if key != "$defs"}

    return inline(schema)
