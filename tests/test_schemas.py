import json
from pathlib import Path

import jsonschema
import pytest

from harness.fixtures.load import DEFAULT_FIXTURE_DIR, discover
from harness.schemas import SCHEMA_MODELS, export_schemas, load_schema, schema_drift
from tests.factories import fixture_dict, portal_dict

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas"


def test_checked_in_schemas_match_the_models():
    assert schema_drift(SCHEMA_DIR) == []


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_schemas_pass_the_2020_12_meta_schema(name):
    schema = load_schema(name, SCHEMA_DIR)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_drift_is_reported(tmp_path):
    export_schemas(tmp_path)
    assert schema_drift(tmp_path) == []
    path = tmp_path / "agent_assist_portal.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["call_summary"]["maxItems"] = 9
    path.write_text(json.dumps(schema, indent=2) + "\n")
    (tmp_path / "fixture.schema.json").unlink()
    drift = schema_drift(tmp_path)
    assert len(drift) == 2
    assert "agent_assist_portal.schema.json: differs from the models" in drift[0]
    assert "fixture.schema.json: missing" in drift[1]


def portal_validator():
    return jsonschema.Draft202012Validator(load_schema("agent_assist_portal.schema.json", SCHEMA_DIR))


def test_the_portal_schema_accepts_a_valid_brief_and_rejects_a_short_summary():
    validator = portal_validator()
    assert list(validator.iter_errors(portal_dict())) == []
    data = portal_dict()
    data["call_summary"] = ["one", "two"]
    data["header"]["sentiment"]["level"] = "furious"
    paths = sorted(error.json_path for error in validator.iter_errors(data))
    assert paths == ["$.call_summary", "$.header.sentiment.level"]


def test_every_corpus_fixture_validates_against_the_fixture_schema():
    validator = jsonschema.Draft202012Validator(
        load_schema("fixture.schema.json", SCHEMA_DIR), format_checker=jsonschema.FormatChecker()
    )
    files, missing = discover([ROOT / DEFAULT_FIXTURE_DIR])
    assert not missing and len(files) >= 56
    for path in files:
        errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
        assert errors == [], path.name


def test_the_fixture_schema_rejects_unknown_keys_and_null_sentiment():
    validator = jsonschema.Draft202012Validator(load_schema("fixture.schema.json", SCHEMA_DIR))
    assert list(validator.iter_errors(fixture_dict())) == []
    data = fixture_dict()
    data["expected"]["sentimnet"] = "calm"
    data["expected"]["sentiment"] = None
    assert {error.json_path for error in validator.iter_errors(data)} == {
        "$.expected",
        "$.expected.sentiment",
    }
