"""What the server may write to its log: never a token, a transcript or a caller's full number.

uvicorn's access log prints the method, path and status only (no headers, so no Authorization
and no X-Anyreach-Org). The path of a brief or portal request holds the caller's number: the log
keeps only the last four digits, enough to match a complaint to a log line without making the log a
phone book. The query string is dropped: the API takes none, and whatever a client puts there
(a misplaced token, say) must not land in a file.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

_NUMBER_IN_PATH = re.compile(r"^(/(?:core|portal)/agent-assist/)([^/?#]*)")
ACCESS_LOGGER = "uvicorn.access"


def mask_number(segment: str) -> str:
    """'%2B13125550142' or '+1 312-555-0142' -> '***0142': only the last four digits stay."""
    digits = re.sub(r"\D", "", unquote(segment))
    return "***" + digits[-4:] if len(digits) > 4 else "***"


def mask_path(path: str) -> str:
    """A request path fit for the log: the number masked, the query string dropped."""
    path = path.split("?", 1)[0]
    return _NUMBER_IN_PATH.sub(lambda match: match.group(1) + mask_number(match.group(2)), path)


class AccessLogMask(logging.Filter):
    """Rewrites uvicorn access records: args are (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, mask_path(str(path)), version, status)
        return True


def install_access_log_masking() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, AccessLogMask) for existing in logger.filters):
        logger.addFilter(AccessLogMask())
