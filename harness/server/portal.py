"""The portal page: `GET /portal/agent-assist/{phone_number}`, one self-contained HTML screen.

The page is the same for every number: its script reads the number from its own URL and calls
the API with the user's token, so the HTML carries no data and needs no auth. The token comes
from a `#token=…&org=…` fragment (never sent to a server, wiped from the address bar at once) or
a small form, and lives in sessionStorage for that tab. No external assets; the inline script
and style are allowed by their hashes in the Content-Security-Policy, nothing else is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from harness.contract import COMPLIANCE_TAXONOMY

PORTAL_PATH = "/portal/agent-assist/{phone_number}"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


@cache
def portal_page() -> tuple[str, str]:
    """The page's HTML and the Content-Security-Policy that allows exactly its inline code."""
    template = resources.files("harness.server").joinpath("templates/portal.html").read_text(encoding="utf-8")
    severities = {flag_type.value: rule.severity.value for flag_type, rule in COMPLIANCE_TAXONOMY.items()}
    html = template.replace("/*SEVERITIES*/{}", json.dumps(severities, sort_keys=True))
    hashes = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        hashes[tag].append(f"'sha256-{digest}'")
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(hashes['script'])}",
            f"style-src {' '.join(hashes['style'])}",
            "connect-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return html, policy


def add_portal(app: FastAPI) -> None:
    @app.get(PORTAL_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def portal(phone_number: str) -> HTMLResponse:
        html, policy = portal_page()
        return HTMLResponse(html, headers={"Content-Security-Policy": policy, "X-Frame-Options": "DENY"})
