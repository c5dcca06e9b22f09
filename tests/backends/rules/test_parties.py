"""Third-party callers: who the caller is acting for, and what does not count."""

from __future__ import annotations

import pytest

from harness.backends.rules.parties import ThirdParty, detect_third_party
from tests.backends.rules.calls import call

GREETING = ("a", "Thanks for calling, this is the virtual assistant. How can I help?")


@pytest.mark.parametrize(
    ("caller", "relationship"),
    [
        ("hi um i'm calling about my mom's account, she's in the hospital", "mother"),
        ("yeah it's about my husband's prescription, the refill got denied", "husband"),
        ("I'm calling for my dad, he can't really get on the phone", "father"),
        ("so the account is in my wife's name but I pay the bills", "wife"),
        ("the lease is under my boyfriend, I just live there", "boyfriend"),
        ("I'm ringing on behalf of my client, she's got a dispute with you", "client"),
        ("it's my grandma's, she doesn't do phones", "grandmother"),
        ("I'm her son, she asked me to call", "son"),
        ("I do all of my dad's bills since his stroke", "father"),
    ],
)
def test_a_caller_acting_for_a_relative_is_a_third_party(caller, relationship):
    found = detect_third_party(call(GREETING, ("u", caller), ("a", "I can help with that.")))

    assert found is not None
    assert found.message == 1
    assert found.relationship == relationship
    assert found.authorised_at is None


@pytest.mark.parametrize(
    "caller",
    [
        "I have power of attorney for him",
        "she's a patient there and she asked me to sort out the bill",
        "the account's in her name, not mine",
        "there's a letter here addressed to my wife",
        "I'm calling on behalf of Mr. Delgado",
    ],
)
def test_other_signs_of_acting_for_someone_else(caller):
    found = detect_third_party(call(GREETING, ("u", caller)))

    assert found is not None
    assert found.message == 1


@pytest.mark.parametrize(
    "caller",
    [
        "my wife and I have a joint account, it's our account",
        "my son set up the app for me but I can't log in",
        "I'm flying to my sister's wedding on friday and the flight got cancelled",
        "my husband said I should call about my bill",
        "can you send the code to my daughter's phone? she's on my plan",
        "it's for my son's birthday, the order hasn't come",
        "it's my son's birthday present, it was stolen from the counter",
        "I'm calling about my own account, I'm the account holder",
        "I ordered flowers and it's for my wife, they never came",
        "the technician told me to call you guys",
        "my son's phone plan went up by ten dollars",
    ],
)
def test_relatives_merely_mentioned_are_not_third_parties(caller):
    assert detect_third_party(call(GREETING, ("u", caller))) is None


def test_only_caller_turns_count():
    view = call(("a", "Are you calling about your own account, or on behalf of someone with power of attorney?"),
                ("u", "my own"))

    assert detect_third_party(view) is None


@pytest.mark.parametrize(
    ("turns", "name"),
    [
        ((("u", "it's about my mother, Dolores Whitfield. her benefits stopped"),), "Dolores Whitfield"),
        ((("u", "I'm calling about my mom's account"), ("a", "Okay, who am I speaking with?"),
          ("u", "I'm Renee, her daughter. her name's grace okafor")), "Grace Okafor"),
        ((("u", "I'm calling for my dad, he's a patient there, uh, Harold Jennings"),), "Harold Jennings"),
        ((("u", "it's my girlfriend Tasha's lease, the lease is in her name"),), "Tasha"),
    ],
)
def test_the_account_holder_name_is_read_when_stated(turns, name):
    found = detect_third_party(call(GREETING, *turns))

    assert found is not None
    assert found.holder_name == name


def test_no_name_when_none_is_given():
    found = detect_third_party(call(GREETING, ("u", "calling about my dad's bill, he's not well")))

    assert found == ThirdParty(message=1, evidence="calling for a relative", relationship="father")


def test_an_assistant_confirming_authorisation_is_recorded():
    view = call(GREETING, ("u", "I'm calling about my mother's account"),
                ("a", "I can see you're listed as an authorized user on the account, so I can help."))

    found = detect_third_party(view)

    assert found is not None
    assert found.authorised_at == 2


@pytest.mark.parametrize(
    "reply",
    [
        "Without being an authorized signer or having power of attorney on file, I can't make changes.",
        "Are you listed as an authorized contact on her account?",
        "Once you're set up as an authorized representative, we can talk about the balance.",
    ],
)
def test_questions_and_conditions_about_authorisation_are_not_confirmations(reply):
    view = call(GREETING, ("u", "I'm calling about my mother's account"), ("a", reply))

    found = detect_third_party(view)

    assert found is not None
    assert found.authorised_at is None
