"""harness gate: thresholds from TOML, exit 0/1/2, JUnit XML and a Markdown summary."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.analysis.gate import GateConfigError, parse_config
from harness.store.results import ResultsStore
from tests.analysis.builders import corpus_fixtures, store_run
from tests.analysis.conftest import REGRESSED, invoke

ROOT = Path(__file__).resolve().parents[2]


def gate(runs, tmp_path, config: str, *args: str):
    path = tmp_path / "gates.toml"
    path.write_text(config)
    return invoke("gate", *args, "--config", str(path), "--db", str(runs.db))


def test_the_checked_in_gates_pass_a_rules_run_against_an_identical_baseline(runs, tmp_path):
    junit = tmp_path / "out" / "junit.xml"
    result = invoke("gate", "base", "--baseline", "same", "--config", str(ROOT / "gates.toml"), "--db", str(runs.db),
                    "--junit", str(junit))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"gate PASSED: run base against baseline same, thresholds from {ROOT}/gates.toml\n")
    assert "FAIL" not in result.stdout and "SKIP" not in result.stdout
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("28", "0")  # 1 + 12 absolute + 9 regression checks, 6 fixtures


def test_an_absolute_threshold_fails_with_exit_1(runs, tmp_path):
    result = gate(runs, tmp_path, '[absolute]\n"pass" = { min = 1.0 }\n"compliance.missed_critical" = { max = 0 }\n'
                                  '"schema.valid" = { min = 1.0 }\n', "one_regressed")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:5] == [
        f"gate FAILED (2 of 4 checks): run one_regressed, thresholds from {tmp_path}/gates.toml",
        "  PASS  every generation stored: 12 of 12 generations",
        "  FAIL  pass ≥ 1: 83.3% over 12 values: below the minimum 100.0%",
        "  FAIL  compliance.missed_critical ≤ 0: 0.333 over 12 values: above the maximum 0.000",
        "  PASS  schema.valid ≥ 1: 100.0% over 12 values",
    ]
    assert f"  {REGRESSED}: 0/2 pass (missed a critical flag)" in result.stdout


def test_a_regression_fails_only_when_the_whole_interval_is_beyond_the_allowed_drop(runs, tmp_path):
    config = '[regression]\n"pass" = { max_regression = 0.05 }\n"compliance.missed_critical" = { max_regression = 0 }\n'
    broad = gate(runs, tmp_path, config, "all_regressed", "--baseline", "base")
    assert broad.exit_code == 1
    assert ("  FAIL  pass falls by at most 5.0 pp vs baseline: difference -100.0 pp, 95% CI [-100.0, -100.0] over 6 "
            "fixtures: the whole interval is worse than the allowed 5.0 pp") in broad.stdout.splitlines()
    # one fixture in six: the point estimate (-16.7 pp) is beyond the limit, the interval [-50, 0] is not
    narrow = gate(runs, tmp_path, config, "one_regressed", "--baseline", "base")
    assert narrow.exit_code == 0, narrow.output
    assert ("  PASS  pass falls by at most 5.0 pp vs baseline: difference -16.7 pp, 95% CI [-50.0, +0.0] over 6 "
            "fixtures") in narrow.stdout.splitlines()
    assert ("  PASS  compliance.missed_critical rises by at most 0.000 vs baseline: difference +0.333, 95% CI "
            "[+0.000, +1.000] over 6 fixtures") in narrow.stdout.splitlines()
    assert narrow.stdout.splitlines()[-1] == f"regressed vs baseline: {REGRESSED}"


def test_the_regressed_fixture_count_is_a_threshold_too(runs, tmp_path):
    result = gate(runs, tmp_path, "[fixtures]\nmax_regressed = 0\n", "one_regressed", "--baseline", "base")
    assert result.exit_code == 1
    assert f"  FAIL  at most 0 fixture(s) regress vs baseline: 1 regressed: {REGRESSED}" in result.stdout.splitlines()


def test_thresholds_that_need_a_baseline_are_not_checked_without_one(runs, tmp_path):
    result = gate(runs, tmp_path, '[regression]\n"pass" = { max_regression = 0 }\n', "all_regressed")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: ") and "need --baseline RUN" in result.stderr


def test_an_interrupted_run_fails_the_gate(tmp_path):
    db = tmp_path / "h.duckdb"
    store = ResultsStore(db)
    store_run(store, "partial", corpus_fixtures()[:1])
    store.db.execute("DELETE FROM generations WHERE repeat = 1")
    store.close()
    (tmp_path / "g.toml").write_text('[absolute]\n"schema.valid" = { min = 1 }\n')
    result = invoke("gate", "latest", "--config", str(tmp_path / "g.toml"), "--db", str(db))
    assert result.exit_code == 1
    assert ("  FAIL  every generation stored: 1 of 2 generations (an interrupted run: resume it first)"
            in result.stdout.splitlines())


@pytest.mark.parametrize(("config", "message"), [
    ('[absolute]\n"schema.vaild" = { min = 1.0 }\n',
     "[absolute] 'schema.vaild': unknown metric, not scored in run base; did you mean 'schema.valid'?"),
    ('[regression]\n"pass_rate" = { max_regression = 0.1 }\n',
     "[regression] 'pass_rate': unknown metric, not scored in run base or its baseline; did you mean 'pass'?"),
    ('[absolute]\n"pass" = { min = 0.9 \n', "not valid TOML: Unclosed inline table (at line 2, column 22)"),
    ('[absolute]\n"pass" = { minimum = 0.9 }\n', "[absolute] 'pass': unknown key 'minimum' (expected min, max)"),
    ('[absolute]\n"pass" = 0.9\n', "[absolute] 'pass': expected a table such as { min = 1.0 }, got 0.9"),
    ('[absolute]\n"pass" = { min = 0.9, max = 0.5 }\n', "[absolute] 'pass': min 0.9 is above max 0.5"),
    ('[thresholds]\n"pass" = { min = 0.9 }\n',
     "unknown section [thresholds] (expected [absolute], [regression], [fixtures])"),
    ("", "defines no threshold (add [absolute] or [regression] entries)"),
])
def test_a_bad_config_is_one_clear_line_and_exit_2(runs, tmp_path, config, message):
    result = gate(runs, tmp_path, config, "base", "--baseline", "same")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {tmp_path}/gates.toml: {message}\n"


def test_unknown_run_and_missing_config_are_input_errors(runs, tmp_path):
    missing = invoke("gate", "base", "--config", str(tmp_path / "none.toml"), "--db", str(runs.db))
    assert (missing.exit_code, missing.stderr) == (
        2, f"Error: {tmp_path}/none.toml: cannot read the thresholds file (No such file or directory)\n")
    unknown = gate(runs, tmp_path, '[absolute]\n"pass" = { min = 1 }\n', "nope")
    assert unknown.exit_code == 2 and unknown.stderr == f"Error: 'nope': no such run in {runs.db} (see `harness runs`)\n"
    with pytest.raises(GateConfigError, match=r"max_regressed must be a whole number ≥ 0, got 1\.5"):
        parse_config("[fixtures]\nmax_regressed = 1.5\n", "g.toml")


def test_the_console_command_prints_one_line_and_no_traceback(runs, tmp_path):
    (tmp_path / "bad.toml").write_text("[absolute\n")
    result = subprocess.run([sys.executable, "-m", "harness", "gate", "base", "--config", str(tmp_path / "bad.toml"),
                             "--db", str(runs.db)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"Error: {tmp_path}/bad.toml: not valid TOML: Expected ']' at the end of a table "
                             "declaration (at line 1, column 10)\n")


def test_junit_has_one_case_per_threshold_and_per_fixture_and_markdown_summarises(runs, tmp_path):
    junit, markdown = tmp_path / "junit.xml", tmp_path / "summary.md"
    result = gate(runs, tmp_path, '[absolute]\n"pass" = { min = 0.9 }\n"schema.valid" = { min = 1 }\n'
                                  '[regression]\n"pass" = { max_regression = 0.05 }\n', "one_regressed",
                  "--baseline", "base", "--junit", str(junit), "--markdown", str(markdown))
    assert result.exit_code == 1
    suites = ET.parse(junit).getroot()
    assert (suites.tag, suites.get("tests"), suites.get("failures")) == ("testsuites", "10", "2")
    checks, fixtures = suites.findall("testsuite")
    assert [case.get("name") for case in checks.iter("testcase")] == [
        "every generation stored", "pass ≥ 0.9", "schema.valid ≥ 1", "pass falls by at most 5.0 pp vs baseline"]
    assert [case.get("name") for case in checks.iter("testcase") if case.find("failure") is not None] == ["pass ≥ 0.9"]
    assert (fixtures.get("tests"), fixtures.get("failures")) == ("6", "1")
    failing = [case for case in fixtures.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failing] == [REGRESSED]
    assert failing[0].find("failure").get("message") == "2 of 2 repeats fail the pass rule: missed a critical flag"
    summary = markdown.read_text()
    assert summary.startswith("## ❌ gate FAILED (1 of 4 checks): run one_regressed against baseline base")
    assert "| ❌ | pass ≥ 0.9 | 83.3% over 12 values: below the minimum 90.0% |" in summary
    assert f"| `{REGRESSED}` | 0/2 | missed a critical flag |" in summary
    assert (f"| `{REGRESSED}` | 2/2 → 0/2 | compliance.missed_critical, compliance.f1, compliance.recall |"
            in summary)
