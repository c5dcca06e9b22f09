"""`harness store load`, `harness tokens create` and `harness serve`, through the command line."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from harness.cli import cli
from harness.store.conversations import ConversationStore
from tests.factories import conversation_dict
from tests.server.world import FIXTURE_DIR, ROOT, file_digest

READ = "conversations:read_sensitive"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_store_load_reports_the_count(tmp_path):
    store = tmp_path / "s.duckdb"
    result = run("store", "load", str(FIXTURE_DIR), "--store", str(store))
    assert result.exit_code == 0, result.output
    count = len(list(FIXTURE_DIR.glob("*.json")))
    assert result.stdout == f"loaded {count} conversation(s) into {store} ({count} in total)\n"


def test_store_load_with_a_bad_line_loads_nothing_and_exits_2(tmp_path):
    store = tmp_path / "s.duckdb"
    run("store", "load", str(FIXTURE_DIR), "--store", str(store))
    before = file_digest(store)
    calls = tmp_path / "calls.jsonl"
    good = conversation_dict() | {"id": "new_1"}
    bad = conversation_dict() | {"id": "new_2", "duration_seconds": -5}
    calls.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = run("store", "load", str(calls), "--store", str(store))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{calls}:2: $.duration_seconds: Input should be greater than or equal to 0 (got -5)\n"
        f"error: 1 problem(s); nothing loaded into {store}\n"
    )
    assert file_digest(store) == before
    with ConversationStore.open(store, read_only=True) as opened:
        assert opened.count_conversations() == len(list(FIXTURE_DIR.glob("*.json")))


def test_tokens_create_prints_the_token_once_and_stores_its_hash(tmp_path):
    store = tmp_path / "s.duckdb"
    result = run("tokens", "create", "--kind", "pat", "--user", "alice", "--org", "org_a", "--org", "org_b",
                 "--scope", READ, "--store", str(store))
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("pat_") and result.stdout == token + "\n"
    assert "shown only now" in result.stderr and token not in result.stderr
    assert token.encode() not in store.read_bytes()
    with ConversationStore.open(store, read_only=True) as opened:
        assert opened.is_member("alice", "org_a") and opened.is_member("alice", "org_b")
        assert opened.token(token.split("_")[1]).scopes == (READ,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "a", "--org", "b"], "error: an organisation key (--kind ak) takes exactly one --org and no --user\n"),
        (["--kind", "pat", "--org", "a"], "error: a user token (--kind pat) needs --user\n"),
        (["--org", "a", "--scope", "Read All"], "error: scopes look like 'conversations:read_sensitive'; got Read All\n"),
    ],
)
def test_tokens_create_refuses_bad_combinations_with_exit_2(tmp_path, args, message):
    scope = [] if "--scope" in args else ["--scope", READ]
    result = run("tokens", "create", *args, *scope, "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 2
    assert result.stderr == message


def test_serve_refuses_a_missing_store_and_a_busy_port(tmp_path):
    missing = run("serve", "--store", str(tmp_path / "none.duckdb"))
    assert missing.exit_code == 2
    assert missing.stderr == f"error: {tmp_path / 'none.duckdb'}: no conversation store here; create it with `harness store load`\n"
    store = tmp_path / "s.duckdb"
    ConversationStore.open(store).close()
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run("serve", "--store", str(store), "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_its_log_holds_no_token_number_or_transcript(tmp_path, workers):
    store = tmp_path / "s.duckdb"
    run("store", "load", str(FIXTURE_DIR), "--store", str(store))
    record = json.loads(next(FIXTURE_DIR.glob("*.json")).read_text())["conversation"]
    token = run("tokens", "create", "--org", record["org_id"], "--scope", READ, "--store", str(store)).stdout.strip()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"NO_PROXY": "*"}
    server = subprocess.Popen(
        [sys.executable, "-m", "harness", "serve", "--store", str(store), "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_listening(port, server)
        number = record["user_id"].replace("+", "%2B")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get(f"/core/agent-assist/{number}", headers=headers).status_code == 200
            assert http.get(f"/core/agent-assist/{number}?token={token}").status_code == 401
            assert http.get("/core/agent-assist/%2B13125550199", headers=headers).status_code == 404
            assert http.get(f"/portal/agent-assist/{number}").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        log, _ = server.communicate(timeout=30)
    assert f'"GET /core/agent-assist/***{record["user_id"][-4:]} HTTP/1.1" 200' in log
    assert token not in log and token.split("_")[2] not in log
    assert record["user_id"][1:] not in log
    assert not any(message["content"][:40] in log for message in record["messages"] if len(message["content"]) > 20)


def test_tokens_cannot_change_under_a_running_server_and_a_new_one_works_after_a_restart(tmp_path):
    """The server reads tokens and the newest-conversation ids once; that is sound only because
    no writer can open the store while a server holds it. A token created afterwards works once
    the server starts again."""
    from fastapi.testclient import TestClient

    from harness.backends import create_backend
    from harness.server.app import create_app
    from tests.server.conftest import PROMPT

    store = tmp_path / "s.duckdb"
    run("store", "load", str(FIXTURE_DIR), "--store", str(store))
    record = json.loads(next(FIXTURE_DIR.glob("*.json")).read_text())["conversation"]
    create = [sys.executable, "-m", "harness", "tokens", "create", "--org", record["org_id"], "--scope", READ,
              "--store", str(store)]
    path = f"/core/agent-assist/{record['user_id'].replace('+', '%2B')}"

    def serving():
        return TestClient(create_app(store, lambda: create_backend("rules"), PROMPT))

    with serving():
        refused = subprocess.run(create, cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: {store}: in use by another process (a running `harness serve`?); stop it and try again\n"
    )
    created = subprocess.run(create, cwd=ROOT, capture_output=True, text=True, check=True)
    token = created.stdout.strip()
    with serving() as client:
        assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert client.get(path, headers={"Authorization": f"Bearer {wrong}"}).status_code == 401


def wait_until_listening(port: int, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start listening")
