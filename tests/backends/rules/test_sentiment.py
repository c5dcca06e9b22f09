"""Sentiment from cues that survive paraphrase, and the level at the handoff."""

from harness.backends.rules.sentiment import read_sentiment, sentiment_markers, turn_heat
from harness.backends.rules.text import Turn
from harness.contract import MarkerType, Role, SentimentLevel
from tests.backends.rules.calls import call


def heat(text: str, previous: str | None = None) -> tuple[float, frozenset[str]]:
    before = Turn(0, Role.ASSISTANT, previous) if previous else None
    return turn_heat(Turn(1, Role.USER, text), before)


def test_calm_questions_carry_no_heat():
    assert heat("ok, and when will the technician come?") == (0.0, frozenset())


def test_each_cue_family_is_recognised_in_several_phrasings():
    assert "asked for a human" in heat("can I just talk to a real person please")[1]
    assert "asked for a human" in heat("OPERATOR. get me somebody who can actually do something")[1]
    assert "repeated complaint" in heat("this is the third time I've called about this")[1]
    assert "repeated complaint" in heat("I already told you my account number")[1]
    assert "threat" in heat("if this isn't fixed I'm cancelling my service")[1]
    assert "threat" in heat("I'll be talking to my lawyer")[1]
    assert "shouting" in heat("I said I DON'T want another ticket")[1]
    assert "profanity" in heat("this is such bullshit")[1]
    assert "sarcasm" in heat("oh great, another robot, exactly what I needed")[1]
    assert "sarcasm" in heat("fantastic. a text. to the phone that has no data left")[1]


def test_an_incredulous_echo_of_what_the_assistant_said_is_heat():
    _, cues = heat("thirty days. the closing is in ten days", previous="Processing takes thirty days.")
    assert "incredulous echo" in cues


def test_owning_a_slip_is_not_frustration():
    assert heat("oh. my bad, it's the other card") == (0.0, frozenset())


def test_acronyms_are_not_shouting():
    assert "shouting" not in heat("I filed with the FCC and the BBB")[1]


def test_thanks_without_sarcasm_calms():
    value, cues = heat("oh thank you, that really helps")
    assert value == 0.0 and "calming" in cues


def test_anger_lasts_through_neutral_turns_and_lands_at_the_handoff():
    view = call(
        ("a", "How can I help?"), ("u", "my bill is wrong"),
        ("a", "I see."), ("u", "this is the THIRD time, I want a supervisor NOW, this is ridiculous"),
        ("a", "I understand."), ("u", "ok"),
        ("a", "Transferring you."), ("u", "fine"),
    )
    reading = read_sentiment(view)
    assert reading.level.rank >= SentimentLevel.FRUSTRATED.rank
    assert reading.peak is SentimentLevel.ESCALATED


def test_a_caller_who_calms_down_ends_lower_than_their_peak():
    view = call(
        ("a", "How can I help?"), ("u", "this is ridiculous, I was charged twice AGAIN, I want my money back"),
        ("a", "I've found the duplicate and refunded it."), ("u", "oh. okay, thank you, that's a relief"),
        ("a", "Anything else?"), ("u", "no that's all, thanks so much"),
    )
    reading = read_sentiment(view)
    assert reading.peak.rank - reading.level.rank >= 2
    assert reading.level is SentimentLevel.CALM
    markers = sentiment_markers(view, reading)
    assert [(m.message, m.type) for m in markers] == [
        (1, MarkerType.FRUSTRATION),
        (1, MarkerType.SENTIMENT_SHIFT),
        (3, MarkerType.SENTIMENT_SHIFT),
    ]


def test_a_call_with_no_caller_turn_is_calm():
    assert read_sentiment(call(("a", "Hello? Are you there?"))).level is SentimentLevel.CALM
