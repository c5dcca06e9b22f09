"""The shortcuts that make information extraction cheaper answer exactly as the plain computation
they replace, on every corpus text (also in other cases) and on random texts built from the
tokens that reach their edges: digit words, capitals, repeaters, "as in", months, street words,
currency signs, "_" and letters that fold onto ASCII ones case-blind."""

import random
import re
from pathlib import Path

import pytest

from harness import fastre
from harness.backends.rules import information as info
from harness.backends.rules.text import CallView, Turn
from harness.contract import Role
from harness.fixtures.load import load_corpus
from harness.privacy import DIGIT_WORDS, REPEATERS, find_card_numbers, find_sensitive

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = [
    message.content
    for fixture in load_corpus([ROOT / "fixtures" / "conversations", ROOT / "fixtures" / "holdout"]).fixtures
    for message in fixture.conversation.messages
]

WORDS = (
    "my order number is account policy claim confirmation ref case tracking it's uh um and then dash "
    "hyphen space double triple one two three four five six seven eight nine zero oh o nought ten "
    "twenty thirty first fifth hundred I A O K SK K7RQ9M ABCD 4 12 882041176 4111 1111 1234567890123 "
    "C as in cat H like hotel for B - , . # 's $ £ € / 12/25 may the 5th march april sept sepember "
    "june 14th of street st dr main road close dollars bucks cents pounds quid euros usd refund fee "
    "balance due delivery born birth dob zip pin last four social DOUBLE One TWO Nine Oh "
    "_ snake_case café ſep ſeven \u212a ı İ quıd straße — ’ \t \n"
).split(" ")


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    glue = [" ", " ", " ", "", ", ", ". ", "-", "  "]
    return [
        "".join(rng.choice(WORDS) + rng.choice(glue) for _ in range(rng.randint(1, 40))) for _ in range(count)
    ]


def cased(text: str) -> list[str]:
    return [text, text.upper(), text.lower(), text.title(), text.swapcase()]


TEXTS = [variant for message in MESSAGES for variant in cased(message)] + random_texts(6000, 7)


def turns_of(texts: list[str]) -> list[Turn]:
    return [Turn(i, Role.USER if i % 2 else Role.ASSISTANT, text) for i, text in enumerate(texts)]


TURNS = turns_of(TEXTS)


def test_the_corpus_is_loaded():
    assert len(MESSAGES) > 1000


# --- reading a code --------------------------------------------------------------------------


def plain_code_piece(token: str) -> str | None:
    lower = token.lower()
    if token.isdigit():
        return token
    if lower in DIGIT_WORDS and lower not in {"o"}:
        return DIGIT_WORDS[lower]
    if len(token) == 1 and token.isalpha() and token.isupper():
        return token
    if re.fullmatch(r"[A-Z]*\d[A-Z0-9]*|[A-Z]{2,3}", token):
        return token
    return None


def plain_read_code(text: str, start: int) -> str | None:
    """`_read_code` as it was: every token of the window tokenised and read in turn."""
    window = text[start : start + info._WINDOW + 60]
    window = re.sub(r"\b([a-z])\s+(?:as in|like|for)\s+[a-z]+\b", lambda m: m.group(1).upper(), window, flags=re.I)
    pieces: list[str] = []
    begun_at = None
    tokens = list(re.finditer(r"[A-Za-z0-9]+|[-,.]", window))
    repeat = 1
    for i, token_match in enumerate(tokens):
        token = token_match.group()
        lower = token.lower()
        if not pieces and token_match.start() > info._WINDOW:
            break
        if lower in REPEATERS:
            repeat = REPEATERS[lower]
            continue
        value = plain_code_piece(token)
        if value is not None and token in {"I", "A"}:
            following = tokens[i + 1].group() if i + 1 < len(tokens) else ""
            if plain_code_piece(following) is None:
                value = None
        if value is not None:
            value, repeat = value * repeat, 1
            if begun_at is None:
                begun_at = token_match.start()
            pieces.append(value)
        elif pieces and lower in info._CODE_JOINERS:
            continue
        elif pieces:
            break
    code = "".join(pieces)
    if len(code) < 4 or not any(c.isdigit() for c in code) or len(code) > 20:
        return None
    absolute = start + (begun_at or 0)
    if any(f.start <= absolute < f.end for f in find_sensitive(text)):
        return None
    if find_card_numbers(code):
        return None
    return code


def test_code_pieces_match_the_plain_reading():
    tokens = {m.group() for text in TEXTS for m in re.finditer(r"[A-Za-z0-9]+|[-,.]", text)}
    tokens |= {"", "O", "o", "OH", "Oh", "7A", "7a", "A7", "AB", "ABC", "ABCD", "ABC1", "aB1", "0", "007"}
    assert {t: info._code_piece(t) for t in tokens} == {t: plain_code_piece(t) for t in tokens}


@pytest.mark.parametrize("offset", [0, 5, 13])
def test_codes_read_as_the_plain_reading_reads_them(offset):
    texts = [*TEXTS, "order " + "a " * 40 + "4 5 6 7", "ref " + "x" * 66 + " 4567", "ref " + "x" * 67 + " 4567"]
    starts = [(text, min(offset, len(text))) for text in texts]
    differing = [(t, s) for t, s in starts if info._read_code(t, s) != plain_read_code(t, s)]
    assert differing == []


def test_codes_after_every_label_read_as_before():
    pairs = [(text, m.end()) for text in TEXTS for m in re.finditer(fastre.authored(info._LABEL.case_blind), text, re.I)]
    assert len(pairs) > 1000
    assert [info._read_code(t, s) for t, s in pairs] == [plain_read_code(t, s) for t, s in pairs]


