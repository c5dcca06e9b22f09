"""The `local` backend end to end: a real llama.cpp server, the shipped SmolLM2-135M, real fixtures.

Skipped only when the `local` extra is not installed. The server starts once for the module; each
brief takes 30-70 s on two CPU cores, so the two briefs are built once and several tests read them.
What SmolLM2-135M writes is not asserted beyond the contract: every result is either a brief with
real token counts or a categorised error, and at least one of the two briefs is schema-valid.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest

from harness.backends import create_backend, local
from harness.backends.base import BackendError, ErrorCategory, Generation
from harness.brief import BriefResult, build_brief
from harness.fixtures.load import load_corpus
from harness.prompts import find_prompt

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "agent_assist_portal.schema.json").read_text())
)
# Two of the shortest calls. With the production prompt SmolLM2-135M drafts the first (~380 output
# tokens) and, on the second, repeats one list item until max_tokens: one of each outcome.
FIXTURE_IDS = ("government-passport-renewal-caller-goes-silent", "telecom-new-bill-charge-caller-wants-agent-goes-quiet")


def _why_local_is_unavailable() -> str | None:
    try:
        local.require_server_installed()
        local.shipped_gguf()
    except BackendError as exc:
        return str(exc)
    return None


UNAVAILABLE = _why_local_is_unavailable()
needs_local_extra = pytest.mark.skipif(UNAVAILABLE is not None, reason=str(UNAVAILABLE))


@pytest.fixture(scope="module")
def runner():
    # One event loop for the module: the backend's HTTP client and locks belong to the loop they
    # were first used on.
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def backend(runner):
    backend = create_backend("local")
    runner.run(backend.start())
    print(f"\nlocal server started in {backend.startup_seconds:.2f} s")
    yield backend
    runner.run(backend.aclose())


@pytest.fixture(scope="module")
def briefs(runner, backend) -> dict[str, BriefResult]:
    fixtures = {f.id: f for f in load_corpus([ROOT / "fixtures" / "conversations"]).fixtures}
    missing = [fixture_id for fixture_id in FIXTURE_IDS if fixture_id not in fixtures]
    assert not missing, f"fixtures renamed or removed: {missing}; pick two short calls again"
    prompt = find_prompt("handoff-brief", ROOT / "prompts")
    results = {}
    for fixture_id in FIXTURE_IDS:
        results[fixture_id] = runner.run(build_brief(fixtures[fixture_id].conversation, backend, prompt))
        _report(fixture_id, results[fixture_id].generation)
    return results


def _report(fixture_id: str, generation: Generation) -> None:
    usage = generation.usage
    tokens = f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion" if usage else "no usage"
    outcome = "draft" if generation.ok else f"{generation.error.category}: {generation.error.message}"
    print(f"{fixture_id}: {generation.latency_seconds:.1f} s, {tokens} tokens, {outcome}")


@pytest.mark.slow
@needs_local_extra
def test_every_result_has_real_token_counts_and_a_draft_or_a_categorised_error(briefs):
    for fixture_id, result in briefs.items():
        generation = result.generation
        if generation.error is None:
            assert generation.draft is not None and result.portal is not None, fixture_id
            assert _counted_tokens(generation), fixture_id
        else:
            assert isinstance(generation.error.category, ErrorCategory) and generation.error.message, fixture_id
            assert generation.draft is None and result.portal is None, fixture_id
            if generation.raw_output is not None:  # the model did answer (truncated, invalid...)
                assert _counted_tokens(generation), fixture_id


def _counted_tokens(generation: Generation) -> bool:
    usage = generation.usage
    return usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0


@pytest.mark.slow
@needs_local_extra
def test_at_least_one_brief_is_schema_valid(briefs):
    portals = [result.portal.model_dump(mode="json") for result in briefs.values() if result.portal is not None]
    assert portals, {fixture_id: r.generation.error for fixture_id, r in briefs.items()}
    for portal in portals:
        assert list(VALIDATOR.iter_errors(portal)) == []


@pytest.mark.slow
@needs_local_extra
def test_generations_name_the_served_model_and_cost_nothing(briefs):
    for result in briefs.values():
        assert result.generation.model == "SmolLM2-135M-Instruct.Q4_1"
        assert result.generation.cost_usd == 0.0


@needs_local_extra
def test_aclose_stops_the_server_and_can_be_called_again(runner):
    backend = create_backend("local")
    runner.run(backend.start())
    pid = backend.server_pid
    assert _running(pid)
    runner.run(backend.aclose())
    assert not _running(pid)
    runner.run(backend.aclose())
    with pytest.raises(BackendError, match="after aclose"):
        runner.run(backend.start())


@needs_local_extra
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to tell a live process from a zombie")
@pytest.mark.parametrize("how_the_owner_ends", ["exits without aclose", "is killed"])
def test_the_server_does_not_outlive_the_python_process_that_started_it(how_the_owner_ends):
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER_SCRIPT, how_the_owner_ends], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        server_pid, log_path = owner.stdout.readline().split(maxsplit=1)
        log_dir = Path(log_path.strip()).parent
        assert _running(int(server_pid))
        if how_the_owner_ends == "is killed":
            owner.kill()  # SIGKILL: no atexit, no finalizer; only the kernel's parent-death signal is left
        owner.wait(timeout=30)
    finally:
        owner.kill()
        owner.stdout.close()
    assert _gone_within(int(server_pid), seconds=15)
    if how_the_owner_ends == "exits without aclose":
        assert not log_dir.exists()  # the finalizer cleans up after itself
    shutil.rmtree(log_dir, ignore_errors=True)


_OWNER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, time
    from harness.backends import create_backend

    backend = create_backend("local")
    asyncio.run(backend.start())
    print(backend.server_pid, backend.log_path, flush=True)
    if sys.argv[1] == "is killed":
        time.sleep(60)
    """
)


