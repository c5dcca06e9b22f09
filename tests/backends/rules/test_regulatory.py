"""Compliance flags for every type of the taxonomy, on short hand-written calls."""

from __future__ import annotations

import pytest

from harness.backends.rules.commitments import find_commitments
from harness.backends.rules.parties import detect_third_party
from harness.backends.rules.regulatory import compliance_flags
from harness.backends.rules.verification import track_verification
from harness.contract import ComplianceType as T
from tests.backends.rules.calls import call

NOTICE = ("a", "Thanks for calling Acme. This call may be recorded. I'm a virtual assistant, how can I help?")


def flags(*turns):
    view = call(*turns)
    return compliance_flags(view, track_verification(view), detect_third_party(view), find_commitments(view))


def flagged(*turns) -> dict[T, int | None]:
    return {flag.type: flag.message for flag in flags(*turns)}


# --- sensitive_data_unverified ---------------------------------------------------------------------------


def test_account_details_before_verification_are_flagged_at_the_disclosure():
    result = flags(NOTICE, ("u", "hey my bill is way higher this month"), ("a", "What's the mobile number?"),
                   ("u", "nine one seven five five five oh one nine one"),
                   ("a", "Thanks. I see the account for Kevin. Your current bill is $214.37."))

    assert [(f.type, f.message) for f in result] == [(T.SENSITIVE_DATA_UNVERIFIED, 4)]
    assert "before the caller's identity was verified" in result[0].description


def test_details_after_a_failed_verification_are_flagged():
    assert flagged(NOTICE, ("u", "what's this about"), ("a", "Can you confirm your date of birth?"),
                   ("u", "march ninth eighty seven"),
                   ("a", "I'm sorry, I wasn't able to verify you. The account shows a past-due balance of $1,842."),
                   ) == {T.SENSITIVE_DATA_UNVERIFIED: 4}


def test_details_after_verification_are_fine():
    assert flagged(NOTICE, ("u", "what's my balance"), ("a", "Sure, what's your date of birth and ZIP code?"),
                   ("u", "may 5 1980, 60614"), ("a", "Thanks, you're verified. Your balance is $512.20.")) == {}


def test_taking_a_card_from_a_caller_who_failed_verification_is_flagged():
    result = flags(NOTICE, ("u", "I want to pay my bill"), ("a", "What's the ZIP code on the account?"),
                   ("u", "nine eight three six one"), ("a", "I'm sorry, that doesn't match, so I can't verify you."),
                   ("u", "just take the payment"), ("a", "Okay, go ahead with the card number."),
                   ("u", "it's 4111 1111 1111 1111"))

    assert {f.type: f.message for f in result} == {T.SENSITIVE_DATA_UNVERIFIED: 7, T.PAYMENT_CARD_DATA_EXPOSED: 7}
    assert result[0].description == ("Assistant asked for and took the caller's card number (****1111) although "
                                     "verification had failed.")


def test_no_description_quotes_a_card_number_even_one_that_fails_luhn():
    # 4716 2290 0831 7703 is not Luhn-valid, so privacy.mask_sensitive alone would leave it.
    result = flags(("a", "Hi, how can I help?"), ("u", "I'll sue you if this card 4716 2290 0831 7703 is charged"))

    assert [f.type for f in result] == [T.PAYMENT_CARD_DATA_EXPOSED, T.LEGAL_THREAT]
    assert all("2290" not in f.description and "4716" not in f.description for f in result)
    assert "****7703" in result[1].description


# --- payment_card_data_exposed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller",
    [
        "ok it's 4111 1111 1111 1111, expires oh nine twenty eight",
        "it's four one one one, one one one one, one one one one, one one one one",
        "visa, 4716 2290 0831 7703",  # one digit misread (fails Luhn) is still a card read aloud
        "the card number is five four two five two three three four three zero one zero nine nine zero three",
    ],
)
def test_a_full_card_number_read_aloud_is_flagged_and_masked(caller):
    result = flags(NOTICE, ("u", "I need to pay"), ("a", "Sure, which card would you like to use?"), ("u", caller))

    assert [(f.type, f.message) for f in result] == [(T.PAYMENT_CARD_DATA_EXPOSED, 3)]
    assert "Caller read a full card number (****" in result[0].description
    assert "1111 1111" not in result[0].description


def test_a_security_code_given_when_asked_is_flagged():
    assert flagged(NOTICE, ("u", "paying by card"), ("a", "And the three-digit security code on the back?"),
                   ("u", "it's three one seven")) == {T.PAYMENT_CARD_DATA_EXPOSED: 3}


