"""Each validation rule, on a purpose-built bad fixture."""

import json
from pathlib import Path

import pytest

from harness.fixtures.load import load_corpus
from tests.factories import fixture_dict


def write(directory: Path, name: str, data) -> Path:
    path = directory / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def problems_for(tmp_path: Path, data, name: str = "telecom-test-fixture.json") -> list[str]:
    write(tmp_path, name, data)
    return [f"{p.path}: {p.message}" for p in load_corpus([tmp_path]).problems]


def test_a_good_fixture_loads(tmp_path):
    write(tmp_path, "telecom-test-fixture.json", fixture_dict())
    corpus = load_corpus([tmp_path])
    assert corpus.problems == []
    assert [f.id for f in corpus.fixtures] == ["telecom-test-fixture"]


def test_invalid_json_names_line_and_column(tmp_path):
    assert problems_for(tmp_path, '{"id": "x",\n  "title": }') == [
        "$: invalid JSON at line 2 column 12: Expecting value"
    ]


def test_not_an_object(tmp_path):
    assert problems_for(tmp_path, "[1, 2]") == [
        "$: expected a JSON object (one fixture per file), got an array"
    ]


def test_missing_field(tmp_path):
    data = fixture_dict()
    del data["conversation"]["created_at"]
    assert problems_for(tmp_path, data) == ["$.conversation.created_at: missing required key 'created_at'"]


def test_bad_enum(tmp_path):
    data = fixture_dict()
    data["expected"]["sentiment"] = "livid"
    (problem,) = problems_for(tmp_path, data)
    assert problem.startswith("$.expected.sentiment: expected one of 'calm', 'slightly_frustrated'")
    assert problem.endswith("got 'livid'")


def test_bad_marker_type_and_domain(tmp_path):
    data = fixture_dict()
    data["expected"]["markers"][0]["type"] = "anger"
    data["domain"] = "fintech"
    problems = problems_for(tmp_path, data)
    assert [p.split(":")[0] for p in problems] == ["$.domain", "$.expected.markers[0].type"]


def test_unknown_key_names_the_allowed_keys_and_the_closest(tmp_path):
    data = fixture_dict()
    data["expected"]["sentimnet"] = data["expected"].pop("sentiment")
    (problem,) = problems_for(tmp_path, data)
    assert problem.startswith("$.expected.sentimnet: unknown key 'sentimnet'; allowed keys: caller_name,")
    assert problem.endswith("did you mean 'sentiment'?")


def test_unknown_key_inside_a_list_item(tmp_path):
    data = fixture_dict()
    data["conversation"]["messages"][2]["speaker"] = "bot"
    (problem,) = problems_for(tmp_path, data)
    assert problem == "$.conversation.messages[2].speaker: unknown key 'speaker'; allowed keys: role, content"


def test_index_out_of_range(tmp_path):
    data = fixture_dict()
    data["expected"]["markers"][1]["message"] = 6
    data["expected"]["compliance_flags"][0]["message"] = 40
    assert problems_for(tmp_path, data) == [
        "$.expected.markers[1].message: message index 6 is out of range: the conversation has 6 messages (0..5)",
        "$.expected.compliance_flags[0].message: message index 40 is out of range: "
        "the conversation has 6 messages (0..5)",
    ]


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+15551234567", "is not a valid number for its country code"),
        ("3125550142", "expected a string matching"),
        ("+1 312 555 0142", "expected a string matching"),
    ],
)
def test_bad_phone(tmp_path, number, reason):
    data = fixture_dict()
    data["conversation"]["user_id"] = number
    (problem,) = problems_for(tmp_path, data)
    assert problem.startswith("$.conversation.user_id: ") and reason in problem


def test_wrong_file_name(tmp_path):
    assert problems_for(tmp_path, fixture_dict(), name="telecom-other-name.json") == [
        "$.id: the id 'telecom-test-fixture' must equal the file name 'telecom-other-name.json'"
    ]


def test_duplicate_ids_across_directories(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        write(tmp_path / sub, "telecom-test-fixture.json", fixture_dict())
    corpus = load_corpus([tmp_path / "a", tmp_path / "b"])
    assert [(Path(p.file).parent.name, p.path) for p in corpus.problems] == [
        ("b", "$.id"),
        ("b", "$.conversation.id"),
    ]
    assert "duplicate id 'telecom-test-fixture', already used by" in corpus.problems[0].message
    assert len(corpus.fixtures) == 1


def test_duplicate_marker(tmp_path):
    data = fixture_dict()
    data["expected"]["markers"].append({"message": 5, "type": "escalation_trigger"})
    assert problems_for(tmp_path, data) == [
        "$.expected.markers[4]: duplicate marker escalation_trigger on message 5"
    ]


def test_must_not_contain_string_in_gold_information(tmp_path):
    data = fixture_dict()
    data["expected"]["must_not_contain"] = ["4111111111111111"]
    data["expected"]["information"].append({"key": "card", "value": "4111111111111111"})
    assert problems_for(tmp_path, data) == [
        "$.expected.information[1].value: contains '4111111111111111', which must_not_contain forbids in any brief"
    ]


def test_narrowed_types_must_cover_the_list(tmp_path):
    data = fixture_dict()
    data["expected"]["labelled_flag_types"] = ["legal_threat"]
    data["expected"]["labelled_marker_types"] = ["frustration"]
    del data["expected"]["markers"]
    assert problems_for(tmp_path, data) == [
        "$.expected.labelled_marker_types: labelled_marker_types narrows markers, which is not given",
        "$.expected.compliance_flags[0].type: unfulfillable_commitment is not in labelled_flag_types (legal_threat)",
    ]


def test_null_is_a_label_only_for_caller_name(tmp_path):
    data = fixture_dict()
    data["expected"] = {"caller_name": None, "sentiment": None}
    (problem,) = problems_for(tmp_path, data)
    assert problem.startswith("$.expected.sentiment: expected one of")


def test_partial_and_empty_gold_load(tmp_path):
    partial = fixture_dict("telecom-partial")
    partial["expected"] = {
        "caller_name": None,
        "compliance_flags": [],
        "labelled_flag_types": ["legal_threat"],
    }
    empty = fixture_dict("telecom-empty")
    empty["expected"] = {}
    write(tmp_path, "telecom-partial.json", partial)
    write(tmp_path, "telecom-empty.json", empty)
    corpus = load_corpus([tmp_path])
    assert corpus.problems == []
    by_id = {f.id: f.expected for f in corpus.fixtures}
    assert by_id["telecom-partial"].is_labelled("caller_name")
    assert not by_id["telecom-partial"].is_labelled("sentiment")
    assert by_id["telecom-partial"].flag_types_labelled() == {"legal_threat"}
    assert by_id["telecom-empty"].marker_types_labelled() == frozenset()


def test_not_utf8(tmp_path):
    (tmp_path / "telecom-test-fixture.json").write_bytes(b'{"id": "\xff"}')
    assert [p.message for p in load_corpus([tmp_path]).problems] == ["not UTF-8 text (bad byte at offset 8)"]


def test_missing_path_is_a_problem(tmp_path):
    corpus = load_corpus([tmp_path / "nowhere"])
    assert [p.message for p in corpus.problems] == ["no such file or directory"]
