"""build_report and its parts, on runs stored with the real scorers: escaping, partial gold,
marker classes, differences between repeats, baseline deltas."""

import copy
import re
from collections import Counter

import pytest

from harness.fixtures.model import Expected, Fixture
from harness.report import build_report, load_report_data
from harness.report.cards import transcript_section
from harness.report.data import Attempt
from harness.report.gold import gold_panel
from harness.report.marks import FALSE_ALARM, HIT, MISS, UNJUDGED, brief_markers, classify_markers
from harness.report.repeats import repeat_differences
from harness.scoring.markers import match
from harness.store.results import ResultsStore
from tests.factories import fixture_dict
from tests.report.runs import corpus, rules_brief, store_run

INJECTION = "<script>document.title='pwned'</script><img src=x onerror=\"alert(1)\">"


def fixture(fixture_id: str = "telecom-test-fixture", expected: dict | None = None, **changes) -> Fixture:
    data = fixture_dict(fixture_id) | changes
    if expected is not None:
        data["expected"] = expected
    return Fixture.model_validate(data)


def brief_for(fx: Fixture, markers: dict[int, list[str]] | None = None, **changes) -> dict:
    """The rules brief of `fx`, with the transcript markers replaced by `markers` (index -> types)."""
    brief = rules_brief(fx) | changes
    if markers is not None:
        for index, message in enumerate(brief["transcript"]):
            message["markers"] = [{"type": kind, "description": f"{kind} here"} for kind in markers.get(index, [])]
    return brief


@pytest.fixture
def store(tmp_path):
    opened = ResultsStore(tmp_path / "results.duckdb")
    yield opened
    opened.close()


def report_of(store, fixtures, repeats=1, make_brief=None, baseline=None) -> str:
    store_run(store, "run-b", fixtures, repeats, make_brief or (lambda fx, r: brief_for(fx)), minutes=1)
    return build_report(load_report_data(store, "run-b", baseline))


def card_of(page: str, fixture_id: str) -> str:
    start = page.index(f'id="fx-{fixture_id}"')
    end = page.find('<details class="card"', start)
    return page[start:end if end != -1 else page.index("</section>\n</main>")]


def test_untrusted_text_is_escaped_everywhere_and_only_the_report_script_exists(store):
    data = fixture_dict()
    data["title"] = "Title <b>bold</b>"
    data["conversation"]["messages"][1]["content"] = f"hi {INJECTION} this is Maria Lopez"
    fx = Fixture.model_validate(data)
    page = report_of(store, [fx], make_brief=lambda f, r: brief_for(f, transfer_reason=f"reason {INJECTION}"))

    assert page.count("<script") == 1  # the report's own, whose hash the CSP names
    assert "<img" not in page and "<b>bold" not in page
    escaped = "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert f'<div class="content">hi {escaped} this is Maria Lopez</div>' in page
    assert f'<p class="transfer-reason">reason {escaped}</p>' in page
    assert "Title &lt;b&gt;bold&lt;/b&gt;" in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    assert "default-src 'none'" in csp and re.search(r"script-src 'sha256-[A-Za-z0-9+/]+=*';", csp)


def test_partial_gold_is_shown_as_not_labelled():
    partial = fixture(expected={"caller_name": None, "information": [{"key": "issue", "value": "charged twice"}]})
    brief = brief_for(partial)
    rows = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", gold_panel(partial.expected, brief)))

    not_labelled = '<span class="not-labelled">not labelled</span>'
    assert [name for name, value in rows.items() if value == not_labelled] == [
        "sentiment", "markers", "compliance flags", "transfer reason keywords", "must not contain", "reference"]
    assert rows["caller name"].startswith("Unknown Caller ")  # null is a label: the brief must say Unknown Caller
    assert 'class="hit"><th>issue</th><td>charged twice</td><td>found</td>' in rows["information"]


def test_partial_marker_labels_leave_other_types_unjudged():
    fx = fixture(expected={"markers": [{"message": 5, "type": "escalation_trigger"}],
                           "labelled_marker_types": ["escalation_trigger"]})
    predicted = brief_markers(brief_for(fx, markers={5: ["escalation_trigger"], 3: ["frustration"]}))
    assert [(m.message, m.type, m.status) for m in classify_markers(predicted, fx.expected)] == [
        (3, "frustration", UNJUDGED), (5, "escalation_trigger", HIT)]
    assert [m.status for m in classify_markers(predicted, fixture(expected={}).expected)] == [UNJUDGED, UNJUDGED]


