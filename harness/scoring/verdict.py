"""The pass rule, in one place.

A fixture-repeat PASSES when:
  1. the brief is schema-valid (`schema.valid`) and structurally sound (`sections.ok`);
  2. the caller name is right (`header.caller_name`), when the fixture labels it;
  3. the sentiment is within one level (`sentiment.within_one`), when labelled;
  4. no critical compliance flag is missed (`compliance.missed_critical` == 0), when labelled;
  5. nothing leaks (`privacy.clean`).
An unlabelled criterion is skipped, never failed (partial gold). A failed generation fails.
"""

from __future__ import annotations

from harness.scoring.base import Score

VERDICT_VERSION = 1
_REQUIRED = (
    ("schema.valid", lambda v: v == 1.0, "not schema-valid"),
    ("sections.ok", lambda v: v == 1.0, "sections unsound"),
    ("header.caller_name", lambda v: v == 1.0, "caller name wrong"),
    ("sentiment.within_one", lambda v: v == 1.0, "sentiment off by more than one level"),
    ("compliance.missed_critical", lambda v: v == 0.0, "missed a critical flag"),
    ("privacy.clean", lambda v: v == 1.0, "leaks sensitive data"),
)


def verdict(scores: list[Score]) -> Score:
    by_metric = {score.metric: score.value for score in scores}
    failures = []
    for metric, holds, failure in _REQUIRED:
        value = by_metric.get(metric)
        if metric in ("schema.valid", "sections.ok", "privacy.clean") and value is None:
            failures.append(failure if metric != "privacy.clean" else "no brief")
        elif value is not None and not holds(value):
            failures.append(failure)
    return Score("pass", float(not failures), "; ".join(dict.fromkeys(failures)) or "passes",
                 scorer="verdict", version=VERDICT_VERSION)
