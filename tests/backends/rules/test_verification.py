"""Identity verification: asks, passes, failures, disclosures, on hand-written calls."""

from __future__ import annotations

import pytest

from harness.backends.rules.verification import VerificationState, identity_markers, track_verification
from harness.contract import MarkerType
from tests.backends.rules.calls import call

GREETING = ("a", "Thanks for calling Northwind Bank, this call may be recorded. How can I help?")


# --- passes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "answer", "confirmation", "method"),
    [
        ("Before I look at the account, can I have your date of birth?", "uh march third eighty one",
         "Thanks, you're verified.", "date of birth"),
        ("Could you give me the last four of your social security number?", "it's four four one two",
         "Thanks, that matches.", "SSN"),
        ("What's the answer to your security question, your mother's maiden name?", "kowalski",
         "Perfect, that's all confirmed.", "security question"),
        ("For security, please tell me your four-digit PIN.", "one nine eight two",
         "Thank you, I've been able to verify your identity.", "PIN"),
        ("To verify, what's the billing zip code on the account?", "zip is oh two one three nine",
         "Great, that matches our records, so we're all set.", "ZIP/postcode"),
        ("Can you confirm the email address on the account?", "jo dot kim at gmail dot com",
         "Thank you, your identity has been confirmed.", "email on file"),
        ("What's your date of birth?", "jan 3 1980", "Great, I've got you verified.", "date of birth"),
        ("Can you read me the six-digit code I just texted you?", "four four one nine two two",
         "Thanks, you've been authenticated.", "one-time code"),
        ("And what's your ZIP code?", "six oh six one four", "Thank you, that's correct.", "ZIP/postcode"),
    ],
)
def test_a_confirmed_answer_passes_verification_at_the_confirming_message(ask, answer, confirmation, method):
    view = call(GREETING, ("u", "hi i have a question about a charge"), ("a", ask), ("u", answer),
                ("a", confirmation + " What can I do for you?"))

    result = track_verification(view)

    assert result.state is VerificationState.PASSED
    assert result.verified_at == 4
    assert result.asked_at == [2]
    assert result.failed_at is None
    assert method in result.methods
    assert result.disclosures_before_verification == []


def test_a_disclosure_after_the_pass_in_the_same_message_is_not_before_verification():
    view = call(GREETING, ("u", "whats my balance"), ("a", "Sure. What's your date of birth?"),
                ("u", "june 2 1990"), ("a", "Thanks, you're verified. Your balance is $512.20, due on October 5th."))

    result = track_verification(view)

    assert result.state is VerificationState.PASSED
    assert result.disclosures == [4]
    assert result.disclosures_before_verification == []


def test_a_soft_match_followed_by_another_question_is_only_one_step():
    view = call(
        GREETING, ("u", "i want to cancel"), ("a", "What's the billing ZIP code?"), ("u", "nine eight four oh five"),
        ("a", "Thanks, that one matches. Last step: what's the answer to your security question?"),
        ("u", "um lincoln elementary?"), ("a", "I'm sorry, that doesn't match what we have on file."),
    )

    result = track_verification(view)

    assert result.state is VerificationState.FAILED
    assert result.verified_at is None
    assert result.failed_at == 6
    assert result.asked_at == [2, 4]


def test_a_conditional_is_not_a_pass():
    view = call(GREETING, ("u", "can you help with my bill"),
                ("a", "Once your identity is verified I can look at the bill. What's your date of birth?"),
                ("u", "i'd rather not say"))

    result = track_verification(view)

    assert result.verified_at is None
    assert result.asked_at == [2]


def test_a_retry_that_then_matches_ends_passed_with_no_failure():
    view = call(GREETING, ("u", "hi"), ("a", "Can I have your date of birth?"), ("u", "may fourth 1980"),
                ("a", "That date doesn't match our records. Could you try again?"), ("u", "oh sorry, may 14th"),
                ("a", "Thanks, that matches. You're all set."))

    result = track_verification(view)

    assert result.state is VerificationState.PASSED
    assert result.verified_at == 6
    assert result.failed_at is None


# --- failures --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        "I'm sorry, I wasn't able to verify your identity with that information.",
        "Unfortunately I can't verify you, so I can't discuss the account.",
        "Hmm, that doesn't line up with what we have, so I'm unable to verify the account.",
        "Sorry, that's not the date we have on file.",
        "Hmm, that's not matching what I have.",
        "I'm sorry, that's incorrect.",
    ],
)
def test_an_explicit_failure_after_an_attempt_fails_verification(failure):
    view = call(GREETING, ("u", "there's a charge i don't know"), ("a", "What's the zip code on the account?"),
                ("u", "zero three one oh one"), ("a", failure))

    result = track_verification(view)

    assert result.state is VerificationState.FAILED
    assert result.failed_at == 4


