"""The rules backend over the whole corpus as DeepEval test cases, fully offline:

    deepeval test run tests/deepeval/test_deepeval_rules.py

Each fixture's rules brief must meet the structural and safety gates (valid, sound, exact header,
no missed critical flag, no leak); the judged metrics run only when a judge model is configured.
"""

import asyncio
from pathlib import Path

import pytest
from deepeval import assert_test

from harness.backends import create_backend
from harness.brief import build_brief
from harness.integrations.deepeval import (
    NO_JUDGE,
    HarnessMetric,
    fixture_of,
    golden_test_case,
    judge_from_env,
    judge_metrics,
    load_dataset,
)
from harness.prompts import find_prompt

ROOT = Path(__file__).resolve().parents[2]
DATASET = load_dataset([ROOT / "fixtures" / "conversations"])
PROMPT = find_prompt("handoff-brief", ROOT / "prompts")
GATES = ("schema.valid", "sections.ok", "enums.valid", "transcript.match", "header.phone", "header.duration",
         "header.caller_name", "compliance.missed_critical", "privacy.clean")


def rules_brief(golden) -> dict:
    backend = create_backend("rules")
    result = asyncio.run(build_brief(fixture_of(golden).conversation, backend, PROMPT))
    assert result.portal is not None, result.generation.error
    return result.portal.model_dump(mode="json")


@pytest.mark.parametrize("golden", DATASET.goldens, ids=lambda golden: golden.name)
def test_rules_brief_meets_the_structural_and_safety_gates(golden):
    assert_test(golden_test_case(golden, rules_brief(golden)), [HarnessMetric(metric) for metric in GATES])


def test_judge_rates_summary_faithfulness_and_transfer_reasons():
    """One test, not one per fixture, so that without a judge the run says why in a single line."""
    judge = judge_from_env()
    if judge is None:
        pytest.skip(NO_JUDGE)
    judged = [golden for golden in DATASET.goldens if (golden.additional_metadata["gold"].get("reference") or {})
              .get("transfer_summary")]
    failures = []
    for golden in judged:
        try:
            assert_test(golden_test_case(golden, rules_brief(golden)), judge_metrics(judge))
        except AssertionError as failure:
            failures.append(f"{golden.name}: {failure}")
    assert not failures, f"{len(failures)} of {len(judged)} judged briefs fall short:\n" + "\n".join(failures)
