"""Evaluation and prompt-testing harness for AI handoff briefs."""

__version__ = "0.1.0"