def test_a_caller_who_cannot_answer_fails_when_the_assistant_moves_on():
    view = call(GREETING, ("u", "i need to freeze my card"),
                ("a", "Sure. What's the answer to your security question, the name of your first pet?"),
                ("u", "oh god i don't remember, i set that up years ago"),
                ("a", "No problem, I'll connect you with our fraud team."))

    result = track_verification(view)

    assert result.state is VerificationState.FAILED
    assert result.failed_at == 4


def test_a_policy_statement_before_any_question_is_not_a_failure():
    view = call(GREETING, ("u", "whats my balance"),
                ("a", "I can't discuss the account without verifying you first."), ("u", "ok never mind, bye"))

    result = track_verification(view)

    assert result.failed_at is None
    assert result.state is VerificationState.NOT_NEEDED


def test_later_refusals_keep_the_first_final_failure():
    view = call(GREETING, ("u", "hi"), ("a", "What's your date of birth?"), ("u", "1/1/70"),
                ("a", "I'm sorry, I'm not able to verify you with that."), ("u", "so freeze my card"),
                ("a", "I can't freeze the card without verification."))

    assert track_verification(view).failed_at == 4


# --- disclosures and the remaining states ---------------------------------------------------------------


@pytest.mark.parametrize(
    "disclosure",
    [
        "I see your balance is three hundred twelve dollars and forty cents.",
        "I've found the account. The available balance is $3,218.40.",
        "I can see her metformin 500 milligram prescription has no refills left.",
        "You have an appointment with Dr. Lee on Thursday the 12th at 3 p.m.",
        "The address on file is 22 Oak Street, apartment 4.",
        "I've located your policy. The premium of $84 is past due.",
        "It shows a payment of $45 to Comcast on March 3rd.",
        "That's a Visa account ending in 4471 with a balance of $2,300.",
        "The card on file ends in 9931.",
        "You're scheduled for a colonoscopy on the 14th.",
    ],
)
def test_account_details_given_to_an_unverified_caller_are_disclosures(disclosure):
    view = call(GREETING, ("u", "hi can you tell me whats going on with the account"), ("a", disclosure))

    result = track_verification(view)

    assert result.state is VerificationState.SKIPPED
    assert result.disclosures_before_verification == [2]
    assert result.disclosures == [2]


@pytest.mark.parametrize(
    "reply",
    [
        "I have the card ending in 4412. Which charge is it?",  # a read-back of what the caller said
        "Customers can usually avoid the late fee by paying before the 5th.",  # general information
        "We have a standard suite open from November 25th to 30th at $58 a night.",  # no account behind it
        "I see. Let me find out what happened.",
        "Which card was declined?",
    ],
)
def test_read_backs_general_information_and_questions_are_not_disclosures(reply):
    view = call(GREETING, ("u", "my card ending four four one two got declined for fifty dollars"), ("a", reply))

    assert track_verification(view).disclosures == []


def test_a_record_found_by_date_of_birth_without_confirmation_is_skipped_verification():
    # Looking a record up is not confirming who is calling: the assistant never says it matched.
    view = call(GREETING, ("u", "i'm calling about my results"), ("a", "Can I have your date of birth?"),
                ("u", "feb 12 1944"), ("a", "I found your record. Your blood test on October 6th showed high potassium."))

    result = track_verification(view)

    assert result.state is VerificationState.SKIPPED
    assert result.disclosures_before_verification == [4]


def test_a_call_with_nothing_account_specific_needs_no_verification():
    view = call(GREETING, ("u", "is the power out on elm street?"),
                ("a", "Yes, there's an outage reported in your area. Crews are on the way."), ("u", "ok thanks"))

    result = track_verification(view)

    assert result.state is VerificationState.NOT_NEEDED
    assert result.asked_at == []
    assert result.disclosures == []


def test_a_caller_who_never_answers_leaves_verification_not_needed():
    view = call(GREETING, ("u", "my flight got cancelled"), ("a", "Can I have the last name and date of birth?"),
                ("a", "Are you still there?"))

    result = track_verification(view)

    assert result.state is VerificationState.NOT_NEEDED
    assert result.asked_at == [2]


# --- markers ---------------------------------------------------------------------------------------------


def test_identity_marker_sits_on_the_confirming_message_and_names_the_method():
    view = call(GREETING, ("u", "hi"), ("a", "What's your date of birth and ZIP code?"), ("u", "3/3/81, 60614"),
                ("a", "Thank you, you're verified."))

    markers = identity_markers(track_verification(view))

    assert [(m.message, m.type) for m in markers] == [(4, MarkerType.IDENTITY_VERIFIED)]
    assert markers[0].description == "Caller's identity verified with date of birth, ZIP/postcode."


def test_no_identity_marker_without_a_pass():
    view = call(GREETING, ("u", "hi"), ("a", "What's your date of birth?"), ("u", "no idea"),
                ("a", "That doesn't match, I'm sorry."))

    assert identity_markers(track_verification(view)) == []
