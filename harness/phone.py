"""Phone numbers: E.164 normalisation and validation (used by fixtures, the store and the server)."""

from __future__ import annotations

import re

import phonenumbers

E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
_E164 = re.compile(E164_PATTERN)


class InvalidPhoneNumber(ValueError):
    """A string that is not a valid phone number; the message says why in one line."""


def check_e164(number: str) -> str:
    """Return `number` if it is already a valid E.164 number, else raise `InvalidPhoneNumber`."""
    if not _E164.match(number):
        raise InvalidPhoneNumber(
            f"{number!r} is not in E.164 form ('+' then country code and number, digits only)"
        )
    return normalise_phone(number)


def normalise_phone(raw: str, default_region: str | None = None) -> str:
    """Parse a human-written number ('+1 (312) 555-0142', '0044 20 7946 0123') to E.164.

    Without `default_region` a number must carry its country code. The number must be valid
    for its country (libphonenumber's metadata), not merely the right length.
    """
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number: {_parse_reason(exc)}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"{raw!r} is not a valid number for its country code")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse_reason(exc: phonenumbers.NumberParseException) -> str:
    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "missing or unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "it does not look like a number",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(exc.error_type, "unparseable")
