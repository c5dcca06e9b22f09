"""Information a human agent needs: identifiers, amounts, dates, contact details, the issue.

Identifiers are found where a label ("order", "policy", "claim number") or the assistant's
question names them, and are read the way callers say them: digits as words, letters spelled
("C as in cat", "H like hotel"), dashes said aloud. Card numbers, CVVs, SSNs and one-time codes
are never collected (a card becomes `card_last4`). Values are normalised the way a reviewer writes
them: "882041176", "$120.50", "October 14".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers

from harness import fastre
from harness.backends.rules.sentences import mentions_any
from harness.backends.rules.text import CallView, MarkerFinding, Turn
from harness.contract import MarkerType, Role
from harness.privacy import DIGIT_WORDS, REPEATERS, DigitRun, digit_runs, find_card_numbers, find_sensitive

# label pattern -> information key
_LABELS: tuple[tuple[str, str], ...] = (
    (r"account", "account_number"),
    (r"order", "order_number"),
    (r"policy", "policy_number"),
    (r"claim", "claim_number"),
    (r"member(?:ship)?(?: id)?", "member_id"),
    (r"(?:confirmation|booking|reservation|record locator|locator|reference|ref)", "booking_reference"),
    (r"(?:case|ticket|incident|file|complaint)", "case_number"),
    (r"tracking", "tracking_number"),
    (r"invoice", "invoice_number"),
    (r"loan", "loan_number"),
    (r"meter", "meter_number"),
    (r"(?:prescription|rx)", "prescription_number"),
    (r"(?:license plate|plate|registration)", "license_plate"),
    (r"flight", "flight_number"),
    (r"(?:patient|medical record|mrn)(?: id)?", "patient_id"),
    (r"customer(?: id)?", "customer_number"),
    (r"(?:serial|imei)", "serial_number"),
    (r"unit", "unit_number"),
)


_LABEL = fastre.CaseBlind(
    r"\b(" + "|".join(f"(?:{pattern})" for pattern, _ in _LABELS) + r")(?:'s)?\s*(?:number|no\.?|num|code|id|#)?\b"
)
_LETTER_SPELLING = fastre.compile(r"\b([a-z])\s+(?:as in|like|for)\s+[a-z]+\b", re.I)
_CODE_TOKEN = fastre.compile(r"[A-Za-z0-9]+|[-,.]")
_CODE_JOINERS = {"-", ",", ".", "dash", "hyphen", "uh", "um", "and", "then", "space"}
_WINDOW = 70  # characters after a label where its value may start

_AMOUNT = fastre.compile(
    r"(?:[$£€]\s?(\d[\d,]*(?:\.\d{1,2})?))|(\d[\d,]*(?:\.\d{1,2})?)\s*(?:dollars?|bucks|usd|pounds?|quid|euros?)"
    r"(?:\s+(?:and\s+)?(\d{1,2})\s*cents?)?",
    re.I,
)
_AMOUNT_CONTEXT = fastre.compile(
    r"\b(refund|charge|fee|balance|bill|payment|deposit|premium|credit|fare|price|cost|deductible|overage|"
    r"settlement|debt|amount|rent|invoice|total)\w*",
    re.I,
)
_MONTHS = ("january february march april may june july august september october november december").split()
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = fastre.CaseBlind(
    rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+of\s+{_MONTH}\b|"
    r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b"
)
_BIRTH = fastre.compile(r"\b(?:born|birth|birthday|dob|d\.o\.b)\b", re.I)
_DATE_CONTEXT = fastre.compile(
    r"\b(appointment|due|delivery|deliver(?:ed)?|visit|flight|closing|deadline|surgery|payment|"
    r"cancel(?:l?ed)?|shut ?off|disconnect(?:ion)?|install(?:ation)?|check-?in|move|court|hearing)\b",
    re.I,
)
_ISSUE_CUES = fastre.CaseBlind(
    r"\b(?:charged|charge|bill|refund|cancel|broken|not working|doesn't work|isn't working|stopped|missing|never|"
    r"wrong|problem|issue|help with|calling about|calling because|want to|need to|trying to|got a letter|"
    r"denied|declined|late|outage|out|lost|stolen|damaged|dispute|error|owe|shut ?off|delay|delayed)\b"
)
_SPOKEN_EMAIL = fastre.compile(
    r"(?<![\w'])([a-z0-9][a-z0-9 ._\-]*?(?: dot [a-z0-9]+)*)\s+at\s+([a-z0-9\-]+(?:\s+dot\s+[a-z]{2,})+)\b", re.I
)
_WRITTEN_EMAIL = fastre.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand first "
    "second third fourth fifth sixth seventh eighth ninth tenth"
).split()
_NUMBER_WORDS_PATTERN = fastre.compile(r"\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


@dataclass(frozen=True)
class Fact:
    key: str
    value: str
    message: int
    kind: str  # identifier | amount | date | email | phone | card_last4 | issue


def extract_information(view: CallView) -> list[Fact]:
    facts: list[Fact] = []
    issue = _issue(view)
    if issue:
        facts.append(issue)
    for turn in view.turns:
        is_caller = turn.is_caller
        # Identifiers, card numbers and phone numbers are digits: most turns have no digit run.
        runs = digit_runs(turn.text)
        if runs:
            facts.extend(_identifiers(view, turn, runs))
            facts.extend(_card_last4(turn))
        # Amounts, dates and addresses are often stated by the assistant from the record
        # ("your balance is $612.47"); the agent needs them whoever said them. Each needs a
        # word or a sign of its own, which most turns lack.
        if _may_state_record(turn):
            facts.extend(_amounts(turn))
            # A date given to a verification question (a birth date) is not information to hand
            # over. Most turns have no date: the question before is read only when one does.
            dates = _dates(turn)
            if dates and not (is_caller and _answers_verification(view, turn)):
                facts.extend(dates)
            facts.extend(_addresses(turn))
        if is_caller:
            facts.extend(_emails(turn))
            if runs:
                facts.extend(_phones(turn, runs))
    return _deduplicate(facts)


def key_info_markers(facts: list[Fact], view: CallView) -> list[MarkerFinding]:
    """key_info on the caller messages that gave an identifier, an amount, a date or the issue."""
    described: dict[int, list[str]] = {}
    for fact in facts:
        if fact.kind in {"identifier", "amount", "date", "issue"} and view.turns[fact.message].is_caller:
            described.setdefault(fact.message, []).append(fact.key.replace("_", " "))
    return [
        MarkerFinding(message, MarkerType.KEY_INFO, "Gives " + ", ".join(dict.fromkeys(keys)))
        for message, keys in sorted(described.items())
    ]


_LABEL_WORDS = (
    "account",
    "order",
    "polic",
    "claim",
    "member",
    "confirm",
    "booking",
    "reserv",
    "locator",
    "ref",
    "case",
    "ticket",
    "incident",
    "file",
    "complaint",
    "tracking",
    "invoice",
    "loan",
    "meter",
    "prescri",
    "rx",
    "plate",
    "registr",
    "flight",
    "patient",
    "medical",
    "mrn",
    "customer",
    "serial",
    "imei",
    "unit",
)
# Cheap whole-word screens before the costly part (spoken numbers to digits, then the pattern):
# "percent" is not money, "may I" is not a date, "close" without a number is not an address.
_MONEY_GATE = fastre.compile(r"[$£€]|\b(?:dollars?|bucks?|pounds?|quid|euros?|cents?|usd)\b")
_DATE_GATE = fastre.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b|\bmay\s+(?:the\s+)?(?:\d|[a-z]+(?:st|nd|rd|th)\b|twenty|thirty)|"
    r"\d{1,2}/\d{1,2}"
)
# Set screens before those regex gates: each gate's words, any of which must be a whole word.
_MONEY_WORDS = frozenset("dollar dollars buck bucks pound pounds quid euro euros cent cents usd".split())
_DATE_WORDS = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september oct "
    "october nov november dec december".split()
)
_STREET_WORDS = frozenset(
    "street st road rd lane ln avenue ave drive dr court ct way boulevard blvd place pl terrace circle parkway "
    "highway hwy square close crescent".split()
)
_RECORD_WORDS = _MONEY_WORDS | _DATE_WORDS | _STREET_WORDS
_MONTH_WORDS = _DATE_WORDS - {"may"}
_NUMBER_SET = frozenset(_NUMBER_WORDS)
_STREET_GATE = fastre.compile(
    r"\b(?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|court|ct|way|boulevard|blvd|place|pl|terrace|circle|"
    r"parkway|highway|hwy|square|close|crescent)\b"
)


def _may_state_record(turn: Turn) -> bool:
    """Whether `turn` passes the first screen of `_amounts`, `_dates` or `_addresses`: one test
    for the three, as most turns pass none."""
    return not _RECORD_WORDS.isdisjoint(turn.alnum_runs) or _has_record_sign(turn.lower)


def _has_record_sign(lower: str) -> bool:
    return "$" in lower or "£" in lower or "€" in lower or "/" in lower


def _identifiers(view: CallView, turn: Turn, runs: tuple[DigitRun, ...]) -> list[Fact]:
    """Codes in `turn`, whose digit runs are `runs`."""
    # Every code has digits in it: a turn without a run of two or more says none.
    for run in runs:  # a plain loop: `any` over a generator costs more than the test
        if len(run.digits) >= 2:
            break
    else:
        return []
    facts = []
    text = turn.text
    labelled = _LABEL.finditer(text) if mentions_any(turn.lower, _LABEL_WORDS) else ()
    for match in labelled:
        key = _key_for(match.group(1))
        code = _read_code(text, match.end())
        if code:
            facts.append(Fact(key, code, turn.index, "identifier"))
    if turn.is_caller and not facts:
        # An answer to "can I have your order number?" needs no label of its own; a question
        # that also asks for a ZIP code or a birth date gets answers that are not identifiers.
        question = _question_before(view, turn)
        if question is not None and not _VERIFICATION_DETAIL.search(question.lower):
            labels = [
                m for m in _LABEL.finditer(question.text) if _ASKS_FOR_NUMBER.match(question.text, m.end(1))
            ]
            if labels:
                code = _read_code(text, 0)
                if code:
                    facts.append(Fact(_key_for(labels[-1].group(1)), code, turn.index, "identifier"))
    return facts


_ASKS_FOR_NUMBER = fastre.compile(r"(?:'s)?\s*(?:number|no\.?|num|code|id|#)\b", re.I)
_VERIFICATION_DETAIL = fastre.compile(r"\b(?:zip|post ?code|postal|birth|dob|born|social|ssn|last four|pin)\b")


def _question_before(view: CallView, turn: Turn) -> Turn | None:
    question = view.previous_turn(turn.index, Role.ASSISTANT)
    if question is None or question.index != turn.index - 1 or "?" not in question.text:
        return None
    return question


# One group per label pattern (theirs are all non-capturing): the first pattern that matches the
# whole label is the group that took part, as a loop over the patterns would find, 7x faster.
_LABEL_KEY = re.compile("|".join(f"({pattern})" for pattern, _ in _LABELS), re.I)


def _key_for(label: str) -> str:
    match = _LABEL_KEY.fullmatch(label)
    return _LABELS[match.lastindex - 1][1] if match else "reference_number"


def _read_code(text: str, start: int) -> str | None:
    """The first code spoken after `start`: digits, digit words, spelled letters and dashes."""
    window = text[start : start + _WINDOW + 60]
    if _may_spell_letters(window):
        window = _LETTER_SPELLING.sub(_upper_letter, window)
    first = _first_piece(window)
    if first is None:
        return None
    begun_at, end, value = first
    pieces = [value]
    repeat = 1
    for token_match in _CODE_TOKEN.finditer(window, end):
        lower = token_match.group().lower()
        if lower in REPEATERS:
            repeat = REPEATERS[lower]
            continue
        value = _piece_at(window, token_match)
        if value is not None:
            value, repeat = value * repeat, 1
            pieces.append(value)
        elif lower not in _CODE_JOINERS:
            break
    code = "".join(pieces)
    if len(code) < 4 or code.isalpha() or len(code) > 20:
        return None
    absolute = start + begun_at
    # a PIN, a CVV or an SSN read after a label is a secret, not an identifier
    if any(f.start <= absolute < f.end for f in find_sensitive(text)):
        return None
    # a card number has 13 digits or more, and spoken digits never outnumber the characters that say
    # them ("double five" is 11 characters for 2)
    if len(code) >= 13 and find_card_numbers(code):
        return None
    return code


def _first_piece(window: str) -> tuple[int, int, str] | None:
    """Start, end and value of the first token of `window` that reads as a piece of a code and
    starts within `_WINDOW` characters ("double five" is "55"), or None."""
    repeat = 1
    # Only the tokens `_PIECE_START` finds may be pieces or repeaters: the others are skipped.
    for candidate in _PIECE_START.finditer(window):
        if candidate.start() > _WINDOW:
            return None
        lower = candidate.group().lower()
        if lower in REPEATERS:
            repeat = REPEATERS[lower]
            continue
        value = _piece_at(window, candidate)
        if value is not None:
            return candidate.start(), candidate.end(), value * repeat
    return None


def _piece_at(window: str, token_match: re.Match) -> str | None:
    """What the token `token_match` of `window` adds to a code, or None."""
    token = token_match.group()
    value = _code_piece(token)
    if value is not None and (token == "I" or token == "A"):
        # the pronoun and the article: letters of a code only before another code piece
        following = _CODE_TOKEN.search(window, token_match.end())
        if following is None or _code_piece(following.group()) is None:
            return None
    return value


def _may_spell_letters(window: str) -> bool:
    """Whether `_LETTER_SPELLING` may match: one of its words in the lower-cased window. Only an
    ASCII window is screened (case-blind matching folds a few other letters onto ASCII ones)."""
    if not window.isascii():
        return True
    lower = window.lower()
    return "as in" in lower or "like" in lower or "for" in lower


def _upper_letter(match: re.Match) -> str:
    return match.group(1).upper()


# Letters and digit words that read as one character of a code: "o" alone is the letter, not zero.
_DIGIT_PIECES = {word: digit for word, digit in DIGIT_WORDS.items() if word != "o"}
# The tokens that may be pieces of a code or repeaters: those of digits and capitals only (no
# lower-case letter follows the possessive run), and digit words and repeaters in any case.
_PIECE_START = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Z0-9]++(?![a-z])|(?i:"
    + "|".join(sorted([*_DIGIT_PIECES, *REPEATERS], key=len, reverse=True))
    + r")(?![A-Za-z0-9]))",
    re.ASCII,
)


def _code_piece(token: str) -> str | None:
    """What `token` (ASCII letters and digits, or "") adds to a code, or None."""
    if token.isdigit():
        return token
    digit = _DIGIT_PIECES.get(token.lower())
    if digit is not None:
        return digit
    # An upper-case token of ASCII letters and digits is a code shape ("K7RQ9M", "SK" - an airline
    # or a prefix before spoken digits - or a spelled letter) when it has a digit or 1-3 letters.
    if token.isupper() and (len(token) <= 3 or not token.isalpha()):
        return token
    return None


def _answers_verification(view: CallView, turn: Turn) -> bool:
    question = _question_before(view, turn)
    return question is not None and bool(_VERIFICATION_DETAIL.search(question.lower))


def _card_last4(turn: Turn) -> list[Fact]:
    return [
        Fact("card_last4", card.value[-4:], turn.index, "card_last4") for card in find_card_numbers(turn.text)
    ]


def _amounts(turn: Turn) -> list[Fact]:
    # The gate's first choice is a currency sign, its second a money word: it is run only where
    # the set tests cannot tell.
    if _MONEY_WORDS.isdisjoint(turn.alnum_runs):
        if not _has_currency_sign(turn.lower):
            return []
    elif not _runs_are_words(turn.lower) and not _MONEY_GATE.search(turn.lower):
        return []
    text = _with_digits(turn)
    facts = []
    for match in _AMOUNT.finditer(text):
        number = (match.group(1) or match.group(2)).replace(",", "")
        cents = match.group(3)
        try:
            value = float(number) + (int(cents) / 100 if cents else 0)
        except ValueError:
            continue
        if value <= 0:
            continue
        context = _AMOUNT_CONTEXT.search(text[max(0, match.start() - 40) : match.end() + 30])
        key = f"{context.group(1).lower()}_amount" if context else "amount"
        symbol = "£" if _POUNDS.search(match.group()) else "€" if _EUROS.search(match.group()) else "$"
        facts.append(Fact(key, f"{symbol}{value:,.2f}".replace(".00", ""), turn.index, "amount"))
    return facts


_POUNDS = re.compile(r"£|pound|quid", re.I)
_EUROS = re.compile(r"€|euro", re.I)


def _has_currency_sign(lower: str) -> bool:
    # three substring tests cost a tenth of searching for the class [$£€] (its non-ASCII members
    # take `re` off its fast path)
    return "$" in lower or "£" in lower or "€" in lower


def _dates(turn: Turn) -> list[Fact]:
    if _DATE_WORDS.isdisjoint(turn.alnum_runs) and "/" not in turn.lower:
        return []
    # A month's name as a whole word is one of the gate's choices ("may" counts only before a day).
    says_month = _runs_are_words(turn.lower) and not _MONTH_WORDS.isdisjoint(turn.alnum_runs)
    if not says_month and not _DATE_GATE.search(turn.lower):
        return []
    text = _with_digits(turn)
    facts = []
    for match in _DATE.finditer(text):
        if _BIRTH.search(text[max(0, match.start() - 40) : match.start()]):
            continue  # a date of birth is a verification answer, not information to hand over
        value = _format_date(match)
        if value is None:
            continue
        context = _DATE_CONTEXT.search(text[max(0, match.start() - 50) : match.end() + 20])
        key = f"{context.group(1).lower().replace(' ', '_').replace('-', '_')}_date" if context else "date"
        facts.append(Fact(key, value, turn.index, "date"))
    return facts


def _format_date(match: re.Match) -> str | None:
    month_text, day, day2, month2, num_month, num_day, _year = match.groups()
    if month_text or month2:
        # the long s ("ſep") is an "s" to the case-blind pattern; any other miss is no month
        month = _MONTH_NAMES.get((month_text or month2).lower()[:3].replace("\u017f", "s"))
        if month is None:
            return None
        number = int(day or day2)
        return f"{month} {number}" if 1 <= number <= 31 else None
    month_number, day_number = int(num_month), int(num_day)
    if 1 <= month_number <= 12 and 1 <= day_number <= 31:
        return f"{_MONTHS[month_number - 1].capitalize()} {day_number}"
    return None


# "sep" -> "September": the three letters a month's name is matched by name it.
_MONTH_NAMES = {month[:3]: month.capitalize() for month in _MONTHS}


def _emails(turn: Turn) -> list[Fact]:
    if "@" not in turn.text and not (" at " in turn.lower and " dot " in turn.lower):
        return []
    facts = [
        Fact("email", m.group().lower(), turn.index, "email") for m in _WRITTEN_EMAIL.finditer(turn.text)
    ]
    if facts:
        return facts
    for match in _SPOKEN_EMAIL.finditer(turn.lower):
        local_words = match.group(1).split()[-4:]
        local = _spoken_to_address(
            "".join(_spoken_piece(w) for w in local_words if w not in {"it's", "is", "its"})
        )
        domain = _spoken_to_address(match.group(2).replace(" dot ", ".").replace(" ", ""))
        if local and "." in domain:
            facts.append(Fact("email", f"{local}@{domain}", turn.index, "email"))
    return facts


def _spoken_piece(word: str) -> str:
    if word == "dot":
        return "."
    if word in {"underscore"}:
        return "_"
    return DIGIT_WORDS.get(word, word) if word not in {"o", "oh"} else word


def _spoken_to_address(text: str) -> str:
    return re.sub(r"[^a-z0-9._\-]", "", text.lower()).strip(".")


_PHONE_CONTEXT = fastre.compile(
    r"\b(?:phone|cell|mobile|landline|call me|reach me|text me|callback|call back)\b", re.I
)


def _phones(turn: Turn, runs: tuple[DigitRun, ...]) -> list[Fact]:
    """A phone number the caller gives (spoken or written), other than the one they call from."""
    facts = []
    for run in runs:
        if len(run.digits) not in (10, 11) or not _PHONE_CONTEXT.search(turn.lower):
            continue
        try:
            parsed = phonenumbers.parse(run.digits, "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            facts.append(Fact("callback_number", number, turn.index, "phone"))
    return facts


_STREET = fastre.compile(
    r"\b(\d{1,6}\s+(?:[a-z]+\s+){1,3}(?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|court|ct|way|boulevard|"
    r"blvd|place|pl|terrace|circle|parkway|highway|hwy|square|close|crescent))\b",
    re.I,
)


def _addresses(turn: Turn) -> list[Fact]:
    if _STREET_WORDS.isdisjoint(turn.alnum_runs):
        return []
    says_street = _runs_are_words(turn.lower) or _STREET_GATE.search(turn.lower)  # the gate is the set's words
    if not (says_street and (digit_runs(turn.text) or _says_number_words(turn))):
        return []
    text = _with_digits(turn)
    return [Fact("address", _title(m.group(1)), turn.index, "address") for m in _STREET.finditer(text)]


def _title(text: str) -> str:
    return " ".join(word.capitalize() if not word.isdigit() else word for word in text.split())


def _issue(view: CallView) -> Fact | None:
    """The caller's statement of the problem: the first early caller turn that describes one."""
    early = view.caller_turns[:4]
    for turn in early:
        if _word_count(turn) >= 6 and _ISSUE_CUES.search(turn.lower):
            return Fact("issue", _issue_sentences(turn.text), turn.index, "issue")
    longest = max(early, key=_word_count, default=None)
    if longest is not None and _word_count(longest) >= 6:
        return Fact("issue", _issue_sentences(longest.text), longest.index, "issue")
    return None


