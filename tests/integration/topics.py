"""Reading what the stages published, straight from the broker."""

from __future__ import annotations

import asyncio

import orjson
from aiokafka import TopicPartition

from newsingest.broker import Cluster
from newsingest.runner import Message


async def read_topic(
    cluster: Cluster, topic: str, count: int, *, within_s: float = 30.0
) -> list[Message]:
    """The first ``count`` records of ``topic`` (all partitions); TimeoutError if fewer arrive."""
    consumer = cluster.consumer("reader", group=None)
    await consumer.start()
    found: list[Message] = []
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        async with asyncio.timeout(within_s):
            while len(found) < count:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    found += [
                        Message(m.topic, m.partition, m.offset, m.key, m.value, list(m.headers), 0)
                        for m in batch
                    ]
    finally:
        await consumer.stop()
    return found


def values(messages: list[Message]) -> list[dict[str, object]]:
    return [orjson.loads(m.value or b"null") for m in messages]
