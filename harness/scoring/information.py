"""information: recall of the gold values, and grounding of the generated ones.

Values are compared in a normal form: letters and digits only, upper case ("882-041-176" ==
"882041176"); a masked value matches its visible digits ("****1111" matches gold "1111"); ISO
and spoken dates agree ("2026-10-02" == "October 2"). A long free-text gold value ("Internet out
since Thursday...") counts as recalled when most of its content words appear in one generated
value. Grounding asks the reverse of the transcript: a generated value none of whose normal
forms, digits or content words occur in the call is unsupported, i.e. hallucinated.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from harness.privacy import digit_runs
from harness.scoring import scorer
from harness.scoring.base import Score, ScoreContext, ratio, unlabelled

_MASK = re.compile(r"[*xX•#]{2,}")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_DAY = re.compile(r"\b(" + "|".join(calendar.month_name[1:]) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("the a an and or of to in on for at by with from is was it this that as be are".split())
FREE_TEXT_WORDS = 4
FREE_TEXT_SHARE = 0.5


def normal_form(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def value_forms(value: str) -> set[str]:
    """Every form a reviewer would accept as the same value."""
    forms = {normal_form(value)}
    iso = _ISO_DATE.match(value.strip())
    if iso:
        forms.add(normal_form(f"{calendar.month_name[int(iso[2])]} {int(iso[3])}"))
    for month, day in _MONTH_DAY.findall(value):
        forms.add(normal_form(f"{month} {int(day)}"))
    if _MASK.search(value):
        visible = re.sub(r"\D", "", _MASK.sub("", value))
        if visible:
            forms.add(visible)
    forms.discard("")
    return forms


def content_words(value: str) -> set[str]:
    return {w for w in _WORD.findall(value.lower()) if w not in _STOP and len(w) > 1}


@dataclass(frozen=True)
class _Generated:
    """A generated value's comparison forms, computed once per brief rather than per gold value."""

    forms: frozenset[str]
    masked_tail: str
    words: frozenset[str]

    @classmethod
    def of(cls, value: str) -> _Generated:
        masked_tail = re.sub(r"\D", "", value) if _MASK.search(value) else ""
        return cls(frozenset(value_forms(value)), masked_tail, frozenset(content_words(value)))


def recalled(gold: str, generated: list[str] | list[_Generated]) -> bool:
    candidates = [g if isinstance(g, _Generated) else _Generated.of(g) for g in generated]
    gold_forms = value_forms(gold)
    long_forms = [g for g in gold_forms if len(g) >= 4]
    for candidate in candidates:
        if gold_forms & candidate.forms:
            return True
        if any(g in f for g in long_forms for f in candidate.forms):
            return True
        if candidate.masked_tail and any(g.endswith(candidate.masked_tail) for g in gold_forms):
            return True
    words = content_words(gold)
    if len(words) >= FREE_TEXT_WORDS:
        return any(len(words & c.words) / len(words) >= FREE_TEXT_SHARE for c in candidates)
    return False


@dataclass(frozen=True)
class _CallIndex:
    text: str  # normal form of the call with spoken numbers as digits ("a hundred and twenty" -> 120)
    lower: str  # the same, lower case with spaces kept, for date phrases
    digits: str  # every digit run, spoken or written, joined: codes read in pieces still match
    words: frozenset[str]


@lru_cache(maxsize=256)
def _index(transcript: str) -> _CallIndex:
    from text_to_num import alpha2digit

    spoken = alpha2digit(transcript.lower(), "en")
    return _CallIndex(
        text=normal_form(spoken),
        lower=spoken,
        digits="".join(run.digits for run in digit_runs(transcript)),
        words=frozenset(content_words(transcript)),
    )


def grounded(value: str, transcript: str) -> bool:
    call = _index(transcript)
    for form in value_forms(value):
        if form in call.text or (form.isdigit() and len(form) >= 3 and form in call.digits):
            return True
    if _date_said(value, call.lower):
        return True
    numbers = [n for n in re.findall(r"\d+", value.replace(",", "")) if len(n) >= 2]
    if numbers and not re.search(r"[a-z]{3,}", value.lower().replace("cents", "")):
        # an amount or a number: its leading figure must have been said ("$3,218.40" -> 3218)
        return numbers[0] in call.text or numbers[0] in call.digits
    value_words = content_words(value)
    return bool(value_words) and len(value_words & call.words) / len(value_words) >= 0.6


def _date_said(value: str, spoken: str) -> bool:
    for month, day in _MONTH_DAY.findall(value):
        month, day = month.lower(), int(day)
        pattern = rf"\b{month}\W+{day}(?:st|nd|rd|th)?\b|\b{day}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}\b"
        if re.search(pattern, spoken):
            return True
    return False


@scorer("information", version=1)
def information_scores(context: ScoreContext) -> list[Score]:
    generated = [item.get("value", "") for item in (context.brief or {}).get("information_collected") or []]
    transcript = "\n".join(m.content for m in context.fixture.conversation.messages)
    scores = [_grounding(generated, transcript, context)]
    expected = context.fixture.expected
    if not expected.is_labelled("information"):
        return [*scores, unlabelled("information.recall")]
    gold = [item.value for item in expected.information]
    candidates = [_Generated.of(value) for value in generated]
    found = [value for value in gold if recalled(value, candidates)]
    missing = [value for value in gold if value not in found]
    recall = ratio(len(found), len(gold))
    reason = f"{len(found)}/{len(gold)} gold values" + (f"; missing {missing[:2]}" if missing else "")
    return [*scores, Score("information.recall", recall if gold else 1.0, reason)]


def _grounding(generated: list[str], transcript: str, context: ScoreContext) -> Score:
    if context.brief is None:
        return Score("information.grounding", None, "no brief")
    if not generated:
        return Score("information.grounding", None, "no values generated")
    unsupported = [value for value in generated if not grounded(value, transcript)]
    share = 1 - len(unsupported) / len(generated)
    reason = f"{len(generated) - len(unsupported)}/{len(generated)} supported"
    if unsupported:
        reason += f"; unsupported {unsupported[:2]}"
    return Score("information.grounding", share, reason)
