"""harness.integrations.deepeval: scorers as DeepEval metrics, the corpus as goldens, G-Eval judges
against a scripted OpenAI-compatible server on loopback, and `deepeval test run` over the rules
backend as users run it, checked to write nothing and to reach no network."""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from harness.fixtures.model import Fixture
from harness.prompts import template_values
from harness.scoring import score_generation
from harness.scoring.base import ScoreContext
from tests.backends.scripted_server import Reply, ScriptedServer, completion_body
from tests.factories import fixture_dict
from tests.report.runs import CORPUS, ROOT, corpus, rules_brief

integration = pytest.importorskip("harness.integrations.deepeval",
                                  reason="deepeval is not installed (pip install -e '.[dev]')")
deepeval = pytest.importorskip("deepeval")

RULES_MODULE = ROOT / "tests" / "deepeval" / "test_deepeval_rules.py"
QUIET = {"DEEPEVAL_TELEMETRY_OPT_OUT": "1", "DEEPEVAL_DISABLE_DOTENV": "1", "DEEPEVAL_FILE_SYSTEM": "READ_ONLY"}


@pytest.fixture
def fixture() -> Fixture:
    return Fixture.model_validate(fixture_dict())


def test_each_metric_returns_the_scorer_value_and_reason(fixture):
    brief = rules_brief(fixture)
    case = integration.brief_test_case(fixture, brief)
    expected = {s.metric: s for s in score_generation(ScoreContext(fixture, brief, json.dumps(brief)))}
    for metric in integration.scorer_metrics():
        value = metric.measure(case)
        assert (value, metric.reason) == (expected[metric.metric].value, expected[metric.metric].reason), metric
        assert metric.success is metric.is_successful()
    assert [m.metric for m in integration.scorer_metrics()] == [
        "schema.valid", "sections.ok", "enums.valid", "header.caller_name", "sentiment.within_one", "markers.f1",
        "compliance.missed_critical", "information.recall", "transcript.match", "privacy.clean", "pass"]


def test_thresholds_count_metrics_and_leaks(fixture):
    brief = rules_brief(fixture)
    leaky = copy.deepcopy(brief)
    leaky["call_summary"][0] = "Card 4111 1111 1111 1111 was read out."
    leaky["compliance_flags"] = []
    case = integration.brief_test_case(fixture, leaky)

    clean = integration.HarnessMetric("privacy.clean")
    assert (clean.measure(case), clean.threshold, clean.success) == (0.0, 1.0, False)
    assert clean.reason == "card_number …1111"
    missed = integration.HarnessMetric("compliance.missed_critical")
    assert (missed.measure(case), missed.threshold, missed.success) == (1.0, 0.0, False)  # lower is better
    assert missed.reason == "unfulfillable_commitment"
    tolerant = integration.HarnessMetric("compliance.missed_critical", threshold=1)
    assert (tolerant.measure(case), tolerant.success) == (1.0, True)
    assert integration.HarnessMetric("markers.f1").threshold == 0.5
    assert integration.HarnessMetric("pass").threshold == 1.0


def test_an_unlabelled_metric_is_skipped_never_failed():
    unlabelled = Fixture.model_validate(fixture_dict() | {"expected": {}})
    metric = integration.HarnessMetric("markers.f1")
    assert metric.measure(integration.brief_test_case(unlabelled, rules_brief(unlabelled))) is None
    assert (metric.skipped, metric.success, metric.reason) == (True, True, "not labelled")


def test_bad_metrics_and_test_cases_say_what_is_wrong(fixture):
    with pytest.raises(ValueError, match=r"unknown harness metric 'bleu\.score': its scorer 'bleu' is not one of "):
        integration.HarnessMetric("bleu.score")
    with pytest.raises(ValueError, match=r"the markers scorer produced no 'markers\.f2' for this test case"):
        integration.HarnessMetric("markers.f2").measure(integration.brief_test_case(fixture, rules_brief(fixture)))
    bare = deepeval.test_case.LLMTestCase(input="hello", actual_output="world")
    with pytest.raises(ValueError, match="has no harness fixture in its metadata: build it with brief_test_case"):
        integration.HarnessMetric("pass").measure(bare)


def test_a_failed_generation_is_a_test_case_too(fixture):
    case = integration.brief_test_case(fixture, None, error_category="timeout")
    assert case.actual_output == "(no brief: timeout)"
    verdict = integration.HarnessMetric("pass")
    assert (verdict.measure(case), verdict.success) == (0.0, False)


