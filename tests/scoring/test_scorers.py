"""Each scorer on hand-made briefs where the right value is known exactly."""

import copy

import pytest

from harness.fixtures.model import Fixture
from harness.scoring import score_generation
from harness.scoring.base import RepeatSet, ScoreContext
from harness.scoring.consistency import consistency_scores
from harness.scoring.information import grounded, recalled
from tests.factories import fixture_dict, portal_dict


def make_fixture(**expected_changes) -> Fixture:
    data = fixture_dict()
    data["expected"].update(expected_changes)
    return Fixture.model_validate(data)


def make_brief(markers: dict[int, list[str]] | None = None, flags: list[str] | None = None, **changes) -> dict:
    """A valid brief for the factory conversation (6 messages), with markers by message index."""
    brief = portal_dict()
    messages = fixture_dict()["conversation"]["messages"]
    brief["transcript"] = [
        {"role": m["role"], "content": m["content"], "markers": [{"type": t, "description": "x"}
                                                                 for t in (markers or {}).get(i, [])]}
        for i, m in enumerate(messages)
    ]
    brief["header"]["call_duration_seconds"] = 95
    brief["compliance_flags"] = [{"type": t, "description": "x"} for t in (flags or [])]
    brief.update(changes)
    return brief


def scores_of(fixture: Fixture, brief: dict | None, **context) -> dict[str, float | None]:
    return {s.metric: s.value for s in score_generation(ScoreContext(fixture, brief, raw_output="{}", **context))}


GOLD_MARKERS = {1: ["key_info"], 4: ["identity_verified", "ai_commitment"], 5: ["escalation_trigger"]}


def test_a_perfect_brief_scores_full_marks_and_passes():
    scores = scores_of(make_fixture(), make_brief(GOLD_MARKERS, ["unfulfillable_commitment"]))
    assert scores["schema.valid"] == scores["sections.ok"] == scores["enums.valid"] == 1.0
    assert scores["header.caller_name"] == scores["header.phone"] == scores["header.duration"] == 1.0
    assert scores["markers.f1"] == scores["compliance.f1"] == 1.0
    assert scores["transcript.match"] == scores["privacy.clean"] == 1.0
    assert scores["pass"] == 1.0


def test_a_marker_one_message_off_counts_and_two_off_does_not():
    one_off = {2: ["key_info"], 4: ["identity_verified", "ai_commitment"], 5: ["escalation_trigger"]}
    two_off = {3: ["key_info"], 4: ["identity_verified", "ai_commitment"], 5: ["escalation_trigger"]}
    assert scores_of(make_fixture(), make_brief(one_off))["markers.recall"] == 1.0
    two = scores_of(make_fixture(), make_brief(two_off))
    assert (two["markers.precision"], two["markers.recall"]) == (0.75, 0.75)
    assert two["markers.key_info.fn"] == two["markers.key_info.fp"] == 1.0


def test_an_exact_match_is_never_stolen_by_a_neighbour():
    fixture = make_fixture(markers=[{"message": 1, "type": "frustration"}, {"message": 2, "type": "frustration"}])
    scores = scores_of(fixture, make_brief({1: ["frustration"], 3: ["frustration"]}))
    assert scores["markers.recall"] == 1.0  # 1 exact, 3 is one off from 2


def test_markers_on_the_wrong_speaker_are_counted_without_gold():
    fixture = make_fixture()
    wrong = make_brief({1: ["ai_commitment"], 4: ["frustration", "identity_verified"]})
    assert scores_of(fixture, wrong)["markers.wrong_speaker"] == 2.0


def test_labelled_marker_types_narrow_what_counts_as_a_false_alarm():
    fixture = make_fixture(markers=[{"message": 5, "type": "escalation_trigger"}],
                           labelled_marker_types=["escalation_trigger"])
    scores = scores_of(fixture, make_brief({5: ["escalation_trigger"], 2: ["frustration"]}))
    assert (scores["markers.precision"], scores["markers.recall"]) == (1.0, 1.0)


