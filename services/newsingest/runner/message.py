"""What the runner hands a stage adapter, and what the adapter gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from newsingest.broker.publisher import Headers, Outgoing

ATTEMPTS_HEADER = "newsingest-attempts"
FIRST_FAILED_HEADER = "newsingest-first-failed-at"


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def attempts(self) -> int:
        """How many times this record was tried before (1 on its first delivery)."""
        raw = self.header(ATTEMPTS_HEADER)
        try:
            return max(1, int(raw)) if raw else 1
        except ValueError:
            return 1


Handler = Callable[[Message], Awaitable[Sequence[Outgoing]]]
