"""The caller's name, on short hand-written calls with different phrasings."""

import pytest

from harness.backends.rules.names import caller_name
from tests.backends.rules.calls import call


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        # introductions, capitalised or not
        ([("a", "How can I help?"), ("u", "hi yeah this is maria lopez, I got charged twice")], "Maria Lopez"),
        ([("a", "How can I help?"), ("u", "Hi, my name's Tobenna Okafor and I'm calling about my order")],
         "Tobenna Okafor"),
        ([("a", "Hello?"), ("u", "uh, Dana here. my card got declined")], None),  # "X here" is not a pattern we trust
        # answers to a name question, even mixed with other details
        ([("a", "Can I get your full name and the last four of the card?"),
          ("u", "uh yeah, gloria mendes. last four is two two eight one")], "Gloria Mendes"),
        ([("a", "Who am I speaking with?"), ("u", "Rudy. unit C two fourteen")], "Rudy"),
        # a repeat with the fuller form
        ([("a", "And your name?"), ("u", "Lucia. Lucia Ferraro. his name's Vincent Ferraro")], "Lucia Ferraro"),
        # the name is someone else's
        ([("a", "How can I help?"), ("u", "I'm calling about my mother, Ruth Alvarez, her bill")], None),
        # spelled corrections
        ([("a", "Can I have your name?"), ("u", "Jon Smith"),
          ("a", "Thanks, John Smith."), ("u", "no it's J O N, no h")], "Jon Smith"),
        ([("a", "What's the name on the booking?"), ("u", "tom hargreaves. H A R G R E A V E S")],
         "Tom Hargreaves"),
        # everyday words after "it's" / "I'm" are not names
        ([("a", "How can I help?"), ("u", "hi, I'm standing at your counter and it's ridiculous")], None),
        ([("a", "What's your last name?"), ("u", "hang on it's in my email")], None),
        # a nickname then the legal name
        ([("a", "Can I get your name?"), ("u", "it's Bex, well, Rebecca, it'd be under Rebecca Okonkwo")],
         "Rebecca Okonkwo"),
        # nobody ever says a name
        ([("a", "Hello, how can I help?"), ("u", "my internet is down again"), ("a", "Sorry to hear that.")], None),
    ],
)
def test_caller_name(turns, expected):
    assert caller_name(call(*turns)) == expected


def test_a_lone_first_name_is_completed_from_the_assistants_read_back():
    view = call(("a", "Can I have the last name on the booking?"), ("u", "yep, last name Montgomery"),
                ("a", "Thank you, Ms. Montgomery. I see the booking for Keisha Montgomery to Boston."))
    assert caller_name(view) == "Keisha Montgomery"


def test_a_later_unrelated_name_does_not_replace_the_callers():
    view = call(("a", "Your name please?"), ("u", "Priya Raman"),
                ("a", "What is the name of the new practice?"), ("u", "it's Capitol Family Medicine"))
    assert caller_name(view) == "Priya Raman"


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        # family name first, given name cued
        ([("a", "And your last name please?"), ("u", "okonjo. O K O N J O. first name Adaeze")], "Adaeze Okonjo"),
        # the family name again, fuller
        ([("a", "Who am I speaking with?"), ("u", "Lindqvist. Maja Lindqvist")], "Maja Lindqvist"),
        # a relative introducing themselves by their relation
        ([("a", "How can I help?"), ("u", "hello, I'm his son, Tobias, calling about my dad's bill")], "Tobias"),
        # a family name said and spelled, then the given name
        ([("a", "How can I help?"), ("u", "the booking is under Haldorsen. H A L D O R S E N. me I am Ingrid")],
         "Ingrid Haldorsen"),
        # "name is" without "my"
        ([("a", "How can I help?"), ("u", "yes hello, name is Goran Petrovic, I call about the claim")],
         "Goran Petrovic"),
    ],
)
def test_names_given_in_pieces(turns, expected):
    assert caller_name(call(*turns)) == expected


def test_the_assistant_using_the_full_form_of_a_short_name():
    view = call(("a", "Who's calling?"), ("u", "it's Ray Whitfield"), ("a", "Thank you, Raymond. How can I help?"))
    assert caller_name(view) == "Raymond Whitfield"


def test_letters_that_spell_a_code_do_not_become_a_surname():
    view = call(("a", "Can I get your name?"), ("u", "Dana"), ("a", "And the plate?"), ("u", "eight, K, L, M, four"))
    assert caller_name(view) == "Dana"
