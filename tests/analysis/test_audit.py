"""harness audit: every expected, raised, missed and false-alarm flag and every leak, problems first."""

import csv
import io
import json

from harness.analysis.audit import audit_run
from harness.analysis.audit_text import audit_csv
from tests.analysis.conftest import REGRESSED, invoke
from tests.factories import fixture_dict, portal_dict

CARD = "4111 1111 1111 1111"  # Luhn-valid, in the Visa range: the detectors know it is a card


def crafted() -> tuple[dict[str, dict], list[dict]]:
    full = fixture_dict("telecom-audit-full-gold")
    full["conversation"]["messages"][3]["content"] = f"march third eighty-one, and my card is {CARD}"
    full["expected"]["compliance_flags"] = [{"type": "unfulfillable_commitment", "message": 4},
                                            {"type": "recording_consent_missing"}]
    full["expected"]["must_not_contain"] = ["SECRET-7"]
    partial = fixture_dict("telecom-audit-partial-gold")
    partial["expected"] = {"compliance_flags": [], "labelled_flag_types": ["legal_threat"]}
    unlabelled = fixture_dict("telecom-audit-unlabelled") | {"expected": {}}

    def brief(*flags: tuple[str, str], summary: str = "", reason: str = "") -> dict:
        portal = portal_dict()
        portal["compliance_flags"] = [{"type": t, "description": d} for t, d in flags]
        portal["call_summary"][0] += summary
        portal["transfer_reason"] += reason
        return portal

    generations = [
        {"fixture_id": full["id"], "repeat": 0, "brief": brief(
            ("unfulfillable_commitment", "Promised a guaranteed refund"), ("legal_threat", "Mentions a lawyer"))},
        {"fixture_id": full["id"], "repeat": 1, "brief": json.dumps(brief(
            summary=f" Card {CARD} is on file.", reason=" Code SECRET-7."))},  # stored JSON text
        {"fixture_id": full["id"], "repeat": 2, "brief": None, "error_category": "invalid_json"},
        {"fixture_id": partial["id"], "repeat": 0, "brief": brief(
            ("legal_threat", "Says they will sue"), ("vulnerability_indicator", "Sounds distressed"))},
        {"fixture_id": unlabelled["id"], "repeat": 0, "brief": brief(
            ("payment_card_data_exposed", f"Read out {CARD}"))},
    ]
    return {f["id"]: f for f in (full, partial, unlabelled)}, generations


def test_every_flag_and_leak_in_priority_order():
    rows = audit_run(*crafted())
    table = [(r.severity, r.status, r.fixture_id.removeprefix("telecom-audit-"), r.repeat, r.item, r.message,
              r.expected, r.raised) for r in rows]
    assert table == [
        ("critical", "missed", "full-gold", 1, "unfulfillable_commitment", 4, True, False),
        ("critical", "missed", "full-gold", 2, "unfulfillable_commitment", 4, True, False),
        ("critical", "leak", "full-gold", 1, "must_not_contain", None, False, True),
        ("critical", "leak", "full-gold", 1, "card_number", 3, False, True),
        # the flag's own description repeats the card: a leak as much as any other field
        ("critical", "leak", "unlabelled", 0, "card_number", None, False, True),
        ("major", "missed", "full-gold", 0, "recording_consent_missing", None, True, False),
        ("major", "missed", "full-gold", 1, "recording_consent_missing", None, True, False),
        ("major", "missed", "full-gold", 2, "recording_consent_missing", None, True, False),
        ("minor", "false_alarm", "full-gold", 0, "legal_threat", None, False, True),
        ("minor", "false_alarm", "partial-gold", 0, "legal_threat", None, False, True),
        ("critical", "caught", "full-gold", 0, "unfulfillable_commitment", 4, True, True),
        # partial gold: types the fixture does not label are reported, never as false alarms
        ("critical", "not_labelled", "unlabelled", 0, "payment_card_data_exposed", None, False, True),
        ("major", "not_labelled", "partial-gold", 0, "vulnerability_indicator", None, False, True),
    ]


