"""One card per fixture: the brief of one repeat as the portal shows it, next to the gold labels;
the transcript with predicted and expected markers (hits, misses, false alarms); how the repeats
differ; the other repeats' briefs collapsed.

The repeat drawn in full is the first failing one (what a reviewer needs to see), else the first.
"""

from __future__ import annotations

from harness.fixtures.model import Expected, Fixture
from harness.privacy import mask_sensitive
from harness.report.data import Attempt, FixtureResult
from harness.report.gold import gold_panel
from harness.report.html import COUNT_METRICS, esc, metric_value
from harness.report.marks import FALSE_ALARM, HIT, MISS, MarkerMark, brief_markers, classify_markers
from harness.report.portal import portal_panel
from harness.report.repeats import outcome, repeat_differences
from harness.report.tables import PassChange

CARD_METRICS = ("pass", "schema.valid", "header.caller_name", "sentiment.within_one", "markers.f1", "compliance.f1",
                "compliance.missed_critical", "information.recall", "information.grounding", "privacy.clean")


def shown_attempt(result: FixtureResult) -> Attempt | None:
    return next((a for a in result.attempts if a.passed is False), result.attempts[0] if result.attempts else None)


def fixture_card(result: FixtureResult, mask_transcript: bool, change: PassChange | None = None,
                 compared: bool = False) -> str:
    """`compared`: a baseline was given, so a missing `change` means the fixture is new."""
    fixture, attempt = result.fixture, shown_attempt(result)
    status = result.status
    change_kind = change.kind if change is not None else ""
    opened = " open" if status != "pass" or change_kind == "regressed" else ""
    search = " ".join([fixture.id, fixture.title, fixture.domain.value, *fixture.tags]).lower()
    summary = (f'<summary><span class="status status-{status}">{status} {result.passes}/{len(result.attempts)}</span>'
               f' <span class="fixture-id">{esc(fixture.id)}</span> <span class="fixture-title">{esc(fixture.title)}'
               f'</span> <span class="meta">{esc(fixture.domain.value)}{_tags(fixture.tags)}</span>'
               f"{_change_badge(change) if compared else ''}</summary>")
    body = [_reasons(result)]
    if attempt is not None:
        which = "first failing repeat" if attempt.passed is False else "repeat shown in full"
        body.append(f'<div class="columns"><section class="brief-col"><h3>Brief · repeat {attempt.repeat} '
                    f'<small>({which})</small></h3>{_brief_or_error(attempt, fixture.expected)}'
                    f"{_score_chips(attempt)}</section>"
                    f'<section class="gold-col"><h3>Gold labels</h3>{gold_panel(fixture.expected, attempt.brief)}'
                    "</section></div>")
        body.append(transcript_section(fixture, attempt, mask_transcript))
    body.append(repeats_section(result, attempt))
    return (f'<details class="card" id="fx-{esc(fixture.id)}" data-status="{status}" data-change="{change_kind}" '
            f'data-search="{esc(search)}"{opened}>{summary}<div class="card-body">{"".join(body)}</div></details>')


def _tags(tags: list[str]) -> str:
    return "".join(f' <span class="tag">{esc(tag)}</span>' for tag in tags)


def _change_badge(change: PassChange | None) -> str:
    if change is None:
        return ' <span class="change new">not in baseline</span>'
    text = f"{change.kind} {change.before[0]}/{change.before[1]} → {change.after[0]}/{change.after[1]}"
    changed = ' <span class="change fixture-changed">fixture changed</span>' if change.fixture_changed else ""
    return f' <span class="change {change.kind}">{esc(text)}</span>{changed}' if change.kind != "same" else changed


def _reasons(result: FixtureResult) -> str:
    if not result.attempts:
        return ('<p class="outcomes">no generation stored for this fixture '
                "(an interrupted run: harness run --resume)</p>")
    lines = [f"repeat {a.repeat}: {outcome(a)}" for a in result.attempts]
    consistency = result.fixture_scores.get("consistency.pass_all_k")
    if consistency is not None:
        lines.append(f"pass^k: {consistency[1]}")
    return '<p class="outcomes">' + " · ".join(esc(line) for line in lines) + "</p>"


def _brief_or_error(attempt: Attempt, expected: Expected) -> str:
    if attempt.brief is None:
        return (f'<div class="error-box"><strong>No brief: {esc(attempt.error_category or "error")}</strong>'
                f"<p>{esc(attempt.error_message)}</p></div>")
    return portal_panel(attempt.brief, expected)