def test_compliance_missed_critical_and_false_alarms():
    fixture = make_fixture(compliance_flags=[{"type": "unfulfillable_commitment"}, {"type": "legal_threat"}])
    scores = scores_of(fixture, make_brief(GOLD_MARKERS, ["legal_threat", "data_rights_request"]))
    assert scores["compliance.missed_critical"] == 1.0
    assert scores["compliance.false_alarms"] == 1.0
    assert (scores["compliance.precision"], scores["compliance.recall"]) == (0.5, 0.5)
    assert scores["pass"] == 0.0


def test_no_flag_expected_and_none_raised_is_full_agreement():
    fixture = make_fixture(compliance_flags=[])
    scores = scores_of(fixture, make_brief(GOLD_MARKERS))
    assert scores["compliance.f1"] == 1.0 and scores["compliance.precision"] is None


def test_caller_name_is_normalised_and_null_gold_means_unknown_caller():
    brief = make_brief(GOLD_MARKERS)
    brief["header"]["caller_name"] = "  maría   LÓPEZ "
    assert scores_of(make_fixture(caller_name="Maria Lopez"), brief)["header.caller_name"] == 1.0
    brief["header"]["caller_name"] = "Unknown Caller"
    assert scores_of(make_fixture(caller_name=None), brief)["header.caller_name"] == 1.0
    assert scores_of(make_fixture(caller_name="Maria Lopez"), brief)["header.caller_name"] == 0.0


@pytest.mark.parametrize(("level", "exact", "within", "error"),
                         [("frustrated", 1, 1, 0), ("angry", 0, 1, 1), ("calm", 0, 0, 2), ("escalated", 0, 0, 2)])
def test_sentiment_exact_within_one_and_ordinal_error(level, exact, within, error):
    brief = make_brief(GOLD_MARKERS)
    brief["header"]["sentiment"]["level"] = level
    scores = scores_of(make_fixture(sentiment="frustrated"), brief)
    assert (scores["sentiment.exact"], scores["sentiment.within_one"], scores["sentiment.abs_error"]) == \
        (exact, within, error)


def test_information_recall_normalises_values_and_masks():
    assert recalled("4471229", ["447-1229"])
    assert recalled("1111", ["****1111"])
    assert recalled("4111111111111111", ["card ending ****1111"])
    assert recalled("2026-10-02", ["October 2"])
    assert recalled("Internet outage since Thursday, technician no-show",
                    ["outage since thursday and the technician was a no-show"])
    assert not recalled("4471229", ["4471228"])


def test_an_invented_account_number_is_ungrounded():
    transcript = "my account is four four seven one, two two nine. they charged me a hundred and twenty dollars"
    assert grounded("4471229", transcript)
    assert grounded("$120", transcript)
    assert not grounded("9988776", transcript)
    fixture = make_fixture(information=[{"key": "account_number", "value": "4471229"}])
    brief = make_brief(GOLD_MARKERS, information_collected=[{"key": "account_number", "value": "5550199"},
                                                            {"key": "issue", "value": "charged twice"}])
    scores = scores_of(fixture, brief)
    assert scores["information.grounding"] == 0.5
    assert scores["information.recall"] == 0.0


def test_transcript_must_reproduce_the_source():
    brief = make_brief(GOLD_MARKERS)
    altered = copy.deepcopy(brief)
    altered["transcript"][2]["content"] = "paraphrased"
    assert scores_of(make_fixture(), brief)["transcript.match"] == 1.0
    assert scores_of(make_fixture(), altered)["transcript.match"] == 0.0


def test_privacy_catches_must_not_contain_and_card_numbers_in_generated_fields():
    fixture = make_fixture(must_not_contain=["hunter22"])
    brief = make_brief(GOLD_MARKERS, transfer_reason="password hunter22; card 4111 1111 1111 1111")
    scores = scores_of(fixture, brief)
    assert scores["privacy.clean"] == 0.0 and scores["privacy.leaks"] == 2.0 and scores["pass"] == 0.0
    masked = make_brief(GOLD_MARKERS, transfer_reason="card ending ****1111")
    assert scores_of(fixture, masked)["privacy.clean"] == 1.0


