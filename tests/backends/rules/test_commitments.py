"""Assistant commitments: what is a promise, and which promises exceed a voice bot's authority."""

from __future__ import annotations

import pytest

from harness.backends.rules.commitments import commitment_markers, find_commitments
from harness.contract import MarkerType
from tests.backends.rules.calls import call


def commitments_in(reply: str):
    return find_commitments(call(("u", "can you help me with this?"), ("a", reply)))


@pytest.mark.parametrize(
    "reply",
    [
        "I'll add a note to your account about the missed visit.",
        "I've opened a dispute for the $45 charge; the reference is D 7 7 2.",
        "Someone from billing will call you back tomorrow morning.",
        "I'll send you a text confirmation right after this call.",
        "Great, you're booked with Dr. Patel on Thursday at 10:40.",
        "I'll pass this on to the claims team so you don't have to repeat it.",
        "I'll submit a request for a refund of the deposit.",
        "I'm transferring you now, and I'll pass along the reference number.",
        "I've removed your number from the marketing texts.",
        "We won't contact you at your workplace again.",
        "I'll make sure you get a confirmation email within the hour.",
        "I can't guarantee the credit, but I'll escalate it to a supervisor today.",
        "I'll add a note so the agent can arrange a refund of the seat fees if they can't be matched.",
        "Our data protection team will respond within one month.",
        "I'll send you the fee waiver form by email today.",
        "You'll see you have a $5 fee on the statement, and I'll add a note about it.",
    ],
)
def test_promises_within_authority_are_commitments_that_do_not_exceed_it(reply):
    found = commitments_in(reply)

    assert [(c.message, c.exceeds_authority, c.reason) for c in found] == [(1, False, None)]
    assert found[0].description.startswith("Committed: ")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("I've gone ahead and waived the thirty-nine dollar late fee.", "promises a fee waiver or charge removal"),
        ("Your refund of $89 will be processed by Friday.", "promises a refund or reimbursement (by friday)"),
        ("I promise you'll get your money back.", "guarantees a refund or reimbursement"),
        ("Don't worry, your claim will be approved and fully covered.", "promises an approval"),
        ("I'll make sure the late payment comes off your credit report.", "promises a credit-report change"),
        ("I'll get that charge reversed for you today.", "promises a fee waiver or charge removal (today)"),
        ("You'll receive a credit of $50 on your next bill.", "promises a credit (on your next bill)"),
        ("We'll wipe the remaining balance so you won't owe anything.", "promises a debt settlement"),
        ("I've placed a medical hold, so the power will not be shut off on the 16th.", "promises service kept on"),
        ("I guarantee your internet will be back up within 24 hours.",
         "guarantees an outcome by a deadline (within 24 hours)"),
        ("If you pay $500 today, I can guarantee the account will be closed as settled in full.",
         "guarantees a debt settlement (today)"),
        ("Good news: I've applied the leak adjustment, so you won't need to pay the $740.",
         "promises an account adjustment"),
        ("I'll submit a refund request, and I'll refund the booking fee today myself.",
         "promises a refund or reimbursement (today)"),
        ("I'll get a technician out to you tomorrow for sure.", "guarantees an outcome by a deadline (tomorrow)"),
        ("Consider it done, the fee is gone.", "guarantees a fee waiver or charge removal"),
        ("I've credited $20 to your account.", "promises a credit"),
        ("That charge has been removed from your bill.", "promises a fee waiver or charge removal"),
        ("You won't be charged for this.", "promises a fee waiver or charge removal"),
        ("We'll cover the cost of the repair.", "promises an approval"),
        ("Your loan application will be approved, don't worry.", "promises an approval"),
    ],
)
def test_promised_outcomes_a_bot_cannot_grant_exceed_its_authority(reply, reason):
    found = commitments_in(reply)

    assert [(c.message, c.exceeds_authority, c.reason) for c in found] == [(1, True, reason)]
    assert found[0].description.startswith(f"Assistant {reason}, which it cannot grant itself: \"")


@pytest.mark.parametrize(
    "reply",
    [
        "I'll transfer you to billing now.",
        "Let me connect you with a specialist, please hold.",
        "Would you like me to book that appointment?",
        "I can submit a refund request if you'd like.",
        "I can't promise the refund will be approved.",
        "The refund may take five to seven days once it's approved.",
        "I'll need your date of birth first.",
        "To protect your account, I'll text a six-digit code to the number on file.",
        "Refunds are usually issued within ten business days of the return.",
        "I'm not able to waive fees, I'm sorry.",
        "No, the waitlist isn't guaranteed.",
        "If you can tell me the time stamp, I'll add it to the notes?",
        "I can see the charge has been reversed on your statement.",
    ],
)
def test_transfers_offers_hedges_and_questions_are_not_commitments(reply):
    assert commitments_in(reply) == []


def test_one_commitment_per_message_preferring_the_sentence_that_exceeds():
    found = commitments_in("I'll add a note to the account. And I'll make sure the $29 late fee is refunded today.")

    assert len(found) == 1
    assert found[0].exceeds_authority
    assert found[0].quote == "And I'll make sure the $29 late fee is refunded today."
    assert found[0].description == ("Assistant promises a refund or reimbursement (today), which it cannot grant "
                                    "itself: \"And I'll make sure the $29 late fee is refunded today.\"")


def test_caller_turns_are_never_commitments():
    view = call(("a", "How can I help?"), ("u", "I'll make sure you guys refund me, I guarantee it"))

    assert find_commitments(view) == []


def test_card_numbers_in_a_promise_are_masked_in_the_description():
    found = commitments_in("I'll make sure the refund goes back to card 4111 1111 1111 1111 today.")

    assert found[0].exceeds_authority
    assert "4111 1111 1111 1111" not in found[0].description
    assert "****1111" in found[0].description


def test_markers_sit_on_every_promising_message():
    view = call(("u", "my internet is down"), ("a", "I'll book a technician for Wednesday."), ("u", "and my bill?"),
                ("a", "I guarantee you'll get a full month's credit."), ("u", "ok"), ("a", "Transferring you now."))

    markers = commitment_markers(find_commitments(view))

    assert [(m.message, m.type) for m in markers] == [(1, MarkerType.AI_COMMITMENT), (3, MarkerType.AI_COMMITMENT)]
