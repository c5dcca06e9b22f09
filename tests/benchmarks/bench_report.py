"""Benchmark: `harness report` for 200 fixtures × 3 repeats (targets: ≤ 5 s and ≤ 10 MB).

The 64 corpus fixtures are stored again under new ids until there are 200, with the rules backend's
briefs; one repeat in three disagrees on the sentiment so every card has differences to show. Two
runs are stored so the report with a baseline is measured too. Times are wall clock for the whole
command (process start, DuckDB read, build, write), and for the build alone in this process.

Run: python3 tests/benchmarks/bench_report.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from harness.report import build_report, load_report_data  # noqa: E402
from harness.store.results import ResultsStore  # noqa: E402
from tests.report.runs import corpus, rules_brief, store_run  # noqa: E402

FIXTURES, REPEATS = 200, 3
MAX_SECONDS, MAX_BYTES = 5.0, 10_000_000


def fixtures_200():
    source = corpus()
    return [source[i % len(source)].model_copy(update={"id": f"{source[i % len(source)].id}-copy-{i}"})
            for i in range(FIXTURES)]


def disagreeing(fixture, repeat):
    brief = rules_brief(fixture)
    if repeat == 2:
        brief["header"]["sentiment"]["level"] = "calm"
    return brief


def command(db: Path, out: Path, *extra: str) -> tuple[float, int]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harness", "report", "run-new", "--db", str(db), "-o", str(out), *extra],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start, out.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "results.duckdb"
        store = ResultsStore(db)
        started = time.perf_counter()
        fixtures = fixtures_200()
        store_run(store, "run-base", fixtures, REPEATS)
        store_run(store, "run-new", fixtures, REPEATS, make_brief=disagreeing, minutes=5)
        print(f"stored 2 runs of {FIXTURES} fixtures × {REPEATS} repeats in {time.perf_counter() - started:.1f} s "
              "(setup, not measured)")

        start = time.perf_counter()
        data = load_report_data(store, "run-new")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        page = build_report(data)
        built = time.perf_counter() - start
        store.close()
        print(f"in process: load {loaded:.2f} s, build {built:.2f} s, {len(page.encode()) / 1e6:.2f} MB")

        results = {}
        for name, extra in (("report", ()), ("report --baseline", ("--baseline", "run-base"))):
            seconds, size = command(db, Path(tmp) / "report.html", *extra)
            results[name] = (seconds, size)
            verdict = "ok" if seconds <= MAX_SECONDS and size <= MAX_BYTES else "OVER TARGET"
            print(f"harness {name}: {seconds:.2f} s, {size / 1e6:.2f} MB "
                  f"(targets ≤ {MAX_SECONDS:.0f} s, ≤ {MAX_BYTES / 1e6:.0f} MB)  {verdict}")
    if any(s > MAX_SECONDS or b > MAX_BYTES for s, b in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