@pytest.mark.parametrize(
    "caller",
    [
        "the last four is four four one two",
        "my number is three one two, five five five, oh one four two",
        "account number's zero zero six four four eight one nine two seven",
        "order BW dash seven seven four oh nine one",
    ],
)
def test_last_fours_phone_account_and_order_numbers_are_not_card_data(caller):
    assert T.PAYMENT_CARD_DATA_EXPOSED not in flagged(NOTICE, ("u", caller))


# --- third_party_disclosure ------------------------------------------------------------------------------


def test_account_details_told_to_a_relative_are_flagged():
    result = flags(NOTICE, ("u", "hi I'm calling about my mom's account, there's a shutoff notice"),
                   ("a", "Could you read me the account number?"), ("u", "three three oh eight five one two"),
                   ("a", "I have the account for Grace at 88 Linden Court. The past-due balance is $612.47."))

    assert {f.type: f.message for f in result} == {T.SENSITIVE_DATA_UNVERIFIED: 4, T.THIRD_PARTY_DISCLOSURE: 4}
    third = next(f for f in result if f.type is T.THIRD_PARTY_DISCLOSURE)
    assert "(mother)" in third.description


def test_a_relative_told_nothing_specific_is_not_flagged():
    assert flagged(NOTICE, ("u", "I'm calling for my dad, he got a letter from you"),
                   ("a", "I can only discuss the account with the account holder or someone authorized on it."),
                   ("u", "ok I'll have him call")) == {}


def test_a_relative_confirmed_as_authorised_is_not_a_third_party_disclosure():
    result = flagged(NOTICE, ("u", "I'm calling about my mother's account, I'm her daughter"),
                     ("a", "I can see you're listed as an authorized user on the account."),
                     ("u", "great, what's the balance"), ("a", "The balance on the account is $80."))

    assert T.THIRD_PARTY_DISCLOSURE not in result


# --- unfulfillable_commitment ----------------------------------------------------------------------------


def test_a_guaranteed_refund_is_flagged_but_a_transfer_is_not():
    assert flagged(NOTICE, ("u", "the couch came broken"), ("a", "I guarantee the refund will be back on your card "
                   "within 48 hours."), ("u", "ok"), ("a", "I'll transfer you to returns now.")) == {
        T.UNFULFILLABLE_COMMITMENT: 2}


def test_within_authority_promises_are_not_flagged():
    assert flagged(NOTICE, ("u", "the couch came broken"), ("a", "I'll add a note and ask the returns team to review "
                   "the refund."), ("u", "ok"), ("a", "I'll transfer you to returns now.")) == {}


# --- missing_mini_miranda --------------------------------------------------------------------------------

COLLECTOR = ("a", "Thank you for calling Summit Recovery Services. This call is recorded. I'm an automated "
                  "assistant. Who am I speaking with?")


@pytest.mark.parametrize(
    "about_the_debt",
    [
        "This account was placed with us by Gulf Coast Hospital in July.",
        "The original creditor was Verity Bank and the debt is now with our office.",
        "We're a licensed collection agency, and I can set up a payment plan on this debt.",
    ],
)
def test_a_collection_call_without_the_disclosure_is_flagged_at_the_first_assistant_message(about_the_debt):
    result = flagged(COLLECTOR, ("u", "I got a letter from you"), ("a", about_the_debt))

    assert result[T.MISSING_MINI_MIRANDA] == 0


@pytest.mark.parametrize(
    "disclosure",
    [
        "This is an attempt to collect a debt and any information obtained will be used for that purpose.",
        "Summit Recovery is a debt collector, and information you provide may be used for this purpose.",
        "I'm required to tell you that we are attempting to collect a debt.",
    ],
)
def test_a_collection_call_with_the_disclosure_is_not_flagged(disclosure):
    result = flagged(COLLECTOR, ("u", "I got a letter from you"), ("a", disclosure),
                     ("a", "This account was placed with us by Gulf Coast Hospital."))

    assert T.MISSING_MINI_MIRANDA not in result


def test_a_past_due_utility_bill_is_not_a_debt_collection_call():
    assert T.MISSING_MINI_MIRANDA not in flagged(
        NOTICE, ("u", "I got a disconnect notice"),
        ("a", "You can avoid disconnection by paying the past-due amount or setting up a payment arrangement."))


# --- recording_consent_missing ---------------------------------------------------------------------------

NO_NOTICE = ("a", "Hi, you've reached Crestline. I'm the virtual assistant. What's going on today?")


@pytest.mark.parametrize(
    "turns",
    [
        [("u", "is this call being recorded?"), ("a", "Yes, it is.")],
        [("u", "my power's out"), ("a", "I'll attach the recording of this call to your outage ticket.")],
        [("u", "can I cancel"), ("a", "I've noted your cancellation request on the recording.")],
        [("u", "hold on, are you recording this?"), ("a", "Calls are recorded for quality and training.")],
    ],
)
def test_a_recorded_call_without_an_opening_notice_is_flagged_at_the_greeting(turns):
    result = flags(NO_NOTICE, *turns)

    assert [(f.type, f.message) for f in result] == [(T.RECORDING_CONSENT_MISSING, 0)]


