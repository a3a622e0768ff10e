import base64

import orjson

from newsingest.errors import FetchError
from newsingest.runner.deadletter import dead_letter, retry_copy
from newsingest.runner.message import ATTEMPTS_HEADER, FIRST_FAILED_HEADER, Message


def _message(
    value: bytes, key: bytes | None = b"example.com", attempts: int | None = None
) -> Message:
    headers = [(ATTEMPTS_HEADER, str(attempts).encode())] if attempts else []
    return Message("news.urls", 2, 41, key, value, headers, 0)


def test_dead_letter_keeps_original_bytes_and_redacts_credentials() -> None:
    error = FetchError(
        "GET https://user:hunter2@example.com/a?token=abc failed", reason="http_4xx", url_id="u1"
    )
    out = dead_letter(_message(b'{"url": "x"}', attempts=3), error, "fetch", "news.dlq", "1.2.3")
    record = orjson.loads(out.value)
    assert out.topic == "news.dlq"
    assert out.key == b"example.com"
    assert record["reason"] == "http_4xx"
    assert record["attempts"] == 3
    assert record["original"] == {
        "topic": "news.urls",
        "partition": 2,
        "offset": 41,
        "key": "example.com",
        "value": '{"url": "x"}',
        "encoding": "utf-8",
    }
    assert "hunter2" not in record["error"]
    assert "abc" not in record["error"]
    assert dict(out.headers)["newsingest-reason"] == b"http_4xx"
    assert record["url_id"] == "u1"


def test_dead_letter_headers_say_why_and_when_without_parsing_the_value() -> None:
    first = retry_copy(_message(b"v"))  # failed once before, at a time of its own
    again = Message("news.urls", 2, 41, first.key, first.value, first.headers, 0)
    error = FetchError(
        "GET https://user:hunter2@example.com/a?token=abc: HTTP 503", reason="http_5xx"
    )
    out = dead_letter(again, error, "fetch", "news.dlq", "1.2.3")
    headers = dict(out.headers)
    record = orjson.loads(out.value)
    assert headers["newsingest-error"].decode() == record["error"]
    assert b"hunter2" not in headers["newsingest-error"]
    assert b"abc" not in headers["newsingest-error"]
    assert b"example.com/a" in headers["newsingest-error"]
    assert headers["newsingest-failed-at"].decode() == record["failed_at"]
    assert headers[FIRST_FAILED_HEADER].decode() == record["first_failed_at"]
    assert record["first_failed_at"] <= record["failed_at"]
    assert headers[ATTEMPTS_HEADER] == b"2"


def test_dead_letter_of_binary_value_is_base64() -> None:
    raw = b"\xff\xfe\x00junk"
    out = dead_letter(_message(raw), FetchError("bad"), "enrich", "news.dlq", "0")
    original = orjson.loads(out.value)["original"]
    assert original["encoding"] == "base64"
    assert base64.b64decode(original["value"]) == raw


def test_retry_copy_counts_attempts() -> None:
    first = retry_copy(_message(b"v"))
    again = Message("news.urls", 0, 1, first.key, first.value, first.headers, 0)
    assert again.attempts == 2
    assert retry_copy(again).headers.count((ATTEMPTS_HEADER, b"3")) == 1
