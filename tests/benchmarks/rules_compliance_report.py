"""Report: the rules backend's compliance flags against the corpus's gold labels, per type.

Run: python3 tests/benchmarks/rules_compliance_report.py [fixture dir or files...] [--details] [--index]

Not a test: it asserts nothing and prints precision and recall so a rule that fails to generalise
shows up. Partial gold is respected: fixtures whose `compliance_flags` is not labelled are left out,
and with `labelled_flag_types` only those types count for that fixture. A flag is matched on its
type per fixture (does the call have this problem?); `--index` also requires the message index
to be within ±1 of a gold flag's (gold flags without a message match any index). `--details`
lists every miss and false alarm with the description the rules wrote.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from harness.backends.rules.commitments import find_commitments  # noqa: E402
from harness.backends.rules.parties import detect_third_party  # noqa: E402
from harness.backends.rules.regulatory import compliance_flags  # noqa: E402
from harness.backends.rules.text import CallView, FlagFinding  # noqa: E402
from harness.backends.rules.verification import track_verification  # noqa: E402
from harness.contract import ComplianceType  # noqa: E402
from harness.fixtures.load import load_corpus  # noqa: E402
from harness.fixtures.model import Fixture  # noqa: E402

CORPUS = ROOT / "fixtures" / "conversations"


def flags_for(fixture: Fixture) -> list[FlagFinding]:
    view = CallView.of(fixture.conversation)
    verification = track_verification(view)
    return compliance_flags(view, verification, detect_third_party(view), find_commitments(view))


def _matches(flag: FlagFinding, gold_messages: list[int | None], by_index: bool) -> bool:
    if not by_index:
        return True
    return any(g is None or (flag.message is not None and abs(flag.message - g) <= 1) for g in gold_messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[CORPUS])
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    parser.add_argument("--index", action="store_true", help="also require the message index within ±1")
    args = parser.parse_args()

    corpus = load_corpus(args.paths)
    for problem in corpus.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    tp, fp, fn = Counter(), Counter(), Counter()
    details: list[str] = []
    labelled = 0
    started = time.perf_counter()
    for fixture in corpus.fixtures:
        types = fixture.expected.flag_types_labelled()
        if not types:
            continue
        labelled += 1
        predicted = {flag.type: flag for flag in flags_for(fixture)}
        gold: dict[ComplianceType, list[int | None]] = {}
        for flag in fixture.expected.compliance_flags:
            gold.setdefault(flag.type, []).append(flag.message)
        for kind in types:
            flag = predicted.get(kind)
            if kind in gold and flag is not None and _matches(flag, gold[kind], args.index):
                tp[kind] += 1
                continue
            if flag is not None:
                fp[kind] += 1
                details.append(f"  FALSE ALARM {fixture.id} {kind} @{flag.message}: {flag.description}")
            if kind in gold:
                fn[kind] += 1
                details.append(f"  MISSED      {fixture.id} {kind} @{gold[kind]}")
    elapsed = time.perf_counter() - started

    mode = "type and message index (±1)" if args.index else "type per fixture"
    print(f"rules compliance flags vs gold, {labelled} labelled fixtures of {len(corpus.fixtures)}, matched on {mode}")
    print(f"{'type':28} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>7}")
    for kind in ComplianceType:
        precision = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else float("nan")
        recall = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else float("nan")
        print(f"{kind.value:28} {tp[kind]:>3} {fp[kind]:>3} {fn[kind]:>3} {precision:>9.2f} {recall:>7.2f}")
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all types (micro)':28} {total_tp:>3} {total_fp:>3} {total_fn:>3} "
          f"{total_tp / max(1, total_tp + total_fp):>9.2f} {total_tp / max(1, total_tp + total_fn):>7.2f}")
    print(f"(rules ran over {labelled} calls in {elapsed * 1000:.0f} ms)")
    if args.details and details:
        print("\n".join(sorted(details)))


if __name__ == "__main__":
    main()
