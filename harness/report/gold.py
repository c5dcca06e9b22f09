"""The gold labels of a fixture beside the brief: each key the fixture labels, judged against the
brief where the scorers judge it (name, sentiment, flags raised or missed, information found or
missing); each key it does not label says so, since partial gold is never a failure."""

from __future__ import annotations

from harness.contract import UNKNOWN_CALLER
from harness.fixtures.model import Expected
from harness.report.html import esc, masked
from harness.report.marks import HIT, MISS
from harness.report.portal import severity
from harness.scoring.header import normalise_name
from harness.scoring.information import recalled

NOT_LABELLED = '<span class="not-labelled">not labelled</span>'


def gold_panel(expected: Expected, brief: dict | None) -> str:
    header = (brief or {}).get("header") or {}
    rows = [("caller name", _gold_name(expected, header.get("caller_name"))),
            ("sentiment", _gold_sentiment(expected, (header.get("sentiment") or {}).get("level"))),
            ("markers", _gold_markers(expected)),
            ("compliance flags", _gold_flags(expected, brief)),
            ("information", _gold_information(expected, brief)),
            ("transfer reason keywords", _gold_list(expected, "transfer_reason_keywords")),
            ("must not contain", _gold_secrets(expected)),
            ("reference", _gold_reference(expected))]
    return '<dl class="gold">' + "".join(f"<dt>{esc(name)}</dt><dd>{value}</dd>" for name, value in rows) + "</dl>"


def _verdict(right: bool) -> str:
    return '<span class="verdict hit">✓</span>' if right else '<span class="verdict miss">✗</span>'


def _gold_name(expected: Expected, predicted: str | None) -> str:
    if not expected.is_labelled("caller_name"):
        return NOT_LABELLED
    gold = expected.caller_name if expected.caller_name is not None else UNKNOWN_CALLER
    judged = _verdict(normalise_name(gold) == normalise_name(predicted)) if predicted is not None else ""
    return f"{esc(gold)} {judged}"


def _gold_sentiment(expected: Expected, predicted: str | None) -> str:
    if not expected.is_labelled("sentiment"):
        return NOT_LABELLED
    gold = expected.sentiment.value
    judged = _verdict(gold == predicted) + f" <small>brief: {esc(predicted)}</small>" if predicted else ""
    return f'<span class="badge level-{esc(gold)}">{esc(gold)}</span> {judged}'


def _gold_markers(expected: Expected) -> str:
    if not expected.is_labelled("markers"):
        return NOT_LABELLED
    types = ", ".join(sorted(t.value for t in expected.marker_types_labelled()))
    scope = "all types" if not expected.labelled_marker_types else f"complete for: {types}"
    return f"{len(expected.markers)} expected ({esc(scope)}); see the transcript"


def _gold_flags(expected: Expected, brief: dict | None) -> str:
    if not expected.is_labelled("compliance_flags"):
        return NOT_LABELLED
    raised = {str(f.get("type")) for f in (brief or {}).get("compliance_flags") or []}
    scope = "" if not expected.labelled_flag_types else (
        f'<p class="scope">complete for: {esc(", ".join(sorted(t.value for t in expected.flag_types_labelled())))}</p>')
    if not expected.compliance_flags:
        return "none expected" + scope
    items = []
    for flag in expected.compliance_flags:
        kind = flag.type.value
        status = HIT if kind in raised else MISS
        where = f" @ message {flag.message}" if flag.message is not None else ""
        items.append(f'<li class="flag {status}"><span class="flag-type">{esc(kind)}</span>{esc(where)} '
                     f'<span class="severity severity-{severity(kind)}">{severity(kind)}</span> '
                     f'<span class="status-label">{"raised" if status == HIT else "missed"}</span></li>')
    return '<ul class="flags">' + "".join(items) + "</ul>" + scope


def _gold_information(expected: Expected, brief: dict | None) -> str:
    if not expected.is_labelled("information"):
        return NOT_LABELLED
    if not expected.information:
        return "none expected"
    generated = [str(item.get("value", "")) for item in (brief or {}).get("information_collected") or []]
    rows = []
    for item in expected.information:
        found = recalled(item.value, generated) if brief is not None else False
        rows.append(f'<tr class="{HIT if found else MISS}"><th>{esc(item.key)}</th><td>{esc(item.value)}</td>'
                    f'<td>{"found" if found else "missing"}</td></tr>')
    return f'<table class="information gold-information"><tbody>{"".join(rows)}</tbody></table>'


def _gold_list(expected: Expected, key: str) -> str:
    if not expected.is_labelled(key):
        return NOT_LABELLED
    values = getattr(expected, key) or []
    return esc(", ".join(values)) if values else "none"


def _gold_secrets(expected: Expected) -> str:
    if not expected.is_labelled("must_not_contain"):
        return NOT_LABELLED
    secrets = expected.must_not_contain or []
    return f"{len(secrets)} string(s), masked here: {esc(', '.join(masked(s) for s in secrets))}" if secrets else "none"


def _gold_reference(expected: Expected) -> str:
    if not expected.is_labelled("reference") or not expected.reference:
        return NOT_LABELLED
    return "".join(f'<p class="reference"><strong>{esc(key)}:</strong> {esc(text)}</p>'
                   for key, text in expected.reference.items())
