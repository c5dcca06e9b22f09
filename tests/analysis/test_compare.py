"""harness compare: paired differences with bootstrap intervals, regressed fixtures, refusals."""

import json

import numpy as np
import pytest

from harness.analysis.bootstrap import paired_bootstrap
from harness.analysis.compare import BETTER, NO_CHANGE, TOO_FEW, WORSE, CompareError, compare_runs, judge
from harness.store.aggregates import FixtureMeanRows, RunSummary, run_summary
from harness.store.results import ResultsStore
from tests.analysis.conftest import REGRESSED, invoke


def summaries(runs, base: str, candidate: str) -> tuple[RunSummary, RunSummary]:
    store = ResultsStore(runs.db, read_only=True)
    try:
        return run_summary(store.db, base), run_summary(store.db, candidate)
    finally:
        store.close()


def test_the_fixture_made_to_regress_is_named_with_what_moved(runs):
    comparison = compare_runs(*summaries(runs, "base", "one_regressed"))
    assert [c.fixture_id for c in comparison.regressed] == [REGRESSED]
    assert comparison.improved == ()
    change = comparison.regressed[0]
    assert (change.base_passes, change.base_repeats, change.candidate_passes, change.candidate_repeats) == (2, 2, 0, 2)
    assert change.reason == "missed a critical flag"
    # the gold has two critical flags (card data, commitment) and a minor one, all dropped
    assert [(m.metric, m.base, m.candidate) for m in change.moved] == [
        ("compliance.missed_critical", 0.0, 2.0), ("compliance.f1", 1.0, 0.0), ("compliance.recall", 1.0, 0.0)]
    pass_rate = comparison.metric("pass")
    assert (pass_rate.base, pass_rate.candidate, pass_rate.fixtures) == (1.0, pytest.approx(5 / 6), 6)
    assert pass_rate.difference == pytest.approx(-1 / 6)
    # one fixture in six: the interval reaches zero, so no metric can call it a trend
    assert pass_rate.low == pytest.approx(-0.5) and pass_rate.high == 0.0 and pass_rate.verdict == NO_CHANGE


def test_the_report_names_the_regressed_fixture(runs):
    result = invoke("compare", "base", "one_regressed", "--db", str(runs.db))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "regressed fixtures (pass rate fell): 1" in lines
    assert lines[lines.index("regressed fixtures (pass rate fell): 1") + 1] == (
        f"  {REGRESSED}: passes 2/2 → 0/2; moved: compliance.missed_critical 0.000 → 2.000, "
        "compliance.f1 100.0% → 0.0%, compliance.recall 100.0% → 0.0%; now: missed a critical flag")
    assert ("compliance.missed_critical            0.000    0.333     +0.333  [+0.000, +1.000]       6  "
            "no significant change") in lines


def test_identical_runs_show_no_significant_change_on_any_metric(runs):
    comparison = compare_runs(*summaries(runs, "base", "same"))
    assert len(comparison.metrics) == 35
    assert {row.verdict for row in comparison.metrics} == {NO_CHANGE}
    assert all(row.difference == row.low == row.high == 0.0 for row in comparison.metrics)
    assert (comparison.regressed, comparison.improved) == ((), ())


def test_a_change_on_every_fixture_is_significant_and_direction_aware(runs):
    worse = compare_runs(*summaries(runs, "base", "all_regressed"))
    name = worse.metric("header.caller_name")
    assert (name.difference, name.low, name.high, name.verdict) == (-1.0, -1.0, -1.0, WORSE)
    assert worse.metric("pass").verdict == WORSE
    assert len(worse.regressed) == 6
    better = compare_runs(*summaries(runs, "all_regressed", "base"))
    assert better.metric("pass").verdict == BETTER
    assert [c.fixture_id for c in better.improved] == [c.fixture_id for c in worse.regressed]
    assert better.improved[0].reason == "caller name wrong"  # why it failed before
    # lower is better for counts: a fall of the error is an improvement
    assert (judge("sentiment.abs_error", -0.5, -0.1), judge("sentiment.abs_error", 0.1, 0.5)) == (BETTER, WORSE)
    assert (judge("markers.f1", -0.5, -0.1), judge("markers.f1", -0.1, 0.1)) == (WORSE, NO_CHANGE)


