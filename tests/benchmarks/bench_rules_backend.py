"""Benchmark: the rules backend on a 40-message and a 400-message conversation.

Targets (issue: generation core): median ≤ 5 ms at 40 messages, ≤ 50 ms at 400, ratio ≤ 12.
Every per-text cache (ours, and wordfreq's word cache) is cleared before each timed brief, so a
repeated conversation is not served from memory: the figures are what a new call costs. Also reports the median size of the
draft against the full portal JSON over the corpus.

Run: python3 tests/benchmarks/bench_rules_backend.py
"""

from __future__ import annotations

import functools
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import wordfreq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from harness.backends.rules import draft_for  # noqa: E402
from harness.brief import assemble_portal  # noqa: E402
from harness.conversations import ConversationRecord  # noqa: E402
from harness.fixtures.load import load_corpus  # noqa: E402


def text_caches() -> list:
    """The bounded per-text caches (lexicons are loaded once by unbounded @cache and stay)."""
    return [
        obj for obj in gc.get_objects()
        if isinstance(obj, functools._lru_cache_wrapper)
        and obj.__module__.startswith("harness")
        and obj.cache_parameters()["maxsize"] is not None
    ]


def clear_text_caches() -> None:
    for cache in TEXT_CACHES:
        cache.cache_clear()
    # wordfreq keeps its own dictionary of the words it was asked about (the names rules ask)
    wordfreq._wf_cache.clear()


TEXT_CACHES: list = []


def conversation_of(messages: list, base: ConversationRecord) -> ConversationRecord:
    return base.model_copy(update={"messages": messages})


def build_calls(fixtures) -> tuple[ConversationRecord, ConversationRecord]:
    pool = [m for f in fixtures for m in f.conversation.messages]
    base = fixtures[0].conversation
    forty = conversation_of(pool[:40], base)
    # 400 distinct messages: the corpus has enough text to avoid repeating any message
    four_hundred = conversation_of(pool[:400], base)
    return forty, four_hundred


def median_ms(conversation: ConversationRecord, runs: int) -> float:
    timings = []
    for _ in range(runs):
        clear_text_caches()
        start = time.perf_counter()
        assemble_portal(conversation, draft_for(conversation))
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    fixtures = load_corpus().fixtures
    for fixture in fixtures:  # warm-up: load lexicons and name tables once
        draft_for(fixture.conversation)
    TEXT_CACHES.extend(text_caches())
    forty, four_hundred = build_calls(fixtures)
    small = median_ms(forty, 50)
    large = median_ms(four_hundred, 15)
    print(f"rules brief, 40 messages:  median {small:.2f} ms (target ≤ 5)   {'PASS' if small <= 5 else 'FAIL'}")
    print(f"rules brief, 400 messages: median {large:.2f} ms (target ≤ 50)  {'PASS' if large <= 50 else 'FAIL'}")
    ratio = large / small
    print(f"ratio 400/40: {ratio:.1f} (target ≤ 12)  {'PASS' if ratio <= 12 else 'FAIL'}")
    draft_sizes, portal_sizes = [], []
    for fixture in fixtures:
        draft = draft_for(fixture.conversation)
        portal = assemble_portal(fixture.conversation, draft).portal
        draft_sizes.append(len(json.dumps(draft.model_dump(mode="json"), ensure_ascii=False)))
        portal_sizes.append(len(json.dumps(portal.model_dump(mode="json"), ensure_ascii=False)))
    d, p = statistics.median(draft_sizes), statistics.median(portal_sizes)
    print(f"median JSON size over {len(fixtures)} fixtures: draft {d:.0f} B, portal {p:.0f} B (draft = {d / p:.0%})")


if __name__ == "__main__":
    main()
