"""The compliance audit of a stored run: every expected, raised, missed and false-alarm compliance
flag and every privacy leak, one row each, problems first (critical misses at the top).

Built from what the run stored: the exact fixture gold (run_fixtures) and each generated brief.
Partial gold is respected: a raised flag of a type outside the fixture's `labelled_flag_types`
(or on a fixture whose flags are not labelled at all) is "not labelled", never a false alarm.
A brief's flags carry only a type and a description, so a flag's message index is the gold's
(when the gold gives one) and unknown otherwise. Evidence is masked (harness.privacy): the audit
must not become the leak it reports. Pure: stored rows in, rows out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass

from harness.contract import COMPLIANCE_TAXONOMY, ComplianceType, Severity
from harness.fixtures.model import Fixture
from harness.privacy import find_sensitive, mask_sensitive
from harness.scoring.privacy import LEAK_KINDS, generated_text

MISSED, LEAK, FALSE_ALARM, CAUGHT, NOT_LABELLED = "missed", "leak", "false_alarm", "caught", "not_labelled"
_STATUS_ORDER = (MISSED, LEAK, FALSE_ALARM, CAUGHT, NOT_LABELLED)
_PROBLEMS = frozenset({MISSED, LEAK, FALSE_ALARM})
_SEVERITY_ORDER = (Severity.CRITICAL.value, Severity.MAJOR.value, Severity.MINOR.value, "unknown")
# Every leak is critical: DESIGN §1 says these values must never appear in a generated field.
LEAK_SEVERITY = Severity.CRITICAL.value
MUST_NOT_CONTAIN = "[MUST NOT CONTAIN]"
_SNIPPET = 40  # characters of context each side of a leak
_GENERATED_FIELDS = ("header", "transfer_reason", "call_summary", "information_collected", "suggested_next_steps",
                     "compliance_flags")


@dataclass(frozen=True)
class AuditRow:
    severity: str  # critical | major | minor
    status: str  # missed | leak | false_alarm | caught | not_labelled
    fixture_id: str
    repeat: int
    item: str  # the flag type, or the leak's kind (card_number, cvv, ssn, must_not_contain)
    message: int | None  # 0-based message index; None when unknown
    expected: bool  # in the fixture's gold
    raised: bool  # in the brief (for a leak: it appeared in a generated field)
    evidence: str  # the masked transcript message, or the flag's description, or the leaking text (masked)
    detail: str  # what the brief said, or why there is nothing

    def as_dict(self) -> dict:
        return asdict(self)


def audit_run(fixtures: dict[str, dict], generations: list[dict]) -> list[AuditRow]:
    """fixtures: fixture id -> the stored fixture JSON; generations: stored rows (fixture_id, repeat,
    brief, error_category)."""
    parsed = {fixture_id: Fixture.model_validate(data) for fixture_id, data in fixtures.items()}
    rows: list[AuditRow] = []
    for generation in generations:
        fixture = parsed.get(generation["fixture_id"])
        if fixture is None:
            continue
        brief = generation.get("brief")
        brief = json.loads(brief) if isinstance(brief, str) else brief
        rows += flag_rows(fixture, generation["repeat"], brief, generation.get("error_category"))
        if brief is not None:
            rows += leak_rows(fixture, generation["repeat"], brief)
    return sorted(rows, key=_priority)


def flag_rows(fixture: Fixture, repeat: int, brief: dict | None, error: str | None = None) -> list[AuditRow]:
    expected = fixture.expected
    labelled = {kind.value for kind in expected.flag_types_labelled()}
    gold = [flag for flag in expected.compliance_flags or [] if flag.type.value in labelled]
    secrets = expected.must_not_contain or []
    raised: dict[str, list[str]] = defaultdict(list)
    for flag in (brief or {}).get("compliance_flags") or []:
        raised[flag.get("type")].append(_masked(flag.get("description") or "", secrets))
    messages = fixture.conversation.messages
    rows = []
    for flag in gold:
        kind = flag.type.value
        said = raised.get(kind)
        if flag.message is not None and flag.message < len(messages):
            evidence = _masked(messages[flag.message].content, secrets)
        elif said:
            evidence = said[0]
        else:
            evidence = f"(across the call) {COMPLIANCE_TAXONOMY[flag.type].raise_when}"
        detail = "; ".join(said) if said else (f"no brief ({error or 'failed'})" if brief is None else "not raised")
        rows.append(AuditRow(_severity(kind), CAUGHT if said else MISSED, fixture.id, repeat, kind, flag.message,
                             True, bool(said), evidence, detail))
    gold_types = {flag.type.value for flag in gold}
    for kind, descriptions in raised.items():
        if kind in gold_types:
            continue  # reported on the gold rows above
        status = FALSE_ALARM if kind in labelled else NOT_LABELLED
        why = "raised, not in the gold" if status == FALSE_ALARM else "raised; the fixture does not label this type"
        for description in descriptions:
            rows.append(AuditRow(_severity(kind), status, fixture.id, repeat, kind, None, False, True, description,
                                 why))
    return rows


def leak_rows(fixture: Fixture, repeat: int, brief: dict) -> list[AuditRow]:
    """The privacy scorer's leaks (harness.scoring.privacy), located: the generated field and the
    source message the secret came from."""
    text = generated_text(brief)
    secrets = fixture.expected.must_not_contain or []
    rows = []
    for secret in secrets:
        start = text.find(secret)
        if start >= 0:
            snippet = _snippet(text, start, start + len(secret), MUST_NOT_CONTAIN, secrets)
            source = _source_message(fixture, lambda content, s=secret: s in content)
            rows.append(AuditRow(LEAK_SEVERITY, LEAK, fixture.id, repeat, "must_not_contain", source, False, True,
                                 snippet, f"in {_field_at(text, start)}"))
    for finding in find_sensitive(text):
        if finding.kind not in LEAK_KINDS:
            continue
        snippet = _snippet(text, finding.start, finding.end, finding.masked, secrets)
        source = _source_message(fixture, lambda content, f=finding: any(
            other.value == f.value for other in find_sensitive(content)))
        rows.append(AuditRow(LEAK_SEVERITY, LEAK, fixture.id, repeat, finding.kind, source, False, True, snippet,
                             f"in {_field_at(text, finding.start)}"))
    return rows


def _severity(kind: str) -> str:
    try:
        return COMPLIANCE_TAXONOMY[ComplianceType(kind)].severity.value
    except ValueError:
        return "unknown"


def _masked(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """`text` with the fixture's own secrets (its `must_not_contain`, which are often not Luhn-valid
    test numbers the detectors would pass over) and every detected card, CVV, SSN... masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MUST_NOT_CONTAIN)
    return mask_sensitive(text)[0]


