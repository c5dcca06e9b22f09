"""Bridges to other evaluation tools. Nothing in the harness imports these modules: each pulls
in its tool only when a user imports it."""
