"""What reaches the server log: numbers masked to their last four digits, no query strings."""

import logging

import pytest

from harness.server.logs import AccessLogMask, mask_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/core/agent-assist/%2B13125550142", "/core/agent-assist/***0142"),
        ("/portal/agent-assist/%2B1%20312-555-0142", "/portal/agent-assist/***0142"),
        ("/core/agent-assist/%2B13125550142?token=pat_x", "/core/agent-assist/***0142"),
        ("/core/agent-assist/abc", "/core/agent-assist/***"),
        ("/openapi.json?debug=1", "/openapi.json"),
    ],
)
def test_paths_are_masked_for_the_log(path, logged):
    assert mask_path(path) == logged


def test_the_access_log_filter_rewrites_uvicorns_record():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/core/agent-assist/%2B13125550142?x=1", "1.1", 200), None,
    )
    assert AccessLogMask().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /core/agent-assist/***0142 HTTP/1.1" 200'
