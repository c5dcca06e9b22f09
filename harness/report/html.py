"""Small helpers every part of the page uses: escaping and number formats.

Everything that comes from data (transcripts, briefs, fixture ids, reasons) is untrusted text and
goes through `esc` before it reaches the page; the page's Content-Security-Policy only lets the
report's own script run, so a missed escape still could not execute code.
"""

from __future__ import annotations

from html import escape

from harness.scoring.base import LOWER_IS_BETTER

# Metrics that count things (lower is better); every other metric is a share in [0, 1].
COUNT_METRICS = LOWER_IS_BETTER


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def metric_value(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if metric in COUNT_METRICS else f"{value:.1%}"


def metric_interval(metric: str, low: float, high: float) -> str:
    if metric in COUNT_METRICS:
        return f"[{low:.3f}, {high:.3f}]"
    return f"[{max(low, 0.0):.1%}, {min(high, 1.0):.1%}]"


def signed_delta(metric: str, delta: float) -> str:
    if metric in COUNT_METRICS:
        return f"{delta:+.3f}"
    return f"{delta * 100:+.1f} pts"


def delta_class(metric: str, delta: float) -> str:
    """better / worse / same, for the colour of a change."""
    if abs(delta) < 1e-12:
        return "same"
    improved = delta < 0 if metric in COUNT_METRICS else delta > 0
    return "better" if improved else "worse"


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "unknown"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def masked(secret: str) -> str:
    """A must-not-contain string as the report shows it: the gold names secrets, the page must not."""
    visible = secret[-4:] if len(secret) > 6 else ""
    return "•" * 4 + (f" {visible}" if visible else "")
