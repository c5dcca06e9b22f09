"""`harness run` as users run it: stored runs, scoreboards, re-scoring, interruption and resume."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.backends.scripted_server import Reply, ScriptedServer, completion_body
from tests.test_brief_assembly import draft_dict

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "conversations"


def harness(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"NO_PROXY": "*"}
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300, **kwargs)


def small_corpus(tmp_path: Path, count: int = 6) -> Path:
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for path in sorted(CORPUS.glob("*.json"))[:count]:
        shutil.copy(path, directory)
    return directory


def test_run_stores_everything_and_prints_the_scoreboard(tmp_path):
    db = tmp_path / "h.duckdb"
    result = harness("run", str(small_corpus(tmp_path)), "--repeats", "2", "--db", str(db), "--label", "smoke",
                     "--json")
    assert result.returncode == 0, result.stderr
    board = json.loads(result.stdout)
    assert (board["fixtures"], board["generations"], board["status"]) == (6, 12, "completed")
    assert board["metrics"]["schema.valid"]["mean"] == 1.0
    assert set(board["metrics"]["pass"]) == {"mean", "ci95", "n", "fixtures"}
    with duckdb.connect(str(db), read_only=True) as con:
        assert [r[0] for r in con.execute("SELECT name FROM migrations ORDER BY name").fetchall()] == [
            "m001_runs", "m002_generations", "m003_scores", "m004_drop_scores_by_run"]
        run = con.execute("SELECT backend, prompt_id, prompt_hash, repeats, status, label, fixture_set_hash, "
                          "harness_version, git_revision FROM runs").fetchone()
        assert run[:6] == ("rules", "handoff-brief", run[2], 2, "completed", "smoke") and len(run[2]) == 12
        assert con.execute("SELECT count(*) FROM generations").fetchone()[0] == 12
        assert con.execute("SELECT count(*) FROM run_fixtures").fetchone()[0] == 6
        per_fixture = con.execute("SELECT count(*) FROM scores WHERE repeat = -1 AND metric = "
                                  "'consistency.pass_all_k'").fetchone()[0]
        assert per_fixture == 6


def test_runs_show_and_score(tmp_path):
    db = tmp_path / "h.duckdb"
    assert harness("run", str(small_corpus(tmp_path, 3)), "--repeats", "1", "--db", str(db)).returncode == 0
    listing = json.loads(harness("runs", "--db", str(db), "--json").stdout)
    run_id = listing[0]["id"]
    assert listing[0]["generations"] == 3
    shown = harness("show", run_id[:10], "--db", str(db))
    assert shown.returncode == 0 and shown.stdout.startswith(f"run {run_id} [completed]")
    with duckdb.connect(str(db)) as con:
        before = con.execute("SELECT count(*) FROM scores").fetchone()[0]
        con.execute("DELETE FROM scores WHERE metric = 'pass'")
    rescored = harness("score", run_id, "--db", str(db), "--json")
    assert rescored.returncode == 0, rescored.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM scores").fetchone()[0] == before
    missing = harness("show", "nope", "--db", str(db))
    assert missing.returncode == 2 and "'nope': no such run" in missing.stderr


def test_selection_and_input_errors(tmp_path):
    db = tmp_path / "h.duckdb"
    none = harness("run", "--tag", "no-such-tag", "--db", str(db))
    assert none.returncode == 2 and "no fixture matches the selection" in none.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_text("{")
    bad = harness("run", str(tmp_path / "bad"), "--db", str(db))
    assert bad.returncode == 2 and "invalid JSON" in bad.stderr
    domain = harness("run", "--domain", "retail", "--repeats", "1", "--db", str(db), "--json")
    assert domain.returncode == 0
    assert json.loads(domain.stdout)["fixtures"] == sum(
        1 for p in CORPUS.glob("*.json") if json.loads(p.read_text())["domain"] == "retail")


@pytest.fixture
def slow_server():
    server = ScriptedServer().start()
    body = completion_body(json.dumps(draft_dict() | {"markers": []}))
    server.script(*[Reply(body=body, delay_seconds=0.25) for _ in range(40)])
    yield server
    server.stop()


def test_interrupted_run_keeps_rows_and_resume_completes_it(tmp_path, slow_server):
    fixtures = small_corpus(tmp_path)
    db = tmp_path / "h.duckdb"
    common = ("--backend", "openai", "--model", "m", "--base-url", slow_server.base_url, "--no-cache",
              "--concurrency", "1", "--repeats", "2", "--db", str(db))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"NO_PROXY": "*"}
    process = subprocess.Popen([sys.executable, "-m", "harness", "run", str(fixtures), *common], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(slow_server.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "Traceback" not in stderr
    with duckdb.connect(str(db), read_only=True) as con:
        run_id, status = con.execute("SELECT id, status FROM runs").fetchone()
        saved = con.execute("SELECT count(*) FROM generations").fetchone()[0]
    assert status == "interrupted" and 3 <= saved < 12

    resumed = harness("run", "--resume", run_id, "--db", str(db), "--json", "--no-cache", "--concurrency", "4")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - saved} jobs to do" in resumed.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchone()[0] == "completed"
        counts = con.execute("SELECT count(*), count(DISTINCT (fixture_id, repeat)) FROM generations").fetchone()
        score_rows = con.execute("SELECT count(*) FROM scores").fetchone()[0]
    assert counts == (12, 12)

    straight = tmp_path / "straight.duckdb"
    uninterrupted = harness("run", str(fixtures), *common[:-2], "--db", str(straight))
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    with duckdb.connect(str(straight), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM generations").fetchone()[0] == 12
        assert con.execute("SELECT count(*) FROM scores").fetchone()[0] == score_rows