def _score_chips(attempt: Attempt) -> str:
    chips = []
    for metric in CARD_METRICS:
        if metric not in attempt.scores:
            continue
        value, reason = attempt.scores[metric]
        if value is None:
            css = "na"
        elif metric in COUNT_METRICS:
            css = "good" if value == 0 else "bad"
        else:
            css = "good" if value == 1 else "bad" if value == 0 else "mid"
        shown = "n/l" if value is None else metric_value(metric, value)
        chips.append(f'<span class="score {css}" title="{esc(reason)}">{esc(metric)} {shown}</span>')
    return '<div class="scores">' + "".join(chips) + "</div>"


def transcript_section(fixture: Fixture, attempt: Attempt, mask_transcript: bool) -> str:
    marks = classify_markers(brief_markers(attempt.brief), fixture.expected)
    by_message: dict[int, list[MarkerMark]] = {}
    for mark in marks:
        by_message.setdefault(mark.message, []).append(mark)
    produced = (attempt.brief or {}).get("transcript") or []
    items = []
    for index, message in enumerate(fixture.conversation.messages):
        # The brief's own transcript is masked as the generator masked it; without a brief the
        # source is masked here the same way, so a report never shows more than the run did.
        if index < len(produced) and isinstance(produced[index], dict):
            content = str(produced[index].get("content", ""))
        else:
            content = mask_sensitive(message.content)[0] if mask_transcript else message.content
        here = by_message.get(index, [])
        states = sorted({f"has-{mark.status}" for mark in here})
        chips = "".join(_marker_chip(mark) for mark in here)
        items.append(f'<li class="message role-{message.role.value}{" marked" if here else ""} {" ".join(states)}">'
                     f'<span class="index">{index}</span><span class="role">{message.role.value}</span>'
                     f'<div class="content">{esc(content)}</div>'
                     f'{f"<div class=chips>{chips}</div>" if chips else ""}</li>')
    tally = {status: sum(1 for m in marks if m.status == status and (m.predicted or status == MISS))
             for status in (HIT, MISS, FALSE_ALARM)}
    heading = (f"<h3>Transcript <small>{tally[HIT]} hits, {tally[MISS]} misses, {tally[FALSE_ALARM]} false alarms"
               f"{'' if fixture.expected.is_labelled('markers') else ' (markers not labelled)'}</small></h3>")
    return f'<section class="transcript">{heading}<ol class="messages">{"".join(items)}</ol></section>'


_CHIP_TEXT = {HIT: "hit", MISS: "missed", FALSE_ALARM: "false alarm", "unjudged": "not judged"}


def _marker_chip(mark: MarkerMark) -> str:
    side = "predicted" if mark.predicted else "expected"
    note = _CHIP_TEXT[mark.status]
    if mark.paired_with is not None:
        note += f", {'expected' if mark.predicted else 'found'} at {mark.paired_with}"
    title = f"{side}: {mark.description}" if mark.description else side
    return (f'<span class="marker {mark.status} {side}" title="{esc(title)}">{esc(mark.type)} '
            f"<small>{esc(note)}</small></span>")


def repeats_section(result: FixtureResult, shown: Attempt | None) -> str:
    attempts = result.attempts
    if len(attempts) < 2:
        return ""
    differences = repeat_differences(attempts)
    if differences:
        head = "".join(f"<th>repeat {a.repeat}</th>" for a in attempts)
        rows = "".join(f"<tr><th>{esc(name)}</th>" + "".join(f"<td>{esc(v)}</td>" for v in values) + "</tr>"
                       for name, values in differences)
        table = f'<table class="differences"><thead><tr><th>field</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
        title = f"{len(differences)} field(s) differ across the {len(attempts)} repeats"
    else:
        table, title = "", f"All {len(attempts)} repeats agree on every field"
    others = "".join(
        f'<details class="other-repeat"><summary>repeat {a.repeat}: {esc(outcome(a))}</summary>'
        f'{_brief_or_error(a, result.fixture.expected)}{_score_chips(a)}</details>'
        for a in attempts if a is not shown)
    return f'<section class="repeats"><h3>Repeats <small>{esc(title)}</small></h3>{table}{others}</section>'
