"""DeepEval integration (DESIGN.md §4): every harness scorer as a DeepEval metric, the fixture corpus
as an `EvaluationDataset` of goldens, and G-Eval judge metrics when a judge model is configured.

    from harness.integrations.deepeval import HarnessMetric, brief_test_case
    assert_test(brief_test_case(fixture, brief), [HarnessMetric("schema.valid"), HarnessMetric("markers.f1")])

A test case carries the fixture and the brief in its `metadata`, so a metric runs our scorer on
exactly what the harness would score; `input` is the transcript as prompts render it and
`actual_output` the brief's generated fields as text, which is what a judge reads.

This is the only module that imports DeepEval, and nothing in the harness imports it. DeepEval
would otherwise send telemetry, read `.env` files and write a `.deepeval/` folder into the working
directory; the variables set below, before its first import, turn that off (a value the user set
wins). `deepeval test run` imports DeepEval before any test module: give it the same variables in
its environment (README, "DeepEval").
"""

from __future__ import annotations

import os

QUIET_DEEPEVAL = {"DEEPEVAL_TELEMETRY_OPT_OUT": "1", "DEEPEVAL_DISABLE_DOTENV": "1",
                  "DEEPEVAL_FILE_SYSTEM": "READ_ONLY"}
for _name, _value in QUIET_DEEPEVAL.items():
    os.environ.setdefault(_name, _value)

import json  # noqa: E402
from collections.abc import Iterable, Mapping  # noqa: E402
from pathlib import Path  # noqa: E402

from deepeval.dataset import EvaluationDataset, Golden  # noqa: E402
from deepeval.metrics import BaseMetric, GEval  # noqa: E402
from deepeval.test_case import LLMTestCase, SingleTurnParams  # noqa: E402

from harness.fixtures.load import DEFAULT_FIXTURE_DIR, load_corpus  # noqa: E402
from harness.fixtures.model import Fixture  # noqa: E402
from harness.prompts import template_values  # noqa: E402
from harness.scoring import load_scorers, score_generation  # noqa: E402
from harness.scoring.base import LOWER_IS_BETTER, Score, ScoreContext  # noqa: E402

# Lower is better for these: a test passes when the value is at most the threshold.
COUNT_METRICS = LOWER_IS_BETTER
# Shares that reward partial credit pass at DeepEval's usual 0.5; checks must hold fully (1.0).
_PARTIAL_CREDIT = ("precision", "recall", "f1", "grounding")
# The metric each scorer is best known by, for `scorer_metrics()`.
HEADLINE_METRICS = {
    "schema": "schema.valid", "sections": "sections.ok", "enums": "enums.valid", "header": "header.caller_name",
    "sentiment": "sentiment.within_one", "markers": "markers.f1", "compliance": "compliance.missed_critical",
    "information": "information.recall", "transcript": "transcript.match", "privacy": "privacy.clean",
    "verdict": "pass",
}
JUDGE_ENV = ("HARNESS_JUDGE_BASE_URL", "HARNESS_JUDGE_MODEL")
NO_JUDGE = ("no judge model configured: set HARNESS_JUDGE_BASE_URL and HARNESS_JUDGE_MODEL "
            "(an OpenAI-compatible server) to run the G-Eval metrics")


def default_threshold(metric: str) -> float:
    if metric in COUNT_METRICS:
        return 0.0
    return 0.5 if metric.rsplit(".", 1)[-1] in _PARTIAL_CREDIT else 1.0


class HarnessMetric(BaseMetric):
    """One harness metric ("markers.f1", "privacy.clean", "pass") computed by its registered scorer.

    `measure` returns the harness value. A metric whose gold label the fixture lacks is marked
    `skipped` (DeepEval leaves it out) instead of failing: partial gold is never a failure.
    Consistency across repeats has no DeepEval form: a test case holds one output.
    """

    def __init__(self, metric: str, threshold: float | None = None) -> None:
        scorer = "verdict" if metric == "pass" else metric.split(".", 1)[0]
        if scorer != "verdict" and scorer not in load_scorers():
            known = ", ".join(sorted([*load_scorers(), "pass"]))
            raise ValueError(f"unknown harness metric {metric!r}: its scorer {scorer!r} is not one of {known}")
        self.metric, self.scorer = metric, scorer
        self.threshold = default_threshold(metric) if threshold is None else threshold
        self.lower_is_better = metric in COUNT_METRICS
        self.include_reason = True
        self.async_mode = True
        self.strict_mode = False
        self.evaluation_model = "harness scorers (no model)"

    @property
    def __name__(self) -> str:
        return f"harness {self.metric}"

    def measure(self, test_case: LLMTestCase, *args, **kwargs) -> float | None:
        score = _score_of(self.scorer, self.metric, score_context(test_case))
        self.reason = score.reason
        self.score = score.value
        self.skipped = score.value is None
        self.success = True if self.skipped else self.is_successful()
        return self.score

    async def a_measure(self, test_case: LLMTestCase, *args, **kwargs) -> float | None:
        return self.measure(test_case)  # pure and fast: nothing to await

    def is_successful(self) -> bool:
        if self.error is not None or self.score is None:
            return self.skipped and self.error is None
        return self.score <= self.threshold if self.lower_is_better else self.score >= self.threshold


