"""Reading what the stages published, straight from the broker."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from newsingest.broker import Cluster
from newsingest.runner import Message


async def from_the_start(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Assign ``consumer`` every partition of ``topic``, positioned at the beginning."""
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    return tps


async def read_topic(
    cluster: Cluster, topic: str, count: int, *, within_s: float = 30.0, distinct: bool = False
) -> list[Message]:
    """Records of ``topic`` (all partitions) from the start until ``count`` of them, or of
    distinct keys when ``distinct``, have arrived; TimeoutError if fewer arrive in time."""
    consumer = cluster.consumer("reader", group=None)
    await consumer.start()
    found: list[Message] = []
    try:
        await from_the_start(consumer, topic)
        async with asyncio.timeout(within_s):
            while len({m.key for m in found} if distinct else found) < count:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    found += [
                        Message(m.topic, m.partition, m.offset, m.key, m.value, list(m.headers), 0)
                        for m in batch
                    ]
    finally:
        await consumer.stop()
    return found


def values(messages: list[Message]) -> list[dict[str, Any]]:
    """The decoded JSON of each record: untyped, as a consumer outside the service sees it
    (tests that rely on its shape validate it against the published JSON Schemas)."""
    return [orjson.loads(m.value or b"null") for m in messages]