def test_markers_are_hits_misses_and_false_alarms_within_one_message():
    fx = fixture()  # gold: key_info@1, identity_verified@4, ai_commitment@4, escalation_trigger@5
    brief = brief_for(fx, markers={2: ["key_info"], 4: ["identity_verified"], 5: ["frustration"]})
    marks = classify_markers(brief_markers(brief), fx.expected)
    assert [(m.message, m.type, m.status, m.predicted, m.paired_with) for m in marks] == [
        (2, "key_info", HIT, True, 1),
        (4, "identity_verified", HIT, True, None),
        (5, "frustration", FALSE_ALARM, True, None),
        (1, "key_info", HIT, False, 2),
        (4, "ai_commitment", MISS, False, None),
        (5, "escalation_trigger", MISS, False, None),
    ]

    html = transcript_section(fx, Attempt(0, brief), mask_transcript=True)
    messages = re.findall(r'<li class="message ([^"]*)">(.*?)</li>', html)
    assert [classes for classes, _ in messages] == [
        "role-assistant ", "role-user marked has-hit", "role-assistant marked has-hit", "role-user ",
        "role-assistant marked has-hit has-miss", "role-user marked has-false-alarm has-miss"]
    assert '<span class="marker hit predicted" title="predicted: key_info here">key_info <small>hit, expected at 1' \
           in messages[2][1]
    assert '<span class="marker miss expected" title="expected">ai_commitment <small>missed</small>' in messages[4][1]
    assert '<span class="marker false-alarm predicted"' in messages[5][1]
    assert "2 hits, 2 misses, 1 false alarms" in html


def test_the_pairing_agrees_with_the_markers_scorer_on_the_whole_corpus():
    checked = 0
    for fx in corpus():
        if not fx.expected.is_labelled("markers"):
            continue
        labelled = {t.value for t in fx.expected.marker_types_labelled()}
        predicted = brief_markers(rules_brief(fx))
        gold = [(m.message, m.type.value) for m in fx.expected.markers if m.type.value in labelled]
        expected_counts = match(gold, [(i, kind) for i, kind, _ in predicted if kind in labelled])
        marks = classify_markers(predicted, fx.expected)
        counts = Counter()
        for mark in marks:
            if mark.predicted and mark.status != UNJUDGED:
                counts[(mark.type, "tp" if mark.status == HIT else "fp")] += 1
            elif mark.status == MISS:
                counts[(mark.type, "fn")] += 1
        assert counts == expected_counts, fx.id
        checked += 1
    assert checked > 40


def test_repeat_differences_name_the_fields_that_differ():
    fx = fixture()
    first = brief_for(fx)
    second = copy.deepcopy(first)
    second["header"]["sentiment"]["level"] = "calm"
    second["compliance_flags"] = []
    attempts = [Attempt(0, first, scores={"pass": (1.0, "passes")}),
                Attempt(1, second, scores={"pass": (0.0, "missed a critical flag")}),
                Attempt(2, None, "timeout", "no answer")]
    level = first["header"]["sentiment"]["level"]
    markers = sorted((i, m["type"]) for i, message in enumerate(first["transcript"]) for m in message["markers"])
    assert repeat_differences(attempts) == [
        ("outcome", ["pass", "fail: missed a critical flag", "no brief: timeout"]),
        ("caller name", ["Maria Lopez", "Maria Lopez", "—"]),
        ("sentiment level", [level, "calm", "—"]),
        ("sentiment label", [first["header"]["sentiment"]["label"]] * 2 + ["—"]),
        ("transfer reason", [first["transfer_reason"]] * 2 + ["—"]),
        ("call summary", ["\n".join(f"• {s}" for s in first["call_summary"])] * 2 + ["—"]),
        ("information collected", ["\n".join(sorted(f"{i['key']}: {i['value']}"
                                                    for i in first["information_collected"]))] * 2 + ["—"]),
        ("next steps", ["\n".join(f"{s['action']} ({s['confidence']})"
                                  for s in first["suggested_next_steps"])] * 2 + ["—"]),
        ("compliance flags", ["unfulfillable_commitment", "(none)", "—"]),
        ("transcript markers", ["\n".join(f"{kind} @ {i}" for i, kind in markers)] * 2 + ["—"]),
    ]
    assert repeat_differences(attempts[:1]) == []
    assert repeat_differences([attempts[0], Attempt(1, copy.deepcopy(first), scores={"pass": (1.0, "")})]) == []


