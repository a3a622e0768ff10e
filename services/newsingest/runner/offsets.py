"""Which offset of a partition may be committed.

Offsets are registered in the order they are consumed and completed in any
order. The committable offset is the first one not yet completed (Kafka's
"next offset to read"), so gaps left by transaction markers or compaction
never matter: only offsets actually consumed are tracked.
"""

from __future__ import annotations

from collections import deque


class PartitionOffsets:
    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._done: set[int] = set()
        self._next: int | None = None  # next offset to commit, once known
        self.committed: int | None = None

    def add(self, offset: int) -> None:
        self._pending.append(offset)

    def complete(self, offset: int) -> None:
        self._done.add(offset)
        while self._pending and self._pending[0] in self._done:
            head = self._pending.popleft()
            self._done.discard(head)
            self._next = head + 1

    def committable(self) -> int | None:
        """The offset to commit now, or None when nothing new completed since the last commit."""
        if self._next is None or self._next == self.committed:
            return None
        return self._next

    @property
    def outstanding(self) -> int:
        return len(self._pending)
