"""A partition's records fetched but not started, and which of them may start now.

A stage may bound how many records of one message key are in flight at once
(fetch: a host's politeness allows only so many requests, so more of its URLs
in flight would only hold slots while they wait). The next record to start is
then the earliest one whose key is under the bound: records of a saturated key
wait here, holding no in-flight slot, and the keys behind them go past.

Records are queued per key; a heap holds each key that may start a record now,
ordered by the offset of its oldest record, so taking the next record and
finishing one cost O(log keys), never a scan of the backlog. A record without a
key stands for itself (its offset is its key): no bound applies to it.
"""

from __future__ import annotations

import heapq
from collections import deque

from newsingest.runner.message import Message

_Key = bytes | int


def _key(message: Message) -> _Key:
    return message.offset if message.key is None else message.key


class Backlog:
    def __init__(self, per_key: int | None = None) -> None:
        """``per_key``: records of one key in flight at once; None for no bound."""
        if per_key is not None and per_key < 1:
            raise ValueError(f"per_key must be at least 1, not {per_key}")
        self._per_key = per_key
        self._queues: dict[_Key, deque[Message]] = {}
        self._in_flight: dict[_Key, int] = {}
        # (offset of the key's oldest record, key) for every key with records that is
        # under its bound; offsets are unique in a partition, so keys are never compared.
        self._ready: list[tuple[int, _Key]] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def startable(self) -> bool:
        """Some record may start as far as its key's bound goes."""
        return bool(self._ready)

    def append(self, message: Message) -> None:
        """Queue a record; records of a partition come in offset order."""
        key = _key(message)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
        queue.append(message)
        self._size += 1
        if len(queue) == 1 and self._under_bound(key):
            heapq.heappush(self._ready, (message.offset, key))

    def take(self) -> Message | None:
        """The earliest record whose key is under its bound, counted in flight; None if none."""
        if not self._ready:
            return None
        _, key = heapq.heappop(self._ready)
        queue = self._queues[key]
        message = queue.popleft()
        self._size -= 1
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        if not queue:
            del self._queues[key]
        elif self._under_bound(key):
            heapq.heappush(self._ready, (queue[0].offset, key))
        return message

    def finished(self, message: Message) -> None:
        """A record ``take`` returned is no longer in flight (done, failed or abandoned)."""
        key = _key(message)
        left = self._in_flight[key] - 1
        if left:
            self._in_flight[key] = left
        else:
            del self._in_flight[key]
        queue = self._queues.get(key)
        # Only a key that was at its bound is missing from the heap while it has records.
        if queue and self._per_key is not None and left == self._per_key - 1:
            heapq.heappush(self._ready, (queue[0].offset, key))

    def clear(self) -> None:
        """Drop the records not started (revoked: they are redelivered); those in flight
        are still counted until they finish."""
        self._queues.clear()
        self._ready.clear()
        self._size = 0

    def _under_bound(self, key: _Key) -> bool:
        return self._per_key is None or self._in_flight.get(key, 0) < self._per_key