def test_the_corpus_is_a_dataset_of_goldens():
    dataset = integration.load_dataset([CORPUS])
    fixtures = {f.id: f for f in corpus()}
    assert len(dataset.goldens) == len(fixtures) == 64
    for golden in dataset.goldens:
        fx = fixtures[golden.name]
        assert golden.input == template_values(fx.conversation)["transcript"]
        assert set(golden.additional_metadata) == {"fixture_id", "gold", "fixture"}
        assert golden.additional_metadata["gold"] == fx.expected.model_dump(mode="json", exclude_unset=True)
        assert integration.fixture_of(golden) == fx
        reference = (fx.expected.reference or {}).get("transfer_summary")
        assert golden.expected_output == (reference or json.dumps(golden.additional_metadata["gold"], sort_keys=True))
    assert sum(1 for g in dataset.goldens if not g.expected_output.startswith("{")) == 28


def test_a_corpus_with_problems_is_refused(tmp_path):
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^1 fixture problem\(s\), first: .*broken\.json"):
        integration.load_dataset([tmp_path])


def test_assert_test_passes_good_briefs_and_names_the_failing_metric(fixture):
    gates = ["schema.valid", "privacy.clean", "compliance.missed_critical"]
    deepeval.assert_test(integration.brief_test_case(fixture, rules_brief(fixture)),
                         [integration.HarnessMetric(m) for m in gates])
    leaky = rules_brief(fixture)
    leaky["transfer_reason"] = "Caller read card 4111 1111 1111 1111."
    with pytest.raises(AssertionError, match=r"harness privacy\.clean \(score: 0\.0, threshold: 1\.0"):
        deepeval.assert_test(integration.brief_test_case(fixture, leaky),
                             [integration.HarnessMetric(m) for m in gates])


@pytest.fixture
def judge_server():
    server = ScriptedServer().start()
    yield server
    server.stop()


def judged(score: float, reason: str = "Every claim is in the call.") -> Reply:
    return Reply(body=completion_body(json.dumps({"reason": reason, "score": score})))


def test_g_eval_metrics_ask_the_judge_with_transcript_brief_and_reference(fixture, judge_server):
    judge = integration.judge_model(judge_server.base_url, "judge-model")
    case = integration.brief_test_case(fixture, rules_brief(fixture))
    judge_server.script(judged(8), judged(3, "Too vague."))

    faithful = integration.summary_faithfulness(judge)
    assert (faithful.measure(case), faithful.reason, faithful.success) == (0.8, "Every claim is in the call.", True)
    reason = integration.transfer_reason_quality(judge)
    assert (reason.measure(case), reason.reason, reason.success) == (0.3, "Too vague.", False)

    first, second = (request["messages"][0]["content"] for request in judge_server.requests)
    assert all(request["model"] == "judge-model" for request in judge_server.requests)
    assert "[1] caller: hi um this is Maria Lopez, I got charged twice" in first
    assert "Check every claim against the transcript." in first and "Summary:\n- " in first
    assert "Judge only the 'Transfer reason' line" in second and '"caller_name": "Maria Lopez"' in second


def test_the_judge_comes_from_the_environment():
    assert integration.judge_from_env({}) is None
    assert integration.judge_from_env({"HARNESS_JUDGE_BASE_URL": "http://127.0.0.1:9/v1"}) is None
    judge = integration.judge_from_env({"HARNESS_JUDGE_BASE_URL": "http://127.0.0.1:9/v1/",
                                        "HARNESS_JUDGE_MODEL": "qwen"})
    assert (judge.base_url, judge.name) == ("http://127.0.0.1:9/v1", "qwen")


@pytest.mark.slow
def test_importing_the_integration_keeps_deepeval_quiet_without_any_setup(tmp_path):
    """Plain `import deepeval` makes `.deepeval/` in the working directory; through our module it must not."""
    script = ("from harness.integrations.deepeval import HarnessMetric, brief_test_case\n"
              "from deepeval import assert_test\n"
              "from tests.report.runs import corpus, rules_brief\n"
              "fixture = corpus()[0]\n"
              "assert_test(brief_test_case(fixture, rules_brief(fixture)), [HarnessMetric('schema.valid')])\n"
              "import os; print(os.environ['DEEPEVAL_TELEMETRY_OPT_OUT'], os.environ['DEEPEVAL_FILE_SYSTEM'])\n")
    home = tmp_path / "home"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEEPEVAL_")}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=clean | {"HOME": str(home), "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "1 READ_ONLY"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["home"]


