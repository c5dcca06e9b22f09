"""An audit as a text table, CSV or plain data. Pure (strings out)."""

from __future__ import annotations

import csv
import io

from harness.analysis.audit import AuditRow, summary

CSV_COLUMNS = ("severity", "status", "fixture_id", "repeat", "message", "item", "expected", "raised", "evidence",
               "detail")
_EVIDENCE_WIDTH = 70


def audit_headline(run_id: str, rows: list[AuditRow]) -> str:
    counts = summary(rows)
    return (f"audit of run {run_id}: {counts['missed']} missed ({counts['missed_critical']} critical), "
            f"{counts['leak']} leaks, {counts['false_alarm']} false alarms, {counts['caught']} caught, "
            f"{counts['not_labelled']} raised on types the gold does not label")


def audit_text(run_id: str, rows: list[AuditRow]) -> str:
    lines = [audit_headline(run_id, rows), "",
             f"{'severity':<9} {'status':<12} {'fixture':<44} {'rep':>3} {'msg':>4}  {'item':<27} evidence"]
    for row in rows:
        message = "?" if row.message is None else str(row.message)
        evidence = " ".join(row.evidence.split())
        if len(evidence) > _EVIDENCE_WIDTH:
            evidence = evidence[: _EVIDENCE_WIDTH - 1] + "…"
        lines.append(f"{row.severity:<9} {row.status:<12} {row.fixture_id[:44]:<44} {row.repeat:>3} {message:>4}  "
                     f"{row.item:<27} {evidence}")
    return "\n".join(lines)


def audit_csv(rows: list[AuditRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.as_dict())
    return out.getvalue()


def audit_data(run_id: str, rows: list[AuditRow]) -> dict:
    return {"run": run_id, "summary": summary(rows), "rows": [row.as_dict() for row in rows]}