# --- case-blind patterns run case-sensitively on lower-cased ASCII ----------------------------

CASE_BLIND = {"label": info._LABEL, "date": info._DATE, "issue": info._ISSUE_CUES}


@pytest.mark.parametrize("name", sorted(CASE_BLIND))
def test_case_blind_patterns_have_only_lower_case_letters(name):
    pattern = fastre.authored(CASE_BLIND[name].case_blind)
    assert re.search(r"(?<!\\)[A-Z]", pattern) is None


@pytest.mark.parametrize("name", sorted(CASE_BLIND))
def test_case_blind_patterns_match_the_same_spans(name):
    twin = CASE_BLIND[name]
    plain = re.compile(fastre.authored(twin.case_blind), re.I)
    for text in TEXTS:
        expected = [(m.span(), [g and g.lower() for g in m.groups()]) for m in plain.finditer(text)]
        found = [(m.span(), [g and g.lower() for g in m.groups()]) for m in twin.finditer(text)]
        assert found == expected, text
        assert bool(twin.search(text)) == bool(expected), text


# --- months, word counts, deduplication -------------------------------------------------------


def test_month_names_are_the_months_their_first_letters_start():
    texts = [f"{month} 5" for month in "jan january feb mar march apr april may jun june jul july aug sep sept "
             "september oct nov dec december JAN Sept DECEMBER".split()]
    for text in texts:
        match = info._DATE.search(text)
        month = next(m for m in info._MONTHS if m.startswith(match.group(1).lower()[:3]))
        assert info._format_date(match) == f"{month.capitalize()} 5"


def test_a_month_read_through_a_folded_letter_is_that_month():
    # "ſep" (long s) matches case-blind; it used to stop the brief with StopIteration
    assert info._format_date(info._DATE.search("\u017fep 5")) == "September 5"
    view = CallView((Turn(0, Role.USER, "due \u017fep 5th, not march 3rd"),))
    assert [f.value for f in info.extract_information(view) if f.kind == "date"] == ["September 5", "March 3"]


def test_word_counts_are_the_lengths_of_split_lower_texts():
    assert [info._word_count(t) for t in TURNS] == [len(t.lower.split()) for t in TURNS]
    assert info._word_count(Turn(0, Role.USER, " \t ")) == 0


def plain_deduplicate(facts: list[info.Fact]) -> list[info.Fact]:
    seen, kept = set(), []
    for fact in facts:
        identity = (fact.kind, re.sub(r"[^A-Z0-9]", "", fact.value.upper()))
        if identity not in seen:
            seen.add(identity)
            kept.append(fact)
    return kept


def test_deduplication_keeps_the_same_facts():
    values = ["882041176", "88-20-41176", "ABC123", "abc123", "ǅ1", "ß12", "straße", "$1,200", "1200", "é1", "É1"]
    facts = [info.Fact("k", value, i, kind) for i, value in enumerate(values * 2) for kind in ("identifier", "amount")]
    assert info._deduplicate(facts) == plain_deduplicate(facts)


# --- set screens before the gates and before text2num ----------------------------------------


def plain_words_to_digits(text: str) -> str:
    if not info._NUMBER_WORDS_PATTERN.search(text):
        return text
    return info._alpha2digit()(text, "en")


def plain_gates(turn: Turn) -> tuple[bool, bool, bool, bool]:
    """Whether amounts, dates and addresses pass their screen and gate, as they did: each its own set
    screen, then its pattern; and whether the number-word pattern matches."""
    lower, runs = turn.lower, turn.alnum_runs
    money = not (info._MONEY_WORDS.isdisjoint(runs) and not info._has_currency_sign(lower))
    date = not (info._DATE_WORDS.isdisjoint(runs) and "/" not in lower)
    street = not info._STREET_WORDS.isdisjoint(runs)
    return (
        money and bool(info._MONEY_GATE.search(lower)),
        date and bool(info._DATE_GATE.search(lower)),
        street and bool(info._STREET_GATE.search(lower)),
        bool(info._NUMBER_WORDS_PATTERN.search(lower)),
    )


def screened_gates(turn: Turn) -> tuple[bool, bool, bool, bool]:
    """The same, answered as the rules do: set tests first, the pattern only where they cannot tell."""
    lower, runs = turn.lower, turn.alnum_runs
    whole = info._runs_are_words(lower)
    if not info._may_state_record(turn):
        money = date = street = False
    else:
        if info._MONEY_WORDS.isdisjoint(runs):
            money = info._has_currency_sign(lower)
        else:
            money = whole or bool(info._MONEY_GATE.search(lower))
        if info._DATE_WORDS.isdisjoint(runs) and "/" not in lower:
            date = False
        else:
            date = (whole and not info._MONTH_WORDS.isdisjoint(runs)) or bool(info._DATE_GATE.search(lower))
        street = not info._STREET_WORDS.isdisjoint(runs) and bool(whole or info._STREET_GATE.search(lower))
    return money, date, street, info._says_number_words(turn)


def test_set_screens_answer_as_the_gates():
    assert [screened_gates(t) for t in TURNS] == [plain_gates(t) for t in TURNS]


def test_spoken_numbers_become_digits_as_before():
    turns = [t for t in TURNS if info._may_state_record(t)]
    assert len(turns) > 1000
    assert [info._with_digits(t) for t in turns] == [plain_words_to_digits(t.lower) for t in turns]