def test_one_brief_in_full_the_other_repeats_collapsed_with_their_differences(store):
    fx = fixture()

    def flaky(f, repeat):
        brief = brief_for(f)
        if repeat == 1:
            brief["header"]["caller_name"] = "Mario Lopez"
        return brief

    card = card_of(report_of(store, [fx], repeats=3, make_brief=flaky), fx.id)
    assert 'data-status="flaky"' in card and "flaky 2/3" in card
    assert "Brief · repeat 1 <small>(first failing repeat)" in card
    assert card.count('class="portal"') == 3 and card.count('<details class="other-repeat">') == 2
    assert card.count('class="transcript"') == 1
    assert "<tr><th>caller name</th><td>Maria Lopez</td><td>Mario Lopez</td><td>Maria Lopez</td></tr>" in card


def test_baseline_shows_metric_deltas_and_fixture_pass_changes(store):
    steady, broken = fixture("telecom-steady"), fixture("telecom-broken")
    store_run(store, "run-a", [steady, broken], repeats=2, make_brief=lambda f, r: brief_for(f))

    def worse(f, repeat):
        brief = brief_for(f)
        if f.id == "telecom-broken":
            brief["header"]["caller_name"] = "Somebody Else"
        return brief

    page = report_of(store, [steady, broken], repeats=2, make_brief=worse, baseline="run-a")
    pass_row = re.search(r"<tr><td>pass</td>.*?</tr>", page)[0]
    assert pass_row.endswith('<td class=num>100.0%</td><td class="num delta worse">-50.0 pts</td></tr>')
    assert '<td>header.caller_name</td><td class=num>50.0%</td>' in page
    assert "2 shared fixtures: 1 regressed, 0 improved, 1 unchanged." in page
    assert '<li class="worse"><a href="#fx-telecom-broken">telecom-broken</a> 2/2 → 0/2 pass</li>' in page
    broken_card = card_of(page, "telecom-broken")
    assert 'data-change="regressed"' in broken_card and "regressed 2/2 → 0/2" in broken_card
    assert page.index('id="fx-telecom-broken"') < page.index('id="fx-telecom-steady"')  # regressions first
    assert "Baseline</h2>" in page and "regressed" not in card_of(page, "telecom-steady")

    alone = build_report(load_report_data(store, "run-b"))
    assert "<th class=num>baseline</th>" not in alone and 'id="pass-changes"' not in alone


def test_a_failed_generation_gets_a_card_with_its_error(store):
    fx = fixture()
    card = card_of(report_of(store, [fx], make_brief=lambda f, r: None), fx.id)
    assert '<div class="error-box"><strong>No brief: timeout</strong><p>no answer in 60 s</p></div>' in card
    assert "fail 0/1" in card and 'class="transcript"' in card  # the source transcript, without markers


def test_a_fixture_without_generations_says_the_run_was_interrupted(store):
    first, second = fixture("telecom-done"), fixture("telecom-never-ran")
    store_run(store, "run-b", [first, second])
    store.db.execute("DELETE FROM generations WHERE fixture_id = 'telecom-never-ran'")
    store.db.execute("DELETE FROM scores WHERE fixture_id = 'telecom-never-ran'")
    card = card_of(build_report(load_report_data(store, "run-b")), "telecom-never-ran")
    assert "fail 0/0" in card and "no generation stored for this fixture (an interrupted run" in card
    assert 'class="transcript"' not in card


def test_the_report_names_an_expected_partial_gold_fixture_from_the_corpus(store):
    partial = [f for f in corpus() if "production-sample" in f.tags][:2]
    unlabelled = [f for f in corpus() if not f.expected.model_fields_set][:1]
    page = report_of(store, partial + unlabelled, make_brief=lambda f, r: rules_brief(f))
    assert page.count('<details class="card"') == 3
    assert card_of(page, unlabelled[0].id).count("not labelled</span>") == 8


def test_expected_has_no_label_means_every_gold_row_not_labelled():
    rows = re.findall(r"<dd>(.*?)</dd>", gold_panel(Expected(), None))
    assert rows == ['<span class="not-labelled">not labelled</span>'] * 8