def scorer_metrics(thresholds: Mapping[str, float] | None = None) -> list[HarnessMetric]:
    """Every scorer's headline metric (and the pass verdict), with optional thresholds by metric name."""
    chosen = dict(thresholds or {})
    return [HarnessMetric(metric, chosen.get(metric)) for metric in HEADLINE_METRICS.values()]


def _score_of(scorer: str, metric: str, context: ScoreContext) -> Score:
    scores = score_generation(context) if scorer == "verdict" else load_scorers()[scorer].function(context)
    found = next((s for s in scores if s.metric == metric), None)
    if found is None:
        produced = ", ".join(sorted({s.metric for s in scores}))
        raise ValueError(f"the {scorer} scorer produced no {metric!r} for this test case (it produced: {produced})")
    return found


# -- test cases ---------------------------------------------------------------------------------

def render_transcript(fixture: Fixture) -> str:
    """The conversation as prompts show it to a model: one "[i] caller: ..." line per message."""
    return template_values(fixture.conversation)["transcript"]


def expected_output(fixture: Fixture) -> str:
    """The human-written handoff summary when the fixture has one, else the gold labels as JSON."""
    reference = (fixture.expected.reference or {}) if fixture.expected.is_labelled("reference") else {}
    if reference.get("transfer_summary"):
        return reference["transfer_summary"]
    return json.dumps(fixture.expected.model_dump(mode="json", exclude_unset=True), sort_keys=True)


def brief_text(brief: dict | None) -> str:
    """The generated fields of a brief as plain text (the transcript is the input, not the output)."""
    if brief is None:
        return "(no brief)"
    header = brief.get("header") or {}
    sentiment = header.get("sentiment") or {}
    lines = [f"Caller: {header.get('caller_name')} ({header.get('phone_number')}), sentiment {sentiment.get('level')}"
             f" ({sentiment.get('label')})", f"Transfer reason: {brief.get('transfer_reason')}", "Summary:"]
    lines += [f"- {item}" for item in brief.get("call_summary") or []]
    lines.append("Information collected:")
    lines += [f"- {item.get('key')}: {item.get('value')}" for item in brief.get("information_collected") or []]
    lines.append("Next steps:")
    lines += [f"- {step.get('action')} ({step.get('confidence')})" for step in brief.get("suggested_next_steps") or []]
    lines.append("Compliance flags:")
    lines += [f"- {flag.get('type')}: {flag.get('description')}" for flag in brief.get("compliance_flags") or []]
    return "\n".join(lines)


def brief_test_case(fixture: Fixture, brief: dict | None, *, raw_output: str | None = None,
                    error_category: str | None = None, repeat: int = 0, mask_transcript: bool = True) -> LLMTestCase:
    """A DeepEval test case for one generated brief (None when the generation failed) of `fixture`."""
    return LLMTestCase(
        name=f"{fixture.id}#{repeat}",
        input=render_transcript(fixture),
        actual_output=brief_text(brief) if brief is not None else f"(no brief: {error_category or 'error'})",
        expected_output=expected_output(fixture),
        metadata={"fixture_id": fixture.id, "fixture": fixture.model_dump(mode="json", exclude_unset=True),
                  "brief": brief, "raw_output": raw_output if raw_output is not None else _raw(brief),
                  "error_category": error_category, "repeat": repeat, "mask_transcript": mask_transcript},
    )


def _raw(brief: dict | None) -> str | None:
    return json.dumps(brief) if brief is not None else None


