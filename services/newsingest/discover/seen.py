"""The memory of URLs already submitted to news.urls.

It lives in Kafka, not on local disk: a compacted topic keyed by ``url_id``
(``settings.topics.seen``), read back at start-up and then tailed, so restarts
and other replicas share it. A URL is remembered only after it was emitted:
a crash in between gives a duplicate downstream (harmless, records are keyed),
never a lost URL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from newsingest.broker import read_table
from newsingest.records import utc_now

log = structlog.get_logger(__name__)


class SeenUrls(Protocol):
    async def is_new(self, url_id: str) -> bool:
        """True when ``url_id`` has not been submitted before."""
        ...

    async def remember(self, url_ids: Sequence[str]) -> None:
        """Record ``url_ids`` as submitted; returns once that is durable."""
        ...


class MemorySeenUrls:
    """A process-local memory, for tests and for ``newsingest`` runs without Kafka."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    async def is_new(self, url_id: str) -> bool:
        return url_id not in self.ids

    async def remember(self, url_ids: Sequence[str]) -> None:
        self.ids.update(url_ids)


class KafkaSeenUrls:
    """Seen url_ids in a compacted topic; 16 bytes of memory per id plus set overhead.

    ``consumer`` must have no group (it is assigned every partition and read
    from the beginning); both clients are started and stopped here.
    """

    def __init__(self, producer: AIOKafkaProducer, consumer: AIOKafkaConsumer, topic: str) -> None:
        self._producer = producer
        self._consumer = consumer
        self._topic = topic
        self._ids: set[bytes] = set()
        self._tail: asyncio.Task[None] | None = None
        self._started = False

    def __len__(self) -> int:
        return len(self._ids)

    async def start(self) -> None:
        if self._started:
            return
        await self._producer.start()
        await self._consumer.start()
        self._started = True
        async for key, value in read_table(self._consumer, self._topic):
            if value is None:
                self._ids.discard(_packed(key))
            else:
                self._ids.add(_packed(key))
        log.info("seen urls loaded", stage="discover", topic=self._topic, count=len(self._ids))
        self._tail = asyncio.create_task(self._follow(), name="seen-urls-tail")

    async def _follow(self) -> None:
        """Learn the ids other replicas submit, from where the start-up read ended."""
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=1000)
            except KafkaError as exc:
                log.warning("seen urls tail failed", stage="discover", error=str(exc))
                await asyncio.sleep(1.0)
                continue
            for messages in batches.values():
                for message in messages:
                    if message.key is None:
                        continue
                    if message.value is None:
                        self._ids.discard(_packed(message.key))
                    else:
                        self._ids.add(_packed(message.key))

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        if self._tail is not None:
            self._tail.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tail
            self._tail = None
        await self._consumer.stop()
        await self._producer.stop()

    async def __aenter__(self) -> KafkaSeenUrls:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def is_new(self, url_id: str) -> bool:
        return _packed(url_id.encode()) not in self._ids

    async def remember(self, url_ids: Sequence[str]) -> None:
        # Sent together, acknowledged together. (The embedded broker reports the end of
        # a multi-record batch short; read_table reads on past the end offsets for that.)
        now = utc_now().encode()
        sent = [
            await self._producer.send(self._topic, key=url_id.encode(), value=now)
            for url_id in url_ids
        ]
        await asyncio.gather(*sent)
        self._ids.update(_packed(url_id.encode()) for url_id in url_ids)


def _packed(key: bytes) -> bytes:
    """A hex url_id as its 16 raw bytes (a third of the memory); other keys as they are."""
    try:
        return bytes.fromhex(key.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return key