# Loaded into the `deepeval test run` process through PYTHONPATH: any connection or name lookup
# that is not loopback is refused and written down, so "reaches no network" is checked, not assumed.
NETWORK_GUARD = """
import os, socket
_LOG = os.environ["NETWORK_GUARD_LOG"]
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

def _refuse(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")
    raise OSError("network blocked by the test: " + what)

_getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect

def getaddrinfo(host, *args, **kwargs):
    if host not in _LOOPBACK and host is not None:
        _refuse(f"lookup {host}")
    return _getaddrinfo(host, *args, **kwargs)

def connect(self, address):
    if isinstance(address, tuple) and address[0] not in _LOOPBACK:
        _refuse(f"connect {address}")
    return _connect(self, address)

socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
"""


def deepeval_test_run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`deepeval test run` as a user runs it, from an empty folder with an empty home, without network."""
    command = shutil.which("deepeval", path=sysconfig.get_path("scripts")) or shutil.which("deepeval")
    assert command, "the deepeval command is not installed"
    guard = tmp_path / "guard"
    for folder in (tmp_path / "work", tmp_path / "home", guard):
        folder.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_JUDGE_", "OPENAI_", "DEEPEVAL_"))}
    return subprocess.run(
        [command, "test", "run", str(RULES_MODULE), "--color", "no", "--display", "failing", *args],
        cwd=tmp_path / "work", capture_output=True, text=True, timeout=300,
        env=clean | QUIET | {"HOME": str(tmp_path / "home"), "NO_PROXY": "*", "PYTHONPATH": f"{guard}:{ROOT}",
                             "NETWORK_GUARD_LOG": str(tmp_path / "network.log")} | env)


def network_attempts(tmp_path: Path) -> list[str]:
    log = tmp_path / "network.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def written_files(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


def deepeval_entries_in_the_working_tree() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for folder in (ROOT, ROOT / "tests", ROOT / "tests" / "deepeval")
                  for p in folder.iterdir() if "deepeval" in p.name and p.name != "deepeval")


@pytest.mark.slow
def test_deepeval_test_run_passes_the_rules_backend_offline_and_writes_nothing(tmp_path):
    before = deepeval_entries_in_the_working_tree()
    done = deepeval_test_run(tmp_path)
    summary = done.stdout + done.stderr
    assert done.returncode == 0, summary[-3000:]
    assert re.search(r"^64 passed, 1 skipped(, \d+ warnings?)? in [\d.]+s$", summary, re.M), summary[-2000:]
    skip_lines = [line for line in summary.splitlines() if line.startswith("SKIPPED")]
    assert len(skip_lines) == 1 and skip_lines[0].endswith(": " + integration.NO_JUDGE)
    assert written_files(tmp_path / "work", tmp_path / "home") == []  # no .deepeval/, telemetry id or test run
    assert deepeval_entries_in_the_working_tree() == before
    assert network_attempts(tmp_path) == []


@pytest.mark.slow
def test_with_a_judge_configured_the_g_eval_metrics_run(tmp_path, judge_server):
    judged_fixtures = sum(1 for f in corpus() if (f.expected.reference or {}).get("transfer_summary"))
    judge_server.script(*[judged(9) for _ in range(2 * judged_fixtures)])
    done = deepeval_test_run(tmp_path, "-k", "judge", HARNESS_JUDGE_BASE_URL=judge_server.base_url,
                             HARNESS_JUDGE_MODEL="judge-model")
    summary = done.stdout + done.stderr
    assert done.returncode == 0, summary[-3000:]
    assert re.search(r"^1 passed, 64 deselected(, \d+ warnings?)? in [\d.]+s$", summary, re.M), summary[-2000:]
    prompts = [request["messages"][0]["content"] for request in judge_server.requests]
    assert len(prompts) == 2 * judged_fixtures == 56
    assert sum("Check every claim against the transcript." in p for p in prompts) == judged_fixtures
    assert sum("Judge only the 'Transfer reason' line" in p for p in prompts) == judged_fixtures
    assert written_files(tmp_path / "work", tmp_path / "home") == []
    assert network_attempts(tmp_path) == []  # the judge is on loopback
