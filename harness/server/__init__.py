"""The reference endpoint (DESIGN.md §5): FastAPI app, bearer-token auth, the portal page.

Only this package imports FastAPI; `tokens` is pure so that the CLI can mint tokens without it.
"""
