"""Benchmark: load and validate the whole fixture corpus (target: under 200 ms).

Run: python3 tests/benchmarks/bench_fixture_loading.py
Reports the median of repeated loads in this process, and the ratio of a 10x corpus to 1x to
show loading is linear in the number of files.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from harness.fixtures.load import load_corpus  # noqa: E402

CORPUS = ROOT / "fixtures" / "conversations"


def median_seconds(paths: list[Path], repeats: int) -> tuple[float, int]:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        corpus = load_corpus(paths)
        timings.append(time.perf_counter() - start)
    assert not corpus.problems, corpus.problems[:3]
    return statistics.median(timings), len(corpus.fixtures)


def main() -> None:
    started = time.perf_counter()
    first, count = median_seconds([CORPUS], 1)
    print(f"first load (cold, includes imports done lazily): {first * 1000:.1f} ms for {count} fixtures")
    one, count = median_seconds([CORPUS], 20)
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i in range(10):
            target = Path(tmp) / f"copy{i}"
            shutil.copytree(CORPUS, target)
            copies.append(target)
        # the copies repeat ids, so this measures parsing and validation; duplicates are expected
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            load_corpus(copies)
            timings.append(time.perf_counter() - start)
        ten = statistics.median(timings)
    print(f"corpus load: median {one * 1000:.1f} ms for {count} fixtures "
          f"({one / count * 1e6:.0f} µs per fixture); target < 200 ms: {'PASS' if one < 0.2 else 'FAIL'}")
    print(f"10x corpus: median {ten * 1000:.1f} ms; ratio 10x/1x = {ten / one:.1f} (linear ≈ 10)")
    print(f"benchmark wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