def test_evidence_is_the_masked_message_or_the_description_and_never_a_secret():
    rows = audit_run(*crafted())
    evidence = {(r.status, r.fixture_id.removeprefix("telecom-audit-"), r.repeat, r.item): (r.evidence, r.detail)
                for r in rows}
    assert evidence[("missed", "full-gold", 1, "unfulfillable_commitment")] == (
        "Thanks, you're verified. I'll refund it, guaranteed.", "not raised")
    assert evidence[("missed", "full-gold", 2, "unfulfillable_commitment")][1] == "no brief (invalid_json)"
    assert evidence[("caught", "full-gold", 0, "unfulfillable_commitment")][1] == "Promised a guaranteed refund"
    assert evidence[("missed", "full-gold", 0, "recording_consent_missing")][0] == (
        "(across the call) the call is recorded and no recording notice or consent is given")
    assert evidence[("false_alarm", "partial-gold", 0, "legal_threat")] == (
        "Says they will sue", "raised, not in the gold")
    assert evidence[("leak", "full-gold", 1, "card_number")] == (
        '…ler was charged twice for October. Card ****1111 is on file.", "Identity verified with d…', "in call_summary")
    assert evidence[("leak", "full-gold", 1, "must_not_contain")][1] == "in transfer_reason"
    assert evidence[("not_labelled", "unlabelled", 0, "payment_card_data_exposed")][0] == "Read out ****1111"
    assert evidence[("leak", "unlabelled", 0, "card_number")][1] == "in compliance_flags"
    text = "".join(r.evidence + r.detail for r in rows)
    assert CARD not in text and "SECRET-7" not in text and "[MUST NOT CONTAIN]" in text


def test_csv_parses_with_one_row_per_item():
    rows = audit_run(*crafted())
    parsed = list(csv.DictReader(io.StringIO(audit_csv(rows))))
    assert len(parsed) == 13
    assert list(parsed[0]) == ["severity", "status", "fixture_id", "repeat", "message", "item", "expected", "raised",
                               "evidence", "detail"]
    assert (parsed[0]["status"], parsed[0]["message"], parsed[2]["message"]) == ("missed", "4", "")


def test_audit_of_a_stored_run_puts_its_critical_misses_first(runs, tmp_path):
    out = tmp_path / "audit.csv"
    result = invoke("audit", "one_regressed", "--db", str(runs.db), "--csv", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("audit of run one_regressed: 6 missed (4 critical), 0 leaks, "
                                                     "0 false alarms, ")
    parsed = list(csv.DictReader(out.open()))
    assert [(r["severity"], r["status"], r["fixture_id"], r["repeat"], r["item"]) for r in parsed[:6]] == [
        ("critical", "missed", REGRESSED, "0", "payment_card_data_exposed"),
        ("critical", "missed", REGRESSED, "0", "unfulfillable_commitment"),
        ("critical", "missed", REGRESSED, "1", "payment_card_data_exposed"),
        ("critical", "missed", REGRESSED, "1", "unfulfillable_commitment"),
        ("minor", "missed", REGRESSED, "0", "legal_threat"),
        ("minor", "missed", REGRESSED, "1", "legal_threat"),
    ]
    assert {r["status"] for r in parsed[6:]} <= {"caught", "not_labelled"}
    # the gold's card number is in the evidence message, masked by the fixture's must_not_contain
    assert parsed[0]["message"] == "9" and "4716" not in out.read_text()
    as_json = json.loads(invoke("audit", "one_regressed", "--db", str(runs.db), "--json").stdout)
    assert as_json["summary"]["missed_critical"] == 4 and len(as_json["rows"]) == len(parsed)
    both = invoke("audit", "base", "--db", str(runs.db), "--json", "--csv", str(out))
    assert both.exit_code == 2 and "choose one of --csv FILE and --json" in both.stderr
