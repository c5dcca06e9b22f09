"""How the K repeats of a fixture differ: the fields of the brief whose value is not the same in
every repeat, each shown per repeat. Repeats are independent samples, so disagreement is itself a
finding (the consistency scorer measures it; this shows where it comes from)."""

from __future__ import annotations

from collections.abc import Callable

from harness.report.data import Attempt


def _header(brief: dict) -> dict:
    return brief.get("header") or {}


def _listing(items: list[str]) -> str:
    return "\n".join(items) if items else "(none)"


FIELDS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("caller name", lambda b: str(_header(b).get("caller_name"))),
    ("sentiment level", lambda b: str((_header(b).get("sentiment") or {}).get("level"))),
    ("sentiment label", lambda b: str((_header(b).get("sentiment") or {}).get("label"))),
    ("transfer reason", lambda b: str(b.get("transfer_reason"))),
    ("call summary", lambda b: _listing([f"• {s}" for s in b.get("call_summary") or []])),
    ("information collected", lambda b: _listing(
        sorted(f"{i.get('key')}: {i.get('value')}" for i in b.get("information_collected") or []))),
    ("next steps", lambda b: _listing(
        [f"{s.get('action')} ({s.get('confidence')})" for s in b.get("suggested_next_steps") or []])),
    ("compliance flags", lambda b: _listing(sorted(str(f.get("type")) for f in b.get("compliance_flags") or []))),
    ("transcript markers", lambda b: _listing(sorted(
        (f"{m.get('type')} @ {i}" for i, message in enumerate(b.get("transcript") or [])
         for m in message.get("markers") or []), key=lambda text: (int(text.rsplit("@ ", 1)[1]), text)))),
)


def outcome(attempt: Attempt) -> str:
    if attempt.brief is None:
        return f"no brief: {attempt.error_category or 'error'}"
    if attempt.passed is None:
        return "not scored"
    return "pass" if attempt.passed else f"fail: {attempt.pass_reason}"


def repeat_differences(attempts: list[Attempt]) -> list[tuple[str, list[str]]]:
    """(field, value in each repeat) for every field that is not identical across the repeats;
    the outcome (pass, fail and why, or the error) comes first when it differs."""
    if len(attempts) < 2:
        return []
    rows = [("outcome", [outcome(a) for a in attempts])]
    for name, read in FIELDS:
        rows.append((name, [read(a.brief) if a.brief is not None else "—" for a in attempts]))
    return [(name, values) for name, values in rows if len(set(values)) > 1]
