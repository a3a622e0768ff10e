"""The retry copy and the DLQ record of a failed input."""

from __future__ import annotations

import base64
from typing import Literal

from newsingest.broker.publisher import Outgoing
from newsingest.errors import NewsingestError
from newsingest.records import DlqRecord, OriginalMessage, encode, utc_now
from newsingest.redact import redact
from newsingest.runner.message import ATTEMPTS_HEADER, FIRST_FAILED_HEADER, Message

_MAX_ERROR_CHARS = 2000
ERROR_HEADER = "newsingest-error"
FAILED_AT_HEADER = "newsingest-failed-at"


def retry_copy(message: Message) -> Outgoing:
    """The input again, on its own topic and key, with one more attempt counted."""
    headers = [
        (k, v) for k, v in message.headers if k not in (ATTEMPTS_HEADER, FIRST_FAILED_HEADER)
    ]
    headers.append((ATTEMPTS_HEADER, str(message.attempts + 1).encode()))
    headers.append((FIRST_FAILED_HEADER, _first_failed_at(message).encode()))
    return Outgoing(
        topic=message.topic, value=message.value or b"", key=message.key, headers=headers
    )


def dead_letter(
    message: Message, error: NewsingestError, stage: str, dlq_topic: str, service_version: str
) -> Outgoing:
    """A news.dlq record: the original bytes and where they came from, why, and when.

    The headers repeat what a consumer routes or alerts on (stage, reason, the
    error with credentials redacted, attempts, first and last failure times), so
    it need not parse the value.
    """
    now = utc_now()
    key_text, key_encoding = _text(message.key) if message.key is not None else (None, "utf-8")
    value_text, value_encoding = _text(message.value or b"")
    # One encoding for both keeps the record simple to replay.
    encoding: Literal["utf-8", "base64"] = "utf-8"
    if "base64" in (key_encoding, value_encoding):
        encoding = "base64"
        key_text = base64.b64encode(message.key).decode() if message.key is not None else None
        value_text = base64.b64encode(message.value or b"").decode()
    record = DlqRecord(
        stage=stage,
        reason=error.reason,
        error=redact(str(error))[:_MAX_ERROR_CHARS],
        retriable=error.retriable,
        attempts=message.attempts,
        first_failed_at=_first_failed_at(message, now),
        failed_at=now,
        service_version=service_version,
        original=OriginalMessage(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=key_text,
            value=value_text,
            encoding=encoding,
        ),
        url_id=error.url_id,
        url=redact(error.url) if error.url else None,
    )
    headers = [
        ("newsingest-stage", stage.encode()),
        ("newsingest-reason", error.reason.encode()),
        (ATTEMPTS_HEADER, str(message.attempts).encode()),
        ("newsingest-original-topic", message.topic.encode()),
        ("newsingest-original-partition", str(message.partition).encode()),
        ("newsingest-original-offset", str(message.offset).encode()),
        (ERROR_HEADER, record.error.encode()),
        (FIRST_FAILED_HEADER, record.first_failed_at.encode()),
        (FAILED_AT_HEADER, record.failed_at.encode()),
        ("newsingest-version", service_version.encode()),
    ]
    return Outgoing(topic=dlq_topic, value=encode(record), key=message.key, headers=headers)


def _first_failed_at(message: Message, default: str | None = None) -> str:
    raw = message.header(FIRST_FAILED_HEADER)
    return raw.decode("utf-8", "replace") if raw else (default or utc_now())


def _text(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode(), "base64"