def test_a_failed_generation_scores_zero_and_fails():
    scores = {s.metric: s.value for s in score_generation(
        ScoreContext(make_fixture(), None, raw_output="{not json", error_category="invalid_json"))}
    assert scores["schema.parsed"] == 0.0 and scores["schema.valid"] == 0.0 and scores["sections.ok"] == 0.0
    assert scores["pass"] == 0.0


def test_unlabelled_gold_is_not_counted_and_does_not_fail_the_pass_rule():
    data = fixture_dict()
    data["expected"] = {}
    fixture = Fixture.model_validate(data)
    brief = make_brief(GOLD_MARKERS)
    brief["header"]["caller_name"] = "Somebody Else"
    scores = scores_of(fixture, brief)
    for metric in ("header.caller_name", "sentiment.exact", "markers.f1", "compliance.f1", "information.recall"):
        assert scores[metric] is None, metric
    assert scores["information.grounding"] is not None and scores["privacy.clean"] == 1.0
    assert scores["pass"] == 1.0


def test_consistency_across_repeats():
    fixture = make_fixture()
    a = make_brief(GOLD_MARKERS, ["legal_threat"])
    b = make_brief({1: ["key_info"]}, ["legal_threat", "unfulfillable_commitment"])
    b["header"]["sentiment"]["level"] = "calm"
    scores = {s.metric: s.value for s in consistency_scores(RepeatSet(fixture, [a, a, b], [True, True, False]))}
    assert scores["consistency.sentiment_agreement"] == pytest.approx(2 / 3)
    assert scores["consistency.name_agreement"] == 1.0
    # pairs: (a,a)=1, (a,b)=1/4, (a,b)=1/4 -> mean 0.5
    assert scores["consistency.marker_jaccard"] == pytest.approx(0.5)
    assert scores["consistency.flag_jaccard"] == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert (scores["consistency.pass_at_k"], scores["consistency.pass_all_k"]) == (1.0, 0.0)
    single = {s.metric: s.value for s in consistency_scores(RepeatSet(fixture, [a], [True]))}
    assert single["consistency.sentiment_agreement"] is None and single["consistency.pass_all_k"] == 1.0


def test_schema_errors_are_found_inside_and_outside_the_transcript():
    from harness.scoring.schema import portal_errors

    brief = make_brief(GOLD_MARKERS)
    assert portal_errors(brief) == []
    brief["call_summary"] = ["only one"]
    brief["transcript"][3]["role"] = "agent"
    brief["transcript"][4]["markers"].append({"type": "anger", "description": "x"})
    paths = [path for path, _ in portal_errors(brief)]
    assert paths == ["$.call_summary", "$.transcript[3].role", "$.transcript[4].markers[2].type"]
    scores = scores_of(make_fixture(), brief)
    assert scores["schema.valid"] == 0.0 and scores["pass"] == 0.0


def test_schema_errors_per_list_item_are_exactly_the_full_validators():
    """Items are validated one by one with cached verdicts: the errors must be the ones validating
    the whole brief against the checked-in schema gives, wherever they are."""
    import json
    from pathlib import Path

    import jsonschema

    from harness.schemas import inline_refs
    from harness.scoring.schema import portal_errors

    schema = json.loads(Path("schemas/agent_assist_portal.schema.json").read_text())
    full = jsonschema.Draft202012Validator(inline_refs(schema))
    brief = make_brief(GOLD_MARKERS)
    brief["call_summary"][1] = 7
    brief["information_collected"] = [{"key": "order_number", "value": 123}, {"key": "x"}]
    brief["suggested_next_steps"][0]["confidence"] = "certain"
    brief["compliance_flags"] = [{"type": "not_a_type", "description": "x", "message_index": None}]
    brief["transcript"][2]["content"] = None
    expected = sorted((e.json_path, e.message) for e in full.iter_errors(brief))
    assert len(expected) >= 5
    assert portal_errors(brief) == expected
    assert portal_errors(copy.deepcopy(brief)) == expected  # the cached verdicts give the same answer
