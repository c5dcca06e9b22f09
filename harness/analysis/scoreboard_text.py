"""The scoreboard as text for a terminal, and as plain data for --json. Pure."""

from __future__ import annotations

from harness.analysis.scoreboard import Scoreboard
from harness.scoring.base import LOWER_IS_BETTER

_COUNTS = LOWER_IS_BETTER


def scoreboard_text(board: Scoreboard, title: str, detail: bool = False) -> str:
    lines = [title, f"{board.fixtures} fixtures, {board.generations} generations", ""]
    lines.append(f"{'metric':<38} {'mean':>8}   {'95% CI':<19} {'n':>5}")
    for row in board.metrics:
        if not detail and "." in row.metric and row.metric.count(".") > 1:
            continue
        estimate = row.estimate
        mean = f"{estimate.mean:.3f}" if row.metric in _COUNTS else f"{estimate.mean:.1%}"
        interval = (f"[{estimate.low:.3f}, {estimate.high:.3f}]" if row.metric in _COUNTS
                    else f"[{max(estimate.low, 0):.1%}, {min(estimate.high, 1):.1%}]")
        lines.append(f"{row.metric:<38} {mean:>8}   {interval:<19} {estimate.values:>5}")
    if board.pooled:
        lines += ["", f"{'pooled over the corpus':<38} {'P':>6} {'R':>6} {'F1':>6}  tp/fp/fn"]
        for row in board.pooled:
            lines.append(f"{row.family + '.' + row.kind:<38} {_pct(row.precision):>6} {_pct(row.recall):>6} "
                         f"{_pct(row.f1):>6}  {row.tp}/{row.fp}/{row.fn}")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "  -" if value is None else f"{value:.0%}"


def scoreboard_data(board: Scoreboard) -> dict:
    return {
        "fixtures": board.fixtures,
        "generations": board.generations,
        "metrics": {row.metric: {"mean": row.estimate.mean, "ci95": [row.estimate.low, row.estimate.high],
                                 "n": row.estimate.values, "fixtures": row.estimate.fixtures}
                    for row in board.metrics},
        "pooled": {f"{row.family}.{row.kind}": {"precision": row.precision, "recall": row.recall, "f1": row.f1,
                                                 "tp": row.tp, "fp": row.fp, "fn": row.fn} for row in board.pooled},
    }
