"""What a fault test counts after the fact, read straight from the broker:
every record of a topic, the offsets a group committed, duplicates."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable

from aiokafka import TopicPartition

from newsingest.broker import Cluster
from newsingest.runner import Message
from tests.integration.topics import from_the_start, values


async def read_all(cluster: Cluster, topic: str, *, within_s: float = 30.0) -> list[Message]:
    """Every record ``topic`` holds now, all partitions, to their current ends."""
    consumer = cluster.consumer("ledger", group=None)
    await consumer.start()
    found: list[Message] = []
    try:
        tps = await from_the_start(consumer, topic)
        ends = await consumer.end_offsets(tps)
        async with asyncio.timeout(within_s):
            for tp in tps:
                while await consumer.position(tp) < ends[tp]:
                    for batch in (await consumer.getmany(tp, timeout_ms=200)).values():
                        found += [
                            Message(m.topic, m.partition, m.offset, m.key, m.value, [], 0)
                            for m in batch
                        ]
    finally:
        await consumer.stop()
    return found


async def committed(cluster: Cluster, stage: str, topic: str) -> dict[int, int]:
    """The offsets the stage's consumer group committed, per partition (0: none)."""
    consumer = cluster.consumer("probe", group=stage)
    await consumer.start()
    try:
        return {
            p: await consumer.committed(TopicPartition(topic, p)) or 0
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        }
    finally:
        await consumer.stop()


def url_ids(messages: Iterable[Message]) -> list[str]:
    return [str(v["url_id"]) for v in values(list(messages))]


def duplicates(messages: Iterable[Message]) -> int:
    """Records beyond the first of each url_id."""
    return sum(n - 1 for n in Counter(url_ids(messages)).values())


def finished_vs_committed(
    inputs: list[Message], finished: set[str], offsets: dict[int, int]
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(positions of the inputs whose output exists, positions below the committed offset).

    Equal when every finished input is committed and nothing unfinished is.
    """
    done = {
        (m.partition, m.offset)
        for m, url_id in zip(inputs, url_ids(inputs), strict=True)
        if url_id in finished
    }
    below = {(m.partition, m.offset) for m in inputs if m.offset < offsets.get(m.partition, 0)}
    return done, below
