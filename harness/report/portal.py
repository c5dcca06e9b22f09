"""One brief drawn as the agent portal shows it: header (caller, number, duration, sentiment
badge), transfer reason, summary, collected information as a two-column table, next steps with
confidence, compliance flags (each marked raised-and-expected, false alarm or not judged)."""

from __future__ import annotations

from harness.contract import COMPLIANCE_TAXONOMY, ComplianceType
from harness.fixtures.model import Expected
from harness.report.html import duration_text, esc


def flag_status(flag_type: str, expected: Expected) -> str:
    """hit / false-alarm / unjudged for a raised flag, by type per call as the compliance scorer judges."""
    labelled = {t.value for t in expected.flag_types_labelled()}
    if flag_type not in labelled:
        return "unjudged"
    gold = {f.type.value for f in expected.compliance_flags or []}
    return "hit" if flag_type in gold else "false-alarm"


def severity(flag_type: str) -> str:
    try:
        return COMPLIANCE_TAXONOMY[ComplianceType(flag_type)].severity.value
    except ValueError:
        return "unknown"


def portal_panel(brief: dict, expected: Expected) -> str:
    header = brief.get("header") or {}
    sentiment = header.get("sentiment") or {}
    level = str(sentiment.get("level") or "unknown")
    parts = [
        '<div class="brief-header">'
        f'<span class="caller-name">{esc(header.get("caller_name"))}</span>'
        f'<span class="caller-number">{esc(header.get("phone_number"))}</span>'
        f'<span class="duration" title="call duration">{esc(duration_text(header.get("call_duration_seconds")))}'
        "</span>"
        f'<span class="badge level-{esc(level)}" title="{esc(level)}">{esc(sentiment.get("label") or level)}</span>'
        "</div>",
        f'<h4>Transfer reason</h4><p class="transfer-reason">{esc(brief.get("transfer_reason"))}</p>',
        "<h4>Summary</h4>" + _list("ul", "summary", [esc(item) for item in brief.get("call_summary") or []]),
        "<h4>Information collected</h4>" + _information(brief.get("information_collected") or []),
        "<h4>Next steps</h4>" + _list("ol", "next-steps", [
            f'{esc(step.get("action"))} <span class="confidence confidence-{esc(step.get("confidence"))}">'
            f'{esc(step.get("confidence"))}</span>' for step in brief.get("suggested_next_steps") or []]),
        "<h4>Compliance flags</h4>" + _flags(brief.get("compliance_flags") or [], expected),
    ]
    return f'<div class="portal">{"".join(parts)}</div>'


def _list(tag: str, css: str, items: list[str]) -> str:
    if not items:
        return '<p class="empty">none</p>'
    return f'<{tag} class="{css}">' + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _information(items: list[dict]) -> str:
    if not items:
        return '<p class="empty">none</p>'
    rows = "".join(f"<tr><th>{esc(item.get('key'))}</th><td>{esc(item.get('value'))}</td></tr>" for item in items)
    return f'<table class="information"><tbody>{rows}</tbody></table>'


def _flags(flags: list[dict], expected: Expected) -> str:
    if not flags:
        return '<p class="empty">no flags raised</p>'
    items = []
    for flag in flags:
        kind = str(flag.get("type"))
        status = flag_status(kind, expected)
        items.append(f'<li class="flag {status}"><span class="flag-type">{esc(kind)}</span> '
                     f'<span class="severity severity-{esc(severity(kind))}">{esc(severity(kind))}</span> '
                     f'<span class="status-label">{_STATUS_TEXT[status]}</span>'
                     f'<div class="flag-description">{esc(flag.get("description"))}</div></li>')
    return '<ul class="flags">' + "".join(items) + "</ul>"


_STATUS_TEXT = {"hit": "expected", "false-alarm": "false alarm", "unjudged": "not labelled"}