def _word_count(turn: Turn) -> int:
    """`len(turn.lower.split())`, counted: `Turn.lower` is its words joined by single spaces."""
    return turn.lower.count(" ") + 1 if turn.lower else 0


def _issue_sentences(text: str, limit: int = 200) -> str:
    """From the sentence that states the problem on: greetings and asides before it are dropped."""
    from harness.backends.rules.sentences import short_quote, split_sentences
    from harness.privacy import mask_sensitive

    masked = " ".join(mask_sensitive(text)[0].split())
    sentences = split_sentences(masked)
    start = next((s.start for s in sentences if _ISSUE_CUES.search(s.text)), 0)
    return short_quote(masked[start:], limit)


_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def _deduplicate(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for fact in facts:
        value = fact.value.upper()
        # most values (codes) are ASCII letters and digits already, which the pattern keeps whole
        if not (value.isascii() and value.isalnum()):
            value = _NOT_ALNUM.sub("", value)
        identity = (fact.kind, value)
        if identity in seen:
            continue
        seen.add(identity)
        kept.append(fact)
    return kept


@cache
def _alpha2digit():
    from text_to_num import alpha2digit

    return alpha2digit


def _runs_are_words(lower: str) -> bool:
    """Whether every run of `Turn.alnum_runs` is a whole word for `\\b` in `lower`: in lower-case
    ASCII the only word character besides [a-z0-9] is "_". Then `\\b(?:word|...)\\b` matches
    exactly when one of its words is a run, and a set test answers for the pattern."""
    return lower.isascii() and "_" not in lower


def _says_number_words(turn: Turn) -> bool:
    """Whether `_NUMBER_WORDS_PATTERN` matches `turn.lower`."""
    if _runs_are_words(turn.lower):
        return not _NUMBER_SET.isdisjoint(turn.alnum_runs)
    return _NUMBER_WORDS_PATTERN.search(turn.lower) is not None


def _with_digits(turn: Turn) -> str:
    """`turn.lower`, "a hundred and twenty bucks" -> "120 bucks" (text2num), only where number words occur."""
    return _words_to_digits(turn.lower) if _says_number_words(turn) else turn.lower


@lru_cache(maxsize=4096)  # amounts, dates and addresses each read the same turn
def _words_to_digits(text: str) -> str:
    return _alpha2digit()(text, "en")