@needs_local_extra
def test_a_missing_model_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "nowhere.gguf"
    with pytest.raises(BackendError) as raised:
        create_backend("local", model_path=str(missing))
    assert str(raised.value) == (
        f"local backend: model file {missing} does not exist; give the path of a GGUF file"
    )


@needs_local_extra
def test_a_file_that_is_not_a_gguf_model_fails_start_up_with_the_server_log_on_one_line(
    tmp_path, runner, monkeypatch
):
    # A failed start keeps the server's log for the user; here it goes where pytest cleans up.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("these are not model weights\n")
    backend = create_backend("local", model_path=not_a_model)
    with pytest.raises(BackendError) as raised:
        runner.run(backend.start())
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("local backend: the llama.cpp server exited with code 1; last lines of its log: ")
    assert "Failed to load model" in message
    log_dirs = list(tmp_path.glob("harness-local-*"))
    assert len(log_dirs) == 1 and f"(full log: {log_dirs[0] / 'llama-server.log'})" in message
    runner.run(backend.aclose())


def test_a_missing_server_package_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setattr(local, "SERVER_MODULES", ("json", "no_such_server_module"))
    with pytest.raises(BackendError) as raised:
        local.require_server_installed()
    assert str(raised.value) == (
        'local backend: no_such_server_module not installed; install the local extra: pip install -e ".[local]"'
    )


def test_a_missing_model_package_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setattr(local, "MODEL_DISTRIBUTION", "no-such-model-package")
    with pytest.raises(BackendError) as raised:
        local.shipped_gguf()
    assert str(raised.value) == (
        "local backend: no-such-model-package (the SmolLM2 model) not installed; "
        'install the local extra: pip install -e ".[local]"'
    )


def _running(pid: int) -> bool:
    """True for a live process; False when it is gone or a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if not stat.parent.parent.exists():  # no /proc: all we know is that the pid exists
        return True
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _running(pid):
            return True
        time.sleep(0.1)
    return False
