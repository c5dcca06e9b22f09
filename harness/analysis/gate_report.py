"""A gate result for people and CI: terminal text, JUnit XML, a Markdown summary. Pure (strings out).

JUnit has one suite of threshold checks and one of fixtures, so a CI test view shows both which
threshold failed the build and which fixtures fail the pass rule (a fixture failing does not fail
the gate by itself: the thresholds decide).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.analysis.gate import FAIL, SKIP, GateResult

_MARK = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}
_EMOJI = {"pass": "✅", "fail": "❌", "skip": "⏭️"}


def _headline(result: GateResult) -> str:
    against = f" against baseline {result.baseline_id}" if result.baseline_id else ""
    failed = result.failed_checks
    verdict = "PASSED" if result.passed else f"FAILED ({len(failed)} of {len(result.checks)} checks)"
    return f"gate {verdict}: run {result.run_id}{against}, thresholds from {result.source}"


def gate_text(result: GateResult) -> str:
    lines = [_headline(result)]
    for check in result.checks:
        lines.append(f"  {_MARK[check.status]}  {check.name}: {check.detail}")
    failing = [f for f in result.fixtures if not f.passed]
    lines.append(f"fixtures: {len(result.fixtures) - len(failing)} of {len(result.fixtures)} pass every repeat")
    for outcome in failing:
        lines.append(f"  {outcome.fixture_id}: {outcome.passes}/{outcome.repeats} pass ({outcome.reason})")
    if result.comparison is not None and result.comparison.regressed:
        lines.append(f"regressed vs baseline: {', '.join(c.fixture_id for c in result.comparison.regressed)}")
    return "\n".join(lines)


def gate_junit(result: GateResult) -> str:
    suites = ET.Element("testsuites", name="harness gate")
    checks = _suite(suites, "gates", [(f"harness.gates.{c.kind}", c.name, c.status, c.detail, c.detail)
                                      for c in result.checks])
    fixtures = _suite(suites, "fixtures", [
        ("harness.fixtures", f.fixture_id, "pass" if f.passed else FAIL,
         f"{f.repeats - f.passes} of {f.repeats} repeats fail the pass rule: {f.reason}" if f.repeats else f.reason,
         f"{f.passes}/{f.repeats} repeats pass") for f in result.fixtures])
    suites.set("tests", str(int(checks.get("tests")) + int(fixtures.get("tests"))))
    suites.set("failures", str(int(checks.get("failures")) + int(fixtures.get("failures"))))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _suite(parent: ET.Element, name: str, cases: list[tuple[str, str, str, str, str]]) -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", name=name, tests=str(len(cases)),
                          failures=str(sum(status == FAIL for _, _, status, _, _ in cases)),
                          skipped=str(sum(status == SKIP for _, _, status, _, _ in cases)), errors="0")
    for classname, case_name, status, message, output in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=case_name, time="0")
        if status == FAIL:
            ET.SubElement(case, "failure", message=message).text = message
        elif status == SKIP:
            ET.SubElement(case, "skipped", message=message)
        else:
            ET.SubElement(case, "system-out").text = output
    return suite


def gate_markdown(result: GateResult) -> str:
    mark = _EMOJI["pass"] if result.passed else _EMOJI["fail"]
    lines = [f"## {mark} {_headline(result)}", "", "| | check | result |", "|---|---|---|"]
    lines += [f"| {_EMOJI[c.status]} | {_cell(c.name)} | {_cell(c.detail)} |" for c in result.checks]
    failing = [f for f in result.fixtures if not f.passed]
    lines += ["", f"**Fixtures:** {len(result.fixtures) - len(failing)} of {len(result.fixtures)} pass every "
                  "repeat (the pass rule: schema, sections, caller name, sentiment within one level, no missed "
                  "critical flag, no leak)."]
    if failing:
        lines += ["", f"<details><summary>{len(failing)} fixture(s) fail the pass rule</summary>", "",
                  "| fixture | passing repeats | reason |", "|---|---|---|"]
        lines += [f"| `{f.fixture_id}` | {f.passes}/{f.repeats} | {_cell(f.reason)} |" for f in failing]
        lines += ["", "</details>"]
    comparison = result.comparison
    if comparison is not None:
        lines += ["", f"**Against baseline `{comparison.base_run}`:** {len(comparison.regressed)} fixture(s) "
                      f"regressed, {len(comparison.improved)} improved, over {comparison.fixtures} shared fixtures."]
        for kind, changes in (("regressed", comparison.regressed), ("improved", comparison.improved)):
            if changes:
                lines += ["", f"| {kind} fixture | passes before → after | moved most |", "|---|---|---|"]
                lines += [f"| `{c.fixture_id}` | {c.base_passes}/{c.base_repeats} → {c.candidate_passes}/"
                          f"{c.candidate_repeats} | {_cell(', '.join(m.metric for m in c.moved))} |" for c in changes]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Table cells cannot hold a pipe or a line break."""
    return text.replace("|", "\\|").replace("\n", " ")
