"""`harness brief` and `harness prompts list` end to end, through a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.backends.scripted_server import Reply, ScriptedServer, completion_body
from tests.test_brief_assembly import draft_dict

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "conversations" / "telecom-roaming-travel-pass-refund-reversed.json"


def harness(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(NO_PROXY="*", no_proxy="*")
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_brief_with_the_rules_backend_prints_a_valid_portal():
    result = harness("brief", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    portal = json.loads(result.stdout)
    schema = json.loads((ROOT / "schemas" / "agent_assist_portal.schema.json").read_text())
    jsonschema.validate(portal, schema)
    assert portal["header"]["phone_number"] == "+17135550164"


def test_brief_accepts_a_bare_conversation_record(tmp_path):
    record = json.loads(FIXTURE.read_text())["conversation"]
    path = tmp_path / "call.json"
    path.write_text(json.dumps(record))
    assert harness("brief", str(path)).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"conversation": {"id": "x"}}', "$.conversation.created_at: missing required key 'created_at' (and 4 more)"),
        ("[1]", "expected a fixture or a conversation record object"),
    ],
)
def test_bad_input_files_exit_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = harness("brief", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_backend_and_prompt_options_exit_2(tmp_path):
    unknown = harness("brief", str(FIXTURE), "--backend", "gpt")
    assert unknown.returncode == 2 and "unknown backend 'gpt'" in unknown.stderr
    missing = harness("brief", str(FIXTURE), "--prompt", "nope")
    assert missing.returncode == 2 and "no prompt 'nope'" in missing.stderr


@pytest.fixture
def server():
    running = ScriptedServer().start()
    yield running
    running.stop()


def test_brief_through_an_openai_compatible_server_and_its_failure(server, tmp_path):
    server.script(
        Reply(body=completion_body(json.dumps(draft_dict() | {"markers": []}))),
        Reply(body=completion_body("{not json")),
    )
    common = ("--backend", "openai", "--model", "test-model", "--base-url", server.base_url,
              "--cache", str(tmp_path / "cache.sqlite"))
    ok = harness("brief", str(FIXTURE), *common)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["transfer_reason"] == draft_dict()["transfer_reason"]
    cached = harness("brief", str(FIXTURE), *common)
    assert cached.returncode == 0 and len(server.requests) == 1  # served from the cache
    failed = harness("brief", str(FIXTURE), *common, "--repeat", "1")
    assert failed.returncode == 4
    assert failed.stderr.startswith("error: invalid_json: ")
    assert "Traceback" not in failed.stderr


def test_prompts_list_shows_id_version_and_hash():
    result = harness("prompts", "list", "--json")
    assert result.returncode == 0
    (row,) = [r for r in json.loads(result.stdout) if r["id"] == "handoff-brief"]
    assert row["version"] == "1.0.0" and len(row["hash"]) == 12
