"""Identifiers, amounts, dates and the issue, read the way callers say them."""

from harness.backends.rules.escalation import find_escalation
from harness.backends.rules.information import extract_information, key_info_markers
from tests.backends.rules.calls import call


def facts_of(*turns):
    return [(f.key, f.value) for f in extract_information(call(*turns)) if f.kind != "issue"]


def test_a_spoken_account_number_after_its_label():
    assert facts_of(("u", "my account number is eight eight two, zero four, one one seven six")) == [
        ("account_number", "882041176")
    ]


def test_an_answer_to_the_assistants_question_needs_no_label():
    assert facts_of(("a", "Can I have the order number?"), ("u", "yeah hang on, V L, nine oh two, four four")) == [
        ("order_number", "VL90244")
    ]


def test_spelled_letters_and_dashes_in_a_code():
    assert facts_of(("u", "the claim number is C as in cat, L, dash two zero two six")) == [
        ("claim_number", "CL2026")
    ]


def test_a_zip_code_answer_is_not_an_account_number():
    assert facts_of(("a", "What's the name on the account and the billing zip code?"),
                    ("u", "Marcus Bell. zip is seven seven zero zero eight")) == []


def test_a_card_number_becomes_its_last_four_only():
    facts = facts_of(("u", "my card is four one one one one one one one one one one one one one one one"))
    assert facts == [("card_last4", "1111")]


def test_amounts_in_words_and_figures_with_their_context():
    assert facts_of(("u", "they charged me a hundred and twenty dollars"), ("a", "Your balance is $612.47.")) == [
        ("charge_amount", "$120"), ("balance_amount", "$612.47")
    ]


def test_dates_but_not_a_date_of_birth():
    assert facts_of(("a", "Can you confirm your date of birth?"), ("u", "march third, nineteen eighty"),
                    ("a", "Thanks."), ("u", "the appointment was on October 14th")) == [
        ("appointment_date", "October 14")
    ]


def test_spoken_email_and_street_address():
    assert facts_of(("u", "it's june dot alvarez at gmail dot com, and I live at 47 Quarry Lane")) == [
        ("address", "47 Quarry Lane"), ("email", "june.alvarez@gmail.com")
    ]


def test_the_issue_starts_at_the_sentence_that_states_it():
    (issue,) = [f for f in extract_information(call(
        ("a", "How can I help?"),
        ("u", "oh good, a robot. um yeah I'm calling about my bill, there's a roaming charge on it"),
    )) if f.kind == "issue"]
    assert issue.value == "um yeah I'm calling about my bill, there's a roaming charge on it"


def test_key_info_sits_on_the_caller_turns_that_gave_facts():
    view = call(("a", "How can I help?"), ("u", "I was charged twice for my order, number 5 5 0 1 2"),
                ("a", "Your balance is $40."), ("u", "ok"))
    markers = key_info_markers(extract_information(view), view)
    assert [m.message for m in markers] == [1]


def test_escalation_trigger_is_the_request_for_a_person_or_the_turn_before_a_transfer():
    asked = call(("a", "Hi"), ("u", "the bill is wrong"), ("a", "Let me check"),
                 ("u", "no, put me through to someone who can fix it"))
    assert (find_escalation(asked).trigger, find_escalation(asked).kind) == (3, "asked for a human")
    transferred = call(("a", "Hi"), ("u", "my pipe burst and water is everywhere"),
                       ("a", "I'm transferring you to our emergency team now."))
    assert (find_escalation(transferred).trigger, find_escalation(transferred).kind) == (1, "assistant transferred")
    calm = call(("a", "Hi"), ("u", "I don't need to speak to anyone, just checking my balance"))
    assert find_escalation(calm).trigger is None