@pytest.mark.parametrize(
    "turns",
    [
        [NOTICE, ("u", "is this call being recorded?"), ("a", "Yes, calls may be recorded for quality.")],
        [("a", "Hi, you've reached Crestline."), ("u", "hi"), ("a", "Just so you know, we record calls for quality.")],
        [NO_NOTICE, ("u", "I'm recording this call, by the way")],
        [NO_NOTICE, ("u", "I want it on record that you said that")],
        [NO_NOTICE, ("u", "is this call being recorded?"), ("a", "No, this call isn't recorded.")],
        [NO_NOTICE, ("u", "my power is out on elm street"), ("a", "I'm sorry, I've reported the outage.")],
    ],
)
def test_no_recording_flag_with_a_notice_or_without_a_recording(turns):
    assert T.RECORDING_CONSENT_MISSING not in flagged(*turns)


# --- ai_identity_not_disclosed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "reply", "verdict"),
    [
        ("wait, are you a real person?", "Yes, I'm a real person, how can I help?", "claimed to be human"),
        ("am I talking to a human or a bot", "I'm a customer care specialist here at Acme.", "claimed to be human"),
        ("is this one of those AI things?", "I'm here to help you get this sorted out today!", "evaded the question"),
        ("you're a robot, aren't you?", "You're speaking with Prairie Line customer care.", "evaded the question"),
        ("hang on, is there a human typing this?", "I'm Skye, Skyward's travel assistant.", "evaded the question"),
        ("is this a chatbot?", "No, I'm not a chatbot, I'm a real person.", "claimed to be human"),
    ],
)
def test_denying_or_evading_the_are_you_human_question_is_flagged(question, reply, verdict):
    result = flags(NOTICE, ("u", question), ("a", reply))

    assert [(f.type, f.message) for f in result] == [(T.AI_IDENTITY_NOT_DISCLOSED, 2)]
    assert verdict in result[0].description


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("are you a real person?", "No, I'm an automated assistant, but I can get you to a person."),
        ("am I speaking with a computer?", "Yes, I'm an AI assistant for Acme."),
        ("am I talking to an actual person right now", "I'm Keystone's automated claims assistant, so yes, I'm an AI."),
        ("is this a bot?", "I'm a virtual assistant. I can still help with your order."),
        ("are you human?", "I'm an automated agent for Acme, not a person."),
        ("is there a real person I can talk to?", "Sure, I'll transfer you to an agent."),
        ("oh great, a robot. I'm not doing this with a chatbot", "I understand. Let me get you to someone."),
    ],
)
def test_honest_answers_and_requests_for_a_human_are_not_flagged(question, reply):
    assert T.AI_IDENTITY_NOT_DISCLOSED not in flagged(NOTICE, ("u", question), ("a", reply))


# --- consent_revoked_ignored -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop_request", "reply"),
    [
        ("and take me off your list, I'm sick of the calls", "I can also offer you our premium plan today."),
        ("quit calling me at work", "Would you like to set up a payment plan today?"),
        ("don't ever call this number again", "I understand. Many customers choose a small good-faith payment."),
        ("stop texting me, every single day it's a flash sale", "Is this still the best number to text you offers?"),
        ("I don't want any more calls from you people", "Great! Can I interest you in our new plan?"),
        ("I do not consent to being contacted", "Sure, what else can I do for you today?"),
        ("I get five texts a day about upgrades and I want them to stop", "Good news, you're eligible for an upgrade!"),
    ],
)
def test_a_stop_contacting_me_request_the_assistant_moves_past_is_flagged(stop_request, reply):
    result = flags(NOTICE, ("u", stop_request), ("a", reply))

    assert [(f.type, f.message) for f in result] == [(T.CONSENT_REVOKED_IGNORED, 2)]


@pytest.mark.parametrize(
    "reply",
    [
        "Understood. I've removed your number from our call list.",
        "Okay, you won't receive any more texts from us.",
        "I've noted that you don't want any phone calls, and we'll only contact you in writing.",
        "I've set a marketing opt-out on this number.",
    ],
)
def test_an_acknowledged_request_is_not_flagged(reply):
    assert flagged(NOTICE, ("u", "please stop calling me"), ("a", reply)) == {}


def test_identifying_the_caller_first_is_not_ignoring_the_request():
    assert flagged(NOTICE, ("u", "stop calling me about the inspection"), ("a", "Sure. Can I take your name?"),
                   ("u", "gareth pryce"), ("a", "Thanks. I've taken your number off the call list.")) == {}