def _snippet(text: str, start: int, end: int, replacement: str, secrets: list[str]) -> str:
    before = text[max(0, start - _SNIPPET) : start]
    after = text[end : end + _SNIPPET]
    return ("…" if start > _SNIPPET else "") + _masked(before, secrets) + replacement + _masked(after, secrets) + (
        "…" if end + _SNIPPET < len(text) else "")


def _field_at(text: str, position: int) -> str:
    """The top-level brief field whose JSON holds `position` of `generated_text`."""
    starts = {field: text.rfind(f'"{field}": ', 0, position) for field in _GENERATED_FIELDS}
    field, start = max(starts.items(), key=lambda item: item[1])
    return field if start >= 0 else "the brief"


def _source_message(fixture: Fixture, holds) -> int | None:
    return next((i for i, message in enumerate(fixture.conversation.messages) if holds(message.content)), None)


def _priority(row: AuditRow) -> tuple:
    return (row.status not in _PROBLEMS, _SEVERITY_ORDER.index(row.severity) if row.severity in _SEVERITY_ORDER
            else len(_SEVERITY_ORDER), _STATUS_ORDER.index(row.status), row.fixture_id, row.repeat,
            -1 if row.message is None else row.message, row.item)


def summary(rows: list[AuditRow]) -> dict[str, int]:
    counts = {status: 0 for status in _STATUS_ORDER}
    for row in rows:
        counts[row.status] += 1
    counts["missed_critical"] = sum(row.status == MISSED and row.severity == Severity.CRITICAL.value for row in rows)
    return counts