def test_runs_sharing_no_fixture_are_refused(runs):
    with pytest.raises(CompareError, match=r"^runs base and disjoint share no fixtures \(6 and 1 fixtures\)"):
        compare_runs(*summaries(runs, "base", "disjoint"))
    result = invoke("compare", "base", "disjoint", "--db", str(runs.db))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("Error: cannot compare: runs base and disjoint share no fixtures (6 and 1 fixtures): "
                             "nothing to pair\n")


def test_changed_fixture_content_under_the_same_id_is_refused(runs):
    result = invoke("compare", "base", "changed", "--db", str(runs.db))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: cannot compare: runs base and changed used different content for 1 fixture "
                             f"id(s) ({REGRESSED}): a paired comparison needs identical fixtures\n")


def test_json_output_and_run_references(runs):
    result = invoke("compare", "latest~5", "one_regressed", "--db", str(runs.db), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["base"], data["candidate"], data["fixtures"]) == ("base", "one_regressed", 6)
    assert data["metrics"]["pass"]["verdict"] == NO_CHANGE and data["metrics"]["pass"]["ci95"] == [-0.5, 0.0]
    assert data["regressed"][0]["fixture"] == REGRESSED and data["improved"] == []
    unknown = invoke("compare", "base", "nope", "--db", str(runs.db))
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: 'nope': no such run in ")


def _rows(values: dict[str, dict[str, float]]) -> FixtureMeanRows:
    triples = [(f, m, v) for f, metrics in values.items() for m, v in metrics.items()]
    return FixtureMeanRows(np.array([t[0] for t in triples], dtype=object), np.array([t[1] for t in triples],
                           dtype=object), np.array([t[2] for t in triples], dtype=float), np.ones(len(triples), int))


def test_partial_gold_pairs_only_fixtures_labelled_in_both_runs():
    hashes = {"a": "1", "b": "2", "c": "3"}
    base = RunSummary("b", _rows({"a": {"pass": 1, "markers.f1": 0.5}, "b": {"pass": 1, "markers.f1": 0.7},
                                  "c": {"pass": 1}}), hashes, {})
    candidate = RunSummary("c", _rows({"a": {"pass": 1, "markers.f1": 0.9}, "b": {"pass": 1},
                                       "c": {"pass": 1, "markers.f1": 0.1}}), hashes, {})
    f1 = compare_runs(base, candidate).metric("markers.f1")
    # only fixture a has markers.f1 in both runs: one pair is no evidence of a trend
    assert (f1.base, f1.candidate, f1.fixtures, f1.verdict) == (0.5, 0.9, 1, TOO_FEW)
    assert f1.difference == pytest.approx(0.4)


def test_the_bootstrap_is_seeded_and_resamples_fixtures():
    rng = np.random.default_rng(7)
    differences = rng.normal(0.1, 0.2, size=(200, 3))
    differences[::4, 2] = np.nan  # partial gold: a metric missing on some fixtures
    first, second = paired_bootstrap(differences), paired_bootstrap(differences)
    assert np.array_equal(first.low, second.low) and np.array_equal(first.high, second.high)
    assert list(first.fixtures) == [200, 200, 150]
    # close to the normal-theory interval of a mean of 200 (or 150) fixtures
    for column in range(3):
        values = differences[:, column][~np.isnan(differences[:, column])]
        half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
        assert first.low[column] == pytest.approx(values.mean() - half, abs=0.01)
        assert first.high[column] == pytest.approx(values.mean() + half, abs=0.01)
