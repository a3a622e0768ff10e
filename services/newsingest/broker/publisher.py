"""Publishing records and waiting for the broker's acknowledgement."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newsingest.metrics import Metrics

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to produce: bytes already encoded, key chosen by the stage adapter."""

    topic: str
    value: bytes
    key: bytes | None = None
    headers: Headers = field(default_factory=list)


class Publisher:
    """Wraps the process's one producer: ``publish`` returns once every record is acked."""

    def __init__(self, producer: AIOKafkaProducer, metrics: Metrics) -> None:
        self._producer = producer
        self._metrics = metrics
        self._started = False
        # Made once per topic: labels() validates and locks on every call.
        self._produce_seconds = functools.cache(metrics.produce_seconds.labels)

    async def start(self) -> None:
        if not self._started:
            await self._producer.start()
            self._started = True

    async def stop(self) -> None:
        """Flush what is buffered and close; idempotent."""
        if self._started:
            self._started = False
            await self._producer.stop()

    async def __aenter__(self) -> Publisher:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def publish(self, records: Sequence[Outgoing]) -> None:
        """Send all, then wait for all acknowledgements; raise the first KafkaError."""
        if not records:
            return
        started = time.perf_counter()
        pending: list[tuple[str, asyncio.Future[object]]] = []
        try:
            for record in records:
                future = await self._producer.send(
                    record.topic, record.value, key=record.key, headers=record.headers or None
                )
                pending.append((record.topic, future))
            results = await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
        except KafkaError:
            for record in records:
                self._metrics.produce_errors.labels(record.topic).inc()
            raise
        elapsed = time.perf_counter() - started
        for (topic, _), result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                self._metrics.produce_errors.labels(topic).inc()
            else:
                self._produce_seconds(topic).observe(elapsed)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def broker_reachable(self, within_s: float) -> bool:
        """Ask the cluster for fresh metadata: True when a broker answered in time."""
        client = self._producer.client
        try:
            return bool(await asyncio.wait_for(client.force_metadata_update(), within_s))
        except (TimeoutError, KafkaError, OSError):
            return False