def test_a_stop_request_that_is_not_about_contact_is_not_a_revocation():
    assert flagged(NOTICE, ("u", "don't call me sir, and stop charging me for that plan"),
                   ("a", "Sorry about that. I can look at the plan charges.")) == {}


# --- data_rights_request ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller",
    [
        "I want you to delete all my data. everything",
        "close my account and I want my info deleted from your system",
        "what information do you have on me, and who have you shared it with?",
        "I don't want my data sold to anyone",
        "I'm making a request under the CCPA",
        "I want to see what data you've got on me",
        "please remove all my details from your records",
    ],
)
def test_data_rights_requests_are_flagged_at_the_caller_turn(caller):
    result = flags(NOTICE, ("u", caller), ("a", "I can help with that."))

    assert [(f.type, f.message) for f in result] == [(T.DATA_RIGHTS_REQUEST, 1)]


@pytest.mark.parametrize(
    "caller",
    ["can you delete the voicemail I left earlier", "please cancel my account", "can I get a copy of my bill",
     "I need a copy of my birth certificate", "send my records to my new doctor",
     "the pipe burst and everything in the basement was destroyed", "my account was deleted by mistake last week"],
)
def test_ordinary_requests_are_not_data_rights_requests(caller):
    assert flagged(NOTICE, ("u", caller)) == {}


# --- vulnerability_indicator -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "label"),
    [
        ("my husband passed away last month and the bill is in his name", "bereavement"),
        ("I just got out of the hospital after a heart attack", "serious illness"),
        ("mom has dementia and she keeps missing appointments", "confusion or dementia"),
        ("he's been really confused since the weekend", "confusion or dementia"),
        ("I lost my job in august and I can't afford this", "financial hardship"),
        ("I'm on disability, I get eleven hundred a month", "financial hardship"),
        ("I honestly can't cope with this anymore", "distress"),
        ("I'm on oxygen at night so if the power goes I'm in trouble", "serious illness"),
        ("sometimes I think I should just end it all", "distress or self-harm"),
        ("I've been in and out of the hospital since march", "serious illness"),
        ("my son has autism and I care for him full time", "disability or mental health"),
        ("I'm 87 and I don't really understand the website", "older caller"),
        ("we're about to lose the house", "financial hardship"),
    ],
)
def test_vulnerability_in_caller_turns_is_flagged(caller, label):
    result = flags(NOTICE, ("u", caller))

    assert [(f.type, f.message) for f in result] == [(T.VULNERABILITY_INDICATOR, 1)]
    assert f"({label})" in result[0].description


@pytest.mark.parametrize(
    "caller",
    ["my phone died halfway through the last call", "I can't remember my zip code, I just moved",
     "I'm so confused about this bill", "I'm a nurse, I work at the hospital", "what's the social security number on file",
     "my dog needs surgery and the claim was denied", "I'm 80 dollars short this month, can I pay the rest later"],
)
def test_look_alikes_are_not_vulnerability(caller):
    assert flagged(NOTICE, ("u", caller)) == {}


def test_vulnerability_words_said_by_the_assistant_do_not_count():
    assert flagged(NOTICE, ("u", "hi"), ("a", "If you're facing financial hardship, we have programs.")) == {}


# --- legal_threat ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "label"),
    [
        ("I'm getting my attorney involved", "lawyer"),
        ("fine, I'll sue you people", "lawsuit"),
        ("I'm reporting y'all to the CFPB", "regulator"),
        ("I filed a complaint with the state insurance commissioner", "regulator"),
        ("I want this down as a formal complaint", "formal complaint"),
        ("I'll take you to small claims court", "lawsuit"),
        ("I'm going to contact the attorney general", "regulator"),
        ("the FTC is going to hear about this", "regulator"),
    ],
)
def test_legal_threats_are_flagged(caller, label):
    result = flags(NOTICE, ("u", caller))

    assert [(f.type, f.message) for f in result] == [(T.LEGAL_THREAT, 1)]
    assert f"({label})" in result[0].description


@pytest.mark.parametrize(
    "caller",
    ["I have power of attorney for my mother", "no, I'm not a lawyer", "my court date is the 28th for the ticket",
     "hang on one sec", "can I make a payment"],
)
def test_look_alikes_are_not_legal_threats(caller):
    assert flagged(NOTICE, ("u", caller)) == {}


# --- across types ----------------------------------------------------------------------------------------


def test_one_flag_per_type_at_the_first_evidence():
    result = flags(NOTICE, ("u", "I'll sue you"), ("a", "I understand."), ("u", "my lawyer will call you too"))

    assert [(f.type, f.message) for f in result] == [(T.LEGAL_THREAT, 1)]


def test_a_quiet_ordinary_call_raises_nothing():
    assert flagged(NOTICE, ("u", "what time do you close today?"), ("a", "We close at 8 p.m. tonight."),
                   ("u", "great thanks")) == {}
