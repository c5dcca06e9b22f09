"""Benchmark for `harness compare` (issue 5): two runs of 10,000 generations each (1,000 fixtures
× 10 repeats, the metric set the scorers store: rates, counts, sparse per-type counts and
fixture-level consistency scores, ~390,000 score rows a run) compared in at most 2 s: reading the
per-fixture means from DuckDB, the paired bootstrap (4,000 resamples) and the text report.
The same comparison through the CLI (a fresh process, imports included) is reported too.

Run: python3 tests/benchmarks/bench_compare.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from harness.analysis.compare import compare_runs  # noqa: E402
from harness.analysis.compare_text import comparison_text  # noqa: E402
from harness.store.aggregates import run_summary  # noqa: E402
from harness.store.results import ResultsStore, RunRecord  # noqa: E402

FIXTURES, REPEATS = 1_000, 10
RATES = ("pass", "schema.valid", "schema.parsed", "sections.ok", "sections.summary", "sections.next_steps",
         "sections.transfer_reason", "sections.transcript_length", "enums.valid", "header.caller_name",
         "header.phone", "header.duration", "sentiment.exact", "sentiment.within_one", "privacy.clean",
         "transcript.match", "markers.precision", "markers.recall", "markers.f1", "compliance.precision",
         "compliance.recall", "compliance.f1", "information.recall", "information.grounding")
COUNTS = ("compliance.missed_critical", "compliance.false_alarms", "markers.wrong_speaker", "privacy.leaks",
          "sentiment.abs_error")
POOLED = tuple(f"markers.{kind}.{part}" for kind in ("frustration", "key_info", "sentiment_shift", "ai_commitment")
               for part in ("tp", "fp", "fn"))
CONSISTENCY = ("consistency.pass_at_k", "consistency.pass_all_k", "consistency.sentiment_agreement",
               "consistency.name_agreement", "consistency.marker_jaccard", "consistency.flag_jaccard")


def synthesise(store: ResultsStore, run_id: str, quality: float, seed: int) -> int:
    rng = np.random.default_rng(seed)
    record = RunRecord(run_id, None, "synthetic", None, "handoff-brief", "1.0.0", "0" * 12, {}, REPEATS, "0" * 16,
                       None, "bench", {}, True, datetime.now(UTC), datetime.now(UTC), "completed")
    fixtures = [(f"fixture-{i:04d}", f"hash-{i}", {"id": f"fixture-{i:04d}"}) for i in range(FIXTURES)]
    store.create_run(record, fixtures)
    difficulty = rng.uniform(0.5, 1.0, FIXTURES)  # hard fixtures stay hard in both runs: what pairing removes
    rows = []
    for f, (fixture_id, _, _) in enumerate(fixtures):
        labelled = f % 10 != 0  # one fixture in ten is unlabelled: its label-dependent metrics are null
        for repeat in range(REPEATS):
            chance = min(1.0, difficulty[f] * quality)
            for metric in RATES:
                needs_label = metric.startswith(("markers.", "compliance.", "information.recall", "sentiment."))
                value = None if needs_label and not labelled else float(rng.random() < chance)
                rows.append(_row(fixture_id, repeat, metric, value))
            for metric in COUNTS:
                rows.append(_row(fixture_id, repeat, metric, float(rng.poisson(1 - chance)) if labelled else None))
            for metric in POOLED:
                if rng.random() < 0.6:  # stored only when non-zero
                    rows.append(_row(fixture_id, repeat, metric, float(rng.integers(1, 4))))
        for metric in CONSISTENCY:
            rows.append(_row(fixture_id, -1, metric, float(rng.random() < difficulty[f] * quality)))
    store.add_scores([{"run_id": run_id, **row} for row in rows])
    return len(rows)


def _row(fixture_id: str, repeat: int, metric: str, value: float | None) -> dict:
    return {"fixture_id": fixture_id, "repeat": repeat, "scorer": metric.split(".")[0], "version": 1,
            "metric": metric, "value": value, "reason": ""}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        store = ResultsStore(path)
        rows = synthesise(store, "base", quality=1.0, seed=1) + synthesise(store, "candidate", quality=0.97, seed=2)
        store.close()
        print(f"synthesised 2 runs × {FIXTURES * REPEATS:,} generations, {rows:,} score rows")

        timings = []
        for _ in range(3):
            start = time.perf_counter()
            reader = ResultsStore(path, read_only=True)
            comparison = compare_runs(run_summary(reader.db, "base"), run_summary(reader.db, "candidate"))
            text = comparison_text(comparison)
            reader.close()
            timings.append(time.perf_counter() - start)
        best = min(timings)
        worse = sum(row.verdict == "worse" for row in comparison.metrics)
        print(f"compare in-process: {best:.2f} s best of 3 ({', '.join(f'{t:.2f}' for t in timings)}); "
              f"{len(comparison.metrics)} metrics ({worse} worse), {len(comparison.regressed)} regressed fixtures, "
              f"{len(text.splitlines())} lines (target ≤ 2 s)  {'PASS' if best <= 2 else 'FAIL'}")

        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "harness", "compare", "base", "candidate", "--db", str(path)],
                                capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - start
        print(f"harness compare (fresh process, imports included): {elapsed:.2f} s, exit {result.returncode}  "
              f"{'PASS' if elapsed <= 2 and result.returncode == 0 else 'FAIL'}")


if __name__ == "__main__":
    main()
