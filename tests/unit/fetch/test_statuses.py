from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from newsingest.fetch.client import Response, _retry_after, _status_error


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (304, None),
        (404, ("http_4xx", False)),
        (403, ("http_4xx", False)),
        (429, ("http_4xx", True)),
        (408, ("http_4xx", True)),
        (500, ("http_5xx", True)),
        (503, ("http_5xx", True)),
        (300, ("too_many_redirects", False)),
    ],
)
def test_status_errors(status: int, expected: tuple[str, bool] | None) -> None:
    response = Response(
        "http://a.test/?token=s3cret", "http://a.test/?token=s3cret", status, httpx.Headers(), b""
    )
    error = _status_error(response)
    assert (error.reason, error.retriable) == expected if error else expected is None
    assert error is None or "s3cret" not in str(error)


def test_retry_after_seconds_and_dates() -> None:
    assert _retry_after(httpx.Headers({"Retry-After": "120"})) == 120.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= (_retry_after(httpx.Headers({"Retry-After": later})) or 0) <= 60
    assert _retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Headers()) is None
