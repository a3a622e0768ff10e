"""The one exception tree of newsingest.

Every failure that can end a record's journey carries a stable ``reason`` code
(the DLQ reason, also a metric label) and a ``retriable`` flag::

    NewsingestError           reasons: internal_error (a bug), processing_timeout
     │                        (past the runner's deadline; retriable)
     ├── InvalidRecordError   a message that does not decode to its record type
     ├── FetchError           reasons: invalid_url, blocked_address, blocked_scheme,
     │                        robots_disallowed, too_many_redirects, too_large, timeout,
     │                        http_4xx, http_5xx, unsupported_content_type,
     │                        decode_error, tls_error, connect_error
     ├── ExtractError         reasons: extract_timeout (retriable), extract_empty,
     │                        extract_failed
     └── ClassifyError        reason: classify_failed

A reason may be retriable by nature (``retriable_reasons``): then every raise
of it is, wherever it happens (an enrich worker's timer included). A failure
may also say when a retry can first succeed (``retry_after_s``); the runner
waits at least that long, within its cap. Control flow (a URL already seen, a
record filtered out) is not an error.
"""

from __future__ import annotations

from typing import ClassVar


class NewsingestError(Exception):
    """Base of every failure that may send a record to the DLQ."""

    default_reason: ClassVar[str] = "internal_error"
    retriable_reasons: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        retriable: bool | None = None,
        retry_after_s: float | None = None,
        url_id: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason or self.default_reason
        self.retriable = self.reason in self.retriable_reasons if retriable is None else retriable
        self.retry_after_s = retry_after_s
        # What the failed record was about, for the DLQ record and the log line.
        self.url_id = url_id
        self.url = url

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, retriable={self.retriable}, {self})"


class InvalidRecordError(NewsingestError):
    default_reason = "invalid_record"


class FetchError(NewsingestError):
    default_reason = "connect_error"


class ExtractError(NewsingestError):
    default_reason = "extract_failed"
    # A page past its deadline may pass on a less busy worker; the attempts cap bounds it.
    retriable_reasons = frozenset({"extract_timeout"})


class ClassifyError(NewsingestError):
    default_reason = "classify_failed"


FETCH_REASONS: frozenset[str] = frozenset(
    {
        "invalid_url",
        "blocked_address",
        "blocked_scheme",
        "robots_disallowed",
        "too_many_redirects",
        "too_large",
        "timeout",
        "http_4xx",
        "http_5xx",
        "unsupported_content_type",
        "decode_error",
        "tls_error",
        "connect_error",
    }
)
EXTRACT_REASONS: frozenset[str] = frozenset({"extract_timeout", "extract_empty", "extract_failed"})
