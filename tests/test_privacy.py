import pytest

from harness.privacy import (
    card_network,
    contains_full_card,
    digit_runs,
    find_sensitive,
    is_card_number,
    luhn_valid,
    mask_sensitive,
)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("four one one one, one one one one", ["41111111"]),
        ("4111-1111 1111.1111", ["4111111111111111"]),
        ("double five, triple two", ["55222"]),
        ("five oh two, uh, four four one", ["502441"]),
        ("oh, I see, seven", ["7"]),
        ("no one called me at 9", ["1", "9"]),
    ],
)
def test_digit_runs_read_spoken_and_written_numbers(text, digits):
    assert [run.digits for run in digit_runs(text)] == digits


def test_luhn_and_network_ranges():
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert card_network("4111111111111111") == "visa"
    assert card_network("5555555555554444") == "mastercard"
    assert card_network("378282246310005") == "amex"
    assert card_network("6011111111111117") == "discover"
    # Luhn-valid, but outside every network's lengths or ranges: account numbers, not cards
    assert not is_card_number("79927398713")
    assert luhn_valid("9111111111111110") and not is_card_number("9111111111111110")


def test_a_card_read_aloud_is_found_and_masked_to_its_last_four():
    text = "yeah it's five five five five, five five five five, five five five five, four four four four"
    masked, findings = mask_sensitive(text)
    assert [f.kind for f in findings] == ["card_number"]
    assert masked == "yeah it's ****4444"


def test_card_followed_by_its_expiry_is_still_found():
    assert contains_full_card("4111 1111 1111 1111 twelve twenty seven")
    assert contains_full_card("4111 1111 1111 1111 1 2 2 7")


def test_account_numbers_are_not_cards():
    assert not contains_full_card("account eight eight two, zero four, one one seven six")
    assert not contains_full_card("policy 7992739871 3")


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("the cvv is three four one", "cvv", "the cvv is [CVV]"),
        ("security code on the back 9 9 8", "cvv", "security code on the back [CVV]"),
        ("my social's 123-45-6789", "ssn", "my social's ***-**-6789"),
        ("social security number one two three four five six seven eight nine", "ssn",
         "social security number ***-**-6789"),
        ("my pin is 4 4 1 9", "pin", "my pin is [PIN]"),
        ("the code you texted me is 48 29 13", "one_time_code", "the code you texted me is [ONE TIME CODE]"),
        ("password is Tr0ub4dor", "password", "password is [PASSWORD]"),
    ],
)
def test_other_secrets_are_masked(text, kind, masked):
    result, findings = mask_sensitive(text)
    assert [f.kind for f in findings] == [kind]
    assert result == masked


def test_plain_numbers_without_context_stay():
    text = "I paid 120 dollars on the 3rd, order 55012"
    assert find_sensitive(text) == ()
    assert mask_sensitive(text)[0] == text