def score_context(test_case: LLMTestCase) -> ScoreContext:
    metadata = test_case.metadata or {}
    if "fixture" not in metadata:
        raise ValueError(f"test case {test_case.name or test_case.input[:40]!r} has no harness fixture in its "
                         "metadata: build it with brief_test_case() or golden_test_case()")
    return ScoreContext(
        fixture=Fixture.model_validate(metadata["fixture"]), brief=metadata.get("brief"),
        raw_output=metadata.get("raw_output"), error_category=metadata.get("error_category"),
        repeat=metadata.get("repeat", 0), mask_transcript=metadata.get("mask_transcript", True))


# -- the corpus as a dataset --------------------------------------------------------------------

def golden_for(fixture: Fixture) -> Golden:
    return Golden(
        name=fixture.id,
        input=render_transcript(fixture),
        expected_output=expected_output(fixture),
        additional_metadata={"fixture_id": fixture.id,
                             "gold": fixture.expected.model_dump(mode="json", exclude_unset=True),
                             "fixture": fixture.model_dump(mode="json", exclude_unset=True)},
    )


def load_dataset(paths: Iterable[Path] = (DEFAULT_FIXTURE_DIR,)) -> EvaluationDataset:
    """The fixtures under `paths` as goldens; a corpus with problems raises ValueError naming the first ones."""
    corpus = load_corpus(list(paths))
    if corpus.problems:
        shown = "; ".join(str(problem) for problem in corpus.problems[:3])
        raise ValueError(f"{len(corpus.problems)} fixture problem(s), first: {shown}")
    return EvaluationDataset(goldens=[golden_for(fixture) for fixture in corpus.fixtures])


def fixture_of(golden: Golden) -> Fixture:
    return Fixture.model_validate((golden.additional_metadata or {})["fixture"])


def golden_test_case(golden: Golden, brief: dict | None, **options) -> LLMTestCase:
    return brief_test_case(fixture_of(golden), brief, **options)


# -- G-Eval judges ------------------------------------------------------------------------------

def judge_model(base_url: str, model: str, api_key: str | None = None, timeout_seconds: float = 120.0):
    """A judge on any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server, OpenAI)."""
    from deepeval.models import LocalModel

    # Local servers ignore the key, but the OpenAI client refuses to start without one.
    return LocalModel(model=model, base_url=base_url, api_key=api_key or "not-needed", temperature=0,
                      timeout=timeout_seconds)


def judge_from_env(environ: Mapping[str, str] = os.environ):
    """The judge named by HARNESS_JUDGE_BASE_URL and HARNESS_JUDGE_MODEL (key: HARNESS_JUDGE_API_KEY), or None."""
    base_url, model = (environ.get(name, "").strip() for name in JUDGE_ENV)
    if not base_url or not model:
        return None
    return judge_model(base_url, model, environ.get("HARNESS_JUDGE_API_KEY") or None)


def summary_faithfulness(judge, threshold: float = 0.5) -> GEval:
    """Does the brief claim only what the call supports? Fixed steps: one judge call per test case."""
    return GEval(
        name="Summary faithfulness", model=judge, threshold=threshold,
        evaluation_params=[SingleTurnParams.INPUT, SingleTurnParams.ACTUAL_OUTPUT],
        evaluation_steps=[
            "The input is a call transcript, one message per line as '[index] caller:' or '[index] assistant:'.",
            "Read the Summary and Information collected parts of the actual output: what the brief says happened.",
            "Check every claim against the transcript. A name, number, amount, date, promise or outcome the "
            "transcript does not support, or contradicts, is a hallucination.",
            "Penalise each hallucination and contradiction heavily; do not penalise brevity or wording.",
        ],
    )


def transfer_reason_quality(judge, threshold: float = 0.5) -> GEval:
    """Does the transfer reason tell the human agent concretely why the call is theirs now?"""
    return GEval(
        name="Transfer reason quality", model=judge, threshold=threshold,
        evaluation_params=[SingleTurnParams.INPUT, SingleTurnParams.ACTUAL_OUTPUT, SingleTurnParams.EXPECTED_OUTPUT],
        evaluation_steps=[
            "The input is a call transcript. Find why the caller needs a human agent at the end of the call.",
            "Judge only the 'Transfer reason' line of the actual output: it must state that reason concretely "
            "(the caller's problem and what the human has to do) in one or two sentences.",
            "The expected output is a handoff summary written by a person, or the gold labels as JSON: use it as "
            "the standard for what matters on this call.",
            "Penalise a reason that is vague ('caller asked for an agent'), wrong, misses the main issue, or "
            "mostly quotes the caller.",
        ],
    )


def judge_metrics(judge) -> list[GEval]:
    return [summary_faithfulness(judge), transfer_reason_quality(judge)]
